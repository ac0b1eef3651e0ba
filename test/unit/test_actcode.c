/*
 * Unit tests of common/actcode: round trips of the Activation Code strings in the vector
 * folder, the LPA: prefix, invalid codes and fields, the field named when one is too long,
 * every truncated prefix of a code, and the matchingId generator.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/actcode.h"
#include "common/crypto.h"
#include "test/harness.h"
#include "test/unit/vectors.h"

/* Parses a copy of text in a buffer of exactly len bytes, so AddressSanitizer reports any
 * read past the end. */
static int parse_exact(const char *text, size_t len, struct actcode *out)
{
	char *copy = malloc(len ? len : 1);
	int ret;

	if (!copy)
		return -100;
	memcpy(copy, text, len);
	ret = actcode_parse(copy, len, out);
	free(copy);
	return ret;
}

static void check_round_trip(const char *code)
{
	char out[ACTCODE_MAX_LEN + 1], prefixed[ACTCODE_MAX_LEN + 8];
	struct actcode ac, again;
	static const char *const prefixes[] = { "LPA:", "lpa:", "Lpa:", "lPA:" };

	REQUIRE(parse_exact(code, strlen(code), &ac) == ACTCODE_OK);
	CHECK_INT(actcode_format(&ac, false, out, sizeof(out)), ACTCODE_OK);
	CHECK_STR(out, code);

	snprintf(prefixed, sizeof(prefixed), "LPA:%s", code);
	CHECK_INT(actcode_format(&ac, true, out, sizeof(out)), ACTCODE_OK);
	CHECK_STR(out, prefixed);

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		snprintf(prefixed, sizeof(prefixed), "%s%s", prefixes[i], code);
		CHECK_INT(parse_exact(prefixed, strlen(prefixed), &again), ACTCODE_OK);
		CHECK(memcmp(&ac, &again, sizeof(ac)) == 0);
	}
}

static void test_vector_round_trips(void)
{
	FILE *f = vectors_open("activation_codes.txt");
	char line[1024];
	int count = 0;

	if (!f)
		SKIP("vector file activation_codes.txt not found (set RSP_SHARED)");
	while (vectors_next_line(f, line, sizeof(line)) > 0) {
		const char *key, *value;

		if (!vectors_split(line, &key, &value) || strcmp(key, "ac") != 0)
			continue;
		check_round_trip(value);
		count++;
	}
	fclose(f);
	CHECK(count >= 5);
}

static void test_parse_fields(void)
{
	struct actcode ac;

	REQUIRE(parse_exact("1$SMDP.EXAMPLE.COM$04386-AGYFT-A74Y8-3F815$$1", 45, &ac) ==
		ACTCODE_OK);
	CHECK_STR(ac.smdp_address, "SMDP.EXAMPLE.COM");
	CHECK_STR(ac.matching_id, "04386-AGYFT-A74Y8-3F815");
	CHECK_STR(ac.smdp_oid, "");
	CHECK(ac.cc_required);
	CHECK_INT(ac.fields, 4);

	REQUIRE(parse_exact("LPA:1$smdp.example.com$$1.3.6.1.4.1.31746", 41, &ac) == ACTCODE_OK);
	CHECK_STR(ac.smdp_address, "smdp.example.com");
	CHECK_STR(ac.matching_id, "");
	CHECK_STR(ac.smdp_oid, "1.3.6.1.4.1.31746");
	CHECK(!ac.cc_required);
	CHECK_INT(ac.fields, 3);

	/* empty optional fields are kept, so the string comes back unchanged */
	check_round_trip("1$HOST$TOKEN$$1");
	check_round_trip("1$HOST$TOKEN$");
	check_round_trip("1$HOST$TOKEN$$");
	check_round_trip("1$HOST$TOKEN$2.999.10$");
	check_round_trip("1$HOST$$");
	check_round_trip("1$HOST$");
	check_round_trip("1$127.0.0.1$A");
	/* lower-case tokens issued elsewhere are read, though we issue upper-case only */
	check_round_trip("1$smdp.example.com$abc-Def-123");
}

