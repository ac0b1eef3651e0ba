#!/bin/bash
# ES9+ input handling: every function fed with a body that is not JSON, truncated JSON, missing
# fields, bad base64, truncated DER, oversized data, an unknown transactionId and a wrong
# X-Admin-Protocol. Each must get HTTP 200 with status Failed and its SGP.22 code pair, never
# a 5xx; the server must stay up and the order usable.
set -u
. "$(dirname "$0")/lib.sh"

e2e_init es9plus_input
e2e_require smdpplus rsp-pki saip-gen
e2e_db || { e2e_fail setup "cannot create the test database"; exit 1; }
e2e_pki || { e2e_fail setup "rsp-pki init failed"; exit 1; }
CONF=$E2E_TMP/smdp.conf
e2e_config "$CONF"
ICCID=$(e2e_load_profiles "$CONF" demo 1)
MORE=($(e2e_load_profiles "$CONF" more 4 894900000000000500))
e2e_start_smdp "$CONF" || { e2e_fail start "smdpplus did not start"; exit 1; }

# tlv TAG HEX: a DER TLV in hex (definite length, short or long form).
tlv() {
	local tag=$1 value=$2 len
	len=$((${#value} / 2))
	if [ $len -lt 128 ]; then
		printf '%s%02X%s' "$tag" $len "$value"
	elif [ $len -lt 256 ]; then
		printf '%s81%02X%s' "$tag" $len "$value"
	else
		printf '%s82%04X%s' "$tag" $len "$value"
	fi
}
b64() { xxd -r -p | base64 -w0; }
hex() { printf '%s' "$1" | xxd -p | tr -d '\n'; }
zeros() { printf '%0*d' $(($1 * 2)) 0; }

NIST_CI=$(openssl x509 -in "$E2E_PKI/nist/ci.pem" -noout -ext subjectKeyIdentifier |
	sed -n '2s/[ :]//gp')
TID=0123456789ABCDEF0123456789ABCDEF
CHALLENGE=$(zeros 16 | b64)
info1() { # info1 SVN-HEX VERIFY-PKID SIGN-PKID
	tlv BF20 "$(tlv 82 "$1")$(tlv A9 "$(tlv 04 "$2")")$(tlv AA "$(tlv 04 "$3")")"
}
INFO1_HEX=$(info1 020200 "$NIST_CI" "$NIST_CI")
INFO1=$(echo "$INFO1_HEX" | b64)
init_body() { # init_body ADDRESS INFO1-B64 [CHALLENGE-B64]
	echo "{\"smdpAddress\":\"$1\",\"euiccChallenge\":\"${3:-$CHALLENGE}\",\"euiccInfo1\":\"$2\"}"
}
# A structurally valid AuthenticateServerResponse with fake content.
SIGNED1=$(tlv 30 "$(tlv 80 $TID)$(tlv 83 "$(hex $E2E_HOST)")$(tlv 84 "$(zeros 16)")$(tlv BF22 '')$(tlv A0 '')")
ASR_HEX=$(tlv BF38 "$(tlv A0 "$SIGNED1$(tlv 5F37 "$(zeros 64)")$(tlv 30 '')$(tlv 30 '')")")
ASR=$(echo "$ASR_HEX" | b64)
OTPK=04$(zeros 64)
PDR_HEX=$(tlv BF21 "$(tlv A0 "$(tlv 30 "$(tlv 80 $TID)$(tlv 5F49 $OTPK)")$(tlv 5F37 "$(zeros 64)")")")
PDR=$(echo "$PDR_HEX" | b64)
CSR_HEX=$(tlv BF41 "$(tlv A0 "$(tlv 30 "$(tlv 80 $TID)$(tlv 81 88370A)$(tlv 82 00)")$(tlv 5F37 "$(zeros 64)")")")
CSR=$(echo "$CSR_HEX" | b64)
PIR_HEX=$(tlv BF37 "$(tlv BF27 "$(tlv 80 $TID)$(tlv BF2F "$(tlv 80 01)$(tlv 81 0780)$(tlv 0C "$(hex $E2E_HOST)")")$(tlv 06 88370A)$(tlv A2 "$(tlv A0 "$(tlv 4F A0000005591010FFFFFFFF8900001000)$(tlv 04 9000)")")")$(tlv 5F37 "$(zeros 64)")")
PIR=$(echo "$PIR_HEX" | b64)
# truncate_b64 HEX: base64 of the first half of the DER.
truncate_b64() { echo "${1:0:$((${#1} / 4 * 2))}" | b64; }

SERVER_ERRORS=0
# expect NAME FUNCTION BODY EXPECTED-STATUS [EXPECTED-HTTP]
expect() {
	local name=$1 fn=$2 body=$3 want=$4 want_http=${5:-200} r code
	r=$(e2e_es9 "$fn" "$body")
	code=$(e2e_http_code)
	case $code in 5*) SERVER_ERRORS=$((SERVER_ERRORS + 1)) ;; esac
	if [ "$code" != "$want_http" ]; then
		e2e_fail "$name" "HTTP $code, expected $want_http: $r"
		return
	fi
	e2e_check "$name" "$(e2e_status "$r")" "$want"
}

# ---- every function: body not JSON, truncated JSON, empty object ----
for fn in initiateAuthentication authenticateClient getBoundProfilePackage handleNotification \
	cancelSession; do
	expect "${fn}_not_json" $fn 'this is not JSON' 1.3.1/2.1
	expect "${fn}_truncated_json" $fn '{"transactionId":"0123' 1.3.1/2.1
	expect "${fn}_json_array" $fn '[1,2,3]' 1.3.1/2.1
	expect "${fn}_empty_object" $fn '{}' 1.3.1/2.2
	expect "${fn}_duplicate_key" $fn '{"a":1,"a":2}' 1.3.1/2.1
	# A \u0000 escape would cut the C string short, so the whole body is invalid.
	expect "${fn}_nul_escape" $fn '{"transactionId":"01\u000023"}' 1.3.1/2.1
	E2E_PROTOCOL=gsma/rsp/v3.0.0 expect "${fn}_protocol_v3" $fn '{}' 1.3.2/3.1
	E2E_PROTOCOL=http/1.1 expect "${fn}_protocol_other" $fn '{}' 1.3.2/3.1
	E2E_CONTENT_TYPE=text/plain expect "${fn}_content_type" $fn '{}' 1.3.1/2.1
done

# ---- InitiateAuthentication ----
expect init_ok initiateAuthentication "$(init_body $E2E_HOST "$INFO1")" OK
expect init_address_case_insensitive initiateAuthentication "$(init_body SMDPPLUS.Test "$INFO1")" OK
E2E_PROTOCOL=gsma/rsp/v2.2.0 expect init_protocol_v2_2 initiateAuthentication \
	"$(init_body $E2E_HOST "$INFO1")" OK
expect init_wrong_address initiateAuthentication "$(init_body other.test "$INFO1")" 8.8.1/3.8
expect init_missing_info1 initiateAuthentication \
	"{\"smdpAddress\":\"$E2E_HOST\",\"euiccChallenge\":\"$CHALLENGE\"}" 1.3.1/2.2
expect init_missing_challenge initiateAuthentication \
	"{\"smdpAddress\":\"$E2E_HOST\",\"euiccInfo1\":\"$INFO1\"}" 1.3.1/2.2
expect init_address_not_string initiateAuthentication \
	"{\"smdpAddress\":7,\"euiccChallenge\":\"$CHALLENGE\",\"euiccInfo1\":\"$INFO1\"}" 1.3.1/2.1
expect init_info1_not_base64 initiateAuthentication "$(init_body $E2E_HOST 'vxI@!!==')" 1.3.1/2.1
expect init_info1_base64_whitespace initiateAuthentication \
	"$(init_body $E2E_HOST "${INFO1:0:8} ${INFO1:8}")" 1.3.1/2.1
expect init_info1_truncated initiateAuthentication \
	"$(init_body $E2E_HOST "$(truncate_b64 "$INFO1_HEX")")" 1.3.1/2.1
expect init_info1_wrong_tag initiateAuthentication \
	"$(init_body $E2E_HOST "$(tlv BF21 "${INFO1_HEX:6}" | b64)")" 1.3.1/2.1
expect init_challenge_short initiateAuthentication \
	"$(init_body $E2E_HOST "$INFO1" "$(zeros 8 | b64)")" 1.3.1/2.1
expect init_challenge_long initiateAuthentication \
	"$(init_body $E2E_HOST "$INFO1" "$(zeros 32 | b64)")" 1.3.1/2.1
expect init_svn_3 initiateAuthentication \
	"$(init_body $E2E_HOST "$(info1 030000 "$NIST_CI" "$NIST_CI" | b64)")" 8.8.3/3.1
expect init_svn_1 initiateAuthentication \
	"$(init_body $E2E_HOST "$(info1 010000 "$NIST_CI" "$NIST_CI" | b64)")" 8.8.3/3.1
expect init_unknown_ci initiateAuthentication \
	"$(init_body $E2E_HOST "$(info1 020200 "$(zeros 20)" "$(zeros 20)" | b64)")" 8.8.2/3.1
expect init_no_verifiable_dpauth initiateAuthentication \
	"$(init_body $E2E_HOST "$(info1 020200 "$(zeros 20)" "$NIST_CI" | b64)")" 8.8.4/3.7
# A body just over the 64 KiB limit: refused by size before any parsing.
BIG=$(head -c 70000 /dev/zero | tr '\0' A)
expect init_oversized_body initiateAuthentication \
	"{\"smdpAddress\":\"$E2E_HOST\",\"euiccChallenge\":\"$BIG\"}" 1.3.1/2.1
# A field over its own limit inside an acceptable body.
expect init_oversized_field initiateAuthentication \
	"$(init_body $E2E_HOST "$(head -c 3000 /dev/zero | base64 -w0)")" 1.3.1/2.1

# ---- AuthenticateClient ----
expect auth_unknown_transaction authenticateClient \
	"{\"transactionId\":\"$TID\",\"authenticateServerResponse\":\"$ASR\"}" 8.10.1/3.9
expect auth_missing_response authenticateClient "{\"transactionId\":\"$TID\"}" 1.3.1/2.2
expect auth_missing_transaction authenticateClient \
	"{\"authenticateServerResponse\":\"$ASR\"}" 1.3.1/2.2
expect auth_transaction_not_hex authenticateClient \
	"{\"transactionId\":\"XYZ\",\"authenticateServerResponse\":\"$ASR\"}" 1.3.1/2.1
expect auth_transaction_too_long authenticateClient \
	"{\"transactionId\":\"$TID$TID\",\"authenticateServerResponse\":\"$ASR\"}" 1.3.1/2.1
expect auth_not_base64 authenticateClient \
	"{\"transactionId\":\"$TID\",\"authenticateServerResponse\":\"%%%%\"}" 1.3.1/2.1
expect auth_truncated_der authenticateClient \
	"{\"transactionId\":\"$TID\",\"authenticateServerResponse\":\"$(truncate_b64 "$ASR_HEX")\"}" 1.3.1/2.1
expect auth_error_alternative authenticateClient \
	"{\"transactionId\":\"$TID\",\"authenticateServerResponse\":\"$(tlv BF38 "$(tlv A1 "$(tlv 80 $TID)$(tlv 02 02)")" | b64)\"}" 1.3.1/2.1

# ---- GetBoundProfilePackage ----
expect bpp_unknown_transaction getBoundProfilePackage \
	"{\"transactionId\":\"$TID\",\"prepareDownloadResponse\":\"$PDR\"}" 8.10.1/3.9
expect bpp_missing_response getBoundProfilePackage "{\"transactionId\":\"$TID\"}" 1.3.1/2.2
expect bpp_not_base64 getBoundProfilePackage \
	"{\"transactionId\":\"$TID\",\"prepareDownloadResponse\":\"ab=c\"}" 1.3.1/2.1
expect bpp_truncated_der getBoundProfilePackage \
	"{\"transactionId\":\"$TID\",\"prepareDownloadResponse\":\"$(truncate_b64 "$PDR_HEX")\"}" 1.3.1/2.1
expect bpp_trailing_bytes getBoundProfilePackage \
	"{\"transactionId\":\"$TID\",\"prepareDownloadResponse\":\"$(echo "${PDR_HEX}00" | b64)\"}" 1.3.1/2.1
expect bpp_short_otpk getBoundProfilePackage \
	"{\"transactionId\":\"$TID\",\"prepareDownloadResponse\":\"$(tlv BF21 "$(tlv A0 "$(tlv 30 "$(tlv 80 $TID)$(tlv 5F49 04AA)")$(tlv 5F37 "$(zeros 64)")")" | b64)\"}" 1.3.1/2.1

# ---- CancelSession ----
expect cancel_unknown_transaction cancelSession \
	"{\"transactionId\":\"$TID\",\"cancelSessionResponse\":\"$CSR\"}" 8.10.1/3.9
expect cancel_missing_response cancelSession "{\"transactionId\":\"$TID\"}" 1.3.1/2.2
expect cancel_truncated_der cancelSession \
	"{\"transactionId\":\"$TID\",\"cancelSessionResponse\":\"$(truncate_b64 "$CSR_HEX")\"}" 1.3.1/2.1
expect cancel_error_alternative cancelSession \
	"{\"transactionId\":\"$TID\",\"cancelSessionResponse\":\"$(tlv BF41 "$(tlv 81 05)" | b64)\"}" 1.3.1/2.1

# ---- HandleNotification: 204 for any decodable notification, recorded ----
r=$(e2e_es9 handleNotification "{\"pendingNotification\":\"$PIR\"}")
e2e_check notify_unknown_transaction_204 "$(e2e_http_code)/$r" 204/
e2e_check notify_recorded_unverified \
	"$(e2e_psql "SELECT verified, result FROM notifications ORDER BY id DESC LIMIT 1")" \
	"f|unknown transactionId"
expect notify_not_base64 handleNotification '{"pendingNotification":"*"}' 1.3.1/2.1
expect notify_truncated_der handleNotification \
	"{\"pendingNotification\":\"$(truncate_b64 "$PIR_HEX")\"}" 1.3.1/2.1
expect notify_other_truncated handleNotification \
	"{\"pendingNotification\":\"$(echo 3010BF2F00 | b64)\"}" 1.3.1/2.1

# ---- methods and paths outside the binding ----
curl -sS -o /dev/null -w '%{http_code}' --cacert "$E2E_PKI/nist/ci.pem" \
	--resolve "$E2E_HOST:$E2E_ES9_PORT:127.0.0.1" \
	"https://$E2E_HOST:$E2E_ES9_PORT/gsma/rsp2/es9plus/initiateAuthentication" >"$E2E_TMP/get_code"
e2e_check get_method_405 "$(cat "$E2E_TMP/get_code")" 405
expect unknown_function_404 nosuchFunction '{}' 1.6/3.1 404

e2e_check no_server_errors "$SERVER_ERRORS" 0
e2e_check no_session_consumed_order \
	"$(e2e_psql "SELECT state FROM profiles WHERE iccid = '$ICCID'")" Available

# ---- still alive, and an order survives bad requests ----
expect alive_after_bad_input initiateAuthentication "$(init_body $E2E_HOST "$INFO1")" OK
if [ -x "$RSP_BIN/rsp-test-lpa" ]; then
	H=$(e2e_header OP1)
	e2e_es2 downloadOrder "{\"header\":$H,\"iccid\":\"$ICCID\"}" >/dev/null
	MID=$(e2e_field "$(e2e_es2 confirmOrder "{\"header\":$H,\"iccid\":\"$ICCID\",\"releaseFlag\":true}")" matchingId)
	lpa() {
		"$RSP_BIN/rsp-test-lpa" --euicc-cert "$E2E_PKI/nist/euicc.der" \
			--euicc-key "$E2E_PKI/nist/euicc.key" --eum-cert "$E2E_PKI/nist/eum.der" \
			--ci-cert "$E2E_PKI/nist/ci.der" --cafile "$E2E_PKI/nist/ci.pem" \
			--connect-to "$E2E_HOST:443:127.0.0.1:$E2E_ES9_PORT" "$@"
	}
	for fault in "--not-json authenticateClient" "--truncate authenticateServerResponse" \
		"--garble prepareDownloadResponse" "--tamper" "--bad-tid getBoundProfilePackage"; do
		# shellcheck disable=SC2086
		lpa $fault "1\$$E2E_HOST\$$MID" >"$E2E_TMP/lpa-fault.log" 2>&1
		name=fault_$(echo "$fault" | tr -c 'a-zA-Z0-9\n' _ | sed 's/^_*//;s/_*$//')
		if grep -q '^installed' "$E2E_TMP/lpa-fault.log"; then
			e2e_fail "$name" "the download succeeded despite the fault"
		else
			e2e_pass "$name"
		fi
	done
	lpa "1\$$E2E_HOST\$WRONG-MATCHING-ID" >"$E2E_TMP/lpa-mid.log" 2>&1
	e2e_check unknown_matching_id "$(sed -n 's/.*subjectCode=\([^ ]*\) reasonCode=\([^ ]*\).*/\1\/\2/p' "$E2E_TMP/lpa-mid.log")" 8.2.6/3.8
	lpa --expect-profile "$E2E_TMP/profile-$ICCID.der" "1\$$E2E_HOST\$$MID" >"$E2E_TMP/lpa-ok.log" 2>&1
	e2e_check order_usable_after_faults "$(cut -d' ' -f1 "$E2E_TMP/lpa-ok.log")" installed
	e2e_check order_installed "$(e2e_psql "SELECT state FROM profiles WHERE iccid = '$ICCID'")" Installed

	# order_for ICCID: download order and release; prints the matchingId.
	order_for() {
		e2e_es2 downloadOrder "{\"header\":$H,\"iccid\":\"$1\"}" >/dev/null
		e2e_field "$(e2e_es2 confirmOrder "{\"header\":$H,\"iccid\":\"$1\",\"releaseFlag\":true}")" matchingId
	}
	codes() { sed -n 's/.*subjectCode=\([^ ]*\) reasonCode=\([^ ]*\).*/\1\/\2/p' "$1"; }

	# An expired order: refused, and it ends in Error.
	MID=$(order_for "${MORE[0]}")
	e2e_psql "UPDATE orders SET expires_at = now() - interval '1 second' WHERE matching_id = '$MID'"
	lpa "1\$$E2E_HOST\$$MID" >"$E2E_TMP/lpa-expired.log" 2>&1
	e2e_check order_expired "$(codes "$E2E_TMP/lpa-expired.log")" 8.8.5/4.10
	e2e_check order_expired_error "$(e2e_psql "SELECT state FROM profiles WHERE iccid = '${MORE[0]}'")" Error

	# Download attempts used up: refused, and the order ends in Error.
	MID=$(order_for "${MORE[1]}")
	e2e_psql "UPDATE orders SET download_attempts = download_max_attempts WHERE matching_id = '$MID'"
	lpa "1\$$E2E_HOST\$$MID" >"$E2E_TMP/lpa-attempts.log" 2>&1
	e2e_check download_attempts_exceeded "$(codes "$E2E_TMP/lpa-attempts.log")" 8.8.5/6.4
	e2e_check download_attempts_error "$(e2e_psql "SELECT state FROM profiles WHERE iccid = '${MORE[1]}'")" Error

	# A BPP delivered but not installed, then a new session with a new otPK: bound again.
	MID=$(order_for "${MORE[2]}")
	lpa --stop-after getBoundProfilePackage "1\$$E2E_HOST\$$MID" >/dev/null 2>&1
	e2e_check retry_downloaded "$(e2e_psql "SELECT state FROM profiles WHERE iccid = '${MORE[2]}'")" Downloaded
	lpa --expect-profile "$E2E_TMP/profile-${MORE[2]}.der" "1\$$E2E_HOST\$$MID" >"$E2E_TMP/lpa-rebind.log" 2>&1
	e2e_check retry_rebound_installed "$(cut -d' ' -f1 "$E2E_TMP/lpa-rebind.log")" installed

	# The same with a second SM-DP+ process on the same database that refuses re-binding.
	CONF_NOREBIND=$E2E_TMP/smdp-norebind.conf
	e2e_config "$CONF_NOREBIND" "allow_bpp_rebinding = false"
	PORT_A=$E2E_ES9_PORT
	PID_A=$E2E_SMDP_PID
	if e2e_start_smdp "$CONF_NOREBIND" "$E2E_TMP/smdpplus-norebind.log"; then
		MID=$(order_for "${MORE[3]}")
		lpa --stop-after getBoundProfilePackage "1\$$E2E_HOST\$$MID" >/dev/null 2>&1
		lpa "1\$$E2E_HOST\$$MID" >"$E2E_TMP/lpa-norebind.log" 2>&1
		e2e_check rebinding_refused "$(codes "$E2E_TMP/lpa-norebind.log")" 8.2/3.7
		e2e_stop_smdp
	else
		e2e_fail rebinding_refused "second smdpplus did not start"
	fi
	E2E_ES9_PORT=$PORT_A
	E2E_SMDP_PID=$PID_A
else
	e2e_skip order_usable_after_faults "rsp-test-lpa is not built"
fi

e2e_stop_smdp
e2e_check stop_clean "$?" 0
