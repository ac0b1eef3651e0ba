/*
 * SGP.22 ES9+.AuthenticateClient: the SM-DP+ verifies the eUICC and finds its download order.
 *
 *   request  {transactionId, authenticateServerResponse: b64(AuthenticateServerResponse)}
 *   response {header, transactionId, profileMetadata, smdpSigned2, smdpSignature2,
 *             smdpCertificate}
 *
 *   AuthenticateServerResponse ::= [56] CHOICE {                         -- BF38
 *       authenticateResponseOk [0] SEQUENCE {                            -- A0
 *           euiccSigned1 EuiccSigned1,                                   -- 30, signed as received
 *           euiccSignature1 [APPLICATION 55] OCTET STRING,               -- 5F37
 *           euiccCertificate Certificate, eumCertificate Certificate },  -- 30, 30
 *       authenticateResponseError [1] SEQUENCE { transactionId [0], authenticateErrorCode } }
 *   EuiccSigned1 ::= SEQUENCE { transactionId [0], serverAddress [3], serverChallenge [4],
 *       euiccInfo2 [34], ctxParams1 CtxParams1 }      -- ctxParams1 [0] { matchingId [0] ... }
 *   SmdpSigned2 ::= SEQUENCE { transactionId [0], ccRequiredFlag BOOLEAN,
 *       bppEuiccOtpk [APPLICATION 73] OCTET STRING OPTIONAL }
 *
 * smdpSignature2 is made with SK.DPpb over smdpSigned2 followed by the euiccSignature1 TLV.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/json.h"
#include "common/log.h"
#include "smdpplus/callback.h"
#include "smdpplus/es8plus.h"
#include "smdpplus/es9_internal.h"
#include "smdpplus/order.h"
#include "smdpplus/reply.h"
#include "smdpplus/store.h"

#define TAG_AUTH_SERVER_RESPONSE 0xBF38
#define MAX_AUTH_SERVER_RESPONSE (16 * 1024)

/* The signed parts of AuthenticateServerResponse, each pointing into the received bytes. */
struct auth_request {
	struct der_tlv signed1, signature1, euicc_cert, eum_cert;
	struct der_tlv inner_tid, server_challenge;
	const char *matching_id; /* NUL-terminated copy, empty when absent */
	char matching_id_buf[RSP_MAX_MATCHING_ID + 1];
};

/* Decoded result of the transaction. */
struct auth_state {
	struct es9_call *call;
	const struct auth_request *ar;
	struct chain_euicc_result chain;
	const struct smdp_identity *id;
	struct der_buf signed2, metadata;
	uint8_t signature2[3 + CRYPTO_SIG_LEN];
	char eid[RSP_EID_DIGITS + 1];
	char iccid[RSP_ICCID_MAX_DIGITS + 1];
};

static int decode_request(struct es9_call *call, const uint8_t *buf, size_t len,
			  struct auth_request *ar)
{
	struct der_tlv top, ok, ctx, mid, tlv;
	struct der_iter it;

