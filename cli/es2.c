/*
 * ES2+ client (SGP.22 ES2+ DownloadOrder, ConfirmOrder, CancelOrder, ReleaseProfile; JSON
 * binding with the ES2+ request header). See cli/es2.h.
 *
 *   request:  {"header":{"functionRequesterIdentifier":"<operator>",
 *                        "functionCallIdentifier":"<unique>"}, "iccid":"...", ...}
 *   response: {"header":{"functionExecutionStatus":{"status":"Executed-Success"}}, ...}
 *             or status "Failed" with statusCodeData {subjectCode, reasonCode, message}
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>

#include "cli/es2.h"
#include "common/crypto.h"
#include "common/httpc.h"
#include "common/ident.h"
#include "common/json.h"
#include "common/status.h"

#define ES2_PATH "/gsma/rsp2/es2plus/"
#define MAX_URL  1024

struct cli_es2 {
	struct httpc_client *http;
	char base_url[MAX_URL];
	char host[RSP_MAX_FQDN + 1];
	char operator_id[CLI_ES2_MAX_OPERATOR + 1];
	char call_prefix[24];
	unsigned long calls;
};

/* What to do when the SM-DP+ rejects a request with one of these statuses. The codes
 * themselves come from the project's status table (common/status.c), matched by subjectCode
 * and reasonCode. */
static const struct {
	enum rsp_status status;
	const char *fix;
} hints[] = {
	{ RSP_E_REQUESTER_UNKNOWN, "use a client certificate issued by an operator CA the "
				   "SM-DP+ is configured with (--cert, --key)" },
	{ RSP_E_REQUESTER_NOT_ALLOWED, "--operator must name the operator of the client "
				       "certificate (its CN); leave --operator out to use it" },
	{ RSP_E_ICCID_UNKNOWN, "import the profile first ('rspctl profile import') or check the "
			       "ICCID with 'rspctl profile list'" },
	{ RSP_E_ICCID_IN_USE, "the profile already has an order: see 'rspctl order show', or "
			      "cancel it with 'rspctl order cancel'" },
	{ RSP_E_ICCID_NOT_ALLOWED, "the profile belongs to another operator" },
	{ RSP_E_PROFILE_TYPE_NOT_ALLOWED, "the profile type belongs to another operator" },
	{ RSP_E_PROFILE_TYPE_EXHAUSTED, "import more profiles of this type "
					"('rspctl profile import --type')" },
	{ RSP_E_PROFILE_TYPE_UNKNOWN, "check the profile type with 'rspctl profile list'" },
	{ RSP_E_PROFILE_TYPE_MISMATCH, "give either the ICCID or a profile type that matches it" },
	{ RSP_E_EID_INVALID, "check the EID for a typing error" },
	{ RSP_E_EID_MISSING, "give --eid, or a matchingId" },
	{ RSP_E_EID_ASSOCIATED, "the order is bound to another EID: give that EID or none" },
	{ RSP_E_MATCHING_ID_CONFLICT, "choose another --matching-id, or leave it out to have one "
				      "generated" },
	{ RSP_E_ICCID_ASSOCIATION, "the profile has no order with these data: run 'rspctl order "
				   "download' first, or check --eid and --matching-id" },
	{ RSP_E_MATCHING_ID_MISMATCH, "give the matchingId of the order ('rspctl order show')" },
	{ RSP_E_MATCHING_ID_INVALID, "use upper-case letters A-Z, digits and '-'" },
	{ RSP_E_PROFILE_NOT_RELEASABLE, "the order's state does not allow this step: see "
					"'rspctl order show'" },
	{ RSP_E_ORDER_NOT_CANCELLABLE, "the order's state does not allow this step: see "
				       "'rspctl order show'" },
	{ RSP_E_SMDS_INACCESSIBLE, "check the SM-DS address" },
};

static const char *find_hint(const char *subject, const char *reason)
{
	for (size_t i = 0; i < status_count(); i++) {
		const struct status_entry *e = status_at(i);

		if (!e->subject_code || strcmp(e->subject_code, subject) != 0 ||
		    strcmp(e->reason_code, reason) != 0)
			continue;
		for (size_t h = 0; h < sizeof(hints) / sizeof(hints[0]); h++) {
			if (hints[h].status == e->status)
				return hints[h].fix;
		}
	}
	return NULL;
}

