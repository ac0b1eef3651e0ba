#!/bin/bash
# Download benchmark of the SM-DP+: N complete SGP.22 profile downloads over ES9+ (HTTPS) with
# C test eUICCs in parallel, per curve, on a fresh database of the private PostgreSQL cluster.
# The Markdown block it prints names the command and the machine. It gives downloads per
# second, the SM-DP+ CPU time per download, its peak memory and the p50/p99 latency of each
# ES9+ function, beside the cost of the crypto alone measured by crypto_bench in the same run.
#
#   scripts/bench.sh [-n N] [-c C] [--curve nist|brp|both] [--bin DIR] [--out DIR] [--perf]
#
# The set-up per curve follows the end-to-end tests. rsp-pki makes a test PKI with C eUICCs
# per curve, and the SM-DP+ configuration contains the keys of both curves. rspctl imports N
# copies of one saip-gen profile with consecutive ICCIDs and issues N orders over ES2+ (batch
# issue). The SM-DP+ is then restarted, so that its CPU time and peak memory (VmHWM) cover
# the downloads alone. Every server listens on 127.0.0.1 only, and everything started here is
# stopped on exit.
set -u

usage() {
	cat <<'EOF'
usage: scripts/bench.sh [-n N] [-c C] [--curve nist|brp|both] [--bin DIR] [--out DIR] [--perf]

Runs N complete SGP.22 profile downloads with C test eUICCs in parallel against a release
build of the SM-DP+ on 127.0.0.1, for each curve, and prints the results as Markdown.

  -n N                 downloads per curve (default 500)
  -c C                 test eUICCs downloading in parallel, one thread each (default 4)
  --curve CURVE        nist (NIST P-256), brp (brainpoolP256r1) or both (default both)
  --bin DIR            folder of the programs (default: $BUILD_ROOT/release/bin of the
                       checkout, BUILD_ROOT defaulting to build); download_bench and
                       crypto_bench are taken from DIR/../bench
  --crypto-seconds S   run time of each crypto_bench operation (default 1)
  --profile FILE       SAIP profile package to download (copies get consecutive ICCIDs;
                       default: a package written by saip-gen)
  --perf               sample the SM-DP+ with 'perf record' during the downloads and add
                       its CPU time by library and by function to the output
  --out DIR            keep the logs, the per-request CSV and the Markdown in DIR
                       (default: a temporary folder, removed unless a step failed)
  -h, --help           print this help

Needs PostgreSQL 15 and a build ('make' or 'make BUILD_ROOT=DIR'). The databases live in
the private cluster of scripts/pg.sh (RSP_PG_DIR selects another cluster folder), and a
cluster that this script started is stopped on exit. The exit status is 1 when a download
or a set-up step failed, and 2 for a usage error.
EOF
}

REPO=$(cd "$(dirname "$0")/.." && pwd)
DOWNLOADS=500
CONCURRENCY=4
CURVES="nist brp"
BIN=""
OUT=""
CRYPTO_SECONDS=1
PROFILE=""
PERF=""
HOST=smdpplus.test
COMMAND="${BUILD_ROOT:+BUILD_ROOT=$BUILD_ROOT }scripts/bench.sh${*:+ $*}"

# need_value OPTION ARGS...: stops with a usage error when OPTION has no value.
need_value() {
	if [ $# -lt 2 ]; then
		echo "bench.sh: $1 needs a value; run scripts/bench.sh --help" >&2
		exit 2
	fi
}

while [ $# -gt 0 ]; do
	case $1 in
	-n | -c | --curve | --bin | --out | --crypto-seconds | --profile) need_value "$@" ;;
	esac
	case $1 in
	-n) DOWNLOADS=$2; shift 2 ;;
	-c) CONCURRENCY=$2; shift 2 ;;
	--curve)
		case $2 in
		nist | brp) CURVES=$2 ;;
		both) CURVES="nist brp" ;;
		*) echo "bench.sh: --curve takes nist, brp or both, got '$2'" >&2; exit 2 ;;
		esac
		shift 2 ;;
	--bin) BIN=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--crypto-seconds) CRYPTO_SECONDS=$2; shift 2 ;;
	--profile) PROFILE=$2; shift 2 ;;
	--perf) PERF=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "bench.sh: unknown option '$1'; run scripts/bench.sh --help" >&2; exit 2 ;;
	esac
