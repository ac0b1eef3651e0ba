/*
 * A test eUICC: the ES10b functions an LPA calls during an SGP.22 profile download, done as a
 * real eUICC does them, in software.
 *
 *   GetEUICCInfo1, GetEUICCInfo2, GetEUICCChallenge
 *   AuthenticateServer   (SGP.22 ES10b.AuthenticateServer: checks CERT.DPauth, serverSignature1
 *                         and the echoed challenge, then signs euiccSigned1)
 *   PrepareDownload      (ES10b.PrepareDownload: checks CERT.DPpb and smdpSignature2, makes the
 *                         one-time key pair, signs euiccSigned2)
 *   LoadBoundProfilePackage (ES8+ through ES10b: checks InitialiseSecureChannel, derives the
 *                         session keys, opens every segment, reassembles and decodes the
 *                         profile, and signs the ProfileInstallationResult)
 *   CancelSession        (ES10b.CancelSession: signs EuiccCancelSessionSigned)
 *
 * The eUICC is an implementation of its own, apart from the SM-DP+ code: it uses only the
 * crypto primitives (common/crypto.h), the DER reader/writer (asn1/der.h), certificate parsing
 * and chain checks (pki/), identifier helpers (common/ident.h) and the SAIP decoder (saip/).
 * Messages are read with the DER reader, so signatures are checked over the bytes received.
 *
 * Every function that returns an ES10b response writes the response (the Ok or the Error
 * alternative, as a real eUICC would) into out and returns EUICC_OK; a negative value means
 * the call itself failed (bad argument, no memory). When the eUICC rejected its input, the
 * function also stores the ES10b error code in *es10_error (0 when accepted).
 */
#ifndef TEST_EUICC_EUICC_H
#define TEST_EUICC_EUICC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "asn1/der.h"
#include "common/crypto.h"
#include "common/limits.h"
#include "pki/cert.h"
#include "pki/chain.h"

#define EUICC_MAX_CHAINS 4  /* eUICC certificates (one per CI/curve) */
#define EUICC_MAX_CI     8  /* CI certificates trusted */
#define EUICC_PKID_LEN   20 /* SGP.22 CI PKIDs are SHA-1 key identifiers */
#define EUICC_MAX_TID    16

/* Largest BPP the eUICC takes, and the largest ES10b response it writes. */
#define EUICC_MAX_BPP      (RSP_MAX_PROFILE_PACKAGE + 64 * 1024)
#define EUICC_MAX_RESPONSE (16 * 1024)

enum euicc_status {
	EUICC_OK = 0,
	EUICC_E_INVALID_ARG = -1,
	EUICC_E_NOMEM = -2,
	EUICC_E_IO = -3,         /* certificate or key file missing or unreadable */
	EUICC_E_CONFIG = -4,     /* certificates and keys do not fit together */
	EUICC_E_CRYPTO = -5,     /* a crypto primitive failed */
	EUICC_E_STATE = -6,      /* call out of order (e.g. PrepareDownload before AuthenticateServer) */
};

/* ES10b.AuthenticateServer: AuthenticateErrorCode. */
enum euicc_auth_error {
	EUICC_AUTH_INVALID_CERTIFICATE = 1,
	EUICC_AUTH_INVALID_SIGNATURE = 2,
	EUICC_AUTH_UNSUPPORTED_CURVE = 3,
	EUICC_AUTH_NO_SESSION_CONTEXT = 4,
	EUICC_AUTH_INVALID_OID = 5,
	EUICC_AUTH_CHALLENGE_MISMATCH = 6,
	EUICC_AUTH_CI_PK_UNKNOWN = 7,
	EUICC_AUTH_UNDEFINED = 127,
};

/* ES10b.PrepareDownload: DownloadErrorCode. */
enum euicc_download_error {
	EUICC_DL_INVALID_CERTIFICATE = 1,
	EUICC_DL_INVALID_SIGNATURE = 2,
	EUICC_DL_UNSUPPORTED_CURVE = 3,
	EUICC_DL_NO_SESSION_CONTEXT = 4,
	EUICC_DL_INVALID_TRANSACTION_ID = 5,
	EUICC_DL_UNDEFINED = 127,
};

/* ProfileInstallationResult: BppCommandId. */
enum euicc_bpp_command {
	EUICC_BPP_CMD_INITIALISE_SECURE_CHANNEL = 0,
	EUICC_BPP_CMD_CONFIGURE_ISDP = 1,
	EUICC_BPP_CMD_STORE_METADATA = 2,
	EUICC_BPP_CMD_STORE_METADATA2 = 3,
	EUICC_BPP_CMD_REPLACE_SESSION_KEYS = 4,
	EUICC_BPP_CMD_LOAD_PROFILE_ELEMENTS = 5,
};

