/*
 * Unit tests of pki/: certificate parsing and role checks, CI selection, eUICC and server chain
 * verification with the EID range rule, certificate issuing and the test PKI on disk.
 *
 * The SGP.26 test certificates are read from $RSP_SHARED/sgp26 (or the shared folder beside
 * $RSP_REPO); the cases needing them are skipped when absent. Times are fixed, so results do not depend on
 * the clock except in the test PKI case, which issues certificates valid from now.
 */
#include "test/harness.h"

#include <ftw.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/x509_crt.h>

#include "common/crypto.h"
#include "pki/cert.h"
#include "pki/chain.h"
#include "pki/issue.h"
#include "pki/testpki.h"

/* 2026-09-21: inside the validity of every SGP.26 certificate except the expired DPtls ones. */
#define SGP26_NOW ((time_t)1790000000)
#define SGP26_EID "89049032123451234512345678901235"

static const uint8_t NIST_CI_PKID[20] = {
	0xF5, 0x41, 0x72, 0xBD, 0xF9, 0x8A, 0x95, 0xD6, 0x5C, 0xBE,
	0xB8, 0x8A, 0x38, 0xA1, 0xC1, 0x1D, 0x80, 0x0A, 0x85, 0xC3,
};
static const uint8_t BRP_CI_PKID[20] = {
	0xC0, 0xBC, 0x70, 0xBA, 0x36, 0x92, 0x9D, 0x43, 0xB4, 0x67,
	0xFF, 0x57, 0x57, 0x05, 0x30, 0xE5, 0x7A, 0xB8, 0xFC, 0xD8,
};

/* ---- helpers ---- */

static const char *sgp26_dir(void)
{
	static char dir[1024];
	const char *shared = getenv("RSP_SHARED"), *repo = getenv("RSP_REPO");
	struct stat st;

	if (shared != NULL)
		snprintf(dir, sizeof(dir), "%s/sgp26", shared);
	else if (repo != NULL)
		snprintf(dir, sizeof(dir), "%s/../shared/sgp26", repo);
	else
		snprintf(dir, sizeof(dir), "../shared/sgp26");
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? dir : NULL;
}

static char *sgp26_path(const char *name)
{
	static char path[1200];
	const char *dir = sgp26_dir();

	if (dir == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* Reads a whole file; the caller frees the buffer. */
static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long size;

	*len = 0;
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)size);
	if (buf != NULL && fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf != NULL)
		*len = (size_t)size;
	return buf;
}

static uint8_t *read_sgp26(const char *name, size_t *len)
{
	char *path = sgp26_path(name);

	return path != NULL ? read_all(path, len) : NULL;
}

static struct cert *load_sgp26(const char *name)
{
	struct cert *cert = NULL;
	char *path = sgp26_path(name);

	if (path == NULL || cert_load_file(path, &cert) != PKI_OK)
		return NULL;
	return cert;
}

static struct issue_key *load_sgp26_key(const char *name)
{
	struct issue_key *key = NULL;
	char *path = sgp26_path(name);

	if (path == NULL || issue_key_load_file(path, &key) != PKI_OK)
		return NULL;
	return key;
}

/* A store with both SGP.26 CIs, or NULL. */
static struct chain_ci_store *sgp26_store(void)
{
	struct chain_ci_store *store = NULL;

	if (chain_ci_store_new(&store) != PKI_OK)
		return NULL;
	if (chain_ci_store_add_file(store, sgp26_path("CertificateIssuer/CERT_CI_ECDSA_NIST.der"))
	    != PKI_OK ||
	    chain_ci_store_add_file(store, sgp26_path("CertificateIssuer/CERT_CI_ECDSA_BRP.pem"))
	    != PKI_OK) {
		chain_ci_store_free(store);
		return NULL;
	}
	return store;
}

/* Issues a certificate with a new key on the given curve. */
static struct cert *issue_on(enum pki_curve curve, struct issue_params *p,
			     const struct cert *issuer, const struct issue_key *issuer_key,
			     struct issue_key **key_out)
{
	struct issue_key *key = NULL;
	struct cert *cert = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;

	if (issue_key_generate(curve, &key) != PKI_OK)
		return NULL;
	p->subject_key = key;
	p->issuer_cert = issuer;
	p->issuer_key = issuer_key;
	if (p->not_before == 0) {
		p->not_before = SGP26_NOW - 86400;
		p->not_after = SGP26_NOW + 86400 * 365;
	}
	if (issue_certificate(p, &der, &der_len) == PKI_OK)
		cert_parse(der, der_len, &cert);
	free(der);
	if (cert != NULL && key_out != NULL)
		*key_out = key;
	else
		issue_key_free(key);
	return cert;
}

/* Issues a certificate with a new key on the issuer key's curve (or P-256 for a new CI). */
static struct cert *issue(struct issue_params *p, const struct cert *issuer,
			  const struct issue_key *issuer_key, struct issue_key **key_out)
{
	enum pki_curve curve = issuer_key != NULL ? issue_key_curve(issuer_key) : PKI_CURVE_P256;

	return issue_on(curve, p, issuer, issuer_key, key_out);
}

static int verify_with(const struct chain_ci_store *store, const uint8_t *pkid,
		       const struct cert *eum, const struct cert *euicc,
		       struct chain_euicc_result *result)
{
	return chain_verify_euicc(store, pkid, 20, eum->der, eum->der_len, euicc->der,
				  euicc->der_len, SGP26_NOW, result);
}

/* ---- cases without external files ---- */

static void test_curve_values_match_crypto(void)
{
	CHECK_INT(PKI_CURVE_NONE, CRYPTO_CURVE_NONE);
	CHECK_INT(PKI_CURVE_P256, CRYPTO_CURVE_P256);
	CHECK_INT(PKI_CURVE_BRAINPOOLP256R1, CRYPTO_CURVE_BRAINPOOLP256R1);
}

static void test_status_strings_distinct(void)
{
	int a, b;

	for (a = PKI_E_EID_RANGE; a <= PKI_OK; a++) {
		CHECK(strcmp(pki_status_str(a), "unknown error") != 0);
		for (b = a + 1; b <= PKI_OK; b++)
			CHECK(strcmp(pki_status_str(a), pki_status_str(b)) != 0);
	}
}

