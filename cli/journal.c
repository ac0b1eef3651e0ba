/*
 * Batch journal: durable, append-only state of a batch (see cli/journal.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/journal.h"

#define JOURNAL_MAGIC   "rspctl-batch"
#define JOURNAL_VERSION "1"
#define MAX_FIELDS      8
/* A record is at most a few identifiers plus one activation code and a file name. */
#define MAX_RECORD      (2 * ACTCODE_MAX_LEN + 1024)

static bool clean_value(const char *s)
{
	return !s || !strpbrk(s, "\t\r\n");
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* Splits line (modified in place) at tabs; returns the number of fields. */
static size_t split(char *line, char **fields, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		fields[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (p)
		return max + 1; /* more fields than expected */
	for (size_t i = 0; i < n; i++) {
		if (strcmp(fields[i], "-") == 0)
			fields[i][0] = '\0';
	}
	return n;
}

static int set_string(char **dst, const char *src)
{
	char *copy = strdup(src ? src : "");

	if (!copy)
		return CLI_JOURNAL_E_NOMEM;
	free(*dst);
	*dst = copy;
	return CLI_JOURNAL_OK;
}

static int copy_fixed(char *dst, size_t size, const char *src)
{
	size_t len = src ? strlen(src) : 0;

	if (len >= size)
		return CLI_JOURNAL_E_INVALID;
	memcpy(dst, src ? src : "", len);
	dst[len] = '\0';
	return CLI_JOURNAL_OK;
}

static int parse_item(struct cli_journal *j, const char *text, struct cli_journal_item **out)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(text, &end, 10);
	if (errno || *end || n == 0 || n > j->count)
		return CLI_JOURNAL_E_CORRUPT;
	*out = &j->items[n - 1];
	return CLI_JOURNAL_OK;
}

/* Applies one record (not the header) to the in-memory state. */
static int apply(struct cli_journal *j, char *line)
{
	char *f[MAX_FIELDS];
	size_t n = split(line, f, MAX_FIELDS);
	struct cli_journal_item *it;
	int rc;

	if (n < 2)
		return CLI_JOURNAL_E_CORRUPT;
	rc = parse_item(j, f[1], &it);
	if (rc < 0)
		return rc;

	if (strcmp(f[0], "begin") == 0 && n == 4) {
		if (copy_fixed(it->iccid, sizeof(it->iccid), f[2]) < 0)
			return CLI_JOURNAL_E_CORRUPT;
		it->step = CLI_JOURNAL_BEGUN;
		return set_string(&it->matching_id, f[3]);
	}
	if (strcmp(f[0], "ordered") == 0 && n == 3) {
		if (copy_fixed(it->iccid, sizeof(it->iccid), f[2]) < 0)
			return CLI_JOURNAL_E_CORRUPT;
		it->step = CLI_JOURNAL_ORDERED;
		return CLI_JOURNAL_OK;
	}
	if (strcmp(f[0], "failed") == 0 && n == 2) {
		it->step = CLI_JOURNAL_NEW;
		it->iccid[0] = '\0';
		return CLI_JOURNAL_OK;
	}
	if (strcmp(f[0], "done") == 0 && n == 7) {
		if (copy_fixed(it->iccid, sizeof(it->iccid), f[2]) < 0 ||
		    copy_fixed(it->eid, sizeof(it->eid), f[3]) < 0)
			return CLI_JOURNAL_E_CORRUPT;
		it->step = CLI_JOURNAL_DONE;
		rc = set_string(&it->matching_id, f[4]);
		if (rc == 0)
			rc = set_string(&it->activation_code, f[5]);
		if (rc == 0)
			rc = set_string(&it->qr_file, f[6]);
		return rc;
	}
	return CLI_JOURNAL_E_CORRUPT;
}

/* Writes one record and waits until it is on disk. */
static int append_record(struct cli_journal *j, const char *record, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t w = write(j->fd, record + done, len - done);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return CLI_JOURNAL_E_IO;
		}
		done += (size_t)w;
	}
	return fdatasync(j->fd) == 0 ? CLI_JOURNAL_OK : CLI_JOURNAL_E_IO;
}

/* Opens path when it is (or is created as) a regular file, without blocking on a named pipe.
 * Returns the descriptor, or -1 with the status in *status. */
static int open_regular(const char *path, int flags, int *status)
{
	struct stat st;
	int fd = open(path, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);

	*status = CLI_JOURNAL_E_IO;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		*status = CLI_JOURNAL_E_NOT_FILE;
		goto fail;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		goto fail;
	*status = CLI_JOURNAL_OK;
	return fd;
fail:
	close(fd);
	return -1;
}