	memset(ar, 0, sizeof(*ar));
	ar->matching_id = ar->matching_id_buf;
	if (es9_read_tlv(call, buf, len, TAG_AUTH_SERVER_RESPONSE, "authenticateServerResponse",
			 &top))
		return 1;
	if (der_find(&top, 0xA1, &tlv) == DER_OK)
		return es9_fail(call, RSP_E_FIELD_INVALID,
				"the eUICC returned authenticateResponseError");
	if (es9_find(call, &top, 0xA0, "authenticateResponseOk", &ok))
		return 1;
	/* The four components in order: euiccSigned1, euiccSignature1, two certificates. */
	der_iter_init(&it, &ok);
	if (der_iter_next(&it, &ar->signed1) != 1 || ar->signed1.tag != 0x30 ||
	    der_iter_next(&it, &ar->signature1) != 1 || ar->signature1.tag != 0x5F37 ||
	    ar->signature1.len != CRYPTO_SIG_LEN ||
	    der_iter_next(&it, &ar->euicc_cert) != 1 || ar->euicc_cert.tag != 0x30 ||
	    der_iter_next(&it, &ar->eum_cert) != 1 || ar->eum_cert.tag != 0x30)
		return es9_fail(call, RSP_E_FIELD_INVALID, "authenticateResponseOk is malformed");
	if (es9_find(call, &ar->signed1, 0x80, "euiccSigned1.transactionId", &ar->inner_tid) ||
	    es9_find(call, &ar->signed1, 0x84, "euiccSigned1.serverChallenge",
		     &ar->server_challenge) ||
	    es9_find(call, &ar->signed1, 0xA0, "euiccSigned1.ctxParams1", &ctx))
		return 1;
	if (der_find(&ctx, 0x80, &mid) == DER_OK) {
		if (mid.len > RSP_MAX_MATCHING_ID || memchr(mid.value, 0, mid.len))
			return es9_fail(call, RSP_E_FIELD_INVALID, "matchingId too long or invalid");
		memcpy(ar->matching_id_buf, mid.value, mid.len);
		ar->matching_id_buf[mid.len] = '\0';
	}
	return 0;
}

/* Maps a failed eUICC chain verification to its SGP.22 status. */
static enum rsp_status chain_status(int rc, enum chain_position pos)
{
	switch (rc) {
	case PKI_E_UNKNOWN_CI:
		return RSP_E_CI_PKID_UNKNOWN;
	case PKI_E_EUM_EXPIRED:
		return RSP_E_EUM_CERT_EXPIRED;
	case PKI_E_EUICC_EXPIRED:
		return RSP_E_EUICC_CERT_EXPIRED;
	case PKI_E_EID_RANGE:
		return RSP_E_EID_OUT_OF_RANGE;
	case PKI_E_EUICC_INVALID:
		return RSP_E_EUICC_CERT_INVALID;
	case PKI_E_EUM_INVALID:
		return RSP_E_EUM_CERT_INVALID;
	case PKI_E_EXPIRED:
		return pos == CHAIN_POS_CI ? RSP_E_CI_PKID_UNKNOWN : RSP_E_EUM_CERT_EXPIRED;
	case PKI_E_NOMEM:
		return RSP_E_INTERNAL;
	default:
		return pos == CHAIN_POS_EUICC ? RSP_E_EUICC_CERT_INVALID : RSP_E_EUM_CERT_INVALID;
	}
}

/* Finds the order: by matchingId, or by EID alone when the matchingId is absent or empty
 * (SGP.22 default SM-DP+ case). */
static int find_order(struct db_conn *c, struct auth_state *st, struct store_order *o)
{
	struct es9_call *call = st->call;
	const char *mid = st->ar->matching_id;
	int rc;

	if (mid[0])
		rc = store_order_by_matching_id_lock(c, mid, o);
	else
		rc = store_order_pending_for_eid_lock(c, st->eid, o);
	if (rc == DB_E_NOT_FOUND && mid[0])
		return es9_fail(call, RSP_E_MATCHING_ID_REFUSED, "%s", mid);
	if (rc == DB_E_NOT_FOUND)
		return es9_fail(call, RSP_E_EID_MISMATCH, "no pending order for this EID");
	if (rc != DB_OK)
		return es9_fail(call, RSP_E_INTERNAL, "database error");
	return 0;
}

/* Ends an order in Error after a limit was hit, and queues the operator callback. The
 * transaction commits, so the change stays although the request fails. */
static int end_order(struct db_conn *c, struct auth_state *st, struct store_order *o,
		     enum rsp_status why, const char *what)
{
	struct es9_call *call = st->call;
	enum order_state state = o->state;

	es9_fail(call, why, "%s", what);
	if (order_transition(&state, ORDER_ERROR, o->iccid, what) == 0 &&
	    (store_order_set_state(c, o, state, true) != DB_OK ||
	     callback_queue(c, call->smdp, o, st->eid, CALLBACK_POINT_ELIGIBILITY, why, NULL, 0) !=
		     DB_OK))
		return es9_fail(call, RSP_E_INTERNAL, "database error");
	call->commit = true;
	return 1;
}

