/*
 * rspctl batch: issue many activation codes in one run (see cli/batch.h).
 *
 *   rspctl batch issue --id B1 --input orders.csv ...     one order per CSV line
 *   rspctl batch issue --id B1 --count 1000 --profile-type consumer ...
 *   rspctl batch status --id B1
 *
 * Input CSV: a header line naming the columns, then one line per order. Columns (any order,
 * any case, '_' optional): iccid, eid, profile_type, matching_id, confirmation_code. A line
 * needs an ICCID or a profile type (its own, or --profile-type). The whole file is checked
 * before anything is issued.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli/batch.h"
#include "cli/csv.h"
#include "common/crypto.h"
#include "common/ident.h"
#include "smdpplus/inventory.h"

enum {
	OPT_ID = CLI_OPT_FIRST_OWN,
	OPT_INPUT,
	OPT_COUNT,
	OPT_PROFILE_TYPE,
	OPT_DIR,
	OPT_QR_FORMAT,
	OPT_NO_RELEASE,
	OPT_OID,
	OPT_ADDRESS,
};

#define MAX_REPORTED_INPUT_ERRORS 50
#define MAX_INPUT_FILE (64 * 1024 * 1024)

enum column { COL_ICCID, COL_EID, COL_PROFILE_TYPE, COL_MATCHING_ID, COL_CC, COL_COUNT };

static const char *const column_names[COL_COUNT] = {
	"iccid", "eid", "profiletype", "matchingid", "confirmationcode",
};

/* ---- input ---- */

struct input {
	const char *path;
	struct cli_batch_item *items;
	size_t count, cap;
	size_t errors;
};

