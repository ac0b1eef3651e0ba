/*
 * rspctl: reporting, shared options and checks of the identifiers a user types.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/actcode.h"
#include "common/ident.h"
#include "common/limits.h"

#define CLI_MAX_PROFILE_TYPE 64

FILE *cli_stderr;

/* Output of the libraries (common/log lines, getopt messages) while it is captured. */
static FILE *captured;
static char *captured_text;
static size_t captured_len;
static size_t captured_read; /* bytes already returned by cli_library_message */

void cli_capture_library_output(void)
{
	cli_stderr = stderr;
	captured = open_memstream(&captured_text, &captured_len);
	if (!captured)
		return;
	/* The libraries write to the stream stderr names; rspctl writes to cli_stderr. glibc
	 * lets a program point stderr elsewhere, and file descriptor 2 (where the sanitizers
	 * report) stays the terminal. */
	stderr = captured;
}

void cli_release_library_output(void)
{
	if (!captured)
		return;
	stderr = cli_stderr;
	fclose(captured);
	captured = NULL;
	free(captured_text);
	captured_text = NULL;
}

const char *cli_library_message(void)
{
	static char line[1024];
	const char *start, *end, *p;

	line[0] = '\0';
	if (!captured || fflush(captured) != 0 || !captured_text || captured_len <= captured_read)
		return line;
	/* The first line since the last call: the first error usually names the cause. */
	start = captured_text + captured_read;
	end = memchr(start, '\n', captured_len - captured_read);
	if (!end)
		end = captured_text + captured_len;
	captured_read = captured_len;
	/* A common/log line starts "<UTC time> <LEVEL> <subsystem> ": keep the text after it. */
	p = start;
	if (end - start > 25 && start[4] == '-' && start[10] == 'T') {
		for (int spaces = 0; p < end && spaces < 3; p++)
			spaces += *p == ' ';
	}
	snprintf(line, sizeof(line), "%.*s", (int)(end - p), p);
	return line;
}

static void vreport(const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	char line[2048];

	vsnprintf(line, sizeof(line), fmt, ap);
	/* Server messages may contain line breaks; the contract is one line per error. */
	for (char *p = line; *p; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	}
	fprintf(cli_stderr ? cli_stderr : stderr, "rspctl: %s%s\n", prefix, line);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_error("%s: %s (see 'rspctl %s --help')", cmd, msg, cmd);
	return CLI_EXIT_USAGE;
}

int cli_print_json(cJSON *json)
{
	char *text;

	if (!json) {
		cli_error("out of memory while building the JSON output");
		return CLI_EXIT_FAILURE;
	}
	text = cJSON_Print(json);
	cJSON_Delete(json);
	if (!text) {
		cli_error("out of memory while printing the JSON output");
		return CLI_EXIT_FAILURE;
	}
	printf("%s\n", text);
	free(text);
	return CLI_EXIT_OK;
}