/* SGP.22 eligibility and retry-limit checks on the order (notification point 1). */
static int check_order(struct db_conn *c, struct auth_state *st, struct store_order *o)
{
	struct es9_call *call = st->call;

	if (o->eid[0] && strcmp(o->eid, st->eid) != 0)
		return es9_fail(call, RSP_E_EID_MISMATCH, "the order is for another EID");
	switch (o->state) {
	case ORDER_RELEASED:
	case ORDER_DOWNLOADED:
		break;
	case ORDER_ALLOCATED:
	case ORDER_LINKED:
	case ORDER_CONFIRMED:
		return es9_fail(call, RSP_E_PROFILE_NOT_RELEASED, "order is %s",
				order_state_name(o->state));
	default:
		/* Installed, Error or withdrawn: the matchingId no longer leads to a download. */
		return es9_fail(call, RSP_E_MATCHING_ID_REFUSED, "order is %s",
				order_state_name(o->state));
	}
	if (o->expired)
		return end_order(c, st, o, RSP_E_ORDER_EXPIRED, "download order expired");
	if (o->download_attempts >= o->download_max_attempts)
		return end_order(c, st, o, RSP_E_DOWNLOAD_RETRIES, "download attempts exhausted");
	return 0;
}

/* Builds smdpSigned2, smdpSignature2 and the profile metadata. */
static int sign_for_order(struct auth_state *st, const struct store_order *o)
{
	struct es9_call *call = st->call;
	static const uint8_t cc_true = 0xFF, cc_false = 0x00;
	struct der_buf tbs;
	uint8_t sig[CRYPTO_SIG_LEN];
	size_t mark;
	int rc = 1;

	der_buf_free(&st->signed2);
	der_buf_free(&st->metadata);
	der_buf_init(&st->signed2, 256);
	der_buf_init(&st->metadata, 512);
	der_buf_init(&tbs, 512);
	mark = der_begin(&st->signed2, 0x30);
	der_put_tlv(&st->signed2, 0x80, call->tid, call->tid_len);
	der_put_tlv(&st->signed2, 0x01, o->has_cc ? &cc_true : &cc_false, 1);
	/* A BPP was bound before: the eUICC may reuse that otPK so the same BPP can be sent. */
	if (o->state == ORDER_DOWNLOADED && o->bpp_euicc_otpk_len == CRYPTO_POINT_LEN)
		der_put_tlv(&st->signed2, 0x5F49, o->bpp_euicc_otpk, CRYPTO_POINT_LEN);
	der_end(&st->signed2, mark);
	der_put_raw(&tbs, st->signed2.data, st->signed2.len);
	der_put_raw(&tbs, st->ar->signature1.raw, st->ar->signature1.raw_len);
	if (tbs.status != DER_OK || st->signed2.status != DER_OK ||
	    crypto_sign(st->id->dppb_key, tbs.data, tbs.len, sig) != CRYPTO_OK) {
		es9_fail(call, RSP_E_INTERNAL, "signing smdpSigned2 failed");
		goto out;
	}
	memcpy(st->signature2, "\x5F\x37\x40", 3);
	memcpy(st->signature2 + 3, sig, sizeof(sig));
	if (bpp_store_metadata(o->iccid, o->service_provider_name, o->profile_name,
			       &st->metadata) != BPP_OK) {
		es9_fail(call, RSP_E_INTERNAL, "profile metadata of %s invalid", o->iccid);
		goto out;
	}
	rc = 0;
out:
	der_buf_free(&tbs);
	return rc;
}

