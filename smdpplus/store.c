/*
 * The SM-DP+ database access: one statement table, typed readers and writers (see store.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/ident.h"
#include "smdpplus/store.h"

#define PROFILE_COLS                                                                      \
	"p.id, p.iccid, p.profile_type, p.service_provider_name, p.profile_name, "         \
	"coalesce(p.operator_id, ''), p.state, length(p.package), "                        \
	"upper(encode(p.package_sha256, 'hex')), extract(epoch FROM p.created_at)::bigint, " \
	"extract(epoch FROM p.updated_at)::bigint, coalesce(o.eid, ''), "                  \
	"coalesce(o.matching_id, '') "                                                     \
	"FROM profiles p LEFT JOIN orders o ON o.profile_id = p.id AND o.is_current "

#define ORDER_COLS                                                                        \
	"o.id, o.profile_id, o.operator_id, o.state, o.is_current, coalesce(o.eid, ''), "  \
	"coalesce(o.matching_id, ''), o.cc_sha256, o.cc_attempts, o.cc_max_attempts, "     \
	"o.download_attempts, o.download_max_attempts, o.release_flag, "                   \
	"coalesce(o.smds_address, ''), coalesce(o.callback_url, ''), "                     \
	"extract(epoch FROM o.expires_at)::bigint, o.expires_at <= now(), "                \
	"o.bpp_transaction_id, o.bpp_euicc_otpk, o.bpp_smdp_otpk, p.iccid, p.profile_type, " \
	"p.service_provider_name, p.profile_name "                                         \
	"FROM orders o JOIN profiles p ON p.id = o.profile_id "

#define SESSION_COLS                                                                       \
	"transaction_id, state, euicc_challenge, server_challenge, ci_pkid, curve, "        \
	"coalesce(eid, ''), coalesce(matching_id, ''), coalesce(order_id, 0), "             \
	"expires_at <= now(), cc_required, euicc_certificate, smdp_signed2, smdp_signature2, " \
	"profile_metadata, euicc_otpk FROM rsp_sessions "

const struct db_statement store_statements[] = {
	{ "profile_insert",
	  "INSERT INTO profiles (iccid, profile_type, service_provider_name, profile_name, "
	  "operator_id, package, package_sha256) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id" },
	{ "profile_get", "SELECT " PROFILE_COLS "WHERE p.iccid = $1" },
	{ "profile_get_lock", "SELECT " PROFILE_COLS "WHERE p.iccid = $1 FOR UPDATE OF p" },
	{ "profile_next_available_lock",
	  "SELECT " PROFILE_COLS "WHERE p.profile_type = $1 AND p.state = 'Available' "
	  "AND (p.operator_id IS NULL OR p.operator_id = $2) ORDER BY p.id LIMIT 1 "
	  "FOR UPDATE OF p SKIP LOCKED" },
	{ "profile_type_count",
	  "SELECT count(*), count(*) FILTER (WHERE operator_id IS NULL OR operator_id = $2) "
	  "FROM profiles WHERE profile_type = $1" },
	{ "profile_count_available",
	  "SELECT count(*) FROM profiles WHERE state = 'Available' "
	  "AND ($1::text IS NULL OR profile_type = $1)" },
	{ "profile_set_state",
	  "UPDATE profiles SET state = $2, updated_at = now() WHERE id = $1" },
	{ "profile_package", "SELECT package FROM profiles WHERE id = $1" },
	{ "profile_list",
	  "SELECT " PROFILE_COLS "WHERE ($1::text IS NULL OR p.profile_type = $1) "
	  "AND ($2::text IS NULL OR p.state = $2) ORDER BY p.iccid" },

	{ "order_insert",
	  "INSERT INTO orders (profile_id, operator_id, state, eid, cc_max_attempts, "
	  "download_max_attempts, callback_url, expires_at) "
	  "VALUES ($1, $2, $3, $4, $5, $6, $7, now() + $8 * interval '1 second') RETURNING id" },
	{ "order_current_lock",
	  "SELECT " ORDER_COLS "WHERE o.profile_id = $1 AND o.is_current FOR UPDATE" },
	{ "order_by_matching_id_lock",
	  "SELECT " ORDER_COLS "WHERE o.matching_id = $1 AND o.is_current FOR UPDATE" },
	{ "order_pending_for_eid_lock",
	  "SELECT " ORDER_COLS "WHERE o.eid = $1 AND o.is_current "
	  "AND o.state IN ('Released', 'Downloaded') ORDER BY o.id LIMIT 1 FOR UPDATE" },
	{ "order_get_lock", "SELECT " ORDER_COLS "WHERE o.id = $1 FOR UPDATE" },
	{ "matching_id_used", "SELECT 1 FROM orders WHERE matching_id = $1" },
	{ "order_confirm",
	  "UPDATE orders SET state = $2, eid = $3, matching_id = $4, cc_sha256 = $5, "
	  "release_flag = $6, smds_address = $7, updated_at = now() WHERE id = $1" },
	{ "order_set_state",
	  "UPDATE orders SET state = $2, is_current = $3, updated_at = now(), "
	  "bpp = CASE WHEN $4 THEN NULL ELSE bpp END WHERE id = $1" },
	{ "order_set_counters",
	  "UPDATE orders SET download_attempts = $2, cc_attempts = $3, updated_at = now() "
	  "WHERE id = $1" },
	{ "order_set_bpp",
	  "UPDATE orders SET bpp = $2, bpp_transaction_id = $3, bpp_euicc_otpk = $4, "
	  "bpp_smdp_otpk = $5, eid = coalesce(eid, $6), updated_at = now() WHERE id = $1" },
	{ "order_get_bpp", "SELECT bpp FROM orders WHERE id = $1 AND bpp IS NOT NULL" },

	{ "session_insert",
	  "INSERT INTO rsp_sessions (transaction_id, state, euicc_challenge, server_challenge, "
	  "ci_pkid, curve, expires_at) "
	  "VALUES ($1, $2, $3, $4, $5, $6, now() + $7 * interval '1 second')" },
	{ "session_get_lock", "SELECT " SESSION_COLS "WHERE transaction_id = $1 FOR UPDATE" },
	{ "session_set_authenticated",
	  "UPDATE rsp_sessions SET state = $2, eid = $3, matching_id = $4, order_id = $5, "
	  "euicc_certificate = $6, smdp_signed2 = $7, smdp_signature2 = $8, "
	  "profile_metadata = $9, cc_required = $10, updated_at = now() "
	  "WHERE transaction_id = $1" },
	{ "session_set_state",
	  "UPDATE rsp_sessions SET state = $2, updated_at = now() WHERE transaction_id = $1" },
	{ "session_set_otpk",
	  "UPDATE rsp_sessions SET euicc_otpk = $2, updated_at = now() WHERE transaction_id = $1" },
	{ "session_open_for_order_lock",
	  "SELECT transaction_id, state FROM rsp_sessions "
	  "WHERE order_id = $1 AND transaction_id <> $2 "
	  "AND state IN ('Initiated', 'Authenticated', 'Bound') ORDER BY created_at FOR UPDATE" },
	{ "session_purge",
	  "DELETE FROM rsp_sessions WHERE expires_at < now() - $1 * interval '1 second'" },

	{ "notification_insert",
	  "INSERT INTO notifications (kind, transaction_id, eid, iccid, seq_number, verified, "
	  "result, order_id, raw) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)" },

	{ "callback_insert",
	  "INSERT INTO operator_callbacks (order_id, url, body) VALUES ($1, $2, $3)" },
	{ "callback_claim",
	  "UPDATE operator_callbacks SET attempts = attempts + 1, "
	  "next_attempt_at = now() + $1 * interval '1 second' WHERE id = ("
	  "SELECT id FROM operator_callbacks WHERE done_at IS NULL AND next_attempt_at <= now() "
	  "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, attempts, url, body" },
	{ "callback_done",
	  "UPDATE operator_callbacks SET done_at = now(), last_error = $2 WHERE id = $1" },
	{ "callback_failed", "UPDATE operator_callbacks SET last_error = $2 WHERE id = $1" },
};
const size_t store_statement_count = sizeof(store_statements) / sizeof(store_statements[0]);

void store_sql_dir(char *out, size_t out_size)
{
	const char *env = getenv("RSP_SQL_DIR");
	char exe[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (env && *env) {
		snprintf(out, out_size, "%s", env);
		return;
	}
	/* build/<flavor>/bin/<program> lies three folders below the checkout. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		for (int up = 0; up < 4; up++) {
			char *slash = strrchr(exe, '/');

			if (!slash)
				break;
			*slash = '\0';
		}
		snprintf(out, out_size, "%s/sql", exe);
		if (stat(out, &st) == 0 && S_ISDIR(st.st_mode))
			return;
	}
	snprintf(out, out_size, "sql");
}

/* ---- result helpers ---- */