/* ProfileInstallationResult: ErrorReason (SGP.22 v2.5). */
enum euicc_install_error {
	EUICC_INSTALL_INCORRECT_INPUT_VALUES = 1,
	EUICC_INSTALL_INVALID_SIGNATURE = 2,
	EUICC_INSTALL_INVALID_TRANSACTION_ID = 3,
	EUICC_INSTALL_UNSUPPORTED_CRT_VALUES = 4,
	EUICC_INSTALL_UNSUPPORTED_REMOTE_OPERATION_TYPE = 5,
	EUICC_INSTALL_UNSUPPORTED_PROFILE_CLASS = 6,
	EUICC_INSTALL_SCP03T_STRUCTURE_ERROR = 7,
	EUICC_INSTALL_SCP03T_SECURITY_ERROR = 8,
	EUICC_INSTALL_ICCID_ALREADY_EXISTS = 9,
	EUICC_INSTALL_INSUFFICIENT_MEMORY = 10,
	EUICC_INSTALL_INTERRUPTION = 11,
	EUICC_INSTALL_PE_PROCESSING_ERROR = 12,
	EUICC_INSTALL_DATA_MISMATCH = 13,
	EUICC_INSTALL_INVALID_NAA_KEY = 14,
	EUICC_INSTALL_PPR_NOT_ALLOWED = 15,
	EUICC_INSTALL_UNKNOWN_ERROR = 127,
};

/* CancelSessionReason. */
enum euicc_cancel_reason {
	EUICC_CANCEL_END_USER_REJECTION = 0,
	EUICC_CANCEL_POSTPONED = 1,
	EUICC_CANCEL_TIMEOUT = 2,
	EUICC_CANCEL_PPR_NOT_ALLOWED = 3,
	EUICC_CANCEL_METADATA_MISMATCH = 4,
	EUICC_CANCEL_LOAD_BPP_EXECUTION_ERROR = 5,
	EUICC_CANCEL_UNDEFINED_REASON = 127,
};

/* Names used in messages and on the command line ("invalidSignature", "endUserRejection");
 * "unknown" for other values. The parse functions return -1 for an unknown name. */
const char *euicc_auth_error_name(int code);
const char *euicc_download_error_name(int code);
const char *euicc_install_error_name(int code);
const char *euicc_bpp_command_name(int code);
const char *euicc_cancel_reason_name(int code);
int euicc_cancel_reason_parse(const char *name);
int euicc_install_error_parse(const char *name);

/*
 * Misbehaviour on request, for negative tests of the SM-DP+. All off when zeroed.
 */
struct euicc_faults {
	bool tamper_signature1;   /* flip a bit of euiccSignature1 after signing */
	bool tamper_signature2;   /* flip a bit of euiccSignature2 after signing */
	/* Use the first eUICC certificate even when its EUM was not issued by the CI the SM-DP+
	 * selected (a real eUICC returns ciPKUnknown instead). */
	bool force_chain;
	/* Send the CI PKID lists below in euiccInfo1 and euiccInfo2 instead of the keys of the
	 * trusted CIs; pkid_count 0 sends empty lists. */
	bool override_pkids;
	uint8_t pkids[EUICC_MAX_CI][EUICC_PKID_LEN];
	size_t pkid_count;
	/* Sign a ProfileInstallationResult with this errorResult even when installation worked
	 * (0: report the real outcome). */
	int pir_error_reason;
};

/* One eUICC certificate with its private key and the EUM certificate that issued it. */
struct euicc_chain {
	struct cert *euicc_cert;
	struct cert *eum_cert;
	struct crypto_privkey *key;
};

/* Outcome of LoadBoundProfilePackage. */
struct euicc_install_result {
	bool success;
	int bpp_command;   /* enum euicc_bpp_command of the failed step */
	int error_reason;  /* enum euicc_install_error, 0 on success */
	char detail[160];  /* what failed, in words; never key material or profile content */
	char iccid[RSP_ICCID_MAX_DIGITS + 1]; /* from StoreMetadata */
	uint8_t *profile;  /* the reassembled profile package (UPP), owned by the eUICC */
	size_t profile_len;
	size_t segment_count; /* segments opened, all sequences together */
	bool replaced_session_keys;
	bool metadata_mismatch; /* StoreMetadata differs from the profileMetadata given */
	bool profile_mismatch;  /* the profile differs from the expected package */
};

struct euicc;

/*
 * Makes an eUICC with no certificates. svn is the SGP.22 version it announces (e.g. {2,2,2}).
 * Free with euicc_free.
 */
