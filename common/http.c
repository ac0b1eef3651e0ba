/*
 * HTTPS server glue over civetweb 1.15 for the SGP.22 JSON binding (SGP.22 "Transport
 * Protocol": HTTP POST over TLS, X-Admin-Protocol and Content-Type headers, 200 for every
 * function response, 204 for notifications). The behaviour towards clients is described in
 * common/http.h.
 *
 * civetweb calls begin_request() for every request on one of its worker threads. The glue
 * matches the path itself, so unknown paths get the SGP.22 JSON error body instead of
 * civetweb's text page. The TLS context is configured in init_ssl() rather than through
 * civetweb's options, because civetweb takes certificate and key from one file and cannot
 * set the groups.
 */
#include "common/http.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <civetweb.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "common/json.h"
#include "common/limits.h"
#include "common/status.h"

#define DEFAULT_THREADS 8
#define DEFAULT_REQUEST_TIMEOUT_MS 10000
#define DEFAULT_KEEP_ALIVE_TIMEOUT_MS 30000

/* ECDHE-ECDSA with AES-128-GCM-SHA256 first, then AES-128-CBC-SHA256 (the suites SGP.22 servers
 * are expected to offer), then the stronger AES-GCM variants and their RSA-certificate forms. */
#define DEFAULT_CIPHERS                                                     \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA256:"          \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:"        \
	"ECDHE-RSA-AES256-GCM-SHA384"

/* Key exchange groups. brainpoolP256r1 is usable on TLS 1.2 only (OpenSSL 3.0). */
#define DEFAULT_GROUPS          "P-256:X25519:brainpoolP256r1:P-384"
#define DEFAULT_GROUPS_FALLBACK "P-256:X25519:P-384"

#define MAX_TRANSACTION_ID_TEXT 64
#define MAX_SUBJECT_TEXT 255

/* Connection warnings (see log_notice) per server: at most NOTICE_BURST per NOTICE_WINDOW_S. */
#define NOTICE_WINDOW_S 10
#define NOTICE_BURST 5

struct route {
	const char *path;
	const char *function;
	size_t max_body;
	unsigned flags;
	http_handler_fn handler;
	void *arg;
};

struct http_server {
	struct http_server_config cfg; /* strings point into the copies below */
	char *listen, *cert_file, *key_file, *chain_file, *ciphers, *client_ca_file, *name;
	struct route routes[HTTP_MAX_ROUTES];
	size_t n_routes;
	struct mg_context *ctx;
	int port;
	bool tls_failed; /* set by init_ssl so start can report HTTP_E_TLS */

	pthread_mutex_t notice_lock; /* guards the three fields below */
	struct timespec notice_window; /* start of the current rate-limit window */
	unsigned notices_in_window;
	unsigned long notices_suppressed;
};

struct http_request {
	struct mg_connection *conn;
	struct http_server *srv;
	const struct mg_request_info *info;
	const struct route *route;
	char *body;
	size_t body_len;
	uint8_t *cert_der;
	size_t cert_der_len;
	bool responded;
	bool close_after; /* body left unread or framing unknown: close after the response */
	int http_code;
	char transaction_id[MAX_TRANSACTION_ID_TEXT + 1];
	char subject[MAX_SUBJECT_TEXT + 1];
	struct log_ctx log;
	char outcome[HTTP_MAX_OUTCOME];
	struct timespec started; /* when civetweb had read the request header */
};

/*
 * The state of a connection, kept as civetweb's user connection data (a pointer to one of these
 * markers), so that a connection closing without a served request is logged once. NULL: the TLS
 * handshake has not completed.
 */
static char conn_connected; /* handshake done, no request header yet */
static char conn_settled;   /* a request was served, or the end was already logged */

static const char empty_body[1] = "";

static pthread_once_t library_once = PTHREAD_ONCE_INIT;

static void init_library(void)
{
	mg_init_library(MG_FEATURES_TLS);
}

static const char *subsys_of(const struct http_server *srv)
{
	return srv->name ? srv->name : "http";
}

/* ---- TLS ---- */