done
for value in "$DOWNLOADS" "$CONCURRENCY"; do
	if ! [[ $value =~ ^[1-9][0-9]*$ ]]; then
		echo "bench.sh: -n and -c need a positive whole number, got '$value'" >&2
		exit 2
	fi
done
if [ -n "$PROFILE" ] && [ ! -r "$PROFILE" ]; then
	echo "bench.sh: cannot read profile package '$PROFILE'" >&2
	exit 2
fi
if [ -n "$PERF" ] && ! command -v perf >/dev/null; then
	echo "bench.sh: --perf needs the perf program (Debian package linux-perf)" >&2
	exit 2
fi
if ! [[ $CRYPTO_SECONDS =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
	echo "bench.sh: --crypto-seconds needs a number of seconds, got '$CRYPTO_SECONDS'" >&2
	exit 2
fi

BIN=${BIN:-$REPO/${BUILD_ROOT:-build}/release/bin}
BIN=$(cd "$BIN" 2>/dev/null && pwd) || {
	echo "bench.sh: program folder '$BIN' not found; build first with 'make'" >&2
	exit 2
}
BENCH_BIN=$(dirname "$BIN")/bench
for prog in "$BIN/smdpplus" "$BIN/rsp-pki" "$BIN/saip-gen" "$BIN/rspctl" \
	"$BENCH_BIN/download_bench" "$BENCH_BIN/crypto_bench"; do
	if [ ! -x "$prog" ]; then
		echo "bench.sh: $prog is not built; run 'make' (or 'make BUILD_ROOT=...') first" >&2
		exit 2
	fi
done

if [ -n "$OUT" ]; then
	mkdir -p "$OUT" && WORK=$(cd "$OUT" && pwd) || exit 2
else
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/rsp-bench.XXXXXX") || exit 2
fi
SMDP_PID=""
PERF_PID=""
PG_STARTED=""
DATABASES=""
FAILED=0

cleanup() {
	local db
	stop_perf
	stop_smdp
	for db in $DATABASES; do
		"$REPO/scripts/pg.sh" dropdb "$db" >/dev/null 2>&1
	done
	[ -n "$PG_STARTED" ] && "$REPO/scripts/pg.sh" stop
	if [ -z "$OUT" ] && [ "$FAILED" = 0 ]; then
		rm -rf "$WORK"
	else
		echo "bench.sh: logs and files are in $WORK" >&2
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	FAILED=1
	echo "bench.sh: $*" >&2
	exit 1
}

log() { echo "bench.sh: $*" >&2; }

# ---- the SM-DP+ ----

# start_smdp CONFIG LOG: starts smdpplus and waits for its start line; sets SMDP_PID,
# ES9_PORT and ES2_PORT.
start_smdp() {
	local line i
	"$BIN/smdpplus" -c "$1" >"$2" 2>&1 &
	SMDP_PID=$!
	for i in $(seq 1 300); do
		line=$(grep -m1 ' started: ES9+ port ' "$2" 2>/dev/null)
		if [ -n "$line" ]; then
			ES9_PORT=$(echo "$line" | sed -n 's/.*ES9+ port \([0-9]*\).*/\1/p')
			ES2_PORT=$(echo "$line" | sed -n 's/.*ES2+ port \([0-9]*\).*/\1/p')
			return 0
		fi
		if ! kill -0 "$SMDP_PID" 2>/dev/null; then
			tail -20 "$2" >&2
			SMDP_PID=""
			return 1
		fi
		sleep 0.1
	done
	return 1
}

# stop_perf: ends a running 'perf record' (SIGINT makes it write its data file).
stop_perf() {
	if [ -n "$PERF_PID" ]; then
		kill -INT "$PERF_PID" 2>/dev/null
		wait "$PERF_PID" 2>/dev/null
		PERF_PID=""
	fi
}

# stop_smdp: stops the running smdpplus with SIGTERM; returns its exit status.
stop_smdp() {
	local rc=0
	if [ -n "$SMDP_PID" ]; then
		kill -TERM "$SMDP_PID" 2>/dev/null
		wait "$SMDP_PID"
		rc=$?
		SMDP_PID=""
	fi
	return $rc
}

# write_config FILE CONNINFO: an SM-DP+ configuration with the keys of both curves, on ports
# chosen by the system. TLS uses the NIST P-256 certificate for either curve's run.
write_config() {
	local curve
	{
		echo "smdp_address = $HOST"
		echo "es9_listen = 127.0.0.1:0"
		echo "es2_listen = 127.0.0.1:0"
		echo "es9_tls_cert = $PKI/nist/dptls.chain.pem"
		echo "es9_tls_key = $PKI/nist/dptls.key"
		echo "es2_client_ca = $WORK/opca/ca.pem"
		echo "db_conninfo = \"$2\""
		echo "sql_dir = $REPO/sql"
		echo "http_threads = 8"
		for curve in nist brp; do
			echo "dpauth_cert_$curve = $PKI/$curve/dpauth.der"
			echo "dpauth_key_$curve = $PKI/$curve/dpauth.key"
			echo "dppb_cert_$curve = $PKI/$curve/dppb.der"
			echo "dppb_key_$curve = $PKI/$curve/dppb.key"
		done
		echo "ci_certs = $PKI/nist/ci.der, $PKI/brp/ci.der"
	} >"$1"
}

# ---- CPU time and memory from /proc ----

# cpu_ticks PID: user plus system time of a process, in clock ticks (0 when it is gone).
cpu_ticks() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	# The fields after "pid (comm) " start at field 3, so utime (14) and stime (15) are the
	# 12th and 13th. The cut is at the last ')' because comm may contain spaces.
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	echo $((${12} + ${13}))
}

# busy_ticks: CPU time of the whole machine (user, nice, system, irq, softirq), in clock ticks.
busy_ticks() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat
}

