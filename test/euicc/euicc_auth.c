/*
 * Test eUICC: SGP.22 ES10b.AuthenticateServer, ES10b.PrepareDownload and ES10b.CancelSession,
 * the eUICC's part of the common mutual authentication and of the download preparation.
 */
#include "test/euicc/euicc_private.h"

#include <string.h>
#include <time.h>

/* Writes an error alternative { 80 transactionId, 02 code } under the given tags. */
static void put_error_response(struct der_buf *out, uint32_t outer_tag, const uint8_t *tid,
			       size_t tid_len, int code)
{
	static const uint8_t unknown_tid[1] = {0};
	uint8_t value = (uint8_t)code;
	size_t outer = der_begin(out, outer_tag);
	size_t alt = der_begin(out, 0xA1);

	if (tid_len == 0) {
		tid = unknown_tid;
		tid_len = sizeof(unknown_tid);
	}
	der_put_tlv(out, 0x80, tid, tid_len);
	der_put_tlv(out, 0x02, &value, 1);
	der_end(out, alt);
	der_end(out, outer);
}

/* Reads the next child of it, which must carry tag; returns 0 or -1. */
static int next_child(struct der_iter *it, uint32_t tag, struct der_tlv *out)
{
	return der_iter_next(it, out) == 1 && out->tag == tag ? 0 : -1;
}

/*
 * ServerSigned1 ::= SEQUENCE { transactionId [0] TransactionId, euiccChallenge [1] Octet16,
 *   serverAddress [3] UTF8String, serverChallenge [4] Octet16 }
 */
struct server_signed1 {
	struct der_tlv tid, euicc_challenge, server_address, server_challenge;
};

static int parse_server_signed1(const uint8_t *buf, size_t len, struct server_signed1 *s)
{
	struct der_tlv seq, extra;
	struct der_iter it;

	if (der_read_exact(buf, len, 0x30, &seq) != DER_OK)
		return -1;
	der_iter_init(&it, &seq);
	if (next_child(&it, 0x80, &s->tid) || next_child(&it, 0x81, &s->euicc_challenge) ||
	    next_child(&it, 0x83, &s->server_address) ||
	    next_child(&it, 0x84, &s->server_challenge) || der_iter_next(&it, &extra) != 0)
		return -1;
	if (s->tid.len == 0 || s->tid.len > EUICC_MAX_TID ||
	    s->euicc_challenge.len != RSP_CHALLENGE_LEN ||
	    s->server_challenge.len != RSP_CHALLENGE_LEN || s->server_address.len == 0 ||
	    s->server_address.len > RSP_MAX_FQDN ||
	    memchr(s->server_address.value, '\0', s->server_address.len))
		return -1;
	return 0;
}

/* Picks the eUICC chain whose EUM was issued by the CI with key identifier pkid. */
static int select_chain(const struct euicc *e, const uint8_t *pkid, size_t pkid_len,
			size_t *chain)
{
	size_t i;

	for (i = 0; i < e->chain_count; i++) {
		const struct cert *eum = e->chains[i].eum_cert;

		if (eum->aki_len == pkid_len && memcmp(eum->aki, pkid, pkid_len) == 0) {
			*chain = i;
			return 0;
		}
	}
	if (e->faults.force_chain && e->chain_count > 0) {
		*chain = 0;
		return 0;
	}
	return -1;
}

/* Returns 0 when pkid is the key identifier of a trusted CI. */
static int ci_known(const struct euicc *e, const uint8_t *pkid, size_t pkid_len)
{
	size_t i;

	for (i = 0; i < chain_ci_store_count(e->ci_store); i++) {
		const struct cert *ci = chain_ci_store_get(e->ci_store, i);

		if (ci->ski_len == pkid_len && memcmp(ci->ski, pkid, pkid_len) == 0)
			return 0;
	}
	return -1;
}

/*
 * A default DeviceInfo: TAC 35290611 and a device supporting GSM, UTRAN and E-UTRAN/EPC up to
 * 3GPP Release 15 (DeviceCapabilities, automatic tags).
 */
