/*
 * The SGP.22 JSON binding over cJSON 1.7.15: request parsing, typed field getters and the
 * response header (SGP.22 "JSON Binding": functionExecutionStatus, base64 of DER for binary
 * fields, transactionId as hex).
 *
 * Field lookup is case-sensitive. json_parse_object() rejects duplicate keys at any depth,
 * which cJSON itself accepts silently, so every name a getter reads has one value.
 *
 * cJSON keeps strings NUL-terminated without a length, and decodes the escape \u0000 into a NUL
 * byte, so "12\u000034567" would read as "12". json_parse_object() therefore rejects a body with
 * \u0000 in any string or member name (a raw NUL byte too), and the strings of the trees it
 * returns are complete. The getters rely on that: a getter cannot see a cut-off string, so use
 * them only on trees from json_parse_object() or built by the program, never on a tree that
 * cJSON parsed directly from received text.
 *
 * Every getter returns JSON_OK, JSON_E_MISSING or JSON_E_INVALID. JSON_E_MISSING means the
 * field is absent or null: the caller responds RSP_E_FIELD_MISSING ("mandatory element
 * missing") or treats an optional field as absent. JSON_E_INVALID means the field has the
 * wrong type, length or encoding (RSP_E_FIELD_INVALID). Output parameters are written only on
 * JSON_OK.
 *
 * Base64 and hex coding are those of common/ident.h.
 *
 * transactionId: SGP.22 writes it as upper-case hex, 2 to 32 digits. The getter also accepts
 * lower-case digits, because the value is compared as bytes and rejecting the case would only
 * break a lenient client. json_add_hex() always writes upper case. An odd number of digits is
 * invalid.
 */
#ifndef COMMON_JSON_H
#define COMMON_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

enum json_status {
	JSON_OK = 0,
	JSON_E_MISSING = -1, /* field absent or null */
	JSON_E_INVALID = -2, /* wrong type, length or encoding; a body that is no JSON object */
	JSON_E_NOMEM = -3,
};

#define JSON_STATUS_SUCCESS "Executed-Success"
#define JSON_STATUS_FAILED  "Failed"

/* Nesting depth of a request: SGP.22 bodies nest four levels at most (the response header). */
#define JSON_MAX_DEPTH 16
/* Identifier fields without a length in SGP.22 (functionCallIdentifier, status, codes). */
#define JSON_MAX_IDENTIFIER 256
/* statusCodeData.message read by clients. */
#define JSON_MAX_MESSAGE 1024

/*
 * Parses a request body of len bytes (no terminating NUL needed) that must be exactly one JSON
 * object, optionally surrounded by whitespace. Rejects NUL bytes, the escape \u0000, trailing
 * data, nesting deeper than JSON_MAX_DEPTH and duplicate keys in any object. UTF-8 is not
 * validated (cJSON does not).
 * The caller owns *out (cJSON_Delete). Returns JSON_OK, JSON_E_INVALID or JSON_E_NOMEM.
 */
int json_parse_object(const char *body, size_t len, cJSON **out);

/* A string field of at most max_len bytes ("" is valid); *out points into obj. */
int json_get_string(const cJSON *obj, const char *name, size_t max_len, const char **out);

/*
 * A base64 field (standard alphabet with padding, no whitespace, not empty) decoding to at most
 * max_len bytes (callers pass RSP_MAX_B64_FIELD or a tighter bound). *out is allocated with
 * malloc and owned by the caller.
 */
int json_get_base64(const cJSON *obj, const char *name, size_t max_len, uint8_t **out,
		    size_t *out_len);

/* A hex transactionId of 2..32 digits (even count) decoded to 1..16 bytes into out. */
int json_get_transaction_id(const cJSON *obj, const char *name, uint8_t out[16], size_t *out_len);

/* A JSON true or false. */
int json_get_bool(const cJSON *obj, const char *name, bool *out);

/* A JSON number that is an integer within [min, max]. */
int json_get_int(const cJSON *obj, const char *name, int64_t min, int64_t max, int64_t *out);

/* A JSON object; *out points into obj. */
int json_get_object(const cJSON *obj, const char *name, const cJSON **out);

/*
 * The request header of ES2+ and ES12 (SGP.22 JSON "RequestHeader"): header object with the
 * string fields functionRequesterIdentifier and functionCallIdentifier. ES9+ and ES11 requests
 * carry no header. The strings point into obj.
 */
int json_get_request_header(const cJSON *obj, const char **requester_id, const char **call_id);

/*
 * The functionExecutionStatus of a response (client side). subject_code, reason_code and
 * message are NULL when absent. The strings point into obj.
 */
struct json_execution_status {
	const char *status; /* "Executed-Success", "Executed-WithWarning", "Failed" or "Expired" */
	const char *subject_code;
	const char *reason_code;
	const char *message;
};
int json_get_execution_status(const cJSON *obj, struct json_execution_status *out);

/* Builds {"header":{"functionExecutionStatus":{"status":"Executed-Success"}}}; NULL on ENOMEM. */
cJSON *json_response_success(void);

/*
 * Builds the header-only Failed response with statusCodeData {subjectCode, reasonCode,
 * message}; message may be NULL. The codes come from the status table (common/status.h).
 */
cJSON *json_response_failed(const char *subject_code, const char *reason_code, const char *message);

/*
 * Builds a request header object {"functionRequesterIdentifier":..,"functionCallIdentifier":..}
 * and adds it as "header" to obj (client side of ES2+ and ES12).
 */
int json_add_request_header(cJSON *obj, const char *requester_id, const char *call_id);

/* Add a member name with base64(data), upper-case hex(data) or text; JSON_OK or JSON_E_NOMEM. */
int json_add_base64(cJSON *obj, const char *name, const uint8_t *data, size_t len);
int json_add_hex(cJSON *obj, const char *name, const uint8_t *data, size_t len);
int json_add_string(cJSON *obj, const char *name, const char *text);

/* Serializes obj without whitespace; *len receives strlen. The caller frees with cJSON_free. */
char *json_print(const cJSON *obj, size_t *len);

#endif
