/*
 * rspctl profile: the SM-DP+ profile inventory (SAIP profile packages).
 *
 * Import and listing are not ES2+ functions, so these commands use the administration path:
 * the SM-DP+ database (--db or RSP_DB), through smdpplus/inventory.h, the same code the
 * SM-DP+ uses. Generation needs no database unless --import is given.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "common/crypto.h"
#include "common/ident.h"
#include "common/limits.h"
#include "saip/saip.h"
#include "smdpplus/inventory.h"

enum {
	OPT_TYPE = CLI_OPT_FIRST_OWN,
	OPT_SPN,
	OPT_NAME,
	OPT_ICCID,
	OPT_IMSI,
	OPT_KI,
	OPT_OPC,
	OPT_MNC_DIGITS,
	OPT_OUT,
	OPT_IMPORT,
	OPT_STATE,
};

/* Opens the inventory named by --db or RSP_DB; reports a failure itself. */
static int open_inventory(const struct cli_options *o, const char *cmd, struct inventory **inv)
{
	int rc;

	if (!o->db)
		return cli_usage_error(cmd, "give the SM-DP+ database with --db CONNINFO or RSP_DB "
				       "(e.g. 'host=/var/run/postgresql dbname=rsp')");
	rc = inventory_open(o->db, inv);
	if (rc != INVENTORY_OK) {
		cli_error("cannot open the SM-DP+ database '%s': %s (%s): check --db and that "
			  "PostgreSQL runs", o->db, inventory_strerror(rc), cli_library_message());
		return CLI_EXIT_FAILURE;
	}
	return 0;
}

/* ---- output of profile rows ---- */

