#!/bin/bash
# End-to-end downloads with the GSMA SGP.26 test certificates and the GSMA TS.48 test profiles
# from $RSP_SHARED (sgp26/ and profiles/). Every case SKIPs when they are absent.
#
# The SM-DP+ uses the SGP.26 DPauth and DPpb certificates of both curves and is reached as
# testsmdpplus1.example.com, the name in the SGP.26 TLS certificate. That certificate has
# expired, so a new one for the same name and OID is issued here from the SGP.26 CI key with
# rsp-pki. The eUICC is the SGP.26 eUICC (EID 89049032123451234512345678901235) with its EUM.
#
# The TS.48 profiles all carry the same ICCID, so each is downloaded in turn on a database of
# its own; each download compares the installed profile byte for byte with the package file.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/download_common.sh"

e2e_init download_sgp26
SHARED=${RSP_SHARED:-$RSP_REPO/../shared}
S26=$SHARED/sgp26
CASES="sgp26_tls_reissue sgp26_download_nist sgp26_download_brp sgp26_download_both_curves ts48_profiles"
if [ ! -f "$S26/eUICC/CERT_EUICC_ECDSA_NIST.der" ] || [ ! -d "$SHARED/profiles" ]; then
	for c in $CASES; do
		e2e_skip "$c" "SGP.26 certificates or TS.48 profiles not found (set RSP_SHARED)"
	done
	exit 0
fi
e2e_require smdpplus rsp-pki saip-gen rsp-test-lpa

# The PKI folder in the layout lib.sh's e2e_config reads: <curve>/ci, dpauth, dppb, dptls.
E2E_HOST=testsmdpplus1.example.com
E2E_PKI=$E2E_TMP/sgp26
for curve in nist brp; do
	suffix=NIST
	[ $curve = brp ] && suffix=BRP
	dir=$E2E_PKI/$curve
	mkdir -p "$dir"
	cp "$S26/CertificateIssuer/CERT_CI_ECDSA_$suffix.der" "$dir/ci.der"
	cp "$S26/CertificateIssuer/CERT_CI_ECDSA_$suffix.pem" "$dir/ci.pem"
	cp "$S26/DPauth/CERT_S_SM_DPauth_ECDSA_$suffix.der" "$dir/dpauth.der"
	cp "$S26/DPauth/SK_S_SM_DPauth_ECDSA_$suffix.pem" "$dir/dpauth.key"
	cp "$S26/DPpb/CERT_S_SM_DPpb_ECDSA_$suffix.der" "$dir/dppb.der"
	cp "$S26/DPpb/SK_S_SM_DPpb_ECDSA_$suffix.pem" "$dir/dppb.key"
	cp "$S26/eUICC/CERT_EUICC_ECDSA_$suffix.der" "$dir/euicc.der"
	cp "$S26/eUICC/SK_EUICC_ECDSA_$suffix.pem" "$dir/euicc.key"
	cp "$S26/EUM/CERT_EUM_ECDSA_$suffix.der" "$dir/eum.der"
done
chmod 600 "$E2E_PKI"/*/*.key
if "$RSP_BIN/rsp-pki" issue --role dptls --ci-cert "$E2E_PKI/nist/ci.der" \
	--ci-key "$S26/CertificateIssuer/SK_CI_ECDSA_NIST.pem" --host "$E2E_HOST" --oid 2.999.10 \
	--days 30 --out "$E2E_PKI/nist/dptls" >"$E2E_TMP/rsp-pki.log" 2>&1; then
	e2e_pass sgp26_tls_reissue
else
	e2e_fail sgp26_tls_reissue "rsp-pki issue --role dptls failed: $(tail -2 "$E2E_TMP/rsp-pki.log")"
	exit 1
fi

# start_on_new_db: a fresh database and an SM-DP+ on it (the previous one is stopped first).
start_on_new_db() {
	if [ -n "${E2E_SMDP_PID:-}" ]; then
		e2e_stop_smdp "$E2E_SMDP_PID" >/dev/null 2>&1
	fi
	e2e_db || return 1 # drops and recreates the test database
	e2e_config "$CONF"
	e2e_start_smdp "$CONF" "$E2E_TMP/smdpplus-$1.log"
}

# import_and_order FILE TYPE: imports a package and orders it; prints the activation code and
# writes the package's ICCID to E2E_TMP/last_iccid.
import_and_order() {
	local iccid
	iccid=$("$RSP_BIN/saip-gen" --show "$1" 2>/dev/null | sed -n 's/^ICCID: *\([0-9]*\).*/\1/p')
	[ -n "$iccid" ] || return 1
	echo "$iccid" >"$E2E_TMP/last_iccid"
	e2e_import "$CONF" "$1" --profile-type "$2" >/dev/null || return 1
	dl_order "$iccid"
}

CONF=$E2E_TMP/smdp.conf

# ---- the SGP.26 eUICC on each curve, then with both chains, with a generated profile ----
if start_on_new_db generated; then
	n=0
	for curve in nist brp both; do
		n=$((n + 1))
		iccid=$(e2e_iccid "89490000000000080$n")
		if ! e2e_profile "$iccid" "$E2E_TMP/profile-$iccid.der" sgp26 ||
			! ac=$(import_and_order "$E2E_TMP/profile-$iccid.der" sgp26); then
			e2e_fail "sgp26_download_$curve" "import or order failed"
			continue
		fi
		if [ $curve = both ]; then
			# shellcheck disable=SC2046
			dl_run $(dl_euicc_args brp) $(dl_euicc_args nist) $(dl_tls_args) \
				--expect-profile "$E2E_TMP/profile-$iccid.der" "$ac"
			dl_expect_installed sgp26_download_both_curves "$iccid"
		else
			dl_lpa $curve "$ac" --expect-profile "$E2E_TMP/profile-$iccid.der"
			dl_expect_installed "sgp26_download_$curve" "$iccid"
		fi
	done
else
	e2e_fail sgp26_download_nist "the SM-DP+ did not start with the SGP.26 certificates"
fi

# ---- every TS.48 profile, one after another, alternating the curve ----
n=0
failed=0
for file in "$SHARED"/profiles/*.der; do
	[ -f "$file" ] || continue
	name=$(basename "$file" .der)
	curve=nist
	[ $((n % 2)) = 1 ] && curve=brp
	n=$((n + 1))
	if ! start_on_new_db "$name"; then
		e2e_fail "ts48_$name" "the SM-DP+ did not start"
		failed=1
		continue
	fi
	if ! ac=$(import_and_order "$file" ts48); then
		e2e_fail "ts48_$name" "import or order failed: $(tail -2 "$E2E_TMP/import.log" "$E2E_TMP/order.log")"
		failed=1
		continue
	fi
	dl_lpa $curve "$ac" --expect-profile "$file"
	dl_expect_installed "ts48_${name}_$curve" "$(cat "$E2E_TMP/last_iccid")" || failed=1
done
if [ $n = 0 ]; then
	e2e_skip ts48_profiles "no *.der in $SHARED/profiles"
elif [ $failed = 0 ]; then
	e2e_pass ts48_profiles
else
	e2e_fail ts48_profiles "not every TS.48 profile installed"
fi
