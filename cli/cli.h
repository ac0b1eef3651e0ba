/*
 * rspctl, the operator command line: shared declarations of the subcommand groups.
 *
 *   rspctl <group> <command> [options]      e.g. rspctl order confirm --iccid ... --release
 *
 * Every command parses its options with getopt_long, prints its result on stdout (text, or
 * one JSON document with --json) and reports a failure as ONE line on stderr that names the
 * value and what to do about it. Exit statuses are the CLI_EXIT_* values below.
 */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILURE = 1, /* the operation failed (refused order, unreachable server, ...) */
	CLI_EXIT_USAGE = 2,   /* invalid option or argument value; nothing was changed */
	CLI_EXIT_PARTIAL = 3, /* a folder import or a batch finished with some items failed */
};

/* Identifiers of the options shared by several commands, outside the range of short options. */
enum cli_option_id {
	CLI_OPT_JSON = 0x100,
	CLI_OPT_HELP,
	CLI_OPT_DB,
	CLI_OPT_SMDP,
	CLI_OPT_CERT,
	CLI_OPT_KEY,
	CLI_OPT_CAFILE,
	CLI_OPT_CONNECT_TO,
	CLI_OPT_OPERATOR,
	CLI_OPT_TIMEOUT,
	CLI_OPT_PNG,
	CLI_OPT_SVG,
	CLI_OPT_QR,
	CLI_OPT_SCALE,
	CLI_OPT_FIRST_OWN, /* commands number their own long options from here */
};

/* Entries for a command's struct option table. */
#define CLI_OPTIONS_BASE                                      \
	{ "json", no_argument, NULL, CLI_OPT_JSON },          \
	{ "help", no_argument, NULL, CLI_OPT_HELP }
#define CLI_OPTIONS_DB { "db", required_argument, NULL, CLI_OPT_DB }
#define CLI_OPTIONS_ES2                                                 \
	{ "smdp", required_argument, NULL, CLI_OPT_SMDP },              \
	{ "cert", required_argument, NULL, CLI_OPT_CERT },              \
	{ "key", required_argument, NULL, CLI_OPT_KEY },                \
	{ "cafile", required_argument, NULL, CLI_OPT_CAFILE },          \
	{ "connect-to", required_argument, NULL, CLI_OPT_CONNECT_TO },  \
	{ "operator", required_argument, NULL, CLI_OPT_OPERATOR },      \
	{ "timeout", required_argument, NULL, CLI_OPT_TIMEOUT }
#define CLI_OPTIONS_END { NULL, 0, NULL, 0 }

/* Help text lines for the shared options, to append to a command's own help. */
#define CLI_HELP_BASE                                                          \
	"  --json                 print the result as one JSON document\n"     \
	"  --help                 print this help\n"
#define CLI_HELP_DB                                                            \
	"  --db CONNINFO          libpq connection string of the SM-DP+ database\n" \
	"                         (default: $RSP_DB)\n"
#define CLI_HELP_ES2                                                                \
	"  --smdp URL             ES2+ base URL of the SM-DP+: https://HOST:PORT\n"        \
	"                         (default: $RSPCTL_SMDP)\n"                         \
	"  --cert FILE            operator client certificate, PEM (default: $RSPCTL_CERT)\n" \
	"  --key FILE             its private key, PEM (default: $RSPCTL_KEY)\n"      \
	"  --cafile FILE          CA certificates that verify the SM-DP+ TLS certificate\n" \
	"                         (default: $RSPCTL_CAFILE, else the system store)\n" \
	"  --connect-to H:P:A:Q   connect to address A port Q for host H port P (as curl)\n" \
	"  --operator ID          functionRequesterIdentifier (default: the certificate CN)\n" \
	"  --timeout SECONDS      timeout of one ES2+ request (default 30)\n"

/* Maximum confirmation code length, the same as the SM-DP+ accepts in ConfirmOrder.
 * NOTE: this length and the character set (printable ASCII without spaces) are the project's
 * choice; SGP.22's own limits for a confirmation code were not at hand. */
#define CLI_MAX_CONFIRMATION_CODE 64

/* Options shared by the commands; filled from the command line, then from the environment. */
struct cli_options {
	bool json;
	bool help;
	const char *db;          /* --db or RSP_DB */
	const char *smdp_url;    /* --smdp or RSPCTL_SMDP */
	const char *cert;        /* --cert or RSPCTL_CERT */
	const char *key;         /* --key or RSPCTL_KEY */
	const char *cafile;      /* --cafile or RSPCTL_CAFILE */
	const char *connect_to;  /* --connect-to */
	const char *operator_id; /* --operator */
	long timeout_s;          /* --timeout, 0 = default */
};

struct cli_command {
	const char *name;    /* "import" */
	const char *summary; /* one line for the group's command list */
	const char *usage;   /* full help text, printed by --help */
	int (*run)(const struct cli_command *cmd, int argc, char **argv);
};

struct cli_group {
	const char *name;    /* "profile" */
	const char *summary;
	const struct cli_command *commands; /* ends with an entry whose name is NULL */
};

extern const struct cli_group cli_profile_group;
extern const struct cli_group cli_order_group;
extern const struct cli_group cli_code_group;
extern const struct cli_group cli_batch_group;

/* ---- reporting (cli/util.c) ---- */

/* Stream of rspctl's own messages: the process's stderr. */
extern FILE *cli_stderr;

/* Captures what the libraries print on stderr (log lines, getopt messages), so that a failure
 * is reported as one line of rspctl's own; RSPCTL_LOG lets the log lines through instead. */
