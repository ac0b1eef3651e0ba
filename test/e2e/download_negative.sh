#!/bin/bash
# Negative end-to-end downloads. Each case makes one ES9+ request wrong in one way, with the
# fault options of rsp-test-lpa or with a certificate made for the case. It checks that the
# SM-DP+ returns the SGP.22 status for it, and then that the order is still usable: a clean
# download with the same activation code installs the profile.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/download_common.sh"

e2e_init download_negative
e2e_require smdpplus rsp-pki saip-gen rsp-test-lpa
e2e_db || { e2e_fail setup "cannot create the test database"; exit 1; }
e2e_pki nist,brp || { e2e_fail setup "rsp-pki init failed: $(tail -3 "$E2E_TMP/rsp-pki.log")"; exit 1; }
CONF=$E2E_TMP/smdp.conf
e2e_config "$CONF"
mapfile -t ICCIDS < <(e2e_load_profiles "$CONF" demo 20 894900000000000500)
if [ "${#ICCIDS[@]}" != 20 ]; then
	e2e_fail setup "profile import failed: $(tail -3 "$E2E_TMP/import.log")"
	exit 1
fi
e2e_start_smdp "$CONF" || { e2e_fail setup "smdpplus did not start"; exit 1; }
PKI=$E2E_PKI/nist
NEXT=0

# negative CASE STATUS ARGS...: orders the next profile, runs rsp-test-lpa with the nist eUICC
# and ARGS, expects STATUS (subjectCode/reasonCode), then downloads cleanly.
negative() {
	local name=$1 status=$2 iccid ac
	shift 2
	iccid=${ICCIDS[$NEXT]}
	NEXT=$((NEXT + 1))
	ac=$(dl_order "$iccid") || { e2e_fail "$name" "order failed: $(tail -1 "$E2E_TMP/order.log")"; return; }
	dl_lpa nist "$ac" "$@"
	dl_expect_status "$name" "$status"
	dl_lpa nist "$ac" --expect-profile "$E2E_TMP/profile-$iccid.der"
	dl_expect_installed "${name}_then_clean_download" "$iccid"
}

# negative_euicc CASE STATUS EUICC-OPTIONS...: the same with another eUICC identity for the
# faulty run (the clean download uses the nist eUICC).
negative_euicc() {
	local name=$1 status=$2 iccid ac
	shift 2
	iccid=${ICCIDS[$NEXT]}
	NEXT=$((NEXT + 1))
	ac=$(dl_order "$iccid") || { e2e_fail "$name" "order failed: $(tail -1 "$E2E_TMP/order.log")"; return; }
	# shellcheck disable=SC2046
	dl_run "$@" $(dl_tls_args) "$ac"
	dl_expect_status "$name" "$status"
	dl_lpa nist "$ac" --expect-profile "$E2E_TMP/profile-$iccid.der"
	dl_expect_installed "${name}_then_clean_download" "$iccid"
}

# ---- InitiateAuthentication ----
negative wrong_smdp_address 8.8.1/3.8 --smdp-address other-smdp.example.com
negative no_supported_ci 8.8.2/3.1 --ci-pkid-list 0102030405060708090A0B0C0D0E0F1011121314
negative empty_ci_lists 8.8.2/3.1 --ci-pkid-list none
negative svn_3 8.8.3/3.1 --svn 3.0.0
negative svn_1 8.8.3/3.1 --svn 1.2.0

# ---- AuthenticateClient ----
negative unknown_transaction_id 8.10.1/3.9 --bad-tid authenticateClient
negative bad_euicc_signature1 8.1/6.1 --tamper

# An EUM certificate from another CI, sent although the SM-DP+ selected ours.
OTHER=$E2E_TMP/other-pki
"$RSP_BIN/rsp-pki" init --out "$OTHER" --curves nist --smdp-host "$E2E_HOST" >>"$E2E_TMP/rsp-pki.log" 2>&1
negative_euicc eum_from_other_ci 8.11.1/3.9 \
	--euicc-cert "$OTHER/nist/euicc.der" --euicc-key "$OTHER/nist/euicc.key" \
	--eum-cert "$OTHER/nist/eum.der" --ci-cert "$PKI/ci.der" --force-chain

