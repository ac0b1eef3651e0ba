/*
 * Fuzz target: SGP.22 certificate parsing, cert_parse (pki/cert.h), and the checks that read
 * a parsed certificate: cert_check_role for every role, cert_check_validity and
 * cert_check_eid_range.
 *
 * Invariants: a parsed certificate keeps exactly the input bytes, its lengths stay within
 * their arrays, its strings are NUL-terminated, its curve and role are known values, and the
 * checks return only their documented codes. mbedTLS itself is the system library, built
 * without coverage instrumentation, so the fuzzer steers by the project's code only.
 */
#include <string.h>

#include "pki/cert.h"
#include "test/fuzz/fuzz.h"

/* Our test EID (EIN 89086030), as in pki/testpki.h. */
static const char eid[] = "89086030000000000000000000000192";

static void check_fields(const struct cert *c, const uint8_t *data, size_t size)
{
	FUZZ_CHECK(c->der_len == size);
	FUZZ_CHECK(memcmp(c->der, data, size) == 0);
	FUZZ_CHECK(c->x509 != NULL);
	FUZZ_CHECK(c->curve == PKI_CURVE_P256 || c->curve == PKI_CURVE_BRAINPOOLP256R1);
	FUZZ_CHECK(c->public_point[0] == 0x04);
	FUZZ_CHECK(c->role >= CERT_ROLE_NONE && c->role <= CERT_ROLE_DS_AUTH);
	FUZZ_CHECK(c->ski_len <= CERT_KEY_ID_MAX);
	FUZZ_CHECK(c->aki_len <= CERT_KEY_ID_MAX);
	FUZZ_CHECK(c->san_oid_der_len <= CERT_OID_DER_MAX);
	FUZZ_CHECK(c->max_path_len >= -1);
	FUZZ_CHECK_STRING(c->serial_number);
	FUZZ_CHECK_STRING(c->organization);
	FUZZ_CHECK_STRING(c->san_oid);
	FUZZ_CHECK_STRING(c->san_dns);
	FUZZ_CHECK_STRING(c->range_organization);
	FUZZ_CHECK(c->ein_prefix_count <= CERT_MAX_EIN_PREFIXES);
	/* An empty prefix would put every EID in the EUM's range. */
	for (size_t i = 0; i < c->ein_prefix_count; i++) {
		FUZZ_CHECK_STRING(c->ein_prefixes[i]);
		FUZZ_CHECK(c->ein_prefixes[i][0] != '\0');
	}
	FUZZ_CHECK(c->range_source >= CERT_RANGE_NONE &&
		   c->range_source <= CERT_RANGE_PERMITTED_EINS);
	FUZZ_CHECK(c->range_source != CERT_RANGE_NONE || c->ein_prefix_count == 0);
}

static void check_verdicts(const struct cert *c)
{
	int rc;

	for (int role = CERT_ROLE_CI; role <= CERT_ROLE_DS_AUTH; role++) {
		rc = cert_check_role(c, (enum cert_role)role);
		FUZZ_CHECK(rc == PKI_OK || rc == PKI_E_ROLE || rc == PKI_E_KEY_USAGE);
		if (rc == PKI_OK)
			FUZZ_CHECK(c->role == (enum cert_role)role);
	}
	rc = cert_check_validity(c, c->not_before);
	FUZZ_CHECK(rc == PKI_OK || rc == PKI_E_EXPIRED);
	if (c->not_before <= c->not_after)
		FUZZ_CHECK(rc == PKI_OK);
	rc = cert_check_eid_range(c, eid);
	FUZZ_CHECK(rc == PKI_OK || rc == PKI_E_EID_RANGE);
	if (rc == PKI_OK)
		FUZZ_CHECK(c->ein_prefix_count > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cert *c = NULL;
	int rc;

	rc = cert_parse(data, size, &c);
	FUZZ_CHECK(rc <= 0 && rc >= PKI_E_EID_RANGE);
	if (rc != PKI_OK) {
		FUZZ_CHECK(c == NULL);
		return 0;
	}
	FUZZ_CHECK(c != NULL);
	check_fields(c, data, size);
	check_verdicts(c);
	cert_free(c);
	return 0;
}
