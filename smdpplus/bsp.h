/*
 * The SM-DP+ side of the SGP.22 Bound Profile Package protection (BSP, formerly SCP03t):
 * session key derivation after the key agreement, and the protection of the 86/87/88 segments
 * of a BoundProfilePackage (SGP.22 "Key Derivation", "Protection of the Bound Profile Package").
 *
 * A segment is one TLV: tag, BER length, body, and an 8-byte C-MAC.
 *   - 86 and 87 bodies are AES-128-CBC ciphertext under S-ENC of the plaintext padded with
 *     80 00.. (always at least one byte); the IV (ICV) is AES-ECB(S-ENC, block counter as a
 *     16-byte big-endian number).
 *   - 88 bodies are the plaintext (MAC only).
 *   - C-MAC = first 8 bytes of AES-CMAC(S-MAC, MCV || tag || length || body); the full CMAC
 *     becomes the next MCV (MAC chaining value).
 * The block counter starts at 1 for a key set and goes up by one per segment, MAC-only
 * segments included. A whole segment TLV is at most RSP_MAX_SEGMENT_TLV (1020) bytes.
 *
 * A bsp_ctx belongs to one BPP build and one thread. It contains key material, so free it
 * with bsp_ctx_free and never log its content.
 */
#ifndef SMDPPLUS_BSP_H
#define SMDPPLUS_BSP_H

#include <stddef.h>
#include <stdint.h>

#include "asn1/der.h"
#include "common/limits.h"

enum bsp_status {
	BSP_OK = 0,
	BSP_E_INVALID = -1,   /* bad argument: tag, empty or oversized data, hostId length */
	BSP_E_CRYPTO = -2,    /* an AES or CMAC operation failed */
	BSP_E_OUTPUT = -3,    /* the der_buf failed (its maximum reached or out of memory) */
};

#define BSP_KEY_LEN 16
#define BSP_MAX_HOST_ID 16 /* hostId OCTET STRING (SIZE(1..16)) */

#define BSP_TAG_PROFILE    0x86 /* sequenceOf86: the profile package, encrypted */
#define BSP_TAG_ENCRYPTED  0x87 /* firstSequenceOf87 / secondSequenceOf87, encrypted */
#define BSP_TAG_MAC_ONLY   0x88 /* sequenceOf88: StoreMetadataRequest, MAC only */

/* Output of the key derivation, in the order the KDF produces it. */
struct bsp_keys {
	uint8_t initial_mcv[BSP_KEY_LEN];
	uint8_t s_enc[BSP_KEY_LEN];
	uint8_t s_mac[BSP_KEY_LEN];
};

struct bsp_ctx {
	uint8_t enc[BSP_KEY_LEN]; /* S-ENC, or PPK-ENC after a key replacement */
	uint8_t mac[BSP_KEY_LEN]; /* S-MAC, or PPK-MAC */
	uint8_t mcv[BSP_KEY_LEN]; /* MAC chaining value */
	uint32_t counter;         /* block counter of the next segment */
};

/* ANSI X9.63 KDF with SHA-256: out = SHA256(z || 00000001 || shared_info) || SHA256(z ||
 * 00000002 || shared_info) || ..., truncated to out_len. */
int bsp_x963_kdf(const uint8_t *z, size_t z_len, const uint8_t *shared_info, size_t info_len,
		 uint8_t *out, size_t out_len);

/* Derives the session keys from the ECKA shared secret ShS, the hostId sent in the
 * InitialiseSecureChannel control reference template (1 to 16 bytes) and the 16-byte EID:
 * SharedInfo = 88 10 len(hostId) hostId 10 EID, output initialMCV || S-ENC || S-MAC. */
int bsp_derive_keys(const uint8_t *shs, size_t shs_len, const uint8_t *host_id,
		    size_t host_id_len, const uint8_t eid[RSP_EID_LEN], struct bsp_keys *out);

/* Starts a context on the session keys: MCV = initial MCV, block counter 1. */
void bsp_ctx_init(struct bsp_ctx *ctx, const struct bsp_keys *keys);

/* Switches the context to the profile protection keys sent in ReplaceSessionKeysRequest
 * (ppkEnc, ppkCmac, initialMacChainingValue), and restarts the block counter at 1. Call it
 * after writing the 87 segment that carries the request and before the first 86 segment. */
void bsp_ctx_replace_keys(struct bsp_ctx *ctx, const uint8_t ppk_enc[BSP_KEY_LEN],
			  const uint8_t ppk_mac[BSP_KEY_LEN],
			  const uint8_t initial_mcv[BSP_KEY_LEN]);

/* Wipes the keys and the chaining value. Accepts NULL. */
void bsp_ctx_free(struct bsp_ctx *ctx);

/* Appends one encrypted segment (tag 86 or 87) of 1 to RSP_MAX_SEGMENT_PLAIN_ENC plaintext
 * bytes to out, and advances the MCV and the block counter. A call rejected with
 * BSP_E_INVALID leaves the context unchanged. After BSP_E_CRYPTO or BSP_E_OUTPUT the context
 * may have advanced, so the BPP being built must be abandoned. */
int bsp_write_encrypted(struct bsp_ctx *ctx, uint32_t tag, const uint8_t *plain, size_t len,
			struct der_buf *out);

/* Appends one MAC-only segment (tag 88) of 1 to RSP_MAX_SEGMENT_PLAIN_MAC bytes to out. */
int bsp_write_mac_only(struct bsp_ctx *ctx, uint32_t tag, const uint8_t *plain, size_t len,
		       struct der_buf *out);

/* Splits a plaintext of 1 byte or more into consecutive segments of the maximum size and
 * appends them all to out. The caller writes the enclosing A1/A3 TLV. */
int bsp_write_encrypted_segments(struct bsp_ctx *ctx, uint32_t tag, const uint8_t *plain,
				 size_t len, struct der_buf *out);
int bsp_write_mac_only_segments(struct bsp_ctx *ctx, uint32_t tag, const uint8_t *plain,
				size_t len, struct der_buf *out);

/* Computes the number of bytes (returned) and of segments (stored in *segments unless NULL)
 * that the *_segments functions append for len bytes of plaintext, so a caller can size the
 * enclosing TLV before writing. */
size_t bsp_encrypted_segments_size(size_t len, size_t *segments);
size_t bsp_mac_only_segments_size(size_t len, size_t *segments);

#endif
