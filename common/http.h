/*
 * HTTPS server glue over civetweb 1.15 (built with the OpenSSL 3 API) for the SGP.22 JSON
 * binding: POST handlers by path, bounded request bodies, JSON and 204 responses.
 *
 * TLS: versions 1.2 and 1.3 only. TLS 1.2 stays enabled because OpenSSL 3.0 completes a
 * handshake with a brainpoolP256r1 certificate only on TLS 1.2. The default TLS 1.2 cipher
 * list keeps ECDHE-ECDSA with AES-128-GCM-SHA256 first and offers AES-128-CBC-SHA256 (the
 * suites SGP.22 servers are expected to support), followed by the other AES-GCM ECDHE suites.
 * Optionally the server requests a client certificate and verifies it against a CA file
 * (ES2+ operators); the handler reads the verified certificate.
 *
 * Responses the glue sends itself, always with the SGP.22 JSON header (see common/status.h);
 * the HTTP code is that of the status table, 200 unless noted:
 *   - 64 header fields or more: RSP_E_TOO_MANY_HEADERS, because civetweb keeps MG_MAX_HEADERS
 *     (64) fields and drops the rest, which may include Content-Length or Connection;
 *   - a path with no handler: HTTP 404, RSP_E_UNKNOWN_FUNCTION;
 *   - a method other than POST on a known path: HTTP 405 with "Allow: POST",
 *     RSP_E_METHOD_NOT_ALLOWED;
 *   - a Content-Length over the route's limit: RSP_E_BODY_TOO_LARGE;
 *   - a Content-Length that is not 1 to 18 decimal digits, two different Content-Length
 *     headers, any Transfer-Encoding (chunked bodies are not accepted: the SGP.22 request
 *     envelope carries a Content-Length), or a connection closed before the whole body:
 *     RSP_E_BODY_UNREADABLE;
 *   - a body not received within body_timeout_ms of the end of the request header, or a read
 *     that received nothing for request_timeout_ms: RSP_E_BODY_TIMEOUT;
 *   - with HTTP_ROUTE_RSP_HEADERS: an X-Admin-Protocol that is not "gsma/rsp/v2.x.y" gets
 *     RSP_E_PROTOCOL_VERSION, a Content-Type other than application/json (parameters such as
 *     charset allowed) gets RSP_E_CONTENT_TYPE;
 *   - a handler that returns without responding: RSP_E_INTERNAL, logged as an error.
 * No handler outcome produces a 5xx. After a rejected body, a rejected header count, or a
 * request to an unknown path or with another method that carried a body, the connection is
 * closed after the response, so no unread byte is taken for the next request.
 * For a malformed or incomplete request header, civetweb itself sends its own text page
 * (HTTP 400, 411, 413 or 505) and closes the connection.
 *
 * Timeouts: a connection that does not complete its TLS handshake within about
 * request_timeout_ms is closed. So is one that does not complete its request header within
 * about request_timeout_ms, or keep_alive_timeout_ms for the later requests of a kept-alive
 * connection.
 * One read of a body ends within two request timeouts (civetweb is patched for that). The
 * glue stops reading once body_timeout_ms has passed since the end of the header, so reading a
 * body ends at most body_timeout_ms + 2 * request_timeout_ms after the header.
 * Connections closed before a complete TLS handshake or request header, requests that
 * civetweb rejects, and civetweb's own messages are logged as warnings, at most 5 per 10 s
 * and server, with a count of the rest.
 *
 * Threads: civetweb runs a fixed pool of worker threads, and one of them serves each connection
 * from start to end. So a handler may block (database, outgoing HTTPS). A struct http_request is
 * valid only during the handler call.
 *
 * NOTE: a slow client still occupies a worker thread until one of the timeouts above ends its
 * connection: with the defaults about 10 s for the TLS handshake, 10 s for the header and
 * 35 s for the body. A kept-alive connection occupies its thread while idle, up to
 * keep_alive_timeout_ms between requests, and a client that sends a request before each
 * timeout keeps the thread. So as many slow or idle connections as there are threads block
 * the port for everyone else. Writing a response has a timeout per write only, so a client
 * that reads a large response (a Bound Profile Package) slowly also keeps its thread. In
 * production, run the servers behind a load balancer or reverse proxy that enforces client
 * timeouts and buffers whole requests and responses, and size threads for the expected number
 * of concurrent connections.
 */
#ifndef COMMON_HTTP_H
#define COMMON_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/log.h"

/* Value of the X-Admin-Protocol header on every response: the SGP.22 version implemented. */
#define HTTP_ADMIN_PROTOCOL "gsma/rsp/v2.5.0"

#define HTTP_MAX_ROUTES 32
#define HTTP_MAX_OUTCOME 512

enum http_status {
	HTTP_OK = 0,
	HTTP_E_INVALID = -1, /* bad configuration value or argument */
	HTTP_E_TLS = -2,     /* certificate, key, chain or CA file unusable */
	HTTP_E_START = -3,   /* listener could not start (address in use, bad address) */
	HTTP_E_IO = -4,      /* sending the response failed (client gone) */
	HTTP_E_NOMEM = -5,
	HTTP_E_FULL = -6,    /* more than HTTP_MAX_ROUTES routes */
};

