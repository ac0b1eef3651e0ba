/*
 * Test eUICC: loading a Bound Profile Package (SGP.22 ES8+ functions carried through
 * ES10b.LoadBoundProfilePackage) and signing the ProfileInstallationResult.
 *
 * BoundProfilePackage ::= [54] SEQUENCE {                         -- BF36
 *   initialiseSecureChannelRequest [35] InitialiseSecureChannelRequest, -- BF23, plain
 *   firstSequenceOf87 [0] SEQUENCE OF [7] OCTET STRING,          -- A0: ConfigureISDP
 *   sequenceOf88 [1] SEQUENCE OF [8] OCTET STRING,               -- A1: StoreMetadata, MAC only
 *   secondSequenceOf87 [2] SEQUENCE OF [7] OCTET STRING OPTIONAL, -- A2: ReplaceSessionKeys
 *   sequenceOf86 [3] SEQUENCE OF [6] OCTET STRING }              -- A3: the profile
 *
 * The eUICC checks every part in order and stops at the first failure, which it reports in
 * the ProfileInstallationResult as errorResult { bppCommandId, errorReason }.
 */
#include "test/euicc/euicc_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ident.h"
#include "saip/saip.h"
#include "test/euicc/scp03t.h"

/* The ISD-P AID reported for an installed profile: a fixed test value whose last byte is the
 * notification's sequence number, so that successive installs differ. */
static const uint8_t isdp_aid_base[16] = {
	0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF,
	0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x10, 0x00,
};

/* EUICCResponse (SAIP PEDefinitions, automatic tags) for a profile whose elements all
 * installed: SEQUENCE { peStatus [0] SEQUENCE OF PEStatus { status [0] ok(0) } }. */
static const uint8_t sima_response_ok[] = {0x30, 0x07, 0xA0, 0x05, 0x30, 0x03, 0x80, 0x01, 0x00};

/* The parts of a BPP, found by parse_bpp. */
struct bpp_parts {
	struct der_tlv isc;        /* BF23 */
	struct der_tlv seq87;      /* A0 */
	struct der_tlv seq88;      /* A1 */
	struct der_tlv rsk87;      /* A2, tag 0 when absent */
	struct der_tlv seq86;      /* A3 */
};

/* Records the failure of one BPP command. Returns -1 for use in return statements. */
static int fail(struct euicc_install_result *r, int command, int reason, const char *detail)
{
	r->success = false;
	r->bpp_command = command;
	r->error_reason = reason;
	snprintf(r->detail, sizeof(r->detail), "%s", detail);
	return -1;
}

static int parse_bpp(const uint8_t *bpp, size_t len, struct bpp_parts *p,
		     struct euicc_install_result *r)
{
	struct der_tlv top, child;
	struct der_iter it;

	memset(p, 0, sizeof(*p));
	if (der_read_exact(bpp, len, 0xBF36, &top) != DER_OK)
		return fail(r, EUICC_BPP_CMD_INITIALISE_SECURE_CHANNEL,
			    EUICC_INSTALL_SCP03T_STRUCTURE_ERROR,
			    "BoundProfilePackage is not one well-formed BF36 TLV");
	der_iter_init(&it, &top);
	if (der_iter_next(&it, &p->isc) != 1 || p->isc.tag != 0xBF23)
		return fail(r, EUICC_BPP_CMD_INITIALISE_SECURE_CHANNEL,
			    EUICC_INSTALL_SCP03T_STRUCTURE_ERROR,
			    "BoundProfilePackage does not start with InitialiseSecureChannel (BF23)");
	if (der_iter_next(&it, &p->seq87) != 1 || p->seq87.tag != 0xA0)
		return fail(r, EUICC_BPP_CMD_CONFIGURE_ISDP, EUICC_INSTALL_SCP03T_STRUCTURE_ERROR,
			    "firstSequenceOf87 (A0) missing");
	if (der_iter_next(&it, &p->seq88) != 1 || p->seq88.tag != 0xA1)
		return fail(r, EUICC_BPP_CMD_STORE_METADATA, EUICC_INSTALL_SCP03T_STRUCTURE_ERROR,
			    "sequenceOf88 (A1) missing");
	if (der_iter_next(&it, &child) != 1)
		return fail(r, EUICC_BPP_CMD_LOAD_PROFILE_ELEMENTS,
			    EUICC_INSTALL_SCP03T_STRUCTURE_ERROR, "sequenceOf86 (A3) missing");
	if (child.tag == 0xA2) {
		p->rsk87 = child;
		if (der_iter_next(&it, &child) != 1)
			return fail(r, EUICC_BPP_CMD_LOAD_PROFILE_ELEMENTS,
				    EUICC_INSTALL_SCP03T_STRUCTURE_ERROR,
				    "sequenceOf86 (A3) missing");
	}
	if (child.tag != 0xA3)
		return fail(r, EUICC_BPP_CMD_LOAD_PROFILE_ELEMENTS,
			    EUICC_INSTALL_SCP03T_STRUCTURE_ERROR,
			    "unexpected element where sequenceOf86 (A3) belongs");
	p->seq86 = child;
	if (der_iter_next(&it, &child) != 0)
		return fail(r, EUICC_BPP_CMD_LOAD_PROFILE_ELEMENTS,
			    EUICC_INSTALL_SCP03T_STRUCTURE_ERROR,
			    "data after sequenceOf86 in the BoundProfilePackage");
	return 0;
}

