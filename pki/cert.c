/*
 * SGP.22 certificate parsing and role checks on mbedTLS 2.28 (SGP.22 v2.5 section 4.5.2,
 * certificate profiles).
 *
 * mbedTLS parses the X.509 structure, the key, basicConstraints, keyUsage and the SubjectAltName
 * entries. It does not know the other RSP extensions: certificatePolicies with RSP role OIDs
 * (critical), SubjectKeyIdentifier, AuthorityKeyIdentifier, nameConstraints (critical) and the
 * GSMA permittedEins extension. The extension callback accepts them, and this file then reads
 * them from the raw extensions, checking every length against its enclosing element.
 */
#include "pki/cert.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include "pki/pki_internal.h"

/* Largest certificate file read (a PEM file may also carry a chain and a key). */
#define CERT_MAX_FILE (64 * 1024)

/* OID content octets of the extensions and attributes read here. */
static const uint8_t OID_SUBJECT_KEY_ID[] = { 0x55, 0x1d, 0x0e };      /* 2.5.29.14 */
static const uint8_t OID_AUTHORITY_KEY_ID[] = { 0x55, 0x1d, 0x23 };    /* 2.5.29.35 */
static const uint8_t OID_NAME_CONSTRAINTS[] = { 0x55, 0x1d, 0x1e };    /* 2.5.29.30 */
static const uint8_t OID_CERT_POLICIES[] = { 0x55, 0x1d, 0x20 };       /* 2.5.29.32 */
/* id-rsp-cert-objects 2.23.146.1.2: role policies (.1.x), extensions (.0.x), permittedEins */
static const uint8_t OID_RSP_CERT_OBJECTS[] = { 0x67, 0x81, 0x12, 0x01, 0x02 };
/* id-rspRole 2.23.146.1.2.1; a role policy is this arc plus one arc 0..7 */
static const uint8_t OID_RSP_ROLE[] = { 0x67, 0x81, 0x12, 0x01, 0x02, 0x01 };
/* permittedEins 2.23.146.1.2.2.0 */
static const uint8_t OID_PERMITTED_EINS[] = { 0x67, 0x81, 0x12, 0x01, 0x02, 0x02, 0x00 };
static const uint8_t OID_AT_SERIAL_NUMBER[] = { 0x55, 0x04, 0x05 };    /* 2.5.4.5 */
static const uint8_t OID_AT_ORGANIZATION[] = { 0x55, 0x04, 0x0a };     /* 2.5.4.10 */

#define OID_IS(buf, len, oid) ((len) == sizeof(oid) && memcmp((buf), (oid), sizeof(oid)) == 0)

const char *pki_status_str(int status)
{
	switch (status) {
	case PKI_OK: return "success";
	case PKI_E_INVALID_ARG: return "invalid argument";
	case PKI_E_NOMEM: return "out of memory";
	case PKI_E_IO: return "certificate file missing or unreadable";
	case PKI_E_PARSE: return "malformed certificate";
	case PKI_E_UNSUPPORTED: return "unsupported key, curve or signature algorithm";
	case PKI_E_ROLE: return "certificate has the wrong role";
	case PKI_E_KEY_USAGE: return "key usage, basic constraints or EID range do not fit the role";
	case PKI_E_SIGNATURE: return "certificate signature invalid";
	case PKI_E_EXPIRED: return "certificate expired or not yet valid";
	case PKI_E_DUPLICATE: return "CI already loaded";
	case PKI_E_UNKNOWN_CI: return "unknown CI";
	case PKI_E_EUM_INVALID: return "EUM certificate invalid";
	case PKI_E_EUM_EXPIRED: return "EUM certificate expired";
	case PKI_E_EUICC_INVALID: return "eUICC certificate invalid";
	case PKI_E_EUICC_EXPIRED: return "eUICC certificate expired";
	case PKI_E_EID_RANGE: return "EID outside the EUM's permitted range";
	default: return "unknown error";
	}
}

