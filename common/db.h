/*
 * PostgreSQL access over libpq: a pool of connections, prepared statements from one table,
 * typed parameters and results, transactions with retry, and the schema migrations runner.
 *
 * A struct db is shared by all threads. A thread takes a connection with db_acquire(), uses it
 * alone, and gives it back with db_release(). Connections open on demand up to max_conns and
 * stay open; size the pool as the number of HTTP worker threads so no request waits. Each new
 * connection prepares every statement of the table once. So db_open, which opens the first
 * connection, fails on a syntax error or a missing table, and db_migrate must run before it.
 *
 * Parameters are passed as text, or binary for bytea; results come back as text and bytea
 * columns are decoded from PostgreSQL's hex output.
 *
 * Errors: every function returns an enum db_status; db_conn_error() gives the server's message
 * of the last failure for the logs. Failures are also logged under subsystem "db" with the
 * log context given to db_acquire().
 *
 * Waits are bounded when the pool is opened with struct db_limits: connect_timeout when a
 * connection opens, the server's statement_timeout and lock_timeout on every connection, and
 * a client-side limit on waiting for a reply. The last one covers a server that stopped
 * responding (stopped process, lost host), where statement_timeout cannot fire. The connection
 * is then closed without a cancel request, because PQcancel of libpq 15 waits for the server
 * with no time limit.
 */
#ifndef COMMON_DB_H
#define COMMON_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/log.h"

enum db_status {
	DB_OK = 0,
	DB_E_NOT_FOUND = -1,     /* db_query_one: no row */
	DB_E_CONFLICT = -2,      /* unique, foreign key or check violation (SQLSTATE 23xxx) */
	DB_E_SERIALIZATION = -3, /* serialization failure or deadlock (40001, 40P01): retry */
	DB_E_CONNECTION = -4,    /* connection lost or cannot be opened */
	DB_E_OTHER = -5,         /* any other server error (see db_conn_error) */
	DB_E_INVALID = -6,       /* bad argument: unknown statement name, too many parameters */
	DB_E_NOMEM = -7,
	DB_E_BUSY = -8,          /* db_acquire: every connection in use for DB_ACQUIRE_TIMEOUT_MS */
	DB_E_ABORTED = -9,       /* db_transaction: the callback asked for a rollback */
	DB_E_MIGRATION = -10,    /* db_migrate: bad file name, unreadable file, failed script */
	DB_E_TIMEOUT = -11,      /* statement_timeout or lock_timeout fired (SQLSTATE 57014,
				  * 55P03), or no reply within reply_timeout_ms (connection closed) */
};

#define DB_MAX_PARAMS 16
#define DB_ACQUIRE_TIMEOUT_MS 10000
#define DB_TRANSACTION_RETRIES 5 /* attempts after a serialization failure */
#define DB_MAX_ERROR 512

/* One prepared statement: name used by callers, SQL with $1..$n placeholders. */
struct db_statement {
	const char *name;
	const char *sql;
};

struct db;
struct db_conn;
struct db_result;

/* Bounded waits of every connection of a pool, in milliseconds; 0 leaves a wait unbounded. */
struct db_limits {
	int64_t connect_timeout_ms;   /* libpq connect_timeout, rounded up to whole seconds */
	int64_t statement_timeout_ms; /* server statement_timeout, SET when the connection opens */
	int64_t lock_timeout_ms;      /* server lock_timeout (row and table lock waits), SET too */
	/* Client side: time to wait for the reply to one statement. Make it longer than
	 * statement_timeout, so that it fires only when the server stopped responding. */
	int64_t reply_timeout_ms;
};

/*
 * Opens the pool and one first connection (to fail fast on a bad conninfo or bad SQL). The
 * statement table must outlive the pool. max_conns 0 means 8. limits NULL leaves every wait
 * unbounded (as db_open does).
 */
int db_open_limited(const char *conninfo, const struct db_limits *limits,
		    const struct db_statement *stmts, size_t n_stmts, size_t max_conns,
		    struct db **out);

/* db_open_limited without limits. */
int db_open(const char *conninfo, const struct db_statement *stmts, size_t n_stmts,
	    size_t max_conns, struct db **out);

/* Closes every connection; all connections must have been released. Accepts NULL. */
void db_close(struct db *db);

/*
 * Takes a free connection (opening one when none is free and the pool is not full; waiting up
 * to DB_ACQUIRE_TIMEOUT_MS otherwise). ctx names the request in db log lines and must stay
 * valid until db_release (NULL: none). A connection found broken, or closed by the server
 * while it sat in the pool, is reopened here.
 */
int db_acquire(struct db *db, const struct log_ctx *ctx, struct db_conn **out);
void db_release(struct db_conn *conn);

/* The PostgreSQL message (or local cause) of the connection's last failure; "" if none. */
const char *db_conn_error(const struct db_conn *conn);

/* ---- parameters ---- */

