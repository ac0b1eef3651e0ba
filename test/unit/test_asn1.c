/*
 * Unit tests of the generated SGP.22 RSP and PKIX codec and its glue (asn1/rsp_codec.h).
 *
 * The main property is byte-exact DER: decoding and re-encoding gives back the input. It is
 * checked for the SGP.26 test certificates, for the ES8+ plaintexts of the BSP known-answer
 * vectors, and for messages built here (EUICCInfo1, ServerSigned1, SmdpSigned2,
 * AuthenticateServerResponse, PrepareDownloadResponse, ProfileInstallationResult,
 * BoundProfilePackage and more). Every truncated prefix of each of them must fail to decode. The tags of the built messages are
 * checked against the layouts of SGP.22 v2.5.
 *
 * Files under the shared test data folder are read at run time from $RSP_SHARED (or
 * $RSP_REPO/../shared, or ../shared); the cases that need them are skipped when it is absent.
 */
#include "test/harness.h"

#include <ftw.h>
#include <sys/stat.h>

#include "asn1/der.h"
#include "asn1/rsp_codec.h"

#include "AuthenticateClientResponseEs11.h"
#include "AuthenticateServerResponse.h"
#include "BoundProfilePackage.h"
#include "CancelSessionResponse.h"
#include "Certificate.h"
#include "ConfigureISDPRequest.h"
#include "EUICCInfo1.h"
#include "EUICCInfo2.h"
#include "GeneralSubtree.h"
#include "PendingNotification.h"
#include "PrepareDownloadResponse.h"
#include "ProfileInstallationResult.h"
#include "RemoteProfileProvisioningRequest.h"
#include "ReplaceSessionKeysRequest.h"
#include "ServerSigned1.h"
#include "SmdpSigned2.h"
#include "StoreMetadataRequest.h"

#define MAX_DER (64 * 1024)
#define MAX_CERT_FILES 64

static const uint32_t oid_ecdsa_sha256[] = { 1, 2, 840, 10045, 4, 3, 2 };
static const uint32_t oid_ec_public_key[] = { 1, 2, 840, 10045, 2, 1 };
static const uint32_t oid_common_name[] = { 2, 5, 4, 3 };
static const uint32_t oid_subject_key_id[] = { 2, 5, 29, 14 };
static const uint32_t oid_key_usage[] = { 2, 5, 29, 15 };
static const uint32_t oid_basic_constraints[] = { 2, 5, 29, 19 };
static const uint32_t oid_smdp[] = { 2, 999, 10 };

#define OID_ARCS(a) (a), (unsigned)(sizeof(a) / sizeof((a)[0]))

/* ---- helpers ------------------------------------------------------------------------------ */

static uint8_t *exact_copy(const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (copy && len)
		memcpy(copy, data, len);
	return copy;
}

static void pattern(uint8_t *buf, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed + i);
}

static void set_octets(OCTET_STRING_t *os, const void *data, size_t len)
{
	CHECK_INT(rsp_codec_octets_set(os, data, len), RSP_CODEC_OK);
}

static void set_pattern(OCTET_STRING_t *os, size_t len, uint8_t seed)
{
	uint8_t buf[2048];

	REQUIRE(len <= sizeof(buf));
	pattern(buf, len, seed);
	set_octets(os, buf, len);
}

static void set_string(OCTET_STRING_t *os, const char *s)
{
	set_octets(os, s, strlen(s));
}

static OCTET_STRING_t *new_pattern(size_t len, uint8_t seed)
{
	uint8_t buf[2048];

	if (len > sizeof(buf))
		return NULL;
	pattern(buf, len, seed);
	return rsp_codec_octets_new(buf, len);
}

static void set_oid(OBJECT_IDENTIFIER_t *oid, const uint32_t *arcs, unsigned count)
{
	CHECK_INT(OBJECT_IDENTIFIER_set_arcs(oid, arcs, sizeof(arcs[0]), count), 0);
}

static long *new_long(long value)
{
	long *p = malloc(sizeof(*p));

	if (p)
		*p = value;
	return p;
}

/* Encodes value with rsp_codec_encode() and frees it; returns the DER or NULL. */
static uint8_t *encode_and_free(asn_TYPE_descriptor_t *td, void *value, size_t *len)
{
	uint8_t *der = NULL;
	int rc;

	*len = 0;
	rc = rsp_codec_encode(td, value, MAX_DER, &der, len);
	if (rc != RSP_CODEC_OK)
		test_fail_at(__FILE__, __LINE__, "encoding %s failed: %s", td->name,
			     rsp_codec_strerror(rc));
	rsp_codec_free(td, value);
	return der;
}

/* Decodes der from an exact-size copy and re-encodes it: the bytes must be the same. */
static void check_round_trip(asn_TYPE_descriptor_t *td, const uint8_t *der, size_t len,
			     const char *what)
{
	uint8_t *copy = exact_copy(der, len), *again = NULL;
	size_t again_len = 0;
	void *value = NULL;
	int rc;

	if (!copy) {
		test_fail_at(__FILE__, __LINE__, "%s: out of memory", what);
		return;
	}
	rc = rsp_codec_decode(td, copy, len, &value);
	if (rc != RSP_CODEC_OK) {
		test_fail_at(__FILE__, __LINE__, "%s: decoding as %s failed: %s", what, td->name,
			     rsp_codec_strerror(rc));
		goto out;
	}
	rc = rsp_codec_encode(td, value, MAX_DER, &again, &again_len);
	if (rc != RSP_CODEC_OK) {
		test_fail_at(__FILE__, __LINE__, "%s: re-encoding failed: %s", what,
			     rsp_codec_strerror(rc));
		goto out;
	}
	if (again_len != len || memcmp(again, der, len) != 0)
		test_fail_at(__FILE__, __LINE__, "%s: re-encoding differs (%zu bytes, expected %zu)",
			     what, again_len, len);
out:
	free(again);
	rsp_codec_free(td, value);
	free(copy);
}

/* Every proper prefix of der must fail to decode and leave no value behind. */
static void check_truncations(asn_TYPE_descriptor_t *td, const uint8_t *der, size_t len,
			      const char *what)
{
	size_t n, accepted = 0, leaked = 0;

	for (n = 0; n < len; n++) {
		uint8_t *prefix = exact_copy(der, n);
		void *value = (void *)prefix; /* any non-NULL value, to see that it is reset */
		int rc;

		if (!prefix) {
			test_fail_at(__FILE__, __LINE__, "%s: out of memory", what);
			return;
		}
		rc = rsp_codec_decode(td, prefix, n, &value);
		if (rc == RSP_CODEC_OK) {
			accepted++;
			rsp_codec_free(td, value);
		} else if (value) {
			leaked++;
		}
		free(prefix);
	}
	if (accepted || leaked)
		test_fail_at(__FILE__, __LINE__,
			     "%s: %zu of %zu truncated prefixes decoded, %zu left a value", what,
			     accepted, len, leaked);
}

static void check_message(asn_TYPE_descriptor_t *td, const uint8_t *der, size_t len,
			  const char *what)
{
	check_round_trip(td, der, len, what);
	check_truncations(td, der, len, what);
}

static void check_mutations(asn_TYPE_descriptor_t *td, const uint8_t *der, size_t len,
			    unsigned rounds, const char *what);

/* Finds the child of parent with the given tag, failing the case when it is missing. */
static bool child(const struct der_tlv *parent, uint32_t tag, struct der_tlv *out)
{
	if (der_find(parent, tag, out) == DER_OK)
		return true;
	test_fail_at(__FILE__, __LINE__, "no child with tag %X in TLV %X", (unsigned)tag,
		     (unsigned)parent->tag);
	return false;
}

/* Returns the tags of the children of parent, in order, into tags (at most max). */
static size_t child_tags(const struct der_tlv *parent, uint32_t *tags, size_t max)
{
	struct der_iter it;
	struct der_tlv tlv;
	size_t n = 0;

	der_iter_init(&it, parent);
	while (n < max && der_iter_next(&it, &tlv) == 1)
		tags[n++] = tlv.tag;
	return n;
}

#define CHECK_TAGS(parent, ...)                                                          \
	do {                                                                             \
		static const uint32_t expected_[] = { __VA_ARGS__ };                     \
		uint32_t actual_[32];                                                    \
		size_t n_ = child_tags((parent), actual_, 32);                           \
		CHECK_INT(n_, sizeof(expected_) / sizeof(expected_[0]));                 \
		if (n_ == sizeof(expected_) / sizeof(expected_[0]))                      \
			CHECK_MEM(actual_, expected_, sizeof(expected_));                \
	} while (0)

/* ---- shared test data --------------------------------------------------------------------- */

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *shared_dir(void)
{
	static char path[4096];
	const char *env = getenv("RSP_SHARED");

	if (env && *env)
		return env;
	env = getenv("RSP_REPO");
	if (env && *env) {
		snprintf(path, sizeof(path), "%s/../shared", env);
		if (is_dir(path))
			return path;
	}
	if (is_dir("../shared"))
		return "../shared";
	return NULL;
}

