/*
 * The project's crypto interface: ECDSA and ECDH on the SGP.22 curves, and the symmetric
 * primitives SGP.22 needs (SHA-256, AES-128 CBC/ECB, AES-CMAC).
 *
 * Protocol code calls only these functions, never a crypto library directly, so the backend
 * (mbedTLS 2.28 today) can be replaced by a faster library or an HSM without touching it.
 * Keys are loaded once and may be shared by all server threads. Curve groups are loaded once
 * per thread, because mbedTLS caches a table in the group while multiplying.
 *
 * Signatures are in the plain format SGP.22 carries under tag 5F37 (BSI TR-03111): r || s,
 * each left-padded to the curve size, 64 bytes for the 256-bit curves.
 */
#ifndef COMMON_CRYPTO_H
#define COMMON_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_SIG_LEN    64 /* r || s on a 256-bit curve */
#define CRYPTO_POINT_LEN  65 /* uncompressed point 04 || X || Y */
#define CRYPTO_SHARED_LEN 32 /* ECDH shared secret: the X coordinate */
#define CRYPTO_SHA256_LEN 32
#define CRYPTO_AES_BLOCK  16

enum crypto_curve {
	CRYPTO_CURVE_NONE = 0,
	CRYPTO_CURVE_P256,            /* NIST P-256, secp256r1, 1.2.840.10045.3.1.7 */
	CRYPTO_CURVE_BRAINPOOLP256R1, /* brainpoolP256r1, 1.3.36.3.3.2.8.1.1.7 */
};

enum crypto_status {
	CRYPTO_OK = 0,
	CRYPTO_E_INVALID = -1,     /* malformed key, point or argument */
	CRYPTO_E_VERIFY = -2,      /* signature does not verify */
	CRYPTO_E_UNSUPPORTED = -3, /* curve or key type not supported */
	CRYPTO_E_RNG = -4,         /* random generator failed */
	CRYPTO_E_IO = -5,          /* key file missing or unreadable */
	CRYPTO_E_NOMEM = -6,
};

struct crypto_privkey; /* an EC private key with its curve */
struct crypto_pubkey;  /* an EC public key (a point) with its curve */

/* Seeds the global random generator; call once per process before any other function. */
int crypto_init(void);
void crypto_cleanup(void);

int crypto_random(uint8_t *out, size_t len);

const char *crypto_curve_name(enum crypto_curve curve);

/* Loads an EC private key (PEM: SEC1 "EC PRIVATE KEY" or PKCS#8) from a file or a buffer. */
int crypto_privkey_load_file(const char *path, struct crypto_privkey **out);
int crypto_privkey_load_pem(const uint8_t *pem, size_t len, struct crypto_privkey **out);
void crypto_privkey_free(struct crypto_privkey *key);
enum crypto_curve crypto_privkey_curve(const struct crypto_privkey *key);
/* Writes the public point of a private key as 04 || X || Y. */
int crypto_privkey_public_point(const struct crypto_privkey *key, uint8_t point[CRYPTO_POINT_LEN]);
/* Makes a private key from a big-endian scalar of at most 32 bytes (known-answer tests, keys
 * kept outside PEM). The scalar must lie in [1, n-1]. */
int crypto_privkey_from_scalar(enum crypto_curve curve, const uint8_t *scalar, size_t len,
			       struct crypto_privkey **out);

/* Makes a public key from an uncompressed point; the point is checked to lie on the curve. */
int crypto_pubkey_from_point(enum crypto_curve curve, const uint8_t *point, size_t len,
			     struct crypto_pubkey **out);
void crypto_pubkey_free(struct crypto_pubkey *key);
enum crypto_curve crypto_pubkey_curve(const struct crypto_pubkey *key);
/* Writes the point of a public key as 04 || X || Y. */
int crypto_pubkey_point(const struct crypto_pubkey *key, uint8_t point[CRYPTO_POINT_LEN]);

/* ECDSA with SHA-256 over msg; sig receives r || s. */
int crypto_sign(const struct crypto_privkey *key, const uint8_t *msg, size_t msg_len,
		uint8_t sig[CRYPTO_SIG_LEN]);
/* Returns CRYPTO_OK, CRYPTO_E_VERIFY for a wrong signature, CRYPTO_E_INVALID for a bad length. */
int crypto_verify(const struct crypto_pubkey *key, const uint8_t *msg, size_t msg_len,
		  const uint8_t *sig, size_t sig_len);

/* Makes a one-time key pair for key agreement (ECKA). */
int crypto_ecdh_keypair(enum crypto_curve curve, struct crypto_privkey **key_out,
			uint8_t point_out[CRYPTO_POINT_LEN]);
/* ECKA-DH: the shared secret is the X coordinate of key * peer_point. */
int crypto_ecdh_shared(const struct crypto_privkey *key, const uint8_t *peer_point, size_t len,
		       uint8_t shared[CRYPTO_SHARED_LEN]);

void crypto_sha256(const uint8_t *msg, size_t len, uint8_t out[CRYPTO_SHA256_LEN]);
/* len must be a multiple of 16; in and out may be the same buffer. */
int crypto_aes128_cbc_encrypt(const uint8_t key[16], const uint8_t iv[16], const uint8_t *in,
			      size_t len, uint8_t *out);
int crypto_aes128_cbc_decrypt(const uint8_t key[16], const uint8_t iv[16], const uint8_t *in,
			      size_t len, uint8_t *out);
int crypto_aes128_ecb_encrypt(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]);
int crypto_aes128_cmac(const uint8_t key[16], const uint8_t *msg, size_t len, uint8_t out[16]);

/* Wipes a buffer in a way the compiler does not remove. */
void crypto_zeroize(void *buf, size_t len);

#endif
