/*
 * Issuing test certificates with mbedTLS 2.28 x509write, shaped like the SGP.26 test
 * certificates (SGP.22 v2.5 section 4.5.2 certificate profiles).
 *
 * mbedTLS 2.28 writes the extensions it is handed as opaque values, so the RSP extensions are
 * DER-encoded here with a small forward writer. mbedTLS writes extensions and name attributes
 * in the order they were added.
 */
#include "pki/issue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/asn1write.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha1.h>
#include <mbedtls/x509_crt.h>

#include "pki/pki_internal.h"

struct issue_key {
	mbedtls_pk_context pk;
};

/* Extension OIDs, content octets. */
static const uint8_t OID_SUBJECT_KEY_ID[] = { 0x55, 0x1d, 0x0e };
static const uint8_t OID_KEY_USAGE[] = { 0x55, 0x1d, 0x0f };
static const uint8_t OID_SUBJECT_ALT_NAME[] = { 0x55, 0x1d, 0x11 };
static const uint8_t OID_BASIC_CONSTRAINTS[] = { 0x55, 0x1d, 0x13 };
static const uint8_t OID_NAME_CONSTRAINTS[] = { 0x55, 0x1d, 0x1e };
static const uint8_t OID_CERT_POLICIES[] = { 0x55, 0x1d, 0x20 };
static const uint8_t OID_AUTHORITY_KEY_ID[] = { 0x55, 0x1d, 0x23 };
static const uint8_t OID_EXT_KEY_USAGE[] = { 0x55, 0x1d, 0x25 };
static const uint8_t OID_AT_SERIAL_NUMBER[] = { 0x55, 0x04, 0x05 };
static const uint8_t OID_AT_ORGANIZATION[] = { 0x55, 0x04, 0x0a };
static const uint8_t OID_KP_SERVER_AUTH[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01 };
static const uint8_t OID_KP_CLIENT_AUTH[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02 };
/* permittedEins 2.23.146.1.2.2.0 */
static const uint8_t OID_PERMITTED_EINS[] = { 0x67, 0x81, 0x12, 0x01, 0x02, 0x02, 0x00 };
/* id-rspRole 2.23.146.1.2.1; the role number is appended as the last arc */
static const uint8_t OID_RSP_ROLE[] = { 0x67, 0x81, 0x12, 0x01, 0x02, 0x01 };

#define ISSUE_DEFAULT_ORG "RSP Test EUM"
#define ISSUE_MAX_SUBJECT 512
#define ISSUE_MAX_CERT 2048 /* a test certificate is about 700 bytes */

/* ---- random generator, one per call so that callers on several threads need no lock ---- */

struct rng {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
};

static int rng_init(struct rng *rng)
{
	static const unsigned char personal[] = "rsp-pki issue";

	mbedtls_entropy_init(&rng->entropy);
	mbedtls_ctr_drbg_init(&rng->drbg);
	if (mbedtls_ctr_drbg_seed(&rng->drbg, mbedtls_entropy_func, &rng->entropy, personal,
				  sizeof(personal) - 1) != 0)
		return PKI_E_NOMEM;
	return PKI_OK;
}

static void rng_free(struct rng *rng)
{
	mbedtls_ctr_drbg_free(&rng->drbg);
	mbedtls_entropy_free(&rng->entropy);
}

/* ---- keys ---- */

static mbedtls_ecp_group_id curve_group(enum pki_curve curve)
{
	switch (curve) {
	case PKI_CURVE_P256: return MBEDTLS_ECP_DP_SECP256R1;
	case PKI_CURVE_BRAINPOOLP256R1: return MBEDTLS_ECP_DP_BP256R1;
	case PKI_CURVE_NONE: break;
	}
	return MBEDTLS_ECP_DP_NONE;
}