static void put_default_device_info(struct der_buf *b)
{
	static const uint8_t tac[4] = {0x35, 0x29, 0x06, 0x11};
	static const uint8_t release15[3] = {15, 0, 0};
	size_t caps;

	der_put_tlv(b, 0x80, tac, sizeof(tac));
	caps = der_begin(b, 0xA1);
	der_put_tlv(b, 0x80, release15, sizeof(release15)); /* gsmSupportedRelease */
	der_put_tlv(b, 0x81, release15, sizeof(release15)); /* utranSupportedRelease */
	der_put_tlv(b, 0x85, release15, sizeof(release15)); /* eutranEpcSupportedRelease */
	der_end(b, caps);
}

/*
 * EuiccSigned1 ::= SEQUENCE { transactionId [0], serverAddress [3], serverChallenge [4],
 *   euiccInfo2 [34] EUICCInfo2, ctxParams1 CtxParams1 }
 * CtxParams1 is a CHOICE whose one alternative, ctxParamsForCommonAuthentication
 * { matchingId [0] UTF8String OPTIONAL, deviceInfo [1] DeviceInfo }, gets tag [0].
 */
static int put_euicc_signed1(const struct euicc *e, const struct server_signed1 *s1,
			     const struct euicc_auth_request *req, struct der_buf *b)
{
	size_t seq = der_begin(b, 0x30);
	size_t ctx, dev;

	der_put_tlv(b, 0x80, s1->tid.value, s1->tid.len);
	der_put_tlv(b, 0x83, s1->server_address.value, s1->server_address.len);
	der_put_tlv(b, 0x84, s1->server_challenge.value, s1->server_challenge.len);
	euicc_get_info2(e, b);
	ctx = der_begin(b, 0xA0);
	if (req->matching_id)
		der_put_tlv(b, 0x80, req->matching_id, strlen(req->matching_id));
	dev = der_begin(b, 0xA1);
	if (req->device_info)
		der_put_raw(b, req->device_info, req->device_info_len);
	else
		put_default_device_info(b);
	der_end(b, dev);
	der_end(b, ctx);
	der_end(b, seq);
	return b->status == DER_OK ? 0 : -1;
}

/* Maps a chain verification failure to the AuthenticateServer/PrepareDownload code. */
static int cert_error(int pki_rc, int invalid, int unsupported_curve)
{
	return pki_rc == PKI_E_UNSUPPORTED ? unsupported_curve : invalid;
}

int euicc_authenticate_server(struct euicc *e, const struct euicc_auth_request *req,
			      struct der_buf *out, int *es10_error)
{
	struct euicc_session *s = &e->session;
	struct server_signed1 s1;
	struct der_tlv pkid;
	struct der_buf signed1;
	struct cert *dp_auth = NULL;
	size_t chain = 0, mark_outer, mark_ok;
	int pki_rc, rc = EUICC_OK;
	int err = 0;

	*es10_error = 0;
	der_buf_init(&signed1, EUICC_MAX_RESPONSE);
	memset(&s1, 0, sizeof(s1));

	if (s->state != EUICC_SESSION_CHALLENGE) {
		err = EUICC_AUTH_NO_SESSION_CONTEXT;
		goto reject;
	}
	pki_rc = chain_verify_server(e->ci_store, req->server_cert, req->server_cert_len,
				     CERT_ROLE_DP_AUTH, time(NULL), &dp_auth);
	if (pki_rc != PKI_OK) {
		err = cert_error(pki_rc, EUICC_AUTH_INVALID_CERTIFICATE,
				 EUICC_AUTH_UNSUPPORTED_CURVE);
		goto reject;
	}
	if (euicc_verify_tlv(dp_auth, req->server_signed1, req->server_signed1_len,
			     req->server_signature1, req->server_signature1_len) != 0) {
		err = EUICC_AUTH_INVALID_SIGNATURE;
		goto reject;
	}
	if (parse_server_signed1(req->server_signed1, req->server_signed1_len, &s1) != 0) {
		err = EUICC_AUTH_UNDEFINED;
		goto reject;
	}
	if (memcmp(s1.euicc_challenge.value, s->challenge, RSP_CHALLENGE_LEN) != 0) {
		err = EUICC_AUTH_CHALLENGE_MISMATCH;
		goto reject;
	}
	if (der_read_exact(req->ci_pkid, req->ci_pkid_len, 0x04, &pkid) != DER_OK ||
	    ci_known(e, pkid.value, pkid.len) != 0 ||
	    select_chain(e, pkid.value, pkid.len, &chain) != 0) {
		err = EUICC_AUTH_CI_PK_UNKNOWN;
		goto reject;
	}

