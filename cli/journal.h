/*
 * Durable state of a batch: an append-only journal file, one record per step of each item,
 * written with fdatasync before the step's result is relied on. A batch killed at any point
 * (even by SIGKILL) is resumed from it: items whose last record is "done" are skipped, and the
 * others are continued from their last step.
 *
 * Records (one line each, fields separated by tabs, "-" for an empty field):
 *
 *   rspctl-batch  1  <batch id>  <items>  <parameters>   first line: format version, the
 *                                                 number of items and what the batch was
 *                                                 started with
 *   begin    <item>  <ICCID>  <matchingId>        before DownloadOrder; ICCID may be "-"
 *   ordered  <item>  <ICCID>                      DownloadOrder succeeded
 *   done     <item>  <ICCID>  <EID>  <matchingId>  <activation code>  <QR file>
 *   failed   <item>                               the SM-DP+ rejected DownloadOrder, so
 *                                                 nothing is reserved: start afresh
 *
 * Items are numbered from 1. A last line without its line break (a write cut short by a crash)
 * is dropped when the journal is opened. The journal never contains a confirmation code.
 */
#ifndef CLI_JOURNAL_H
#define CLI_JOURNAL_H

#include <stddef.h>

#include "common/actcode.h"
#include "common/limits.h"

enum cli_journal_status {
	CLI_JOURNAL_OK = 0,
	CLI_JOURNAL_E_IO = -1,       /* open, read, write or sync failed (errno is kept) */
	CLI_JOURNAL_E_LOCKED = -2,   /* another process has locked the journal */
	CLI_JOURNAL_E_MISMATCH = -3, /* the journal belongs to another batch or other parameters */
	CLI_JOURNAL_E_CORRUPT = -4,  /* a complete line that is not a valid record */
	CLI_JOURNAL_E_INVALID = -5,  /* item out of range, or a value with a tab or line break */
	CLI_JOURNAL_E_NOMEM = -6,
	CLI_JOURNAL_E_NOT_FILE = -7, /* the path is a named pipe, device or folder */
};

enum cli_journal_step {
	CLI_JOURNAL_NEW = 0, /* nothing recorded */
	CLI_JOURNAL_BEGUN,
	CLI_JOURNAL_ORDERED,
	CLI_JOURNAL_DONE,
};

#define CLI_JOURNAL_MAX_ID     64
#define CLI_JOURNAL_MAX_PARAMS 512
#define CLI_JOURNAL_MAX_ITEMS  1000000

/* State of one item as the journal records it; strings are empty when not recorded. */
struct cli_journal_item {
	enum cli_journal_step step;
	char iccid[RSP_ICCID_MAX_DIGITS + 1];
	char eid[RSP_EID_DIGITS + 1];
	char *matching_id;     /* NULL until begun */
	char *activation_code; /* NULL until done */
	char *qr_file;         /* NULL until done or when no QR file was written */
};

struct cli_journal {
	int fd;
	char batch_id[CLI_JOURNAL_MAX_ID + 1];
	size_t count;                  /* number of items */
	struct cli_journal_item *items; /* items[0] is item 1 */
};

/*
 * Opens (or creates) the journal at path for a batch of count items, takes an exclusive lock on
 * it, and replays its records. A new journal gets the header line; an existing one must carry
 * the same batch id and parameters. *created is 1 for a new journal. Free with
 * cli_journal_close.
 */
int cli_journal_open(const char *path, const char *batch_id, const char *params, size_t count,
		     struct cli_journal **out, int *created);
void cli_journal_close(struct cli_journal *j);

/* Records a step and updates items[item - 1]. Strings may be NULL or empty (written as "-"). */
int cli_journal_begin(struct cli_journal *j, size_t item, const char *iccid,
		      const char *matching_id);
int cli_journal_ordered(struct cli_journal *j, size_t item, const char *iccid);
int cli_journal_done(struct cli_journal *j, size_t item, const char *iccid, const char *eid,
		     const char *matching_id, const char *activation_code, const char *qr_file);
/* Puts the item back to CLI_JOURNAL_NEW; its matchingId is kept for the next attempt. */
int cli_journal_failed(struct cli_journal *j, size_t item);

/* Reads only the header of the journal at path: its batch id, item count and parameters. */
int cli_journal_peek(const char *path, char batch_id[CLI_JOURNAL_MAX_ID + 1], size_t *count,
		     char params[CLI_JOURNAL_MAX_PARAMS + 1]);

/* Returns a sentence for a cli_journal_status. */
const char *cli_journal_strerror(int status);

#endif