const char *pki_curve_name(enum pki_curve curve)
{
	switch (curve) {
	case PKI_CURVE_P256: return "P-256";
	case PKI_CURVE_BRAINPOOLP256R1: return "brainpoolP256r1";
	case PKI_CURVE_NONE: break;
	}
	return "none";
}

const char *cert_role_name(enum cert_role role)
{
	switch (role) {
	case CERT_ROLE_CI: return "CI";
	case CERT_ROLE_EUICC: return "eUICC";
	case CERT_ROLE_EUM: return "EUM";
	case CERT_ROLE_DP_TLS: return "DPtls";
	case CERT_ROLE_DP_AUTH: return "DPauth";
	case CERT_ROLE_DP_PB: return "DPpb";
	case CERT_ROLE_DS_TLS: return "DStls";
	case CERT_ROLE_DS_AUTH: return "DSauth";
	case CERT_ROLE_NONE: break;
	}
	return "none";
}

/*
 * mbedTLS extension callback: accepts the extensions read by read_extensions, so that mbedTLS
 * does not reject the certificate for them being critical. Any other unknown extension is
 * refused, which makes mbedTLS fail on it when critical and skip it otherwise.
 */
static int accept_rsp_extension(void *ctx, mbedtls_x509_crt const *crt, mbedtls_x509_buf const *oid,
				int critical, const unsigned char *p, const unsigned char *end)
{
	(void)ctx;
	(void)crt;
	(void)critical;
	(void)p;
	(void)end;
	if (OID_IS(oid->p, oid->len, OID_CERT_POLICIES) ||
	    OID_IS(oid->p, oid->len, OID_SUBJECT_KEY_ID) ||
	    OID_IS(oid->p, oid->len, OID_AUTHORITY_KEY_ID) ||
	    OID_IS(oid->p, oid->len, OID_NAME_CONSTRAINTS) ||
	    OID_IS(oid->p, oid->len, OID_PERMITTED_EINS))
		return 0;
	return MBEDTLS_ERR_X509_FEATURE_UNAVAILABLE;
}

/* Copies a string attribute value, which must be printable ASCII, into a NUL-terminated buffer. */
static int copy_printable(char *dst, size_t size, const uint8_t *src, size_t len)
{
	size_t i;

	if (len == 0 || len >= size)
		return PKI_E_PARSE;
	for (i = 0; i < len; i++) {
		if (src[i] < 0x20 || src[i] > 0x7e)
			return PKI_E_PARSE;
	}
	memcpy(dst, src, len);
	dst[len] = '\0';
	return PKI_OK;
}

static int is_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return 1;
}

/* Records one permitted EID prefix of an EUM certificate: 1 to 32 decimal digits. */
static int add_ein_prefix(struct cert *cert, const uint8_t *value, size_t len,
			  enum cert_range_source source)
{
	char *slot;

	if (cert->range_source != CERT_RANGE_NONE && cert->range_source != source)
		return PKI_E_PARSE; /* both range forms in one certificate: ambiguous */
	if (cert->ein_prefix_count >= CERT_MAX_EIN_PREFIXES)
		return PKI_E_PARSE;
	slot = cert->ein_prefixes[cert->ein_prefix_count];
	if (copy_printable(slot, RSP_EID_DIGITS + 1, value, len) != PKI_OK)
		return PKI_E_PARSE;
	if (!is_digits(slot, len))
		return PKI_E_PARSE;
	cert->ein_prefix_count++;
	cert->range_source = source;
	return PKI_OK;
}

/* SubjectKeyIdentifier ::= KeyIdentifier ::= OCTET STRING */
static int read_subject_key_id(struct cert *cert, uint8_t *p, const uint8_t *end)
{
	size_t len;

	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_OCTET_STRING) != 0)
		return PKI_E_PARSE;
	if (p + len != end || len == 0 || len > CERT_KEY_ID_MAX)
		return PKI_E_PARSE;
	memcpy(cert->ski, p, len);
	cert->ski_len = len;
	return PKI_OK;
}