static void test_eid_check_digits(void)
{
	char eid[RSP_EID_DIGITS + 1];

	CHECK_INT(testpki_eid_check(TESTPKI_DEFAULT_EID), PKI_OK);
	CHECK_INT(testpki_eid_check(SGP26_EID), PKI_OK);
	CHECK_INT(testpki_eid_check("89086030000000000000000000000193"), PKI_E_INVALID_ARG);
	CHECK_INT(testpki_eid_check("8908603000000000000000000000019"), PKI_E_INVALID_ARG);
	CHECK_INT(testpki_eid_check("8908603000000000000000000000019X"), PKI_E_INVALID_ARG);

	REQUIRE(testpki_eid_offset(TESTPKI_DEFAULT_EID, 0, eid) == PKI_OK);
	CHECK_STR(eid, TESTPKI_DEFAULT_EID);
	REQUIRE(testpki_eid_offset(TESTPKI_DEFAULT_EID, 9, eid) == PKI_OK);
	CHECK(strncmp(eid, "890860300000000000000000000010", 30) == 0);
	CHECK_INT(testpki_eid_check(eid), PKI_OK);
	/* An increment that would reach into the EIN is rejected. */
	CHECK_INT(testpki_eid_offset("89086030999999999999999999999900", 1, eid),
		  PKI_E_INVALID_ARG);
}

static void test_parse_rejects_garbage(void)
{
	static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
	struct cert *cert = (struct cert *)1;

	CHECK_INT(cert_parse(junk, sizeof(junk), &cert), PKI_E_PARSE);
	CHECK(cert == NULL);
	CHECK_INT(cert_parse(NULL, 10, &cert), PKI_E_INVALID_ARG);
	CHECK_INT(cert_parse(junk, 0, &cert), PKI_E_PARSE);
	CHECK_INT(cert_load_file("/nonexistent/cert.der", &cert), PKI_E_IO);
}

/* Every certificate of a fresh PKI issued in memory parses back with its fields. */
static void test_issue_roundtrip(void)
{
	struct issue_params p;
	struct issue_key *ci_key = NULL, *eum_key = NULL;
	struct cert *ci, *eum = NULL, *euicc = NULL, *dptls = NULL;

	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_CI;
	ci = issue(&p, NULL, NULL, &ci_key);
	REQUIRE(ci != NULL);
	CHECK_INT(ci->role, CERT_ROLE_CI);
	CHECK_INT(cert_check_role(ci, CERT_ROLE_CI), PKI_OK);
	CHECK_INT(ci->ski_len, 20);
	CHECK_INT(ci->aki_len, 0);

	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_EUM;
	p.ein = "89086030";
	eum = issue(&p, ci, ci_key, &eum_key);
	REQUIRE(eum != NULL);
	CHECK_INT(cert_check_role(eum, CERT_ROLE_EUM), PKI_OK);
	CHECK_INT(eum->range_source, CERT_RANGE_NAME_CONSTRAINTS);
	CHECK_INT(eum->ein_prefix_count, 1);
	CHECK_STR(eum->ein_prefixes[0], "89086030");
	CHECK_STR(eum->range_organization, "RSP Test EUM");
	CHECK_INT(eum->max_path_len, 0);
	CHECK_MEM(eum->aki, ci->ski, 20);
	/* The issuer name is copied byte for byte from the CI's subject. */
	REQUIRE(eum->x509->issuer_raw.len == ci->x509->subject_raw.len);
	CHECK_MEM(eum->x509->issuer_raw.p, ci->x509->subject_raw.p, ci->x509->subject_raw.len);

	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_EUICC;
	p.eid = TESTPKI_DEFAULT_EID;
	euicc = issue(&p, eum, eum_key, NULL);
	REQUIRE(euicc != NULL);
	CHECK_STR(euicc->serial_number, TESTPKI_DEFAULT_EID);
	CHECK_STR(euicc->organization, "RSP Test EUM");
	CHECK_INT(cert_check_role(euicc, CERT_ROLE_EUICC), PKI_OK);
	CHECK_INT(cert_verify_signed_by(euicc, eum), PKI_OK);

	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_DP_TLS;
	p.host = "smdpplus.test";
	p.oid = "2.999.10";
	dptls = issue(&p, ci, ci_key, NULL);
	REQUIRE(dptls != NULL);
	CHECK_STR(dptls->san_dns, "smdpplus.test");
	CHECK_STR(dptls->san_oid, "2.999.10");
	CHECK_INT(dptls->san_oid_der_len, 3);
	CHECK_MEM(dptls->san_oid_der, "\x88\x37\x0a", 3);
	CHECK_INT(cert_check_role(dptls, CERT_ROLE_DP_TLS), PKI_OK);

	cert_free(dptls);
	cert_free(euicc);
	cert_free(eum);
	cert_free(ci);
	issue_key_free(eum_key);
	issue_key_free(ci_key);
}

static void test_issue_rejects_bad_params(void)
{
	struct issue_params p;
	struct issue_key *key = NULL;
	uint8_t *der = NULL;
	size_t len = 0;

	REQUIRE(issue_key_generate(PKI_CURVE_P256, &key) == PKI_OK);
	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_CI;
	p.subject_key = key;
	p.not_before = SGP26_NOW;
	p.not_after = SGP26_NOW - 1;
	CHECK_INT(issue_certificate(&p, &der, &len), PKI_E_INVALID_ARG); /* validity reversed */
	p.not_after = SGP26_NOW + 1;
	p.oid = "2.x.1";
	CHECK_INT(issue_certificate(&p, &der, &len), PKI_E_INVALID_ARG); /* malformed OID */
	p.oid = NULL;
	p.role = CERT_ROLE_EUICC;
	CHECK_INT(issue_certificate(&p, &der, &len), PKI_E_INVALID_ARG); /* no issuer, no EID */
	CHECK(der == NULL);
	issue_key_free(key);
}

/* One CI, EUM and eUICC issued in memory on a curve. */
struct own_chain {
	struct cert *ci, *eum, *euicc;
	struct issue_key *ci_key, *eum_key;
};

static int make_own_chain(enum pki_curve curve, struct own_chain *c)
{
	struct issue_params p;

	memset(c, 0, sizeof(*c));
	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_CI;
	c->ci = issue_on(curve, &p, NULL, NULL, &c->ci_key);
	if (c->ci == NULL)
		return -1;
	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_EUM;
	p.ein = "89086030";
	c->eum = issue(&p, c->ci, c->ci_key, &c->eum_key);
	if (c->eum == NULL)
		return -1;
	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_EUICC;
	p.eid = TESTPKI_DEFAULT_EID;
	c->euicc = issue(&p, c->eum, c->eum_key, NULL);
	return c->euicc != NULL ? 0 : -1;
}

static void free_own_chain(struct own_chain *c)
{
	cert_free(c->euicc);
	cert_free(c->eum);
	cert_free(c->ci);
	issue_key_free(c->eum_key);
	issue_key_free(c->ci_key);
}