static uint8_t *read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n;

	*len = 0;
	if (!f)
		return NULL;
	buf = malloc(max);
	if (buf) {
		n = fread(buf, 1, max, f);
		if (ferror(f) || n == max) {
			free(buf);
			buf = NULL;
		} else {
			*len = n;
		}
	}
	fclose(f);
	return buf;
}

static char cert_paths[MAX_CERT_FILES][4096];
static size_t cert_count;

static int collect_der(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	size_t len = strlen(path);

	(void)st;
	(void)ftw;
	if (type == FTW_F && len > 4 && strcmp(path + len - 4, ".der") == 0 &&
	    cert_count < MAX_CERT_FILES)
		snprintf(cert_paths[cert_count++], sizeof(cert_paths[0]), "%s", path);
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads the "plaintext: <hex>" line of the vector file whose value starts with prefix. */
static uint8_t *vector_plaintext(const char *file, const char *prefix, size_t *len)
{
	static const char key[] = "plaintext: ";
	char line[8192];
	uint8_t *out = NULL;
	FILE *f = fopen(file, "r");
	size_t i, n;

	*len = 0;
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		char *hex = line + strlen(key);

		if (strncmp(line, key, strlen(key)) != 0 || strncmp(hex, prefix, strlen(prefix)) != 0)
			continue;
		n = strspn(hex, "0123456789abcdefABCDEF");
		if (n == 0 || n % 2)
			break;
		out = malloc(n / 2);
		if (!out)
			break;
		for (i = 0; i < n / 2; i++)
			out[i] = (uint8_t)(hex_value(hex[2 * i]) << 4 | hex_value(hex[2 * i + 1]));
		*len = n / 2;
		break;
	}
	fclose(f);
	return out;
}

/* ---- builders ----------------------------------------------------------------------------- */

static void add_name(Name_t *name, const char *common_name)
{
	RelativeDistinguishedName_t *rdn = calloc(1, sizeof(*rdn));
	AttributeTypeAndValue_t *atv = calloc(1, sizeof(*atv));
	uint8_t value[66];
	size_t len = strlen(common_name);

	REQUIRE(rdn);
	REQUIRE(atv);
	REQUIRE(len < 64);
	name->present = Name_PR_rdnSequence;
	set_oid(&atv->type, OID_ARCS(oid_common_name));
	value[0] = 0x0C; /* UTF8String */
	value[1] = (uint8_t)len;
	memcpy(value + 2, common_name, len);
	set_octets((OCTET_STRING_t *)&atv->value, value, len + 2);
	CHECK_INT(ASN_SET_ADD(&rdn->list, atv), 0);
	CHECK_INT(ASN_SEQUENCE_ADD(&name->choice.rdnSequence.list, rdn), 0);
}

static void set_time(Time_t *t, const char *utc)
{
	t->present = Time_PR_utcTime;
	set_string(&t->choice.utcTime, utc);
}

static void add_extension(Extensions_t *exts, const uint32_t *arcs, unsigned count,
			  int critical, const uint8_t *value, size_t len)
{
	Extension_t *ext = calloc(1, sizeof(*ext));

	REQUIRE(ext);
	set_oid(&ext->extnID, arcs, count);
	if (critical >= 0) {
		ext->critical = calloc(1, sizeof(*ext->critical));
		REQUIRE(ext->critical);
		*ext->critical = critical;
	}
	set_octets(&ext->extnValue, value, len);
	CHECK_INT(ASN_SEQUENCE_ADD(&exts->list, ext), 0);
}

/*
 * Fills a v3 certificate with an ECDSA P-256 frame and made-up bytes: its signature does not
 * verify, which the codec does not care about. The basicConstraints extension carries an
 * explicit critical FALSE, which DER must leave out.
 */
static void fill_certificate(Certificate_t *c, size_t serial_len, uint8_t seed)
{
	static const uint8_t prime256v1[] = { 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE,
					      0x3D, 0x03, 0x01, 0x07 };
	static const uint8_t key_usage[] = { 0x03, 0x02, 0x07, 0x80 };
	static const uint8_t ca_false[] = { 0x30, 0x00 };
	TBSCertificate_t *t = &c->tbsCertificate;
	uint8_t ski[22], point[65], signature[72];

	t->version = new_long(Version_v3);
	REQUIRE(t->version);
	t->serialNumber.buf = malloc(serial_len);
	REQUIRE(t->serialNumber.buf);
	pattern(t->serialNumber.buf, serial_len, seed);
	t->serialNumber.buf[0] = 0x41; /* positive, minimal */
	t->serialNumber.size = (int)serial_len;

	set_oid(&t->signature.algorithm, OID_ARCS(oid_ecdsa_sha256));
	add_name(&t->issuer, "Test CI");
	set_time(&t->validity.notBefore, "250101000000Z");
	set_time(&t->validity.notAfter, "491231235959Z");
	add_name(&t->subject, "Test Subject");

	set_oid(&t->subjectPublicKeyInfo.algorithm.algorithm, OID_ARCS(oid_ec_public_key));
	t->subjectPublicKeyInfo.algorithm.parameters = calloc(1, sizeof(ANY_t));
	REQUIRE(t->subjectPublicKeyInfo.algorithm.parameters);
	set_octets((OCTET_STRING_t *)t->subjectPublicKeyInfo.algorithm.parameters, prime256v1,
		   sizeof(prime256v1));
	pattern(point, sizeof(point), seed);
	point[0] = 0x04;
	set_octets((OCTET_STRING_t *)&t->subjectPublicKeyInfo.subjectPublicKey, point,
		   sizeof(point));

	t->extensions = calloc(1, sizeof(*t->extensions));
	REQUIRE(t->extensions);
	ski[0] = 0x04;
	ski[1] = 20;
	pattern(ski + 2, 20, (uint8_t)(seed + 7));
	add_extension(t->extensions, OID_ARCS(oid_subject_key_id), -1, ski, sizeof(ski));
	add_extension(t->extensions, OID_ARCS(oid_key_usage), 1, key_usage, sizeof(key_usage));
	add_extension(t->extensions, OID_ARCS(oid_basic_constraints), 0, ca_false,
		      sizeof(ca_false));

	set_oid(&c->signatureAlgorithm.algorithm, OID_ARCS(oid_ecdsa_sha256));
	pattern(signature, sizeof(signature), (uint8_t)(seed + 3));
	signature[0] = 0x30;
	signature[1] = sizeof(signature) - 2;
	set_octets((OCTET_STRING_t *)&c->signature, signature, sizeof(signature));
}

static void fill_euicc_info2(EUICCInfo2_t *info)
{
	static const uint8_t ext_card_resource[] = { 0x81, 0x01, 0x00, 0x82, 0x04, 0x00,
						     0x04, 0x9C, 0x68, 0x83, 0x02, 0x22, 0x23 };
	VersionType_t *extra_version;

	set_octets(&info->profileVersion, "\x02\x03\x01", 3);
	set_octets(&info->svn, "\x02\x05\x00", 3);
	set_octets(&info->euiccFirmwareVer, "\x04\x02\x00", 3);
	set_octets(&info->extCardResource, ext_card_resource, sizeof(ext_card_resource));
	CHECK_INT(rsp_codec_bit_set(&info->uiccCapability, RspUICCCapability_usimSupport), 0);
	CHECK_INT(rsp_codec_bit_set(&info->uiccCapability, RspUICCCapability_akaMilenage), 0);
	CHECK_INT(rsp_codec_bit_set(&info->uiccCapability, RspUICCCapability_profile_b_p256), 0);
	info->ts102241Version = rsp_codec_octets_new("\x09\x02\x00", 3);
	info->globalplatformVersion = rsp_codec_octets_new("\x02\x03\x00", 3);
	CHECK_INT(rsp_codec_bit_set(&info->rspCapability, RspCapability_additionalProfile), 0);
	CHECK_INT(rsp_codec_bit_set(&info->rspCapability, RspCapability_testProfileSupport), 0);
	CHECK_INT(ASN_SEQUENCE_ADD(&info->euiccCiPKIdListForVerification.list,
				   new_pattern(20, 0xF5)), 0);
	CHECK_INT(ASN_SEQUENCE_ADD(&info->euiccCiPKIdListForVerification.list,
				   new_pattern(20, 0xC0)), 0);
	CHECK_INT(ASN_SEQUENCE_ADD(&info->euiccCiPKIdListForSigning.list, new_pattern(20, 0xF5)),
		  0);
	info->euiccCategory = new_long(EUICCInfo2__euiccCategory_basicEuicc);
	info->forbiddenProfilePolicyRules = calloc(1, sizeof(*info->forbiddenProfilePolicyRules));
	REQUIRE(info->forbiddenProfilePolicyRules);
	CHECK_INT(rsp_codec_bit_set(info->forbiddenProfilePolicyRules, PprIds_ppr1), 0);
	set_octets(&info->ppVersion, "\x01\x00\x00", 3);
	set_string(&info->sasAcreditationNumber, "SAS-TEST-0001");
	info->certificationDataObject = calloc(1, sizeof(*info->certificationDataObject));
	REQUIRE(info->certificationDataObject);
	set_string(&info->certificationDataObject->platformLabel, "1.2.3.4");
	set_string(&info->certificationDataObject->discoveryBaseURL, "https://dloa.example.com/");
	info->treProperties = calloc(1, sizeof(*info->treProperties));
	REQUIRE(info->treProperties);
	CHECK_INT(rsp_codec_bit_set(info->treProperties, TreProperties_isIntegrated), 0);
	info->treProductReference = rsp_codec_octets_new("TRE-1", 5);
	info->additionalEuiccProfilePackageVersions =
		calloc(1, sizeof(*info->additionalEuiccProfilePackageVersions));
	REQUIRE(info->additionalEuiccProfilePackageVersions);
	extra_version = rsp_codec_octets_new("\x02\x02\x00", 3);
	CHECK_INT(ASN_SEQUENCE_ADD(&info->additionalEuiccProfilePackageVersions->list,
				   extra_version), 0);
}

