/*
 * The SGP.22 JSON binding over cJSON: strict request parsing, typed getters and the
 * functionExecutionStatus header of responses. See common/json.h for the contract.
 */
#include "common/json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/ident.h"

/* Checks that no object at any depth has two members of the same name. */
static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int check_object_keys(const cJSON *obj)
{
	const char **keys = NULL;
	const cJSON *child;
	size_t n = 0, i = 0;
	int rc = JSON_OK;

	for (child = obj->child; child; child = child->next)
		n++;
	if (n < 2)
		return JSON_OK;
	keys = malloc(n * sizeof(*keys));
	if (!keys)
		return JSON_E_NOMEM;
	for (child = obj->child; child; child = child->next)
		keys[i++] = child->string ? child->string : "";
	qsort(keys, n, sizeof(*keys), compare_keys);
	for (i = 1; i < n; i++) {
		if (strcmp(keys[i - 1], keys[i]) == 0) {
			rc = JSON_E_INVALID;
			break;
		}
	}
	free(keys);
	return rc;
}

static int check_tree(const cJSON *item, int depth)
{
	const cJSON *child;
	int rc;

	if (depth > JSON_MAX_DEPTH)
		return JSON_E_INVALID;
	if (cJSON_IsObject(item)) {
		rc = check_object_keys(item);
		if (rc != JSON_OK)
			return rc;
	}
	if (cJSON_IsObject(item) || cJSON_IsArray(item)) {
		for (child = item->child; child; child = child->next) {
			rc = check_tree(child, depth + 1);
			if (rc != JSON_OK)
				return rc;
		}
	}
	return JSON_OK;
}

static bool is_json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Whether text contains the escape \u0000 in a string or member name. cJSON decodes it into a NUL
 * byte and hands out NUL-terminated strings, so the value would end there without notice
 * ("12\u000034567" would read as "12"). A backslash occurs in valid JSON only inside a string,
 * where it starts an escape whose next byte is its own (which may be another backslash), so
 * skipping each escape's second byte finds exactly the backslashes that start an escape.
 */
static bool has_nul_escape(const char *text, size_t len)
{
	static const char nul_escape[] = "u0000";

	for (size_t i = 0; i < len; i++) {
		if (text[i] != '\\')
			continue;
		if (len - i > sizeof(nul_escape) - 1 &&
		    memcmp(text + i + 1, nul_escape, sizeof(nul_escape) - 1) == 0)
			return true;
		i++;
	}
	return false;
}

int json_parse_object(const char *body, size_t len, cJSON **out)
{
	cJSON *root = NULL;
	const char *end = NULL;
	int rc = JSON_E_INVALID;

	*out = NULL;
	if (!body || len == 0 || memchr(body, '\0', len) || has_nul_escape(body, len))
		goto out;
	root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
	if (!root || !cJSON_IsObject(root))
		goto out;
	/* cJSON stops after the first value: anything but whitespace after it is an error. */
	if (!end || end < body || end > body + len)
		goto out;
	while (end < body + len && is_json_space(*end))
		end++;
	if (end != body + len)
		goto out;
	rc = check_tree(root, 0);
	if (rc != JSON_OK)
		goto out;
	*out = root;
	root = NULL;
out:
	cJSON_Delete(root);
	return rc;
}

/* The member name of obj, or NULL when absent or JSON null. */
static const cJSON *member(const cJSON *obj, const char *name)
{
	const cJSON *item;

	if (!cJSON_IsObject(obj))
		return NULL;
	item = cJSON_GetObjectItemCaseSensitive(obj, name);
	if (!item || cJSON_IsNull(item))
		return NULL;
	return item;
}

int json_get_string(const cJSON *obj, const char *name, size_t max_len, const char **out)
{
	const cJSON *item = member(obj, name);

	if (!item)
		return JSON_E_MISSING;
	if (!cJSON_IsString(item) || !item->valuestring)
		return JSON_E_INVALID;
	if (strlen(item->valuestring) > max_len)
		return JSON_E_INVALID;
	*out = item->valuestring;
	return JSON_OK;
}

