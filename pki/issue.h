/*
 * Issuing test certificates of the SGP.22 RSP PKI and of the operator PKI (mbedTLS 2.28
 * x509write). Used by the rsp-pki tool and by tests; servers never issue certificates.
 *
 * The RSP profiles follow the SGP.26 test certificates:
 *   - certificatePolicies with the role OID, critical except on TLS certificates (as in SGP.26);
 *   - SubjectKeyIdentifier (SHA-1 of the public key) and AuthorityKeyIdentifier (the issuer's
 *     SubjectKeyIdentifier);
 *   - critical keyUsage, and critical basicConstraints on CAs;
 *   - on an EUM, a critical nameConstraints with the EIN;
 *   - on an eUICC, the EID as subject serialNumber;
 *   - on SM-DP+ and SM-DS certificates, SubjectAltName registeredID (and dNSName for TLS).
 * Signatures are ecdsa-with-SHA256.
 */
#ifndef PKI_ISSUE_H
#define PKI_ISSUE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "pki/cert.h"

/* An EC key pair on one of the SGP.22 curves. */
struct issue_key;

/* Generates a new key pair. Returns PKI_OK, PKI_E_INVALID_ARG (curve) or PKI_E_NOMEM. */
int issue_key_generate(enum pki_curve curve, struct issue_key **out);

/* Loads a private key file: PEM or DER, SEC1 ("EC PRIVATE KEY", also after an "EC PARAMETERS"
 * block) or PKCS#8. Returns PKI_OK, PKI_E_IO, PKI_E_PARSE or PKI_E_UNSUPPORTED (curve). */
int issue_key_load_file(const char *path, struct issue_key **out);

/* Frees a key and wipes it; NULL is accepted. */
void issue_key_free(struct issue_key *key);

enum pki_curve issue_key_curve(const struct issue_key *key);

/* Returns PKI_OK when key is the private key of the certificate's public key, else
 * PKI_E_INVALID_ARG. */
int issue_key_matches_cert(const struct issue_key *key, const struct cert *cert);

/* Writes the private key as PEM "EC PRIVATE KEY" (SEC1) with its terminating NUL.
 * Returns PKI_OK, or PKI_E_INVALID_ARG when buf is too small. */
int issue_key_write_pem(const struct issue_key *key, char *buf, size_t size);

/* Kinds of certificate issue_certificate makes. */
enum issue_profile {
	ISSUE_PROFILE_RSP = 0,          /* an SGP.22 certificate of params->role */
	ISSUE_PROFILE_OPERATOR_CA,      /* plain X.509 CA that signs operator client certificates */
	ISSUE_PROFILE_OPERATOR_CLIENT,  /* TLS client certificate (EKU clientAuth) of an operator */
};

/* Parameters of one certificate to issue. Strings are borrowed for the call, and fields a
 * profile does not use are ignored. */
struct issue_params {
	enum issue_profile profile;
	enum cert_role role;          /* ISSUE_PROFILE_RSP: the role to issue */
	/* Subject as an mbedTLS name string, e.g. "CN=RSP Test CI,O=RSP Test PKI" (written in this
	 * order). NULL selects the role's default subject, which includes eid and organization. */
	const char *subject;
	const char *eid;              /* eUICC: 32 digits, the subject serialNumber */
	const char *ein;              /* EUM: the permitted EID prefix (1 to 32 digits) */
	int ein_as_permitted_eins;    /* EUM: carry ein in the GSMA permittedEins extension
				       * instead of nameConstraints */
	const char *organization;     /* EUM and eUICC: O of the default subject and of the
				       * EUM's nameConstraints; NULL: "RSP Test EUM" */
	const char *host;             /* DPtls/DStls: SubjectAltName dNSName (also CN by default) */
	const char *oid;              /* DPauth/DPpb/DPtls/DSauth/DStls, CI, EUM: SubjectAltName
				       * registeredID, dotted; NULL: none for CI/EUM, required else */
	time_t not_before;
	time_t not_after;
	const struct issue_key *subject_key;  /* key the certificate certifies */
	const struct cert *issuer_cert;       /* NULL: self-signed by subject_key (CI, operator CA) */
	const struct issue_key *issuer_key;   /* the issuer's private key; ignored when self-signed */
};

/*
 * Issues one certificate. *der receives a new DER buffer the caller frees.
 * Returns PKI_OK, PKI_E_INVALID_ARG (a missing or malformed parameter: EID, EIN, host name,
 * OID, validity, subject string) or PKI_E_NOMEM.
 */
int issue_certificate(const struct issue_params *params, uint8_t **der, size_t *der_len);

/* Writes a DER certificate as PEM "CERTIFICATE" with its terminating NUL.
 * Returns PKI_OK, or PKI_E_INVALID_ARG when buf is too small. */
int issue_cert_to_pem(const uint8_t *der, size_t der_len, char *buf, size_t size);

#endif