/* The negative chain cases on certificates issued here, so they run without SGP.26 files. */
static void test_own_chain_negative_cases(void)
{
	struct chain_ci_store *store = NULL;
	struct chain_euicc_result result = { 0 };
	struct own_chain nist, brp;
	struct issue_params p;
	struct cert *dpauth, *outside, *expired, *mixed, *tampered = NULL;
	uint8_t *der, *name;

	REQUIRE(make_own_chain(PKI_CURVE_P256, &nist) == 0);
	REQUIRE(make_own_chain(PKI_CURVE_BRAINPOOLP256R1, &brp) == 0);
	REQUIRE(chain_ci_store_new(&store) == PKI_OK);
	REQUIRE(chain_ci_store_add(store, nist.ci->der, nist.ci->der_len) == PKI_OK);
	REQUIRE(chain_ci_store_add(store, brp.ci->der, brp.ci->der_len) == PKI_OK);

	CHECK_INT(verify_with(store, nist.ci->ski, nist.eum, nist.euicc, &result), PKI_OK);
	CHECK_INT(verify_with(store, brp.ci->ski, brp.eum, brp.euicc, &result), PKI_OK);
	CHECK(chain_ci_store_find(store, brp.ci->ski, 20, PKI_CURVE_P256) == NULL);
	/* EUM of the brainpool CI checked against the P-256 CI chosen for the session. */
	CHECK_INT(verify_with(store, nist.ci->ski, brp.eum, brp.euicc, &result), PKI_E_UNKNOWN_CI);
	/* A DPauth certificate of the same CI in the EUM's place. */
	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_DP_AUTH;
	p.oid = "2.999.10";
	dpauth = issue(&p, nist.ci, nist.ci_key, NULL);
	REQUIRE(dpauth != NULL);
	CHECK_INT(verify_with(store, nist.ci->ski, dpauth, nist.euicc, &result), PKI_E_ROLE);
	CHECK_INT(result.failed, CHAIN_POS_EUM);

	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_EUICC;
	p.eid = SGP26_EID;
	outside = issue(&p, nist.eum, nist.eum_key, NULL);
	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_EUICC;
	p.eid = TESTPKI_DEFAULT_EID;
	p.not_before = SGP26_NOW - 86400 * 400;
	p.not_after = SGP26_NOW - 86400 * 300;
	expired = issue(&p, nist.eum, nist.eum_key, NULL);
	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_EUICC;
	p.eid = TESTPKI_DEFAULT_EID;
	mixed = issue_on(PKI_CURVE_BRAINPOOLP256R1, &p, nist.eum, nist.eum_key, NULL);
	REQUIRE(outside != NULL);
	REQUIRE(expired != NULL);
	REQUIRE(mixed != NULL);
	CHECK_INT(verify_with(store, nist.ci->ski, nist.eum, outside, &result), PKI_E_EID_RANGE);
	CHECK_INT(verify_with(store, nist.ci->ski, nist.eum, expired, &result),
		  PKI_E_EUICC_EXPIRED);
	/* A brainpool eUICC key under a P-256 EUM: one chain, one curve. */
	CHECK_INT(verify_with(store, nist.ci->ski, nist.eum, mixed, &result), PKI_E_EUICC_INVALID);

	/* A changed byte in the signed part of the eUICC certificate. */
	der = malloc(brp.euicc->der_len);
	REQUIRE(der != NULL);
	memcpy(der, brp.euicc->der, brp.euicc->der_len);
	name = memmem(der, brp.euicc->der_len, "RSP Test eUICC", 14);
	REQUIRE(name != NULL);
	name[0] = 'X';
	REQUIRE(cert_parse(der, brp.euicc->der_len, &tampered) == PKI_OK);
	CHECK_INT(verify_with(store, brp.ci->ski, brp.eum, tampered, &result), PKI_E_EUICC_INVALID);
	cert_free(tampered);
	free(der);

	chain_euicc_result_clear(&result);
	cert_free(mixed);
	cert_free(expired);
	cert_free(outside);
	cert_free(dpauth);
	chain_ci_store_free(store);
	free_own_chain(&brp);
	free_own_chain(&nist);
}

/* ---- SGP.26 certificates ---- */

static const struct {
	const char *file;
	enum cert_role role;
	enum pki_curve curve;
} sgp26_certs[] = {
	{ "CertificateIssuer/CERT_CI_ECDSA_NIST.der", CERT_ROLE_CI, PKI_CURVE_P256 },
	{ "CertificateIssuer/CERT_CI_ECDSA_BRP.der", CERT_ROLE_CI, PKI_CURVE_BRAINPOOLP256R1 },
	{ "EUM/CERT_EUM_ECDSA_NIST.der", CERT_ROLE_EUM, PKI_CURVE_P256 },
	{ "EUM/CERT_EUM_ECDSA_BRP.der", CERT_ROLE_EUM, PKI_CURVE_BRAINPOOLP256R1 },
	{ "eUICC/CERT_EUICC_ECDSA_NIST.der", CERT_ROLE_EUICC, PKI_CURVE_P256 },
	{ "eUICC/CERT_EUICC_ECDSA_BRP.der", CERT_ROLE_EUICC, PKI_CURVE_BRAINPOOLP256R1 },
	{ "DPauth/CERT_S_SM_DPauth_ECDSA_NIST.der", CERT_ROLE_DP_AUTH, PKI_CURVE_P256 },
	{ "DPauth/CERT_S_SM_DPauth_ECDSA_BRP.der", CERT_ROLE_DP_AUTH, PKI_CURVE_BRAINPOOLP256R1 },
	{ "DPauth/CERT_S_SM_DP2auth_ECDSA_NIST.der", CERT_ROLE_DP_AUTH, PKI_CURVE_P256 },
	{ "DPauth/CERT_S_SM_DP2auth_ECDSA_BRP.der", CERT_ROLE_DP_AUTH, PKI_CURVE_BRAINPOOLP256R1 },
	{ "DPpb/CERT_S_SM_DPpb_ECDSA_NIST.der", CERT_ROLE_DP_PB, PKI_CURVE_P256 },
	{ "DPpb/CERT_S_SM_DPpb_ECDSA_BRP.der", CERT_ROLE_DP_PB, PKI_CURVE_BRAINPOOLP256R1 },
	{ "DPpb/CERT_S_SM_DP2pb_ECDSA_NIST.der", CERT_ROLE_DP_PB, PKI_CURVE_P256 },
	{ "DPpb/CERT_S_SM_DP2pb_ECDSA_BRP.der", CERT_ROLE_DP_PB, PKI_CURVE_BRAINPOOLP256R1 },
	{ "DPtls/CERT_S_SM_DP_VARO_TLS_NIST.der", CERT_ROLE_DP_TLS, PKI_CURVE_P256 },
	{ "DPtls/CERT_S_SM_DP_VARO_TLS_BRP.der", CERT_ROLE_DP_TLS, PKI_CURVE_BRAINPOOLP256R1 },
	{ "DPtls/expired/CERT_S_SM_DP_TLS_NIST.der", CERT_ROLE_DP_TLS, PKI_CURVE_P256 },
	{ "DPtls/expired/CERT_S_SM_DP_TLS_BRP.der", CERT_ROLE_DP_TLS, PKI_CURVE_BRAINPOOLP256R1 },
	{ "DPtls/expired/CERT_S_SM_DP2_TLS.der", CERT_ROLE_DP_TLS, PKI_CURVE_P256 },
};