int json_get_base64(const cJSON *obj, const char *name, size_t max_len, uint8_t **out,
		    size_t *out_len)
{
	const char *text;
	uint8_t *buf = NULL;
	size_t buf_len = 0;
	size_t max_text;
	int rc;

	/* Four characters per three bytes, rounded up. */
	max_text = (max_len / 3 + 1) * 4;
	rc = json_get_string(obj, name, max_text, &text);
	if (rc != JSON_OK)
		return rc;
	if (text[0] == '\0')
		return JSON_E_INVALID;
	rc = ident_base64_decode_alloc(text, strlen(text), max_len, &buf, &buf_len);
	if (rc == IDENT_E_NOMEM)
		return JSON_E_NOMEM;
	if (rc != IDENT_OK || !buf)
		return JSON_E_INVALID;
	*out = buf;
	*out_len = buf_len;
	return JSON_OK;
}

int json_get_transaction_id(const cJSON *obj, const char *name, uint8_t out[16], size_t *out_len)
{
	const char *text;
	size_t len, n = 0;
	uint8_t buf[16];
	int rc;

	rc = json_get_string(obj, name, 32, &text);
	if (rc != JSON_OK)
		return rc;
	len = strlen(text);
	if (len < 2 || len % 2 != 0)
		return JSON_E_INVALID;
	if (ident_hex_decode(text, len, buf, sizeof(buf), &n) != IDENT_OK || n != len / 2)
		return JSON_E_INVALID;
	memcpy(out, buf, n);
	*out_len = n;
	return JSON_OK;
}

int json_get_bool(const cJSON *obj, const char *name, bool *out)
{
	const cJSON *item = member(obj, name);

	if (!item)
		return JSON_E_MISSING;
	if (!cJSON_IsBool(item))
		return JSON_E_INVALID;
	*out = cJSON_IsTrue(item);
	return JSON_OK;
}

int json_get_int(const cJSON *obj, const char *name, int64_t min, int64_t max, int64_t *out)
{
	const cJSON *item = member(obj, name);
	double v;

	if (!item)
		return JSON_E_MISSING;
	if (!cJSON_IsNumber(item))
		return JSON_E_INVALID;
	v = item->valuedouble;
	/* Doubles hold every integer up to 2^53 exactly; beyond that the text was not exact. */
	if (!isfinite(v) || v != floor(v) || fabs(v) > 9007199254740992.0)
		return JSON_E_INVALID;
	if ((int64_t)v < min || (int64_t)v > max)
		return JSON_E_INVALID;
	*out = (int64_t)v;
	return JSON_OK;
}

int json_get_object(const cJSON *obj, const char *name, const cJSON **out)
{
	const cJSON *item = member(obj, name);

	if (!item)
		return JSON_E_MISSING;
	if (!cJSON_IsObject(item))
		return JSON_E_INVALID;
	*out = item;
	return JSON_OK;
}

int json_get_request_header(const cJSON *obj, const char **requester_id, const char **call_id)
{
	const cJSON *header;
	const char *requester, *call;
	int rc;

	rc = json_get_object(obj, "header", &header);
	if (rc != JSON_OK)
		return rc;
	rc = json_get_string(header, "functionRequesterIdentifier", JSON_MAX_IDENTIFIER,
			     &requester);
	if (rc != JSON_OK)
		return rc;
	rc = json_get_string(header, "functionCallIdentifier", JSON_MAX_IDENTIFIER, &call);
	if (rc != JSON_OK)
		return rc;
	*requester_id = requester;
	*call_id = call;
	return JSON_OK;
}

/* An optional string member: absent gives NULL and JSON_OK. */
static int optional_string(const cJSON *obj, const char *name, size_t max_len, const char **out)
{
	int rc = json_get_string(obj, name, max_len, out);

	if (rc == JSON_E_MISSING) {
		*out = NULL;
		return JSON_OK;
	}
	return rc;
}

