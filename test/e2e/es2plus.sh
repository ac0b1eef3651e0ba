#!/bin/bash
# ES2+ end to end: every function of the SM-DP+'s operator interface with its success case and
# each error status, the profile/order state after each step (read from the database), and
# operator client certificates. With rsp-test-lpa and python3: CancelOrder after the BPP was
# delivered, an installation result that arrives after it, a newer session replacing an older
# one, and HandleDownloadProgressInfo to the operator.
set -u
. "$(dirname "$0")/lib.sh"

e2e_init es2plus
e2e_require smdpplus rsp-pki saip-gen
e2e_db || { e2e_fail setup "cannot create the test database"; exit 1; }
e2e_pki nist || { e2e_fail setup "rsp-pki init failed"; exit 1; }
CONF=$E2E_TMP/smdp.conf
e2e_config "$CONF"

EID_A=89086030000000000000000000000192
EID_B=89049032123451234512345678901235

# Inventory: four "demo" profiles, one "solo", one "other" reserved for operator OPB.
DEMO=($(e2e_load_profiles "$CONF" demo 4 894900000000000100)) || true
SOLO=$(e2e_load_profiles "$CONF" solo 1 894900000000000200)
OTHER_FILE=$E2E_TMP/other.der
OTHER=$(e2e_iccid 894900000000000300)
e2e_profile "$OTHER" "$OTHER_FILE" other
e2e_import "$CONF" "$OTHER_FILE" --profile-type other --operator OPB >/dev/null
LATE=($(e2e_load_profiles "$CONF" late 3 894900000000000600)) || true
if [ "${#DEMO[@]}" != 4 ] || [ -z "$SOLO" ] || [ "${#LATE[@]}" != 3 ]; then
	e2e_fail setup "profile import failed: $(tail -3 "$E2E_TMP/import.log")"
	exit 1
fi
e2e_pass inventory_import

# A duplicate import is refused and leaves the first copy.
if e2e_import "$CONF" "$E2E_TMP/profile-${DEMO[0]}.der" >/dev/null; then
	e2e_fail inventory_duplicate "second import of ${DEMO[0]} succeeded"
else
	e2e_check inventory_duplicate "$(grep -c 'already in the inventory' "$E2E_TMP/import.log")" 1
fi

e2e_start_smdp "$CONF" || { e2e_fail start "smdpplus did not start"; exit 1; }
if grep -q 'ES2+ runs without client certificates' "$E2E_TMP/smdpplus.log"; then
	e2e_pass start_logs_no_client_auth
else
	e2e_fail start_logs_no_client_auth "no warning about ES2+ without client certificates"
fi

H=$(e2e_header OP1)
state() { e2e_psql "SELECT state FROM profiles WHERE iccid = '$1'"; }
order_state() { e2e_psql "SELECT state FROM orders WHERE profile_id = (SELECT id FROM profiles WHERE iccid = '$1') ORDER BY id DESC LIMIT 1"; }
es2_status() { e2e_status "$(e2e_es2 "$@")"; }

# ---- DownloadOrder ----
r=$(e2e_es2 downloadOrder "{\"header\":$H,\"profileType\":\"demo\"}")
e2e_check download_order_by_type "$(e2e_status "$r")" OK
ICCID1=$(e2e_field "$r" iccid)
e2e_check download_order_allocated "$(state "$ICCID1")" Allocated
e2e_check download_order_http_200 "$(e2e_http_code)" 200

r=$(e2e_es2 downloadOrder "{\"header\":$H,\"iccid\":\"${DEMO[1]}\",\"eid\":\"$EID_A\"}")
e2e_check download_order_by_iccid_with_eid "$(e2e_status "$r")/$(e2e_field "$r" iccid)" "OK/${DEMO[1]}"
e2e_check download_order_linked "$(state "${DEMO[1]}")" Linked