static void test_sgp26_parse_all(void)
{
	size_t i;

	if (sgp26_dir() == NULL)
		SKIP("SGP.26 certificates not found (set RSP_SHARED)");
	for (i = 0; i < sizeof(sgp26_certs) / sizeof(sgp26_certs[0]); i++) {
		struct cert *cert = load_sgp26(sgp26_certs[i].file);

		if (cert == NULL) {
			test_fail_at(__FILE__, __LINE__, "%s: %s does not parse", __func__,
				     sgp26_certs[i].file);
			continue;
		}
		CHECK_INT(cert->role, sgp26_certs[i].role);
		CHECK_INT(cert->curve, sgp26_certs[i].curve);
		CHECK_INT(cert_check_role(cert, sgp26_certs[i].role), PKI_OK);
		CHECK_INT(cert->ski_len, 20);
		CHECK_INT(cert->public_point[0], 0x04);
		if (cert->role != CERT_ROLE_CI) {
			CHECK_INT(cert->aki_len, 20);
		}
		cert_free(cert);
	}
}

static void test_sgp26_fields(void)
{
	struct cert *ci_nist, *ci_brp, *eum, *euicc, *dpauth, *dptls;

	if (sgp26_dir() == NULL)
		SKIP("SGP.26 certificates not found (set RSP_SHARED)");
	ci_nist = load_sgp26("CertificateIssuer/CERT_CI_ECDSA_NIST.pem");
	ci_brp = load_sgp26("CertificateIssuer/CERT_CI_ECDSA_BRP.der");
	eum = load_sgp26("EUM/CERT_EUM_ECDSA_BRP.der");
	euicc = load_sgp26("eUICC/CERT_EUICC_ECDSA_NIST.der");
	dpauth = load_sgp26("DPauth/CERT_S_SM_DPauth_ECDSA_NIST.der");
	dptls = load_sgp26("DPtls/CERT_S_SM_DP_VARO_TLS_BRP.der");
	REQUIRE(ci_nist != NULL);
	REQUIRE(ci_brp != NULL);
	REQUIRE(eum != NULL);
	REQUIRE(euicc != NULL);
	REQUIRE(dpauth != NULL);
	REQUIRE(dptls != NULL);

	CHECK_MEM(ci_nist->ski, NIST_CI_PKID, 20);
	CHECK_MEM(ci_brp->ski, BRP_CI_PKID, 20);
	CHECK_INT(ci_nist->key_usage, CERT_KU_KEY_CERT_SIGN | CERT_KU_CRL_SIGN);
	CHECK_STR(ci_nist->san_oid, "2.999.1");

	CHECK_MEM(eum->aki, BRP_CI_PKID, 20);
	CHECK_INT(eum->range_source, CERT_RANGE_NAME_CONSTRAINTS);
	CHECK_INT(eum->ein_prefix_count, 1);
	CHECK_STR(eum->ein_prefixes[0], "89049032");
	CHECK_STR(eum->range_organization, "RSP Test EUM");
	CHECK_INT(cert_check_eid_range(eum, SGP26_EID), PKI_OK);
	CHECK_INT(cert_check_eid_range(eum, TESTPKI_DEFAULT_EID), PKI_E_EID_RANGE);
	CHECK_INT(cert_check_eid_range(eum, "8904903212345"), PKI_E_INVALID_ARG);

	CHECK_STR(euicc->serial_number, SGP26_EID);
	CHECK_INT(euicc->key_usage, CERT_KU_DIGITAL_SIGNATURE);
	/* notAfter 7496-01-24 09:48:58 UTC, a GeneralizedTime far beyond 2038 */
	CHECK_INT((long long)euicc->not_after, 174385734538LL);

	CHECK_STR(dpauth->san_oid, "2.999.10");
	CHECK_INT(dpauth->san_oid_der_len, 3);
	CHECK_MEM(dpauth->san_oid_der, "\x88\x37\x0a", 3);
	CHECK_STR(dptls->san_dns, "testsmdpplus1.example.com");

	cert_free(dptls);
	cert_free(dpauth);
	cert_free(euicc);
	cert_free(eum);
	cert_free(ci_brp);
	cert_free(ci_nist);
}

static void test_sgp26_euicc_chains(void)
{
	static const struct {
		const char *eum, *euicc;
		const uint8_t *pkid;
	} chains[] = {
		{ "EUM/CERT_EUM_ECDSA_NIST.der", "eUICC/CERT_EUICC_ECDSA_NIST.der", NIST_CI_PKID },
		{ "EUM/CERT_EUM_ECDSA_BRP.der", "eUICC/CERT_EUICC_ECDSA_BRP.der", BRP_CI_PKID },
	};
	struct chain_ci_store *store;
	size_t i;

	if (sgp26_dir() == NULL)
		SKIP("SGP.26 certificates not found (set RSP_SHARED)");
	store = sgp26_store();
	REQUIRE(store != NULL);
	CHECK_INT(chain_ci_store_count(store), 2);
	for (i = 0; i < 2; i++) {
		struct chain_euicc_result result = { 0 };
		uint8_t *eum, *euicc;
		size_t eum_len, euicc_len;
		int rc;

		eum = read_sgp26(chains[i].eum, &eum_len);
		euicc = read_sgp26(chains[i].euicc, &euicc_len);
		REQUIRE(eum != NULL);
		REQUIRE(euicc != NULL);
		rc = chain_verify_euicc(store, chains[i].pkid, 20, eum, eum_len, euicc, euicc_len,
					SGP26_NOW, &result);
		CHECK_INT(rc, PKI_OK);
		CHECK_INT(result.failed, CHAIN_POS_NONE);
		CHECK_STR(result.eid, SGP26_EID);
		CHECK(result.ci == chain_ci_store_find(store, chains[i].pkid, 20,
						       result.euicc->curve));
		CHECK_MEM(result.ci->ski, chains[i].pkid, 20);
		chain_euicc_result_clear(&result);
		CHECK(result.eum == NULL);
		CHECK(result.euicc == NULL);
		free(euicc);
		free(eum);
	}
	chain_ci_store_free(store);
}

