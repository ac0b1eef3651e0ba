/*
 * Unit tests of common/json: strict request parsing (duplicate keys, trailing data, truncated
 * bodies), typed getters (missing versus invalid) and the SGP.22 response header.
 */
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/limits.h"
#include "test/harness.h"

/* An InitiateAuthentication-shaped request body. */
static const char valid_body[] =
	"{\"smdpAddress\":\"testsmdpplus1.example.com\","
	"\"euiccChallenge\":\"ESIzRFVmd4iZqrvM3e7/AA==\","
	"\"euiccInfo1\":\"vyAVggMCAgCpBgQE9UFyvaoGBAT1QXK9\","
	"\"transactionId\":\"0A1B2C3D4E5F60718293A4B5C6D7E8F9\","
	"\"flag\":true,\"count\":7,\"nested\":{\"inner\":[1,2,{\"deep\":null}]}}";

static cJSON *parse_text(const char *text)
{
	cJSON *obj = NULL;

	if (json_parse_object(text, strlen(text), &obj) != JSON_OK)
		return NULL;
	return obj;
}

static void test_parse_valid_body(void)
{
	cJSON *obj = NULL;

	CHECK_INT(json_parse_object(valid_body, strlen(valid_body), &obj), JSON_OK);
	REQUIRE(obj != NULL);
	CHECK(cJSON_IsObject(obj));
	cJSON_Delete(obj);
}

static void test_parse_whitespace_around_object(void)
{
	static const char body[] = " \r\n\t{\"a\":1} \n";
	cJSON *obj = NULL;

	CHECK_INT(json_parse_object(body, strlen(body), &obj), JSON_OK);
	cJSON_Delete(obj);
}

static void test_parse_rejects_non_objects(void)
{
	static const char *const bodies[] = {
		"[]", "[{\"a\":1}]", "\"text\"", "42", "true", "null", "", " ", "{", "}", "{\"a\"}",
		"{\"a\":}", "{\"a\":1,}", "{'a':1}", "{a:1}", "{\"a\":1}{\"b\":2}", "{\"a\":1} x",
		"{\"a\":\"unterminated}",
	};

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		cJSON *obj = (cJSON *)1;
		int rc = json_parse_object(bodies[i], strlen(bodies[i]), &obj);

		if (rc != JSON_E_INVALID || obj != NULL)
			test_fail_at(__FILE__, __LINE__, "%s: body %zu \"%s\" gave %d", __func__,
				     i, bodies[i], rc);
	}
}

static void test_parse_rejects_nul_byte(void)
{
	static const char body[] = "{\"a\":\"x\0y\"}";
	cJSON *obj = NULL;

	CHECK_INT(json_parse_object(body, sizeof(body) - 1, &obj), JSON_E_INVALID);
	CHECK(obj == NULL);
}

static void test_parse_rejects_nul_escape(void)
{
	/* Every field the tester cut short with \u0000, in the request where it appears. */
	static const char *const bodies[] = {
		/* ES9+ GetBoundProfilePackage: hashCc input would be the code "12". */
		"{\"transactionId\":\"0A1B\",\"confirmationCode\":\"12\\u000034567\"}",
		/* ES9+ AuthenticateClient: matchingId read as "A". */
		"{\"transactionId\":\"0A1B\",\"matchingId\":\"A\\u0000B\"}",
		/* ES9+ InitiateAuthentication: smdpAddress compared without its tail. */
		"{\"smdpAddress\":\"testsmdpplus1.example.com\\u0000.evil.example\"}",
		/* euiccInfo1: base64 with \u0000 appended would decode as the valid prefix. */
		"{\"euiccInfo1\":\"vyAVggMCAgCpBgQE9UFyvaoGBAT1QXK9\\u0000\"}",
		/* ES2+ request header, one level down. */
		"{\"header\":{\"functionRequesterIdentifier\":\"operator-1\\u0000x\","
		"\"functionCallIdentifier\":\"FCI-1\"},\"iccid\":\"89049032123451234512\"}",
		"{\"header\":{\"functionRequesterIdentifier\":\"op\","
		"\"functionCallIdentifier\":\"x\"},\"iccid\":\"8949\\u00000000000000000\"}",
		/* The escape alone, at the end of a value, in a member name, in an array. */
		"{\"a\":\"\\u0000\"}",
		"{\"a\":\"x\\u0000\"}",
		"{\"matching\\u0000Id\":\"x\"}",
		"{\"a\":[\"ok\",\"b\\u0000\"]}",
		/* An escaped backslash followed by the escape: the second backslash starts it. */
		"{\"a\":\"\\\\\\u0000\"}",
	};

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		cJSON *obj = (cJSON *)1;
		int rc = json_parse_object(bodies[i], strlen(bodies[i]), &obj);

		if (rc != JSON_E_INVALID || obj != NULL)
			test_fail_at(__FILE__, __LINE__, "%s: body %zu %s gave %d", __func__, i,
				     bodies[i], rc);
	}
}