static void copy_text(const struct db_result *res, int row, int col, char *out, size_t size)
{
	const char *t = db_result_text(res, row, col);

	snprintf(out, size, "%s", t ? t : "");
}

static int64_t get_int(const struct db_result *res, int row, int col)
{
	int64_t v = 0;

	if (db_result_int(res, row, col, &v) != DB_OK)
		return 0;
	return v;
}

static bool get_bool(const struct db_result *res, int row, int col)
{
	bool v = false;

	if (db_result_bool(res, row, col, &v) != DB_OK)
		return false;
	return v;
}

/* Decodes a bytea column into a new buffer; SQL NULL gives NULL and 0. */
static int get_bytea_alloc(const struct db_result *res, int row, int col, uint8_t **out,
			   size_t *len)
{
	const char *t = db_result_text(res, row, col);
	size_t size;
	int rc;

	*out = NULL;
	*len = 0;
	if (!t)
		return DB_OK;
	size = strlen(t) / 2 + 1;
	*out = malloc(size);
	if (!*out)
		return DB_E_NOMEM;
	rc = db_result_bytea(res, row, col, *out, size, len);
	if (rc != DB_OK) {
		free(*out);
		*out = NULL;
		*len = 0;
	}
	return rc;
}

/* Decodes a bytea column of at most size bytes; SQL NULL gives length 0. */
static int get_bytea(const struct db_result *res, int row, int col, uint8_t *out, size_t size,
		     size_t *len)
{
	int rc;

	*len = 0;
	if (db_result_is_null(res, row, col))
		return DB_OK;
	rc = db_result_bytea(res, row, col, out, size, len);
	if (rc != DB_OK)
		*len = 0;
	return rc;
}

