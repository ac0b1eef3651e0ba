/*
 * The test LPA's HTTPS transport on libcurl. See lpa_http.h.
 */
#include "test/euicc/lpa_http.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

struct lpa_http {
	CURL *curl;
	struct curl_slist *headers;
	struct curl_slist *connect_to;
	char *ca_pem;
	size_t ca_pem_len;
	bool tls12_only;
	long timeout_ms;
	FILE *verbose;
	char last_connect_to[256]; /* mapping of the previous request, "" for the configured ones */
	bool used;
};

static void copy_header_value(const char *value, size_t len, char *out, size_t out_size)
{
	while (len > 0 && (*value == ' ' || *value == '\t')) {
		value++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)value[len - 1]))
		len--;
	if (len >= out_size)
		len = out_size - 1;
	memcpy(out, value, len);
	out[len] = '\0';
}

static size_t on_header(char *data, size_t size, size_t count, void *userdata)
{
	struct lpa_http_response *resp = userdata;
	size_t len = size * count;
	static const char admin[] = "X-Admin-Protocol:";
	static const char ctype[] = "Content-Type:";

	if (len > sizeof(admin) - 1 && strncasecmp(data, admin, sizeof(admin) - 1) == 0)
		copy_header_value(data + sizeof(admin) - 1, len - (sizeof(admin) - 1),
				  resp->admin_protocol, sizeof(resp->admin_protocol));
	else if (len > sizeof(ctype) - 1 && strncasecmp(data, ctype, sizeof(ctype) - 1) == 0)
		copy_header_value(data + sizeof(ctype) - 1, len - (sizeof(ctype) - 1),
				  resp->content_type, sizeof(resp->content_type));
	return len;
}

static size_t on_body(char *data, size_t size, size_t count, void *userdata)
{
	struct lpa_http_response *resp = userdata;
	size_t len = size * count;
	char *grown;

	if (resp->body_len + len > LPA_HTTP_MAX_RESPONSE)
		return 0; /* makes curl fail with CURLE_WRITE_ERROR */
	grown = realloc(resp->body, resp->body_len + len + 1);
	if (!grown)
		return 0;
	resp->body = grown;
	memcpy(resp->body + resp->body_len, data, len);
	resp->body_len += len;
	resp->body[resp->body_len] = '\0';
	return len;
}

int lpa_http_new(const struct lpa_http_config *cfg, struct lpa_http **out)
{
	struct lpa_http *h;
	char header[128];
	size_t i;
	int rc = LPA_HTTP_E_NOMEM;

	*out = NULL;
	if (cfg->connect_to_count > LPA_HTTP_MAX_CONNECT_TO)
		return LPA_HTTP_E_INVALID;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return LPA_HTTP_E_INVALID;
	h = calloc(1, sizeof(*h));
	if (!h) {
		curl_global_cleanup();
		return LPA_HTTP_E_NOMEM;
	}
	h->curl = curl_easy_init();
	if (!h->curl)
		goto out;

	snprintf(header, sizeof(header), "X-Admin-Protocol: %s",
		 cfg->admin_protocol ? cfg->admin_protocol : LPA_ADMIN_PROTOCOL);
	h->headers = curl_slist_append(h->headers, header);
	h->headers = curl_slist_append(h->headers, "Content-Type: application/json");
	h->headers = curl_slist_append(h->headers, "Accept: application/json");
	h->headers = curl_slist_append(h->headers, "User-Agent: gsma-rsp-lpad");
	/* curl would otherwise wait for "100 Continue" before sending bodies over 1 KB. */
	h->headers = curl_slist_append(h->headers, "Expect:");
	if (!h->headers)
		goto out;
	for (i = 0; i < cfg->connect_to_count; i++) {
		struct curl_slist *grown = curl_slist_append(h->connect_to, cfg->connect_to[i]);

		if (!grown)
			goto out;
		h->connect_to = grown;
	}
	if (cfg->ca_pem) {
		h->ca_pem = malloc(cfg->ca_pem_len);
		if (!h->ca_pem)
			goto out;
		memcpy(h->ca_pem, cfg->ca_pem, cfg->ca_pem_len);
		h->ca_pem_len = cfg->ca_pem_len;
	}
	h->tls12_only = cfg->tls12_only;
	h->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 30000;
	h->verbose = cfg->verbose;
	*out = h;
	h = NULL;
	rc = LPA_HTTP_OK;
out:
	lpa_http_free(h);
	return rc;
}