/* Reads the first CN of the certificate's subject: the operator the SM-DP+ maps it to. */
static int certificate_cn(const char *path, char *out, size_t size)
{
	mbedtls_x509_crt crt;
	int rc = -1;

	mbedtls_x509_crt_init(&crt);
	if (mbedtls_x509_crt_parse_file(&crt, path) != 0)
		goto out;
	for (const mbedtls_x509_name *n = &crt.subject; n; n = n->next) {
		if (n->oid.p && MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0) {
			if (n->val.len == 0 || n->val.len >= size)
				goto out;
			memcpy(out, n->val.p, n->val.len);
			out[n->val.len] = '\0';
			rc = 0;
			break;
		}
	}
out:
	mbedtls_x509_crt_free(&crt);
	return rc;
}

/* Takes the host name out of an https:// URL. */
static int url_host(const char *url, char *host, size_t size)
{
	const char *p = url + strlen("https://");
	size_t len = strcspn(p, ":/?#");

	if (len == 0 || len >= size)
		return -1;
	memcpy(host, p, len);
	host[len] = '\0';
	return 0;
}

/* Checks that a PEM file option names a readable regular file: the TLS libraries would block
 * on a named pipe. */
static int check_readable(const char *cmd, const char *option, const char *path)
{
	char err[4352];
	int fd = cli_open_regular(path, option, err, sizeof(err));

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	cli_error("%s: %s", cmd, err);
	return CLI_EXIT_USAGE;
}

int cli_es2_open(const struct cli_options *o, const char *cmd, struct cli_es2 **out)
{
	struct httpc_options hopts = { 0 };
	struct cli_es2 *es2 = NULL;
	uint8_t rnd[8];
	size_t len;
	int rc = CLI_EXIT_USAGE;

	*out = NULL;
	if (!o->smdp_url)
		return cli_usage_error(cmd, "give the SM-DP+ ES2+ URL with --smdp or RSPCTL_SMDP");
	if (strncasecmp(o->smdp_url, "https://", 8) != 0)
		return cli_usage_error(cmd, "invalid --smdp '%s': ES2+ runs over HTTPS, give "
				       "https://HOST[:PORT]", o->smdp_url);
	if (!o->cert)
		return cli_usage_error(cmd, "give the operator client certificate with --cert (and "
				       "--key) or RSPCTL_CERT: the SM-DP+ identifies the operator "
				       "by it");
	if ((rc = check_readable(cmd, "--cert", o->cert)) != 0 ||
	    (o->key && (rc = check_readable(cmd, "--key", o->key)) != 0) ||
	    (o->cafile && (rc = check_readable(cmd, "--cafile", o->cafile)) != 0))
		return rc;

	rc = CLI_EXIT_FAILURE;
	es2 = calloc(1, sizeof(*es2));
	if (!es2)
		goto nomem;
	len = strlen(o->smdp_url);
	while (len > 0 && o->smdp_url[len - 1] == '/')
		len--;
	if (len >= sizeof(es2->base_url) ||
	    url_host(o->smdp_url, es2->host, sizeof(es2->host)) < 0) {
		rc = cli_usage_error(cmd, "invalid --smdp '%s': give https://HOST[:PORT]",
				     o->smdp_url);
		goto out;
	}
	memcpy(es2->base_url, o->smdp_url, len);
	es2->base_url[len] = '\0';

	if (o->operator_id) {
		if (strlen(o->operator_id) == 0 || strlen(o->operator_id) > CLI_ES2_MAX_OPERATOR) {
			rc = cli_usage_error(cmd, "invalid --operator: give 1 to %d characters",
					     CLI_ES2_MAX_OPERATOR);
			goto out;
		}
		snprintf(es2->operator_id, sizeof(es2->operator_id), "%s", o->operator_id);
	} else if (certificate_cn(o->cert, es2->operator_id, sizeof(es2->operator_id)) < 0) {
		rc = cli_usage_error(cmd, "cannot read a subject CN from --cert %s: give a PEM "
				     "certificate, or name the operator with --operator", o->cert);
		goto out;
	}

	/* functionCallIdentifier: a random prefix per process and a counter per call. */
	if (crypto_random(rnd, sizeof(rnd)) != CRYPTO_OK ||
	    ident_hex_encode(rnd, sizeof(rnd), es2->call_prefix, sizeof(es2->call_prefix)) != 0) {
		cli_error("cannot generate a functionCallIdentifier: the random generator failed");
		goto out;
	}

	hopts.ca_file = o->cafile;
	hopts.cert_file = o->cert;
	hopts.key_file = o->key;
	hopts.connect_to = o->connect_to;
	hopts.timeout_ms = (o->timeout_s ? o->timeout_s : 30) * 1000L;
	if (httpc_client_new(&hopts, &es2->http) != HTTPC_OK) {
		rc = cli_usage_error(cmd, "invalid ES2+ connection options (check --connect-to "
				     "HOST:PORT:ADDRESS:PORT)");
		goto out;
	}
	*out = es2;
	return CLI_EXIT_OK;
nomem:
	cli_error("out of memory");
out:
	cli_es2_close(es2);
	return rc;
}

