/*
 * The SM-DP+ server context shared by the ES9+ and ES2+ handlers and the operator callback
 * worker: settings from the configuration file, the DPauth/DPpb keys and certificates per
 * curve, the trusted CI certificates and the database pool. Everything here is loaded once at
 * start and only read afterwards, so the HTTP worker threads share it without locking.
 */
#ifndef SMDPPLUS_SMDP_H
#define SMDPPLUS_SMDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/crypto.h"
#include "common/db.h"
#include "common/limits.h"
#include "pki/cert.h"
#include "pki/chain.h"

#define SMDP_MAX_CURVES 2
#define SMDP_MAX_OPERATOR_URLS 32

/* DPauth and DPpb certificates and keys of one curve. */
struct smdp_identity {
	enum crypto_curve curve;
	struct cert *dpauth;
	struct crypto_privkey *dpauth_key;
	struct cert *dppb;
	struct crypto_privkey *dppb_key;
};

struct smdp_operator_url {
	char *operator_id;
	char *url;
};

struct smdp_settings {
	const char *address;           /* SM-DP+ FQDN, as in activation codes */
	char oid[CERT_OID_STR_MAX];    /* SM-DP+ OID, dotted (from CERT.DPauth when not set) */
	uint8_t oid_der[CERT_OID_DER_MAX]; /* its content octets, compared with smdpOid */
	size_t oid_der_len;
	int64_t session_ttl_s;         /* an RSP session accepts requests this long */
	int64_t session_retention_s;   /* expired sessions are deleted after this long */
	int64_t order_validity_s;      /* a download order expires this long after DownloadOrder */
	int64_t max_download_attempts; /* AuthenticateClient calls per order */
	int64_t max_cc_attempts;       /* wrong confirmation codes per order */
	bool allow_bpp_rebinding;      /* a new otPK.EUICC gets a new BPP (else 8.2/3.7) */
	bool es2_client_auth;          /* ES2+ requires operator client certificates */
	const char *callback_default_url; /* HandleDownloadProgressInfo URL of any operator */
	struct smdp_operator_url callback_urls[SMDP_MAX_OPERATOR_URLS];
	size_t callback_url_count;
	const char *callback_ca_file;  /* CA of the operators' HTTPS servers; NULL: system store */
	const char *callback_cert_file; /* client certificate towards operators; NULL: none */
	const char *callback_key_file;
	int64_t callback_max_attempts;
	int64_t callback_retry_s;
	struct db_limits db_limits;    /* bounded database waits (db_*_timeout keys) */
};

struct smdp {
	struct config *config;
	struct smdp_settings set;
	struct smdp_identity ids[SMDP_MAX_CURVES];
	size_t id_count;
	struct chain_ci_store *ci;
	struct db *db;
};

/* The configuration keys of smdpplus (documented in docs/smdpplus.md). */
extern const struct config_key smdp_config_keys[];
extern const size_t smdp_config_key_count;

/* Reads the settings from a loaded configuration, loads the CI certificates and the DPauth/DPpb
 * keys and certificates of each configured curve and checks each against the CIs. Logs and
 * returns -1 on the first problem. */
int smdp_load(struct smdp *smdp, struct config *config);

/* Frees what smdp_load loaded (not the configuration nor the database). */
void smdp_unload(struct smdp *smdp);

/* The identity of a curve, or NULL. */
const struct smdp_identity *smdp_identity_for_curve(const struct smdp *smdp,
						    enum crypto_curve curve);

/* The HandleDownloadProgressInfo URL for an operator, or NULL for none. */
const char *smdp_callback_url(const struct smdp *smdp, const char *operator_id);

#endif