/*
 * InitialiseSecureChannelRequest ::= [35] SEQUENCE {
 *   remoteOpId [2] INTEGER {installBoundProfilePackage(1)},
 *   transactionId [0] TransactionId,
 *   controlRefTemplate [6] IMPLICIT SEQUENCE { keyType [0] Octet1, keyLen [1] Octet1,
 *                                              hostId [4] OctetTo16 },
 *   smdpOtpk [APPLICATION 73] OCTET STRING,
 *   smdpSign [APPLICATION 55] OCTET STRING }
 *
 * smdpSign covers the TLVs remoteOpId | transactionId | controlRefTemplate | smdpOtpk as
 * received, followed by the eUICC's own otPK.EUICC.ECKA as a 5F49 TLV.
 */
static int open_secure_channel(struct euicc *e, const struct der_tlv *isc,
			       struct euicc_scp03t *keys, struct euicc_install_result *r)
{
	const int cmd = EUICC_BPP_CMD_INITIALISE_SECURE_CHANNEL;
	struct euicc_session *s = &e->session;
	struct der_tlv op, tid, crt, otpk, sign, key_type, key_len, host_id, extra;
	struct der_iter it;
	struct der_buf msg;
	uint8_t shared[CRYPTO_SHARED_LEN];
	int rc = -1;

	der_buf_init(&msg, 1024);
	der_iter_init(&it, isc);
	if (der_iter_next(&it, &op) != 1 || op.tag != 0x82 ||
	    der_iter_next(&it, &tid) != 1 || tid.tag != 0x80 ||
	    der_iter_next(&it, &crt) != 1 || crt.tag != 0xA6 ||
	    der_iter_next(&it, &otpk) != 1 || otpk.tag != 0x5F49 ||
	    der_iter_next(&it, &sign) != 1 || sign.tag != 0x5F37 ||
	    der_iter_next(&it, &extra) != 0) {
		fail(r, cmd, EUICC_INSTALL_INCORRECT_INPUT_VALUES,
		     "InitialiseSecureChannel is not remoteOpId, transactionId, CRT, smdpOtpk, smdpSign");
		goto out;
	}

	der_put_raw(&msg, op.raw, op.raw_len);
	der_put_raw(&msg, tid.raw, tid.raw_len);
	der_put_raw(&msg, crt.raw, crt.raw_len);
	der_put_raw(&msg, otpk.raw, otpk.raw_len);
	der_put_tlv(&msg, 0x5F49, s->ot_point, sizeof(s->ot_point));
	if (msg.status != DER_OK ||
	    euicc_verify_tlv(s->dp_pb, msg.data, msg.len, sign.raw, sign.raw_len) != 0) {
		fail(r, cmd, EUICC_INSTALL_INVALID_SIGNATURE,
		     "smdpSign does not verify with CERT.DPpb");
		goto out;
	}
	if (op.len != 1 || op.value[0] != 0x01) {
		fail(r, cmd, EUICC_INSTALL_UNSUPPORTED_REMOTE_OPERATION_TYPE,
		     "remoteOpId is not installBoundProfilePackage(1)");
		goto out;
	}
	if (tid.len != s->transaction_id_len ||
	    memcmp(tid.value, s->transaction_id, tid.len) != 0) {
		fail(r, cmd, EUICC_INSTALL_INVALID_TRANSACTION_ID,
		     "transactionId differs from the session's");
		goto out;
	}

