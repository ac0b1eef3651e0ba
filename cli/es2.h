/*
 * ES2+ client of rspctl: the operator side of SGP.22 ES2+ (DownloadOrder, ConfirmOrder,
 * CancelOrder, ReleaseProfile) over HTTPS with an operator client certificate.
 *
 * Requests carry the ES2+ request header: functionRequesterIdentifier is the operator
 * (--operator, by default the CN of the client certificate, which the SM-DP+ maps the
 * certificate to), and functionCallIdentifier is unique per call. One client keeps its TLS
 * connection open between requests.
 */
#ifndef CLI_ES2_H
#define CLI_ES2_H

#include <stdbool.h>

#include "cli/cli.h"
#include "common/actcode.h"
#include "common/limits.h"

enum cli_es2_status {
	CLI_ES2_OK = 0,
	CLI_ES2_E_FAILED = -1,   /* the SM-DP+ returned status Failed: the codes are set */
	CLI_ES2_E_TRANSPORT = -2, /* not reached: connection, TLS, timeout (a batch stops) */
	CLI_ES2_E_RESPONSE = -3,  /* reached, but the response is not a valid ES2+ response */
	CLI_ES2_E_NOMEM = -4,
};

#define CLI_ES2_MAX_OPERATOR 64

struct cli_es2;

/* The outcome of the last call: error is one line naming the cause and the fix. */
struct cli_es2_result {
	char subject_code[16];
	char reason_code[16];
	char message[512];
	char error[1024];
};

/* ConfirmOrder request (SGP.22 ES2+ ConfirmOrder); NULL fields are left out. */
struct cli_es2_confirm {
	const char *iccid;
	const char *eid;
	const char *matching_id;       /* NULL: the SM-DP+ generates one */
	const char *confirmation_code; /* sent to the SM-DP+ only, never logged */
	const char *smds_address;
	bool release;
};

/* ConfirmOrder response: the matchingId and the SM-DP+ address for the activation code. */
struct cli_es2_confirmed {
	char matching_id[RSP_MAX_MATCHING_ID + 1];
	char smdp_address[RSP_MAX_FQDN + 1]; /* from the response, else the host of --smdp */
	char eid[RSP_EID_DIGITS + 1];
};

/* Makes a client from the connection options. On a problem it reports one line itself and
 * returns CLI_EXIT_USAGE or CLI_EXIT_FAILURE. */
int cli_es2_open(const struct cli_options *o, const char *cmd, struct cli_es2 **out);
void cli_es2_close(struct cli_es2 *es2);

/* The host of the --smdp URL. */
const char *cli_es2_host(const struct cli_es2 *es2);
const char *cli_es2_operator(const struct cli_es2 *es2);

/* DownloadOrder by ICCID or by profile type (one of them NULL); iccid_out receives the ICCID
 * the SM-DP+ reserved. */
int cli_es2_download_order(struct cli_es2 *es2, const char *iccid, const char *profile_type,
			   const char *eid, char iccid_out[RSP_ICCID_MAX_DIGITS + 1],
			   struct cli_es2_result *res);

int cli_es2_confirm_order(struct cli_es2 *es2, const struct cli_es2_confirm *req,
			  struct cli_es2_confirmed *out, struct cli_es2_result *res);

/* CancelOrder; final_status is "Available" or "Unavailable". */
int cli_es2_cancel_order(struct cli_es2 *es2, const char *iccid, const char *eid,
			 const char *matching_id, const char *final_status,
			 struct cli_es2_result *res);

int cli_es2_release_profile(struct cli_es2 *es2, const char *iccid, struct cli_es2_result *res);

/* Builds the activation code of a confirmed order: LPA:1$address$matchingId, with the SM-DP+
 * OID when oid is set and the confirmation-code flag when cc_required. Returns 0, or -1 with
 * err naming the field at fault (and its maximum length when it is too long). */
int cli_es2_activation_code(const char *address, const char *matching_id, const char *oid,
			    bool cc_required, char out[ACTCODE_MAX_LEN + 1], char *err,
			    size_t err_size);

#endif