static void test_parse_keeps_escaped_backslash_u0000(void)
{
	/* "\\u0000" is a backslash followed by the text u0000, six characters: no NUL. */
	static const char body[] =
		"{\"a\":\"\\\\u0000\",\"b\":\"x\\\\\\\\u0000\",\"c\":\"\\u0001\"}";
	cJSON *obj = parse_text(body);
	const char *s = NULL;

	REQUIRE(obj != NULL);
	CHECK_INT(json_get_string(obj, "a", 16, &s), JSON_OK);
	CHECK_STR(s, "\\u0000");
	CHECK_INT(json_get_string(obj, "b", 16, &s), JSON_OK);
	CHECK_STR(s, "x\\\\u0000");
	CHECK_INT(json_get_string(obj, "c", 16, &s), JSON_OK);
	CHECK_STR(s, "\x01");
	cJSON_Delete(obj);
}

static void test_string_getter_returns_whole_value(void)
{
	/* Escapes decode to their full value: nothing a client sent is dropped. */
	static const char body[] =
		"{\"matchingId\":\"AB\\u0043D-\\u00e9\",\"confirmationCode\":\"12\\/34\\\"5\"}";
	cJSON *obj = parse_text(body);
	const char *s = NULL;

	REQUIRE(obj != NULL);
	CHECK_INT(json_get_string(obj, "matchingId", 16, &s), JSON_OK);
	CHECK_STR(s, "ABCD-\xc3\xa9");
	CHECK_INT(json_get_string(obj, "confirmationCode", 16, &s), JSON_OK);
	CHECK_STR(s, "12/34\"5");
	cJSON_Delete(obj);
}

static void test_parse_length_not_terminator(void)
{
	/* Only the first len bytes count: the text after them must not be read. */
	static const char text[] = "{\"a\":1}GARBAGE";
	cJSON *obj = NULL;

	CHECK_INT(json_parse_object(text, 7, &obj), JSON_OK);
	cJSON_Delete(obj);
	CHECK_INT(json_parse_object(text, 6, &obj), JSON_E_INVALID);
}

static void test_parse_rejects_duplicate_keys(void)
{
	static const char *const bodies[] = {
		"{\"a\":1,\"a\":2}",
		"{\"a\":1,\"b\":2,\"a\":1}",
		"{\"x\":{\"k\":1,\"k\":1}}",
		"{\"x\":[{\"k\":1},{\"k\":1,\"k\":2}]}",
		"{\"\":1,\"\":2}",
	};

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		cJSON *obj = NULL;

		if (json_parse_object(bodies[i], strlen(bodies[i]), &obj) != JSON_E_INVALID)
			test_fail_at(__FILE__, __LINE__, "%s: duplicate keys accepted: %s",
				     __func__, bodies[i]);
		cJSON_Delete(obj);
	}
}

static void test_parse_keys_differing_in_case(void)
{
	static const char body[] = "{\"transactionId\":\"AA\",\"TransactionId\":\"BB\"}";
	cJSON *obj = parse_text(body);
	uint8_t tid[16];
	size_t len = 0;

	REQUIRE(obj != NULL);
	CHECK_INT(json_get_transaction_id(obj, "transactionId", tid, &len), JSON_OK);
	CHECK_INT(len, 1);
	CHECK_INT(tid[0], 0xAA);
	cJSON_Delete(obj);
}

