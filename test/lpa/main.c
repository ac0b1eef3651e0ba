/*
 * rsp-test-lpa: downloads one profile from an SM-DP+ over ES9+ with the test eUICC, and
 * reports the outcome as one line (or a JSON object) and an exit code. See docs/test-lpa.md.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/actcode.h"
#include "common/crypto.h"
#include "common/ident.h"
#include "test/euicc/lpa.h"

/* Exit codes, one per outcome (docs/test-lpa.md lists them). */
enum exit_code {
	EXIT_INSTALLED = 0,
	EXIT_USAGE = 1,
	EXIT_SETUP = 2,
	EXIT_TRANSPORT = 3,
	EXIT_SERVER_FAILED = 4,
	EXIT_BAD_RESPONSE = 5,
	EXIT_REJECTED = 6,
	EXIT_INSTALL_FAILED = 7,
	EXIT_PROFILE_MISMATCH = 8,
	EXIT_STOPPED = 9,
};

#define MAX_CA_FILES 8
#define MAX_CA_PEM   (64 * 1024)

static const char usage[] =
	"usage: rsp-test-lpa [OPTIONS] ACTIVATION_CODE\n"
	"       rsp-test-lpa [OPTIONS] --default-smdp ADDRESS\n"
	"\n"
	"Downloads and installs one profile with a test eUICC over SGP.22 ES9+.\n"
	"ACTIVATION_CODE is [LPA:]1$SM-DP+ address$matchingId[$SM-DP+ OID[$1]].\n"
	"\n"
	"eUICC:\n"
	"  --euicc-cert FILE     eUICC certificate (DER or PEM); repeat for more curves,\n"
	"                        each with its own --euicc-key and --eum-cert, in order\n"
	"  --euicc-key FILE      private key of the eUICC certificate (PEM)\n"
	"  --eum-cert FILE       EUM certificate that issued the eUICC certificate\n"
	"  --ci-cert FILE        trusted CI certificate (repeatable); its key identifier goes\n"
	"                        into both CI PKID lists\n"
	"  --svn X.Y.Z           SGP.22 version the eUICC announces (default 2.2.2)\n"
	"Transport:\n"
	"  --cafile FILE         TLS trust anchor, PEM or DER (repeatable; default: system store)\n"
	"  --connect-to HOST:PORT:ADDR:PORT\n"
	"                        connect to ADDR:PORT for HOST:PORT, like curl (repeatable)\n"
	"  --step-connect-to STEP=HOST:PORT:ADDR:PORT\n"
	"                        the same for one ES9+ function only (repeatable)\n"
	"  --tls-max 1.2         offer TLS 1.2 at most (needed for brainpoolP256r1 TLS keys)\n"
	"  --timeout SECONDS     limit of each HTTPS request (default 30)\n"
	"Download:\n"
	"  --default-smdp ADDRESS  use ADDRESS without an activation code; no matchingId is sent\n"
	"  --cc CODE             confirmation code; repeat to retry after a refusal\n"
	"  --expect-profile FILE the profile package must equal this file byte for byte\n"
	"  --stop-after STEP     stop after the ES9+ function STEP, leaving the session open\n"
	"  --cancel REASON       cancel the session (after authenticateClient unless\n"
	"                        --cancel-after says otherwise); REASON is a CancelSessionReason\n"
	"                        name such as endUserRejection, or its number\n"
	"  --cancel-after STEP   the ES9+ function after which --cancel applies\n"
	"Faults, for negative tests:\n"
	"  --smdp-address ADDRESS   send this smdpAddress in initiateAuthentication\n"
	"  --ci-pkid-list none|HEX[,HEX..]  CI PKIDs announced instead of the trusted CIs'\n"
	"  --tamper              invalid euiccSignature1 (--tamper-signature2: euiccSignature2)\n"
	"  --bad-tid STEP        send a random transactionId in STEP\n"
	"  --truncate FIELD      cut the base64 request field FIELD to half its length\n"
	"  --garble FIELD        put a character outside the base64 alphabet into FIELD\n"
	"  --not-json STEP       send a body that is not JSON in STEP\n"
	"  --no-hashcc           omit hashCc although a confirmation code is required\n"
	"  --force-chain         send the first eUICC chain even if its EUM is not under the\n"
	"                        CI the SM-DP+ selected\n"
	"  --pir-error REASON    report this ProfileInstallationResult errorReason (name or\n"
	"                        number) although the profile installed\n"
	"  --x-admin-protocol VALUE  X-Admin-Protocol header to send (default gsma/rsp/v2.5.0)\n"
	"Output:\n"
	"  --json                print the result as a JSON object instead of a line\n"
	"  --verbose             print each step on stderr (never keys or codes)\n"
	"\n"
	"STEP is an ES9+ function: initiateAuthentication, authenticateClient,\n"
	"getBoundProfilePackage, handleNotification or cancelSession.\n"
	"Exit codes: 0 installed, 1 usage, 2 local setup, 3 transport, 4 SM-DP+ returned a\n"
	"failed status, 5 malformed response, 6 rejected by the eUICC or LPA, 7 installation\n"
	"failed, 8 profile differs from --expect-profile, 9 stopped or cancelled as requested.\n";

