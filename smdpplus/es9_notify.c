/*
 * SGP.22 ES9+.HandleNotification and ES9+.CancelSession.
 *
 * HandleNotification {pendingNotification: b64(PendingNotification)} responds with 204 to every
 * notification it could decode, and records it with the outcome of its verification:
 *
 *   PendingNotification ::= CHOICE {
 *       profileInstallationResult ProfileInstallationResult,   -- BF37
 *       otherSignedNotification OtherSignedNotification }      -- 30
 *   ProfileInstallationResult ::= [55] SEQUENCE {
 *       profileInstallationResultData [39] SEQUENCE {         -- BF27, signed as received
 *           transactionId [0], notificationMetadata [47],     -- 80, BF2F
 *           smdpOid OBJECT IDENTIFIER,                        -- 06
 *           finalResult [2] CHOICE { successResult [0], errorResult [1] } },   -- A2 {A0 | A1}
 *       euiccSignPIR [APPLICATION 55] }                       -- 5F37
 *   OtherSignedNotification ::= SEQUENCE { tbsOtherNotification NotificationMetadata,  -- BF2F
 *       euiccNotificationSignature [APPLICATION 55], euiccCertificate, eumCertificate }
 *   NotificationMetadata ::= [47] SEQUENCE { seqNumber [0], profileManagementOperation [1],
 *       notificationAddress UTF8String, iccid Iccid OPTIONAL }
 *
 * A ProfileInstallationResult is verified with the eUICC certificate of its RSP session and
 * ends the order in Installed or Error; an OtherSignedNotification is verified with the chain
 * it carries and only recorded.
 *
 * CancelSession {transactionId, cancelSessionResponse: b64(CancelSessionResponse)}:
 *   CancelSessionResponse ::= [65] CHOICE {                    -- BF41
 *       cancelSessionResponseOk [0] SEQUENCE {                 -- A0
 *           euiccCancelSessionSigned SEQUENCE { transactionId [0], smdpOid [1], reason [2] },
 *           euiccCancelSessionSignature [APPLICATION 55] },
 *       cancelSessionResponseError [1] INTEGER }
 * postponed(1) and timeout(2) end only the session, so the order can be downloaded later; every
 * other reason also ends the order in Error and is reported to the operator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/ident.h"
#include "common/json.h"
#include "common/log.h"
#include "smdpplus/callback.h"
#include "smdpplus/es9_internal.h"
#include "smdpplus/order.h"
#include "smdpplus/reply.h"
#include "smdpplus/store.h"

#define MAX_PENDING_NOTIFICATION (16 * 1024)
#define MAX_CANCEL_SESSION_RESPONSE 1024
#define MAX_RESULT 128

/* CancelSessionReason values that leave the order open. */
#define CANCEL_POSTPONED 1
#define CANCEL_TIMEOUT   2

/* ---- HandleNotification ---- */

struct notify_state {
	struct es9_call *call;
	const uint8_t *raw;
	size_t raw_len;
	struct der_tlv data, signature, tid, metadata, final_result;
	/* Filled while processing and recorded. */
	char kind[16];
	char eid[RSP_EID_DIGITS + 1];
	char iccid[RSP_ICCID_MAX_DIGITS + 1];
	int64_t seq_number;
	bool verified;
	char result[MAX_RESULT];
	int64_t order_id;
};

/* Reads seqNumber, the operation and the ICCID of NotificationMetadata. */
static void read_metadata(struct notify_state *st, const struct der_tlv *meta)
{
	struct der_tlv seq, pmo, iccid;

	st->seq_number = -1;
	if (der_find(meta, 0x80, &seq) == DER_OK && seq.len >= 1 && seq.len <= 4) {
		st->seq_number = 0;
		for (size_t i = 0; i < seq.len; i++)
			st->seq_number = (st->seq_number << 8) | seq.value[i];
	}
	if (der_find(meta, 0x81, &pmo) == DER_OK && pmo.len >= 2) {
		/* profileManagementOperation NotificationEvent BIT STRING: first content byte is the
		 * unused-bit count, then install(0), enable(1), disable(2), delete(3). */
		uint8_t bits = pmo.value[1];
		const char *kind = "unknown";

		if (bits & 0x80)
			kind = "install";
		else if (bits & 0x40)
			kind = "enable";
		else if (bits & 0x20)
			kind = "disable";
		else if (bits & 0x10)
			kind = "delete";
		snprintf(st->kind, sizeof(st->kind), "%s", kind);
	}
	if (der_find(meta, 0x5A, &iccid) == DER_OK && iccid.len == RSP_ICCID_LEN)
		ident_iccid_from_bcd(iccid.value, st->iccid);
}

