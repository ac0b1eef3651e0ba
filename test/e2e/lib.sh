# Shell helpers for the end-to-end tests: a fresh database, a test PKI, an SM-DP+ on free
# 127.0.0.1 ports, ES2+/ES9+ calls with curl, profile loading, and PASS/FAIL/SKIP lines in the
# format scripts/run-tests.sh counts.
#
#   . "$(dirname "$0")/lib.sh"
#   e2e_init es2plus                  # name of the test program, temp folder, cleanup trap
#   e2e_require smdpplus rsp-pki saip-gen
#   e2e_db; e2e_pki; e2e_config "$E2E_TMP/smdp.conf"
#   e2e_start_smdp "$E2E_TMP/smdp.conf"          # sets E2E_ES9_PORT, E2E_ES2_PORT, E2E_SMDP_PID
#   resp=$(e2e_es2 downloadOrder '{"header":{...},"profileType":"demo"}')
#   [ "$(e2e_status "$resp")" = OK ] && e2e_pass download_order || e2e_fail download_order "$resp"
#
# Environment: RSP_BIN (the build's bin folder; default build/asan/bin of the checkout),
# RSP_REPO (the checkout; default two folders above this file). The SM-DP+ host name in the test
# certificates is smdpplus.test; curl maps it to 127.0.0.1 with --resolve, so /etc/hosts is
# never touched. Every process started here is stopped by the EXIT trap.

E2E_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RSP_REPO=${RSP_REPO:-$(cd "$E2E_LIB_DIR/../.." && pwd)}
RSP_BIN=${RSP_BIN:-$RSP_REPO/build/asan/bin}
E2E_HOST=smdpplus.test
E2E_PIDS=""
E2E_FAILED=0

# e2e_init NAME: names the test program and makes its temporary folder E2E_TMP.
e2e_init() {
	E2E_NAME=$1
	E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/rsp-e2e-$1.XXXXXX")
	E2E_DB=""
	trap e2e_cleanup EXIT
	export LSAN_OPTIONS=${LSAN_OPTIONS:-}
}

e2e_cleanup() {
	local pid
	for pid in $E2E_PIDS; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in $E2E_PIDS; do
		wait "$pid" 2>/dev/null
	done
	if [ -n "$E2E_DB" ]; then
		"$RSP_REPO/scripts/pg.sh" dropdb "$E2E_DB" >/dev/null 2>&1
	fi
	if [ "$E2E_FAILED" = 0 ] && [ -z "${E2E_KEEP:-}" ]; then
		rm -rf "$E2E_TMP"
	else
		echo "e2e: logs and files kept in $E2E_TMP"
	fi
}

e2e_pass() { echo "PASS $E2E_NAME/$1"; }
e2e_fail() { E2E_FAILED=1; echo "FAIL $E2E_NAME/$1: ${2:-failed}"; }
e2e_skip() { echo "SKIP $E2E_NAME/$1: ${2:-skipped}"; }

# e2e_check NAME ACTUAL EXPECTED: PASS when equal, else FAIL naming both values.
e2e_check() {
	if [ "$2" = "$3" ]; then
		e2e_pass "$1"
	else
		e2e_fail "$1" "got '$2', expected '$3'"
	fi
}

# e2e_require PROGRAM...: skips the whole test program when a program is not built.
e2e_require() {
	local p
	for p in "$@"; do
		if [ ! -x "$RSP_BIN/$p" ]; then
			e2e_skip all "$RSP_BIN/$p is not built"
			exit 0
		fi
	done
}

# e2e_db: creates a fresh database and sets E2E_CONNINFO.
e2e_db() {
	E2E_DB=e2e_${E2E_NAME}_$$
	"$RSP_REPO/scripts/pg.sh" start >/dev/null || return 1
	"$RSP_REPO/scripts/pg.sh" createdb "$E2E_DB" >/dev/null 2>&1 || return 1
	E2E_CONNINFO=$("$RSP_REPO/scripts/pg.sh" conninfo "$E2E_DB")
}

# e2e_pki [CURVES]: creates a test PKI in E2E_TMP/pki (E2E_PKI) for nist, brp or both.
e2e_pki() {
	E2E_PKI=$E2E_TMP/pki
	"$RSP_BIN/rsp-pki" init --out "$E2E_PKI" --curves "${1:-nist,brp}" --euicc-count 2 \
		--smdp-host "$E2E_HOST" >"$E2E_TMP/rsp-pki.log" 2>&1
}

