/*
 * Unit tests of the rspctl argument checks (cli/util.c), activation code building (cli/es2.c)
 * and decoding errors (cli/code.c). Each check names the value and, for a check digit, the
 * expected digit. A field that is too long is named with its maximum length.
 */
#include <string.h>

#include "cli/cli.h"
#include "cli/es2.h"
#include "test/harness.h"

static void test_iccid_accepted_forms(void)
{
	char out[21], err[512];

	CHECK_INT(cli_describe_iccid("8949000000000000018", out, err, sizeof(err)), 0);
	CHECK_STR(out, "8949000000000000018");
	CHECK_INT(cli_describe_iccid("8949000000000000018F", out, err, sizeof(err)), 0);
	CHECK_STR(out, "8949000000000000018");
	CHECK_INT(cli_describe_iccid("89000123456789012341", out, err, sizeof(err)), 0);
	CHECK_STR(out, "89000123456789012341");
}

static void test_iccid_check_digit_named(void)
{
	char out[21], err[512];

	CHECK_INT(cli_describe_iccid("8949000000000000016", out, err, sizeof(err)), -1);
	CHECK(strstr(err, "8949000000000000016") != NULL);
	CHECK(strstr(err, "should be 8, not 6") != NULL);
	CHECK_INT(cli_describe_iccid("8949000000000000016F", out, err, sizeof(err)), -1);
	CHECK(strstr(err, "should be 8, not 6") != NULL);
}

static void test_iccid_malformed_rejected(void)
{
	static const char *const bad[] = {
		"", "894900000000000001", "894900000000000001A", "8949000000000000018FF",
		"+949000000000000018", "8949 00000000000018", "89490000000000000181F",
	};
	char out[21], err[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK_INT(cli_describe_iccid(bad[i], out, err, sizeof(err)), -1);
		CHECK(strstr(err, "invalid ICCID") != NULL);
	}
}

static void test_eid_checks(void)
{
	char err[512];

	CHECK_INT(cli_describe_eid("89086030000000000000000000000192", err, sizeof(err)), 0);
	CHECK_INT(cli_describe_eid("89086030000000000000000000000193", err, sizeof(err)), -1);
	CHECK(strstr(err, "should be 92") != NULL);
	CHECK_INT(cli_describe_eid("8908603000000000000000000000019", err, sizeof(err)), -1);
	CHECK(strstr(err, "32 decimal digits") != NULL);
	CHECK_INT(cli_describe_eid("8908603000000000000000000000019X", err, sizeof(err)), -1);
}

static void test_matching_id_character_set(void)
{
	char err[512];

	CHECK_INT(cli_describe_matching_id("ABC-123-XYZ", err, sizeof(err)), 0);
	CHECK_INT(cli_describe_matching_id("ABC_123", err, sizeof(err)), -1);
	CHECK(strstr(err, "character 4 ('_')") != NULL);
	CHECK_INT(cli_describe_matching_id("abc", err, sizeof(err)), -1);
	CHECK(strstr(err, "character 1 ('a')") != NULL);
	CHECK_INT(cli_describe_matching_id("A$B", err, sizeof(err)), -1);
	CHECK_INT(cli_describe_matching_id("", err, sizeof(err)), -1);
	CHECK(strstr(err, "0 characters") != NULL);
}

static void test_profile_type_and_numbers(void)
{
	long v = 0;

	CHECK_INT(cli_check_profile_type("consumer-5G_v1.2"), 0);
	CHECK_INT(cli_parse_long("1000", 1, 100000, &v), 0);
	CHECK_INT(v, 1000);
	CHECK_INT(cli_parse_long("0", 1, 10, &v), -1);
	CHECK_INT(cli_parse_long("12x", 1, 100, &v), -1);
	CHECK_INT(cli_parse_long(" 5", 1, 100, &v), -1);
	CHECK_INT(cli_parse_long("", 1, 100, &v), -1);
}

static void test_activation_code_fields(void)
{
	char code[ACTCODE_MAX_LEN + 1], err[512];

	CHECK_INT(cli_es2_activation_code("smdp.example.com", "AB-1", NULL, false, code, err,
					  sizeof(err)), 0);
	CHECK_STR(code, "LPA:1$smdp.example.com$AB-1");
	/* The flag keeps the empty OID field in place. */
	CHECK_INT(cli_es2_activation_code("smdp.example.com", "AB-1", NULL, true, code, err,
					  sizeof(err)), 0);
	CHECK_STR(code, "LPA:1$smdp.example.com$AB-1$$1");
	CHECK_INT(cli_es2_activation_code("smdp.example.com", "AB-1", "1.3.6.1.4.1.99999", false,
					  code, err, sizeof(err)), 0);
	CHECK_STR(code, "LPA:1$smdp.example.com$AB-1$1.3.6.1.4.1.99999");
	CHECK_INT(cli_es2_activation_code("smdp.example.com", "AB-1", "2.999.10", true, code, err,
					  sizeof(err)), 0);
	CHECK_STR(code, "LPA:1$smdp.example.com$AB-1$2.999.10$1");
	CHECK_INT(cli_es2_activation_code("smdp.example.com:8443", "AB-1", NULL, false, code, err,
					  sizeof(err)), -1);
	CHECK(strstr(err, "SM-DP+ address 'smdp.example.com:8443'") != NULL);
	CHECK_INT(cli_es2_activation_code("smdp.example.com", "AB$1", NULL, false, code, err,
					  sizeof(err)), -1);
	CHECK(strstr(err, "matchingId 'AB$1'") != NULL);
}

