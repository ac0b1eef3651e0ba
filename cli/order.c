/*
 * rspctl order: download orders over ES2+ (SGP.22 ES2+ DownloadOrder, ConfirmOrder,
 * CancelOrder, ReleaseProfile), authenticated by the operator's TLS client certificate.
 *
 * ES2+ has no function that reads an order back, so 'order show' reads the profile row of the
 * SM-DP+ database (the administration path, as 'profile show').
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "cli/es2.h"
#include "common/crypto.h"

enum {
	OPT_ICCID = CLI_OPT_FIRST_OWN,
	OPT_PROFILE_TYPE,
	OPT_EID,
	OPT_MATCHING_ID,
	OPT_CC,
	OPT_CC_FILE,
	OPT_RELEASE,
	OPT_SMDS,
	OPT_OID,
	OPT_ADDRESS,
	OPT_FINAL,
};


/* Options of all order commands; each command checks which ones it accepts. */
struct order_args {
	struct cli_options o;
	struct cli_qr_output q;
	const char *iccid_arg;
	const char *profile_type;
	const char *eid;
	const char *matching_id;
	const char *cc_file;
	const char *smds;
	const char *oid;
	const char *address;
	const char *final_status;
	char cc[CLI_MAX_CONFIRMATION_CODE + 2];
	bool has_cc;
	bool release;
	char iccid[RSP_ICCID_MAX_DIGITS + 1];
};

static const struct option all_options[] = {
	{ "iccid", required_argument, NULL, OPT_ICCID },
	{ "profile-type", required_argument, NULL, OPT_PROFILE_TYPE },
	{ "eid", required_argument, NULL, OPT_EID },
	{ "matching-id", required_argument, NULL, OPT_MATCHING_ID },
	{ "confirmation-code", required_argument, NULL, OPT_CC },
	{ "confirmation-code-file", required_argument, NULL, OPT_CC_FILE },
	{ "release", no_argument, NULL, OPT_RELEASE },
	{ "smds", required_argument, NULL, OPT_SMDS },
	{ "oid", required_argument, NULL, OPT_OID },
	{ "address", required_argument, NULL, OPT_ADDRESS },
	{ "final-state", required_argument, NULL, OPT_FINAL },
	CLI_OPTIONS_QR, CLI_OPTIONS_DB, CLI_OPTIONS_ES2, CLI_OPTIONS_BASE, CLI_OPTIONS_END,
};

/* Checks a confirmation code: printable ASCII without spaces, 1 to 64 characters. */
static int check_confirmation_code(const char *cc)
{
	size_t len = strlen(cc);

	if (len == 0 || len > CLI_MAX_CONFIRMATION_CODE) {
		cli_error("invalid confirmation code of %zu characters: give 1 to %d", len,
			  CLI_MAX_CONFIRMATION_CODE);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (!isgraph((unsigned char)cc[i])) {
			/* The value itself is secret: name the position only. */
			cli_error("invalid confirmation code: character %zu is not printable ASCII "
				  "or is a space", i + 1);
			return -1;
		}
	}
	return 0;
}

/* Maximum size of a confirmation code file: the code is on its first line, and a few more
 * lines may follow. */
#define MAX_CC_FILE 4096

/* Reads the confirmation code from the first line of --confirmation-code-file. */
static int read_cc_file(struct order_args *a)
{
	char *buf = NULL;
	size_t len = 0, line;
	int rc = -1;

	if (cli_read_file(a->cc_file, "confirmation code file", MAX_CC_FILE, &buf, &len) < 0)
		return -1;
	line = strcspn(buf, "\r\n");
	if (line > CLI_MAX_CONFIRMATION_CODE) {
		cli_error("invalid confirmation code in %s: the first line has %zu characters, give "
			  "1 to %d", a->cc_file, line, CLI_MAX_CONFIRMATION_CODE);
		goto out;
	}
	memcpy(a->cc, buf, line);
	a->cc[line] = '\0';
	rc = 0;
out:
	crypto_zeroize(buf, len); /* the code is secret */
	free(buf);
	return rc;
}

/* Parses the command line; returns -1 when help was printed, 0, or an exit status. */
static int parse(const struct cli_command *cmd, const char *name, int argc, char **argv,
		 struct order_args *a)
{
	char err[1024];
	int c, rc;