static int record(struct db_conn *c, struct notify_state *st)
{
	struct store_notification n = {
		.kind = st->kind[0] ? st->kind : "unknown",
		.transaction_id = st->tid.len ? st->tid.value : NULL,
		.transaction_id_len = st->tid.len,
		.eid = st->eid[0] ? st->eid : NULL,
		.iccid = st->iccid[0] ? st->iccid : NULL,
		.seq_number = st->seq_number,
		.verified = st->verified,
		.result = st->result,
		.order_id = st->order_id,
		.raw = st->raw,
		.raw_len = st->raw_len,
	};

	return store_notification_insert(c, &n);
}

/*
 * Records a verified installation result whose order ended before it arrived (CancelOrder,
 * an attempt limit, expiry). The profile may have a new order or state by now: neither
 * changes. An open session still ends in Completed.
 */
static int record_late_result(struct db_conn *c, struct notify_state *st,
			      struct store_session *s, const struct store_order *o)
{
	struct es9_call *call = st->call;
	struct inventory_profile p;
	size_t n = strlen(st->result);

	snprintf(st->result + n, sizeof(st->result) - n, " (late: order already %s)",
		 order_state_name(o->state));
	if (store_profile_get(c, o->iccid, &p) != DB_OK)
		return es9_fail(call, RSP_E_INTERNAL, "database error");
	LOG_WARN("es9", http_request_log_ctx(call->req), "installation result for %s arrived "
		 "after its order ended in %s: %s; recorded only, the profile stays %s", o->iccid,
		 order_state_name(o->state), st->result, order_state_name(p.state));
	if (session_transition_allowed(s->state, SESSION_COMPLETED) &&
	    (session_transition(&s->state, SESSION_COMPLETED, s->transaction_id_hex,
				"late ProfileInstallationResult") != 0 ||
	     store_session_set_state(c, s->transaction_id, RSP_TRANSACTION_ID_LEN, s->state) !=
		     DB_OK))
		return es9_fail(call, RSP_E_INTERNAL, "database error");
	return 0;
}

/* Applies a verified ProfileInstallationResult to its order and session. */
static int apply_installation_result(struct db_conn *c, struct notify_state *st,
				     struct store_session *s)
{
	struct es9_call *call = st->call;
	struct der_tlv outcome, cmd, reason;
	struct der_iter it;
	struct store_order o;
	enum order_state state;
	bool success;