int cli_parse_long(const char *text, long min, long max, long *out)
{
	char *end;
	long v;

	if (!text || !*text || isspace((unsigned char)*text))
		return -1;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int cli_common_option(struct cli_options *o, const char *cmd, int id, const char *arg)
{
	switch (id) {
	case CLI_OPT_JSON:
		o->json = true;
		return 0;
	case CLI_OPT_HELP:
		o->help = true;
		return 0;
	case CLI_OPT_DB:
		o->db = arg;
		return 0;
	case CLI_OPT_SMDP:
		o->smdp_url = arg;
		return 0;
	case CLI_OPT_CERT:
		o->cert = arg;
		return 0;
	case CLI_OPT_KEY:
		o->key = arg;
		return 0;
	case CLI_OPT_CAFILE:
		o->cafile = arg;
		return 0;
	case CLI_OPT_CONNECT_TO:
		o->connect_to = arg;
		return 0;
	case CLI_OPT_OPERATOR:
		o->operator_id = arg;
		return 0;
	case CLI_OPT_TIMEOUT:
		if (cli_parse_long(arg, 1, 3600, &o->timeout_s) < 0)
			return cli_usage_error(cmd, "invalid --timeout '%s': give whole seconds "
					       "from 1 to 3600", arg);
		return 0;
	default: {
		/* getopt_long wrote which option it rejected to the captured library output. */
		const char *msg = cli_library_message();
		const char *colon = strstr(msg, ": ");

		return cli_usage_error(cmd, "%s", colon ? colon + 2 : "invalid option");
	}
	}
}

static const char *env_or(const char *value, const char *name)
{
	const char *env;

	if (value)
		return value;
	env = getenv(name);
	return env && *env ? env : NULL;
}

void cli_options_from_env(struct cli_options *o)
{
	o->db = env_or(o->db, "RSP_DB");
	o->smdp_url = env_or(o->smdp_url, "RSPCTL_SMDP");
	o->cert = env_or(o->cert, "RSPCTL_CERT");
	o->key = env_or(o->key, "RSPCTL_KEY");
	o->cafile = env_or(o->cafile, "RSPCTL_CAFILE");
}

void cli_print_help(const struct cli_command *cmd, const char *group)
{
	(void)group;
	fputs(cmd->usage, stdout);
}

int cli_describe_iccid(const char *value, char out[21], char *err, size_t err_size)
{
	size_t len = strlen(value);
	size_t digits = len;
	int rc;

	rc = ident_iccid_validate(value, len);
	if (rc == IDENT_OK && ident_iccid_normalize(value, len, out) == IDENT_OK)
		return 0;

	if (len == 20 && (value[19] == 'F' || value[19] == 'f'))
		digits = 19;
	if (rc == IDENT_E_CHECK_DIGIT) {
		char expected = ident_luhn_digit(value, digits - 1);

		snprintf(err, err_size, "invalid ICCID %s: the Luhn check digit (last digit) "
			 "should be %c, not %c; check the ICCID for a typing error", value,
			 expected, value[digits - 1]);
	} else {
		snprintf(err, err_size, "invalid ICCID '%s': an ICCID is 19 or 20 decimal digits "
			 "ending in the Luhn check digit, optionally padded with F to 20 "
			 "characters", value);
	}
	return -1;
}

int cli_describe_eid(const char *value, char *err, size_t err_size)
{
	size_t len = strlen(value);
	int rc = ident_eid_validate(value, len);
	char expected[RSP_EID_DIGITS + 1];

	if (rc == IDENT_OK)
		return 0;
	if (rc == IDENT_E_CHECK_DIGIT && ident_eid_complete(value, len, expected) == IDENT_OK) {
		snprintf(err, err_size, "invalid EID %s: the check digits (last two) should be %s; "
			 "check the EID for a typing error", value, expected + 30);
	} else {
		snprintf(err, err_size, "invalid EID '%s': an EID is 32 decimal digits ending in "
			 "two MOD 97-10 check digits", value);
	}
	return -1;
}

int cli_describe_matching_id(const char *value, char *err, size_t err_size)
{
	size_t len = strlen(value);

	if (actcode_validate_matching_id(value, len) == ACTCODE_OK)
		return 0;
	if (len == 0 || len > RSP_MAX_MATCHING_ID) {
		snprintf(err, err_size, "invalid matchingId of %zu characters: give 1 to %d "
			 "characters", len, RSP_MAX_MATCHING_ID);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];

		if (!(isupper(c) || isdigit(c) || c == '-')) {
			snprintf(err, err_size, "invalid matchingId '%s': character %zu ('%c') is "
				 "not allowed; SGP.22 allows only upper-case letters A-Z, digits "
				 "and '-'", value, i + 1, isprint(c) ? c : '?');
			return -1;
		}
	}
	snprintf(err, err_size, "invalid matchingId '%s': use upper-case letters A-Z, digits and "
		 "'-'", value);
	return -1;
}

int cli_describe_address(const char *label, const char *value, char *err, size_t err_size)
{
	size_t len = strlen(value);
	int rc = actcode_validate_address(value, len);

	if (rc == ACTCODE_OK)
		return 0;
	if (rc == ACTCODE_E_TOO_LARGE)
		snprintf(err, err_size, "invalid %s of %zu characters: an SM-DP+ address has at "
			 "most %d characters", label, len, RSP_MAX_FQDN);
	else
		snprintf(err, err_size, "invalid %s '%s': give a DNS host name without port", label,
			 value);
	return -1;
}

int cli_describe_oid(const char *label, const char *value, char *err, size_t err_size)
{
	size_t len = strlen(value);
	int rc = actcode_validate_oid(value, len);

	if (rc == ACTCODE_OK)
		return 0;
	if (rc == ACTCODE_E_TOO_LARGE)
		snprintf(err, err_size, "invalid %s of %zu characters: an SM-DP+ OID has at most %d "
			 "characters", label, len, ACTCODE_MAX_OID);
	else
		snprintf(err, err_size, "invalid %s '%s': give a dotted decimal OID such as "
			 "1.3.6.1.4.1.99999", label, value);
	return -1;
}

