/*
 * SGP.22 ES9+.GetBoundProfilePackage: checks the eUICC's PrepareDownload response and the
 * confirmation code, then binds the profile to the eUICC's one-time key.
 *
 *   request  {transactionId, prepareDownloadResponse: b64(PrepareDownloadResponse)}
 *   response {header, transactionId, boundProfilePackage: b64(BoundProfilePackage)}
 *
 *   PrepareDownloadResponse ::= [33] CHOICE {                          -- BF21
 *       downloadResponseOk [0] SEQUENCE {                              -- A0
 *           euiccSigned2 SEQUENCE {                                    -- 30, signed as received
 *               transactionId [0], euiccOtpk [APPLICATION 73],         -- 80, 5F49
 *               hashCc Octet32 OPTIONAL },                             -- 04 20
 *           euiccSignature2 [APPLICATION 55] },                        -- 5F37
 *       downloadResponseError [1] SEQUENCE { transactionId [0], downloadErrorCode } }
 *
 * euiccSignature2 covers euiccSigned2 followed by the smdpSignature2 TLV of AuthenticateClient.
 * hashCc = SHA-256(SHA-256(confirmation code) || transactionId); the order stores only
 * SHA-256(confirmation code).
 *
 * Retries: the same otPK.EUICC.ECKA gets the same binding (the stored BPP, re-issued under the
 * new transactionId when the session is new). A different otPK after a BPP was delivered is
 * bound again when allow_bpp_rebinding is set, else refused with 8.2/3.7.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ident.h"
#include "common/json.h"
#include "common/log.h"
#include "smdpplus/callback.h"
#include "smdpplus/es8plus.h"
#include "smdpplus/es9_internal.h"
#include "smdpplus/order.h"
#include "smdpplus/reply.h"
#include "smdpplus/store.h"

#define TAG_PREPARE_DOWNLOAD_RESPONSE 0xBF21
#define MAX_PREPARE_DOWNLOAD_RESPONSE 1024

struct bpp_state {
	struct es9_call *call;
	struct der_tlv signed2, signature2, inner_tid, otpk, hash_cc;
	bool has_hash_cc;
	struct der_buf bpp;  /* the response */
	bool reused;         /* the BPP came from an earlier binding */
};

static int decode_request(struct es9_call *call, const uint8_t *buf, size_t len,
			  struct bpp_state *st)
{
	struct der_tlv top, ok, tlv;
	struct der_iter it;

	if (es9_read_tlv(call, buf, len, TAG_PREPARE_DOWNLOAD_RESPONSE, "prepareDownloadResponse",
			 &top))
		return 1;
	if (der_find(&top, 0xA1, &tlv) == DER_OK)
		return es9_fail(call, RSP_E_FIELD_INVALID,
				"the eUICC returned downloadResponseError");
	if (es9_find(call, &top, 0xA0, "downloadResponseOk", &ok))
		return 1;
	der_iter_init(&it, &ok);
	if (der_iter_next(&it, &st->signed2) != 1 || st->signed2.tag != 0x30 ||
	    der_iter_next(&it, &st->signature2) != 1 || st->signature2.tag != 0x5F37 ||
	    st->signature2.len != CRYPTO_SIG_LEN)
		return es9_fail(call, RSP_E_FIELD_INVALID, "downloadResponseOk is malformed");
	if (es9_find(call, &st->signed2, 0x80, "euiccSigned2.transactionId", &st->inner_tid) ||
	    es9_find(call, &st->signed2, 0x5F49, "euiccSigned2.euiccOtpk", &st->otpk))
		return 1;
	if (st->otpk.len != CRYPTO_POINT_LEN)
		return es9_fail(call, RSP_E_FIELD_INVALID, "euiccOtpk must be an uncompressed point");
	st->has_hash_cc = der_find(&st->signed2, 0x04, &st->hash_cc) == DER_OK;
	if (st->has_hash_cc && st->hash_cc.len != CRYPTO_SHA256_LEN)
		return es9_fail(call, RSP_E_FIELD_INVALID, "hashCc must be 32 bytes");
	return 0;
}

/* Ends the order in Error and the session, and queues the operator notification. The
 * transaction commits so that the change stays although the request fails. */