static void read_profile(const struct db_result *res, int row, struct inventory_profile *p)
{
	memset(p, 0, sizeof(*p));
	p->id = get_int(res, row, 0);
	copy_text(res, row, 1, p->iccid, sizeof(p->iccid));
	copy_text(res, row, 2, p->profile_type, sizeof(p->profile_type));
	copy_text(res, row, 3, p->service_provider_name, sizeof(p->service_provider_name));
	copy_text(res, row, 4, p->profile_name, sizeof(p->profile_name));
	copy_text(res, row, 5, p->operator_id, sizeof(p->operator_id));
	if (order_state_from_name(db_result_text(res, row, 6), &p->state) != 0)
		p->state = ORDER_UNAVAILABLE;
	p->package_len = (size_t)get_int(res, row, 7);
	copy_text(res, row, 8, p->package_sha256, sizeof(p->package_sha256));
	p->created_at = (time_t)get_int(res, row, 9);
	p->updated_at = (time_t)get_int(res, row, 10);
	copy_text(res, row, 11, p->eid, sizeof(p->eid));
	copy_text(res, row, 12, p->matching_id, sizeof(p->matching_id));
}

static int read_order(const struct db_result *res, struct store_order *o)
{
	size_t n = 0;

	memset(o, 0, sizeof(*o));
	o->id = get_int(res, 0, 0);
	o->profile_id = get_int(res, 0, 1);
	copy_text(res, 0, 2, o->operator_id, sizeof(o->operator_id));
	if (order_state_from_name(db_result_text(res, 0, 3), &o->state) != 0)
		return DB_E_INVALID;
	o->is_current = get_bool(res, 0, 4);
	copy_text(res, 0, 5, o->eid, sizeof(o->eid));
	copy_text(res, 0, 6, o->matching_id, sizeof(o->matching_id));
	if (get_bytea(res, 0, 7, o->cc_sha256, sizeof(o->cc_sha256), &n) != DB_OK)
		return DB_E_INVALID;
	o->has_cc = n == sizeof(o->cc_sha256);
	o->cc_attempts = get_int(res, 0, 8);
	o->cc_max_attempts = get_int(res, 0, 9);
	o->download_attempts = get_int(res, 0, 10);
	o->download_max_attempts = get_int(res, 0, 11);
	o->release_flag = get_bool(res, 0, 12);
	copy_text(res, 0, 13, o->smds_address, sizeof(o->smds_address));
	copy_text(res, 0, 14, o->callback_url, sizeof(o->callback_url));
	o->expires_at = (time_t)get_int(res, 0, 15);
	o->expired = get_bool(res, 0, 16);
	if (get_bytea(res, 0, 17, o->bpp_transaction_id, sizeof(o->bpp_transaction_id),
		      &o->bpp_transaction_id_len) != DB_OK ||
	    get_bytea(res, 0, 18, o->bpp_euicc_otpk, sizeof(o->bpp_euicc_otpk),
		      &o->bpp_euicc_otpk_len) != DB_OK ||
	    get_bytea(res, 0, 19, o->bpp_smdp_otpk, sizeof(o->bpp_smdp_otpk),
		      &o->bpp_smdp_otpk_len) != DB_OK)
		return DB_E_INVALID;
	copy_text(res, 0, 20, o->iccid, sizeof(o->iccid));
	copy_text(res, 0, 21, o->profile_type, sizeof(o->profile_type));
	copy_text(res, 0, 22, o->service_provider_name, sizeof(o->service_provider_name));
	copy_text(res, 0, 23, o->profile_name, sizeof(o->profile_name));
	return DB_OK;
}

