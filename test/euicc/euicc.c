/*
 * Test eUICC: identity (certificates, keys, EID), EUICCInfo1/EUICCInfo2, the eUICC challenge
 * and the signature helpers shared by the ES10b functions. See euicc.h.
 */
#include "test/euicc/euicc_private.h"

#include <stdlib.h>
#include <string.h>

#include "common/ident.h"

/* ---- names of the SGP.22 ES10b codes ---- */

struct code_name {
	int code;
	const char *name;
};

static const struct code_name auth_errors[] = {
	{EUICC_AUTH_INVALID_CERTIFICATE, "invalidCertificate"},
	{EUICC_AUTH_INVALID_SIGNATURE, "invalidSignature"},
	{EUICC_AUTH_UNSUPPORTED_CURVE, "unsupportedCurve"},
	{EUICC_AUTH_NO_SESSION_CONTEXT, "noSessionContext"},
	{EUICC_AUTH_INVALID_OID, "invalidOid"},
	{EUICC_AUTH_CHALLENGE_MISMATCH, "euiccChallengeMismatch"},
	{EUICC_AUTH_CI_PK_UNKNOWN, "ciPKUnknown"},
	{EUICC_AUTH_UNDEFINED, "undefinedError"},
	{0, NULL},
};

static const struct code_name download_errors[] = {
	{EUICC_DL_INVALID_CERTIFICATE, "invalidCertificate"},
	{EUICC_DL_INVALID_SIGNATURE, "invalidSignature"},
	{EUICC_DL_UNSUPPORTED_CURVE, "unsupportedCurve"},
	{EUICC_DL_NO_SESSION_CONTEXT, "noSessionContext"},
	{EUICC_DL_INVALID_TRANSACTION_ID, "invalidTransactionId"},
	{EUICC_DL_UNDEFINED, "undefinedError"},
	{0, NULL},
};

static const struct code_name install_errors[] = {
	{EUICC_INSTALL_INCORRECT_INPUT_VALUES, "incorrectInputValues"},
	{EUICC_INSTALL_INVALID_SIGNATURE, "invalidSignature"},
	{EUICC_INSTALL_INVALID_TRANSACTION_ID, "invalidTransactionId"},
	{EUICC_INSTALL_UNSUPPORTED_CRT_VALUES, "unsupportedCrtValues"},
	{EUICC_INSTALL_UNSUPPORTED_REMOTE_OPERATION_TYPE, "unsupportedRemoteOperationType"},
	{EUICC_INSTALL_UNSUPPORTED_PROFILE_CLASS, "unsupportedProfileClass"},
	{EUICC_INSTALL_SCP03T_STRUCTURE_ERROR, "scp03tStructureError"},
	{EUICC_INSTALL_SCP03T_SECURITY_ERROR, "scp03tSecurityError"},
	{EUICC_INSTALL_ICCID_ALREADY_EXISTS, "installFailedDueToIccidAlreadyExistsOnEuicc"},
	{EUICC_INSTALL_INSUFFICIENT_MEMORY, "installFailedDueToInsufficientMemoryForProfile"},
	{EUICC_INSTALL_INTERRUPTION, "installFailedDueToInterruption"},
	{EUICC_INSTALL_PE_PROCESSING_ERROR, "installFailedDueToPEProcessingError"},
	{EUICC_INSTALL_DATA_MISMATCH, "installFailedDueToDataMismatch"},
	{EUICC_INSTALL_INVALID_NAA_KEY, "testProfileInstallFailedDueToInvalidNaaKey"},
	{EUICC_INSTALL_PPR_NOT_ALLOWED, "pprNotAllowed"},
	{EUICC_INSTALL_UNKNOWN_ERROR, "installFailedDueToUnknownError"},
	{0, NULL},
};

static const struct code_name bpp_commands[] = {
	{EUICC_BPP_CMD_INITIALISE_SECURE_CHANNEL, "initialiseSecureChannel"},
	{EUICC_BPP_CMD_CONFIGURE_ISDP, "configureISDP"},
	{EUICC_BPP_CMD_STORE_METADATA, "storeMetadata"},
	{EUICC_BPP_CMD_STORE_METADATA2, "storeMetadata2"},
	{EUICC_BPP_CMD_REPLACE_SESSION_KEYS, "replaceSessionKeys"},
	{EUICC_BPP_CMD_LOAD_PROFILE_ELEMENTS, "loadProfileElements"},
	{0, NULL},
};

