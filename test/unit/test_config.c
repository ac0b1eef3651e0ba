/*
 * Unit tests of common/config: syntax, typed values and ranges, defaults, required keys,
 * environment overrides, and error messages that name the line and the key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "test/harness.h"

static const struct config_key keys[] = {
	{ "listen", CONFIG_STRING, "127.0.0.1:8443", 0, 0, 0, "address:port of the ES9+ listener" },
	{ "smdp_address", CONFIG_STRING, NULL, 0, 0, 0, "FQDN of this SM-DP+" },
	{ "threads", CONFIG_INT, "8", 1, 256, 0, "worker threads" },
	{ "offset", CONFIG_INT, "0", 0, 0, 0, "any integer" },
	{ "client_auth", CONFIG_BOOL, "false", 0, 0, 0, "require client certificates" },
	{ "session_timeout", CONFIG_DURATION, "5m", 1000, 86400000, 0, "RSP session lifetime" },
	{ "log.file", CONFIG_STRING, NULL, 0, 0, CONFIG_KEY_OPTIONAL, "log file" },
	{ "max-retries", CONFIG_INT, NULL, 0, 10, CONFIG_KEY_OPTIONAL, "download attempts" },
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static int load(const char *text, struct config **cfg, char *err)
{
	return config_load_buffer(text, strlen(text), "test.conf", keys, N_KEYS, 0, cfg, err,
				  CONFIG_MAX_ERROR);
}

/* Loads text expecting failure rc with an error containing every fragment given. */
static void expect_error(const char *text, int rc, const char *frag1, const char *frag2)
{
	struct config *cfg = NULL;
	char err[CONFIG_MAX_ERROR];
	int got = load(text, &cfg, err);

	if (got != rc)
		test_fail_at(__FILE__, __LINE__, "config \"%s\" gave %d, expected %d (%s)", text,
			     got, rc, err);
	if (cfg)
		test_fail_at(__FILE__, __LINE__, "config \"%s\" returned an object", text);
	if (frag1 && !strstr(err, frag1))
		test_fail_at(__FILE__, __LINE__, "error \"%s\" lacks \"%s\"", err, frag1);
	if (frag2 && !strstr(err, frag2))
		test_fail_at(__FILE__, __LINE__, "error \"%s\" lacks \"%s\"", err, frag2);
	config_free(cfg);
}

static void test_full_file(void)
{
	static const char text[] =
		"# SM-DP+ configuration\n"
		"\n"
		"   listen = 0.0.0.0:9443   # all interfaces\n"
		"smdp_address=\"smdp.example.com\"\n"
		"threads = 16\r\n"
		"offset = -5\n"
		"client_auth = Yes\n"
		"session_timeout = 90s\n"
		"log.file = '/var/log/rsp # not a comment.log'\n"
		"\t# indented comment\n";
	struct config *cfg = NULL;
	char err[CONFIG_MAX_ERROR];
	const char *s = NULL;
	int64_t v = 0;
	bool b = false;

	REQUIRE(load(text, &cfg, err) == CONFIG_OK);
	CHECK_INT(config_get_string(cfg, "listen", &s), CONFIG_OK);
	CHECK_STR(s, "0.0.0.0:9443");
	CHECK_INT(config_get_string(cfg, "smdp_address", &s), CONFIG_OK);
	CHECK_STR(s, "smdp.example.com");
	CHECK_INT(config_get_int(cfg, "threads", &v), CONFIG_OK);
	CHECK_INT(v, 16);
	CHECK_INT(config_get_int(cfg, "offset", &v), CONFIG_OK);
	CHECK_INT(v, -5);
	CHECK_INT(config_get_bool(cfg, "client_auth", &b), CONFIG_OK);
	CHECK(b);
	CHECK_INT(config_get_duration_ms(cfg, "session_timeout", &v), CONFIG_OK);
	CHECK_INT(v, 90000);
	CHECK_INT(config_get_string(cfg, "log.file", &s), CONFIG_OK);
	CHECK_STR(s, "/var/log/rsp # not a comment.log");
	CHECK_INT(config_get_int(cfg, "max-retries", &v), CONFIG_E_MISSING);
	CHECK(config_is_set(cfg, "threads"));
	CHECK(!config_is_set(cfg, "max-retries"));
	config_free(cfg);
}