static void test_sgp26_server_chains(void)
{
	struct chain_ci_store *store;
	struct cert *out = NULL;
	uint8_t *der;
	size_t len;

	if (sgp26_dir() == NULL)
		SKIP("SGP.26 certificates not found (set RSP_SHARED)");
	store = sgp26_store();
	REQUIRE(store != NULL);

	der = read_sgp26("DPauth/CERT_S_SM_DPauth_ECDSA_BRP.der", &len);
	REQUIRE(der != NULL);
	CHECK_INT(chain_verify_server(store, der, len, CERT_ROLE_DP_AUTH, SGP26_NOW, &out), PKI_OK);
	REQUIRE(out != NULL);
	CHECK_INT(out->curve, PKI_CURVE_BRAINPOOLP256R1);
	cert_free(out);
	/* A DPauth certificate presented where DPpb is expected has the wrong role. */
	CHECK_INT(chain_verify_server(store, der, len, CERT_ROLE_DP_PB, SGP26_NOW, &out), PKI_E_ROLE);
	CHECK(out == NULL);
	CHECK_INT(chain_verify_server(store, der, len, CERT_ROLE_EUM, SGP26_NOW, NULL),
		  PKI_E_INVALID_ARG);
	free(der);

	der = read_sgp26("DPpb/CERT_S_SM_DPpb_ECDSA_NIST.der", &len);
	REQUIRE(der != NULL);
	CHECK_INT(chain_verify_server(store, der, len, CERT_ROLE_DP_PB, SGP26_NOW, NULL), PKI_OK);
	free(der);

	der = read_sgp26("DPtls/CERT_S_SM_DP_VARO_TLS_NIST.der", &len);
	REQUIRE(der != NULL);
	CHECK_INT(chain_verify_server(store, der, len, CERT_ROLE_DP_TLS, SGP26_NOW, NULL), PKI_OK);
	free(der);

	der = read_sgp26("DPtls/expired/CERT_S_SM_DP_TLS_NIST.der", &len);
	REQUIRE(der != NULL);
	CHECK_INT(chain_verify_server(store, der, len, CERT_ROLE_DP_TLS, SGP26_NOW, NULL),
		  PKI_E_EXPIRED);
	free(der);
	chain_ci_store_free(store);
}

static void test_ci_store_selection(void)
{
	struct chain_ci_store *store;
	uint8_t *der;
	size_t len;

	if (sgp26_dir() == NULL)
		SKIP("SGP.26 certificates not found (set RSP_SHARED)");
	store = sgp26_store();
	REQUIRE(store != NULL);
	CHECK(chain_ci_store_find(store, NIST_CI_PKID, 20, PKI_CURVE_P256) != NULL);
	CHECK(chain_ci_store_find(store, BRP_CI_PKID, 20, PKI_CURVE_BRAINPOOLP256R1) != NULL);
	/* The right key identifier on the wrong curve selects nothing. */
	CHECK(chain_ci_store_find(store, NIST_CI_PKID, 20, PKI_CURVE_BRAINPOOLP256R1) == NULL);
	CHECK(chain_ci_store_find(store, BRP_CI_PKID, 20, PKI_CURVE_P256) == NULL);
	CHECK(chain_ci_store_find(store, NIST_CI_PKID, 20, PKI_CURVE_NONE) == NULL);
	CHECK(chain_ci_store_find(store, NIST_CI_PKID, 19, PKI_CURVE_P256) == NULL);

	der = read_sgp26("CertificateIssuer/CERT_CI_ECDSA_NIST.der", &len);
	REQUIRE(der != NULL);
	CHECK_INT(chain_ci_store_add(store, der, len), PKI_E_DUPLICATE);
	free(der);
	der = read_sgp26("EUM/CERT_EUM_ECDSA_NIST.der", &len);
	REQUIRE(der != NULL);
	CHECK_INT(chain_ci_store_add(store, der, len), PKI_E_ROLE);
	free(der);
	CHECK_INT(chain_ci_store_count(store), 2);
	chain_ci_store_free(store);
}

/* A brainpool chain verified with the NIST CI's key identifier: no such CI on that curve. */
static void test_euicc_chain_wrong_curve_ci(void)
{
	struct chain_ci_store *store;
	struct chain_euicc_result result = { 0 };
	struct cert *eum, *euicc;

	if (sgp26_dir() == NULL)
		SKIP("SGP.26 certificates not found (set RSP_SHARED)");
	store = sgp26_store();
	eum = load_sgp26("EUM/CERT_EUM_ECDSA_BRP.der");
	euicc = load_sgp26("eUICC/CERT_EUICC_ECDSA_BRP.der");
	REQUIRE(store != NULL);
	REQUIRE(eum != NULL);
	REQUIRE(euicc != NULL);
	CHECK_INT(verify_with(store, NIST_CI_PKID, eum, euicc, &result), PKI_E_UNKNOWN_CI);
	CHECK_INT(result.failed, CHAIN_POS_CI);
	/* The eUICC certificate is still available for logging. */
	REQUIRE(result.euicc != NULL);
	CHECK_STR(result.euicc->serial_number, SGP26_EID);
	chain_euicc_result_clear(&result);
	cert_free(euicc);
	cert_free(eum);
	chain_ci_store_free(store);
}

/* An EUM of another CI, and an EUM that names the chosen CI but carries a forged signature. */
static void test_euicc_chain_eum_not_from_ci(void)
{
	struct chain_ci_store *store;
	struct chain_euicc_result result = { 0 };
	struct issue_params p;
	struct issue_key *other_ci_key = NULL, *eum_key = NULL, *forged_key = NULL;
	struct cert *other_ci, *eum, *euicc, *sgp26_ci, *forged_eum, *forged_euicc;

	if (sgp26_dir() == NULL)
		SKIP("SGP.26 certificates not found (set RSP_SHARED)");
	store = sgp26_store();
	REQUIRE(store != NULL);

	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_CI;
	other_ci = issue(&p, NULL, NULL, &other_ci_key);
	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_EUM;
	p.ein = "89049032";
	eum = issue(&p, other_ci, other_ci_key, &eum_key);
	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_EUICC;
	p.eid = SGP26_EID;
	euicc = issue(&p, eum, eum_key, NULL);
	REQUIRE(other_ci != NULL);
	REQUIRE(eum != NULL);
	REQUIRE(euicc != NULL);

	CHECK_INT(verify_with(store, NIST_CI_PKID, eum, euicc, &result), PKI_E_UNKNOWN_CI);
	CHECK_INT(result.failed, CHAIN_POS_EUM);
	/* The other CI is not loaded at all. */
	CHECK_INT(verify_with(store, other_ci->ski, eum, euicc, &result), PKI_E_UNKNOWN_CI);
	CHECK_INT(result.failed, CHAIN_POS_CI);

	/* Issuer name and AKI of the SGP.26 CI, signature by another key. */
	sgp26_ci = load_sgp26("CertificateIssuer/CERT_CI_ECDSA_NIST.der");
	REQUIRE(sgp26_ci != NULL);
	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_EUM;
	p.ein = "89049032";
	forged_eum = issue(&p, sgp26_ci, other_ci_key, &forged_key);
	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_EUICC;
	p.eid = SGP26_EID;
	forged_euicc = issue(&p, forged_eum, forged_key, NULL);
	REQUIRE(forged_eum != NULL);
	REQUIRE(forged_euicc != NULL);
	CHECK_INT(verify_with(store, NIST_CI_PKID, forged_eum, forged_euicc, &result),
		  PKI_E_EUM_INVALID);
	CHECK_INT(result.failed, CHAIN_POS_EUM);

	chain_euicc_result_clear(&result);
	cert_free(forged_euicc);
	cert_free(forged_eum);
	cert_free(sgp26_ci);
	cert_free(euicc);
	cert_free(eum);
	cert_free(other_ci);
	issue_key_free(forged_key);
	issue_key_free(eum_key);
	issue_key_free(other_ci_key);
	chain_ci_store_free(store);
}

