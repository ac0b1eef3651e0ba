#!/bin/bash
# The main job behind `make run`: start PostgreSQL and the SM-DP+, load a demo profile, order
# it over ES2+ with an operator client certificate, and print the activation code and how to
# download it with the test LPA. Stays in the foreground with the server log; Ctrl-C stops
# everything it started, PostgreSQL included.
#
# Environment:
#   RSP_STATE_DIR   folder for the PKI, configuration, logs and profiles (default .state)
#   RSP_DB          libpq connection string of an existing database; when set, no private
#                   PostgreSQL cluster is started
#   RSP_SMDP_HOST   SM-DP+ host name in the certificates and the activation code
#                   (default smdpplus.test)
#   RSP_LISTEN      address the SM-DP+ listens on (default 127.0.0.1)
#   RSP_ES9_PORT    ES9+ port for LPAs (default 8443)
#   RSP_ES2_PORT    ES2+ port for operators (default 8444)
#   RSP_BIN         folder of the programs (default build/release/bin)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
state=${RSP_STATE_DIR:-$repo/.state}
bin=${RSP_BIN:-$repo/build/release/bin}
host=${RSP_SMDP_HOST:-smdpplus.test}
listen=${RSP_LISTEN:-127.0.0.1}
es9_port=${RSP_ES9_PORT:-8443}
es2_port=${RSP_ES2_PORT:-8444}
operator=demo-operator
pki=$state/pki
mkdir -p "$state"