static void test_parse_depth_limit(void)
{
	char deep[256], shallow[256];
	size_t n = 0;
	cJSON *obj = NULL;

	/* {"a":{"a":...}} nested JSON_MAX_DEPTH + 2 levels is rejected, JSON_MAX_DEPTH accepted. */
	for (int i = 0; i < JSON_MAX_DEPTH + 2; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "{\"a\":");
	n += (size_t)snprintf(deep + n, sizeof(deep) - n, "1");
	for (int i = 0; i < JSON_MAX_DEPTH + 2; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "}");
	CHECK_INT(json_parse_object(deep, n, &obj), JSON_E_INVALID);

	n = 0;
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		n += (size_t)snprintf(shallow + n, sizeof(shallow) - n, "{\"a\":");
	n += (size_t)snprintf(shallow + n, sizeof(shallow) - n, "1");
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		n += (size_t)snprintf(shallow + n, sizeof(shallow) - n, "}");
	CHECK_INT(json_parse_object(shallow, n, &obj), JSON_OK);
	cJSON_Delete(obj);
}

static void test_parse_every_truncated_prefix(void)
{
	size_t len = strlen(valid_body);

	for (size_t i = 0; i < len; i++) {
		/* A copy of exactly i bytes, so ASan reports any read past the prefix. */
		char *prefix = malloc(i ? i : 1);
		cJSON *obj = NULL;
		int rc;

		REQUIRE(prefix != NULL);
		memcpy(prefix, valid_body, i);
		rc = json_parse_object(prefix, i, &obj);
		if (rc != JSON_E_INVALID || obj != NULL)
			test_fail_at(__FILE__, __LINE__, "%s: prefix of %zu bytes gave %d",
				     __func__, i, rc);
		cJSON_Delete(obj);
		free(prefix);
	}
}

static void test_string_getter(void)
{
	cJSON *obj = parse_text("{\"s\":\"abc\",\"empty\":\"\",\"n\":5,\"z\":null,\"o\":{}}");
	const char *s = NULL;

	REQUIRE(obj != NULL);
	CHECK_INT(json_get_string(obj, "s", 3, &s), JSON_OK);
	CHECK_STR(s, "abc");
	CHECK_INT(json_get_string(obj, "s", 2, &s), JSON_E_INVALID);
	CHECK_INT(json_get_string(obj, "empty", 0, &s), JSON_OK);
	CHECK_STR(s, "");
	CHECK_INT(json_get_string(obj, "n", 10, &s), JSON_E_INVALID);
	CHECK_INT(json_get_string(obj, "o", 10, &s), JSON_E_INVALID);
	CHECK_INT(json_get_string(obj, "z", 10, &s), JSON_E_MISSING);
	CHECK_INT(json_get_string(obj, "absent", 10, &s), JSON_E_MISSING);
	CHECK_INT(json_get_string(obj, "S", 10, &s), JSON_E_MISSING);
	cJSON_Delete(obj);
}

static void test_getters_on_non_object(void)
{
	cJSON *arr = cJSON_CreateArray();
	const char *s;
	bool b;

	REQUIRE(arr != NULL);
	CHECK_INT(json_get_string(arr, "s", 10, &s), JSON_E_MISSING);
	CHECK_INT(json_get_bool(NULL, "b", &b), JSON_E_MISSING);
	cJSON_Delete(arr);
}