static void test_parse_rejects_invalid(void)
{
	static const struct {
		const char *code;
		int expected;
	} cases[] = {
		{ "", ACTCODE_E_INVALID },
		{ "1", ACTCODE_E_INVALID },
		{ "1$", ACTCODE_E_INVALID },
		{ "LPA:", ACTCODE_E_INVALID },
		{ "LPA:1$", ACTCODE_E_INVALID },
		{ "$HOST$TOKEN", ACTCODE_E_INVALID },
		{ "1$HOST", ACTCODE_E_INVALID },
		{ "1$$TOKEN", ACTCODE_E_INVALID },
		{ "2$HOST$TOKEN", ACTCODE_E_VERSION },
		{ "0$HOST$TOKEN", ACTCODE_E_VERSION },
		{ "11$HOST$TOKEN", ACTCODE_E_VERSION },
		{ "LPA:2$HOST$TOKEN", ACTCODE_E_VERSION },
		{ "LPA:LPA:1$HOST$TOKEN", ACTCODE_E_VERSION },
		{ "LPA1$HOST$TOKEN", ACTCODE_E_VERSION },
		{ " 1$HOST$TOKEN", ACTCODE_E_VERSION },
		{ "1$HOST$TOK EN", ACTCODE_E_INVALID },
		{ "1$HOST$TOKEN\n", ACTCODE_E_INVALID },
		{ "1$HOST$TOK_EN", ACTCODE_E_INVALID },
		{ "1$HOST$TOKÉN", ACTCODE_E_INVALID },
		{ "1$HOST$TOKEN$1.2$0", ACTCODE_E_INVALID },
		{ "1$HOST$TOKEN$1.2$11", ACTCODE_E_INVALID },
		{ "1$HOST$TOKEN$1.2$ 1", ACTCODE_E_INVALID },
		{ "1$HOST$TOKEN$1.2$1$", ACTCODE_E_INVALID },
		{ "1$HOST$TOKEN$1.2$1$X", ACTCODE_E_INVALID },
		{ "1$HOST$TOKEN$$$", ACTCODE_E_INVALID },
		{ "1$HOST$TOKEN$ABC", ACTCODE_E_INVALID },
		{ "1$HOST$TOKEN$1", ACTCODE_E_INVALID },
		{ "1$HOST$TOKEN$3.1", ACTCODE_E_INVALID },
		{ "1$HOST$TOKEN$1.02", ACTCODE_E_INVALID },
		{ "1$HOST$TOKEN$1..2", ACTCODE_E_INVALID },
		{ "1$HOST$TOKEN$1.2.", ACTCODE_E_INVALID },
		{ "1$HOST$TOKEN$.1.2", ACTCODE_E_INVALID },
		{ "1$HOST$TOKEN$12.3", ACTCODE_E_INVALID },
		{ "1$-HOST$TOKEN", ACTCODE_E_INVALID },
		{ "1$HOST-$TOKEN", ACTCODE_E_INVALID },
		{ "1$HOST.-A$TOKEN", ACTCODE_E_INVALID },
		{ "1$HO_ST$TOKEN", ACTCODE_E_INVALID },
		{ "1$HOST:8443$TOKEN", ACTCODE_E_INVALID },
		{ "1$HOST..COM$TOKEN", ACTCODE_E_INVALID },
		{ ".HOST$TOKEN", ACTCODE_E_VERSION },
		{ "1$.HOST$TOKEN", ACTCODE_E_INVALID },
		{ "1$HOST.$TOKEN", ACTCODE_E_INVALID },
		{ "1$HOST COM$TOKEN", ACTCODE_E_INVALID },
		{ "1$https://HOST$TOKEN", ACTCODE_E_INVALID },
	};
	struct actcode ac;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = parse_exact(cases[i].code, strlen(cases[i].code), &ac);

		if (ret != cases[i].expected)
			test_fail_at(__FILE__, __LINE__, "%s: \"%s\" gives %d, expected %d", __func__,
				     cases[i].code, ret, cases[i].expected);
		if (ret != ACTCODE_OK && ac.fields != 0)
			test_fail_at(__FILE__, __LINE__, "%s: \"%s\" left a partial result",
				     __func__, cases[i].code);
	}

	/* an embedded NUL is a character like any other */
	CHECK_INT(parse_exact("1$HOST$TO\0KEN", 14, &ac), ACTCODE_E_INVALID);
	CHECK_INT(actcode_parse(NULL, 0, &ac), ACTCODE_E_INVALID);
}