static cJSON *profile_json(const struct inventory_profile *p)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	if (!cJSON_AddStringToObject(o, "iccid", p->iccid) ||
	    !cJSON_AddStringToObject(o, "profileType", p->profile_type) ||
	    !cJSON_AddStringToObject(o, "state", order_state_name(p->state)) ||
	    !cJSON_AddStringToObject(o, "serviceProviderName", p->service_provider_name) ||
	    !cJSON_AddStringToObject(o, "profileName", p->profile_name) ||
	    !cJSON_AddStringToObject(o, "operator", p->operator_id) ||
	    !cJSON_AddStringToObject(o, "eid", p->eid) ||
	    !cJSON_AddStringToObject(o, "matchingId", p->matching_id) ||
	    !cJSON_AddNumberToObject(o, "packageLength", (double)p->package_len) ||
	    !cJSON_AddStringToObject(o, "packageSha256", p->package_sha256) ||
	    !cJSON_AddNumberToObject(o, "createdAt", (double)p->created_at) ||
	    !cJSON_AddNumberToObject(o, "updatedAt", (double)p->updated_at)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static void format_time(time_t t, char *out, size_t size)
{
	struct tm tm;

	if (t <= 0 || !gmtime_r(&t, &tm) || strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, size, "-");
}

static void print_profile(const struct inventory_profile *p)
{
	char created[32], updated[32];

	format_time(p->created_at, created, sizeof(created));
	format_time(p->updated_at, updated, sizeof(updated));
	printf("ICCID                  %s\n", p->iccid);
	printf("state                  %s\n", order_state_name(p->state));
	printf("profile type           %s\n", p->profile_type);
	printf("service provider name  %s\n", p->service_provider_name);
	printf("profile name           %s\n", p->profile_name);
	printf("operator               %s\n", p->operator_id[0] ? p->operator_id : "(any)");
	printf("EID                    %s\n", p->eid[0] ? p->eid : "-");
	printf("matchingId             %s\n", p->matching_id[0] ? p->matching_id : "-");
	printf("package                %zu bytes, SHA-256 %s\n", p->package_len, p->package_sha256);
	printf("created                %s\n", created);
	printf("updated                %s\n", updated);
}

/* ---- import ---- */

struct import_job {
	struct inventory *inv;
	struct inventory_import_opts opts;
	char next_iccid[RSP_ICCID_MAX_DIGITS + 1]; /* --iccid: given to the next file, "" if none */
	size_t imported, failed;
	cJSON *results; /* --json: one object per file */
};

/* Advances an ICCID to the next number: the digits before the check digit plus one, with a
 * new Luhn check digit. */
static int increment_iccid(char *iccid)
{
	size_t len = strlen(iccid);
	size_t i = len - 1; /* the check digit */

	while (i-- > 0) {
		if (iccid[i] != '9') {
			iccid[i]++;
			iccid[len - 1] = ident_luhn_digit(iccid, len - 1);
			return 0;
		}
		iccid[i] = '0';
	}
	return -1;
}

static int add_result(struct import_job *job, const char *path, const struct inventory_profile *p,
		      const char *error)
{
	cJSON *o;

	if (!job->results)
		return 0;
	o = p ? profile_json(p) : cJSON_CreateObject();
	if (!o || !cJSON_AddStringToObject(o, "file", path) ||
	    (error && !cJSON_AddStringToObject(o, "error", error))) {
		cJSON_Delete(o);
		return -1;
	}
	cJSON_AddItemToArray(job->results, o);
	return 0;
}

/* Names the cause of a failed import and the fix, in one line. */
static void describe_failure(const struct import_job *job, int rc, const char *path,
			     char *out, size_t size)
{
	const char *detail = inventory_last_error(job->inv);

	switch (rc) {
	case INVENTORY_E_DUPLICATE:
		snprintf(out, size, "%s: duplicate: %s; give the package a new ICCID with --iccid, "
			 "or leave the file out", path, detail);
		break;
	case INVENTORY_E_INVALID_PACKAGE:
		snprintf(out, size, "%s: not a SAIP profile package (%s): give a DER-encoded "
			 "package with a ProfileHeader", path,
			 detail[0] ? detail : "decoding failed");
		break;
	case INVENTORY_E_INVALID_ICCID:
		snprintf(out, size, "%s: the ProfileHeader ICCID is invalid (%s): give the package "
			 "a valid ICCID with --iccid", path, detail);
		break;
	case INVENTORY_E_DB:
		snprintf(out, size, "%s: database error: %s", path, detail);
		break;
	default:
		snprintf(out, size, "%s: %s%s%s", path, inventory_strerror(rc),
			 detail[0] ? ": " : "", detail);
	}
}

/* Reads a package, gives it the ICCID job->next_iccid when one is set, and imports it. The file
 * is read here rather than by inventory_import_file, so that a named pipe or a device is
 * rejected without blocking and the size limit applies before reading. */
static int import_file(struct import_job *job, const char *path, struct inventory_profile *p,
		       char *error, size_t size)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (cli_load_file(path, "profile package", RSP_MAX_PROFILE_PACKAGE, &buf, &len, error,
			  size) < 0)
		return -1;
	if (job->next_iccid[0]) {
		rc = saip_replace_iccid((uint8_t *)buf, len, job->next_iccid);
		if (rc != SAIP_OK) {
			snprintf(error, size, "%s: cannot give the package ICCID %s: %s", path,
				 job->next_iccid, saip_strerror(rc));
			rc = -1;
			goto out;
		}
	}
	rc = inventory_import(job->inv, (const uint8_t *)buf, len, &job->opts, p);
	if (rc != INVENTORY_OK)
		describe_failure(job, rc, path, error, size);
out:
	crypto_zeroize(buf, len); /* the package contains subscriber keys */
	free(buf);
	return rc;
}

