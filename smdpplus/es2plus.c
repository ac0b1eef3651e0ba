/*
 * SGP.22 ES2+ functions of the SM-DP+ (see es2plus.h). Each handler reads like the procedure:
 * decode the request, identify the operator, then in one database transaction lock the profile
 * and its current order, check, move the lifecycle (order_transition) and record.
 *
 *   DownloadOrder  {header, eid?, iccid?, profileType?}          -> {header, iccid}
 *   ConfirmOrder   {header, iccid, eid?, matchingId?, confirmationCode?, smdsAddress?,
 *                   releaseFlag}                                  -> {header, eid?, matchingId,
 *                                                                     smdpAddress}
 *   CancelOrder    {header, iccid, eid?, matchingId?, finalProfileStatusIndicator}  -> {header}
 *   ReleaseProfile {header, iccid}                                -> {header}
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/actcode.h"
#include "common/ident.h"
#include "common/json.h"
#include "common/log.h"
#include "smdpplus/es2plus.h"
#include "smdpplus/order.h"
#include "smdpplus/reply.h"
#include "smdpplus/store.h"

/* Maximum length of a confirmation code; rspctl has the same (CLI_MAX_CONFIRMATION_CODE).
 * NOTE: the length and the character set (printable ASCII without spaces) are the project's
 * choice, not SGP.22 limits. */
#define MAX_CONFIRMATION_CODE 64
#define MAX_DETAIL 256

/* One ES2+ request: the decoded fields and what the transaction found. */
struct es2_call {
	const struct smdp *smdp;
	char operator_id[INVENTORY_MAX_OPERATOR + 1];
	/* Request fields; NULL when absent. */
	const char *iccid_in, *eid, *profile_type, *matching_id, *cc, *smds_address, *final_state;
	bool release_flag;
	char iccid[RSP_ICCID_MAX_DIGITS + 1];
	/* Outcome. */
	enum rsp_status status;
	char detail[MAX_DETAIL];
	char out_iccid[RSP_ICCID_MAX_DIGITS + 1];
	char out_eid[RSP_EID_DIGITS + 1];
	char out_matching_id[RSP_MAX_MATCHING_ID + 1];
};

/* Records the outcome of a failed request; returns 1, which also rolls a transaction back. */
static int fail(struct es2_call *call, enum rsp_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct es2_call *call, enum rsp_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(call->detail, sizeof(call->detail), fmt, ap);
	va_end(ap);
	call->status = st;
	return 1;
}

/* Copies the CN of a one-line distinguished name ("/O=x/CN=y" or "CN=y,O=x"). */
static bool subject_cn(const char *subject, char *out, size_t size)
{
	for (const char *p = subject; p && *p; p++) {
		size_t n;

		if (strncmp(p, "CN=", 3) != 0 || (p != subject && !strchr("/, +", p[-1])))
			continue;
		p += 3;
		n = strcspn(p, "/,+");
		if (n == 0 || n >= size)
			return false;
		memcpy(out, p, n);
		out[n] = '\0';
		return true;
	}
	return false;
}

/* Reads the request header and establishes the operator (see es2plus.h). */
static int identify_operator(struct http_request *req, struct es2_call *call,
					 const cJSON *in)
{
	const char *requester = NULL, *call_id = NULL;
	char cn[INVENTORY_MAX_OPERATOR + 1];
	int rc = json_get_request_header(in, &requester, &call_id);

	if (rc != JSON_OK)
		return fail(call, reply_json_status(rc), "header");
	if (!*requester || strlen(requester) > INVENTORY_MAX_OPERATOR)
		return fail(call, RSP_E_FIELD_INVALID, "functionRequesterIdentifier must have 1 to "
			    "%d characters", INVENTORY_MAX_OPERATOR);
	if (call->smdp->set.es2_client_auth) {
		const char *subject = http_request_client_subject(req);

		if (!subject || !subject_cn(subject, cn, sizeof(cn)))
			return fail(call, RSP_E_REQUESTER_UNKNOWN,
				    "no client certificate with a subject CN");
		if (strcmp(cn, requester) != 0)
			return fail(call, RSP_E_REQUESTER_NOT_ALLOWED,
				    "functionRequesterIdentifier \"%s\" is not the certificate's "
				    "operator \"%s\"", requester, cn);
	}
	snprintf(call->operator_id, sizeof(call->operator_id), "%s", requester);
	return RSP_OK;
}

