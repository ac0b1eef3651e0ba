/*
 * smdpplus: the SM-DP+ server. One process serves ES9+ (LPAs) and ES2+ (operators) on two HTTPS
 * ports, with keys, certificates and the database pool loaded once at start; schema migrations
 * are applied before serving. SIGINT or SIGTERM stops it cleanly.
 *
 *   smdpplus -c smdpplus.conf                      serve
 *   smdpplus -c smdpplus.conf --check-config       load everything, then exit
 *   smdpplus -c smdpplus.conf --import-profile FILE [--profile-type T] [--spn S]
 *            [--profile-name N] [--operator OP]    import a SAIP package, then exit
 *
 * docs/smdpplus.md lists the configuration keys.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/crypto.h"
#include "common/db.h"
#include "common/http.h"
#include "common/log.h"
#include "smdpplus/callback.h"
#include "smdpplus/es2plus.h"
#include "smdpplus/es9plus.h"
#include "smdpplus/inventory.h"
#include "smdpplus/smdp.h"
#include "smdpplus/store.h"

struct options {
	const char *config;
	const char *import;
	struct inventory_import_opts import_opts;
	bool check_only;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: smdpplus -c CONFIG [--check-config]\n"
		"       smdpplus -c CONFIG --import-profile FILE [--profile-type TYPE] [--spn NAME]\n"
		"                [--profile-name NAME] [--operator ID]\n"
		"\n"
		"  -c, --config FILE       configuration file (keys: docs/smdpplus.md); RSP_<KEY>\n"
		"                          environment variables override its values\n"
		"      --check-config      load the configuration, keys and certificates, then exit\n"
		"      --import-profile F  import the SAIP profile package F into the inventory\n"
		"      --profile-type T    ES2+ profile type of the imported profile (default: default)\n"
		"      --spn NAME          service provider name sent in the profile metadata\n"
		"      --profile-name N    profile name sent in the profile metadata\n"
		"      --operator ID       only this operator may order the profile\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_CHECK = 256, OPT_IMPORT, OPT_TYPE, OPT_SPN, OPT_NAME, OPT_OPERATOR };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "import-profile", required_argument, NULL, OPT_IMPORT },
		{ "profile-type", required_argument, NULL, OPT_TYPE },
		{ "spn", required_argument, NULL, OPT_SPN },
		{ "profile-name", required_argument, NULL, OPT_NAME },
		{ "operator", required_argument, NULL, OPT_OPERATOR },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'h': usage(stdout); exit(0);
		case OPT_CHECK: o->check_only = true; break;
		case OPT_IMPORT: o->import = optarg; break;
		case OPT_TYPE: o->import_opts.profile_type = optarg; break;
		case OPT_SPN: o->import_opts.service_provider_name = optarg; break;
		case OPT_NAME: o->import_opts.profile_name = optarg; break;
		case OPT_OPERATOR: o->import_opts.operator_id = optarg; break;
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc || !o->config) {
		fprintf(stderr, "smdpplus: a configuration file is required (-c FILE)\n");
		usage(stderr);
		return -1;
	}
	return 0;
}

static const char *config_str(const struct config *cfg, const char *name)
{
	const char *v = NULL;

	config_get_string(cfg, name, &v);
	return v && *v ? v : NULL;
}

static int setup_logging(const struct config *cfg)
{
	enum log_level level;

	if (log_level_parse(config_str(cfg, "log_level"), &level) != 0) {
		fprintf(stderr, "smdpplus: log_level must be error, warn, info or debug\n");
		return -1;
	}
	log_set_level(level);
	if (config_str(cfg, "log_file") && log_open_file(config_str(cfg, "log_file")) != 0) {
		fprintf(stderr, "smdpplus: cannot open log_file %s\n", config_str(cfg, "log_file"));
		return -1;
	}
	return 0;
}

static int migrate(const struct config *cfg)
{
	char dir[4096], err[DB_MAX_ERROR] = "";
	int applied = 0;

	if (config_str(cfg, "sql_dir"))
		snprintf(dir, sizeof(dir), "%s", config_str(cfg, "sql_dir"));
	else
		store_sql_dir(dir, sizeof(dir));
	if (db_migrate(config_str(cfg, "db_conninfo"), dir, &applied, err, sizeof(err)) != DB_OK) {
		LOG_ERROR("main", NULL, "database migration from %s failed: %s", dir, err);
		return -1;
	}
	LOG_INFO("main", NULL, "database schema up to date (%d migrations applied now)", applied);
	return 0;
}

static int import_profile(const struct config *cfg, const struct options *o)
{
	struct inventory *inv = NULL;
	struct inventory_profile p;
	int rc;

	rc = inventory_open(config_str(cfg, "db_conninfo"), &inv);
	if (rc == INVENTORY_OK)
		rc = inventory_import_file(inv, o->import, &o->import_opts, &p);
	if (rc != INVENTORY_OK) {
		fprintf(stderr, "smdpplus: import of %s failed: %s%s%s\n", o->import,
			inventory_strerror(rc), inv && *inventory_last_error(inv) ? ": " : "",
			inv ? inventory_last_error(inv) : "");
	} else {
		printf("%s\n", p.iccid);
	}
	inventory_close(inv);
	return rc == INVENTORY_OK ? 0 : -1;
}

/* Starts one HTTPS port with its routes. */
static int start_port(const struct config *cfg, struct smdp *smdp, bool es2,
		      struct http_server **out)
{
	struct http_server_config hc = { 0 };
	int64_t threads = 8;
	int rc;

