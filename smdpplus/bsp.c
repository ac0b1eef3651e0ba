/*
 * SGP.22 BSP (SCP03t) on the SM-DP+ side: key derivation and segment protection
 * (see smdpplus/bsp.h for the rules).
 */
#include "smdpplus/bsp.h"

#include <string.h>

#include "common/crypto.h"

#define KEY_TYPE_AES 0x88 /* keyType of the control reference template */
#define KEY_LEN_16   0x10 /* keyLength */
#define CMAC_LEN     8    /* the C-MAC appended to each segment */

#define KDF_MAX_Z    66   /* an ECDH shared secret up to P-521 */
#define KDF_MAX_INFO 128

int bsp_x963_kdf(const uint8_t *z, size_t z_len, const uint8_t *shared_info, size_t info_len,
		 uint8_t *out, size_t out_len)
{
	uint8_t input[KDF_MAX_Z + 4 + KDF_MAX_INFO];
	uint8_t digest[CRYPTO_SHA256_LEN];
	size_t in_len = z_len + 4 + info_len;
	uint32_t counter = 1;

	if (!z || z_len == 0 || z_len > KDF_MAX_Z || info_len > KDF_MAX_INFO ||
	    (!shared_info && info_len > 0) || !out)
		return BSP_E_INVALID;

	memcpy(input, z, z_len);
	if (info_len > 0)
		memcpy(input + z_len + 4, shared_info, info_len);
	while (out_len > 0) {
		size_t n = out_len < sizeof(digest) ? out_len : sizeof(digest);

		input[z_len] = (uint8_t)(counter >> 24);
		input[z_len + 1] = (uint8_t)(counter >> 16);
		input[z_len + 2] = (uint8_t)(counter >> 8);
		input[z_len + 3] = (uint8_t)counter;
		crypto_sha256(input, in_len, digest);
		memcpy(out, digest, n);
		out += n;
		out_len -= n;
		counter++;
	}
	crypto_zeroize(input, sizeof(input));
	crypto_zeroize(digest, sizeof(digest));
	return BSP_OK;
}

int bsp_derive_keys(const uint8_t *shs, size_t shs_len, const uint8_t *host_id,
		    size_t host_id_len, const uint8_t eid[RSP_EID_LEN], struct bsp_keys *out)
{
	/* SharedInfo = keyType || keyLength || len(hostId) || hostId || len(EID) || EID */
	uint8_t info[3 + BSP_MAX_HOST_ID + 1 + RSP_EID_LEN];
	uint8_t okm[3 * BSP_KEY_LEN];
	size_t pos = 0;
	int ret;

	if (!host_id || host_id_len == 0 || host_id_len > BSP_MAX_HOST_ID || !eid || !out)
		return BSP_E_INVALID;
	info[pos++] = KEY_TYPE_AES;
	info[pos++] = KEY_LEN_16;
	info[pos++] = (uint8_t)host_id_len;
	memcpy(info + pos, host_id, host_id_len);
	pos += host_id_len;
	info[pos++] = RSP_EID_LEN;
	memcpy(info + pos, eid, RSP_EID_LEN);
	pos += RSP_EID_LEN;

	ret = bsp_x963_kdf(shs, shs_len, info, pos, okm, sizeof(okm));
	if (ret == BSP_OK) {
		memcpy(out->initial_mcv, okm, BSP_KEY_LEN);
		memcpy(out->s_enc, okm + BSP_KEY_LEN, BSP_KEY_LEN);
		memcpy(out->s_mac, okm + 2 * BSP_KEY_LEN, BSP_KEY_LEN);
	}
	crypto_zeroize(okm, sizeof(okm));
	return ret;
}

void bsp_ctx_init(struct bsp_ctx *ctx, const struct bsp_keys *keys)
{
	memcpy(ctx->enc, keys->s_enc, BSP_KEY_LEN);
	memcpy(ctx->mac, keys->s_mac, BSP_KEY_LEN);
	memcpy(ctx->mcv, keys->initial_mcv, BSP_KEY_LEN);
	ctx->counter = 1;
}