static void test_defaults_apply(void)
{
	struct config *cfg = NULL;
	char err[CONFIG_MAX_ERROR];
	const char *s = "x";
	int64_t v = 0;
	bool b = true;

	REQUIRE(load("smdp_address = a.example\n", &cfg, err) == CONFIG_OK);
	CHECK_INT(config_get_string(cfg, "listen", &s), CONFIG_OK);
	CHECK_STR(s, "127.0.0.1:8443");
	CHECK(!config_is_set(cfg, "listen"));
	CHECK_INT(config_get_int(cfg, "threads", &v), CONFIG_OK);
	CHECK_INT(v, 8);
	CHECK_INT(config_get_bool(cfg, "client_auth", &b), CONFIG_OK);
	CHECK(!b);
	CHECK_INT(config_get_duration_ms(cfg, "session_timeout", &v), CONFIG_OK);
	CHECK_INT(v, 300000);
	CHECK_INT(config_get_string(cfg, "log.file", &s), CONFIG_OK);
	CHECK(s == NULL);
	config_free(cfg);
}

static void test_quoted_values(void)
{
	struct config *cfg = NULL;
	char err[CONFIG_MAX_ERROR];
	const char *s = NULL;

	REQUIRE(load("smdp_address = \"a \\\"b\\\" \\\\ c\\t#\"  # comment\nlisten = ''\n", &cfg,
		     err) == CONFIG_OK);
	CHECK_INT(config_get_string(cfg, "smdp_address", &s), CONFIG_OK);
	CHECK_STR(s, "a \"b\" \\ c\t#");
	CHECK_INT(config_get_string(cfg, "listen", &s), CONFIG_OK);
	CHECK_STR(s, "");
	config_free(cfg);
}

static void test_unknown_key_named(void)
{
	expect_error("smdp_address = a\n\nlisten_adress = 1\n", CONFIG_E_UNKNOWN_KEY, "test.conf:3",
		     "\"listen_adress\"");
	/* Keys are case-sensitive. */
	expect_error("SMDP_ADDRESS = a\n", CONFIG_E_UNKNOWN_KEY, "test.conf:1", "SMDP_ADDRESS");
}

static void test_duplicate_key(void)
{
	expect_error("smdp_address = a\nthreads = 2\nthreads = 3\n", CONFIG_E_DUPLICATE,
		     "test.conf:3", "\"threads\"");
}

static void test_syntax_errors(void)
{
	expect_error("smdp_address a\n", CONFIG_E_SYNTAX, "test.conf:1", "'='");
	expect_error("smdp_address = \"open\n", CONFIG_E_SYNTAX, "test.conf:1", "quote");
	expect_error("smdp_address = 'open\n", CONFIG_E_SYNTAX, "test.conf:1", "quote");
	expect_error("smdp_address = \"a\\qb\"\n", CONFIG_E_SYNTAX, "test.conf:1", "escape");
	expect_error("smdp_address = \"a\" b\n", CONFIG_E_SYNTAX, "test.conf:1", "after");
	expect_error("= value\n", CONFIG_E_SYNTAX, "test.conf:1", "key");
	expect_error("smdp_address = a\nfoo bar = 1\n", CONFIG_E_SYNTAX, "test.conf:2", NULL);
}

static void test_nul_byte_rejected(void)
{
	static const char text[] = "smdp_address = a\0b\n";
	struct config *cfg = NULL;
	char err[CONFIG_MAX_ERROR];

	CHECK_INT(config_load_buffer(text, sizeof(text) - 1, "nul.conf", keys, N_KEYS, 0, &cfg, err,
				     sizeof(err)),
		  CONFIG_E_SYNTAX);
	CHECK(cfg == NULL);
}

static void test_long_line_rejected(void)
{
	size_t n = CONFIG_MAX_LINE + 10;
	char *text = malloc(n + 32);

	REQUIRE(text != NULL);
	memcpy(text, "smdp_address = ", 15);
	memset(text + 15, 'a', n);
	memcpy(text + 15 + n, "\n", 2);
	expect_error(text, CONFIG_E_SYNTAX, "test.conf:1", "longer");
	free(text);
}

