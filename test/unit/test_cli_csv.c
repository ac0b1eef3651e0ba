/*
 * Unit tests of the rspctl CSV reader and writer (cli/csv.c): RFC 4180 quoting, line endings,
 * malformed lines reported with their number, and every truncated prefix of a valid input.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/csv.h"
#include "test/harness.h"

/* Reads all records of text; returns how many parsed and how many failed. */
static void count_records(const char *text, size_t len, int *ok, int *bad)
{
	struct cli_csv_reader r;
	struct cli_csv_record rec = { 0 };
	int rc;

	*ok = 0;
	*bad = 0;
	cli_csv_reader_init(&r, text, len);
	while ((rc = cli_csv_next(&r, &rec)) != CLI_CSV_END) {
		if (rc == CLI_CSV_OK)
			(*ok)++;
		else
			(*bad)++;
		if (*ok + *bad > 1000)
			break;
	}
	cli_csv_record_clear(&rec);
}

static void test_plain_records(void)
{
	const char *text = "iccid,eid\n8949449999999990023,\r\n\n8949449999999990031,x\n";
	struct cli_csv_reader r;
	struct cli_csv_record rec = { 0 };

	cli_csv_reader_init(&r, text, strlen(text));
	REQUIRE(cli_csv_next(&r, &rec) == CLI_CSV_OK);
	CHECK_INT(rec.count, 2);
	CHECK_STR(rec.fields[0], "iccid");
	CHECK_INT(rec.line, 1);
	REQUIRE(cli_csv_next(&r, &rec) == CLI_CSV_OK);
	CHECK_INT(rec.count, 2);
	CHECK_STR(rec.fields[1], "");
	CHECK_INT(rec.line, 2);
	REQUIRE(cli_csv_next(&r, &rec) == CLI_CSV_OK);
	CHECK_STR(rec.fields[1], "x");
	CHECK_INT(rec.line, 4); /* the blank line 3 is skipped, but counted */
	CHECK_INT(cli_csv_next(&r, &rec), CLI_CSV_END);
	cli_csv_record_clear(&rec);
}

static void test_quoted_fields(void)
{
	const char *text = "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\nnext,1\n";
	struct cli_csv_reader r;
	struct cli_csv_record rec = { 0 };

	cli_csv_reader_init(&r, text, strlen(text));
	REQUIRE(cli_csv_next(&r, &rec) == CLI_CSV_OK);
	REQUIRE(rec.count == 3);
	CHECK_STR(rec.fields[0], "a,b");
	CHECK_STR(rec.fields[1], "say \"hi\"");
	CHECK_STR(rec.fields[2], "two\nlines");
	REQUIRE(cli_csv_next(&r, &rec) == CLI_CSV_OK);
	CHECK_STR(rec.fields[0], "next");
	CHECK_INT(rec.line, 3);
	cli_csv_record_clear(&rec);
}

static void test_bom_and_no_final_newline(void)
{
	const char *text = "\xef\xbb\xbficcid\r\n123";
	struct cli_csv_reader r;
	struct cli_csv_record rec = { 0 };

	cli_csv_reader_init(&r, text, strlen(text));
	REQUIRE(cli_csv_next(&r, &rec) == CLI_CSV_OK);
	CHECK_STR(rec.fields[0], "iccid");
	REQUIRE(cli_csv_next(&r, &rec) == CLI_CSV_OK);
	CHECK_STR(rec.fields[0], "123");
	CHECK_INT(cli_csv_next(&r, &rec), CLI_CSV_END);
	cli_csv_record_clear(&rec);
}

static void test_malformed_lines_reported(void)
{
	/* Line 2: text after a closing quote; line 3: a stray quote; line 5: control character. */
	const char *text = "a,b\n\"x\"y,1\nab\"c,2\nok,3\nbad\x01,4\nlast,5\n";
	struct cli_csv_reader r;
	struct cli_csv_record rec = { 0 };

	cli_csv_reader_init(&r, text, strlen(text));
	CHECK_INT(cli_csv_next(&r, &rec), CLI_CSV_OK);
	CHECK_INT(cli_csv_next(&r, &rec), CLI_CSV_E_QUOTE);
	CHECK_INT(rec.line, 2);
	CHECK_INT(cli_csv_next(&r, &rec), CLI_CSV_E_QUOTE);
	CHECK_INT(rec.line, 3);
	CHECK_INT(cli_csv_next(&r, &rec), CLI_CSV_OK);
	CHECK_STR(rec.fields[0], "ok");
	CHECK_INT(cli_csv_next(&r, &rec), CLI_CSV_E_CONTROL);
	CHECK_INT(rec.line, 5);
	CHECK_INT(cli_csv_next(&r, &rec), CLI_CSV_OK);
	CHECK_STR(rec.fields[0], "last");
	CHECK_INT(rec.line, 6);
	CHECK_INT(cli_csv_next(&r, &rec), CLI_CSV_END);
	cli_csv_record_clear(&rec);
}