	while ((c = getopt_long(argc, argv, "", all_options, NULL)) != -1) {
		switch (c) {
		case OPT_ICCID:
			a->iccid_arg = optarg;
			break;
		case OPT_PROFILE_TYPE:
			a->profile_type = optarg;
			break;
		case OPT_EID:
			a->eid = optarg;
			break;
		case OPT_MATCHING_ID:
			a->matching_id = optarg;
			break;
		case OPT_CC:
			snprintf(a->cc, sizeof(a->cc), "%s", optarg);
			a->has_cc = true;
			break;
		case OPT_CC_FILE:
			a->cc_file = optarg;
			break;
		case OPT_RELEASE:
			a->release = true;
			break;
		case OPT_SMDS:
			a->smds = optarg;
			break;
		case OPT_OID:
			a->oid = optarg;
			break;
		case OPT_ADDRESS:
			a->address = optarg;
			break;
		case OPT_FINAL:
			a->final_status = optarg;
			break;
		default:
			rc = cli_qr_option(&a->q, name, c, optarg);
			if (rc < 0)
				return -rc;
			if (rc == 0 && (rc = cli_common_option(&a->o, name, c, optarg)) != 0)
				return rc;
		}
	}
	if (a->o.help) {
		cli_print_help(cmd, "order");
		return -1;
	}
	cli_options_from_env(&a->o);
	if (optind < argc)
		return cli_usage_error(name, "unexpected argument '%s'", argv[optind]);
	if (a->iccid_arg && cli_check_iccid(a->iccid_arg, a->iccid) < 0)
		return CLI_EXIT_USAGE;
	if (a->eid && cli_check_eid(a->eid) < 0)
		return CLI_EXIT_USAGE;
	if (a->matching_id && cli_check_matching_id(a->matching_id) < 0)
		return CLI_EXIT_USAGE;
	if (a->profile_type && cli_check_profile_type(a->profile_type) < 0)
		return CLI_EXIT_USAGE;
	if (a->cc_file) {
		if (a->has_cc)
			return cli_usage_error(name, "give --confirmation-code or "
					       "--confirmation-code-file, not both");
		if (read_cc_file(a) < 0)
			return CLI_EXIT_USAGE;
		a->has_cc = true;
	}
	if (a->has_cc && check_confirmation_code(a->cc) < 0)
		return CLI_EXIT_USAGE;
	if ((a->oid && cli_describe_oid("--oid", a->oid, err, sizeof(err)) < 0) ||
	    (a->address && cli_describe_address("--address", a->address, err, sizeof(err)) < 0)) {
		cli_error("%s", err);
		return CLI_EXIT_USAGE;
	}
	return cli_qr_check(&a->q, &a->o, name);
}

/* Rejects options a command does not use, so a mistaken intent is not silently ignored. */
static int reject_unused(const char *name, bool present, const char *accepted)
{
	if (!present)
		return 0;
	return cli_usage_error(name, "an option given does not apply to this command; it "
			       "accepts %s", accepted);
}

static void clear_args(struct order_args *a)
{
	crypto_zeroize(a->cc, sizeof(a->cc));
}

/* Reports a failed ES2+ call and maps it to an exit status. */
static int es2_failed(const struct cli_es2_result *res)
{
	cli_error("%s", res->error);
	return CLI_EXIT_FAILURE;
}

static const char download_usage[] =
	"usage: rspctl order download (--iccid ICCID | --profile-type TYPE) [--eid EID]\n"
	"                             [options]\n\n"
	"ES2+ DownloadOrder: reserves a profile, by ICCID or any Available profile of a type,\n"
	"optionally for one EID. Prints the ICCID reserved.\n\n"
	"  --iccid ICCID          the profile to reserve\n"
	"  --profile-type TYPE    reserve any Available profile of this type\n"
	"  --eid EID              bind the order to this eUICC (32 digits)\n"
	CLI_HELP_ES2 CLI_HELP_BASE
	"\nexample:\n"
	"  rspctl order download --smdp https://smdp.example.com:8443 --cert op.pem \\\n"
	"    --key op.key --profile-type consumer\n";