static const struct code_name cancel_reasons[] = {
	{EUICC_CANCEL_END_USER_REJECTION, "endUserRejection"},
	{EUICC_CANCEL_POSTPONED, "postponed"},
	{EUICC_CANCEL_TIMEOUT, "timeout"},
	{EUICC_CANCEL_PPR_NOT_ALLOWED, "pprNotAllowed"},
	{EUICC_CANCEL_METADATA_MISMATCH, "metadataMismatch"},
	{EUICC_CANCEL_LOAD_BPP_EXECUTION_ERROR, "loadBppExecutionError"},
	{EUICC_CANCEL_UNDEFINED_REASON, "undefinedReason"},
	{0, NULL},
};

/* bpp_commands and cancel_reasons contain the value 0, so tables end at a NULL name. */
static const char *lookup_name(const struct code_name *table, int code)
{
	for (; table->name; table++)
		if (table->code == code)
			return table->name;
	return "unknown";
}

static int lookup_code(const struct code_name *table, const char *name)
{
	for (; table->name; table++)
		if (strcmp(table->name, name) == 0)
			return table->code;
	return -1;
}

const char *euicc_auth_error_name(int code)
{
	return lookup_name(auth_errors, code);
}

const char *euicc_download_error_name(int code)
{
	return lookup_name(download_errors, code);
}

const char *euicc_install_error_name(int code)
{
	return lookup_name(install_errors, code);
}

const char *euicc_bpp_command_name(int code)
{
	return lookup_name(bpp_commands, code);
}

const char *euicc_cancel_reason_name(int code)
{
	return lookup_name(cancel_reasons, code);
}

int euicc_cancel_reason_parse(const char *name)
{
	return lookup_code(cancel_reasons, name);
}

int euicc_install_error_parse(const char *name)
{
	return lookup_code(install_errors, name);
}

/* ---- lifecycle and identity ---- */

int euicc_new(const uint8_t svn[3], struct euicc **out)
{
	struct euicc *e;

	*out = NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return EUICC_E_NOMEM;
	memcpy(e->svn, svn, sizeof(e->svn));
	if (chain_ci_store_new(&e->ci_store) != PKI_OK) {
		free(e);
		return EUICC_E_NOMEM;
	}
	*out = e;
	return EUICC_OK;
}

void euicc_session_clear(struct euicc_session *s)
{
	cert_free(s->dp_auth);
	cert_free(s->dp_pb);
	crypto_privkey_free(s->ot_key);
	crypto_zeroize(s, sizeof(*s));
}

void euicc_free(struct euicc *e)
{
	size_t i;

	if (!e)
		return;
	euicc_session_clear(&e->session);
	for (i = 0; i < e->chain_count; i++) {
		cert_free(e->chains[i].euicc_cert);
		cert_free(e->chains[i].eum_cert);
		crypto_privkey_free(e->chains[i].key);
	}
	chain_ci_store_free(e->ci_store);
	free(e->profile);
	free(e);
}

int euicc_add_ci_file(struct euicc *e, const char *path)
{
	int rc = chain_ci_store_add_file(e->ci_store, path);

	if (rc == PKI_OK)
		return EUICC_OK;
	return rc == PKI_E_IO ? EUICC_E_IO : EUICC_E_CONFIG;
}