	der_iter_init(&it, &st->final_result);
	if (der_iter_next(&it, &outcome) != 1 || (outcome.tag != 0xA0 && outcome.tag != 0xA1)) {
		snprintf(st->result, sizeof(st->result), "finalResult malformed");
		return 0;
	}
	success = outcome.tag == 0xA0;
	if (success) {
		snprintf(st->result, sizeof(st->result), "success");
	} else {
		long cmd_v = -1, reason_v = -1;

		if (der_find(&outcome, 0x80, &cmd) == DER_OK && cmd.len == 1)
			cmd_v = cmd.value[0];
		if (der_find(&outcome, 0x81, &reason) == DER_OK && reason.len == 1)
			reason_v = reason.value[0];
		snprintf(st->result, sizeof(st->result), "error bppCommandId %ld errorReason %ld",
			 cmd_v, reason_v);
	}
	if (s->state == SESSION_COMPLETED) {
		snprintf(st->result + strlen(st->result), sizeof(st->result) - strlen(st->result),
			 " (repeated)");
		return 0;
	}
	if (store_order_get_lock(c, s->order_id, &o) != DB_OK)
		return es9_fail(call, RSP_E_INTERNAL, "order of the session not found");
	if (!o.is_current || !order_state_is_open(o.state))
		return record_late_result(c, st, s, &o);
	state = o.state;
	if (order_transition(&state, success ? ORDER_INSTALLED : ORDER_ERROR, o.iccid,
			     "ES9+ ProfileInstallationResult") == 0) {
		if (store_order_set_state(c, &o, state, true) != DB_OK ||
		    callback_queue(c, call->smdp, &o, s->eid, CALLBACK_POINT_BPP_INSTALLATION,
				   success ? RSP_OK : RSP_E_LOAD_BPP_ERROR, st->raw,
				   st->raw_len) != DB_OK)
			return es9_fail(call, RSP_E_INTERNAL, "database error");
	}
	if (session_transition(&s->state, SESSION_COMPLETED, s->transaction_id_hex,
			       "ProfileInstallationResult") == 0 &&
	    store_session_set_state(c, s->transaction_id, RSP_TRANSACTION_ID_LEN, s->state) != DB_OK)
		return es9_fail(call, RSP_E_INTERNAL, "database error");
	LOG_INFO("es9", http_request_log_ctx(call->req), "installation result for %s: %s",
		 o.iccid, st->result);
	return 0;
}

static int installation_result_tx(struct db_conn *c, void *arg)
{
	struct notify_state *st = arg;
	struct es9_call *call = st->call;
	struct store_session s;
	struct cert *euicc = NULL;
	int rc;

	call->status = RSP_OK;
	st->verified = false;
	st->order_id = 0;
	snprintf(st->kind, sizeof(st->kind), "install");
	rc = store_session_get_lock(c, st->tid.value, st->tid.len, &s);
	if (rc == DB_E_NOT_FOUND) {
		snprintf(st->result, sizeof(st->result), "unknown transactionId");
	} else if (rc != DB_OK) {
		es9_fail(call, RSP_E_INTERNAL, "database error");
		goto out;
	} else if (!s.euicc_certificate ||
		   cert_parse(s.euicc_certificate, s.euicc_certificate_len, &euicc) != PKI_OK) {
		snprintf(st->result, sizeof(st->result), "session has no eUICC certificate");
	} else if (es9_verify(euicc, st->data.raw, st->data.raw_len, &st->signature)) {
		snprintf(st->result, sizeof(st->result), "invalid euiccSignPIR");
	} else {
		st->verified = true;
		st->order_id = s.order_id;
		snprintf(st->eid, sizeof(st->eid), "%s", s.eid);
		http_request_set_log_ids(call->req, s.transaction_id_hex, s.eid);
		if (apply_installation_result(c, st, &s))
			goto out;
	}
	if (record(c, st) != DB_OK)
		es9_fail(call, RSP_E_INTERNAL, "database error");
out:
	cert_free(euicc);
	store_session_clear(&s);
	return call->status == RSP_OK ? 0 : 1;
}