static void input_error(struct input *in, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void input_error(struct input *in, unsigned long line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (++in->errors > MAX_REPORTED_INPUT_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_error("%s line %lu: %s", in->path, line, msg);
}

/* Maps a header name to a column: case and '_', '-', ' ' do not matter. */
static int column_of(const char *name)
{
	char norm[64];
	size_t n = 0;

	for (const char *p = name; *p && n + 1 < sizeof(norm); p++) {
		if (*p != '_' && *p != '-' && *p != ' ')
			norm[n++] = (char)tolower((unsigned char)*p);
	}
	norm[n] = '\0';
	for (int c = 0; c < COL_COUNT; c++) {
		if (strcmp(norm, column_names[c]) == 0)
			return c;
	}
	return -1;
}

static struct cli_batch_item *new_item(struct input *in)
{
	if (in->count == in->cap) {
		size_t cap = in->cap ? in->cap * 2 : 256;
		struct cli_batch_item *grown = realloc(in->items, cap * sizeof(*grown));

		if (!grown)
			return NULL;
		in->items = grown;
		in->cap = cap;
	}
	memset(&in->items[in->count], 0, sizeof(in->items[0]));
	return &in->items[in->count++];
}

/* Whether an earlier item has the same non-empty value in the field at offset. */
static bool is_duplicate(const struct input *in, size_t upto, size_t offset, const char *value,
			 unsigned long *line)
{
	for (size_t i = 0; i < upto; i++) {
		const char *other = (const char *)&in->items[i] + offset;

		if (*value && strcmp(other, value) == 0) {
			*line = in->items[i].line;
			return true;
		}
	}
	return false;
}

/* Checks one data line and appends it as an item. */
static int add_line(struct input *in, const struct cli_csv_record *rec, const int *col,
		    size_t ncol, const char *default_type)
{
	struct cli_batch_item *it;
	const char *v[COL_COUNT] = { 0 };
	char err[512];
	unsigned long dup;
	size_t before = in->errors;

	if (rec->count != ncol) {
		input_error(in, rec->line, "%zu fields, but the header names %zu columns",
			    rec->count, ncol);
		return 0;
	}
	for (size_t f = 0; f < ncol; f++)
		v[col[f]] = rec->fields[f];
	it = new_item(in);
	if (!it)
		return -1;
	it->line = rec->line;

	if (v[COL_ICCID] && *v[COL_ICCID] &&
	    cli_describe_iccid(v[COL_ICCID], it->iccid, err, sizeof(err)) < 0)
		input_error(in, rec->line, "%s", err);
	if (v[COL_EID] && *v[COL_EID]) {
		if (cli_describe_eid(v[COL_EID], err, sizeof(err)) < 0)
			input_error(in, rec->line, "%s", err);
		else
			snprintf(it->eid, sizeof(it->eid), "%s", v[COL_EID]);
	}
	if (v[COL_MATCHING_ID] && *v[COL_MATCHING_ID]) {
		if (cli_describe_matching_id(v[COL_MATCHING_ID], err, sizeof(err)) < 0)
			input_error(in, rec->line, "%s", err);
		else
			snprintf(it->matching_id, sizeof(it->matching_id), "%s",
				 v[COL_MATCHING_ID]);
	}
	if (v[COL_CC] && *v[COL_CC]) {
		size_t len = strlen(v[COL_CC]);
		bool printable = len <= CLI_MAX_CONFIRMATION_CODE;

		for (size_t i = 0; printable && i < len; i++)
			printable = isgraph((unsigned char)v[COL_CC][i]) != 0;
		if (!printable)
			input_error(in, rec->line, "invalid confirmation code: give 1 to %d "
				    "printable ASCII characters without spaces",
				    CLI_MAX_CONFIRMATION_CODE);
		else
			memcpy(it->cc, v[COL_CC], len + 1);
	}
	{
		const char *type = v[COL_PROFILE_TYPE] && *v[COL_PROFILE_TYPE] ? v[COL_PROFILE_TYPE]
										 : default_type;

		if (type && strlen(type) < sizeof(it->profile_type))
			snprintf(it->profile_type, sizeof(it->profile_type), "%s", type);
		else if (type)
			input_error(in, rec->line, "profile type '%s' is longer than %d characters",
				    type, CLI_BATCH_MAX_PROFILE_TYPE);
	}
	if (!it->iccid[0] && !it->profile_type[0] && in->errors == before)
		input_error(in, rec->line, "no ICCID and no profile type: fill the iccid or "
			    "profile_type column, or give --profile-type");

	if (is_duplicate(in, in->count - 1, offsetof(struct cli_batch_item, iccid), it->iccid,
			 &dup))
		input_error(in, rec->line, "ICCID %s is already on line %lu", it->iccid, dup);
	if (is_duplicate(in, in->count - 1, offsetof(struct cli_batch_item, matching_id),
			 it->matching_id, &dup))
		input_error(in, rec->line, "matchingId %s is already on line %lu", it->matching_id,
			    dup);
	return 0;
}

/* Reads the header line: which column each field is. */
static int read_header(struct input *in, const struct cli_csv_record *rec, int *col)
{
	bool seen[COL_COUNT] = { false };

	for (size_t f = 0; f < rec->count; f++) {
		col[f] = column_of(rec->fields[f]);
		if (col[f] < 0) {
			input_error(in, rec->line, "unknown column '%s': the columns are iccid, "
				    "eid, profile_type, matching_id and confirmation_code",
				    rec->fields[f]);
			return -1;
		}
		if (seen[col[f]]) {
			input_error(in, rec->line, "column '%s' appears twice", rec->fields[f]);
			return -1;
		}
		seen[col[f]] = true;
	}
	if (!seen[COL_ICCID] && !seen[COL_PROFILE_TYPE]) {
		input_error(in, rec->line, "the header needs an iccid or a profile_type column");
		return -1;
	}
	return 0;
}

/* Loads and checks the whole input CSV; digest receives the SHA-256 of the file in hex. */
static int load_csv(struct input *in, const char *default_type, char digest[65])
{
	struct cli_csv_reader r;
	struct cli_csv_record rec = { 0 };
	uint8_t hash[CRYPTO_SHA256_LEN];
	int col[CLI_CSV_MAX_FIELDS];
	size_t ncol = 0, len = 0;
	char *buf = NULL;
	int rc;

	if (cli_read_file(in->path, "CSV file", MAX_INPUT_FILE, &buf, &len) < 0)
		return CLI_EXIT_USAGE;
	crypto_sha256((const uint8_t *)buf, len, hash);
	ident_hex_encode(hash, sizeof(hash), digest, 65);
	cli_csv_reader_init(&r, buf, len);
	while ((rc = cli_csv_next(&r, &rec)) != CLI_CSV_END) {
		if (rc == CLI_CSV_E_NOMEM)
			break;
		if (rc < 0) {
			input_error(in, rec.line, "%s", cli_csv_strerror(rc));
			continue;
		}
		if (ncol == 0) {
			if (read_header(in, &rec, col) < 0)
				break;
			ncol = rec.count;
			continue;
		}
		if (in->count >= CLI_BATCH_MAX_ITEMS) {
			input_error(in, rec.line, "more than %d orders: split the file",
				    CLI_BATCH_MAX_ITEMS);
			break;
		}
		if (add_line(in, &rec, col, ncol, default_type) < 0) {
			rc = CLI_CSV_E_NOMEM;
			break;
		}
	}
	cli_csv_record_clear(&rec);
	free(buf);
	if (rc == CLI_CSV_E_NOMEM) {
		cli_error("out of memory reading %s", in->path);
		return CLI_EXIT_FAILURE;
	}
	if (in->errors > MAX_REPORTED_INPUT_ERRORS)
		cli_error("%s: %zu more invalid lines not shown", in->path,
			  in->errors - MAX_REPORTED_INPUT_ERRORS);
	if (in->errors) {
		cli_error("%s: %zu invalid lines; nothing was issued: correct them and run again",
			  in->path, in->errors);
		return CLI_EXIT_USAGE;
	}
	if (in->count == 0) {
		cli_error("%s holds no orders: give a header line and one line per order",
			  in->path);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* ---- output ---- */

static int write_output(const struct cli_batch_run *run, const char *path)
{
	static const char *const header[] = {
		"line", "iccid", "eid", "matching_id", "activation_code", "qr_file",
	};
	char tmp[4300];
	FILE *f;
	bool ok;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	cli_csv_write_record(f, header, 6);
	for (size_t i = 0; i < run->count; i++) {
		const struct cli_journal_item *ji = &run->journal->items[i];
		char line[32];
		const char *fields[6];

		if (ji->step != CLI_JOURNAL_DONE)
			continue;
		snprintf(line, sizeof(line), "%lu", run->items[i].line);
		fields[0] = line;
		fields[1] = ji->iccid;
		fields[2] = ji->eid;
		fields[3] = ji->matching_id;
		fields[4] = ji->activation_code;
		fields[5] = ji->qr_file;
		cli_csv_write_record(f, fields, 6);
	}
	ok = fflush(f) == 0 && !ferror(f);
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) < 0) {
		remove(tmp);
		return -1;
	}
	return 0;
}

/* Appends "2-500,502" style ranges of the item lines in the given journal step. */
static void line_ranges(const struct cli_batch_run *run, bool done, char *out, size_t size)
{
	size_t pos = 0, i = 0;

	out[0] = '\0';
	while (i < run->count) {
		size_t j;

		if ((run->journal->items[i].step == CLI_JOURNAL_DONE) != done) {
			i++;
			continue;
		}
		for (j = i; j + 1 < run->count &&
			    (run->journal->items[j + 1].step == CLI_JOURNAL_DONE) == done &&
			    run->items[j + 1].line == run->items[j].line + 1; j++)
			;
		if (pos + 48 >= size) {
			snprintf(out + pos, size - pos, "...");
			return;
		}
		if (j == i)
			pos += (size_t)snprintf(out + pos, size - pos, "%s%lu", pos ? "," : "",
						run->items[i].line);
		else
			pos += (size_t)snprintf(out + pos, size - pos, "%s%lu-%lu", pos ? "," : "",
						run->items[i].line, run->items[j].line);
		i = j + 1;
	}
}

static size_t count_step(const struct cli_journal *j, enum cli_journal_step step)
{
	size_t n = 0;

	for (size_t i = 0; i < j->count; i++)
		n += j->items[i].step == step;
	return n;
}

static int report(const struct cli_batch_run *run, const char *output, bool json, bool stopped,
		  const char *rerun)
{
	size_t issued = count_step(run->journal, CLI_JOURNAL_DONE);
	size_t missing = run->count - issued;
	char done_lines[1024], missing_lines[1024];

	line_ranges(run, true, done_lines, sizeof(done_lines));
	line_ranges(run, false, missing_lines, sizeof(missing_lines));
	if (json) {
		cJSON *doc = cJSON_CreateObject(), *failed = cJSON_CreateArray();

		for (size_t i = 0; doc && failed && i < run->count; i++) {
			cJSON *e;

			if (!run->errors[i] || !(e = cJSON_CreateObject()))
				continue;
			cJSON_AddNumberToObject(e, "line", (double)run->items[i].line);
			cJSON_AddStringToObject(e, "error", run->errors[i]);
			cJSON_AddItemToArray(failed, e);
		}
		if (doc && failed) {
			cJSON_AddStringToObject(doc, "batch", run->id);
			cJSON_AddNumberToObject(doc, "total", (double)run->count);
			cJSON_AddNumberToObject(doc, "issued", (double)issued);
			cJSON_AddNumberToObject(doc, "issuedNow", (double)run->issued_now);
			cJSON_AddNumberToObject(doc, "missing", (double)missing);
			cJSON_AddStringToObject(doc, "issuedLines", done_lines);
			cJSON_AddStringToObject(doc, "missingLines", missing_lines);
			cJSON_AddItemToObject(doc, "failed", failed);
			failed = NULL;
			cJSON_AddStringToObject(doc, "output", output);
			if (stopped)
				cJSON_AddStringToObject(doc, "stopped", run->stop_reason);
		}
		cJSON_Delete(failed);
		cli_print_json(doc);
	} else {
		for (size_t i = 0; i < run->count; i++) {
			if (run->errors[i])
				cli_error("batch %s line %lu: %s", run->id, run->items[i].line,
					  run->errors[i]);
		}
		printf("batch %s: %zu of %zu issued (%zu in this run), output %s\n", run->id,
		       issued, run->count, run->issued_now, output);
		if (issued)
			printf("issued lines: %s\n", done_lines);
		if (missing)
			printf("not issued lines: %s\n", missing_lines);
	}
	if (stopped)
		cli_error("batch %s stopped: %s; %zu of %zu issued; run '%s' again to issue only "
			  "the rest", run->id, run->stop_reason, issued, run->count, rerun);
	else if (missing)
		cli_error("batch %s: %zu of %zu lines not issued (%s); correct the cause and run "
			  "'%s' again to issue only those", run->id, missing, run->count,
			  missing_lines, rerun);
	if (missing == 0)
		return CLI_EXIT_OK;
	return stopped ? CLI_EXIT_FAILURE : CLI_EXIT_PARTIAL;
}

/* ---- the commands ---- */

static int check_batch_id(const char *name, const char *id)
{
	size_t len = strlen(id);

	if (len == 0 || len > CLI_JOURNAL_MAX_ID || id[0] == '.' || id[0] == '-')
		goto bad;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)id[i];

		if (!isalnum(c) && c != '-' && c != '_' && c != '.')
			goto bad;
	}
	return 0;
bad:
	return cli_usage_error(name, "invalid --id '%s': give 1 to %d letters, digits, '-', '_' "
			       "or '.', not starting with '.' or '-'", id, CLI_JOURNAL_MAX_ID);
}