int issue_key_generate(enum pki_curve curve, struct issue_key **out)
{
	struct issue_key *key = NULL;
	struct rng rng;
	mbedtls_ecp_group_id group = curve_group(curve);
	int rc;

	if (out == NULL)
		return PKI_E_INVALID_ARG;
	*out = NULL;
	if (group == MBEDTLS_ECP_DP_NONE)
		return PKI_E_INVALID_ARG;
	rc = rng_init(&rng);
	if (rc != PKI_OK)
		goto out;
	key = calloc(1, sizeof(*key));
	if (key == NULL) {
		rc = PKI_E_NOMEM;
		goto out;
	}
	mbedtls_pk_init(&key->pk);
	if (mbedtls_pk_setup(&key->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
	    mbedtls_ecp_gen_key(group, mbedtls_pk_ec(key->pk), mbedtls_ctr_drbg_random,
				&rng.drbg) != 0) {
		rc = PKI_E_NOMEM;
		goto out;
	}
	*out = key;
	key = NULL;
	rc = PKI_OK;
out:
	issue_key_free(key);
	rng_free(&rng);
	return rc;
}

enum pki_curve issue_key_curve(const struct issue_key *key)
{
	const mbedtls_ecp_keypair *ec;

	if (key == NULL || mbedtls_pk_get_type(&key->pk) != MBEDTLS_PK_ECKEY)
		return PKI_CURVE_NONE;
	ec = mbedtls_pk_ec(key->pk);
	if (ec->grp.id == MBEDTLS_ECP_DP_SECP256R1)
		return PKI_CURVE_P256;
	if (ec->grp.id == MBEDTLS_ECP_DP_BP256R1)
		return PKI_CURVE_BRAINPOOLP256R1;
	return PKI_CURVE_NONE;
}

int issue_key_load_file(const char *path, struct issue_key **out)
{
	struct issue_key *key = NULL;
	uint8_t *data = NULL;
	size_t len;
	int rc;

	if (out == NULL)
		return PKI_E_INVALID_ARG;
	*out = NULL;
	if (path == NULL)
		return PKI_E_INVALID_ARG;
	rc = pki_read_file(path, &data, &len);
	if (rc != PKI_OK)
		goto out;
	key = calloc(1, sizeof(*key));
	if (key == NULL) {
		rc = PKI_E_NOMEM;
		goto out;
	}
	mbedtls_pk_init(&key->pk);
	/* mbedTLS expects PEM input with its terminating NUL counted in the length. */
	if (strstr((const char *)data, "-----BEGIN") != NULL)
		len++;
	if (mbedtls_pk_parse_key(&key->pk, data, len, NULL, 0) != 0) {
		rc = PKI_E_PARSE;
		goto out;
	}
	if (issue_key_curve(key) == PKI_CURVE_NONE) {
		rc = PKI_E_UNSUPPORTED;
		goto out;
	}
	*out = key;
	key = NULL;
	rc = PKI_OK;
out:
	issue_key_free(key);
	if (data != NULL) {
		mbedtls_platform_zeroize(data, len);
		free(data);
	}
	return rc;
}

int issue_key_matches_cert(const struct issue_key *key, const struct cert *cert)
{
	if (key == NULL || cert == NULL)
		return PKI_E_INVALID_ARG;
	if (mbedtls_pk_check_pair(&cert->x509->pk, &key->pk) != 0)
		return PKI_E_INVALID_ARG;
	return PKI_OK;
}

void issue_key_free(struct issue_key *key)
{
	if (key == NULL)
		return;
	mbedtls_pk_free(&key->pk); /* mbedTLS wipes the key material */
	free(key);
}

int issue_key_write_pem(const struct issue_key *key, char *buf, size_t size)
{
	if (key == NULL || buf == NULL)
		return PKI_E_INVALID_ARG;
	/* mbedtls_pk_write_key_pem takes a non-const context but does not change it. */
	if (mbedtls_pk_write_key_pem((mbedtls_pk_context *)&key->pk, (unsigned char *)buf,
				     size) != 0)
		return PKI_E_INVALID_ARG;
	return PKI_OK;
}

int issue_cert_to_pem(const uint8_t *der, size_t der_len, char *buf, size_t size)
{
	size_t olen = 0;

	if (der == NULL || buf == NULL)
		return PKI_E_INVALID_ARG;
	if (mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n",
				     der, der_len, (unsigned char *)buf, size, &olen) != 0)
		return PKI_E_INVALID_ARG;
	return PKI_OK;
}

/* ---- a forward DER writer for extension values ---- */

struct der_out {
	uint8_t data[512];
	size_t len;
	int overflow;
};

static void put_bytes(struct der_out *out, const uint8_t *bytes, size_t len)
{
	if (out->overflow || len > sizeof(out->data) - out->len) {
		out->overflow = 1;
		return;
	}
	memcpy(out->data + out->len, bytes, len);
	out->len += len;
}