	der_iter_init(&it, &crt);
	if (der_iter_next(&it, &key_type) != 1 || key_type.tag != 0x80 || key_type.len != 1 ||
	    der_iter_next(&it, &key_len) != 1 || key_len.tag != 0x81 || key_len.len != 1 ||
	    der_iter_next(&it, &host_id) != 1 || host_id.tag != 0x84 ||
	    der_iter_next(&it, &extra) != 0) {
		fail(r, cmd, EUICC_INSTALL_UNSUPPORTED_CRT_VALUES,
		     "control reference template is not keyType, keyLen, hostId");
		goto out;
	}
	if (otpk.len != CRYPTO_POINT_LEN ||
	    crypto_ecdh_shared(s->ot_key, otpk.value, otpk.len, shared) != CRYPTO_OK) {
		fail(r, cmd, EUICC_INSTALL_INCORRECT_INPUT_VALUES,
		     "smdpOtpk is not a point on the curve of CERT.DPpb");
		goto out;
	}
	if (euicc_scp03t_derive(shared, sizeof(shared), key_type.value[0], key_len.value[0],
				host_id.value, host_id.len, e->eid_bytes, keys) != EUICC_SCP03T_OK) {
		fail(r, cmd, EUICC_INSTALL_UNSUPPORTED_CRT_VALUES,
		     "key type is not AES (88), key length not 16 or hostId not 1 to 16 bytes");
		goto out;
	}
	rc = 0;
out:
	crypto_zeroize(shared, sizeof(shared));
	der_buf_free(&msg);
	return rc;
}

/* Opens every segment of one sequence (A0, A1, A2 or A3) and appends the plaintext to out. */
static int open_sequence(struct euicc_scp03t *keys, const struct der_tlv *seq,
			 uint32_t segment_tag, int cmd, struct der_buf *out,
			 struct euicc_install_result *r)
{
	struct der_tlv seg;
	struct der_iter it;
	char detail[96];
	int more, rc;
	size_t count = 0;

	der_iter_init(&it, seq);
	while ((more = der_iter_next(&it, &seg)) == 1) {
		rc = euicc_scp03t_open(keys, segment_tag, seg.raw, seg.raw_len, out);
		if (rc == EUICC_SCP03T_E_NOMEM)
			return fail(r, cmd, EUICC_INSTALL_INSUFFICIENT_MEMORY,
				    "reassembled data exceeds the eUICC's maximum");
		if (rc != EUICC_SCP03T_OK) {
			snprintf(detail, sizeof(detail), "segment %zu of %02X sequence: %s", count,
				 (unsigned)seq->tag,
				 rc == EUICC_SCP03T_E_MAC ? "C-MAC does not verify" :
				 rc == EUICC_SCP03T_E_PADDING ? "invalid padding after decryption" :
				 "not a well-formed segment of at most 1020 bytes");
			return fail(r, cmd,
				    rc == EUICC_SCP03T_E_FORMAT ? EUICC_INSTALL_SCP03T_STRUCTURE_ERROR :
								  EUICC_INSTALL_SCP03T_SECURITY_ERROR,
				    detail);
		}
		count++;
		r->segment_count++;
	}
	if (more < 0 || count == 0)
		return fail(r, cmd, EUICC_INSTALL_SCP03T_STRUCTURE_ERROR,
			    more < 0 ? "malformed segment sequence" : "empty segment sequence");
	return 0;
}

/* ConfigureISDPRequest ::= [36] SEQUENCE { dpProprietaryData [24] DpProprietaryData OPTIONAL }
 * where DpProprietaryData starts with the SM-DP+'s dpOid and is at most 128 bytes. */
