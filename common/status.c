/*
 * The one table of SGP.22 function execution statuses, and the function that sends one of them
 * as the response to a request. In SGP.22 "Status Codes", the subject code names the element
 * at fault and the reason code the kind of fault.
 *
 * The pairs follow the per-function error tables of SGP.22 v2.5 (ES9+, ES2+, ES11, ES12) in
 * the form public LPA and SM-DP+ implementations and SGP.23 test suites use them. Pairs that
 * public material does not confirm carry a NOTE.
 *
 * Some code pairs are shared by several entries on purpose, because SGP.22 gives one code to
 * several causes:
 *   1.3.1/2.1  body not JSON, field invalid, Content-Type, oversized, unreadable or late body,
 *              too many header fields
 *   8.1/6.1    invalid eUICC signature, serverChallenge mismatch
 *   8.1.3/6.1  invalid eUICC certificate, EID outside the EUM's range
 *   8.2.1/3.5  ReleaseProfile and CancelOrder on a profile in the wrong state
 *   8.9/4.2    SM-DS registration failed (SM-DP+), cascaded registration failed (SM-DS)
 * test/unit/test_status.c holds the same list and fails on any other duplicate.
 */
#include "common/status.h"

#include <stdio.h>
#include <string.h>

#include "common/http.h"
#include "common/json.h"

#define ENTRY(st, subject, reason, msg) { st, #st, subject, reason, msg, 200 }
#define ENTRY_HTTP(st, subject, reason, msg, code) { st, #st, subject, reason, msg, code }

