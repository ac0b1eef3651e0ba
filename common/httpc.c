/*
 * HTTPS client over libcurl for SGP.22 JSON functions called by the servers and tools
 * (ES2+ HandleDownloadProgressInfo, ES12, ES2+ from the command line). See common/httpc.h.
 */
#include "common/httpc.h"

#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "common/http.h"

#define DEFAULT_TIMEOUT_MS 30000L
#define DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define MAX_HEADER_VALUE 256

struct httpc_client {
	CURL *curl;
	char *ca_file, *cert_file, *key_file, *method;
	long timeout_ms, connect_timeout_ms;
	size_t max_response;
	struct curl_slist *headers;
	struct curl_slist *connect_to;
};

/* State of one transfer, passed to the write and header callbacks. */
struct transfer {
	struct httpc_response *resp;
	size_t cap;
	size_t max;
	bool too_large;
	bool nomem;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_status = CURLE_FAILED_INIT;

static void global_init(void)
{
	global_status = curl_global_init(CURL_GLOBAL_DEFAULT);
}

const char *httpc_strerror(int status)
{
	switch (status) {
	case HTTPC_OK: return "success";
	case HTTPC_E_INVALID: return "invalid option or URL";
	case HTTPC_E_CONNECT: return "connection failed";
	case HTTPC_E_TLS: return "TLS handshake or certificate check failed";
	case HTTPC_E_TIMEOUT: return "timed out";
	case HTTPC_E_TOO_LARGE: return "response body too large";
	case HTTPC_E_NOMEM: return "out of memory";
	case HTTPC_E_TRANSFER: return "transfer failed";
	default: return "unknown error";
	}
}

static int map_curl_error(CURLcode code, const struct transfer *t)
{
	switch (code) {
	case CURLE_OK:
		return HTTPC_OK;
	case CURLE_WRITE_ERROR:
		if (t->too_large)
			return HTTPC_E_TOO_LARGE;
		return t->nomem ? HTTPC_E_NOMEM : HTTPC_E_TRANSFER;
	case CURLE_OUT_OF_MEMORY:
		return HTTPC_E_NOMEM;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return HTTPC_E_INVALID;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		return HTTPC_E_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return HTTPC_E_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CLIENTCERT:
		return HTTPC_E_TLS;
	default:
		return HTTPC_E_TRANSFER;
	}
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct transfer *t = userdata;
	struct httpc_response *resp = t->resp;
	size_t n = size * nmemb;

	if (n > t->max || resp->body_len > t->max - n) {
		t->too_large = true;
		return 0;
	}
	if (resp->body_len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;
		char *grown;

		while (cap < resp->body_len + n + 1)
			cap *= 2;
		grown = realloc(resp->body, cap);
		if (!grown) {
			t->nomem = true;
			return 0;
		}
		resp->body = grown;
		t->cap = cap;
	}
	memcpy(resp->body + resp->body_len, data, n);
	resp->body_len += n;
	resp->body[resp->body_len] = '\0';
	return n;
}

/* Copies the value of header line "Name: value\r\n" when its name is name. */
static char *header_value(const char *line, size_t len, const char *name)
{
	size_t name_len = strlen(name);
	const char *v, *end = line + len;

	if (len <= name_len || strncasecmp(line, name, name_len) != 0 || line[name_len] != ':')
		return NULL;
	v = line + name_len + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	if ((size_t)(end - v) > MAX_HEADER_VALUE)
		end = v + MAX_HEADER_VALUE;
	return strndup(v, (size_t)(end - v));
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct transfer *t = userdata;
	struct httpc_response *resp = t->resp;
	size_t n = size * nmemb;
	char *v;

	/* A status line starts a new response (after a 100 Continue, for instance). */
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		free(resp->admin_protocol);
		free(resp->content_type);
		resp->admin_protocol = NULL;
		resp->content_type = NULL;
		return n;
	}
	if ((v = header_value(data, n, "X-Admin-Protocol")) != NULL) {
		free(resp->admin_protocol);
		resp->admin_protocol = v;
	} else if ((v = header_value(data, n, "Content-Type")) != NULL) {
		free(resp->content_type);
		resp->content_type = v;
	}
	return n;
}

void httpc_response_clear(struct httpc_response *resp)
{
	if (!resp)
		return;
	free(resp->body);
	free(resp->admin_protocol);
	free(resp->content_type);
	memset(resp, 0, sizeof(*resp));
}

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

/* Appends "Name: value"; an empty value appends "Name:", which makes curl omit the header. */
static int add_header(struct curl_slist **list, const char *name, const char *value)
{
	char line[MAX_HEADER_VALUE + 64];
	struct curl_slist *next;

	if (*value)
		snprintf(line, sizeof(line), "%s: %s", name, value);
	else
		snprintf(line, sizeof(line), "%s:", name);
	next = curl_slist_append(*list, line);
	if (!next)
		return HTTPC_E_NOMEM;
	*list = next;
	return HTTPC_OK;
}

static int build_headers(struct httpc_client *c, const struct httpc_options *opts)
{
	const char *protocol = opts->admin_protocol ? opts->admin_protocol : HTTP_ADMIN_PROTOCOL;
	const char *type = opts->content_type ? opts->content_type : "application/json";

	/* An empty Expect stops curl from waiting for 100 Continue before large bodies. */
	if (add_header(&c->headers, "Expect", "") != HTTPC_OK ||
	    add_header(&c->headers, "Accept", "application/json") != HTTPC_OK ||
	    add_header(&c->headers, "X-Admin-Protocol", protocol) != HTTPC_OK ||
	    add_header(&c->headers, "Content-Type", type) != HTTPC_OK)
		return HTTPC_E_NOMEM;
	return HTTPC_OK;
}

