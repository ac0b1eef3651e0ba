/*
 * SGP.22 certificates: parse one X.509 certificate of the RSP PKI and check it against its role.
 *
 * SGP.22 v2.5 section 4.5.2 defines the certificate profiles: every certificate names its role
 * in a critical certificatePolicies extension (id-rspRole-*, 2.23.146.1.2.1.x), carries
 * SubjectKeyIdentifier and AuthorityKeyIdentifier, an ECDSA key on NIST P-256 or
 * brainpoolP256r1, and an ecdsa-with-SHA256 signature. An EUM certificate limits the EIDs of the
 * eUICCs it signs, either with a critical nameConstraints extension (a permitted DirectoryName
 * whose serialNumber is the EIN prefix) or with the GSMA permittedEins extension
 * (2.23.146.1.2.2.0, SEQUENCE OF PrintableString). An eUICC certificate carries the EID as the
 * subject serialNumber, and SM-DP+/SM-DS certificates carry their OID as a SubjectAltName
 * registeredID.
 *
 * mbedTLS 2.28 does the X.509 parsing. It rejects a critical extension it does not know, so the
 * RSP extensions are read here in the extension callback of
 * mbedtls_x509_crt_parse_der_with_ext_cb. Certificates are never matched by name: issuers are
 * found by key identifier, and a CI additionally by curve.
 */
#ifndef PKI_CERT_H
#define PKI_CERT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/limits.h"

/* Status codes of the pki layer, 0 on success. The servers map them to SGP.22 statuses in
 * their one status table. Each chain code names the certificate that failed, so that mapping
 * needs no further context. */
enum pki_status {
	PKI_OK = 0,
	PKI_E_INVALID_ARG = -1,   /* NULL pointer, empty input or an out-of-range argument */
	PKI_E_NOMEM = -2,
	PKI_E_IO = -3,            /* certificate file missing, unreadable or too large */
	PKI_E_PARSE = -4,         /* not a well-formed DER X.509 v3 certificate, or a malformed
				   * RSP extension, or an unknown critical extension */
	PKI_E_UNSUPPORTED = -5,   /* key not ECDSA on P-256/brainpoolP256r1, or signature
				   * algorithm other than ecdsa-with-SHA256 */
	PKI_E_ROLE = -6,          /* certificatePolicies does not name the expected role */
	PKI_E_KEY_USAGE = -7,     /* keyUsage or basicConstraints do not fit the role, or an EUM
				   * certificate lacks a permitted EID range */
	PKI_E_SIGNATURE = -8,     /* signature does not verify with the issuer's key */
	PKI_E_EXPIRED = -9,       /* outside its validity period (expired or not yet valid) */
	PKI_E_DUPLICATE = -10,    /* a CI with the same key identifier and curve is loaded */
	/* Chain verification (pki/chain.h). */
	PKI_E_UNKNOWN_CI = -11,   /* no loaded CI has the requested key identifier and curve, or
				   * the certificate was not issued by that CI (its AKI differs) */
	PKI_E_EUM_INVALID = -12,  /* EUM certificate: bad signature, key usage, range or curve */
	PKI_E_EUM_EXPIRED = -13,  /* EUM certificate outside its validity period */
	PKI_E_EUICC_INVALID = -14, /* eUICC certificate: bad signature, key usage, issuer or curve */
	PKI_E_EUICC_EXPIRED = -15, /* eUICC certificate outside its validity period */
	PKI_E_EID_RANGE = -16,    /* eUICC EID outside the range the EUM certificate permits */
};

/* Returns a short English description of a pki_status value ("EID outside EUM range"). */
const char *pki_status_str(int status);

/* The two curves of SGP.22. The values equal those of enum crypto_curve in common/crypto.h
 * (checked by test_pki), so callers above pki/ may convert with a cast. */
enum pki_curve {
	PKI_CURVE_NONE = 0,
	PKI_CURVE_P256 = 1,            /* NIST P-256, secp256r1 */
	PKI_CURVE_BRAINPOOLP256R1 = 2, /* brainpoolP256r1 */
};