int euicc_add_chain_files(struct euicc *e, const char *euicc_cert, const char *euicc_key,
			  const char *eum_cert)
{
	struct euicc_chain chain = {0};
	uint8_t point[CRYPTO_POINT_LEN];
	int rc;

	if (e->chain_count == EUICC_MAX_CHAINS)
		return EUICC_E_CONFIG;

	rc = cert_load_file(euicc_cert, &chain.euicc_cert);
	if (rc == PKI_OK)
		rc = cert_load_file(eum_cert, &chain.eum_cert);
	if (rc != PKI_OK) {
		rc = rc == PKI_E_IO ? EUICC_E_IO : EUICC_E_CONFIG;
		goto out;
	}
	rc = crypto_privkey_load_file(euicc_key, &chain.key);
	if (rc != CRYPTO_OK) {
		rc = rc == CRYPTO_E_IO ? EUICC_E_IO : EUICC_E_CONFIG;
		goto out;
	}

	/* The key must belong to the certificate, and the certificate must name an EID. */
	rc = EUICC_E_CONFIG;
	if (crypto_privkey_public_point(chain.key, point) != CRYPTO_OK ||
	    memcmp(point, chain.euicc_cert->public_point, sizeof(point)) != 0)
		goto out;
	if (ident_eid_to_bytes(chain.euicc_cert->serial_number,
			       strlen(chain.euicc_cert->serial_number), e->eid_bytes) != IDENT_OK)
		goto out;
	if (e->chain_count > 0 && strcmp(e->eid, chain.euicc_cert->serial_number) != 0)
		goto out;

	memcpy(e->eid, chain.euicc_cert->serial_number, sizeof(e->eid));
	e->eid[RSP_EID_DIGITS] = '\0';
	e->chains[e->chain_count++] = chain;
	memset(&chain, 0, sizeof(chain));
	rc = EUICC_OK;
out:
	cert_free(chain.euicc_cert);
	cert_free(chain.eum_cert);
	crypto_privkey_free(chain.key);
	return rc;
}

void euicc_set_faults(struct euicc *e, const struct euicc_faults *faults)
{
	e->faults = *faults;
}

const char *euicc_eid(const struct euicc *e)
{
	return e->eid;
}

/* ---- EUICCInfo1 and EUICCInfo2 ---- */

static void put_pkid_list(const struct euicc *e, struct der_buf *b, uint32_t tag)
{
	size_t mark = der_begin(b, tag);
	size_t i;

	if (e->faults.override_pkids) {
		for (i = 0; i < e->faults.pkid_count; i++)
			der_put_tlv(b, 0x04, e->faults.pkids[i], EUICC_PKID_LEN);
	} else {
		for (i = 0; i < chain_ci_store_count(e->ci_store); i++) {
			const struct cert *ci = chain_ci_store_get(e->ci_store, i);

			der_put_tlv(b, 0x04, ci->ski, ci->ski_len);
		}
	}
	der_end(b, mark);
}

void euicc_put_pkid_lists(const struct euicc *e, struct der_buf *b)
{
	put_pkid_list(e, b, 0xA9); /* euiccCiPKIdListForVerification */
	put_pkid_list(e, b, 0xAA); /* euiccCiPKIdListForSigning */
}

/*
 * EUICCInfo1 ::= [32] SEQUENCE { svn [2] VersionType,
 *   euiccCiPKIdListForVerification [9] SEQUENCE OF SubjectKeyIdentifier,
 *   euiccCiPKIdListForSigning [10] SEQUENCE OF SubjectKeyIdentifier }
 */
int euicc_get_info1(const struct euicc *e, struct der_buf *out)
{
	size_t mark = der_begin(out, 0xBF20);

	der_put_tlv(out, 0x82, e->svn, sizeof(e->svn));
	euicc_put_pkid_lists(e, out);
	der_end(out, mark);
	return out->status == DER_OK ? EUICC_OK : EUICC_E_NOMEM;
}

/*
 * EUICCInfo2 (tag BF22). The values describe a plain consumer eUICC; the ones a server may
 * check are svn, the CI PKID lists and rspCapability (which announces test profile support,
 * since the TS.48 test profiles are of class test).
 */