/* Reads an optional string field; JSON null or absence leave *out NULL. */
static int optional_string(struct es2_call *call, const cJSON *in, const char *name,
				       size_t max, const char **out)
{
	int rc = json_get_string(in, name, max, out);

	*out = rc == JSON_OK ? *out : NULL;
	if (rc == JSON_E_MISSING || rc == JSON_OK)
		return RSP_OK;
	return fail(call, reply_json_status(rc), "%s", name);
}

static int check_eid(struct es2_call *call)
{
	if (call->eid && ident_eid_validate(call->eid, strlen(call->eid)) != IDENT_OK)
		return fail(call, RSP_E_EID_INVALID, "EID must be 32 digits with valid check digits");
	return RSP_OK;
}

/* Reads the ICCID into call->iccid (digits without padding). */
static int read_iccid(struct es2_call *call, const cJSON *in, bool mandatory)
{
	if (optional_string(call, in, "iccid", 32, &call->iccid_in) != RSP_OK)
		return call->status;
	if (!call->iccid_in) {
		if (mandatory)
			return fail(call, RSP_E_ICCID_MISSING, "iccid");
		return RSP_OK;
	}
	if (ident_iccid_normalize(call->iccid_in, strlen(call->iccid_in), call->iccid) != IDENT_OK)
		return fail(call, RSP_E_ICCID_INVALID,
			    "iccid must be 19 or 20 digits with a valid Luhn check digit");
	return RSP_OK;
}

/* Locks the profile named by call->iccid and checks the operator may use it. */
static int lock_profile(struct db_conn *c, struct es2_call *call,
				    struct inventory_profile *p)
{
	int rc = store_profile_get_lock(c, call->iccid, p);

	if (rc == DB_E_NOT_FOUND)
		return fail(call, RSP_E_ICCID_UNKNOWN, "%s", call->iccid);
	if (rc != DB_OK)
		return fail(call, RSP_E_INTERNAL, "database error");
	if (p->operator_id[0] && strcmp(p->operator_id, call->operator_id) != 0)
		return fail(call, RSP_E_ICCID_NOT_ALLOWED, "%s", call->iccid);
	return RSP_OK;
}

/* Locks the profile's current order and checks it belongs to the operator. */
static int lock_current_order(struct db_conn *c, struct es2_call *call,
					  const struct inventory_profile *p, struct store_order *o,
					  enum rsp_status none_status)
{
	int rc = store_order_current_lock(c, p->id, o);

	if (rc == DB_E_NOT_FOUND)
		return fail(call, none_status, "profile %s is %s and has no download order",
			    p->iccid, order_state_name(p->state));
	if (rc != DB_OK)
		return fail(call, RSP_E_INTERNAL, "database error");
	if (strcmp(o->operator_id, call->operator_id) != 0)
		return fail(call, RSP_E_ICCID_NOT_ALLOWED, "the order of %s belongs to another "
			    "operator", p->iccid);
	return RSP_OK;
}

/* ---- DownloadOrder ---- */

static int download_order_tx(struct db_conn *c, void *arg)
{
	struct es2_call *call = arg;
	const struct smdp *smdp = call->smdp;
	struct inventory_profile p;
	struct store_new_order no = { 0 };
	enum order_state state = ORDER_AVAILABLE;
	int rc;

	call->status = RSP_OK;
	if (call->iccid[0]) {
		if (lock_profile(c, call, &p) != RSP_OK)
			return 1;
		if (call->profile_type && strcmp(call->profile_type, p.profile_type) != 0)
			return fail(call, RSP_E_PROFILE_TYPE_MISMATCH, "%s is of type %s", p.iccid,
				    p.profile_type);
		if (p.state != ORDER_AVAILABLE)
			return fail(call, RSP_E_ICCID_IN_USE, "%s is %s", p.iccid,
				    order_state_name(p.state));
	} else {
		int64_t total = 0, allowed = 0;

		rc = store_profile_next_available_lock(c, call->profile_type, call->operator_id, &p);
		if (rc == DB_E_NOT_FOUND) {
			if (store_profile_type_count(c, call->profile_type, call->operator_id, &total,
						     &allowed) != DB_OK)
				return fail(call, RSP_E_INTERNAL, "database error");
			if (total == 0)
				return fail(call, RSP_E_PROFILE_TYPE_UNKNOWN, "%s",
					    call->profile_type);
			if (allowed == 0)
				return fail(call, RSP_E_PROFILE_TYPE_NOT_ALLOWED, "%s",
					    call->profile_type);
			return fail(call, RSP_E_PROFILE_TYPE_EXHAUSTED, "%s", call->profile_type);
		}
		if (rc != DB_OK)
			return fail(call, RSP_E_INTERNAL, "database error");
	}

	state = p.state;
	if (order_transition(&state, call->eid ? ORDER_LINKED : ORDER_ALLOCATED, p.iccid,
			     "ES2+ DownloadOrder") != 0)
		return fail(call, RSP_E_ICCID_IN_USE, "%s", p.iccid);
	no.profile_id = p.id;
	no.operator_id = call->operator_id;
	no.state = state;
	no.eid = call->eid;
	no.cc_max_attempts = smdp->set.max_cc_attempts;
	no.download_max_attempts = smdp->set.max_download_attempts;
	no.callback_url = smdp_callback_url(smdp, call->operator_id);
	no.validity_seconds = smdp->set.order_validity_s;
	if (store_order_insert(c, &no, NULL) != DB_OK ||
	    store_profile_set_state(c, p.id, state) != DB_OK)
		return fail(call, RSP_E_INTERNAL, "database error");
	snprintf(call->out_iccid, sizeof(call->out_iccid), "%s", p.iccid);
	return 0;
}