static int end_order(struct db_conn *c, struct bpp_state *st, struct store_order *o,
		     const struct store_session *s, enum callback_point point, enum rsp_status why,
		     const char *what)
{
	struct es9_call *call = st->call;
	enum order_state state = o->state;

	es9_fail(call, why, "%s", what);
	if (order_transition(&state, ORDER_ERROR, o->iccid, what) == 0 &&
	    (store_order_set_state(c, o, state, true) != DB_OK ||
	     store_session_set_state(c, call->tid, call->tid_len, SESSION_CANCELLED) != DB_OK ||
	     callback_queue(c, call->smdp, o, s->eid, point, why, NULL, 0) != DB_OK))
		return es9_fail(call, RSP_E_INTERNAL, "database error");
	call->commit = true;
	return 1;
}

/* SGP.22 confirmation code check: missing 8.2.7/2.2, wrong 8.2.7/3.8 (the session stays open
 * for another try), too many wrong codes 8.2.7/6.4 (the order ends). */
static int check_confirmation_code(struct db_conn *c, struct bpp_state *st, struct store_order *o,
				   const struct store_session *s)
{
	struct es9_call *call = st->call;
	uint8_t input[CRYPTO_SHA256_LEN + RSP_TRANSACTION_ID_LEN], expected[CRYPTO_SHA256_LEN];
	bool match;

	if (!s->cc_required)
		return 0;
	if (!st->has_hash_cc)
		return es9_fail(call, RSP_E_CC_MISSING, "%s", "");
	memcpy(input, o->cc_sha256, CRYPTO_SHA256_LEN);
	memcpy(input + CRYPTO_SHA256_LEN, call->tid, call->tid_len);
	crypto_sha256(input, CRYPTO_SHA256_LEN + call->tid_len, expected);
	match = memcmp(expected, st->hash_cc.value, CRYPTO_SHA256_LEN) == 0;
	crypto_zeroize(input, sizeof(input));
	crypto_zeroize(expected, sizeof(expected));
	if (match)
		return 0;

	o->cc_attempts++;
	if (store_order_set_counters(c, o->id, o->download_attempts, o->cc_attempts) != DB_OK)
		return es9_fail(call, RSP_E_INTERNAL, "database error");
	LOG_WARN("es9", http_request_log_ctx(call->req), "wrong confirmation code, attempt %lld "
		 "of %lld", (long long)o->cc_attempts, (long long)o->cc_max_attempts);
	if (o->cc_attempts >= o->cc_max_attempts)
		return end_order(c, st, o, s, CALLBACK_POINT_CONFIRMATION_FAILURE, RSP_E_CC_RETRIES,
				 "confirmation code attempts exhausted");
	es9_fail(call, RSP_E_CC_REFUSED, "attempt %lld of %lld", (long long)o->cc_attempts,
		 (long long)o->cc_max_attempts);
	call->commit = true;
	return 1;
}

