/*
 * A test SM-DP+ for the fuzz targets (see session.h). Its messages are built with the DER
 * writer. Two SM-DP+ parts are reused on purpose: the StoreMetadataRequest builder and the
 * segment protection of smdpplus/bsp.h, so that sealed BPPs are protected as the SM-DP+
 * protects them.
 */
#include "test/fuzz/session.h"

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ident.h"
#include "pki/cert.h"
#include "pki/testpki.h"
#include "saip/saip.h"
#include "smdpplus/es8plus.h"

/* Test values of the generated profile. */
#define FUZZ_ICCID_PAYLOAD "894944999999990001"
#define FUZZ_IMSI          "001010123456789"
#define FUZZ_KI            "000102030405060708090A0B0C0D0E0F"
#define FUZZ_OPC           "0F0E0D0C0B0A09080706050403020100"

static int read_file(const char *path, uint8_t **out, size_t *out_len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(RSP_MAX_CERT_DER);
	size_t n = 0;
	int rc = -1;

	if (!f || !buf)
		goto out;
	n = fread(buf, 1, RSP_MAX_CERT_DER, f);
	if (n == 0 || !feof(f))
		goto out;
	*out = buf;
	*out_len = n;
	buf = NULL;
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "fuzz session: failed to read %s\n", path);
	if (f)
		fclose(f);
	free(buf);
	return rc;
}

static int make_profile(struct fuzz_session *s)
{
	struct saip_params params;
	char iccid[RSP_ICCID_MAX_DIGITS + 1];
	int digit = saip_iccid_check_digit(FUZZ_ICCID_PAYLOAD);

	if (digit < 0)
		return -1;
	snprintf(iccid, sizeof(iccid), "%s%c", FUZZ_ICCID_PAYLOAD, digit);
	memset(&params, 0, sizeof(params));
	params.iccid = iccid;
	params.imsi = FUZZ_IMSI;
	params.ki = FUZZ_KI;
	params.opc = FUZZ_OPC;
	if (saip_generate(&params, &s->profile, &s->profile_len) != SAIP_OK)
		return -1;
	return bpp_store_metadata(iccid, "Fuzz SP", "Fuzz profile", &s->metadata) == BPP_OK ? 0 :
											      -1;
}

static int load_identities(struct fuzz_session *s, const char *pki_dir)
{
	static const uint8_t svn[3] = {2, 2, 2};
	char path[4][PATH_MAX];
	struct cert *ci = NULL;
	int rc = -1;

	snprintf(path[0], sizeof(path[0]), "%s/nist/ci.der", pki_dir);
	snprintf(path[1], sizeof(path[1]), "%s/nist/euicc.der", pki_dir);
	snprintf(path[2], sizeof(path[2]), "%s/nist/euicc.key", pki_dir);
	snprintf(path[3], sizeof(path[3]), "%s/nist/eum.der", pki_dir);
	if (euicc_new(svn, &s->euicc) != EUICC_OK ||
	    euicc_add_ci_file(s->euicc, path[0]) != EUICC_OK ||
	    euicc_add_chain_files(s->euicc, path[1], path[2], path[3]) != EUICC_OK ||
	    ident_eid_to_bytes(euicc_eid(s->euicc), strlen(euicc_eid(s->euicc)), s->eid) !=
		    IDENT_OK)
		goto out;
	if (cert_load_file(path[0], &ci) != PKI_OK || ci->ski_len > sizeof(s->ci_pkid))
		goto out;
	memcpy(s->ci_pkid, ci->ski, ci->ski_len);
	s->ci_pkid_len = ci->ski_len;

	snprintf(path[0], sizeof(path[0]), "%s/nist/dpauth.der", pki_dir);
	snprintf(path[1], sizeof(path[1]), "%s/nist/dpauth.key", pki_dir);
	snprintf(path[2], sizeof(path[2]), "%s/nist/dppb.der", pki_dir);
	snprintf(path[3], sizeof(path[3]), "%s/nist/dppb.key", pki_dir);
	if (read_file(path[0], &s->auth_der, &s->auth_len) ||
	    crypto_privkey_load_file(path[1], &s->auth_key) != CRYPTO_OK ||
	    read_file(path[2], &s->pb_der, &s->pb_len) ||
	    crypto_privkey_load_file(path[3], &s->pb_key) != CRYPTO_OK)
		goto out;
	rc = 0;
out:
	cert_free(ci);
	return rc;
}

