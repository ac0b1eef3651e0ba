/*
 * HTTPS client over libcurl for the SGP.22 JSON binding: operator callbacks (ES2+
 * HandleDownloadProgressInfo), ES12 towards an SM-DS, and the command-line tools.
 *
 * A struct httpc_client wraps one curl easy handle, so successive requests to the same server
 * reuse the TLS connection (keep-alive). A client is used by one thread at a time; threads each
 * make their own. curl_global_init runs once per process on first use.
 *
 * Every request sends "X-Admin-Protocol: gsma/rsp/v2.5.0" (unless overridden) and
 * "Content-Type: application/json". The server certificate is always verified against
 * ca_file (and its host name against the URL's host).
 */
#ifndef COMMON_HTTPC_H
#define COMMON_HTTPC_H

#include <stddef.h>

enum httpc_status {
	HTTPC_OK = 0,
	HTTPC_E_INVALID = -1,   /* bad option or URL */
	HTTPC_E_CONNECT = -2,   /* host not resolved or connection refused */
	HTTPC_E_TLS = -3,       /* handshake failed, server certificate rejected, bad client key */
	HTTPC_E_TIMEOUT = -4,
	HTTPC_E_TOO_LARGE = -5, /* response body over max_response */
	HTTPC_E_NOMEM = -6,
	HTTPC_E_TRANSFER = -7,  /* any other transfer error (connection reset, bad HTTP) */
};

#define HTTPC_DEFAULT_MAX_RESPONSE (4 * 1024 * 1024) /* a BoundProfilePackage fits */
#define HTTPC_MAX_ERROR 256

struct httpc_options {
	const char *ca_file;   /* PEM CA certificates for the server; NULL: system store */
	const char *cert_file; /* PEM client certificate (ES2+, ES12); NULL: none */
	const char *key_file;  /* PEM client key; NULL: in cert_file */
	long timeout_ms;       /* whole request including connect; 0: 30000 */
	long connect_timeout_ms; /* 0: 10000 */
	/* Like curl --connect-to "HOST:PORT:ADDR:PORT": connect to ADDR:PORT when the URL names
	 * HOST:PORT, keeping HOST for SNI and certificate checks. NULL: none. */
	const char *connect_to;
	/* X-Admin-Protocol value; NULL: HTTP_ADMIN_PROTOCOL; "": header not sent (tests). */
	const char *admin_protocol;
	/* Content-Type value; NULL: "application/json"; "": header not sent (tests). */
	const char *content_type;
	/* Request method; NULL: "POST" (tests use others). */
	const char *method;
	size_t max_response;   /* response body limit; 0: HTTPC_DEFAULT_MAX_RESPONSE */
};

/* A response. body is NUL-terminated (body_len excludes the NUL); headers are NULL when absent. */
struct httpc_response {
	long http_code;
	char *body;
	size_t body_len;
	char *admin_protocol; /* X-Admin-Protocol of the response */
	char *content_type;
	char error[HTTPC_MAX_ERROR]; /* curl's description of a failed transfer, else "" */
};

struct httpc_client;

/* Makes a client with a copy of opts (strings copied). Returns HTTPC_OK or an error. */
int httpc_client_new(const struct httpc_options *opts, struct httpc_client **out);
void httpc_client_free(struct httpc_client *client);

/*
 * POSTs body (len bytes) to url and fills resp (which the caller releases with
 * httpc_response_clear, also after a failure). Any HTTP code counts as HTTPC_OK; the caller
 * checks resp->http_code. On failure resp->error describes the cause.
 */
int httpc_post(struct httpc_client *client, const char *url, const char *body, size_t len,
	       struct httpc_response *resp);

/* One-shot request with a temporary client. */
int httpc_post_once(const struct httpc_options *opts, const char *url, const char *body,
		    size_t len, struct httpc_response *resp);

/* Frees the members of resp and zeroes it; accepts a zeroed response. */
void httpc_response_clear(struct httpc_response *resp);

/* Returns a short English description of an httpc_status. */
const char *httpc_strerror(int status);

#endif