/* Makes or reuses the binding for otPK.EUICC.ECKA into st->bpp. */
static int bind(struct db_conn *c, struct bpp_state *st, struct store_order *o,
		const struct store_session *s, const struct smdp_identity *id)
{
	struct es9_call *call = st->call;
	const uint8_t *otpk = st->otpk.value;
	uint8_t *stored = NULL, *upp = NULL, eid[RSP_EID_LEN];
	size_t stored_len = 0, upp_len = 0;
	uint8_t smdp_otpk[CRYPTO_POINT_LEN];
	struct bpp_request br;
	int rc = 1;

	der_buf_free(&st->bpp);
	der_buf_init(&st->bpp, BPP_MAX_LEN);
	st->reused = false;
	if (o->bpp_euicc_otpk_len == CRYPTO_POINT_LEN &&
	    memcmp(o->bpp_euicc_otpk, otpk, CRYPTO_POINT_LEN) == 0 &&
	    store_order_get_bpp(c, o->id, &stored, &stored_len) == DB_OK) {
		/* Same otPK: the same binding, byte for byte when the transaction is the same. */
		st->reused = true;
		if (o->bpp_transaction_id_len == call->tid_len &&
		    memcmp(o->bpp_transaction_id, call->tid, call->tid_len) == 0)
			der_put_raw(&st->bpp, stored, stored_len);
		else if (bpp_rebind_transaction(stored, stored_len, id->dppb_key, call->tid,
						call->tid_len, otpk, CRYPTO_POINT_LEN,
						&st->bpp) != BPP_OK) {
			es9_fail(call, RSP_E_INTERNAL, "stored BPP unusable");
			goto out;
		}
		memcpy(smdp_otpk, o->bpp_smdp_otpk, CRYPTO_POINT_LEN);
	} else {
		if (o->bpp_euicc_otpk_len && !call->smdp->set.allow_bpp_rebinding) {
			es9_fail(call, RSP_E_BPP_REBINDING_REFUSED, "a BPP was bound to another otPK");
			goto out;
		}
		if (ident_eid_to_bytes(s->eid, strlen(s->eid), eid) != IDENT_OK ||
		    store_profile_package(c, o->profile_id, &upp, &upp_len) != DB_OK) {
			es9_fail(call, RSP_E_INTERNAL, "profile package unavailable");
			goto out;
		}
		br = (struct bpp_request){
			.dppb_key = id->dppb_key,
			.transaction_id = call->tid,
			.transaction_id_len = call->tid_len,
			.euicc_otpk = otpk,
			.euicc_otpk_len = CRYPTO_POINT_LEN,
			.eid = eid,
			.metadata = s->profile_metadata,
			.metadata_len = s->profile_metadata_len,
			.upp = upp,
			.upp_len = upp_len,
		};
		if (bpp_build(&br, &st->bpp, smdp_otpk) != BPP_OK) {
			es9_fail(call, RSP_E_INTERNAL, "building the BPP failed");
			goto out;
		}
	}
	if (st->bpp.status != DER_OK) {
		es9_fail(call, RSP_E_INTERNAL, "BPP too large");
		goto out;
	}
	if (store_order_set_bpp(c, o->id, st->bpp.data, st->bpp.len, call->tid, call->tid_len,
				otpk, smdp_otpk, s->eid) != DB_OK) {
		es9_fail(call, RSP_E_INTERNAL, "database error");
		goto out;
	}
	rc = 0;
out:
	free(stored);
	if (upp) {
		crypto_zeroize(upp, upp_len);
		free(upp);
	}
	return rc;
}

static enum crypto_curve curve_by_name(const char *name)
{
	if (strcmp(name, crypto_curve_name(CRYPTO_CURVE_P256)) == 0)
		return CRYPTO_CURVE_P256;
	if (strcmp(name, crypto_curve_name(CRYPTO_CURVE_BRAINPOOLP256R1)) == 0)
		return CRYPTO_CURVE_BRAINPOOLP256R1;
	return CRYPTO_CURVE_NONE;
}