static void test_typed_value_errors(void)
{
	expect_error("smdp_address = a\nthreads = many\n", CONFIG_E_VALUE, "test.conf:2",
		     "threads");
	expect_error("smdp_address = a\nthreads = 12x\n", CONFIG_E_VALUE, "test.conf:2", "12x");
	expect_error("smdp_address = a\nthreads = 0\n", CONFIG_E_VALUE, "test.conf:2", "1..256");
	expect_error("smdp_address = a\nthreads = 257\n", CONFIG_E_VALUE, "test.conf:2", "range");
	expect_error("smdp_address = a\nthreads = 99999999999999999999\n", CONFIG_E_VALUE,
		     "test.conf:2", NULL);
	expect_error("smdp_address = a\nclient_auth = maybe\n", CONFIG_E_VALUE, "test.conf:2",
		     "client_auth");
	expect_error("smdp_address = a\nsession_timeout = 5 minutes\n", CONFIG_E_VALUE,
		     "test.conf:2", "duration");
	expect_error("smdp_address = a\nsession_timeout = -1s\n", CONFIG_E_VALUE, "test.conf:2",
		     NULL);
	expect_error("smdp_address = a\nsession_timeout = 500ms\n", CONFIG_E_VALUE, "test.conf:2",
		     "range");
	expect_error("smdp_address = a\nsession_timeout = 2d\n", CONFIG_E_VALUE, "test.conf:2",
		     "range");
}

static void test_missing_required_key(void)
{
	expect_error("threads = 2\n", CONFIG_E_MISSING, "smdp_address", NULL);
}

static void test_duration_units(void)
{
	static const struct {
		const char *text;
		int64_t ms;
	} cases[] = {
		{ "250ms", 250 }, { "30s", 30000 }, { "30", 30000 }, { "5m", 300000 },
		{ "2h", 7200000 }, { "1d", 86400000 }, { "0s", 0 },
	};
	static const char *const bad[] = { "", "s", "5 s", "5S", "5sec", "1.5s", "-5s",
					   "99999999999999999d" };
	int64_t v;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = -1;
		if (config_parse_duration_ms(cases[i].text, &v) != CONFIG_OK || v != cases[i].ms)
			test_fail_at(__FILE__, __LINE__, "duration \"%s\" gave %lld", cases[i].text,
				     (long long)v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (config_parse_duration_ms(bad[i], &v) == CONFIG_OK)
			test_fail_at(__FILE__, __LINE__, "duration \"%s\" accepted", bad[i]);
	}
}

static void test_bool_spellings(void)
{
	static const char *const yes[] = { "true", "TRUE", "yes", "on", "1" };
	static const char *const no[] = { "false", "No", "off", "0" };
	bool b;

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		b = false;
		CHECK_INT(config_parse_bool(yes[i], &b), CONFIG_OK);
		CHECK(b);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		b = true;
		CHECK_INT(config_parse_bool(no[i], &b), CONFIG_OK);
		CHECK(!b);
	}
	CHECK(config_parse_bool("2", &b) != CONFIG_OK);
	CHECK(config_parse_bool("", &b) != CONFIG_OK);
}

static void test_getter_type_mismatch(void)
{
	struct config *cfg = NULL;
	char err[CONFIG_MAX_ERROR];
	const char *s;
	int64_t v;
	bool b;

	REQUIRE(load("smdp_address = a\n", &cfg, err) == CONFIG_OK);
	CHECK_INT(config_get_int(cfg, "listen", &v), CONFIG_E_TYPE);
	CHECK_INT(config_get_bool(cfg, "threads", &b), CONFIG_E_TYPE);
	CHECK_INT(config_get_string(cfg, "threads", &s), CONFIG_E_TYPE);
	CHECK_INT(config_get_duration_ms(cfg, "threads", &v), CONFIG_E_TYPE);
	CHECK_INT(config_get_string(cfg, "no_such_key", &s), CONFIG_E_TYPE);
	CHECK(!config_is_set(cfg, "no_such_key"));
	config_free(cfg);
}