/* eUICCs issued by the SGP.26 EUM key: EID outside the range, expired, and both EUM forms. */
static void test_euicc_chain_eid_range_and_expiry(void)
{
	struct chain_ci_store *store;
	struct chain_euicc_result result = { 0 };
	struct issue_params p;
	struct issue_key *eum_key, *ci_key, *old_eum_key = NULL, *eins_key = NULL;
	struct cert *eum, *ci, *outside, *expired, *old_eum, *under_old, *eins_eum, *inside,
		    *eins_outside;

	if (sgp26_dir() == NULL)
		SKIP("SGP.26 certificates not found (set RSP_SHARED)");
	store = sgp26_store();
	eum = load_sgp26("EUM/CERT_EUM_ECDSA_NIST.der");
	ci = load_sgp26("CertificateIssuer/CERT_CI_ECDSA_NIST.der");
	eum_key = load_sgp26_key("EUM/SK_EUM_ECDSA_NIST.pem");
	ci_key = load_sgp26_key("CertificateIssuer/SK_CI_ECDSA_NIST.pem");
	REQUIRE(store != NULL);
	REQUIRE(eum != NULL);
	REQUIRE(ci != NULL);
	REQUIRE(eum_key != NULL);
	REQUIRE(ci_key != NULL);
	CHECK_INT(issue_key_matches_cert(eum_key, eum), PKI_OK);
	CHECK_INT(issue_key_matches_cert(ci_key, eum), PKI_E_INVALID_ARG);

	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_EUICC;
	p.eid = TESTPKI_DEFAULT_EID; /* EIN 89086030, the EUM permits 89049032 */
	outside = issue(&p, eum, eum_key, NULL);
	REQUIRE(outside != NULL);
	CHECK_INT(verify_with(store, NIST_CI_PKID, eum, outside, &result), PKI_E_EID_RANGE);
	CHECK_INT(result.failed, CHAIN_POS_EUICC);

	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_EUICC;
	p.eid = SGP26_EID;
	p.not_before = SGP26_NOW - 86400 * 20;
	p.not_after = SGP26_NOW - 86400 * 10;
	expired = issue(&p, eum, eum_key, NULL);
	REQUIRE(expired != NULL);
	CHECK_INT(verify_with(store, NIST_CI_PKID, eum, expired, &result), PKI_E_EUICC_EXPIRED);
	CHECK_INT(result.failed, CHAIN_POS_EUICC);

	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_EUM;
	p.ein = "89049032";
	p.not_before = SGP26_NOW - 86400 * 20;
	p.not_after = SGP26_NOW - 86400 * 10;
	old_eum = issue(&p, ci, ci_key, &old_eum_key);
	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_EUICC;
	p.eid = SGP26_EID;
	under_old = issue(&p, old_eum, old_eum_key, NULL);
	REQUIRE(old_eum != NULL);
	REQUIRE(under_old != NULL);
	CHECK_INT(verify_with(store, NIST_CI_PKID, old_eum, under_old, &result),
		  PKI_E_EUM_EXPIRED);
	CHECK_INT(result.failed, CHAIN_POS_EUM);

	/* An EUM whose range is in the GSMA permittedEins extension. */
	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_EUM;
	p.ein = "8904903212";
	p.ein_as_permitted_eins = 1;
	eins_eum = issue(&p, ci, ci_key, &eins_key);
	REQUIRE(eins_eum != NULL);
	CHECK_INT(eins_eum->range_source, CERT_RANGE_PERMITTED_EINS);
	CHECK_STR(eins_eum->ein_prefixes[0], "8904903212");
	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_EUICC;
	p.eid = SGP26_EID;
	inside = issue(&p, eins_eum, eins_key, NULL);
	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_EUICC;
	p.eid = "89049032999999999999999999999907";
	eins_outside = issue(&p, eins_eum, eins_key, NULL);
	REQUIRE(inside != NULL);
	REQUIRE(eins_outside != NULL);
	CHECK_INT(verify_with(store, NIST_CI_PKID, eins_eum, inside, &result), PKI_OK);
	CHECK_INT(verify_with(store, NIST_CI_PKID, eins_eum, eins_outside, &result),
		  PKI_E_EID_RANGE);

	chain_euicc_result_clear(&result);
	cert_free(eins_outside);
	cert_free(inside);
	cert_free(eins_eum);
	cert_free(under_old);
	cert_free(old_eum);
	cert_free(expired);
	cert_free(outside);
	cert_free(ci);
	cert_free(eum);
	issue_key_free(eins_key);
	issue_key_free(old_eum_key);
	issue_key_free(ci_key);
	issue_key_free(eum_key);
	chain_ci_store_free(store);
}

static void test_euicc_chain_wrong_roles(void)
{
	struct chain_ci_store *store;
	struct chain_euicc_result result = { 0 };
	struct cert *eum, *euicc, *dpauth;

	if (sgp26_dir() == NULL)
		SKIP("SGP.26 certificates not found (set RSP_SHARED)");
	store = sgp26_store();
	eum = load_sgp26("EUM/CERT_EUM_ECDSA_NIST.der");
	euicc = load_sgp26("eUICC/CERT_EUICC_ECDSA_NIST.der");
	dpauth = load_sgp26("DPauth/CERT_S_SM_DPauth_ECDSA_NIST.der");
	REQUIRE(store != NULL);
	REQUIRE(eum != NULL);
	REQUIRE(euicc != NULL);
	REQUIRE(dpauth != NULL);

	/* DPauth (issued by the same CI) in the EUM's place. */
	CHECK_INT(verify_with(store, NIST_CI_PKID, dpauth, euicc, &result), PKI_E_ROLE);
	CHECK_INT(result.failed, CHAIN_POS_EUM);
	/* The EUM certificate in the eUICC's place. */
	CHECK_INT(verify_with(store, NIST_CI_PKID, eum, eum, &result), PKI_E_ROLE);
	CHECK_INT(result.failed, CHAIN_POS_EUICC);
	CHECK_INT(cert_check_role(eum, CERT_ROLE_CI), PKI_E_ROLE);

	chain_euicc_result_clear(&result);
	cert_free(dpauth);
	cert_free(euicc);
	cert_free(eum);
	chain_ci_store_free(store);
}

