/*
 * Unit tests of the rspctl batch journal (cli/journal.c): records survive a reopen, a record
 * cut short by a crash is dropped, a second process is locked out, and a journal of another
 * batch or other parameters is rejected. A named pipe in place of the journal is rejected
 * without blocking.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/journal.h"
#include "test/harness.h"

static void temp_path(char *out, size_t size, const char *name)
{
	const char *dir = getenv("TMPDIR");

	snprintf(out, size, "%s/test_cli_journal_%ld_%s", dir && *dir ? dir : "/tmp",
		 (long)getpid(), name);
	unlink(out);
}

static void append_raw(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_records_survive_reopen(void)
{
	struct cli_journal *j = NULL;
	char path[256];
	int created = 0;

	temp_path(path, sizeof(path), "reopen");
	REQUIRE(cli_journal_open(path, "B1", "count=3 type=demo", 3, &j, &created) == 0);
	CHECK_INT(created, 1);
	CHECK_INT(cli_journal_begin(j, 1, "8949449999999990023", "AAA-1"), CLI_JOURNAL_OK);
	CHECK_INT(cli_journal_ordered(j, 1, "8949449999999990023"), CLI_JOURNAL_OK);
	CHECK_INT(cli_journal_done(j, 1, "8949449999999990023", "", "AAA-1",
				   "LPA:1$smdp.example.com$AAA-1", "qr/1.png"), CLI_JOURNAL_OK);
	CHECK_INT(cli_journal_begin(j, 2, NULL, "BBB-2"), CLI_JOURNAL_OK);
	CHECK_INT(j->items[0].step, CLI_JOURNAL_DONE);
	cli_journal_close(j);
	j = NULL;

	REQUIRE(cli_journal_open(path, "B1", "count=3 type=demo", 3, &j, &created) == 0);
	CHECK_INT(created, 0);
	CHECK_INT(j->items[0].step, CLI_JOURNAL_DONE);
	CHECK_STR(j->items[0].iccid, "8949449999999990023");
	CHECK_STR(j->items[0].eid, "");
	CHECK_STR(j->items[0].matching_id, "AAA-1");
	CHECK_STR(j->items[0].activation_code, "LPA:1$smdp.example.com$AAA-1");
	CHECK_STR(j->items[0].qr_file, "qr/1.png");
	CHECK_INT(j->items[1].step, CLI_JOURNAL_BEGUN);
	CHECK_STR(j->items[1].iccid, "");
	CHECK_STR(j->items[1].matching_id, "BBB-2");
	CHECK_INT(j->items[2].step, CLI_JOURNAL_NEW);
	cli_journal_close(j);
	unlink(path);
}

static void test_failed_item_starts_afresh(void)
{
	struct cli_journal *j = NULL;
	char path[256];
	int created = 0;

	temp_path(path, sizeof(path), "failed");
	REQUIRE(cli_journal_open(path, "B8", "", 1, &j, &created) == 0);
	CHECK_INT(cli_journal_begin(j, 1, "8949449999999990023", "KEEP-1"), CLI_JOURNAL_OK);
	CHECK_INT(cli_journal_failed(j, 1), CLI_JOURNAL_OK);
	CHECK_INT(j->items[0].step, CLI_JOURNAL_NEW);
	cli_journal_close(j);
	j = NULL;
	REQUIRE(cli_journal_open(path, "B8", "", 1, &j, &created) == 0);
	CHECK_INT(j->items[0].step, CLI_JOURNAL_NEW);
	CHECK_STR(j->items[0].iccid, "");
	CHECK_STR(j->items[0].matching_id, "KEEP-1");
	cli_journal_close(j);
	unlink(path);
}

static void test_torn_last_record_dropped(void)
{
	struct cli_journal *j = NULL;
	char path[256];
	int created = 0;

	temp_path(path, sizeof(path), "torn");
	REQUIRE(cli_journal_open(path, "B2", "", 2, &j, &created) == 0);
	CHECK_INT(cli_journal_begin(j, 1, "8949449999999990023", "M-1"), CLI_JOURNAL_OK);
	cli_journal_close(j);
	j = NULL;
	append_raw(path, "ordered\t1\t89494499999");

	REQUIRE(cli_journal_open(path, "B2", "", 2, &j, &created) == 0);
	CHECK_INT(j->items[0].step, CLI_JOURNAL_BEGUN);
	/* the next record starts on a line of its own */
	CHECK_INT(cli_journal_ordered(j, 1, "8949449999999990023"), CLI_JOURNAL_OK);
	cli_journal_close(j);
	j = NULL;
	REQUIRE(cli_journal_open(path, "B2", "", 2, &j, &created) == 0);
	CHECK_INT(j->items[0].step, CLI_JOURNAL_ORDERED);
	cli_journal_close(j);
	unlink(path);
}