	config_get_int(cfg, "http_threads", &threads);
	hc.threads = (int)threads;
	if (es2) {
		hc.name = "es2";
		hc.listen = config_str(cfg, "es2_listen");
		hc.cert_file = config_str(cfg, "es2_tls_cert") ? config_str(cfg, "es2_tls_cert") :
								   config_str(cfg, "es9_tls_cert");
		hc.key_file = config_str(cfg, "es2_tls_key") ? config_str(cfg, "es2_tls_key") :
								 config_str(cfg, "es9_tls_key");
		hc.client_ca_file = config_str(cfg, "es2_client_ca");
		hc.client_auth = hc.client_ca_file ? HTTP_CLIENT_CERT_REQUIRED : HTTP_CLIENT_CERT_NONE;
	} else {
		hc.name = "es9";
		hc.listen = config_str(cfg, "es9_listen");
		hc.cert_file = config_str(cfg, "es9_tls_cert");
		hc.key_file = config_str(cfg, "es9_tls_key");
	}
	rc = http_server_new(&hc, out);
	if (rc == HTTP_OK)
		rc = es2 ? es2_register(*out, smdp) : es9_register(*out, smdp);
	if (rc == HTTP_OK)
		rc = http_server_start(*out);
	if (rc != HTTP_OK) {
		LOG_ERROR("main", NULL, "%s port %s could not start", es2 ? "ES2+" : "ES9+", hc.listen);
		return -1;
	}
	return 0;
}

static void log_start(const struct smdp *smdp, const struct http_server *es9,
		      const struct http_server *es2)
{
	char cis[CHAIN_MAX_CI * 48] = "";
	char curves[64] = "";

	for (size_t i = 0; i < chain_ci_store_count(smdp->ci); i++) {
		const struct cert *ci = chain_ci_store_get(smdp->ci, i);
		size_t n = strlen(cis);

		snprintf(cis + n, sizeof(cis) - n, "%s", n ? ", " : "");
		for (size_t k = 0; k < ci->ski_len && strlen(cis) + 3 < sizeof(cis); k++) {
			n = strlen(cis);
			snprintf(cis + n, sizeof(cis) - n, "%02X", ci->ski[k]);
		}
		n = strlen(cis);
		snprintf(cis + n, sizeof(cis) - n, " (%s)", pki_curve_name(ci->curve));
	}
	for (size_t i = 0; i < smdp->id_count; i++) {
		size_t n = strlen(curves);

		snprintf(curves + n, sizeof(curves) - n, "%s%s", n ? ", " : "",
			 crypto_curve_name(smdp->ids[i].curve));
	}
	LOG_INFO("main", NULL, "SM-DP+ %s (OID %s) started: ES9+ port %d, ES2+ port %d, curves %s",
		 smdp->set.address, smdp->set.oid, http_server_port(es9), http_server_port(es2),
		 curves);
	LOG_INFO("main", NULL, "trusted CI key identifiers: %s", cis);
	if (smdp->set.es2_client_auth)
		LOG_INFO("main", NULL, "ES2+ requires operator client certificates (es2_client_ca)");
	else
		LOG_WARN("main", NULL, "ES2+ runs without client certificates: any caller may act "
			 "as the operator it names (set es2_client_ca to require them)");
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct config *cfg = NULL;
	struct smdp smdp = { 0 };
	struct http_server *es9 = NULL, *es2 = NULL;
	struct callback_worker *worker = NULL;
	char err[CONFIG_MAX_ERROR];
	int64_t max_conns = 0, threads = 8;
	sigset_t stop_signals;
	int sig = 0, status = 1;

	if (parse_args(argc, argv, &o) != 0)
		return 2;
	/* Block the stop signals before any thread starts, so that sigwait below receives them. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (config_load(o.config, smdp_config_keys, smdp_config_key_count, CONFIG_ENV_OVERRIDE,
			&cfg, err, sizeof(err)) != CONFIG_OK) {
		fprintf(stderr, "smdpplus: %s\n", err);
		return 1;
	}
	if (setup_logging(cfg) != 0 || crypto_init() != CRYPTO_OK)
		goto out;
	if (migrate(cfg) != 0)
		goto out;
	if (o.import) {
		status = import_profile(cfg, &o) == 0 ? 0 : 1;
		goto out;
	}
	if (smdp_load(&smdp, cfg) != 0)
		goto out;
	if (o.check_only) {
		LOG_INFO("main", NULL, "configuration %s is valid", o.config);
		status = 0;
		goto out;
	}
	config_get_int(cfg, "db_max_connections", &max_conns);
	config_get_int(cfg, "http_threads", &threads);
	if (max_conns == 0)
		max_conns = 2 * threads + 2;
	if (db_open_limited(config_str(cfg, "db_conninfo"), &smdp.set.db_limits, store_statements,
			    store_statement_count, (size_t)max_conns, &smdp.db) != DB_OK) {
		LOG_ERROR("main", NULL, "cannot open the database");
		goto out;
	}
	if (start_port(cfg, &smdp, false, &es9) != 0 || start_port(cfg, &smdp, true, &es2) != 0)
		goto out;
	if (callback_worker_start(&smdp, &worker) != 0) {
		LOG_ERROR("main", NULL, "cannot start the operator callback worker");
		goto out;
	}
	log_start(&smdp, es9, es2);

	while (sigwait(&stop_signals, &sig) != 0)
		;
	LOG_INFO("main", NULL, "stopping on signal %d", sig);
	status = 0;
out:
	http_server_free(es9);
	http_server_free(es2);
	callback_worker_stop(worker);
	db_close(smdp.db);
	smdp_unload(&smdp);
	if (status == 0 && !o.import && !o.check_only)
		LOG_INFO("main", NULL, "SM-DP+ stopped");
	config_free(cfg);
	crypto_cleanup();
	log_close();
	return status;
}
