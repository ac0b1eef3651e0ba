/*
 * SGP.22 certificate chains: the store of trusted CI certificates, eUICC chains
 * (CI -> EUM -> eUICC, SGP.22 ES9+ AuthenticateClient) and SM-DP+/SM-DS chains
 * (CI -> DPauth, DPpb, DPtls, DSauth, DStls, as an eUICC checks them).
 *
 * A CI is selected by its SubjectKeyIdentifier (the CI PKID an eUICC lists in euiccInfo1 and
 * the SM-DP+ returns as euiccCiPKIdToBeUsed) and by curve, never by name. Issuers are matched
 * by key identifier: a certificate's AuthorityKeyIdentifier must equal its issuer's
 * SubjectKeyIdentifier. All certificates of one chain are on one curve.
 *
 * Verification adds to X.509 path checking what SGP.22 requires and stock validators lack:
 * role policies per position, and the EID range an EUM certificate permits.
 */
#ifndef PKI_CHAIN_H
#define PKI_CHAIN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "pki/cert.h"

#define CHAIN_MAX_CI 16 /* maximum number of CI certificates in one store */

/*
 * Trusted CI certificates, parsed once at start. After loading, the store is only read, so
 * server threads may share it without locking.
 */
struct chain_ci_store;

/* Creates an empty store. Returns PKI_OK or PKI_E_NOMEM. */
int chain_ci_store_new(struct chain_ci_store **out);

/* Frees the store and its certificates; NULL is accepted. */
void chain_ci_store_free(struct chain_ci_store *store);

/*
 * Adds one CI certificate (DER). The certificate must have the CI role, key usage and
 * basicConstraints (cert_check_role), and a valid self-signature. Its validity period is not
 * checked here, because it is checked against the time of each verification.
 * Returns PKI_OK, the codes of cert_parse and cert_check_role, PKI_E_SIGNATURE,
 * PKI_E_DUPLICATE (same key identifier and curve already loaded) or PKI_E_NOMEM (store full).
 */
int chain_ci_store_add(struct chain_ci_store *store, const uint8_t *der, size_t len);

/* Adds a CI certificate file, DER or PEM. Returns the codes of chain_ci_store_add, or PKI_E_IO. */
int chain_ci_store_add_file(struct chain_ci_store *store, const char *path);

/* The number of CIs loaded, and the i-th of them (NULL when i is out of range), e.g. to list
 * the CI PKIDs a server supports. The store owns the certificates. */
size_t chain_ci_store_count(const struct chain_ci_store *store);
const struct cert *chain_ci_store_get(const struct chain_ci_store *store, size_t i);

/* Finds the CI whose SubjectKeyIdentifier is ski and whose key is on curve; NULL if none (also
 * for PKI_CURVE_NONE). The store owns the returned certificate. */
const struct cert *chain_ci_store_find(const struct chain_ci_store *store, const uint8_t *ski,
				       size_t ski_len, enum pki_curve curve);

/* Position in a chain, to say which certificate an error concerns. */
enum chain_position {
	CHAIN_POS_NONE = 0,
	CHAIN_POS_CI,
	CHAIN_POS_EUM,
	CHAIN_POS_EUICC,
	CHAIN_POS_SERVER, /* the end-entity certificate of chain_verify_server */
};

/*
 * Outcome of chain_verify_euicc. The caller initialises it with {0} (or
 * chain_euicc_result_clear) and always releases it with chain_euicc_result_clear, also after a
 * failure: the certificates parsed before the failure stay available, e.g. to log the EID.
 */
struct chain_euicc_result {
	const struct cert *ci;       /* the CI used; owned by the store */
	struct cert *eum;            /* parsed EUM certificate, owned by the result */
	struct cert *euicc;          /* parsed eUICC certificate, owned by the result */
	const char *eid;             /* euicc->serial_number after success, else NULL */
	enum chain_position failed;  /* certificate the error concerns, CHAIN_POS_NONE on success */
};

/* Frees the certificates of a result and resets it to zero. */
void chain_euicc_result_clear(struct chain_euicc_result *result);

/*
 * Verifies an eUICC certificate chain as the SM-DP+ must in ES9+ AuthenticateClient, in this
 * order:
 *   1. the CI: the store's CI with key identifier ci_pkid on the EUM key's curve
 *      (PKI_E_UNKNOWN_CI when there is none), valid at now (PKI_E_EXPIRED, failed = CI);
 *   2. the EUM: parses (PKI_E_PARSE/PKI_E_UNSUPPORTED), its AuthorityKeyIdentifier equals
 *      ci_pkid (PKI_E_UNKNOWN_CI: not issued by the CI chosen), role EUM (PKI_E_ROLE), key usage,
 *      basicConstraints, permitted EID range and signature by the CI (PKI_E_EUM_INVALID),
 *      validity (PKI_E_EUM_EXPIRED);
 *   3. the eUICC: parses (PKI_E_PARSE/PKI_E_UNSUPPORTED), role eUICC (PKI_E_ROLE), key usage,
 *      curve equal to the EUM's, issued and signed by the EUM, a 32-digit EID as subject
 *      serialNumber (PKI_E_EUICC_INVALID), validity (PKI_E_EUICC_EXPIRED), EID within the EUM's
 *      range (PKI_E_EID_RANGE).
 * ci_pkid is the raw key identifier (20 bytes in SGP.22), without the 04 14 OCTET STRING header.
 * result->failed names the certificate each error concerns. Returns PKI_OK on success, with the
 * public key of the eUICC in result->euicc->public_point and the EID in result->eid.
 */
int chain_verify_euicc(const struct chain_ci_store *store, const uint8_t *ci_pkid,
		       size_t ci_pkid_len, const uint8_t *eum_der, size_t eum_len,
		       const uint8_t *euicc_der, size_t euicc_len, time_t now,
		       struct chain_euicc_result *result);

/*
 * Verifies a certificate issued directly by a CI (DPauth, DPpb, DPtls, DSauth or DStls) as an
 * eUICC does. Checks, with the status each failure returns:
 *   - the CI named by the certificate's AuthorityKeyIdentifier, on the certificate's curve, is
 *     in the store (PKI_E_UNKNOWN_CI) and valid at now (PKI_E_EXPIRED);
 *   - the certificate has expected_role (PKI_E_ROLE) and fitting key usage (PKI_E_KEY_USAGE);
 *   - the CI's signature verifies (PKI_E_SIGNATURE) and the certificate is valid at now
 *     (PKI_E_EXPIRED).
 * Parse failures return the codes of cert_parse. An expected_role of CI, EUM or eUICC returns
 * PKI_E_INVALID_ARG. When out is not NULL, it receives the parsed certificate on success (the
 * caller frees it with cert_free) and NULL on failure.
 */
int chain_verify_server(const struct chain_ci_store *store, const uint8_t *der, size_t len,
			enum cert_role expected_role, time_t now, struct cert **out);

/* Same checks as chain_verify_server on a certificate already parsed, e.g. a server's own
 * DPauth and DPpb certificates at start. */
int chain_verify_server_cert(const struct chain_ci_store *store, const struct cert *cert,
			     enum cert_role expected_role, time_t now);

#endif
