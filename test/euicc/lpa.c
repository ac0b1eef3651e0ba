/*
 * The test LPA's download flow over ES9+. See lpa.h.
 */
#include "test/euicc/lpa.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "common/crypto.h"
#include "common/ident.h"

static const char *const step_names[LPA_STEP_COUNT] = {
	"initiateAuthentication",
	"authenticateClient",
	"getBoundProfilePackage",
	"handleNotification",
	"cancelSession",
};

const char *lpa_step_name(int step)
{
	return step >= 0 && step < LPA_STEP_COUNT ? step_names[step] : "none";
}

int lpa_step_parse(const char *name)
{
	int i;

	for (i = 0; i < LPA_STEP_COUNT; i++)
		if (strcmp(step_names[i], name) == 0)
			return i;
	return LPA_STEP_NONE;
}

const char *lpa_status_name(int status)
{
	switch (status) {
	case LPA_OK: return "installed";
	case LPA_E_SETUP: return "setup";
	case LPA_E_TRANSPORT: return "transport";
	case LPA_E_FAILED: return "failed";
	case LPA_E_RESPONSE: return "response";
	case LPA_E_REJECTED: return "rejected";
	case LPA_E_INSTALL: return "install";
	case LPA_E_PROFILE_MISMATCH: return "profile-mismatch";
	case LPA_E_STOPPED: return "stopped";
	default: return "unknown";
	}
}

void lpa_config_init(struct lpa_config *cfg)
{
	cfg->stop_after = LPA_STEP_NONE;
	cfg->cancel_after = LPA_STEP_NONE;
	cfg->faults.bad_tid_step = LPA_STEP_NONE;
	cfg->faults.not_json_step = LPA_STEP_NONE;
}

void lpa_hash_cc(const char *code, const uint8_t *tid, size_t tid_len, uint8_t out[32])
{
	uint8_t input[CRYPTO_SHA256_LEN + RSP_TRANSACTION_ID_LEN];

	crypto_sha256((const uint8_t *)code, strlen(code), input);
	memcpy(input + CRYPTO_SHA256_LEN, tid, tid_len);
	crypto_sha256(input, CRYPTO_SHA256_LEN + tid_len, out);
	crypto_zeroize(input, sizeof(input));
}

/* State of one download run. */
struct run {
	struct euicc *e;
	const struct lpa_config *cfg;
	struct lpa_result *res;
	struct lpa_http *http;
	struct lpa_tid tid;          /* from InitiateAuthentication */
	struct lpa_authenticate_client_response auth;
	struct lpa_get_bpp_response bpp;
};

/* Records the outcome of the run; returns status for use in return statements. */
static int finish(struct run *r, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int finish(struct run *r, int status, const char *fmt, ...)
{
	va_list ap;

	r->res->status = status;
	va_start(ap, fmt);
	vsnprintf(r->res->detail, sizeof(r->res->detail), fmt, ap);
	va_end(ap);
	return status;
}

static void note(const struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->cfg->verbose)
		return;
	fputs("lpa: ", r->cfg->verbose);
	va_start(ap, fmt);
	vfprintf(r->cfg->verbose, fmt, ap);
	va_end(ap);
	fputc('\n', r->cfg->verbose);
}

/* ---- requests ---- */

/* Adds a base64 field, cut or garbled when the faults name it. */
static int add_b64(struct run *r, cJSON *obj, const char *name, const uint8_t *data, size_t len)
{
	const struct lpa_faults *f = &r->cfg->faults;
	char *b64 = NULL;
	size_t b64_len;
	int rc = -1;

	if (ident_base64_encode_alloc(data, len, &b64) != IDENT_OK)
		return -1;
	b64_len = strlen(b64);
	if (f->truncate_field && strcmp(f->truncate_field, name) == 0) {
		b64[(b64_len / 2) & ~(size_t)3] = '\0';
		note(r, "fault: %s cut to %zu base64 characters", name, strlen(b64));
	}
	if (f->garble_field && strcmp(f->garble_field, name) == 0 && b64_len > 0) {
		b64[b64_len / 2] = '*';
		note(r, "fault: %s has a character outside the base64 alphabet", name);
	}
	if (cJSON_AddStringToObject(obj, name, b64))
		rc = 0;
	free(b64);
	return rc;
}