	/* Accepted: remember the session and sign euiccSigned1. */
	if (put_euicc_signed1(e, &s1, req, &signed1) != 0) {
		rc = EUICC_E_NOMEM;
		goto out;
	}
	mark_outer = der_begin(out, 0xBF38);
	mark_ok = der_begin(out, 0xA0);
	der_put_raw(out, signed1.data, signed1.len);
	rc = euicc_sign_tlv(e, chain, signed1.data, signed1.len, e->faults.tamper_signature1, out);
	if (rc != EUICC_OK)
		goto out;
	/* The signature TLV just written is the last 67 bytes of out. */
	memcpy(s->euicc_signature1, out->data + out->len - sizeof(s->euicc_signature1),
	       sizeof(s->euicc_signature1));
	der_put_raw(out, e->chains[chain].euicc_cert->der, e->chains[chain].euicc_cert->der_len);
	der_put_raw(out, e->chains[chain].eum_cert->der, e->chains[chain].eum_cert->der_len);
	der_end(out, mark_ok);
	der_end(out, mark_outer);
	if (out->status != DER_OK) {
		rc = EUICC_E_NOMEM;
		goto out;
	}

	memcpy(s->transaction_id, s1.tid.value, s1.tid.len);
	s->transaction_id_len = s1.tid.len;
	memcpy(s->server_address, s1.server_address.value, s1.server_address.len);
	s->server_address[s1.server_address.len] = '\0';
	s->chain = chain;
	s->dp_auth = dp_auth;
	dp_auth = NULL;
	s->state = EUICC_SESSION_AUTHENTICATED;
	goto out;

reject:
	*es10_error = err;
	put_error_response(out, 0xBF38, s1.tid.value, s1.tid.len, err);
	if (out->status != DER_OK)
		rc = EUICC_E_NOMEM;
out:
	cert_free(dp_auth);
	der_buf_free(&signed1);
	return rc;
}

/*
 * SmdpSigned2 ::= SEQUENCE { transactionId [0] TransactionId, ccRequiredFlag BOOLEAN,
 *   bppEuiccOtpk [APPLICATION 73] OCTET STRING OPTIONAL }
 * The BOOLEAN keeps its universal tag 01: the SEQUENCE has tagged components.
 */
struct smdp_signed2 {
	struct der_tlv tid;
	bool cc_required;
	bool has_bpp_otpk;
	struct der_tlv bpp_otpk;
};

static int parse_smdp_signed2(const uint8_t *buf, size_t len, struct smdp_signed2 *s)
{
	struct der_tlv seq, flag, extra;
	struct der_iter it;
	int more;

	memset(s, 0, sizeof(*s));
	if (der_read_exact(buf, len, 0x30, &seq) != DER_OK)
		return -1;
	der_iter_init(&it, &seq);
	if (next_child(&it, 0x80, &s->tid) || next_child(&it, 0x01, &flag))
		return -1;
	if (s->tid.len == 0 || s->tid.len > EUICC_MAX_TID || flag.len != 1 ||
	    (flag.value[0] != 0x00 && flag.value[0] != 0xFF))
		return -1;
	s->cc_required = flag.value[0] == 0xFF;
	more = der_iter_next(&it, &s->bpp_otpk);
	if (more < 0 || (more == 1 && s->bpp_otpk.tag != 0x5F49))
		return -1;
	s->has_bpp_otpk = more == 1;
	if (s->has_bpp_otpk && der_iter_next(&it, &extra) != 0)
		return -1;
	return 0;
}

int euicc_smdp_signed2_cc_required(const uint8_t *smdp_signed2, size_t len, bool *required)
{
	struct smdp_signed2 s;

	if (parse_smdp_signed2(smdp_signed2, len, &s) != 0)
		return EUICC_E_INVALID_ARG;
	*required = s.cc_required;
	return EUICC_OK;
}

