#!/bin/bash
# The SM-DP+ and its database: bounded waits and connections the server closes.
#
# - A row lock held by another client ends AuthenticateClient after db_lock_timeout with
#   Failed 1.2/4.2, and the order stays usable.
# - Connections that PostgreSQL closes while they sit in the pool (pg_terminate_backend, as a
#   server restart does) are reopened before the next statement: no request fails.
# - While PostgreSQL is stopped (SIGSTOP on a private cluster started here), each request gets
#   Failed 1.2/4.2 after db_statement_timeout plus 2 s, or after db_connect_timeout, instead of
#   hanging. Once the cluster runs again, so does the SM-DP+.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/download_common.sh"

e2e_init smdp_database
e2e_require smdpplus rsp-pki saip-gen rsp-test-lpa
STOPPED_DIR=""
STOPPED_PIDS=""
# Resumes and stops the private cluster before lib.sh stops the SM-DP+ and removes files.
stopped_cluster_cleanup() {
	if [ -n "$STOPPED_PIDS" ]; then
		# shellcheck disable=SC2086
		kill -CONT $STOPPED_PIDS 2>/dev/null
	fi
	if [ -n "$STOPPED_DIR" ]; then
		RSP_PG_DIR=$STOPPED_DIR "$RSP_REPO/scripts/pg.sh" stop
		rm -rf "$STOPPED_DIR" "$STOPPED_DIR.initdb.log"
	fi
}
trap 'stopped_cluster_cleanup; e2e_cleanup' EXIT

e2e_db || { e2e_fail setup "cannot create the test database"; exit 1; }
e2e_pki nist || { e2e_fail setup "rsp-pki init failed"; exit 1; }
CONF=$E2E_TMP/smdp.conf
e2e_config "$CONF" "db_lock_timeout = 1s" "db_statement_timeout = 3s"
PROFILES=($(e2e_load_profiles "$CONF" demo 2 894900000000000700)) || true
[ "${#PROFILES[@]}" = 2 ] || { e2e_fail setup "profile import failed"; exit 1; }
e2e_start_smdp "$CONF" || { e2e_fail start "smdpplus did not start"; exit 1; }
LOG=$E2E_TMP/smdpplus.log

codes() { printf '%s' "$1" | sed -n 's/.*subjectCode=\([^ ]*\) reasonCode=\([^ ]*\).*/\1\/\2/p'; }
step() { printf '%s' "$1" | sed -n 's/.* step=\([^ ]*\).*/\1/p'; }
# logged CASE PATTERN FILE: PASS when a line of FILE matches the basic regular expression.
logged() {
	if grep -q "$2" "$3"; then
		e2e_pass "$1"
	else
		e2e_fail "$1" "no line matching '$2' in $3"
	fi
}

# ---- a row lock held longer than db_lock_timeout ----
AC=$(dl_order "${PROFILES[0]}")
MID=${AC##*\$}
e2e_psql "BEGIN; SELECT 1 FROM orders WHERE matching_id = '$MID' FOR UPDATE;
	SELECT pg_sleep(8); COMMIT" >/dev/null 2>&1 &
HOLDER=$!
for i in $(seq 1 50); do
	[ "$(e2e_psql "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = current_database()")" = 1 ] && break
	sleep 0.1
done
dl_lpa nist "$AC"
e2e_check lock_timeout_status "$(step "$DL_OUT") $(codes "$DL_OUT")" "authenticateClient 1.2/4.2"
logged lock_timeout_logged \
	'timed out (statement_timeout 3000 ms, lock_timeout 1000 ms): canceling statement due to lock timeout' \
	"$LOG"
wait "$HOLDER"
dl_lpa nist "$AC"
e2e_check lock_timeout_order_usable "$(echo "$DL_OUT" | cut -d' ' -f1)" installed

# ---- every pooled connection closed by the server, as a PostgreSQL restart does ----
terminate_smdp_connections() {
	e2e_psql "SELECT count(*) FROM (SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()
		AND backend_type = 'client backend') AS t"
}
AC=$(dl_order "${PROFILES[1]}")
closed=$(terminate_smdp_connections)
if [ "${closed:-0}" -ge 1 ]; then
	e2e_pass closed_connections_terminated
else
	e2e_fail closed_connections_terminated "no connection of the SM-DP+ found: '$closed'"
fi
# initiateAuthentication (its session_insert runs outside a transaction) comes first.
dl_lpa nist "$AC"
e2e_check closed_connections_download "$(echo "$DL_OUT" | cut -d' ' -f1)" installed
terminate_smdp_connections >/dev/null
e2e_check closed_connections_es2 \
	"$(e2e_status "$(e2e_es2 downloadOrder "{\"header\":$(e2e_header OP1),\"profileType\":\"nosuch\"}")")" \
	8.2.5/3.9
logged closed_connections_reopen_logged 'connection reopened (closed by the server while idle)' "$LOG"
e2e_check closed_connections_no_failed_statement \
	"$(grep -c 'ERROR db .*server closed the connection' "$LOG")" 0
e2e_stop_smdp
e2e_check stop_clean "$?" 0

# ---- a stopped PostgreSQL (private cluster of this test) ----
STOPPED_DIR=$(mktemp -u /var/tmp/rsp-e2e-stopped-pg.XXXXXX)
if ! RSP_PG_DIR=$STOPPED_DIR "$RSP_REPO/scripts/pg.sh" start; then
	e2e_fail stopped_db_setup "cannot start a private PostgreSQL cluster in $STOPPED_DIR"
	exit 1
fi
CONF2=$E2E_TMP/smdp-stopped.conf
E2E_CONNINFO=$(RSP_PG_DIR=$STOPPED_DIR "$RSP_REPO/scripts/pg.sh" conninfo rsp) \
	e2e_config "$CONF2" "db_statement_timeout = 1s" "db_connect_timeout = 2s"
LOG2=$E2E_TMP/smdpplus-stopped.log
e2e_start_smdp "$CONF2" "$LOG2" || { e2e_fail stopped_db_start "smdpplus did not start"; exit 1; }
POSTMASTER=$(head -1 "$STOPPED_DIR/data/postmaster.pid")
STOPPED_PIDS="$POSTMASTER $(ps -o pid= --ppid "$POSTMASTER" | tr '\n' ' ')"
# shellcheck disable=SC2086
kill -STOP $STOPPED_PIDS
# A request waits on a pooled connection for db_statement_timeout plus 2 s, or fails to open
# a connection within db_connect_timeout (the callback worker polls the database too, so which
# one a request meets depends on the moment).
for n in 1 2; do
	dl_lpa nist "LPA:1\$$E2E_HOST\$NO-SUCH-ORDER" --timeout 60
	e2e_check "stopped_db_request_$n" "$(step "$DL_OUT") $(codes "$DL_OUT")" \
		"initiateAuthentication 1.2/4.2"
done
logged stopped_db_reply_timeout_logged \
	'timed out: no reply from the database server within 3000 ms' "$LOG2"
logged stopped_db_connect_timeout_logged 'cannot connect: .*timeout expired' "$LOG2"
# shellcheck disable=SC2086
kill -CONT $STOPPED_PIDS
STOPPED_PIDS=""
# Running again: the session is stored, and AuthenticateClient rejects the unknown matchingId.
dl_lpa nist "LPA:1\$$E2E_HOST\$NO-SUCH-ORDER"
e2e_check stopped_db_resumed "$(step "$DL_OUT") $(codes "$DL_OUT")" "authenticateClient 8.2.6/3.8"
e2e_stop_smdp
e2e_check stopped_db_stop_clean "$?" 0