static int authenticate_tx(struct db_conn *c, void *arg)
{
	struct auth_state *st = arg;
	struct es9_call *call = st->call;
	const struct auth_request *ar = st->ar;
	struct store_session s, upd = { 0 };
	struct store_order o;
	char replaced[64];
	enum crypto_curve curve = CRYPTO_CURVE_NONE;
	int rc, result = 1;

	call->status = RSP_OK;
	call->commit = false;
	call->detail[0] = '\0';
	chain_euicc_result_clear(&st->chain);

	rc = store_session_get_lock(c, call->tid, call->tid_len, &s);
	if (rc == DB_E_NOT_FOUND || (rc == DB_OK && (s.expired || s.state != SESSION_INITIATED))) {
		es9_fail(call, RSP_E_TRANSACTION_UNKNOWN, "%s", "");
		goto out;
	}
	if (rc != DB_OK) {
		es9_fail(call, RSP_E_INTERNAL, "database error");
		goto out;
	}
	if (ar->inner_tid.len != call->tid_len ||
	    memcmp(ar->inner_tid.value, call->tid, call->tid_len) != 0) {
		es9_fail(call, RSP_E_TRANSACTION_UNKNOWN, "euiccSigned1.transactionId differs");
		goto out;
	}
	if (strcmp(s.curve, crypto_curve_name(CRYPTO_CURVE_P256)) == 0)
		curve = CRYPTO_CURVE_P256;
	else if (strcmp(s.curve, crypto_curve_name(CRYPTO_CURVE_BRAINPOOLP256R1)) == 0)
		curve = CRYPTO_CURVE_BRAINPOOLP256R1;
	st->id = smdp_identity_for_curve(call->smdp, curve);
	if (!st->id) {
		es9_fail(call, RSP_E_INTERNAL, "no keys for curve %s", s.curve);
		goto out;
	}

	/* The eUICC: certificate chain up to the CI chosen in InitiateAuthentication, its
	 * signature over euiccSigned1 as received, then the challenge of this session. */
	rc = chain_verify_euicc(call->smdp->ci, s.ci_pkid, s.ci_pkid_len, ar->eum_cert.raw,
				ar->eum_cert.raw_len, ar->euicc_cert.raw, ar->euicc_cert.raw_len,
				time(NULL), &st->chain);
	if (rc != PKI_OK) {
		es9_fail(call, chain_status(rc, st->chain.failed), "%s", pki_status_str(rc));
		goto out;
	}
	snprintf(st->eid, sizeof(st->eid), "%s", st->chain.eid);
	http_request_set_log_ids(call->req, NULL, st->eid);
	if (es9_verify(st->chain.euicc, ar->signed1.raw, ar->signed1.raw_len, &ar->signature1)) {
		es9_fail(call, RSP_E_EUICC_SIGNATURE_INVALID, "euiccSignature1");
		goto out;
	}
	if (ar->server_challenge.len != RSP_CHALLENGE_LEN ||
	    memcmp(ar->server_challenge.value, s.server_challenge, RSP_CHALLENGE_LEN) != 0) {
		es9_fail(call, RSP_E_CHALLENGE_MISMATCH, "%s", "");
		goto out;
	}

	/* The order. */
	if (find_order(c, st, &o) || check_order(c, st, &o) || sign_for_order(st, &o))
		goto out;
	snprintf(st->iccid, sizeof(st->iccid), "%s", o.iccid);
	o.download_attempts++;

	if (session_transition(&s.state, SESSION_AUTHENTICATED, call->tid_hex,
			       "ES9+ AuthenticateClient") != 0) {
		es9_fail(call, RSP_E_TRANSACTION_UNKNOWN, "%s", "");
		goto out;
	}
	/* What GetBoundProfilePackage needs later; the buffers stay owned by st and ar. */
	snprintf(replaced, sizeof(replaced), "replaced by session %s", call->tid_hex);
	memcpy(upd.transaction_id, s.transaction_id, sizeof(upd.transaction_id));
	upd.state = s.state;
	snprintf(upd.eid, sizeof(upd.eid), "%s", st->eid);
	snprintf(upd.matching_id, sizeof(upd.matching_id), "%s", ar->matching_id);
	upd.order_id = o.id;
	upd.cc_required = o.has_cc;
	upd.euicc_certificate = (uint8_t *)ar->euicc_cert.raw;
	upd.euicc_certificate_len = ar->euicc_cert.raw_len;
	upd.smdp_signed2 = st->signed2.data;
	upd.smdp_signed2_len = st->signed2.len;
	upd.smdp_signature2 = st->signature2;
	upd.smdp_signature2_len = sizeof(st->signature2);
	upd.profile_metadata = st->metadata.data;
	upd.profile_metadata_len = st->metadata.len;
	rc = store_session_set_authenticated(c, &upd);
	if (rc != DB_OK ||
	    store_order_set_counters(c, o.id, o.download_attempts, o.cc_attempts) != DB_OK ||
	    store_session_cancel_others(c, o.id, call->tid, call->tid_len, replaced) != DB_OK ||
	    callback_queue(c, call->smdp, &o, st->eid, CALLBACK_POINT_ELIGIBILITY, RSP_OK, NULL,
			   0) != DB_OK) {
		es9_fail(call, RSP_E_INTERNAL, "database error");
		goto out;
	}
	LOG_INFO("es9", http_request_log_ctx(call->req), "eUICC authenticated for %s, download "
		 "attempt %lld of %lld%s", o.iccid, (long long)o.download_attempts,
		 (long long)o.download_max_attempts, o.has_cc ? ", confirmation code required" : "");
	result = 0;
out:
	store_session_clear(&s);
	if (result != 0 && call->commit)
		return 0;
	return result;
}