/* Returns "P-256", "brainpoolP256r1" or "none". */
const char *pki_curve_name(enum pki_curve curve);

/* RSP roles; each value is the last arc of its policy OID 2.23.146.1.2.1.<role>. */
enum cert_role {
	CERT_ROLE_NONE = -1,    /* no RSP role policy (e.g. an operator TLS certificate) */
	CERT_ROLE_CI = 0,       /* id-rspRole-ci: GSMA Certificate Issuer, the root */
	CERT_ROLE_EUICC = 1,    /* id-rspRole-euicc */
	CERT_ROLE_EUM = 2,      /* id-rspRole-eum: eUICC Manufacturer, a sub-CA */
	CERT_ROLE_DP_TLS = 3,   /* id-rspRole-dp-tls: SM-DP+ TLS server */
	CERT_ROLE_DP_AUTH = 4,  /* id-rspRole-dp-auth: SM-DP+ authentication (serverSignature1) */
	CERT_ROLE_DP_PB = 5,    /* id-rspRole-dp-pb: SM-DP+ profile binding (smdpSignature2) */
	CERT_ROLE_DS_TLS = 6,   /* id-rspRole-ds-tls: SM-DS TLS server */
	CERT_ROLE_DS_AUTH = 7,  /* id-rspRole-ds-auth: SM-DS authentication */
};

/* Returns "CI", "eUICC", "EUM", "DPtls", "DPauth", "DPpb", "DStls", "DSauth" or "none". */
const char *cert_role_name(enum cert_role role);

/* KeyUsage bits as X.509 numbers them in the first byte of the BIT STRING (and as mbedTLS
 * stores them). */
#define CERT_KU_DIGITAL_SIGNATURE 0x80
#define CERT_KU_KEY_CERT_SIGN     0x04
#define CERT_KU_CRL_SIGN          0x02

#define CERT_KEY_ID_MAX      32  /* SubjectKeyIdentifier/AuthorityKeyIdentifier (SGP.22: 20) */
#define CERT_POINT_LEN       65  /* uncompressed point 04 || X || Y on a 256-bit curve */
#define CERT_OID_STR_MAX     64  /* dotted OID string, with its terminating NUL */
#define CERT_OID_DER_MAX     32  /* OID content octets (without tag and length) */
#define CERT_SERIAL_NUMBER_MAX 64 /* X.520 serialNumber: PrintableString (SIZE(1..64)) */
#define CERT_MAX_EIN_PREFIXES 16 /* permitted EID prefixes kept from one EUM certificate */

/* Source of an EUM certificate's permitted EID range. */
enum cert_range_source {
	CERT_RANGE_NONE = 0,
	CERT_RANGE_NAME_CONSTRAINTS, /* nameConstraints permittedSubtrees DirectoryName serialNumber */
	CERT_RANGE_PERMITTED_EINS,   /* GSMA permittedEins extension, 2.23.146.1.2.2.0 */
};

struct mbedtls_x509_crt;

/*
 * A parsed RSP certificate. cert_parse fills all fields, and later calls only read them, so
 * threads may share a certificate, also as the issuer in cert_verify_signature.
 * Strings are NUL-terminated, and absent values are empty strings or zero lengths.
 */
struct cert {
	enum cert_role role;         /* from the first id-rspRole-* policy, CERT_ROLE_NONE if none */
	enum pki_curve curve;        /* curve of the subject public key */
	uint8_t public_point[CERT_POINT_LEN]; /* 04 || X || Y */

	uint8_t ski[CERT_KEY_ID_MAX]; /* SubjectKeyIdentifier (for a CI: its CI PKID) */
	size_t ski_len;
	uint8_t aki[CERT_KEY_ID_MAX]; /* AuthorityKeyIdentifier keyIdentifier */
	size_t aki_len;

	unsigned int key_usage;      /* CERT_KU_* bits; 0 when the extension is absent */
	int has_key_usage;
	int is_ca;                   /* basicConstraints cA */
	int max_path_len;            /* basicConstraints pathLenConstraint, -1 when absent */

	time_t not_before;           /* validity, seconds since the epoch (UTC) */
	time_t not_after;

