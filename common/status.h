/*
 * The SGP.22 function execution statuses the SM-DP+ and the SM-DS return, in one table.
 *
 * Each enum value is one distinct outcome. The table in status.c maps it to the SGP.22
 * subjectCode and reasonCode (SGP.22 section "Status Codes", subject and reason code tables),
 * a default message, and the HTTP status code of the response. Code literals such as "8.1.1"
 * appear nowhere else in the project, not even in this header: handlers return an
 * enum rsp_status and call status_send().
 *
 * Several values share one code pair on purpose where SGP.22 gives one code to several causes,
 * for example any invalid eUICC signature and a wrong serverChallenge. They differ in message
 * and in the logs, and status.c lists those pairs.
 *
 * Function errors are returned with HTTP 200 and header status "Failed" (SGP.22 "HTTP Status
 * Codes": every synchronous function responds with 200). Only requests that reach no function (unknown
 * path, method other than POST, body over the size limit, unreadable body) get a 4xx code, still
 * with the JSON header so a client can read the cause.
 */
#ifndef COMMON_STATUS_H
#define COMMON_STATUS_H

#include <cjson/cJSON.h>

struct http_request;

enum rsp_status {
	RSP_OK = 0,

	/* Generic: the request as a whole. */
	RSP_E_INTERNAL = -1, /* function provider execution error (database, crypto, bug) */
	RSP_E_JSON_INVALID = -2, /* body is not a JSON object */
	RSP_E_FIELD_INVALID = -3, /* a field has the wrong type, length or encoding */
	RSP_E_FIELD_MISSING = -4, /* a mandatory field is absent */
	RSP_E_CONTENT_TYPE = -5, /* Content-Type is not application/json */
	RSP_E_PROTOCOL_VERSION = -6, /* X-Admin-Protocol missing or not gsma/rsp/v2.x.y */
	RSP_E_BODY_TOO_LARGE = -7,
	RSP_E_BODY_UNREADABLE = -8, /* bad Content-Length or chunking */
	RSP_E_UNKNOWN_FUNCTION = -9, /* HTTP 404, no function at this path */
	RSP_E_METHOD_NOT_ALLOWED = -10, /* HTTP 405, only POST is served */
	RSP_E_REQUESTER_UNKNOWN = -11, /* client certificate missing or not trusted */
	RSP_E_REQUESTER_NOT_ALLOWED = -12, /* functionRequesterIdentifier not the caller's */
	RSP_E_TOO_MANY_HEADERS = -13, /* as many header fields as civetweb keeps, or more */
	RSP_E_BODY_TIMEOUT = -14, /* body not received within the server's body timeout */

	/* RSP session (ES9+, ES11). */
	RSP_E_TRANSACTION_UNKNOWN = -20, /* unknown, expired or mismatching transactionId */

	/* ES9+ InitiateAuthentication. */
	RSP_E_SMDP_ADDRESS = -21, /* smdpAddress is not this SM-DP+ */
	RSP_E_CI_PKID_UNSUPPORTED = -22, /* no CI key id for signing supported */
	RSP_E_SVN_UNSUPPORTED = -23, /* eUICC specification version not supported */
	RSP_E_NO_DPAUTH_CERT = -24, /* no CERT.DPauth under a CI the eUICC verifies */

	/* ES9+ AuthenticateClient. */
	RSP_E_CI_PKID_UNKNOWN = -30, /* EUM certificate not issued by the selected CI */
	RSP_E_EUM_CERT_INVALID = -31,
	RSP_E_EUM_CERT_EXPIRED = -32,
	RSP_E_EUICC_CERT_INVALID = -33,
	RSP_E_EUICC_CERT_EXPIRED = -34,
	RSP_E_EID_OUT_OF_RANGE = -35, /* EID outside the EUM's permitted range */
	RSP_E_EUICC_SIGNATURE_INVALID = -36, /* any eUICC signature (1, 2 or CancelSession) */
	RSP_E_CHALLENGE_MISMATCH = -37, /* serverChallenge differs from the session's */
	RSP_E_MATCHING_ID_REFUSED = -38, /* unknown matchingId or EventID */
	RSP_E_EID_MISMATCH = -39, /* EID does not match the order */
	RSP_E_PROFILE_NOT_ELIGIBLE = -40, /* no eligible profile for this eUICC or device */
	RSP_E_PROFILE_NOT_RELEASED = -41,
	RSP_E_ORDER_EXPIRED = -42,
	RSP_E_DOWNLOAD_RETRIES = -43, /* maximum number of download attempts exceeded */
	RSP_E_EUICC_MEMORY = -44, /* insufficient memory on the eUICC */

	/* ES9+ GetBoundProfilePackage. */
	RSP_E_CC_MISSING = -50, /* confirmation code required, hashCc absent */
	RSP_E_CC_REFUSED = -51, /* wrong confirmation code */
	RSP_E_CC_RETRIES = -52, /* too many wrong confirmation codes */
	RSP_E_BPP_REBINDING_REFUSED = -53, /* BPP not available for a new binding */