int cli_check_iccid(const char *value, char out[21])
{
	char err[512];

	if (cli_describe_iccid(value, out, err, sizeof(err)) == 0)
		return 0;
	cli_error("%s", err);
	return -1;
}

int cli_check_eid(const char *value)
{
	char err[512];

	if (cli_describe_eid(value, err, sizeof(err)) == 0)
		return 0;
	cli_error("%s", err);
	return -1;
}

int cli_check_matching_id(const char *value)
{
	char err[512];

	if (cli_describe_matching_id(value, err, sizeof(err)) == 0)
		return 0;
	cli_error("%s", err);
	return -1;
}

int cli_check_profile_type(const char *value)
{
	size_t len = strlen(value);

	if (len == 0 || len > CLI_MAX_PROFILE_TYPE) {
		cli_error("invalid profile type '%s': give 1 to %d characters", value,
			  CLI_MAX_PROFILE_TYPE);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];

		if (!(isalnum(c) || c == '-' || c == '_' || c == '.')) {
			cli_error("invalid profile type '%s': use letters, digits, '-', '_' "
				  "and '.'", value);
			return -1;
		}
	}
	return 0;
}

/* Names the kind of a file that is not a regular file, for error messages. */
static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a folder";
	if (S_ISFIFO(mode))
		return "a named pipe";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "a special file";
}

int cli_open_regular(const char *path, const char *label, char *err, size_t err_size)
{
	struct stat st;
	int fd;

	/* Without O_NONBLOCK, opening a named pipe for reading waits until a writer opens it. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, err_size, "cannot open %s %s: %s", label, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, err_size, "cannot read %s %s: %s", label, path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, err_size, "cannot read %s %s: it is %s, not a regular file; give "
			 "the path of a regular file", label, path, file_kind(st.st_mode));
		goto fail;
	}
	/* The flag is needed for the open only, so the caller gets a plain blocking descriptor. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		snprintf(err, err_size, "cannot read %s %s: %s", label, path, strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

int cli_load_file(const char *path, const char *label, size_t max, char **out, size_t *len,
		  char *err, size_t err_size)
{
	char *buf = NULL;
	struct stat st;
	size_t size, got = 0;
	int fd, rc = -1;

	*out = NULL;
	*len = 0;
	fd = cli_open_regular(path, label, err, err_size);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		snprintf(err, err_size, "cannot read %s %s: %s", label, path, strerror(errno));
		goto out;
	}
	/* The limit applies before any byte is read or any memory is taken for it. */
	if ((unsigned long long)st.st_size > max) {
		snprintf(err, err_size, "%s %s is too large: %lld bytes, the maximum is %zu bytes",
			 label, path, (long long)st.st_size, max);
		goto out;
	}
	size = (size_t)st.st_size;
	buf = malloc(size + 1);
	if (!buf) {
		snprintf(err, err_size, "out of memory reading %s %s", label, path);
		goto out;
	}
	/* A file that shrinks meanwhile gives fewer bytes; one that grows is read up to size. */
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, err_size, "cannot read %s %s: %s", label, path,
				 strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

int cli_read_file(const char *path, const char *label, size_t max, char **out, size_t *len)
{
	char err[4352];

	if (cli_load_file(path, label, max, out, len, err, sizeof(err)) == 0)
		return 0;
	cli_error("%s", err);
	return -1;
}

int cli_make_folders(const char *path, char *err, size_t err_size)
{
	char folder[4096];
	size_t len = strlen(path);
	struct stat st;

	if (len == 0 || len >= sizeof(folder)) {
		snprintf(err, err_size, "cannot create folder '%.64s': give a path of 1 to %zu "
			 "characters", path, sizeof(folder) - 1);
		return -1;
	}
	memcpy(folder, path, len + 1);
	/* Each prefix that ends before a '/' (and the whole path) is one folder to create. */
	for (size_t i = 1; i <= len; i++) {
		if (folder[i] != '/' && folder[i] != '\0')
			continue;
		folder[i] = '\0';
		if (mkdir(folder, 0755) < 0) {
			if (errno != EEXIST) {
				snprintf(err, err_size, "cannot create folder %s: %s", folder,
					 strerror(errno));
				return -1;
			}
			if (stat(folder, &st) < 0 || !S_ISDIR(st.st_mode)) {
				snprintf(err, err_size, "cannot create folder %s: a file of that "
					 "name exists", folder);
				return -1;
			}
		}
		folder[i] = path[i];
	}
	return 0;
}