int euicc_new(const uint8_t svn[3], struct euicc **out);
void euicc_free(struct euicc *e);

/* Adds a trusted CI certificate file (DER or PEM); its key identifier joins both CI PKID lists. */
int euicc_add_ci_file(struct euicc *e, const char *path);

/* Adds an eUICC certificate chain from files: eUICC certificate, its private key, EUM
 * certificate. All chains must carry the same EID. */
int euicc_add_chain_files(struct euicc *e, const char *euicc_cert, const char *euicc_key,
			  const char *eum_cert);

/* Copies the fault settings. */
void euicc_set_faults(struct euicc *e, const struct euicc_faults *faults);

/* The EID from the eUICC certificate (32 digits), "" before a chain was added. */
const char *euicc_eid(const struct euicc *e);

/* ES10b.GetEUICCInfo1 (EUICCInfo1, tag BF20) and GetEUICCInfo2 (EUICCInfo2, tag BF22). */
int euicc_get_info1(const struct euicc *e, struct der_buf *out);
int euicc_get_info2(const struct euicc *e, struct der_buf *out);

/* ES10b.GetEUICCChallenge: a new random challenge, which also starts a new session. */
int euicc_get_challenge(struct euicc *e, uint8_t challenge[RSP_CHALLENGE_LEN]);

/* Input of ES10b.AuthenticateServer, as the LPA received it in InitiateAuthentication. */
struct euicc_auth_request {
	const uint8_t *server_signed1;   /* ServerSigned1 TLV (30 ..) */
	size_t server_signed1_len;
	const uint8_t *server_signature1; /* 5F37 40 r||s */
	size_t server_signature1_len;
	const uint8_t *ci_pkid;          /* euiccCiPKIdToBeUsed TLV (04 14 ..) */
	size_t ci_pkid_len;
	const uint8_t *server_cert;      /* CERT.DPauth DER */
	size_t server_cert_len;
	const char *matching_id;         /* NULL: omitted from ctxParams1 */
	const uint8_t *device_info;      /* DeviceInfo content TLVs (80 tac, A1 caps, ..); NULL: default */
	size_t device_info_len;
};

/* ES10b.AuthenticateServer; out receives AuthenticateServerResponse (BF38). */
int euicc_authenticate_server(struct euicc *e, const struct euicc_auth_request *req,
			      struct der_buf *out, int *es10_error);

/* The SM-DP+ address and transactionId of the session after AuthenticateServer. */
const char *euicc_session_server_address(const struct euicc *e);
const uint8_t *euicc_session_transaction_id(const struct euicc *e, size_t *len);

/* Input of ES10b.PrepareDownload, from the AuthenticateClient response. */
struct euicc_prepare_request {
	const uint8_t *smdp_signed2;     /* SmdpSigned2 TLV (30 ..) */
	size_t smdp_signed2_len;
	const uint8_t *smdp_signature2;  /* 5F37 40 r||s */
	size_t smdp_signature2_len;
	const uint8_t *hash_cc;          /* 32 bytes, or NULL */
	const uint8_t *smdp_cert;        /* CERT.DPpb DER */
	size_t smdp_cert_len;
};

/* Reads ccRequiredFlag from a SmdpSigned2 TLV; returns EUICC_OK or EUICC_E_INVALID_ARG when it
 * is not a well-formed SmdpSigned2. */
int euicc_smdp_signed2_cc_required(const uint8_t *smdp_signed2, size_t len, bool *required);

/* ES10b.PrepareDownload; out receives PrepareDownloadResponse (BF21). */
int euicc_prepare_download(struct euicc *e, const struct euicc_prepare_request *req,
			   struct der_buf *out, int *es10_error);

/*
 * ES10b.LoadBoundProfilePackage for a whole BPP (BF36). profile_metadata is the
 * StoreMetadataRequest (BF25) the SM-DP+ returned in AuthenticateClient: the StoreMetadata of
 * the BPP must equal it byte for byte. The reassembled profile is decoded as SAIP; when
 * expected_profile is not NULL it must equal the profile byte for byte as well.
 *
 * out receives the signed ProfileInstallationResult (BF37) for either outcome, and
 * result->success gives the outcome. result->profile stays valid until the next call or euicc_free.
 */
int euicc_load_bpp(struct euicc *e, const uint8_t *bpp, size_t bpp_len,
		   const uint8_t *profile_metadata, size_t profile_metadata_len,
		   const uint8_t *expected_profile, size_t expected_profile_len,
		   struct der_buf *out, struct euicc_install_result *result);

/* ES10b.CancelSession for the current session; out receives CancelSessionResponse (BF41). */
int euicc_cancel_session(struct euicc *e, int reason, struct der_buf *out, int *es10_error);

#endif