e2e_check download_order_unknown_iccid \
	"$(es2_status downloadOrder "{\"header\":$H,\"iccid\":\"$(e2e_iccid 894900000000009999)\"}")" 8.2.1/3.9
e2e_check download_order_iccid_in_use \
	"$(es2_status downloadOrder "{\"header\":$H,\"iccid\":\"${DEMO[1]}\"}")" 8.2.1/3.3
e2e_check download_order_bad_check_digit \
	"$(es2_status downloadOrder "{\"header\":$H,\"iccid\":\"8949000000000001001\"}")" 8.2.1/2.1
e2e_check download_order_unknown_type \
	"$(es2_status downloadOrder "{\"header\":$H,\"profileType\":\"nosuch\"}")" 8.2.5/3.9
e2e_check download_order_type_mismatch \
	"$(es2_status downloadOrder "{\"header\":$H,\"iccid\":\"${DEMO[2]}\",\"profileType\":\"solo\"}")" 8.2.5/3.8
e2e_check download_order_type_once "$(es2_status downloadOrder "{\"header\":$H,\"profileType\":\"solo\"}")" OK
e2e_check download_order_type_exhausted \
	"$(es2_status downloadOrder "{\"header\":$H,\"profileType\":\"solo\"}")" 8.2.5/3.7
e2e_check download_order_type_not_allowed \
	"$(es2_status downloadOrder "{\"header\":$H,\"profileType\":\"other\"}")" 8.2.5/1.2
e2e_check download_order_iccid_not_allowed \
	"$(es2_status downloadOrder "{\"header\":$H,\"iccid\":\"$OTHER\"}")" 8.2.1/1.2
e2e_check download_order_bad_eid \
	"$(es2_status downloadOrder "{\"header\":$H,\"profileType\":\"demo\",\"eid\":\"89086030000000000000000000000193\"}")" 8.1.1/2.1
e2e_check download_order_missing_header \
	"$(es2_status downloadOrder '{"profileType":"demo"}')" 1.3.1/2.2
e2e_check download_order_no_target "$(es2_status downloadOrder "{\"header\":$H}")" 1.3.1/2.2
e2e_check download_order_not_json "$(es2_status downloadOrder '{"header":')" 1.3.1/2.1
e2e_check download_order_wrong_protocol \
	"$(E2E_PROTOCOL=gsma/rsp/v3.0.0 es2_status downloadOrder "{\"header\":$H,\"profileType\":\"demo\"}")" 1.3.2/3.1
e2e_check download_order_wrong_content_type \
	"$(E2E_CONTENT_TYPE=text/plain es2_status downloadOrder "{\"header\":$H,\"profileType\":\"demo\"}")" 1.3.1/2.1
e2e_check download_order_other_operator_ok \
	"$(es2_status downloadOrder "{\"header\":$(e2e_header OPB),\"profileType\":\"other\"}")" OK

# ---- ConfirmOrder ----
e2e_check confirm_order_available_profile \
	"$(es2_status confirmOrder "{\"header\":$H,\"iccid\":\"${DEMO[3]}\",\"releaseFlag\":true}")" 8.2.1/3.10
e2e_check confirm_order_missing_release_flag \
	"$(es2_status confirmOrder "{\"header\":$H,\"iccid\":\"$ICCID1\"}")" 1.3.1/2.2
e2e_check confirm_order_missing_iccid "$(es2_status confirmOrder "{\"header\":$H,\"releaseFlag\":true}")" 8.2.1/2.2
e2e_check confirm_order_invalid_matching_id \
	"$(es2_status confirmOrder "{\"header\":$H,\"iccid\":\"$ICCID1\",\"matchingId\":\"lower-case\",\"releaseFlag\":true}")" 8.2.6/2.1
e2e_check confirm_order_empty_matching_id_needs_eid \
	"$(es2_status confirmOrder "{\"header\":$H,\"iccid\":\"$ICCID1\",\"matchingId\":\"\",\"releaseFlag\":true}")" 8.1.1/2.2
