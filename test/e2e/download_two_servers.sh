#!/bin/bash
# Two SM-DP+ processes on one database: the RSP session lives in PostgreSQL, so the ES9+ steps
# of one download may alternate between the processes. rsp-test-lpa sends each step to a
# chosen process with --step-connect-to; both serve the same host name and certificates.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/download_common.sh"

e2e_init download_two_servers
e2e_require smdpplus rsp-pki saip-gen rsp-test-lpa
e2e_db || { e2e_fail setup "cannot create the test database"; exit 1; }
e2e_pki nist,brp || { e2e_fail setup "rsp-pki init failed: $(tail -3 "$E2E_TMP/rsp-pki.log")"; exit 1; }
CONF=$E2E_TMP/smdp.conf
e2e_config "$CONF"
mapfile -t ICCIDS < <(e2e_load_profiles "$CONF" demo 4 894900000000000700)
if [ "${#ICCIDS[@]}" != 4 ]; then
	e2e_fail setup "profile import failed: $(tail -3 "$E2E_TMP/import.log")"
	exit 1
fi
e2e_start_smdp "$CONF" "$E2E_TMP/smdpplus-a.log" || { e2e_fail setup "first smdpplus did not start"; exit 1; }
PORT_A=$E2E_ES9_PORT
e2e_start_smdp "$CONF" "$E2E_TMP/smdpplus-b.log" || { e2e_fail setup "second smdpplus did not start"; exit 1; }
PORT_B=$E2E_ES9_PORT
if [ "$PORT_A" = "$PORT_B" ]; then
	e2e_fail setup "both SM-DP+ processes report ES9+ port $PORT_A"
	exit 1
fi
to() { echo "$E2E_HOST:443:127.0.0.1:$1"; }

# served LOG FUNCTION TRANSACTION-ID: the number of FUNCTION requests of the session that the
# process writing LOG served.
served() {
	grep "\[$3\]" "$1" | grep -c "ES9+/$2: POST "
}

# alternate CASE CURVE ICCID FIRST SECOND: initiateAuthentication and getBoundProfilePackage
# go to FIRST, authenticateClient and handleNotification to SECOND.
alternate() {
	local name=$1 curve=$2 iccid=$3 first=$4 second=$5 ac tid log_first log_second
	ac=$(dl_order "$iccid") || { e2e_fail "$name" "order failed: $(tail -1 "$E2E_TMP/order.log")"; return; }
	dl_lpa "$curve" "$ac" --expect-profile "$E2E_TMP/profile-$iccid.der" \
		--step-connect-to "initiateAuthentication=$(to "$first")" \
		--step-connect-to "authenticateClient=$(to "$second")" \
		--step-connect-to "getBoundProfilePackage=$(to "$first")" \
		--step-connect-to "handleNotification=$(to "$second")"
	dl_expect_installed "$name" "$iccid" || return
	tid=$(dl_field transactionId)
	log_first=$E2E_TMP/smdpplus-a.log
	log_second=$E2E_TMP/smdpplus-b.log
	if [ "$first" = "$PORT_B" ]; then
		log_first=$E2E_TMP/smdpplus-b.log
		log_second=$E2E_TMP/smdpplus-a.log
	fi
	e2e_check "${name}_steps_split" \
		"$(served "$log_first" initiateAuthentication "$tid")$(served "$log_second" authenticateClient "$tid")$(served "$log_first" getBoundProfilePackage "$tid")$(served "$log_second" handleNotification "$tid")" \
		1111
	e2e_check "${name}_no_step_on_the_other" \
		"$(served "$log_second" initiateAuthentication "$tid")$(served "$log_first" authenticateClient "$tid")$(served "$log_second" getBoundProfilePackage "$tid")$(served "$log_first" handleNotification "$tid")" \
		0000
}

alternate two_servers_a_b_nist nist "${ICCIDS[0]}" "$PORT_A" "$PORT_B"
alternate two_servers_b_a_brp brp "${ICCIDS[1]}" "$PORT_B" "$PORT_A"

# One process refuses a wrong confirmation code, and the other serves the retry.
ac=$(dl_order "${ICCIDS[2]}" "" 5511)
dl_lpa nist "$ac" --cc 1234 --cc 5511 --expect-profile "$E2E_TMP/profile-${ICCIDS[2]}.der" \
	--step-connect-to "initiateAuthentication=$(to "$PORT_A")" \
	--step-connect-to "authenticateClient=$(to "$PORT_A")" \
	--step-connect-to "getBoundProfilePackage=$(to "$PORT_B")" \
	--step-connect-to "handleNotification=$(to "$PORT_A")"
dl_expect_installed two_servers_cc_retry "${ICCIDS[2]}"

# A session left open on one process after authenticateClient does not block the order: a new
# download through the other process installs it.
ac=$(dl_order "${ICCIDS[3]}")
# shellcheck disable=SC2046
dl_run $(dl_euicc_args nist) --cafile "$E2E_PKI/nist/ci.der" --connect-to "$(to "$PORT_A")" \
	--stop-after authenticateClient "$ac"
dl_expect_exit two_servers_stop_after_authenticate 9
# shellcheck disable=SC2046
dl_run $(dl_euicc_args nist) --cafile "$E2E_PKI/nist/ci.der" --connect-to "$(to "$PORT_B")" \
	--expect-profile "$E2E_TMP/profile-${ICCIDS[3]}.der" "$ac"
dl_expect_installed two_servers_new_session_on_other "${ICCIDS[3]}"
