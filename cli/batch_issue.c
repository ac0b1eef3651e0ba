/*
 * Batch issuance engine: DownloadOrder then ConfirmOrder per item, each step recorded in the
 * journal before the next one starts (see cli/batch.h and cli/journal.h).
 *
 * Resuming an item that a killed run left half-done:
 *   - journal "begin" with an ICCID: DownloadOrder may or may not have reached the SM-DP+;
 *   - journal "ordered": ConfirmOrder may or may not have reached it.
 * With --db the profile row shows which: Available means order again, Allocated or Linked
 * means confirm, and an order carrying the item's matchingId means done. Without a database the
 * step is sent again, and a rejection is reported for the operator to check.
 *
 * With --db, items ordered by profile type get an ICCID picked from the Available profiles of
 * the inventory and recorded before DownloadOrder, so a killed run never leaves a reserved
 * profile that the journal does not know. Without a database the SM-DP+ picks the profile,
 * and a kill during that one request can leave one profile Allocated (reported on resume).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/batch.h"
#include "cli/progress.h"
#include "cli/qr.h"
#include "smdpplus/inventory.h"

volatile int cli_batch_interrupted;

enum recovery {
	RECOVER_ORDER,   /* DownloadOrder needed */
	RECOVER_CONFIRM, /* ConfirmOrder needed */
	RECOVER_DONE,    /* the order carries the item's matchingId */
	RECOVER_UNKNOWN, /* no database: send the step again */
	RECOVER_CONFLICT,
};

/* Available ICCIDs of one profile type, for picking with --db. */
struct pool {
	struct inventory_profile *rows;
	size_t count;
	size_t next;
	char profile_type[CLI_BATCH_MAX_PROFILE_TYPE + 1];
};

struct ctx {
	struct cli_batch_run *run;
	struct pool pool;
	size_t consecutive_failures;
};

