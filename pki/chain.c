/*
 * SGP.22 certificate chains: the CI store, eUICC chains (CI -> EUM -> eUICC, checked by the
 * SM-DP+ in ES9+ AuthenticateClient) and server chains (CI -> DPauth/DPpb/DPtls/DSauth/DStls,
 * checked by the eUICC and the LPA).
 *
 * Issuers are found by key identifier and curve, not by name. Beyond signatures, roles, key
 * usage and validity, an eUICC chain must satisfy SGP.22's EID range rule: the EID in the eUICC
 * certificate's subject serialNumber starts with an EIN the EUM certificate permits.
 */
#include "pki/chain.h"

#include <stdlib.h>
#include <string.h>


struct chain_ci_store {
	struct cert *ci[CHAIN_MAX_CI];
	size_t count;
};

int chain_ci_store_new(struct chain_ci_store **out)
{
	if (out == NULL)
		return PKI_E_INVALID_ARG;
	*out = calloc(1, sizeof(**out));
	return *out != NULL ? PKI_OK : PKI_E_NOMEM;
}

void chain_ci_store_free(struct chain_ci_store *store)
{
	size_t i;

	if (store == NULL)
		return;
	for (i = 0; i < store->count; i++)
		cert_free(store->ci[i]);
	free(store);
}

int chain_ci_store_add(struct chain_ci_store *store, const uint8_t *der, size_t len)
{
	struct cert *ci = NULL;
	int rc;

	if (store == NULL || der == NULL)
		return PKI_E_INVALID_ARG;
	rc = cert_parse(der, len, &ci);
	if (rc != PKI_OK)
		goto out;
	rc = cert_check_role(ci, CERT_ROLE_CI);
	if (rc != PKI_OK)
		goto out;
	if (ci->ski_len == 0) {
		rc = PKI_E_PARSE; /* a CI without key identifier cannot be selected */
		goto out;
	}
	/* A CI certificate must carry a valid self-signature. */
	rc = cert_verify_signature(ci, ci);
	if (rc != PKI_OK)
		goto out;
	if (chain_ci_store_find(store, ci->ski, ci->ski_len, ci->curve) != NULL) {
		rc = PKI_E_DUPLICATE;
		goto out;
	}
	if (store->count >= CHAIN_MAX_CI) {
		rc = PKI_E_NOMEM;
		goto out;
	}
	store->ci[store->count++] = ci;
	ci = NULL;
	rc = PKI_OK;
out:
	cert_free(ci);
	return rc;
}

int chain_ci_store_add_file(struct chain_ci_store *store, const char *path)
{
	struct cert *parsed = NULL;
	int rc;

	if (store == NULL || path == NULL)
		return PKI_E_INVALID_ARG;
	/* cert_load_file handles DER and PEM; the store then parses its own copy. */
	rc = cert_load_file(path, &parsed);
	if (rc == PKI_OK)
		rc = chain_ci_store_add(store, parsed->der, parsed->der_len);
	cert_free(parsed);
	return rc;
}

size_t chain_ci_store_count(const struct chain_ci_store *store)
{
	return store != NULL ? store->count : 0;
}

const struct cert *chain_ci_store_get(const struct chain_ci_store *store, size_t i)
{
	if (store == NULL || i >= store->count)
		return NULL;
	return store->ci[i];
}

const struct cert *chain_ci_store_find(const struct chain_ci_store *store, const uint8_t *ski,
				       size_t ski_len, enum pki_curve curve)
{
	size_t i;

	if (store == NULL || ski == NULL || ski_len == 0 || curve == PKI_CURVE_NONE)
		return NULL;
	for (i = 0; i < store->count; i++) {
		const struct cert *ci = store->ci[i];

		if (ci->curve == curve && ci->ski_len == ski_len &&
		    memcmp(ci->ski, ski, ski_len) == 0)
			return ci;
	}
	return NULL;
}

void chain_euicc_result_clear(struct chain_euicc_result *result)
{
	if (result == NULL)
		return;
	cert_free(result->eum);
	cert_free(result->euicc);
	memset(result, 0, sizeof(*result));
}

/* Maps a failed check of a single certificate to the chain status of its position. */
static int chain_status(int rc, int invalid, int expired)
{
	switch (rc) {
	case PKI_OK:
	case PKI_E_INVALID_ARG:
	case PKI_E_NOMEM:
	case PKI_E_PARSE:
	case PKI_E_UNSUPPORTED:
	case PKI_E_ROLE:
		return rc;
	case PKI_E_EXPIRED:
		return expired;
	default:
		return invalid;
	}
}