# e2e_config FILE [EXTRA-LINE...]: writes an SM-DP+ configuration on ports chosen by the
# system, with the keys of every curve in E2E_PKI, and appends the extra lines.
e2e_config() {
	local file=$1 curve tls=nist
	shift
	[ -d "$E2E_PKI/nist" ] || tls=brp
	{
		echo "smdp_address = $E2E_HOST"
		echo "es9_listen = 127.0.0.1:0"
		echo "es2_listen = 127.0.0.1:0"
		echo "es9_tls_cert = $E2E_PKI/$tls/dptls.chain.pem"
		echo "es9_tls_key = $E2E_PKI/$tls/dptls.key"
		echo "db_conninfo = \"$E2E_CONNINFO\""
		echo "sql_dir = $RSP_REPO/sql"
		echo "http_threads = 4"
		local cis=""
		for curve in nist brp; do
			[ -d "$E2E_PKI/$curve" ] || continue
			echo "dpauth_cert_$curve = $E2E_PKI/$curve/dpauth.der"
			echo "dpauth_key_$curve = $E2E_PKI/$curve/dpauth.key"
			echo "dppb_cert_$curve = $E2E_PKI/$curve/dppb.der"
			echo "dppb_key_$curve = $E2E_PKI/$curve/dppb.key"
			cis="$cis${cis:+, }$E2E_PKI/$curve/ci.der"
		done
		echo "ci_certs = $cis"
		for line in "$@"; do
			echo "$line"
		done
	} >"$file"
}

# e2e_start_smdp CONFIG [LOG]: starts smdpplus in the background and waits until it serves.
# Sets E2E_SMDP_PID, E2E_ES9_PORT and E2E_ES2_PORT (read from its start log line).
e2e_start_smdp() {
	local config=$1 log=${2:-$E2E_TMP/smdpplus.log} i line
	"$RSP_BIN/smdpplus" -c "$config" >"$log" 2>&1 &
	E2E_SMDP_PID=$!
	E2E_PIDS="$E2E_PIDS $E2E_SMDP_PID"
	for i in $(seq 1 300); do
		line=$(grep -m1 ' started: ES9+ port ' "$log" 2>/dev/null)
		if [ -n "$line" ]; then
			E2E_ES9_PORT=$(echo "$line" | sed -n 's/.*ES9+ port \([0-9]*\).*/\1/p')
			E2E_ES2_PORT=$(echo "$line" | sed -n 's/.*ES2+ port \([0-9]*\).*/\1/p')
			return 0
		fi
		if ! kill -0 "$E2E_SMDP_PID" 2>/dev/null; then
			echo "e2e: smdpplus exited during start:" >&2
			tail -20 "$log" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "e2e: smdpplus did not start within 30 s" >&2
	return 1
}

# e2e_stop_smdp [PID]: stops an SM-DP+ with SIGTERM and waits for it; returns its exit status.
e2e_stop_smdp() {
	local pid=${1:-$E2E_SMDP_PID} rc
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	E2E_PIDS=$(echo "$E2E_PIDS" | sed "s/ $pid\b//")
	return $rc
}

# e2e_post PORT PATH BODY [CURL-ARGS...]: POSTs BODY over HTTPS to smdpplus.test:PORT and prints
# the response body; the HTTP status goes to E2E_TMP/http_code. The headers are those of the
# SGP.22 JSON binding; set E2E_PROTOCOL or E2E_CONTENT_TYPE for the call to send other values
# (curl would send a second -H of the same name in addition, not instead).
e2e_post() {
	local port=$1 path=$2 body=$3 ca
	shift 3
	ca=$E2E_PKI/nist/ci.pem
	[ -f "$ca" ] || ca=$E2E_PKI/brp/ci.pem
	curl -sS --max-time 30 --cacert "$ca" --resolve "$E2E_HOST:$port:127.0.0.1" \
		-H "Content-Type: ${E2E_CONTENT_TYPE-application/json}" \
		-H "X-Admin-Protocol: ${E2E_PROTOCOL-gsma/rsp/v2.5.0}" \
		-o "$E2E_TMP/http_body" -w '%{http_code}' "$@" --data-binary "$body" \
		"https://$E2E_HOST:$port$path" >"$E2E_TMP/http_code" 2>"$E2E_TMP/curl_err"
	cat "$E2E_TMP/http_body" 2>/dev/null
}