/* Runs a statement expected to return one row and hands the row to a reader. */
static int query_order(struct db_conn *c, const char *name, const struct db_params *p,
		       struct store_order *out)
{
	struct db_result *res = NULL;
	int rc = db_query_one(c, name, p, &res);

	if (rc == DB_OK)
		rc = read_order(res, out);
	db_result_free(res);
	return rc;
}

static int query_profile(struct db_conn *c, const char *name, const struct db_params *p,
			 struct inventory_profile *out)
{
	struct db_result *res = NULL;
	int rc = db_query_one(c, name, p, &res);

	if (rc == DB_OK)
		read_profile(res, 0, out);
	db_result_free(res);
	return rc;
}

static int exec_params(struct db_conn *c, const char *name, const struct db_params *p)
{
	return db_exec(c, name, p, NULL);
}

/* ---- profiles ---- */

int store_profile_insert(struct db_conn *c, const struct store_new_profile *np, int64_t *id)
{
	struct db_params p;
	struct db_result *res = NULL;
	int rc;

	db_params_init(&p);
	db_params_text(&p, np->iccid);
	db_params_text(&p, np->profile_type);
	db_params_text(&p, np->service_provider_name);
	db_params_text(&p, np->profile_name);
	db_params_text(&p, np->operator_id && *np->operator_id ? np->operator_id : NULL);
	db_params_bytea(&p, np->package, np->package_len);
	db_params_bytea(&p, np->package_sha256, CRYPTO_SHA256_LEN);
	rc = db_query_one(c, "profile_insert", &p, &res);
	if (rc == DB_OK && id)
		rc = db_result_int(res, 0, 0, id);
	db_result_free(res);
	return rc;
}

int store_profile_get(struct db_conn *c, const char *iccid, struct inventory_profile *out)
{
	struct db_params p;

	db_params_init(&p);
	db_params_text(&p, iccid);
	return query_profile(c, "profile_get", &p, out);
}

int store_profile_get_lock(struct db_conn *c, const char *iccid, struct inventory_profile *out)
{
	struct db_params p;

	db_params_init(&p);
	db_params_text(&p, iccid);
	return query_profile(c, "profile_get_lock", &p, out);
}

int store_profile_next_available_lock(struct db_conn *c, const char *profile_type,
				      const char *operator_id, struct inventory_profile *out)
{
	struct db_params p;

	db_params_init(&p);
	db_params_text(&p, profile_type);
	db_params_text(&p, operator_id);
	return query_profile(c, "profile_next_available_lock", &p, out);
}

int store_profile_type_count(struct db_conn *c, const char *profile_type, const char *operator_id,
			     int64_t *total, int64_t *allowed)
{
	struct db_params p;
	struct db_result *res = NULL;
	int rc;

	db_params_init(&p);
	db_params_text(&p, profile_type);
	db_params_text(&p, operator_id);
	rc = db_query_one(c, "profile_type_count", &p, &res);
	if (rc == DB_OK) {
		*total = get_int(res, 0, 0);
		*allowed = get_int(res, 0, 1);
	}
	db_result_free(res);
	return rc;
}