e2e_check confirm_order_smds_needs_eid \
	"$(es2_status confirmOrder "{\"header\":$H,\"iccid\":\"$ICCID1\",\"smdsAddress\":\"smds.test\",\"releaseFlag\":true}")" 8.1.1/2.2
e2e_check confirm_order_smds_unsupported \
	"$(es2_status confirmOrder "{\"header\":$H,\"iccid\":\"${DEMO[1]}\",\"smdsAddress\":\"smds.test\",\"releaseFlag\":true}")" 8.9/5.1
e2e_check confirm_order_other_eid \
	"$(es2_status confirmOrder "{\"header\":$H,\"iccid\":\"${DEMO[1]}\",\"eid\":\"$EID_B\",\"releaseFlag\":true}")" 8.1.1/3.10
e2e_check confirm_order_other_operator \
	"$(es2_status confirmOrder "{\"header\":$(e2e_header OPX),\"iccid\":\"$ICCID1\",\"releaseFlag\":true}")" 8.2.1/1.2
e2e_check confirm_order_state_unchanged_after_errors "$(state "$ICCID1")" Allocated

# Confirmation codes: 1 to 64 printable ASCII characters without spaces, as rspctl requires.
cc_rejected() { # cc_rejected CASE JSON-VALUE
	local r
	r=$(e2e_es2 confirmOrder "{\"header\":$H,\"iccid\":\"$ICCID1\",\"releaseFlag\":true,\"confirmationCode\":$2}")
	if [ "$(e2e_status "$r")" = 1.3.1/2.1 ] && e2e_field "$r" message | grep -q confirmationCode; then
		e2e_pass "confirm_order_cc_$1"
	else
		e2e_fail "confirm_order_cc_$1" "$r"
	fi
}
cc_rejected empty '""'
cc_rejected with_space '"1 2"'
cc_rejected only_space '" "'
cc_rejected too_long "\"$(printf 'C%.0s' $(seq 1 65))\""
cc_rejected non_ascii '"caf\u00e9"'
cc_rejected control_character '"a\tb"'
cc_rejected not_a_string 12
e2e_check confirm_order_cc_rejected_order_kept "$(state "$ICCID1")" Allocated

r=$(e2e_es2 confirmOrder "{\"header\":$H,\"iccid\":\"$ICCID1\",\"releaseFlag\":true,\"confirmationCode\":\"1234\"}")
e2e_check confirm_order_generated_matching_id "$(e2e_status "$r")" OK
MID1=$(e2e_field "$r" matchingId)
if [[ $MID1 =~ ^[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}$ ]]; then
	e2e_pass confirm_order_matching_id_format
else
	e2e_fail confirm_order_matching_id_format "matchingId '$MID1'"
fi
e2e_check confirm_order_smdp_address "$(e2e_field "$r" smdpAddress)" "$E2E_HOST"
e2e_check confirm_order_released "$(state "$ICCID1")/$(order_state "$ICCID1")" Released/Released
e2e_check confirm_order_cc_stored_as_hash \
	"$(e2e_psql "SELECT encode(cc_sha256, 'hex') FROM orders WHERE matching_id = '$MID1'")" \
	"$(printf 1234 | sha256sum | cut -d' ' -f1)"
e2e_check confirm_order_twice \
	"$(es2_status confirmOrder "{\"header\":$H,\"iccid\":\"$ICCID1\",\"releaseFlag\":true}")" 8.2.1/3.10

r=$(e2e_es2 confirmOrder "{\"header\":$H,\"iccid\":\"${DEMO[1]}\",\"matchingId\":\"E2E-CHOSEN-1\",\"releaseFlag\":false}")
e2e_check confirm_order_chosen_matching_id "$(e2e_status "$r")/$(e2e_field "$r" matchingId)/$(e2e_field "$r" eid)" \
	"OK/E2E-CHOSEN-1/$EID_A"
