/*
 * Batch issuance: many download orders created and confirmed over ES2+ in one run, each with
 * its activation code and QR file, resumable after a failure or a kill (see cli/journal.h).
 *
 * A batch lives in the folder <dir>/<batch id>/:
 *   <batch id>.state   the journal (durable state)
 *   <batch id>.csv     the output: line, iccid, eid, matching_id, activation_code, qr_file
 *   qr/<ICCID>.png     one QR code per issued order (or .svg)
 */
#ifndef CLI_BATCH_H
#define CLI_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/cli.h"
#include "cli/es2.h"
#include "cli/journal.h"
#include "common/limits.h"

#define CLI_BATCH_MAX_ITEMS       100000
#define CLI_BATCH_MAX_PROFILE_TYPE 64
/* Consecutive rejected items after which a batch stops: the cause is then rarely the item. */
#define CLI_BATCH_MAX_CONSECUTIVE_FAILURES 10

enum cli_batch_qr { CLI_BATCH_QR_PNG, CLI_BATCH_QR_SVG, CLI_BATCH_QR_NONE };

/* One item to issue, from a CSV line or from --count. */
struct cli_batch_item {
	unsigned long line; /* CSV line number, or the item number with --count */
	char iccid[RSP_ICCID_MAX_DIGITS + 1];          /* "" : by profile type */
	char eid[RSP_EID_DIGITS + 1];                  /* "" : none */
	char profile_type[CLI_BATCH_MAX_PROFILE_TYPE + 1];
	char matching_id[RSP_MAX_MATCHING_ID + 1];     /* "" : generated */
	char cc[CLI_MAX_CONFIRMATION_CODE + 1];        /* confirmation code, "" : none */
};

struct inventory;

/* Everything one issuing run needs. */
struct cli_batch_run {
	const char *id;
	const char *folder;    /* <dir>/<id> */
	struct cli_batch_item *items;
	size_t count;
	struct cli_journal *journal;
	struct cli_es2 *es2;
	struct inventory *inv; /* NULL without --db: no ICCID picking, no state checks */
	enum cli_batch_qr qr;
	bool release;
	const char *oid;       /* SM-DP+ OID for the activation codes, or NULL */
	const char *address;   /* SM-DP+ address for the codes, or NULL: from ConfirmOrder */

	/* Results, filled by cli_batch_issue. */
	size_t issued_now;
	size_t failed;
	char **errors;         /* errors[i]: why item i + 1 failed in this run, or NULL */
	char stop_reason[1024]; /* why the run stopped early, "" when it went through */
};

/* Issues every item that the journal does not record as done. Returns 0 when the run went
 * through all items (some may have failed: see failed), -1 when it stopped early. */
int cli_batch_issue(struct cli_batch_run *run);

/* Set by SIGINT/SIGTERM: the run stops after the current item. */
extern volatile int cli_batch_interrupted;

#endif