static void fill_notification_metadata(NotificationMetadata_t *meta, long seq, unsigned event)
{
	meta->seqNumber = seq;
	CHECK_INT(rsp_codec_bit_set(&meta->profileManagementOperation, event), 0);
	set_string(&meta->notificationAddress, "smdp.example.com");
	meta->iccid = rsp_codec_octets_new("\x98\x00\x10\x32\x54\x76\x98\x10\x32\x14", 10);
}

/* ---- SGP.26 certificates and BSP vectors ---------------------------------------------------- */

static void test_sgp26_certificates_round_trip(void)
{
	const char *shared = shared_dir();
	char dir[4096];
	size_t i, largest_serial = 0;

	if (!shared)
		SKIP("shared test data not found (set RSP_SHARED)");
	snprintf(dir, sizeof(dir), "%s/sgp26", shared);
	cert_count = 0;
	REQUIRE(nftw(dir, collect_der, 16, FTW_PHYS) == 0);
	REQUIRE(cert_count > 0);

	for (i = 0; i < cert_count; i++) {
		size_t len;
		uint8_t *der = read_file(cert_paths[i], MAX_DER, &len);
		Certificate_t *cert = NULL;

		CHECK(der != NULL);
		if (!der)
			continue;
		check_message(&asn_DEF_Certificate, der, len, cert_paths[i]);
		check_mutations(&asn_DEF_Certificate, der, len, 300, cert_paths[i]);
		if (rsp_codec_decode(&asn_DEF_Certificate, der, len, (void **)&cert) ==
		    RSP_CODEC_OK) {
			size_t serial = (size_t)cert->tbsCertificate.serialNumber.size;

			if (serial > largest_serial)
				largest_serial = serial;
		}
		rsp_codec_free(&asn_DEF_Certificate, cert);
		free(der);
	}
	printf("# %zu SGP.26 certificates, longest serial number %zu bytes\n", cert_count,
	       largest_serial);
	/* The SGP.26 CI certificate has a serial number too long for a C long. */
	CHECK(largest_serial >= 9);
}

static void test_bsp_vector_plaintexts(void)
{
	static const struct {
		const char *prefix;
		asn_TYPE_descriptor_t *td;
	} cases[] = {
		{ "bf24", &asn_DEF_ConfigureISDPRequest },
		{ "bf25", &asn_DEF_StoreMetadataRequest },
		{ "bf26", &asn_DEF_ReplaceSessionKeysRequest },
	};
	const char *shared = shared_dir();
	char file[4096];
	size_t i;

	if (!shared)
		SKIP("shared test data not found (set RSP_SHARED)");
	snprintf(file, sizeof(file), "%s/vectors/bsp_segments_mode51.txt", shared);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		uint8_t *der = vector_plaintext(file, cases[i].prefix, &len);

		if (!der) {
			test_fail_at(__FILE__, __LINE__, "no plaintext starting %s in %s",
				     cases[i].prefix, file);
			continue;
		}
		check_message(cases[i].td, der, len, cases[i].td->name);
		free(der);
	}
}

static void test_bsp_vector_store_metadata_fields(void)
{
	const char *shared = shared_dir();
	StoreMetadataRequest_t *smr = NULL;
	char file[4096];
	uint8_t *der;
	size_t len;

	if (!shared)
		SKIP("shared test data not found (set RSP_SHARED)");
	snprintf(file, sizeof(file), "%s/vectors/bsp_segments_mode51.txt", shared);
	der = vector_plaintext(file, "bf25", &len);
	REQUIRE(der);
	REQUIRE(rsp_codec_decode(&asn_DEF_StoreMetadataRequest, der, len, (void **)&smr) ==
		RSP_CODEC_OK);
	CHECK_INT(smr->iccid.size, 10);
	CHECK_INT(smr->serviceProviderName.size, 9);
	if (smr->serviceProviderName.size == 9)
		CHECK_MEM(smr->serviceProviderName.buf, "GSMA_TEST", 9);
	REQUIRE(smr->profileClass);
	CHECK_INT(*smr->profileClass, ProfileClass_test);
	rsp_codec_free(&asn_DEF_StoreMetadataRequest, smr);
	free(der);
}

/* ---- built messages ----------------------------------------------------------------------- */

static void test_euicc_info1(void)
{
	EUICCInfo1_t *info = calloc(1, sizeof(*info));
	struct der_tlv top, list;
	uint8_t *der;
	size_t len;

	REQUIRE(info);
	set_octets(&info->svn, "\x02\x05\x00", 3);
	CHECK_INT(ASN_SEQUENCE_ADD(&info->euiccCiPKIdListForVerification.list,
				   new_pattern(20, 0xF5)), 0);
	CHECK_INT(ASN_SEQUENCE_ADD(&info->euiccCiPKIdListForVerification.list,
				   new_pattern(20, 0xC0)), 0);
	CHECK_INT(ASN_SEQUENCE_ADD(&info->euiccCiPKIdListForSigning.list, new_pattern(20, 0xF5)),
		  0);
	der = encode_and_free(&asn_DEF_EUICCInfo1, info, &len);
	REQUIRE(der);

	/* BF20 { 82 svn, A9 { 04 14 pkid }*, AA { 04 14 pkid }* } */
	REQUIRE(der_read_exact(der, len, 0xBF20, &top) == DER_OK);
	CHECK_TAGS(&top, 0x82, 0xA9, 0xAA);
	if (child(&top, 0xA9, &list))
		CHECK_TAGS(&list, 0x04, 0x04);
	check_message(&asn_DEF_EUICCInfo1, der, len, "EUICCInfo1");
	free(der);
}

static void test_server_signed1(void)
{
	static const char address[] = "smdp.example.com";
	ServerSigned1_t *ss = calloc(1, sizeof(*ss));
	uint8_t expected[2 + 3 * 18 + 2 + sizeof(address) - 1];
	uint8_t *der, *p = expected;
	size_t len;

	REQUIRE(ss);
	set_pattern(&ss->transactionId, 16, 0x10);
	set_pattern(&ss->euiccChallenge, 16, 0x20);
	set_string(&ss->serverAddress, address);
	set_pattern(&ss->serverChallenge, 16, 0x30);
	der = encode_and_free(&asn_DEF_ServerSigned1, ss, &len);
	REQUIRE(der);

	/* 30 48 { 80 10 tid, 81 10 euiccChallenge, 83 10 address, 84 10 serverChallenge } */
	*p++ = 0x30;
	*p++ = sizeof(expected) - 2;
	*p++ = 0x80;
	*p++ = 16;
	pattern(p, 16, 0x10);
	p += 16;
	*p++ = 0x81;
	*p++ = 16;
	pattern(p, 16, 0x20);
	p += 16;
	*p++ = 0x83;
	*p++ = sizeof(address) - 1;
	memcpy(p, address, sizeof(address) - 1);
	p += sizeof(address) - 1;
	*p++ = 0x84;
	*p++ = 16;
	pattern(p, 16, 0x30);
	CHECK_INT(len, sizeof(expected));
	if (len == sizeof(expected))
		CHECK_MEM(der, expected, sizeof(expected));
	check_message(&asn_DEF_ServerSigned1, der, len, "ServerSigned1");
	free(der);
}

static void test_smdp_signed2(void)
{
	SmdpSigned2_t *ss = calloc(1, sizeof(*ss));
	uint8_t expected[2 + 18 + 3];
	uint8_t *der;
	size_t len;
	struct der_tlv top;

	REQUIRE(ss);
	set_pattern(&ss->transactionId, 16, 0x10);
	ss->ccRequiredFlag = 1;
	der = encode_and_free(&asn_DEF_SmdpSigned2, ss, &len);
	REQUIRE(der);

	/* 30 15 { 80 10 tid, 01 01 FF }: ccRequiredFlag keeps the universal BOOLEAN tag. */
	expected[0] = 0x30;
	expected[1] = sizeof(expected) - 2;
	expected[2] = 0x80;
	expected[3] = 16;
	pattern(expected + 4, 16, 0x10);
	memcpy(expected + 20, "\x01\x01\xFF", 3);
	CHECK_INT(len, sizeof(expected));
	if (len == sizeof(expected))
		CHECK_MEM(der, expected, sizeof(expected));
	check_message(&asn_DEF_SmdpSigned2, der, len, "SmdpSigned2");
	free(der);

	/* With bppEuiccOtpk, from an earlier binding. */
	ss = calloc(1, sizeof(*ss));
	REQUIRE(ss);
	set_pattern(&ss->transactionId, 16, 0x10);
	ss->bppEuiccOtpk = new_pattern(65, 0x04);
	der = encode_and_free(&asn_DEF_SmdpSigned2, ss, &len);
	REQUIRE(der);
	REQUIRE(der_read_exact(der, len, 0x30, &top) == DER_OK);
	CHECK_TAGS(&top, 0x80, 0x01, 0x5F49);
	check_message(&asn_DEF_SmdpSigned2, der, len, "SmdpSigned2 with bppEuiccOtpk");
	free(der);
}

