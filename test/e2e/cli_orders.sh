#!/bin/bash
# End-to-end tests of rspctl against a running SM-DP+ on PostgreSQL.
#  - Profiles: import, generate, list and show over the database administration path.
#  - Orders over ES2+ with an operator client certificate.
#  - Activation codes and QR codes, read back with zbarimg.
#  - A code issued by rspctl is downloaded and installed by rsp-test-lpa.
#  - Bad input: each case is rejected with a one-line error, including named pipes and devices
#    given as files, files over the size limit and activation code fields that are too long.
# Activation codes contain "$" and are written in single quotes on purpose.
# shellcheck disable=SC2016
. "$(dirname "$0")/lib.sh"
e2e_init cli_orders
e2e_require smdpplus rsp-pki rspctl rsp-test-lpa

CLI=$RSP_BIN/rspctl
if [ -z "${RSP_SHARED:-}" ] && [ -d "$RSP_REPO/../shared" ]; then
	RSP_SHARED=$RSP_REPO/../shared
fi
KI=000102030405060708090A0B0C0D0E0F
OPC=0F0E0D0C0B0A09080706050403020100

# run CMD...: runs a command; its stdout is in OUT, its stderr in ERR and its status in RC.
run() {
	"$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err"
	RC=$?
	OUT=$(cat "$E2E_TMP/out")
	ERR=$(cat "$E2E_TMP/err")
}

# expect NAME STATUS PATTERN: the last run exited with STATUS and printed exactly one line on
# stderr that matches the grep pattern PATTERN (when STATUS is not 0).
expect() {
	local name=$1 status=$2 pattern=$3 lines
	lines=$(printf '%s' "$ERR" | grep -c '')
	if [ "$RC" != "$status" ]; then
		e2e_fail "$name" "exit status $RC, expected $status; stderr: $ERR"
	elif [ "$status" != 0 ] && [ "$lines" != 1 ]; then
		e2e_fail "$name" "$lines lines on stderr, expected one: $ERR"
	elif [ -n "$pattern" ] && ! printf '%s\n%s' "$OUT" "$ERR" | grep -q -- "$pattern"; then
		e2e_fail "$name" "output does not match '$pattern': $OUT $ERR"
	else
		e2e_pass "$name"
	fi
}

# json_field NAME: the string value of "NAME" in the JSON output of the last run.
json_field() {
	printf '%s' "$OUT" | sed -n "s/.*\"$1\":[[:space:]]*\"\([^\"]*\)\".*/\1/p" | head -n1
}

# zbar FILE: the text of the QR code in an image (QR only: zbarimg's 1D decoders can report a
# false barcode inside a QR image).
zbar() {
	zbarimg --quiet --raw -Sdisable -Sqrcode.enable "$1" 2>/dev/null | head -n1
}

state_of() {
	"$CLI" order show --iccid "$1" --json 2>/dev/null | sed -n 's/.*"state":[[:space:]]*"\([^"]*\)".*/\1/p'
}

setup() {
	e2e_db || return 1
	e2e_pki nist || return 1
	"$RSP_BIN/rsp-pki" operator-ca --out "$E2E_TMP/opca" >/dev/null || return 1
	"$RSP_BIN/rsp-pki" operator-client --ca-dir "$E2E_TMP/opca" --operator OPA \
		--out "$E2E_TMP/opa" >/dev/null || return 1
	# A client certificate with the same operator name from a CA the SM-DP+ does not trust.
	"$RSP_BIN/rsp-pki" operator-ca --out "$E2E_TMP/rogueca" >/dev/null || return 1
	"$RSP_BIN/rsp-pki" operator-client --ca-dir "$E2E_TMP/rogueca" --operator OPA \
		--out "$E2E_TMP/rogue" >/dev/null || return 1
	e2e_config "$E2E_TMP/smdp.conf" "es2_client_ca = $E2E_TMP/opca/ca.pem" || return 1
	e2e_start_smdp "$E2E_TMP/smdp.conf" || return 1
	export RSP_DB=$E2E_CONNINFO
	export RSPCTL_SMDP=https://$E2E_HOST:$E2E_ES2_PORT
	export RSPCTL_CERT=$E2E_TMP/opa.pem RSPCTL_KEY=$E2E_TMP/opa.key
	export RSPCTL_CAFILE=$E2E_PKI/nist/ci.pem
	CT="--connect-to $E2E_HOST:$E2E_ES2_PORT:127.0.0.1:$E2E_ES2_PORT"
}

if ! setup; then
	e2e_fail setup "the SM-DP+ test environment did not start (see $E2E_TMP)"
	exit 1