static cJSON *build_response(struct auth_state *st)
{
	struct es9_call *call = st->call;
	cJSON *resp = reply_success();

	if (!resp || json_add_hex(resp, "transactionId", call->tid, call->tid_len) ||
	    json_add_base64(resp, "profileMetadata", st->metadata.data, st->metadata.len) ||
	    json_add_base64(resp, "smdpSigned2", st->signed2.data, st->signed2.len) ||
	    json_add_base64(resp, "smdpSignature2", st->signature2, sizeof(st->signature2)) ||
	    json_add_base64(resp, "smdpCertificate", st->id->dppb->der, st->id->dppb->der_len)) {
		cJSON_Delete(resp);
		es9_fail(call, RSP_E_INTERNAL, "out of memory");
		return NULL;
	}
	return resp;
}

void es9_authenticate_client(struct http_request *req, void *arg)
{
	struct es9_call call = { .smdp = arg, .req = req };
	struct auth_request ar;
	struct auth_state st = { .call = &call, .ar = &ar };
	struct db_conn *conn = NULL;
	uint8_t *asr = NULL;
	size_t asr_len = 0;
	cJSON *resp = NULL;
	int rc;

	if (es9_parse(&call) || es9_get_transaction_id(&call) ||
	    es9_get_base64(&call, "authenticateServerResponse", MAX_AUTH_SERVER_RESPONSE, &asr,
			   &asr_len) ||
	    decode_request(&call, asr, asr_len, &ar))
		goto out;
	if (db_acquire(call.smdp->db, http_request_log_ctx(req), &conn) != DB_OK) {
		es9_fail(&call, RSP_E_INTERNAL, "database unavailable");
		goto out;
	}
	rc = db_transaction(conn, DB_READ_COMMITTED, authenticate_tx, &st, NULL);
	if (rc != DB_OK && rc != DB_E_ABORTED && call.status == RSP_OK)
		es9_fail(&call, RSP_E_INTERNAL, "database error");
	if (call.status == RSP_OK)
		resp = build_response(&st);
out:
	es9_reply(&call, resp);
	db_release(conn);
	cJSON_Delete(resp);
	chain_euicc_result_clear(&st.chain);
	der_buf_free(&st.signed2);
	der_buf_free(&st.metadata);
	free(asr);
	es9_call_clear(&call);
}