/* Changes one byte of the eUICC certificate: in the signature, and in the signed subject. */
static void test_euicc_chain_tampered(void)
{
	struct chain_ci_store *store;
	struct chain_euicc_result result = { 0 };
	uint8_t *eum, *euicc, *name;
	size_t eum_len, euicc_len, sig_at;
	int rc;

	if (sgp26_dir() == NULL)
		SKIP("SGP.26 certificates not found (set RSP_SHARED)");
	store = sgp26_store();
	eum = read_sgp26("EUM/CERT_EUM_ECDSA_NIST.der", &eum_len);
	euicc = read_sgp26("eUICC/CERT_EUICC_ECDSA_NIST.der", &euicc_len);
	REQUIRE(store != NULL);
	REQUIRE(eum != NULL);
	REQUIRE(euicc != NULL);

	/* The signature ends the certificate: 02 20 r 02 20 s (or 21 with a leading zero). Change
	 * a byte of s, which keeps the DER valid. */
	sig_at = euicc_len - 5;
	euicc[sig_at] ^= 0x01;
	rc = chain_verify_euicc(store, NIST_CI_PKID, 20, eum, eum_len, euicc, euicc_len, SGP26_NOW,
				&result);
	CHECK_INT(rc, PKI_E_EUICC_INVALID);
	CHECK_INT(result.failed, CHAIN_POS_EUICC);
	euicc[sig_at] ^= 0x01;

	name = memmem(euicc, euicc_len, "Test eUICC", 10);
	REQUIRE(name != NULL);
	name[0] = 'B';
	rc = chain_verify_euicc(store, NIST_CI_PKID, 20, eum, eum_len, euicc, euicc_len, SGP26_NOW,
				&result);
	CHECK_INT(rc, PKI_E_EUICC_INVALID);
	name[0] = 'T';

	/* Tampering the EUM breaks the CI's signature on it. */
	name = memmem(eum, eum_len, "EUM Test", 8);
	REQUIRE(name != NULL);
	name[0] = 'F';
	rc = chain_verify_euicc(store, NIST_CI_PKID, 20, eum, eum_len, euicc, euicc_len, SGP26_NOW,
				&result);
	CHECK_INT(rc, PKI_E_EUM_INVALID);
	name[0] = 'E';

	rc = chain_verify_euicc(store, NIST_CI_PKID, 20, eum, eum_len, euicc, euicc_len, SGP26_NOW,
				&result);
	CHECK_INT(rc, PKI_OK);
	chain_euicc_result_clear(&result);
	free(euicc);
	free(eum);
	chain_ci_store_free(store);
}

/* Every proper prefix of a certificate, and the certificate with a byte appended, is rejected. */
static void check_truncations(const uint8_t *der, size_t len, const char *name)
{
	uint8_t *longer;
	size_t i;

	for (i = 0; i < len; i++) {
		struct cert *cert = (struct cert *)1;
		int rc = cert_parse(der, i, &cert);

		if (rc == PKI_OK || cert != NULL) {
			test_fail_at(__FILE__, __LINE__, "%s: %s prefix of %zu bytes accepted",
				     __func__, name, i);
			cert_free(rc == PKI_OK ? cert : NULL);
			return;
		}
	}
	longer = malloc(len + 1);
	REQUIRE(longer != NULL);
	memcpy(longer, der, len);
	longer[len] = 0;
	{
		struct cert *cert = NULL;

		CHECK_INT(cert_parse(longer, len + 1, &cert), PKI_E_PARSE);
		CHECK_INT(cert_parse(longer, len, &cert), PKI_OK);
		cert_free(cert);
	}
	free(longer);
}

static void test_truncated_certificates(void)
{
	struct issue_params p;
	struct issue_key *ci_key = NULL, *eum_key = NULL;
	struct cert *ci, *eum;
	size_t i;

	/* Our own CI and EUM (with nameConstraints) always. */
	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_CI;
	p.oid = "2.999.1";
	ci = issue(&p, NULL, NULL, &ci_key);
	memset(&p, 0, sizeof(p));
	p.role = CERT_ROLE_EUM;
	p.ein = "89086030";
	eum = issue(&p, ci, ci_key, &eum_key);
	REQUIRE(ci != NULL);
	REQUIRE(eum != NULL);
	check_truncations(ci->der, ci->der_len, "CI");
	check_truncations(eum->der, eum->der_len, "EUM");
	cert_free(eum);
	cert_free(ci);
	issue_key_free(eum_key);
	issue_key_free(ci_key);

	if (sgp26_dir() == NULL)
		return; /* the SGP.26 part runs only where the files are */
	for (i = 0; i < sizeof(sgp26_certs) / sizeof(sgp26_certs[0]); i++) {
		uint8_t *der;
		size_t len;

		der = read_sgp26(sgp26_certs[i].file, &len);
		REQUIRE(der != NULL);
		check_truncations(der, len, sgp26_certs[i].file);
		free(der);
	}
}

/* A truncated EUM or eUICC certificate in a chain is reported as a parse error at its place. */
static void test_euicc_chain_truncated_input(void)
{
	struct chain_ci_store *store;
	struct chain_euicc_result result = { 0 };
	uint8_t *eum, *euicc;
	size_t eum_len, euicc_len;

	if (sgp26_dir() == NULL)
		SKIP("SGP.26 certificates not found (set RSP_SHARED)");
	store = sgp26_store();
	eum = read_sgp26("EUM/CERT_EUM_ECDSA_BRP.der", &eum_len);
	euicc = read_sgp26("eUICC/CERT_EUICC_ECDSA_BRP.der", &euicc_len);
	REQUIRE(store != NULL);
	REQUIRE(eum != NULL);
	REQUIRE(euicc != NULL);
	CHECK_INT(chain_verify_euicc(store, BRP_CI_PKID, 20, eum, eum_len - 1, euicc, euicc_len,
				     SGP26_NOW, &result), PKI_E_PARSE);
	CHECK_INT(result.failed, CHAIN_POS_EUM);
	CHECK_INT(chain_verify_euicc(store, BRP_CI_PKID, 20, eum, eum_len, euicc, 10, SGP26_NOW,
				     &result), PKI_E_PARSE);
	CHECK_INT(result.failed, CHAIN_POS_EUICC);
	chain_euicc_result_clear(&result);
	free(euicc);
	free(eum);
	chain_ci_store_free(store);
}