enum option_id {
	OPT_EUICC_CERT = 256, OPT_EUICC_KEY, OPT_EUM_CERT, OPT_CI_CERT, OPT_SVN, OPT_CAFILE,
	OPT_CONNECT_TO, OPT_STEP_CONNECT_TO, OPT_TLS_MAX, OPT_TIMEOUT, OPT_DEFAULT_SMDP, OPT_CC,
	OPT_EXPECT_PROFILE, OPT_STOP_AFTER, OPT_CANCEL, OPT_CANCEL_AFTER, OPT_SMDP_ADDRESS,
	OPT_CI_PKID_LIST, OPT_TAMPER, OPT_TAMPER2, OPT_BAD_TID, OPT_TRUNCATE, OPT_GARBLE,
	OPT_NOT_JSON, OPT_NO_HASHCC, OPT_FORCE_CHAIN, OPT_PIR_ERROR, OPT_ADMIN_PROTOCOL, OPT_JSON,
	OPT_VERBOSE, OPT_HELP,
};

static const struct option long_options[] = {
	{"euicc-cert", required_argument, NULL, OPT_EUICC_CERT},
	{"euicc-key", required_argument, NULL, OPT_EUICC_KEY},
	{"eum-cert", required_argument, NULL, OPT_EUM_CERT},
	{"ci-cert", required_argument, NULL, OPT_CI_CERT},
	{"svn", required_argument, NULL, OPT_SVN},
	{"cafile", required_argument, NULL, OPT_CAFILE},
	{"connect-to", required_argument, NULL, OPT_CONNECT_TO},
	{"step-connect-to", required_argument, NULL, OPT_STEP_CONNECT_TO},
	{"tls-max", required_argument, NULL, OPT_TLS_MAX},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"default-smdp", required_argument, NULL, OPT_DEFAULT_SMDP},
	{"cc", required_argument, NULL, OPT_CC},
	{"expect-profile", required_argument, NULL, OPT_EXPECT_PROFILE},
	{"stop-after", required_argument, NULL, OPT_STOP_AFTER},
	{"cancel", required_argument, NULL, OPT_CANCEL},
	{"cancel-after", required_argument, NULL, OPT_CANCEL_AFTER},
	{"smdp-address", required_argument, NULL, OPT_SMDP_ADDRESS},
	{"ci-pkid-list", required_argument, NULL, OPT_CI_PKID_LIST},
	{"tamper", no_argument, NULL, OPT_TAMPER},
	{"tamper-signature2", no_argument, NULL, OPT_TAMPER2},
	{"bad-tid", required_argument, NULL, OPT_BAD_TID},
	{"truncate", required_argument, NULL, OPT_TRUNCATE},
	{"garble", required_argument, NULL, OPT_GARBLE},
	{"not-json", required_argument, NULL, OPT_NOT_JSON},
	{"no-hashcc", no_argument, NULL, OPT_NO_HASHCC},
	{"force-chain", no_argument, NULL, OPT_FORCE_CHAIN},
	{"pir-error", required_argument, NULL, OPT_PIR_ERROR},
	{"x-admin-protocol", required_argument, NULL, OPT_ADMIN_PROTOCOL},
	{"json", no_argument, NULL, OPT_JSON},
	{"verbose", no_argument, NULL, OPT_VERBOSE},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

