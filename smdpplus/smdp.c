/*
 * SM-DP+ configuration keys and the keys and certificates loaded once at start.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "common/actcode.h"
#include "common/log.h"
#include "smdpplus/smdp.h"

#define DAY_MS (24LL * 3600 * 1000)
#define HOUR_MS (3600LL * 1000)
/* The client waits this much longer than statement_timeout for a reply, so that on a live
 * server statement_timeout ends a slow statement first (with its SQLSTATE in the log), and the
 * client-side limit fires only when the server stopped responding. The help text of
 * db_statement_timeout and docs/smdpplus.md state the value. */
#define DB_REPLY_MARGIN_MS 2000

const struct config_key smdp_config_keys[] = {
	{ "smdp_address", CONFIG_STRING, NULL, 0, 0, 0,
	  "SM-DP+ address (FQDN) checked in InitiateAuthentication and put in activation codes" },
	{ "smdp_oid", CONFIG_STRING, NULL, 0, 0, CONFIG_KEY_OPTIONAL,
	  "SM-DP+ OID; must equal the registeredID of CERT.DPauth (default: taken from it)" },
	{ "es9_listen", CONFIG_STRING, "0.0.0.0:8443", 0, 0, 0, "ES9+ HTTPS address:port" },
	{ "es9_tls_cert", CONFIG_STRING, NULL, 0, 0, 0,
	  "PEM file: CERT.DP.TLS followed by its chain" },
	{ "es9_tls_key", CONFIG_STRING, NULL, 0, 0, 0, "PEM private key of CERT.DP.TLS" },
	{ "es2_listen", CONFIG_STRING, "127.0.0.1:8444", 0, 0, 0, "ES2+ HTTPS address:port" },
	{ "es2_tls_cert", CONFIG_STRING, NULL, 0, 0, CONFIG_KEY_OPTIONAL,
	  "PEM certificate chain of the ES2+ port (default: es9_tls_cert)" },
	{ "es2_tls_key", CONFIG_STRING, NULL, 0, 0, CONFIG_KEY_OPTIONAL,
	  "PEM private key of the ES2+ port (default: es9_tls_key)" },
	{ "es2_client_ca", CONFIG_STRING, NULL, 0, 0, CONFIG_KEY_OPTIONAL,
	  "PEM operator CA: ES2+ then requires client certificates it issued" },
	{ "dpauth_cert_nist", CONFIG_STRING, NULL, 0, 0, CONFIG_KEY_OPTIONAL,
	  "CERT.DPauth.ECDSA on NIST P-256 (DER or PEM)" },
	{ "dpauth_key_nist", CONFIG_STRING, NULL, 0, 0, CONFIG_KEY_OPTIONAL, "its private key" },
	{ "dppb_cert_nist", CONFIG_STRING, NULL, 0, 0, CONFIG_KEY_OPTIONAL,
	  "CERT.DPpb.ECDSA on NIST P-256 (DER or PEM)" },
	{ "dppb_key_nist", CONFIG_STRING, NULL, 0, 0, CONFIG_KEY_OPTIONAL, "its private key" },
	{ "dpauth_cert_brp", CONFIG_STRING, NULL, 0, 0, CONFIG_KEY_OPTIONAL,
	  "CERT.DPauth.ECDSA on brainpoolP256r1 (DER or PEM)" },
	{ "dpauth_key_brp", CONFIG_STRING, NULL, 0, 0, CONFIG_KEY_OPTIONAL, "its private key" },
	{ "dppb_cert_brp", CONFIG_STRING, NULL, 0, 0, CONFIG_KEY_OPTIONAL,
	  "CERT.DPpb.ECDSA on brainpoolP256r1 (DER or PEM)" },
	{ "dppb_key_brp", CONFIG_STRING, NULL, 0, 0, CONFIG_KEY_OPTIONAL, "its private key" },
	{ "ci_certs", CONFIG_STRING, NULL, 0, 0, 0,
	  "comma-separated CI certificate files or folders of .der/.pem files" },
	{ "db_conninfo", CONFIG_STRING, NULL, 0, 0, 0, "libpq connection string" },
	{ "db_max_connections", CONFIG_INT, "0", 0, 256, 0,
	  "database connections (0: HTTP threads of both ports plus 2)" },
	{ "db_connect_timeout", CONFIG_DURATION, "5s", 0, HOUR_MS, 0,
	  "limit on opening a database connection (whole seconds, at least 2; 0: none)" },
	{ "db_statement_timeout", CONFIG_DURATION, "10s", 0, HOUR_MS, 0,
	  "PostgreSQL statement_timeout of every statement; the client stops waiting for a reply "
	  "2 s later (0: neither limit)" },
	{ "db_lock_timeout", CONFIG_DURATION, "5s", 0, HOUR_MS, 0,
	  "PostgreSQL lock_timeout: limit on waiting for a row lock (0: none)" },
	{ "sql_dir", CONFIG_STRING, NULL, 0, 0, CONFIG_KEY_OPTIONAL,
	  "folder of the schema migrations (default: the repository's sql/)" },
	{ "http_threads", CONFIG_INT, "8", 1, 256, 0, "worker threads per HTTPS port" },
	{ "session_ttl", CONFIG_DURATION, "30m", 10000, 7 * DAY_MS, 0,
	  "time an RSP session accepts requests after InitiateAuthentication" },
	{ "session_retention", CONFIG_DURATION, "7d", 0, 365 * DAY_MS, 0,
	  "expired sessions are kept this long (late installation results are verified with them)" },
	{ "order_validity", CONFIG_DURATION, "30d", 60000, 3650 * DAY_MS, 0,
	  "a download order expires this long after DownloadOrder" },
	{ "max_download_attempts", CONFIG_INT, "5", 1, 1000, 0,
	  "AuthenticateClient attempts per order before it ends in Error" },
	{ "max_cc_attempts", CONFIG_INT, "3", 1, 100, 0,
	  "wrong confirmation codes per order before it ends in Error" },
	{ "allow_bpp_rebinding", CONFIG_BOOL, "true", 0, 0, 0,
	  "bind the profile again for a new otPK.EUICC.ECKA (false: refuse with 8.2/3.7)" },
	{ "operator_callback_url", CONFIG_STRING, NULL, 0, 0, CONFIG_KEY_OPTIONAL,
	  "HandleDownloadProgressInfo URL for operators without their own entry" },
	{ "operator_callback_urls", CONFIG_STRING, NULL, 0, 0, CONFIG_KEY_OPTIONAL,
	  "comma-separated OPERATOR=URL pairs for HandleDownloadProgressInfo" },
	{ "operator_callback_ca", CONFIG_STRING, NULL, 0, 0, CONFIG_KEY_OPTIONAL,
	  "PEM CA file for the operators' HTTPS servers (default: the system store)" },
	{ "operator_callback_cert", CONFIG_STRING, NULL, 0, 0, CONFIG_KEY_OPTIONAL,
	  "PEM client certificate presented to operators" },
	{ "operator_callback_key", CONFIG_STRING, NULL, 0, 0, CONFIG_KEY_OPTIONAL,
	  "PEM private key of operator_callback_cert" },
	{ "operator_callback_attempts", CONFIG_INT, "10", 1, 1000, 0,
	  "HandleDownloadProgressInfo attempts before giving up" },
	{ "operator_callback_retry", CONFIG_DURATION, "30s", 1000, DAY_MS, 0,
	  "wait between HandleDownloadProgressInfo attempts" },
	{ "log_level", CONFIG_STRING, "info", 0, 0, 0, "error, warn, info or debug" },
	{ "log_file", CONFIG_STRING, NULL, 0, 0, CONFIG_KEY_OPTIONAL,
	  "file that receives the log besides stderr" },
};
const size_t smdp_config_key_count = sizeof(smdp_config_keys) / sizeof(smdp_config_keys[0]);