/* Parameters of one statement call. Values are not copied except numbers; keep them alive. */
struct db_params {
	int n;
	const char *values[DB_MAX_PARAMS];
	int lengths[DB_MAX_PARAMS];
	int formats[DB_MAX_PARAMS]; /* 0 text, 1 binary */
	char numbers[DB_MAX_PARAMS][24];
	bool overflow; /* set when more than DB_MAX_PARAMS were added; the call then fails */
};

void db_params_init(struct db_params *p);
void db_params_text(struct db_params *p, const char *text); /* NULL: SQL NULL */
void db_params_bytea(struct db_params *p, const uint8_t *data, size_t len); /* NULL: SQL NULL */
void db_params_int(struct db_params *p, int64_t value);
void db_params_bool(struct db_params *p, bool value);
void db_params_null(struct db_params *p);

/* ---- statements ---- */

/*
 * Runs the prepared statement name. *res (may be NULL when the rows do not matter) receives
 * the result, freed with db_result_free. Returns DB_OK or an error class.
 *
 * A server restart or pg_terminate_backend ends idle connections with a message and EOF.
 * Outside a transaction, such a closed connection is noticed before the statement is sent,
 * and the statement runs on a reopened connection.
 *
 * NOTE: a connection lost without a sign while idle (host gone without closing the TCP
 * connection), or lost while the statement is in flight, still fails the statement with
 * DB_E_CONNECTION (or DB_E_TIMEOUT), and it is not retried because it may or may not have
 * run. Inside db_transaction the whole transaction is retried instead.
 */
int db_exec(struct db_conn *conn, const char *name, const struct db_params *p,
	    struct db_result **res);

/* Like db_exec, but a result without rows gives DB_E_NOT_FOUND (and *res NULL). */
int db_query_one(struct db_conn *conn, const char *name, const struct db_params *p,
		 struct db_result **res);

/* Runs SQL text without parameters (schema work, tests); not for request paths. */
int db_exec_sql(struct db_conn *conn, const char *sql);

/* ---- results ---- */

int db_result_rows(const struct db_result *res);
/* Rows changed by INSERT/UPDATE/DELETE. */
int64_t db_result_affected(const struct db_result *res);
bool db_result_is_null(const struct db_result *res, int row, int col);
/* The text value (owned by res), NULL for SQL NULL or an index out of range. */
const char *db_result_text(const struct db_result *res, int row, int col);
/* The following return DB_OK, DB_E_NOT_FOUND for SQL NULL, DB_E_INVALID for a bad value. */
int db_result_int(const struct db_result *res, int row, int col, int64_t *out);
int db_result_bool(const struct db_result *res, int row, int col, bool *out);
/* Decodes a bytea column into out (out_size bytes); DB_E_INVALID when it does not fit. */
int db_result_bytea(const struct db_result *res, int row, int col, uint8_t *out,
		    size_t out_size, size_t *out_len);
void db_result_free(struct db_result *res);

/* ---- transactions ---- */

enum db_isolation {
	DB_READ_COMMITTED,
	DB_REPEATABLE_READ,
	DB_SERIALIZABLE,
};

int db_begin(struct db_conn *conn, enum db_isolation isolation);
int db_commit(struct db_conn *conn);
int db_rollback(struct db_conn *conn);

/*
 * Runs fn(conn, arg) between BEGIN and COMMIT. fn returns 0 to commit, anything else to roll
 * back; its value is stored in *fn_result (may be NULL). When a statement inside fn or the
 * COMMIT fails with a serialization failure or deadlock, the transaction is rolled back and fn
 * runs again, up to DB_TRANSACTION_RETRIES more times. When the connection is lost, it is
 * reopened once and fn runs again. Each retry is logged. fn must therefore have no effect
 * outside the database.
 *
 * Returns DB_OK after a commit, DB_E_ABORTED when fn requested a rollback (not a database
 * error, and *fn_result contains fn's value), or the db_status that ended the attempts.
 *
 * A timeout (DB_E_TIMEOUT) is not retried: the caller gets it (as DB_E_ABORTED when fn saw it
 * and asked for the rollback) without waiting a second time.
 *
 * NOTE: when the connection is lost while COMMIT is in flight, or the reply to COMMIT does not
 * arrive within reply_timeout_ms, the outcome is unknown. The call then returns
 * DB_E_CONNECTION or DB_E_TIMEOUT without a retry.
 */
int db_transaction(struct db_conn *conn, enum db_isolation isolation,
		   int (*fn)(struct db_conn *conn, void *arg), void *arg, int *fn_result);

/* ---- migrations ---- */

/*
 * Applies the schema migrations of dir: files named NNN_name.sql (NNN a decimal version, at
 * least one digit, unique), in version order, each in its own transaction together with a row
 * in table schema_migrations (version, name, applied_at). Versions already recorded are
 * skipped. A session-level advisory lock serializes concurrent runners, so several processes
 * may start at once. Opens its own connection. *applied (may be NULL) receives the number of
 * files applied. Returns DB_OK, DB_E_CONNECTION or DB_E_MIGRATION (cause logged and written to
 * err when err is not NULL).
 */
int db_migrate(const char *conninfo, const char *dir, int *applied, char *err, size_t err_len);

#endif