/* Verifies smdpSignature2 over smdpSigned2 || euiccSignature1 TLV with CERT.DPpb. */
static int verify_smdp_signature2(const struct euicc_session *s,
				  const struct euicc_prepare_request *req)
{
	struct der_buf msg;
	int rc = -1;

	der_buf_init(&msg, EUICC_MAX_RESPONSE);
	der_put_raw(&msg, req->smdp_signed2, req->smdp_signed2_len);
	der_put_raw(&msg, s->euicc_signature1, sizeof(s->euicc_signature1));
	if (msg.status == DER_OK)
		rc = euicc_verify_tlv(s->dp_pb, msg.data, msg.len, req->smdp_signature2,
				      req->smdp_signature2_len);
	der_buf_free(&msg);
	return rc;
}

/* Makes the one-time key pair on the curve of CERT.DPpb, or keeps the one already bound when
 * the SM-DP+ names it in bppEuiccOtpk (a retried download). */
static int make_ot_key(struct euicc_session *s, const struct smdp_signed2 *s2)
{
	if (s->ot_key && s2->has_bpp_otpk && s2->bpp_otpk.len == sizeof(s->ot_point) &&
	    memcmp(s2->bpp_otpk.value, s->ot_point, sizeof(s->ot_point)) == 0)
		return 0;
	crypto_privkey_free(s->ot_key);
	s->ot_key = NULL;
	if (crypto_ecdh_keypair((enum crypto_curve)s->dp_pb->curve, &s->ot_key, s->ot_point) !=
	    CRYPTO_OK)
		return -1;
	return 0;
}

/*
 * EUICCSigned2 ::= SEQUENCE { transactionId [0] TransactionId,
 *   euiccOtpk [APPLICATION 73] OCTET STRING, hashCc Octet32 OPTIONAL }
 */
static void put_euicc_signed2(const struct euicc_session *s, const uint8_t *hash_cc,
			      struct der_buf *b)
{
	size_t seq = der_begin(b, 0x30);

	der_put_tlv(b, 0x80, s->transaction_id, s->transaction_id_len);
	der_put_tlv(b, 0x5F49, s->ot_point, sizeof(s->ot_point));
	if (hash_cc)
		der_put_tlv(b, 0x04, hash_cc, CRYPTO_SHA256_LEN);
	der_end(b, seq);
}

int euicc_prepare_download(struct euicc *e, const struct euicc_prepare_request *req,
			   struct der_buf *out, int *es10_error)
{
	struct euicc_session *s = &e->session;
	struct smdp_signed2 s2;
	struct der_buf signed2, msg;
	struct cert *dp_pb = NULL;
	size_t mark_outer, mark_ok;
	int pki_rc, rc = EUICC_OK;
	int err = 0;

	*es10_error = 0;
	der_buf_init(&signed2, EUICC_MAX_RESPONSE);
	der_buf_init(&msg, EUICC_MAX_RESPONSE);

	if (s->state != EUICC_SESSION_AUTHENTICATED && s->state != EUICC_SESSION_PREPARED) {
		err = EUICC_DL_NO_SESSION_CONTEXT;
		goto reject;
	}
	pki_rc = chain_verify_server(e->ci_store, req->smdp_cert, req->smdp_cert_len,
				     CERT_ROLE_DP_PB, time(NULL), &dp_pb);
	if (pki_rc != PKI_OK) {
		err = cert_error(pki_rc, EUICC_DL_INVALID_CERTIFICATE, EUICC_DL_UNSUPPORTED_CURVE);
		goto reject;
	}
	/* CERT.DPpb must belong to the SM-DP+ that authenticated with CERT.DPauth, so both carry
	 * the same SM-DP+ OID. NOTE: the SGP.22 text of this check was not at hand; servers that
	 * sign with DPauth and DPpb of different OIDs fail here with invalidCertificate. */
	if (strcmp(dp_pb->san_oid, s->dp_auth->san_oid) != 0) {
		err = EUICC_DL_INVALID_CERTIFICATE;
		goto reject;
	}
	cert_free(s->dp_pb);
	s->dp_pb = dp_pb;
	dp_pb = NULL;
	if (verify_smdp_signature2(s, req) != 0) {
		err = EUICC_DL_INVALID_SIGNATURE;
		goto reject;
	}
	if (parse_smdp_signed2(req->smdp_signed2, req->smdp_signed2_len, &s2) != 0) {
		err = EUICC_DL_UNDEFINED;
		goto reject;
	}
	if (s2.tid.len != s->transaction_id_len ||
	    memcmp(s2.tid.value, s->transaction_id, s2.tid.len) != 0) {
		err = EUICC_DL_INVALID_TRANSACTION_ID;
		goto reject;
	}
	if (make_ot_key(s, &s2) != 0) {
		rc = EUICC_E_CRYPTO;
		goto out;
	}

