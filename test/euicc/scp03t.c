/*
 * The eUICC side of SGP.22 BSP (SCP03t): key derivation and segment opening. See scp03t.h.
 */
#include "test/euicc/scp03t.h"

#include <string.h>

#include "common/crypto.h"
#include "common/limits.h"

/* SGP.22 fixes the EID in the SharedInfo at 16 bytes. */
#define EID_LEN 16
#define HOST_ID_MAX 16
#define KDF_OUTPUT_LEN 48

int euicc_x963_kdf_sha256(const uint8_t *z, size_t z_len, const uint8_t *shared_info,
			  size_t shared_info_len, uint8_t *out, size_t out_len)
{
	uint8_t input[128];
	uint8_t digest[CRYPTO_SHA256_LEN];
	uint32_t counter = 1;
	size_t done = 0;

	if (z_len + 4 + shared_info_len > sizeof(input))
		return EUICC_SCP03T_E_FORMAT;

	memcpy(input, z, z_len);
	memcpy(input + z_len + 4, shared_info, shared_info_len);
	while (done < out_len) {
		size_t take = out_len - done < sizeof(digest) ? out_len - done : sizeof(digest);

		input[z_len] = (uint8_t)(counter >> 24);
		input[z_len + 1] = (uint8_t)(counter >> 16);
		input[z_len + 2] = (uint8_t)(counter >> 8);
		input[z_len + 3] = (uint8_t)counter;
		crypto_sha256(input, z_len + 4 + shared_info_len, digest);
		memcpy(out + done, digest, take);
		done += take;
		counter++;
	}
	crypto_zeroize(input, sizeof(input));
	crypto_zeroize(digest, sizeof(digest));
	return EUICC_SCP03T_OK;
}

int euicc_scp03t_derive(const uint8_t *shared_secret, size_t shared_secret_len,
			uint8_t key_type, uint8_t key_len, const uint8_t *host_id,
			size_t host_id_len, const uint8_t eid[16], struct euicc_scp03t *out)
{
	uint8_t shared_info[4 + HOST_ID_MAX + 1 + EID_LEN];
	uint8_t keys[KDF_OUTPUT_LEN];
	size_t n = 0;
	int rc;

	if (key_type != EUICC_SCP03T_KEY_TYPE_AES || key_len != EUICC_SCP03T_KEY_LEN ||
	    host_id_len == 0 || host_id_len > HOST_ID_MAX || shared_secret_len == 0 ||
	    shared_secret_len > 66)
		return EUICC_SCP03T_E_FORMAT;

	shared_info[n++] = key_type;
	shared_info[n++] = key_len;
	shared_info[n++] = (uint8_t)host_id_len;
	memcpy(shared_info + n, host_id, host_id_len);
	n += host_id_len;
	shared_info[n++] = EID_LEN;
	memcpy(shared_info + n, eid, EID_LEN);
	n += EID_LEN;

	rc = euicc_x963_kdf_sha256(shared_secret, shared_secret_len, shared_info, n, keys,
				   sizeof(keys));
	if (rc == EUICC_SCP03T_OK)
		euicc_scp03t_init(out, keys + 16, keys + 32, keys);
	crypto_zeroize(keys, sizeof(keys));
	return rc;
}

void euicc_scp03t_init(struct euicc_scp03t *s, const uint8_t s_enc[EUICC_SCP03T_KEY_LEN],
		       const uint8_t s_mac[EUICC_SCP03T_KEY_LEN], const uint8_t mcv[16])
{
	memcpy(s->s_enc, s_enc, EUICC_SCP03T_KEY_LEN);
	memcpy(s->s_mac, s_mac, EUICC_SCP03T_KEY_LEN);
	memcpy(s->mcv, mcv, sizeof(s->mcv));
	s->counter = 1;
}

void euicc_scp03t_wipe(struct euicc_scp03t *s)
{
	crypto_zeroize(s, sizeof(*s));
}