int store_profile_count_available(struct db_conn *c, const char *profile_type, int64_t *count)
{
	struct db_params p;
	struct db_result *res = NULL;
	int rc;

	db_params_init(&p);
	db_params_text(&p, profile_type && *profile_type ? profile_type : NULL);
	rc = db_query_one(c, "profile_count_available", &p, &res);
	if (rc == DB_OK)
		*count = get_int(res, 0, 0);
	db_result_free(res);
	return rc;
}

int store_profile_set_state(struct db_conn *c, int64_t id, enum order_state state)
{
	struct db_params p;

	db_params_init(&p);
	db_params_int(&p, id);
	db_params_text(&p, order_state_name(state));
	return exec_params(c, "profile_set_state", &p);
}

int store_profile_package(struct db_conn *c, int64_t id, uint8_t **out, size_t *len)
{
	struct db_params p;
	struct db_result *res = NULL;
	int rc;

	db_params_init(&p);
	db_params_int(&p, id);
	rc = db_query_one(c, "profile_package", &p, &res);
	if (rc == DB_OK)
		rc = get_bytea_alloc(res, 0, 0, out, len);
	db_result_free(res);
	return rc;
}

int store_profile_list(struct db_conn *c, const char *profile_type, const char *state,
		       struct inventory_profile **out, size_t *count)
{
	struct db_params p;
	struct db_result *res = NULL;
	int rc, rows;

	*out = NULL;
	*count = 0;
	db_params_init(&p);
	db_params_text(&p, profile_type && *profile_type ? profile_type : NULL);
	db_params_text(&p, state && *state ? state : NULL);
	rc = db_exec(c, "profile_list", &p, &res);
	if (rc != DB_OK)
		goto out;
	rows = db_result_rows(res);
	if (rows > 0) {
		*out = calloc((size_t)rows, sizeof(**out));
		if (!*out) {
			rc = DB_E_NOMEM;
			goto out;
		}
		for (int i = 0; i < rows; i++)
			read_profile(res, i, &(*out)[i]);
		*count = (size_t)rows;
	}
out:
	db_result_free(res);
	return rc;
}

/* ---- orders ---- */

int store_order_insert(struct db_conn *c, const struct store_new_order *o, int64_t *id)
{
	struct db_params p;
	struct db_result *res = NULL;
	int rc;

	db_params_init(&p);
	db_params_int(&p, o->profile_id);
	db_params_text(&p, o->operator_id);
	db_params_text(&p, order_state_name(o->state));
	db_params_text(&p, o->eid && *o->eid ? o->eid : NULL);
	db_params_int(&p, o->cc_max_attempts);
	db_params_int(&p, o->download_max_attempts);
	db_params_text(&p, o->callback_url && *o->callback_url ? o->callback_url : NULL);
	db_params_int(&p, o->validity_seconds);
	rc = db_query_one(c, "order_insert", &p, &res);
	if (rc == DB_OK && id)
		rc = db_result_int(res, 0, 0, id);
	db_result_free(res);
	return rc;
}

int store_order_current_lock(struct db_conn *c, int64_t profile_id, struct store_order *out)
{
	struct db_params p;

	db_params_init(&p);
	db_params_int(&p, profile_id);
	return query_order(c, "order_current_lock", &p, out);
}

int store_order_by_matching_id_lock(struct db_conn *c, const char *matching_id,
				    struct store_order *out)
{
	struct db_params p;

	db_params_init(&p);
	db_params_text(&p, matching_id);
	return query_order(c, "order_by_matching_id_lock", &p, out);
}

int store_order_pending_for_eid_lock(struct db_conn *c, const char *eid, struct store_order *out)
{
	struct db_params p;

	db_params_init(&p);
	db_params_text(&p, eid);
	return query_order(c, "order_pending_for_eid_lock", &p, out);
}

int store_order_get_lock(struct db_conn *c, int64_t id, struct store_order *out)
{
	struct db_params p;

	db_params_init(&p);
	db_params_int(&p, id);
	return query_order(c, "order_get_lock", &p, out);
}