static void import_one(struct import_job *job, const char *path)
{
	struct inventory_profile p;
	char error[4352] = "";

	if (import_file(job, path, &p, error, sizeof(error)) != 0) {
		job->failed++;
		cli_error("%s", error);
		add_result(job, path, NULL, error);
		return;
	}
	job->imported++;
	if (job->next_iccid[0] && increment_iccid(job->next_iccid) < 0)
		job->next_iccid[0] = '\0';
	if (!job->results)
		printf("imported %s: ICCID %s, type %s, state %s\n", path, p.iccid, p.profile_type,
		       order_state_name(p.state));
	add_result(job, path, &p, NULL);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Imports every regular file of a folder, in name order, carrying on after a failure. */
static int import_folder(struct import_job *job, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!d) {
		cli_error("cannot open folder %s: %s", dir, strerror(errno));
		job->failed++;
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **grown = realloc(names, ncap * sizeof(*names));

			if (!grown) {
				rc = -1;
				break;
			}
			names = grown;
			cap = ncap;
		}
		if (!(names[n] = strdup(path))) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc < 0)
		cli_error("out of memory listing %s", dir);
	else if (n == 0)
		cli_warn("folder %s holds no files to import", dir);
	if (n > 1)
		qsort(names, n, sizeof(*names), compare_names);
	for (size_t i = 0; rc == 0 && i < n; i++)
		import_one(job, names[i]);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static const char import_usage[] =
	"usage: rspctl profile import [options] PATH...\n\n"
	"Imports SAIP profile packages (files, or every file of a folder) into the SM-DP+\n"
	"inventory. Each package must decode as SAIP and carry a valid ICCID that is not yet in\n"
	"the inventory. A failed file is reported and the others are still imported.\n\n"
	"  --type TYPE            ES2+ profileType to order the profiles by (default \"default\")\n"
	"  --spn NAME             service provider name sent to the device (StoreMetadata)\n"
	"  --name NAME            profile name sent to the device (default: the type)\n"
	"  --operator ID          only this operator (client certificate CN) may order them\n"
	"  --iccid ICCID          give the first package this ICCID, the next ones the ICCIDs\n"
	"                         that follow it (check digit recomputed)\n"
	CLI_HELP_DB CLI_HELP_BASE
	"\nexample:\n  rspctl profile import --db \"$RSP_DB\" --type consumer profiles/\n";

static int cmd_import(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "spn", required_argument, NULL, OPT_SPN },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "operator", required_argument, NULL, CLI_OPT_OPERATOR },
		{ "iccid", required_argument, NULL, OPT_ICCID },
		CLI_OPTIONS_DB, CLI_OPTIONS_BASE, CLI_OPTIONS_END,
	};
	const char *name = "profile import";
	struct cli_options o = { 0 };
	struct import_job job = { 0 };
	const char *iccid = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_TYPE:
			job.opts.profile_type = optarg;
			break;
		case OPT_SPN:
			job.opts.service_provider_name = optarg;
			break;
		case OPT_NAME:
			job.opts.profile_name = optarg;
			break;
		case OPT_ICCID:
			iccid = optarg;
			break;
		default:
			if ((rc = cli_common_option(&o, name, c, optarg)) != 0)
				return rc;
		}
	}
	if (o.help) {
		cli_print_help(cmd, "profile");
		return CLI_EXIT_OK;
	}
	cli_options_from_env(&o);
	job.opts.operator_id = o.operator_id;
	if (optind >= argc)
		return cli_usage_error(name, "give at least one package file or folder");
	if (job.opts.profile_type && cli_check_profile_type(job.opts.profile_type) < 0)
		return CLI_EXIT_USAGE;
	if (iccid && cli_check_iccid(iccid, job.next_iccid) < 0)
		return CLI_EXIT_USAGE;
	if ((rc = open_inventory(&o, name, &job.inv)) != 0)
		return rc;
	if (o.json && !(job.results = cJSON_CreateArray())) {
		cli_error("out of memory");
		rc = CLI_EXIT_FAILURE;
		goto out;
	}

	for (int i = optind; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (import_folder(&job, argv[i]) < 0 && job.imported == 0)
				break;
		} else {
			import_one(&job, argv[i]);
		}
	}

	if (o.json) {
		cJSON *doc = cJSON_CreateObject();

		if (doc) {
			cJSON_AddNumberToObject(doc, "imported", (double)job.imported);
			cJSON_AddNumberToObject(doc, "failed", (double)job.failed);
			cJSON_AddItemToObject(doc, "files", job.results);
			job.results = NULL;
		}
		cli_print_json(doc);
	} else if (job.imported + job.failed > 1) {
		printf("%zu imported, %zu failed\n", job.imported, job.failed);
	}
	rc = job.failed == 0 ? CLI_EXIT_OK : job.imported == 0 ? CLI_EXIT_FAILURE
							       : CLI_EXIT_PARTIAL;