int fuzz_session_init(struct fuzz_session *s, const char *pki_dir, unsigned curves)
{
	struct testpki_options opts;
	char err[256];

	memset(s, 0, sizeof(*s));
	memset(s->tid, FUZZ_TID_BYTE, sizeof(s->tid));
	der_buf_init(&s->metadata, 4096);
	der_buf_init(&s->server_signed1, 1024);
	der_buf_init(&s->server_signature1, 128);
	der_buf_init(&s->smdp_signed2, 1024);
	der_buf_init(&s->smdp_signature2, 128);
	der_buf_init(&s->info1, EUICC_MAX_RESPONSE);
	der_buf_init(&s->auth_response, EUICC_MAX_RESPONSE);
	der_buf_init(&s->prepare_response, EUICC_MAX_RESPONSE);
	der_buf_init(&s->sign_message, 4096);

	memset(&opts, 0, sizeof(opts));
	opts.out_dir = pki_dir;
	opts.curves = curves | TESTPKI_CURVE_NIST;
	opts.smdp_host = FUZZ_SMDP_ADDRESS;
	if (testpki_create(&opts, err, sizeof(err)) != PKI_OK) {
		fprintf(stderr, "fuzz session: failed to create the test PKI: %s\n", err);
		return -1;
	}
	if (load_identities(s, pki_dir) != 0) {
		fprintf(stderr, "fuzz session: failed to load the test PKI from %s\n", pki_dir);
		return -1;
	}
	if (crypto_ecdh_keypair(CRYPTO_CURVE_P256, &s->ot_key, s->ot_point) != CRYPTO_OK ||
	    make_profile(s) != 0) {
		fprintf(stderr, "fuzz session: failed to make the one-time key or the profile\n");
		return -1;
	}
	return 0;
}

void fuzz_session_free(struct fuzz_session *s)
{
	euicc_free(s->euicc);
	crypto_privkey_free(s->auth_key);
	crypto_privkey_free(s->pb_key);
	crypto_privkey_free(s->ot_key);
	free(s->auth_der);
	free(s->pb_der);
	saip_package_free(s->profile, s->profile_len);
	der_buf_free(&s->metadata);
	der_buf_free(&s->server_signed1);
	der_buf_free(&s->server_signature1);
	der_buf_free(&s->smdp_signed2);
	der_buf_free(&s->smdp_signature2);
	der_buf_free(&s->info1);
	der_buf_free(&s->auth_response);
	der_buf_free(&s->prepare_response);
	der_buf_free(&s->sign_message);
	crypto_zeroize(s->shared, sizeof(s->shared));
	memset(s, 0, sizeof(*s));
}

/* Appends the 5F37 TLV of an ECDSA signature over msg. */
static int put_signature(const struct crypto_privkey *key, const struct der_buf *msg,
			 bool tamper, struct der_buf *out)
{
	uint8_t sig[CRYPTO_SIG_LEN];

	if (msg->status != DER_OK || crypto_sign(key, msg->data, msg->len, sig) != CRYPTO_OK)
		return -1;
	if (tamper)
		sig[0] ^= 0x01;
	der_put_tlv(out, 0x5F37, sig, sizeof(sig));
	return 0;
}

