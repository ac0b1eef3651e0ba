/*
 * The test LPA's HTTPS transport for ES9+ (SGP.22 "ES9+ JSON binding" over HTTPS), on libcurl.
 *
 * Requests are POSTs of JSON to https://<SM-DP+ address>/gsma/rsp2/es9plus/<function> with the
 * headers an LPAd sends (Content-Type: application/json, X-Admin-Protocol, User-Agent:
 * gsma-rsp-lpad). The server certificate is verified against the configured trust anchors and
 * the address's host name. Like curl's --connect-to, a host and port may be mapped to another
 * address and port, for all requests or for one. So certificates for real host names work on
 * 127.0.0.1, and the steps of one download can go to several servers.
 */
#ifndef TEST_EUICC_LPA_HTTP_H
#define TEST_EUICC_LPA_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define LPA_HTTP_MAX_CONNECT_TO 8
#define LPA_HTTP_MAX_RESPONSE   (8 * 1024 * 1024) /* a BPP of a 1 MB profile in base64 fits */
#define LPA_ADMIN_PROTOCOL      "gsma/rsp/v2.5.0"

enum lpa_http_status {
	LPA_HTTP_OK = 0,
	LPA_HTTP_E_INVALID = -1,   /* bad option */
	LPA_HTTP_E_TRANSFER = -2,  /* connection, TLS or HTTP failure; see error */
	LPA_HTTP_E_TOO_LARGE = -3, /* response body over LPA_HTTP_MAX_RESPONSE */
	LPA_HTTP_E_NOMEM = -4,
};

struct lpa_http_config {
	/* PEM trust anchors for the TLS server certificate (several certificates may follow each
	 * other); NULL uses the system store. */
	const char *ca_pem;
	size_t ca_pem_len;
	/* "HOST:PORT:ADDR:PORT" mappings applied to every request. */
	const char *connect_to[LPA_HTTP_MAX_CONNECT_TO];
	size_t connect_to_count;
	bool tls12_only;        /* offer TLS 1.2 at most (brainpoolP256r1 server certificates) */
	long timeout_ms;        /* whole request; 0 means 30 s */
	const char *admin_protocol; /* X-Admin-Protocol value; NULL means LPA_ADMIN_PROTOCOL */
	FILE *verbose;          /* request and response summaries (never bodies); NULL: quiet */
};

struct lpa_http_response {
	long http_code;
	char *body;             /* NUL-terminated; owned, released by lpa_http_response_clear */
	size_t body_len;
	char admin_protocol[64]; /* X-Admin-Protocol of the response, "" when absent */
	char content_type[128];
	char error[256];        /* what failed, for LPA_HTTP_E_TRANSFER */
};

struct lpa_http;

/* Makes a client; the configuration strings are copied. */
int lpa_http_new(const struct lpa_http_config *cfg, struct lpa_http **out);
void lpa_http_free(struct lpa_http *h);

/*
 * POSTs body to https://<address>/gsma/rsp2/es9plus/<function>. connect_to, when not NULL,
 * replaces the configured mappings for this request only. Any HTTP status counts as
 * LPA_HTTP_OK; the caller checks resp->http_code. resp is cleared first and must be released
 * with lpa_http_response_clear, also after a failure.
 */
int lpa_http_post(struct lpa_http *h, const char *address, const char *function,
		  const char *connect_to, const char *body, size_t len,
		  struct lpa_http_response *resp);

void lpa_http_response_clear(struct lpa_http_response *resp);

#endif
