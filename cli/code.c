/*
 * rspctl code: SGP.22 activation codes ("Activation Code" section of SGP.22) and their QR
 * codes.
 *
 *   rspctl code make --address HOST --matching-id ID [--oid OID] [--cc-required]
 *   rspctl code decode CODE
 *   rspctl code qr CODE --png FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/qr.h"
#include "common/actcode.h"

enum {
	OPT_ADDRESS = CLI_OPT_FIRST_OWN,
	OPT_MATCHING_ID,
	OPT_OID,
	OPT_CC_REQUIRED,
	OPT_NO_PREFIX,
};

int cli_qr_option(struct cli_qr_output *q, const char *cmd, int id, const char *arg)
{
	switch (id) {
	case CLI_OPT_PNG:
		q->png = arg;
		return 1;
	case CLI_OPT_SVG:
		q->svg = arg;
		return 1;
	case CLI_OPT_QR:
		q->terminal = true;
		return 1;
	case CLI_OPT_SCALE:
		if (cli_parse_long(arg, 1, CLI_QR_PNG_MAX_SCALE, &q->scale) < 0)
			return -cli_usage_error(cmd, "invalid --scale '%s': give pixels per module "
						"from 1 to %d", arg, CLI_QR_PNG_MAX_SCALE);
		return 1;
	default:
		return 0;
	}
}

int cli_qr_check(const struct cli_qr_output *q, const struct cli_options *o, const char *cmd)
{
	if (q->terminal && o->json)
		return cli_usage_error(cmd, "--qr prints on the terminal and cannot be combined "
				       "with --json; write a file with --png or --svg instead");
	return 0;
}

int cli_qr_emit(const char *code, const struct cli_qr_output *q)
{
	struct cli_qr *qr = NULL;
	int rc;

	if (!q->png && !q->svg && !q->terminal)
		return 0;
	rc = cli_qr_encode(code, &qr);
	if (rc < 0) {
		cli_error("cannot make a QR code of '%s': %s", code, cli_qr_strerror(rc));
		return -1;
	}
	if (q->png) {
		rc = cli_qr_write_png(qr, q->png, q->scale ? (unsigned int)q->scale
							  : CLI_QR_PNG_SCALE);
		if (rc < 0) {
			cli_error("cannot write %s: %s", q->png, cli_qr_strerror(rc));
			goto out;
		}
	}
	if (q->svg) {
		rc = cli_qr_write_svg(qr, q->svg);
		if (rc < 0) {
			cli_error("cannot write %s: %s", q->svg, cli_qr_strerror(rc));
			goto out;
		}
	}
	if (q->terminal)
		rc = cli_qr_print(qr, stdout, isatty(STDOUT_FILENO) == 1);
out:
	cli_qr_free(qr);
	return rc < 0 ? -1 : 0;
}

/* The characters actcode_parse accepts in the AC token of a code it reads. */
#define TOKEN_CHARACTERS \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-"

void cli_describe_invalid_code(const char *text, int status, char *err, size_t err_size)
{
	const char *p = text;
	const char *fields[6];
	size_t lens[6], n = 0;

	if (status == ACTCODE_E_TOO_LARGE) {
		size_t field_len, max;
		const char *field = actcode_find_long_field(text, strlen(text), &field_len, &max);

		if (field)
			snprintf(err, err_size, "invalid activation code: its %s has %zu characters, "
				 "the maximum is %zu", field, field_len, max);
		else
			snprintf(err, err_size, "invalid activation code of %zu characters: the "
				 "longest valid code has %d", strlen(text), ACTCODE_MAX_LEN);
		return;
	}
	if (strncasecmp(p, "LPA:", 4) == 0)
		p += 4;
	while (n < 6) {
		const char *d = strchr(p, '$');

		fields[n] = p;
		lens[n] = d ? (size_t)(d - p) : strlen(p);
		n++;
		if (!d)
			break;
		p = d + 1;
	}
	if (status == ACTCODE_E_VERSION) {
		snprintf(err, err_size, "unsupported activation code format '%.*s' in '%s': SGP.22 "
			 "defines only format 1 ('LPA:1$<SM-DP+ address>$<matchingId>')",
			 (int)lens[0], fields[0], text);
	} else if (n < 3) {
		snprintf(err, err_size, "invalid activation code '%s': expected at least "
			 "'1$<SM-DP+ address>$<matchingId>' (fields separated by '$')", text);
	} else if (n > 5) {
		snprintf(err, err_size, "invalid activation code '%s': more than 5 '$'-separated "
			 "fields; SGP.22 defines format, address, matchingId, SM-DP+ OID and the "
			 "confirmation-code flag", text);
	} else if (actcode_validate_address(fields[1], lens[1]) != ACTCODE_OK) {
		snprintf(err, err_size, "invalid SM-DP+ address '%.*s' in activation code '%s': give "
			 "a DNS host name without port", (int)lens[1], fields[1], text);
	} else if (strspn(fields[2], TOKEN_CHARACTERS) < lens[2]) {
		snprintf(err, err_size, "invalid matchingId '%.*s' in activation code '%s': use only "
			 "letters, digits and '-'", (int)lens[2], fields[2], text);
	} else if (n > 3 && lens[3] > 0 && actcode_validate_oid(fields[3], lens[3]) != ACTCODE_OK) {
		snprintf(err, err_size, "invalid SM-DP+ OID '%.*s' in activation code '%s': give a "
			 "dotted decimal OID such as 1.3.6.1.4.1.99999", (int)lens[3], fields[3],
			 text);
	} else if (n > 4) {
		snprintf(err, err_size, "invalid confirmation code flag '%.*s' in activation code "
			 "'%s': the field is '1' or empty", (int)lens[4], fields[4], text);
	} else {
		snprintf(err, err_size, "invalid activation code '%s'", text);
	}
}