static const struct status_entry status_table[] = {
	ENTRY(RSP_OK, NULL, NULL, "Executed-Success"),

	/* Generic. The 1.3.x subjects (Protocol Format, Protocol Version) are the SGP.22 generic
	 * subjects for a request the function cannot read. */
	ENTRY(RSP_E_INTERNAL, "1.2", "4.2", "Function provider execution error"),
	ENTRY(RSP_E_JSON_INVALID, "1.3.1", "2.1", "Request body is not a valid JSON object"),
	ENTRY(RSP_E_FIELD_INVALID, "1.3.1", "2.1", "Invalid field"),
	ENTRY(RSP_E_FIELD_MISSING, "1.3.1", "2.2", "Mandatory element missing"),
	ENTRY(RSP_E_CONTENT_TYPE, "1.3.1", "2.1", "Content-Type must be application/json"),
	ENTRY(RSP_E_PROTOCOL_VERSION, "1.3.2", "3.1",
	      "Unsupported X-Admin-Protocol (expected gsma/rsp/v2.x.y)"),
	/* Malformed and oversized input is a function-level error like any other: HTTP 200. */
	ENTRY(RSP_E_BODY_TOO_LARGE, "1.3.1", "2.1", "Request body too large"),
	ENTRY(RSP_E_BODY_UNREADABLE, "1.3.1", "2.1",
	      "Request body could not be read (invalid Content-Length or chunked encoding)"),
	ENTRY(RSP_E_BODY_TIMEOUT, "1.3.1", "2.1", "Request body not received in time"),
	ENTRY(RSP_E_TOO_MANY_HEADERS, "1.3.1", "2.1", "Too many HTTP header fields"),
	/* NOTE: no public source gives a status for a path or method outside the binding. 1.6
	 * (Function) with 3.1 (Unsupported), and 1.3.1/3.1, are this project's choice. */
	ENTRY_HTTP(RSP_E_UNKNOWN_FUNCTION, "1.6", "3.1", "Unknown function", 404),
	ENTRY_HTTP(RSP_E_METHOD_NOT_ALLOWED, "1.3.1", "3.1", "Only POST is supported", 405),
	/* NOTE: the two requester pairs combine the generic subject "Function Requester" with
	 * the reasons "Unknown" and "Not Allowed". The public sources consulted do not use them. */
	ENTRY(RSP_E_REQUESTER_UNKNOWN, "1.1", "1.1",
	      "Function requester unknown or not authenticated"),
	ENTRY(RSP_E_REQUESTER_NOT_ALLOWED, "1.1", "1.2", "Function requester not allowed"),

	ENTRY(RSP_E_TRANSACTION_UNKNOWN, "8.10.1", "3.9", "TransactionId unknown"),

	/* ES9+ InitiateAuthentication */
	ENTRY(RSP_E_SMDP_ADDRESS, "8.8.1", "3.8", "Invalid SM-DP+ Address"),
	ENTRY(RSP_E_CI_PKID_UNSUPPORTED, "8.8.2", "3.1",
	      "None of the proposed Public Key Identifiers is supported by the SM-DP+"),
	ENTRY(RSP_E_SVN_UNSUPPORTED, "8.8.3", "3.1",
	      "The Specification Version Number indicated by the eUICC is not supported by "
	      "the SM-DP+"),
	ENTRY(RSP_E_NO_DPAUTH_CERT, "8.8.4", "3.7",
	      "The SM-DP+ has no CERT.DPauth.ECDSA signed by one of the GSMA CI Public Keys "
	      "supported by the eUICC"),

	/* ES9+ AuthenticateClient */
	ENTRY(RSP_E_CI_PKID_UNKNOWN, "8.11.1", "3.9", "Unknown CI Public Key"),
	ENTRY(RSP_E_EUM_CERT_INVALID, "8.1.2", "6.1", "EUM Certificate is invalid"),
	ENTRY(RSP_E_EUM_CERT_EXPIRED, "8.1.2", "6.3", "EUM Certificate has expired"),
	ENTRY(RSP_E_EUICC_CERT_INVALID, "8.1.3", "6.1", "eUICC Certificate is invalid"),
	ENTRY(RSP_E_EUICC_CERT_EXPIRED, "8.1.3", "6.3", "eUICC Certificate has expired"),
	/* An EID outside the EUM's range makes the eUICC certificate invalid; one public server
	 * uses 8.1.4/6.1 instead, which no SGP.22 table lists. */
	ENTRY(RSP_E_EID_OUT_OF_RANGE, "8.1.3", "6.1",
	      "eUICC Certificate is invalid: EID outside the range permitted by the EUM "
	      "Certificate"),
	ENTRY(RSP_E_EUICC_SIGNATURE_INVALID, "8.1", "6.1", "eUICC signature is invalid"),
	ENTRY(RSP_E_CHALLENGE_MISMATCH, "8.1", "6.1",
	      "eUICC signature is invalid: serverChallenge does not match"),
	ENTRY(RSP_E_MATCHING_ID_REFUSED, "8.2.6", "3.8", "MatchingID refused"),
	ENTRY(RSP_E_EID_MISMATCH, "8.1.1", "3.8", "EID does not match the expected value"),
	ENTRY(RSP_E_PROFILE_NOT_ELIGIBLE, "8.2.5", "4.3",
	      "No eligible Profile for this eUICC/Device"),
	ENTRY(RSP_E_PROFILE_NOT_RELEASED, "8.2", "1.2", "Profile has not yet been released"),
	ENTRY(RSP_E_ORDER_EXPIRED, "8.8.5", "4.10", "The Download order has expired"),
	ENTRY(RSP_E_DOWNLOAD_RETRIES, "8.8.5", "6.4",
	      "The maximum number of retries for the Profile download order has been exceeded"),
	ENTRY(RSP_E_EUICC_MEMORY, "8.1", "4.8",
	      "eUICC does not have sufficient space for this Profile"),

	/* ES9+ GetBoundProfilePackage */
	ENTRY(RSP_E_CC_MISSING, "8.2.7", "2.2", "Confirmation Code is missing"),
	ENTRY(RSP_E_CC_REFUSED, "8.2.7", "3.8", "Confirmation Code refused"),
	ENTRY(RSP_E_CC_RETRIES, "8.2.7", "6.4",
	      "The maximum number of retries for the Confirmation Code has been exceeded"),
	ENTRY(RSP_E_BPP_REBINDING_REFUSED, "8.2", "3.7", "BPP is not available for a new binding"),

	/* ES9+ CancelSession */
	ENTRY(RSP_E_SMDP_OID_MISMATCH, "8.8", "3.10",
	      "The provided SM-DP+ OID is invalid (does not match CERT.DPauth)"),

	/* ES2+ DownloadOrder */
	ENTRY(RSP_E_EID_INVALID, "8.1.1", "2.1", "Invalid EID"),
	ENTRY(RSP_E_EID_UNKNOWN, "8.1.1", "3.9", "Unknown eUICC"),
	ENTRY(RSP_E_ICCID_INVALID, "8.2.1", "2.1", "Invalid ICCID"),
	ENTRY(RSP_E_ICCID_IN_USE, "8.2.1", "3.3", "Profile ICCID already in use"),
	ENTRY(RSP_E_ICCID_UNKNOWN, "8.2.1", "3.9", "Unknown Profile ICCID"),
	ENTRY(RSP_E_ICCID_NOT_ALLOWED, "8.2.1", "1.2",
	      "The function caller is not allowed to perform this function on the target Profile"),
	ENTRY(RSP_E_PROFILE_TYPE_NOT_ALLOWED, "8.2.5", "1.2",
	      "The function caller is not allowed to perform this function on the Profile Type"),
	ENTRY(RSP_E_PROFILE_TYPE_EXHAUSTED, "8.2.5", "3.7",
	      "No more Profiles available for the requested Profile Type"),
	ENTRY(RSP_E_PROFILE_TYPE_MISMATCH, "8.2.5", "3.8",
	      "The Profile Type does not match the Profile identified by the ICCID"),
	ENTRY(RSP_E_PROFILE_TYPE_UNKNOWN, "8.2.5", "3.9", "Unknown Profile Type"),

	/* ES2+ ConfirmOrder, CancelOrder, ReleaseProfile */
	ENTRY(RSP_E_EID_MISSING, "8.1.1", "2.2",
	      "EID is missing in the context of this order (SM-DS address provided or MatchingID "
	      "value is empty)"),
	ENTRY(RSP_E_EID_ASSOCIATED, "8.1.1", "3.10",
	      "A different EID is already associated with this ICCID"),
	ENTRY(RSP_E_ICCID_MISSING, "8.2.1", "2.2", "ICCID is missing"),
	ENTRY(RSP_E_ICCID_ASSOCIATION, "8.2.1", "3.10",
	      "The ICCID is not associated with the given order data"),
	ENTRY(RSP_E_MATCHING_ID_INVALID, "8.2.6", "2.1", "Invalid MatchingID"),
	ENTRY(RSP_E_MATCHING_ID_MISSING, "8.2.6", "2.2", "MatchingID is missing"),
	ENTRY(RSP_E_MATCHING_ID_CONFLICT, "8.2.6", "3.3",
	      "Conflicting MatchingID (already in use)"),
	ENTRY(RSP_E_MATCHING_ID_MISMATCH, "8.2.6", "3.10",
	      "A different MatchingID is associated with this ICCID"),
	ENTRY(RSP_E_PROFILE_NOT_RELEASABLE, "8.2.1", "3.5",
	      "The target Profile cannot be released"),
	/* SGP.22 rejects CancelOrder on an Available profile without a fixed code; 3.5 (Invalid
	 * Transition) matches ReleaseProfile's. */
	ENTRY(RSP_E_ORDER_NOT_CANCELLABLE, "8.2.1", "3.5",
	      "The target Profile is not in a state in which its order can be cancelled"),
	ENTRY(RSP_E_SMDS_INACCESSIBLE, "8.9", "5.1", "SM-DS address invalid or SM-DS inaccessible"),
	ENTRY(RSP_E_SMDS_REGISTRATION, "8.9", "4.2", "Event registration at the SM-DS failed"),

	/* ES2+ HandleDownloadProgressInfo: ES9+ CancelSession reasons reported to the operator.
	 * NOTE: these pairs come from SGP.22 v3 captions; v2.5 may not define 8.2.8 to 8.2.10. */
	ENTRY(RSP_E_END_USER_REJECTION, "8.8.5", "3.8", "End user rejected the download"),
	ENTRY(RSP_E_PPR_NOT_ALLOWED, "8.2.8", "1.2", "Profile Policy Rules not allowed"),
	ENTRY(RSP_E_METADATA_MISMATCH, "8.2.9", "3.11", "Profile metadata mismatch"),
	ENTRY(RSP_E_LOAD_BPP_ERROR, "8.2.10", "4.2",
	      "Error while loading the Bound Profile Package"),
	ENTRY(RSP_E_UNDEFINED_REASON, "8", "4.2", "Undefined reason"),

	/* SM-DS: ES11 and ES12 */
	ENTRY(RSP_E_SMDS_ADDRESS, "8.9.1", "3.8", "Invalid SM-DS Address"),
	ENTRY(RSP_E_SMDS_CI_PKID_UNSUPPORTED, "8.9.2", "3.1",
	      "None of the proposed Public Key Identifiers is supported by the SM-DS"),
	ENTRY(RSP_E_SMDS_SVN_UNSUPPORTED, "8.9.3", "3.1",
	      "The Specification Version Number indicated by the eUICC is not supported by "
	      "the SM-DS"),
	ENTRY(RSP_E_NO_DSAUTH_CERT, "8.9.4", "3.7",
	      "The SM-DS has no CERT.DSauth.ECDSA signed by one of the GSMA CI Public Keys "
	      "supported by the eUICC"),
	ENTRY(RSP_E_EVENT_EXISTS, "8.9.5", "3.3",
	      "The Event Record already exists (EventID duplicated)"),
	ENTRY(RSP_E_EVENT_UNKNOWN, "8.9.5", "3.9",
	      "No Event identified by the EventID for the EID"),
	ENTRY(RSP_E_CASCADE_FAILED, "8.9", "4.2", "Cascaded SM-DS event registration failed"),
};

