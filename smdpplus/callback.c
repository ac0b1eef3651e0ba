/*
 * ES2+ HandleDownloadProgressInfo queue and sender (see callback.h).
 *
 * Request (SGP.22 ES2+ HandleDownloadProgressInfo, JSON binding):
 *   {"header":{"functionRequesterIdentifier":..,"functionCallIdentifier":..},
 *    "eid":..,"iccid":..,"profileType":..,"timestamp":"YYYY-MM-DDThh:mm:ssZ",
 *    "notificationPointId":N,"notificationPointStatus":{"status":..,"statusCodeData":{..}},
 *    "resultData":base64}
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/httpc.h"
#include "common/ident.h"
#include "common/json.h"
#include "common/log.h"
#include "smdpplus/callback.h"

#define WORKER_POLL_MS 1000
#define PURGE_INTERVAL_S 3600

struct callback_worker {
	const struct smdp *smdp;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
};

/* The notificationPointStatus object: the functionExecutionStatus of outcome. */
static cJSON *point_status(enum rsp_status outcome)
{
	cJSON *resp = status_response(outcome, NULL), *header, *status = NULL;

	if (!resp)
		return NULL;
	header = cJSON_GetObjectItemCaseSensitive(resp, "header");
	if (header)
		status = cJSON_DetachItemFromObjectCaseSensitive(header, "functionExecutionStatus");
	cJSON_Delete(resp);
	return status;
}

int callback_queue(struct db_conn *conn, const struct smdp *smdp, const struct store_order *order,
		   const char *eid, enum callback_point point, enum rsp_status outcome,
		   const uint8_t *result_data, size_t result_len)
{
	cJSON *body = NULL, *status = NULL;
	char call_id[40], stamp[32];
	uint8_t rnd[8];
	char *text = NULL;
	time_t now = time(NULL);
	struct tm tm;
	int rc = DB_E_NOMEM;

	if (!order->callback_url[0])
		return DB_OK;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (crypto_random(rnd, sizeof(rnd)) != CRYPTO_OK)
		return DB_E_OTHER;
	memcpy(call_id, "DPI-", 4);
	ident_hex_encode(rnd, sizeof(rnd), call_id + 4, sizeof(call_id) - 4);

	body = cJSON_CreateObject();
	status = point_status(outcome);
	if (!body || !status)
		goto out;
	if (json_add_request_header(body, smdp->set.address, call_id) != JSON_OK ||
	    (eid && *eid && json_add_string(body, "eid", eid) != JSON_OK) ||
	    json_add_string(body, "iccid", order->iccid) != JSON_OK ||
	    json_add_string(body, "profileType", order->profile_type) != JSON_OK ||
	    json_add_string(body, "timestamp", stamp) != JSON_OK ||
	    !cJSON_AddNumberToObject(body, "notificationPointId", (double)point))
		goto out;
	cJSON_AddItemToObject(body, "notificationPointStatus", status);
	status = NULL;
	if (result_data && result_len &&
	    json_add_base64(body, "resultData", result_data, result_len) != JSON_OK)
		goto out;
	text = json_print(body, NULL);
	if (!text)
		goto out;
	rc = store_callback_insert(conn, order->id, order->callback_url, text);
out:
	cJSON_free(text);
	cJSON_Delete(status);
	cJSON_Delete(body);
	return rc;
}

/* Sends one claimed call and records the outcome. */
static void deliver(struct callback_worker *w, struct httpc_client *client,
		    struct store_callback *cb)
{
	const struct smdp *smdp = w->smdp;
	struct httpc_response resp = { 0 };
	struct log_ctx ctx = { .function = "ES2+/handleDownloadProgressInfo" };
	struct db_conn *conn = NULL;
	char error[HTTPC_MAX_ERROR + 64] = "";
	int rc;

