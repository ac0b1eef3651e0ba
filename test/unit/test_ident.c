/*
 * Unit tests of common/ident: EID check digits (known-answer vectors from the vector folder),
 * EID and ICCID conversions, ICCID Luhn checks, hexadecimal and strict base64.
 */
#include <stdint.h>
#include <string.h>

#include "common/ident.h"
#include "test/harness.h"
#include "test/unit/vectors.h"

/* ---- EID ---- */

/* Handles one "compute(<digits> [note]) -> <EID>" line of eid_checksum.txt. */
static void check_compute_line(const char *line)
{
	const char *open = strchr(line, '('), *arrow = strstr(line, "-> ");
	char out[RSP_EID_DIGITS + 1];
	size_t len = 0;

	REQUIRE(open != NULL);
	REQUIRE(arrow != NULL);
	open++;
	while (open[len] >= '0' && open[len] <= '9')
		len++;
	CHECK_INT(ident_eid_complete(open, len, out), IDENT_OK);
	CHECK_STR(out, arrow + 3);
	CHECK_INT(ident_eid_validate(out, strlen(out)), IDENT_OK);
}

static void test_eid_check_digit_vectors(void)
{
	FILE *f = vectors_open("eid_checksum.txt");
	char line[256];
	int cases = 0;

	if (!f)
		SKIP("vector file eid_checksum.txt not found (set RSP_SHARED)");
	while (vectors_next_line(f, line, sizeof(line)) > 0) {
		const char *key, *value;

		if (strncmp(line, "compute(", 8) == 0) {
			check_compute_line(line);
			cases++;
			continue;
		}
		if (!vectors_split(line, &key, &value))
			continue;
		if (strcmp(key, "valid") == 0) {
			CHECK_INT(ident_eid_validate(value, strlen(value)), IDENT_OK);
			cases++;
		} else if (strcmp(key, "invalid") == 0) {
			CHECK_INT(ident_eid_validate(value, strlen(value)), IDENT_E_CHECK_DIGIT);
			cases++;
		}
	}
	fclose(f);
	CHECK(cases >= 8);
}

static void test_eid_rejects_malformed(void)
{
	const char *eid = "89049032123451234512345678901235";
	char out[RSP_EID_DIGITS + 1];

	CHECK_INT(ident_eid_validate(eid, 32), IDENT_OK);
	CHECK_INT(ident_eid_validate(eid, 31), IDENT_E_INVALID);
	CHECK_INT(ident_eid_validate("8904903212345123451234567890123A", 32), IDENT_E_INVALID);
	CHECK_INT(ident_eid_validate(" 9049032123451234512345678901235", 32), IDENT_E_INVALID);
	CHECK_INT(ident_eid_validate(NULL, 32), IDENT_E_INVALID);
	CHECK_INT(ident_eid_complete(eid, 31, out), IDENT_E_INVALID);
	CHECK_INT(ident_eid_complete("89049032123451234512345678901x", 30, out), IDENT_E_INVALID);
	/* all zeros: the number is 0 modulo 97, so the check digits are 98 */
	CHECK_INT(ident_eid_complete("000000000000000000000000000000", 30, out), IDENT_OK);
	CHECK_STR(out, "00000000000000000000000000000098");
	CHECK_INT(ident_eid_validate(out, 32), IDENT_OK);
}

static void test_eid_bytes_round_trip(void)
{
	static const uint8_t expected[RSP_EID_LEN] = { 0x89, 0x04, 0x90, 0x32, 0x12, 0x34,
						       0x51, 0x23, 0x45, 0x12, 0x34, 0x56,
						       0x78, 0x90, 0x12, 0x35 };
	const char *eid = "89049032123451234512345678901235";
	uint8_t bytes[RSP_EID_LEN];
	char back[RSP_EID_DIGITS + 1];

	CHECK_INT(ident_eid_to_bytes(eid, strlen(eid), bytes), IDENT_OK);
	CHECK_MEM(bytes, expected, sizeof(bytes));
	CHECK_INT(ident_eid_from_bytes(bytes, back), IDENT_OK);
	CHECK_STR(back, eid);
	bytes[3] = 0x3A;
	CHECK_INT(ident_eid_from_bytes(bytes, back), IDENT_E_INVALID);
	bytes[3] = 0xA3;
	CHECK_INT(ident_eid_from_bytes(bytes, back), IDENT_E_INVALID);
	CHECK_INT(ident_eid_to_bytes(eid, 30, bytes), IDENT_E_INVALID);
}

/* ---- ICCID ---- */