static const char *get_str(const struct config *cfg, const char *name)
{
	const char *v = NULL;

	config_get_string(cfg, name, &v);
	return v && *v ? v : NULL;
}

static int64_t get_int(const struct config *cfg, const char *name)
{
	int64_t v = 0;

	config_get_int(cfg, name, &v);
	return v;
}

static int64_t get_ms(const struct config *cfg, const char *name)
{
	int64_t v = 0;

	config_get_duration_ms(cfg, name, &v);
	return v;
}

static int64_t get_seconds(const struct config *cfg, const char *name)
{
	return get_ms(cfg, name) / 1000;
}

static bool is_cert_file(const char *name)
{
	size_t n = strlen(name);

	return (n > 4 && (strcmp(name + n - 4, ".der") == 0 || strcmp(name + n - 4, ".pem") == 0 ||
			  strcmp(name + n - 4, ".crt") == 0));
}

static int add_ci_file(struct smdp *smdp, const char *path)
{
	int rc = chain_ci_store_add_file(smdp->ci, path);

	if (rc != PKI_OK) {
		LOG_ERROR("main", NULL, "CI certificate %s not loaded: %s", path, pki_status_str(rc));
		return -1;
	}
	return 0;
}

/* Loads a CI certificate file, or every .der/.pem/.crt file of a folder. */
static int add_ci_path(struct smdp *smdp, const char *path)
{
	struct dirent **names = NULL;
	struct stat st;
	int n, rc = 0;

	if (stat(path, &st) != 0) {
		LOG_ERROR("main", NULL, "CI certificate path %s not found (ci_certs)", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return add_ci_file(smdp, path);
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		LOG_ERROR("main", NULL, "cannot read the CI folder %s (ci_certs)", path);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char file[4096];

		if (rc == 0 && is_cert_file(names[i]->d_name)) {
			snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name);
			rc = add_ci_file(smdp, file);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

static int load_ci_certs(struct smdp *smdp, const char *list)
{
	char *copy = strdup(list), *p, *next;
	int rc = 0;

	if (!copy)
		return -1;
	for (p = copy; p && rc == 0; p = next) {
		char *end;

		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*p)
			rc = add_ci_path(smdp, p);
	}
	free(copy);
	if (rc == 0 && chain_ci_store_count(smdp->ci) == 0) {
		LOG_ERROR("main", NULL, "no CI certificate found in ci_certs");
		rc = -1;
	}
	return rc;
}

/* Loads one certificate of a role and checks it against the CIs. */
static int load_server_cert(struct smdp *smdp, const char *path, enum cert_role role,
			    enum crypto_curve curve, struct cert **out)
{
	int rc = cert_load_file(path, out);

	if (rc == PKI_OK && (enum crypto_curve)(*out)->curve != curve)
		rc = PKI_E_UNSUPPORTED;
	if (rc == PKI_OK)
		rc = chain_verify_server_cert(smdp->ci, *out, role, time(NULL));
	if (rc != PKI_OK) {
		LOG_ERROR("main", NULL, "%s certificate %s unusable on %s: %s", cert_role_name(role),
			  path, crypto_curve_name(curve), pki_status_str(rc));
		return -1;
	}
	return 0;
}

static int load_key(const char *path, enum crypto_curve curve, const struct cert *cert,
		    struct crypto_privkey **out)
{
	uint8_t point[CRYPTO_POINT_LEN];

	if (crypto_privkey_load_file(path, out) != CRYPTO_OK || crypto_privkey_curve(*out) != curve ||
	    crypto_privkey_public_point(*out, point) != CRYPTO_OK ||
	    memcmp(point, cert->public_point, sizeof(point)) != 0) {
		LOG_ERROR("main", NULL, "private key %s unusable or not the key of its certificate",
			  path);
		return -1;
	}
	return 0;
}

/* Loads the identity of one curve; returns 1 when the curve is not configured. */
static int load_identity(struct smdp *smdp, const char *suffix, enum crypto_curve curve)
{
	char name[4][32];
	const char *path[4];
	struct smdp_identity *id = &smdp->ids[smdp->id_count];
	int set = 0;

	snprintf(name[0], sizeof(name[0]), "dpauth_cert_%s", suffix);
	snprintf(name[1], sizeof(name[1]), "dpauth_key_%s", suffix);
	snprintf(name[2], sizeof(name[2]), "dppb_cert_%s", suffix);
	snprintf(name[3], sizeof(name[3]), "dppb_key_%s", suffix);
	for (int i = 0; i < 4; i++) {
		path[i] = get_str(smdp->config, name[i]);
		set += path[i] != NULL;
	}
	if (set == 0)
		return 1;
	if (set != 4) {
		LOG_ERROR("main", NULL, "curve %s: set all four of %s, %s, %s and %s", suffix,
			  name[0], name[1], name[2], name[3]);
		return -1;
	}
	id->curve = curve;
	if (load_server_cert(smdp, path[0], CERT_ROLE_DP_AUTH, curve, &id->dpauth) != 0 ||
	    load_key(path[1], curve, id->dpauth, &id->dpauth_key) != 0 ||
	    load_server_cert(smdp, path[2], CERT_ROLE_DP_PB, curve, &id->dppb) != 0 ||
	    load_key(path[3], curve, id->dppb, &id->dppb_key) != 0)
		return -1;
	smdp->id_count++;
	return 0;
}

/* Checks and stores the SM-DP+ OID: both DPauth certificates must carry the same one. */
static int load_oid(struct smdp *smdp)
{
	const char *configured = get_str(smdp->config, "smdp_oid");

	for (size_t i = 0; i < smdp->id_count; i++) {
		const struct cert *c = smdp->ids[i].dpauth;

		if (!c->san_oid[0] || c->san_oid_der_len > sizeof(smdp->set.oid_der)) {
			LOG_ERROR("main", NULL, "CERT.DPauth on %s has no SM-DP+ OID (registeredID)",
				  crypto_curve_name(smdp->ids[i].curve));
			return -1;
		}
		if (i == 0) {
			snprintf(smdp->set.oid, sizeof(smdp->set.oid), "%s", c->san_oid);
			memcpy(smdp->set.oid_der, c->san_oid_der, c->san_oid_der_len);
			smdp->set.oid_der_len = c->san_oid_der_len;
		} else if (strcmp(smdp->set.oid, c->san_oid) != 0) {
			LOG_ERROR("main", NULL, "the DPauth certificates carry different OIDs (%s, %s)",
				  smdp->set.oid, c->san_oid);
			return -1;
		}
	}
	if (configured && strcmp(configured, smdp->set.oid) != 0) {
		LOG_ERROR("main", NULL, "smdp_oid %s differs from the OID %s of CERT.DPauth",
			  configured, smdp->set.oid);
		return -1;
	}
	return 0;
}

/* Parses operator_callback_urls: "OP1=https://a/x, OP2=https://b/y". */
static int load_callback_urls(struct smdp *smdp, const char *list)
{
	char *copy = strdup(list), *p, *next;
	int rc = 0;

	if (!copy)
		return -1;
	for (p = copy; p && rc == 0; p = next) {
		char *eq;
		struct smdp_operator_url *u;

		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		while (*p == ' ')
			p++;
		if (!*p)
			continue;
		eq = strchr(p, '=');
		if (!eq || eq == p || !eq[1] || smdp->set.callback_url_count >= SMDP_MAX_OPERATOR_URLS) {
			LOG_ERROR("main", NULL, "operator_callback_urls: \"%s\" is not OPERATOR=URL "
				  "(at most %d entries)", p, SMDP_MAX_OPERATOR_URLS);
			rc = -1;
			break;
		}
		*eq = '\0';
		for (char *end = eq + 1 + strlen(eq + 1); end > eq + 1 && end[-1] == ' ';)
			*--end = '\0';
		u = &smdp->set.callback_urls[smdp->set.callback_url_count++];
		u->operator_id = strdup(p);
		u->url = strdup(eq + 1);
		if (!u->operator_id || !u->url)
			rc = -1;
	}
	free(copy);
	return rc;
}

int smdp_load(struct smdp *smdp, struct config *config)
{
	struct smdp_settings *s = &smdp->set;
	bool rebind = true;
	int rc;

	smdp->config = config;
	s->address = get_str(config, "smdp_address");
	if (!s->address || actcode_validate_address(s->address, strlen(s->address)) != ACTCODE_OK) {
		LOG_ERROR("main", NULL, "smdp_address \"%s\" is not a valid host name",
			  s->address ? s->address : "");
		return -1;
	}
	s->session_ttl_s = get_seconds(config, "session_ttl");
	s->session_retention_s = get_seconds(config, "session_retention");
	s->order_validity_s = get_seconds(config, "order_validity");
	s->max_download_attempts = get_int(config, "max_download_attempts");
	s->max_cc_attempts = get_int(config, "max_cc_attempts");
	config_get_bool(config, "allow_bpp_rebinding", &rebind);
	s->allow_bpp_rebinding = rebind;
	s->es2_client_auth = get_str(config, "es2_client_ca") != NULL;
	s->callback_default_url = get_str(config, "operator_callback_url");
	s->callback_ca_file = get_str(config, "operator_callback_ca");
	s->callback_cert_file = get_str(config, "operator_callback_cert");
	s->callback_key_file = get_str(config, "operator_callback_key");
	s->callback_max_attempts = get_int(config, "operator_callback_attempts");
	s->callback_retry_s = get_seconds(config, "operator_callback_retry");
	s->db_limits.connect_timeout_ms = get_ms(config, "db_connect_timeout");
	s->db_limits.statement_timeout_ms = get_ms(config, "db_statement_timeout");
	s->db_limits.lock_timeout_ms = get_ms(config, "db_lock_timeout");
	if (s->db_limits.statement_timeout_ms > 0)
		s->db_limits.reply_timeout_ms =
			s->db_limits.statement_timeout_ms + DB_REPLY_MARGIN_MS;
	if (get_str(config, "operator_callback_urls") &&
	    load_callback_urls(smdp, get_str(config, "operator_callback_urls")) != 0)
		return -1;

	if (chain_ci_store_new(&smdp->ci) != PKI_OK ||
	    load_ci_certs(smdp, get_str(config, "ci_certs")) != 0)
		return -1;

	rc = load_identity(smdp, "nist", CRYPTO_CURVE_P256);
	if (rc < 0)
		return -1;
	rc = load_identity(smdp, "brp", CRYPTO_CURVE_BRAINPOOLP256R1);
	if (rc < 0)
		return -1;
	if (smdp->id_count == 0) {
		LOG_ERROR("main", NULL, "no DPauth/DPpb keys configured: set the dpauth_*/dppb_* keys "
			  "of curve nist, brp or both");
		return -1;
	}
	return load_oid(smdp);
}

void smdp_unload(struct smdp *smdp)
{
	for (size_t i = 0; i < smdp->id_count; i++) {
		struct smdp_identity *id = &smdp->ids[i];

		cert_free(id->dpauth);
		cert_free(id->dppb);
		crypto_privkey_free(id->dpauth_key);
		crypto_privkey_free(id->dppb_key);
	}
	smdp->id_count = 0;
	for (size_t i = 0; i < smdp->set.callback_url_count; i++) {
		free(smdp->set.callback_urls[i].operator_id);
		free(smdp->set.callback_urls[i].url);
	}
	smdp->set.callback_url_count = 0;
	chain_ci_store_free(smdp->ci);
	smdp->ci = NULL;
}

const struct smdp_identity *smdp_identity_for_curve(const struct smdp *smdp,
						    enum crypto_curve curve)
{
	for (size_t i = 0; i < smdp->id_count; i++)
		if (smdp->ids[i].curve == curve)
			return &smdp->ids[i];
	return NULL;
}

const char *smdp_callback_url(const struct smdp *smdp, const char *operator_id)
{
	for (size_t i = 0; i < smdp->set.callback_url_count; i++)
		if (operator_id && strcmp(smdp->set.callback_urls[i].operator_id, operator_id) == 0)
			return smdp->set.callback_urls[i].url;
	return smdp->set.callback_default_url;
}