#define STATUS_COUNT (sizeof(status_table) / sizeof(status_table[0]))

size_t status_count(void)
{
	return STATUS_COUNT;
}

const struct status_entry *status_at(size_t i)
{
	return i < STATUS_COUNT ? &status_table[i] : NULL;
}

const struct status_entry *status_lookup(enum rsp_status st)
{
	const struct status_entry *internal = NULL;

	for (size_t i = 0; i < STATUS_COUNT; i++) {
		if (status_table[i].status == st)
			return &status_table[i];
		if (status_table[i].status == RSP_E_INTERNAL)
			internal = &status_table[i];
	}
	return internal;
}

const char *status_name(enum rsp_status st)
{
	return status_lookup(st)->name;
}

cJSON *status_response(enum rsp_status st, const char *detail)
{
	const struct status_entry *e = status_lookup(st);
	char message[JSON_MAX_MESSAGE];

	if (e->status == RSP_OK)
		return json_response_success();
	if (detail && *detail)
		snprintf(message, sizeof(message), "%s: %s", e->message, detail);
	else
		snprintf(message, sizeof(message), "%s", e->message);
	return json_response_failed(e->subject_code, e->reason_code, message);
}

int status_send(struct http_request *req, enum rsp_status st, const char *detail)
{
	const struct status_entry *e = status_lookup(st);
	char outcome[HTTP_MAX_OUTCOME];
	cJSON *body = NULL;
	char *text = NULL;
	size_t len = 0;
	int rc;

	/* The glue writes this into the request's closing log line. */
	if (e->status == RSP_OK)
		snprintf(outcome, sizeof(outcome), "%s", JSON_STATUS_SUCCESS);
	else
		snprintf(outcome, sizeof(outcome), "Failed %s/%s %s%s%s", e->subject_code,
			 e->reason_code, e->name, detail ? ": " : "", detail ? detail : "");
	http_request_set_outcome(req, outcome);

	body = status_response(st, detail);
	text = body ? json_print(body, &len) : NULL;
	if (!text) {
		/* Out of memory: a fixed body still reports the failure to the client. */
		static const char fallback[] =
			"{\"header\":{\"functionExecutionStatus\":{\"status\":\"Failed\","
			"\"statusCodeData\":{\"subjectCode\":\"1.2\",\"reasonCode\":\"4.2\"}}}}";

		rc = http_send_json_text(req, 200, fallback, sizeof(fallback) - 1);
		goto out;
	}
	rc = http_send_json_text(req, e->http_code, text, len);
out:
	cJSON_free(text);
	cJSON_Delete(body);
	return rc == HTTP_OK ? 0 : -1;
}