static void test_field_length_limits(void)
{
	char code[1200], label[80];
	struct actcode ac;
	size_t pos;

	/* address of exactly RSP_MAX_FQDN characters: labels of 63 and dots */
	pos = (size_t)snprintf(code, sizeof(code), "1$");
	while (pos - 2 + 64 <= RSP_MAX_FQDN) {
		memset(code + pos, 'A', 63);
		code[pos + 63] = '.';
		pos += 64;
	}
	memset(code + pos, 'B', RSP_MAX_FQDN - (pos - 2));
	pos = 2 + RSP_MAX_FQDN;
	memcpy(code + pos, "$T", 3);
	CHECK_INT(parse_exact(code, strlen(code), &ac), ACTCODE_OK);
	CHECK_INT(strlen(ac.smdp_address), RSP_MAX_FQDN);

	/* one character more */
	memmove(code + 3, code + 2, strlen(code + 2) + 1);
	code[2] = 'C';
	CHECK_INT(parse_exact(code, strlen(code), &ac), ACTCODE_E_TOO_LARGE);

	/* a label of 64 characters */
	memset(label, 'L', 64);
	label[64] = '\0';
	snprintf(code, sizeof(code), "1$%s.COM$T", label);
	CHECK_INT(parse_exact(code, strlen(code), &ac), ACTCODE_E_INVALID);

	/* matchingId of RSP_MAX_MATCHING_ID, then one more */
	memcpy(code, "1$H$", 4);
	memset(code + 4, 'M', RSP_MAX_MATCHING_ID);
	code[4 + RSP_MAX_MATCHING_ID] = '\0';
	CHECK_INT(parse_exact(code, strlen(code), &ac), ACTCODE_OK);
	CHECK_INT(strlen(ac.matching_id), RSP_MAX_MATCHING_ID);
	memcpy(code + 4 + RSP_MAX_MATCHING_ID, "M", 2);
	CHECK_INT(parse_exact(code, strlen(code), &ac), ACTCODE_E_TOO_LARGE);

	/* OID of ACTCODE_MAX_OID characters ("1." repeated, ending with a digit), then more */
	memcpy(code, "1$H$T$", 6);
	for (pos = 0; pos < ACTCODE_MAX_OID; pos++)
		code[6 + pos] = pos % 2 ? '.' : '1';
	code[6 + ACTCODE_MAX_OID - 1] = '2';
	code[6 + ACTCODE_MAX_OID] = '\0';
	CHECK_INT(parse_exact(code, strlen(code), &ac), ACTCODE_OK);
	memcpy(code + 6 + ACTCODE_MAX_OID, ".1", 3);
	CHECK_INT(parse_exact(code, strlen(code), &ac), ACTCODE_E_TOO_LARGE);

	/* a whole code longer than any valid one */
	memset(code, '1', ACTCODE_MAX_LEN + 1);
	CHECK_INT(parse_exact(code, ACTCODE_MAX_LEN + 1, &ac), ACTCODE_E_TOO_LARGE);
}

static void test_long_field_named(void)
{
	char code[1200];
	size_t field_len = 0, max = 0;

	/* A 300-character matchingId: within the length of the longest code, over its own. */
	memcpy(code, "LPA:1$smdp.example.com$", 23);
	memset(code + 23, 'A', 300);
	CHECK_STR(actcode_find_long_field(code, 323, &field_len, &max), "matchingId");
	CHECK_INT(field_len, 300);
	CHECK_INT(max, RSP_MAX_MATCHING_ID);

	/* An address one character over, without the LPA: prefix. */
	memcpy(code, "1$", 2);
	memset(code + 2, 'h', RSP_MAX_FQDN + 1);
	memcpy(code + 3 + RSP_MAX_FQDN, "$T", 2);
	CHECK_STR(actcode_find_long_field(code, RSP_MAX_FQDN + 5, &field_len, &max),
		  "SM-DP+ address");
	CHECK_INT(field_len, RSP_MAX_FQDN + 1);
	CHECK_INT(max, RSP_MAX_FQDN);

	/* An OID over ACTCODE_MAX_OID, the first field that is too long being reported. */
	memcpy(code, "lpa:1$H$T$", 10);
	memset(code + 10, '1', ACTCODE_MAX_OID + 1);
	CHECK_STR(actcode_find_long_field(code, 10 + ACTCODE_MAX_OID + 1, &field_len, &max),
		  "SM-DP+ OID");
	CHECK_INT(field_len, ACTCODE_MAX_OID + 1);
	CHECK_INT(max, ACTCODE_MAX_OID);

	/* Fields at their maximum, a long field after the flag, and no '$' at all: none named. */
	memcpy(code, "1$H$", 4);
	memset(code + 4, 'M', RSP_MAX_MATCHING_ID);
	CHECK(actcode_find_long_field(code, 4 + RSP_MAX_MATCHING_ID, &field_len, &max) == NULL);
	memcpy(code, "1$H$T$$1$", 9);
	memset(code + 9, 'X', 700);
	CHECK(actcode_find_long_field(code, 709, &field_len, &max) == NULL);
	memset(code, 'X', 700);
	CHECK(actcode_find_long_field(code, 700, &field_len, &max) == NULL);
	CHECK(actcode_find_long_field(NULL, 0, &field_len, &max) == NULL);
}

