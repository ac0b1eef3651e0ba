/*
 * SGP.22 ES8+ messages the SM-DP+ builds for the eUICC: the StoreMetadataRequest (sent as
 * profileMetadata in AuthenticateClient and again inside the BPP) and the Bound Profile
 * Package (SGP.22 "BoundProfilePackage", ES8+ InitialiseSecureChannel, ConfigureISDP,
 * StoreMetadata and LoadProfileElements):
 *
 *   BF36 L
 *     BF23 L { 82 01 01, 80 L transactionId, A6 L { 80 01 88, 81 01 10, 84 L hostId },
 *              5F49 41 otPK.DP.ECKA, 5F37 40 smdpSign }
 *     A0 L { 87 ConfigureISDPRequest }            encrypted and MACed
 *     A1 L { 88 StoreMetadataRequest ... }        MAC only, split into segments
 *     A3 L { 86 profile package ... }             encrypted and MACed, split into segments
 *
 * Every segment TLV is at most 1020 bytes (smdpplus/bsp.h). No ReplaceSessionKeys segment (A2)
 * is sent: the profile is protected with the session keys of this binding.
 */
#ifndef SMDPPLUS_ES8PLUS_H
#define SMDPPLUS_ES8PLUS_H

#include <stddef.h>
#include <stdint.h>

#include "asn1/der.h"
#include "common/crypto.h"
#include "common/limits.h"

enum bpp_status {
	BPP_OK = 0,
	BPP_E_INVALID = -1,   /* bad argument, or a stored BPP that does not parse */
	BPP_E_CRYPTO = -2,    /* key agreement, signature or segment protection failed */
	BPP_E_TOO_LARGE = -3, /* the output would exceed BPP_MAX_LEN */
};

/* Largest BPP built: the package plus 8 bytes of MAC and up to 16 of padding per 1007-byte
 * segment, plus the fixed parts. */
#define BPP_MAX_LEN (RSP_MAX_PROFILE_PACKAGE + RSP_MAX_PROFILE_PACKAGE / 32 + 16384)

/* hostId of the InitialiseSecureChannel control reference template (1 to 16 bytes, chosen by
 * the SM-DP+; it enters the key derivation). */
#define BPP_HOST_ID "RSP-SMDP"

/* Writes StoreMetadataRequest: BF25 { 5A 0A iccid, 91 serviceProviderName, 92 profileName }.
 * iccid is 19 or 20 digits; the names are UTF-8 of at most 32 and 64 bytes. */
int bpp_store_metadata(const char *iccid, const char *service_provider_name,
		       const char *profile_name, struct der_buf *out);

struct bpp_request {
	const struct crypto_privkey *dppb_key; /* signs InitialiseSecureChannel; its curve is used */
	const uint8_t *transaction_id;
	size_t transaction_id_len;
	const uint8_t *euicc_otpk;             /* otPK.EUICC.ECKA, 04 || X || Y */
	size_t euicc_otpk_len;
	const uint8_t *eid;                    /* RSP_EID_LEN bytes */
	const uint8_t *metadata;               /* the StoreMetadataRequest TLV */
	size_t metadata_len;
	const uint8_t *upp;                    /* the profile package */
	size_t upp_len;
};

/* Makes a one-time key pair on the curve of the DPpb key, agrees the session keys with
 * otPK.EUICC.ECKA and writes the whole BoundProfilePackage into out. smdp_otpk receives
 * otPK.DP.ECKA. The one-time private key and the session keys are wiped before return. */
int bpp_build(const struct bpp_request *req, struct der_buf *out,
	      uint8_t smdp_otpk[CRYPTO_POINT_LEN]);

/* Re-issues a BPP built before for the same otPK.EUICC.ECKA under a new transactionId: the
 * protected segments (and so the session keys and otPK.DP.ECKA) stay the same, and a new
 * InitialiseSecureChannelRequest carries the new transactionId with a new signature. */
int bpp_rebind_transaction(const uint8_t *bpp, size_t bpp_len,
			   const struct crypto_privkey *dppb_key, const uint8_t *transaction_id,
			   size_t transaction_id_len, const uint8_t *euicc_otpk,
			   size_t euicc_otpk_len, struct der_buf *out);

#endif