int json_get_execution_status(const cJSON *obj, struct json_execution_status *out)
{
	struct json_execution_status st = { 0 };
	const cJSON *header, *fes, *data;
	int rc;

	rc = json_get_object(obj, "header", &header);
	if (rc != JSON_OK)
		return rc;
	rc = json_get_object(header, "functionExecutionStatus", &fes);
	if (rc != JSON_OK)
		return rc;
	rc = json_get_string(fes, "status", JSON_MAX_IDENTIFIER, &st.status);
	if (rc != JSON_OK)
		return rc;
	rc = json_get_object(fes, "statusCodeData", &data);
	if (rc == JSON_OK) {
		rc = optional_string(data, "subjectCode", JSON_MAX_IDENTIFIER, &st.subject_code);
		if (rc != JSON_OK)
			return rc;
		rc = optional_string(data, "reasonCode", JSON_MAX_IDENTIFIER, &st.reason_code);
		if (rc != JSON_OK)
			return rc;
		rc = optional_string(data, "message", JSON_MAX_MESSAGE, &st.message);
		if (rc != JSON_OK)
			return rc;
	} else if (rc != JSON_E_MISSING) {
		return rc;
	}
	*out = st;
	return JSON_OK;
}

/* Builds {"header":{"functionExecutionStatus":{"status":status}}} and returns the inner object. */
static cJSON *response_skeleton(const char *status, cJSON **fes_out)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *header, *fes;

	if (!root)
		return NULL;
	header = cJSON_AddObjectToObject(root, "header");
	fes = header ? cJSON_AddObjectToObject(header, "functionExecutionStatus") : NULL;
	if (!fes || !cJSON_AddStringToObject(fes, "status", status)) {
		cJSON_Delete(root);
		return NULL;
	}
	*fes_out = fes;
	return root;
}

cJSON *json_response_success(void)
{
	cJSON *fes;

	return response_skeleton(JSON_STATUS_SUCCESS, &fes);
}

cJSON *json_response_failed(const char *subject_code, const char *reason_code, const char *message)
{
	cJSON *fes = NULL, *data;
	cJSON *root = response_skeleton(JSON_STATUS_FAILED, &fes);

	if (!root)
		return NULL;
	data = cJSON_AddObjectToObject(fes, "statusCodeData");
	if (!data ||
	    !cJSON_AddStringToObject(data, "subjectCode", subject_code ? subject_code : "") ||
	    !cJSON_AddStringToObject(data, "reasonCode", reason_code ? reason_code : "") ||
	    (message && !cJSON_AddStringToObject(data, "message", message))) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

int json_add_request_header(cJSON *obj, const char *requester_id, const char *call_id)
{
	cJSON *header = cJSON_AddObjectToObject(obj, "header");

	if (!header ||
	    !cJSON_AddStringToObject(header, "functionRequesterIdentifier", requester_id) ||
	    !cJSON_AddStringToObject(header, "functionCallIdentifier", call_id))
		return JSON_E_NOMEM;
	return JSON_OK;
}

int json_add_string(cJSON *obj, const char *name, const char *text)
{
	return cJSON_AddStringToObject(obj, name, text) ? JSON_OK : JSON_E_NOMEM;
}

int json_add_base64(cJSON *obj, const char *name, const uint8_t *data, size_t len)
{
	char *text = NULL;
	int rc = JSON_E_NOMEM;

	if (ident_base64_encode_alloc(data, len, &text) != IDENT_OK)
		goto out;
	rc = json_add_string(obj, name, text);
out:
	free(text);
	return rc;
}

int json_add_hex(cJSON *obj, const char *name, const uint8_t *data, size_t len)
{
	char *text = NULL;
	int rc = JSON_E_NOMEM;

	text = malloc(2 * len + 1);
	if (!text || ident_hex_encode(data, len, text, 2 * len + 1) != IDENT_OK)
		goto out;
	rc = json_add_string(obj, name, text);
out:
	free(text);
	return rc;
}

char *json_print(const cJSON *obj, size_t *len)
{
	char *text = cJSON_PrintUnformatted(obj);

	if (len)
		*len = text ? strlen(text) : 0;
	return text;
}