static void test_truncated_prefixes(void)
{
	static const char *const codes[] = {
		"LPA:1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$1.3.6.1.4.1.31746$1",
		"1$SMDP.GSMA.COM$$1.3.6.1.4.1.31746",
		"1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$$1",
	};
	char out[ACTCODE_MAX_LEN + 1];
	struct actcode ac;

	for (size_t c = 0; c < sizeof(codes) / sizeof(codes[0]); c++) {
		const char *code = codes[c];
		bool prefixed = strncmp(code, "LPA:", 4) == 0;
		/* the shortest valid prefix ends with the '$' after the address */
		size_t min_ok = (size_t)(strstr(code, ".COM$") - code) + 5;

		for (size_t len = 0; len <= strlen(code); len++) {
			int ret = parse_exact(code, len, &ac);

			if (len < min_ok) {
				if (ret == ACTCODE_OK)
					test_fail_at(__FILE__, __LINE__, "%s: prefix of %zu accepted",
						     __func__, len);
				continue;
			}
			if (ret != ACTCODE_OK)
				continue; /* e.g. an OID cut after a dot */
			/* whatever is accepted formats back to exactly the bytes read */
			CHECK_INT(actcode_format(&ac, prefixed, out, sizeof(out)), ACTCODE_OK);
			if (strlen(out) != len || memcmp(out, code, len) != 0)
				test_fail_at(__FILE__, __LINE__, "%s: prefix of %zu formats as %s",
					     __func__, len, out);
		}
		CHECK_INT(parse_exact(code, strlen(code), &ac), ACTCODE_OK);
	}
}

/* Fills a fixed-size field of struct actcode. */
#define SET(field, text) snprintf((field), sizeof(field), "%s", (text))

static void test_format_from_fields(void)
{
	struct actcode ac = { 0 };
	char out[ACTCODE_MAX_LEN + 1];

	SET(ac.smdp_address, "smdp.example.com");
	SET(ac.matching_id, "ABCDE-12345");
	CHECK_INT(actcode_format(&ac, true, out, sizeof(out)), ACTCODE_OK);
	CHECK_STR(out, "LPA:1$smdp.example.com$ABCDE-12345");

	ac.cc_required = true; /* the OID field stays empty but present */
	CHECK_INT(actcode_format(&ac, false, out, sizeof(out)), ACTCODE_OK);
	CHECK_STR(out, "1$smdp.example.com$ABCDE-12345$$1");

	SET(ac.smdp_oid, "2.999.10");
	CHECK_INT(actcode_format(&ac, false, out, sizeof(out)), ACTCODE_OK);
	CHECK_STR(out, "1$smdp.example.com$ABCDE-12345$2.999.10$1");

	ac.cc_required = false;
	CHECK_INT(actcode_format(&ac, false, out, sizeof(out)), ACTCODE_OK);
	CHECK_STR(out, "1$smdp.example.com$ABCDE-12345$2.999.10");

	/* the buffer needs room for the NUL */
	CHECK_INT(actcode_format(&ac, false, out, strlen("1$smdp.example.com$ABCDE-12345$2.999.10")),
		  ACTCODE_E_TOO_LARGE);
	CHECK_STR(out, "");

	SET(ac.matching_id, "AB_C");
	CHECK_INT(actcode_format(&ac, false, out, sizeof(out)), ACTCODE_E_INVALID);
	SET(ac.matching_id, "ABC");
	SET(ac.smdp_oid, "1.2.");
	CHECK_INT(actcode_format(&ac, false, out, sizeof(out)), ACTCODE_E_INVALID);
	SET(ac.smdp_oid, "");
	SET(ac.smdp_address, "");
	CHECK_INT(actcode_format(&ac, false, out, sizeof(out)), ACTCODE_E_INVALID);
	SET(ac.smdp_address, "a$b");
	CHECK_INT(actcode_format(&ac, false, out, sizeof(out)), ACTCODE_E_INVALID);
	SET(ac.smdp_address, "h");
	ac.fields = 5;
	CHECK_INT(actcode_format(&ac, false, out, sizeof(out)), ACTCODE_E_INVALID);
}