# vm_kib PID FIELD: a memory field of /proc/PID/status (VmHWM, VmRSS) in KiB.
vm_kib() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# pg_psql CONNINFO SQL: one statement on the private cluster, unaligned output.
pg_psql() {
	local host db
	host=$(echo "$1" | sed -n 's/.*host=\([^ ]*\).*/\1/p')
	db=$(echo "$1" | sed -n 's/.*dbname=\([^ ]*\).*/\1/p')
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- psql -h "$host" -d "$db" -qAtc "$2"
	else
		psql -h "$host" -d "$db" -qAtc "$2"
	fi
}

# pg_backend_ticks CONNINFO: "pid ticks" of each server process connected to the database.
pg_backend_ticks() {
	local pid
	for pid in $(pg_psql "$1" "SELECT pid FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()"); do
		echo "$pid $(cpu_ticks "$pid")"
	done
}

# ---- set-up shared by both curves ----

PKI=$WORK/pki
log "work folder $WORK"
# The cluster is stopped on exit only when this script started it.
PG_SOCKET_DIR=$("$REPO/scripts/pg.sh" conninfo | sed -n 's/.*host=\([^ ]*\).*/\1/p')
[ -S "$PG_SOCKET_DIR/.s.PGSQL.5432" ] || PG_STARTED=1
"$REPO/scripts/pg.sh" start >/dev/null || fail "cannot start PostgreSQL (scripts/pg.sh start)"
"$BIN/rsp-pki" init --out "$PKI" --curves nist,brp --euicc-count "$CONCURRENCY" \
	--smdp-host "$HOST" >"$WORK/rsp-pki.log" 2>&1 ||
	fail "rsp-pki init failed: $(tail -3 "$WORK/rsp-pki.log")"