static void fail_item(struct ctx *c, size_t i, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail_item(struct ctx *c, size_t i, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	free(c->run->errors[i]);
	c->run->errors[i] = strdup(msg);
	c->run->failed++;
	c->consecutive_failures++;
}

static void stop(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void stop(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->run->stop_reason, sizeof(c->run->stop_reason), fmt, ap);
	va_end(ap);
}

static bool journal_knows(const struct cli_journal *j, const char *iccid)
{
	for (size_t i = 0; i < j->count; i++) {
		if (j->items[i].step != CLI_JOURNAL_NEW && strcmp(j->items[i].iccid, iccid) == 0)
			return true;
	}
	return false;
}

/* Picks the next Available profile of a type that no item of the batch has reserved yet. */
static int pick_iccid(struct ctx *c, const char *profile_type, char *out, size_t size)
{
	struct cli_batch_run *run = c->run;
	struct pool *p = &c->pool;

	if (!p->rows || strcmp(p->profile_type, profile_type) != 0) {
		struct inventory_filter f = { .profile_type = profile_type, .state = "Available" };

		free(p->rows);
		memset(p, 0, sizeof(*p));
		snprintf(p->profile_type, sizeof(p->profile_type), "%s", profile_type);
		if (inventory_list(run->inv, &f, &p->rows, &p->count) != INVENTORY_OK)
			return -1;
	}
	while (p->next < p->count) {
		const struct inventory_profile *row = &p->rows[p->next++];

		if (row->operator_id[0] &&
		    strcmp(row->operator_id, cli_es2_operator(run->es2)) != 0)
			continue;
		if (journal_knows(run->journal, row->iccid))
			continue;
		snprintf(out, size, "%s", row->iccid);
		return 0;
	}
	return -1;
}

/* Reads the profile row to find the step that an interrupted item reached. */
static enum recovery check_state(struct ctx *c, size_t i, char *detail, size_t size)
{
	const struct cli_journal_item *ji = &c->run->journal->items[i];
	struct inventory_profile p;

	if (!c->run->inv || !ji->iccid[0])
		return RECOVER_UNKNOWN;
	if (inventory_show(c->run->inv, ji->iccid, &p) != INVENTORY_OK)
		return RECOVER_UNKNOWN;
	switch (p.state) {
	case ORDER_AVAILABLE:
		return RECOVER_ORDER;
	case ORDER_ALLOCATED:
	case ORDER_LINKED:
		return RECOVER_CONFIRM;
	default:
		if (ji->matching_id && strcmp(p.matching_id, ji->matching_id) == 0)
			return RECOVER_DONE;
		snprintf(detail, size, "profile %s is %s with matchingId '%s', not this batch's "
			 "'%s'", p.iccid, order_state_name(p.state), p.matching_id,
			 ji->matching_id ? ji->matching_id : "");
		return RECOVER_CONFLICT;
	}
}

/* Writes the QR file of an issued item; returns its name relative to the batch folder. */
static int write_qr(struct ctx *c, const char *iccid, const char *code, char *name, size_t size)
{
	struct cli_batch_run *run = c->run;
	const char *ext = run->qr == CLI_BATCH_QR_SVG ? "svg" : "png";
	struct cli_qr *qr = NULL;
	char path[4096];
	int rc;

	name[0] = '\0';
	if (run->qr == CLI_BATCH_QR_NONE)
		return 0;
	snprintf(name, size, "qr/%s.%s", iccid, ext);
	snprintf(path, sizeof(path), "%s/%s", run->folder, name);
	rc = cli_qr_encode(code, &qr);
	if (rc == CLI_QR_OK)
		rc = run->qr == CLI_BATCH_QR_SVG ? cli_qr_write_svg(qr, path)
						 : cli_qr_write_png(qr, path, CLI_QR_PNG_SCALE);
	cli_qr_free(qr);
	if (rc != CLI_QR_OK) {
		stop(c, "cannot write %s: %s", path, cli_qr_strerror(rc));
		return -1;
	}
	return 0;
}

/* Records a journal step, stopping the run when the state file cannot be written. */
static int journal_ok(struct ctx *c, int rc)
{
	if (rc == CLI_JOURNAL_OK)
		return 0;
	stop(c, "cannot write the batch state file: %s", cli_journal_strerror(rc));
	return -1;
}

/* Stops the run on an error that every further item would meet too. */
static int es2_step_failed(struct ctx *c, size_t i, int rc, const struct cli_es2_result *res)
{
	if (rc == CLI_ES2_E_FAILED) {
		fail_item(c, i, "%s", res->error);
		return 0;
	}
	stop(c, "%s", res->error);
	return -1;
}

/* DownloadOrder for item i; returns 0 when ordered, 1 when the item failed, -1 to stop. */
static int order_item(struct ctx *c, size_t i, bool resumed)
{
	struct cli_batch_run *run = c->run;
	const struct cli_batch_item *item = &run->items[i];
	struct cli_journal_item *ji = &run->journal->items[i];
	struct cli_es2_result res;
	char iccid[RSP_ICCID_MAX_DIGITS + 1];
	int rc;

	for (int attempt = 0; attempt < 5; attempt++) {
		const char *by_iccid = ji->iccid[0] ? ji->iccid : NULL;
		const char *by_type = by_iccid ? NULL : item->profile_type;

		rc = cli_es2_download_order(run->es2, by_iccid, by_type,
					    item->eid[0] ? item->eid : NULL, iccid, &res);
		if (rc == CLI_ES2_OK)
			return journal_ok(c, cli_journal_ordered(run->journal, i + 1, iccid));
		if (rc != CLI_ES2_E_FAILED)
			return es2_step_failed(c, i, rc, &res);
		if (resumed && by_iccid) {
			/* The earlier run's DownloadOrder may have gone through: try to confirm. */
			return journal_ok(c, cli_journal_ordered(run->journal, i + 1, by_iccid));
		}
		/* A picked profile may have been taken meanwhile: pick another one. */
		if (!run->inv || item->iccid[0] ||
		    pick_iccid(c, item->profile_type, iccid, sizeof(iccid)) < 0)
			break;
		rc = cli_journal_begin(run->journal, i + 1, iccid, ji->matching_id);
		if (journal_ok(c, rc) < 0)
			return -1;
	}
	/* Nothing is reserved: a later run starts the item afresh instead of resuming it. */
	if (journal_ok(c, cli_journal_failed(run->journal, i + 1)) < 0)
		return -1;
	fail_item(c, i, "%s", res.error);
	return 1;
}

/* ConfirmOrder, activation code and QR file for item i; 0 done, 1 failed, -1 stop. */
static int confirm_item(struct ctx *c, size_t i, bool resumed)
{
	struct cli_batch_run *run = c->run;
	const struct cli_batch_item *item = &run->items[i];
	struct cli_journal_item *ji = &run->journal->items[i];
	struct cli_es2_confirm req = { 0 };
	struct cli_es2_confirmed conf;
	struct cli_es2_result res;
	char code[ACTCODE_MAX_LEN + 1], qr_name[256], iccid[RSP_ICCID_MAX_DIGITS + 1];
	char err[1024];
	const char *address;
	int rc;

	snprintf(iccid, sizeof(iccid), "%s", ji->iccid);
	req.iccid = iccid;
	req.eid = item->eid[0] ? item->eid : NULL;
	req.matching_id = ji->matching_id;
	req.confirmation_code = item->cc[0] ? item->cc : NULL;
	req.release = run->release;
	rc = cli_es2_confirm_order(run->es2, &req, &conf, &res);
	if (rc == CLI_ES2_E_FAILED && resumed) {
		fail_item(c, i, "%s; the run before stopped during this item: check it with "
			  "'rspctl order show --iccid %s', or give --db so the batch can check it",
			  res.error, iccid);
		return 1;
	}
	if (rc != CLI_ES2_OK)
		return es2_step_failed(c, i, rc, &res) < 0 ? -1 : 1;

	address = run->address ? run->address : conf.smdp_address;
	if (cli_es2_activation_code(address, conf.matching_id, run->oid, item->cc[0] != '\0',
				    code, err, sizeof(err)) < 0) {
		stop(c, "no activation code can be built: %s (--address HOST sets the SM-DP+ "
		     "address of the codes)", err);
		return -1;
	}
	if (write_qr(c, iccid, code, qr_name, sizeof(qr_name)) < 0)
		return -1;
	return journal_ok(c, cli_journal_done(run->journal, i + 1, iccid, conf.eid,
					      conf.matching_id, code, qr_name));
}

/* Marks a resumed item done from the database row, rebuilding code and QR file. */
static int finish_from_state(struct ctx *c, size_t i)
{
	struct cli_batch_run *run = c->run;
	const struct cli_batch_item *item = &run->items[i];
	struct cli_journal_item *ji = &run->journal->items[i];
	char code[ACTCODE_MAX_LEN + 1], qr_name[256], iccid[RSP_ICCID_MAX_DIGITS + 1];
	char err[1024];
	char mid[RSP_MAX_MATCHING_ID + 1];
	const char *address = run->address ? run->address : cli_es2_host(run->es2);

	snprintf(iccid, sizeof(iccid), "%s", ji->iccid);
	snprintf(mid, sizeof(mid), "%s", ji->matching_id);
	if (cli_es2_activation_code(address, mid, run->oid, item->cc[0] != '\0', code, err,
				    sizeof(err)) < 0) {
		stop(c, "no activation code can be built: %s (--address HOST sets the SM-DP+ "
		     "address of the codes)", err);
		return -1;
	}
	if (write_qr(c, iccid, code, qr_name, sizeof(qr_name)) < 0)
		return -1;
	return journal_ok(c, cli_journal_done(run->journal, i + 1, iccid, item->eid, mid, code,
					      qr_name));
}

/* Chooses the ICCID and matchingId of a new item and records them. */
static int begin_item(struct ctx *c, size_t i)
{
	struct cli_batch_run *run = c->run;
	const struct cli_batch_item *item = &run->items[i];
	char iccid[RSP_ICCID_MAX_DIGITS + 1] = "";
	char mid[RSP_MAX_MATCHING_ID + 1];

	if (item->matching_id[0]) {
		snprintf(mid, sizeof(mid), "%s", item->matching_id);
	} else if (run->journal->items[i].matching_id) {
		snprintf(mid, sizeof(mid), "%s", run->journal->items[i].matching_id);
	} else if (actcode_generate_matching_id(mid) != ACTCODE_OK) {
		stop(c, "cannot generate a matchingId: the random generator failed");
		return -1;
	}
	if (item->iccid[0]) {
		snprintf(iccid, sizeof(iccid), "%s", item->iccid);
	} else if (run->inv && pick_iccid(c, item->profile_type, iccid, sizeof(iccid)) < 0) {
		fail_item(c, i, "no Available profile of type '%s' left in the inventory for "
			  "operator %s: import more profiles of this type", item->profile_type,
			  cli_es2_operator(run->es2));
		return 1;
	}
	return journal_ok(c, cli_journal_begin(run->journal, i + 1, iccid, mid));
}

/* Takes item i as far as it goes; 0 done, 1 failed, -1 stop the run. */
static int issue_item(struct ctx *c, size_t i)
{
	struct cli_journal_item *ji = &c->run->journal->items[i];
	bool resumed = ji->step != CLI_JOURNAL_NEW;
	char detail[512] = "";
	int rc;

	/* With --db, a begun item without ICCID reserved nothing: start it afresh. */
	if (ji->step == CLI_JOURNAL_BEGUN && !ji->iccid[0] && c->run->inv)
		resumed = false;
	if (resumed) {
		if (ji->step == CLI_JOURNAL_BEGUN && !ji->iccid[0])
			cli_warn("line %lu: the run before stopped while the SM-DP+ picked a "
				 "profile of type '%s'; if it reserved one then, that profile "
				 "stays Allocated (see 'rspctl profile list --state Allocated')",
				 c->run->items[i].line, c->run->items[i].profile_type);
		switch (check_state(c, i, detail, sizeof(detail))) {
		case RECOVER_DONE:
			return finish_from_state(c, i);
		case RECOVER_CONFIRM:
			if (ji->step == CLI_JOURNAL_BEGUN &&
			    journal_ok(c, cli_journal_ordered(c->run->journal, i + 1,
							      ji->iccid)) < 0)
				return -1;
			resumed = false; /* the state is known: a rejection is a plain failure */
			break;
		case RECOVER_ORDER:
			if (ji->step == CLI_JOURNAL_ORDERED &&
			    journal_ok(c, cli_journal_begin(c->run->journal, i + 1, ji->iccid,
							    ji->matching_id)) < 0)
				return -1;
			resumed = false;
			break;
		case RECOVER_CONFLICT:
			fail_item(c, i, "%s", detail);
			return 1;
		case RECOVER_UNKNOWN:
			break;
		}
	} else if ((rc = begin_item(c, i)) != 0) {
		return rc;
	}

	if (ji->step == CLI_JOURNAL_BEGUN) {
		rc = order_item(c, i, resumed);
		if (rc != 0)
			return rc;
	}
	return confirm_item(c, i, resumed);
}

static size_t count_done(const struct cli_journal *j)
{
	size_t n = 0;

	for (size_t i = 0; i < j->count; i++)
		n += j->items[i].step == CLI_JOURNAL_DONE;
	return n;
}

int cli_batch_issue(struct cli_batch_run *run)
{
	struct ctx c = { .run = run };
	struct cli_progress bar;
	char qr_dir[4096];
	size_t done = count_done(run->journal);
	int rc = 0;

	snprintf(qr_dir, sizeof(qr_dir), "%s/qr", run->folder);
	if (run->qr != CLI_BATCH_QR_NONE && mkdir(qr_dir, 0755) < 0 && errno != EEXIST) {
		stop(&c, "cannot create folder %s: %s", qr_dir, strerror(errno));
		return -1;
	}
	cli_progress_start(&bar, run->id, run->count);
	cli_progress_update(&bar, done);
	for (size_t i = 0; i < run->count; i++) {
		if (run->journal->items[i].step == CLI_JOURNAL_DONE)
			continue;
		if (cli_batch_interrupted) {
			stop(&c, "interrupted by a signal");
			rc = -1;
			break;
		}
		rc = issue_item(&c, i);
		if (rc < 0)
			break;
		if (rc == 0) {
			run->issued_now++;
			c.consecutive_failures = 0;
			cli_progress_update(&bar, ++done);
		} else if (c.consecutive_failures >= CLI_BATCH_MAX_CONSECUTIVE_FAILURES) {
			stop(&c, "%d items in a row failed, the last one: %s",
			     CLI_BATCH_MAX_CONSECUTIVE_FAILURES, run->errors[i]);
			rc = -1;
			break;
		}
		rc = 0;
	}
	cli_progress_finish(&bar);
	free(c.pool.rows);
	return rc < 0 ? -1 : 0;
}