/* Prints a parsed code in text or JSON. */
static int print_code(const struct actcode *ac, const char *code, bool json)
{
	cJSON *o;

	if (!json) {
		printf("activation code   %s\n", code);
		printf("format            1\n");
		printf("SM-DP+ address    %s\n", ac->smdp_address);
		printf("matchingId        %s\n", ac->matching_id);
		printf("SM-DP+ OID        %s\n", ac->smdp_oid);
		printf("confirmation code %s\n", ac->cc_required ? "required" : "not required");
		return CLI_EXIT_OK;
	}
	o = cJSON_CreateObject();
	if (o && (!cJSON_AddStringToObject(o, "activationCode", code) ||
		  !cJSON_AddStringToObject(o, "format", "1") ||
		  !cJSON_AddStringToObject(o, "smdpAddress", ac->smdp_address) ||
		  !cJSON_AddStringToObject(o, "matchingId", ac->matching_id) ||
		  !cJSON_AddStringToObject(o, "smdpOid", ac->smdp_oid) ||
		  !cJSON_AddBoolToObject(o, "ccRequired", ac->cc_required) ||
		  !cJSON_AddNumberToObject(o, "fields", ac->fields))) {
		cJSON_Delete(o);
		o = NULL;
	}
	return cli_print_json(o);
}

static const char make_usage[] =
	"usage: rspctl code make --address HOST --matching-id ID [options]\n\n"
	"Builds an SGP.22 activation code LPA:1$HOST$ID[$OID[$1]] and its QR code.\n\n"
	"  --address HOST         SM-DP+ address (DNS host name)\n"
	"  --matching-id ID       matchingId: upper-case letters, digits and '-'\n"
	"  --oid OID              SM-DP+ OID field (dotted decimal)\n"
	"  --cc-required          set the confirmation code required flag\n"
	"  --no-prefix            leave out the LPA: prefix\n"
	CLI_HELP_QR CLI_HELP_BASE
	"\nexample:\n"
	"  rspctl code make --address smdp.example.com --matching-id ABC-123 --png code.png\n";

static int cmd_make(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "address", required_argument, NULL, OPT_ADDRESS },
		{ "matching-id", required_argument, NULL, OPT_MATCHING_ID },
		{ "oid", required_argument, NULL, OPT_OID },
		{ "cc-required", no_argument, NULL, OPT_CC_REQUIRED },
		{ "no-prefix", no_argument, NULL, OPT_NO_PREFIX },
		CLI_OPTIONS_QR, CLI_OPTIONS_BASE, CLI_OPTIONS_END,
	};
	const char *name = "code make";
	const char *address = NULL, *matching_id = NULL, *oid = NULL;
	struct cli_options o = { 0 };
	struct cli_qr_output q = { 0 };
	struct actcode ac = { 0 };
	bool prefix = true;
	char code[ACTCODE_MAX_LEN + 1], err[1024];
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ADDRESS:
			address = optarg;
			break;
		case OPT_MATCHING_ID:
			matching_id = optarg;
			break;
		case OPT_OID:
			oid = optarg;
			break;
		case OPT_CC_REQUIRED:
			ac.cc_required = true;
			break;
		case OPT_NO_PREFIX:
			prefix = false;
			break;
		default:
			rc = cli_qr_option(&q, name, c, optarg);
			if (rc < 0)
				return -rc;
			if (rc == 0 && (rc = cli_common_option(&o, name, c, optarg)) != 0)
				return rc;
		}
	}
	if (o.help) {
		cli_print_help(cmd, "code");
		return CLI_EXIT_OK;
	}
	if (optind < argc)
		return cli_usage_error(name, "unexpected argument '%s'", argv[optind]);
	if (!address || !matching_id)
		return cli_usage_error(name, "--address and --matching-id are required");
	if ((rc = cli_qr_check(&q, &o, name)) != 0)
		return rc;
	if (cli_describe_address("SM-DP+ address", address, err, sizeof(err)) < 0 ||
	    (oid && cli_describe_oid("SM-DP+ OID", oid, err, sizeof(err)) < 0)) {
		cli_error("%s", err);
		return CLI_EXIT_USAGE;
	}
	if (cli_check_matching_id(matching_id) < 0)
		return CLI_EXIT_USAGE;
	snprintf(ac.smdp_address, sizeof(ac.smdp_address), "%s", address);
	snprintf(ac.matching_id, sizeof(ac.matching_id), "%s", matching_id);
	snprintf(ac.smdp_oid, sizeof(ac.smdp_oid), "%s", oid ? oid : "");
	/* The flag field needs the OID field before it, empty or not. */
	ac.fields = 2;
	if (oid)
		ac.fields = 3;
	if (ac.cc_required)
		ac.fields = 4;
	if (actcode_format(&ac, prefix, code, sizeof(code)) != ACTCODE_OK) {
		cli_error("cannot build an activation code from these values: the code exceeds %d "
			  "characters", ACTCODE_MAX_LEN);
		return CLI_EXIT_USAGE;
	}
	if (cli_qr_emit(code, &q) < 0)
		return CLI_EXIT_FAILURE;
	if (o.json)
		return print_code(&ac, code, true);
	printf("%s\n", code);
	return CLI_EXIT_OK;
}