/* ---- the test PKI on disk ---- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int count_blocks(const char *path, const char *marker)
{
	size_t len;
	uint8_t *data = read_all(path, &len);
	char *text, *p;
	int n = 0;

	if (data == NULL)
		return -1;
	text = calloc(1, len + 1);
	if (text != NULL) {
		memcpy(text, data, len);
		for (p = text; (p = strstr(p, marker)) != NULL; p += strlen(marker))
			n++;
	}
	free(text);
	free(data);
	return n;
}

/* Checks the PKI of one curve directory made by testpki_create. */
static void check_testpki_curve(const char *dir, enum pki_curve curve)
{
	static const struct {
		const char *name;
		enum cert_role role;
	} servers[] = {
		{ "dpauth", CERT_ROLE_DP_AUTH }, { "dppb", CERT_ROLE_DP_PB },
		{ "dptls", CERT_ROLE_DP_TLS }, { "dsauth", CERT_ROLE_DS_AUTH },
		{ "dstls", CERT_ROLE_DS_TLS },
	};
	char path[1200], eid[RSP_EID_DIGITS + 1];
	struct chain_ci_store *store = NULL;
	const struct cert *ci;
	struct cert *eum = NULL;
	time_t now = time(NULL);
	struct stat st;
	size_t i;

	REQUIRE(chain_ci_store_new(&store) == PKI_OK);
	snprintf(path, sizeof(path), "%s/ci.der", dir);
	REQUIRE(chain_ci_store_add_file(store, path) == PKI_OK);
	ci = chain_ci_store_get(store, 0);
	REQUIRE(ci != NULL);
	CHECK_INT(ci->curve, curve);
	snprintf(path, sizeof(path), "%s/eum.pem", dir);
	REQUIRE(cert_load_file(path, &eum) == PKI_OK);
	CHECK_STR(eum->ein_prefixes[0], "89086030");

	for (i = 0; i < 3; i++) {
		struct chain_euicc_result result = { 0 };
		struct cert *euicc = NULL;
		int rc;

		if (i == 0)
			snprintf(path, sizeof(path), "%s/euicc.der", dir);
		else
			snprintf(path, sizeof(path), "%s/euicc-%zu.der", dir, i + 1);
		REQUIRE(cert_load_file(path, &euicc) == PKI_OK);
		rc = chain_verify_euicc(store, ci->ski, ci->ski_len, eum->der, eum->der_len,
					euicc->der, euicc->der_len, now, &result);
		CHECK_INT(rc, PKI_OK);
		REQUIRE(testpki_eid_offset(TESTPKI_DEFAULT_EID, (unsigned int)i, eid) == PKI_OK);
		CHECK_STR(result.eid != NULL ? result.eid : "", eid);
		chain_euicc_result_clear(&result);
		cert_free(euicc);
	}

	for (i = 0; i < sizeof(servers) / sizeof(servers[0]); i++) {
		struct cert *cert = NULL;

		snprintf(path, sizeof(path), "%s/%s.pem", dir, servers[i].name);
		REQUIRE(cert_load_file(path, &cert) == PKI_OK);
		CHECK_INT(chain_verify_server_cert(store, cert, servers[i].role, now), PKI_OK);
		CHECK_INT(cert->curve, curve);
		cert_free(cert);

		snprintf(path, sizeof(path), "%s/%s.key", dir, servers[i].name);
		REQUIRE(stat(path, &st) == 0);
		CHECK_INT(st.st_mode & 0777, 0600);
	}
	snprintf(path, sizeof(path), "%s/dptls.chain.pem", dir);
	CHECK_INT(count_blocks(path, "-----BEGIN CERTIFICATE-----"), 2);
	CHECK_INT(count_blocks(path, "-----BEGIN EC PRIVATE KEY-----"), 1);
	snprintf(path, sizeof(path), "%s/dstls.chain.pem", dir);
	CHECK_INT(count_blocks(path, "-----BEGIN CERTIFICATE-----"), 2);

	cert_free(eum);
	chain_ci_store_free(store);
}

static void test_testpki_both_curves(void)
{
	struct testpki_options o;
	char dir[] = "/tmp/test_pki.XXXXXX", sub[64], err[256];
	struct issue_key *key = NULL;

	REQUIRE(mkdtemp(dir) != NULL);
	memset(&o, 0, sizeof(o));
	o.out_dir = dir;
	o.euicc_count = 3;
	err[0] = '\0';
	CHECK_INT(testpki_create(&o, err, sizeof(err)), PKI_OK);
	CHECK_STR(err, "");

	snprintf(sub, sizeof(sub), "%s/nist", dir);
	check_testpki_curve(sub, PKI_CURVE_P256);
	snprintf(sub, sizeof(sub), "%s/brp", dir);
	check_testpki_curve(sub, PKI_CURVE_BRAINPOOLP256R1);

	snprintf(sub, sizeof(sub), "%s/brp/eum.key", dir);
	CHECK_INT(issue_key_load_file(sub, &key), PKI_OK);
	CHECK_INT(issue_key_curve(key), PKI_CURVE_BRAINPOOLP256R1);
	issue_key_free(key);

	/* An EID with wrong check digits is refused before anything is written. */
	o.eid = "89086030000000000000000000000193";
	CHECK_INT(testpki_create(&o, err, sizeof(err)), PKI_E_INVALID_ARG);
	CHECK(strstr(err, "89086030000000000000000000000193") != NULL);

	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	test_program = "test_pki";
	RUN(test_curve_values_match_crypto);
	RUN(test_status_strings_distinct);
	RUN(test_eid_check_digits);
	RUN(test_parse_rejects_garbage);
	RUN(test_issue_roundtrip);
	RUN(test_issue_rejects_bad_params);
	RUN(test_own_chain_negative_cases);
	RUN(test_sgp26_parse_all);
	RUN(test_sgp26_fields);
	RUN(test_sgp26_euicc_chains);
	RUN(test_sgp26_server_chains);
	RUN(test_ci_store_selection);
	RUN(test_euicc_chain_wrong_curve_ci);
	RUN(test_euicc_chain_eum_not_from_ci);
	RUN(test_euicc_chain_eid_range_and_expiry);
	RUN(test_euicc_chain_wrong_roles);
	RUN(test_euicc_chain_tampered);
	RUN(test_truncated_certificates);
	RUN(test_euicc_chain_truncated_input);
	RUN(test_testpki_both_curves);
	return test_finish();
}