static void log_openssl_errors(const struct http_server *srv, const char *action,
			       const char *file)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	if (e == 0) {
		LOG_ERROR(subsys_of(srv), NULL, "%s %s failed", action, file ? file : "");
		return;
	}
	for (; e != 0; e = ERR_get_error()) {
		ERR_error_string_n(e, buf, sizeof(buf));
		LOG_ERROR(subsys_of(srv), NULL, "%s %s failed: %s", action, file ? file : "", buf);
	}
}

static int add_chain_file(SSL_CTX *ctx, const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *cert;
	int n = 0;

	if (!f)
		return -1;
	while ((cert = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
		/* add0 takes the reference on success. */
		if (!SSL_CTX_add0_chain_cert(ctx, cert)) {
			X509_free(cert);
			fclose(f);
			return -1;
		}
		n++;
	}
	ERR_clear_error(); /* the end of the file reads as an error */
	fclose(f);
	return n > 0 ? 0 : -1;
}

static int configure_tls(SSL_CTX *ctx, const struct http_server *srv)
{
	const struct http_server_config *cfg = &srv->cfg;
	static const unsigned char session_context[] = "rsp-http";

	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION)) {
		log_openssl_errors(srv, "setting TLS versions", NULL);
		return -1;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
				 SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (!SSL_CTX_set_cipher_list(ctx, cfg->ciphers ? cfg->ciphers : DEFAULT_CIPHERS)) {
		log_openssl_errors(srv, "setting the cipher list", cfg->ciphers);
		return -1;
	}
	if (!SSL_CTX_set1_groups_list(ctx, DEFAULT_GROUPS)) {
		ERR_clear_error();
		LOG_WARN(subsys_of(srv), NULL,
			 "brainpoolP256r1 key exchange unavailable in this OpenSSL");
		if (!SSL_CTX_set1_groups_list(ctx, DEFAULT_GROUPS_FALLBACK)) {
			log_openssl_errors(srv, "setting the key exchange groups", NULL);
			return -1;
		}
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->cert_file) != 1) {
		log_openssl_errors(srv, "loading the certificate", cfg->cert_file);
		return -1;
	}
	if (cfg->chain_file && add_chain_file(ctx, cfg->chain_file) != 0) {
		log_openssl_errors(srv, "loading the certificate chain", cfg->chain_file);
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, cfg->key_file ? cfg->key_file : cfg->cert_file,
					SSL_FILETYPE_PEM) != 1) {
		log_openssl_errors(srv, "loading the private key",
				   cfg->key_file ? cfg->key_file : cfg->cert_file);
		return -1;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		log_openssl_errors(srv, "matching the private key to the certificate",
				   cfg->cert_file);
		return -1;
	}
	/* Required for session resumption when client certificates are verified. */
	SSL_CTX_set_session_id_context(ctx, session_context, sizeof(session_context) - 1);

	if (cfg->client_auth != HTTP_CLIENT_CERT_NONE) {
		STACK_OF(X509_NAME) *names;
		int mode = SSL_VERIFY_PEER;

		if (SSL_CTX_load_verify_locations(ctx, cfg->client_ca_file, NULL) != 1) {
			log_openssl_errors(srv, "loading the client CA file", cfg->client_ca_file);
			return -1;
		}
		names = SSL_load_client_CA_file(cfg->client_ca_file);
		if (!names) {
			log_openssl_errors(srv, "reading CA names from", cfg->client_ca_file);
			return -1;
		}
		SSL_CTX_set_client_CA_list(ctx, names);
		if (cfg->client_auth == HTTP_CLIENT_CERT_REQUIRED)
			mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
		SSL_CTX_set_verify(ctx, mode, NULL);
		SSL_CTX_set_verify_depth(ctx, 4);
	}
	return 0;
}

/* civetweb callback: 1 means the context is complete, -1 aborts the start. */
static int init_ssl(void *ssl_ctx, void *user_data)
{
	struct http_server *srv = user_data;

	if (configure_tls(ssl_ctx, srv) != 0) {
		srv->tls_failed = true;
		return -1;
	}
	return 1;
}

/* ---- connection warnings ---- */

static struct http_server *server_of(const struct mg_connection *conn)
{
	const struct mg_context *ctx = conn ? mg_get_context(conn) : NULL;

