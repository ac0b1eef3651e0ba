/*
 * CSV as RFC 4180 writes it: comma-separated fields, fields in double quotes may contain
 * commas, line breaks and doubled quotes, records end with CRLF or LF. Used for batch input
 * (ICCIDs, EIDs, profile types) and output (activation codes).
 *
 * The reader works on a buffer in memory and reports a malformed record with its line number,
 * then continues with the next line, so every bad line of a file can be listed at once.
 */
#ifndef CLI_CSV_H
#define CLI_CSV_H

#include <stddef.h>
#include <stdio.h>

enum cli_csv_status {
	CLI_CSV_OK = 0,
	CLI_CSV_END = 1,             /* no record left */
	CLI_CSV_E_QUOTE = -1,        /* unterminated quoted field, or text after a closing quote */
	CLI_CSV_E_TOO_MANY_FIELDS = -2,
	CLI_CSV_E_FIELD_TOO_LONG = -3,
	CLI_CSV_E_CONTROL = -4,      /* a NUL or another control character in a field */
	CLI_CSV_E_NOMEM = -5,
};

#define CLI_CSV_MAX_FIELDS    16
#define CLI_CSV_MAX_FIELD_LEN 1024

/* One record: count fields, each NUL-terminated, owned by the record. */
struct cli_csv_record {
	size_t count;
	char *fields[CLI_CSV_MAX_FIELDS];
	unsigned long line; /* line number (from 1) where the record starts */
};

struct cli_csv_reader {
	const char *buf;
	size_t len;
	size_t pos;
	unsigned long line; /* line number of buf[pos] */
};

void cli_csv_reader_init(struct cli_csv_reader *r, const char *buf, size_t len);

/* Reads the next record into rec (fields of an earlier record are freed first; rec must be
 * zeroed before the first call). Returns CLI_CSV_OK, CLI_CSV_END, or an error: rec->line then
 * names the line where the bad record starts, and the reader has moved past the end of the
 * line where the error was found. Blank lines are skipped. */
int cli_csv_next(struct cli_csv_reader *r, struct cli_csv_record *rec);

/* Frees the fields of rec and zeroes it. */
void cli_csv_record_clear(struct cli_csv_record *rec);

/* Returns a sentence for a cli_csv_status. */
const char *cli_csv_strerror(int status);

/* Writes one field, quoted when it contains a comma, a quote, a line break or leading or
 * trailing spaces; NULL is written as an empty field. */
void cli_csv_write_field(FILE *f, const char *value);

/* Writes count fields and a CRLF record end. */
void cli_csv_write_record(FILE *f, const char *const *fields, size_t count);

#endif