	/* Subject serialNumber (2.5.4.5): the EID in an eUICC certificate. */
	char serial_number[CERT_SERIAL_NUMBER_MAX + 1];
	/* Subject organizationName (2.5.4.10). */
	char organization[CERT_SERIAL_NUMBER_MAX + 1];

	/* First SubjectAltName registeredID (the SM-DP+ or SM-DS OID, e.g. "2.999.10"). */
	char san_oid[CERT_OID_STR_MAX];
	uint8_t san_oid_der[CERT_OID_DER_MAX]; /* its content octets, as in CancelSession smdpOid */
	size_t san_oid_der_len;
	/* First SubjectAltName dNSName (the TLS host name). */
	char san_dns[RSP_MAX_FQDN + 1];

	/* EUM only: the permitted EID range as a list of EID prefixes (EINs). The organization of
	 * a nameConstraints DirectoryName, when present, is kept in range_organization. */
	enum cert_range_source range_source;
	char ein_prefixes[CERT_MAX_EIN_PREFIXES][RSP_EID_DIGITS + 1];
	size_t ein_prefix_count;
	char range_organization[CERT_SERIAL_NUMBER_MAX + 1];

	const uint8_t *der;          /* the certificate as parsed (inside x509) */
	size_t der_len;

	struct mbedtls_x509_crt *x509; /* the mbedTLS certificate, owned; for pki/ internal use */
};

/*
 * Parses one DER certificate of at most RSP_MAX_CERT_DER bytes into a new struct cert, which the
 * caller frees with cert_free. A certificate without an RSP role policy parses with
 * CERT_ROLE_NONE; checking the role is the caller's job (cert_check_role).
 *
 * Returns PKI_OK, PKI_E_INVALID_ARG, PKI_E_PARSE (also for trailing bytes after the
 * certificate), PKI_E_UNSUPPORTED or PKI_E_NOMEM. *out is NULL on failure.
 */
int cert_parse(const uint8_t *der, size_t len, struct cert **out);

/* Reads a certificate file, DER or PEM (the first CERTIFICATE block), and parses it.
 * Returns the codes of cert_parse, or PKI_E_IO. */
int cert_load_file(const char *path, struct cert **out);

/* Frees a certificate; NULL is accepted. */
void cert_free(struct cert *cert);

/*
 * Checks that a certificate may act in a role: the role policy, the key usage SGP.22 requires
 * (keyCertSign for CI and EUM, digitalSignature for every other role) and basicConstraints (cA
 * for CI and EUM, not cA for the others). An EUM must also carry a permitted EID range.
 *
 * Returns PKI_OK, PKI_E_ROLE (policy names another role or none) or PKI_E_KEY_USAGE.
 */
int cert_check_role(const struct cert *cert, enum cert_role role);

/* Returns PKI_OK when not_before <= now <= not_after, else PKI_E_EXPIRED. */
int cert_check_validity(const struct cert *cert, time_t now);

/*
 * Verifies the certificate's ecdsa-with-SHA256 signature with the issuer's public key, and that
 * the certificate's AuthorityKeyIdentifier equals the issuer's SubjectKeyIdentifier.
 * Returns PKI_OK, PKI_E_SIGNATURE (including a key identifier mismatch) or PKI_E_UNSUPPORTED.
 */
int cert_verify_signed_by(const struct cert *cert, const struct cert *issuer);

/* Verifies only the signature, e.g. the self-signature of a CI, which has no
 * AuthorityKeyIdentifier. Returns PKI_OK, PKI_E_SIGNATURE or PKI_E_UNSUPPORTED. */
int cert_verify_signature(const struct cert *cert, const struct cert *issuer);

/*
 * Checks SGP.22's EID range rule: the EID (32 digits) must start with one of the EUM's permitted
 * EIN prefixes. Only the serialNumber prefix is compared; the organization of a nameConstraints
 * DirectoryName is recorded (range_organization) but not matched against the eUICC's subject.
 * Returns PKI_OK, PKI_E_EID_RANGE, or PKI_E_INVALID_ARG for an EID that is not 32 digits.
 */
int cert_check_eid_range(const struct cert *eum, const char *eid);

#endif