/*
 * AuthorityKeyIdentifier ::= SEQUENCE {
 *     keyIdentifier             [0] KeyIdentifier           OPTIONAL,
 *     authorityCertIssuer       [1] GeneralNames            OPTIONAL,
 *     authorityCertSerialNumber [2] CertificateSerialNumber OPTIONAL }
 * Only keyIdentifier is used: SGP.22 chains are matched by key identifier.
 */
static int read_authority_key_id(struct cert *cert, uint8_t *p, const uint8_t *end)
{
	size_t len;

	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
		return PKI_E_PARSE;
	if (p + len != end)
		return PKI_E_PARSE;
	if (p == end || *p != (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0))
		return PKI_OK; /* no keyIdentifier */
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0) != 0)
		return PKI_E_PARSE;
	if (len == 0 || len > CERT_KEY_ID_MAX)
		return PKI_E_PARSE;
	memcpy(cert->aki, p, len);
	cert->aki_len = len;
	return PKI_OK;
}

/*
 * certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation
 * PolicyInformation ::= SEQUENCE { policyIdentifier OBJECT IDENTIFIER, policyQualifiers ... }
 *
 * The role is the policy id-rspRole-<n> (2.23.146.1.2.1.n, n = 0..7). Further policies under
 * 2.23.146.1.2 (e.g. the EUM variant policies of newer SGP.22 versions) are accepted. In a
 * critical extension any other policy is rejected, because its meaning cannot be enforced.
 */