static int cmd_download(const struct cli_command *cmd, int argc, char **argv)
{
	const char *name = "order download";
	struct order_args a = { 0 };
	struct cli_es2_result res;
	struct cli_es2 *es2 = NULL;
	char iccid[RSP_ICCID_MAX_DIGITS + 1];
	int rc = parse(cmd, name, argc, argv, &a);

	if (rc != 0)
		goto out;
	if ((rc = reject_unused(name, a.matching_id || a.has_cc || a.release || a.smds || a.oid ||
				       a.address || a.final_status || a.q.png || a.q.svg ||
				       a.q.terminal,
			 "--iccid, --profile-type and --eid")) != 0)
		goto out;
	if (!a.iccid_arg == !a.profile_type) {
		rc = cli_usage_error(name, "give either --iccid or --profile-type");
		goto out;
	}
	if ((rc = cli_es2_open(&a.o, name, &es2)) != 0)
		goto out;
	rc = cli_es2_download_order(es2, a.iccid_arg ? a.iccid : NULL, a.profile_type, a.eid,
				    iccid, &res);
	if (rc != CLI_ES2_OK) {
		rc = es2_failed(&res);
		goto out;
	}
	if (a.o.json) {
		cJSON *doc = cJSON_CreateObject();

		if (doc && (!cJSON_AddStringToObject(doc, "iccid", iccid) ||
			    (a.eid && !cJSON_AddStringToObject(doc, "eid", a.eid)))) {
			cJSON_Delete(doc);
			doc = NULL;
		}
		rc = cli_print_json(doc);
	} else {
		printf("%s\n", iccid);
		rc = CLI_EXIT_OK;
	}
out:
	cli_es2_close(es2);
	clear_args(&a);
	return rc < 0 ? CLI_EXIT_OK : rc;
}

static const char confirm_usage[] =
	"usage: rspctl order confirm --iccid ICCID [options]\n\n"
	"ES2+ ConfirmOrder: sets the matchingId (chosen, or generated by the SM-DP+) and an\n"
	"optional confirmation code, and with --release makes the profile downloadable at once.\n"
	"Prints the matchingId and the activation code.\n\n"
	"  --iccid ICCID          the reserved profile\n"
	"  --matching-id ID       matchingId to use: upper-case letters, digits and '-'\n"
	"                         (default: generated by the SM-DP+)\n"
	"  --eid EID              the eUICC the order is for\n"
	"  --confirmation-code CODE       code the end user must enter (sent to the SM-DP+ only)\n"
	"  --confirmation-code-file FILE  read the code from the first line of FILE (a regular\n"
	"                         file of at most 4096 bytes)\n"
	"  --release              release the profile for download (releaseFlag true)\n"
	"  --smds ADDRESS         SM-DS address for an event registration\n"
	"  --oid OID              put the SM-DP+ OID into the activation code\n"
	"  --address HOST         SM-DP+ address for the activation code (default: the address\n"
	"                         the SM-DP+ returns, else the host of --smdp)\n"
	CLI_HELP_QR CLI_HELP_ES2 CLI_HELP_BASE
	"\nexample:\n  rspctl order confirm --smdp https://smdp.example.com:8443 --cert op.pem \\\n"
	"    --key op.key --iccid 8949449999999990023 --release --png code.png\n";