e2e_check confirm_order_confirmed "$(state "${DEMO[1]}")" Confirmed

e2e_check download_order_third "$(es2_status downloadOrder "{\"header\":$H,\"iccid\":\"${DEMO[2]}\"}")" OK
e2e_check confirm_order_matching_id_conflict \
	"$(es2_status confirmOrder "{\"header\":$H,\"iccid\":\"${DEMO[2]}\",\"matchingId\":\"E2E-CHOSEN-1\",\"releaseFlag\":true}")" 8.2.6/3.3

# ---- ReleaseProfile ----
e2e_check release_profile_not_confirmed \
	"$(es2_status releaseProfile "{\"header\":$H,\"iccid\":\"${DEMO[2]}\"}")" 8.2.1/3.5
e2e_check release_profile_unknown \
	"$(es2_status releaseProfile "{\"header\":$H,\"iccid\":\"$(e2e_iccid 894900000000009999)\"}")" 8.2.1/3.9
e2e_check release_profile_ok "$(es2_status releaseProfile "{\"header\":$H,\"iccid\":\"${DEMO[1]}\"}")" OK
e2e_check release_profile_released "$(state "${DEMO[1]}")" Released
e2e_check release_profile_twice "$(es2_status releaseProfile "{\"header\":$H,\"iccid\":\"${DEMO[1]}\"}")" 8.2.1/3.5

# ---- CancelOrder ----
e2e_check cancel_order_bad_indicator \
	"$(es2_status cancelOrder "{\"header\":$H,\"iccid\":\"${DEMO[1]}\",\"finalProfileStatusIndicator\":\"Gone\"}")" 1.3.1/2.1
e2e_check cancel_order_missing_indicator \
	"$(es2_status cancelOrder "{\"header\":$H,\"iccid\":\"${DEMO[1]}\"}")" 1.3.1/2.2
e2e_check cancel_order_other_matching_id \
	"$(es2_status cancelOrder "{\"header\":$H,\"iccid\":\"${DEMO[1]}\",\"matchingId\":\"NOT-THIS\",\"finalProfileStatusIndicator\":\"Available\"}")" 8.2.6/3.10
e2e_check cancel_order_other_eid \
	"$(es2_status cancelOrder "{\"header\":$H,\"iccid\":\"${DEMO[1]}\",\"eid\":\"$EID_B\",\"finalProfileStatusIndicator\":\"Available\"}")" 8.1.1/3.10
e2e_check cancel_order_no_order \
	"$(es2_status cancelOrder "{\"header\":$H,\"iccid\":\"${DEMO[3]}\",\"finalProfileStatusIndicator\":\"Available\"}")" 8.2.1/3.5
e2e_check cancel_order_to_available \
	"$(es2_status cancelOrder "{\"header\":$H,\"iccid\":\"${DEMO[1]}\",\"matchingId\":\"E2E-CHOSEN-1\",\"finalProfileStatusIndicator\":\"Available\"}")" OK
e2e_check cancel_order_available "$(state "${DEMO[1]}")/$(order_state "${DEMO[1]}")" Available/Available
e2e_check cancel_order_reorder "$(es2_status downloadOrder "{\"header\":$H,\"iccid\":\"${DEMO[1]}\"}")" OK
e2e_check cancel_order_matching_id_not_reused \
	"$(es2_status confirmOrder "{\"header\":$H,\"iccid\":\"${DEMO[1]}\",\"matchingId\":\"E2E-CHOSEN-1\",\"releaseFlag\":true}")" 8.2.6/3.3
e2e_check cancel_order_to_unavailable \
	"$(es2_status cancelOrder "{\"header\":$H,\"iccid\":\"${DEMO[2]}\",\"finalProfileStatusIndicator\":\"Unavailable\"}")" OK
