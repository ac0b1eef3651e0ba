/*
 * The test LPA's reader of ES9+ JSON responses. See es9_json.h.
 */
#include "test/euicc/es9_json.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "asn1/der.h"
#include "common/ident.h"

/* A BoundProfilePackage is the largest field: the profile plus per-segment overhead. */
#define MAX_BPP_FIELD (RSP_MAX_PROFILE_PACKAGE + 64 * 1024)

static int invalid(char *error, size_t error_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int invalid(char *error, size_t error_size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error, error_size, fmt, ap);
	va_end(ap);
	return LPA_PARSE_INVALID;
}

static void copy_string(const cJSON *obj, const char *name, char *out, size_t out_size)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (cJSON_IsString(item))
		snprintf(out, out_size, "%s", item->valuestring);
}

/*
 * Parses the body as one JSON object and reads its header. On LPA_PARSE_OK and
 * LPA_PARSE_FAILED, *root is the parsed body for the caller to delete.
 */
static int parse_envelope(const char *body, size_t len, cJSON **root,
			  struct lpa_status_data *status, char *error, size_t error_size)
{
	const char *end = NULL;
	const cJSON *header, *fes, *st, *data;
	cJSON *doc;

	*root = NULL;
	memset(status, 0, sizeof(*status));
	if (!body || len == 0)
		return invalid(error, error_size, "empty response body");
	doc = cJSON_ParseWithLengthOpts(body, len, &end, false);
	if (!doc)
		return invalid(error, error_size, "response body is not JSON");
	while (end && (size_t)(end - body) < len && (*end == ' ' || *end == '\n' ||
						       *end == '\r' || *end == '\t'))
		end++;
	if (!cJSON_IsObject(doc) || !end || (size_t)(end - body) != len) {
		cJSON_Delete(doc);
		return invalid(error, error_size, "response body is not one JSON object");
	}

	header = cJSON_GetObjectItemCaseSensitive(doc, "header");
	fes = cJSON_GetObjectItemCaseSensitive(header, "functionExecutionStatus");
	st = cJSON_GetObjectItemCaseSensitive(fes, "status");
	if (!cJSON_IsObject(header) || !cJSON_IsObject(fes) || !cJSON_IsString(st)) {
		cJSON_Delete(doc);
		return invalid(error, error_size,
			       "response has no header.functionExecutionStatus.status string");
	}
	snprintf(status->status, sizeof(status->status), "%s", st->valuestring);
	*root = doc;
	if (strcmp(st->valuestring, "Executed-Success") == 0 ||
	    strcmp(st->valuestring, "Executed-WithWarning") == 0)
		return LPA_PARSE_OK;

	data = cJSON_GetObjectItemCaseSensitive(fes, "statusCodeData");
	copy_string(data, "subjectCode", status->subject_code, sizeof(status->subject_code));
	copy_string(data, "reasonCode", status->reason_code, sizeof(status->reason_code));
	copy_string(data, "subjectIdentifier", status->subject_identifier,
		    sizeof(status->subject_identifier));
	copy_string(data, "message", status->message, sizeof(status->message));
	return LPA_PARSE_FAILED;
}

static int get_tid(const cJSON *root, struct lpa_tid *out, char *error, size_t error_size)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, "transactionId");
	size_t len;

	if (!cJSON_IsString(item))
		return invalid(error, error_size, "transactionId missing or not a string");
	len = strlen(item->valuestring);
	if (len < 2 || len > 2 * RSP_TRANSACTION_ID_LEN ||
	    ident_hex_decode(item->valuestring, len, out->bytes, sizeof(out->bytes), &out->len) !=
		    IDENT_OK)
		return invalid(error, error_size, "transactionId is not 2 to 32 hex digits");
	return LPA_PARSE_OK;
}

/* A base64 field holding exactly one DER TLV with the given tag. */
static int get_der(const cJSON *root, const char *name, uint32_t tag, size_t max,
		   struct lpa_blob *out, char *error, size_t error_size)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, name);
	struct der_tlv tlv;
	int rc;

	if (!cJSON_IsString(item))
		return invalid(error, error_size, "%s missing or not a string", name);
	rc = ident_base64_decode_alloc(item->valuestring, strlen(item->valuestring), max,
				       &out->data, &out->len);
	if (rc == IDENT_E_NOMEM)
		return LPA_PARSE_NOMEM;
	if (rc != IDENT_OK || out->len == 0)
		return invalid(error, error_size, "%s is not base64 of at most %zu bytes", name, max);
	if (der_read_exact(out->data, out->len, tag, &tlv) != DER_OK)
		return invalid(error, error_size, "%s is not one DER TLV with tag %X", name,
			       (unsigned)tag);
	return LPA_PARSE_OK;
}