started_pg=0
smdp_pid=""
tail_pid=""
cleanup() {
	trap - EXIT INT TERM
	[ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null
	if [ -n "$smdp_pid" ] && kill -0 "$smdp_pid" 2>/dev/null; then
		echo
		echo "demo: stopping the SM-DP+ (pid $smdp_pid)"
		kill -TERM "$smdp_pid" 2>/dev/null || true
		wait "$smdp_pid" 2>/dev/null || true
	fi
	if [ "$started_pg" = 1 ]; then
		echo "demo: stopping the private PostgreSQL cluster"
		"$repo/scripts/pg.sh" stop
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n== %s\n' "$*"; }

# ---- test PKI: made once, kept in the state folder ----
if [ ! -f "$pki/nist/dptls.chain.pem" ]; then
	step "creating a test PKI (NIST P-256 and brainpoolP256r1) in $pki"
	"$bin/rsp-pki" init --out "$pki" --curves nist,brp --smdp-host "$host" --euicc-count 2
fi
if [ ! -f "$pki/operator/ca.pem" ]; then
	step "creating the operator CA and the client certificate of '$operator'"
	"$bin/rsp-pki" operator-ca --out "$pki/operator"
	"$bin/rsp-pki" operator-client --ca-dir "$pki/operator" --operator "$operator" \
		--out "$pki/operator/$operator"
fi

# ---- database ----
if [ -n "${RSP_DB:-}" ]; then
	conninfo=$RSP_DB
	step "using the database of RSP_DB"
else
	step "starting the private PostgreSQL cluster"
	"$repo/scripts/pg.sh" start
	started_pg=1
	conninfo=$("$repo/scripts/pg.sh" conninfo rsp)
fi
export RSP_DB=$conninfo

# ---- SM-DP+ ----
config=$state/smdpplus.conf
cat >"$config" <<EOF
# Written by scripts/demo.sh; see docs/smdpplus.md for every key.
smdp_address = $host
es9_listen = $listen:$es9_port
es2_listen = $listen:$es2_port
es9_tls_cert = $pki/nist/dptls.chain.pem
es9_tls_key = $pki/nist/dptls.key
es2_client_ca = $pki/operator/ca.pem
db_conninfo = "$conninfo"
sql_dir = $repo/sql
dpauth_cert_nist = $pki/nist/dpauth.der
dpauth_key_nist = $pki/nist/dpauth.key
dppb_cert_nist = $pki/nist/dppb.der
dppb_key_nist = $pki/nist/dppb.key
dpauth_cert_brp = $pki/brp/dpauth.der
dpauth_key_brp = $pki/brp/dpauth.key
dppb_cert_brp = $pki/brp/dppb.der
dppb_key_brp = $pki/brp/dppb.key
ci_certs = $pki/nist/ci.der, $pki/brp/ci.der
EOF

log=$state/smdpplus.log
step "starting the SM-DP+ (log: $log)"
: >"$log"
"$bin/smdpplus" -c "$config" >>"$log" 2>&1 &
smdp_pid=$!
for _ in $(seq 1 100); do
	grep -q ' started: ES9+ port ' "$log" && break
	if ! kill -0 "$smdp_pid" 2>/dev/null; then
		echo "demo: the SM-DP+ did not start; its log:" >&2
		cat "$log" >&2
		exit 1
	fi
	sleep 0.1
done
grep -q ' started: ES9+ port ' "$log" || { echo "demo: the SM-DP+ did not start within 10 s" >&2; exit 1; }

# ---- demo profile: a new ICCID each run, so every run issues a fresh code ----
luhn() {
	local digits=$1 sum=0 d i double=1
	for ((i = ${#digits} - 1; i >= 0; i--)); do
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
iccid=$(luhn "89499990$(date +%s)")
profile=$state/profiles/demo-$iccid.der
mkdir -p "$state/profiles"

step "generating and importing the demo profile (ICCID $iccid)"
"$bin/rspctl" profile generate --iccid "$iccid" --imsi 001010000000001 \
	--ki 000102030405060708090A0B0C0D0E0F --opc 0F0E0D0C0B0A09080706050403020100 \
	--type demo --spn "Demo operator" --name "Demo profile" --out "$profile" --import

es2=(--smdp "https://$host:$es2_port" --connect-to "$host:$es2_port:$listen:$es2_port"
	--cafile "$pki/nist/ci.pem" --cert "$pki/operator/$operator.pem"
	--key "$pki/operator/$operator.key" --operator "$operator")

step "ordering the profile over ES2+ (DownloadOrder, then ConfirmOrder with release)"
"$bin/rspctl" order download "${es2[@]}" --iccid "$iccid"
"$bin/rspctl" order confirm "${es2[@]}" --iccid "$iccid" --release --qr \
	--png "$state/demo-$iccid.png" | tee "$state/demo-code.txt"
code=$(grep -o 'LPA:1\$[^ ]*' "$state/demo-code.txt" | head -n 1)

cat <<EOF

== The SM-DP+ is running
   ES9+ (LPAs):      https://$host:$es9_port   (listening on $listen)
   ES2+ (operators): https://$host:$es2_port   (client certificate from $pki/operator/ca.pem)
   activation code:  $code
   QR code image:    $state/demo-$iccid.png

Download and install the profile with the test eUICC/LPA (in another terminal). LPAs reach
an SM-DP+ on port 443, so --connect-to maps $host:443 to the demo's port:

   $bin/rsp-test-lpa --connect-to $host:443:$listen:$es9_port \\
       --cafile $pki/nist/ci.pem --ci-cert $pki/nist/ci.der --ci-cert $pki/brp/ci.der \\
       --euicc-cert $pki/nist/euicc.der --euicc-key $pki/nist/euicc.key \\
       --eum-cert $pki/nist/eum.der --expect-profile $profile '$code'

Use the brp/ files for the eUICC to download over brainpoolP256r1.
Show the order with:
   RSP_DB='$conninfo' $bin/rspctl order show --iccid $iccid

Server log follows; press Ctrl-C (or send SIGTERM to pid $$) to stop the SM-DP+ and PostgreSQL.

EOF
# tail runs in the background so that bash can run the INT/TERM trap while it waits.
tail -n +1 -f --pid="$smdp_pid" "$log" &
tail_pid=$!
wait "$tail_pid"
