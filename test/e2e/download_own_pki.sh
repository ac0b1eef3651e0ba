#!/bin/bash
# End-to-end downloads with the project's own test PKI on NIST P-256 and brainpoolP256r1 and
# profiles from saip-gen. An operator orders over ES2+, and rsp-test-lpa downloads over ES9+
# with mutual authentication. It decrypts and checks every segment, compares the profile with
# the package the operator loaded and sends the signed ProfileInstallationResult. The profile
# ends Installed. Also: the default SM-DP+ use case, an eUICC with chains on both curves, a
# cancelled session, and an installation error reported by the eUICC.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/download_common.sh"

e2e_init download_own_pki
e2e_require smdpplus rsp-pki saip-gen rsp-test-lpa
e2e_db || { e2e_fail setup "cannot create the test database"; exit 1; }
e2e_pki nist,brp || { e2e_fail setup "rsp-pki init failed: $(tail -3 "$E2E_TMP/rsp-pki.log")"; exit 1; }
CONF=$E2E_TMP/smdp.conf
e2e_config "$CONF"
mapfile -t ICCIDS < <(e2e_load_profiles "$CONF" demo 8 894900000000000400)
if [ "${#ICCIDS[@]}" != 8 ]; then
	e2e_fail setup "profile import failed: $(tail -3 "$E2E_TMP/import.log")"
	exit 1
fi
e2e_start_smdp "$CONF" || { e2e_fail setup "smdpplus did not start"; exit 1; }
profile() { echo "$E2E_TMP/profile-$1.der"; }
EID=$(openssl x509 -inform der -in "$E2E_PKI/nist/euicc.der" -noout -subject -nameopt multiline |
	sed -n 's/^ *serialNumber *= *//p')

# ---- one download per curve ----
for curve in nist brp; do
	iccid=${ICCIDS[0]}
	[ $curve = brp ] && iccid=${ICCIDS[1]}
	ac=$(dl_order "$iccid")
	dl_lpa $curve "$ac" --expect-profile "$(profile "$iccid")"
	dl_expect_installed "download_$curve" "$iccid" &&
		e2e_check "download_${curve}_iccid" "$(dl_field iccid)" "$iccid"
	e2e_check "download_${curve}_notification_recorded" \
		"$(e2e_psql "SELECT count(*) FROM notifications WHERE iccid = '$iccid' AND verified AND result = 'success'")" 1
done

# The SM-DP+ picked the curve from the eUICC's CI lists: its log names the session's curve.
e2e_check download_brp_session_curve \
	"$(grep -c 'session started on brainpoolP256r1' "$E2E_TMP/smdpplus.log")" 1

# ---- an eUICC with certificates on both curves: the SM-DP+ chooses, the eUICC follows ----
iccid=${ICCIDS[2]}
ac=$(dl_order "$iccid")
# shellcheck disable=SC2046
dl_run $(dl_euicc_args brp) $(dl_euicc_args nist) $(dl_tls_args) \
	--expect-profile "$(profile "$iccid")" "$ac"
dl_expect_installed download_two_curves "$iccid"

# ---- default SM-DP+: an order bound to the EID, no matchingId in the request ----
iccid=${ICCIDS[3]}
if dl_order "$iccid" "$EID" "" "" >/dev/null; then
	dl_lpa nist "" --default-smdp "$E2E_HOST" --expect-profile "$(profile "$iccid")"
	dl_expect_installed download_default_smdp "$iccid"
else
	e2e_fail download_default_smdp "order with EID and empty matchingId refused: $(tail -1 "$E2E_TMP/order.log")"
fi

# The same with an activation code whose matchingId is empty.
iccid=${ICCIDS[4]}
if dl_order "$iccid" "$EID" "" "" >/dev/null; then
	dl_lpa nist "1\$$E2E_HOST\$"
	dl_expect_installed download_empty_matching_id "$iccid"
else
	e2e_fail download_empty_matching_id "order refused: $(tail -1 "$E2E_TMP/order.log")"
fi

# ---- the activation code's SM-DP+ OID must be the one in CERT.DPauth ----
iccid=${ICCIDS[5]}
ac=$(dl_order "$iccid")
dl_lpa nist "$ac\$2.999.99"
dl_expect_exit download_smdp_oid_mismatch_rejected 6
dl_lpa nist "$ac\$2.999.10"
dl_expect_installed download_smdp_oid_match "$iccid"

# ---- cancelSession: the session ends on the SM-DP+, and the order can be downloaded again ----
iccid=${ICCIDS[6]}
ac=$(dl_order "$iccid")
# (First a run that stops after initiateAuthentication, printing its result as JSON.)
dl_lpa nist "$ac" --stop-after initiateAuthentication --json
if [ "$DL_RC" = 9 ] && printf '%s' "$DL_OUT" | grep -q '"result":[[:space:]]*"stopped"' &&
	printf '%s' "$DL_OUT" | grep -q '"step":[[:space:]]*"initiateAuthentication"'; then
	e2e_pass json_result_stop_after
else
	e2e_fail json_result_stop_after "exit $DL_RC: $DL_OUT"
fi
dl_lpa nist "$ac" --cancel postponed
dl_expect_exit cancel_session_postponed 9 &&
	e2e_check cancel_session_recorded "$(e2e_psql "SELECT state FROM rsp_sessions WHERE transaction_id = decode('$(dl_field transactionId)', 'hex')")" Cancelled
dl_lpa nist "$ac" --cancel endUserRejection --cancel-after getBoundProfilePackage
dl_expect_exit cancel_session_after_bpp 9
e2e_check cancel_session_end_user_rejection_state "$(dl_state "$iccid")" Error

# ---- an error ProfileInstallationResult moves the profile to Error ----
iccid=${ICCIDS[7]}
ac=$(dl_order "$iccid")
dl_lpa nist "$ac" --pir-error installFailedDueToInsufficientMemoryForProfile
dl_expect_exit install_error_result 7 &&
	e2e_check install_error_result_state "$(dl_state "$iccid")" Error