/* Verifies an OtherSignedNotification with the chain it carries and records it. */
static int other_notification_tx(struct db_conn *c, void *arg)
{
	struct notify_state *st = arg;
	struct es9_call *call = st->call;
	struct chain_euicc_result chain = { 0 };
	struct der_tlv top, euicc_cert, eum_cert;
	struct der_iter it;
	struct cert *eum = NULL;
	int rc;

	call->status = RSP_OK;
	st->verified = false;
	if (der_read_exact(st->raw, st->raw_len, 0x30, &top) != DER_OK)
		return es9_fail(call, RSP_E_FIELD_INVALID, "pendingNotification");
	der_iter_init(&it, &top);
	if (der_iter_next(&it, &st->metadata) != 1 || st->metadata.tag != 0xBF2F ||
	    der_iter_next(&it, &st->signature) != 1 || st->signature.tag != 0x5F37 ||
	    der_iter_next(&it, &euicc_cert) != 1 || euicc_cert.tag != 0x30 ||
	    der_iter_next(&it, &eum_cert) != 1 || eum_cert.tag != 0x30)
		return es9_fail(call, RSP_E_FIELD_INVALID, "otherSignedNotification is malformed");
	read_metadata(st, &st->metadata);

	rc = cert_parse(eum_cert.raw, eum_cert.raw_len, &eum);
	if (rc == PKI_OK)
		rc = chain_verify_euicc(call->smdp->ci, eum->aki, eum->aki_len, eum_cert.raw,
					eum_cert.raw_len, euicc_cert.raw, euicc_cert.raw_len,
					time(NULL), &chain);
	if (rc != PKI_OK) {
		snprintf(st->result, sizeof(st->result), "certificate chain: %s", pki_status_str(rc));
	} else if (es9_verify(chain.euicc, st->metadata.raw, st->metadata.raw_len,
			      &st->signature)) {
		snprintf(st->eid, sizeof(st->eid), "%s", chain.eid);
		snprintf(st->result, sizeof(st->result), "invalid euiccNotificationSignature");
	} else {
		snprintf(st->eid, sizeof(st->eid), "%s", chain.eid);
		st->verified = true;
		snprintf(st->result, sizeof(st->result), "success");
	}
	/* NOTE: enable, disable and delete notifications are recorded only; which ES2+
	 * notification point would forward them to the operator is not settled. */
	LOG_INFO("es9", http_request_log_ctx(call->req), "%s notification for %s: %s", st->kind,
		 st->iccid[0] ? st->iccid : "-", st->result);
	if (record(c, st) != DB_OK)
		es9_fail(call, RSP_E_INTERNAL, "database error");
	cert_free(eum);
	chain_euicc_result_clear(&chain);
	return call->status == RSP_OK ? 0 : 1;
}

static int decode_installation_result(struct es9_call *call, struct notify_state *st)
{
	struct der_tlv top;
	struct der_iter it;

	if (es9_read_tlv(call, st->raw, st->raw_len, 0xBF37, "profileInstallationResult", &top))
		return 1;
	der_iter_init(&it, &top);
	if (der_iter_next(&it, &st->data) != 1 || st->data.tag != 0xBF27 ||
	    der_iter_next(&it, &st->signature) != 1 || st->signature.tag != 0x5F37)
		return es9_fail(call, RSP_E_FIELD_INVALID, "profileInstallationResult is malformed");
	if (es9_find(call, &st->data, 0x80, "transactionId", &st->tid) ||
	    es9_find(call, &st->data, 0xBF2F, "notificationMetadata", &st->metadata) ||
	    es9_find(call, &st->data, 0xA2, "finalResult", &st->final_result))
		return 1;
	if (st->tid.len == 0 || st->tid.len > RSP_TRANSACTION_ID_LEN)
		return es9_fail(call, RSP_E_FIELD_INVALID, "transactionId length");
	read_metadata(st, &st->metadata);
	return 0;
}

void es9_handle_notification(struct http_request *req, void *arg)
{
	struct es9_call call = { .smdp = arg, .req = req };
	struct notify_state st = { .call = &call, .seq_number = -1 };
	struct db_conn *conn = NULL;
	uint8_t *raw = NULL;
	size_t raw_len = 0;
	int (*tx)(struct db_conn *, void *);
	int rc;

	if (es9_parse(&call) ||
	    es9_get_base64(&call, "pendingNotification", MAX_PENDING_NOTIFICATION, &raw, &raw_len))
		goto out;
	st.raw = raw;
	st.raw_len = raw_len;
	if (raw_len >= 2 && raw[0] == 0xBF && raw[1] == 0x37) {
		if (decode_installation_result(&call, &st))
			goto out;
		ident_hex_encode(st.tid.value, st.tid.len, call.tid_hex, sizeof(call.tid_hex));
		http_request_set_log_ids(req, call.tid_hex, NULL);
		tx = installation_result_tx;
	} else {
		tx = other_notification_tx;
	}
	if (db_acquire(call.smdp->db, http_request_log_ctx(req), &conn) != DB_OK) {
		es9_fail(&call, RSP_E_INTERNAL, "database unavailable");
		goto out;
	}
	rc = db_transaction(conn, DB_READ_COMMITTED, tx, &st, NULL);
	if (rc != DB_OK && rc != DB_E_ABORTED && call.status == RSP_OK)
		es9_fail(&call, RSP_E_INTERNAL, "database error");
out:
	if (call.status == RSP_OK) {
		/* SGP.22: a notification function responds with 204 No Content. */
		http_request_set_outcome(req, "notification recorded");
		http_send_no_content(req);
	} else {
		es9_reply(&call, NULL);
	}
	db_release(conn);
	free(raw);
	es9_call_clear(&call);
}