static void test_validate_matching_id(void)
{
	char id[RSP_MAX_MATCHING_ID + 2];

	CHECK_INT(actcode_validate_matching_id("04386-AGYFT-A74Y8-3F815", 23), ACTCODE_OK);
	CHECK_INT(actcode_validate_matching_id("A", 1), ACTCODE_OK);
	CHECK_INT(actcode_validate_matching_id("-", 1), ACTCODE_OK);
	CHECK_INT(actcode_validate_matching_id("", 0), ACTCODE_E_INVALID);
	CHECK_INT(actcode_validate_matching_id("abc", 3), ACTCODE_E_INVALID);
	CHECK_INT(actcode_validate_matching_id("AB$C", 4), ACTCODE_E_INVALID);
	CHECK_INT(actcode_validate_matching_id("AB C", 4), ACTCODE_E_INVALID);
	CHECK_INT(actcode_validate_matching_id("AB.C", 4), ACTCODE_E_INVALID);
	CHECK_INT(actcode_validate_matching_id("AB_C", 4), ACTCODE_E_INVALID);
	memset(id, 'Z', sizeof(id));
	CHECK_INT(actcode_validate_matching_id(id, RSP_MAX_MATCHING_ID), ACTCODE_OK);
	CHECK_INT(actcode_validate_matching_id(id, RSP_MAX_MATCHING_ID + 1), ACTCODE_E_TOO_LARGE);
}

static int compare_ids(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void test_generated_matching_ids(void)
{
	enum { COUNT = 1000 };
	static char ids[COUNT][ACTCODE_GENERATED_ID_LEN + 1];
	int seen[128] = { 0 }, distinct_chars = 0;

	for (int i = 0; i < COUNT; i++) {
		const char *id = ids[i];

		REQUIRE(actcode_generate_matching_id(ids[i]) == ACTCODE_OK);
		CHECK_INT(strlen(id), ACTCODE_GENERATED_ID_LEN);
		CHECK_INT(actcode_validate_matching_id(id, strlen(id)), ACTCODE_OK);
		for (int k = 0; k < ACTCODE_GENERATED_ID_LEN; k++) {
			char c = id[k];

			if (k % 6 == 5) {
				CHECK(c == '-');
			} else {
				CHECK((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'));
				seen[(unsigned char)c & 0x7F]++;
			}
		}
	}
	for (int c = 0; c < 128; c++)
		distinct_chars += seen[c] > 0;
	CHECK_INT(distinct_chars, 36);

	qsort(ids, COUNT, sizeof(ids[0]), compare_ids);
	for (int i = 1; i < COUNT; i++)
		CHECK(strcmp(ids[i - 1], ids[i]) != 0);
}

int main(void)
{
	test_program = "test_actcode";
	if (crypto_init() != CRYPTO_OK) {
		printf("FAIL test_actcode/init: crypto_init failed\n");
		return 1;
	}
	RUN(test_vector_round_trips);
	RUN(test_parse_fields);
	RUN(test_parse_rejects_invalid);
	RUN(test_field_length_limits);
	RUN(test_long_field_named);
	RUN(test_truncated_prefixes);
	RUN(test_format_from_fields);
	RUN(test_validate_matching_id);
	RUN(test_generated_matching_ids);
	crypto_cleanup();
	return test_finish();
}