	/* ES9+ CancelSession. */
	RSP_E_SMDP_OID_MISMATCH = -55, /* smdpOid is not the OID of CERT.DPauth */

	/* ES2+ DownloadOrder. */
	RSP_E_EID_INVALID = -60, /* not 32 decimal digits or bad check digits */
	RSP_E_EID_UNKNOWN = -61,
	RSP_E_ICCID_INVALID = -62,
	RSP_E_ICCID_IN_USE = -63, /* profile already allocated */
	RSP_E_ICCID_UNKNOWN = -64,
	RSP_E_ICCID_NOT_ALLOWED = -65, /* the caller may not order this profile */
	RSP_E_PROFILE_TYPE_NOT_ALLOWED = -66,
	RSP_E_PROFILE_TYPE_EXHAUSTED = -67, /* no more profiles of that type */
	RSP_E_PROFILE_TYPE_MISMATCH = -68, /* profile type does not match the ICCID */
	RSP_E_PROFILE_TYPE_UNKNOWN = -69,

	/* ES2+ ConfirmOrder, CancelOrder, ReleaseProfile. */
	RSP_E_EID_MISSING = -70, /* EID needed (SM-DS address given or empty matchingId) */
	RSP_E_EID_ASSOCIATED = -71, /* another EID is associated with the ICCID */
	RSP_E_ICCID_MISSING = -72,
	RSP_E_ICCID_ASSOCIATION = -73, /* ICCID not associated with the given order data */
	RSP_E_MATCHING_ID_INVALID = -74,
	RSP_E_MATCHING_ID_MISSING = -75,
	RSP_E_MATCHING_ID_CONFLICT = -76, /* matchingId already used */
	RSP_E_MATCHING_ID_MISMATCH = -77, /* another matchingId belongs to the ICCID */
	RSP_E_PROFILE_NOT_RELEASABLE = -78, /* invalid transition for ReleaseProfile */
	RSP_E_ORDER_NOT_CANCELLABLE = -79, /* invalid transition for CancelOrder */
	RSP_E_SMDS_INACCESSIBLE = -80, /* SM-DS address invalid or unreachable */
	RSP_E_SMDS_REGISTRATION = -81, /* the SM-DS returned an error to RegisterEvent */

	/* ES2+ HandleDownloadProgressInfo: CancelSession reasons reported to the operator. */
	RSP_E_END_USER_REJECTION = -85,
	RSP_E_PPR_NOT_ALLOWED = -86,
	RSP_E_METADATA_MISMATCH = -87,
	RSP_E_LOAD_BPP_ERROR = -88,
	RSP_E_UNDEFINED_REASON = -89,

	/* SM-DS: ES11 and ES12. */
	RSP_E_SMDS_ADDRESS = -90,
	RSP_E_SMDS_CI_PKID_UNSUPPORTED = -91,
	RSP_E_SMDS_SVN_UNSUPPORTED = -92,
	RSP_E_NO_DSAUTH_CERT = -93,
	RSP_E_EVENT_EXISTS = -94, /* EventID already registered */
	RSP_E_EVENT_UNKNOWN = -95, /* no event with this EventID for this EID */
	RSP_E_CASCADE_FAILED = -96, /* cascaded registration at another SM-DS failed */
};

/* One row of the status table. */
struct status_entry {
	enum rsp_status status;
	const char *name;         /* the enum name, for logs and tests */
	const char *subject_code; /* NULL for RSP_OK */
	const char *reason_code;  /* NULL for RSP_OK */
	const char *message;      /* default message text */
	int http_code;            /* 200 for every function error */
};

/* Returns the entry of st; unknown values give the RSP_E_INTERNAL entry. Never NULL. */
const struct status_entry *status_lookup(enum rsp_status st);

/* Returns the enum name of st ("RSP_E_CC_REFUSED"), or "RSP_E_INTERNAL" for unknown values. */
const char *status_name(enum rsp_status st);

/* Table access for tests and listings: status_count() rows, status_at(i) for 0 <= i < count. */
size_t status_count(void);
const struct status_entry *status_at(size_t i);

/*
 * Builds the response body of a failed function:
 *   {"header":{"functionExecutionStatus":{"status":"Failed","statusCodeData":{
 *     "subjectCode":"<subject>","reasonCode":"<reason>","message":"<message>[: <detail>]"}}}}
 * detail (may be NULL) is appended to the default message; it must hold no secret. For RSP_OK
 * it builds the Executed-Success header. The caller owns the result (cJSON_Delete).
 */
cJSON *status_response(enum rsp_status st, const char *detail);

/*
 * Sends the response of status_response() with the entry's HTTP code (200 for function errors)
 * and records the outcome (codes, enum name, detail) for the request's closing log line.
 * RSP_OK sends the header-only success response. Returns 0, or -1 when sending failed.
 */
int status_send(struct http_request *req, enum rsp_status st, const char *detail);

#endif