/* ---- ConfirmOrder ---- */

static int confirm_matching_id(struct db_conn *c, struct es2_call *call)
{
	bool used = false;

	if (!call->matching_id) {
		/* Generated ids are random over 103 bits: retry only on the unlikely collision. */
		for (int i = 0; i < 3; i++) {
			if (actcode_generate_matching_id(call->out_matching_id) != ACTCODE_OK)
				return fail(call, RSP_E_INTERNAL, "random generator failed");
			if (store_matching_id_used(c, call->out_matching_id, &used) != DB_OK)
				return fail(call, RSP_E_INTERNAL, "database error");
			if (!used)
				return RSP_OK;
		}
		return fail(call, RSP_E_INTERNAL, "no unused matchingId generated");
	}
	if (!call->matching_id[0]) {
		/* An empty matchingId selects the default SM-DP+ / SM-DS case: the eUICC is found
		 * by its EID alone. */
		if (!call->out_eid[0])
			return fail(call, RSP_E_EID_MISSING, "an empty matchingId needs an EID");
		call->out_matching_id[0] = '\0';
		return RSP_OK;
	}
	if (actcode_validate_matching_id(call->matching_id, strlen(call->matching_id)) !=
	    ACTCODE_OK)
		return fail(call, RSP_E_MATCHING_ID_INVALID,
			    "matchingId must be 1 to %d characters of A-Z, 0-9 and '-'",
			    RSP_MAX_MATCHING_ID);
	if (store_matching_id_used(c, call->matching_id, &used) != DB_OK)
		return fail(call, RSP_E_INTERNAL, "database error");
	if (used)
		return fail(call, RSP_E_MATCHING_ID_CONFLICT, "%s", call->matching_id);
	snprintf(call->out_matching_id, sizeof(call->out_matching_id), "%s", call->matching_id);
	return RSP_OK;
}

static int confirm_order_tx(struct db_conn *c, void *arg)
{
	struct es2_call *call = arg;
	struct inventory_profile p;
	struct store_order o;
	uint8_t cc_hash[CRYPTO_SHA256_LEN];
	enum order_state state;

	call->status = RSP_OK;
	call->out_eid[0] = '\0';
	if (lock_profile(c, call, &p) != RSP_OK ||
	    lock_current_order(c, call, &p, &o, RSP_E_ICCID_ASSOCIATION) != RSP_OK)
		return 1;
	/* ConfirmOrder follows DownloadOrder; any later state is the wrong place for it. */
	if (o.state != ORDER_ALLOCATED && o.state != ORDER_LINKED)
		return fail(call, RSP_E_ICCID_ASSOCIATION, "the order of %s is %s, not Allocated "
			    "or Linked", p.iccid, order_state_name(o.state));
	if (call->eid && o.eid[0] && strcmp(call->eid, o.eid) != 0)
		return fail(call, RSP_E_EID_ASSOCIATED, "%s", p.iccid);
	snprintf(call->out_eid, sizeof(call->out_eid), "%s", call->eid ? call->eid : o.eid);
	if (call->smds_address) {
		if (!call->out_eid[0])
			return fail(call, RSP_E_EID_MISSING, "smdsAddress needs an EID");
		/* NOTE: ES12 event registration at an SM-DS is not implemented yet, so an order
		 * that requests it is rejected rather than confirmed without the event. */
		return fail(call, RSP_E_SMDS_INACCESSIBLE,
			    "this SM-DP+ does not register events at an SM-DS");
	}
	if (confirm_matching_id(c, call) != RSP_OK)
		return 1;
	if (call->cc)
		crypto_sha256((const uint8_t *)call->cc, strlen(call->cc), cc_hash);

	state = o.state;
	if (order_transition(&state, call->release_flag ? ORDER_RELEASED : ORDER_CONFIRMED, p.iccid,
			     "ES2+ ConfirmOrder") != 0)
		return fail(call, RSP_E_ICCID_ASSOCIATION, "%s", p.iccid);
	if (store_order_confirm(c, o.id, state, call->out_eid,
				call->out_matching_id[0] ? call->out_matching_id : NULL,
				call->cc ? cc_hash : NULL, call->release_flag, NULL) != DB_OK ||
	    store_profile_set_state(c, p.id, state) != DB_OK) {
		crypto_zeroize(cc_hash, sizeof(cc_hash));
		return fail(call, RSP_E_INTERNAL, "database error");
	}
	crypto_zeroize(cc_hash, sizeof(cc_hash));
	return 0;
}