if ! "$BIN/rsp-pki" operator-ca --out "$WORK/opca" >>"$WORK/rsp-pki.log" 2>&1 ||
	! "$BIN/rsp-pki" operator-client --ca-dir "$WORK/opca" --operator BENCH \
		--out "$WORK/operator" >>"$WORK/rsp-pki.log" 2>&1; then
	fail "rsp-pki could not make the ES2+ operator certificate: $(tail -3 "$WORK/rsp-pki.log")"
fi
if [ -n "$PROFILE" ]; then
	cp "$PROFILE" "$WORK/profile.der" || fail "cannot copy $PROFILE"
else
	"$BIN/saip-gen" --iccid 8949000050000000005 --imsi 001010123456789 \
		--ki 000102030405060708090A0B0C0D0E0F --opc 0F0E0D0C0B0A09080706050403020100 \
		--type bench --out "$WORK/profile.der" >"$WORK/saip-gen.log" 2>&1 ||
		fail "saip-gen failed: $(tail -3 "$WORK/saip-gen.log")"
fi
PROFILE_BYTES=$(stat -c %s "$WORK/profile.der")
TICK=$(getconf CLK_TCK)

# ---- one benchmark run per curve ----

# run_curve CURVE: sets up a database and an SM-DP+, issues the orders, runs download_bench
# and writes the figures to $WORK/CURVE.result as "name value" lines.
run_curve() {
	local curve=$1 db conninfo conf csv files=() i args=() out result before after
	local pg_before pg_after pid ticks prev pg_ticks=0 hwm rc busy_before busy_after
	declare -A pg_start=()

	db=bench_${curve}_$$
	result=$WORK/$curve.result
	"$REPO/scripts/pg.sh" createdb "$db" >/dev/null 2>&1 || fail "cannot create database $db"
	DATABASES="$DATABASES $db"
	conninfo=$("$REPO/scripts/pg.sh" conninfo "$db")
	conf=$WORK/$curve.conf
	write_config "$conf" "$conninfo"

	log "$curve: importing $DOWNLOADS profiles"
	for ((i = 0; i < DOWNLOADS; i++)); do
		files+=("$WORK/profile.der")
	done
	"$BIN/rspctl" profile import --db "$conninfo" --type bench --iccid 8949000050000000005 \
		"${files[@]}" >"$WORK/$curve.import.log" 2>&1 ||
		fail "$curve: rspctl profile import failed: $(tail -3 "$WORK/$curve.import.log")"

	start_smdp "$conf" "$WORK/$curve.orders.log" || fail "$curve: smdpplus did not start"
	log "$curve: ordering $DOWNLOADS profiles over ES2+"
	"$BIN/rspctl" batch issue --id "orders-$curve" --count "$DOWNLOADS" --profile-type bench \
		--qr-format none --dir "$WORK" --db "$conninfo" \
		--smdp "https://$HOST:$ES2_PORT" \
		--connect-to "$HOST:$ES2_PORT:127.0.0.1:$ES2_PORT" \
		--cert "$WORK/operator.pem" --key "$WORK/operator.key" --cafile "$PKI/nist/ci.pem" \
		>"$WORK/$curve.batch.log" 2>&1 ||
		fail "$curve: rspctl batch issue failed: $(tail -3 "$WORK/$curve.batch.log")"
	stop_smdp ||
		fail "$curve: smdpplus failed after the orders (see $WORK/$curve.orders.log)"
	csv=$WORK/orders-$curve/orders-$curve.csv
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "activation_code") col = i; next }
		col { print $col }' "$csv" >"$WORK/$curve.codes"
	[ "$(wc -l <"$WORK/$curve.codes")" = "$DOWNLOADS" ] ||
		fail "$curve: expected $DOWNLOADS activation codes in $csv"

	start_smdp "$conf" "$WORK/$curve.smdpplus.log" || fail "$curve: smdpplus did not start"
	args=(--codes "$WORK/$curve.codes" -c "$CONCURRENCY" --ci-cert "$PKI/$curve/ci.der"
		--cafile "$PKI/nist/ci.pem" --connect-to "$HOST:443:127.0.0.1:$ES9_PORT"
		--calls "$WORK/$curve.calls.csv")
	args+=(--euicc-cert "$PKI/$curve/euicc.der" --euicc-key "$PKI/$curve/euicc.key"
		--eum-cert "$PKI/$curve/eum.der")
	for ((i = 2; i <= CONCURRENCY; i++)); do
		args+=(--euicc-cert "$PKI/$curve/euicc-$i.der"
			--euicc-key "$PKI/$curve/euicc-$i.key" --eum-cert "$PKI/$curve/eum.der")
	done

	log "$curve: $DOWNLOADS downloads with $CONCURRENCY test eUICCs"
	pg_before=$(pg_backend_ticks "$conninfo")
	while read -r pid ticks; do
		[ -n "$pid" ] && pg_start[$pid]=$ticks
	done <<<"$pg_before"
	if [ -n "$PERF" ]; then
		perf record -q -F 499 --call-graph dwarf,16384 -p "$SMDP_PID" \
			-o "$WORK/$curve.perf.data" >"$WORK/$curve.perf.log" 2>&1 &
		PERF_PID=$!
		sleep 0.5
	fi
	busy_before=$(busy_ticks)
	before=$(cpu_ticks "$SMDP_PID")
	out=$WORK/$curve.download_bench.out
	"$BENCH_BIN/download_bench" "${args[@]}" >"$out" 2>"$WORK/$curve.download_bench.err"
	rc=$?
	if ! kill -0 "$SMDP_PID" 2>/dev/null; then
		SMDP_PID=""
		fail "$curve: smdpplus exited during the downloads (see $WORK/$curve.smdpplus.log)"
	fi
	after=$(cpu_ticks "$SMDP_PID")
	busy_after=$(busy_ticks)
	stop_perf
	hwm=$(vm_kib "$SMDP_PID" VmHWM)
	pg_after=$(pg_backend_ticks "$conninfo")
	while read -r pid ticks; do
		[ -n "$pid" ] || continue
		prev=${pg_start[$pid]:-0}
		pg_ticks=$((pg_ticks + ticks - prev))
	done <<<"$pg_after"
	stop_smdp || log "$curve: smdpplus exited with an error (see $WORK/$curve.smdpplus.log)"

	if [ "$rc" -ge 2 ] || ! grep -q '^downloads_per_s ' "$out"; then
		cat "$WORK/$curve.download_bench.err" >&2
		fail "$curve: download_bench did not run (exit $rc)"
	fi
	if [ "$rc" = 1 ]; then
		FAILED=1
		log "$curve: some downloads failed:"
		grep '^failure ' "$out" >&2
	fi
	{
		cat "$out"
		echo "smdp_cpu_ms_per_download $(awk -v t=$((after - before)) -v hz="$TICK" \
			-v n="$DOWNLOADS" 'BEGIN { printf "%.2f", t * 1000 / hz / n }')"
		echo "pg_cpu_ms_per_download $(awk -v t="$pg_ticks" -v hz="$TICK" \
			-v n="$DOWNLOADS" 'BEGIN { printf "%.2f", t * 1000 / hz / n }')"
		echo "smdp_vmhwm_kib $hwm"
		echo "smdp_log_warn $(grep -c ' WARN ' "$WORK/$curve.smdpplus.log")"
		echo "smdp_log_error $(grep -c ' ERROR ' "$WORK/$curve.smdpplus.log")"
		# CPU time of everything else on the machine during the downloads, in cores: the
		# busy time minus that of the SM-DP+, its PostgreSQL backends and download_bench.
		awk -v busy=$((busy_after - busy_before)) -v smdp=$((after - before)) \
			-v pg="$pg_ticks" -v hz="$TICK" '
			$1 == "wall_s" { wall = $2 }
			$1 == "downloads" { n = $2 }
			$1 == "client_cpu_ms_per_download" { client = $2 }
			END {
				other = (busy - smdp - pg) * 1000 / hz - client * n
				if (other < 0) other = 0
				cores = 0
				if (wall > 0) cores = other / (wall * 1000)
				printf "other_cores %.2f\n", cores
			}' "$out"
	} >"$result"
}