int fuzz_session_authenticate(struct fuzz_session *s, bool tamper)
{
	static const uint8_t server_challenge[RSP_CHALLENGE_LEN] = {
		0x3C, 0x3C, 0x3C, 0x3C, 0x3C, 0x3C, 0x3C, 0x3C,
		0x3C, 0x3C, 0x3C, 0x3C, 0x3C, 0x3C, 0x3C, 0x3C,
	};
	struct der_buf *signed1 = &s->server_signed1, *sig1 = &s->server_signature1;
	struct euicc_auth_request req;
	struct der_buf pkid;
	uint8_t challenge[RSP_CHALLENGE_LEN];
	size_t seq;
	int es10_error = 0, rc = -1;

	der_buf_init(&pkid, 64);
	signed1->len = 0;
	sig1->len = 0;
	if (euicc_get_challenge(s->euicc, challenge) != EUICC_OK)
		goto out;

	/* ServerSigned1 ::= SEQUENCE { transactionId [0], euiccChallenge [1], serverAddress [3],
	 * serverChallenge [4] } */
	seq = der_begin(signed1, 0x30);
	der_put_tlv(signed1, 0x80, s->tid, sizeof(s->tid));
	der_put_tlv(signed1, 0x81, challenge, sizeof(challenge));
	der_put_tlv(signed1, 0x83, FUZZ_SMDP_ADDRESS, strlen(FUZZ_SMDP_ADDRESS));
	der_put_tlv(signed1, 0x84, server_challenge, sizeof(server_challenge));
	der_end(signed1, seq);
	if (put_signature(s->auth_key, signed1, tamper, sig1) != 0)
		goto out;
	der_put_tlv(&pkid, 0x04, s->ci_pkid, s->ci_pkid_len);
	if (signed1->status != DER_OK || sig1->status != DER_OK || pkid.status != DER_OK)
		goto out;

	memset(&req, 0, sizeof(req));
	req.server_signed1 = signed1->data;
	req.server_signed1_len = signed1->len;
	req.server_signature1 = sig1->data;
	req.server_signature1_len = sig1->len;
	req.ci_pkid = pkid.data;
	req.ci_pkid_len = pkid.len;
	req.server_cert = s->auth_der;
	req.server_cert_len = s->auth_len;
	req.matching_id = FUZZ_MATCHING_ID;
	s->auth_response.len = 0;
	if (euicc_authenticate_server(s->euicc, &req, &s->auth_response, &es10_error) !=
		    EUICC_OK ||
	    (!tamper && es10_error != 0))
		goto out;
	rc = 0;
out:
	der_buf_free(&pkid);
	return rc;
}

/* Finds euiccSignature1 in AuthenticateServerResponse: BF38 { A0 { euiccSigned1, 5F37 .. } }. */
static int find_euicc_signature1(const struct fuzz_session *s, struct der_tlv *sig)
{
	struct der_tlv top, ok;

	if (der_read_exact(s->auth_response.data, s->auth_response.len, 0xBF38, &top) != DER_OK ||
	    der_find(&top, 0xA0, &ok) != DER_OK || der_find(&ok, 0x5F37, sig) != DER_OK)
		return -1;
	return 0;
}

/* Reads otPK.EUICC.ECKA from PrepareDownloadResponse: BF21 { A0 { 30 { .. 5F49 } 5F37 } }. */
static int read_euicc_otpk(struct fuzz_session *s)
{
	struct der_tlv top, ok, signed2, otpk;

	if (der_read_exact(s->prepare_response.data, s->prepare_response.len, 0xBF21, &top) !=
		    DER_OK ||
	    der_find(&top, 0xA0, &ok) != DER_OK || der_find(&ok, 0x30, &signed2) != DER_OK ||
	    der_find(&signed2, 0x5F49, &otpk) != DER_OK || otpk.len != CRYPTO_POINT_LEN)
		return -1;
	memcpy(s->euicc_otpk, otpk.value, CRYPTO_POINT_LEN);
	return 0;
}