/* ---- CancelOrder ---- */

static int cancel_order_tx(struct db_conn *c, void *arg)
{
	struct es2_call *call = arg;
	struct inventory_profile p;
	struct store_order o;
	enum order_state state, to;

	call->status = RSP_OK;
	to = strcmp(call->final_state, "Available") == 0 ? ORDER_AVAILABLE : ORDER_UNAVAILABLE;
	if (lock_profile(c, call, &p) != RSP_OK ||
	    lock_current_order(c, call, &p, &o, RSP_E_ORDER_NOT_CANCELLABLE) != RSP_OK)
		return 1;
	if (call->eid && o.eid[0] && strcmp(call->eid, o.eid) != 0)
		return fail(call, RSP_E_EID_ASSOCIATED, "%s", p.iccid);
	if (call->matching_id && strcmp(call->matching_id, o.matching_id) != 0)
		return fail(call, RSP_E_MATCHING_ID_MISMATCH, "%s", p.iccid);
	/* Once a BPP was delivered the profile may be installed on that eUICC, even when the
	 * order later ended in Error (a lost installation result). Back in the inventory, its
	 * ICCID and keys could go to a second eUICC: only Unavailable ends such an order. */
	if (to == ORDER_AVAILABLE && (o.state == ORDER_DOWNLOADED || o.bpp_euicc_otpk_len > 0)) {
		LOG_WARN("order", &(struct log_ctx){ .subject = p.iccid },
			 "profile state %s -> Available rejected (ES2+ CancelOrder): a BPP was "
			 "delivered", order_state_name(o.state));
		return fail(call, RSP_E_ORDER_NOT_CANCELLABLE, "the BPP of %s was already "
			    "delivered, so the profile may be on an eUICC; cancel with "
			    "finalProfileStatusIndicator Unavailable", p.iccid);
	}
	state = o.state;
	if (order_transition(&state, to, p.iccid, "ES2+ CancelOrder") != 0)
		return fail(call, RSP_E_ORDER_NOT_CANCELLABLE, "the order of %s is %s", p.iccid,
			    order_state_name(o.state));
	/* The order ends: it keeps its final state and no longer belongs to the profile, and
	 * its RSP sessions stop accepting requests. */
	if (store_order_set_state(c, &o, state, false) != DB_OK ||
	    store_session_cancel_others(c, o.id, (const uint8_t *)"", 0, "ES2+ CancelOrder") !=
		    DB_OK)
		return fail(call, RSP_E_INTERNAL, "database error");
	return 0;
}

/* ---- ReleaseProfile ---- */

static int release_profile_tx(struct db_conn *c, void *arg)
{
	struct es2_call *call = arg;
	struct inventory_profile p;
	struct store_order o;
	enum order_state state;

	call->status = RSP_OK;
	if (lock_profile(c, call, &p) != RSP_OK ||
	    lock_current_order(c, call, &p, &o, RSP_E_PROFILE_NOT_RELEASABLE) != RSP_OK)
		return 1;
	state = o.state;
	if (state != ORDER_CONFIRMED ||
	    order_transition(&state, ORDER_RELEASED, p.iccid, "ES2+ ReleaseProfile") != 0)
		return fail(call, RSP_E_PROFILE_NOT_RELEASABLE, "the order of %s is %s", p.iccid,
			    order_state_name(o.state));
	if (store_order_set_state(c, &o, state, true) != DB_OK)
		return fail(call, RSP_E_INTERNAL, "database error");
	return 0;
}