void cli_capture_library_output(void);
void cli_release_library_output(void);
/* The first line the libraries printed since the last call, without its log prefix; "" when
 * none. Valid until the next call. */
const char *cli_library_message(void);

/* Prints "rspctl: <message>" as one line on stderr; line breaks in the message become spaces. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "rspctl: warning: <message>" as one line on stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reports an invalid command line for the command named cmd and returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints a JSON document on stdout followed by a newline and frees it. Returns CLI_EXIT_OK,
 * or CLI_EXIT_FAILURE when json is NULL (an allocation failed). */
int cli_print_json(cJSON *json);

/* ---- options (cli/util.c) ---- */

/* Handles a shared option (a CLI_OPT_* id) for the command cmd. Returns 0, or CLI_EXIT_USAGE
 * after reporting an unknown option or an invalid value. */
int cli_common_option(struct cli_options *o, const char *cmd, int id, const char *arg);
/* Fills the unset shared options from the environment. */
void cli_options_from_env(struct cli_options *o);
/* Prints a command's help on stdout. */
void cli_print_help(const struct cli_command *cmd, const char *group);

/* Parses a decimal number in [min, max]; returns 0 or -1. */
int cli_parse_long(const char *text, long min, long max, long *out);

/* ---- checked values (cli/util.c); each reports its own error naming the value ---- */

/* Checks an ICCID (19 or 20 digits with Luhn check digit, optional F padding); on success
 * writes the digits without padding into out. */
int cli_check_iccid(const char *value, char out[21]);
/* Checks an EID (32 digits with MOD 97-10 check digits). */
int cli_check_eid(const char *value);
/* Checks an operator-chosen matchingId: upper-case letters, digits and hyphen. */
int cli_check_matching_id(const char *value);
/* The same checks, writing the problem into err instead of printing it. */
int cli_describe_iccid(const char *value, char out[21], char *err, size_t err_size);
int cli_describe_eid(const char *value, char *err, size_t err_size);
int cli_describe_matching_id(const char *value, char *err, size_t err_size);
/* Checks an SM-DP+ address (a DNS host name without port, at most RSP_MAX_FQDN characters)
 * and an SM-DP+ OID (dotted decimal, at most ACTCODE_MAX_OID characters). label names the
 * value in err, e.g. "--address" or "SM-DP+ address". */
int cli_describe_address(const char *label, const char *value, char *err, size_t err_size);
int cli_describe_oid(const char *label, const char *value, char *err, size_t err_size);
/* Explains why actcode_parse returned status for the activation code text, naming the field
 * at fault and, for a field that is too long, its maximum length. */
void cli_describe_invalid_code(const char *text, int status, char *err, size_t err_size);
/* Checks a profile type name: 1 to 64 characters, letters, digits, '-', '_', '.'. */
int cli_check_profile_type(const char *value);

/* ---- activation code output (cli/code.c) ---- */

/* Destinations of the QR code of an activation code. */
struct cli_qr_output {
	const char *png;       /* --png FILE */
	const char *svg;       /* --svg FILE */
	bool terminal;         /* --qr: print on stdout */
	long scale;            /* --scale: PNG pixels per module, 0 = default */
};

#define CLI_OPTIONS_QR                                        \
	{ "png", required_argument, NULL, CLI_OPT_PNG },      \
	{ "svg", required_argument, NULL, CLI_OPT_SVG },      \
	{ "qr", no_argument, NULL, CLI_OPT_QR },              \
	{ "scale", required_argument, NULL, CLI_OPT_SCALE }
#define CLI_HELP_QR                                                            \
	"  --png FILE             write the QR code as a PNG image\n"             \
	"  --svg FILE             write the QR code as an SVG image\n"            \
	"  --qr                   print the QR code on the terminal\n"            \
	"  --scale N              PNG pixels per module, 1 to 64 (default 8)\n"

/* Handles --png, --svg, --qr and --scale; returns 1 when id is one of them, 0 when not, or
 * CLI_EXIT_USAGE (negated) after reporting an invalid value. */
int cli_qr_option(struct cli_qr_output *q, const char *cmd, int id, const char *arg);

/* Checks the QR options against --json (the terminal code would break the JSON document). */
int cli_qr_check(const struct cli_qr_output *q, const struct cli_options *o, const char *cmd);

/* Writes the QR code of code to the destinations in q and reports a failure itself.
 * Returns 0 or -1. */
int cli_qr_emit(const char *code, const struct cli_qr_output *q);

/* Prints one inventory profile with its state (cli/profile.c); used by 'order show'. */
int cli_profile_show(const struct cli_options *o, const char *cmd, const char *iccid);

/* ---- files (cli/util.c) ---- */

/* Opens path for reading when it is a regular file, without blocking on a named pipe or a
 * device. label names the file in messages ("profile package"). Returns the descriptor, or -1
 * with the problem written into err (one line naming the path). */
int cli_open_regular(const char *path, const char *label, char *err, size_t err_size);

/* Reads a whole regular file of at most max bytes; the size is checked before anything is
 * read. The caller frees *out (NUL-terminated). Returns 0, or -1 with the problem in err. */
int cli_load_file(const char *path, const char *label, size_t max, char **out, size_t *len,
		  char *err, size_t err_size);
/* The same, reporting the problem itself as one line. */
int cli_read_file(const char *path, const char *label, size_t max, char **out, size_t *len);

/* Creates the folder path and its missing parent folders, as 'mkdir -p' does. Returns 0, or
 * -1 with the problem written into err (naming the folder that could not be created). */
int cli_make_folders(const char *path, char *err, size_t err_size);

#endif