int store_matching_id_used(struct db_conn *c, const char *matching_id, bool *used)
{
	struct db_params p;
	struct db_result *res = NULL;
	int rc;

	db_params_init(&p);
	db_params_text(&p, matching_id);
	rc = db_exec(c, "matching_id_used", &p, &res);
	if (rc == DB_OK)
		*used = db_result_rows(res) > 0;
	db_result_free(res);
	return rc;
}

int store_order_confirm(struct db_conn *c, int64_t id, enum order_state state, const char *eid,
			const char *matching_id, const uint8_t *cc_sha256, bool release_flag,
			const char *smds_address)
{
	struct db_params p;

	db_params_init(&p);
	db_params_int(&p, id);
	db_params_text(&p, order_state_name(state));
	db_params_text(&p, eid && *eid ? eid : NULL);
	db_params_text(&p, matching_id);
	db_params_bytea(&p, cc_sha256, cc_sha256 ? CRYPTO_SHA256_LEN : 0);
	db_params_bool(&p, release_flag);
	db_params_text(&p, smds_address && *smds_address ? smds_address : NULL);
	return exec_params(c, "order_confirm", &p);
}

int store_order_set_state(struct db_conn *c, const struct store_order *o, enum order_state state,
			  bool is_current)
{
	struct db_params p;
	int rc;

	db_params_init(&p);
	db_params_int(&p, o->id);
	db_params_text(&p, order_state_name(state));
	db_params_bool(&p, is_current);
	db_params_bool(&p, !order_state_is_open(state));
	rc = exec_params(c, "order_set_state", &p);
	if (rc == DB_OK)
		rc = store_profile_set_state(c, o->profile_id, state);
	return rc;
}

int store_order_set_counters(struct db_conn *c, int64_t id, int64_t download_attempts,
			     int64_t cc_attempts)
{
	struct db_params p;

	db_params_init(&p);
	db_params_int(&p, id);
	db_params_int(&p, download_attempts);
	db_params_int(&p, cc_attempts);
	return exec_params(c, "order_set_counters", &p);
}

int store_order_set_bpp(struct db_conn *c, int64_t id, const uint8_t *bpp, size_t bpp_len,
			const uint8_t *transaction_id, size_t tid_len, const uint8_t *euicc_otpk,
			const uint8_t *smdp_otpk, const char *eid)
{
	struct db_params p;

	db_params_init(&p);
	db_params_int(&p, id);
	db_params_bytea(&p, bpp, bpp_len);
	db_params_bytea(&p, transaction_id, tid_len);
	db_params_bytea(&p, euicc_otpk, CRYPTO_POINT_LEN);
	db_params_bytea(&p, smdp_otpk, CRYPTO_POINT_LEN);
	db_params_text(&p, eid);
	return exec_params(c, "order_set_bpp", &p);
}

int store_order_get_bpp(struct db_conn *c, int64_t id, uint8_t **out, size_t *len)
{
	struct db_params p;
	struct db_result *res = NULL;
	int rc;

	db_params_init(&p);
	db_params_int(&p, id);
	rc = db_query_one(c, "order_get_bpp", &p, &res);
	if (rc == DB_OK)
		rc = get_bytea_alloc(res, 0, 0, out, len);
	db_result_free(res);
	return rc;
}

/* ---- RSP sessions ---- */

void store_session_clear(struct store_session *s)
{
	if (!s)
		return;
	free(s->euicc_certificate);
	free(s->smdp_signed2);
	free(s->smdp_signature2);
	free(s->profile_metadata);
	memset(s, 0, sizeof(*s));
}

int store_session_insert(struct db_conn *c, const struct store_session *s, int64_t ttl_seconds)
{
	struct db_params p;

	db_params_init(&p);
	db_params_bytea(&p, s->transaction_id, sizeof(s->transaction_id));
	db_params_text(&p, session_state_name(s->state));
	db_params_bytea(&p, s->euicc_challenge, sizeof(s->euicc_challenge));
	db_params_bytea(&p, s->server_challenge, sizeof(s->server_challenge));
	db_params_bytea(&p, s->ci_pkid, s->ci_pkid_len);
	db_params_text(&p, s->curve);
	db_params_int(&p, ttl_seconds);
	return exec_params(c, "session_insert", &p);
}