static int add_tid(struct run *r, cJSON *obj, int step)
{
	uint8_t random_tid[RSP_TRANSACTION_ID_LEN];
	char hex[2 * RSP_TRANSACTION_ID_LEN + 1];
	const uint8_t *tid = r->tid.bytes;
	size_t len = r->tid.len;

	if (r->cfg->faults.bad_tid_step == step) {
		if (crypto_random(random_tid, sizeof(random_tid)) != CRYPTO_OK)
			return -1;
		tid = random_tid;
		len = sizeof(random_tid);
		note(r, "fault: %s with a random transactionId", lpa_step_name(step));
	}
	if (ident_hex_encode(tid, len, hex, sizeof(hex)) != IDENT_OK)
		return -1;
	return cJSON_AddStringToObject(obj, "transactionId", hex) ? 0 : -1;
}

/*
 * Sends the request of a step and fills resp. Returns LPA_OK when a response arrived with the
 * expected HTTP status and a gsma/rsp/v2 X-Admin-Protocol; otherwise records the failure.
 * A response with another HTTP status but a readable JSON header of a failed function counts
 * as LPA_E_FAILED, so its SGP.22 status is reported.
 */
static int post(struct run *r, int step, const cJSON *request, long expected_http,
		struct lpa_http_response *resp)
{
	static const char not_json[] = "this request body is not JSON";
	const char *connect_to = r->cfg->step_connect_to[step];
	char *body = NULL;
	const char *send;
	size_t send_len;
	int rc;

	r->res->step = step;
	body = cJSON_PrintUnformatted(request);
	if (!body)
		return finish(r, LPA_E_SETUP, "out of memory building the %s request",
			      lpa_step_name(step));
	send = body;
	send_len = strlen(body);
	if (r->cfg->faults.not_json_step == step) {
		send = not_json;
		send_len = strlen(not_json);
		note(r, "fault: %s body is not JSON", lpa_step_name(step));
	}

	note(r, "%s", lpa_step_name(step));
	rc = lpa_http_post(r->http, r->cfg->smdp_address, lpa_step_name(step), connect_to, send,
			   send_len, resp);
	free(body);
	if (rc != LPA_HTTP_OK)
		return finish(r, LPA_E_TRANSPORT, "%s", resp->error);

	r->res->http_code = resp->http_code;
	if (resp->http_code != expected_http) {
		char error[128];

		if (lpa_es9_parse_header_only(resp->body, resp->body_len, &r->res->server, error,
					      sizeof(error)) == LPA_PARSE_FAILED)
			return finish(r, LPA_E_FAILED, "%s returned HTTP %ld with status %s",
				      lpa_step_name(step), resp->http_code, r->res->server.status);
		return finish(r, LPA_E_TRANSPORT, "%s returned HTTP %ld, expected %ld",
			      lpa_step_name(step), resp->http_code, expected_http);
	}
	if (strncmp(resp->admin_protocol, "gsma/rsp/v2.", 12) != 0)
		return finish(r, LPA_E_RESPONSE,
			      "%s response has X-Admin-Protocol \"%s\", expected gsma/rsp/v2.x.y",
			      lpa_step_name(step), resp->admin_protocol);
	return LPA_OK;
}

/* Maps the result of an es9_json parser to the run's outcome. */
static int check_parse(struct run *r, int step, int parse_rc, const char *error)
{
	switch (parse_rc) {
	case LPA_PARSE_OK:
		return LPA_OK;
	case LPA_PARSE_FAILED:
		return finish(r, LPA_E_FAILED, "%s: status %s", lpa_step_name(step),
			      r->res->server.status);
	case LPA_PARSE_NOMEM:
		return finish(r, LPA_E_SETUP, "%s: out of memory reading the response",
			      lpa_step_name(step));
	default:
		return finish(r, LPA_E_RESPONSE, "%s: %s", lpa_step_name(step), error);
	}
}