/* Parses the single CODE argument of decode and qr. */
static int parse_code_argument(const char *name, int argc, char **argv, struct actcode *ac)
{
	int rc;

	if (optind >= argc)
		return cli_usage_error(name, "give the activation code as argument");
	if (optind + 1 < argc)
		return cli_usage_error(name, "unexpected argument '%s' (quote the code: it "
				       "contains '$')", argv[optind + 1]);
	rc = actcode_parse(argv[optind], strlen(argv[optind]), ac);
	if (rc != ACTCODE_OK) {
		char err[2048];

		cli_describe_invalid_code(argv[optind], rc, err, sizeof(err));
		cli_error("%s", err);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

static const char decode_usage[] =
	"usage: rspctl code decode [--json] CODE\n\n"
	"Parses an SGP.22 activation code: the LPA: prefix in any case or absent, empty\n"
	"optional fields kept. Rejects format versions other than 1 and characters that SGP.22\n"
	"does not allow.\n\n"
	CLI_HELP_BASE
	"\nexample:\n  rspctl code decode 'LPA:1$smdp.example.com$ABC-123$$1'\n";

static int cmd_decode(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = { CLI_OPTIONS_BASE, CLI_OPTIONS_END };
	const char *name = "code decode";
	struct cli_options o = { 0 };
	struct actcode ac;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((rc = cli_common_option(&o, name, c, optarg)) != 0)
			return rc;
	}
	if (o.help) {
		cli_print_help(cmd, "code");
		return CLI_EXIT_OK;
	}
	if ((rc = parse_code_argument(name, argc, argv, &ac)) != 0)
		return rc;
	return print_code(&ac, argv[optind], o.json);
}

static const char qr_usage[] =
	"usage: rspctl code qr CODE (--png FILE | --svg FILE | --qr) [options]\n\n"
	"Checks an activation code and writes its QR code exactly as given.\n\n"
	CLI_HELP_QR CLI_HELP_BASE
	"\nexample:\n  rspctl code qr 'LPA:1$smdp.example.com$ABC-123' --png code.png --qr\n";

static int cmd_qr(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = { CLI_OPTIONS_QR, CLI_OPTIONS_BASE, CLI_OPTIONS_END };
	const char *name = "code qr";
	struct cli_options o = { 0 };
	struct cli_qr_output q = { 0 };
	struct actcode ac;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		rc = cli_qr_option(&q, name, c, optarg);
		if (rc < 0)
			return -rc;
		if (rc == 0 && (rc = cli_common_option(&o, name, c, optarg)) != 0)
			return rc;
	}
	if (o.help) {
		cli_print_help(cmd, "code");
		return CLI_EXIT_OK;
	}
	if ((rc = parse_code_argument(name, argc, argv, &ac)) != 0)
		return rc;
	if (!q.png && !q.svg && !q.terminal)
		return cli_usage_error(name, "give --png FILE, --svg FILE or --qr");
	if ((rc = cli_qr_check(&q, &o, name)) != 0)
		return rc;
	if (cli_qr_emit(argv[optind], &q) < 0)
		return CLI_EXIT_FAILURE;
	if (o.json)
		return print_code(&ac, argv[optind], true);
	return CLI_EXIT_OK;
}

static const struct cli_command commands[] = {
	{ "make", "build an activation code and its QR code", make_usage, cmd_make },
	{ "decode", "parse and check an activation code", decode_usage, cmd_decode },
	{ "qr", "write the QR code of an activation code (PNG, SVG, terminal)", qr_usage, cmd_qr },
	{ NULL, NULL, NULL, NULL },
};

const struct cli_group cli_code_group = {
	"code", "SGP.22 activation codes and QR codes", commands,
};
