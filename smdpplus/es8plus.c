/*
 * SGP.22 ES8+ Bound Profile Package builder (see es8plus.h for the layout).
 */
#include <string.h>

#include "common/ident.h"
#include "smdpplus/bsp.h"
#include "smdpplus/es8plus.h"

#define TAG_BPP          0xBF36
#define TAG_INIT_SC      0xBF23
#define TAG_CONFIGURE    0xBF24
#define TAG_METADATA     0xBF25
#define TAG_OTPK         0x5F49
#define TAG_SIGNATURE    0x5F37
#define TAG_ICCID        0x5A
#define TAG_SPN          0x91
#define TAG_PROFILE_NAME 0x92

/* RemoteOpId installBoundProfilePackage(1), [2] INTEGER. */
static const uint8_t remote_op_id[] = { 0x82, 0x01, 0x01 };

int bpp_store_metadata(const char *iccid, const char *service_provider_name,
		       const char *profile_name, struct der_buf *out)
{
	uint8_t bcd[RSP_ICCID_LEN];
	size_t spn_len = strlen(service_provider_name), name_len = strlen(profile_name);
	size_t mark;

	if (ident_iccid_to_bcd(iccid, strlen(iccid), bcd) != IDENT_OK || spn_len > 32 ||
	    name_len > 64)
		return BPP_E_INVALID;
	mark = der_begin(out, TAG_METADATA);
	der_put_tlv(out, TAG_ICCID, bcd, sizeof(bcd));
	der_put_tlv(out, TAG_SPN, service_provider_name, spn_len);
	der_put_tlv(out, TAG_PROFILE_NAME, profile_name, name_len);
	der_end(out, mark);
	return out->status == DER_OK ? BPP_OK : BPP_E_TOO_LARGE;
}

/* Writes the control reference template A6 { keyType AES, keyLength 16, hostId }. */
static void put_crt(struct der_buf *b, const uint8_t *host_id, size_t host_id_len)
{
	static const uint8_t key_type = 0x88, key_len = 0x10;
	size_t mark = der_begin(b, 0xA6);

	der_put_tlv(b, 0x80, &key_type, 1);
	der_put_tlv(b, 0x81, &key_len, 1);
	der_put_tlv(b, 0x84, host_id, host_id_len);
	der_end(b, mark);
}

/*
 * Writes InitialiseSecureChannelRequest. smdpSign is computed over remoteOpId, transactionId,
 * controlRefTemplate, smdpOtpk and euiccOtpk, each as its TLV, without the BF23 header
 * (SGP.22 ES8+ InitialiseSecureChannel).
 */
static int put_init_secure_channel(struct der_buf *out, const struct crypto_privkey *key,
				   const uint8_t *tid, size_t tid_len, const uint8_t *host_id,
				   size_t host_id_len, const uint8_t *smdp_otpk,
				   const uint8_t *euicc_otpk, size_t euicc_otpk_len)
{
	struct der_buf signed_part, tbs;
	uint8_t sig[CRYPTO_SIG_LEN];
	size_t mark;
	int rc = BPP_E_TOO_LARGE;

	der_buf_init(&signed_part, 512);
	der_buf_init(&tbs, 512);
	der_put_raw(&signed_part, remote_op_id, sizeof(remote_op_id));
	der_put_tlv(&signed_part, 0x80, tid, tid_len);
	put_crt(&signed_part, host_id, host_id_len);
	der_put_tlv(&signed_part, TAG_OTPK, smdp_otpk, CRYPTO_POINT_LEN);

	der_put_raw(&tbs, signed_part.data, signed_part.len);
	der_put_tlv(&tbs, TAG_OTPK, euicc_otpk, euicc_otpk_len);
	if (signed_part.status != DER_OK || tbs.status != DER_OK)
		goto out;
	rc = BPP_E_CRYPTO;
	if (crypto_sign(key, tbs.data, tbs.len, sig) != CRYPTO_OK)
		goto out;

	mark = der_begin(out, TAG_INIT_SC);
	der_put_raw(out, signed_part.data, signed_part.len);
	der_put_tlv(out, TAG_SIGNATURE, sig, sizeof(sig));
	der_end(out, mark);
	rc = out->status == DER_OK ? BPP_OK : BPP_E_TOO_LARGE;
out:
	der_buf_free(&signed_part);
	der_buf_free(&tbs);
	return rc;
}

