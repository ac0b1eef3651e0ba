#!/bin/bash
# A download over an ES9+ port whose TLS certificate has a brainpoolP256r1 key. OpenSSL 3.0
# completes such a handshake on TLS 1.2 only, so rsp-test-lpa needs --tls-max 1.2 there. When
# TLS 1.3 is offered, the handshake fails and rsp-test-lpa reports a transport error (exit 3).
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/download_common.sh"

e2e_init download_brainpool_tls
e2e_require smdpplus rsp-pki saip-gen rsp-test-lpa
e2e_db || { e2e_fail setup "cannot create the test database"; exit 1; }
e2e_pki nist,brp || { e2e_fail setup "rsp-pki init failed: $(tail -3 "$E2E_TMP/rsp-pki.log")"; exit 1; }
CONF=$E2E_TMP/smdp.conf
e2e_config "$CONF" "es2_tls_cert = $E2E_PKI/nist/dptls.chain.pem" "es2_tls_key = $E2E_PKI/nist/dptls.key"
# ES9+ gets the brainpool TLS certificate; ES2+ (reached with curl by lib.sh) keeps P-256.
sed -i -e "s|^es9_tls_cert = .*|es9_tls_cert = $E2E_PKI/brp/dptls.chain.pem|" \
	-e "s|^es9_tls_key = .*|es9_tls_key = $E2E_PKI/brp/dptls.key|" "$CONF"
mapfile -t ICCIDS < <(e2e_load_profiles "$CONF" demo 1 894900000000000900)
if [ "${#ICCIDS[@]}" != 1 ]; then
	e2e_fail setup "profile import failed: $(tail -3 "$E2E_TMP/import.log")"
	exit 1
fi
e2e_start_smdp "$CONF" || { e2e_fail setup "smdpplus did not start"; exit 1; }

iccid=${ICCIDS[0]}
ac=$(dl_order "$iccid") || { e2e_fail setup "order failed: $(tail -1 "$E2E_TMP/order.log")"; exit 1; }
TLS="--cafile $E2E_PKI/brp/ci.der --connect-to $E2E_HOST:443:127.0.0.1:$E2E_ES9_PORT"

# shellcheck disable=SC2046,SC2086
dl_run $(dl_euicc_args brp) $TLS "$ac"
dl_expect_exit brainpool_tls13_transport_error 3

# shellcheck disable=SC2046,SC2086
dl_run $(dl_euicc_args brp) $TLS --tls-max 1.2 --expect-profile "$E2E_TMP/profile-$iccid.der" "$ac"
dl_expect_installed brainpool_tls12_download "$iccid"

# A trust anchor that did not issue the TLS certificate is refused.
iccid2=$(e2e_iccid 894900000000000901)
e2e_profile "$iccid2" "$E2E_TMP/profile-$iccid2.der" && e2e_import "$CONF" "$E2E_TMP/profile-$iccid2.der" >/dev/null
ac=$(dl_order "$iccid2")
# shellcheck disable=SC2046
dl_run $(dl_euicc_args brp) --cafile "$E2E_PKI/nist/ci.der" \
	--connect-to "$E2E_HOST:443:127.0.0.1:$E2E_ES9_PORT" --tls-max 1.2 "$ac"
dl_expect_exit untrusted_tls_certificate 3
