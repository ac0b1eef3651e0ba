#!/bin/bash
# Confirmation codes end to end: the operator confirms an order with a code, the SM-DP+ sets
# ccRequiredFlag in smdpSigned2, and rsp-test-lpa sends hashCc =
# SHA-256(SHA-256(code) || transactionId) in getBoundProfilePackage. Cases: the right code, a
# missing code, a wrong code then the right one in the same session, and too many wrong codes.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/download_common.sh"

e2e_init download_cc
e2e_require smdpplus rsp-pki saip-gen rsp-test-lpa
e2e_db || { e2e_fail setup "cannot create the test database"; exit 1; }
e2e_pki nist || { e2e_fail setup "rsp-pki init failed: $(tail -3 "$E2E_TMP/rsp-pki.log")"; exit 1; }
CONF=$E2E_TMP/smdp.conf
MAX_CC=3
e2e_config "$CONF" "max_cc_attempts = $MAX_CC"
mapfile -t ICCIDS < <(e2e_load_profiles "$CONF" demo 4 894900000000000600)
if [ "${#ICCIDS[@]}" != 4 ]; then
	e2e_fail setup "profile import failed: $(tail -3 "$E2E_TMP/import.log")"
	exit 1
fi
e2e_start_smdp "$CONF" || { e2e_fail setup "smdpplus did not start"; exit 1; }
CODE=7294
profile() { echo "$E2E_TMP/profile-$1.der"; }

# The right code.
iccid=${ICCIDS[0]}
ac=$(dl_order "$iccid" "" "$CODE")
dl_lpa nist "$ac" --cc "$CODE" --expect-profile "$(profile "$iccid")"
dl_expect_installed cc_right_code "$iccid" &&
	e2e_check cc_right_code_one_attempt "$(dl_field ccAttempts)" 1

# A missing code: refused, and the order can still be downloaded with the code.
iccid=${ICCIDS[1]}
ac=$(dl_order "$iccid" "" "$CODE")
dl_lpa nist "$ac"
dl_expect_status cc_missing 8.2.7/2.2
dl_lpa nist "$ac" --cc "$CODE" --no-hashcc
dl_expect_status cc_missing_no_hashcc 8.2.7/2.2
dl_lpa nist "$ac" --cc "$CODE" --expect-profile "$(profile "$iccid")"
dl_expect_installed cc_missing_then_right_code "$iccid"

# A wrong code, then the right one in the same session (the SM-DP+ keeps the session open).
iccid=${ICCIDS[2]}
ac=$(dl_order "$iccid" "" "$CODE")
dl_lpa nist "$ac" --cc 0000 --cc "$CODE" --expect-profile "$(profile "$iccid")"
dl_expect_installed cc_wrong_then_right "$iccid" &&
	e2e_check cc_wrong_then_right_two_attempts "$(dl_field ccAttempts)" 2
e2e_check cc_wrong_then_right_one_session "$(e2e_psql "SELECT count(*) FROM rsp_sessions s
	JOIN orders o ON o.id = s.order_id JOIN profiles p ON p.id = o.profile_id
	WHERE p.iccid = '$iccid'")" 1

# Too many wrong codes: every further attempt is refused with 8.2.7/6.4, and the right code no
# longer helps.
iccid=${ICCIDS[3]}
ac=$(dl_order "$iccid" "" "$CODE")
codes=()
for ((i = 0; i <= MAX_CC; i++)); do
	codes+=(--cc "000$i")
done
dl_lpa nist "$ac" "${codes[@]}"
dl_expect_status cc_too_many_wrong 8.2.7/6.4
dl_lpa nist "$ac" --cc "$CODE"
if [ "$DL_RC" != 0 ]; then
	e2e_pass cc_too_many_wrong_then_refused
else
	e2e_fail cc_too_many_wrong_then_refused "download succeeded after the attempts were used up"
fi
e2e_check cc_too_many_wrong_state "$(dl_state "$iccid")" Error