e2e_check cancel_order_unavailable "$(state "${DEMO[2]}")" Unavailable
e2e_check cancel_order_unavailable_not_reordered \
	"$(es2_status downloadOrder "{\"header\":$H,\"iccid\":\"${DEMO[2]}\"}")" 8.2.1/3.3

# ---- CancelOrder after the BPP went out; a late installation result; replaced sessions ----
lpa() {
	"$RSP_BIN/rsp-test-lpa" --euicc-cert "$E2E_PKI/nist/euicc.der" \
		--euicc-key "$E2E_PKI/nist/euicc.key" --eum-cert "$E2E_PKI/nist/eum.der" \
		--ci-cert "$E2E_PKI/nist/ci.der" --cafile "$E2E_PKI/nist/ci.pem" \
		--connect-to "$E2E_HOST:443:127.0.0.1:$E2E_ES9_PORT" "$@"
}
# order_released ICCID: DownloadOrder and ConfirmOrder with releaseFlag; prints the matchingId.
order_released() {
	e2e_es2 downloadOrder "{\"header\":$H,\"iccid\":\"$1\"}" >/dev/null
	e2e_field "$(e2e_es2 confirmOrder "{\"header\":$H,\"iccid\":\"$1\",\"releaseFlag\":true}")" matchingId
}
tid_of() { sed -n 's/.* transactionId=\([0-9A-F]*\).*/\1/p' "$1"; }
session_state() { e2e_psql "SELECT state FROM rsp_sessions WHERE transaction_id = decode('$1', 'hex')"; }
if [ ! -x "$RSP_BIN/rsp-test-lpa" ] || ! command -v python3 >/dev/null; then
	e2e_skip cancel_after_bpp "rsp-test-lpa or python3 missing"
