/*
 * Internal state of the test eUICC, shared by euicc.c (identity, EUICCInfo), euicc_auth.c
 * (AuthenticateServer, PrepareDownload, CancelSession) and euicc_bpp.c (LoadBoundProfilePackage).
 * Not for use outside test/euicc/.
 */
#ifndef TEST_EUICC_EUICC_PRIVATE_H
#define TEST_EUICC_EUICC_PRIVATE_H

#include "test/euicc/euicc.h"

/* Where the session is in the ES10b sequence. */
enum euicc_session_state {
	EUICC_SESSION_NONE = 0,
	EUICC_SESSION_CHALLENGE,     /* GetEUICCChallenge done */
	EUICC_SESSION_AUTHENTICATED, /* AuthenticateServer accepted */
	EUICC_SESSION_PREPARED,      /* PrepareDownload accepted; a BPP may be loaded */
};

/* One RSP session: what the eUICC remembers between ES10b calls. */
struct euicc_session {
	enum euicc_session_state state;
	uint8_t challenge[RSP_CHALLENGE_LEN];
	uint8_t transaction_id[EUICC_MAX_TID];
	size_t transaction_id_len;
	char server_address[RSP_MAX_FQDN + 1];
	size_t chain;                 /* index of the eUICC chain selected by the CI PKID */
	struct cert *dp_auth;         /* CERT.DPauth, verified */
	struct cert *dp_pb;           /* CERT.DPpb, verified */
	uint8_t euicc_signature1[3 + CRYPTO_SIG_LEN]; /* the 5F37 TLV sent, signed into smdpSignature2 */
	struct crypto_privkey *ot_key; /* otSK.EUICC.ECKA */
	uint8_t ot_point[CRYPTO_POINT_LEN]; /* otPK.EUICC.ECKA */
};

struct euicc {
	uint8_t svn[3];
	char eid[RSP_EID_DIGITS + 1];
	uint8_t eid_bytes[RSP_EID_LEN];

	struct chain_ci_store *ci_store;
	struct euicc_chain chains[EUICC_MAX_CHAINS];
	size_t chain_count;

	struct euicc_faults faults;
	struct euicc_session session;
	uint32_t notification_seq;  /* NotificationMetadata seqNumber of the last notification */

	uint8_t *profile;           /* the last reassembled profile */
	size_t profile_len;
};

/* Writes both CI PKID lists (A9 and AA) of EUICCInfo1/2. */
void euicc_put_pkid_lists(const struct euicc *e, struct der_buf *b);

/* Ends the session: frees its certificates and one-time key. */
void euicc_session_clear(struct euicc_session *s);

/* Signs msg with the key of the given chain and appends the 5F37 40 r||s TLV to out. When
 * tamper is set, one bit of the signature is flipped (negative tests). */
int euicc_sign_tlv(const struct euicc *e, size_t chain, const uint8_t *msg, size_t msg_len,
		   bool tamper, struct der_buf *out);

/* Verifies a 5F37 signature TLV over msg with a certificate's public key. Returns 0 when it
 * verifies, -1 otherwise (also for a malformed TLV). */
int euicc_verify_tlv(const struct cert *cert, const uint8_t *msg, size_t msg_len,
		     const uint8_t *sig_tlv, size_t sig_tlv_len);

#endif