static int generate_batch_id(char *out, size_t size)
{
	uint8_t rnd[3];
	char hex[7];
	time_t now = time(NULL);
	struct tm tm;

	if (crypto_random(rnd, sizeof(rnd)) != CRYPTO_OK || !gmtime_r(&now, &tm) ||
	    ident_hex_encode(rnd, sizeof(rnd), hex, sizeof(hex)) != IDENT_OK)
		return -1;
	snprintf(out, size, "B%04d%02d%02d-%02d%02d%02d-%s", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, hex);
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	cli_batch_interrupted = 1;
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static const char issue_usage[] =
	"usage: rspctl batch issue (--input FILE.csv | --count N --profile-type TYPE) [options]\n\n"
	"Creates and confirms one download order per item over ES2+ and writes the activation\n"
	"codes to <dir>/<id>/<id>.csv (line, iccid, eid, matching_id, activation_code, qr_file)\n"
	"with one QR file per code in <dir>/<id>/qr/. The batch state is kept in\n"
	"<dir>/<id>/<id>.state: after a failure or a kill, the same command with the same --id\n"
	"issues only what is missing.\n\n"
	"Input CSV: a header line, then one order per line; columns iccid, eid, profile_type,\n"
	"matching_id, confirmation_code (each line needs an ICCID or a profile type).\n\n"
	"  --id ID                batch identifier (default: generated and printed)\n"
	"  --input FILE           the orders, as CSV\n"
	"  --count N              N orders of --profile-type (instead of --input)\n"
	"  --profile-type TYPE    profile type for --count, and for CSV lines without one\n"
	"  --dir DIR              folder for the batch folder (default .), created with its\n"
	"                         parent folders when missing\n"
	"  --qr-format FORMAT     png (default), svg or none\n"
	"  --no-release           confirm only; release later with 'rspctl order release'\n"
	"  --oid OID              put the SM-DP+ OID into the activation codes\n"
	"  --address HOST         SM-DP+ address for the codes (default: from ConfirmOrder)\n"
	CLI_HELP_ES2
	"  --db CONNINFO          optional: the SM-DP+ database (default: $RSP_DB), so the\n"
	"                         batch picks profiles by type itself and checks half-done\n"
	"                         items on a re-run\n"
	CLI_HELP_BASE
	"\nexample:\n"
	"  rspctl batch issue --id shop-2024-12 --count 1000 --profile-type consumer \\\n"
	"    --smdp https://smdp.example.com:8443 --cert op.pem --key op.key\n";

static int cmd_issue(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "id", required_argument, NULL, OPT_ID },
		{ "input", required_argument, NULL, OPT_INPUT },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "profile-type", required_argument, NULL, OPT_PROFILE_TYPE },
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "qr-format", required_argument, NULL, OPT_QR_FORMAT },
		{ "no-release", no_argument, NULL, OPT_NO_RELEASE },
		{ "oid", required_argument, NULL, OPT_OID },
		{ "address", required_argument, NULL, OPT_ADDRESS },
		CLI_OPTIONS_DB, CLI_OPTIONS_ES2, CLI_OPTIONS_BASE, CLI_OPTIONS_END,
	};
	const char *name = "batch issue";
	struct cli_options o = { 0 };
	struct cli_batch_run run = { 0 };
	struct input in = { 0 };
	const char *id = NULL, *dir = ".", *profile_type = NULL, *qr_format = "png";
	char gen_id[CLI_JOURNAL_MAX_ID + 1], folder[4096], state_path[4200], output[4200];
	char params[CLI_JOURNAL_MAX_PARAMS + 1], stored[CLI_JOURNAL_MAX_PARAMS + 1];
	char digest[65] = "", err[4352];
	char stored_id[CLI_JOURNAL_MAX_ID + 1], rerun[4600];
	long count = 0;
	size_t stored_count;
	int c, rc, created = 0;

	run.release = true;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ID:
			id = optarg;
			break;
		case OPT_INPUT:
			in.path = optarg;
			break;
		case OPT_COUNT:
			if (cli_parse_long(optarg, 1, CLI_BATCH_MAX_ITEMS, &count) < 0)
				return cli_usage_error(name, "invalid --count '%s': give 1 to %d",
						       optarg, CLI_BATCH_MAX_ITEMS);
			break;
		case OPT_PROFILE_TYPE:
			profile_type = optarg;
			break;
		case OPT_DIR:
			dir = optarg;
			break;
		case OPT_QR_FORMAT:
			qr_format = optarg;
			break;
		case OPT_NO_RELEASE:
			run.release = false;
			break;
		case OPT_OID:
			run.oid = optarg;
			break;
		case OPT_ADDRESS:
			run.address = optarg;
			break;
		default:
			if ((rc = cli_common_option(&o, name, c, optarg)) != 0)
				return rc;
		}
	}
	if (o.help) {
		cli_print_help(cmd, "batch");
		return CLI_EXIT_OK;
	}
	cli_options_from_env(&o);
	if (optind < argc)
		return cli_usage_error(name, "unexpected argument '%s'", argv[optind]);
	if (!in.path == !count)
		return cli_usage_error(name, "give either --input FILE or --count N");
	if (count && !profile_type)
		return cli_usage_error(name, "--count needs --profile-type");
	if (profile_type && cli_check_profile_type(profile_type) < 0)
		return CLI_EXIT_USAGE;
	if (strcmp(qr_format, "png") == 0)
		run.qr = CLI_BATCH_QR_PNG;
	else if (strcmp(qr_format, "svg") == 0)
		run.qr = CLI_BATCH_QR_SVG;
	else if (strcmp(qr_format, "none") == 0)
		run.qr = CLI_BATCH_QR_NONE;
	else
		return cli_usage_error(name, "invalid --qr-format '%s': give png, svg or none",
				       qr_format);
	if ((run.oid && cli_describe_oid("--oid", run.oid, err, sizeof(err)) < 0) ||
	    (run.address && cli_describe_address("--address", run.address, err, sizeof(err)) < 0))
		return cli_usage_error(name, "%s", err);
	if (!*dir)
		return cli_usage_error(name, "invalid --dir '': give a folder, e.g. '.'");
	if (id && (rc = check_batch_id(name, id)) != 0)
		return rc;
	if (!id) {
		if (generate_batch_id(gen_id, sizeof(gen_id)) < 0) {
			cli_error("cannot generate a batch identifier: the random generator "
				  "failed");
			return CLI_EXIT_FAILURE;
		}
		id = gen_id;
	}
	run.id = id;

	/* Items: from the CSV, or count items of one profile type. */
	if (in.path) {
		rc = load_csv(&in, profile_type, digest);
		run.items = in.items;
		run.count = in.count;
		if (rc != 0)
			goto out;
	} else {
		run.items = calloc((size_t)count, sizeof(*run.items));
		if (!run.items) {
			cli_error("out of memory");
			rc = CLI_EXIT_FAILURE;
			goto out;
		}
		run.count = (size_t)count;
		for (size_t i = 0; i < run.count; i++) {
			run.items[i].line = i + 1;
			snprintf(run.items[i].profile_type, sizeof(run.items[i].profile_type), "%s",
				 profile_type);
		}
	}
	snprintf(params, sizeof(params), "%s%s release=%d qr=%s oid=%s address=%s",
		 in.path ? "input-sha256=" : "count profile-type=", in.path ? digest : profile_type,
		 run.release, qr_format, run.oid ? run.oid : "", run.address ? run.address : "");

	/* The batch folder and its journal; --dir is created with its parents when missing. */
	snprintf(folder, sizeof(folder), "%s/%s", dir, id);
	if (cli_make_folders(folder, err, sizeof(err)) < 0) {
		cli_error("%s: give --dir a folder that can be created and written to", err);
		rc = CLI_EXIT_FAILURE;
		goto out;
	}
	run.folder = folder;
	snprintf(state_path, sizeof(state_path), "%s/%s.state", folder, id);
	snprintf(output, sizeof(output), "%s/%s.csv", folder, id);
	rc = cli_journal_open(state_path, id, params, run.count, &run.journal, &created);
	if (rc == CLI_JOURNAL_E_MISMATCH &&
	    cli_journal_peek(state_path, stored_id, &stored_count, stored) == CLI_JOURNAL_OK) {
		cli_error("batch %s was started with %zu items and '%s', not %zu items and '%s': "
			  "run it with the same input and options, or choose a new --id", id,
			  stored_count, stored, run.count, params);
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	if (rc != CLI_JOURNAL_OK) {
		cli_error("cannot open batch state %s: %s", state_path, cli_journal_strerror(rc));
		rc = CLI_EXIT_FAILURE;
		goto out;
	}
	if (!o.json)
		printf("batch %s: %s, %zu items, folder %s\n", id, created ? "new" : "resumed",
		       run.count, folder);

	run.errors = calloc(run.count, sizeof(*run.errors));
	if (!run.errors) {
		cli_error("out of memory");
		rc = CLI_EXIT_FAILURE;
		goto out;
	}
	if ((rc = cli_es2_open(&o, name, &run.es2)) != 0)
		goto out;
	if (o.db) {
		rc = inventory_open(o.db, &run.inv);
		if (rc != INVENTORY_OK) {
			cli_error("cannot open the SM-DP+ database '%s': %s (%s): check --db, or "
				  "leave it out (and unset RSP_DB) to issue over ES2+ alone", o.db,
				  inventory_strerror(rc), cli_library_message());
			rc = CLI_EXIT_FAILURE;
			goto out;
		}
	}

	catch_signals();
	rc = cli_batch_issue(&run);
	if (write_output(&run, output) < 0) {
		cli_error("cannot write %s: %s", output, strerror(errno));
		rc = CLI_EXIT_FAILURE;
		goto out;
	}
	if (in.path)
		snprintf(rerun, sizeof(rerun), "rspctl batch issue --id %s --input %s --dir %s ...",
			 id, in.path, dir);
	else
		snprintf(rerun, sizeof(rerun), "rspctl batch issue --id %s --count %ld "
			 "--profile-type %s --dir %s ...", id, count, profile_type, dir);
	rc = report(&run, output, o.json, rc < 0, rerun);
out:
	if (run.errors) {
		for (size_t i = 0; i < run.count; i++)
			free(run.errors[i]);
		free(run.errors);
	}
	if (run.items) {
		/* Items hold confirmation codes. */
		crypto_zeroize(run.items, run.count * sizeof(*run.items));
		free(run.items);
	}
	inventory_close(run.inv);
	cli_es2_close(run.es2);
	cli_journal_close(run.journal);
	return rc;
}