static int check_tid(struct run *r, int step, const struct lpa_tid *tid)
{
	if (tid->len != r->tid.len || memcmp(tid->bytes, r->tid.bytes, tid->len) != 0)
		return finish(r, LPA_E_REJECTED, "%s response carries another transactionId",
			      lpa_step_name(step));
	return LPA_OK;
}

/* ---- the steps ---- */

/* The LPAd's own checks of the InitiateAuthentication response, after the eUICC accepted it. */
static int check_server(struct run *r, const struct lpa_initiate_auth_response *ia)
{
	const char *address = euicc_session_server_address(r->e);
	struct cert *dp_auth = NULL;
	size_t tid_len;
	const uint8_t *tid = euicc_session_transaction_id(r->e, &tid_len);
	int rc = LPA_OK;

	if (tid_len != ia->transaction_id.len || memcmp(tid, ia->transaction_id.bytes, tid_len))
		return finish(r, LPA_E_REJECTED,
			      "transactionId of serverSigned1 differs from the JSON transactionId");
	if (strcasecmp(address, r->cfg->smdp_address) != 0)
		return finish(r, LPA_E_REJECTED,
			      "serverSigned1 names SM-DP+ address \"%s\", the activation code \"%s\"",
			      address, r->cfg->smdp_address);
	if (r->cfg->smdp_oid && r->cfg->smdp_oid[0]) {
		if (cert_parse(ia->server_certificate.data, ia->server_certificate.len, &dp_auth) !=
		    PKI_OK)
			return finish(r, LPA_E_REJECTED, "CERT.DPauth does not parse");
		if (strcmp(dp_auth->san_oid, r->cfg->smdp_oid) != 0)
			rc = finish(r, LPA_E_REJECTED,
				    "CERT.DPauth has SM-DP+ OID %s, the activation code %s",
				    dp_auth->san_oid[0] ? dp_auth->san_oid : "(none)",
				    r->cfg->smdp_oid);
		cert_free(dp_auth);
	}
	return rc;
}

/* Forwards an ES10b error response to the SM-DP+ as an LPAd does, so that the SM-DP+ ends the
 * session. The run has failed already, so the SM-DP+'s response only shows in verbose output. */
static void forward_error(struct run *r, int step, const char *field, const struct der_buf *msg)
{
	struct lpa_http_response resp = {0};
	struct lpa_result saved = *r->res;
	cJSON *req = cJSON_CreateObject();

	if (req && add_tid(r, req, step) == 0 && add_b64(r, req, field, msg->data, msg->len) == 0 &&
	    post(r, step, req, 200, &resp) == LPA_OK)
		note(r, "%s with the eUICC's error returned HTTP %ld", lpa_step_name(step),
		     resp.http_code);
	lpa_http_response_clear(&resp);
	cJSON_Delete(req);
	*r->res = saved;
}