static int check_configure_isdp(const struct der_buf *plain, struct euicc_install_result *r)
{
	struct der_tlv req, dp, oid, extra;
	struct der_iter it;
	int more;

	if (der_read_exact(plain->data, plain->len, 0xBF24, &req) != DER_OK)
		return fail(r, EUICC_BPP_CMD_CONFIGURE_ISDP, EUICC_INSTALL_INCORRECT_INPUT_VALUES,
			    "ConfigureISDP is not one BF24 TLV");
	der_iter_init(&it, &req);
	more = der_iter_next(&it, &dp);
	if (more == 0)
		return 0;
	if (more < 0 || dp.tag != 0xB8 || dp.raw_len > 128 || der_iter_next(&it, &extra) != 0)
		return fail(r, EUICC_BPP_CMD_CONFIGURE_ISDP, EUICC_INSTALL_INCORRECT_INPUT_VALUES,
			    "ConfigureISDP holds more than a dpProprietaryData of at most 128 bytes");
	der_iter_init(&it, &dp);
	if (der_iter_next(&it, &oid) != 1 || oid.tag != 0x06)
		return fail(r, EUICC_BPP_CMD_CONFIGURE_ISDP, EUICC_INSTALL_INCORRECT_INPUT_VALUES,
			    "dpProprietaryData does not start with dpOid");
	return 0;
}

/* StoreMetadataRequest (BF25) must equal the profileMetadata of AuthenticateClient; its ICCID
 * is kept for the result and the notification. */
static int check_store_metadata(const struct der_buf *plain, const uint8_t *metadata,
				size_t metadata_len, struct euicc_install_result *r)
{
	struct der_tlv req, iccid;

	if (der_read_exact(plain->data, plain->len, 0xBF25, &req) != DER_OK ||
	    der_find(&req, 0x5A, &iccid) != DER_OK || iccid.len != RSP_ICCID_LEN ||
	    ident_iccid_from_bcd(iccid.value, r->iccid) != IDENT_OK)
		return fail(r, EUICC_BPP_CMD_STORE_METADATA, EUICC_INSTALL_INCORRECT_INPUT_VALUES,
			    "StoreMetadata is not a BF25 TLV with a 10-byte ICCID");
	if (metadata && (plain->len != metadata_len || memcmp(plain->data, metadata, metadata_len))) {
		r->metadata_mismatch = true;
		return fail(r, EUICC_BPP_CMD_STORE_METADATA, EUICC_INSTALL_DATA_MISMATCH,
			    "StoreMetadata differs from the profileMetadata of AuthenticateClient");
	}
	return 0;
}

/* ReplaceSessionKeysRequest ::= [38] SEQUENCE { initialMacChainingValue [0], ppkEnc [1],
 * ppkCmac [2] } (16 bytes each): the profile segments continue under these keys. */
static int replace_session_keys(struct euicc_scp03t *keys, const struct der_buf *plain,
				struct euicc_install_result *r)
{
	struct der_tlv req, mcv, enc, mac, extra;
	struct der_iter it;

	if (der_read_exact(plain->data, plain->len, 0xBF26, &req) != DER_OK)
		goto invalid;
	der_iter_init(&it, &req);
	if (der_iter_next(&it, &mcv) != 1 || mcv.tag != 0x80 || mcv.len != 16 ||
	    der_iter_next(&it, &enc) != 1 || enc.tag != 0x81 || enc.len != 16 ||
	    der_iter_next(&it, &mac) != 1 || mac.tag != 0x82 || mac.len != 16 ||
	    der_iter_next(&it, &extra) != 0)
		goto invalid;
	euicc_scp03t_init(keys, enc.value, mac.value, mcv.value);
	r->replaced_session_keys = true;
	return 0;
invalid:
	return fail(r, EUICC_BPP_CMD_REPLACE_SESSION_KEYS, EUICC_INSTALL_INCORRECT_INPUT_VALUES,
		    "ReplaceSessionKeys is not BF26 with three 16-byte values");
}

/* Decodes the reassembled profile as SAIP and compares it with the header ICCID, the
 * StoreMetadata ICCID and, when given, the expected package. */
static int check_profile(const uint8_t *profile, size_t len, const uint8_t *expected,
			 size_t expected_len, struct euicc_install_result *r)
{
	const int cmd = EUICC_BPP_CMD_LOAD_PROFILE_ELEMENTS;
	struct saip_info info;
	char detail[160];
	int rc;

	rc = saip_read(profile, len, &info);
	if (rc != SAIP_OK) {
		snprintf(detail, sizeof(detail), "profile package is not valid SAIP: %s (element %zu, offset %zu)",
			 saip_strerror(rc), info.error_element, info.error_offset);
		return fail(r, cmd, EUICC_INSTALL_PE_PROCESSING_ERROR, detail);
	}
	if (strcmp(info.iccid, r->iccid) != 0) {
		snprintf(detail, sizeof(detail), "ProfileHeader ICCID %s differs from StoreMetadata ICCID %s",
			 info.iccid, r->iccid);
		return fail(r, cmd, EUICC_INSTALL_DATA_MISMATCH, detail);
	}
	if (expected && (len != expected_len || memcmp(profile, expected, len) != 0)) {
		r->profile_mismatch = true;
		snprintf(detail, sizeof(detail), "profile (%zu bytes) differs from the expected package (%zu bytes)",
			 len, expected_len);
		return fail(r, cmd, EUICC_INSTALL_DATA_MISMATCH, detail);
	}
	return 0;
}