static void blob_clear(struct lpa_blob *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

int lpa_es9_parse_header_only(const char *body, size_t len, struct lpa_status_data *status,
			      char *error, size_t error_size)
{
	cJSON *root;
	int rc = parse_envelope(body, len, &root, status, error, error_size);

	cJSON_Delete(root);
	return rc;
}

/*
 * {"header":{..}, "transactionId":"..", "serverSigned1":"..", "serverSignature1":"..",
 *  "euiccCiPKIdToBeUsed":"..", "serverCertificate":".."}
 */
int lpa_es9_parse_initiate_auth(const char *body, size_t len,
				struct lpa_initiate_auth_response *out,
				struct lpa_status_data *status, char *error, size_t error_size)
{
	cJSON *root;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = parse_envelope(body, len, &root, status, error, error_size);
	if (rc == LPA_PARSE_OK)
		rc = get_tid(root, &out->transaction_id, error, error_size);
	if (rc == LPA_PARSE_OK)
		rc = get_der(root, "serverSigned1", 0x30, RSP_MAX_B64_FIELD, &out->server_signed1,
			     error, error_size);
	if (rc == LPA_PARSE_OK)
		rc = get_der(root, "serverSignature1", 0x5F37, RSP_MAX_B64_FIELD,
			     &out->server_signature1, error, error_size);
	if (rc == LPA_PARSE_OK)
		rc = get_der(root, "euiccCiPKIdToBeUsed", 0x04, RSP_MAX_B64_FIELD, &out->ci_pkid,
			     error, error_size);
	if (rc == LPA_PARSE_OK)
		rc = get_der(root, "serverCertificate", 0x30, RSP_MAX_CERT_DER,
			     &out->server_certificate, error, error_size);
	cJSON_Delete(root);
	return rc;
}

void lpa_initiate_auth_response_clear(struct lpa_initiate_auth_response *r)
{
	blob_clear(&r->server_signed1);
	blob_clear(&r->server_signature1);
	blob_clear(&r->ci_pkid);
	blob_clear(&r->server_certificate);
}

/*
 * {"header":{..}, "transactionId":"..", "profileMetadata":"..", "smdpSigned2":"..",
 *  "smdpSignature2":"..", "smdpCertificate":".."}
 */
int lpa_es9_parse_authenticate_client(const char *body, size_t len,
				      struct lpa_authenticate_client_response *out,
				      struct lpa_status_data *status, char *error,
				      size_t error_size)
{
	cJSON *root;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = parse_envelope(body, len, &root, status, error, error_size);
	if (rc == LPA_PARSE_OK)
		rc = get_tid(root, &out->transaction_id, error, error_size);
	if (rc == LPA_PARSE_OK)
		rc = get_der(root, "profileMetadata", 0xBF25, RSP_MAX_B64_FIELD,
			     &out->profile_metadata, error, error_size);
	if (rc == LPA_PARSE_OK)
		rc = get_der(root, "smdpSigned2", 0x30, RSP_MAX_B64_FIELD, &out->smdp_signed2,
			     error, error_size);
	if (rc == LPA_PARSE_OK)
		rc = get_der(root, "smdpSignature2", 0x5F37, RSP_MAX_B64_FIELD,
			     &out->smdp_signature2, error, error_size);
	if (rc == LPA_PARSE_OK)
		rc = get_der(root, "smdpCertificate", 0x30, RSP_MAX_CERT_DER,
			     &out->smdp_certificate, error, error_size);
	cJSON_Delete(root);
	return rc;
}

void lpa_authenticate_client_response_clear(struct lpa_authenticate_client_response *r)
{
	blob_clear(&r->profile_metadata);
	blob_clear(&r->smdp_signed2);
	blob_clear(&r->smdp_signature2);
	blob_clear(&r->smdp_certificate);
}

/* {"header":{..}, "transactionId":"..", "boundProfilePackage":".."} */
int lpa_es9_parse_get_bpp(const char *body, size_t len, struct lpa_get_bpp_response *out,
			  struct lpa_status_data *status, char *error, size_t error_size)
{
	cJSON *root;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = parse_envelope(body, len, &root, status, error, error_size);
	if (rc == LPA_PARSE_OK)
		rc = get_tid(root, &out->transaction_id, error, error_size);
	if (rc == LPA_PARSE_OK)
		rc = get_der(root, "boundProfilePackage", 0xBF36, MAX_BPP_FIELD, &out->bpp, error,
			     error_size);
	cJSON_Delete(root);
	return rc;
}

void lpa_get_bpp_response_clear(struct lpa_get_bpp_response *r)
{
	blob_clear(&r->bpp);
}