static int cmd_confirm(const struct cli_command *cmd, int argc, char **argv)
{
	const char *name = "order confirm";
	struct order_args a = { 0 };
	struct cli_es2_confirm req = { 0 };
	struct cli_es2_confirmed conf;
	struct cli_es2_result res;
	struct cli_es2 *es2 = NULL;
	char code[ACTCODE_MAX_LEN + 1], err[1024];
	int rc = parse(cmd, name, argc, argv, &a);

	if (rc != 0)
		goto out;
	if ((rc = reject_unused(name, a.profile_type || a.final_status,
			 "--iccid, --matching-id, --eid, the confirmation code, --release, --smds, "
			 "--oid, --address and the QR options")) != 0)
		goto out;
	if (!a.iccid_arg) {
		rc = cli_usage_error(name, "--iccid is required");
		goto out;
	}
	if ((rc = cli_es2_open(&a.o, name, &es2)) != 0)
		goto out;
	req.iccid = a.iccid;
	req.eid = a.eid;
	req.matching_id = a.matching_id;
	req.confirmation_code = a.has_cc ? a.cc : NULL;
	req.smds_address = a.smds;
	req.release = a.release;
	rc = cli_es2_confirm_order(es2, &req, &conf, &res);
	if (rc != CLI_ES2_OK) {
		rc = es2_failed(&res);
		goto out;
	}
	if (cli_es2_activation_code(a.address ? a.address : conf.smdp_address, conf.matching_id,
				    a.oid, a.has_cc, code, err, sizeof(err)) < 0) {
		cli_error("the order is confirmed (matchingId %s), but no activation code can be "
			  "built: %s (--address HOST sets the SM-DP+ address of the code)",
			  conf.matching_id, err);
		rc = CLI_EXIT_FAILURE;
		goto out;
	}
	if (cli_qr_emit(code, &a.q) < 0) {
		rc = CLI_EXIT_FAILURE;
		goto out;
	}
	if (a.o.json) {
		cJSON *doc = cJSON_CreateObject();

		if (doc && (!cJSON_AddStringToObject(doc, "iccid", a.iccid) ||
			    !cJSON_AddStringToObject(doc, "eid", conf.eid) ||
			    !cJSON_AddStringToObject(doc, "matchingId", conf.matching_id) ||
			    !cJSON_AddStringToObject(doc, "smdpAddress", conf.smdp_address) ||
			    !cJSON_AddStringToObject(doc, "activationCode", code) ||
			    !cJSON_AddBoolToObject(doc, "released", a.release) ||
			    !cJSON_AddBoolToObject(doc, "ccRequired", a.has_cc) ||
			    (a.q.png && !cJSON_AddStringToObject(doc, "png", a.q.png)) ||
			    (a.q.svg && !cJSON_AddStringToObject(doc, "svg", a.q.svg)))) {
			cJSON_Delete(doc);
			doc = NULL;
		}
		rc = cli_print_json(doc);
	} else {
		printf("matchingId       %s\n", conf.matching_id);
		printf("activation code  %s\n", code);
		if (!a.release)
			printf("not released yet: run 'rspctl order release --iccid %s'\n",
			       a.iccid);
		rc = CLI_EXIT_OK;
	}
out:
	cli_es2_close(es2);
	clear_args(&a);
	return rc < 0 ? CLI_EXIT_OK : rc;
}

static const char cancel_usage[] =
	"usage: rspctl order cancel --iccid ICCID --final-state available|unavailable [options]\n\n"
	"ES2+ CancelOrder: ends the order; the profile becomes Available again or Unavailable.\n\n"
	"  --iccid ICCID          the profile of the order\n"
	"  --final-state STATE    available (reusable) or unavailable (never reused)\n"
	"  --matching-id ID       the order's matchingId (checked by the SM-DP+)\n"
	"  --eid EID              the order's EID (checked by the SM-DP+)\n"
	CLI_HELP_ES2 CLI_HELP_BASE
	"\nexample:\n  rspctl order cancel --smdp https://smdp.example.com:8443 --cert op.pem \\\n"
	"    --key op.key --iccid 8949449999999990023 --final-state available\n";

static int cmd_cancel(const struct cli_command *cmd, int argc, char **argv)
{
	const char *name = "order cancel";
	struct order_args a = { 0 };
	struct cli_es2_result res;
	struct cli_es2 *es2 = NULL;
	const char *final;
	int rc = parse(cmd, name, argc, argv, &a);

	if (rc != 0)
		goto out;
	if ((rc = reject_unused(name, a.profile_type || a.has_cc || a.release || a.smds || a.oid ||
				       a.address || a.q.png || a.q.svg || a.q.terminal,
			 "--iccid, --final-state, --matching-id and --eid")) != 0)
		goto out;
	if (!a.iccid_arg || !a.final_status) {
		rc = cli_usage_error(name, "--iccid and --final-state are required");
		goto out;
	}
	if (strcasecmp(a.final_status, "available") == 0) {
		final = "Available";
	} else if (strcasecmp(a.final_status, "unavailable") == 0) {
		final = "Unavailable";
	} else {
		rc = cli_usage_error(name, "invalid --final-state '%s': give available or "
				     "unavailable", a.final_status);
		goto out;
	}
	if ((rc = cli_es2_open(&a.o, name, &es2)) != 0)
		goto out;
	rc = cli_es2_cancel_order(es2, a.iccid, a.eid, a.matching_id, final, &res);
	if (rc != CLI_ES2_OK) {
		rc = es2_failed(&res);
		goto out;
	}
	if (a.o.json) {
		cJSON *doc = cJSON_CreateObject();

		if (doc && (!cJSON_AddStringToObject(doc, "iccid", a.iccid) ||
			    !cJSON_AddStringToObject(doc, "state", final))) {
			cJSON_Delete(doc);
			doc = NULL;
		}
		rc = cli_print_json(doc);
	} else {
		printf("order for ICCID %s cancelled; profile now %s\n", a.iccid, final);
		rc = CLI_EXIT_OK;
	}
out:
	cli_es2_close(es2);
	clear_args(&a);
	return rc < 0 ? CLI_EXIT_OK : rc;
}