	return ctx ? mg_get_user_data(ctx) : NULL;
}

static const char *remote_addr_of(const struct mg_connection *conn)
{
	const struct mg_request_info *info = mg_get_request_info(conn);

	/* civetweb returns no request info before the first request a worker thread serves. */
	return info ? info->remote_addr : "an unknown address";
}

/* Logs the number of warnings left out, if any, when the rate-limit window has passed. */
static void flush_suppressed_notices(struct http_server *srv, bool force)
{
	struct timespec now;
	unsigned long suppressed = 0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&srv->notice_lock);
	if (force || now.tv_sec - srv->notice_window.tv_sec >= NOTICE_WINDOW_S) {
		suppressed = srv->notices_suppressed;
		srv->notices_suppressed = 0;
		srv->notices_in_window = 0;
		srv->notice_window = now;
	}
	pthread_mutex_unlock(&srv->notice_lock);
	if (suppressed > 0)
		LOG_WARN(subsys_of(srv), NULL,
			 "%lu connection warnings not logged (at most %d per %d s)", suppressed,
			 NOTICE_BURST, NOTICE_WINDOW_S);
}

/*
 * Logs a warning about a connection that ends without a served request, or a message of
 * civetweb. A client controls how often these happen (failed or slow TLS handshakes, request
 * headers that never complete), so at most NOTICE_BURST lines per NOTICE_WINDOW_S seconds are
 * written and the rest are counted.
 */