fi

ICCID1=$(e2e_iccid 894900001000000001)
ICCID2=$(e2e_iccid 894900001000000002)
ICCID3=$(e2e_iccid 894900001000000003)
UNKNOWN=$(e2e_iccid 894900001999999999)

# ---- help ----
help_ok=1
for cmd in "profile import" "profile generate" "profile list" "profile show" \
	"order download" "order confirm" "order cancel" "order release" "order show" \
	"code make" "code decode" "code qr" "batch issue" "batch status"; do
	# shellcheck disable=SC2086
	run "$CLI" $cmd --help
	if [ "$RC" != 0 ] || ! printf '%s' "$OUT" | grep -q "usage: rspctl $cmd" ||
		! printf '%s' "$OUT" | grep -q "example:"; then
		help_ok=0
		e2e_fail "help_${cmd// /_}" "exit $RC: $OUT $ERR"
	fi
done
[ $help_ok = 1 ] && e2e_pass help_every_subcommand

# ---- profiles ----
for i in 1 2 3; do
	iccid_var=ICCID$i
	run "$CLI" profile generate --iccid "${!iccid_var}" --imsi 00101000000000$i --ki $KI \
		--opc $OPC --type demo --out "$E2E_TMP/p$i.der" --import
	[ "$RC" = 0 ] || break
done
expect profile_generate_import 0 "imported"

run "$CLI" profile show "$ICCID1" --json
expect profile_show_available 0 '"state":[[:space:]]*"Available"'

run "$CLI" profile import "$E2E_TMP/p1.der"
expect import_duplicate_rejected 1 "duplicate: ICCID $ICCID1"

printf 'not a profile package' >"$E2E_TMP/junk.der"
run "$CLI" profile import "$E2E_TMP/junk.der"
expect import_invalid_rejected 1 "not a SAIP profile package"

# Inputs that are not regular files are rejected at once, and a package over the size limit is
# rejected before it is read. Each cause gives one line. timeout turns a hang into a failure.
mkfifo "$E2E_TMP/fifo.der"
run timeout 30 "$CLI" profile import "$E2E_TMP/fifo.der"
expect import_named_pipe_rejected 1 "fifo.der: it is a named pipe, not a regular file"
run timeout 30 "$CLI" profile import /dev/zero
expect import_device_one_line 1 "/dev/zero: it is a character device"
run timeout 30 "$CLI" profile import --iccid "$(e2e_iccid 894900001000000009)" /dev/zero
expect import_device_renumbered_one_line 1 "/dev/zero: it is a character device"
truncate -s 2000000 "$E2E_TMP/big.der"
run "$CLI" profile import "$E2E_TMP/big.der"
expect import_too_large_one_line 1 "big.der is too large: 2000000 bytes, the maximum is 1048576 bytes"
run "$CLI" profile import --iccid "$(e2e_iccid 894900001000000009)" "$E2E_TMP/big.der"
expect import_too_large_renumbered_one_line 1 "2000000 bytes, the maximum is 1048576 bytes"

run "$CLI" profile list --type demo
if [ "$RC" = 0 ] && [ "$(printf '%s\n' "$OUT" | grep -c '^8949.*Available.*demo')" = 3 ]; then
	e2e_pass profile_list_states
else
	e2e_fail profile_list_states "exit $RC: $OUT $ERR"
fi