for curve in $CURVES; do
	run_curve "$curve"
done

log "crypto_bench, $CRYPTO_SECONDS s per operation"
# crypto_bench reports wall-clock rates; its CPU time over its run time shows whether other
# processes took part of the core meanwhile.
TIMEFORMAT='%R %U %S'
{ time "$BENCH_BIN/crypto_bench" "$CRYPTO_SECONDS" >"$WORK/crypto.out" 2>"$WORK/crypto.err"; } \
	2>"$WORK/crypto.time" || fail "crypto_bench failed: $(cat "$WORK/crypto.err")"
CRYPTO_CORE_SHARE=$(awk '{ if ($1 > 0) printf "%.0f", 100 * ($2 + $3) / $1 }' "$WORK/crypto.time")

# ---- the Markdown block ----

# value CURVE NAME [FIELD]: field FIELD (default 2) of the line NAME of a curve's result.
value() {
	awk -v n="$2" -v f="${3:-2}" '$1 == n { print $f; exit }' "$WORK/$1.result"
}

# function_value CURVE FUNCTION FIELD-NAME: a value of a "function NAME ..." line.
function_value() {
	awk -v fn="$2" -v key="$3" '$1 == "function" && $2 == fn {
		for (i = 3; i < NF; i += 2) if ($i == key) { print $(i + 1); exit }
	}' "$WORK/$1.result"
}