static void test_unterminated_quote(void)
{
	const char *text = "a,\"open\nstill open\n";
	struct cli_csv_reader r;
	struct cli_csv_record rec = { 0 };

	cli_csv_reader_init(&r, text, strlen(text));
	CHECK_INT(cli_csv_next(&r, &rec), CLI_CSV_E_QUOTE);
	CHECK_INT(cli_csv_next(&r, &rec), CLI_CSV_END);
	cli_csv_record_clear(&rec);
}

static void test_limits(void)
{
	char many[CLI_CSV_MAX_FIELDS * 2 + 8];
	char *longf = malloc(CLI_CSV_MAX_FIELD_LEN + 3);
	struct cli_csv_reader r;
	struct cli_csv_record rec = { 0 };
	size_t n = 0;

	REQUIRE(longf);
	for (int i = 0; i <= CLI_CSV_MAX_FIELDS; i++) {
		many[n++] = 'x';
		many[n++] = ',';
	}
	many[n - 1] = '\n';
	cli_csv_reader_init(&r, many, n);
	CHECK_INT(cli_csv_next(&r, &rec), CLI_CSV_E_TOO_MANY_FIELDS);

	memset(longf, 'y', CLI_CSV_MAX_FIELD_LEN + 1);
	longf[CLI_CSV_MAX_FIELD_LEN + 1] = '\n';
	cli_csv_reader_init(&r, longf, CLI_CSV_MAX_FIELD_LEN + 2);
	CHECK_INT(cli_csv_next(&r, &rec), CLI_CSV_E_FIELD_TOO_LONG);
	cli_csv_reader_init(&r, longf, CLI_CSV_MAX_FIELD_LEN);
	CHECK_INT(cli_csv_next(&r, &rec), CLI_CSV_OK);
	cli_csv_record_clear(&rec);
	free(longf);
}

static void test_every_prefix_parses_cleanly(void)
{
	const char *text = "iccid,eid,profile_type\r\n"
			   "\"8949449999999990023\",\"89049032123451234512345678901235\","
			   "\"a \"\"b\"\"\"\r\n8949449999999990031,,demo\r\n";
	size_t len = strlen(text);

	for (size_t i = 0; i <= len; i++) {
		int ok, bad;

		count_records(text, i, &ok, &bad);
		CHECK(ok + bad <= 3);
	}
}

static void test_writer_round_trip(void)
{
	const char *values[] = { "plain", "with,comma", "with \"quote\"", " padded", "LPA:1$h$M" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct cli_csv_reader r;
	struct cli_csv_record rec = { 0 };

	REQUIRE(f);
	cli_csv_write_record(f, values, 5);
	fclose(f);
	CHECK(strstr(buf, "\"with,comma\"") != NULL);
	CHECK(strstr(buf, "plain,") == buf);
	cli_csv_reader_init(&r, buf, len);
	REQUIRE(cli_csv_next(&r, &rec) == CLI_CSV_OK);
	REQUIRE(rec.count == 5);
	for (size_t i = 0; i < 5; i++)
		CHECK_STR(rec.fields[i], values[i]);
	cli_csv_record_clear(&rec);
	free(buf);
}

int main(void)
{
	test_program = "test_cli_csv";
	RUN(test_plain_records);
	RUN(test_quoted_fields);
	RUN(test_bom_and_no_final_newline);
	RUN(test_malformed_lines_reported);
	RUN(test_unterminated_quote);
	RUN(test_limits);
	RUN(test_every_prefix_parses_cleanly);
	RUN(test_writer_round_trip);
	return test_finish();
}
