/*
 * A test SM-DP+ for the fuzz target of the eUICC's BPP loader and for the seed writer.
 *
 * It creates a test PKI (pki/testpki.h) in a folder, loads a test eUICC from it, and runs the
 * eUICC through GetEUICCChallenge, AuthenticateServer and PrepareDownload (SGP.22 "Common
 * Mutual Authentication" and "Download Preparation"), so that the eUICC waits for a Bound
 * Profile Package. Once loaded, nothing reads the folder again: the caller may delete it.
 *
 * It also turns a "plain" BPP into a protected one (fuzz_session_seal). A plain BPP has the
 * structure of a BoundProfilePackage, but its 86, 87 and 88 segments carry plaintext and its
 * smdpOtpk and smdpSign are placeholders. Sealing puts in the session's one-time key and the
 * DPpb signature, and encrypts and MACs every segment with the session keys, so that a fuzzer
 * mutating plain BPPs reaches the checks behind the signature and the C-MACs.
 *
 * Session values are fixed (transactionId, SM-DP+ address, profile and its metadata), so that
 * seeds written by one process fit the session of another.
 */
#ifndef TEST_FUZZ_SESSION_H
#define TEST_FUZZ_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "asn1/der.h"
#include "common/crypto.h"
#include "common/limits.h"
#include "smdpplus/bsp.h"
#include "test/euicc/euicc.h"

#define FUZZ_SMDP_ADDRESS "smdpplus.test"
#define FUZZ_MATCHING_ID  "FUZZ-MATCHING-ID"
#define FUZZ_HOST_ID      "FUZZHOST"
/* Every byte of the session's transactionId. */
#define FUZZ_TID_BYTE     0xA5

struct fuzz_session {
	struct euicc *euicc;
	uint8_t eid[RSP_EID_LEN];

	/* The SM-DP+'s keys and certificates (P-256). */
	struct crypto_privkey *auth_key, *pb_key;
	uint8_t *auth_der, *pb_der;
	size_t auth_len, pb_len;
	uint8_t ci_pkid[CERT_KEY_ID_MAX];
	size_t ci_pkid_len;

	uint8_t tid[RSP_TRANSACTION_ID_LEN];
	uint8_t *profile; /* SAIP package, from saip_generate */
	size_t profile_len;
	struct der_buf metadata; /* its StoreMetadataRequest (BF25) */

	/* The messages of the last fuzz_session_prepare (or fuzz_session_authenticate). */
	struct der_buf server_signed1;   /* ServerSigned1 (30) */
	struct der_buf server_signature1; /* 5F37 */
	struct der_buf smdp_signed2;     /* SmdpSigned2 (30) */
	struct der_buf smdp_signature2;  /* 5F37 */
	struct der_buf info1;            /* EUICCInfo1 (BF20) */
	struct der_buf auth_response;    /* AuthenticateServerResponse (BF38) */
	struct der_buf prepare_response; /* PrepareDownloadResponse (BF21) */
	uint8_t euicc_otpk[CRYPTO_POINT_LEN];

	/* Sealing: the SM-DP+'s one-time key pair, fixed for the process, and the shared secret
	 * with the eUICC's current one-time key. */
	struct crypto_privkey *ot_key;
	uint8_t ot_point[CRYPTO_POINT_LEN];
	uint8_t shared[CRYPTO_SHARED_LEN];
	/* The last InitialiseSecureChannel signature and the message it covers, reused while
	 * the message stays the same (signing costs more than the rest of a sealing). */
	struct der_buf sign_message;
	uint8_t signature[CRYPTO_SIG_LEN];
};

/*
 * Creates a test PKI in pki_dir (curves as TESTPKI_CURVE_* bits, P-256 among them), loads the
 * eUICC and the SM-DP+ keys from its P-256 part, and generates the profile. Needs crypto_init.
 * Returns 0, or -1 with a message on stderr. Free with fuzz_session_free in either case.
 */
int fuzz_session_init(struct fuzz_session *s, const char *pki_dir, unsigned curves);
void fuzz_session_free(struct fuzz_session *s);

/* Runs GetEUICCChallenge and AuthenticateServer. When tamper is set, one bit of
 * serverSignature1 is flipped and the eUICC returns its error alternative. Returns 0 when the
 * eUICC returned a response (without an error unless tamper is set), -1 otherwise. */
int fuzz_session_authenticate(struct fuzz_session *s, bool tamper);

/* Runs fuzz_session_authenticate and PrepareDownload: the eUICC then accepts a BPP.
 * Returns 0 or -1. */
int fuzz_session_prepare(struct fuzz_session *s);

/* Writes the plain BPP of the session's profile, with a ReplaceSessionKeysRequest in a second
 * sequence of 87 segments (A2) when with_rsk is set. Returns 0 or -1. */
int fuzz_session_plain_bpp(const struct fuzz_session *s, bool with_rsk, struct der_buf *out);

/* Seals a plain BPP for the prepared session into out. Returns -1 when plain is not a BF36 TLV
 * of well-formed children; the caller then uses the input as it is. */
int fuzz_session_seal(struct fuzz_session *s, const uint8_t *plain, size_t len,
		      struct der_buf *out);

/* Deletes a folder and everything in it. Returns 0 or -1. */
int fuzz_remove_tree(const char *path);

#endif