static void test_iccid_luhn_cases(void)
{
	static const struct {
		const char *iccid;
		int expected;
	} cases[] = {
		{ "89000123456789012341", IDENT_OK },           /* 20 digits */
		{ "8949449999999990023", IDENT_OK },            /* 19 digits */
		{ "8949449999999990023F", IDENT_OK },           /* 19 digits + padding */
		{ "8949449999999990023f", IDENT_OK },
		{ "89000123456789012342", IDENT_E_CHECK_DIGIT },
		{ "89000123456789012314", IDENT_E_CHECK_DIGIT }, /* two digits swapped */
		{ "8949449999999990024", IDENT_E_CHECK_DIGIT },
		{ "8949449999999990024F", IDENT_E_CHECK_DIGIT },
		{ "894944999999999002", IDENT_E_INVALID },       /* 18 digits */
		{ "890001234567890123410", IDENT_E_INVALID },    /* 21 digits */
		{ "89000123456789012341F", IDENT_E_INVALID },    /* 20 digits + padding */
		{ "894944999999999002FF", IDENT_E_INVALID },
		{ "8949449999F999990023", IDENT_E_INVALID },     /* padding inside */
		{ "8900012345678901234A", IDENT_E_INVALID },
		{ "8900012345678901234 ", IDENT_E_INVALID },
		{ "", IDENT_E_INVALID },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = ident_iccid_validate(cases[i].iccid, strlen(cases[i].iccid));

		if (ret != cases[i].expected)
			test_fail_at(__FILE__, __LINE__, "%s: ICCID \"%s\" gives %d, expected %d",
				     __func__, cases[i].iccid, ret, cases[i].expected);
	}
	CHECK_INT(ident_luhn_digit("8900012345678901234", 19), '1');
	CHECK_INT(ident_luhn_digit("894944999999999002", 18), '3');
	CHECK_INT(ident_luhn_digit("7992739871", 10), '3'); /* the usual Luhn example */
	CHECK_INT(ident_luhn_digit("12a", 3), 0);
}

static void test_iccid_bcd_round_trip(void)
{
	uint8_t bcd[RSP_ICCID_LEN], expected[RSP_ICCID_LEN];
	char digits[RSP_ICCID_MAX_DIGITS + 1];
	size_t n = 0;

	REQUIRE(ident_hex_decode("98001032547698103214", 20, expected, sizeof(expected), &n) ==
		IDENT_OK);
	CHECK_INT(ident_iccid_to_bcd("89000123456789012341", 20, bcd), IDENT_OK);
	CHECK_MEM(bcd, expected, sizeof(bcd));
	CHECK_INT(ident_iccid_from_bcd(bcd, digits), IDENT_OK);
	CHECK_STR(digits, "89000123456789012341");

	/* 19 digits: F in the high nibble of the last byte */
	REQUIRE(ident_hex_decode("989444999999990920F3", 20, expected, sizeof(expected), &n) ==
		IDENT_OK);
	CHECK_INT(ident_iccid_to_bcd("8949449999999990023F", 20, bcd), IDENT_OK);
	CHECK_MEM(bcd, expected, sizeof(bcd));
	CHECK_INT(ident_iccid_to_bcd("8949449999999990023", 19, bcd), IDENT_OK);
	CHECK_MEM(bcd, expected, sizeof(bcd));
	CHECK_INT(ident_iccid_from_bcd(bcd, digits), IDENT_OK);
	CHECK_STR(digits, "8949449999999990023");

	CHECK_INT(ident_iccid_to_bcd("89000123456789012342", 20, bcd), IDENT_E_CHECK_DIGIT);
	bcd[9] = 0x3F; /* F where a digit must be */
	CHECK_INT(ident_iccid_from_bcd(bcd, digits), IDENT_E_INVALID);
	bcd[9] = 0xF3;
	bcd[4] = 0xF9; /* padding before the end */
	CHECK_INT(ident_iccid_from_bcd(bcd, digits), IDENT_E_INVALID);
	bcd[4] = 0x9A;
	CHECK_INT(ident_iccid_from_bcd(bcd, digits), IDENT_E_INVALID);

	CHECK_INT(ident_iccid_normalize("8949449999999990023F", 20, digits), IDENT_OK);
	CHECK_STR(digits, "8949449999999990023");
	CHECK_INT(ident_iccid_normalize("8949449999999990024F", 20, digits), IDENT_E_CHECK_DIGIT);
}

/* ---- hexadecimal ---- */

static void test_hex_encode_decode(void)
{
	static const uint8_t bytes[] = { 0x00, 0xAB, 0x5F, 0x37, 0xFF };
	uint8_t out[8];
	char text[16];
	size_t n = 99;

	CHECK_INT(ident_hex_encode(bytes, sizeof(bytes), text, sizeof(text)), IDENT_OK);
	CHECK_STR(text, "00AB5F37FF");
	CHECK_INT(ident_hex_encode(bytes, sizeof(bytes), text, 10), IDENT_E_TOO_LARGE);
	CHECK_INT(ident_hex_encode(bytes, 0, text, 1), IDENT_OK);
	CHECK_STR(text, "");

	CHECK_INT(ident_hex_decode("00ab5F37fF", 10, out, sizeof(out), &n), IDENT_OK);
	CHECK_INT(n, sizeof(bytes));
	CHECK_MEM(out, bytes, sizeof(bytes));
	CHECK_INT(ident_hex_decode("00A", 3, out, sizeof(out), &n), IDENT_E_INVALID);
	CHECK_INT(n, 0);
	CHECK_INT(ident_hex_decode("0G", 2, out, sizeof(out), &n), IDENT_E_INVALID);
	CHECK_INT(ident_hex_decode("00 1", 4, out, sizeof(out), &n), IDENT_E_INVALID);
	CHECK_INT(ident_hex_decode("000102", 6, out, 2, &n), IDENT_E_TOO_LARGE);
	CHECK_INT(ident_hex_decode("", 0, out, sizeof(out), &n), IDENT_OK);
	CHECK_INT(n, 0);
}