static int bpp_tx(struct db_conn *c, void *arg)
{
	struct bpp_state *st = arg;
	struct es9_call *call = st->call;
	const struct smdp_identity *id;
	struct store_session s;
	struct store_order o;
	struct der_buf tbs;
	struct cert *euicc = NULL;
	enum order_state state;
	int rc, result = 1;

	call->status = RSP_OK;
	call->commit = false;
	call->detail[0] = '\0';
	der_buf_init(&tbs, 1024);

	rc = store_session_get_lock(c, call->tid, call->tid_len, &s);
	if (rc == DB_E_NOT_FOUND || (rc == DB_OK && (s.expired || (s.state != SESSION_AUTHENTICATED &&
								 s.state != SESSION_BOUND)))) {
		es9_fail(call, RSP_E_TRANSACTION_UNKNOWN, "%s", "");
		goto out;
	}
	if (rc != DB_OK) {
		es9_fail(call, RSP_E_INTERNAL, "database error");
		goto out;
	}
	http_request_set_log_ids(call->req, NULL, s.eid);
	if (st->inner_tid.len != call->tid_len ||
	    memcmp(st->inner_tid.value, call->tid, call->tid_len) != 0) {
		es9_fail(call, RSP_E_TRANSACTION_UNKNOWN, "euiccSigned2.transactionId differs");
		goto out;
	}

	/* euiccSignature2 over euiccSigned2 || smdpSignature2, with the session's eUICC key. */
	der_put_raw(&tbs, st->signed2.raw, st->signed2.raw_len);
	der_put_raw(&tbs, s.smdp_signature2, s.smdp_signature2_len);
	if (tbs.status != DER_OK ||
	    cert_parse(s.euicc_certificate, s.euicc_certificate_len, &euicc) != PKI_OK) {
		es9_fail(call, RSP_E_INTERNAL, "session data unusable");
		goto out;
	}
	if (es9_verify(euicc, tbs.data, tbs.len, &st->signature2)) {
		es9_fail(call, RSP_E_EUICC_SIGNATURE_INVALID, "euiccSignature2");
		goto out;
	}

	rc = store_order_get_lock(c, s.order_id, &o);
	if (rc != DB_OK) {
		es9_fail(call, rc == DB_E_NOT_FOUND ? RSP_E_TRANSACTION_UNKNOWN : RSP_E_INTERNAL,
			 "order of the session not found");
		goto out;
	}
	if (!o.is_current || (o.state != ORDER_RELEASED && o.state != ORDER_DOWNLOADED)) {
		es9_fail(call, RSP_E_TRANSACTION_UNKNOWN, "the order is %s",
			 o.is_current ? order_state_name(o.state) : "cancelled");
		goto out;
	}
	if (o.expired) {
		end_order(c, st, &o, &s, CALLBACK_POINT_BPP_DOWNLOAD, RSP_E_ORDER_EXPIRED,
			  "download order expired");
		goto out;
	}
	if (check_confirmation_code(c, st, &o, &s))
		goto out;

	id = smdp_identity_for_curve(call->smdp, curve_by_name(s.curve));
	if (!id) {
		es9_fail(call, RSP_E_INTERNAL, "no keys for curve %s", s.curve);
		goto out;
	}
	if (bind(c, st, &o, &s, id))
		goto out;

	state = o.state;
	if (order_transition(&state, ORDER_DOWNLOADED, o.iccid, "ES9+ GetBoundProfilePackage") ||
	    session_transition(&s.state, SESSION_BOUND, call->tid_hex,
			       "ES9+ GetBoundProfilePackage")) {
		es9_fail(call, RSP_E_INTERNAL, "state transition refused");
		goto out;
	}
	if (store_order_set_state(c, &o, state, true) != DB_OK ||
	    store_session_set_otpk(c, call->tid, call->tid_len, st->otpk.value, st->otpk.len) !=
		    DB_OK ||
	    store_session_set_state(c, call->tid, call->tid_len, s.state) != DB_OK ||
	    callback_queue(c, call->smdp, &o, s.eid, CALLBACK_POINT_BPP_DOWNLOAD, RSP_OK, NULL, 0) !=
		    DB_OK) {
		es9_fail(call, RSP_E_INTERNAL, "database error");
		goto out;
	}
	LOG_INFO("es9", http_request_log_ctx(call->req), "BPP for %s %s (%zu bytes)", o.iccid,
		 st->reused ? "re-sent for the same otPK" : "bound", st->bpp.len);
	result = 0;
out:
	cert_free(euicc);
	der_buf_free(&tbs);
	store_session_clear(&s);
	if (result != 0 && call->commit)
		return 0;
	return result;
}

void es9_get_bound_profile_package(struct http_request *req, void *arg)
{
	struct es9_call call = { .smdp = arg, .req = req };
	struct bpp_state st = { .call = &call };
	struct db_conn *conn = NULL;
	uint8_t *pdr = NULL;
	size_t pdr_len = 0;
	cJSON *resp = NULL;
	int rc;

	der_buf_init(&st.bpp, BPP_MAX_LEN);
	if (es9_parse(&call) || es9_get_transaction_id(&call) ||
	    es9_get_base64(&call, "prepareDownloadResponse", MAX_PREPARE_DOWNLOAD_RESPONSE, &pdr,
			   &pdr_len) ||
	    decode_request(&call, pdr, pdr_len, &st))
		goto out;
	if (db_acquire(call.smdp->db, http_request_log_ctx(req), &conn) != DB_OK) {
		es9_fail(&call, RSP_E_INTERNAL, "database unavailable");
		goto out;
	}
	rc = db_transaction(conn, DB_READ_COMMITTED, bpp_tx, &st, NULL);
	if (rc != DB_OK && rc != DB_E_ABORTED && call.status == RSP_OK)
		es9_fail(&call, RSP_E_INTERNAL, "database error");
	if (call.status == RSP_OK) {
		resp = reply_success();
		if (!resp || json_add_hex(resp, "transactionId", call.tid, call.tid_len) ||
		    json_add_base64(resp, "boundProfilePackage", st.bpp.data, st.bpp.len)) {
			cJSON_Delete(resp);
			resp = NULL;
			es9_fail(&call, RSP_E_INTERNAL, "out of memory");
		}
	}
out:
	es9_reply(&call, resp);
	db_release(conn);
	cJSON_Delete(resp);
	der_buf_free(&st.bpp);
	free(pdr);
	es9_call_clear(&call);
}