static void test_base64_getter(void)
{
	cJSON *obj = parse_text(
		"{\"ok\":\"AAECAw==\",\"ok2\":\"AAEC\",\"space\":\"AAEC Aw==\","
		"\"nl\":\"AAEC\\nAw==\","
		"\"bad\":\"AA*C\",\"pad\":\"AAE=AAEC\",\"short\":\"AAE\",\"url\":\"__--\","
		"\"empty\":\"\",\"num\":1}");
	uint8_t *data = NULL;
	size_t len = 0;
	static const uint8_t expected[] = { 0, 1, 2, 3 };
	static const char *const invalid[] = { "space", "nl", "bad", "pad", "short", "url",
					       "empty", "num" };

	REQUIRE(obj != NULL);
	CHECK_INT(json_get_base64(obj, "ok", 16, &data, &len), JSON_OK);
	CHECK_INT(len, 4);
	if (data)
		CHECK_MEM(data, expected, 4);
	free(data);
	data = NULL;
	CHECK_INT(json_get_base64(obj, "ok2", 3, &data, &len), JSON_OK);
	free(data);
	data = NULL;
	/* Decoded size above the maximum. */
	CHECK_INT(json_get_base64(obj, "ok", 3, &data, &len), JSON_E_INVALID);
	CHECK(data == NULL);
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		if (json_get_base64(obj, invalid[i], 64, &data, &len) != JSON_E_INVALID)
			test_fail_at(__FILE__, __LINE__, "%s: field %s accepted", __func__,
				     invalid[i]);
		free(data);
		data = NULL;
	}
	CHECK_INT(json_get_base64(obj, "absent", 64, &data, &len), JSON_E_MISSING);
	cJSON_Delete(obj);
}

static void test_base64_oversized_field(void)
{
	size_t n = (RSP_MAX_B64_FIELD / 3 + 2) * 4;
	char *text = malloc(n + 1);
	cJSON *obj = cJSON_CreateObject();
	uint8_t *data = NULL;
	size_t len = 0;

	REQUIRE(text != NULL);
	REQUIRE(obj != NULL);
	memset(text, 'A', n);
	text[n] = '\0';
	cJSON_AddStringToObject(obj, "big", text);
	CHECK_INT(json_get_base64(obj, "big", RSP_MAX_B64_FIELD, &data, &len), JSON_E_INVALID);
	CHECK(data == NULL);
	/* Exactly the maximum decodes. */
	text[(RSP_MAX_B64_FIELD / 3) * 4] = '\0';
	cJSON_ReplaceItemInObject(obj, "big", cJSON_CreateString(text));
	CHECK_INT(json_get_base64(obj, "big", RSP_MAX_B64_FIELD, &data, &len), JSON_OK);
	CHECK_INT(len, (RSP_MAX_B64_FIELD / 3) * 3);
	free(data);
	free(text);
	cJSON_Delete(obj);
}

static void test_transaction_id_getter(void)
{
	cJSON *obj = parse_text("{\"upper\":\"0A1B2C3D4E5F60718293A4B5C6D7E8F9\","
				"\"lower\":\"0a1b\",\"two\":\"FF\",\"odd\":\"ABC\",\"one\":\"A\","
				"\"long\":\"0A1B2C3D4E5F60718293A4B5C6D7E8F900\","
				"\"nonhex\":\"0G\",\"sep\":\"0A:1B\",\"num\":12,\"empty\":\"\"}");
	static const uint8_t expected[16] = { 0x0A, 0x1B, 0x2C, 0x3D, 0x4E, 0x5F, 0x60, 0x71,
					      0x82, 0x93, 0xA4, 0xB5, 0xC6, 0xD7, 0xE8, 0xF9 };
	static const char *const invalid[] = { "odd", "one", "long", "nonhex", "sep", "num",
					       "empty" };
	uint8_t tid[16];
	size_t len = 0;

	REQUIRE(obj != NULL);
	CHECK_INT(json_get_transaction_id(obj, "upper", tid, &len), JSON_OK);
	CHECK_INT(len, 16);
	CHECK_MEM(tid, expected, 16);
	CHECK_INT(json_get_transaction_id(obj, "lower", tid, &len), JSON_OK);
	CHECK_INT(len, 2);
	CHECK_INT(tid[1], 0x1B);
	CHECK_INT(json_get_transaction_id(obj, "two", tid, &len), JSON_OK);
	CHECK_INT(len, 1);
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		if (json_get_transaction_id(obj, invalid[i], tid, &len) != JSON_E_INVALID)
			test_fail_at(__FILE__, __LINE__, "%s: transactionId %s accepted",
				     __func__, invalid[i]);
	}
	CHECK_INT(json_get_transaction_id(obj, "absent", tid, &len), JSON_E_MISSING);
	cJSON_Delete(obj);
}