enum http_client_auth {
	HTTP_CLIENT_CERT_NONE = 0, /* no certificate requested */
	HTTP_CLIENT_CERT_OPTIONAL, /* requested; verified against client_ca_file when sent */
	HTTP_CLIENT_CERT_REQUIRED, /* handshake fails without a certificate that verifies */
};

struct http_server_config {
	const char *listen;       /* "address:port": "0.0.0.0:8443", "[::1]:8443", "127.0.0.1:0" */
	const char *cert_file;    /* PEM server certificate, optionally followed by its chain */
	const char *key_file;     /* PEM private key; NULL: the key is in cert_file */
	const char *chain_file;   /* PEM intermediate certificates; NULL: none or in cert_file */
	const char *ciphers;      /* OpenSSL TLS 1.2 cipher list; NULL: the default above */
	enum http_client_auth client_auth;
	const char *client_ca_file; /* PEM CA certificates trusted for client certificates */
	int threads;              /* worker threads; 0: 8 */
	int request_timeout_ms;   /* TLS handshake, request header, and each read/write; 0: 10000 */
	int keep_alive_timeout_ms; /* idle time before a kept-alive connection closes; 0: 30000 */
	int body_timeout_ms;      /* whole request body; 0: RSP_BODY_TIMEOUT_MS (common/limits.h) */
	const char *name;         /* subsystem name for log lines, e.g. "es9"; NULL: "http" */
};

struct http_server;
struct http_request;

/*
 * A request handler. It must respond exactly once with http_send_json(), http_send_no_content()
 * or status_send(). When it returns without a response, the glue sends RSP_E_INTERNAL.
 */
typedef void (*http_handler_fn)(struct http_request *req, void *arg);

/* Route flags. */
#define HTTP_ROUTE_RSP_HEADERS 0x1u /* check X-Admin-Protocol and Content-Type before the handler */

/*
 * Creates a server; routes are added before http_server_start. On failure *out stays NULL and
 * the reason is logged.
 */
int http_server_new(const struct http_server_config *cfg, struct http_server **out);

/*
 * Registers handler for POST requests on the exact path. function names the function in logs
 * ("ES9+/initiateAuthentication"); max_body is the body limit in bytes (0: RSP_MAX_REQUEST_BODY).
 * The strings must outlive the server.
 */
int http_server_route(struct http_server *srv, const char *path, const char *function,
		      size_t max_body, unsigned flags, http_handler_fn handler, void *arg);

/* Starts listening and serving; returns HTTP_E_TLS or HTTP_E_START with the cause logged. */
int http_server_start(struct http_server *srv);

/* Returns the port actually listened on (useful with port 0), or 0 before start. */
int http_server_port(const struct http_server *srv);

/* Stops serving (waits for running handlers) and frees the server; accepts NULL. */
void http_server_free(struct http_server *srv);

/* ---- request accessors (valid during the handler call) ---- */

/* The body, NUL-terminated for convenience (len excludes the NUL); never NULL. */
const char *http_request_body(const struct http_request *req, size_t *len);

/* A request header by case-insensitive name, or NULL. */
const char *http_request_header(const struct http_request *req, const char *name);

const char *http_request_path(const struct http_request *req);
const char *http_request_remote_addr(const struct http_request *req);

/*
 * The verified client certificate: subject as a one-line distinguished name, and the DER
 * encoding (owned by req). NULL / 0 when the client sent none.
 */
const char *http_request_client_subject(const struct http_request *req);
const uint8_t *http_request_client_cert_der(const struct http_request *req, size_t *len);

/*
 * The log context of the request, whose function is the route's. The handler adds the
 * transactionId and the EID or matchingId with http_request_set_log_ids() once it has decoded
 * them, and every later log line of the glue (including the outcome line) carries them.
 * Values are copied (truncated to 64 and 255 bytes); NULL leaves a field unchanged.
 */
const struct log_ctx *http_request_log_ctx(const struct http_request *req);
void http_request_set_log_ids(struct http_request *req, const char *transaction_id,
			      const char *subject);

/* ---- responses ---- */

/*
 * Sends HTTP 200 with body obj (serialized without whitespace), Content-Type application/json
 * and X-Admin-Protocol. Does not take ownership of obj. Returns HTTP_OK or HTTP_E_IO.
 */
int http_send_json(struct http_request *req, const cJSON *obj);

/* Sends a prepared JSON text with the given HTTP code and the headers above. */
int http_send_json_text(struct http_request *req, int http_code, const char *text, size_t len);

/* Sends HTTP 204 No Content with X-Admin-Protocol (SGP.22 notification functions). */
int http_send_no_content(struct http_request *req);

/*
 * Records the SGP.22 outcome for the request's closing log line (status_send does this);
 * outcome is a short text such as "Executed-Success" or "Failed 8.10.1/3.9 ...", truncated to
 * HTTP_MAX_OUTCOME bytes. It must hold no secret.
 */
void http_request_set_outcome(struct http_request *req, const char *outcome);

#endif