out:
	cJSON_Delete(job.results);
	inventory_close(job.inv);
	return rc;
}

/* ---- generate ---- */

static int write_package(const char *path, const uint8_t *pkg, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f) {
		cli_error("cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	ok = fwrite(pkg, 1, len, f) == len;
	ok = fclose(f) == 0 && ok;
	if (!ok) {
		cli_error("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static const char generate_usage[] =
	"usage: rspctl profile generate --iccid ICCID --imsi IMSI --ki HEX --opc HEX [options]\n\n"
	"Writes a SAIP profile package of one USIM (Milenage) from parameters, and imports it\n"
	"into the inventory with --import.\n\n"
	"  --iccid ICCID          19 or 20 digits with Luhn check digit\n"
	"  --imsi IMSI            6 to 15 digits (MCC, MNC, MSIN)\n"
	"  --ki HEX               subscriber key K, 32 hex digits\n"
	"  --opc HEX              Milenage OPc, 32 hex digits\n"
	"  --type TYPE            profile type (ProfileHeader and ES2+ profileType; default demo)\n"
	"  --mnc-digits N         MNC length 2 or 3 (default 2)\n"
	"  --out FILE             package file to write (default ICCID.der)\n"
	"  --import               also import the package into the inventory (needs --db)\n"
	"  --spn NAME, --name NAME, --operator ID   as for 'rspctl profile import'\n"
	CLI_HELP_DB CLI_HELP_BASE
	"\nexample:\n"
	"  rspctl profile generate --iccid 8949449999999990023 --imsi 001010000000001 \\\n"
	"    --ki 000102030405060708090A0B0C0D0E0F --opc 0F0E0D0C0B0A09080706050403020100 \\\n"
	"    --import\n";

static int cmd_generate(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iccid", required_argument, NULL, OPT_ICCID },
		{ "imsi", required_argument, NULL, OPT_IMSI },
		{ "ki", required_argument, NULL, OPT_KI },
		{ "opc", required_argument, NULL, OPT_OPC },
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "mnc-digits", required_argument, NULL, OPT_MNC_DIGITS },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "import", no_argument, NULL, OPT_IMPORT },
		{ "spn", required_argument, NULL, OPT_SPN },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "operator", required_argument, NULL, CLI_OPT_OPERATOR },
		CLI_OPTIONS_DB, CLI_OPTIONS_BASE, CLI_OPTIONS_END,
	};
	const char *name = "profile generate";
	struct cli_options o = { 0 };
	struct saip_params params = { 0 };
	struct inventory_import_opts iopts = { 0 };
	struct inventory_profile p;
	struct inventory *inv = NULL;
	char iccid[RSP_ICCID_MAX_DIGITS + 1], out_path[64];
	const char *out = NULL;
	uint8_t *pkg = NULL;
	size_t len = 0;
	long mnc = 0;
	bool import = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ICCID:
			params.iccid = optarg;
			break;
		case OPT_IMSI:
			params.imsi = optarg;
			break;
		case OPT_KI:
			params.ki = optarg;
			break;
		case OPT_OPC:
			params.opc = optarg;
			break;
		case OPT_TYPE:
			params.profile_type = optarg;
			break;
		case OPT_MNC_DIGITS:
			if (cli_parse_long(optarg, 2, 3, &mnc) < 0)
				return cli_usage_error(name, "invalid --mnc-digits '%s': give 2 "
						       "or 3", optarg);
			params.mnc_digits = (unsigned)mnc;
			break;
		case OPT_OUT:
			out = optarg;
			break;
		case OPT_IMPORT:
			import = true;
			break;
		case OPT_SPN:
			iopts.service_provider_name = optarg;
			break;
		case OPT_NAME:
			iopts.profile_name = optarg;
			break;
		default:
			if ((rc = cli_common_option(&o, name, c, optarg)) != 0)
				return rc;
		}
	}
	if (o.help) {
		cli_print_help(cmd, "profile");
		return CLI_EXIT_OK;
	}
	cli_options_from_env(&o);
	if (optind < argc)
		return cli_usage_error(name, "unexpected argument '%s'", argv[optind]);
	if (!params.iccid || !params.imsi || !params.ki || !params.opc)
		return cli_usage_error(name, "--iccid, --imsi, --ki and --opc are required");
	if (cli_check_iccid(params.iccid, iccid) < 0)
		return CLI_EXIT_USAGE;
	if (params.profile_type && cli_check_profile_type(params.profile_type) < 0)
		return CLI_EXIT_USAGE;
	if (!out) {
		snprintf(out_path, sizeof(out_path), "%s.der", iccid);
		out = out_path;
	}

	rc = saip_generate(&params, &pkg, &len);
	if (rc != SAIP_OK) {
		cli_error("cannot generate the profile package: %s", saip_strerror(rc));
		return CLI_EXIT_USAGE;
	}
	rc = CLI_EXIT_FAILURE;
	if (write_package(out, pkg, len) < 0)
		goto out;
	if (import) {
		iopts.profile_type = params.profile_type ? params.profile_type
							 : SAIP_DEFAULT_PROFILE_TYPE;
		iopts.operator_id = o.operator_id;
		if ((rc = open_inventory(&o, name, &inv)) != 0)
			goto out;
		rc = inventory_import(inv, pkg, len, &iopts, &p);
		if (rc != INVENTORY_OK) {
			char error[1024];
			struct import_job job = { .inv = inv };

			describe_failure(&job, rc, out, error, sizeof(error));
			cli_error("%s", error);
			rc = CLI_EXIT_FAILURE;
			goto out;
		}
	}
	if (o.json) {
		cJSON *doc = import ? profile_json(&p) : cJSON_CreateObject();

		if (doc && (!cJSON_AddStringToObject(doc, "file", out) ||
			    !cJSON_AddNumberToObject(doc, "packageLength", (double)len) ||
			    (!import && !cJSON_AddStringToObject(doc, "iccid", iccid)))) {
			cJSON_Delete(doc);
			doc = NULL;
		}
		rc = cli_print_json(doc);
	} else {
		printf("wrote %s: ICCID %s, %zu bytes%s\n", out, iccid, len,
		       import ? ", imported" : "");
		rc = CLI_EXIT_OK;
	}