static void test_bool_and_int_getters(void)
{
	cJSON *obj = parse_text("{\"t\":true,\"f\":false,\"s\":\"true\",\"one\":1,\"i\":7,"
				"\"neg\":-3,\"frac\":7.5,\"exp\":1e3,\"big\":1e300,\"str\":\"7\"}");
	bool b = false;
	int64_t v = 0;

	REQUIRE(obj != NULL);
	CHECK_INT(json_get_bool(obj, "t", &b), JSON_OK);
	CHECK(b);
	CHECK_INT(json_get_bool(obj, "f", &b), JSON_OK);
	CHECK(!b);
	CHECK_INT(json_get_bool(obj, "s", &b), JSON_E_INVALID);
	CHECK_INT(json_get_bool(obj, "one", &b), JSON_E_INVALID);
	CHECK_INT(json_get_bool(obj, "absent", &b), JSON_E_MISSING);

	CHECK_INT(json_get_int(obj, "i", 0, 10, &v), JSON_OK);
	CHECK_INT(v, 7);
	CHECK_INT(json_get_int(obj, "neg", -5, 5, &v), JSON_OK);
	CHECK_INT(v, -3);
	CHECK_INT(json_get_int(obj, "i", 8, 10, &v), JSON_E_INVALID);
	CHECK_INT(json_get_int(obj, "neg", 0, 10, &v), JSON_E_INVALID);
	CHECK_INT(json_get_int(obj, "frac", 0, 10, &v), JSON_E_INVALID);
	CHECK_INT(json_get_int(obj, "exp", 0, 1000, &v), JSON_OK);
	CHECK_INT(v, 1000);
	CHECK_INT(json_get_int(obj, "big", INT64_MIN, INT64_MAX, &v), JSON_E_INVALID);
	CHECK_INT(json_get_int(obj, "str", 0, 10, &v), JSON_E_INVALID);
	CHECK_INT(json_get_int(obj, "t", 0, 10, &v), JSON_E_INVALID);
	CHECK_INT(json_get_int(obj, "absent", 0, 10, &v), JSON_E_MISSING);
	cJSON_Delete(obj);
}

static char *print_and_free(cJSON *obj)
{
	char *text = json_print(obj, NULL);

	cJSON_Delete(obj);
	return text;
}

static void test_response_headers(void)
{
	char *text = print_and_free(json_response_success());

	CHECK_STR(text,
		  "{\"header\":{\"functionExecutionStatus\":{\"status\":\"Executed-Success\"}}}");
	cJSON_free(text);

	text = print_and_free(json_response_failed("8.10.1", "3.9", "TransactionId unknown"));
	CHECK_STR(text, "{\"header\":{\"functionExecutionStatus\":{\"status\":\"Failed\","
			"\"statusCodeData\":{\"subjectCode\":\"8.10.1\",\"reasonCode\":\"3.9\","
			"\"message\":\"TransactionId unknown\"}}}}");
	cJSON_free(text);

	text = print_and_free(json_response_failed("8.1", "6.1", NULL));
	CHECK_STR(text, "{\"header\":{\"functionExecutionStatus\":{\"status\":\"Failed\","
			"\"statusCodeData\":{\"subjectCode\":\"8.1\",\"reasonCode\":\"6.1\"}}}}");
	cJSON_free(text);
}

