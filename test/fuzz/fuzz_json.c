/*
 * Fuzz target: the SGP.22 JSON binding of common/json.h, as the ES9+ and ES2+ handlers use it:
 * json_parse_object on a request body, then the getters on the fields those handlers read.
 *
 * Invariants:
 *   - a getter that succeeds returns a value within its bounds;
 *   - base64 and transactionId values survive a round trip through json_add_base64 and
 *     json_add_hex, and an accepted transactionId is its hex text in another case at most;
 *   - an accepted body contains no escape \u0000, which would cut a string short;
 *   - the printed object parses again and prints the same text.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "common/json.h"
#include "common/limits.h"
#include "test/fuzz/fuzz.h"

/* Base64 fields of ES9+ requests, with the bound the getter is given. */
static const struct {
	const char *name;
	size_t max;
} base64_fields[] = {
	{ "euiccChallenge", RSP_CHALLENGE_LEN },
	{ "euiccInfo1", RSP_MAX_B64_FIELD },
	{ "authenticateServerResponse", RSP_MAX_B64_FIELD },
	{ "prepareDownloadResponse", RSP_MAX_B64_FIELD },
	{ "pendingNotification", RSP_MAX_B64_FIELD },
	{ "cancelSessionResponse", RSP_MAX_B64_FIELD },
};

/* String fields of ES9+ and ES2+ requests. */
static const struct {
	const char *name;
	size_t max;
} string_fields[] = {
	{ "smdpAddress", RSP_MAX_FQDN },
	{ "iccid", RSP_ICCID_MAX_DIGITS },
	{ "eid", RSP_EID_DIGITS },
	{ "matchingId", RSP_MAX_MATCHING_ID },
	{ "profileType", JSON_MAX_IDENTIFIER },
	{ "finalProfileStatusIndicator", 16 },
};

static void check_base64(const cJSON *root, const char *name, size_t max)
{
	uint8_t *bytes = NULL, *again = NULL;
	size_t len = 0, again_len = 0;
	cJSON *copy;
	int rc;

	rc = json_get_base64(root, name, max, &bytes, &len);
	FUZZ_CHECK(rc == JSON_OK || rc == JSON_E_MISSING || rc == JSON_E_INVALID);
	if (rc != JSON_OK)
		return;
	FUZZ_CHECK(bytes != NULL);
	FUZZ_CHECK(len > 0 && len <= max);

	copy = cJSON_CreateObject();
	FUZZ_CHECK(copy != NULL);
	FUZZ_CHECK(json_add_base64(copy, name, bytes, len) == JSON_OK);
	FUZZ_CHECK(json_get_base64(copy, name, max, &again, &again_len) == JSON_OK);
	FUZZ_CHECK(again_len == len);
	FUZZ_CHECK(memcmp(again, bytes, len) == 0);
	free(again);
	free(bytes);
	cJSON_Delete(copy);
}

static void check_transaction_id(const cJSON *root)
{
	uint8_t tid[16], again[16];
	size_t len = 0, again_len = 0;
	const char *text = NULL, *hex = NULL;
	cJSON *copy;
	int rc;

	rc = json_get_transaction_id(root, "transactionId", tid, &len);
	FUZZ_CHECK(rc == JSON_OK || rc == JSON_E_MISSING || rc == JSON_E_INVALID);
	if (rc != JSON_OK)
		return;
	FUZZ_CHECK(len >= 1 && len <= 16);
	FUZZ_CHECK(json_get_string(root, "transactionId", 32, &text) == JSON_OK);
	FUZZ_CHECK(strlen(text) == 2 * len);

	copy = cJSON_CreateObject();
	FUZZ_CHECK(copy != NULL);
	FUZZ_CHECK(json_add_hex(copy, "transactionId", tid, len) == JSON_OK);
	FUZZ_CHECK(json_get_string(copy, "transactionId", 32, &hex) == JSON_OK);
	FUZZ_CHECK(strcasecmp(hex, text) == 0);
	FUZZ_CHECK(json_get_transaction_id(copy, "transactionId", again, &again_len) == JSON_OK);
	FUZZ_CHECK(again_len == len);
	FUZZ_CHECK(memcmp(again, tid, len) == 0);
	cJSON_Delete(copy);
}