/* Runs the BPP commands in order; stops at the first failure recorded in r. */
static int install(struct euicc *e, const uint8_t *bpp, size_t bpp_len, const uint8_t *metadata,
		   size_t metadata_len, const uint8_t *expected, size_t expected_len,
		   struct euicc_install_result *r)
{
	struct bpp_parts parts;
	struct euicc_scp03t keys;
	struct der_buf plain, profile;
	int rc = -1;

	memset(&keys, 0, sizeof(keys));
	der_buf_init(&plain, 64 * 1024);
	der_buf_init(&profile, RSP_MAX_PROFILE_PACKAGE);

	if (parse_bpp(bpp, bpp_len, &parts, r) != 0 ||
	    open_secure_channel(e, &parts.isc, &keys, r) != 0)
		goto out;

	if (open_sequence(&keys, &parts.seq87, 0x87, EUICC_BPP_CMD_CONFIGURE_ISDP, &plain, r) ||
	    check_configure_isdp(&plain, r))
		goto out;

	plain.len = 0;
	if (open_sequence(&keys, &parts.seq88, 0x88, EUICC_BPP_CMD_STORE_METADATA, &plain, r) ||
	    check_store_metadata(&plain, metadata, metadata_len, r))
		goto out;

	if (parts.rsk87.tag == 0xA2) {
		plain.len = 0;
		if (open_sequence(&keys, &parts.rsk87, 0x87, EUICC_BPP_CMD_REPLACE_SESSION_KEYS,
				  &plain, r) ||
		    replace_session_keys(&keys, &plain, r))
			goto out;
	}

	if (open_sequence(&keys, &parts.seq86, 0x86, EUICC_BPP_CMD_LOAD_PROFILE_ELEMENTS,
			  &profile, r) ||
	    check_profile(profile.data, profile.len, expected, expected_len, r))
		goto out;

	/* Keep the profile for the caller; the buffer changes owner. */
	free(e->profile);
	e->profile = profile.data;
	e->profile_len = profile.len;
	profile.data = NULL;
	profile.len = 0;
	r->success = true;
	rc = 0;
out:
	euicc_scp03t_wipe(&keys);
	if (plain.data)
		crypto_zeroize(plain.data, plain.len);
	if (profile.data)
		crypto_zeroize(profile.data, profile.len);
	der_buf_free(&plain);
	der_buf_free(&profile);
	return rc;
}

/* Writes an INTEGER TLV of a non-negative value in minimal two's complement form. */
static void put_uint(struct der_buf *b, uint32_t tag, uint32_t value)
{
	uint8_t bytes[5] = {0, (uint8_t)(value >> 24), (uint8_t)(value >> 16),
			    (uint8_t)(value >> 8), (uint8_t)value};
	size_t start = 0;

	/* Drop leading zero bytes as long as the next byte keeps the value positive. */
	while (start < 4 && bytes[start] == 0 && !(bytes[start + 1] & 0x80))
		start++;
	der_put_tlv(b, tag, bytes + start, sizeof(bytes) - start);
}

/*
 * ProfileInstallationResult ::= [55] SEQUENCE {                         -- BF37
 *   profileInstallationResultData [39] SEQUENCE {                       -- BF27, signed
 *     transactionId [0] TransactionId,
 *     notificationMetadata [47] SEQUENCE { seqNumber [0] INTEGER,
 *       profileManagementOperation [1] NotificationEvent, notificationAddress UTF8String,
 *       iccid Iccid OPTIONAL },
 *     smdpOid OBJECT IDENTIFIER,
 *     finalResult [2] CHOICE { successResult [0] SEQUENCE { aid [APPLICATION 15],
 *         simaResponse OCTET STRING },
 *       errorResult [1] SEQUENCE { bppCommandId [0], errorReason [1], simaResponse [2] OPTIONAL } } },
 *   euiccSignPIR [APPLICATION 55] OCTET STRING }
 */