# An EUM certificate that names our CI as its issuer but was signed with another key: a
# forged CI certificate with our CI's key identifier issues it.
FORGED=$E2E_TMP/forged
mkdir -p "$FORGED"
ski=$("$RSP_BIN/rsp-pki" show "$PKI/ci.der" | awk '$1 == "SKI" { print $2 }' | sed 's/../&:/g; s/:$//')
cat >"$FORGED/ci.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = Forged CI
O = Forged
[ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
certificatePolicies = critical, 2.23.146.1.2.1.0
subjectKeyIdentifier = $ski
EOF
if openssl ecparam -name prime256v1 -genkey -noout -out "$FORGED/ci.key" 2>>"$E2E_TMP/rsp-pki.log" &&
	openssl req -new -x509 -key "$FORGED/ci.key" -config "$FORGED/ci.cnf" -extensions ext \
		-days 30 -out "$FORGED/ci.pem" 2>>"$E2E_TMP/rsp-pki.log" &&
	"$RSP_BIN/rsp-pki" issue --role eum --ci-cert "$FORGED/ci.pem" --ci-key "$FORGED/ci.key" \
		--out "$FORGED/eum" >>"$E2E_TMP/rsp-pki.log" 2>&1 &&
	"$RSP_BIN/rsp-pki" issue --role euicc --issuer-cert "$FORGED/eum.der" \
		--issuer-key "$FORGED/eum.key" --out "$FORGED/euicc" >>"$E2E_TMP/rsp-pki.log" 2>&1; then
	negative_euicc eum_not_signed_by_ci 8.1.2/6.1 \
		--euicc-cert "$FORGED/euicc.der" --euicc-key "$FORGED/euicc.key" \
		--eum-cert "$FORGED/eum.der" --ci-cert "$PKI/ci.der"
else
	e2e_fail eum_not_signed_by_ci "cannot make the forged certificates (see rsp-pki.log)"
fi

# An eUICC certificate whose EID lies outside the range of its (genuine) EUM.
"$RSP_BIN/rsp-pki" issue --role euicc --issuer-cert "$PKI/eum.der" --issuer-key "$PKI/eum.key" \
	--eid 89049032123451234512345678901235 --out "$E2E_TMP/outside" >>"$E2E_TMP/rsp-pki.log" 2>&1
negative_euicc eid_outside_eum_range 8.1.3/6.1 \
	--euicc-cert "$E2E_TMP/outside.der" --euicc-key "$E2E_TMP/outside.key" \
	--eum-cert "$PKI/eum.der" --ci-cert "$PKI/ci.der"

# An order for another EID: the second eUICC of the test PKI ordered, the first one downloads.
iccid=${ICCIDS[$NEXT]}
NEXT=$((NEXT + 1))
EID2=$("$RSP_BIN/rsp-pki" show "$PKI/euicc-2.der" | awk '$1 == "serialNumber" { print $2 }')
if ac=$(dl_order "$iccid" "$EID2"); then
	dl_lpa nist "$ac"
	dl_expect_status eid_not_matching_order 8.1.1/3.8
	# shellcheck disable=SC2046
	dl_run $(dl_euicc_args nist euicc-2) $(dl_tls_args) --expect-profile "$E2E_TMP/profile-$iccid.der" "$ac"
	dl_expect_installed eid_not_matching_order_then_right_euicc "$iccid"
else
	e2e_fail eid_not_matching_order "order failed: $(tail -1 "$E2E_TMP/order.log")"
fi

# An unknown matchingId: refused, and the real one still works.
iccid=${ICCIDS[$NEXT]}
NEXT=$((NEXT + 1))
ac=$(dl_order "$iccid")
dl_lpa nist "LPA:1\$$E2E_HOST\$UNKNOWN-MATCHING-ID"
dl_expect_status unknown_matching_id 8.2.6/3.8
dl_lpa nist "$ac" --expect-profile "$E2E_TMP/profile-$iccid.der"
dl_expect_installed unknown_matching_id_then_clean_download "$iccid"

# ---- malformed requests ----
negative truncated_authenticate_server_response 1.3.1/2.1 --truncate authenticateServerResponse
negative non_base64_euicc_info1 1.3.1/2.1 --garble euiccInfo1
negative non_base64_prepare_download_response 1.3.1/2.1 --garble prepareDownloadResponse
negative body_not_json 1.3.1/2.1 --not-json authenticateClient

# ---- GetBoundProfilePackage ----
negative unknown_transaction_id_bpp 8.10.1/3.9 --bad-tid getBoundProfilePackage
negative bad_euicc_signature2 8.1/6.1 --tamper-signature2