/* Checks the C-MAC over MCV | tag | length header | data and chains the full CMAC. */
static int check_mac(struct euicc_scp03t *s, const struct der_tlv *seg)
{
	uint8_t input[16 + RSP_MAX_SEGMENT_TLV];
	uint8_t full[16];
	size_t header_len = seg->raw_len - seg->len;
	size_t data_len = seg->len - EUICC_SCP03T_MAC_LEN;
	const uint8_t *mac = seg->value + data_len;
	uint8_t diff = 0;
	size_t i;

	memcpy(input, s->mcv, 16);
	memcpy(input + 16, seg->raw, header_len + data_len);
	if (crypto_aes128_cmac(s->s_mac, input, 16 + header_len + data_len, full) != CRYPTO_OK)
		return EUICC_SCP03T_E_CRYPTO;
	for (i = 0; i < EUICC_SCP03T_MAC_LEN; i++)
		diff |= (uint8_t)(full[i] ^ mac[i]);
	if (diff != 0)
		return EUICC_SCP03T_E_MAC;
	memcpy(s->mcv, full, 16);
	return EUICC_SCP03T_OK;
}

/* Decrypts data (a multiple of 16 bytes) with the ICV of the current counter and appends the
 * plaintext without its ISO/IEC 9797-1 method 2 padding. */
static int decrypt_append(const struct euicc_scp03t *s, const uint8_t *data, size_t len,
			  struct der_buf *out)
{
	uint8_t counter_block[16] = {0};
	uint8_t icv[16];
	uint8_t plain[RSP_MAX_SEGMENT_TLV];
	size_t end;
	int rc = EUICC_SCP03T_OK;

	if (len == 0 || len % 16 != 0 || len > sizeof(plain))
		return EUICC_SCP03T_E_FORMAT;

	counter_block[12] = (uint8_t)(s->counter >> 24);
	counter_block[13] = (uint8_t)(s->counter >> 16);
	counter_block[14] = (uint8_t)(s->counter >> 8);
	counter_block[15] = (uint8_t)s->counter;
	if (crypto_aes128_ecb_encrypt(s->s_enc, counter_block, icv) != CRYPTO_OK ||
	    crypto_aes128_cbc_decrypt(s->s_enc, icv, data, len, plain) != CRYPTO_OK) {
		rc = EUICC_SCP03T_E_CRYPTO;
		goto out;
	}

	/* The padding is 80 followed by zero to fifteen 00 bytes, all inside the last block. */
	end = len;
	while (end > len - 16 && plain[end - 1] == 0x00)
		end--;
	if (end == len - 16 || plain[end - 1] != 0x80) {
		rc = EUICC_SCP03T_E_PADDING;
		goto out;
	}
	der_put_raw(out, plain, end - 1);
	if (out->status != DER_OK)
		rc = EUICC_SCP03T_E_NOMEM;
out:
	crypto_zeroize(plain, sizeof(plain));
	crypto_zeroize(icv, sizeof(icv));
	return rc;
}

int euicc_scp03t_open(struct euicc_scp03t *s, uint32_t expected_tag, const uint8_t *tlv,
		      size_t tlv_len, struct der_buf *out)
{
	struct der_tlv seg;
	int rc;

	if (expected_tag != 0x86 && expected_tag != 0x87 && expected_tag != 0x88)
		return EUICC_SCP03T_E_FORMAT;
	if (tlv_len > RSP_MAX_SEGMENT_TLV)
		return EUICC_SCP03T_E_FORMAT;
	if (der_read_exact(tlv, tlv_len, expected_tag, &seg) != DER_OK)
		return EUICC_SCP03T_E_FORMAT;
	if (seg.len < EUICC_SCP03T_MAC_LEN)
		return EUICC_SCP03T_E_FORMAT;

	rc = check_mac(s, &seg);
	if (rc != EUICC_SCP03T_OK)
		return rc;

	if (expected_tag == 0x88) {
		der_put_raw(out, seg.value, seg.len - EUICC_SCP03T_MAC_LEN);
		rc = out->status == DER_OK ? EUICC_SCP03T_OK : EUICC_SCP03T_E_NOMEM;
	} else {
		rc = decrypt_append(s, seg.value, seg.len - EUICC_SCP03T_MAC_LEN, out);
	}
	s->counter++;
	return rc;
}
