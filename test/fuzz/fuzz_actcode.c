/*
 * Fuzz target: SGP.22 activation codes, actcode_parse and actcode_format (common/actcode.h).
 *
 * Invariants: the fields of a parsed code are NUL-terminated and pass their own validators,
 * and formatting a parsed code gives back the input: byte for byte, except that an "LPA:"
 * prefix accepted in another case is written in upper case. The formatted code parses to the
 * same structure.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "common/actcode.h"
#include "test/fuzz/fuzz.h"

static const char prefix[] = "LPA:";
#define PREFIX_LEN (sizeof(prefix) - 1)

static void check_fields(const struct actcode *ac)
{
	FUZZ_CHECK_STRING(ac->smdp_address);
	FUZZ_CHECK_STRING(ac->matching_id);
	FUZZ_CHECK_STRING(ac->smdp_oid);
	FUZZ_CHECK(ac->fields >= 2 && ac->fields <= 4);
	FUZZ_CHECK(actcode_validate_address(ac->smdp_address, strlen(ac->smdp_address)) ==
		   ACTCODE_OK);
	if (ac->smdp_oid[0])
		FUZZ_CHECK(actcode_validate_oid(ac->smdp_oid, strlen(ac->smdp_oid)) == ACTCODE_OK);
	/* Writing an OID needs the third field and the flag the fourth. */
	FUZZ_CHECK(!ac->smdp_oid[0] || ac->fields >= 3);
	FUZZ_CHECK(!ac->cc_required || ac->fields == 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct actcode ac, again;
	char out[ACTCODE_MAX_LEN + 1];
	bool with_prefix;
	int rc;

	memset(&ac, 0xA5, sizeof(ac));
	rc = actcode_parse(text, size, &ac);
	FUZZ_CHECK(rc <= 0 && rc >= ACTCODE_E_TOO_LARGE);
	if (rc != ACTCODE_OK)
		return 0;
	check_fields(&ac);

	with_prefix = size >= PREFIX_LEN && strncasecmp(text, prefix, PREFIX_LEN) == 0;
	rc = actcode_format(&ac, with_prefix, out, sizeof(out));
	if (rc != ACTCODE_OK)
		fprintf(stderr, "a parsed activation code does not format: %d\n", rc);
	FUZZ_CHECK(rc == ACTCODE_OK);
	FUZZ_CHECK(strlen(out) == size);
	if (with_prefix) {
		FUZZ_CHECK(memcmp(out, prefix, PREFIX_LEN) == 0);
		FUZZ_CHECK(memcmp(out + PREFIX_LEN, text + PREFIX_LEN, size - PREFIX_LEN) == 0);
	} else {
		FUZZ_CHECK(memcmp(out, text, size) == 0);
	}

	memset(&again, 0, sizeof(again));
	FUZZ_CHECK(actcode_parse(out, strlen(out), &again) == ACTCODE_OK);
	FUZZ_CHECK(strcmp(again.smdp_address, ac.smdp_address) == 0);
	FUZZ_CHECK(strcmp(again.matching_id, ac.matching_id) == 0);
	FUZZ_CHECK(strcmp(again.smdp_oid, ac.smdp_oid) == 0);
	FUZZ_CHECK(again.cc_required == ac.cc_required);
	FUZZ_CHECK(again.fields == ac.fields);
	return 0;
}