/* ---- base64 ---- */

static void test_base64_known_answers(void)
{
	static const struct {
		const char *plain, *encoded;
	} cases[] = {
		{ "", "" }, { "M", "TQ==" }, { "Ma", "TWE=" }, { "Man", "TWFu" },
		{ "\xFF\xFE", "//4=" }, { "\xFB\xFF", "+/8=" },
	};
	char text[16];
	uint8_t out[16];
	size_t n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].plain);

		CHECK_INT(ident_base64_encode((const uint8_t *)cases[i].plain, len, text,
					      sizeof(text), &n),
			  IDENT_OK);
		CHECK_STR(text, cases[i].encoded);
		CHECK_INT(n, strlen(cases[i].encoded));
		CHECK_INT(ident_base64_decode(cases[i].encoded, strlen(cases[i].encoded), out,
					      sizeof(out), &n),
			  IDENT_OK);
		CHECK_INT(n, len);
		CHECK_MEM(out, cases[i].plain, len);
	}
	CHECK_INT(ident_base64_encode((const uint8_t *)"Man", 3, text, 4, &n), IDENT_E_TOO_LARGE);
}

static void test_base64_round_trip_lengths(void)
{
	uint8_t plain[100], out[100];
	char *text = NULL;
	uint8_t *decoded = NULL;
	size_t n;

	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)(i * 37 + 11);
	for (size_t len = 0; len <= sizeof(plain); len++) {
		REQUIRE(ident_base64_encode_alloc(plain, len, &text) == IDENT_OK);
		CHECK_INT(strlen(text), (len + 2) / 3 * 4);
		CHECK_INT(ident_base64_decode(text, strlen(text), out, sizeof(out), &n), IDENT_OK);
		CHECK_INT(n, len);
		CHECK_MEM(out, plain, len);
		CHECK_INT(ident_base64_decode_alloc(text, strlen(text), len, &decoded, &n), IDENT_OK);
		CHECK_INT(n, len);
		if (len > 0) {
			REQUIRE(decoded != NULL);
			CHECK_MEM(decoded, plain, len);
			free(decoded);
			decoded = NULL;
			/* one byte under the maximum */
			CHECK_INT(ident_base64_decode_alloc(text, strlen(text), len - 1, &decoded,
							    &n),
				  IDENT_E_TOO_LARGE);
			CHECK(decoded == NULL);
			CHECK_INT(ident_base64_decode(text, strlen(text), out, len - 1, &n),
				  IDENT_E_TOO_LARGE);
		} else {
			CHECK(decoded == NULL);
		}
		free(text);
		text = NULL;
	}
}

static void test_base64_rejects_invalid(void)
{
	static const char *const bad[] = {
		"TWFu TWFu", "TWFu\nTWFu", "TWFu\r\n", " TWFu", "TWFu ", "\tTWFu",
		"TWE", "TQ", "T", "TQ=", "TQ===", "====", "=TWF", "TW=u", "TQ==TWFu",
		"TW*u", "TW-u", "TW_u", "TWF\xC3\xA9", "TWFu\0AAA",
	};
	uint8_t out[32], *decoded = NULL;
	size_t n = 99;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i]);

		if (i == sizeof(bad) / sizeof(bad[0]) - 1)
			len = 8; /* the embedded NUL counts */
		if (ident_base64_decode(bad[i], len, out, sizeof(out), &n) != IDENT_E_INVALID)
			test_fail_at(__FILE__, __LINE__, "%s: \"%s\" was accepted", __func__, bad[i]);
		CHECK_INT(n, 0);
		CHECK_INT(ident_base64_decode_alloc(bad[i], len, sizeof(out), &decoded, &n),
			  IDENT_E_INVALID);
		CHECK(decoded == NULL);
	}
}

static void test_base64_truncated_prefixes(void)
{
	const char *text = "BF3624A0228001030100B6A3138101FF";
	uint8_t out[32];
	size_t n;

	for (size_t len = 0; len <= strlen(text); len++) {
		int expected = len % 4 == 0 ? IDENT_OK : IDENT_E_INVALID;

		CHECK_INT(ident_base64_decode(text, len, out, sizeof(out), &n), expected);
	}
}

int main(void)
{
	test_program = "test_ident";
	RUN(test_eid_check_digit_vectors);
	RUN(test_eid_rejects_malformed);
	RUN(test_eid_bytes_round_trip);
	RUN(test_iccid_luhn_cases);
	RUN(test_iccid_bcd_round_trip);
	RUN(test_hex_encode_decode);
	RUN(test_base64_known_answers);
	RUN(test_base64_round_trip_lengths);
	RUN(test_base64_rejects_invalid);
	RUN(test_base64_truncated_prefixes);
	return test_finish();
}