/* Writes the protected parts A0, A1 and A3 with the session keys. */
static int put_protected_parts(struct der_buf *out, const struct bsp_keys *keys,
			       const struct bpp_request *req)
{
	static const uint8_t configure_isdp[] = { 0xBF, 0x24, 0x00 }; /* ConfigureISDPRequest */
	struct bsp_ctx ctx;
	size_t mark;
	int rc = BPP_E_CRYPTO;

	bsp_ctx_init(&ctx, keys);

	mark = der_begin(out, 0xA0);
	if (bsp_write_encrypted(&ctx, BSP_TAG_ENCRYPTED, configure_isdp, sizeof(configure_isdp),
				out) != BSP_OK)
		goto out;
	der_end(out, mark);

	mark = der_begin(out, 0xA1);
	if (bsp_write_mac_only_segments(&ctx, BSP_TAG_MAC_ONLY, req->metadata, req->metadata_len,
					out) != BSP_OK)
		goto out;
	der_end(out, mark);

	mark = der_begin(out, 0xA3);
	if (bsp_write_encrypted_segments(&ctx, BSP_TAG_PROFILE, req->upp, req->upp_len, out) !=
	    BSP_OK)
		goto out;
	der_end(out, mark);
	rc = out->status == DER_OK ? BPP_OK : BPP_E_TOO_LARGE;
out:
	bsp_ctx_free(&ctx);
	return rc;
}

int bpp_build(const struct bpp_request *req, struct der_buf *out,
	      uint8_t smdp_otpk[CRYPTO_POINT_LEN])
{
	static const uint8_t host_id[] = BPP_HOST_ID;
	struct crypto_privkey *otsk = NULL;
	uint8_t shs[CRYPTO_SHARED_LEN];
	struct bsp_keys keys;
	size_t mark;
	int rc = BPP_E_INVALID;

	if (!req->dppb_key || !req->transaction_id || req->transaction_id_len == 0 ||
	    req->transaction_id_len > RSP_TRANSACTION_ID_LEN ||
	    req->euicc_otpk_len != CRYPTO_POINT_LEN || !req->metadata || req->metadata_len == 0 ||
	    !req->upp || req->upp_len == 0)
		return BPP_E_INVALID;

	/* SGP.22: otPK.DP.ECKA is generated on the curve of CERT.DPpb. */
	rc = BPP_E_CRYPTO;
	if (crypto_ecdh_keypair(crypto_privkey_curve(req->dppb_key), &otsk, smdp_otpk) !=
		    CRYPTO_OK ||
	    crypto_ecdh_shared(otsk, req->euicc_otpk, req->euicc_otpk_len, shs) != CRYPTO_OK ||
	    bsp_derive_keys(shs, sizeof(shs), host_id, sizeof(host_id) - 1, req->eid, &keys) !=
		    BSP_OK)
		goto out;

	mark = der_begin(out, TAG_BPP);
	rc = put_init_secure_channel(out, req->dppb_key, req->transaction_id,
				     req->transaction_id_len, host_id, sizeof(host_id) - 1,
				     smdp_otpk, req->euicc_otpk, req->euicc_otpk_len);
	if (rc != BPP_OK)
		goto out;
	rc = put_protected_parts(out, &keys, req);
	if (rc != BPP_OK)
		goto out;
	der_end(out, mark);
	rc = out->status == DER_OK ? BPP_OK : BPP_E_TOO_LARGE;
out:
	crypto_privkey_free(otsk);
	crypto_zeroize(shs, sizeof(shs));
	crypto_zeroize(&keys, sizeof(keys));
	return rc;
}

int bpp_rebind_transaction(const uint8_t *bpp, size_t bpp_len,
			   const struct crypto_privkey *dppb_key, const uint8_t *transaction_id,
			   size_t transaction_id_len, const uint8_t *euicc_otpk,
			   size_t euicc_otpk_len, struct der_buf *out)
{
	struct der_tlv top, isc, crt, host, otpk, child;
	struct der_iter it;
	size_t mark;
	int rc;

	if (der_read_exact(bpp, bpp_len, TAG_BPP, &top) != DER_OK)
		return BPP_E_INVALID;
	der_iter_init(&it, &top);
	if (der_iter_next(&it, &isc) != 1 || isc.tag != TAG_INIT_SC ||
	    der_find(&isc, 0xA6, &crt) != DER_OK || der_find(&crt, 0x84, &host) != DER_OK ||
	    der_find(&isc, TAG_OTPK, &otpk) != DER_OK || otpk.len != CRYPTO_POINT_LEN)
		return BPP_E_INVALID;

	mark = der_begin(out, TAG_BPP);
	rc = put_init_secure_channel(out, dppb_key, transaction_id, transaction_id_len, host.value,
				     host.len, otpk.value, euicc_otpk, euicc_otpk_len);
	if (rc != BPP_OK)
		return rc;
	/* The protected parts follow unchanged. */
	while ((rc = der_iter_next(&it, &child)) == 1)
		der_put_raw(out, child.raw, child.raw_len);
	if (rc < 0)
		return BPP_E_INVALID;
	der_end(out, mark);
	return out->status == DER_OK ? BPP_OK : BPP_E_TOO_LARGE;
}