	put_euicc_signed2(s, req->hash_cc, &signed2);
	der_put_raw(&msg, signed2.data, signed2.len);
	der_put_raw(&msg, req->smdp_signature2, req->smdp_signature2_len);
	if (signed2.status != DER_OK || msg.status != DER_OK) {
		rc = EUICC_E_NOMEM;
		goto out;
	}
	mark_outer = der_begin(out, 0xBF21);
	mark_ok = der_begin(out, 0xA0);
	der_put_raw(out, signed2.data, signed2.len);
	rc = euicc_sign_tlv(e, s->chain, msg.data, msg.len, e->faults.tamper_signature2, out);
	if (rc != EUICC_OK)
		goto out;
	der_end(out, mark_ok);
	der_end(out, mark_outer);
	if (out->status != DER_OK) {
		rc = EUICC_E_NOMEM;
		goto out;
	}
	s->state = EUICC_SESSION_PREPARED;
	goto out;

reject:
	*es10_error = err;
	put_error_response(out, 0xBF21, s->transaction_id, s->transaction_id_len, err);
	if (out->status != DER_OK)
		rc = EUICC_E_NOMEM;
out:
	cert_free(dp_pb);
	der_buf_free(&msg);
	der_buf_free(&signed2);
	return rc;
}

/*
 * CancelSessionResponse ::= [65] CHOICE { cancelSessionResponseOk [0] SEQUENCE {
 *     euiccCancelSessionSigned SEQUENCE { transactionId [0], smdpOid [1], reason [2] },
 *     euiccCancelSessionSignature [APPLICATION 55] OCTET STRING },
 *   cancelSessionResponseError [1] INTEGER }
 */
int euicc_cancel_session(struct euicc *e, int reason, struct der_buf *out, int *es10_error)
{
	struct euicc_session *s = &e->session;
	struct der_buf signed_part;
	uint8_t reason_byte = (uint8_t)reason;
	size_t mark_outer, mark_ok, seq;
	int rc = EUICC_OK;

	*es10_error = 0;
	if (reason < 0 || reason > 127)
		return EUICC_E_INVALID_ARG;
	if (s->state != EUICC_SESSION_AUTHENTICATED && s->state != EUICC_SESSION_PREPARED) {
		static const uint8_t invalid_transaction_id = 5;

		*es10_error = invalid_transaction_id;
		mark_outer = der_begin(out, 0xBF41);
		der_put_tlv(out, 0x81, &invalid_transaction_id, 1);
		der_end(out, mark_outer);
		return out->status == DER_OK ? EUICC_OK : EUICC_E_NOMEM;
	}

	der_buf_init(&signed_part, EUICC_MAX_RESPONSE);
	seq = der_begin(&signed_part, 0x30);
	der_put_tlv(&signed_part, 0x80, s->transaction_id, s->transaction_id_len);
	der_put_tlv(&signed_part, 0x81, s->dp_auth->san_oid_der, s->dp_auth->san_oid_der_len);
	der_put_tlv(&signed_part, 0x82, &reason_byte, 1);
	der_end(&signed_part, seq);
	if (signed_part.status != DER_OK) {
		rc = EUICC_E_NOMEM;
		goto out;
	}

	mark_outer = der_begin(out, 0xBF41);
	mark_ok = der_begin(out, 0xA0);
	der_put_raw(out, signed_part.data, signed_part.len);
	rc = euicc_sign_tlv(e, s->chain, signed_part.data, signed_part.len, false, out);
	if (rc != EUICC_OK)
		goto out;
	der_end(out, mark_ok);
	der_end(out, mark_outer);
	if (out->status != DER_OK)
		rc = EUICC_E_NOMEM;
	/* The session ends here, as on a real eUICC. */
	euicc_session_clear(s);
out:
	der_buf_free(&signed_part);
	return rc;
}
