/*
 * A complete test RSP PKI on disk, as made by "rsp-pki init", and the EID arithmetic it needs.
 *
 * Layout, for each curve (DIR/nist/ for P-256, DIR/brp/ for brainpoolP256r1):
 *   ci, eum, euicc, euicc-2 ... euicc-N, dpauth, dppb, dptls, dsauth, dstls
 * each as <name>.der and <name>.pem (certificate) and <name>.key (PEM EC private key, mode
 * 0600), plus dptls.chain.pem and dstls.chain.pem (certificate, CI certificate and key in one
 * PEM file, as a TLS server such as civetweb reads it).
 */
#ifndef PKI_TESTPKI_H
#define PKI_TESTPKI_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "pki/cert.h"
#include "pki/issue.h"

/* Our own test EID: EIN 89086030, valid ISO 7064 mod 97-10 check digits. */
#define TESTPKI_DEFAULT_EID       "89086030000000000000000000000192"
#define TESTPKI_DEFAULT_SMDP_HOST "smdpplus.test"
#define TESTPKI_DEFAULT_SMDP_OID  "2.999.10"
#define TESTPKI_DEFAULT_SMDS_HOST "smds.test"
#define TESTPKI_DEFAULT_SMDS_OID  "2.999.15"
#define TESTPKI_DEFAULT_DAYS      3650
#define TESTPKI_CI_OID            "2.999.1" /* SubjectAltName registeredID of the CI, as SGP.26 */
#define TESTPKI_EUM_OID           "2.999.5" /* SubjectAltName registeredID of the EUM, as SGP.26 */
#define TESTPKI_EIN_DIGITS        8         /* EID prefix an EUM certificate permits */
#define TESTPKI_MAX_EUICC         10000     /* eUICC certificates one init makes per curve */

/* Curves for testpki_create, as bits. */
#define TESTPKI_CURVE_NIST 0x1
#define TESTPKI_CURVE_BRP  0x2

struct testpki_options {
	const char *out_dir;       /* created if missing */
	unsigned int curves;       /* TESTPKI_CURVE_* bits; 0 means both */
	const char *eid;           /* first eUICC's EID; NULL: TESTPKI_DEFAULT_EID */
	unsigned int euicc_count;  /* eUICC certificates per curve, consecutive EIDs; 0 means 1 */
	const char *smdp_host;     /* NULL: defaults above */
	const char *smdp_oid;
	const char *smds_host;
	const char *smds_oid;
	unsigned int days;         /* validity of every certificate; 0: TESTPKI_DEFAULT_DAYS */
	time_t now;                /* start of validity (one day earlier is used); 0: time(NULL) */
};

/*
 * Creates the test PKI described above. On failure err receives a one-line message naming the
 * value or file at fault. Returns PKI_OK, PKI_E_INVALID_ARG, PKI_E_IO or PKI_E_NOMEM.
 */
int testpki_create(const struct testpki_options *options, char *err, size_t err_size);

/*
 * Writes an issued certificate and its key as PREFIX.der, PREFIX.pem and PREFIX.key, and, when
 * chain_ci is not NULL, PREFIX.chain.pem with the certificate, chain_ci and the key.
 * Returns PKI_OK, PKI_E_IO (err names the file) or PKI_E_NOMEM.
 */
int testpki_write_files(const char *prefix, const uint8_t *der, size_t der_len,
			const struct issue_key *key, const struct cert *chain_ci, char *err,
			size_t err_size);

/* Returns PKI_OK if eid is 32 digits with valid ISO 7064 mod 97-10 check digits (the whole
 * number mod 97 equals 1), else PKI_E_INVALID_ARG. */
int testpki_eid_check(const char *eid);

/*
 * Writes the EID that comes offset numbers after eid: the first 30 digits are incremented as
 * a decimal number and the check digits recomputed. Returns PKI_E_INVALID_ARG when eid is not
 * 32 digits or the increment would change the first TESTPKI_EIN_DIGITS digits (the EIN).
 */
int testpki_eid_offset(const char *eid, unsigned int offset, char out[RSP_EID_DIGITS + 1]);

#endif