static void test_authenticate_server_response(void)
{
	AuthenticateServerResponse_t *resp = calloc(1, sizeof(*resp));
	AuthenticateResponseOk_t *ok;
	CtxParamsForCommonAuthentication_t *ctx;
	struct der_tlv top, ok_tlv, signed1, info2, ctx_tlv, device, cert;
	uint8_t *der;
	size_t len;

	REQUIRE(resp);
	resp->present = AuthenticateServerResponse_PR_authenticateResponseOk;
	ok = &resp->choice.authenticateResponseOk;
	set_pattern(&ok->euiccSigned1.transactionId, 16, 0x10);
	set_string(&ok->euiccSigned1.serverAddress, "smdp.example.com");
	set_pattern(&ok->euiccSigned1.serverChallenge, 16, 0x30);
	fill_euicc_info2(&ok->euiccSigned1.euiccInfo2);
	ok->euiccSigned1.ctxParams1.present = CtxParams1_PR_ctxParamsForCommonAuthentication;
	ctx = &ok->euiccSigned1.ctxParams1.choice.ctxParamsForCommonAuthentication;
	ctx->matchingId = rsp_codec_octets_new("MATCHING-ID-1", 13);
	set_octets(&ctx->deviceInfo.tac, "\x35\x29\x06\x11", 4);
	ctx->deviceInfo.deviceCapabilities.eutranEpcSupportedRelease =
		rsp_codec_octets_new("\x0F\x00\x00", 3);
	ctx->deviceInfo.deviceCapabilities.nr5gcSupportedRelease =
		rsp_codec_octets_new("\x10\x00\x00", 3);
	ctx->deviceInfo.imei = new_pattern(8, 0x35);
	set_pattern(&ok->euiccSignature1, 64, 0x50);
	fill_certificate(&ok->euiccCertificate, 9, 0x60);
	fill_certificate(&ok->eumCertificate, 20, 0x70);
	der = encode_and_free(&asn_DEF_AuthenticateServerResponse, resp, &len);
	REQUIRE(der);

	REQUIRE(der_read_exact(der, len, 0xBF38, &top) == DER_OK);
	REQUIRE(child(&top, 0xA0, &ok_tlv));
	CHECK_TAGS(&ok_tlv, 0x30, 0x5F37, 0x30, 0x30);
	REQUIRE(child(&ok_tlv, 0x30, &signed1));
	CHECK_TAGS(&signed1, 0x80, 0x83, 0x84, 0xBF22, 0xA0);
	/* EUICCInfo2 has tagged components, so ppVersion (04) and the SAS number (0C) keep
	 * their universal tags. */
	REQUIRE(child(&signed1, 0xBF22, &info2));
	CHECK_TAGS(&info2, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0xA9, 0xAA, 0x8B, 0x99,
		   0x04, 0x0C, 0xAC, 0x8D, 0x8E, 0xAF);
	REQUIRE(child(&signed1, 0xA0, &ctx_tlv));
	CHECK_TAGS(&ctx_tlv, 0x80, 0xA1);
	REQUIRE(child(&ctx_tlv, 0xA1, &device));
	CHECK_TAGS(&device, 0x80, 0xA1, 0x82);
	if (child(&device, 0x80, &cert))
		CHECK_INT(cert.len, 4);
	check_message(&asn_DEF_AuthenticateServerResponse, der, len, "AuthenticateServerResponse");
	check_mutations(&asn_DEF_AuthenticateServerResponse, der, len, 3000,
			"AuthenticateServerResponse");
	free(der);
}

static void test_authenticate_server_response_error(void)
{
	AuthenticateServerResponse_t *resp = calloc(1, sizeof(*resp));
	struct der_tlv top, err;
	uint8_t *der;
	size_t len;

	REQUIRE(resp);
	resp->present = AuthenticateServerResponse_PR_authenticateResponseError;
	set_pattern(&resp->choice.authenticateResponseError.transactionId, 16, 0x10);
	resp->choice.authenticateResponseError.authenticateErrorCode =
		AuthenticateErrorCode_ciPKUnknown;
	der = encode_and_free(&asn_DEF_AuthenticateServerResponse, resp, &len);
	REQUIRE(der);
	REQUIRE(der_read_exact(der, len, 0xBF38, &top) == DER_OK);
	REQUIRE(child(&top, 0xA1, &err));
	CHECK_TAGS(&err, 0x80, 0x02);
	check_message(&asn_DEF_AuthenticateServerResponse, der, len,
		      "AuthenticateServerResponse error");
	free(der);
}

static void test_prepare_download_response(void)
{
	PrepareDownloadResponse_t *resp = calloc(1, sizeof(*resp));
	PrepareDownloadResponseOk_t *ok;
	struct der_tlv top, ok_tlv, signed2;
	uint8_t *der;
	size_t len;

	REQUIRE(resp);
	resp->present = PrepareDownloadResponse_PR_downloadResponseOk;
	ok = &resp->choice.downloadResponseOk;
	set_pattern(&ok->euiccSigned2.transactionId, 16, 0x10);
	set_pattern(&ok->euiccSigned2.euiccOtpk, 65, 0x04);
	ok->euiccSigned2.hashCc = new_pattern(32, 0xCC);
	set_pattern(&ok->euiccSignature2, 64, 0x50);
	der = encode_and_free(&asn_DEF_PrepareDownloadResponse, resp, &len);
	REQUIRE(der);

	/* BF21 { A0 { 30 { 80 tid, 5F49 otpk, 04 hashCc }, 5F37 signature } } */
	REQUIRE(der_read_exact(der, len, 0xBF21, &top) == DER_OK);
	REQUIRE(child(&top, 0xA0, &ok_tlv));
	CHECK_TAGS(&ok_tlv, 0x30, 0x5F37);
	REQUIRE(child(&ok_tlv, 0x30, &signed2));
	CHECK_TAGS(&signed2, 0x80, 0x5F49, 0x04);
	check_message(&asn_DEF_PrepareDownloadResponse, der, len, "PrepareDownloadResponse");
	free(der);
}

static void test_profile_installation_result(void)
{
	ProfileInstallationResult_t *pir = calloc(1, sizeof(*pir));
	ProfileInstallationResultData_t *data;
	struct der_tlv top, data_tlv, meta, final, success, pmo;
	uint8_t *der;
	size_t len;

	REQUIRE(pir);
	data = &pir->profileInstallationResultData;
	set_pattern(&data->transactionId, 16, 0x10);
	fill_notification_metadata(&data->notificationMetadata, 7,
				   NotificationEvent_notificationInstall);
	set_oid(&data->smdpOid, OID_ARCS(oid_smdp));
	data->finalResult.present = ProfileInstallationResultData__finalResult_PR_successResult;
	set_octets(&data->finalResult.choice.successResult.aid,
		   "\xA0\x00\x00\x05\x59\x10\x10\xFF\xFF\xFF\xFF\x89\x00\x00\x10\x00", 16);
	set_octets(&data->finalResult.choice.successResult.simaResponse,
		   "\x30\x07\xA0\x05\x30\x03\x80\x01\x00", 9);
	set_pattern(&pir->euiccSignPIR, 64, 0x50);
	der = encode_and_free(&asn_DEF_ProfileInstallationResult, pir, &len);
	REQUIRE(der);

	/* BF37 { BF27 { 80 tid, BF2F metadata, 06 smdpOid, A2 { A0 { 4F aid, 04 sima } } },
	 *        5F37 signature } */
	REQUIRE(der_read_exact(der, len, 0xBF37, &top) == DER_OK);
	CHECK_TAGS(&top, 0xBF27, 0x5F37);
	REQUIRE(child(&top, 0xBF27, &data_tlv));
	CHECK_TAGS(&data_tlv, 0x80, 0xBF2F, 0x06, 0xA2);
	REQUIRE(child(&data_tlv, 0xBF2F, &meta));
	CHECK_TAGS(&meta, 0x80, 0x81, 0x0C, 0x5A);
	/* notificationInstall alone: one byte with seven unused bits. */
	if (child(&meta, 0x81, &pmo))
		CHECK_MEM(pmo.raw, "\x81\x02\x07\x80", 4);
	REQUIRE(child(&data_tlv, 0xA2, &final));
	REQUIRE(child(&final, 0xA0, &success));
	CHECK_TAGS(&success, 0x4F, 0x04);
	check_message(&asn_DEF_ProfileInstallationResult, der, len, "ProfileInstallationResult");
	check_mutations(&asn_DEF_ProfileInstallationResult, der, len, 3000,
			"ProfileInstallationResult");
	free(der);
}