static void test_execution_status_round_trip(void)
{
	char *text = print_and_free(json_response_failed("8.2.7", "3.8", "refused"));
	struct json_execution_status st;
	cJSON *obj;

	REQUIRE(text != NULL);
	obj = parse_text(text);
	REQUIRE(obj != NULL);
	CHECK_INT(json_get_execution_status(obj, &st), JSON_OK);
	CHECK_STR(st.status, "Failed");
	CHECK_STR(st.subject_code, "8.2.7");
	CHECK_STR(st.reason_code, "3.8");
	CHECK_STR(st.message, "refused");
	cJSON_Delete(obj);
	cJSON_free(text);

	obj = parse_text("{\"header\":{\"functionExecutionStatus\":"
			 "{\"status\":\"Executed-Success\"}},\"transactionId\":\"AA\"}");
	REQUIRE(obj != NULL);
	CHECK_INT(json_get_execution_status(obj, &st), JSON_OK);
	CHECK_STR(st.status, "Executed-Success");
	CHECK(st.subject_code == NULL);
	cJSON_Delete(obj);

	obj = parse_text("{\"header\":{}}");
	REQUIRE(obj != NULL);
	CHECK_INT(json_get_execution_status(obj, &st), JSON_E_MISSING);
	cJSON_Delete(obj);
	obj = parse_text("{\"header\":{\"functionExecutionStatus\":{\"status\":1}}}");
	REQUIRE(obj != NULL);
	CHECK_INT(json_get_execution_status(obj, &st), JSON_E_INVALID);
	cJSON_Delete(obj);
}

static void test_request_header(void)
{
	cJSON *obj = cJSON_CreateObject();
	const char *requester = NULL, *call = NULL;
	char *text;
	cJSON *parsed;

	REQUIRE(obj != NULL);
	CHECK_INT(json_add_request_header(obj, "operator-1", "FCI-1-1"), JSON_OK);
	text = print_and_free(obj);
	REQUIRE(text != NULL);
	parsed = parse_text(text);
	REQUIRE(parsed != NULL);
	CHECK_INT(json_get_request_header(parsed, &requester, &call), JSON_OK);
	CHECK_STR(requester, "operator-1");
	CHECK_STR(call, "FCI-1-1");
	cJSON_Delete(parsed);
	cJSON_free(text);

	parsed = parse_text("{\"header\":{\"functionRequesterIdentifier\":\"op\"}}");
	REQUIRE(parsed != NULL);
	CHECK_INT(json_get_request_header(parsed, &requester, &call), JSON_E_MISSING);
	cJSON_Delete(parsed);
	parsed = parse_text("{\"eid\":\"1\"}");
	REQUIRE(parsed != NULL);
	CHECK_INT(json_get_request_header(parsed, &requester, &call), JSON_E_MISSING);
	cJSON_Delete(parsed);
}

static void test_add_binary_fields(void)
{
	static const uint8_t data[] = { 0x0a, 0xbc, 0xff, 0x00 };
	cJSON *obj = cJSON_CreateObject();
	char *text;

	REQUIRE(obj != NULL);
	CHECK_INT(json_add_hex(obj, "transactionId", data, sizeof(data)), JSON_OK);
	CHECK_INT(json_add_base64(obj, "b64", data, sizeof(data)), JSON_OK);
	CHECK_INT(json_add_string(obj, "s", "x"), JSON_OK);
	text = print_and_free(obj);
	CHECK_STR(text, "{\"transactionId\":\"0ABCFF00\",\"b64\":\"Crz/AA==\",\"s\":\"x\"}");
	cJSON_free(text);
}

int main(void)
{
	test_program = "test_json";
	RUN(test_parse_valid_body);
	RUN(test_parse_whitespace_around_object);
	RUN(test_parse_rejects_non_objects);
	RUN(test_parse_rejects_nul_byte);
	RUN(test_parse_rejects_nul_escape);
	RUN(test_parse_keeps_escaped_backslash_u0000);
	RUN(test_string_getter_returns_whole_value);
	RUN(test_parse_length_not_terminator);
	RUN(test_parse_rejects_duplicate_keys);
	RUN(test_parse_keys_differing_in_case);
	RUN(test_parse_depth_limit);
	RUN(test_parse_every_truncated_prefix);
	RUN(test_string_getter);
	RUN(test_getters_on_non_object);
	RUN(test_base64_getter);
	RUN(test_base64_oversized_field);
	RUN(test_transaction_id_getter);
	RUN(test_bool_and_int_getters);
	RUN(test_response_headers);
	RUN(test_execution_status_round_trip);
	RUN(test_request_header);
	RUN(test_add_binary_fields);
	return test_finish();
}