/* ---- CancelSession ---- */

struct cancel_state {
	struct es9_call *call;
	struct der_tlv signed_part, signature, inner_tid, oid, reason;
	long reason_value;
};

/* The status reported to the operator for a CancelSession reason. */
static enum rsp_status cancel_reason_status(long reason)
{
	switch (reason) {
	case 0:
		return RSP_E_END_USER_REJECTION;
	case 3:
		return RSP_E_PPR_NOT_ALLOWED;
	case 4:
		return RSP_E_METADATA_MISMATCH;
	case 5:
		return RSP_E_LOAD_BPP_ERROR;
	default:
		return RSP_E_UNDEFINED_REASON;
	}
}

static int decode_cancel(struct es9_call *call, const uint8_t *buf, size_t len,
			 struct cancel_state *st)
{
	struct der_tlv top, ok, tlv;
	struct der_iter it;

	if (es9_read_tlv(call, buf, len, 0xBF41, "cancelSessionResponse", &top))
		return 1;
	if (der_find(&top, 0x81, &tlv) == DER_OK)
		return es9_fail(call, RSP_E_FIELD_INVALID,
				"the eUICC returned cancelSessionResponseError");
	if (es9_find(call, &top, 0xA0, "cancelSessionResponseOk", &ok))
		return 1;
	der_iter_init(&it, &ok);
	if (der_iter_next(&it, &st->signed_part) != 1 || st->signed_part.tag != 0x30 ||
	    der_iter_next(&it, &st->signature) != 1 || st->signature.tag != 0x5F37 ||
	    st->signature.len != CRYPTO_SIG_LEN)
		return es9_fail(call, RSP_E_FIELD_INVALID, "cancelSessionResponseOk is malformed");
	if (es9_find(call, &st->signed_part, 0x80, "euiccCancelSessionSigned.transactionId",
		     &st->inner_tid) ||
	    es9_find(call, &st->signed_part, 0x81, "euiccCancelSessionSigned.smdpOid", &st->oid) ||
	    es9_find(call, &st->signed_part, 0x82, "euiccCancelSessionSigned.reason", &st->reason))
		return 1;
	if (st->reason.len != 1 && !(st->reason.len == 2 && st->reason.value[0] == 0))
		return es9_fail(call, RSP_E_FIELD_INVALID, "reason");
	st->reason_value = st->reason.value[st->reason.len - 1];
	return 0;
}

/* Ends the order of a cancelled session when the reason is final. */
static int cancel_order(struct db_conn *c, struct cancel_state *st, struct store_session *s,
			enum session_state before)
{
	struct es9_call *call = st->call;
	struct store_order o;
	enum order_state state;
	enum callback_point point;

	if (!s->order_id || st->reason_value == CANCEL_POSTPONED ||
	    st->reason_value == CANCEL_TIMEOUT)
		return 0;
	if (store_order_get_lock(c, s->order_id, &o) != DB_OK)
		return es9_fail(call, RSP_E_INTERNAL, "order of the session not found");
	state = o.state;
	if (!o.is_current || !order_state_is_open(state) ||
	    order_transition(&state, ORDER_ERROR, o.iccid, "ES9+ CancelSession") != 0)
		return 0;
	/* NOTE: SGP.22 does not fix the notification point of a cancelled download. This reports
	 * the point reached: BPP installation once a BPP was delivered, else BPP download. */
	point = before == SESSION_BOUND ? CALLBACK_POINT_BPP_INSTALLATION :
					  CALLBACK_POINT_BPP_DOWNLOAD;
	if (store_order_set_state(c, &o, state, true) != DB_OK ||
	    callback_queue(c, call->smdp, &o, s->eid, point,
			   cancel_reason_status(st->reason_value), NULL, 0) != DB_OK)
		return es9_fail(call, RSP_E_INTERNAL, "database error");
	return 0;
}