static void test_profile_installation_error_result(void)
{
	ProfileInstallationResult_t *pir = calloc(1, sizeof(*pir));
	ProfileInstallationResultData_t *data;
	struct der_tlv top, data_tlv, final, error;
	uint8_t *der;
	size_t len;

	REQUIRE(pir);
	data = &pir->profileInstallationResultData;
	set_pattern(&data->transactionId, 16, 0x10);
	fill_notification_metadata(&data->notificationMetadata, 8,
				   NotificationEvent_notificationInstall);
	set_oid(&data->smdpOid, OID_ARCS(oid_smdp));
	data->finalResult.present = ProfileInstallationResultData__finalResult_PR_errorResult;
	data->finalResult.choice.errorResult.bppCommandId = BppCommandId_loadProfileElements;
	data->finalResult.choice.errorResult.errorReason =
		ErrorReason_installFailedDueToPEProcessingError;
	data->finalResult.choice.errorResult.simaResponse = new_pattern(6, 0x30);
	set_pattern(&pir->euiccSignPIR, 64, 0x50);
	der = encode_and_free(&asn_DEF_ProfileInstallationResult, pir, &len);
	REQUIRE(der);

	/* ErrorResult has no tagged component, so AUTOMATIC TAGS gives 80, 81, 82. */
	REQUIRE(der_read_exact(der, len, 0xBF37, &top) == DER_OK);
	REQUIRE(child(&top, 0xBF27, &data_tlv));
	REQUIRE(child(&data_tlv, 0xA2, &final));
	REQUIRE(child(&final, 0xA1, &error));
	CHECK_TAGS(&error, 0x80, 0x81, 0x82);
	check_message(&asn_DEF_ProfileInstallationResult, der, len,
		      "ProfileInstallationResult error");
	free(der);
}

static void add_segment(void *list, size_t len, uint8_t seed)
{
	OCTET_STRING_t *segment = new_pattern(len, seed);

	REQUIRE(segment);
	CHECK_INT(ASN_SEQUENCE_ADD(list, segment), 0);
}

static void test_bound_profile_package(void)
{
	BoundProfilePackage_t *bpp = calloc(1, sizeof(*bpp));
	InitialiseSecureChannelRequest_t *isc;
	struct der_tlv top, isc_tlv, crt, seq, segment;
	uint8_t *der;
	size_t len;

	REQUIRE(bpp);
	isc = &bpp->initialiseSecureChannelRequest;
	isc->remoteOpId = RemoteOpId_installBoundProfilePackage;
	set_pattern(&isc->transactionId, 16, 0x10);
	set_octets(&isc->controlRefTemplate.keyType, "\x88", 1);
	set_octets(&isc->controlRefTemplate.keyLen, "\x10", 1);
	set_octets(&isc->controlRefTemplate.hostId, "\x80\x80\x80\x80\x80\x80\x80\x80", 8);
	set_pattern(&isc->smdpOtpk, 65, 0x04);
	set_pattern(&isc->smdpSign, 64, 0x50);

	/* Segment values: ciphertext (or plaintext) plus the 8-byte C-MAC. */
	add_segment(&bpp->firstSequenceOf87.list, 16 + 8, 0x87);
	add_segment(&bpp->sequenceOf88.list, 47 + 8, 0x88);
	add_segment(&bpp->sequenceOf88.list, 20 + 8, 0x98);
	bpp->secondSequenceOf87 = calloc(1, sizeof(*bpp->secondSequenceOf87));
	REQUIRE(bpp->secondSequenceOf87);
	add_segment(&bpp->secondSequenceOf87->list, 64 + 8, 0x97);
	add_segment(&bpp->sequenceOf86.list, 1008 + 8, 0x86); /* a 1020-byte TLV */
	add_segment(&bpp->sequenceOf86.list, 1008 + 8, 0x96);
	add_segment(&bpp->sequenceOf86.list, 112 + 8, 0xA6);
	der = encode_and_free(&asn_DEF_BoundProfilePackage, bpp, &len);
	REQUIRE(der);

	REQUIRE(der_read_exact(der, len, 0xBF36, &top) == DER_OK);
	CHECK_TAGS(&top, 0xBF23, 0xA0, 0xA1, 0xA2, 0xA3);
	REQUIRE(child(&top, 0xBF23, &isc_tlv));
	CHECK_TAGS(&isc_tlv, 0x82, 0x80, 0xA6, 0x5F49, 0x5F37);
	REQUIRE(child(&isc_tlv, 0xA6, &crt));
	CHECK_TAGS(&crt, 0x80, 0x81, 0x84);
	if (child(&top, 0xA0, &seq))
		CHECK_TAGS(&seq, 0x87);
	if (child(&top, 0xA1, &seq))
		CHECK_TAGS(&seq, 0x88, 0x88);
	if (child(&top, 0xA2, &seq))
		CHECK_TAGS(&seq, 0x87);
	REQUIRE(child(&top, 0xA3, &seq));
	CHECK_TAGS(&seq, 0x86, 0x86, 0x86);
	REQUIRE(child(&seq, 0x86, &segment));
	CHECK_INT(segment.raw_len, 1020);
	check_message(&asn_DEF_BoundProfilePackage, der, len, "BoundProfilePackage");
	check_mutations(&asn_DEF_BoundProfilePackage, der, len, 1000, "BoundProfilePackage");
	free(der);
}

static void test_bound_profile_package_segments_decode(void)
{
	BoundProfilePackage_t *bpp = calloc(1, sizeof(*bpp)), *back = NULL;
	uint8_t expected[40];
	uint8_t *der;
	size_t len;

	REQUIRE(bpp);
	bpp->initialiseSecureChannelRequest.remoteOpId = RemoteOpId_installBoundProfilePackage;
	set_pattern(&bpp->initialiseSecureChannelRequest.transactionId, 16, 0x10);
	set_octets(&bpp->initialiseSecureChannelRequest.controlRefTemplate.keyType, "\x88", 1);
	set_octets(&bpp->initialiseSecureChannelRequest.controlRefTemplate.keyLen, "\x10", 1);
	set_octets(&bpp->initialiseSecureChannelRequest.controlRefTemplate.hostId, "\x01", 1);
	set_pattern(&bpp->initialiseSecureChannelRequest.smdpOtpk, 65, 0x04);
	set_pattern(&bpp->initialiseSecureChannelRequest.smdpSign, 64, 0x50);
	add_segment(&bpp->firstSequenceOf87.list, 24, 0x87);
	add_segment(&bpp->sequenceOf88.list, 40, 0x88);
	add_segment(&bpp->sequenceOf86.list, 40, 0x86);
	der = encode_and_free(&asn_DEF_BoundProfilePackage, bpp, &len);
	REQUIRE(der);

	/* The optional secondSequenceOf87 stays absent, and the segments come back intact. */
	REQUIRE(rsp_codec_decode(&asn_DEF_BoundProfilePackage, der, len, (void **)&back) ==
		RSP_CODEC_OK);
	CHECK(back->secondSequenceOf87 == NULL);
	REQUIRE(back->sequenceOf86.list.count == 1);
	pattern(expected, sizeof(expected), 0x86);
	CHECK_INT(back->sequenceOf86.list.array[0]->size, 40);
	CHECK_MEM(back->sequenceOf86.list.array[0]->buf, expected, sizeof(expected));
	check_message(&asn_DEF_BoundProfilePackage, der, len, "BoundProfilePackage without RSK");
	rsp_codec_free(&asn_DEF_BoundProfilePackage, back);
	free(der);
}

static void test_store_metadata_request(void)
{
	StoreMetadataRequest_t *smr = calloc(1, sizeof(*smr));
	NotificationConfigurationInformation_t *nci = calloc(1, sizeof(*nci));
	struct der_tlv top;
	uint8_t *der;
	size_t len;

	REQUIRE(smr);
	REQUIRE(nci);
	set_octets(&smr->iccid, "\x98\x00\x10\x32\x54\x76\x98\x10\x32\x14", 10);
	set_string(&smr->serviceProviderName, "Operator");
	set_string(&smr->profileName, "Test profile");
	smr->profileClass = new_long(ProfileClass_test);
	smr->notificationConfigurationInfo = calloc(1, sizeof(*smr->notificationConfigurationInfo));
	REQUIRE(smr->notificationConfigurationInfo);
	CHECK_INT(rsp_codec_bit_set(&nci->profileManagementOperation,
				    NotificationEvent_notificationInstall), 0);
	CHECK_INT(rsp_codec_bit_set(&nci->profileManagementOperation,
				    NotificationEvent_notificationDelete), 0);
	set_string(&nci->notificationAddress, "smdp.example.com");
	CHECK_INT(ASN_SEQUENCE_ADD(&smr->notificationConfigurationInfo->list, nci), 0);
	smr->profileOwner = calloc(1, sizeof(*smr->profileOwner));
	REQUIRE(smr->profileOwner);
	set_octets(&smr->profileOwner->mccMnc, "\x00\xF1\x10", 3);
	der = encode_and_free(&asn_DEF_StoreMetadataRequest, smr, &len);
	REQUIRE(der);

	REQUIRE(der_read_exact(der, len, 0xBF25, &top) == DER_OK);
	CHECK_TAGS(&top, 0x5A, 0x91, 0x92, 0x95, 0xB6, 0xB7);
	check_message(&asn_DEF_StoreMetadataRequest, der, len, "StoreMetadataRequest");
	free(der);
}