static void log_notice(struct http_server *srv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void log_notice(struct http_server *srv, const char *fmt, ...)
{
	char line[LOG_MAX_LINE];
	bool write;
	va_list ap;

	flush_suppressed_notices(srv, false);
	pthread_mutex_lock(&srv->notice_lock);
	write = srv->notices_in_window < NOTICE_BURST;
	if (write)
		srv->notices_in_window++;
	else
		srv->notices_suppressed++;
	pthread_mutex_unlock(&srv->notice_lock);
	if (!write || !log_enabled(LOG_LEVEL_WARN))
		return;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	LOG_WARN(subsys_of(srv), NULL, "%s", line);
}

static int log_message(const struct mg_connection *conn, const char *message)
{
	struct http_server *srv = server_of(conn);

	if (!srv) {
		LOG_WARN("http", NULL, "civetweb: %s", message);
		return 1;
	}
	/* The message mostly gives why a TLS handshake failed, so the close is not logged again. */
	mg_set_user_connection_data(conn, &conn_settled);
	log_notice(srv, "civetweb: %s", message);
	return 1;
}

/* civetweb callback after a TLS handshake has completed, before the first request header. */
static int connection_opened(const struct mg_connection *conn, void **conn_data)
{
	(void)conn;
	*conn_data = &conn_connected;
	return 0;
}

/* civetweb callback before a connection closes, with or without a TLS handshake. */
static void connection_closing(const struct mg_connection *conn)
{
	struct http_server *srv = server_of(conn);
	const void *state = mg_get_user_connection_data(conn);

	if (!srv || state == &conn_settled)
		return;
	if (!state)
		log_notice(srv, "connection from %s closed before the TLS handshake completed "
			   "(timed out or abandoned by the client)", remote_addr_of(conn));
	else
		log_notice(srv, "connection from %s closed before a complete request header "
			   "(timed out or abandoned by the client)", remote_addr_of(conn));
}

/* civetweb callback when civetweb itself rejects a request (malformed or incomplete header). */
static int http_error(struct mg_connection *conn, int status, const char *message)
{
	struct http_server *srv = server_of(conn);

	if (srv) {
		mg_set_user_connection_data(conn, &conn_settled);
		log_notice(srv, "request from %s rejected by civetweb: HTTP %d %s",
			   remote_addr_of(conn), status, message);
	}
	return 1; /* civetweb sends its text error page and closes the connection */
}

/* ---- responses ---- */

static int send_response(struct http_request *req, int code, const char *body, size_t len)
{
	char length[24];

	if (req->responded) {
		LOG_ERROR(subsys_of(req->srv), &req->log, "second response to one request dropped");
		return HTTP_E_INVALID;
	}
	req->responded = true;
	req->http_code = code;

	mg_response_header_start(req->conn, code);
	mg_response_header_add(req->conn, "X-Admin-Protocol", HTTP_ADMIN_PROTOCOL, -1);
	if (code != 204) {
		snprintf(length, sizeof(length), "%zu", len);
		mg_response_header_add(req->conn, "Content-Type", "application/json", -1);
		mg_response_header_add(req->conn, "Content-Length", length, -1);
	}
	mg_response_header_add(req->conn, "Cache-Control", "no-store", -1);
	if (code == 405)
		mg_response_header_add(req->conn, "Allow", "POST", -1);
	if (req->close_after)
		mg_response_header_add(req->conn, "Connection", "close", -1);
	if (mg_response_header_send(req->conn) != 0)
		return HTTP_E_IO;
	if (len > 0 && mg_write(req->conn, body, len) != (int)len)
		return HTTP_E_IO;
	return HTTP_OK;
}

int http_send_json_text(struct http_request *req, int http_code, const char *text, size_t len)
{
	return send_response(req, http_code, text, len);
}

int http_send_json(struct http_request *req, const cJSON *obj)
{
	size_t len = 0;
	char *text = cJSON_PrintUnformatted(obj);
	int rc;

	if (!text) {
		LOG_ERROR(subsys_of(req->srv), &req->log, "out of memory serializing the response");
		return status_send(req, RSP_E_INTERNAL, NULL) == 0 ? HTTP_OK : HTTP_E_IO;
	}
	len = strlen(text);
	if (!req->outcome[0])
		http_request_set_outcome(req, JSON_STATUS_SUCCESS);
	rc = send_response(req, 200, text, len);
	cJSON_free(text);
	return rc;
}

int http_send_no_content(struct http_request *req)
{
	if (!req->outcome[0])
		http_request_set_outcome(req, "No Content");
	return send_response(req, 204, NULL, 0);
}

void http_request_set_outcome(struct http_request *req, const char *outcome)
{
	snprintf(req->outcome, sizeof(req->outcome), "%s", outcome ? outcome : "");
}

/* ---- request accessors ---- */

const char *http_request_body(const struct http_request *req, size_t *len)
{
	if (len)
		*len = req->body_len;
	return req->body ? req->body : empty_body;
}

const char *http_request_header(const struct http_request *req, const char *name)
{
	return mg_get_header(req->conn, name);
}

const char *http_request_path(const struct http_request *req)
{
	return req->info->local_uri_raw ? req->info->local_uri_raw : "";
}

const char *http_request_remote_addr(const struct http_request *req)
{
	return req->info->remote_addr;
}

const char *http_request_client_subject(const struct http_request *req)
{
	return req->info->client_cert ? req->info->client_cert->subject : NULL;
}

const uint8_t *http_request_client_cert_der(const struct http_request *req, size_t *len)
{
	*len = req->cert_der_len;
	return req->cert_der;
}

const struct log_ctx *http_request_log_ctx(const struct http_request *req)
{
	return &req->log;
}

void http_request_set_log_ids(struct http_request *req, const char *transaction_id,
			      const char *subject)
{
	if (transaction_id) {
		snprintf(req->transaction_id, sizeof(req->transaction_id), "%s", transaction_id);
		req->log.transaction_id = req->transaction_id;
	}
	if (subject) {
		snprintf(req->subject, sizeof(req->subject), "%s", subject);
		req->log.subject = req->subject;
	}
}

/* ---- request processing ---- */

static const struct route *find_route(const struct http_server *srv, const char *path)
{
	for (size_t i = 0; i < srv->n_routes; i++) {
		if (strcmp(srv->routes[i].path, path) == 0)
			return &srv->routes[i];
	}
	return NULL;
}

/* "gsma/rsp/v2.<digits>.<digits>": any SGP.22 v2 revision (SGP.22 X-Admin-Protocol). */
static bool admin_protocol_supported(const char *value)
{
	static const char prefix[] = "gsma/rsp/v2.";
	const char *p;
	size_t digits;

	if (!value || strncmp(value, prefix, sizeof(prefix) - 1) != 0)
		return false;
	p = value + sizeof(prefix) - 1;
	for (digits = 0; isdigit((unsigned char)*p); p++)
		digits++;
	if (digits == 0 || *p++ != '.')
		return false;
	for (digits = 0; isdigit((unsigned char)*p); p++)
		digits++;
	return digits > 0 && *p == '\0';
}

/* application/json, with optional parameters such as "; charset=UTF-8". */
static bool content_type_is_json(const char *value)
{
	static const char json[] = "application/json";
	size_t n = sizeof(json) - 1;

	if (!value)
		return false;
	while (*value == ' ' || *value == '\t')
		value++;
	if (strncasecmp(value, json, n) != 0)
		return false;
	value += n;
	while (*value == ' ' || *value == '\t')
		value++;
	return *value == '\0' || *value == ';';
}

/*
 * Checks the body framing headers, which civetweb accepts too leniently, and returns why they
 * are rejected, or NULL. Content-Length must be decimal digits only ("+26" and "26abc" pass
 * civetweb), at most 18 of them (civetweb reads longer values as LLONG_MAX), and appear once or
 * repeat the same value. Transfer-Encoding is rejected: the SGP.22 request envelope carries a
 * Content-Length, and civetweb 1.15's chunked decoder overflows a signed integer on chunk sizes
 * near INT64_MAX and waits for each chunk in reads that no body timeout can end.
 */
static const char *framing_error(const struct mg_request_info *info)
{
	const char *length = NULL;

	for (int i = 0; i < info->num_headers; i++) {
		const struct mg_header *h = &info->http_headers[i];

		if (strcasecmp(h->name, "Transfer-Encoding") == 0)
			return "Transfer-Encoding is not supported, send Content-Length";
		if (strcasecmp(h->name, "Content-Length") == 0) {
			const char *p = h->value;

			if (*p == '\0' || strlen(p) > 18)
				return "invalid Content-Length";
			for (; *p; p++) {
				if (!isdigit((unsigned char)*p))
					return "invalid Content-Length";
			}
			if (length && strcmp(length, h->value) != 0)
				return "conflicting Content-Length headers";
			length = h->value;
		}
	}
	return NULL;
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000L + (now.tv_nsec - since->tv_nsec) / 1000000L;
}

/* Whether the body timeout, counted from the end of the request header, has passed. */
static bool body_timed_out(const struct http_request *req)
{
	return elapsed_ms(&req->started) >= req->srv->cfg.body_timeout_ms;
}

/*
 * Reads the whole body announced by Content-Length; a request without one has no body.
 * Returns RSP_OK, RSP_E_BODY_TOO_LARGE, RSP_E_BODY_UNREADABLE, RSP_E_BODY_TIMEOUT or
 * RSP_E_INTERNAL. detail receives the cause for the Failed message, or "".
 */
static enum rsp_status read_body(struct http_request *req, size_t max_body, char *detail,
				 size_t detail_size)
{
	long long announced = req->info->content_length;
	const char *framing = framing_error(req->info);
	size_t length, used = 0;
	char *buf = NULL;
	enum rsp_status st = RSP_OK;

	detail[0] = '\0';
	if (framing) {
		snprintf(detail, detail_size, "%s", framing);
		return RSP_E_BODY_UNREADABLE;
	}
	if (announced <= 0)
		return RSP_OK;
	if ((unsigned long long)announced > max_body)
		return RSP_E_BODY_TOO_LARGE;

	length = (size_t)announced;
	buf = malloc(length + 1);
	if (!buf)
		return RSP_E_INTERNAL;
	/*
	 * One mg_read() ends within two request timeouts, also while a client sends a byte at a
	 * time (civetweb is patched for that, see scripts/fetch-civetweb.sh), so this loop checks
	 * the body timeout at least that often.
	 */
	while (used < length) {
		int n;

		if (body_timed_out(req)) {
			snprintf(detail, detail_size, "body timeout of %d ms passed",
				 req->srv->cfg.body_timeout_ms);
			st = RSP_E_BODY_TIMEOUT;
			goto out;
		}
		n = mg_read(req->conn, buf + used, length - used);
		if (n < 0) {
			snprintf(detail, detail_size,
				 "connection closed after %zu of %zu bytes", used, length);
			st = RSP_E_BODY_UNREADABLE;
			goto out;
		}
		if (n == 0) {
			/* civetweb returns 0 only when request_timeout_ms passed without data. */
			snprintf(detail, detail_size, "no data for %d ms",
				 req->srv->cfg.request_timeout_ms);
			st = RSP_E_BODY_TIMEOUT;
			goto out;
		}
		used += (size_t)n;
	}
	buf[used] = '\0';
	req->body = buf;
	req->body_len = used;
	buf = NULL;
out:
	free(buf);
	return st;
}

/*
 * Reads and drops an oversized body, up to RSP_MAX_DISCARDED_BODY and within the body timeout,
 * so a client that is still sending receives the Failed response instead of a reset
 * connection. The connection is closed after the response either way.
 */
static void discard_body(struct http_request *req)
{
	long long left = req->info->content_length;
	char sink[4096];

	if (left > (long long)RSP_MAX_DISCARDED_BODY)
		return;
	while (left > 0 && !body_timed_out(req)) {
		size_t chunk = left < (long long)sizeof(sink) ? (size_t)left : sizeof(sink);
		int n = mg_read(req->conn, sink, chunk);

		if (n <= 0)
			return;
		left -= n;
	}
}

static void load_client_cert(struct http_request *req)
{
	const struct mg_client_cert *cc = req->info->client_cert;
	unsigned char *der = NULL;
	int len;

	if (!cc || !cc->peer_cert)
		return;
	len = i2d_X509((X509 *)cc->peer_cert, &der);
	if (len <= 0)
		return;
	req->cert_der = der;
	req->cert_der_len = (size_t)len;
}

static bool has_body(const struct mg_request_info *info)
{
	if (info->content_length > 0)
		return true;
	for (int i = 0; i < info->num_headers; i++) {
		if (strcasecmp(info->http_headers[i].name, "Transfer-Encoding") == 0)
			return true;
	}
	return false;
}

/* The function the route serves, after the glue's checks. */
static void serve_route(struct http_request *req)
{
	const struct route *route = req->route;
	char detail[96];
	enum rsp_status st;

	if (strcmp(req->info->request_method, "POST") != 0) {
		req->close_after = has_body(req->info);
		status_send(req, RSP_E_METHOD_NOT_ALLOWED, req->info->request_method);
		return;
	}
	st = read_body(req, route->max_body, detail, sizeof(detail));
	if (st != RSP_OK) {
		if (st == RSP_E_BODY_TOO_LARGE)
			discard_body(req);
		req->close_after = true;
		status_send(req, st, detail[0] ? detail : NULL);
		return;
	}
	if (route->flags & HTTP_ROUTE_RSP_HEADERS) {
		const char *protocol = mg_get_header(req->conn, "X-Admin-Protocol");

		if (!admin_protocol_supported(protocol)) {
			status_send(req, RSP_E_PROTOCOL_VERSION,
				    protocol ? protocol : "header missing");
			return;
		}
		if (!content_type_is_json(mg_get_header(req->conn, "Content-Type"))) {
			status_send(req, RSP_E_CONTENT_TYPE, NULL);
			return;
		}
	}
	load_client_cert(req);
	route->handler(req, route->arg);
	if (!req->responded) {
		LOG_ERROR(subsys_of(req->srv), &req->log, "handler returned without a response");
		status_send(req, RSP_E_INTERNAL, NULL);
	}
}

static int begin_request(struct mg_connection *conn)
{
	struct http_request req;
	const struct mg_request_info *info = mg_get_request_info(conn);
	struct http_server *srv = info->user_data;
	const char *path = info->local_uri_raw ? info->local_uri_raw : "";

	memset(&req, 0, sizeof(req));
	req.conn = conn;
	req.srv = srv;
	req.info = info;
	clock_gettime(CLOCK_MONOTONIC, &req.started);
	req.route = find_route(srv, path);
	req.log.function = req.route ? req.route->function : NULL;
	mg_set_user_connection_data(conn, &conn_settled);

	if (info->num_headers >= MG_MAX_HEADERS) {
		/*
		 * civetweb keeps MG_MAX_HEADERS (64) header fields and drops the rest without
		 * notice, Content-Length and Connection among them, so neither the body nor the
		 * end of this request is known: reject it and close the connection.
		 */
		char detail[48];

		snprintf(detail, sizeof(detail), "%d or more", MG_MAX_HEADERS);
		req.close_after = true;
		status_send(&req, RSP_E_TOO_MANY_HEADERS, detail);
	} else if (!req.route) {
		req.close_after = has_body(info);
		status_send(&req, RSP_E_UNKNOWN_FUNCTION, NULL);
	} else {
		serve_route(&req);
	}

	LOG_INFO(subsys_of(srv), &req.log, "%s %s from %s: HTTP %d %s (%ld ms)",
		 info->request_method, path, info->remote_addr, req.http_code, req.outcome,
		 elapsed_ms(&req.started));
	free(req.body);
	OPENSSL_free(req.cert_der);
	/*
	 * A negative return closes the connection after the response (civetweb is patched for
	 * that, see scripts/fetch-civetweb.sh), and civetweb does not read the rest of the body.
	 * After a positive return civetweb would read and discard an unread body and keep the
	 * connection for the next request.
	 */
	if (req.close_after)
		return -1;
	return req.http_code > 0 ? req.http_code : 1;
}

/* ---- server life cycle ---- */

static char *dup_or_null(const char *s, bool *failed)
{
	char *copy;

	if (!s)
		return NULL;
	copy = strdup(s);
	if (!copy)
		*failed = true;
	return copy;
}

int http_server_new(const struct http_server_config *cfg, struct http_server **out)
{
	struct http_server *srv = NULL;
	bool failed = false;

	*out = NULL;
	if (!cfg || !cfg->listen || !cfg->cert_file || cfg->threads < 0 ||
	    cfg->request_timeout_ms < 0 || cfg->keep_alive_timeout_ms < 0 ||
	    cfg->body_timeout_ms < 0) {
		LOG_ERROR("http", NULL, "invalid server configuration: listen address and "
			  "certificate file are required, numbers must not be negative");
		return HTTP_E_INVALID;
	}
	if (cfg->client_auth != HTTP_CLIENT_CERT_NONE && !cfg->client_ca_file) {
		LOG_ERROR("http", NULL, "client certificates requested without a client CA file");
		return HTTP_E_INVALID;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return HTTP_E_NOMEM;
	if (pthread_mutex_init(&srv->notice_lock, NULL) != 0) {
		free(srv);
		return HTTP_E_NOMEM;
	}
	srv->cfg = *cfg;
	if (!srv->cfg.threads)
		srv->cfg.threads = DEFAULT_THREADS;
	if (!srv->cfg.request_timeout_ms)
		srv->cfg.request_timeout_ms = DEFAULT_REQUEST_TIMEOUT_MS;
	if (!srv->cfg.keep_alive_timeout_ms)
		srv->cfg.keep_alive_timeout_ms = DEFAULT_KEEP_ALIVE_TIMEOUT_MS;
	if (!srv->cfg.body_timeout_ms)
		srv->cfg.body_timeout_ms = RSP_BODY_TIMEOUT_MS;
	srv->listen = dup_or_null(cfg->listen, &failed);
	srv->cert_file = dup_or_null(cfg->cert_file, &failed);
	srv->key_file = dup_or_null(cfg->key_file, &failed);
	srv->chain_file = dup_or_null(cfg->chain_file, &failed);
	srv->ciphers = dup_or_null(cfg->ciphers, &failed);
	srv->client_ca_file = dup_or_null(cfg->client_ca_file, &failed);
	srv->name = dup_or_null(cfg->name, &failed);
	srv->cfg.listen = srv->listen;
	srv->cfg.cert_file = srv->cert_file;
	srv->cfg.key_file = srv->key_file;
	srv->cfg.chain_file = srv->chain_file;
	srv->cfg.ciphers = srv->ciphers;
	srv->cfg.client_ca_file = srv->client_ca_file;
	srv->cfg.name = srv->name;
	if (failed) {
		http_server_free(srv);
		return HTTP_E_NOMEM;
	}
	*out = srv;
	return HTTP_OK;
}

int http_server_route(struct http_server *srv, const char *path, const char *function,
		      size_t max_body, unsigned flags, http_handler_fn handler, void *arg)
{
	struct route *r;

	if (!srv || !path || path[0] != '/' || !handler || srv->ctx)
		return HTTP_E_INVALID;
	if (srv->n_routes >= HTTP_MAX_ROUTES)
		return HTTP_E_FULL;
	r = &srv->routes[srv->n_routes++];
	r->path = path;
	r->function = function;
	r->max_body = max_body ? max_body : RSP_MAX_REQUEST_BODY;
	r->flags = flags;
	r->handler = handler;
	r->arg = arg;
	return HTTP_OK;
}

int http_server_start(struct http_server *srv)
{
	struct mg_callbacks callbacks;
	struct mg_server_port ports[4];
	char listening[300], threads[16], request_timeout[16], keep_alive_timeout[16];
	int n;
	const char *options[] = {
		"listening_ports", listening,
		"num_threads", threads,
		"request_timeout_ms", request_timeout,
		"keep_alive_timeout_ms", keep_alive_timeout,
		"enable_keep_alive", "yes",
		"tcp_nodelay", "1",
		"ssl_protocol_version", "4", /* no SSLv2, SSLv3, TLS 1.0, TLS 1.1 */
		"decode_url", "no",
		NULL,
	};

	if (!srv || srv->ctx)
		return HTTP_E_INVALID;
	pthread_once(&library_once, init_library);

	snprintf(listening, sizeof(listening), "%ss", srv->cfg.listen);
	snprintf(threads, sizeof(threads), "%d", srv->cfg.threads);
	snprintf(request_timeout, sizeof(request_timeout), "%d", srv->cfg.request_timeout_ms);
	snprintf(keep_alive_timeout, sizeof(keep_alive_timeout), "%d",
		 srv->cfg.keep_alive_timeout_ms);

	memset(&callbacks, 0, sizeof(callbacks));
	callbacks.begin_request = begin_request;
	callbacks.init_ssl = init_ssl;
	callbacks.log_message = log_message;
	callbacks.init_connection = connection_opened;
	callbacks.connection_close = connection_closing;
	callbacks.http_error = http_error;

	srv->tls_failed = false;
	srv->ctx = mg_start(&callbacks, srv, options);
	if (!srv->ctx) {
		LOG_ERROR(subsys_of(srv), NULL, "cannot start the HTTPS listener on %s",
			  srv->cfg.listen);
		return srv->tls_failed ? HTTP_E_TLS : HTTP_E_START;
	}
	n = mg_get_server_ports(srv->ctx, (int)(sizeof(ports) / sizeof(ports[0])), ports);
	srv->port = n > 0 ? ports[0].port : 0;
	LOG_INFO(subsys_of(srv), NULL,
		 "listening on %s (port %d), %d threads, client certificates %s, timeouts: "
		 "request %d ms, body %d ms, keep-alive %d ms",
		 srv->cfg.listen, srv->port, srv->cfg.threads,
		 srv->cfg.client_auth == HTTP_CLIENT_CERT_REQUIRED   ? "required"
		 : srv->cfg.client_auth == HTTP_CLIENT_CERT_OPTIONAL ? "optional"
								     : "not requested",
		 srv->cfg.request_timeout_ms, srv->cfg.body_timeout_ms,
		 srv->cfg.keep_alive_timeout_ms);
	return HTTP_OK;
}

int http_server_port(const struct http_server *srv)
{
	return srv ? srv->port : 0;
}

void http_server_free(struct http_server *srv)
{
	if (!srv)
		return;
	if (srv->ctx) {
		mg_stop(srv->ctx);
		flush_suppressed_notices(srv, true);
		LOG_INFO(subsys_of(srv), NULL, "stopped listening on %s", srv->cfg.listen);
	}
	pthread_mutex_destroy(&srv->notice_lock);
	free(srv->listen);
	free(srv->cert_file);
	free(srv->key_file);
	free(srv->chain_file);
	free(srv->ciphers);
	free(srv->client_ca_file);
	free(srv->name);
	free(srv);
}