int fuzz_session_prepare(struct fuzz_session *s)
{
	static const uint8_t cc_not_required = 0x00;
	struct der_buf *signed2 = &s->smdp_signed2, *sig2 = &s->smdp_signature2;
	struct euicc_prepare_request req;
	struct der_buf msg;
	struct der_tlv sig1;
	size_t seq;
	int es10_error = 0, rc = -1;

	der_buf_init(&msg, 1024);
	signed2->len = 0;
	sig2->len = 0;
	s->info1.len = 0;
	if (euicc_get_info1(s->euicc, &s->info1) != EUICC_OK ||
	    fuzz_session_authenticate(s, false) != 0 || find_euicc_signature1(s, &sig1) != 0)
		goto out;

	/* SmdpSigned2 ::= SEQUENCE { transactionId [0], ccRequiredFlag BOOLEAN }; smdpSignature2
	 * covers smdpSigned2 followed by euiccSignature1. */
	seq = der_begin(signed2, 0x30);
	der_put_tlv(signed2, 0x80, s->tid, sizeof(s->tid));
	der_put_tlv(signed2, 0x01, &cc_not_required, 1);
	der_end(signed2, seq);
	der_put_raw(&msg, signed2->data, signed2->len);
	der_put_raw(&msg, sig1.raw, sig1.raw_len);
	if (signed2->status != DER_OK || put_signature(s->pb_key, &msg, false, sig2) != 0 ||
	    sig2->status != DER_OK)
		goto out;

	memset(&req, 0, sizeof(req));
	req.smdp_signed2 = signed2->data;
	req.smdp_signed2_len = signed2->len;
	req.smdp_signature2 = sig2->data;
	req.smdp_signature2_len = sig2->len;
	req.smdp_cert = s->pb_der;
	req.smdp_cert_len = s->pb_len;
	s->prepare_response.len = 0;
	if (euicc_prepare_download(s->euicc, &req, &s->prepare_response, &es10_error) !=
		    EUICC_OK ||
	    es10_error != 0 || read_euicc_otpk(s) != 0)
		goto out;
	if (crypto_ecdh_shared(s->ot_key, s->euicc_otpk, CRYPTO_POINT_LEN, s->shared) != CRYPTO_OK)
		goto out;
	rc = 0;
out:
	der_buf_free(&msg);
	return rc;
}

int fuzz_session_plain_bpp(const struct fuzz_session *s, bool with_rsk, struct der_buf *out)
{
	static const uint8_t remote_op_install = 0x01, key_type_aes = 0x88, key_len_16 = 0x10;
	static const uint8_t configure_isdp[] = {0xBF, 0x24, 0x00};
	static const uint8_t placeholder_sig[CRYPTO_SIG_LEN];
	uint8_t ppk[3][BSP_KEY_LEN];
	struct der_buf rsk;
	size_t top, mark, inner, off, n;

	top = der_begin(out, 0xBF36);
	mark = der_begin(out, 0xBF23);
	der_put_tlv(out, 0x82, &remote_op_install, 1);
	der_put_tlv(out, 0x80, s->tid, sizeof(s->tid));
	inner = der_begin(out, 0xA6);
	der_put_tlv(out, 0x80, &key_type_aes, 1);
	der_put_tlv(out, 0x81, &key_len_16, 1);
	der_put_tlv(out, 0x84, FUZZ_HOST_ID, strlen(FUZZ_HOST_ID));
	der_end(out, inner);
	der_put_tlv(out, 0x5F49, s->ot_point, sizeof(s->ot_point));
	der_put_tlv(out, 0x5F37, placeholder_sig, sizeof(placeholder_sig));
	der_end(out, mark);

	mark = der_begin(out, 0xA0);
	der_put_tlv(out, BSP_TAG_ENCRYPTED, configure_isdp, sizeof(configure_isdp));
	der_end(out, mark);
	mark = der_begin(out, 0xA1);
	der_put_tlv(out, BSP_TAG_MAC_ONLY, s->metadata.data, s->metadata.len);
	der_end(out, mark);

	if (with_rsk) {
		/* ReplaceSessionKeysRequest ::= [38] SEQUENCE { initialMacChainingValue [0],
		 * ppkEnc [1], ppkCmac [2] }, with test keys */
		memset(ppk[0], 0x33, sizeof(ppk[0]));
		memset(ppk[1], 0x11, sizeof(ppk[1]));
		memset(ppk[2], 0x22, sizeof(ppk[2]));
		der_buf_init(&rsk, 128);
		inner = der_begin(&rsk, 0xBF26);
		der_put_tlv(&rsk, 0x80, ppk[0], sizeof(ppk[0]));
		der_put_tlv(&rsk, 0x81, ppk[1], sizeof(ppk[1]));
		der_put_tlv(&rsk, 0x82, ppk[2], sizeof(ppk[2]));
		der_end(&rsk, inner);
		mark = der_begin(out, 0xA2);
		der_put_tlv(out, BSP_TAG_ENCRYPTED, rsk.data, rsk.len);
		der_end(out, mark);
		if (rsk.status != DER_OK)
			out->status = rsk.status;
		der_buf_free(&rsk);
	}

	mark = der_begin(out, 0xA3);
	for (off = 0; off < s->profile_len; off += n) {
		n = s->profile_len - off;
		if (n > RSP_MAX_SEGMENT_PLAIN_ENC)
			n = RSP_MAX_SEGMENT_PLAIN_ENC;
		der_put_tlv(out, BSP_TAG_PROFILE, s->profile + off, n);
	}
	der_end(out, mark);
	der_end(out, top);
	return out->status == DER_OK ? 0 : -1;
}