static void test_other_signed_notification(void)
{
	PendingNotification_t *pn = calloc(1, sizeof(*pn));
	OtherSignedNotification_t *osn;
	struct der_tlv top;
	uint8_t *der;
	size_t len;

	REQUIRE(pn);
	pn->present = PendingNotification_PR_otherSignedNotification;
	osn = &pn->choice.otherSignedNotification;
	fill_notification_metadata(&osn->tbsOtherNotification, 9,
				   NotificationEvent_notificationDelete);
	set_pattern(&osn->euiccNotificationSignature, 64, 0x50);
	fill_certificate(&osn->euiccCertificate, 9, 0x60);
	fill_certificate(&osn->eumCertificate, 12, 0x70);
	der = encode_and_free(&asn_DEF_PendingNotification, pn, &len);
	REQUIRE(der);

	/* The CHOICE has a tagged alternative, so this one keeps the universal SEQUENCE tag. */
	REQUIRE(der_read_exact(der, len, 0x30, &top) == DER_OK);
	CHECK_TAGS(&top, 0xBF2F, 0x5F37, 0x30, 0x30);
	check_message(&asn_DEF_PendingNotification, der, len, "OtherSignedNotification");
	free(der);
}

static void test_cancel_session_response(void)
{
	CancelSessionResponse_t *resp = calloc(1, sizeof(*resp));
	CancelSessionResponseOk_t *ok;
	struct der_tlv top, ok_tlv, signed_tlv;
	uint8_t *der;
	size_t len;

	REQUIRE(resp);
	resp->present = CancelSessionResponse_PR_cancelSessionResponseOk;
	ok = &resp->choice.cancelSessionResponseOk;
	set_pattern(&ok->euiccCancelSessionSigned.transactionId, 16, 0x10);
	set_oid(&ok->euiccCancelSessionSigned.smdpOid, OID_ARCS(oid_smdp));
	ok->euiccCancelSessionSigned.reason = CancelSessionReason_endUserRejection;
	set_pattern(&ok->euiccCancelSessionSignature, 64, 0x50);
	der = encode_and_free(&asn_DEF_CancelSessionResponse, resp, &len);
	REQUIRE(der);

	REQUIRE(der_read_exact(der, len, 0xBF41, &top) == DER_OK);
	REQUIRE(child(&top, 0xA0, &ok_tlv));
	CHECK_TAGS(&ok_tlv, 0x30, 0x5F37);
	REQUIRE(child(&ok_tlv, 0x30, &signed_tlv));
	CHECK_TAGS(&signed_tlv, 0x80, 0x81, 0x82);
	check_message(&asn_DEF_CancelSessionResponse, der, len, "CancelSessionResponse");
	free(der);
}

static void test_es9_binding_initiate_authentication(void)
{
	RemoteProfileProvisioningRequest_t *req = calloc(1, sizeof(*req));
	InitiateAuthenticationRequest_t *ia;
	struct der_tlv top, ia_tlv;
	uint8_t *der;
	size_t len;

	REQUIRE(req);
	req->present = RemoteProfileProvisioningRequest_PR_initiateAuthenticationRequest;
	ia = &req->choice.initiateAuthenticationRequest;
	set_pattern(&ia->euiccChallenge, 16, 0x20);
	set_string(&ia->smdpAddress, "smdp.example.com");
	set_octets(&ia->euiccInfo1.svn, "\x02\x05\x00", 3);
	CHECK_INT(ASN_SEQUENCE_ADD(&ia->euiccInfo1.euiccCiPKIdListForVerification.list,
				   new_pattern(20, 0xF5)), 0);
	CHECK_INT(ASN_SEQUENCE_ADD(&ia->euiccInfo1.euiccCiPKIdListForSigning.list,
				   new_pattern(20, 0xF5)), 0);
	der = encode_and_free(&asn_DEF_RemoteProfileProvisioningRequest, req, &len);
	REQUIRE(der);

	REQUIRE(der_read_exact(der, len, 0xA2, &top) == DER_OK);
	REQUIRE(child(&top, 0xBF39, &ia_tlv));
	CHECK_TAGS(&ia_tlv, 0x81, 0x83, 0xBF20);
	check_message(&asn_DEF_RemoteProfileProvisioningRequest, der, len,
		      "RemoteProfileProvisioningRequest");
	free(der);
}

/* Components typed as tagged CHOICEs: [56] keeps BF38, and the automatic [1] of
 * CancelSessionRequestEs9 replaces the BF41 of CancelSessionResponse. */
static void test_es9_binding_nested_choices(void)
{
	RemoteProfileProvisioningRequest_t *req = calloc(1, sizeof(*req));
	AuthenticateClientRequest_t *ac;
	CancelSessionRequestEs9_t *cs;
	struct der_tlv top, inner, nested;
	uint8_t *der;
	size_t len;

	REQUIRE(req);
	req->present = RemoteProfileProvisioningRequest_PR_authenticateClientRequest;
	ac = &req->choice.authenticateClientRequest;
	set_pattern(&ac->transactionId, 16, 0x10);
	ac->authenticateServerResponse.present =
		AuthenticateServerResponse_PR_authenticateResponseError;
	set_pattern(&ac->authenticateServerResponse.choice.authenticateResponseError.transactionId,
		    16, 0x10);
	ac->authenticateServerResponse.choice.authenticateResponseError.authenticateErrorCode =
		AuthenticateErrorCode_undefinedError;
	der = encode_and_free(&asn_DEF_RemoteProfileProvisioningRequest, req, &len);
	REQUIRE(der);
	REQUIRE(der_read_exact(der, len, 0xA2, &top) == DER_OK);
	REQUIRE(child(&top, 0xBF3B, &inner));
	CHECK_TAGS(&inner, 0x80, 0xBF38);
	REQUIRE(child(&inner, 0xBF38, &nested));
	CHECK_TAGS(&nested, 0xA1);
	check_message(&asn_DEF_RemoteProfileProvisioningRequest, der, len,
		      "AuthenticateClientRequest");
	free(der);

	req = calloc(1, sizeof(*req));
	REQUIRE(req);
	req->present = RemoteProfileProvisioningRequest_PR_cancelSessionRequestEs9;
	cs = &req->choice.cancelSessionRequestEs9;
	set_pattern(&cs->transactionId, 16, 0x10);
	cs->cancelSessionResponse.present = CancelSessionResponse_PR_cancelSessionResponseError;
	cs->cancelSessionResponse.choice.cancelSessionResponseError = 5;
	der = encode_and_free(&asn_DEF_RemoteProfileProvisioningRequest, req, &len);
	REQUIRE(der);
	REQUIRE(der_read_exact(der, len, 0xA2, &top) == DER_OK);
	REQUIRE(child(&top, 0xBF41, &inner));
	CHECK_TAGS(&inner, 0x80, 0xA1);
	REQUIRE(child(&inner, 0xA1, &nested));
	CHECK_TAGS(&nested, 0x81);
	check_message(&asn_DEF_RemoteProfileProvisioningRequest, der, len, "CancelSessionRequestEs9");
	free(der);
}

static void test_es11_authenticate_client_ok(void)
{
	AuthenticateClientResponseEs11_t *resp = calloc(1, sizeof(*resp));
	AuthenticateClientOkEs11_t *ok;
	EventEntries_t *entry = calloc(1, sizeof(*entry));
	struct der_tlv top, ok_tlv, list, entry_tlv;
	uint8_t *der;
	size_t len;

	REQUIRE(resp);
	REQUIRE(entry);
	resp->present = AuthenticateClientResponseEs11_PR_authenticateClientOk;
	ok = &resp->choice.authenticateClientOk;
	set_pattern(&ok->transactionId, 16, 0x10);
	set_string(&entry->eventId, "EVENT-1");
	set_string(&entry->rspServerAddress, "smdp.example.com");
	CHECK_INT(ASN_SEQUENCE_ADD(&ok->eventEntries.list, entry), 0);
	der = encode_and_free(&asn_DEF_AuthenticateClientResponseEs11, resp, &len);
	REQUIRE(der);

	/* BF40 { A0 { 80 tid, A1 { 30 { 80 eventId, 81 rspServerAddress } } } } */
	REQUIRE(der_read_exact(der, len, 0xBF40, &top) == DER_OK);
	REQUIRE(child(&top, 0xA0, &ok_tlv));
	CHECK_TAGS(&ok_tlv, 0x80, 0xA1);
	REQUIRE(child(&ok_tlv, 0xA1, &list));
	REQUIRE(child(&list, 0x30, &entry_tlv));
	CHECK_TAGS(&entry_tlv, 0x80, 0x81);
	check_message(&asn_DEF_AuthenticateClientResponseEs11, der, len,
		      "AuthenticateClientResponseEs11");
	free(der);
}