/* Checks the EUM certificate against the CI chosen; fills result->ci. */
static int verify_eum(const struct chain_ci_store *store, const uint8_t *ci_pkid,
		      size_t ci_pkid_len, time_t now, struct chain_euicc_result *result)
{
	const struct cert *eum = result->eum;
	int rc;

	result->failed = CHAIN_POS_CI;
	result->ci = chain_ci_store_find(store, ci_pkid, ci_pkid_len, eum->curve);
	if (result->ci == NULL)
		return PKI_E_UNKNOWN_CI;
	rc = cert_check_validity(result->ci, now);
	if (rc != PKI_OK)
		return rc;

	result->failed = CHAIN_POS_EUM;
	/* SGP.22 ES9+ AuthenticateClient: the EUM must be issued by the CI named in
	 * euiccCiPKIdToBeUsed, otherwise the CI is unknown for this eUICC. */
	if (eum->aki_len != ci_pkid_len || memcmp(eum->aki, ci_pkid, ci_pkid_len) != 0)
		return PKI_E_UNKNOWN_CI;
	rc = cert_check_role(eum, CERT_ROLE_EUM);
	if (rc == PKI_OK)
		rc = cert_verify_signed_by(eum, result->ci);
	if (rc == PKI_OK)
		rc = cert_check_validity(eum, now);
	return chain_status(rc, PKI_E_EUM_INVALID, PKI_E_EUM_EXPIRED);
}

/* Checks the eUICC certificate against the verified EUM, and the EID range. */
static int verify_euicc(time_t now, struct chain_euicc_result *result)
{
	const struct cert *eum = result->eum, *euicc = result->euicc;
	int rc;

	result->failed = CHAIN_POS_EUICC;
	rc = cert_check_role(euicc, CERT_ROLE_EUICC);
	if (rc != PKI_OK)
		return chain_status(rc, PKI_E_EUICC_INVALID, PKI_E_EUICC_EXPIRED);
	/* All certificates of an SGP.22 chain use one curve. */
	if (euicc->curve != eum->curve)
		return PKI_E_EUICC_INVALID;
	rc = cert_verify_signed_by(euicc, eum);
	if (rc != PKI_OK)
		return chain_status(rc, PKI_E_EUICC_INVALID, PKI_E_EUICC_EXPIRED);
	if (strlen(euicc->serial_number) != RSP_EID_DIGITS)
		return PKI_E_EUICC_INVALID;
	rc = cert_check_validity(euicc, now);
	if (rc != PKI_OK)
		return PKI_E_EUICC_EXPIRED;
	rc = cert_check_eid_range(eum, euicc->serial_number);
	if (rc == PKI_E_INVALID_ARG)
		return PKI_E_EUICC_INVALID; /* serialNumber is not 32 digits */
	return rc;
}

int chain_verify_euicc(const struct chain_ci_store *store, const uint8_t *ci_pkid,
		       size_t ci_pkid_len, const uint8_t *eum_der, size_t eum_len,
		       const uint8_t *euicc_der, size_t euicc_len, time_t now,
		       struct chain_euicc_result *result)
{
	int rc;

	if (result == NULL)
		return PKI_E_INVALID_ARG;
	chain_euicc_result_clear(result);
	if (store == NULL || ci_pkid == NULL || ci_pkid_len == 0 || eum_der == NULL ||
	    euicc_der == NULL)
		return PKI_E_INVALID_ARG;

	/* Parse both first, so a failure later on still leaves the EID available to log. */
	result->failed = CHAIN_POS_EUM;
	rc = cert_parse(eum_der, eum_len, &result->eum);
	if (rc != PKI_OK)
		return rc;
	result->failed = CHAIN_POS_EUICC;
	rc = cert_parse(euicc_der, euicc_len, &result->euicc);
	if (rc != PKI_OK)
		return rc;

	rc = verify_eum(store, ci_pkid, ci_pkid_len, now, result);
	if (rc != PKI_OK)
		return rc;
	rc = verify_euicc(now, result);
	if (rc != PKI_OK)
		return rc;

	result->eid = result->euicc->serial_number;
	result->failed = CHAIN_POS_NONE;
	return PKI_OK;
}

int chain_verify_server_cert(const struct chain_ci_store *store, const struct cert *cert,
			     enum cert_role expected_role, time_t now)
{
	const struct cert *ci;
	int rc;

	if (store == NULL || cert == NULL)
		return PKI_E_INVALID_ARG;
	switch (expected_role) {
	case CERT_ROLE_DP_TLS:
	case CERT_ROLE_DP_AUTH:
	case CERT_ROLE_DP_PB:
	case CERT_ROLE_DS_TLS:
	case CERT_ROLE_DS_AUTH:
		break;
	default:
		return PKI_E_INVALID_ARG;
	}

	ci = chain_ci_store_find(store, cert->aki, cert->aki_len, cert->curve);
	if (ci == NULL)
		return PKI_E_UNKNOWN_CI;
	rc = cert_check_validity(ci, now);
	if (rc != PKI_OK)
		return rc;
	rc = cert_check_role(cert, expected_role);
	if (rc != PKI_OK)
		return rc;
	rc = cert_verify_signed_by(cert, ci);
	if (rc != PKI_OK)
		return rc;
	return cert_check_validity(cert, now);
}

int chain_verify_server(const struct chain_ci_store *store, const uint8_t *der, size_t len,
			enum cert_role expected_role, time_t now, struct cert **out)
{
	struct cert *cert = NULL;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (store == NULL || der == NULL)
		return PKI_E_INVALID_ARG;
	rc = cert_parse(der, len, &cert);
	if (rc == PKI_OK)
		rc = chain_verify_server_cert(store, cert, expected_role, now);
	if (rc == PKI_OK && out != NULL) {
		*out = cert;
		cert = NULL;
	}
	cert_free(cert);
	return rc;
}
