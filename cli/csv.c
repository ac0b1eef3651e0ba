/*
 * RFC 4180 CSV reader and writer (see cli/csv.h).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/csv.h"

struct field_buf {
	char data[CLI_CSV_MAX_FIELD_LEN + 1];
	size_t len;
};

void cli_csv_reader_init(struct cli_csv_reader *r, const char *buf, size_t len)
{
	r->buf = buf;
	r->len = len;
	r->pos = 0;
	r->line = 1;
	/* A UTF-8 byte order mark, as spreadsheet programs write it, is not part of the data. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		r->pos = 3;
}

void cli_csv_record_clear(struct cli_csv_record *rec)
{
	for (size_t i = 0; i < rec->count; i++)
		free(rec->fields[i]);
	memset(rec, 0, sizeof(*rec));
}

/* Moves past the rest of the current line, after an error. */
static void skip_line(struct cli_csv_reader *r)
{
	while (r->pos < r->len && r->buf[r->pos] != '\n')
		r->pos++;
	if (r->pos < r->len) {
		r->pos++;
		r->line++;
	}
}

static bool at_record_end(const struct cli_csv_reader *r)
{
	return r->pos >= r->len || r->buf[r->pos] == '\n' ||
	       (r->buf[r->pos] == '\r' && r->pos + 1 < r->len && r->buf[r->pos + 1] == '\n') ||
	       (r->buf[r->pos] == '\r' && r->pos + 1 == r->len);
}

static void consume_record_end(struct cli_csv_reader *r)
{
	if (r->pos < r->len && r->buf[r->pos] == '\r')
		r->pos++;
	if (r->pos < r->len && r->buf[r->pos] == '\n') {
		r->pos++;
		r->line++;
	}
}

static int append(struct field_buf *f, char c)
{
	unsigned char u = (unsigned char)c;

	/* Tabs and line breaks inside quotes are data; other control characters are not text. */
	if ((u < 0x20 && c != '\t' && c != '\n' && c != '\r') || u == 0x7f)
		return CLI_CSV_E_CONTROL;
	if (f->len >= CLI_CSV_MAX_FIELD_LEN)
		return CLI_CSV_E_FIELD_TOO_LONG;
	f->data[f->len++] = c;
	return CLI_CSV_OK;
}

/* Reads one field at r->pos, up to (not including) the comma or record end after it. */
static int read_field(struct cli_csv_reader *r, struct field_buf *f)
{
	int rc = CLI_CSV_OK;

	f->len = 0;
	if (r->pos < r->len && r->buf[r->pos] == '"') {
		r->pos++;
		for (;;) {
			if (r->pos >= r->len)
				return CLI_CSV_E_QUOTE;
			if (r->buf[r->pos] == '"') {
				if (r->pos + 1 < r->len && r->buf[r->pos + 1] == '"') {
					rc = append(f, '"');
					r->pos += 2;
				} else {
					r->pos++;
					break;
				}
			} else {
				if (r->buf[r->pos] == '\n')
					r->line++;
				rc = append(f, r->buf[r->pos]);
				r->pos++;
			}
			if (rc < 0)
				return rc;
		}
		if (!at_record_end(r) && r->buf[r->pos] != ',')
			return CLI_CSV_E_QUOTE;
	} else {
		while (!at_record_end(r) && r->buf[r->pos] != ',') {
			if (r->buf[r->pos] == '"')
				return CLI_CSV_E_QUOTE;
			rc = append(f, r->buf[r->pos]);
			if (rc < 0)
				return rc;
			r->pos++;
		}
	}
	f->data[f->len] = '\0';
	return CLI_CSV_OK;
}

static bool blank_line(const struct cli_csv_reader *r)
{
	size_t p = r->pos;

	while (p < r->len && (r->buf[p] == ' ' || r->buf[p] == '\t' || r->buf[p] == '\r'))
		p++;
	return p >= r->len || r->buf[p] == '\n';
}

int cli_csv_next(struct cli_csv_reader *r, struct cli_csv_record *rec)
{
	struct field_buf *f = NULL;
	unsigned long start_line;
	int rc;

	cli_csv_record_clear(rec);
	while (r->pos < r->len && blank_line(r))
		skip_line(r);
	if (r->pos >= r->len)
		return CLI_CSV_END;

	f = malloc(sizeof(*f));
	if (!f)
		return CLI_CSV_E_NOMEM;
	rec->line = r->line;
	for (;;) {
		rc = read_field(r, f);
		if (rc < 0)
			goto fail;
		if (rec->count >= CLI_CSV_MAX_FIELDS) {
			rc = CLI_CSV_E_TOO_MANY_FIELDS;
			goto fail;
		}
		rec->fields[rec->count] = strdup(f->data);
		if (!rec->fields[rec->count]) {
			rc = CLI_CSV_E_NOMEM;
			goto fail;
		}
		rec->count++;
		if (at_record_end(r)) {
			consume_record_end(r);
			break;
		}
		r->pos++; /* the comma */
	}
	free(f);
	return CLI_CSV_OK;
fail:
	free(f);
	start_line = rec->line;
	cli_csv_record_clear(rec);
	/* The line where the record starts: for an unterminated quote, where the quote opened. */
	rec->line = start_line;
	skip_line(r);
	return rc;
}

const char *cli_csv_strerror(int status)
{
	switch (status) {
	case CLI_CSV_OK:
		return "success";
	case CLI_CSV_END:
		return "end of input";
	case CLI_CSV_E_QUOTE:
		return "a quote is misplaced: quote the whole field and double quotes inside it";
	case CLI_CSV_E_TOO_MANY_FIELDS:
		return "too many fields (at most 16)";
	case CLI_CSV_E_FIELD_TOO_LONG:
		return "a field is longer than 1024 characters";
	case CLI_CSV_E_CONTROL:
		return "a field contains a control character";
	case CLI_CSV_E_NOMEM:
		return "out of memory";
	default:
		return "unknown error";
	}
}

void cli_csv_write_field(FILE *f, const char *value)
{
	size_t len;
	bool quote;

	if (!value)
		return;
	len = strlen(value);
	quote = strpbrk(value, ",\"\r\n") != NULL ||
		(len > 0 && (value[0] == ' ' || value[len - 1] == ' '));
	if (!quote) {
		fputs(value, f);
		return;
	}
	fputc('"', f);
	for (const char *p = value; *p; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

void cli_csv_write_record(FILE *f, const char *const *fields, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		if (i > 0)
			fputc(',', f);
		cli_csv_write_field(f, fields[i]);
	}
	fputs("\r\n", f);
}
