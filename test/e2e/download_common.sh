# Shell helpers shared by the download tests (test/e2e/download_*.sh), on top of lib.sh:
# orders over ES2+, runs of rsp-test-lpa against the SM-DP+ started by lib.sh, and checks of
# its result line and of the profile state in the database.
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/download_common.sh"
#   ac=$(dl_order "$ICCID")                       # downloadOrder + confirmOrder, prints the AC
#   dl_lpa nist "$ac" --expect-profile FILE       # sets DL_OUT (result line) and DL_RC
#   dl_expect_installed case_name "$ICCID"
#   dl_expect_status case_name 8.2.6/3.8
#
# rsp-test-lpa prints one line such as
#   failed exit=4 step=authenticateClient ... subjectCode=8.2.6 reasonCode=3.8 message="..."
# and exits with the code of its outcome (docs/test-lpa.md).

# Run directly (scripts/run-tests.sh runs every test/e2e/*.sh), this file only defines helpers.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	exit 0
fi

DL_OPERATOR=OP1

# dl_euicc_args CURVE [NAME]: the eUICC options for the test PKI's eUICC NAME (default euicc)
# of CURVE (nist or brp), trusting that curve's CI.
dl_euicc_args() {
	local curve=$1 name=${2:-euicc}
	echo "--euicc-cert $E2E_PKI/$curve/$name.der --euicc-key $E2E_PKI/$curve/$name.key" \
		"--eum-cert $E2E_PKI/$curve/eum.der --ci-cert $E2E_PKI/$curve/ci.der"
}

# dl_tls_args: trust anchor and host mapping for the SM-DP+ on E2E_ES9_PORT. The TLS
# certificate is issued by the nist CI when there is one (as lib.sh's e2e_config chooses).
dl_tls_args() {
	local ca=$E2E_PKI/nist/ci.der
	[ -f "$ca" ] || ca=$E2E_PKI/brp/ci.der
	echo "--cafile $ca --connect-to $E2E_HOST:443:127.0.0.1:$E2E_ES9_PORT"
}

# dl_run ARGS...: runs rsp-test-lpa with ARGS; sets DL_OUT (stdout) and DL_RC (exit code) and
# keeps stderr in E2E_TMP/lpa.log.
dl_run() {
	DL_OUT=$("$RSP_BIN/rsp-test-lpa" "$@" 2>>"$E2E_TMP/lpa.log")
	DL_RC=$?
	echo "rsp-test-lpa $*" >>"$E2E_TMP/lpa.log"
	echo "=> $DL_OUT" >>"$E2E_TMP/lpa.log"
}

# dl_lpa CURVE ACTIVATION-CODE [ARGS...]: a download with the test PKI's eUICC of CURVE. An
# empty ACTIVATION-CODE is left out (for --default-smdp).
dl_lpa() {
	local curve=$1 ac=$2
	shift 2
	# shellcheck disable=SC2046
	dl_run $(dl_euicc_args "$curve") $(dl_tls_args) "$@" ${ac:+"$ac"}
}

# dl_order ICCID [EID] [CONFIRMATION-CODE] [MATCHING-ID]: orders the profile ICCID over ES2+
# (downloadOrder, then confirmOrder with releaseFlag) and prints its activation code. With an
# empty MATCHING-ID ("") the order is for the default SM-DP+ (EID required). Prints nothing and
# returns 1 when a call fails; the response goes to E2E_TMP/order.log.
dl_order() {
	local iccid=$1 eid=${2:-} cc=${3:-} mid_set=${4+x} mid=${4:-} h body r mid_out
	h=$(e2e_header "$DL_OPERATOR")
	body="{\"header\":$h,\"iccid\":\"$iccid\"${eid:+,\"eid\":\"$eid\"}}"
	r=$(e2e_es2 downloadOrder "$body")
	echo "downloadOrder $iccid: $r" >>"$E2E_TMP/order.log"
	[ "$(e2e_status "$r")" = OK ] || return 1
	body="{\"header\":$h,\"iccid\":\"$iccid\",\"releaseFlag\":true"
	[ -n "$eid" ] && body="$body,\"eid\":\"$eid\""
	[ -n "$cc" ] && body="$body,\"confirmationCode\":\"$cc\""
	[ -n "$mid_set" ] && body="$body,\"matchingId\":\"$mid\""
	body="$body}"
	r=$(e2e_es2 confirmOrder "$body")
	echo "confirmOrder $iccid: $r" >>"$E2E_TMP/order.log"
	[ "$(e2e_status "$r")" = OK ] || return 1
	mid_out=$(e2e_field "$r" matchingId)
	if [ -n "$cc" ]; then
		echo "LPA:1\$$E2E_HOST\$$mid_out\$\$1"
	else
		echo "LPA:1\$$E2E_HOST\$$mid_out"
	fi
}

# dl_state ICCID: the profile's state in the database.
dl_state() {
	e2e_psql "SELECT state FROM profiles WHERE iccid = '$1'"
}

# dl_field NAME: the value of NAME=value in the last result line.
dl_field() {
	printf '%s' "$DL_OUT" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"
}

# dl_expect_installed CASE ICCID: PASS when the last run installed the profile and the SM-DP+
# recorded it as installed.
dl_expect_installed() {
	local state
	if [ "$DL_RC" != 0 ]; then
		e2e_fail "$1" "rsp-test-lpa exited with $DL_RC: $DL_OUT"
		return 1
	fi
	state=$(dl_state "$2")
	if [ "$state" != Installed ]; then
		e2e_fail "$1" "profile $2 is in state '$state' after the download, expected Installed"
		return 1
	fi
	e2e_pass "$1"
}

# dl_expect_status CASE SUBJECT/REASON: PASS when the last run ended because the SM-DP+
# returned that function status (exit code 4).
dl_expect_status() {
	local got
	got="$(dl_field subjectCode)/$(dl_field reasonCode)"
	if [ "$DL_RC" = 4 ] && [ "$got" = "$2" ]; then
		e2e_pass "$1"
	else
		e2e_fail "$1" "expected exit 4 with status $2, got exit $DL_RC: $DL_OUT"
		return 1
	fi
}

# dl_expect_exit CASE CODE: PASS when the last run exited with CODE.
dl_expect_exit() {
	if [ "$DL_RC" = "$2" ]; then
		e2e_pass "$1"
	else
		e2e_fail "$1" "expected exit $2, got exit $DL_RC: $DL_OUT"
		return 1
	fi
}