/* Derives the session keys from the hostId of a control reference template (A6). */
static bool derive_keys(const struct fuzz_session *s, const struct der_tlv *crt,
			struct bsp_ctx *ctx)
{
	struct bsp_keys keys;
	struct der_tlv host_id;

	if (der_find(crt, 0x84, &host_id) != DER_OK || host_id.len < 1 ||
	    host_id.len > BSP_MAX_HOST_ID ||
	    bsp_derive_keys(s->shared, sizeof(s->shared), host_id.value, host_id.len, s->eid,
			    &keys) != BSP_OK)
		return false;
	bsp_ctx_init(ctx, &keys);
	crypto_zeroize(&keys, sizeof(keys));
	return true;
}

/* Appends smdpSign over msg followed by otPK.EUICC.ECKA, reusing the last signature when the
 * message is the same. */
static void put_smdp_sign(struct fuzz_session *s, struct der_buf *msg, struct der_buf *out)
{
	der_put_tlv(msg, 0x5F49, s->euicc_otpk, sizeof(s->euicc_otpk));
	if (msg->status != DER_OK)
		return;
	if (s->sign_message.len != msg->len ||
	    memcmp(s->sign_message.data, msg->data, msg->len) != 0) {
		s->sign_message.len = 0;
		if (crypto_sign(s->pb_key, msg->data, msg->len, s->signature) != CRYPTO_OK)
			return;
		der_put_raw(&s->sign_message, msg->data, msg->len);
	}
	der_put_tlv(out, 0x5F37, s->signature, sizeof(s->signature));
}

/* Rewrites InitialiseSecureChannelRequest (BF23) with the session's smdpOtpk and a valid
 * smdpSign, and derives the keys from its control reference template. */
static int seal_isc(struct fuzz_session *s, const struct der_tlv *isc, struct bsp_ctx *ctx,
		    bool *have_keys, struct der_buf *out)
{
	struct der_buf msg;
	struct der_tlv child;
	struct der_iter it;
	size_t mark;
	int more;

	der_buf_init(&msg, 4096);
	mark = der_begin(out, isc->tag);
	der_iter_init(&it, isc);
	while ((more = der_iter_next(&it, &child)) == 1) {
		if (child.tag == 0x5F37) {
			put_smdp_sign(s, &msg, out);
			continue;
		}
		if (child.tag == 0x5F49) {
			der_put_tlv(out, 0x5F49, s->ot_point, sizeof(s->ot_point));
			der_put_tlv(&msg, 0x5F49, s->ot_point, sizeof(s->ot_point));
			continue;
		}
		der_put_raw(out, child.raw, child.raw_len);
		der_put_raw(&msg, child.raw, child.raw_len);
		if (child.tag == 0xA6)
			*have_keys = derive_keys(s, &child, ctx);
	}
	der_end(out, mark);
	der_buf_free(&msg);
	return more < 0 ? -1 : 0;
}