e2e_http_code() { cat "$E2E_TMP/http_code"; }

# e2e_es2 FUNCTION BODY [CURL-ARGS...] / e2e_es9 FUNCTION BODY [CURL-ARGS...]
e2e_es2() {
	local fn=$1 body=$2
	shift 2
	e2e_post "$E2E_ES2_PORT" "/gsma/rsp2/es2plus/$fn" "$body" "$@"
}
e2e_es9() {
	local fn=$1 body=$2
	shift 2
	e2e_post "$E2E_ES9_PORT" "/gsma/rsp2/es9plus/$fn" "$body" "$@"
}

# e2e_header OPERATOR: the ES2+ request header object.
e2e_header() {
	echo "{\"functionRequesterIdentifier\":\"$1\",\"functionCallIdentifier\":\"e2e-$RANDOM$RANDOM\"}"
}

# e2e_field JSON NAME: the string value of the first "NAME":"..." in a compact JSON text.
e2e_field() {
	printf '%s' "$1" | sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p"
}

# e2e_status JSON: "OK" for Executed-Success, "subjectCode/reasonCode" for Failed, else the
# text itself (so a failure message shows what came back).
e2e_status() {
	local status
	status=$(e2e_field "$1" status)
	case $status in
	Executed-Success) echo OK ;;
	Failed) echo "$(e2e_field "$1" subjectCode)/$(e2e_field "$1" reasonCode)" ;;
	*) echo "unexpected: $1" ;;
	esac
}

# e2e_iccid PREFIX18: appends the Luhn check digit to 18 (or 19) digits.
e2e_iccid() {
	local digits=$1 sum=0 i d len double=1
	len=${#digits}
	for ((i = len - 1; i >= 0; i--)); do
		d=${digits:i:1}
		if [ $double = 1 ]; then
			d=$((d * 2))
			[ $d -gt 9 ] && d=$((d - 9))
		fi
		sum=$((sum + d))
		double=$((1 - double))
	done
	echo "$digits$(((10 - sum % 10) % 10))"
}

# e2e_profile ICCID FILE [TYPE]: generates a SAIP package for ICCID.
e2e_profile() {
	"$RSP_BIN/saip-gen" --iccid "$1" --imsi 001010123456789 \
		--ki 000102030405060708090A0B0C0D0E0F --opc 0F0E0D0C0B0A09080706050403020100 \
		--type "${3:-demo}" --out "$2" >/dev/null
}

# e2e_import CONFIG FILE [IMPORT-OPTIONS...]: imports a package through the SM-DP+'s admin switch.
e2e_import() {
	local config=$1 file=$2
	shift 2
	"$RSP_BIN/smdpplus" -c "$config" --import-profile "$file" "$@" 2>>"$E2E_TMP/import.log"
}

# e2e_load_profiles CONFIG TYPE COUNT [PREFIX]: generates and imports COUNT profiles of TYPE with
# consecutive ICCIDs starting at PREFIX (18 digits, default 894900000000000000); prints the
# ICCIDs, one per line.
e2e_load_profiles() {
	local config=$1 type=$2 count=$3 prefix=${4:-894900000000000000} i iccid
	for ((i = 0; i < count; i++)); do
		iccid=$(e2e_iccid "${prefix:0:14}$(printf '%04d' $((10#${prefix:14:4} + i)))")
		e2e_profile "$iccid" "$E2E_TMP/profile-$iccid.der" "$type" || return 1
		e2e_import "$config" "$E2E_TMP/profile-$iccid.der" --profile-type "$type" >/dev/null ||
			return 1
		echo "$iccid"
	done
}

# e2e_psql SQL: runs one SQL statement on the test database and prints the unaligned result.
e2e_psql() {
	local host db
	host=$(echo "$E2E_CONNINFO" | sed -n 's/.*host=\([^ ]*\).*/\1/p')
	db=$(echo "$E2E_CONNINFO" | sed -n 's/.*dbname=\([^ ]*\).*/\1/p')
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- psql -h "$host" -d "$db" -qAtc "$1"
	else
		psql -h "$host" -d "$db" -qAtc "$1"
	fi
}
