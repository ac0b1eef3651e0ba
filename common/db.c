/*
 * PostgreSQL access over libpq: connection pool, prepared statements, transactions with retry
 * and the numbered-migrations runner. See common/db.h for the contract.
 */
#include "common/db.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#define DEFAULT_MAX_CONNS 8
#define MAX_MIGRATION_FILE (1024 * 1024)
#define MAX_MIGRATIONS 1000
/* pg_advisory_lock key of the migrations runner: "RSPM" in ASCII. */
#define MIGRATION_LOCK_KEY "1381191757"

struct db {
	char *conninfo;
	struct db_limits limits;
	const struct db_statement *stmts;
	size_t n_stmts;
	size_t max_conns;
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct db_conn **idle;
	size_t n_idle;
	size_t n_open;
};

struct db_conn {
	struct db *db;
	PGconn *pg;
	const struct log_ctx *ctx;
	bool in_transaction;
	int last_status; /* class of the last failure since db_begin */
	char error[DB_MAX_ERROR];
};

struct db_result {
	PGresult *pg;
};

/* ---- errors ---- */

/* Replaces line breaks (libpq messages span lines) so the text fits one log line. */
static void flatten(char *text)
{
	size_t n = strlen(text);

	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
		text[--n] = '\0';
	for (char *p = text; *p; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	}
}

static void set_error(struct db_conn *conn, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_error(struct db_conn *conn, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(conn->error, sizeof(conn->error), fmt, ap);
	va_end(ap);
	flatten(conn->error);
}

/* "primary message (SQLSTATE xxxxx) detail hint" of a failed result, or libpq's message. */
static void describe_failure(const PGconn *pg, const PGresult *res, char *out, size_t size)
{
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;

	if (!primary) {
		snprintf(out, size, "%s", res ? PQresultErrorMessage(res) : PQerrorMessage(pg));
		flatten(out);
		return;
	}
	snprintf(out, size, "%s (SQLSTATE %s)%s%s%s%s", primary, state ? state : "?",
		 detail ? " " : "", detail ? detail : "", hint ? " " : "", hint ? hint : "");
	flatten(out);
}

const char *db_conn_error(const struct db_conn *conn)
{
	return conn ? conn->error : "";
}

/* Maps a failed result to a db_status by SQLSTATE (PostgreSQL "Error Codes" appendix). */
static int classify(const struct db_conn *conn, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(conn->pg) == CONNECTION_BAD)
		return DB_E_CONNECTION;
	if (!state)
		return res ? DB_E_OTHER : DB_E_CONNECTION;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		return DB_E_SERIALIZATION;
	if (strncmp(state, "23", 2) == 0)
		return DB_E_CONFLICT;
	/* 57014: statement_timeout; 55P03: lock_timeout (the statements use no NOWAIT). */
	if (strcmp(state, "57014") == 0 || strcmp(state, "55P03") == 0)
		return DB_E_TIMEOUT;
	/* 08: connection exception; 57P01..57P03: server shutting down or not accepting. */
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0)
		return DB_E_CONNECTION;
	return DB_E_OTHER;
}

static int record_failure(struct db_conn *conn, const PGresult *res, const char *operation)
{
	int st = classify(conn, res);

	describe_failure(conn->pg, res, conn->error, sizeof(conn->error));
	conn->last_status = st;
	if (st == DB_E_CONFLICT || st == DB_E_SERIALIZATION)
		LOG_DEBUG("db", conn->ctx, "%s: %s", operation, conn->error);
	else if (st == DB_E_TIMEOUT)
		LOG_ERROR("db", conn->ctx, "%s timed out (statement_timeout %" PRId64 " ms, "
			  "lock_timeout %" PRId64 " ms): %s", operation,
			  conn->db->limits.statement_timeout_ms, conn->db->limits.lock_timeout_ms,
			  conn->error);
	else
		LOG_ERROR("db", conn->ctx, "%s failed: %s", operation, conn->error);
	return st;
}

/* ---- waiting for the server within the reply limit ---- */

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on the connection's socket until deadline (monotonic ms, 0: none).
 * Returns 1 when ready, 0 when the deadline passed, -1 when the socket is unusable. */