/* Appends tag, DER length (values up to 65535 bytes) and value. */
static void put_tlv(struct der_out *out, uint8_t tag, const uint8_t *value, size_t len)
{
	uint8_t head[4];
	size_t n = 0;

	head[n++] = tag;
	if (len < 0x80) {
		head[n++] = (uint8_t)len;
	} else if (len <= 0xff) {
		head[n++] = 0x81;
		head[n++] = (uint8_t)len;
	} else if (len <= 0xffff) {
		head[n++] = 0x82;
		head[n++] = (uint8_t)(len >> 8);
		head[n++] = (uint8_t)len;
	} else {
		out->overflow = 1;
		return;
	}
	put_bytes(out, head, n);
	put_bytes(out, value, len);
}

/* Appends a TLV whose value is the content of another writer. */
static void put_wrapped(struct der_out *out, uint8_t tag, const struct der_out *inner)
{
	if (inner->overflow)
		out->overflow = 1;
	else
		put_tlv(out, tag, inner->data, inner->len);
}

/* Encodes a dotted OID ("2.999.10") as content octets. Returns the length, or 0 if invalid. */
static size_t oid_from_dotted(const char *dotted, uint8_t *out, size_t size)
{
	unsigned long arcs[32];
	size_t count = 0, len = 0, i;
	const char *p = dotted;

	while (*p != '\0') {
		unsigned long arc = 0;
		size_t digits = 0;

		if (count == sizeof(arcs) / sizeof(arcs[0]))
			return 0;
		while (*p >= '0' && *p <= '9') {
			if (arc > (0xffffffffUL - 9) / 10)
				return 0;
			arc = arc * 10 + (unsigned long)(*p - '0');
			p++;
			digits++;
		}
		if (digits == 0 || (*p != '.' && *p != '\0') || (*p == '.' && p[1] == '\0'))
			return 0;
		arcs[count++] = arc;
		if (*p == '.')
			p++;
	}
	if (count < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40))
		return 0;
	arcs[1] += arcs[0] * 40;
	for (i = 1; i < count; i++) {
		uint8_t tmp[5];
		size_t n = 0;
		unsigned long v = arcs[i];

		do {
			tmp[n++] = (uint8_t)(v & 0x7f);
			v >>= 7;
		} while (v != 0);
		if (len + n > size)
			return 0;
		while (n > 0) {
			n--;
			out[len++] = (uint8_t)(tmp[n] | (n > 0 ? 0x80 : 0));
		}
	}
	return len;
}

/* ---- parameter checks ---- */

static int all_digits(const char *s, size_t min, size_t max)
{
	size_t len = s != NULL ? strlen(s) : 0, i;

	if (len < min || len > max)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return 1;
}