void bsp_ctx_replace_keys(struct bsp_ctx *ctx, const uint8_t ppk_enc[BSP_KEY_LEN],
			  const uint8_t ppk_mac[BSP_KEY_LEN],
			  const uint8_t initial_mcv[BSP_KEY_LEN])
{
	memcpy(ctx->enc, ppk_enc, BSP_KEY_LEN);
	memcpy(ctx->mac, ppk_mac, BSP_KEY_LEN);
	memcpy(ctx->mcv, initial_mcv, BSP_KEY_LEN);
	ctx->counter = 1;
}

void bsp_ctx_free(struct bsp_ctx *ctx)
{
	if (ctx)
		crypto_zeroize(ctx, sizeof(*ctx));
}

/* Writes a tag byte and the DER length of a segment body plus its C-MAC; returns the size. */
static size_t segment_header(uint32_t tag, size_t body_len, uint8_t hdr[4])
{
	size_t l = body_len + CMAC_LEN;

	hdr[0] = (uint8_t)tag;
	if (l < 0x80) {
		hdr[1] = (uint8_t)l;
		return 2;
	}
	if (l <= 0xFF) {
		hdr[1] = 0x81;
		hdr[2] = (uint8_t)l;
		return 3;
	}
	hdr[1] = 0x82;
	hdr[2] = (uint8_t)(l >> 8);
	hdr[3] = (uint8_t)l;
	return 4;
}

static size_t segment_size(size_t body_len)
{
	uint8_t hdr[4];

	return segment_header(0, body_len, hdr) + body_len + CMAC_LEN;
}

/* Completes the segment in seg (header and body already in place, room for the C-MAC after
 * them): computes the C-MAC, chains the MCV, appends the segment to out and advances the
 * block counter. */
static int finish_segment(struct bsp_ctx *ctx, uint8_t *seg, size_t len, struct der_buf *out)
{
	uint8_t mac_input[BSP_KEY_LEN + RSP_MAX_SEGMENT_TLV];
	uint8_t full[CRYPTO_AES_BLOCK];

	memcpy(mac_input, ctx->mcv, BSP_KEY_LEN);
	memcpy(mac_input + BSP_KEY_LEN, seg, len);
	if (crypto_aes128_cmac(ctx->mac, mac_input, BSP_KEY_LEN + len, full) != CRYPTO_OK)
		return BSP_E_CRYPTO;
	memcpy(ctx->mcv, full, BSP_KEY_LEN);
	memcpy(seg + len, full, CMAC_LEN);
	crypto_zeroize(full, sizeof(full));
	ctx->counter++;

	der_put_raw(out, seg, len + CMAC_LEN);
	return out->status == 0 ? BSP_OK : BSP_E_OUTPUT;
}

int bsp_write_encrypted(struct bsp_ctx *ctx, uint32_t tag, const uint8_t *plain, size_t len,
			struct der_buf *out)
{
	uint8_t seg[RSP_MAX_SEGMENT_TLV];
	uint8_t block[CRYPTO_AES_BLOCK] = { 0 };
	uint8_t icv[CRYPTO_AES_BLOCK];
	size_t padded, hlen;
	int ret;

	if (!ctx || !out || !plain || len == 0 || len > RSP_MAX_SEGMENT_PLAIN_ENC ||
	    (tag != BSP_TAG_PROFILE && tag != BSP_TAG_ENCRYPTED) || ctx->counter == UINT32_MAX)
		return BSP_E_INVALID;
	if (out->status != 0)
		return BSP_E_OUTPUT;

	/* ISO/IEC 9797-1 padding method 2: 80 then 00s, always at least one byte. */
	padded = (len / CRYPTO_AES_BLOCK + 1) * CRYPTO_AES_BLOCK;
	hlen = segment_header(tag, padded, seg);
	memcpy(seg + hlen, plain, len);
	seg[hlen + len] = 0x80;
	memset(seg + hlen + len + 1, 0, padded - len - 1);