	rc = httpc_post(client, cb->url, cb->body, strlen(cb->body), &resp);
	if (rc != HTTPC_OK)
		snprintf(error, sizeof(error), "%s: %s", httpc_strerror(rc), resp.error);
	else if (resp.http_code != 200 && resp.http_code != 204)
		snprintf(error, sizeof(error), "HTTP status %ld", resp.http_code);
	httpc_response_clear(&resp);

	if (db_acquire(smdp->db, &ctx, &conn) != DB_OK)
		return; /* the lease runs out and the call is sent again */
	if (!error[0]) {
		LOG_INFO("callback", &ctx, "delivered to %s (attempt %lld)", cb->url,
			 (long long)cb->attempts);
		store_callback_done(conn, cb->id, NULL);
	} else if (cb->attempts >= smdp->set.callback_max_attempts) {
		LOG_ERROR("callback", &ctx, "giving up on %s after %lld attempts: %s", cb->url,
			  (long long)cb->attempts, error);
		store_callback_done(conn, cb->id, error);
	} else {
		LOG_WARN("callback", &ctx, "attempt %lld to %s failed, retrying in %llds: %s",
			 (long long)cb->attempts, cb->url, (long long)smdp->set.callback_retry_s,
			 error);
		store_callback_failed(conn, cb->id, error);
	}
	db_release(conn);
}

/* Claims and sends due calls until none is left; returns when stopping. */
static void run_queue(struct callback_worker *w, struct httpc_client *client)
{
	for (;;) {
		struct store_callback cb;
		struct db_conn *conn = NULL;
		int rc;

		pthread_mutex_lock(&w->lock);
		if (w->stop) {
			pthread_mutex_unlock(&w->lock);
			return;
		}
		pthread_mutex_unlock(&w->lock);

		if (db_acquire(w->smdp->db, NULL, &conn) != DB_OK)
			return;
		rc = store_callback_claim(conn, w->smdp->set.callback_retry_s, &cb);
		db_release(conn);
		if (rc != DB_OK)
			return;
		deliver(w, client, &cb);
		store_callback_clear(&cb);
	}
}

static void purge_sessions(struct callback_worker *w)
{
	struct db_conn *conn = NULL;
	int64_t deleted = 0;

	if (db_acquire(w->smdp->db, NULL, &conn) != DB_OK)
		return;
	if (store_session_purge(conn, w->smdp->set.session_retention_s, &deleted) == DB_OK &&
	    deleted > 0)
		LOG_INFO("session", NULL, "deleted %lld expired RSP sessions", (long long)deleted);
	db_release(conn);
}

static void *worker_main(void *arg)
{
	struct callback_worker *w = arg;
	const struct smdp_settings *s = &w->smdp->set;
	struct httpc_options opts = {
		.ca_file = s->callback_ca_file,
		.cert_file = s->callback_cert_file,
		.key_file = s->callback_key_file,
		.timeout_ms = 30000,
	};
	struct httpc_client *client = NULL;
	time_t last_purge = 0;

	if (httpc_client_new(&opts, &client) != HTTPC_OK) {
		LOG_ERROR("callback", NULL, "cannot create the HTTPS client for operator callbacks");
		return NULL;
	}
	for (;;) {
		struct timespec until;

		if (time(NULL) - last_purge >= PURGE_INTERVAL_S) {
			purge_sessions(w);
			last_purge = time(NULL);
		}
		run_queue(w, client);

		pthread_mutex_lock(&w->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += WORKER_POLL_MS / 1000;
		while (!w->stop && pthread_cond_timedwait(&w->wake, &w->lock, &until) != ETIMEDOUT)
			;
		if (w->stop) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		pthread_mutex_unlock(&w->lock);
	}
	httpc_client_free(client);
	return NULL;
}

int callback_worker_start(const struct smdp *smdp, struct callback_worker **out)
{
	struct callback_worker *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w)
		return -1;
	w->smdp = smdp;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return -1;
	}
	*out = w;
	return 0;
}

void callback_worker_stop(struct callback_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