static const char release_usage[] =
	"usage: rspctl order release --iccid ICCID [options]\n\n"
	"ES2+ ReleaseProfile: makes a Confirmed order downloadable.\n\n"
	"  --iccid ICCID          the profile of the order\n"
	CLI_HELP_ES2 CLI_HELP_BASE
	"\nexample:\n  rspctl order release --smdp https://smdp.example.com:8443 --cert op.pem \\\n"
	"    --key op.key --iccid 8949449999999990023\n";

static int cmd_release(const struct cli_command *cmd, int argc, char **argv)
{
	const char *name = "order release";
	struct order_args a = { 0 };
	struct cli_es2_result res;
	struct cli_es2 *es2 = NULL;
	int rc = parse(cmd, name, argc, argv, &a);

	if (rc != 0)
		goto out;
	if ((rc = reject_unused(name, a.profile_type || a.has_cc || a.release || a.smds || a.oid ||
				       a.address || a.final_status || a.matching_id || a.eid ||
				       a.q.png || a.q.svg || a.q.terminal,
			 "--iccid only")) != 0)
		goto out;
	if (!a.iccid_arg) {
		rc = cli_usage_error(name, "--iccid is required");
		goto out;
	}
	if ((rc = cli_es2_open(&a.o, name, &es2)) != 0)
		goto out;
	rc = cli_es2_release_profile(es2, a.iccid, &res);
	if (rc != CLI_ES2_OK) {
		rc = es2_failed(&res);
		goto out;
	}
	if (a.o.json) {
		cJSON *doc = cJSON_CreateObject();

		if (doc && (!cJSON_AddStringToObject(doc, "iccid", a.iccid) ||
			    !cJSON_AddStringToObject(doc, "state", "Released"))) {
			cJSON_Delete(doc);
			doc = NULL;
		}
		rc = cli_print_json(doc);
	} else {
		printf("profile %s released\n", a.iccid);
		rc = CLI_EXIT_OK;
	}
out:
	cli_es2_close(es2);
	clear_args(&a);
	return rc < 0 ? CLI_EXIT_OK : rc;
}

static const char show_usage[] =
	"usage: rspctl order show --iccid ICCID [options]\n\n"
	"Shows the state of the order of a profile (Allocated, Linked, Confirmed, Released,\n"
	"Downloaded, Installed, Error, ...) with its EID and matchingId. ES2+ has no function to\n"
	"read an order, so this reads the SM-DP+ database (the administration path).\n\n"
	"  --iccid ICCID          the profile of the order\n"
	CLI_HELP_DB CLI_HELP_BASE
	"\nexample:\n  rspctl order show --db \"$RSP_DB\" --iccid 8949449999999990023\n";

static int cmd_show(const struct cli_command *cmd, int argc, char **argv)
{
	const char *name = "order show";
	struct order_args a = { 0 };
	int rc = parse(cmd, name, argc, argv, &a);

	if (rc != 0)
		goto out;
	if (!a.iccid_arg) {
		rc = cli_usage_error(name, "--iccid is required");
		goto out;
	}
	rc = cli_profile_show(&a.o, name, a.iccid_arg);
out:
	clear_args(&a);
	return rc < 0 ? CLI_EXIT_OK : rc;
}

static const struct cli_command commands[] = {
	{ "download", "ES2+ DownloadOrder: reserve a profile", download_usage, cmd_download },
	{ "confirm", "ES2+ ConfirmOrder: matchingId, activation code, QR code", confirm_usage,
	  cmd_confirm },
	{ "cancel", "ES2+ CancelOrder", cancel_usage, cmd_cancel },
	{ "release", "ES2+ ReleaseProfile", release_usage, cmd_release },
	{ "show", "state of an order (from the database)", show_usage, cmd_show },
	{ NULL, NULL, NULL, NULL },
};

const struct cli_group cli_order_group = {
	"order", "download orders over ES2+ with an operator client certificate", commands,
};