/* Switches ctx to the keys of a ReplaceSessionKeysRequest, when plain is a well-formed one. */
static void replace_keys(struct bsp_ctx *ctx, const struct der_buf *plain)
{
	struct der_tlv req, mcv, enc, mac;
	struct der_iter it;

	if (der_read_exact(plain->data, plain->len, 0xBF26, &req) != DER_OK)
		return;
	der_iter_init(&it, &req);
	if (der_iter_next(&it, &mcv) != 1 || mcv.tag != 0x80 || mcv.len != BSP_KEY_LEN ||
	    der_iter_next(&it, &enc) != 1 || enc.tag != 0x81 || enc.len != BSP_KEY_LEN ||
	    der_iter_next(&it, &mac) != 1 || mac.tag != 0x82 || mac.len != BSP_KEY_LEN)
		return;
	bsp_ctx_replace_keys(ctx, enc.value, mac.value, mcv.value);
}

/* Seals the segments of one sequence (A0 to A3). Segments of other tags or sizes, and all
 * segments before the keys are known, are copied as they are. */
static int seal_sequence(struct bsp_ctx *ctx, bool have_keys, const struct der_tlv *seq,
			 struct der_buf *out)
{
	struct der_buf rsk;
	struct der_tlv seg;
	struct der_iter it;
	size_t mark;
	int more = 0, rc = 0;

	der_buf_init(&rsk, 1024);
	mark = der_begin(out, seq->tag);
	der_iter_init(&it, seq);
	while (rc == 0 && (more = der_iter_next(&it, &seg)) == 1) {
		if (have_keys && (seg.tag == BSP_TAG_PROFILE || seg.tag == BSP_TAG_ENCRYPTED) &&
		    seg.len >= 1 && seg.len <= RSP_MAX_SEGMENT_PLAIN_ENC)
			rc = bsp_write_encrypted(ctx, seg.tag, seg.value, seg.len, out);
		else if (have_keys && seg.tag == BSP_TAG_MAC_ONLY && seg.len >= 1 &&
			 seg.len <= RSP_MAX_SEGMENT_PLAIN_MAC)
			rc = bsp_write_mac_only(ctx, seg.tag, seg.value, seg.len, out);
		else
			der_put_raw(out, seg.raw, seg.raw_len);
		if (seq->tag == 0xA2)
			der_put_raw(&rsk, seg.value, seg.len);
	}
	der_end(out, mark);
	if (rc == 0 && more < 0)
		rc = -1;
	if (rc == 0 && have_keys && seq->tag == 0xA2)
		replace_keys(ctx, &rsk);
	der_buf_free(&rsk);
	return rc == 0 ? 0 : -1;
}

int fuzz_session_seal(struct fuzz_session *s, const uint8_t *plain, size_t len,
		      struct der_buf *out)
{
	struct der_tlv top, part;
	struct der_iter it;
	struct bsp_ctx ctx;
	bool have_keys = false;
	size_t mark;
	int more = 0, rc = 0;

	if (der_read_exact(plain, len, 0xBF36, &top) != DER_OK)
		return -1;
	memset(&ctx, 0, sizeof(ctx));
	mark = der_begin(out, top.tag);
	der_iter_init(&it, &top);
	while (rc == 0 && (more = der_iter_next(&it, &part)) == 1) {
		if (part.tag == 0xBF23)
			rc = seal_isc(s, &part, &ctx, &have_keys, out);
		else if (part.tag >= 0xA0 && part.tag <= 0xA3)
			rc = seal_sequence(&ctx, have_keys, &part, out);
		else
			der_put_raw(out, part.raw, part.raw_len);
	}
	der_end(out, mark);
	bsp_ctx_free(&ctx);
	if (rc != 0 || more < 0 || out->status != DER_OK)
		return -1;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int fuzz_remove_tree(const char *path)
{
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}