	/* ICV = AES-ECB(S-ENC, block counter as a 16-byte big-endian number) */
	block[12] = (uint8_t)(ctx->counter >> 24);
	block[13] = (uint8_t)(ctx->counter >> 16);
	block[14] = (uint8_t)(ctx->counter >> 8);
	block[15] = (uint8_t)ctx->counter;
	if (crypto_aes128_ecb_encrypt(ctx->enc, block, icv) != CRYPTO_OK ||
	    crypto_aes128_cbc_encrypt(ctx->enc, icv, seg + hlen, padded, seg + hlen) != CRYPTO_OK) {
		ret = BSP_E_CRYPTO;
		goto out;
	}
	ret = finish_segment(ctx, seg, hlen + padded, out);
out:
	crypto_zeroize(seg, sizeof(seg));
	crypto_zeroize(icv, sizeof(icv));
	return ret;
}

int bsp_write_mac_only(struct bsp_ctx *ctx, uint32_t tag, const uint8_t *plain, size_t len,
		       struct der_buf *out)
{
	uint8_t seg[RSP_MAX_SEGMENT_TLV];
	size_t hlen;
	int ret;

	if (!ctx || !out || !plain || len == 0 || len > RSP_MAX_SEGMENT_PLAIN_MAC ||
	    tag != BSP_TAG_MAC_ONLY || ctx->counter == UINT32_MAX)
		return BSP_E_INVALID;
	if (out->status != 0)
		return BSP_E_OUTPUT;

	hlen = segment_header(tag, len, seg);
	memcpy(seg + hlen, plain, len);
	/* The block counter still advances: the next encrypted segment's ICV depends on it. */
	ret = finish_segment(ctx, seg, hlen + len, out);
	crypto_zeroize(seg, sizeof(seg));
	return ret;
}

int bsp_write_encrypted_segments(struct bsp_ctx *ctx, uint32_t tag, const uint8_t *plain,
				 size_t len, struct der_buf *out)
{
	int ret = BSP_E_INVALID;

	if (!plain || len == 0)
		return BSP_E_INVALID;
	while (len > 0) {
		size_t n = len < RSP_MAX_SEGMENT_PLAIN_ENC ? len : RSP_MAX_SEGMENT_PLAIN_ENC;

		ret = bsp_write_encrypted(ctx, tag, plain, n, out);
		if (ret != BSP_OK)
			return ret;
		plain += n;
		len -= n;
	}
	return ret;
}

int bsp_write_mac_only_segments(struct bsp_ctx *ctx, uint32_t tag, const uint8_t *plain,
				size_t len, struct der_buf *out)
{
	int ret = BSP_E_INVALID;

	if (!plain || len == 0)
		return BSP_E_INVALID;
	while (len > 0) {
		size_t n = len < RSP_MAX_SEGMENT_PLAIN_MAC ? len : RSP_MAX_SEGMENT_PLAIN_MAC;

		ret = bsp_write_mac_only(ctx, tag, plain, n, out);
		if (ret != BSP_OK)
			return ret;
		plain += n;
		len -= n;
	}
	return ret;
}

size_t bsp_encrypted_segments_size(size_t len, size_t *segments)
{
	size_t full = len / RSP_MAX_SEGMENT_PLAIN_ENC, rest = len % RSP_MAX_SEGMENT_PLAIN_ENC;
	size_t size = full * segment_size(RSP_MAX_SEGMENT_PLAIN_ENC + 1);

	if (rest > 0)
		size += segment_size((rest / CRYPTO_AES_BLOCK + 1) * CRYPTO_AES_BLOCK);
	if (segments)
		*segments = full + (rest > 0);
	return size;
}

size_t bsp_mac_only_segments_size(size_t len, size_t *segments)
{
	size_t full = len / RSP_MAX_SEGMENT_PLAIN_MAC, rest = len % RSP_MAX_SEGMENT_PLAIN_MAC;
	size_t size = full * segment_size(RSP_MAX_SEGMENT_PLAIN_MAC);

	if (rest > 0)
		size += segment_size(rest);
	if (segments)
		*segments = full + (rest > 0);
	return size;
}