/* Everything the command line sets. */
struct options {
	const char *euicc_certs[EUICC_MAX_CHAINS];
	const char *euicc_keys[EUICC_MAX_CHAINS];
	const char *eum_certs[EUICC_MAX_CHAINS];
	size_t euicc_cert_count, euicc_key_count, eum_cert_count;
	const char *ci_certs[EUICC_MAX_CI];
	size_t ci_cert_count;
	uint8_t svn[3];
	const char *ca_files[MAX_CA_FILES];
	size_t ca_file_count;
	const char *activation_code;
	const char *default_smdp;
	const char *expect_profile;
	const char *cancel;
	struct euicc_faults euicc_faults;
	struct lpa_config lpa;
	bool json;
};

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("rsp-test-lpa: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nrun rsp-test-lpa --help for the options\n", stderr);
}

static int parse_svn(const char *text, uint8_t svn[3])
{
	unsigned int v[3];
	char end;

	if (sscanf(text, "%u.%u.%u%c", &v[0], &v[1], &v[2], &end) != 3 || v[0] > 255 ||
	    v[1] > 255 || v[2] > 255)
		return -1;
	svn[0] = (uint8_t)v[0];
	svn[1] = (uint8_t)v[1];
	svn[2] = (uint8_t)v[2];
	return 0;
}