static int read_all(int fd, char **out, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;

	if (fstat(fd, &st) < 0)
		return CLI_JOURNAL_E_IO;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return CLI_JOURNAL_E_NOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t r = pread(fd, buf + got, (size_t)st.st_size - got, (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(buf);
			return CLI_JOURNAL_E_IO;
		}
		got += (size_t)r;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return CLI_JOURNAL_OK;
}

/* Checks the header line (modified in place). */
static int check_header(char *line, const char *batch_id, const char *params, size_t count)
{
	char *f[5];
	char expected_count[32];

	snprintf(expected_count, sizeof(expected_count), "%zu", count);
	if (split(line, f, 5) != 5 || strcmp(f[0], JOURNAL_MAGIC) != 0 ||
	    strcmp(f[1], JOURNAL_VERSION) != 0)
		return CLI_JOURNAL_E_CORRUPT;
	if (strcmp(f[2], batch_id) != 0 || strcmp(f[3], expected_count) != 0 ||
	    strcmp(f[4], params) != 0)
		return CLI_JOURNAL_E_MISMATCH;
	return CLI_JOURNAL_OK;
}

/* Replays the records of buf; truncates a last line cut short by a crash. */
static int replay(struct cli_journal *j, char *buf, size_t len, const char *params)
{
	char *line = buf, *nl;
	size_t complete;
	bool header = true;
	int rc;

	nl = memrchr(buf, '\n', len);
	complete = nl ? (size_t)(nl - buf) + 1 : 0;
	if (complete < len && ftruncate(j->fd, (off_t)complete) < 0)
		return CLI_JOURNAL_E_IO;
	buf[complete] = '\0';

	while (*line) {
		nl = strchr(line, '\n');
		*nl = '\0';
		if (header) {
			rc = check_header(line, j->batch_id, params, j->count);
			header = false;
		} else {
			rc = apply(j, line);
		}
		if (rc < 0)
			return rc;
		line = nl + 1;
	}
	return header ? CLI_JOURNAL_E_CORRUPT : CLI_JOURNAL_OK;
}

static int write_header(struct cli_journal *j, const char *params)
{
	char rec[MAX_RECORD];
	int n = snprintf(rec, sizeof(rec), "%s\t%s\t%s\t%zu\t%s\n", JOURNAL_MAGIC, JOURNAL_VERSION,
			 j->batch_id, j->count, or_dash(params));

	if (n < 0 || (size_t)n >= sizeof(rec))
		return CLI_JOURNAL_E_INVALID;
	return append_record(j, rec, (size_t)n);
}

int cli_journal_open(const char *path, const char *batch_id, const char *params, size_t count,
		     struct cli_journal **out, int *created)
{
	struct cli_journal *j = NULL;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	*created = 0;
	if (!batch_id || !*batch_id || strlen(batch_id) > CLI_JOURNAL_MAX_ID ||
	    !clean_value(batch_id) || !clean_value(params) ||
	    (params && strlen(params) > CLI_JOURNAL_MAX_PARAMS) || count == 0 ||
	    count > CLI_JOURNAL_MAX_ITEMS)
		return CLI_JOURNAL_E_INVALID;

	rc = CLI_JOURNAL_E_NOMEM;
	j = calloc(1, sizeof(*j));
	if (!j)
		goto out;
	j->fd = -1;
	j->count = count;
	memcpy(j->batch_id, batch_id, strlen(batch_id) + 1);
	j->items = calloc(count, sizeof(*j->items));
	if (!j->items)
		goto out;

	j->fd = open_regular(path, O_RDWR | O_CREAT | O_APPEND, &rc);
	if (j->fd < 0)
		goto out;
	rc = CLI_JOURNAL_E_IO;
	if (flock(j->fd, LOCK_EX | LOCK_NB) < 0) {
		rc = errno == EWOULDBLOCK ? CLI_JOURNAL_E_LOCKED : CLI_JOURNAL_E_IO;
		goto out;
	}
	rc = read_all(j->fd, &buf, &len);
	if (rc < 0)
		goto out;
	if (len == 0 || !memchr(buf, '\n', len)) {
		/* New, or created by a run killed before its header reached the disk. */
		if (ftruncate(j->fd, 0) < 0) {
			rc = CLI_JOURNAL_E_IO;
			goto out;
		}
		rc = write_header(j, params ? params : "");
		*created = 1;
	} else {
		rc = replay(j, buf, len, params && *params ? params : "");
	}
	if (rc < 0)
		goto out;
	*out = j;
	j = NULL;
out:
	free(buf);
	cli_journal_close(j);
	return rc;
}

void cli_journal_close(struct cli_journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	for (size_t i = 0; j->items && i < j->count; i++) {
		free(j->items[i].matching_id);
		free(j->items[i].activation_code);
		free(j->items[i].qr_file);
	}
	free(j->items);
	free(j);
}

static int format_and_apply(struct cli_journal *j, size_t item, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes a record, then applies it to the in-memory state exactly as a replay would. */
static int format_and_apply(struct cli_journal *j, size_t item, const char *fmt, ...)
{
	char rec[MAX_RECORD];
	va_list ap;
	int n, rc;

	if (item == 0 || item > j->count)
		return CLI_JOURNAL_E_INVALID;
	va_start(ap, fmt);
	n = vsnprintf(rec, sizeof(rec), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(rec))
		return CLI_JOURNAL_E_INVALID;
	rc = append_record(j, rec, (size_t)n);
	if (rc < 0)
		return rc;
	rec[n - 1] = '\0'; /* the line break */
	return apply(j, rec);
}

int cli_journal_begin(struct cli_journal *j, size_t item, const char *iccid,
		      const char *matching_id)
{
	if (!clean_value(iccid) || !clean_value(matching_id))
		return CLI_JOURNAL_E_INVALID;
	return format_and_apply(j, item, "begin\t%zu\t%s\t%s\n", item, or_dash(iccid),
				or_dash(matching_id));
}

int cli_journal_ordered(struct cli_journal *j, size_t item, const char *iccid)
{
	if (!iccid || !*iccid || !clean_value(iccid))
		return CLI_JOURNAL_E_INVALID;
	return format_and_apply(j, item, "ordered\t%zu\t%s\n", item, iccid);
}

int cli_journal_done(struct cli_journal *j, size_t item, const char *iccid, const char *eid,
		     const char *matching_id, const char *activation_code, const char *qr_file)
{
	if (!clean_value(iccid) || !clean_value(eid) || !clean_value(matching_id) ||
	    !clean_value(activation_code) || !clean_value(qr_file))
		return CLI_JOURNAL_E_INVALID;
	return format_and_apply(j, item, "done\t%zu\t%s\t%s\t%s\t%s\t%s\n", item, or_dash(iccid),
				or_dash(eid), or_dash(matching_id), or_dash(activation_code),
				or_dash(qr_file));
}

int cli_journal_failed(struct cli_journal *j, size_t item)
{
	return format_and_apply(j, item, "failed\t%zu\n", item);
}

int cli_journal_peek(const char *path, char batch_id[CLI_JOURNAL_MAX_ID + 1], size_t *count,
		     char params[CLI_JOURNAL_MAX_PARAMS + 1])
{
	char line[MAX_RECORD];
	char *f[5], *end;
	unsigned long long n;
	FILE *fp;
	int fd, rc;

	fd = open_regular(path, O_RDONLY, &rc);
	if (fd < 0)
		return rc;
	fp = fdopen(fd, "r");
	if (!fp) {
		close(fd);
		return CLI_JOURNAL_E_IO;
	}
	rc = CLI_JOURNAL_E_CORRUPT;
	if (!fgets(line, sizeof(line), fp) || !strchr(line, '\n'))
		goto out;
	*strchr(line, '\n') = '\0';
	if (split(line, f, 5) != 5 || strcmp(f[0], JOURNAL_MAGIC) != 0 ||
	    strcmp(f[1], JOURNAL_VERSION) != 0)
		goto out;
	errno = 0;
	n = strtoull(f[3], &end, 10);
	if (errno || *end || n == 0 || n > CLI_JOURNAL_MAX_ITEMS ||
	    copy_fixed(batch_id, CLI_JOURNAL_MAX_ID + 1, f[2]) < 0 ||
	    copy_fixed(params, CLI_JOURNAL_MAX_PARAMS + 1, f[4]) < 0)
		goto out;
	*count = (size_t)n;
	rc = CLI_JOURNAL_OK;
out:
	fclose(fp);
	return rc;
}

const char *cli_journal_strerror(int status)
{
	switch (status) {
	case CLI_JOURNAL_OK:
		return "success";
	case CLI_JOURNAL_E_IO:
		return strerror(errno);
	case CLI_JOURNAL_E_LOCKED:
		return "another rspctl process is running this batch";
	case CLI_JOURNAL_E_MISMATCH:
		return "the batch was started with other input or options";
	case CLI_JOURNAL_E_CORRUPT:
		return "the batch state file is damaged";
	case CLI_JOURNAL_E_INVALID:
		return "invalid batch identifier or value";
	case CLI_JOURNAL_E_NOMEM:
		return "out of memory";
	case CLI_JOURNAL_E_NOT_FILE:
		return "the batch state path is not a regular file (a named pipe, device or "
		       "folder): move it away";
	default:
		return "unknown error";
	}
}
