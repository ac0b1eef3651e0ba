/*
 * Unit tests of the rspctl argument checks (cli/util.c) and activation code building
 * (cli/es2.c): each check names the value and, for a check digit, the expected digit.
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
	char code[ACTCODE_MAX_LEN + 1];

	CHECK_INT(cli_es2_activation_code("smdp.example.com", "AB-1", NULL, false, code), 0);
	CHECK_STR(code, "LPA:1$smdp.example.com$AB-1");
	/* The flag keeps the empty OID field in place. */
	CHECK_INT(cli_es2_activation_code("smdp.example.com", "AB-1", NULL, true, code), 0);
	CHECK_STR(code, "LPA:1$smdp.example.com$AB-1$$1");
	CHECK_INT(cli_es2_activation_code("smdp.example.com", "AB-1", "1.3.6.1.4.1.99999", false,
					  code), 0);
	CHECK_STR(code, "LPA:1$smdp.example.com$AB-1$1.3.6.1.4.1.99999");
	CHECK_INT(cli_es2_activation_code("smdp.example.com", "AB-1", "2.999.10", true, code), 0);
	CHECK_STR(code, "LPA:1$smdp.example.com$AB-1$2.999.10$1");
	CHECK_INT(cli_es2_activation_code("smdp.example.com:8443", "AB-1", NULL, false, code), -1);
	CHECK_INT(cli_es2_activation_code("smdp.example.com", "AB$1", NULL, false, code), -1);
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
	return test_finish();
}