static void test_certificate_long_serial(void)
{
	Certificate_t *cert = calloc(1, sizeof(*cert)), *back = NULL;
	uint8_t *der;
	size_t len;

	REQUIRE(cert);
	fill_certificate(cert, 20, 0x11);
	der = encode_and_free(&asn_DEF_Certificate, cert, &len);
	REQUIRE(der);
	REQUIRE(rsp_codec_decode(&asn_DEF_Certificate, der, len, (void **)&back) == RSP_CODEC_OK);
	CHECK_INT(back->tbsCertificate.serialNumber.size, 20);
	CHECK_INT(back->tbsCertificate.serialNumber.buf[0], 0x41);
	check_message(&asn_DEF_Certificate, der, len, "Certificate with a 20-byte serial");
	rsp_codec_free(&asn_DEF_Certificate, back);
	free(der);
}

/*
 * Decodes many mutated copies of a message; none may crash or leak (ASan checks this), and a
 * mutated copy that still decodes must encode again.
 */
static void check_mutations(asn_TYPE_descriptor_t *td, const uint8_t *der, size_t len,
			    unsigned rounds, const char *what)
{
	uint32_t state = 0x12345678u;
	size_t encode_failures = 0;
	unsigned r;

	for (r = 0; r < rounds; r++) {
		uint8_t *copy = exact_copy(der, len), *again = NULL;
		size_t again_len, flips, i;
		void *value = NULL;

		if (!copy)
			return;
		state = state * 1103515245u + 12345u;
		flips = 1 + (state >> 16) % 3;
		for (i = 0; i < flips; i++) {
			state = state * 1103515245u + 12345u;
			copy[(state >> 8) % len] ^= (uint8_t)(1u << ((state >> 4) % 8));
		}
		if (rsp_codec_decode(td, copy, len, &value) == RSP_CODEC_OK) {
			if (rsp_codec_encode(td, value, MAX_DER, &again, &again_len) != RSP_CODEC_OK)
				encode_failures++;
			free(again);
		}
		rsp_codec_free(td, value);
		free(copy);
	}
	if (encode_failures)
		test_fail_at(__FILE__, __LINE__, "%s: %zu decoded mutations failed to encode",
			     what, encode_failures);
}

/* ---- DER repairs -------------------------------------------------------------------------- */

static void test_default_profile_class_omitted(void)
{
	StoreMetadataRequest_t *smr = calloc(1, sizeof(*smr));
	struct der_tlv top, tlv;
	uint8_t *der;
	size_t len;

	REQUIRE(smr);
	set_octets(&smr->iccid, "\x98\x00\x10\x32\x54\x76\x98\x10\x32\x14", 10);
	set_string(&smr->serviceProviderName, "Operator");
	set_string(&smr->profileName, "Profile");
	smr->profileClass = new_long(ProfileClass_operational);
	der = encode_and_free(&asn_DEF_StoreMetadataRequest, smr, &len);
	REQUIRE(der);
	REQUIRE(der_read_exact(der, len, 0xBF25, &top) == DER_OK);
	CHECK_INT(der_find(&top, 0x95, &tlv), DER_E_NOT_FOUND);
	CHECK_TAGS(&top, 0x5A, 0x91, 0x92);
	free(der);
}

static void test_default_critical_false_omitted(void)
{
	Extension_t *ext = calloc(1, sizeof(*ext));
	static const uint8_t expected[] = { 0x30, 0x09, 0x06, 0x03, 0x55, 0x1D, 0x13,
					    0x04, 0x02, 0x30, 0x00 };
	uint8_t *der;
	size_t len;

	REQUIRE(ext);
	set_oid(&ext->extnID, OID_ARCS(oid_basic_constraints));
	ext->critical = calloc(1, sizeof(*ext->critical));
	REQUIRE(ext->critical);
	set_octets(&ext->extnValue, "\x30\x00", 2);
	der = encode_and_free(&asn_DEF_Extension, ext, &len);
	REQUIRE(der);
	CHECK_INT(len, sizeof(expected));
	if (len == sizeof(expected))
		CHECK_MEM(der, expected, sizeof(expected));
	free(der);
}

static void test_default_subtree_minimum_omitted(void)
{
	GeneralSubtree_t *subtree = calloc(1, sizeof(*subtree));
	static const uint8_t expected[] = { 0x30, 0x05, 0x82, 0x03, 'a', '.', 'b' };
	uint8_t *der;
	size_t len;

	REQUIRE(subtree);
	subtree->base.present = GeneralName_PR_dNSName;
	set_string(&subtree->base.choice.dNSName, "a.b");
	subtree->minimum = new_long(0);
	der = encode_and_free(&asn_DEF_GeneralSubtree, subtree, &len);
	REQUIRE(der);
	CHECK_INT(len, sizeof(expected));
	if (len == sizeof(expected))
		CHECK_MEM(der, expected, sizeof(expected));
	free(der);
}

static void test_named_bits_trimmed(void)
{
	NotificationMetadata_t *meta = calloc(1, sizeof(*meta));
	struct der_tlv top, pmo;
	uint8_t *der;
	size_t len;

	REQUIRE(meta);
	/* notificationEnable as a caller might write it: two bytes, no unused bits. */
	meta->profileManagementOperation.buf = calloc(1, 3);
	REQUIRE(meta->profileManagementOperation.buf);
	meta->profileManagementOperation.buf[0] = 0x40;
	meta->profileManagementOperation.size = 2;
	meta->profileManagementOperation.bits_unused = 0;
	set_string(&meta->notificationAddress, "smdp.example.com");
	der = encode_and_free(&asn_DEF_NotificationMetadata, meta, &len);
	REQUIRE(der);
	REQUIRE(der_read_exact(der, len, 0xBF2F, &top) == DER_OK);
	REQUIRE(child(&top, 0x81, &pmo));
	CHECK_MEM(pmo.raw, "\x81\x02\x06\x40", 4);
	free(der);
}

static void test_named_bits_empty(void)
{
	NotificationMetadata_t *meta = calloc(1, sizeof(*meta));
	struct der_tlv top, pmo;
	uint8_t *der;
	size_t len;

	REQUIRE(meta);
	meta->profileManagementOperation.buf = calloc(1, 2);
	REQUIRE(meta->profileManagementOperation.buf);
	meta->profileManagementOperation.size = 1;
	set_string(&meta->notificationAddress, "x");
	der = encode_and_free(&asn_DEF_NotificationMetadata, meta, &len);
	REQUIRE(der);
	REQUIRE(der_read_exact(der, len, 0xBF2F, &top) == DER_OK);
	REQUIRE(child(&top, 0x81, &pmo));
	CHECK_INT(pmo.len, 1);
	CHECK_INT(pmo.value[0], 0);
	free(der);
}

/* ---- decoder and encoder errors ------------------------------------------------------------ */

static void test_decode_rejects_indefinite_length(void)
{
	static const uint8_t in[] = { 0xBF, 0x20, 0x80, 0x82, 0x03, 0x02, 0x05, 0x00,
				      0xA9, 0x00, 0xAA, 0x00, 0x00, 0x00 };
	void *value = NULL;

	CHECK_INT(rsp_codec_decode(&asn_DEF_EUICCInfo1, in, sizeof(in), &value),
		  RSP_CODEC_E_NOT_DER);
	CHECK(value == NULL);
}

static void test_decode_rejects_trailing_bytes(void)
{
	static const uint8_t in[] = { 0xBF, 0x20, 0x09, 0x82, 0x03, 0x02, 0x05, 0x00,
				      0xA9, 0x00, 0xAA, 0x00, 0x00 };
	void *value = NULL;

	CHECK_INT(rsp_codec_decode(&asn_DEF_EUICCInfo1, in, sizeof(in) - 1, &value),
		  RSP_CODEC_OK);
	rsp_codec_free(&asn_DEF_EUICCInfo1, value);
	value = NULL;
	CHECK_INT(rsp_codec_decode(&asn_DEF_EUICCInfo1, in, sizeof(in), &value),
		  RSP_CODEC_E_TRAILING);
	CHECK(value == NULL);
}

static void test_decode_rejects_constraint_violation(void)
{
	/* ServerSigned1 with a 15-byte euiccChallenge (Octet16). */
	uint8_t in[2 + 3 + 17 + 3 + 18];
	void *value = NULL;

	memset(in, 0x11, sizeof(in));
	memcpy(in, "\x30\x29\x80\x01\x01\x81\x0F", 7);
	memcpy(in + 7 + 15, "\x83\x01\x61\x84\x10", 5);
	REQUIRE(sizeof(in) == 2 + 0x29);
	CHECK_INT(rsp_codec_decode(&asn_DEF_ServerSigned1, in, sizeof(in), &value),
		  RSP_CODEC_E_CONSTRAINT);
	CHECK(value == NULL);
}

static void test_decode_rejects_wrong_type(void)
{
	static const uint8_t in[] = { 0xBF, 0x20, 0x09, 0x82, 0x03, 0x02, 0x05, 0x00,
				      0xA9, 0x00, 0xAA, 0x00 };
	void *value = NULL;

	CHECK_INT(rsp_codec_decode(&asn_DEF_ServerSigned1, in, sizeof(in), &value),
		  RSP_CODEC_E_DECODE);
	CHECK(value == NULL);
}