out:
	saip_package_free(pkg, len);
	inventory_close(inv);
	return rc;
}

/* ---- list and show ---- */

static const char list_usage[] =
	"usage: rspctl profile list [--type TYPE] [--state STATE] [options]\n\n"
	"Lists the profiles of the inventory with their state, in ICCID order.\n\n"
	"  --type TYPE            only this profile type\n"
	"  --state STATE          only this state: Available, Allocated, Linked, Confirmed,\n"
	"                         Released, Downloaded, Installed, Error, Unavailable\n"
	CLI_HELP_DB CLI_HELP_BASE
	"\nexample:\n  rspctl profile list --db \"$RSP_DB\" --state Available\n";

static int cmd_list(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "state", required_argument, NULL, OPT_STATE },
		CLI_OPTIONS_DB, CLI_OPTIONS_BASE, CLI_OPTIONS_END,
	};
	const char *name = "profile list";
	struct cli_options o = { 0 };
	struct inventory_filter filter = { 0 };
	struct inventory_profile *rows = NULL;
	struct inventory *inv = NULL;
	enum order_state state;
	size_t count = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_TYPE:
			filter.profile_type = optarg;
			break;
		case OPT_STATE:
			filter.state = optarg;
			break;
		default:
			if ((rc = cli_common_option(&o, name, c, optarg)) != 0)
				return rc;
		}
	}
	if (o.help) {
		cli_print_help(cmd, "profile");
		return CLI_EXIT_OK;
	}
	cli_options_from_env(&o);
	if (optind < argc)
		return cli_usage_error(name, "unexpected argument '%s'", argv[optind]);
	if (filter.state && order_state_from_name(filter.state, &state) < 0)
		return cli_usage_error(name, "invalid --state '%s': give Available, Allocated, "
				       "Linked, Confirmed, Released, Downloaded, Installed, Error "
				       "or Unavailable", filter.state);
	if ((rc = open_inventory(&o, name, &inv)) != 0)
		return rc;
	rc = inventory_list(inv, &filter, &rows, &count);
	if (rc != INVENTORY_OK) {
		cli_error("cannot list the profiles: %s: %s", inventory_strerror(rc),
			  inventory_last_error(inv));
		rc = CLI_EXIT_FAILURE;
		goto out;
	}
	if (o.json) {
		cJSON *arr = cJSON_CreateArray();

		for (size_t i = 0; arr && i < count; i++) {
			cJSON *row = profile_json(&rows[i]);

			if (!row) {
				cJSON_Delete(arr);
				arr = NULL;
				break;
			}
			cJSON_AddItemToArray(arr, row);
		}
		rc = cli_print_json(arr);
		goto out;
	}
	printf("%-20s %-11s %-16s %-32s %s\n", "ICCID", "STATE", "TYPE", "EID", "MATCHINGID");
	for (size_t i = 0; i < count; i++)
		printf("%-20s %-11s %-16s %-32s %s\n", rows[i].iccid,
		       order_state_name(rows[i].state), rows[i].profile_type,
		       rows[i].eid[0] ? rows[i].eid : "-",
		       rows[i].matching_id[0] ? rows[i].matching_id : "-");
	rc = CLI_EXIT_OK;