# crypto_us NAME: microseconds per operation of a crypto_bench line.
crypto_us() {
	awk -v n="$1" '$1 == n { print $3; exit }' "$WORK/crypto.out"
}
crypto_ops() {
	awk -v n="$1" '$1 == n { print $2; exit }' "$WORK/crypto.out"
}

curve_title() {
	case $1 in
	nist) echo "NIST P-256" ;;
	brp) echo "brainpoolP256r1" ;;
	esac
}
crypto_suffix() {
	case $1 in
	nist) echo p256 ;;
	brp) echo brainpoolp256r1 ;;
	esac
}

# crypto_estimate CURVE: milliseconds of crypto the SM-DP+ does per download, from
# crypto_bench: 3 ECDSA signatures (serverSigned1, smdpSigned2, InitialiseSecureChannel),
# 5 verifications (EUM and eUICC certificates, euiccSignature1, euiccSignature2, the
# ProfileInstallationResult), one key pair with ECDH, and the BSP protection of the profile
# scaled linearly from the 20 KiB of crypto_bench.
crypto_estimate() {
	local s
	s=$(crypto_suffix "$1")
	awk -v sign="$(crypto_us "ecdsa_sign_$s")" -v verify="$(crypto_us "ecdsa_verify_$s")" \
		-v ecdh="$(crypto_us "ecdh_keypair_shared_$s")" \
		-v bsp="$(crypto_us bsp_protect_20k)" -v bytes="$PROFILE_BYTES" \
		'BEGIN {
			us = 3 * sign + 5 * verify + ecdh + bsp * bytes / 20480
			printf "%.2f", us / 1000
		}'
}

# row TITLE COMMAND...: a table row with one cell per curve, each the output of COMMAND CURVE.
row() {
	local title=$1 curve line
	shift
	line="| $title |"
	for curve in $CURVES; do
		line="$line $("$@" "$curve") |"
	done
	echo "$line"
}