/* InitiateAuthentication, then ES10b.AuthenticateServer; out receives the eUICC's response. */
static int initiate_authentication(struct run *r, struct der_buf *out)
{
	const int step = LPA_STEP_INITIATE_AUTHENTICATION;
	const struct lpa_config *cfg = r->cfg;
	struct lpa_http_response resp = {0};
	struct lpa_initiate_auth_response ia = {0};
	struct euicc_auth_request areq = {0};
	struct der_buf info1;
	uint8_t challenge[RSP_CHALLENGE_LEN];
	char error[256];
	cJSON *req = cJSON_CreateObject();
	int rc, es10_error;

	der_buf_init(&info1, EUICC_MAX_RESPONSE);
	if (!req || euicc_get_challenge(r->e, challenge) != EUICC_OK ||
	    euicc_get_info1(r->e, &info1) != EUICC_OK ||
	    !cJSON_AddStringToObject(req, "smdpAddress",
				     cfg->faults.smdp_address ? cfg->faults.smdp_address :
								cfg->smdp_address) ||
	    add_b64(r, req, "euiccChallenge", challenge, sizeof(challenge)) != 0 ||
	    add_b64(r, req, "euiccInfo1", info1.data, info1.len) != 0) {
		rc = finish(r, LPA_E_SETUP, "cannot build the initiateAuthentication request");
		goto out;
	}
	rc = post(r, step, req, 200, &resp);
	if (rc != LPA_OK)
		goto out;
	rc = lpa_es9_parse_initiate_auth(resp.body, resp.body_len, &ia, &r->res->server, error,
					 sizeof(error));
	rc = check_parse(r, step, rc, error);
	if (rc != LPA_OK)
		goto out;
	r->tid = ia.transaction_id;
	ident_hex_encode(r->tid.bytes, r->tid.len, r->res->transaction_id,
			 sizeof(r->res->transaction_id));
	note(r, "transactionId %s", r->res->transaction_id);

	areq.server_signed1 = ia.server_signed1.data;
	areq.server_signed1_len = ia.server_signed1.len;
	areq.server_signature1 = ia.server_signature1.data;
	areq.server_signature1_len = ia.server_signature1.len;
	areq.ci_pkid = ia.ci_pkid.data;
	areq.ci_pkid_len = ia.ci_pkid.len;
	areq.server_cert = ia.server_certificate.data;
	areq.server_cert_len = ia.server_certificate.len;
	areq.matching_id = cfg->matching_id;
	if (euicc_authenticate_server(r->e, &areq, out, &es10_error) != EUICC_OK) {
		rc = finish(r, LPA_E_SETUP, "eUICC AuthenticateServer failed to run");
		goto out;
	}
	if (es10_error) {
		r->res->euicc_error = es10_error;
		r->res->euicc_error_name = euicc_auth_error_name(es10_error);
		rc = finish(r, LPA_E_REJECTED, "eUICC AuthenticateServer rejected the SM-DP+: %s",
			    r->res->euicc_error_name);
		forward_error(r, LPA_STEP_AUTHENTICATE_CLIENT, "authenticateServerResponse", out);
		goto out;
	}
	rc = check_server(r, &ia);
out:
	lpa_initiate_auth_response_clear(&ia);
	lpa_http_response_clear(&resp);
	der_buf_free(&info1);
	cJSON_Delete(req);
	return rc;
}

static int authenticate_client(struct run *r, const struct der_buf *auth_server_response)
{
	const int step = LPA_STEP_AUTHENTICATE_CLIENT;
	struct lpa_http_response resp = {0};
	struct der_tlv metadata, iccid;
	char error[256];
	cJSON *req = cJSON_CreateObject();
	int rc;

	if (!req || add_tid(r, req, step) != 0 ||
	    add_b64(r, req, "authenticateServerResponse", auth_server_response->data,
		    auth_server_response->len) != 0) {
		rc = finish(r, LPA_E_SETUP, "cannot build the authenticateClient request");
		goto out;
	}
	rc = post(r, step, req, 200, &resp);
	if (rc != LPA_OK)
		goto out;
	rc = lpa_es9_parse_authenticate_client(resp.body, resp.body_len, &r->auth,
					       &r->res->server, error, sizeof(error));
	rc = check_parse(r, step, rc, error);
	if (rc != LPA_OK)
		goto out;
	rc = check_tid(r, step, &r->auth.transaction_id);
	if (rc != LPA_OK)
		goto out;
	if (euicc_smdp_signed2_cc_required(r->auth.smdp_signed2.data, r->auth.smdp_signed2.len,
					   &r->res->cc_required) != EUICC_OK) {
		rc = finish(r, LPA_E_RESPONSE, "smdpSigned2 is not a valid SmdpSigned2");
		goto out;
	}
	/* The ICCID of the profile metadata, for the result and the log. */
	der_read(r->auth.profile_metadata.data, r->auth.profile_metadata.len, &metadata);
	if (der_find(&metadata, 0x5A, &iccid) == DER_OK && iccid.len == RSP_ICCID_LEN)
		ident_iccid_from_bcd(iccid.value, r->res->iccid);
	note(r, "profile ICCID %s, confirmation code %s", r->res->iccid[0] ? r->res->iccid : "?",
	     r->res->cc_required ? "required" : "not required");
out:
	lpa_http_response_clear(&resp);
	cJSON_Delete(req);
	return rc;
}

