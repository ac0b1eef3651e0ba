/*
 * Unit tests of the rspctl file helpers (cli/util.c). Inputs are read only when they are
 * regular files, so a named pipe or a device is rejected at once instead of blocking or being
 * read without end. The size limit applies before reading, and each problem is one line naming
 * the path. Batch folders are created with their missing parents.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "test/harness.h"

/* A fresh folder for one case, under TMPDIR. */
static int temp_folder(char *out, size_t size, const char *name)
{
	const char *dir = getenv("TMPDIR");

	snprintf(out, size, "%s/test_cli_files_%s_XXXXXX", dir && *dir ? dir : "/tmp", name);
	return mkdtemp(out) ? 0 : -1;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fputs(text, f) >= 0;
	ok = fclose(f) == 0 && ok;
	return ok ? 0 : -1;
}

/* The error is one line that names the path. */
static void check_one_line(const char *err, const char *path)
{
	CHECK(err[0] != '\0');
	CHECK(strchr(err, '\n') == NULL);
	CHECK(strstr(err, path) != NULL);
}

static void test_regular_file_read(void)
{
	char dir[256], path[320], err[512], *buf = NULL;
	size_t len = 0;

	REQUIRE(temp_folder(dir, sizeof(dir), "regular") == 0);
	snprintf(path, sizeof(path), "%s/in.csv", dir);
	REQUIRE(write_text(path, "iccid\n8949000000000000018\n") == 0);
	CHECK_INT(cli_load_file(path, "CSV file", 1024, &buf, &len, err, sizeof(err)), 0);
	CHECK_INT(len, 26);
	CHECK_STR(buf, "iccid\n8949000000000000018\n");
	free(buf);
	unlink(path);
	rmdir(dir);
}

static void test_named_pipe_rejected(void)
{
	char dir[256], path[320], err[512], *buf = NULL;
	size_t len = 0;

	REQUIRE(temp_folder(dir, sizeof(dir), "fifo") == 0);
	snprintf(path, sizeof(path), "%s/fifo.der", dir);
	REQUIRE(mkfifo(path, 0600) == 0);
	/* Without a writer, a blocking open would never return. */
	CHECK_INT(cli_load_file(path, "profile package", 1024, &buf, &len, err, sizeof(err)), -1);
	CHECK(buf == NULL);
	check_one_line(err, path);
	CHECK(strstr(err, "named pipe, not a regular file") != NULL);
	CHECK_INT(cli_open_regular(path, "--cert", err, sizeof(err)), -1);
	check_one_line(err, path);
	unlink(path);
	rmdir(dir);
}

static void test_device_rejected(void)
{
	char err[512], *buf = NULL;
	size_t len = 0;
	struct stat st;

	if (stat("/dev/zero", &st) < 0 || !S_ISCHR(st.st_mode))
		SKIP("/dev/zero is not a character device here");
	CHECK_INT(cli_load_file("/dev/zero", "profile package", 1024, &buf, &len, err,
				sizeof(err)), -1);
	CHECK(buf == NULL);
	check_one_line(err, "/dev/zero");
	CHECK(strstr(err, "character device, not a regular file") != NULL);
}

static void test_folder_rejected(void)
{
	char dir[256], err[512], *buf = NULL;
	size_t len = 0;

	REQUIRE(temp_folder(dir, sizeof(dir), "folder") == 0);
	CHECK_INT(cli_load_file(dir, "confirmation code file", 64, &buf, &len, err, sizeof(err)),
		  -1);
	check_one_line(err, dir);
	CHECK(strstr(err, "a folder, not a regular file") != NULL);
	rmdir(dir);
}

static void test_size_checked_before_reading(void)
{
	char dir[256], path[320], err[512], *buf = NULL;
	size_t len = 0;
	int fd;

	REQUIRE(temp_folder(dir, sizeof(dir), "size") == 0);
	snprintf(path, sizeof(path), "%s/big.der", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	REQUIRE(fd >= 0);
	/* A sparse file: rejected from its size alone, none of it is read. */
	CHECK_INT(ftruncate(fd, 2000000), 0);
	close(fd);
	CHECK_INT(cli_load_file(path, "profile package", 1048576, &buf, &len, err, sizeof(err)),
		  -1);
	CHECK(buf == NULL);
	check_one_line(err, path);
	CHECK(strstr(err, "2000000 bytes, the maximum is 1048576 bytes") != NULL);

	/* Exactly the maximum is accepted. */
	fd = open(path, O_WRONLY | O_TRUNC);
	REQUIRE(fd >= 0);
	CHECK_INT(ftruncate(fd, 4096), 0);
	close(fd);
	CHECK_INT(cli_load_file(path, "profile package", 4096, &buf, &len, err, sizeof(err)), 0);
	CHECK_INT(len, 4096);
	free(buf);
	unlink(path);
	rmdir(dir);
}

static void test_missing_file_named(void)
{
	char err[512], *buf = NULL;
	size_t len = 0;

	CHECK_INT(cli_load_file("/nonexistent/orders.csv", "CSV file", 1024, &buf, &len, err,
				sizeof(err)), -1);
	check_one_line(err, "/nonexistent/orders.csv");
	CHECK(strstr(err, "No such file or directory") != NULL);
}

static void test_folders_created_with_parents(void)
{
	char dir[256], path[320], err[512];
	struct stat st;

	REQUIRE(temp_folder(dir, sizeof(dir), "mkdir") == 0);
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	CHECK_INT(cli_make_folders(path, err, sizeof(err)), 0);
	REQUIRE(stat(path, &st) == 0);
	CHECK(S_ISDIR(st.st_mode));
	/* Existing folders are fine, and so are a trailing slash and a doubled one. */
	CHECK_INT(cli_make_folders(path, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/a//b/d/", dir);
	CHECK_INT(cli_make_folders(path, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/a/b/d", dir);
	REQUIRE(stat(path, &st) == 0);
	CHECK(S_ISDIR(st.st_mode));

	rmdir(path);
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/a/b", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/a", dir);
	rmdir(path);
	rmdir(dir);
}

static void test_file_in_folder_path_named(void)
{
	char dir[256], file[320], path[400], err[512];

	REQUIRE(temp_folder(dir, sizeof(dir), "mkdir_file") == 0);
	snprintf(file, sizeof(file), "%s/file", dir);
	REQUIRE(write_text(file, "x") == 0);
	snprintf(path, sizeof(path), "%s/x/y", file);
	CHECK_INT(cli_make_folders(path, err, sizeof(err)), -1);
	check_one_line(err, file);
	CHECK(strstr(err, "a file of that name exists") != NULL);
	CHECK_INT(cli_make_folders("", err, sizeof(err)), -1);
	unlink(file);
	rmdir(dir);
}

int main(void)
{
	test_program = "test_cli_files";
	RUN(test_regular_file_read);
	RUN(test_named_pipe_rejected);
	RUN(test_device_rejected);
	RUN(test_folder_rejected);
	RUN(test_size_checked_before_reading);
	RUN(test_missing_file_named);
	RUN(test_folders_created_with_parents);
	RUN(test_file_in_folder_path_named);
	return test_finish();
}