out:
	free(rows);
	inventory_close(inv);
	return rc;
}

/* Shows one profile; shared with 'rspctl order show', which reads the same row. */
int cli_profile_show(const struct cli_options *o, const char *cmd, const char *iccid_arg)
{
	struct inventory_profile p;
	struct inventory *inv = NULL;
	char iccid[RSP_ICCID_MAX_DIGITS + 1];
	int rc;

	if (cli_check_iccid(iccid_arg, iccid) < 0)
		return CLI_EXIT_USAGE;
	if ((rc = open_inventory(o, cmd, &inv)) != 0)
		return rc;
	rc = inventory_show(inv, iccid, &p);
	if (rc == INVENTORY_E_NOT_FOUND) {
		cli_error("unknown ICCID %s: no profile with this ICCID in the inventory; check it "
			  "with 'rspctl profile list' or import the profile", iccid);
		rc = CLI_EXIT_FAILURE;
	} else if (rc != INVENTORY_OK) {
		cli_error("cannot read profile %s: %s: %s", iccid, inventory_strerror(rc),
			  inventory_last_error(inv));
		rc = CLI_EXIT_FAILURE;
	} else if (o->json) {
		rc = cli_print_json(profile_json(&p));
	} else {
		print_profile(&p);
		rc = CLI_EXIT_OK;
	}
	inventory_close(inv);
	return rc;
}

static const char show_usage[] =
	"usage: rspctl profile show ICCID [options]\n\n"
	"Shows one profile of the inventory with its state and current order.\n\n"
	CLI_HELP_DB CLI_HELP_BASE
	"\nexample:\n  rspctl profile show --db \"$RSP_DB\" 8949449999999990023\n";

static int cmd_show(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = { CLI_OPTIONS_DB, CLI_OPTIONS_BASE, CLI_OPTIONS_END };
	const char *name = "profile show";
	struct cli_options o = { 0 };
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((rc = cli_common_option(&o, name, c, optarg)) != 0)
			return rc;
	}
	if (o.help) {
		cli_print_help(cmd, "profile");
		return CLI_EXIT_OK;
	}
	cli_options_from_env(&o);
	if (optind + 1 != argc)
		return cli_usage_error(name, "give exactly one ICCID");
	return cli_profile_show(&o, name, argv[optind]);
}

static const struct cli_command commands[] = {
	{ "import", "import SAIP profile packages (files or folders)", import_usage, cmd_import },
	{ "generate", "generate a USIM profile package from parameters", generate_usage,
	  cmd_generate },
	{ "list", "list the inventory with states", list_usage, cmd_list },
	{ "show", "show one profile and its order", show_usage, cmd_show },
	{ NULL, NULL, NULL, NULL },
};

const struct cli_group cli_profile_group = {
	"profile", "the SM-DP+ profile inventory (administration path: the database)", commands,
};