int store_session_get_lock(struct db_conn *c, const uint8_t *tid, size_t tid_len,
			   struct store_session *out)
{
	struct db_params p;
	struct db_result *res = NULL;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	db_params_init(&p);
	db_params_bytea(&p, tid, tid_len);
	rc = db_query_one(c, "session_get_lock", &p, &res);
	if (rc != DB_OK)
		goto out;
	rc = DB_E_INVALID;
	if (get_bytea(res, 0, 0, out->transaction_id, sizeof(out->transaction_id), &n) != DB_OK ||
	    n != RSP_TRANSACTION_ID_LEN)
		goto out;
	for (size_t i = 0; i < n; i++)
		snprintf(out->transaction_id_hex + 2 * i, 3, "%02X", out->transaction_id[i]);
	if (session_state_from_name(db_result_text(res, 0, 1), &out->state) != 0)
		goto out;
	if (get_bytea(res, 0, 2, out->euicc_challenge, sizeof(out->euicc_challenge), &n) != DB_OK ||
	    get_bytea(res, 0, 3, out->server_challenge, sizeof(out->server_challenge), &n) != DB_OK ||
	    get_bytea(res, 0, 4, out->ci_pkid, sizeof(out->ci_pkid), &out->ci_pkid_len) != DB_OK)
		goto out;
	copy_text(res, 0, 5, out->curve, sizeof(out->curve));
	copy_text(res, 0, 6, out->eid, sizeof(out->eid));
	copy_text(res, 0, 7, out->matching_id, sizeof(out->matching_id));
	out->order_id = get_int(res, 0, 8);
	out->expired = get_bool(res, 0, 9);
	out->cc_required = get_bool(res, 0, 10);
	if (get_bytea_alloc(res, 0, 11, &out->euicc_certificate, &out->euicc_certificate_len) ||
	    get_bytea_alloc(res, 0, 12, &out->smdp_signed2, &out->smdp_signed2_len) ||
	    get_bytea_alloc(res, 0, 13, &out->smdp_signature2, &out->smdp_signature2_len) ||
	    get_bytea_alloc(res, 0, 14, &out->profile_metadata, &out->profile_metadata_len) ||
	    get_bytea(res, 0, 15, out->euicc_otpk, sizeof(out->euicc_otpk), &out->euicc_otpk_len))
		goto out;
	rc = DB_OK;
out:
	db_result_free(res);
	if (rc != DB_OK)
		store_session_clear(out);
	return rc;
}

int store_session_set_authenticated(struct db_conn *c, const struct store_session *s)
{
	struct db_params p;

	db_params_init(&p);
	db_params_bytea(&p, s->transaction_id, sizeof(s->transaction_id));
	db_params_text(&p, session_state_name(s->state));
	db_params_text(&p, s->eid[0] ? s->eid : NULL);
	db_params_text(&p, s->matching_id[0] ? s->matching_id : NULL);
	if (s->order_id > 0)
		db_params_int(&p, s->order_id);
	else
		db_params_null(&p);
	db_params_bytea(&p, s->euicc_certificate, s->euicc_certificate_len);
	db_params_bytea(&p, s->smdp_signed2, s->smdp_signed2_len);
	db_params_bytea(&p, s->smdp_signature2, s->smdp_signature2_len);
	db_params_bytea(&p, s->profile_metadata, s->profile_metadata_len);
	db_params_bool(&p, s->cc_required);
	return exec_params(c, "session_set_authenticated", &p);
}

int store_session_set_state(struct db_conn *c, const uint8_t *tid, size_t tid_len,
			    enum session_state state)
{
	struct db_params p;

	db_params_init(&p);
	db_params_bytea(&p, tid, tid_len);
	db_params_text(&p, session_state_name(state));
	return exec_params(c, "session_set_state", &p);
}

int store_session_set_otpk(struct db_conn *c, const uint8_t *tid, size_t tid_len,
			   const uint8_t *otpk, size_t len)
{
	struct db_params p;

	db_params_init(&p);
	db_params_bytea(&p, tid, tid_len);
	db_params_bytea(&p, otpk, len);
	return exec_params(c, "session_set_otpk", &p);
}