static int read_policies(struct cert *cert, uint8_t *p, const uint8_t *end, int critical)
{
	size_t len;

	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
		return PKI_E_PARSE;
	if (p + len != end || len == 0)
		return PKI_E_PARSE;
	while (p < end) {
		const uint8_t *info_end, *oid;
		size_t oid_len;

		if (mbedtls_asn1_get_tag(&p, end, &len,
					 MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
			return PKI_E_PARSE;
		info_end = p + len;
		if (mbedtls_asn1_get_tag(&p, info_end, &oid_len, MBEDTLS_ASN1_OID) != 0)
			return PKI_E_PARSE;
		oid = p;
		p = (uint8_t *)info_end; /* policy qualifiers are not used */

		if (oid_len == sizeof(OID_RSP_ROLE) + 1 &&
		    memcmp(oid, OID_RSP_ROLE, sizeof(OID_RSP_ROLE)) == 0 &&
		    oid[sizeof(OID_RSP_ROLE)] <= CERT_ROLE_DS_AUTH) {
			enum cert_role role = (enum cert_role)oid[sizeof(OID_RSP_ROLE)];

			if (cert->role != CERT_ROLE_NONE && cert->role != role)
				return PKI_E_PARSE; /* two different roles */
			cert->role = role;
		} else if (critical && !(oid_len > sizeof(OID_RSP_CERT_OBJECTS) &&
					 memcmp(oid, OID_RSP_CERT_OBJECTS,
						sizeof(OID_RSP_CERT_OBJECTS)) == 0)) {
			return PKI_E_PARSE;
		}
	}
	return PKI_OK;
}

/*
 * Reads a Name (SEQUENCE OF RelativeDistinguishedName) from a nameConstraints DirectoryName and
 * keeps its serialNumber as a permitted EID prefix and its organizationName.
 */
static int read_constraint_name(struct cert *cert, uint8_t *p, const uint8_t *end)
{
	size_t len;

	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
		return PKI_E_PARSE;
	if (p + len != end)
		return PKI_E_PARSE;
	while (p < end) {
		const uint8_t *rdn_end;

		if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SET))
			return PKI_E_PARSE;
		rdn_end = p + len;
		while (p < rdn_end) {
			const uint8_t *atv_end, *type;
			size_t type_len;
			int rc;

			if (mbedtls_asn1_get_tag(&p, rdn_end, &len,
						 MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
				return PKI_E_PARSE;
			atv_end = p + len;
			if (mbedtls_asn1_get_tag(&p, atv_end, &type_len, MBEDTLS_ASN1_OID) != 0)
				return PKI_E_PARSE;
			type = p;
			p += type_len;
			if (p >= atv_end)
				return PKI_E_PARSE;
			p++; /* the string tag; any DirectoryString type is accepted */
			if (mbedtls_asn1_get_len(&p, atv_end, &len) != 0 || p + len != atv_end)
				return PKI_E_PARSE;
			if (OID_IS(type, type_len, OID_AT_SERIAL_NUMBER)) {
				rc = add_ein_prefix(cert, p, len, CERT_RANGE_NAME_CONSTRAINTS);
				if (rc != PKI_OK)
					return rc;
			} else if (OID_IS(type, type_len, OID_AT_ORGANIZATION)) {
				rc = copy_printable(cert->range_organization,
						    sizeof(cert->range_organization), p, len);
				if (rc != PKI_OK)
					return rc;
			}
			p = (uint8_t *)atv_end;
		}
	}
	return PKI_OK;
}

/*
 * NameConstraints ::= SEQUENCE {
 *     permittedSubtrees [0] GeneralSubtrees OPTIONAL,
 *     excludedSubtrees  [1] GeneralSubtrees OPTIONAL }
 * GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] ..., maximum [1] ... }
 * SGP.22 EUM certificates permit a directoryName [4] carrying O and the EIN as serialNumber.
 */
static int read_name_constraints(struct cert *cert, uint8_t *p, const uint8_t *end)
{
	const uint8_t *permitted_end;
	size_t len;

	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
		return PKI_E_PARSE;
	if (p + len != end)
		return PKI_E_PARSE;
	if (p == end || *p != (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0))
		return PKI_OK; /* NOTE: excludedSubtrees alone restrict no EID range; ignored */
	if (mbedtls_asn1_get_tag(&p, end, &len,
				 MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0) != 0)
		return PKI_E_PARSE;
	permitted_end = p + len;
	while (p < permitted_end) {
		const uint8_t *subtree_end;

		if (mbedtls_asn1_get_tag(&p, permitted_end, &len,
					 MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
			return PKI_E_PARSE;
		subtree_end = p + len;
		if (p < subtree_end &&
		    *p == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 4)) {
			int rc;

			if (mbedtls_asn1_get_tag(&p, subtree_end, &len,
						 MBEDTLS_ASN1_CONTEXT_SPECIFIC |
						 MBEDTLS_ASN1_CONSTRUCTED | 4) != 0)
				return PKI_E_PARSE;
			rc = read_constraint_name(cert, p, p + len);
			if (rc != PKI_OK)
				return rc;
		}
		p = (uint8_t *)subtree_end;
	}
	return PKI_OK;
}

/* permittedEins ::= SEQUENCE OF PrintableString, each an EIN (GSMA, 2.23.146.1.2.2.0). */
static int read_permitted_eins(struct cert *cert, uint8_t *p, const uint8_t *end)
{
	size_t len;

	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
		return PKI_E_PARSE;
	if (p + len != end)
		return PKI_E_PARSE;
	while (p < end) {
		int rc;

		if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_PRINTABLE_STRING) != 0)
			return PKI_E_PARSE;
		rc = add_ein_prefix(cert, p, len, CERT_RANGE_PERMITTED_EINS);
		if (rc != PKI_OK)
			return rc;
		p += len;
	}
	return PKI_OK;
}

/*
 * Walks Extensions ::= SEQUENCE OF Extension, as mbedTLS kept them in v3_ext, and reads the
 * extensions mbedTLS 2.28 leaves to the application. mbedTLS has already checked the
 * outer structure, but every length is checked again here.
 */
static int read_extensions(struct cert *cert, const mbedtls_x509_crt *crt)
{
	uint8_t *p = crt->v3_ext.p;
	const uint8_t *end;
	size_t len;

	if (p == NULL || crt->v3_ext.len == 0)
		return PKI_E_PARSE; /* an RSP certificate always has extensions */
	end = p + crt->v3_ext.len;
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
		return PKI_E_PARSE;
	if (p + len != end)
		return PKI_E_PARSE;

	while (p < end) {
		const uint8_t *ext_end, *oid;
		size_t oid_len, value_len;
		int critical = 0, rc = PKI_OK;

		if (mbedtls_asn1_get_tag(&p, end, &len,
					 MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
			return PKI_E_PARSE;
		ext_end = p + len;
		if (mbedtls_asn1_get_tag(&p, ext_end, &oid_len, MBEDTLS_ASN1_OID) != 0)
			return PKI_E_PARSE;
		oid = p;
		p += oid_len;
		if (p < ext_end && *p == MBEDTLS_ASN1_BOOLEAN &&
		    mbedtls_asn1_get_bool(&p, ext_end, &critical) != 0)
			return PKI_E_PARSE;
		if (mbedtls_asn1_get_tag(&p, ext_end, &value_len, MBEDTLS_ASN1_OCTET_STRING) != 0 ||
		    p + value_len != ext_end)
			return PKI_E_PARSE;

		if (OID_IS(oid, oid_len, OID_SUBJECT_KEY_ID))
			rc = read_subject_key_id(cert, p, ext_end);
		else if (OID_IS(oid, oid_len, OID_AUTHORITY_KEY_ID))
			rc = read_authority_key_id(cert, p, ext_end);
		else if (OID_IS(oid, oid_len, OID_CERT_POLICIES))
			rc = read_policies(cert, p, ext_end, critical);
		else if (OID_IS(oid, oid_len, OID_NAME_CONSTRAINTS))
			rc = read_name_constraints(cert, p, ext_end);
		else if (OID_IS(oid, oid_len, OID_PERMITTED_EINS))
			rc = read_permitted_eins(cert, p, ext_end);
		if (rc != PKI_OK)
			return rc;
		p = (uint8_t *)ext_end;
	}
	return PKI_OK;
}

/* Keeps the subject serialNumber and organizationName. A second value of either is rejected. */
static int read_subject(struct cert *cert, const mbedtls_x509_crt *crt)
{
	const mbedtls_x509_name *name;

	for (name = &crt->subject; name != NULL; name = name->next) {
		char *dst = NULL;
		size_t size = 0;

		if (name->oid.p == NULL)
			continue;
		if (OID_IS(name->oid.p, name->oid.len, OID_AT_SERIAL_NUMBER)) {
			dst = cert->serial_number;
			size = sizeof(cert->serial_number);
		} else if (OID_IS(name->oid.p, name->oid.len, OID_AT_ORGANIZATION)) {
			dst = cert->organization;
			size = sizeof(cert->organization);
		}
		if (dst == NULL)
			continue;
		if (dst[0] != '\0')
			return PKI_E_PARSE;
		if (copy_printable(dst, size, name->val.p, name->val.len) != PKI_OK)
			return PKI_E_PARSE;
	}
	return PKI_OK;
}

/* Keeps the first registeredID [8] and the first dNSName [2] of the SubjectAltName. */
static int read_subject_alt_names(struct cert *cert, const mbedtls_x509_crt *crt)
{
	const mbedtls_x509_sequence *san;

	for (san = &crt->subject_alt_names; san != NULL; san = san->next) {
		if (san->buf.p == NULL)
			continue;
		if (san->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 8) &&
		    cert->san_oid_der_len == 0) {
			mbedtls_asn1_buf oid = { MBEDTLS_ASN1_OID, san->buf.len, san->buf.p };
			int n;

			if (san->buf.len == 0 || san->buf.len > sizeof(cert->san_oid_der))
				return PKI_E_PARSE;
			n = mbedtls_oid_get_numeric_string(cert->san_oid, sizeof(cert->san_oid), &oid);
			if (n <= 0)
				return PKI_E_PARSE;
			memcpy(cert->san_oid_der, san->buf.p, san->buf.len);
			cert->san_oid_der_len = san->buf.len;
		} else if (san->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2) &&
			   cert->san_dns[0] == '\0') {
			if (copy_printable(cert->san_dns, sizeof(cert->san_dns), san->buf.p,
					   san->buf.len) != PKI_OK)
				return PKI_E_PARSE;
		}
	}
	return PKI_OK;
}

/* Days from 1970-01-01 to a date of the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static time_t x509_time_to_epoch(const mbedtls_x509_time *t)
{
	int64_t days = days_from_civil(t->year, t->mon, t->day);

	return (time_t)(days * 86400 + t->hour * 3600 + t->min * 60 + t->sec);
}

/* Fills curve and public_point from the subject public key. */
static int read_public_key(struct cert *cert, mbedtls_x509_crt *crt)
{
	const mbedtls_ecp_keypair *ec;
	size_t len = 0;

	if (mbedtls_pk_get_type(&crt->pk) != MBEDTLS_PK_ECKEY)
		return PKI_E_UNSUPPORTED;
	ec = mbedtls_pk_ec(crt->pk);
	if (ec->grp.id == MBEDTLS_ECP_DP_SECP256R1)
		cert->curve = PKI_CURVE_P256;
	else if (ec->grp.id == MBEDTLS_ECP_DP_BP256R1)
		cert->curve = PKI_CURVE_BRAINPOOLP256R1;
	else
		return PKI_E_UNSUPPORTED;
	if (mbedtls_ecp_point_write_binary(&ec->grp, &ec->Q, MBEDTLS_ECP_PF_UNCOMPRESSED, &len,
					   cert->public_point, sizeof(cert->public_point)) != 0 ||
	    len != CERT_POINT_LEN)
		return PKI_E_UNSUPPORTED;
	return PKI_OK;
}

int cert_parse(const uint8_t *der, size_t len, struct cert **out)
{
	struct cert *cert = NULL;
	mbedtls_x509_crt *crt;
	int rc;

	if (out == NULL)
		return PKI_E_INVALID_ARG;
	*out = NULL;
	if (der == NULL)
		return PKI_E_INVALID_ARG;
	if (len == 0 || len > RSP_MAX_CERT_DER)
		return PKI_E_PARSE;

	cert = calloc(1, sizeof(*cert));
	if (cert == NULL)
		return PKI_E_NOMEM;
	cert->role = CERT_ROLE_NONE;
	cert->max_path_len = -1;
	cert->x509 = calloc(1, sizeof(*cert->x509));
	if (cert->x509 == NULL) {
		rc = PKI_E_NOMEM;
		goto out;
	}
	crt = cert->x509;
	mbedtls_x509_crt_init(crt);

	rc = mbedtls_x509_crt_parse_der_with_ext_cb(crt, der, len, 1, accept_rsp_extension, NULL);
	if (rc == MBEDTLS_ERR_X509_ALLOC_FAILED) {
		rc = PKI_E_NOMEM;
		goto out;
	}
	if (rc != 0 || crt->raw.len != len || crt->version != 3) {
		rc = PKI_E_PARSE;
		goto out;
	}
	if (crt->sig_md != MBEDTLS_MD_SHA256 || crt->sig_pk != MBEDTLS_PK_ECDSA) {
		rc = PKI_E_UNSUPPORTED;
		goto out;
	}
	rc = read_public_key(cert, crt);
	if (rc != PKI_OK)
		goto out;

	rc = read_extensions(cert, crt);
	if (rc == PKI_OK)
		rc = read_subject(cert, crt);
	if (rc == PKI_OK)
		rc = read_subject_alt_names(cert, crt);
	if (rc != PKI_OK)
		goto out;

	cert->has_key_usage = (crt->ext_types & MBEDTLS_X509_EXT_KEY_USAGE) != 0;
	cert->key_usage = crt->key_usage & 0xffu;
	cert->is_ca = crt->ca_istrue != 0;
	/* mbedTLS stores pathLenConstraint plus one, and 0 when absent */
	cert->max_path_len = crt->max_pathlen > 0 ? crt->max_pathlen - 1 : -1;
	cert->not_before = x509_time_to_epoch(&crt->valid_from);
	cert->not_after = x509_time_to_epoch(&crt->valid_to);
	cert->der = crt->raw.p;
	cert->der_len = crt->raw.len;

	*out = cert;
	cert = NULL;
	rc = PKI_OK;
out:
	cert_free(cert);
	return rc;
}

int pki_read_file(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = NULL;
	uint8_t *buf = NULL;
	size_t n;
	int rc = PKI_E_IO;

	*data = NULL;
	*len = 0;
	f = fopen(path, "rb");
	if (f == NULL)
		goto out;
	/* One byte more than the maximum, to detect a file that is too large, plus a NUL. */
	buf = malloc(CERT_MAX_FILE + 2);
	if (buf == NULL) {
		rc = PKI_E_NOMEM;
		goto out;
	}
	n = fread(buf, 1, CERT_MAX_FILE + 1, f);
	if (ferror(f) || n > CERT_MAX_FILE)
		goto out;
	buf[n] = '\0';
	*data = buf;
	*len = n;
	buf = NULL;
	rc = PKI_OK;
out:
	free(buf);
	if (f != NULL)
		fclose(f);
	return rc;
}

int pki_pem_to_der(const uint8_t *text, size_t len, const char *label, uint8_t **der,
		   size_t *der_len)
{
	char header[64], footer[64];
	mbedtls_pem_context pem;
	size_t used = 0;
	int rc;

	*der = NULL;
	*der_len = 0;
	if (len == 0 || text[len] != '\0')
		return PKI_E_INVALID_ARG; /* mbedTLS reads PEM as a NUL-terminated string */
	snprintf(header, sizeof(header), "-----BEGIN %s-----", label);
	snprintf(footer, sizeof(footer), "-----END %s-----", label);
	mbedtls_pem_init(&pem);
	rc = mbedtls_pem_read_buffer(&pem, header, footer, text, NULL, 0, &used);
	if (rc != 0) {
		mbedtls_pem_free(&pem);
		return PKI_E_PARSE;
	}
	*der = malloc(pem.buflen);
	if (*der == NULL) {
		mbedtls_pem_free(&pem);
		return PKI_E_NOMEM;
	}
	memcpy(*der, pem.buf, pem.buflen);
	*der_len = pem.buflen;
	mbedtls_pem_free(&pem);
	return PKI_OK;
}

int cert_load_file(const char *path, struct cert **out)
{
	uint8_t *data = NULL, *der = NULL;
	size_t len, der_len;
	int rc;

	if (out == NULL)
		return PKI_E_INVALID_ARG;
	*out = NULL;
	if (path == NULL)
		return PKI_E_INVALID_ARG;
	rc = pki_read_file(path, &data, &len);
	if (rc != PKI_OK)
		goto out;
	if (strstr((const char *)data, "-----BEGIN CERTIFICATE-----") != NULL) {
		rc = pki_pem_to_der(data, len, "CERTIFICATE", &der, &der_len);
		if (rc == PKI_OK)
			rc = cert_parse(der, der_len, out);
	} else {
		rc = cert_parse(data, len, out);
	}
out:
	free(der);
	free(data);
	return rc;
}

void cert_free(struct cert *cert)
{
	if (cert == NULL)
		return;
	if (cert->x509 != NULL) {
		mbedtls_x509_crt_free(cert->x509);
		free(cert->x509);
	}
	free(cert);
}

int cert_check_role(const struct cert *cert, enum cert_role role)
{
	if (cert == NULL || role == CERT_ROLE_NONE)
		return PKI_E_INVALID_ARG;
	if (cert->role != role)
		return PKI_E_ROLE;

	if (role == CERT_ROLE_CI || role == CERT_ROLE_EUM) {
		if (!cert->has_key_usage || !(cert->key_usage & CERT_KU_KEY_CERT_SIGN))
			return PKI_E_KEY_USAGE;
		if (!cert->is_ca)
			return PKI_E_KEY_USAGE;
		/* An EUM signs eUICC certificates only, so no CA may sit below it. */
		if (role == CERT_ROLE_EUM && cert->max_path_len > 0)
			return PKI_E_KEY_USAGE;
		if (role == CERT_ROLE_EUM && cert->ein_prefix_count == 0)
			return PKI_E_KEY_USAGE;
		return PKI_OK;
	}

	if (!cert->has_key_usage || !(cert->key_usage & CERT_KU_DIGITAL_SIGNATURE))
		return PKI_E_KEY_USAGE;
	if (cert->is_ca || (cert->key_usage & CERT_KU_KEY_CERT_SIGN))
		return PKI_E_KEY_USAGE;
	return PKI_OK;
}

int cert_check_validity(const struct cert *cert, time_t now)
{
	if (cert == NULL)
		return PKI_E_INVALID_ARG;
	if (now < cert->not_before || now > cert->not_after)
		return PKI_E_EXPIRED;
	return PKI_OK;
}

int cert_verify_signed_by(const struct cert *cert, const struct cert *issuer)
{
	if (cert == NULL || issuer == NULL)
		return PKI_E_INVALID_ARG;
	if (cert->aki_len == 0 || cert->aki_len != issuer->ski_len ||
	    memcmp(cert->aki, issuer->ski, cert->aki_len) != 0)
		return PKI_E_SIGNATURE;
	return cert_verify_signature(cert, issuer);
}

int cert_verify_signature(const struct cert *cert, const struct cert *issuer)
{
	uint8_t hash[32];
	int rc;

	if (cert == NULL || issuer == NULL)
		return PKI_E_INVALID_ARG;
	if (cert->x509->sig_md != MBEDTLS_MD_SHA256 || cert->x509->sig_pk != MBEDTLS_PK_ECDSA)
		return PKI_E_UNSUPPORTED;

	if (mbedtls_sha256_ret(cert->x509->tbs.p, cert->x509->tbs.len, hash, 0) != 0)
		return PKI_E_SIGNATURE;
	/*
	 * mbedtls_pk_verify takes a non-const context, but in mbedTLS 2.28 ECDSA verification runs
	 * on a temporary copy of the key (eckey_verify_wrap), so a shared issuer key is only read.
	 * The copy reloads the curve group on every call, which makes this check slower than
	 * crypto_verify with its per-thread groups.
	 */
	rc = mbedtls_pk_verify(&issuer->x509->pk, MBEDTLS_MD_SHA256, hash, sizeof(hash),
			       cert->x509->sig.p, cert->x509->sig.len);
	return rc == 0 ? PKI_OK : PKI_E_SIGNATURE;
}

int cert_check_eid_range(const struct cert *eum, const char *eid)
{
	size_t i;

	if (eum == NULL || eid == NULL || strlen(eid) != RSP_EID_DIGITS ||
	    !is_digits(eid, RSP_EID_DIGITS))
		return PKI_E_INVALID_ARG;
	for (i = 0; i < eum->ein_prefix_count; i++) {
		const char *prefix = eum->ein_prefixes[i];

		if (strncmp(eid, prefix, strlen(prefix)) == 0)
			return PKI_OK;
	}
	return PKI_E_EID_RANGE;
}