static void test_second_opener_locked_out(void)
{
	struct cli_journal *a = NULL, *b = NULL;
	char path[256];
	int created = 0;

	temp_path(path, sizeof(path), "lock");
	REQUIRE(cli_journal_open(path, "B3", "", 1, &a, &created) == 0);
	CHECK_INT(cli_journal_open(path, "B3", "", 1, &b, &created), CLI_JOURNAL_E_LOCKED);
	CHECK(b == NULL);
	cli_journal_close(a);
	CHECK_INT(cli_journal_open(path, "B3", "", 1, &b, &created), CLI_JOURNAL_OK);
	cli_journal_close(b);
	unlink(path);
}

static void test_other_batch_rejected(void)
{
	struct cli_journal *j = NULL;
	char path[256], id[CLI_JOURNAL_MAX_ID + 1], params[CLI_JOURNAL_MAX_PARAMS + 1];
	size_t count = 0;
	int created = 0;

	temp_path(path, sizeof(path), "mismatch");
	REQUIRE(cli_journal_open(path, "B4", "input=abc", 5, &j, &created) == 0);
	cli_journal_close(j);
	j = NULL;
	CHECK_INT(cli_journal_open(path, "B5", "input=abc", 5, &j, &created),
		  CLI_JOURNAL_E_MISMATCH);
	CHECK_INT(cli_journal_open(path, "B4", "input=abd", 5, &j, &created),
		  CLI_JOURNAL_E_MISMATCH);
	CHECK_INT(cli_journal_open(path, "B4", "input=abc", 6, &j, &created),
		  CLI_JOURNAL_E_MISMATCH);
	CHECK_INT(cli_journal_peek(path, id, &count, params), CLI_JOURNAL_OK);
	CHECK_STR(id, "B4");
	CHECK_INT(count, 5);
	CHECK_STR(params, "input=abc");
	unlink(path);
}

static void test_corrupt_record_rejected(void)
{
	struct cli_journal *j = NULL;
	char path[256];
	int created = 0;

	temp_path(path, sizeof(path), "corrupt");
	REQUIRE(cli_journal_open(path, "B6", "", 2, &j, &created) == 0);
	cli_journal_close(j);
	j = NULL;
	append_raw(path, "done\t7\tx\n");
	CHECK_INT(cli_journal_open(path, "B6", "", 2, &j, &created), CLI_JOURNAL_E_CORRUPT);
	unlink(path);
}

static void test_invalid_values_rejected(void)
{
	struct cli_journal *j = NULL;
	char path[256];
	int created = 0;

	temp_path(path, sizeof(path), "invalid");
	CHECK_INT(cli_journal_open(path, "bad\tid", "", 1, &j, &created), CLI_JOURNAL_E_INVALID);
	CHECK_INT(cli_journal_open(path, "B7", "", 0, &j, &created), CLI_JOURNAL_E_INVALID);
	REQUIRE(cli_journal_open(path, "B7", "", 1, &j, &created) == 0);
	CHECK_INT(cli_journal_begin(j, 2, "1", "M"), CLI_JOURNAL_E_INVALID);
	CHECK_INT(cli_journal_begin(j, 1, "1", "M\nX"), CLI_JOURNAL_E_INVALID);
	cli_journal_close(j);
	unlink(path);
}

static void test_named_pipe_rejected(void)
{
	struct cli_journal *j = NULL;
	char path[256], id[CLI_JOURNAL_MAX_ID + 1], params[CLI_JOURNAL_MAX_PARAMS + 1];
	size_t count = 0;
	int created = 0;

	temp_path(path, sizeof(path), "fifo");
	REQUIRE(mkfifo(path, 0600) == 0);
	/* Opening a named pipe for reading would wait for a writer: both calls must return. */
	CHECK_INT(cli_journal_peek(path, id, &count, params), CLI_JOURNAL_E_NOT_FILE);
	CHECK_INT(cli_journal_open(path, "B9", "", 1, &j, &created), CLI_JOURNAL_E_NOT_FILE);
	CHECK(j == NULL);
	CHECK(strstr(cli_journal_strerror(CLI_JOURNAL_E_NOT_FILE), "not a regular file") != NULL);
	unlink(path);
}

int main(void)
{
	test_program = "test_cli_journal";
	RUN(test_records_survive_reopen);
	RUN(test_failed_item_starts_afresh);
	RUN(test_torn_last_record_dropped);
	RUN(test_second_opener_locked_out);
	RUN(test_other_batch_rejected);
	RUN(test_corrupt_record_rejected);
	RUN(test_invalid_values_rejected);
	RUN(test_named_pipe_rejected);
	return test_finish();
}
