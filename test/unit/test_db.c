/*
 * Tests of common/db against the private PostgreSQL cluster of scripts/pg.sh. Migrations run
 * on an empty database, as an upgrade, with a failing file and from two runners at once.
 * Statements run with typed parameters, and transactions are retried after a serialization
 * failure and after a lost connection. Connections the server closed while idle are reopened
 * before a statement is sent. lock_timeout, statement_timeout, the client-side reply limit and
 * connect_timeout end their waits with DB_E_TIMEOUT or DB_E_CONNECTION.
 *
 * Each case works in its own database test_db_<pid>_<n>, dropped at the end. The cases are
 * skipped when the PostgreSQL 15 binaries are not installed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/db.h"
#include "test/harness.h"

#define PG_BIN "/usr/lib/postgresql/15/bin/initdb"

static char repo[2048] = ".";
static bool cluster_ready;
static int database_count;
static char databases[32][64];

/* Runs scripts/pg.sh with arguments; output (one line) into out when not NULL. */
static int pg_script(const char *args, char *out, size_t out_size)
{
	char cmd[4096];
	FILE *p;
	int rc;

	snprintf(cmd, sizeof(cmd), "'%s/scripts/pg.sh' %s", repo, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (out && out_size > 0) {
		out[0] = '\0';
		if (fgets(out, (int)out_size, p))
			out[strcspn(out, "\n")] = '\0';
	}
	while (fgetc(p) != EOF)
		;
	rc = pclose(p);
	return rc == 0 ? 0 : -1;
}

/* Creates a fresh database and writes its connection string into conninfo. */
static bool fresh_database(char *conninfo, size_t size)
{
	char args[128];
	char *name;

	if (!cluster_ready || database_count >= 32)
		return false;
	name = databases[database_count++];
	snprintf(name, 64, "test_db_%ld_%d", (long)getpid(), database_count);
	snprintf(args, sizeof(args), "createdb %s >/dev/null 2>&1", name);
	if (pg_script(args, NULL, 0) != 0)
		return false;
	snprintf(args, sizeof(args), "conninfo %s", name);
	return pg_script(args, conninfo, size) == 0 && conninfo[0] != '\0';
}

#define NEED_DATABASE(conninfo)                                                        \
	do {                                                                           \
		if (access(PG_BIN, X_OK) != 0)                                         \
			SKIP("PostgreSQL 15 binaries not installed (" PG_BIN ")");   \
		REQUIRE(fresh_database(conninfo, sizeof(conninfo)));                   \
	} while (0)

/* ---- migration files in a temporary folder ---- */

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void remove_dir(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static const char migration_1[] =
	"CREATE TABLE items (\n"
	"  id serial PRIMARY KEY,\n"
	"  name text UNIQUE NOT NULL,\n"
	"  data bytea,\n"
	"  n bigint,\n"
	"  flag boolean\n"
	");\n"
	"CREATE TABLE counters (id integer PRIMARY KEY, n integer NOT NULL);\n"
	"INSERT INTO counters VALUES (1, 0);\n";

static const char migration_2[] =
	"ALTER TABLE items ADD COLUMN note text NOT NULL DEFAULT 'upgraded';\n"
	"UPDATE counters SET n = n + 100;\n";

static const char migration_3[] = "CREATE INDEX items_n ON items (n);\n";

static const struct db_statement statements[] = {
	{ "count_migrations", "SELECT count(*) FROM schema_migrations" },
	{ "table_exists", "SELECT to_regclass($1) IS NOT NULL" },
	{ "item_insert", "INSERT INTO items (name, data, n, flag) VALUES ($1, $2, $3, $4)" },
	{ "item_get", "SELECT name, data, n, flag FROM items WHERE name = $1" },
	{ "item_count", "SELECT count(*) FROM items" },
	{ "counter_get", "SELECT n FROM counters WHERE id = 1" },
	{ "counter_bump", "UPDATE counters SET n = n + 1 WHERE id = 1" },
	{ "backend_pid", "SELECT pg_backend_pid()" },
	{ "terminate", "SELECT pg_terminate_backend($1, 5000)" },
	{ "divide_by_counter", "SELECT 1 / n FROM counters WHERE id = 1" },
	{ "sleep", "SELECT pg_sleep($1::float8)" },
};
#define N_STATEMENTS (sizeof(statements) / sizeof(statements[0]))

static int64_t query_int(struct db_conn *conn, const char *name, const char *arg)
{
	struct db_params p;
	struct db_result *res = NULL;
	int64_t v = -1;

	db_params_init(&p);
	if (arg)
		db_params_text(&p, arg);
	if (db_query_one(conn, name, &p, &res) == DB_OK)
		db_result_int(res, 0, 0, &v);
	db_result_free(res);
	return v;
}

static bool query_bool(struct db_conn *conn, const char *name, const char *arg)
{
	struct db_params p;
	struct db_result *res = NULL;
	bool v = false;

	db_params_init(&p);
	db_params_text(&p, arg);
	if (db_query_one(conn, name, &p, &res) == DB_OK)
		db_result_bool(res, 0, 0, &v);
	db_result_free(res);
	return v;
}

/* ---- migrations ---- */

static void test_migrate_empty_database(void)
{
	char conninfo[512], dir[] = "/tmp/test_db_mig_XXXXXX", err[DB_MAX_ERROR];
	struct db *db = NULL;
	struct db_conn *conn = NULL;
	int applied = -1;

	NEED_DATABASE(conninfo);
	REQUIRE(mkdtemp(dir) != NULL);
	write_file(dir, "001_items.sql", migration_1);
	write_file(dir, "002_note.sql", migration_2);
	write_file(dir, "README.txt", "not a migration");

	CHECK_INT(db_migrate(conninfo, dir, &applied, err, sizeof(err)), DB_OK);
	CHECK_INT(applied, 2);
	CHECK_INT(db_migrate(conninfo, dir, &applied, err, sizeof(err)), DB_OK);
	CHECK_INT(applied, 0);

	REQUIRE(db_open(conninfo, statements, N_STATEMENTS, 2, &db) == DB_OK);
	REQUIRE(db_acquire(db, NULL, &conn) == DB_OK);
	CHECK_INT(query_int(conn, "count_migrations", NULL), 2);
	CHECK_INT(query_int(conn, "counter_get", NULL), 100);
	db_release(conn);
	db_close(db);
	remove_dir(dir);
}

static void test_migrate_upgrade_keeps_data(void)
{
	char conninfo[512], dir[] = "/tmp/test_db_mig_XXXXXX", err[DB_MAX_ERROR];
	struct db *db = NULL;
	struct db_conn *conn = NULL;
	struct db_result *res = NULL;
	struct db_params p;
	int applied = -1;

	NEED_DATABASE(conninfo);
	REQUIRE(mkdtemp(dir) != NULL);
	write_file(dir, "001_items.sql", migration_1);
	CHECK_INT(db_migrate(conninfo, dir, &applied, err, sizeof(err)), DB_OK);
	CHECK_INT(applied, 1);

	/* Data written by the older version. */
	{
		static const struct db_statement old[] = {
			{ "insert", "INSERT INTO items (name, n) VALUES ('old', 5)" },
		};
		REQUIRE(db_open(conninfo, old, 1, 1, &db) == DB_OK);
		REQUIRE(db_acquire(db, NULL, &conn) == DB_OK);
		CHECK_INT(db_exec(conn, "insert", NULL, NULL), DB_OK);
		db_release(conn);
		db_close(db);
	}

	write_file(dir, "002_note.sql", migration_2);
	write_file(dir, "003_index.sql", migration_3);
	CHECK_INT(db_migrate(conninfo, dir, &applied, err, sizeof(err)), DB_OK);
	CHECK_INT(applied, 2);

	{
		static const struct db_statement upgraded[] = {
			{ "get", "SELECT n, note FROM items WHERE name = $1" },
		};
		REQUIRE(db_open(conninfo, upgraded, 1, 1, &db) == DB_OK);
		REQUIRE(db_acquire(db, NULL, &conn) == DB_OK);
		db_params_init(&p);
		db_params_text(&p, "old");
		CHECK_INT(db_query_one(conn, "get", &p, &res), DB_OK);
		CHECK_STR(db_result_text(res, 0, 0), "5");
		CHECK_STR(db_result_text(res, 0, 1), "upgraded");
		db_result_free(res);
		db_release(conn);
		db_close(db);
	}
	remove_dir(dir);
}

static void test_migrate_failure_rolls_back(void)
{
	char conninfo[512], dir[] = "/tmp/test_db_mig_XXXXXX", err[DB_MAX_ERROR];
	struct db *db = NULL;
	struct db_conn *conn = NULL;
	int applied = -1;

	NEED_DATABASE(conninfo);
	REQUIRE(mkdtemp(dir) != NULL);
	write_file(dir, "001_items.sql", migration_1);
	write_file(dir, "002_broken.sql",
		   "CREATE TABLE partial (a integer);\nSELECT no_such_function();\n");

	CHECK_INT(db_migrate(conninfo, dir, &applied, err, sizeof(err)), DB_E_MIGRATION);
	CHECK_INT(applied, 1);
	CHECK(strstr(err, "002_broken.sql") != NULL);
	CHECK(strstr(err, "no_such_function") != NULL);

	REQUIRE(db_open(conninfo, statements, N_STATEMENTS, 1, &db) == DB_OK);
	REQUIRE(db_acquire(db, NULL, &conn) == DB_OK);
	CHECK_INT(query_int(conn, "count_migrations", NULL), 1);
	CHECK(!query_bool(conn, "table_exists", "partial"));
	db_release(conn);

	/* The fixed file applies on the next start. */
	write_file(dir, "002_broken.sql", "CREATE TABLE partial (a integer);\n");
	CHECK_INT(db_migrate(conninfo, dir, &applied, err, sizeof(err)), DB_OK);
	CHECK_INT(applied, 1);
	REQUIRE(db_acquire(db, NULL, &conn) == DB_OK);
	CHECK(query_bool(conn, "table_exists", "partial"));
	db_release(conn);
	db_close(db);
	remove_dir(dir);
}

static void test_migrate_rejects_bad_names(void)
{
	static const char *const cases[][2] = {
		{ "1x_items.sql", NULL },           /* digits not followed by '_' */
		{ "_items.sql", NULL },             /* no version */
		{ "0_items.sql", NULL },            /* version 0 */
		{ "1234567890_items.sql", NULL },   /* more than 9 digits */
		{ "001_items.sql", "1_other.sql" }, /* the same version twice */
	};
	char conninfo[512], err[DB_MAX_ERROR];
	int applied = -1;

	NEED_DATABASE(conninfo);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char dir[] = "/tmp/test_db_mig_XXXXXX";

		REQUIRE(mkdtemp(dir) != NULL);
		write_file(dir, cases[i][0], migration_1);
		if (cases[i][1])
			write_file(dir, cases[i][1], migration_3);
		if (db_migrate(conninfo, dir, &applied, err, sizeof(err)) != DB_E_MIGRATION)
			test_fail_at(__FILE__, __LINE__, "%s: %s accepted", __func__, cases[i][0]);
		else if (!strstr(err, cases[i][1] ? cases[i][1] : cases[i][0]))
			test_fail_at(__FILE__, __LINE__, "%s: error \"%s\" does not name the file",
				     __func__, err);
		CHECK_INT(applied, 0);
		remove_dir(dir);
	}
	CHECK_INT(db_migrate(conninfo, "/nonexistent/migrations", &applied, err, sizeof(err)),
		  DB_E_MIGRATION);
	CHECK(strstr(err, "/nonexistent/migrations") != NULL);
}

struct migrate_run {
	const char *conninfo;
	const char *dir;
	int rc;
	int applied;
};

static void *run_migrate(void *arg)
{
	struct migrate_run *run = arg;
	char err[DB_MAX_ERROR];

	run->rc = db_migrate(run->conninfo, run->dir, &run->applied, err, sizeof(err));
	return NULL;
}

static void test_migrate_concurrent_runners(void)
{
	char conninfo[512], dir[] = "/tmp/test_db_mig_XXXXXX";
	struct migrate_run runs[2];
	pthread_t threads[2];
	struct db *db = NULL;
	struct db_conn *conn = NULL;

	NEED_DATABASE(conninfo);
	REQUIRE(mkdtemp(dir) != NULL);
	write_file(dir, "001_items.sql", migration_1);
	write_file(dir, "002_note.sql", migration_2);
	write_file(dir, "003_index.sql", migration_3);

	for (int i = 0; i < 2; i++) {
		runs[i] = (struct migrate_run){ conninfo, dir, -100, -1 };
		REQUIRE(pthread_create(&threads[i], NULL, run_migrate, &runs[i]) == 0);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);

	CHECK_INT(runs[0].rc, DB_OK);
	CHECK_INT(runs[1].rc, DB_OK);
	/* Each file ran exactly once, whichever runner took it. */
	CHECK_INT(runs[0].applied + runs[1].applied, 3);

	REQUIRE(db_open(conninfo, statements, N_STATEMENTS, 1, &db) == DB_OK);
	REQUIRE(db_acquire(db, NULL, &conn) == DB_OK);
	CHECK_INT(query_int(conn, "count_migrations", NULL), 3);
	CHECK_INT(query_int(conn, "counter_get", NULL), 100);
	db_release(conn);
	db_close(db);
	remove_dir(dir);
}

/* ---- statements ---- */

/* A migrated database with the statement table opened with limits (NULL: none); returns false
 * when set-up failed. */
static bool open_migrated_limited(char *conninfo, size_t size, const struct db_limits *limits,
				  size_t max_conns, struct db **db)
{
	char dir[] = "/tmp/test_db_mig_XXXXXX", err[DB_MAX_ERROR];
	int applied;
	int rc;

	if (!fresh_database(conninfo, size) || !mkdtemp(dir))
		return false;
	write_file(dir, "001_items.sql", migration_1);
	rc = db_migrate(conninfo, dir, &applied, err, sizeof(err));
	remove_dir(dir);
	if (rc != DB_OK)
		return false;
	return db_open_limited(conninfo, limits, statements, N_STATEMENTS, max_conns, db) == DB_OK;
}

#define NEED_MIGRATED_LIMITED(conninfo, limits, max_conns, db)                           \
	do {                                                                             \
		if (access(PG_BIN, X_OK) != 0)                                           \
			SKIP("PostgreSQL 15 binaries not installed (" PG_BIN ")");     \
		REQUIRE(open_migrated_limited(conninfo, sizeof(conninfo), limits, max_conns, \
					      db));                                      \
	} while (0)

#define NEED_MIGRATED(conninfo, max_conns, db) NEED_MIGRATED_LIMITED(conninfo, NULL, max_conns, db)

static void test_typed_parameters_round_trip(void)
{
	static const uint8_t blob[] = { 0x00, 0x01, 0xff, 0x00, 0x5c, 0x78 };
	char conninfo[512];
	struct db *db = NULL;
	struct db_conn *conn = NULL;
	struct db_result *res = NULL;
	struct db_params p;
	uint8_t out[16];
	size_t out_len = 0;
	int64_t n = 0;
	bool flag = false;

	NEED_MIGRATED(conninfo, 2, &db);
	REQUIRE(db_acquire(db, NULL, &conn) == DB_OK);

	db_params_init(&p);
	db_params_text(&p, "first");
	db_params_bytea(&p, blob, sizeof(blob));
	db_params_int(&p, -9007199254740993LL);
	db_params_bool(&p, true);
	CHECK_INT(db_exec(conn, "item_insert", &p, &res), DB_OK);
	CHECK_INT(db_result_affected(res), 1);
	db_result_free(res);
	res = NULL;

	db_params_init(&p);
	db_params_text(&p, "nulls");
	db_params_null(&p);
	db_params_null(&p);
	db_params_bytea(&p, NULL, 0); /* SQL NULL as well */
	CHECK_INT(db_exec(conn, "item_insert", &p, NULL), DB_OK);

	db_params_init(&p);
	db_params_text(&p, "first");
	REQUIRE(db_query_one(conn, "item_get", &p, &res) == DB_OK);
	CHECK_INT(db_result_rows(res), 1);
	CHECK_STR(db_result_text(res, 0, 0), "first");
	CHECK_INT(db_result_bytea(res, 0, 1, out, sizeof(out), &out_len), DB_OK);
	CHECK_INT(out_len, sizeof(blob));
	CHECK_MEM(out, blob, sizeof(blob));
	CHECK_INT(db_result_bytea(res, 0, 1, out, 3, &out_len), DB_E_INVALID);
	CHECK_INT(db_result_int(res, 0, 2, &n), DB_OK);
	CHECK_INT(n, -9007199254740993LL);
	CHECK_INT(db_result_bool(res, 0, 3, &flag), DB_OK);
	CHECK(flag);
	CHECK_INT(db_result_int(res, 0, 0, &n), DB_E_INVALID); /* "first" is no number */
	CHECK(db_result_text(res, 1, 0) == NULL);               /* row out of range */
	CHECK(db_result_text(res, 0, 9) == NULL);               /* column out of range */
	db_result_free(res);
	res = NULL;

	db_params_init(&p);
	db_params_text(&p, "nulls");
	REQUIRE(db_query_one(conn, "item_get", &p, &res) == DB_OK);
	CHECK(db_result_is_null(res, 0, 1));
	CHECK(db_result_text(res, 0, 1) == NULL);
	CHECK_INT(db_result_int(res, 0, 2, &n), DB_E_NOT_FOUND);
	CHECK_INT(db_result_bool(res, 0, 3, &flag), DB_E_NOT_FOUND);
	CHECK_INT(db_result_bytea(res, 0, 1, out, sizeof(out), &out_len), DB_E_NOT_FOUND);
	db_result_free(res);
	res = NULL;

	db_params_init(&p);
	db_params_text(&p, "absent");
	CHECK_INT(db_query_one(conn, "item_get", &p, &res), DB_E_NOT_FOUND);
	CHECK(res == NULL);

	db_release(conn);
	db_close(db);
}

static void test_error_classes(void)
{
	char conninfo[512];
	struct db *db = NULL;
	struct db_conn *conn = NULL;
	struct db_params p;

	NEED_MIGRATED(conninfo, 2, &db);
	REQUIRE(db_acquire(db, NULL, &conn) == DB_OK);

	db_params_init(&p);
	db_params_text(&p, "dup");
	db_params_null(&p);
	db_params_int(&p, 1);
	db_params_bool(&p, false);
	CHECK_INT(db_exec(conn, "item_insert", &p, NULL), DB_OK);
	CHECK_INT(db_exec(conn, "item_insert", &p, NULL), DB_E_CONFLICT);
	CHECK(strstr(db_conn_error(conn), "duplicate key") != NULL);

	CHECK_INT(db_exec(conn, "divide_by_counter", NULL, NULL), DB_E_OTHER);
	CHECK(strstr(db_conn_error(conn), "division by zero") != NULL);
	CHECK_INT(db_exec(conn, "no_such_statement", NULL, NULL), DB_E_INVALID);

	db_params_init(&p);
	for (int i = 0; i < DB_MAX_PARAMS + 1; i++)
		db_params_int(&p, i);
	CHECK(p.overflow);
	CHECK_INT(db_exec(conn, "item_insert", &p, NULL), DB_E_INVALID);

	db_release(conn);
	db_close(db);
}

static void test_open_failures(void)
{
	static const struct db_statement bad[] = { { "bad", "SELEC 1" } };
	static const struct db_statement missing_table[] = { { "t", "SELECT * FROM no_table" } };
	char conninfo[512];
	struct db *db = (struct db *)1;

	NEED_DATABASE(conninfo);
	CHECK_INT(db_open(conninfo, bad, 1, 1, &db), DB_E_OTHER);
	CHECK(db == NULL);
	CHECK_INT(db_open(conninfo, missing_table, 1, 1, &db), DB_E_OTHER);
	CHECK_INT(db_open("host=/nonexistent-socket-dir dbname=x connect_timeout=2", NULL, 0, 1,
			  &db),
		  DB_E_CONNECTION);
	CHECK(db == NULL);
}

/* ---- transactions ---- */

struct txn_case {
	struct db *db;
	int attempts;
	int fail_with;
};

static int insert_then_maybe_fail(struct db_conn *conn, void *arg)
{
	struct txn_case *c = arg;
	struct db_params p;
	int rc;

	c->attempts++;
	db_params_init(&p);
	db_params_text(&p, "in-transaction");
	db_params_null(&p);
	db_params_null(&p);
	db_params_null(&p);
	rc = db_exec(conn, "item_insert", &p, NULL);
	if (rc != DB_OK)
		return rc;
	return c->fail_with;
}

static void test_transaction_commit_and_rollback(void)
{
	char conninfo[512];
	struct db *db = NULL;
	struct db_conn *conn = NULL;
	struct txn_case c = { 0 };
	int result = -1;

	NEED_MIGRATED(conninfo, 1, &db);
	REQUIRE(db_acquire(db, NULL, &conn) == DB_OK);

	c.fail_with = 42;
	CHECK_INT(db_transaction(conn, DB_SERIALIZABLE, insert_then_maybe_fail, &c, &result),
		  DB_E_ABORTED);
	CHECK_INT(result, 42);
	CHECK_INT(c.attempts, 1);
	CHECK_INT(query_int(conn, "item_count", NULL), 0);

	c.fail_with = 0;
	c.attempts = 0;
	CHECK_INT(db_transaction(conn, DB_READ_COMMITTED, insert_then_maybe_fail, &c, &result),
		  DB_OK);
	CHECK_INT(result, 0);
	CHECK_INT(c.attempts, 1);
	CHECK_INT(query_int(conn, "item_count", NULL), 1);

	/* The second insert violates the unique name: a conflict is no retry case. */
	c.attempts = 0;
	CHECK_INT(db_transaction(conn, DB_READ_COMMITTED, insert_then_maybe_fail, &c, &result),
		  DB_E_ABORTED);
	CHECK_INT(result, DB_E_CONFLICT);
	CHECK_INT(c.attempts, 1);
	db_release(conn);
	db_close(db);
}

static int ignore_error_then_commit(struct db_conn *conn, void *arg)
{
	(void)arg;
	db_exec(conn, "divide_by_counter", NULL, NULL);
	return 0;
}

static void test_commit_after_ignored_error(void)
{
	char conninfo[512];
	struct db *db = NULL;
	struct db_conn *conn = NULL;

	NEED_MIGRATED(conninfo, 1, &db);
	REQUIRE(db_acquire(db, NULL, &conn) == DB_OK);
	/* PostgreSQL reports ROLLBACK for this COMMIT, which must not pass as success. */
	CHECK_INT(db_transaction(conn, DB_READ_COMMITTED, ignore_error_then_commit, NULL, NULL),
		  DB_E_OTHER);
	CHECK_INT(query_int(conn, "counter_get", NULL), 0);
	db_release(conn);
	db_close(db);
}

/* First attempt: another connection changes the row after this snapshot was taken. */
static int bump_with_interference(struct db_conn *conn, void *arg)
{
	struct txn_case *c = arg;
	struct db_conn *other = NULL;
	int rc;

	c->attempts++;
	if (query_int(conn, "counter_get", NULL) < 0)
		return -1;
	if (c->attempts == 1) {
		if (db_acquire(c->db, NULL, &other) != DB_OK)
			return -1;
		rc = db_exec(other, "counter_bump", NULL, NULL);
		db_release(other);
		if (rc != DB_OK)
			return -1;
	}
	return db_exec(conn, "counter_bump", NULL, NULL);
}

static void test_transaction_retries_serialization_failure(void)
{
	char conninfo[512];
	struct db *db = NULL;
	struct db_conn *conn = NULL;
	struct txn_case c = { 0 };
	int result = -1;

	NEED_MIGRATED(conninfo, 2, &db);
	c.db = db;
	REQUIRE(db_acquire(db, NULL, &conn) == DB_OK);
	CHECK_INT(db_transaction(conn, DB_REPEATABLE_READ, bump_with_interference, &c, &result),
		  DB_OK);
	CHECK_INT(result, 0);
	CHECK_INT(c.attempts, 2);
	/* One bump by the other connection, one by the retried transaction. */
	CHECK_INT(query_int(conn, "counter_get", NULL), 2);
	db_release(conn);
	db_close(db);
}

/* Terminates the backend of conn from another connection of the pool. */
static int kill_backend(struct db *db, struct db_conn *conn)
{
	struct db_conn *other = NULL;
	struct db_params p;
	char pid[24];
	int64_t v = query_int(conn, "backend_pid", NULL);
	int rc;

	if (v <= 0 || db_acquire(db, NULL, &other) != DB_OK)
		return -1;
	snprintf(pid, sizeof(pid), "%lld", (long long)v);
	db_params_init(&p);
	db_params_text(&p, pid);
	rc = db_exec(other, "terminate", &p, NULL);
	db_release(other);
	return rc;
}

static int bump_after_losing_connection(struct db_conn *conn, void *arg)
{
	struct txn_case *c = arg;

	c->attempts++;
	if (c->attempts == 1 && kill_backend(c->db, conn) != DB_OK)
		return -1;
	return db_exec(conn, "counter_bump", NULL, NULL);
}

static void test_transaction_reconnects_once(void)
{
	char conninfo[512];
	struct db *db = NULL;
	struct db_conn *conn = NULL;
	struct txn_case c = { 0 };
	int result = -1;

	NEED_MIGRATED(conninfo, 2, &db);
	c.db = db;
	REQUIRE(db_acquire(db, NULL, &conn) == DB_OK);
	CHECK_INT(db_transaction(conn, DB_READ_COMMITTED, bump_after_losing_connection, &c,
				 &result),
		  DB_OK);
	CHECK_INT(c.attempts, 2);
	CHECK_INT(query_int(conn, "counter_get", NULL), 1);
	db_release(conn);
	db_close(db);
}

/* A server restart ends idle connections the same way: FATAL 57P01, then EOF. */
static void test_statement_after_server_closed_connection(void)
{
	char conninfo[512];
	struct db *db = NULL;
	struct db_conn *conn = NULL;

	NEED_MIGRATED(conninfo, 2, &db);
	REQUIRE(db_acquire(db, NULL, &conn) == DB_OK);
	REQUIRE(kill_backend(db, conn) == DB_OK);
	/* The closed connection is noticed before sending: the first statement runs, once. */
	CHECK_INT(db_exec(conn, "counter_bump", NULL, NULL), DB_OK);
	CHECK_INT(query_int(conn, "counter_get", NULL), 1);
	db_release(conn);
	db_close(db);
}

static void test_pooled_connection_closed_by_server(void)
{
	char conninfo[512];
	struct db *db = NULL;
	struct db_conn *conn = NULL, *again = NULL;
	struct txn_case c = { 0 };
	int result = -1;

	NEED_MIGRATED(conninfo, 2, &db);
	c.db = db;
	REQUIRE(db_acquire(db, NULL, &conn) == DB_OK);
	REQUIRE(kill_backend(db, conn) == DB_OK);
	db_release(conn);
	/* The pool hands the same connection out again, reopened. */
	REQUIRE(db_acquire(db, NULL, &again) == DB_OK);
	CHECK(again == conn);
	CHECK_INT(query_int(again, "counter_get", NULL), 0);

	/* A transaction on a connection closed while idle starts on a reopened one: its function
	 * runs once, with no lost statement to retry. */
	REQUIRE(kill_backend(db, again) == DB_OK);
	CHECK_INT(db_transaction(again, DB_READ_COMMITTED, insert_then_maybe_fail, &c, &result),
		  DB_OK);
	CHECK_INT(c.attempts, 1);
	CHECK_INT(query_int(again, "item_count", NULL), 1);
	db_release(again);
	db_close(db);
}

/* ---- bounded waits ---- */

static void test_lock_timeout(void)
{
	const struct db_limits limits = { .lock_timeout_ms = 200 };
	char conninfo[512];
	struct db *db = NULL;
	struct db_conn *holder = NULL, *waiter = NULL;

	NEED_MIGRATED_LIMITED(conninfo, &limits, 2, &db);
	REQUIRE(db_acquire(db, NULL, &holder) == DB_OK);
	REQUIRE(db_acquire(db, NULL, &waiter) == DB_OK);
	REQUIRE(db_begin(holder, DB_READ_COMMITTED) == DB_OK);
	REQUIRE(db_exec(holder, "counter_bump", NULL, NULL) == DB_OK);

	CHECK_INT(db_exec(waiter, "counter_bump", NULL, NULL), DB_E_TIMEOUT);
	CHECK(strstr(db_conn_error(waiter), "lock timeout") != NULL);
	CHECK(strstr(db_conn_error(waiter), "55P03") != NULL);

	/* Both connections stay usable, and the row lock ends with the holder's transaction. */
	CHECK_INT(db_rollback(holder), DB_OK);
	CHECK_INT(db_exec(waiter, "counter_bump", NULL, NULL), DB_OK);
	CHECK_INT(query_int(holder, "counter_get", NULL), 1);
	db_release(holder);
	db_release(waiter);
	db_close(db);
}

static void test_statement_timeout(void)
{
	const struct db_limits limits = { .statement_timeout_ms = 200 };
	char conninfo[512];
	struct db *db = NULL;
	struct db_conn *conn = NULL;
	struct db_params p;

	NEED_MIGRATED_LIMITED(conninfo, &limits, 1, &db);
	REQUIRE(db_acquire(db, NULL, &conn) == DB_OK);
	db_params_init(&p);
	db_params_text(&p, "30");
	CHECK_INT(db_exec(conn, "sleep", &p, NULL), DB_E_TIMEOUT);
	CHECK(strstr(db_conn_error(conn), "statement timeout") != NULL);
	CHECK_INT(query_int(conn, "counter_get", NULL), 0);
	db_release(conn);
	db_close(db);
}

/* Ends the backend a timed-out statement left running, so the database can be dropped. */
static void end_backend(struct db *db, int64_t pid)
{
	struct db_conn *other = NULL;
	struct db_params p;
	char text[24];

	if (db_acquire(db, NULL, &other) != DB_OK)
		return;
	snprintf(text, sizeof(text), "%lld", (long long)pid);
	db_params_init(&p);
	db_params_text(&p, text);
	db_exec(other, "terminate", &p, NULL);
	db_release(other);
}

static int sleep_in_transaction(struct db_conn *conn, void *arg)
{
	struct txn_case *c = arg;
	struct db_params p;

	c->attempts++;
	db_params_init(&p);
	db_params_text(&p, "30");
	return db_exec(conn, "sleep", &p, NULL);
}

/* The server is busy for longer than the client waits, as a stopped server would be: no reply
 * arrives, so only the client-side limit can end the wait. */
static void test_reply_timeout_closes_connection(void)
{
	const struct db_limits limits = { .reply_timeout_ms = 300 };
	char conninfo[512];
	struct db *db = NULL;
	struct db_conn *conn = NULL;
	struct txn_case c = { 0 };
	struct db_params p;
	int64_t pid;
	int result = 0;

	NEED_MIGRATED_LIMITED(conninfo, &limits, 2, &db);
	REQUIRE(db_acquire(db, NULL, &conn) == DB_OK);
	pid = query_int(conn, "backend_pid", NULL);
	db_params_init(&p);
	db_params_text(&p, "30");
	CHECK_INT(db_exec(conn, "sleep", &p, NULL), DB_E_TIMEOUT);
	CHECK(strstr(db_conn_error(conn), "no reply") != NULL);
	end_backend(db, pid);

	/* The next statement runs on a reopened connection. */
	CHECK_INT(query_int(conn, "counter_get", NULL), 0);

	/* Inside a transaction the timeout ends it without a second attempt. */
	pid = query_int(conn, "backend_pid", NULL);
	CHECK_INT(db_transaction(conn, DB_READ_COMMITTED, sleep_in_transaction, &c, &result),
		  DB_E_ABORTED);
	CHECK_INT(result, DB_E_TIMEOUT);
	CHECK_INT(c.attempts, 1);
	end_backend(db, pid);
	CHECK_INT(query_int(conn, "counter_get", NULL), 0);
	db_release(conn);
	db_close(db);
}

/* A listening socket that never accepts: the server side of a stopped PostgreSQL. */
static void test_connect_timeout(void)
{
	const struct db_limits limits = { .connect_timeout_ms = 1000 };
	char dir[] = "/tmp/test_db_sock_XXXXXX", conninfo[256];
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct db *db = (struct db *)1;
	int fd;

	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/.s.PGSQL.5432", dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	REQUIRE(fd >= 0);
	REQUIRE(bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	REQUIRE(listen(fd, 8) == 0);
	snprintf(conninfo, sizeof(conninfo), "host=%s port=5432 dbname=x user=x", dir);

	CHECK_INT(db_open_limited(conninfo, &limits, NULL, 0, 1, &db), DB_E_CONNECTION);
	CHECK(db == NULL);
	close(fd);
	remove_dir(dir);
}

static void test_open_rejects_negative_limits(void)
{
	const struct db_limits limits = { .lock_timeout_ms = -1 };
	struct db *db = (struct db *)1;

	CHECK_INT(db_open_limited("dbname=x", &limits, NULL, 0, 1, &db), DB_E_INVALID);
	CHECK(db == NULL);
}

struct waiter {
	struct db *db;
	int rc;
};

static void *acquire_and_release(void *arg)
{
	struct waiter *w = arg;
	struct db_conn *conn = NULL;

	w->rc = db_acquire(w->db, NULL, &conn);
	if (w->rc == DB_OK) {
		if (db_exec(conn, "counter_get", NULL, NULL) != DB_OK)
			w->rc = -100;
		db_release(conn);
	}
	return NULL;
}

static void test_pool_waits_for_free_connection(void)
{
	char conninfo[512];
	struct db *db = NULL;
	struct db_conn *conn = NULL;
	struct waiter w = { 0 };
	pthread_t thread;

	NEED_MIGRATED(conninfo, 1, &db);
	w.db = db;
	w.rc = -1;
	REQUIRE(db_acquire(db, NULL, &conn) == DB_OK);
	REQUIRE(pthread_create(&thread, NULL, acquire_and_release, &w) == 0);
	usleep(100 * 1000); /* let the thread block on the full pool (not required to pass) */
	db_release(conn);
	pthread_join(thread, NULL);
	CHECK_INT(w.rc, DB_OK);
	db_close(db);
}

int main(void)
{
	const char *env = getenv("RSP_REPO");
	char args[96];

	test_program = "test_db";
	if (env)
		snprintf(repo, sizeof(repo), "%s", env);
	if (access(PG_BIN, X_OK) == 0)
		cluster_ready = pg_script("start", NULL, 0) == 0;

	RUN(test_migrate_empty_database);
	RUN(test_migrate_upgrade_keeps_data);
	RUN(test_migrate_failure_rolls_back);
	RUN(test_migrate_rejects_bad_names);
	RUN(test_migrate_concurrent_runners);
	RUN(test_typed_parameters_round_trip);
	RUN(test_error_classes);
	RUN(test_open_failures);
	RUN(test_transaction_commit_and_rollback);
	RUN(test_commit_after_ignored_error);
	RUN(test_transaction_retries_serialization_failure);
	RUN(test_transaction_reconnects_once);
	RUN(test_statement_after_server_closed_connection);
	RUN(test_pooled_connection_closed_by_server);
	RUN(test_pool_waits_for_free_connection);
	RUN(test_lock_timeout);
	RUN(test_statement_timeout);
	RUN(test_reply_timeout_closes_connection);
	RUN(test_connect_timeout);
	RUN(test_open_rejects_negative_limits);

	for (int i = 0; i < database_count; i++) {
		snprintf(args, sizeof(args), "dropdb %.63s >/dev/null 2>&1", databases[i]);
		pg_script(args, NULL, 0);
	}
	return test_finish();
}