int httpc_client_new(const struct httpc_options *opts, struct httpc_client **out)
{
	struct httpc_client *c = NULL;
	bool failed = false;
	int rc = HTTPC_E_NOMEM;

	*out = NULL;
	pthread_once(&global_once, global_init);
	if (global_status != CURLE_OK)
		return HTTPC_E_NOMEM;
	if (!opts || opts->timeout_ms < 0 || opts->connect_timeout_ms < 0)
		return HTTPC_E_INVALID;

	c = calloc(1, sizeof(*c));
	if (!c)
		goto out;
	c->ca_file = dup_or_null(opts->ca_file, &failed);
	c->cert_file = dup_or_null(opts->cert_file, &failed);
	c->key_file = dup_or_null(opts->key_file, &failed);
	c->method = dup_or_null(opts->method, &failed);
	if (failed)
		goto out;
	c->timeout_ms = opts->timeout_ms ? opts->timeout_ms : DEFAULT_TIMEOUT_MS;
	c->connect_timeout_ms = opts->connect_timeout_ms ? opts->connect_timeout_ms
							 : DEFAULT_CONNECT_TIMEOUT_MS;
	c->max_response = opts->max_response ? opts->max_response : HTTPC_DEFAULT_MAX_RESPONSE;
	rc = build_headers(c, opts);
	if (rc != HTTPC_OK)
		goto out;
	if (opts->connect_to) {
		c->connect_to = curl_slist_append(NULL, opts->connect_to);
		if (!c->connect_to) {
			rc = HTTPC_E_NOMEM;
			goto out;
		}
	}
	c->curl = curl_easy_init();
	if (!c->curl) {
		rc = HTTPC_E_NOMEM;
		goto out;
	}
	*out = c;
	c = NULL;
	rc = HTTPC_OK;
out:
	httpc_client_free(c);
	return rc;
}

void httpc_client_free(struct httpc_client *client)
{
	if (!client)
		return;
	if (client->curl)
		curl_easy_cleanup(client->curl);
	curl_slist_free_all(client->headers);
	curl_slist_free_all(client->connect_to);
	free(client->ca_file);
	free(client->cert_file);
	free(client->key_file);
	free(client->method);
	free(client);
}

/* Sets every option of one request; the handle keeps its connection cache between requests. */
static CURLcode set_options(struct httpc_client *c, const char *url, const char *body, size_t len,
			    struct transfer *t)
{
	CURL *h = c->curl;
	CURLcode e = CURLE_OK;

#define SET(opt, value)                                       \
	do {                                                  \
		if (e == CURLE_OK)                            \
			e = curl_easy_setopt(h, opt, value);  \
	} while (0)

	curl_easy_reset(h);
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_ERRORBUFFER, t->resp->error);
	SET(CURLOPT_TIMEOUT_MS, c->timeout_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_file)
		SET(CURLOPT_CAINFO, c->ca_file);
	if (c->cert_file) {
		SET(CURLOPT_SSLCERT, c->cert_file);
		SET(CURLOPT_SSLCERTTYPE, "PEM");
		SET(CURLOPT_SSLKEY, c->key_file ? c->key_file : c->cert_file);
		SET(CURLOPT_SSLKEYTYPE, "PEM");
	}
	if (c->connect_to)
		SET(CURLOPT_CONNECT_TO, c->connect_to);
	SET(CURLOPT_HTTPHEADER, c->headers);
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, t);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, t);
	if (c->method && strcmp(c->method, "GET") == 0) {
		SET(CURLOPT_HTTPGET, 1L);
	} else {
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDS, body ? body : "");
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		if (c->method && strcmp(c->method, "POST") != 0)
			SET(CURLOPT_CUSTOMREQUEST, c->method);
	}
#undef SET
	return e;
}

int httpc_post(struct httpc_client *client, const char *url, const char *body, size_t len,
	       struct httpc_response *resp)
{
	struct transfer t = { 0 };
	CURLcode e;
	int rc;

	memset(resp, 0, sizeof(*resp));
	if (!client || !url)
		return HTTPC_E_INVALID;
	t.resp = resp;
	t.max = client->max_response;

	e = set_options(client, url, body, len, &t);
	if (e != CURLE_OK) {
		snprintf(resp->error, sizeof(resp->error), "%s", curl_easy_strerror(e));
		return map_curl_error(e, &t);
	}
	e = curl_easy_perform(client->curl);
	curl_easy_setopt(client->curl, CURLOPT_ERRORBUFFER, NULL);
	rc = map_curl_error(e, &t);
	if (rc != HTTPC_OK) {
		if (resp->error[0] == '\0')
			snprintf(resp->error, sizeof(resp->error), "%s", curl_easy_strerror(e));
		if (rc == HTTPC_E_TOO_LARGE)
			snprintf(resp->error, sizeof(resp->error),
				 "response body larger than %zu bytes", t.max);
		return rc;
	}
	curl_easy_getinfo(client->curl, CURLINFO_RESPONSE_CODE, &resp->http_code);
	if (!resp->body) {
		resp->body = calloc(1, 1);
		if (!resp->body)
			return HTTPC_E_NOMEM;
	}
	return HTTPC_OK;
}

int httpc_post_once(const struct httpc_options *opts, const char *url, const char *body,
		    size_t len, struct httpc_response *resp)
{
	struct httpc_client *c = NULL;
	int rc;

	memset(resp, 0, sizeof(*resp));
	rc = httpc_client_new(opts, &c);
	if (rc == HTTPC_OK)
		rc = httpc_post(c, url, body, len, resp);
	httpc_client_free(c);
	return rc;
}