/* A string of n copies of c, in a static buffer. */
static const char *repeat(char c, size_t n)
{
	static char buf[1024];

	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

static void test_activation_code_long_fields_named(void)
{
	char address[300], code[ACTCODE_MAX_LEN + 1], err[512];
	size_t pos = 0;

	/* Seven labels of 40 letters: a host name of 286 characters. Without a length check the
	 * address would be cut to its buffer size and pass as a valid host name. */
	for (int label = 0; label < 7; label++) {
		if (label > 0)
			address[pos++] = '.';
		memset(address + pos, 'a', 40);
		pos += 40;
	}
	address[pos] = '\0';
	CHECK_INT(strlen(address), 286);
	CHECK_INT(cli_es2_activation_code(address, "AB-1", NULL, false, code, err, sizeof(err)),
		  -1);
	CHECK(strstr(err, "SM-DP+ address of") != NULL);
	CHECK(strstr(err, "at most 255 characters") != NULL);
	CHECK_STR(code, "");

	CHECK_INT(cli_es2_activation_code("smdp.example.com", repeat('M', 256), NULL, false, code,
					  err, sizeof(err)), -1);
	CHECK(strstr(err, "matchingId of 256 characters: the maximum is 255") != NULL);
}

static void test_address_and_oid_checks(void)
{
	char err[512];

	CHECK_INT(cli_describe_address("--address", "smdp.example.com", err, sizeof(err)), 0);
	CHECK_INT(cli_describe_address("--address", "smdp.example.com:443", err, sizeof(err)), -1);
	CHECK(strstr(err, "invalid --address 'smdp.example.com:443'") != NULL);
	CHECK(strstr(err, "without port") != NULL);
	CHECK_INT(cli_describe_address("SM-DP+ address", repeat('a', 300), err, sizeof(err)), -1);
	CHECK_STR(err, "invalid SM-DP+ address of 300 characters: an SM-DP+ address has at "
		  "most 255 characters");

	CHECK_INT(cli_describe_oid("--oid", "1.3.6.1.4.1.99999", err, sizeof(err)), 0);
	CHECK_INT(cli_describe_oid("--oid", "1.03", err, sizeof(err)), -1);
	CHECK(strstr(err, "invalid --oid '1.03'") != NULL);
	CHECK_INT(cli_describe_oid("--oid", repeat('1', 129), err, sizeof(err)), -1);
	CHECK_STR(err, "invalid --oid of 129 characters: an SM-DP+ OID has at most 128 "
		  "characters");
}

static void test_decode_error_names_long_field(void)
{
	char code[1200], err[2048];
	struct actcode ac;

	/* A 300-character matchingId in a code of 308 characters. */
	snprintf(code, sizeof(code), "LPA:1$smdp.example.com$%s", repeat('A', 300));
	REQUIRE(actcode_parse(code, strlen(code), &ac) == ACTCODE_E_TOO_LARGE);
	cli_describe_invalid_code(code, ACTCODE_E_TOO_LARGE, err, sizeof(err));
	CHECK_STR(err, "invalid activation code: its matchingId has 300 characters, the maximum "
		  "is 255");

	snprintf(code, sizeof(code), "1$%s$ABC", repeat('a', 256));
	cli_describe_invalid_code(code, ACTCODE_E_TOO_LARGE, err, sizeof(err));
	CHECK_STR(err, "invalid activation code: its SM-DP+ address has 256 characters, the "
		  "maximum is 255");

	snprintf(code, sizeof(code), "1$h.example$ABC$%s", repeat('1', 129));
	cli_describe_invalid_code(code, ACTCODE_E_TOO_LARGE, err, sizeof(err));
	CHECK_STR(err, "invalid activation code: its SM-DP+ OID has 129 characters, the maximum "
		  "is 128");

	/* Longer than any valid code, but with no field over its own maximum. */
	snprintf(code, sizeof(code), "1$h$A$1.2$1$%s", repeat('X', 700));
	REQUIRE(actcode_parse(code, strlen(code), &ac) == ACTCODE_E_TOO_LARGE);
	cli_describe_invalid_code(code, ACTCODE_E_TOO_LARGE, err, sizeof(err));
	CHECK(strstr(err, "invalid activation code of 712 characters") != NULL);
	CHECK(strstr(err, "the longest valid code has 648") != NULL);
}

int main(void)
{
	test_program = "test_cli_args";
	RUN(test_iccid_accepted_forms);
	RUN(test_iccid_check_digit_named);
	RUN(test_iccid_malformed_rejected);
	RUN(test_eid_checks);
	RUN(test_matching_id_character_set);
	RUN(test_profile_type_and_numbers);
	RUN(test_activation_code_fields);
	RUN(test_activation_code_long_fields_named);
	RUN(test_address_and_oid_checks);
	RUN(test_decode_error_names_long_field);
	return test_finish();
}