void lpa_http_free(struct lpa_http *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->headers);
	curl_slist_free_all(h->connect_to);
	free(h->ca_pem);
	free(h);
	/* Pairs with the curl_global_init of lpa_http_new; libcurl counts the calls. */
	curl_global_cleanup();
}

void lpa_http_response_clear(struct lpa_http_response *resp)
{
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}

/* Sets the options that are the same for every request. */
static void set_common_options(struct lpa_http *h, struct lpa_http_response *resp)
{
	CURL *c = h->curl;

	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, resp);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_SSLVERSION,
			 (long)(CURL_SSLVERSION_TLSv1_2 |
				(h->tls12_only ? CURL_SSLVERSION_MAX_TLSv1_2 : CURL_SSLVERSION_MAX_DEFAULT)));
	/* SGP.22 servers use NIST P-256 or brainpoolP256r1 keys; offer both groups (brainpool
	 * works with TLS 1.2 only on OpenSSL 3.0). */
	curl_easy_setopt(c, CURLOPT_SSL_EC_CURVES, "X25519:P-256:brainpoolP256r1:P-384");
	if (h->ca_pem) {
		struct curl_blob blob = {h->ca_pem, h->ca_pem_len, CURL_BLOB_COPY};

		curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
	}
}

int lpa_http_post(struct lpa_http *h, const char *address, const char *function,
		  const char *connect_to, const char *body, size_t len,
		  struct lpa_http_response *resp)
{
	struct curl_slist *one = NULL;
	char url[512];
	CURLcode cc;
	int rc = LPA_HTTP_OK;
	int n;

	memset(resp, 0, sizeof(*resp));
	n = snprintf(url, sizeof(url), "https://%s/gsma/rsp2/es9plus/%s", address, function);
	if (n < 0 || (size_t)n >= sizeof(url))
		return LPA_HTTP_E_INVALID;

	set_common_options(h, resp);
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE, (long)len);

	if (connect_to) {
		one = curl_slist_append(NULL, connect_to);
		if (!one)
			return LPA_HTTP_E_NOMEM;
		curl_easy_setopt(h->curl, CURLOPT_CONNECT_TO, one);
	} else {
		curl_easy_setopt(h->curl, CURLOPT_CONNECT_TO, h->connect_to);
	}
	/* A kept-alive connection may lead to the previous server: connect anew whenever the
	 * mapping changes between requests. */
	curl_easy_setopt(h->curl, CURLOPT_FRESH_CONNECT,
			 h->used && strcmp(h->last_connect_to, connect_to ? connect_to : "") != 0 ?
				 1L : 0L);
	snprintf(h->last_connect_to, sizeof(h->last_connect_to), "%s", connect_to ? connect_to : "");
	h->used = true;

	if (h->verbose)
		fprintf(h->verbose, "lpa: POST %s (%zu bytes)%s%s\n", url, len,
			connect_to ? " via " : "", connect_to ? connect_to : "");
	cc = curl_easy_perform(h->curl);
	curl_easy_setopt(h->curl, CURLOPT_CONNECT_TO, NULL);
	curl_slist_free_all(one);
	if (cc != CURLE_OK) {
		rc = cc == CURLE_WRITE_ERROR ? LPA_HTTP_E_TOO_LARGE : LPA_HTTP_E_TRANSFER;
		snprintf(resp->error, sizeof(resp->error), "%.160s: %s", url,
			 cc == CURLE_WRITE_ERROR ? "response body too large" : curl_easy_strerror(cc));
		return rc;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &resp->http_code);
	if (h->verbose)
		fprintf(h->verbose, "lpa: HTTP %ld, %zu bytes, X-Admin-Protocol \"%s\"\n",
			resp->http_code, resp->body_len, resp->admin_protocol);
	return rc;
}