static int wait_socket(PGconn *pg, short events, int64_t deadline)
{
	struct pollfd pfd = { .fd = PQsocket(pg), .events = events };

	if (pfd.fd < 0)
		return -1;
	for (;;) {
		int timeout = -1, n;

		if (deadline > 0) {
			int64_t left = deadline - monotonic_ms();

			if (left <= 0)
				return 0;
			timeout = left > INT_MAX ? INT_MAX : (int)left;
		}
		n = poll(&pfd, 1, timeout);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

/* Closes a connection whose server stopped responding; the next use reopens it. No cancel
 * request is sent, because PQcancel (libpq 15) waits for the server without a time limit. */
static void drop_connection(struct db_conn *conn)
{
	PQfinish(conn->pg);
	conn->pg = NULL;
}

static int record_no_reply(struct db_conn *conn, const char *operation)
{
	set_error(conn, "no reply from the database server within %" PRId64 " ms; connection "
		  "closed", conn->db->limits.reply_timeout_ms);
	conn->last_status = DB_E_TIMEOUT;
	LOG_ERROR("db", conn->ctx, "%s timed out: %s", operation, conn->error);
	return DB_E_TIMEOUT;
}

/*
 * Collects the reply to the query that a PQsend* call just queued (sent is its return value),
 * as PQexec does: *out receives the last result, or the first failed one, or NULL when libpq
 * has only an error message. The connection is in nonblocking mode, so every wait here is a
 * poll bounded by reply_timeout_ms. Returns DB_OK, or DB_E_TIMEOUT (recorded and logged) after
 * closing the connection.
 */
static int await_reply(struct db_conn *conn, int sent, const char *operation, PGresult **out)
{
	int64_t limit = conn->db->limits.reply_timeout_ms;
	int64_t deadline = limit > 0 ? monotonic_ms() + limit : 0;
	PGconn *pg = conn->pg;
	PGresult *res;
	int ready = 1;

	*out = NULL;
	if (!sent)
		return DB_OK;
	/* Send the whole query. Reading meanwhile keeps the server from waiting on a full socket
	 * buffer while this side waits to write. */
	while (PQflush(pg) == 1) {
		ready = wait_socket(pg, POLLIN | POLLOUT, deadline);
		if (ready <= 0 || !PQconsumeInput(pg))
			break;
	}
	while (ready != 0) {
		while (PQisBusy(pg)) {
			ready = wait_socket(pg, POLLIN, deadline);
			if (ready <= 0 || !PQconsumeInput(pg))
				break;
		}
		if (ready == 0)
			break;
		res = PQgetResult(pg);
		if (!res)
			return DB_OK;
		if (*out && PQresultStatus(*out) == PGRES_FATAL_ERROR) {
			PQclear(res);
		} else {
			PQclear(*out);
			*out = res;
		}
	}
	PQclear(*out);
	*out = NULL;
	drop_connection(conn);
	return record_no_reply(conn, operation);
}

/* ---- connections ---- */

static void notice_to_log(void *arg, const char *message)
{
	(void)arg;
	LOG_DEBUG("db", NULL, "server notice: %.*s", (int)strcspn(message, "\n"), message);
}

static int prepare_all(struct db_conn *conn)
{
	const struct db *db = conn->db;

	for (size_t i = 0; i < db->n_stmts; i++) {
		PGresult *res = NULL;
		int rc = await_reply(conn,
				     PQsendPrepare(conn->pg, db->stmts[i].name, db->stmts[i].sql,
						   0, NULL),
				     "PREPARE", &res);

		if (rc == DB_OK && PQresultStatus(res) != PGRES_COMMAND_OK) {
			char why[DB_MAX_ERROR];

			rc = classify(conn, res);
			describe_failure(conn->pg, res, why, sizeof(why));
			set_error(conn, "preparing statement %s: %s", db->stmts[i].name, why);
			LOG_ERROR("db", conn->ctx, "%s", conn->error);
		}
		PQclear(res);
		if (rc != DB_OK)
			return rc;
	}
	return DB_OK;
}

/* Sets the server-side limits of the pool on a new connection. */
static int set_server_limits(struct db_conn *conn)
{
	const struct db_limits *l = &conn->db->limits;
	char sql[128] = "";
	size_t n = 0;
	PGresult *res = NULL;
	int rc;

	/* 0 keeps the server's own setting (postgresql.conf or the role's). */
	if (l->statement_timeout_ms > 0)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "SET statement_timeout = %" PRId64 ";",
				      l->statement_timeout_ms);
	if (l->lock_timeout_ms > 0 && n < sizeof(sql))
		snprintf(sql + n, sizeof(sql) - n, "SET lock_timeout = %" PRId64 ";",
			 l->lock_timeout_ms);
	if (!sql[0])
		return DB_OK;
	rc = await_reply(conn, PQsendQuery(conn->pg, sql), "setting the timeouts", &res);
	if (rc == DB_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = record_failure(conn, res, "setting the timeouts");
	PQclear(res);
	return rc;
}

/* Opens conn->pg with the pool's conninfo and limits, then prepares every statement. */
static int connect_conn(struct db_conn *conn)
{
	const struct db *db = conn->db;
	const char *keys[3] = { "dbname", NULL, NULL };
	const char *values[3] = { db->conninfo, NULL, NULL };
	char seconds[24];

	/* The conninfo is expanded from "dbname"; a connect_timeout after it replaces its own. */
	if (db->limits.connect_timeout_ms > 0) {
		snprintf(seconds, sizeof(seconds), "%" PRId64,
			 (db->limits.connect_timeout_ms + 999) / 1000);
		keys[1] = "connect_timeout";
		values[1] = seconds;
	}
	conn->pg = PQconnectdbParams(keys, values, 1);
	if (!conn->pg) {
		set_error(conn, "out of memory opening a connection");
		return DB_E_NOMEM;
	}
	if (PQstatus(conn->pg) != CONNECTION_OK) {
		set_error(conn, "cannot connect: %s", PQerrorMessage(conn->pg));
		LOG_ERROR("db", conn->ctx, "%s", conn->error);
		return DB_E_CONNECTION;
	}
	PQsetNoticeProcessor(conn->pg, notice_to_log, NULL);
	/* Nonblocking mode lets await_reply bound every wait, sending included. */
	if (PQsetnonblocking(conn->pg, 1) != 0) {
		set_error(conn, "cannot set nonblocking mode: %s", PQerrorMessage(conn->pg));
		LOG_ERROR("db", conn->ctx, "%s", conn->error);
		return DB_E_CONNECTION;
	}
	conn->in_transaction = false;
	if (set_server_limits(conn) != DB_OK)
		return conn->last_status;
	return prepare_all(conn);
}

static void conn_free(struct db_conn *conn)
{
	if (!conn)
		return;
	if (conn->pg)
		PQfinish(conn->pg);
	free(conn);
}

static int conn_new(struct db *db, const struct log_ctx *ctx, struct db_conn **out)
{
	struct db_conn *conn = calloc(1, sizeof(*conn));
	int rc;

	*out = NULL;
	if (!conn)
		return DB_E_NOMEM;
	conn->db = db;
	conn->ctx = ctx;
	rc = connect_conn(conn);
	if (rc != DB_OK) {
		conn_free(conn);
		return rc;
	}
	*out = conn;
	return DB_OK;
}

/* Reopens a lost connection and prepares the statements again. cause goes into the log. */
static int reconnect(struct db_conn *conn, const char *cause)
{
	int rc;

	PQfinish(conn->pg);
	conn->pg = NULL;
	conn->in_transaction = false;
	rc = connect_conn(conn);
	if (rc != DB_OK) {
		LOG_ERROR("db", conn->ctx, "reopening the connection (%s) failed", cause);
		drop_connection(conn);
		return conn->last_status = rc;
	}
	LOG_WARN("db", conn->ctx, "connection reopened (%s)", cause);
	return DB_OK;
}

/*
 * Reads what the server sent on a connection without a transaction in progress. A server
 * that shuts down or terminates the backend (restart, pg_terminate_backend) sends a FATAL
 * message and closes the connection. Reading both here marks the connection bad before a
 * statement is sent on it. Returns whether the connection is still usable.
 */
static bool idle_connection_usable(struct db_conn *conn)
{
	struct pollfd pfd;

	if (PQstatus(conn->pg) != CONNECTION_OK)
		return false;
	pfd.fd = PQsocket(conn->pg);
	pfd.events = POLLIN;
	/* The FATAL message and the EOF may come in separate reads. */
	for (int i = 0; i < 4 && poll(&pfd, 1, 0) > 0; i++) {
		PGnotify *note;

		if (!PQconsumeInput(conn->pg))
			return false;
		while ((note = PQnotifies(conn->pg)) != NULL)
			PQfreemem(note);
	}
	return PQstatus(conn->pg) == CONNECTION_OK;
}

/* Makes sure a connection outside a transaction can take a statement: reopens it when the
 * server closed it since its last use, or when a timeout or a failed reopen left it closed. */
static int ensure_usable(struct db_conn *conn)
{
	if (idle_connection_usable(conn))
		return DB_OK;
	return reconnect(conn, conn->pg ? "closed by the server while idle" :
					  "closed after a timeout or a failed reopen");
}

int db_open_limited(const char *conninfo, const struct db_limits *limits,
		    const struct db_statement *stmts, size_t n_stmts, size_t max_conns,
		    struct db **out)
{
	struct db *db = NULL;
	struct db_conn *first = NULL;
	int rc = DB_E_NOMEM;

	*out = NULL;
	if (!conninfo || (n_stmts > 0 && !stmts))
		return DB_E_INVALID;
	if (limits && (limits->connect_timeout_ms < 0 || limits->statement_timeout_ms < 0 ||
		       limits->lock_timeout_ms < 0 || limits->reply_timeout_ms < 0))
		return DB_E_INVALID;
	db = calloc(1, sizeof(*db));
	if (!db)
		return DB_E_NOMEM;
	if (limits)
		db->limits = *limits;
	db->max_conns = max_conns ? max_conns : DEFAULT_MAX_CONNS;
	db->stmts = stmts;
	db->n_stmts = n_stmts;
	db->conninfo = strdup(conninfo);
	db->idle = calloc(db->max_conns, sizeof(*db->idle));
	pthread_mutex_init(&db->lock, NULL);
	pthread_cond_init(&db->freed, NULL);
	if (!db->conninfo || !db->idle)
		goto out;

	rc = conn_new(db, NULL, &first);
	if (rc != DB_OK)
		goto out;
	db->idle[db->n_idle++] = first;
	db->n_open = 1;
	LOG_INFO("db", NULL, "connected, %zu prepared statements, pool of up to %zu connections",
		 n_stmts, db->max_conns);
	if (limits)
		LOG_INFO("db", NULL, "limits: connect_timeout %" PRId64 " ms, statement_timeout %"
			 PRId64 " ms, lock_timeout %" PRId64 " ms, reply %" PRId64 " ms (0: none)",
			 db->limits.connect_timeout_ms, db->limits.statement_timeout_ms,
			 db->limits.lock_timeout_ms, db->limits.reply_timeout_ms);
	*out = db;
	db = NULL;
out:
	db_close(db);
	return rc;
}

int db_open(const char *conninfo, const struct db_statement *stmts, size_t n_stmts,
	    size_t max_conns, struct db **out)
{
	return db_open_limited(conninfo, NULL, stmts, n_stmts, max_conns, out);
}

void db_close(struct db *db)
{
	if (!db)
		return;
	if (db->n_open != db->n_idle)
		LOG_ERROR("db", NULL, "closing the pool with %zu connections still in use",
			  db->n_open - db->n_idle);
	for (size_t i = 0; i < db->n_idle; i++)
		conn_free(db->idle[i]);
	pthread_cond_destroy(&db->freed);
	pthread_mutex_destroy(&db->lock);
	free(db->idle);
	free(db->conninfo);
	free(db);
}

int db_acquire(struct db *db, const struct log_ctx *ctx, struct db_conn **out)
{
	struct db_conn *conn = NULL;
	struct timespec deadline;
	int rc;

	*out = NULL;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += DB_ACQUIRE_TIMEOUT_MS / 1000;

	pthread_mutex_lock(&db->lock);
	while (db->n_idle == 0 && db->n_open >= db->max_conns) {
		if (pthread_cond_timedwait(&db->freed, &db->lock, &deadline) == ETIMEDOUT &&
		    db->n_idle == 0) {
			pthread_mutex_unlock(&db->lock);
			LOG_ERROR("db", ctx, "all %zu connections busy for %d ms", db->max_conns,
				  DB_ACQUIRE_TIMEOUT_MS);
			return DB_E_BUSY;
		}
	}
	if (db->n_idle > 0) {
		conn = db->idle[--db->n_idle];
		pthread_mutex_unlock(&db->lock);
		conn->ctx = ctx;
		conn->error[0] = '\0';
		rc = ensure_usable(conn);
		if (rc == DB_OK)
			goto done;
		conn_free(conn);
		goto failed;
	}
	db->n_open++; /* reserve the slot while connecting without the lock */
	pthread_mutex_unlock(&db->lock);
	rc = conn_new(db, ctx, &conn);
	if (rc == DB_OK)
		goto done;
failed:
	pthread_mutex_lock(&db->lock);
	db->n_open--;
	pthread_cond_signal(&db->freed);
	pthread_mutex_unlock(&db->lock);
	return rc;
done:
	*out = conn;
	return DB_OK;
}

void db_release(struct db_conn *conn)
{
	struct db *db;

	if (!conn)
		return;
	db = conn->db;
	if (conn->in_transaction) {
		LOG_ERROR("db", conn->ctx,
			  "connection released inside a transaction, rolling it back");
		db_rollback(conn);
	}
	conn->ctx = NULL;
	pthread_mutex_lock(&db->lock);
	db->idle[db->n_idle++] = conn;
	pthread_cond_signal(&db->freed);
	pthread_mutex_unlock(&db->lock);
}

/* ---- parameters ---- */

void db_params_init(struct db_params *p)
{
	memset(p, 0, sizeof(*p));
}

static int next_slot(struct db_params *p)
{
	if (p->n >= DB_MAX_PARAMS) {
		p->overflow = true;
		return -1;
	}
	return p->n++;
}

void db_params_text(struct db_params *p, const char *text)
{
	int i = next_slot(p);

	if (i < 0)
		return;
	p->values[i] = text;
	p->lengths[i] = 0;
	p->formats[i] = 0;
}

void db_params_bytea(struct db_params *p, const uint8_t *data, size_t len)
{
	int i = next_slot(p);

	if (i < 0)
		return;
	if (len > INT32_MAX) {
		p->overflow = true;
		return;
	}
	/* A zero-length value still needs a non-NULL pointer, or it would be SQL NULL. */
	p->values[i] = data ? (const char *)data : NULL;
	if (data && len == 0)
		p->values[i] = "";
	p->lengths[i] = (int)len;
	p->formats[i] = 1;
}

void db_params_int(struct db_params *p, int64_t value)
{
	int i = next_slot(p);

	if (i < 0)
		return;
	snprintf(p->numbers[i], sizeof(p->numbers[i]), "%" PRId64, value);
	p->values[i] = p->numbers[i];
	p->formats[i] = 0;
}

void db_params_bool(struct db_params *p, bool value)
{
	db_params_text(p, value ? "true" : "false");
}

void db_params_null(struct db_params *p)
{
	db_params_text(p, NULL);
}

/* ---- statements ---- */

static bool statement_known(const struct db *db, const char *name)
{
	for (size_t i = 0; i < db->n_stmts; i++) {
		if (strcmp(db->stmts[i].name, name) == 0)
			return true;
	}
	return false;
}

int db_exec(struct db_conn *conn, const char *name, const struct db_params *p,
	    struct db_result **res)
{
	static const struct db_params none;
	PGresult *pg_res;
	ExecStatusType st;
	int rc;

	if (res)
		*res = NULL;
	if (!p)
		p = &none;
	if (!statement_known(conn->db, name) || p->overflow) {
		set_error(conn, "statement %s: %s", name,
			  p->overflow ? "too many parameters" : "not in the statement table");
		LOG_ERROR("db", conn->ctx, "%s", conn->error);
		return DB_E_INVALID;
	}
	/* Outside a transaction a closed connection can be reopened before the statement runs. */
	if (!conn->in_transaction) {
		rc = ensure_usable(conn);
		if (rc != DB_OK)
			return rc;
	}
	rc = await_reply(conn,
			 PQsendQueryPrepared(conn->pg, name, p->n, p->values, p->lengths,
					     p->formats, 0),
			 name, &pg_res);
	if (rc != DB_OK)
		return rc;
	st = PQresultStatus(pg_res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		rc = record_failure(conn, pg_res, name);
		PQclear(pg_res);
		return rc;
	}
	if (!res) {
		PQclear(pg_res);
		return DB_OK;
	}
	*res = malloc(sizeof(**res));
	if (!*res) {
		PQclear(pg_res);
		return DB_E_NOMEM;
	}
	(*res)->pg = pg_res;
	return DB_OK;
}

int db_query_one(struct db_conn *conn, const char *name, const struct db_params *p,
		 struct db_result **res)
{
	int rc = db_exec(conn, name, p, res);

	if (rc != DB_OK)
		return rc;
	if (db_result_rows(*res) == 0) {
		db_result_free(*res);
		*res = NULL;
		return DB_E_NOT_FOUND;
	}
	return DB_OK;
}

/* Runs SQL text; *command receives the command tag when not NULL (e.g. "COMMIT"). */
static int exec_text(struct db_conn *conn, const char *sql, const char *operation, char *command,
		     size_t command_size)
{
	PGresult *res = NULL;
	ExecStatusType st;
	int rc = await_reply(conn, PQsendQuery(conn->pg, sql), operation, &res);

	if (rc != DB_OK)
		return rc;
	st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = record_failure(conn, res, operation);
	else if (command)
		snprintf(command, command_size, "%s", PQcmdStatus(res));
	PQclear(res);
	return rc;
}

int db_exec_sql(struct db_conn *conn, const char *sql)
{
	int rc;

	if (!conn->in_transaction) {
		rc = ensure_usable(conn);
		if (rc != DB_OK)
			return rc;
	}
	return exec_text(conn, sql, "SQL", NULL, 0);
}

/* ---- results ---- */

int db_result_rows(const struct db_result *res)
{
	return res ? PQntuples(res->pg) : 0;
}

int64_t db_result_affected(const struct db_result *res)
{
	const char *n = res ? PQcmdTuples(res->pg) : "";

	return *n ? strtoll(n, NULL, 10) : 0;
}

static bool in_range(const struct db_result *res, int row, int col)
{
	return res && row >= 0 && col >= 0 && row < PQntuples(res->pg) && col < PQnfields(res->pg);
}

bool db_result_is_null(const struct db_result *res, int row, int col)
{
	return !in_range(res, row, col) || PQgetisnull(res->pg, row, col);
}

const char *db_result_text(const struct db_result *res, int row, int col)
{
	if (db_result_is_null(res, row, col))
		return NULL;
	return PQgetvalue(res->pg, row, col);
}

int db_result_int(const struct db_result *res, int row, int col, int64_t *out)
{
	const char *text = db_result_text(res, row, col);
	char *end;
	long long v;

	if (!text)
		return in_range(res, row, col) ? DB_E_NOT_FOUND : DB_E_INVALID;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno || end == text || *end)
		return DB_E_INVALID;
	*out = v;
	return DB_OK;
}

int db_result_bool(const struct db_result *res, int row, int col, bool *out)
{
	const char *text = db_result_text(res, row, col);

	if (!text)
		return in_range(res, row, col) ? DB_E_NOT_FOUND : DB_E_INVALID;
	if (strcmp(text, "t") == 0)
		*out = true;
	else if (strcmp(text, "f") == 0)
		*out = false;
	else
		return DB_E_INVALID;
	return DB_OK;
}

int db_result_bytea(const struct db_result *res, int row, int col, uint8_t *out,
		    size_t out_size, size_t *out_len)
{
	const char *text = db_result_text(res, row, col);
	unsigned char *raw;
	size_t n = 0;
	int rc = DB_OK;

	if (!text)
		return in_range(res, row, col) ? DB_E_NOT_FOUND : DB_E_INVALID;
	raw = PQunescapeBytea((const unsigned char *)text, &n);
	if (!raw)
		return DB_E_NOMEM;
	if (n > out_size) {
		rc = DB_E_INVALID;
	} else {
		if (n > 0)
			memcpy(out, raw, n);
		*out_len = n;
	}
	PQfreemem(raw);
	return rc;
}

void db_result_free(struct db_result *res)
{
	if (!res)
		return;
	PQclear(res->pg);
	free(res);
}

/* ---- transactions ---- */

int db_begin(struct db_conn *conn, enum db_isolation isolation)
{
	static const char *const sql[] = {
		[DB_READ_COMMITTED] = "BEGIN ISOLATION LEVEL READ COMMITTED",
		[DB_REPEATABLE_READ] = "BEGIN ISOLATION LEVEL REPEATABLE READ",
		[DB_SERIALIZABLE] = "BEGIN ISOLATION LEVEL SERIALIZABLE",
	};
	int rc;

	if ((unsigned)isolation > DB_SERIALIZABLE)
		return DB_E_INVALID;
	if (!conn->in_transaction) {
		rc = ensure_usable(conn);
		if (rc != DB_OK)
			return rc;
	}
	conn->last_status = DB_OK;
	rc = exec_text(conn, sql[isolation], "BEGIN", NULL, 0);
	if (rc == DB_OK)
		conn->in_transaction = true;
	return rc;
}

int db_commit(struct db_conn *conn)
{
	char command[32] = "";
	int rc = exec_text(conn, "COMMIT", "COMMIT", command, sizeof(command));

	conn->in_transaction = false;
	if (rc != DB_OK)
		return rc;
	/* COMMIT of a transaction that an earlier error aborted reports ROLLBACK. */
	if (strcmp(command, "COMMIT") != 0) {
		set_error(conn, "transaction rolled back by an earlier error");
		LOG_ERROR("db", conn->ctx, "COMMIT failed: %s", conn->error);
		return DB_E_OTHER;
	}
	return DB_OK;
}

int db_rollback(struct db_conn *conn)
{
	int rc;

	if (PQstatus(conn->pg) != CONNECTION_OK) {
		conn->in_transaction = false;
		return DB_E_CONNECTION;
	}
	rc = exec_text(conn, "ROLLBACK", "ROLLBACK", NULL, 0);
	conn->in_transaction = false;
	return rc;
}

int db_transaction(struct db_conn *conn, enum db_isolation isolation,
		   int (*fn)(struct db_conn *conn, void *arg), void *arg, int *fn_result)
{
	int serialization_retries = 0;
	bool reconnected = false;
	int rc, result;

	if (fn_result)
		*fn_result = 0;
	for (;;) {
		rc = db_begin(conn, isolation);
		if (rc == DB_E_CONNECTION && !reconnected) {
			reconnected = true;
			if (reconnect(conn, "BEGIN failed") == DB_OK)
				continue;
		}
		if (rc != DB_OK)
			return rc;

		result = fn(conn, arg);
		if (fn_result)
			*fn_result = result;
		if (result == 0) {
			rc = db_commit(conn);
			if (rc != DB_E_SERIALIZATION)
				return rc; /* DB_OK, or a failure a retry cannot fix */
		} else {
			rc = conn->last_status;
			db_rollback(conn);
			if (rc != DB_E_SERIALIZATION && rc != DB_E_CONNECTION)
				return DB_E_ABORTED;
		}

		if (rc == DB_E_SERIALIZATION) {
			if (serialization_retries >= DB_TRANSACTION_RETRIES) {
				LOG_ERROR("db", conn->ctx,
					  "transaction failed after %d retries: %s",
					  serialization_retries, conn->error);
				return rc;
			}
			serialization_retries++;
			LOG_INFO("db", conn->ctx, "serialization conflict, retrying (%d of %d)",
				 serialization_retries, DB_TRANSACTION_RETRIES);
			continue;
		}
		/* Connection lost inside the transaction: nothing was committed. */
		if (reconnected)
			return rc;
		reconnected = true;
		LOG_WARN("db", conn->ctx, "connection lost inside a transaction, retrying once");
		if (reconnect(conn, "lost inside a transaction") != DB_OK)
			return DB_E_CONNECTION;
	}
}

/* ---- migrations ---- */

struct migration {
	long version;
	char *file; /* file name within the folder */
};

static void migration_error(char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void migration_error(char *err, size_t err_len, const char *fmt, ...)
{
	char buf[DB_MAX_ERROR];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	flatten(buf);
	LOG_ERROR("db", NULL, "migration: %s", buf);
	if (err && err_len > 0)
		snprintf(err, err_len, "%s", buf);
}

/* Parses "NNN_name.sql"; returns the version, 0 for a file that is no migration, -1 if bad. */
static long migration_version(const char *name)
{
	size_t len = strlen(name);
	long version = 0;
	size_t i = 0;

	if (len < 4 || strcmp(name + len - 4, ".sql") != 0)
		return 0;
	for (; name[i] >= '0' && name[i] <= '9'; i++) {
		if (i >= 9)
			return -1;
		version = version * 10 + (name[i] - '0');
	}
	if (i == 0 || name[i] != '_' || i + 1 + 4 >= len || version == 0)
		return -1;
	return version;
}

static int compare_migrations(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

static void free_migrations(struct migration *list, size_t n)
{
	if (!list)
		return;
	for (size_t i = 0; i < n; i++)
		free(list[i].file);
	free(list);
}

/* Lists the migration files of dir sorted by version. */
static int list_migrations(const char *dir, struct migration **out, size_t *n_out, char *err,
			   size_t err_len)
{
	struct migration *list = NULL;
	size_t n = 0;
	struct dirent *entry;
	DIR *d = opendir(dir);
	int rc = DB_E_MIGRATION;

	*out = NULL;
	*n_out = 0;
	if (!d) {
		migration_error(err, err_len, "cannot open folder %s: %s", dir, strerror(errno));
		return DB_E_MIGRATION;
	}
	list = calloc(MAX_MIGRATIONS, sizeof(*list));
	if (!list) {
		rc = DB_E_NOMEM;
		goto out;
	}
	while ((entry = readdir(d)) != NULL) {
		long version = migration_version(entry->d_name);

		if (version == 0)
			continue;
		if (version < 0) {
			migration_error(err, err_len,
					"%s/%s: name must be NNN_name.sql "
					"with a version of 1 to 9 digits",
					dir, entry->d_name);
			goto out;
		}
		if (n >= MAX_MIGRATIONS) {
			migration_error(err, err_len, "%s: more than %d migrations", dir,
					MAX_MIGRATIONS);
			goto out;
		}
		list[n].version = version;
		list[n].file = strdup(entry->d_name);
		if (!list[n++].file) {
			rc = DB_E_NOMEM;
			goto out;
		}
	}
	qsort(list, n, sizeof(*list), compare_migrations);
	for (size_t i = 1; i < n; i++) {
		if (list[i].version == list[i - 1].version) {
			migration_error(err, err_len, "%s: %s and %s have the same version", dir,
					list[i - 1].file, list[i].file);
			goto out;
		}
	}
	*out = list;
	*n_out = n;
	list = NULL;
	rc = DB_OK;
out:
	free_migrations(list, n);
	closedir(d);
	return rc;
}

static char *read_text_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(MAX_MIGRATION_FILE + 1);
	if (buf) {
		n = fread(buf, 1, MAX_MIGRATION_FILE + 1, f);
		if (ferror(f) || n > MAX_MIGRATION_FILE || memchr(buf, '\0', n)) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
		}
	}
	fclose(f);
	return buf;
}

static bool version_applied(const PGresult *applied, long version)
{
	for (int i = 0; i < PQntuples(applied); i++) {
		if (strtol(PQgetvalue(applied, i, 0), NULL, 10) == version)
			return true;
	}
	return false;
}

/* Applies one file and records it, in one transaction. */
static int apply_migration(struct db_conn *conn, const char *dir, const struct migration *m,
			   char *err, size_t err_len)
{
	char path[4096], version[24], why[DB_MAX_ERROR];
	const char *values[2];
	char *sql = NULL;
	PGresult *res = NULL;
	int rc = DB_E_MIGRATION;

	snprintf(path, sizeof(path), "%s/%s", dir, m->file);
	sql = read_text_file(path);
	if (!sql) {
		migration_error(err, err_len, "%s: cannot read, or larger than %d bytes", path,
				MAX_MIGRATION_FILE);
		goto out;
	}
	if (db_begin(conn, DB_READ_COMMITTED) != DB_OK) {
		migration_error(err, err_len, "%s: BEGIN failed: %s", path, conn->error);
		goto out;
	}
	res = PQexec(conn->pg, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		describe_failure(conn->pg, res, why, sizeof(why));
		migration_error(err, err_len, "%s: %s", path, why);
		db_rollback(conn);
		goto out;
	}
	PQclear(res);
	snprintf(version, sizeof(version), "%ld", m->version);
	values[0] = version;
	values[1] = m->file;
	res = PQexecParams(conn->pg,
			   "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2, NULL,
			   values, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		describe_failure(conn->pg, res, why, sizeof(why));
		migration_error(err, err_len, "%s: recording the version failed: %s", path, why);
		db_rollback(conn);
		goto out;
	}
	if (db_commit(conn) != DB_OK) {
		migration_error(err, err_len, "%s: COMMIT failed: %s", path, conn->error);
		goto out;
	}
	LOG_INFO("db", NULL, "applied migration %s", m->file);
	rc = DB_OK;
out:
	PQclear(res);
	free(sql);
	return rc;
}

int db_migrate(const char *conninfo, const char *dir, int *applied, char *err, size_t err_len)
{
	struct db *db = NULL;
	struct db_conn *conn = NULL;
	struct migration *list = NULL;
	PGresult *done = NULL;
	size_t n = 0;
	int count = 0;
	int rc;

	if (applied)
		*applied = 0;
	if (err && err_len > 0)
		err[0] = '\0';
	rc = list_migrations(dir, &list, &n, err, err_len);
	if (rc != DB_OK)
		goto out;
	rc = db_open(conninfo, NULL, 0, 1, &db);
	if (rc == DB_OK)
		rc = db_acquire(db, NULL, &conn);
	if (rc != DB_OK) {
		migration_error(err, err_len, "cannot connect to the database");
		goto out;
	}

	/* Serializes concurrent runners; released when the session ends at the latest. */
	rc = exec_text(conn, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")", "advisory lock",
		       NULL, 0);
	if (rc == DB_OK)
		rc = exec_text(conn,
			       "SET client_min_messages = warning;"
			       "CREATE TABLE IF NOT EXISTS schema_migrations ("
			       " version integer PRIMARY KEY,"
			       " name text NOT NULL,"
			       " applied_at timestamptz NOT NULL DEFAULT now())",
			       "creating schema_migrations", NULL, 0);
	if (rc != DB_OK) {
		migration_error(err, err_len, "%s", conn->error);
		rc = DB_E_MIGRATION;
		goto out;
	}
	done = PQexec(conn->pg, "SELECT version FROM schema_migrations ORDER BY version");
	if (PQresultStatus(done) != PGRES_TUPLES_OK) {
		char why[DB_MAX_ERROR];

		describe_failure(conn->pg, done, why, sizeof(why));
		migration_error(err, err_len, "reading schema_migrations: %s", why);
		rc = DB_E_MIGRATION;
		goto out;
	}
	if (PQntuples(done) > 0 &&
	    (n == 0 || strtol(PQgetvalue(done, PQntuples(done) - 1, 0), NULL, 10) >
			       list[n - 1].version))
		LOG_WARN("db", NULL, "the database has a schema version newer than the files in %s",
			 dir);

	for (size_t i = 0; i < n; i++) {
		if (version_applied(done, list[i].version))
			continue;
		rc = apply_migration(conn, dir, &list[i], err, err_len);
		if (rc != DB_OK)
			goto out;
		count++;
	}
	LOG_INFO("db", NULL, "schema up to date: %d migration%s applied, %zu known", count,
		 count == 1 ? "" : "s", n);
	rc = DB_OK;
out:
	if (conn)
		exec_text(conn, "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")",
			  "advisory unlock", NULL, 0);
	PQclear(done);
	db_release(conn);
	db_close(db);
	free_migrations(list, n);
	if (applied)
		*applied = count;
	return rc;
}