/* A host name of letters, digits, hyphens and dots, as a TLS certificate carries it. */
static int valid_host(const char *host)
{
	size_t len = host != NULL ? strlen(host) : 0, i;

	if (len == 0 || len > 253 || host[0] == '.' || host[0] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		char c = host[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

/* A value that can go into an mbedTLS name string without escaping. */
static int valid_name_value(const char *value)
{
	size_t len = value != NULL ? strlen(value) : 0, i;

	if (len == 0 || len > 64)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];

		if (c < 0x20 || c > 0x7e || strchr(",=+\\\"<>;", c) != NULL)
			return 0;
	}
	return 1;
}

/* Formats a time as mbedTLS expects validity dates: YYYYMMDDhhmmss in UTC. */
static int format_time(time_t t, char *out, size_t size)
{
	struct tm tm;
	int n;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 1950 || tm.tm_year + 1900 > 9999)
		return PKI_E_INVALID_ARG;
	n = snprintf(out, size, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return n == 14 ? PKI_OK : PKI_E_INVALID_ARG;
}

/* Fills subject with the role's default name when the caller gave none. */
static int default_subject(const struct issue_params *params, char *subject, size_t size)
{
	const char *org = params->organization != NULL ? params->organization : ISSUE_DEFAULT_ORG;
	int n = -1;

	if (params->profile == ISSUE_PROFILE_OPERATOR_CA)
		n = snprintf(subject, size, "O=RSP Test Operators,CN=RSP Test Operator CA");
	if (params->profile != ISSUE_PROFILE_RSP)
		return n > 0 && (size_t)n < size ? PKI_OK : PKI_E_INVALID_ARG;

	switch (params->role) {
	case CERT_ROLE_CI:
		n = snprintf(subject, size, "CN=RSP Test CI,O=RSP Test PKI");
		break;
	case CERT_ROLE_EUM:
		n = snprintf(subject, size, "O=%s,CN=RSP Test EUM", org);
		break;
	case CERT_ROLE_EUICC:
		n = snprintf(subject, size, "O=%s,serialNumber=%s,CN=RSP Test eUICC", org,
			     params->eid);
		break;
	case CERT_ROLE_DP_AUTH:
	case CERT_ROLE_DP_PB:
		n = snprintf(subject, size, "O=RSP Test SM-DP+,CN=RSP Test SM-DP+");
		break;
	case CERT_ROLE_DP_TLS:
		n = snprintf(subject, size, "O=RSP Test SM-DP+,CN=%s", params->host);
		break;
	case CERT_ROLE_DS_AUTH:
		n = snprintf(subject, size, "O=RSP Test SM-DS,CN=RSP Test SM-DS");
		break;
	case CERT_ROLE_DS_TLS:
		n = snprintf(subject, size, "O=RSP Test SM-DS,CN=%s", params->host);
		break;
	case CERT_ROLE_NONE:
		break;
	}
	return n > 0 && (size_t)n < size ? PKI_OK : PKI_E_INVALID_ARG;
}

static int is_tls_role(enum cert_role role)
{
	return role == CERT_ROLE_DP_TLS || role == CERT_ROLE_DS_TLS;
}

static int check_params(const struct issue_params *params)
{
	const char *org = params->organization;

	if (params->subject_key == NULL || issue_key_curve(params->subject_key) == PKI_CURVE_NONE)
		return PKI_E_INVALID_ARG;
	if (params->issuer_cert != NULL && params->issuer_key == NULL)
		return PKI_E_INVALID_ARG;
	if (params->not_before >= params->not_after)
		return PKI_E_INVALID_ARG;
	if (org != NULL && !valid_name_value(org))
		return PKI_E_INVALID_ARG;

	switch (params->profile) {
	case ISSUE_PROFILE_OPERATOR_CA:
		return PKI_OK;
	case ISSUE_PROFILE_OPERATOR_CLIENT:
		return params->subject != NULL && params->issuer_cert != NULL ?
		       PKI_OK : PKI_E_INVALID_ARG;
	case ISSUE_PROFILE_RSP:
		break;
	default:
		return PKI_E_INVALID_ARG;
	}

	if (params->role < CERT_ROLE_CI || params->role > CERT_ROLE_DS_AUTH)
		return PKI_E_INVALID_ARG;
	/* Only a CI signs itself; every other role names its issuer. */
	if ((params->role == CERT_ROLE_CI) != (params->issuer_cert == NULL))
		return PKI_E_INVALID_ARG;
	if (params->role == CERT_ROLE_EUICC && !all_digits(params->eid, RSP_EID_DIGITS,
							   RSP_EID_DIGITS))
		return PKI_E_INVALID_ARG;
	if (params->role == CERT_ROLE_EUM && !all_digits(params->ein, 1, RSP_EID_DIGITS))
		return PKI_E_INVALID_ARG;
	if (is_tls_role(params->role) && !valid_host(params->host))
		return PKI_E_INVALID_ARG;
	if (params->role != CERT_ROLE_CI && params->role != CERT_ROLE_EUM &&
	    params->role != CERT_ROLE_EUICC && params->oid == NULL)
		return PKI_E_INVALID_ARG;
	return PKI_OK;
}

/* ---- extensions ---- */

static int add_extension(mbedtls_x509write_cert *crt, const uint8_t *oid, size_t oid_len,
			 int critical, const struct der_out *value)
{
	if (value->overflow)
		return PKI_E_INVALID_ARG;
	if (mbedtls_x509write_crt_set_extension(crt, (const char *)oid, oid_len, critical,
						value->data, value->len) != 0)
		return PKI_E_NOMEM;
	return PKI_OK;
}

/* KeyUsage ::= BIT STRING, bits in X.509 order; DER drops trailing zero bits. */
static int add_key_usage(mbedtls_x509write_cert *crt, unsigned int usage)
{
	struct der_out v = { .len = 0 };
	uint8_t bits[2];
	uint8_t unused = 0;

	bits[1] = (uint8_t)usage;
	while (unused < 7 && !(bits[1] & (1u << unused)))
		unused++;
	bits[0] = unused;
	put_tlv(&v, MBEDTLS_ASN1_BIT_STRING, bits, sizeof(bits));
	return add_extension(crt, OID_KEY_USAGE, sizeof(OID_KEY_USAGE), 1, &v);
}

/* BasicConstraints ::= SEQUENCE { cA BOOLEAN, pathLenConstraint INTEGER OPTIONAL } */
static int add_ca_constraints(mbedtls_x509write_cert *crt, int path_len)
{
	static const uint8_t ca_true[] = { 0xff };
	struct der_out seq = { .len = 0 }, v = { .len = 0 };

	put_tlv(&seq, MBEDTLS_ASN1_BOOLEAN, ca_true, 1);
	if (path_len >= 0) {
		uint8_t n = (uint8_t)path_len;

		put_tlv(&seq, MBEDTLS_ASN1_INTEGER, &n, 1);
	}
	put_wrapped(&v, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, &seq);
	return add_extension(crt, OID_BASIC_CONSTRAINTS, sizeof(OID_BASIC_CONSTRAINTS), 1, &v);
}

/* certificatePolicies with the single policy id-rspRole-<role>. */
static int add_role_policy(mbedtls_x509write_cert *crt, enum cert_role role, int critical)
{
	uint8_t oid[sizeof(OID_RSP_ROLE) + 1];
	struct der_out info = { .len = 0 }, seq = { .len = 0 }, v = { .len = 0 };

	memcpy(oid, OID_RSP_ROLE, sizeof(OID_RSP_ROLE));
	oid[sizeof(OID_RSP_ROLE)] = (uint8_t)role;
	put_tlv(&info, MBEDTLS_ASN1_OID, oid, sizeof(oid));
	put_wrapped(&seq, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, &info);
	put_wrapped(&v, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, &seq);
	return add_extension(crt, OID_CERT_POLICIES, sizeof(OID_CERT_POLICIES), critical, &v);
}

/* SubjectKeyIdentifier: SHA-1 of the public key BIT STRING value (RFC 5280 method 1). */
static int add_subject_key_id(mbedtls_x509write_cert *crt, const struct issue_key *key)
{
	const mbedtls_ecp_keypair *ec = mbedtls_pk_ec(key->pk);
	uint8_t point[CERT_POINT_LEN], ski[20];
	struct der_out v = { .len = 0 };
	size_t len = 0;

	if (mbedtls_ecp_point_write_binary(&ec->grp, &ec->Q, MBEDTLS_ECP_PF_UNCOMPRESSED, &len,
					   point, sizeof(point)) != 0 ||
	    mbedtls_sha1_ret(point, len, ski) != 0)
		return PKI_E_INVALID_ARG;
	put_tlv(&v, MBEDTLS_ASN1_OCTET_STRING, ski, 20);
	return add_extension(crt, OID_SUBJECT_KEY_ID, sizeof(OID_SUBJECT_KEY_ID), 0, &v);
}

/* AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] KeyIdentifier } */
static int add_authority_key_id(mbedtls_x509write_cert *crt, const uint8_t *key_id, size_t len)
{
	struct der_out seq = { .len = 0 }, v = { .len = 0 };

	if (len == 0)
		return PKI_E_INVALID_ARG; /* the issuer has no SubjectKeyIdentifier */
	put_tlv(&seq, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0, key_id, len);
	put_wrapped(&v, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, &seq);
	return add_extension(crt, OID_AUTHORITY_KEY_ID, sizeof(OID_AUTHORITY_KEY_ID), 0, &v);
}

/* SubjectAltName with an optional dNSName [2] and an optional registeredID [8]. */
static int add_subject_alt_name(mbedtls_x509write_cert *crt, const char *host, const char *oid)
{
	struct der_out names = { .len = 0 }, v = { .len = 0 };
	uint8_t oid_der[CERT_OID_DER_MAX];
	size_t oid_len;

	if (host != NULL)
		put_tlv(&names, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2, (const uint8_t *)host,
			strlen(host));
	if (oid != NULL) {
		oid_len = oid_from_dotted(oid, oid_der, sizeof(oid_der));
		if (oid_len == 0)
			return PKI_E_INVALID_ARG;
		put_tlv(&names, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 8, oid_der, oid_len);
	}
	put_wrapped(&v, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, &names);
	return add_extension(crt, OID_SUBJECT_ALT_NAME, sizeof(OID_SUBJECT_ALT_NAME), 0, &v);
}

/* ExtKeyUsageSyntax ::= SEQUENCE OF KeyPurposeId */
static int add_ext_key_usage(mbedtls_x509write_cert *crt, int server_auth, int critical)
{
	struct der_out seq = { .len = 0 }, v = { .len = 0 };

	if (server_auth)
		put_tlv(&seq, MBEDTLS_ASN1_OID, OID_KP_SERVER_AUTH, sizeof(OID_KP_SERVER_AUTH));
	put_tlv(&seq, MBEDTLS_ASN1_OID, OID_KP_CLIENT_AUTH, sizeof(OID_KP_CLIENT_AUTH));
	put_wrapped(&v, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, &seq);
	return add_extension(crt, OID_EXT_KEY_USAGE, sizeof(OID_EXT_KEY_USAGE), critical, &v);
}

/* One RelativeDistinguishedName with a single attribute. */
static void put_rdn(struct der_out *name, const uint8_t *type, size_t type_len, uint8_t tag,
		    const char *value)
{
	struct der_out atv = { .len = 0 }, set = { .len = 0 };

	put_tlv(&atv, MBEDTLS_ASN1_OID, type, type_len);
	put_tlv(&atv, tag, (const uint8_t *)value, strlen(value));
	put_wrapped(&set, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, &atv);
	put_wrapped(name, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SET, &set);
}

/*
 * SGP.22 EUM nameConstraints: permittedSubtrees with one directoryName
 * "O=<organization>, serialNumber=<EIN>"; an eUICC's EID must start with the EIN.
 */
static int add_eum_name_constraints(mbedtls_x509write_cert *crt, const char *org,
				    const char *ein)
{
	struct der_out name = { .len = 0 }, name_seq = { .len = 0 }, dir = { .len = 0 };
	struct der_out subtree = { .len = 0 }, permitted = { .len = 0 };
	struct der_out constraints = { .len = 0 };

	put_rdn(&name, OID_AT_ORGANIZATION, sizeof(OID_AT_ORGANIZATION), MBEDTLS_ASN1_UTF8_STRING,
		org);
	put_rdn(&name, OID_AT_SERIAL_NUMBER, sizeof(OID_AT_SERIAL_NUMBER),
		MBEDTLS_ASN1_PRINTABLE_STRING, ein);
	put_wrapped(&name_seq, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, &name);
	put_wrapped(&dir, MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 4, &name_seq);
	put_wrapped(&subtree, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, &dir);
	put_wrapped(&permitted, MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0,
		    &subtree);
	put_wrapped(&constraints, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, &permitted);
	return add_extension(crt, OID_NAME_CONSTRAINTS, sizeof(OID_NAME_CONSTRAINTS), 1,
			     &constraints);
}

/*
 * The GSMA permittedEins extension of newer EUM certificates: SEQUENCE OF PrintableString,
 * here with the single EIN.
 * NOTE: written not critical; whether the GSMA profile marks it critical was not confirmed.
 */
static int add_permitted_eins(mbedtls_x509write_cert *crt, const char *ein)
{
	struct der_out seq = { .len = 0 }, v = { .len = 0 };

	put_tlv(&seq, MBEDTLS_ASN1_PRINTABLE_STRING, (const uint8_t *)ein, strlen(ein));
	put_wrapped(&v, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, &seq);
	return add_extension(crt, OID_PERMITTED_EINS, sizeof(OID_PERMITTED_EINS), 0, &v);
}

/* The extensions of an SGP.22 certificate, in the order of the SGP.26 certificates. */
static int add_rsp_extensions(mbedtls_x509write_cert *crt, const struct issue_params *params,
			      const uint8_t *aki, size_t aki_len)
{
	const char *org = params->organization != NULL ? params->organization : ISSUE_DEFAULT_ORG;
	enum cert_role role = params->role;
	int rc = PKI_OK;

	if (aki != NULL)
		rc = add_authority_key_id(crt, aki, aki_len);
	if (rc == PKI_OK)
		rc = add_subject_key_id(crt, params->subject_key);
	if (rc != PKI_OK)
		return rc;

	switch (role) {
	case CERT_ROLE_CI:
		rc = add_ca_constraints(crt, -1);
		if (rc == PKI_OK)
			rc = add_role_policy(crt, role, 1);
		if (rc == PKI_OK)
			rc = add_key_usage(crt, CERT_KU_KEY_CERT_SIGN | CERT_KU_CRL_SIGN);
		break;
	case CERT_ROLE_EUM:
		rc = add_key_usage(crt, CERT_KU_KEY_CERT_SIGN);
		if (rc == PKI_OK)
			rc = add_role_policy(crt, role, 1);
		if (rc == PKI_OK)
			rc = add_ca_constraints(crt, 0);
		if (rc == PKI_OK && params->ein_as_permitted_eins)
			rc = add_permitted_eins(crt, params->ein);
		else if (rc == PKI_OK)
			rc = add_eum_name_constraints(crt, org, params->ein);
		break;
	case CERT_ROLE_DP_TLS:
	case CERT_ROLE_DS_TLS:
		rc = add_key_usage(crt, CERT_KU_DIGITAL_SIGNATURE);
		if (rc == PKI_OK)
			rc = add_ext_key_usage(crt, 1, 1);
		/* SGP.26 marks the policy of TLS certificates not critical, so that TLS stacks
		 * without RSP knowledge accept them. */
		if (rc == PKI_OK)
			rc = add_role_policy(crt, role, 0);
		break;
	default:
		rc = add_key_usage(crt, CERT_KU_DIGITAL_SIGNATURE);
		if (rc == PKI_OK)
			rc = add_role_policy(crt, role, 1);
		break;
	}
	if (rc != PKI_OK)
		return rc;

	if (is_tls_role(role))
		return add_subject_alt_name(crt, params->host, params->oid);
	if (params->oid != NULL && role != CERT_ROLE_EUICC)
		return add_subject_alt_name(crt, NULL, params->oid);
	return PKI_OK;
}

static int add_operator_extensions(mbedtls_x509write_cert *crt, const struct issue_params *params,
				   const uint8_t *aki, size_t aki_len)
{
	int rc = PKI_OK;

	if (aki != NULL)
		rc = add_authority_key_id(crt, aki, aki_len);
	if (rc == PKI_OK)
		rc = add_subject_key_id(crt, params->subject_key);
	if (rc != PKI_OK)
		return rc;
	if (params->profile == ISSUE_PROFILE_OPERATOR_CA) {
		rc = add_ca_constraints(crt, 0);
		if (rc == PKI_OK)
			rc = add_key_usage(crt, CERT_KU_KEY_CERT_SIGN | CERT_KU_CRL_SIGN);
		return rc;
	}
	rc = add_key_usage(crt, CERT_KU_DIGITAL_SIGNATURE);
	if (rc == PKI_OK)
		rc = add_ext_key_usage(crt, 0, 0);
	return rc;
}

/*
 * Copies the issuer certificate's subject, attribute by attribute with its string type, so the
 * new certificate's issuer field equals it byte for byte. mbedTLS keeps one value per
 * attribute type and no multi-valued RDNs, so names using either are rejected.
 */
static int copy_issuer_name(mbedtls_x509write_cert *crt, const struct cert *issuer)
{
	const mbedtls_x509_name *name;

	for (name = &issuer->x509->subject; name != NULL; name = name->next) {
		mbedtls_asn1_named_data *cur;

		if (name->oid.p == NULL)
			continue;
		if (name->next_merged ||
		    mbedtls_asn1_find_named_data(crt->issuer, (const char *)name->oid.p,
						 name->oid.len) != NULL)
			return PKI_E_UNSUPPORTED;
		cur = mbedtls_asn1_store_named_data(&crt->issuer, (const char *)name->oid.p,
						    name->oid.len, name->val.p, name->val.len);
		if (cur == NULL)
			return PKI_E_NOMEM;
		cur->val.tag = name->val.tag;
	}
	return PKI_OK;
}

/* A random positive serial number of 16 bytes. */
static int set_serial(mbedtls_x509write_cert *crt, struct rng *rng)
{
	uint8_t bytes[16];
	mbedtls_mpi serial;
	int rc = PKI_E_NOMEM;

	mbedtls_mpi_init(&serial);
	if (mbedtls_ctr_drbg_random(&rng->drbg, bytes, sizeof(bytes)) != 0)
		goto out;
	bytes[0] = (uint8_t)((bytes[0] & 0x7f) | 0x10);
	if (mbedtls_mpi_read_binary(&serial, bytes, sizeof(bytes)) != 0 ||
	    mbedtls_x509write_crt_set_serial(crt, &serial) != 0)
		goto out;
	rc = PKI_OK;
out:
	mbedtls_mpi_free(&serial);
	return rc;
}

int issue_certificate(const struct issue_params *params, uint8_t **der, size_t *der_len)
{
	mbedtls_x509write_cert crt;
	struct rng rng;
	char subject[ISSUE_MAX_SUBJECT], not_before[32], not_after[32];
	const struct issue_key *signer;
	const uint8_t *aki = NULL;
	size_t aki_len = 0;
	uint8_t *buf = NULL;
	int rc, n;

	if (params == NULL || der == NULL || der_len == NULL)
		return PKI_E_INVALID_ARG;
	*der = NULL;
	*der_len = 0;
	rc = check_params(params);
	if (rc != PKI_OK)
		return rc;

	mbedtls_x509write_crt_init(&crt);
	rc = rng_init(&rng);
	if (rc != PKI_OK)
		goto out;

	if (params->subject != NULL) {
		n = snprintf(subject, sizeof(subject), "%s", params->subject);
		rc = n > 0 && (size_t)n < sizeof(subject) ? PKI_OK : PKI_E_INVALID_ARG;
	} else {
		rc = default_subject(params, subject, sizeof(subject));
	}
	if (rc == PKI_OK)
		rc = format_time(params->not_before, not_before, sizeof(not_before));
	if (rc == PKI_OK)
		rc = format_time(params->not_after, not_after, sizeof(not_after));
	if (rc != PKI_OK)
		goto out;

	signer = params->issuer_cert != NULL ? params->issuer_key : params->subject_key;
	mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&crt, (mbedtls_pk_context *)&params->subject_key->pk);
	mbedtls_x509write_crt_set_issuer_key(&crt, (mbedtls_pk_context *)&signer->pk);
	if (mbedtls_x509write_crt_set_subject_name(&crt, subject) != 0 ||
	    mbedtls_x509write_crt_set_validity(&crt, not_before, not_after) != 0) {
		rc = PKI_E_INVALID_ARG;
		goto out;
	}
	if (params->issuer_cert != NULL) {
		rc = copy_issuer_name(&crt, params->issuer_cert);
		aki = params->issuer_cert->ski;
		aki_len = params->issuer_cert->ski_len;
	} else {
		rc = mbedtls_x509write_crt_set_issuer_name(&crt, subject) == 0 ?
		     PKI_OK : PKI_E_INVALID_ARG;
	}
	if (rc == PKI_OK)
		rc = set_serial(&crt, &rng);
	if (rc == PKI_OK && params->profile == ISSUE_PROFILE_RSP)
		rc = add_rsp_extensions(&crt, params, aki, aki_len);
	else if (rc == PKI_OK)
		rc = add_operator_extensions(&crt, params, aki, aki_len);
	if (rc != PKI_OK)
		goto out;

	buf = malloc(ISSUE_MAX_CERT);
	if (buf == NULL) {
		rc = PKI_E_NOMEM;
		goto out;
	}
	/* mbedtls_x509write_crt_der writes at the end of the buffer and returns the length. */
	n = mbedtls_x509write_crt_der(&crt, buf, ISSUE_MAX_CERT, mbedtls_ctr_drbg_random,
				      &rng.drbg);
	if (n <= 0) {
		rc = PKI_E_INVALID_ARG;
		goto out;
	}
	memmove(buf, buf + ISSUE_MAX_CERT - n, (size_t)n);
	*der = buf;
	*der_len = (size_t)n;
	buf = NULL;
	rc = PKI_OK;
out:
	free(buf);
	mbedtls_x509write_crt_free(&crt);
	rng_free(&rng);
	return rc;
}
