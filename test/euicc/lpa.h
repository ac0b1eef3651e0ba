/*
 * The test LPA: one SGP.22 profile download over ES9+ with a test eUICC, as an LPAd runs it
 * (SGP.22 "Profile Download and Installation" with the common mutual authentication).
 *
 *   initiateAuthentication   eUICC challenge and EUICCInfo1 to the SM-DP+; the eUICC checks
 *                            the response in ES10b.AuthenticateServer
 *   authenticateClient       the eUICC's signed response; the SM-DP+ returns smdpSigned2 and the
 *                            profile metadata; the eUICC checks them in ES10b.PrepareDownload
 *   getBoundProfilePackage   the eUICC's one-time key (and hashCc when a confirmation code is
 *                            required); the SM-DP+ returns the BPP, which the eUICC loads
 *   handleNotification       the signed ProfileInstallationResult (HTTP 204 expected)
 *   cancelSession            on request, or when the BPP's metadata differs from the one
 *                            announced
 *
 * The LPA also checks what an LPAd must: the transactionId of every response, the SM-DP+
 * address in serverSigned1, the SM-DP+ OID of the activation code against CERT.DPauth, and the
 * StoreMetadata of the BPP against the profileMetadata of AuthenticateClient.
 *
 * Fault injection (struct lpa_faults, and the eUICC's struct euicc_faults) lets negative tests
 * make one request wrong in a controlled way and read the SM-DP+'s SGP.22 status.
 */
#ifndef TEST_EUICC_LPA_H
#define TEST_EUICC_LPA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "test/euicc/es9_json.h"
#include "test/euicc/euicc.h"
#include "test/euicc/lpa_http.h"

#define LPA_MAX_CODES 16 /* confirmation codes tried in turn */

enum lpa_step {
	LPA_STEP_NONE = -1,
	LPA_STEP_INITIATE_AUTHENTICATION = 0,
	LPA_STEP_AUTHENTICATE_CLIENT,
	LPA_STEP_GET_BOUND_PROFILE_PACKAGE,
	LPA_STEP_HANDLE_NOTIFICATION,
	LPA_STEP_CANCEL_SESSION,
	LPA_STEP_COUNT,
};

/* Returns the ES9+ function name of a step ("initiateAuthentication"), "none" otherwise. */
const char *lpa_step_name(int step);
/* Parses an ES9+ function name; returns LPA_STEP_NONE for an unknown one. */
int lpa_step_parse(const char *name);

/* Outcome of a download; rsp-test-lpa turns each into its own exit code. */
enum lpa_status {
	LPA_OK = 0,                /* profile installed (and equal to the expected one, if given) */
	LPA_E_SETUP = -1,          /* local problem: configuration, random generator, memory */
	LPA_E_TRANSPORT = -2,      /* connection, TLS, or an HTTP status other than the expected */
	LPA_E_FAILED = -3,         /* the SM-DP+ returned a function status other than success */
	LPA_E_RESPONSE = -4,       /* the SM-DP+'s response is malformed */
	LPA_E_REJECTED = -5,       /* the eUICC or the LPA rejected the SM-DP+'s data */
	LPA_E_INSTALL = -6,        /* the BPP did not install; an error result was sent */
	LPA_E_PROFILE_MISMATCH = -7, /* installed profile differs from the expected package */
	LPA_E_STOPPED = -8,        /* stopped or cancelled after a step, as configured */
};

/* Returns the enum name without prefix, in lower case ("transport", "failed"). */
const char *lpa_status_name(int status);

/* Deliberate protocol errors for negative tests. Zeroed means none, except the step fields,
 * which take LPA_STEP_NONE for none. */
struct lpa_faults {
	const char *smdp_address;   /* smdpAddress sent in InitiateAuthentication instead */
	int bad_tid_step;           /* step whose JSON transactionId is replaced by a random one */
	const char *truncate_field; /* base64 request field cut to half its length (a multiple of 4) */
	const char *garble_field;   /* base64 request field with one character outside the alphabet */
	int not_json_step;          /* step whose request body is replaced by text that is not JSON */
	bool no_hash_cc;            /* omit hashCc even when ccRequiredFlag is set and codes exist */
};

struct lpa_config {
	const char *smdp_address;   /* host[:port] of the SM-DP+ (activation code or default) */
	const char *matching_id;    /* NULL: omitted from ctxParams1 (default SM-DP+ use case) */
	const char *smdp_oid;       /* SM-DP+ OID of the activation code, NULL or "" when absent */
	struct lpa_http_config http;
	/* A "HOST:PORT:ADDR:PORT" mapping for one step instead of http.connect_to. */
	const char *step_connect_to[LPA_STEP_COUNT];
	/* Confirmation codes: the first one is used, and after a failed getBoundProfilePackage
	 * the next one, while codes remain. Never logged. */
	const char *codes[LPA_MAX_CODES];
	size_t code_count;
	const uint8_t *expected_profile; /* NULL: no comparison */
	size_t expected_profile_len;
	int stop_after;             /* step after which to stop without cancelling; LPA_STEP_NONE */
	int cancel_after;           /* step after which to cancel the session; LPA_STEP_NONE */
	int cancel_reason;          /* enum euicc_cancel_reason used with cancel_after */
	struct lpa_faults faults;
	FILE *verbose;              /* progress lines (never keys, codes or profile content) */
};

/* Sets the step fields of a zeroed configuration to LPA_STEP_NONE. */
void lpa_config_init(struct lpa_config *cfg);

struct lpa_result {
	int status;                 /* enum lpa_status */
	int step;                   /* the step that ended the run */
	struct lpa_status_data server; /* function status of the SM-DP+'s last response */
	long http_code;             /* HTTP status of the last response */
	char detail[320];           /* what went wrong, in words */
	char transaction_id[2 * RSP_TRANSACTION_ID_LEN + 1];
	char iccid[RSP_ICCID_MAX_DIGITS + 1];
	size_t profile_len;
	size_t segment_count;
	bool cc_required;
	size_t cc_attempts;         /* getBoundProfilePackage requests that carried a hashCc */
	int euicc_error;            /* ES10b error code when the eUICC rejected input, else 0 */
	const char *euicc_error_name;
	int install_error;          /* ProfileInstallationResult errorReason, 0 on success */
	int install_command;        /* its bppCommandId */
	bool notification_sent;     /* handleNotification returned HTTP 204 */
	bool session_cancelled;     /* cancelSession returned Executed-Success */
};

/* Runs one download with the eUICC e. Returns res->status. */
int lpa_download(struct euicc *e, const struct lpa_config *cfg, struct lpa_result *res);

/* hashCc = SHA-256(SHA-256(code as ASCII bytes) || transactionId). */
void lpa_hash_cc(const char *code, const uint8_t *tid, size_t tid_len, uint8_t out[32]);

#endif