/* ES10b.PrepareDownload with the code of the given attempt (if any) into out. */
static int prepare_download(struct run *r, size_t attempt, struct der_buf *out, bool *sent_cc)
{
	const struct lpa_config *cfg = r->cfg;
	struct euicc_prepare_request preq = {0};
	uint8_t hash_cc[CRYPTO_SHA256_LEN];
	int es10_error, rc;

	*sent_cc = r->res->cc_required && !cfg->faults.no_hash_cc && attempt < cfg->code_count;
	if (*sent_cc)
		lpa_hash_cc(cfg->codes[attempt], r->tid.bytes, r->tid.len, hash_cc);
	preq.smdp_signed2 = r->auth.smdp_signed2.data;
	preq.smdp_signed2_len = r->auth.smdp_signed2.len;
	preq.smdp_signature2 = r->auth.smdp_signature2.data;
	preq.smdp_signature2_len = r->auth.smdp_signature2.len;
	preq.hash_cc = *sent_cc ? hash_cc : NULL;
	preq.smdp_cert = r->auth.smdp_certificate.data;
	preq.smdp_cert_len = r->auth.smdp_certificate.len;
	out->len = 0;
	rc = euicc_prepare_download(r->e, &preq, out, &es10_error);
	crypto_zeroize(hash_cc, sizeof(hash_cc));
	if (rc != EUICC_OK)
		return finish(r, LPA_E_SETUP, "eUICC PrepareDownload failed to run");
	if (es10_error) {
		r->res->euicc_error = es10_error;
		r->res->euicc_error_name = euicc_download_error_name(es10_error);
		finish(r, LPA_E_REJECTED, "eUICC PrepareDownload rejected the SM-DP+: %s",
		       r->res->euicc_error_name);
		forward_error(r, LPA_STEP_GET_BOUND_PROFILE_PACKAGE, "prepareDownloadResponse", out);
		return LPA_E_REJECTED;
	}
	return LPA_OK;
}

static bool same_status(const struct lpa_status_data *a, const struct lpa_status_data *b)
{
	return strcmp(a->subject_code, b->subject_code) == 0 &&
	       strcmp(a->reason_code, b->reason_code) == 0;
}

/*
 * PrepareDownload and GetBoundProfilePackage. A wrong confirmation code leaves the session
 * open on the SM-DP+, so after a failed request the next configured code is tried with a new
 * PrepareDownload, as an LPAd does after asking the user again. Retries continue while the
 * SM-DP+ returns the status of the first refusal. Any other status (such as too many
 * attempts) ends the run.
 */