cell_downloads() { echo "$(value "$1" installed) / $(value "$1" failed)"; }
cell_value() { value "$1" "$CELL"; }
cell_function() {
	echo "$(function_value "$1" "$CELL" p50_ms) / $(function_value "$1" "$CELL" p99_ms)"
}
cell_download_ms() { echo "$(value "$1" download_ms 3) / $(value "$1" download_ms 5)"; }
cell_memory() { awk -v k="$(value "$1" smdp_vmhwm_kib)" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
cell_log() { echo "$(value "$1" smdp_log_warn) / $(value "$1" smdp_log_error)"; }
cell_crypto() { crypto_estimate "$1"; }
cell_share() {
	awk -v c="$(crypto_estimate "$1")" -v t="$(value "$1" smdp_cpu_ms_per_download)" \
		'BEGIN { if (t > 0) printf "%.0f %%", 100 * c / t; else print "-" }'
}

machine() {
	local cpu mem gcc_version flavor
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	gcc_version=$(${CC:-gcc} --version 2>/dev/null | head -1)
	echo "- CPU: ${cpu:-unknown}, $(nproc) cores available, $mem memory"
	flavor=$(basename "$(dirname "$BIN")")
	[ "$flavor" = release ] && flavor="release (-O2 -g)"
	echo "- Kernel: $(uname -sr); compiler: $gcc_version; build: $flavor"
	echo "- Libraries (Debian packages): mbedTLS $(pkg_version libmbedtls-dev)," \
		"OpenSSL $(pkg_version libssl3), libcurl $(pkg_version libcurl4)," \
		"libpq $(pkg_version libpq5), PostgreSQL server $(pkg_version postgresql-15)," \
		"cJSON $(pkg_version libcjson1); civetweb $(civetweb_version) built from source"
}

pkg_version() {
	dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo unknown
}

civetweb_version() {
	local header=$REPO/build/civetweb-src/include/civetweb.h
	sed -n 's/^#define CIVETWEB_VERSION "\(.*\)"/\1/p' "$header" 2>/dev/null | head -1
}

# Functions whose inclusive share perf_tables lists, with what each covers.
PERF_FUNCTIONS="es9_initiate_authentication:ES9+ initiateAuthentication handler
es9_authenticate_client:ES9+ authenticateClient handler
es9_get_bound_profile_package:ES9+ getBoundProfilePackage handler
es9_handle_notification:ES9+ handleNotification handler
db_transaction:inside database transactions (the crypto done there included)
cert_verify_signature:certificate signatures (EUM, eUICC) through mbedtls_pk_verify
crypto_verify:ECDSA verifications (euiccSignature1/2, ProfileInstallationResult)
crypto_sign:ECDSA signatures
crypto_ecdh_keypair:one-time key pairs
crypto_ecdh_shared:ECDH shared secrets
bsp_write_encrypted_segments:SCP03t encryption and MAC of the profile
db_exec:SQL statements (libpq client side)
db_query_one:SQL queries (libpq client side)
sslize:TLS handshakes (civetweb, OpenSSL)
SSL_read:TLS reads
SSL_write:TLS writes
log_write:log lines
cert_parse:certificate parsing"

# perf_tables CURVE: the SM-DP+'s CPU samples during the downloads, by library (self time)
# and for selected functions (inclusive time, from DWARF call graphs).
perf_tables() {
	local data=$WORK/$1.perf.data samples children name what
	samples=$(perf report -i "$data" --stdio 2>/dev/null |
		sed -n 's/^# Samples: \([0-9.kKM]*\) .*/\1/p' | head -1)
	perf report -i "$data" --children --sort sym --stdio -q -g none 2>/dev/null \
		>"$WORK/$1.perf.children"
	echo
	echo "SM-DP+ CPU samples during the downloads, $(curve_title "$1") (perf record" \
		"-F 499 --call-graph dwarf, $samples samples; perf slows the run down, so take" \
		"the figures of this run from a run without --perf):"
	echo
	echo "| library (self time) | share |"
	echo "|---|---|"
	perf report -i "$data" --sort dso --stdio --no-children -q -g none 2>/dev/null |
		awk 'NF >= 2 && $1 ~ /%$/ {
			pct = $1; $1 = ""; sub(/^ /, ""); print "| " $0 " | " pct " |"
		}' |
		head -10
	echo
	echo "| function (inclusive time) | covers | share |"
	echo "|---|---|---|"
	while IFS=: read -r name what; do
		children=$(awk -v n="$name" '$3 == "[.]" && $4 == n { print $1; exit }' \
			"$WORK/$1.perf.children")
		[ -n "$children" ] && echo "| $name | $what | $children |"
	done <<<"$PERF_FUNCTIONS"
}