/* "none" or comma-separated 20-byte key identifiers in hex. */
static int parse_pkid_list(const char *text, struct euicc_faults *f)
{
	const char *p = text;

	f->override_pkids = true;
	f->pkid_count = 0;
	if (strcmp(text, "none") == 0)
		return 0;
	while (*p) {
		size_t len = strcspn(p, ",");
		size_t out_len;

		if (f->pkid_count == EUICC_MAX_CI ||
		    ident_hex_decode(p, len, f->pkids[f->pkid_count], EUICC_PKID_LEN, &out_len) !=
			    IDENT_OK ||
		    out_len != EUICC_PKID_LEN)
			return -1;
		f->pkid_count++;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* A name from the table of names, or a decimal number from 0 to 127. */
static int parse_code(const char *text, int (*by_name)(const char *))
{
	char *end;
	long value = by_name(text);

	if (value >= 0)
		return (int)value;
	errno = 0;
	value = strtol(text, &end, 10);
	if (errno || *end || end == text || value < 0 || value > 127)
		return -1;
	return (int)value;
}

static int parse_step(const char *text, int *out)
{
	*out = lpa_step_parse(text);
	if (*out == LPA_STEP_NONE) {
		usage_error("unknown ES9+ function \"%s\"", text);
		return -1;
	}
	return 0;
}

/* STEP=HOST:PORT:ADDR:PORT */
static int parse_step_connect_to(char *text, struct lpa_config *cfg)
{
	char *eq = strchr(text, '=');
	int step;

	if (!eq) {
		usage_error("--step-connect-to needs STEP=HOST:PORT:ADDR:PORT, got \"%s\"", text);
		return -1;
	}
	*eq = '\0';
	if (parse_step(text, &step) != 0)
		return -1;
	cfg->step_connect_to[step] = eq + 1;
	return 0;
}

static int add_arg(const char **list, size_t *count, size_t max, const char *arg,
		   const char *option)
{
	if (*count == max) {
		usage_error("too many %s options", option);
		return -1;
	}
	list[(*count)++] = arg;
	return 0;
}

static int parse_option(int id, char *arg, struct options *o)
{
	struct lpa_config *cfg = &o->lpa;
	char *end;
	long value;

	switch (id) {
	case OPT_EUICC_CERT:
		return add_arg(o->euicc_certs, &o->euicc_cert_count, EUICC_MAX_CHAINS, arg, "--euicc-cert");
	case OPT_EUICC_KEY:
		return add_arg(o->euicc_keys, &o->euicc_key_count, EUICC_MAX_CHAINS, arg, "--euicc-key");
	case OPT_EUM_CERT:
		return add_arg(o->eum_certs, &o->eum_cert_count, EUICC_MAX_CHAINS, arg, "--eum-cert");
	case OPT_CI_CERT:
		return add_arg(o->ci_certs, &o->ci_cert_count, EUICC_MAX_CI, arg, "--ci-cert");
	case OPT_CAFILE:
		return add_arg(o->ca_files, &o->ca_file_count, MAX_CA_FILES, arg, "--cafile");
	case OPT_CONNECT_TO:
		return add_arg(cfg->http.connect_to, &cfg->http.connect_to_count,
			       LPA_HTTP_MAX_CONNECT_TO, arg, "--connect-to");
	case OPT_CC:
		return add_arg(cfg->codes, &cfg->code_count, LPA_MAX_CODES, arg, "--cc");
	case OPT_STEP_CONNECT_TO:
		return parse_step_connect_to(arg, cfg);
	case OPT_SVN:
		if (parse_svn(arg, o->svn) == 0)
			return 0;
		usage_error("--svn needs X.Y.Z with numbers up to 255, got \"%s\"", arg);
		return -1;
	case OPT_TLS_MAX:
		if (strcmp(arg, "1.2") == 0) {
			cfg->http.tls12_only = true;
			return 0;
		}
		if (strcmp(arg, "1.3") == 0)
			return 0;
		usage_error("--tls-max takes 1.2 or 1.3, got \"%s\"", arg);
		return -1;
	case OPT_TIMEOUT:
		value = strtol(arg, &end, 10);
		if (*end || end == arg || value < 1 || value > 3600) {
			usage_error("--timeout needs 1 to 3600 seconds, got \"%s\"", arg);
			return -1;
		}
		cfg->http.timeout_ms = value * 1000;
		return 0;
	case OPT_DEFAULT_SMDP:
		o->default_smdp = arg;
		return 0;
	case OPT_EXPECT_PROFILE:
		o->expect_profile = arg;
		return 0;
	case OPT_STOP_AFTER:
		return parse_step(arg, &cfg->stop_after);
	case OPT_CANCEL:
		o->cancel = arg;
		cfg->cancel_reason = parse_code(arg, euicc_cancel_reason_parse);
		if (cfg->cancel_reason >= 0)
			return 0;
		usage_error("unknown CancelSessionReason \"%s\"", arg);
		return -1;
	case OPT_CANCEL_AFTER:
		return parse_step(arg, &cfg->cancel_after);
	case OPT_SMDP_ADDRESS:
		cfg->faults.smdp_address = arg;
		return 0;
	case OPT_CI_PKID_LIST:
		if (parse_pkid_list(arg, &o->euicc_faults) == 0)
			return 0;
		usage_error("--ci-pkid-list needs none or 40-digit hex key identifiers, got \"%s\"", arg);
		return -1;
	case OPT_TAMPER:
		o->euicc_faults.tamper_signature1 = true;
		return 0;
	case OPT_TAMPER2:
		o->euicc_faults.tamper_signature2 = true;
		return 0;
	case OPT_BAD_TID:
		return parse_step(arg, &cfg->faults.bad_tid_step);
	case OPT_TRUNCATE:
		cfg->faults.truncate_field = arg;
		return 0;
	case OPT_GARBLE:
		cfg->faults.garble_field = arg;
		return 0;
	case OPT_NOT_JSON:
		return parse_step(arg, &cfg->faults.not_json_step);
	case OPT_NO_HASHCC:
		cfg->faults.no_hash_cc = true;
		return 0;
	case OPT_FORCE_CHAIN:
		o->euicc_faults.force_chain = true;
		return 0;
	case OPT_PIR_ERROR:
		o->euicc_faults.pir_error_reason = parse_code(arg, euicc_install_error_parse);
		if (o->euicc_faults.pir_error_reason > 0)
			return 0;
		usage_error("unknown ProfileInstallationResult errorReason \"%s\"", arg);
		return -1;
	case OPT_ADMIN_PROTOCOL:
		cfg->http.admin_protocol = arg;
		return 0;
	case OPT_JSON:
		o->json = true;
		return 0;
	case OPT_VERBOSE:
		cfg->verbose = stderr;
		return 0;
	default:
		return -1;
	}
}

static int parse_args(int argc, char **argv, struct options *o)
{
	int id;

	memset(o, 0, sizeof(*o));
	lpa_config_init(&o->lpa);
	o->svn[0] = 2;
	o->svn[1] = 2;
	o->svn[2] = 2;
	while ((id = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		if (id == OPT_HELP) {
			fputs(usage, stdout);
			exit(EXIT_INSTALLED);
		}
		if (id == '?' || parse_option(id, optarg, o) != 0)
			return -1;
	}
	if (optind < argc)
		o->activation_code = argv[optind++];
	if (optind < argc) {
		usage_error("unexpected argument \"%s\"", argv[optind]);
		return -1;
	}
	if (!o->activation_code == !o->default_smdp) {
		usage_error("%s", "give either an activation code or --default-smdp");
		return -1;
	}
	if (o->euicc_cert_count == 0 || o->euicc_cert_count != o->euicc_key_count ||
	    o->euicc_cert_count != o->eum_cert_count) {
		usage_error("%s", "give --euicc-cert, --euicc-key and --eum-cert the same number of times");
		return -1;
	}
	if (o->ci_cert_count == 0) {
		usage_error("%s", "give at least one --ci-cert");
		return -1;
	}
	if (o->cancel && o->lpa.cancel_after == LPA_STEP_NONE)
		o->lpa.cancel_after = LPA_STEP_AUTHENTICATE_CLIENT;
	if (!o->cancel && o->lpa.cancel_after != LPA_STEP_NONE) {
		usage_error("%s", "--cancel-after needs --cancel");
		return -1;
	}
	return 0;
}

/* Reads a whole file of at most max bytes into a new buffer. */
static int read_file(const char *path, size_t max, uint8_t **out, size_t *out_len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = -1;

	*out = NULL;
	if (!f)
		return -1;
	buf = malloc(max + 1);
	if (!buf)
		goto out;
	len = fread(buf, 1, max + 1, f);
	if (ferror(f) || len > max)
		goto out;
	*out = buf;
	*out_len = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	fclose(f);
	return rc;
}

/* Appends one trust anchor file to pem, converting DER to PEM. */
static int append_ca(const char *path, char *pem, size_t *pem_len)
{
	uint8_t *data = NULL;
	char *b64 = NULL;
	size_t len, i, b64_len;
	int rc = -1;

	if (read_file(path, MAX_CA_PEM / 2, &data, &len) != 0)
		return -1;
	if (len > 10 && memmem(data, len, "-----BEGIN", 10)) {
		if (*pem_len + len + 1 >= MAX_CA_PEM)
			goto out;
		memcpy(pem + *pem_len, data, len);
		*pem_len += len;
		pem[(*pem_len)++] = '\n';
		rc = 0;
		goto out;
	}
	if (ident_base64_encode_alloc(data, len, &b64) != IDENT_OK)
		goto out;
	b64_len = strlen(b64);
	if (*pem_len + b64_len + b64_len / 64 + 64 >= MAX_CA_PEM)
		goto out;
	*pem_len += (size_t)snprintf(pem + *pem_len, MAX_CA_PEM - *pem_len,
				     "-----BEGIN CERTIFICATE-----\n");
	for (i = 0; i < b64_len; i += 64) {
		size_t n = b64_len - i < 64 ? b64_len - i : 64;

		memcpy(pem + *pem_len, b64 + i, n);
		*pem_len += n;
		pem[(*pem_len)++] = '\n';
	}
	*pem_len += (size_t)snprintf(pem + *pem_len, MAX_CA_PEM - *pem_len,
				     "-----END CERTIFICATE-----\n");
	rc = 0;
out:
	free(b64);
	free(data);
	return rc;
}

static int setup_euicc(const struct options *o, struct euicc **out)
{
	struct euicc *e = NULL;
	size_t i;
	int rc;

	if (euicc_new(o->svn, &e) != EUICC_OK) {
		fputs("rsp-test-lpa: out of memory\n", stderr);
		return -1;
	}
	for (i = 0; i < o->ci_cert_count; i++) {
		rc = euicc_add_ci_file(e, o->ci_certs[i]);
		if (rc != EUICC_OK) {
			fprintf(stderr, "rsp-test-lpa: CI certificate %s: %s\n", o->ci_certs[i],
				rc == EUICC_E_IO ? "cannot read the file" :
				"invalid: not a self-signed CI certificate of the RSP PKI");
			goto fail;
		}
	}
	for (i = 0; i < o->euicc_cert_count; i++) {
		rc = euicc_add_chain_files(e, o->euicc_certs[i], o->euicc_keys[i], o->eum_certs[i]);
		if (rc != EUICC_OK) {
			fprintf(stderr, "rsp-test-lpa: eUICC chain %s, %s, %s: %s\n",
				o->euicc_certs[i], o->euicc_keys[i], o->eum_certs[i],
				rc == EUICC_E_IO ? "cannot read a file" :
				"invalid: the key does not match the certificate, the EID is missing, "
				"or it differs from the first chain's");
			goto fail;
		}
	}
	euicc_set_faults(e, &o->euicc_faults);
	*out = e;
	return 0;
fail:
	euicc_free(e);
	return -1;
}

static int exit_code_of(int status)
{
	switch (status) {
	case LPA_OK: return EXIT_INSTALLED;
	case LPA_E_TRANSPORT: return EXIT_TRANSPORT;
	case LPA_E_FAILED: return EXIT_SERVER_FAILED;
	case LPA_E_RESPONSE: return EXIT_BAD_RESPONSE;
	case LPA_E_REJECTED: return EXIT_REJECTED;
	case LPA_E_INSTALL: return EXIT_INSTALL_FAILED;
	case LPA_E_PROFILE_MISMATCH: return EXIT_PROFILE_MISMATCH;
	case LPA_E_STOPPED: return EXIT_STOPPED;
	default: return EXIT_SETUP;
	}
}

static void print_line(const struct lpa_result *res, const char *eid, int code)
{
	const struct lpa_status_data *st = &res->server;

	printf("%s exit=%d step=%s eid=%s", lpa_status_name(res->status), code,
	       lpa_step_name(res->step), eid);
	if (res->transaction_id[0])
		printf(" transactionId=%s", res->transaction_id);
	if (res->iccid[0])
		printf(" iccid=%s", res->iccid);
	if (res->status == LPA_OK)
		printf(" profileBytes=%zu segments=%zu", res->profile_len, res->segment_count);
	if (res->cc_required)
		printf(" ccAttempts=%zu", res->cc_attempts);
	if (st->status[0] && strcmp(st->status, "Executed-Success") != 0)
		printf(" status=%s subjectCode=%s reasonCode=%s message=\"%s\"", st->status,
		       st->subject_code, st->reason_code, st->message);
	if (res->euicc_error)
		printf(" euiccError=%s", res->euicc_error_name);
	if (res->install_error)
		printf(" installError=%s/%s", euicc_bpp_command_name(res->install_command),
		       euicc_install_error_name(res->install_error));
	printf(" detail=\"%s\"\n", res->detail);
}

static void print_json(const struct lpa_result *res, const char *eid, int code)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *st;
	char *text;

	if (!o)
		return;
	cJSON_AddStringToObject(o, "result", lpa_status_name(res->status));
	cJSON_AddNumberToObject(o, "exitCode", code);
	cJSON_AddStringToObject(o, "step", lpa_step_name(res->step));
	cJSON_AddStringToObject(o, "eid", eid);
	cJSON_AddStringToObject(o, "transactionId", res->transaction_id);
	cJSON_AddStringToObject(o, "iccid", res->iccid);
	cJSON_AddNumberToObject(o, "profileBytes", (double)res->profile_len);
	cJSON_AddNumberToObject(o, "segments", (double)res->segment_count);
	cJSON_AddBoolToObject(o, "ccRequired", res->cc_required);
	cJSON_AddNumberToObject(o, "ccAttempts", (double)res->cc_attempts);
	cJSON_AddNumberToObject(o, "httpCode", (double)res->http_code);
	cJSON_AddBoolToObject(o, "notificationSent", res->notification_sent);
	cJSON_AddBoolToObject(o, "sessionCancelled", res->session_cancelled);
	st = cJSON_AddObjectToObject(o, "functionExecutionStatus");
	if (st) {
		cJSON_AddStringToObject(st, "status", res->server.status);
		cJSON_AddStringToObject(st, "subjectCode", res->server.subject_code);
		cJSON_AddStringToObject(st, "reasonCode", res->server.reason_code);
		cJSON_AddStringToObject(st, "message", res->server.message);
	}
	if (res->euicc_error)
		cJSON_AddStringToObject(o, "euiccError", res->euicc_error_name);
	if (res->install_error) {
		cJSON_AddStringToObject(o, "bppCommandId", euicc_bpp_command_name(res->install_command));
		cJSON_AddStringToObject(o, "errorReason", euicc_install_error_name(res->install_error));
	}
	cJSON_AddStringToObject(o, "detail", res->detail);
	text = cJSON_Print(o);
	if (text)
		printf("%s\n", text);
	free(text);
	cJSON_Delete(o);
}

/* Fills the SM-DP+ address and matchingId from the activation code or --default-smdp. */
static int set_target(struct options *o, struct actcode *ac)
{
	if (o->default_smdp) {
		if (actcode_validate_address(o->default_smdp, strlen(o->default_smdp)) !=
		    ACTCODE_OK) {
			usage_error("--default-smdp needs a host name, got \"%s\"", o->default_smdp);
			return -1;
		}
		o->lpa.smdp_address = o->default_smdp;
		return 0;
	}
	if (actcode_parse(o->activation_code, strlen(o->activation_code), ac) != ACTCODE_OK) {
		usage_error("invalid activation code \"%s\"", o->activation_code);
		return -1;
	}
	o->lpa.smdp_address = ac->smdp_address;
	o->lpa.matching_id = ac->matching_id;
	o->lpa.smdp_oid = ac->smdp_oid;
	return 0;
}

int main(int argc, char **argv)
{
	static char ca_pem[MAX_CA_PEM];
	struct options o;
	struct actcode ac;
	struct lpa_result res;
	struct euicc *e = NULL;
	uint8_t *expected = NULL;
	size_t ca_len = 0, expected_len = 0, i;
	int code = EXIT_SETUP;

	if (parse_args(argc, argv, &o) != 0 || set_target(&o, &ac) != 0)
		return EXIT_USAGE;
	if (crypto_init() != CRYPTO_OK) {
		fputs("rsp-test-lpa: cannot seed the random generator\n", stderr);
		return EXIT_SETUP;
	}
	for (i = 0; i < o.ca_file_count; i++) {
		if (append_ca(o.ca_files[i], ca_pem, &ca_len) != 0) {
			fprintf(stderr, "rsp-test-lpa: cannot read trust anchor %s\n", o.ca_files[i]);
			goto out;
		}
	}
	if (ca_len > 0) {
		o.lpa.http.ca_pem = ca_pem;
		o.lpa.http.ca_pem_len = ca_len;
	}
	if (o.expect_profile) {
		if (read_file(o.expect_profile, RSP_MAX_PROFILE_PACKAGE, &expected, &expected_len)) {
			fprintf(stderr, "rsp-test-lpa: cannot read profile package %s\n",
				o.expect_profile);
			goto out;
		}
		o.lpa.expected_profile = expected;
		o.lpa.expected_profile_len = expected_len;
	}
	if (setup_euicc(&o, &e) != 0)
		goto out;

	lpa_download(e, &o.lpa, &res);
	code = exit_code_of(res.status);
	if (o.json)
		print_json(&res, euicc_eid(e), code);
	else
		print_line(&res, euicc_eid(e), code);
out:
	euicc_free(e);
	if (expected)
		crypto_zeroize(expected, expected_len);
	free(expected);
	crypto_cleanup();
	return code;
}