static int get_bound_profile_package(struct run *r)
{
	const int step = LPA_STEP_GET_BOUND_PROFILE_PACKAGE;
	struct lpa_http_response resp = {0};
	struct lpa_status_data first_refusal = {0};
	struct der_buf pdr;
	char error[256];
	size_t attempt;
	bool sent_cc;
	int rc = LPA_OK;

	der_buf_init(&pdr, EUICC_MAX_RESPONSE);
	for (attempt = 0;; attempt++) {
		cJSON *req;

		rc = prepare_download(r, attempt, &pdr, &sent_cc);
		if (rc != LPA_OK)
			break;
		if (sent_cc)
			r->res->cc_attempts++;
		req = cJSON_CreateObject();
		if (!req || add_tid(r, req, step) != 0 ||
		    add_b64(r, req, "prepareDownloadResponse", pdr.data, pdr.len) != 0) {
			cJSON_Delete(req);
			rc = finish(r, LPA_E_SETUP, "cannot build the getBoundProfilePackage request");
			break;
		}
		lpa_http_response_clear(&resp);
		rc = post(r, step, req, 200, &resp);
		cJSON_Delete(req);
		if (rc != LPA_OK)
			break;
		lpa_get_bpp_response_clear(&r->bpp);
		rc = lpa_es9_parse_get_bpp(resp.body, resp.body_len, &r->bpp, &r->res->server,
					   error, sizeof(error));
		rc = check_parse(r, step, rc, error);
		if (rc == LPA_E_FAILED && attempt == 0)
			first_refusal = r->res->server;
		if (rc == LPA_E_FAILED && sent_cc && attempt + 1 < r->cfg->code_count &&
		    same_status(&first_refusal, &r->res->server)) {
			note(r, "getBoundProfilePackage failed with %s/%s, trying the next code",
			     r->res->server.subject_code, r->res->server.reason_code);
			continue;
		}
		if (rc == LPA_OK)
			rc = check_tid(r, step, &r->bpp.transaction_id);
		break;
	}
	lpa_http_response_clear(&resp);
	der_buf_free(&pdr);
	return rc;
}

static int cancel_session(struct run *r, int reason)
{
	const int step = LPA_STEP_CANCEL_SESSION;
	struct lpa_http_response resp = {0};
	struct der_buf csr;
	char error[256];
	cJSON *req = cJSON_CreateObject();
	int es10_error, rc;

	der_buf_init(&csr, EUICC_MAX_RESPONSE);
	if (!req || euicc_cancel_session(r->e, reason, &csr, &es10_error) != EUICC_OK ||
	    add_tid(r, req, step) != 0 ||
	    add_b64(r, req, "cancelSessionResponse", csr.data, csr.len) != 0) {
		rc = finish(r, LPA_E_SETUP, "cannot build the cancelSession request");
		goto out;
	}
	note(r, "cancelling the session with reason %s", euicc_cancel_reason_name(reason));
	rc = post(r, step, req, 200, &resp);
	if (rc != LPA_OK)
		goto out;
	rc = lpa_es9_parse_header_only(resp.body, resp.body_len, &r->res->server, error,
				       sizeof(error));
	rc = check_parse(r, step, rc, error);
	if (rc == LPA_OK)
		r->res->session_cancelled = true;
out:
	lpa_http_response_clear(&resp);
	der_buf_free(&csr);
	cJSON_Delete(req);
	return rc;
}

static int handle_notification(struct run *r, const struct der_buf *pir)
{
	const int step = LPA_STEP_HANDLE_NOTIFICATION;
	struct lpa_http_response resp = {0};
	cJSON *req = cJSON_CreateObject();
	int rc;

	if (!req || add_b64(r, req, "pendingNotification", pir->data, pir->len) != 0) {
		rc = finish(r, LPA_E_SETUP, "cannot build the handleNotification request");
		goto out;
	}
	rc = post(r, step, req, 204, &resp);
	if (rc == LPA_OK)
		r->res->notification_sent = true;
out:
	lpa_http_response_clear(&resp);
	cJSON_Delete(req);
	return rc;
}