report() {
	local curve header sep s b
	header="| |"
	sep="|---|"
	for curve in $CURVES; do
		header="$header $(curve_title "$curve") |"
		sep="$sep---|"
	done

	echo "### Download benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "Command: \`$COMMAND\`"
	echo
	echo "$DOWNLOADS downloads per curve, $CONCURRENCY test eUICCs in parallel, profile package"
	echo "of $PROFILE_BYTES bytes, SM-DP+ with 8 HTTP threads per port."
	echo
	machine
	echo
	echo "$header"
	echo "$sep"
	row "downloads installed / failed" cell_downloads
	CELL=wall_s row "wall time (s)" cell_value
	CELL=downloads_per_s row "downloads per second" cell_value
	CELL=smdp_cpu_ms_per_download row "SM-DP+ CPU per download (ms)" cell_value
	CELL=pg_cpu_ms_per_download row "PostgreSQL CPU per download (ms)" cell_value
	CELL=client_cpu_ms_per_download row "load generator CPU per download (ms)" cell_value
	row "SM-DP+ peak memory (VmHWM)" cell_memory
	for fn in initiateAuthentication authenticateClient getBoundProfilePackage \
		handleNotification; do
		CELL=$fn row "$fn p50 / p99 (ms)" cell_function
	done
	row "whole download p50 / p99 (ms)" cell_download_ms
	row "SM-DP+ log lines WARN / ERROR" cell_log
	CELL=other_cores row "CPU used meanwhile by other processes (cores)" cell_value
	row "crypto alone per download, estimate (ms)" cell_crypto
	row "crypto share of SM-DP+ CPU" cell_share
	echo
	echo "Crypto alone (crypto_bench, one thread, $CRYPTO_SECONDS s per operation, same run)."
	echo "It had $CRYPTO_CORE_SHARE % of a core; below 100 %, other processes slowed it down."
	echo
	echo "| operation | P-256 ops/s | P-256 µs | brainpoolP256r1 ops/s | brainpoolP256r1 µs |"
	echo "|---|---|---|---|---|"
	for s in ecdsa_sign ecdsa_verify ecdh_keypair_shared; do
		b=${s}_brainpoolp256r1
		echo "| $s | $(crypto_ops "${s}_p256") | $(crypto_us "${s}_p256") |" \
			"$(crypto_ops "$b") | $(crypto_us "$b") |"
	done
	echo "| bsp_protect_20k (both curves) | $(crypto_ops bsp_protect_20k) |" \
		"$(crypto_us bsp_protect_20k) | | |"
	for curve in $CURVES; do
		[ -f "$WORK/$curve.perf.data" ] && perf_tables "$curve"
	done
	for curve in $CURVES; do
		if grep -q '^failure ' "$WORK/$curve.result"; then
			echo
			echo "Failed downloads, $(curve_title "$curve"), by step and SGP.22 status:"
			echo
			echo "| downloads | step | outcome | subjectCode/reasonCode |"
			echo "|---|---|---|---|"
			grep '^failure ' "$WORK/$curve.result" | awk '{
				step = "-"; outcome = "-"; subject = "-"; reason = "-"
				for (i = 2; i <= NF; i++) {
					eq = index($i, "=")
					key = substr($i, 1, eq - 1); val = substr($i, eq + 1)
					if (key == "step") step = val
					else if (key == "result") outcome = val
					else if (key == "subjectCode") subject = val
					else if (key == "reasonCode") reason = val
				}
				print step, outcome, subject "/" reason }' |
				sort | uniq -c |
				awk '{ print "| " $1 " | " $2 " | " $3 " | " $4 " |" }'
			echo
			echo "First failures (all of them: $WORK/$curve.download_bench.out):"
			echo
			grep '^failure ' "$WORK/$curve.result" | head -10 | sed 's/^/    /'
		fi
	done
}

report | tee "$WORK/bench.md"
exit $FAILED