int euicc_get_info2(const struct euicc *e, struct der_buf *out)
{
	static const uint8_t profile_version[3] = {2, 3, 1};   /* SAIP v2.3.1 */
	static const uint8_t firmware_version[3] = {1, 0, 0};
	/* ETSI TS 102 226 extended card resources: 0 applications installed, 1 MB free
	 * non-volatile memory, 64 KB free volatile memory. */
	static const uint8_t ext_card_resource[] = {
		0x81, 0x01, 0x00,
		0x82, 0x04, 0x00, 0x10, 0x00, 0x00,
		0x83, 0x04, 0x00, 0x01, 0x00, 0x00,
	};
	/* UICCCapability BIT STRING (SAIP PEDefinitions): usimSupport(1), isimSupport(2),
	 * akaMilenage(4), akaTuak128(6), usimTestAlgorithm(8), javacard(14) and
	 * berTlvFileSupport(19), which the TS.48 test profiles use. 20 bits, so 4 unused. */
	static const uint8_t uicc_capability[] = {0x04, 0x6A, 0x82, 0x10};
	static const uint8_t ts102241_version[3] = {9, 2, 0};
	static const uint8_t gp_version[3] = {2, 3, 0};
	/* RspCapability BIT STRING: additionalProfile(0), testProfileSupport(3). */
	static const uint8_t rsp_capability[] = {0x04, 0x90};
	static const uint8_t pp_version[3] = {0, 0, 1};
	static const char sas_number[] = "TEST-SAS-0001";
	size_t mark = der_begin(out, 0xBF22);

	der_put_tlv(out, 0x81, profile_version, sizeof(profile_version));
	der_put_tlv(out, 0x82, e->svn, sizeof(e->svn));
	der_put_tlv(out, 0x83, firmware_version, sizeof(firmware_version));
	der_put_tlv(out, 0x84, ext_card_resource, sizeof(ext_card_resource));
	der_put_tlv(out, 0x85, uicc_capability, sizeof(uicc_capability));
	der_put_tlv(out, 0x86, ts102241_version, sizeof(ts102241_version));
	der_put_tlv(out, 0x87, gp_version, sizeof(gp_version));
	der_put_tlv(out, 0x88, rsp_capability, sizeof(rsp_capability));
	euicc_put_pkid_lists(e, out);
	/* ppVersion and sasAcreditationNumber carry universal tags: the SEQUENCE has tagged
	 * components, so AUTOMATIC TAGS does not apply to it. */
	der_put_tlv(out, 0x04, pp_version, sizeof(pp_version));
	der_put_tlv(out, 0x0C, sas_number, strlen(sas_number));
	der_end(out, mark);
	return out->status == DER_OK ? EUICC_OK : EUICC_E_NOMEM;
}

int euicc_get_challenge(struct euicc *e, uint8_t challenge[RSP_CHALLENGE_LEN])
{
	euicc_session_clear(&e->session);
	if (crypto_random(e->session.challenge, RSP_CHALLENGE_LEN) != CRYPTO_OK)
		return EUICC_E_CRYPTO;
	memcpy(challenge, e->session.challenge, RSP_CHALLENGE_LEN);
	e->session.state = EUICC_SESSION_CHALLENGE;
	return EUICC_OK;
}

const char *euicc_session_server_address(const struct euicc *e)
{
	return e->session.server_address;
}

const uint8_t *euicc_session_transaction_id(const struct euicc *e, size_t *len)
{
	*len = e->session.transaction_id_len;
	return e->session.transaction_id;
}

/* ---- signatures ---- */

int euicc_sign_tlv(const struct euicc *e, size_t chain, const uint8_t *msg, size_t msg_len,
		   bool tamper, struct der_buf *out)
{
	uint8_t sig[CRYPTO_SIG_LEN];

	if (chain >= e->chain_count)
		return EUICC_E_STATE;
	if (crypto_sign(e->chains[chain].key, msg, msg_len, sig) != CRYPTO_OK)
		return EUICC_E_CRYPTO;
	if (tamper)
		sig[CRYPTO_SIG_LEN / 2] ^= 0x01;
	der_put_tlv(out, 0x5F37, sig, sizeof(sig));
	return out->status == DER_OK ? EUICC_OK : EUICC_E_NOMEM;
}

int euicc_verify_tlv(const struct cert *cert, const uint8_t *msg, size_t msg_len,
		     const uint8_t *sig_tlv, size_t sig_tlv_len)
{
	struct crypto_pubkey *key = NULL;
	struct der_tlv sig;
	int rc = -1;

	if (der_read_exact(sig_tlv, sig_tlv_len, 0x5F37, &sig) != DER_OK ||
	    sig.len != CRYPTO_SIG_LEN)
		return -1;
	if (crypto_pubkey_from_point((enum crypto_curve)cert->curve, cert->public_point,
				     sizeof(cert->public_point), &key) != CRYPTO_OK)
		return -1;
	if (crypto_verify(key, msg, msg_len, sig.value, sig.len) == CRYPTO_OK)
		rc = 0;
	crypto_pubkey_free(key);
	return rc;
}