/* ---- request decoding per function ---- */

enum es2_function { ES2_DOWNLOAD_ORDER, ES2_CONFIRM_ORDER, ES2_CANCEL_ORDER, ES2_RELEASE_PROFILE };

static int decode_download_order(struct es2_call *call, const cJSON *in)
{
	if (optional_string(call, in, "eid", RSP_EID_DIGITS, &call->eid) != RSP_OK ||
	    check_eid(call) != RSP_OK || read_iccid(call, in, false) != RSP_OK ||
	    optional_string(call, in, "profileType", INVENTORY_MAX_PROFILE_TYPE,
			    &call->profile_type) != RSP_OK)
		return call->status;
	if (!call->iccid_in && !call->profile_type)
		return fail(call, RSP_E_FIELD_MISSING, "iccid or profileType");
	return RSP_OK;
}

/* Reads the optional confirmationCode: 1 to MAX_CONFIRMATION_CODE printable ASCII characters
 * without spaces. An empty code is rejected rather than taken as none, so an order never ends
 * up without the code its operator meant to set. The message never contains the code. */
static int read_confirmation_code(struct es2_call *call, const cJSON *in)
{
	int rc = json_get_string(in, "confirmationCode", MAX_CONFIRMATION_CODE, &call->cc);
	size_t len;

	if (rc == JSON_E_MISSING) {
		call->cc = NULL;
		return RSP_OK;
	}
	len = rc == JSON_OK ? strlen(call->cc) : 0;
	for (size_t i = 0; i < len && rc == JSON_OK; i++) {
		unsigned char ch = (unsigned char)call->cc[i];

		if (ch <= 0x20 || ch >= 0x7f)
			rc = JSON_E_INVALID;
	}
	if (rc != JSON_OK || len == 0)
		return fail(call, RSP_E_FIELD_INVALID, "confirmationCode must be a string of 1 to "
			    "%d printable ASCII characters without spaces", MAX_CONFIRMATION_CODE);
	return RSP_OK;
}

static int decode_confirm_order(struct es2_call *call, const cJSON *in)
{
	int rc;

	if (read_iccid(call, in, true) != RSP_OK ||
	    optional_string(call, in, "eid", RSP_EID_DIGITS, &call->eid) != RSP_OK ||
	    check_eid(call) != RSP_OK ||
	    optional_string(call, in, "matchingId", RSP_MAX_MATCHING_ID, &call->matching_id) !=
		    RSP_OK ||
	    read_confirmation_code(call, in) != RSP_OK ||
	    optional_string(call, in, "smdsAddress", RSP_MAX_FQDN, &call->smds_address) != RSP_OK)
		return call->status;
	rc = json_get_bool(in, "releaseFlag", &call->release_flag);
	if (rc != JSON_OK)
		return fail(call, reply_json_status(rc), "releaseFlag");
	return RSP_OK;
}

static int decode_cancel_order(struct es2_call *call, const cJSON *in)
{
	int rc;

	if (read_iccid(call, in, true) != RSP_OK ||
	    optional_string(call, in, "eid", RSP_EID_DIGITS, &call->eid) != RSP_OK ||
	    check_eid(call) != RSP_OK ||
	    optional_string(call, in, "matchingId", RSP_MAX_MATCHING_ID, &call->matching_id) !=
		    RSP_OK)
		return call->status;
	rc = json_get_string(in, "finalProfileStatusIndicator", 16, &call->final_state);
	if (rc != JSON_OK)
		return fail(call, reply_json_status(rc), "finalProfileStatusIndicator");
	if (strcmp(call->final_state, "Available") != 0 &&
	    strcmp(call->final_state, "Unavailable") != 0)
		return fail(call, RSP_E_FIELD_INVALID,
			    "finalProfileStatusIndicator must be Available or Unavailable");
	return RSP_OK;
}

static cJSON *build_response(const struct es2_call *call, enum es2_function fn)
{
	cJSON *resp = reply_success();

	if (!resp)
		return NULL;
	if (fn == ES2_DOWNLOAD_ORDER && json_add_string(resp, "iccid", call->out_iccid) != JSON_OK)
		goto fail;
	if (fn == ES2_CONFIRM_ORDER &&
	    ((call->out_eid[0] && json_add_string(resp, "eid", call->out_eid) != JSON_OK) ||
	     json_add_string(resp, "matchingId", call->out_matching_id) != JSON_OK ||
	     json_add_string(resp, "smdpAddress", call->smdp->set.address) != JSON_OK))
		goto fail;
	return resp;
fail:
	cJSON_Delete(resp);
	return NULL;
}