static const char status_usage[] =
	"usage: rspctl batch status --id ID [--dir DIR] [--json]\n\n"
	"Shows how far a batch got, from its state file: items issued, half-done and not\n"
	"started.\n\n"
	"  --id ID                batch identifier\n"
	"  --dir DIR              folder holding the batch folder (default .)\n"
	CLI_HELP_BASE
	"\nexample:\n  rspctl batch status --id shop-2024-12\n";

static int cmd_status(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "id", required_argument, NULL, OPT_ID },
		{ "dir", required_argument, NULL, OPT_DIR },
		CLI_OPTIONS_BASE, CLI_OPTIONS_END,
	};
	const char *name = "batch status";
	struct cli_options o = { 0 };
	struct cli_journal *j = NULL;
	const char *id = NULL, *dir = ".";
	char path[4200], stored_id[CLI_JOURNAL_MAX_ID + 1], params[CLI_JOURNAL_MAX_PARAMS + 1];
	size_t count = 0, done, begun, ordered;
	int c, rc, created;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ID:
			id = optarg;
			break;
		case OPT_DIR:
			dir = optarg;
			break;
		default:
			if ((rc = cli_common_option(&o, name, c, optarg)) != 0)
				return rc;
		}
	}
	if (o.help) {
		cli_print_help(cmd, "batch");
		return CLI_EXIT_OK;
	}
	if (!id)
		return cli_usage_error(name, "--id is required");
	if ((rc = check_batch_id(name, id)) != 0)
		return rc;
	snprintf(path, sizeof(path), "%s/%s/%s.state", dir, id, id);
	rc = cli_journal_peek(path, stored_id, &count, params);
	if (rc == CLI_JOURNAL_E_NOT_FILE) {
		cli_error("cannot read batch state %s: %s", path, cli_journal_strerror(rc));
		return CLI_EXIT_FAILURE;
	}
	if (rc != CLI_JOURNAL_OK) {
		cli_error("no batch %s in %s: %s is missing or damaged; check --id and --dir", id,
			  dir, path);
		return CLI_EXIT_FAILURE;
	}
	rc = cli_journal_open(path, stored_id, params, count, &j, &created);
	if (rc != CLI_JOURNAL_OK) {
		cli_error("cannot read batch state %s: %s", path, cli_journal_strerror(rc));
		return CLI_EXIT_FAILURE;
	}
	done = count_step(j, CLI_JOURNAL_DONE);
	begun = count_step(j, CLI_JOURNAL_BEGUN);
	ordered = count_step(j, CLI_JOURNAL_ORDERED);
	if (o.json) {
		cJSON *doc = cJSON_CreateObject();

		if (doc) {
			cJSON_AddStringToObject(doc, "batch", id);
			cJSON_AddNumberToObject(doc, "total", (double)count);
			cJSON_AddNumberToObject(doc, "issued", (double)done);
			cJSON_AddNumberToObject(doc, "inProgress", (double)(begun + ordered));
			cJSON_AddNumberToObject(doc, "notStarted",
						(double)(count - done - begun - ordered));
			cJSON_AddStringToObject(doc, "parameters", params);
		}
		rc = cli_print_json(doc);
	} else {
		printf("batch %s: %zu items, %zu issued, %zu half-done, %zu not started\n", id,
		       count, done, begun + ordered, count - done - begun - ordered);
		printf("started with: %s\n", params);
		rc = CLI_EXIT_OK;
	}
	cli_journal_close(j);
	return rc;
}

static const struct cli_command commands[] = {
	{ "issue", "create and confirm many orders, with codes and QR files", issue_usage,
	  cmd_issue },
	{ "status", "show how far a batch got", status_usage, cmd_status },
	{ NULL, NULL, NULL, NULL },
};

const struct cli_group cli_batch_group = {
	"batch", "batch issuance of activation codes, resumable by batch identifier", commands,
};