void cli_es2_close(struct cli_es2 *es2)
{
	if (!es2)
		return;
	httpc_client_free(es2->http);
	free(es2);
}

const char *cli_es2_host(const struct cli_es2 *es2)
{
	return es2->host;
}

const char *cli_es2_operator(const struct cli_es2 *es2)
{
	return es2->operator_id;
}

static void set_error(struct cli_es2_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_error(struct cli_es2_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
}

/* Describes a transfer that did not reach an ES2+ function. curl's message separates the TLS
 * cases: a TLS alert from the server means that it rejected the client certificate, and a
 * "certificate problem" means that the server's certificate did not verify. */
static int transport_error(struct cli_es2 *es2, int rc, const struct httpc_response *resp,
			   struct cli_es2_result *res)
{
	const char *detail = resp->error[0] ? resp->error : httpc_strerror(rc);

	if (rc == HTTPC_E_NOMEM) {
		set_error(res, "out of memory");
		return CLI_ES2_E_NOMEM;
	}
	if (strstr(detail, "alert")) {
		set_error(res, "the SM-DP+ at %s rejected the client certificate (%s): give --cert "
			  "and --key of an operator certificate issued by an operator CA the "
			  "SM-DP+ is configured with", es2->base_url, detail);
	} else if (strstr(detail, "certificate problem") || strstr(detail, "certificate verify") ||
		   strstr(detail, "matches target host")) {
		set_error(res, "the TLS certificate of the SM-DP+ at %s did not verify (%s): give "
			  "--cafile with the CA that issued it, and reach the SM-DP+ by the host "
			  "name in its certificate (use --connect-to to map it to an address)",
			  es2->base_url, detail);
	} else if (rc == HTTPC_E_TLS) {
		set_error(res, "TLS handshake with the SM-DP+ at %s failed (%s): check --cert, "
			  "--key and --cafile", es2->base_url, detail);
	} else if (rc == HTTPC_E_TIMEOUT) {
		set_error(res, "the SM-DP+ at %s did not answer in time (%s): check that it runs, "
			  "or raise --timeout", es2->base_url, detail);
	} else {
		/* With TLS 1.3, a rejected client certificate may show as a closed connection. */
		set_error(res, "cannot reach the SM-DP+ at %s (%s): check --smdp and --connect-to, "
			  "that the SM-DP+ runs, and that it accepts the client certificate --cert",
			  es2->base_url, detail);
	}
	return CLI_ES2_E_TRANSPORT;
}

static void copy_code(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/*
 * Sends one ES2+ function call (the request header is added here) and checks the
 * functionExecutionStatus of the response. On CLI_ES2_OK *response is the parsed body.
 */
static int call(struct cli_es2 *es2, const char *function, const char *subject, cJSON *request,
		cJSON **response, struct cli_es2_result *res)
{
	struct httpc_response resp = { 0 };
	struct json_execution_status st;
	char url[MAX_URL + 64], call_id[64];
	cJSON *body = NULL;
	char *text = NULL;
	size_t len = 0;
	int rc;

	*response = NULL;
	memset(res, 0, sizeof(*res));
	snprintf(call_id, sizeof(call_id), "rspctl-%s-%lu", es2->call_prefix, ++es2->calls);
	snprintf(url, sizeof(url), "%s%s%s", es2->base_url, ES2_PATH, function);
	if (json_add_request_header(request, es2->operator_id, call_id) != JSON_OK ||
	    !(text = json_print(request, &len))) {
		set_error(res, "out of memory");
		return CLI_ES2_E_NOMEM;
	}
	rc = httpc_post(es2->http, url, text, len, &resp);
	/* A ConfirmOrder request carries the confirmation code. */
	crypto_zeroize(text, len);
	cJSON_free(text);
	if (rc != HTTPC_OK) {
		rc = transport_error(es2, rc, &resp, res);
		goto out;
	}

	rc = CLI_ES2_E_RESPONSE;
	if (json_parse_object(resp.body, resp.body_len, &body) != JSON_OK ||
	    json_get_execution_status(body, &st) != JSON_OK) {
		if (resp.http_code != 200)
			set_error(res, "the SM-DP+ returned HTTP %ld for %s: check that --smdp is "
				  "the ES2+ base URL (https://HOST:PORT, without a path)",
				  resp.http_code, url);
		else
			set_error(res, "the SM-DP+ returned a body for %s that is not an ES2+ "
				  "response: check that --smdp points to the ES2+ port", function);
		goto out;
	}
	if (strcmp(st.status, "Executed-Success") == 0 ||
	    strcmp(st.status, "Executed-WithWarning") == 0) {
		*response = body;
		body = NULL;
		rc = CLI_ES2_OK;
		goto out;
	}

	rc = CLI_ES2_E_FAILED;
	copy_code(res->subject_code, sizeof(res->subject_code), st.subject_code);
	copy_code(res->reason_code, sizeof(res->reason_code), st.reason_code);
	copy_code(res->message, sizeof(res->message), st.message);
	{
		const char *fix = st.subject_code && st.reason_code
					  ? find_hint(st.subject_code, st.reason_code) : NULL;

		set_error(res, "the SM-DP+ rejected %s for %s: status %s, subjectCode %s, "
			  "reasonCode %s, message '%s'%s%s", function, subject, st.status,
			  res->subject_code[0] ? res->subject_code : "(none)",
			  res->reason_code[0] ? res->reason_code : "(none)", res->message,
			  fix ? ": " : "", fix ? fix : "");
	}
out:
	cJSON_Delete(body);
	httpc_response_clear(&resp);
	return rc;
}

static int add_optional(cJSON *obj, const char *name, const char *value)
{
	if (!value || !*value)
		return 0;
	return cJSON_AddStringToObject(obj, name, value) ? 0 : -1;
}

int cli_es2_download_order(struct cli_es2 *es2, const char *iccid, const char *profile_type,
			   const char *eid, char iccid_out[RSP_ICCID_MAX_DIGITS + 1],
			   struct cli_es2_result *res)
{
	cJSON *req = cJSON_CreateObject(), *resp = NULL;
	const char *got = NULL;
	char subject[128];
	int rc = CLI_ES2_E_NOMEM;

	memset(res, 0, sizeof(*res));
	snprintf(subject, sizeof(subject), "%s %s", iccid ? "ICCID" : "profile type",
		 iccid ? iccid : profile_type);
	if (!req || add_optional(req, "eid", eid) < 0 || add_optional(req, "iccid", iccid) < 0 ||
	    add_optional(req, "profileType", profile_type) < 0) {
		set_error(res, "out of memory");
		goto out;
	}
	rc = call(es2, "downloadOrder", subject, req, &resp, res);
	if (rc != CLI_ES2_OK)
		goto out;
	if (json_get_string(resp, "iccid", RSP_ICCID_MAX_DIGITS, &got) != JSON_OK ||
	    ident_iccid_normalize(got, strlen(got), iccid_out) != IDENT_OK) {
		set_error(res, "the SM-DP+ returned no valid iccid for downloadOrder");
		rc = CLI_ES2_E_RESPONSE;
	}
out:
	cJSON_Delete(req);
	cJSON_Delete(resp);
	return rc;
}

int cli_es2_confirm_order(struct cli_es2 *es2, const struct cli_es2_confirm *c,
			  struct cli_es2_confirmed *out, struct cli_es2_result *res)
{
	cJSON *req = cJSON_CreateObject(), *resp = NULL;
	const char *mid = NULL, *addr = NULL, *eid = NULL;
	char subject[64];
	int rc = CLI_ES2_E_NOMEM;

	memset(out, 0, sizeof(*out));
	memset(res, 0, sizeof(*res));
	snprintf(subject, sizeof(subject), "ICCID %s", c->iccid);
	if (!req || add_optional(req, "iccid", c->iccid) < 0 ||
	    add_optional(req, "eid", c->eid) < 0 ||
	    add_optional(req, "matchingId", c->matching_id) < 0 ||
	    add_optional(req, "confirmationCode", c->confirmation_code) < 0 ||
	    add_optional(req, "smdsAddress", c->smds_address) < 0 ||
	    !cJSON_AddBoolToObject(req, "releaseFlag", c->release)) {
		set_error(res, "out of memory");
		goto out;
	}
	rc = call(es2, "confirmOrder", subject, req, &resp, res);
	if (rc != CLI_ES2_OK)
		goto out;
	rc = CLI_ES2_E_RESPONSE;
	if (json_get_string(resp, "matchingId", RSP_MAX_MATCHING_ID, &mid) != JSON_OK) {
		set_error(res, "the SM-DP+ returned no matchingId for confirmOrder");
		goto out;
	}
	if (c->matching_id && strcmp(mid, c->matching_id) != 0) {
		set_error(res, "the SM-DP+ returned matchingId '%s', not the "
			  "'%s' requested", mid, c->matching_id);
		goto out;
	}
	if (json_get_string(resp, "smdpAddress", RSP_MAX_FQDN, &addr) != JSON_OK || !*addr)
		addr = es2->host;
	if (json_get_string(resp, "eid", RSP_EID_DIGITS, &eid) != JSON_OK)
		eid = c->eid ? c->eid : "";
	snprintf(out->matching_id, sizeof(out->matching_id), "%s", mid);
	snprintf(out->smdp_address, sizeof(out->smdp_address), "%s", addr);
	snprintf(out->eid, sizeof(out->eid), "%s", eid);
	rc = CLI_ES2_OK;
out:
	cJSON_Delete(req);
	cJSON_Delete(resp);
	return rc;
}

int cli_es2_cancel_order(struct cli_es2 *es2, const char *iccid, const char *eid,
			 const char *matching_id, const char *final_status,
			 struct cli_es2_result *res)
{
	cJSON *req = cJSON_CreateObject(), *resp = NULL;
	char subject[64];
	int rc = CLI_ES2_E_NOMEM;

	memset(res, 0, sizeof(*res));
	snprintf(subject, sizeof(subject), "ICCID %s", iccid);
	if (!req || add_optional(req, "iccid", iccid) < 0 || add_optional(req, "eid", eid) < 0 ||
	    add_optional(req, "matchingId", matching_id) < 0 ||
	    add_optional(req, "finalProfileStatusIndicator", final_status) < 0) {
		set_error(res, "out of memory");
		goto out;
	}
	rc = call(es2, "cancelOrder", subject, req, &resp, res);
out:
	cJSON_Delete(req);
	cJSON_Delete(resp);
	return rc;
}

int cli_es2_release_profile(struct cli_es2 *es2, const char *iccid, struct cli_es2_result *res)
{
	cJSON *req = cJSON_CreateObject(), *resp = NULL;
	char subject[64];
	int rc = CLI_ES2_E_NOMEM;

	memset(res, 0, sizeof(*res));
	snprintf(subject, sizeof(subject), "ICCID %s", iccid);
	if (!req || add_optional(req, "iccid", iccid) < 0) {
		set_error(res, "out of memory");
		goto out;
	}
	rc = call(es2, "releaseProfile", subject, req, &resp, res);
out:
	cJSON_Delete(req);
	cJSON_Delete(resp);
	return rc;
}

int cli_es2_activation_code(const char *address, const char *matching_id, const char *oid,
			    bool cc_required, char out[ACTCODE_MAX_LEN + 1], char *err,
			    size_t err_size)
{
	struct actcode ac = { 0 };
	size_t id_len = strlen(matching_id);

	out[0] = '\0';
	if (cli_describe_address("SM-DP+ address", address, err, err_size) < 0 ||
	    (oid && *oid && cli_describe_oid("SM-DP+ OID", oid, err, err_size) < 0))
		return -1;
	if (id_len > RSP_MAX_MATCHING_ID) {
		snprintf(err, err_size, "invalid matchingId of %zu characters: the maximum is %d",
			 id_len, RSP_MAX_MATCHING_ID);
		return -1;
	}
	memcpy(ac.smdp_address, address, strlen(address) + 1);
	memcpy(ac.matching_id, matching_id, id_len + 1);
	snprintf(ac.smdp_oid, sizeof(ac.smdp_oid), "%s", oid ? oid : "");
	ac.cc_required = cc_required;
	ac.fields = 2;
	if (oid && *oid)
		ac.fields = 3;
	if (cc_required)
		ac.fields = 4;
	if (actcode_format(&ac, true, out, ACTCODE_MAX_LEN + 1) != ACTCODE_OK) {
		/* The address and the OID passed their checks: the matchingId is at fault. */
		snprintf(err, err_size, "invalid matchingId '%s': an activation code allows only "
			 "letters, digits and '-'", matching_id);
		return -1;
	}
	return 0;
}