if [ -n "${RSP_SHARED:-}" ] && [ -d "$RSP_SHARED/profiles" ]; then
	# The TS.48 packages all carry one ICCID: the first is imported, each other package is
	# reported as a duplicate, each non-package file as invalid, and the import carries on.
	run "$CLI" profile import --type ts48 "$RSP_SHARED/profiles"
	ders=$(find "$RSP_SHARED/profiles" -maxdepth 1 -name '*.der' | wc -l)
	others=$(find "$RSP_SHARED/profiles" -maxdepth 1 -type f ! -name '*.der' | wc -l)
	dups=$(printf '%s\n' "$ERR" | grep -c 'duplicate')
	invalid=$(printf '%s\n' "$ERR" | grep -c 'not a SAIP profile package')
	if [ "$RC" = 3 ] && [ "$dups" = $((ders - 1)) ] && [ "$invalid" = "$others" ] &&
		printf '%s' "$OUT" | grep -q "1 imported, $((ders - 1 + others)) failed"; then
		e2e_pass import_ts48_folder_carries_on
	else
		e2e_fail import_ts48_folder_carries_on "exit $RC, $dups duplicates, $invalid invalid: $OUT $ERR"
	fi
	run "$CLI" profile import --type ts48 --iccid "$(e2e_iccid 894900002000000001)" \
		"$RSP_SHARED"/profiles/*.der
	expect import_ts48_new_iccids 0 "$ders imported, 0 failed"
else
	e2e_skip import_ts48_folder_carries_on "RSP_SHARED/profiles not available"
	e2e_skip import_ts48_new_iccids "RSP_SHARED/profiles not available"
fi

# ---- orders over ES2+ ----
# shellcheck disable=SC2086
run "$CLI" order download $CT --iccid "$ICCID1"
expect order_download_by_iccid 0 "^$ICCID1\$"
e2e_check order_show_allocated "$(state_of "$ICCID1")" Allocated

# shellcheck disable=SC2086
run "$CLI" order confirm $CT --iccid "$ICCID1" --matching-id CLI-E2E-0001 --release \
	--png "$E2E_TMP/code1.png" --svg "$E2E_TMP/code1.svg" --json
expect order_confirm_chosen_matching_id 0 '"matchingId":[[:space:]]*"CLI-E2E-0001"'
CODE1=$(json_field activationCode)
e2e_check activation_code_format "$CODE1" "LPA:1\$$E2E_HOST\$CLI-E2E-0001"
e2e_check order_png_reads_back "$(zbar "$E2E_TMP/code1.png")" "$CODE1"
if grep -q '<svg xmlns="http://www.w3.org/2000/svg"' "$E2E_TMP/code1.svg" 2>/dev/null; then
	e2e_pass order_svg_written
else
	e2e_fail order_svg_written "no SVG in $E2E_TMP/code1.svg"
fi
e2e_check order_show_released "$(state_of "$ICCID1")" Released

# The test LPA downloads the profile with the code rspctl issued and installs it.
P=$E2E_PKI/nist
lpa() {
	"$RSP_BIN/rsp-test-lpa" --euicc-cert "$P/euicc.der" --euicc-key "$P/euicc.key" \
		--eum-cert "$P/eum.der" --ci-cert "$P/ci.der" --cafile "$P/ci.pem" \
		--connect-to "$E2E_HOST:443:127.0.0.1:$E2E_ES9_PORT" "$@" >"$E2E_TMP/lpa.out" 2>&1
}
if lpa --expect-profile "$E2E_TMP/p1.der" "$CODE1"; then
	e2e_check lpa_installs_cli_code "$(state_of "$ICCID1")" Installed
else
	e2e_fail lpa_installs_cli_code "$(cat "$E2E_TMP/lpa.out")"
fi

# By profile type, matchingId generated by the SM-DP+, confirmation code, release later.
# shellcheck disable=SC2086
run "$CLI" order download $CT --profile-type demo --json
expect order_download_by_type 0 '"iccid"'
TYPED=$(json_field iccid)
# shellcheck disable=SC2086
run "$CLI" order confirm $CT --iccid "$TYPED" --confirmation-code 4711 --json
expect order_confirm_generated_matching_id 0 '"matchingId":[[:space:]]*"[0-9A-Z-]\+"'
CODE2=$(json_field activationCode)
case $CODE2 in
*'$$1') e2e_pass activation_code_cc_flag ;;
*) e2e_fail activation_code_cc_flag "code $CODE2 lacks the confirmation code flag" ;;
esac
e2e_check order_show_confirmed "$(state_of "$TYPED")" Confirmed
# shellcheck disable=SC2086
run "$CLI" order release $CT --iccid "$TYPED"
expect order_release 0 "released"
if lpa --cc 4711 "$CODE2"; then
	e2e_check lpa_installs_with_cc "$(state_of "$TYPED")" Installed
else
	e2e_fail lpa_installs_with_cc "$(cat "$E2E_TMP/lpa.out")"
fi

# Cancel: the profile becomes Available again.
OTHER=$ICCID2
[ "$TYPED" = "$ICCID2" ] && OTHER=$ICCID3
# shellcheck disable=SC2086
run "$CLI" order download $CT --iccid "$OTHER"
# shellcheck disable=SC2086
run "$CLI" order cancel $CT --iccid "$OTHER" --final-state available
expect order_cancel 0 "cancelled"
e2e_check order_show_after_cancel "$(state_of "$OTHER")" Available

# ---- bad input ----
# shellcheck disable=SC2086
run "$CLI" order download $CT --iccid "$UNKNOWN"
expect unknown_iccid_rejected 1 "subjectCode 8.2.1, reasonCode 3.9"
run "$CLI" order show --iccid "$UNKNOWN"
expect unknown_iccid_show 1 "unknown ICCID $UNKNOWN"
# shellcheck disable=SC2086
run "$CLI" order download $CT --iccid 8949000010000000015
expect bad_check_digit 2 "Luhn check digit (last digit) should be"
# shellcheck disable=SC2086
run "$CLI" order confirm $CT --iccid "$OTHER" --matching-id abc-1
expect matching_id_lower_case 2 "character 1 ('a') is not allowed"
# shellcheck disable=SC2086
run "$CLI" order download $CT --iccid "$OTHER" --cert "$E2E_TMP/rogue.pem" --key "$E2E_TMP/rogue.key"
expect wrong_client_certificate 1 "client certificate"
e2e_check wrong_certificate_no_order "$(state_of "$OTHER")" Available
# shellcheck disable=SC2086
run "$CLI" order download $CT --iccid "$OTHER" --operator OPB
expect other_operator_rejected 1 "subjectCode 1.1, reasonCode 1.2"
run "$CLI" order download --connect-to "$E2E_HOST:$E2E_ES2_PORT:127.0.0.1:1" --iccid "$OTHER"
expect unreachable_smdp 1 "cannot reach the SM-DP+"
# shellcheck disable=SC2086
run "$CLI" order release $CT --iccid "$OTHER"
expect release_not_allowed 1 "reasonCode 3.5"
mkfifo "$E2E_TMP/cc.fifo"
# shellcheck disable=SC2086
run timeout 30 "$CLI" order confirm $CT --iccid "$OTHER" --confirmation-code-file "$E2E_TMP/cc.fifo"
expect cc_file_named_pipe_rejected 2 "confirmation code file .*cc.fifo: it is a named pipe"
# shellcheck disable=SC2086
run timeout 30 "$CLI" order download $CT --iccid "$OTHER" --cert "$E2E_TMP/cc.fifo"
expect cert_named_pipe_rejected 2 "cc.fifo: it is a named pipe"
run "$CLI" profile list --db "host=$E2E_TMP/nothing dbname=none"
expect database_unreachable 1 "cannot open the SM-DP+ database"

# ---- activation codes ----
run "$CLI" code decode --json 'lpa:1$smdp.example.com$ABC-1$$1'
expect decode_lower_prefix_empty_oid 0 '"ccRequired":[[:space:]]*true'
run "$CLI" code decode --json '1$smdp.example.com$$1.3.6.1.4.1.99'
expect decode_no_prefix_empty_token 0 '"smdpOid":[[:space:]]*"1.3.6.1.4.1.99"'
run "$CLI" code decode 'LPA:2$smdp.example.com$ABC'
expect decode_other_version 2 "unsupported activation code format '2'"
run "$CLI" code decode 'LPA:1$smdp.example.com$AB%C'
expect decode_forbidden_character 2 "invalid matchingId 'AB%C'"
run "$CLI" code decode 'LPA:1$smdp_example.com$ABC'
expect decode_bad_address 2 "invalid SM-DP+ address"
run "$CLI" code decode 'LPA:1$smdp.example.com$ABC$$2'
expect decode_bad_cc_flag 2 "confirmation code flag"
LONG_ID=$(printf 'A%.0s' $(seq 300))
run "$CLI" code decode "LPA:1\$smdp.example.com\$$LONG_ID"
expect decode_long_matching_id_named 2 "its matchingId has 300 characters, the maximum is 255"
run "$CLI" code make --address "$LONG_ID.example" --matching-id ABC
expect make_long_address_named 2 "SM-DP+ address of 308 characters: an SM-DP+ address has at most 255"
run "$CLI" code make --address smdp.example.com --matching-id QR-TEST-9 --oid 2.999.10 \
	--cc-required --png "$E2E_TMP/make.png"
expect code_make 0 'LPA:1\$smdp.example.com\$QR-TEST-9\$2.999.10\$1'
e2e_check code_make_png_reads_back "$(zbar "$E2E_TMP/make.png")" \
	'LPA:1$smdp.example.com$QR-TEST-9$2.999.10$1'
run "$CLI" code qr "$CODE1" --png "$E2E_TMP/qr.png" --scale 3
e2e_check code_qr_png_reads_back "$(zbar "$E2E_TMP/qr.png")" "$CODE1"
run "$CLI" code qr "$CODE1" --qr
if [ "$RC" = 0 ] && printf '%s' "$OUT" | grep -q '█'; then
	e2e_pass code_qr_terminal
else
	e2e_fail code_qr_terminal "exit $RC: $ERR"
fi
