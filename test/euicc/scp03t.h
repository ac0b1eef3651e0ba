/*
 * The eUICC side of the SGP.22 BSP (SCP03t) protection of a Bound Profile Package: session key
 * derivation from the ECKA shared secret, and opening of the protected segments (C-MAC check,
 * MAC chaining, decryption).
 *
 * This is the test eUICC's own implementation, written apart from the SM-DP+'s, so that a
 * mistake on one side shows up as a failed download instead of cancelling out. The known-answer
 * vectors in test/unit/test_euicc.c anchor it.
 *
 * SGP.22 "Key Derivation": ANSI X9.63 KDF with SHA-256 over the shared secret ShS and
 *   SharedInfo = keyType | keyLength | len(hostId) | hostId | len(EID) | EID (16 bytes),
 * giving initial MAC chaining value (16) | S-ENC (16) | S-MAC (16).
 *
 * SGP.22 "Secured Messaging" (per segment TLV, tag 86 or 87 encrypted, 88 MAC only):
 *   C-MAC = first 8 bytes of AES-CMAC(S-MAC, MCV | tag | length | data), where length
 *   counts the 8 MAC bytes; the full 16-byte CMAC becomes the next MCV.
 *   Encrypted data is AES-128-CBC under S-ENC with ICV = AES-ECB(S-ENC, counter as a
 *   16-byte big-endian number) and padding 80 00.. (always present). The counter starts at 1
 *   and grows by one per segment, MAC-only segments included.
 */
#ifndef TEST_EUICC_SCP03T_H
#define TEST_EUICC_SCP03T_H

#include <stddef.h>
#include <stdint.h>

#include "asn1/der.h"

#define EUICC_SCP03T_KEY_LEN  16
#define EUICC_SCP03T_MAC_LEN  8
#define EUICC_SCP03T_KEY_TYPE_AES 0x88

enum euicc_scp03t_status {
	EUICC_SCP03T_OK = 0,
	EUICC_SCP03T_E_FORMAT = -1,  /* not a segment TLV, wrong tag, too short or too long */
	EUICC_SCP03T_E_MAC = -2,     /* C-MAC does not match */
	EUICC_SCP03T_E_PADDING = -3, /* decrypted data has no valid 80 00.. padding */
	EUICC_SCP03T_E_CRYPTO = -4,  /* a crypto primitive failed */
	EUICC_SCP03T_E_NOMEM = -5,   /* the output buffer reached its maximum */
};

/*
 * One SCP03t key set with its chaining state. The session keys are secrets: callers wipe the
 * structure with euicc_scp03t_wipe when done.
 */
struct euicc_scp03t {
	uint8_t s_enc[EUICC_SCP03T_KEY_LEN];
	uint8_t s_mac[EUICC_SCP03T_KEY_LEN];
	uint8_t mcv[16];   /* MAC chaining value */
	uint32_t counter;  /* ICV block counter of the next segment */
};

/* ANSI X9.63 key derivation with SHA-256: out_len bytes from z and shared_info. */
int euicc_x963_kdf_sha256(const uint8_t *z, size_t z_len, const uint8_t *shared_info,
			  size_t shared_info_len, uint8_t *out, size_t out_len);

/*
 * Derives the session keys from the shared secret and the key agreement parameters of the
 * InitialiseSecureChannel control reference template, and sets the counter to 1.
 * host_id is 1 to 16 bytes. Returns EUICC_SCP03T_OK or EUICC_SCP03T_E_FORMAT.
 */
int euicc_scp03t_derive(const uint8_t *shared_secret, size_t shared_secret_len,
			uint8_t key_type, uint8_t key_len, const uint8_t *host_id,
			size_t host_id_len, const uint8_t eid[16], struct euicc_scp03t *out);

/* Starts a key set from explicit keys and MCV with the counter at 1 (after ReplaceSessionKeys). */
void euicc_scp03t_init(struct euicc_scp03t *s, const uint8_t s_enc[EUICC_SCP03T_KEY_LEN],
		       const uint8_t s_mac[EUICC_SCP03T_KEY_LEN], const uint8_t mcv[16]);

/*
 * Opens one protected segment: tlv is the whole TLV (tag 86, 87 or 88, length, data, C-MAC),
 * expected_tag the tag this position of the BPP requires. Checks the C-MAC against the chaining
 * value, moves the chain and the counter on, and appends the plaintext (decrypted for 86 and
 * 87, as carried for 88) to out.
 *
 * Returns EUICC_SCP03T_OK, EUICC_SCP03T_E_FORMAT, EUICC_SCP03T_E_MAC, EUICC_SCP03T_E_PADDING,
 * EUICC_SCP03T_E_CRYPTO or EUICC_SCP03T_E_NOMEM. After an error the state is unspecified and
 * the key set must not be used again.
 */
int euicc_scp03t_open(struct euicc_scp03t *s, uint32_t expected_tag, const uint8_t *tlv,
		      size_t tlv_len, struct der_buf *out);

/* Wipes keys and chaining state. */
void euicc_scp03t_wipe(struct euicc_scp03t *s);

#endif