/* ES10b.LoadBoundProfilePackage, then the ProfileInstallationResult to the SM-DP+. */
static int install(struct run *r)
{
	struct euicc_install_result ir;
	struct der_buf pir;
	int rc;

	der_buf_init(&pir, EUICC_MAX_RESPONSE);
	rc = euicc_load_bpp(r->e, r->bpp.bpp.data, r->bpp.bpp.len, r->auth.profile_metadata.data,
			    r->auth.profile_metadata.len, r->cfg->expected_profile,
			    r->cfg->expected_profile_len, &pir, &ir);
	if (rc != EUICC_OK) {
		rc = finish(r, LPA_E_SETUP, "eUICC LoadBoundProfilePackage failed to run");
		goto out;
	}
	r->res->segment_count = ir.segment_count;
	r->res->profile_len = ir.profile_len;
	r->res->install_error = ir.error_reason;
	r->res->install_command = ir.bpp_command;
	note(r, "BPP: %zu segments opened%s, %s", ir.segment_count,
	     ir.replaced_session_keys ? " (with ReplaceSessionKeys)" : "",
	     ir.success ? "profile installed" : ir.detail);

	if (ir.metadata_mismatch) {
		/* An LPAd cancels instead of loading a profile other than the one announced. */
		rc = cancel_session(r, EUICC_CANCEL_METADATA_MISMATCH);
		if (rc == LPA_OK)
			rc = finish(r, LPA_E_INSTALL, "%s; session cancelled", ir.detail);
		goto out;
	}
	rc = handle_notification(r, &pir);
	if (rc != LPA_OK)
		goto out;
	if (ir.profile_mismatch)
		rc = finish(r, LPA_E_PROFILE_MISMATCH, "%s", ir.detail);
	else if (!ir.success)
		rc = finish(r, LPA_E_INSTALL, "%s: %s (%s)", euicc_bpp_command_name(ir.bpp_command),
			    euicc_install_error_name(ir.error_reason), ir.detail);
	else
		rc = finish(r, LPA_OK, "profile installed");
out:
	der_buf_free(&pir);
	return rc;
}

/* After a completed step: stop or cancel when configured. Returns LPA_OK to continue. */
static int after_step(struct run *r, int step)
{
	int rc;

	if (r->cfg->cancel_after == step) {
		rc = cancel_session(r, r->cfg->cancel_reason);
		if (rc == LPA_OK)
			rc = finish(r, LPA_E_STOPPED, "session cancelled after %s with reason %s",
				    lpa_step_name(step), euicc_cancel_reason_name(r->cfg->cancel_reason));
		return rc;
	}
	if (r->cfg->stop_after == step)
		return finish(r, LPA_E_STOPPED, "stopped after %s as requested", lpa_step_name(step));
	return LPA_OK;
}

int lpa_download(struct euicc *e, const struct lpa_config *cfg, struct lpa_result *res)
{
	struct run r = {0};
	struct lpa_http_config http = cfg->http;
	struct der_buf auth_server_response;
	int rc;

	memset(res, 0, sizeof(*res));
	res->step = LPA_STEP_NONE;
	r.e = e;
	r.cfg = cfg;
	r.res = res;
	der_buf_init(&auth_server_response, EUICC_MAX_RESPONSE);

	http.verbose = cfg->verbose;
	if (lpa_http_new(&http, &r.http) != LPA_HTTP_OK) {
		rc = finish(&r, LPA_E_SETUP, "cannot set up the HTTPS client (check --connect-to)");
		goto out;
	}

	rc = initiate_authentication(&r, &auth_server_response);
	if (rc == LPA_OK)
		rc = after_step(&r, LPA_STEP_INITIATE_AUTHENTICATION);
	if (rc == LPA_OK)
		rc = authenticate_client(&r, &auth_server_response);
	if (rc == LPA_OK)
		rc = after_step(&r, LPA_STEP_AUTHENTICATE_CLIENT);
	if (rc == LPA_OK)
		rc = get_bound_profile_package(&r);
	if (rc == LPA_OK)
		rc = after_step(&r, LPA_STEP_GET_BOUND_PROFILE_PACKAGE);
	if (rc == LPA_OK)
		rc = install(&r);
out:
	lpa_authenticate_client_response_clear(&r.auth);
	lpa_get_bpp_response_clear(&r.bpp);
	lpa_http_free(r.http);
	der_buf_free(&auth_server_response);
	return rc;
}