static int cancel_tx(struct db_conn *c, void *arg)
{
	struct cancel_state *st = arg;
	struct es9_call *call = st->call;
	const struct smdp_settings *set = &call->smdp->set;
	struct store_session s;
	struct cert *euicc = NULL;
	enum session_state before;
	int rc;

	call->status = RSP_OK;
	call->detail[0] = '\0';
	rc = store_session_get_lock(c, call->tid, call->tid_len, &s);
	if (rc == DB_E_NOT_FOUND || (rc == DB_OK && (s.expired || !session_state_is_open(s.state)))) {
		es9_fail(call, RSP_E_TRANSACTION_UNKNOWN, "%s", "");
		goto out;
	}
	if (rc != DB_OK) {
		es9_fail(call, RSP_E_INTERNAL, "database error");
		goto out;
	}
	if (st->inner_tid.len != call->tid_len ||
	    memcmp(st->inner_tid.value, call->tid, call->tid_len) != 0) {
		es9_fail(call, RSP_E_TRANSACTION_UNKNOWN, "euiccCancelSessionSigned.transactionId "
			 "differs");
		goto out;
	}
	/* Before AuthenticateClient succeeded the session has no eUICC certificate and no order.
	 * Closing it changes nothing else, so the unverifiable request is accepted. */
	if (s.euicc_certificate) {
		if (cert_parse(s.euicc_certificate, s.euicc_certificate_len, &euicc) != PKI_OK) {
			es9_fail(call, RSP_E_INTERNAL, "session data unusable");
			goto out;
		}
		if (es9_verify(euicc, st->signed_part.raw, st->signed_part.raw_len,
			       &st->signature)) {
			es9_fail(call, RSP_E_EUICC_SIGNATURE_INVALID, "euiccCancelSessionSignature");
			goto out;
		}
	}
	if (st->oid.len != set->oid_der_len ||
	    memcmp(st->oid.value, set->oid_der, set->oid_der_len) != 0) {
		es9_fail(call, RSP_E_SMDP_OID_MISMATCH, "%s", "");
		goto out;
	}
	before = s.state;
	if (session_transition(&s.state, SESSION_CANCELLED, call->tid_hex,
			       "ES9+ CancelSession") != 0 ||
	    store_session_set_state(c, call->tid, call->tid_len, s.state) != DB_OK) {
		es9_fail(call, RSP_E_INTERNAL, "database error");
		goto out;
	}
	if (s.euicc_certificate && cancel_order(c, st, &s, before))
		goto out;
	LOG_INFO("es9", http_request_log_ctx(call->req), "session cancelled, reason %ld",
		 st->reason_value);
out:
	cert_free(euicc);
	store_session_clear(&s);
	return call->status == RSP_OK ? 0 : 1;
}

void es9_cancel_session(struct http_request *req, void *arg)
{
	struct es9_call call = { .smdp = arg, .req = req };
	struct cancel_state st = { .call = &call };
	struct db_conn *conn = NULL;
	uint8_t *csr = NULL;
	size_t csr_len = 0;
	int rc;

	if (es9_parse(&call) || es9_get_transaction_id(&call) ||
	    es9_get_base64(&call, "cancelSessionResponse", MAX_CANCEL_SESSION_RESPONSE, &csr,
			   &csr_len) ||
	    decode_cancel(&call, csr, csr_len, &st))
		goto out;
	if (db_acquire(call.smdp->db, http_request_log_ctx(req), &conn) != DB_OK) {
		es9_fail(&call, RSP_E_INTERNAL, "database unavailable");
		goto out;
	}
	rc = db_transaction(conn, DB_READ_COMMITTED, cancel_tx, &st, NULL);
	if (rc != DB_OK && rc != DB_E_ABORTED && call.status == RSP_OK)
		es9_fail(&call, RSP_E_INTERNAL, "database error");
out:
	/* CancelSessionOk carries no field: the response is the header alone. */
	es9_reply(&call, NULL);
	db_release(conn);
	free(csr);
	es9_call_clear(&call);
}