static int put_pir(struct euicc *e, const struct euicc_install_result *r, struct der_buf *out)
{
	/* NotificationEvent BIT STRING with notificationInstall(0) set: one bit used. */
	static const uint8_t pmo_install[2] = {0x07, 0x80};
	struct euicc_session *s = &e->session;
	struct der_buf data;
	uint8_t iccid_bcd[RSP_ICCID_LEN];
	uint8_t aid[sizeof(isdp_aid_base)];
	size_t seq, meta, result, alt, outer;
	int rc;

	der_buf_init(&data, EUICC_MAX_RESPONSE);
	e->notification_seq++;

	seq = der_begin(&data, 0xBF27);
	der_put_tlv(&data, 0x80, s->transaction_id, s->transaction_id_len);
	meta = der_begin(&data, 0xBF2F);
	put_uint(&data, 0x80, e->notification_seq);
	der_put_tlv(&data, 0x81, pmo_install, sizeof(pmo_install));
	der_put_tlv(&data, 0x0C, s->server_address, strlen(s->server_address));
	if (r->iccid[0] &&
	    ident_iccid_to_bcd(r->iccid, strlen(r->iccid), iccid_bcd) == IDENT_OK)
		der_put_tlv(&data, 0x5A, iccid_bcd, sizeof(iccid_bcd));
	der_end(&data, meta);
	der_put_tlv(&data, 0x06, s->dp_pb->san_oid_der, s->dp_pb->san_oid_der_len);
	result = der_begin(&data, 0xA2);
	if (r->success) {
		memcpy(aid, isdp_aid_base, sizeof(aid));
		aid[sizeof(aid) - 1] = (uint8_t)e->notification_seq;
		alt = der_begin(&data, 0xA0);
		der_put_tlv(&data, 0x4F, aid, sizeof(aid));
		der_put_tlv(&data, 0x04, sima_response_ok, sizeof(sima_response_ok));
	} else {
		alt = der_begin(&data, 0xA1);
		put_uint(&data, 0x80, (uint32_t)r->bpp_command);
		put_uint(&data, 0x81, (uint32_t)r->error_reason);
	}
	der_end(&data, alt);
	der_end(&data, result);
	der_end(&data, seq);
	if (data.status != DER_OK) {
		rc = EUICC_E_NOMEM;
		goto out;
	}

	outer = der_begin(out, 0xBF37);
	der_put_raw(out, data.data, data.len);
	rc = euicc_sign_tlv(e, s->chain, data.data, data.len, false, out);
	der_end(out, outer);
	if (rc == EUICC_OK && out->status != DER_OK)
		rc = EUICC_E_NOMEM;
out:
	der_buf_free(&data);
	return rc;
}

int euicc_load_bpp(struct euicc *e, const uint8_t *bpp, size_t bpp_len,
		   const uint8_t *profile_metadata, size_t profile_metadata_len,
		   const uint8_t *expected_profile, size_t expected_profile_len,
		   struct der_buf *out, struct euicc_install_result *result)
{
	int rc;

	memset(result, 0, sizeof(*result));
	if (e->session.state != EUICC_SESSION_PREPARED)
		return EUICC_E_STATE;
	if (bpp_len > EUICC_MAX_BPP) {
		fail(result, EUICC_BPP_CMD_INITIALISE_SECURE_CHANNEL,
		     EUICC_INSTALL_INSUFFICIENT_MEMORY, "BoundProfilePackage exceeds the eUICC's maximum");
	} else {
		install(e, bpp, bpp_len, profile_metadata, profile_metadata_len, expected_profile,
			expected_profile_len, result);
	}

	if (result->success) {
		result->profile = e->profile;
		result->profile_len = e->profile_len;
		if (e->faults.pir_error_reason) {
			/* Report a failure although the profile installed (negative tests). */
			result->success = false;
			result->bpp_command = EUICC_BPP_CMD_LOAD_PROFILE_ELEMENTS;
			result->error_reason = e->faults.pir_error_reason;
			snprintf(result->detail, sizeof(result->detail),
				 "error result requested for an installed profile");
		}
	}
	rc = put_pir(e, result, out);
	/* A successful installation ends the session; after a failure it stays, so that the LPA
	 * can still cancel it (e.g. with reason metadataMismatch). */
	if (rc == EUICC_OK && result->success)
		euicc_session_clear(&e->session);
	return rc;
}
