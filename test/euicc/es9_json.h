/*
 * The test LPA's reader of ES9+ JSON responses (SGP.22 "ES9+ JSON binding"): the header with
 * its functionExecutionStatus, and the fields of each function's response, each binary field
 * decoded from base64 and checked to be one DER TLV of the expected tag.
 *
 *   {"header":{"functionExecutionStatus":{"status":"Executed-Success"}}, "transactionId":"..",
 *    "<field>":"<base64 of DER>", ...}
 *   {"header":{"functionExecutionStatus":{"status":"Failed","statusCodeData":{
 *    "subjectCode":"8.1.1","reasonCode":"3.8","message":".."}}}}
 *
 * Every parser takes the body with its length and rejects anything malformed, including every
 * truncated prefix of a valid body.
 */
#ifndef TEST_EUICC_ES9_JSON_H
#define TEST_EUICC_ES9_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "common/limits.h"

enum lpa_parse_status {
	LPA_PARSE_OK = 0,
	LPA_PARSE_FAILED = -1,  /* well-formed response whose status is not a success; see status */
	LPA_PARSE_INVALID = -2, /* malformed body, header or field; see error */
	LPA_PARSE_NOMEM = -3,
};

/* The functionExecutionStatus of a response. Absent values are empty strings. */
struct lpa_status_data {
	char status[32];          /* "Executed-Success", "Executed-WithWarning", "Failed", "Expired" */
	char subject_code[16];
	char reason_code[16];
	char subject_identifier[64];
	char message[256];
};

/* A binary field: the decoded DER, owned by the response structure. */
struct lpa_blob {
	uint8_t *data;
	size_t len;
};

struct lpa_tid {
	uint8_t bytes[RSP_TRANSACTION_ID_LEN];
	size_t len;
};

/* ES9+ InitiateAuthentication response. */
struct lpa_initiate_auth_response {
	struct lpa_tid transaction_id;
	struct lpa_blob server_signed1;      /* ServerSigned1 (30) */
	struct lpa_blob server_signature1;   /* 5F37 */
	struct lpa_blob ci_pkid;             /* euiccCiPKIdToBeUsed (04) */
	struct lpa_blob server_certificate;  /* CERT.DPauth (30) */
};

/* ES9+ AuthenticateClient response. */
struct lpa_authenticate_client_response {
	struct lpa_tid transaction_id;
	struct lpa_blob profile_metadata;    /* StoreMetadataRequest (BF25) */
	struct lpa_blob smdp_signed2;        /* SmdpSigned2 (30) */
	struct lpa_blob smdp_signature2;     /* 5F37 */
	struct lpa_blob smdp_certificate;    /* CERT.DPpb (30) */
};

/* ES9+ GetBoundProfilePackage response. */
struct lpa_get_bpp_response {
	struct lpa_tid transaction_id;
	struct lpa_blob bpp;                 /* BoundProfilePackage (BF36) */
};

/*
 * Each parser fills out (zeroed first) and status, and writes a description of a malformed
 * body into error. Returns LPA_PARSE_OK, LPA_PARSE_FAILED, LPA_PARSE_INVALID or
 * LPA_PARSE_NOMEM. The response structure must be released with its _clear function after any
 * outcome.
 */
int lpa_es9_parse_initiate_auth(const char *body, size_t len,
				struct lpa_initiate_auth_response *out,
				struct lpa_status_data *status, char *error, size_t error_size);
int lpa_es9_parse_authenticate_client(const char *body, size_t len,
				      struct lpa_authenticate_client_response *out,
				      struct lpa_status_data *status, char *error,
				      size_t error_size);
int lpa_es9_parse_get_bpp(const char *body, size_t len, struct lpa_get_bpp_response *out,
			  struct lpa_status_data *status, char *error, size_t error_size);
/* A response that carries only the header (CancelSession, or a failed function). */
int lpa_es9_parse_header_only(const char *body, size_t len, struct lpa_status_data *status,
			      char *error, size_t error_size);

void lpa_initiate_auth_response_clear(struct lpa_initiate_auth_response *r);
void lpa_authenticate_client_response_clear(struct lpa_authenticate_client_response *r);
void lpa_get_bpp_response_clear(struct lpa_get_bpp_response *r);

#endif