static void test_decode_rejects_deep_nesting(void)
{
	uint8_t in[2 * (RSP_CODEC_MAX_DEPTH + 2)];
	size_t i, levels = sizeof(in) / 2;
	void *value = NULL;

	for (i = 0; i < levels; i++) {
		in[2 * i] = 0x30;
		in[2 * i + 1] = (uint8_t)(2 * (levels - i - 1));
	}
	CHECK_INT(rsp_codec_decode(&asn_DEF_Certificate, in, sizeof(in), &value),
		  RSP_CODEC_E_NOT_DER);
	CHECK(value == NULL);
}

static void test_decode_skips_unknown_extension(void)
{
	/* EUICCInfo1 with a later-version component [11] after the known ones. */
	static const uint8_t in[] = { 0xBF, 0x20, 0x0C, 0x82, 0x03, 0x02, 0x05, 0x00,
				      0xA9, 0x00, 0xAA, 0x00, 0x8B, 0x01, 0x00 };
	EUICCInfo1_t *info = NULL;

	CHECK_INT(rsp_codec_decode(&asn_DEF_EUICCInfo1, in, sizeof(in), (void **)&info),
		  RSP_CODEC_OK);
	if (info)
		CHECK_INT(info->svn.size, 3);
	rsp_codec_free(&asn_DEF_EUICCInfo1, info);
}

static void test_decode_rejects_bad_arguments(void)
{
	static const uint8_t in[] = { 0x30, 0x00 };
	void *value = NULL;

	CHECK_INT(rsp_codec_decode(NULL, in, sizeof(in), &value), RSP_CODEC_E_INVALID);
	CHECK_INT(rsp_codec_decode(&asn_DEF_ServerSigned1, NULL, 0, &value), RSP_CODEC_E_INVALID);
	CHECK_INT(rsp_codec_decode(&asn_DEF_ServerSigned1, in, sizeof(in), NULL),
		  RSP_CODEC_E_INVALID);
	rsp_codec_free(&asn_DEF_ServerSigned1, NULL);
}

static void test_encode_rejects_constraint_violation(void)
{
	ServerSigned1_t *ss = calloc(1, sizeof(*ss));
	uint8_t *der = (uint8_t *)"x";
	size_t len = 1;

	REQUIRE(ss);
	set_pattern(&ss->transactionId, 16, 0x10);
	set_pattern(&ss->euiccChallenge, 3, 0x20); /* Octet16 */
	set_string(&ss->serverAddress, "a");
	set_pattern(&ss->serverChallenge, 16, 0x30);
	CHECK_INT(rsp_codec_encode(&asn_DEF_ServerSigned1, ss, MAX_DER, &der, &len),
		  RSP_CODEC_E_CONSTRAINT);
	CHECK(der == NULL);
	CHECK_INT(len, 0);
	rsp_codec_free(&asn_DEF_ServerSigned1, ss);
}

static void test_encode_respects_maximum(void)
{
	ServerSigned1_t *ss = calloc(1, sizeof(*ss));
	uint8_t *der = NULL;
	size_t len;

	REQUIRE(ss);
	set_pattern(&ss->transactionId, 16, 0x10);
	set_pattern(&ss->euiccChallenge, 16, 0x20);
	set_string(&ss->serverAddress, "smdp.example.com");
	set_pattern(&ss->serverChallenge, 16, 0x30);
	CHECK_INT(rsp_codec_encode(&asn_DEF_ServerSigned1, ss, 73, &der, &len),
		  RSP_CODEC_E_TOO_LARGE);
	CHECK(der == NULL);
	CHECK_INT(rsp_codec_encode(&asn_DEF_ServerSigned1, ss, 74, &der, &len), RSP_CODEC_OK);
	CHECK_INT(len, 74);
	free(der);
	rsp_codec_free(&asn_DEF_ServerSigned1, ss);
}

/* ---- small helpers ------------------------------------------------------------------------- */

static void test_bit_helpers(void)
{
	BIT_STRING_t bs = { 0 };

	CHECK(!rsp_codec_bit_get(&bs, 0));
	CHECK_INT(rsp_codec_bit_set(&bs, 9), RSP_CODEC_OK);
	CHECK_INT(bs.size, 2);
	CHECK_INT(bs.bits_unused, 6);
	CHECK(rsp_codec_bit_get(&bs, 9));
	CHECK(!rsp_codec_bit_get(&bs, 8));
	CHECK(!rsp_codec_bit_get(&bs, 10));
	CHECK(!rsp_codec_bit_get(&bs, 100));
	CHECK_INT(rsp_codec_bit_set(&bs, 0), RSP_CODEC_OK);
	CHECK_INT(bs.size, 2);
	CHECK_INT(bs.buf[0], 0x80);
	CHECK_INT(bs.buf[1], 0x40);
	CHECK_INT(rsp_codec_bit_set(NULL, 1), RSP_CODEC_E_INVALID);
	free(bs.buf);
}

static void test_string_helpers(void)
{
	OCTET_STRING_t *os = rsp_codec_octets_new("abc", 3);
	char *s;

	REQUIRE(os);
	s = rsp_codec_string_dup(os, 16);
	CHECK_STR(s, "abc");
	free(s);
	CHECK(rsp_codec_string_dup(os, 2) == NULL);
	CHECK_INT(rsp_codec_octets_set(os, "a\0b", 3), RSP_CODEC_OK);
	CHECK(rsp_codec_string_dup(os, 16) == NULL);
	CHECK_INT(rsp_codec_octets_set(os, NULL, 0), RSP_CODEC_OK);
	s = rsp_codec_string_dup(os, 16);
	CHECK_STR(s, "");
	free(s);
	CHECK_INT(rsp_codec_octets_set(os, NULL, 1), RSP_CODEC_E_INVALID);
	ASN_STRUCT_FREE(asn_DEF_OCTET_STRING, os);
	CHECK_STR(rsp_codec_strerror(RSP_CODEC_E_TRUNCATED), "truncated DER");
	CHECK_STR(rsp_codec_strerror(12345), "unknown codec error");
}

/* A tagged CHOICE sent with a primitive outer tag (9F41 for BF41) must not reach the BER
 * decoder, which would parse the value past the strict DER check. Inputs found by fuzzing. */
static void test_choice_primitive_tag_rejected(void)
{
	static const uint8_t cancel[] = { 0x9f, 0x41, 0x0a, 0x04, 0x88, 0x80, 0x00, 0x00, 0x00,
					  0x00, 0x00, 0x00, 0x00 };
	static const uint8_t auth[] = { 0x9f, 0x38, 0x08, 0xa1, 0x80, 0xa0, 0x00, 0x02, 0x00,
					0x00, 0x00 };
	void *value = NULL;

	CHECK(rsp_codec_decode(&asn_DEF_CancelSessionResponse, cancel, sizeof(cancel), &value) !=
	      RSP_CODEC_OK);
	CHECK(value == NULL);
	CHECK(rsp_codec_decode(&asn_DEF_AuthenticateServerResponse, auth, sizeof(auth), &value) !=
	      RSP_CODEC_OK);
	CHECK(value == NULL);
}

int main(void)
{
	test_program = "test_asn1";
	RUN(test_sgp26_certificates_round_trip);
	RUN(test_choice_primitive_tag_rejected);
	RUN(test_bsp_vector_plaintexts);
	RUN(test_bsp_vector_store_metadata_fields);
	RUN(test_euicc_info1);
	RUN(test_server_signed1);
	RUN(test_smdp_signed2);
	RUN(test_authenticate_server_response);
	RUN(test_authenticate_server_response_error);
	RUN(test_prepare_download_response);
	RUN(test_profile_installation_result);
	RUN(test_profile_installation_error_result);
	RUN(test_bound_profile_package);
	RUN(test_bound_profile_package_segments_decode);
	RUN(test_store_metadata_request);
	RUN(test_other_signed_notification);
	RUN(test_cancel_session_response);
	RUN(test_es9_binding_initiate_authentication);
	RUN(test_es9_binding_nested_choices);
	RUN(test_es11_authenticate_client_ok);
	RUN(test_certificate_long_serial);
	RUN(test_default_profile_class_omitted);
	RUN(test_default_critical_false_omitted);
	RUN(test_default_subtree_minimum_omitted);
	RUN(test_named_bits_trimmed);
	RUN(test_named_bits_empty);
	RUN(test_decode_rejects_indefinite_length);
	RUN(test_decode_rejects_trailing_bytes);
	RUN(test_decode_rejects_constraint_violation);
	RUN(test_decode_rejects_wrong_type);
	RUN(test_decode_rejects_deep_nesting);
	RUN(test_decode_skips_unknown_extension);
	RUN(test_decode_rejects_bad_arguments);
	RUN(test_encode_rejects_constraint_violation);
	RUN(test_encode_respects_maximum);
	RUN(test_bit_helpers);
	RUN(test_string_helpers);
	return test_finish();
}