else
	# The eUICC's installation result goes to a recorder that returns 204 (without the
	# X-Admin-Protocol header, which the LPA reports), and reaches the SM-DP+ only after the
	# CancelOrder below.
	PIR_PORT=$((20000 + RANDOM % 20000))
	python3 "$(dirname "$0")/operator_callback.py" "$PIR_PORT" "$E2E_PKI/nist/dptls.chain.pem" \
		"$E2E_PKI/nist/dptls.key" >"$E2E_TMP/pir.txt" 2>&1 &
	E2E_PIDS="$E2E_PIDS $!"
	for i in $(seq 1 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$PIR_PORT") 2>/dev/null && break
		sleep 0.1
	done
	MID=$(order_released "${LATE[0]}")
	lpa --step-connect-to "handleNotification=$E2E_HOST:443:127.0.0.1:$PIR_PORT" \
		"1\$$E2E_HOST\$$MID" >"$E2E_TMP/lpa-late.out" 2>&1
	TID=$(tid_of "$E2E_TMP/lpa-late.out")
	PIR_BODY=$(sed -n 's/^[^ ]* //p' "$E2E_TMP/pir.txt" | head -1)
	e2e_check cancel_after_bpp_downloaded "$(state "${LATE[0]}")/$(session_state "$TID")" Downloaded/Bound

	r=$(e2e_es2 cancelOrder "{\"header\":$H,\"iccid\":\"${LATE[0]}\",\"finalProfileStatusIndicator\":\"Available\"}")
	e2e_check cancel_after_bpp_available_refused "$(e2e_status "$r")" 8.2.1/3.5
	if e2e_field "$r" message | grep -q 'already delivered.*Unavailable'; then
		e2e_pass cancel_after_bpp_refusal_names_unavailable
	else
		e2e_fail cancel_after_bpp_refusal_names_unavailable "$r"
	fi
	e2e_check cancel_after_bpp_order_kept "$(state "${LATE[0]}")/$(order_state "${LATE[0]}")" \
		Downloaded/Downloaded
	e2e_check cancel_after_bpp_unavailable \
		"$(es2_status cancelOrder "{\"header\":$H,\"iccid\":\"${LATE[0]}\",\"finalProfileStatusIndicator\":\"Unavailable\"}")" OK
	e2e_check cancel_after_bpp_withdrawn \
		"$(state "${LATE[0]}")/$(order_state "${LATE[0]}")/$(session_state "$TID")" \
		Unavailable/Unavailable/Cancelled
	e2e_check cancel_after_bpp_session_logged \
		"$(grep -c "\[$TID\].*session state Bound -> Cancelled (ES2+ CancelOrder)" "$E2E_TMP/smdpplus.log")" 1

	# The late result is verified and recorded; the withdrawn profile stays withdrawn.
	e2e_es9 handleNotification "$PIR_BODY" >/dev/null
	e2e_check late_result_204 "$(e2e_http_code)" 204
	e2e_check late_result_recorded \
		"$(e2e_psql "SELECT verified, result FROM notifications WHERE transaction_id = decode('$TID', 'hex')")" \
		"t|success (late: order already Unavailable)"
	e2e_check late_result_state_kept \
		"$(state "${LATE[0]}")/$(order_state "${LATE[0]}")/$(session_state "$TID")" \
		Unavailable/Unavailable/Cancelled
	e2e_check late_result_logged \
		"$(grep -c "installation result for ${LATE[0]} arrived after its order ended in Unavailable" "$E2E_TMP/smdpplus.log")" 1
	e2e_check late_result_not_reordered \
		"$(es2_status downloadOrder "{\"header\":$H,\"iccid\":\"${LATE[0]}\"}")" 8.2.1/3.3

	# An order that ended in Error after its BPP went out (here: expired before the retry)
	# keeps the same rule.
	MID=$(order_released "${LATE[2]}")
	lpa --stop-after getBoundProfilePackage "1\$$E2E_HOST\$$MID" >/dev/null 2>&1
	e2e_psql "UPDATE orders SET expires_at = now() - interval '1 second' WHERE matching_id = '$MID'"
	lpa "1\$$E2E_HOST\$$MID" >/dev/null 2>&1
	e2e_check cancel_error_after_bpp_state "$(state "${LATE[2]}")" Error
	e2e_check cancel_error_after_bpp_available_refused \
		"$(es2_status cancelOrder "{\"header\":$H,\"iccid\":\"${LATE[2]}\",\"finalProfileStatusIndicator\":\"Available\"}")" 8.2.1/3.5
	e2e_check cancel_error_after_bpp_unavailable \
		"$(es2_status cancelOrder "{\"header\":$H,\"iccid\":\"${LATE[2]}\",\"finalProfileStatusIndicator\":\"Unavailable\"}")" OK
	e2e_check cancel_error_after_bpp_withdrawn "$(state "${LATE[2]}")" Unavailable

	# A second download of one order replaces the older session, logged under its
	# transactionId; the older LPA then gets "unknown transaction".
	MID=$(order_released "${LATE[1]}")
	lpa --stop-after authenticateClient "1\$$E2E_HOST\$$MID" >"$E2E_TMP/lpa-first.out" 2>&1
	OLD_TID=$(tid_of "$E2E_TMP/lpa-first.out")
	lpa "1\$$E2E_HOST\$$MID" >"$E2E_TMP/lpa-second.out" 2>&1
	NEW_TID=$(tid_of "$E2E_TMP/lpa-second.out")
	e2e_check replaced_session_second_installed "$(cut -d' ' -f1 "$E2E_TMP/lpa-second.out")" installed
	e2e_check replaced_session_cancelled "$(session_state "$OLD_TID")" Cancelled
	e2e_check replaced_session_logged \
		"$(grep -c "\[$OLD_TID\].*session state Authenticated -> Cancelled (replaced by session $NEW_TID)" "$E2E_TMP/smdpplus.log")" 1
	# PrepareDownloadResponse ::= [33] { downloadResponseOk [0] { euiccSigned2 SEQUENCE {
	# transactionId [0], euiccOtpk [APPLICATION 73] }, euiccSignature2 [APPLICATION 55] } }
	PDR=$(printf 'BF21819EA0819B30568010%s5F4941%s5F3740%s' "$OLD_TID" \
		"04$(printf '%0128d' 0)" "$(printf '%0128d' 0)" | xxd -r -p | base64 -w0)
	e2e_check replaced_session_unknown_to_old_lpa \
		"$(e2e_status "$(e2e_es9 getBoundProfilePackage "{\"transactionId\":\"$OLD_TID\",\"prepareDownloadResponse\":\"$PDR\"}")")" \
		8.10.1/3.9
fi

e2e_stop_smdp
e2e_check stop_clean "$?" 0
if grep -q 'SM-DP+ stopped' "$E2E_TMP/smdpplus.log"; then
	e2e_pass stop_logged
else
	e2e_fail stop_logged "no stop line in the log"
fi
if grep -qi '1234' "$E2E_TMP/smdpplus.log"; then
	e2e_fail log_has_no_confirmation_code "the confirmation code appears in the log"
else
	e2e_pass log_has_no_confirmation_code
fi

# ---- client certificates ----
OPCA=$E2E_TMP/opca
if ! "$RSP_BIN/rsp-pki" operator-ca --out "$OPCA" >/dev/null 2>&1 ||
	! "$RSP_BIN/rsp-pki" operator-client --ca-dir "$OPCA" --operator OP1 --out "$OPCA/op1" >/dev/null 2>&1; then
	e2e_skip client_certificates "rsp-pki cannot make operator certificates"
	exit 0
fi
OTHER_CA=$E2E_TMP/otherca
"$RSP_BIN/rsp-pki" operator-ca --out "$OTHER_CA" >/dev/null 2>&1
"$RSP_BIN/rsp-pki" operator-client --ca-dir "$OTHER_CA" --operator OP1 --out "$OTHER_CA/op1" >/dev/null 2>&1
CONF2=$E2E_TMP/smdp-mtls.conf
e2e_config "$CONF2" "es2_client_ca = $OPCA/ca.pem"
e2e_start_smdp "$CONF2" "$E2E_TMP/smdpplus-mtls.log" || { e2e_fail mtls_start "smdpplus did not start"; exit 1; }
CERT=(--cert "$OPCA/op1.pem" --key "$OPCA/op1.key")
if grep -q 'ES2+ requires operator client certificates' "$E2E_TMP/smdpplus-mtls.log"; then
	e2e_pass mtls_start_logged
else
	e2e_fail mtls_start_logged "no client certificate line in the log"
fi
e2e_check mtls_own_operator \
	"$(es2_status downloadOrder "{\"header\":$(e2e_header OP1),\"iccid\":\"${DEMO[3]}\"}" "${CERT[@]}")" OK
e2e_check mtls_other_requester \
	"$(es2_status downloadOrder "{\"header\":$(e2e_header OPB),\"profileType\":\"demo\"}" "${CERT[@]}")" 1.1/1.2
e2e_es2 downloadOrder "{\"header\":$(e2e_header OP1),\"profileType\":\"demo\"}" >/dev/null
e2e_check mtls_no_certificate_refused "$(e2e_http_code)" 000
e2e_es2 downloadOrder "{\"header\":$(e2e_header OP1),\"profileType\":\"demo\"}" \
	--cert "$OTHER_CA/op1.pem" --key "$OTHER_CA/op1.key" >/dev/null
e2e_check mtls_untrusted_ca_refused "$(e2e_http_code)" 000
e2e_stop_smdp

# ---- HandleDownloadProgressInfo to the operator (needs the test LPA and python3) ----
if [ ! -x "$RSP_BIN/rsp-test-lpa" ] || ! command -v python3 >/dev/null; then
	e2e_skip operator_callbacks "rsp-test-lpa or python3 missing"
	exit 0
fi
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
	-addext subjectAltName=DNS:localhost -keyout "$E2E_TMP/op.key" -out "$E2E_TMP/op.pem" 2>/dev/null
CB_PORT=$((20000 + RANDOM % 20000))
python3 "$(dirname "$0")/operator_callback.py" "$CB_PORT" "$E2E_TMP/op.pem" "$E2E_TMP/op.key" \
	>"$E2E_TMP/callbacks.txt" 2>&1 &
E2E_PIDS="$E2E_PIDS $!"
CONF3=$E2E_TMP/smdp-callback.conf
e2e_config "$CONF3" \
	"operator_callback_urls = OP1=https://localhost:$CB_PORT/gsma/rsp2/es2plus/handleDownloadProgressInfo" \
	"operator_callback_url = https://127.0.0.1:1/unreachable" \
	"operator_callback_ca = $E2E_TMP/op.pem" "operator_callback_retry = 1s" \
	"operator_callback_attempts = 2"
e2e_start_smdp "$CONF3" "$E2E_TMP/smdpplus-callback.log" || { e2e_fail callback_start "smdpplus did not start"; exit 1; }
CB_ICCIDS=($(e2e_load_profiles "$CONF3" cb 2 894900000000000400))
lpa_download() { # lpa_download OPERATOR ICCID
	local mid
	e2e_es2 downloadOrder "{\"header\":$(e2e_header "$1"),\"iccid\":\"$2\"}" >/dev/null
	mid=$(e2e_field "$(e2e_es2 confirmOrder "{\"header\":$(e2e_header "$1"),\"iccid\":\"$2\",\"releaseFlag\":true}")" matchingId)
	"$RSP_BIN/rsp-test-lpa" --euicc-cert "$E2E_PKI/nist/euicc.der" \
		--euicc-key "$E2E_PKI/nist/euicc.key" --eum-cert "$E2E_PKI/nist/eum.der" \
		--ci-cert "$E2E_PKI/nist/ci.der" --cafile "$E2E_PKI/nist/ci.pem" \
		--connect-to "$E2E_HOST:443:127.0.0.1:$E2E_ES9_PORT" "1\$$E2E_HOST\$$mid" >/dev/null 2>&1
}
lpa_download OP1 "${CB_ICCIDS[0]}"
lpa_download OPZ "${CB_ICCIDS[1]}"
for i in $(seq 1 50); do
	[ "$(grep -c handleDownloadProgressInfo "$E2E_TMP/callbacks.txt")" -ge 3 ] &&
		[ "$(e2e_psql "SELECT count(*) FROM operator_callbacks WHERE done_at IS NOT NULL")" -ge 6 ] && break
	sleep 0.2
done
points=$(sed -n 's/.*"notificationPointId":\([0-9]*\).*/\1/p' "$E2E_TMP/callbacks.txt" | tr '\n' ' ')
e2e_check callback_points_delivered "$points" "1 3 4 "
e2e_check callback_success_status \
	"$(grep -c '"notificationPointStatus":{"status":"Executed-Success"}' "$E2E_TMP/callbacks.txt")" 3
e2e_check callback_iccid "$(grep -c "\"iccid\":\"${CB_ICCIDS[0]}\"" "$E2E_TMP/callbacks.txt")" 3
e2e_check callback_result_data "$(grep -c '"notificationPointId":4,.*"resultData":"vze' "$E2E_TMP/callbacks.txt")" 1
# Identical warning lines are counted by the logger rather than repeated, so one is enough.
e2e_check callback_retry_logged "$(grep -c -m1 'failed, retrying' "$E2E_TMP/smdpplus-callback.log")" 1
e2e_check callback_gave_up "$(e2e_psql "SELECT count(*) FROM operator_callbacks WHERE url LIKE '%unreachable' AND done_at IS NOT NULL AND attempts = 2")" 3
e2e_stop_smdp