static void test_environment_override(void)
{
	struct config *cfg = NULL;
	char err[CONFIG_MAX_ERROR];
	static const char text[] = "smdp_address = file.example\nthreads = 2\n";
	const char *s = NULL;
	int64_t v = 0;

	setenv("RSP_SMDP_ADDRESS", "env.example", 1);
	setenv("RSP_LOG_FILE", "/tmp/env.log", 1);
	setenv("RSP_MAX_RETRIES", "4", 1);

	/* Without the flag the environment is ignored. */
	REQUIRE(load(text, &cfg, err) == CONFIG_OK);
	CHECK_INT(config_get_string(cfg, "smdp_address", &s), CONFIG_OK);
	CHECK_STR(s, "file.example");
	config_free(cfg);
	cfg = NULL;

	REQUIRE(config_load_buffer(text, strlen(text), "test.conf", keys, N_KEYS,
				   CONFIG_ENV_OVERRIDE, &cfg, err, sizeof(err)) == CONFIG_OK);
	CHECK_INT(config_get_string(cfg, "smdp_address", &s), CONFIG_OK);
	CHECK_STR(s, "env.example");
	CHECK_INT(config_get_string(cfg, "log.file", &s), CONFIG_OK);
	CHECK_STR(s, "/tmp/env.log");
	CHECK_INT(config_get_int(cfg, "max-retries", &v), CONFIG_OK);
	CHECK_INT(v, 4);
	CHECK_INT(config_get_int(cfg, "threads", &v), CONFIG_OK);
	CHECK_INT(v, 2);
	CHECK(config_is_set(cfg, "log.file"));
	config_free(cfg);
	cfg = NULL;

	/* An invalid environment value is an error naming the variable. */
	setenv("RSP_THREADS", "lots", 1);
	CHECK_INT(config_load_buffer(text, strlen(text), "test.conf", keys, N_KEYS,
				     CONFIG_ENV_OVERRIDE, &cfg, err, sizeof(err)),
		  CONFIG_E_VALUE);
	CHECK(strstr(err, "RSP_THREADS") != NULL);
	config_free(cfg);

	unsetenv("RSP_THREADS");
	unsetenv("RSP_SMDP_ADDRESS");
	unsetenv("RSP_LOG_FILE");
	unsetenv("RSP_MAX_RETRIES");
}

static void test_load_from_file(void)
{
	char dir[] = "/tmp/test_config_XXXXXX";
	char path[64], missing[80];
	struct config *cfg = NULL;
	char err[CONFIG_MAX_ERROR];
	const char *s = NULL;
	FILE *f;

	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/smdp.conf", dir);
	snprintf(missing, sizeof(missing), "%s/absent.conf", dir);
	f = fopen(path, "w");
	REQUIRE(f != NULL);
	fputs("smdp_address = file.example\nbogus = 1\n", f);
	fclose(f);

	CHECK_INT(config_load(path, keys, N_KEYS, 0, &cfg, err, sizeof(err)), CONFIG_E_UNKNOWN_KEY);
	CHECK(strstr(err, "smdp.conf:2") != NULL);

	f = fopen(path, "w");
	REQUIRE(f != NULL);
	fputs("smdp_address = file.example", f); /* no final newline */
	fclose(f);
	CHECK_INT(config_load(path, keys, N_KEYS, 0, &cfg, err, sizeof(err)), CONFIG_OK);
	CHECK_INT(config_get_string(cfg, "smdp_address", &s), CONFIG_OK);
	CHECK_STR(s, "file.example");
	config_free(cfg);
	cfg = NULL;

	CHECK_INT(config_load(missing, keys, N_KEYS, 0, &cfg, err, sizeof(err)), CONFIG_E_IO);
	CHECK(strstr(err, "absent.conf") != NULL);
	CHECK(cfg == NULL);

	/* No file: defaults only, so the required key is missing. */
	CHECK_INT(config_load(NULL, keys, N_KEYS, 0, &cfg, err, sizeof(err)), CONFIG_E_MISSING);

	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_program = "test_config";
	RUN(test_full_file);
	RUN(test_defaults_apply);
	RUN(test_quoted_values);
	RUN(test_unknown_key_named);
	RUN(test_duplicate_key);
	RUN(test_syntax_errors);
	RUN(test_nul_byte_rejected);
	RUN(test_long_line_rejected);
	RUN(test_typed_value_errors);
	RUN(test_missing_required_key);
	RUN(test_duration_units);
	RUN(test_bool_spellings);
	RUN(test_getter_type_mismatch);
	RUN(test_environment_override);
	RUN(test_load_from_file);
	return test_finish();
}