static void serve(struct http_request *req, struct smdp *smdp, enum es2_function fn)
{
	static int (*const tx[])(struct db_conn *, void *) = {
		[ES2_DOWNLOAD_ORDER] = download_order_tx,
		[ES2_CONFIRM_ORDER] = confirm_order_tx,
		[ES2_CANCEL_ORDER] = cancel_order_tx,
		[ES2_RELEASE_PROFILE] = release_profile_tx,
	};
	struct es2_call call = { .smdp = smdp };
	struct db_conn *conn = NULL;
	cJSON *in = NULL, *resp = NULL;
	const char *body;
	size_t len;
	int rc, fn_result = 0;

	body = http_request_body(req, &len);
	if (json_parse_object(body, len, &in) != JSON_OK) {
		fail(&call, RSP_E_JSON_INVALID, "%s", "");
		goto out;
	}
	if (identify_operator(req, &call, in) != RSP_OK)
		goto out;
	switch (fn) {
	case ES2_DOWNLOAD_ORDER:
		decode_download_order(&call, in);
		break;
	case ES2_CONFIRM_ORDER:
		decode_confirm_order(&call, in);
		break;
	case ES2_CANCEL_ORDER:
		decode_cancel_order(&call, in);
		break;
	case ES2_RELEASE_PROFILE:
		read_iccid(&call, in, true);
		break;
	}
	if (call.status != RSP_OK)
		goto out;
	http_request_set_log_ids(req, NULL, call.iccid[0] ? call.iccid : call.profile_type);

	if (db_acquire(smdp->db, http_request_log_ctx(req), &conn) != DB_OK) {
		fail(&call, RSP_E_INTERNAL, "database unavailable");
		goto out;
	}
	rc = db_transaction(conn, DB_READ_COMMITTED, tx[fn], &call, &fn_result);
	if (rc != DB_OK && rc != DB_E_ABORTED && call.status == RSP_OK)
		fail(&call, RSP_E_INTERNAL, "database error");
	if (call.status == RSP_OK) {
		resp = build_response(&call, fn);
		if (!resp)
			fail(&call, RSP_E_INTERNAL, "out of memory");
	}
	if (call.status == RSP_OK && fn == ES2_CONFIRM_ORDER)
		LOG_INFO("es2", http_request_log_ctx(req), "order of %s confirmed by %s, matchingId "
			 "%s%s", call.iccid, call.operator_id, call.out_matching_id,
			 call.release_flag ? ", released" : "");
out:
	reply_send(req, call.status, call.detail[0] ? call.detail : NULL, resp);
	db_release(conn);
	cJSON_Delete(resp);
	cJSON_Delete(in);
}

static void handle_download_order(struct http_request *req, void *arg)
{
	serve(req, arg, ES2_DOWNLOAD_ORDER);
}

static void handle_confirm_order(struct http_request *req, void *arg)
{
	serve(req, arg, ES2_CONFIRM_ORDER);
}

static void handle_cancel_order(struct http_request *req, void *arg)
{
	serve(req, arg, ES2_CANCEL_ORDER);
}

static void handle_release_profile(struct http_request *req, void *arg)
{
	serve(req, arg, ES2_RELEASE_PROFILE);
}

int es2_register(struct http_server *srv, struct smdp *smdp)
{
	static const struct {
		const char *path, *function;
		http_handler_fn fn;
	} routes[] = {
		{ "/gsma/rsp2/es2plus/downloadOrder", "ES2+/downloadOrder", handle_download_order },
		{ "/gsma/rsp2/es2plus/confirmOrder", "ES2+/confirmOrder", handle_confirm_order },
		{ "/gsma/rsp2/es2plus/cancelOrder", "ES2+/cancelOrder", handle_cancel_order },
		{ "/gsma/rsp2/es2plus/releaseProfile", "ES2+/releaseProfile", handle_release_profile },
	};

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		int rc = http_server_route(srv, routes[i].path, routes[i].function, 0,
					   HTTP_ROUTE_RSP_HEADERS, routes[i].fn, smdp);

		if (rc != HTTP_OK)
			return rc;
	}
	return HTTP_OK;
}