static void check_other_getters(const cJSON *root)
{
	struct json_execution_status st;
	const char *text = NULL, *requester = NULL, *call = NULL;
	const cJSON *header = NULL;
	int64_t number = 0;
	bool flag;
	int rc;

	for (size_t i = 0; i < sizeof(string_fields) / sizeof(string_fields[0]); i++) {
		rc = json_get_string(root, string_fields[i].name, string_fields[i].max, &text);
		if (rc == JSON_OK)
			FUZZ_CHECK(strlen(text) <= string_fields[i].max);
	}
	rc = json_get_bool(root, "releaseFlag", &flag);
	FUZZ_CHECK(rc == JSON_OK || rc == JSON_E_MISSING || rc == JSON_E_INVALID);
	rc = json_get_int(root, "count", -1000, 1000, &number);
	if (rc == JSON_OK)
		FUZZ_CHECK(number >= -1000 && number <= 1000);
	rc = json_get_object(root, "header", &header);
	if (rc == JSON_OK)
		FUZZ_CHECK(cJSON_IsObject(header));
	rc = json_get_request_header(root, &requester, &call);
	if (rc == JSON_OK) {
		FUZZ_CHECK(strlen(requester) <= JSON_MAX_IDENTIFIER);
		FUZZ_CHECK(strlen(call) <= JSON_MAX_IDENTIFIER);
	}
	rc = json_get_execution_status(root, &st);
	if (rc == JSON_OK) {
		FUZZ_CHECK(st.status != NULL);
		FUZZ_CHECK(!st.message || strlen(st.message) <= JSON_MAX_MESSAGE);
	}
}

/* Returns whether body contains the escape \u0000: "u0000" after an odd number of backslashes.
 * cJSON would cut the string at the NUL it decodes, so json_parse_object must reject it. */
static bool has_nul_escape(const char *body, size_t len)
{
	size_t backslashes = 0;

	for (size_t i = 0; i < len; i++) {
		if (body[i] == '\\') {
			backslashes++;
			continue;
		}
		if (backslashes % 2 == 1 && len - i >= 5 && memcmp(body + i, "u0000", 5) == 0)
			return true;
		backslashes = 0;
	}
	return false;
}

/* The printed form of an accepted object is accepted too, and printing is stable. */
static void check_print(const cJSON *root)
{
	char *text, *text2;
	size_t len = 0, len2 = 0;
	cJSON *again = NULL;
	int rc;

	text = json_print(root, &len);
	FUZZ_CHECK(text != NULL);
	FUZZ_CHECK(strlen(text) == len);
	rc = json_parse_object(text, len, &again);
	if (rc != JSON_OK)
		fprintf(stderr, "printed object does not parse: %s\n", text);
	FUZZ_CHECK(rc == JSON_OK);
	text2 = json_print(again, &len2);
	FUZZ_CHECK(text2 != NULL);
	FUZZ_CHECK(len2 == len);
	FUZZ_CHECK(memcmp(text2, text, len) == 0);
	cJSON_free(text2);
	cJSON_free(text);
	cJSON_Delete(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *root = NULL;
	int rc;

	rc = json_parse_object((const char *)data, size, &root);
	FUZZ_CHECK(rc == JSON_OK || rc == JSON_E_INVALID);
	if (rc != JSON_OK) {
		FUZZ_CHECK(root == NULL);
		return 0;
	}
	FUZZ_CHECK(cJSON_IsObject(root));
	FUZZ_CHECK(!has_nul_escape((const char *)data, size));

	for (size_t i = 0; i < sizeof(base64_fields) / sizeof(base64_fields[0]); i++)
		check_base64(root, base64_fields[i].name, base64_fields[i].max);
	check_transaction_id(root);
	check_other_getters(root);
	check_print(root);
	cJSON_Delete(root);
	return 0;
}