int store_session_cancel_others(struct db_conn *c, int64_t order_id, const uint8_t *tid,
				size_t tid_len, const char *reason)
{
	struct db_params p;
	struct db_result *res = NULL;
	int rc;

	db_params_init(&p);
	db_params_int(&p, order_id);
	db_params_bytea(&p, tid, tid_len);
	rc = db_exec(c, "session_open_for_order_lock", &p, &res);
	for (int i = 0; rc == DB_OK && i < db_result_rows(res); i++) {
		uint8_t other[RSP_TRANSACTION_ID_LEN];
		char other_hex[2 * RSP_TRANSACTION_ID_LEN + 1];
		enum session_state state;
		size_t n = 0;

		if (get_bytea(res, i, 0, other, sizeof(other), &n) != DB_OK ||
		    n != RSP_TRANSACTION_ID_LEN ||
		    session_state_from_name(db_result_text(res, i, 1), &state) != 0) {
			rc = DB_E_INVALID;
			break;
		}
		ident_hex_encode(other, n, other_hex, sizeof(other_hex));
		/* Every state selected may end in Cancelled; the call logs "old -> Cancelled". */
		if (session_transition(&state, SESSION_CANCELLED, other_hex, reason) == 0)
			rc = store_session_set_state(c, other, n, state);
	}
	db_result_free(res);
	return rc;
}

int store_session_purge(struct db_conn *c, int64_t retention_seconds, int64_t *deleted)
{
	struct db_params p;
	struct db_result *res = NULL;
	int rc;

	db_params_init(&p);
	db_params_int(&p, retention_seconds);
	rc = db_exec(c, "session_purge", &p, &res);
	if (rc == DB_OK && deleted)
		*deleted = db_result_affected(res);
	db_result_free(res);
	return rc;
}

/* ---- notifications ---- */

int store_notification_insert(struct db_conn *c, const struct store_notification *n)
{
	struct db_params p;

	db_params_init(&p);
	db_params_text(&p, n->kind);
	db_params_bytea(&p, n->transaction_id, n->transaction_id ? n->transaction_id_len : 0);
	db_params_text(&p, n->eid);
	db_params_text(&p, n->iccid);
	if (n->seq_number >= 0)
		db_params_int(&p, n->seq_number);
	else
		db_params_null(&p);
	db_params_bool(&p, n->verified);
	db_params_text(&p, n->result);
	if (n->order_id > 0)
		db_params_int(&p, n->order_id);
	else
		db_params_null(&p);
	db_params_bytea(&p, n->raw, n->raw_len);
	return exec_params(c, "notification_insert", &p);
}

/* ---- operator callback queue ---- */

int store_callback_insert(struct db_conn *c, int64_t order_id, const char *url, const char *body)
{
	struct db_params p;

	db_params_init(&p);
	if (order_id > 0)
		db_params_int(&p, order_id);
	else
		db_params_null(&p);
	db_params_text(&p, url);
	db_params_text(&p, body);
	return exec_params(c, "callback_insert", &p);
}

void store_callback_clear(struct store_callback *cb)
{
	if (!cb)
		return;
	free(cb->url);
	free(cb->body);
	memset(cb, 0, sizeof(*cb));
}

int store_callback_claim(struct db_conn *c, int64_t lease_seconds, struct store_callback *out)
{
	struct db_params p;
	struct db_result *res = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	db_params_init(&p);
	db_params_int(&p, lease_seconds);
	rc = db_query_one(c, "callback_claim", &p, &res);
	if (rc != DB_OK)
		goto out;
	out->id = get_int(res, 0, 0);
	out->attempts = get_int(res, 0, 1);
	out->url = strdup(db_result_text(res, 0, 2) ? db_result_text(res, 0, 2) : "");
	out->body = strdup(db_result_text(res, 0, 3) ? db_result_text(res, 0, 3) : "");
	if (!out->url || !out->body) {
		store_callback_clear(out);
		rc = DB_E_NOMEM;
	}
out:
	db_result_free(res);
	return rc;
}

int store_callback_done(struct db_conn *c, int64_t id, const char *error)
{
	struct db_params p;

	db_params_init(&p);
	db_params_int(&p, id);
	db_params_text(&p, error);
	return exec_params(c, "callback_done", &p);
}

int store_callback_failed(struct db_conn *c, int64_t id, const char *error)
{
	struct db_params p;

	db_params_init(&p);
	db_params_int(&p, id);
	db_params_text(&p, error);
	return exec_params(c, "callback_failed", &p);
}
