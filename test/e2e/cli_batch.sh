#!/bin/bash
# End-to-end tests of 'rspctl batch' against a running SM-DP+ on PostgreSQL.
#  - Malformed CSV lines are rejected before anything is issued.
#  - A batch that fails half-way is completed by a re-run.
#  - A batch of 1,000 codes is killed with SIGKILL and re-run: it ends with exactly 1,000
#    distinct orders, and every QR PNG reads back with zbarimg as its activation code.
#  - A batch runs over ES2+ alone, without the database.
#  - A named pipe as input is rejected at once; --dir is created with its missing parents.
. "$(dirname "$0")/lib.sh"
e2e_init cli_batch
e2e_require smdpplus rsp-pki rspctl

CLI=$RSP_BIN/rspctl
BIG=${CLI_BATCH_SIZE:-1000}

run() {
	"$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err"
	RC=$?
	OUT=$(cat "$E2E_TMP/out")
	ERR=$(cat "$E2E_TMP/err")
}

# rows CSV: the data rows of an output CSV without the header and the CR of CRLF.
rows() {
	tail -n +2 "$1" | tr -d '\r'
}

setup() {
	e2e_db || return 1
	e2e_pki nist || return 1
	"$RSP_BIN/rsp-pki" operator-ca --out "$E2E_TMP/opca" >/dev/null || return 1
	"$RSP_BIN/rsp-pki" operator-client --ca-dir "$E2E_TMP/opca" --operator OPA \
		--out "$E2E_TMP/opa" >/dev/null || return 1
	e2e_config "$E2E_TMP/smdp.conf" "es2_client_ca = $E2E_TMP/opca/ca.pem" || return 1
	e2e_start_smdp "$E2E_TMP/smdp.conf" || return 1
	export RSP_DB=$E2E_CONNINFO
	export RSPCTL_SMDP=https://$E2E_HOST:$E2E_ES2_PORT
	export RSPCTL_CERT=$E2E_TMP/opa.pem RSPCTL_KEY=$E2E_TMP/opa.key
	export RSPCTL_CAFILE=$E2E_PKI/nist/ci.pem
	CT="--connect-to $E2E_HOST:$E2E_ES2_PORT:127.0.0.1:$E2E_ES2_PORT"
	"$CLI" profile generate --iccid "$(e2e_iccid 894900003000000000)" --imsi 001010000000001 \
		--ki 000102030405060708090A0B0C0D0E0F --opc 0F0E0D0C0B0A09080706050403020100 \
		--out "$E2E_TMP/base.der" >/dev/null
}

# import TYPE FIRST-ICCID COUNT: imports COUNT copies of the base package with consecutive
# ICCIDs.
import() {
	local i files=()
	for ((i = 0; i < $3; i++)); do
		files+=("$E2E_TMP/base.der")
	done
	"$CLI" profile import --type "$1" --iccid "$2" "${files[@]}" >/dev/null
}

if ! setup; then
	e2e_fail setup "the SM-DP+ test environment did not start (see $E2E_TMP)"
	exit 1
fi
mkdir -p "$E2E_TMP/batches"
D=$E2E_TMP/batches

# ---- malformed CSV lines: each reported with its line number, nothing issued ----
import small "$(e2e_iccid 894900004000000001)" 5
GOOD=$(e2e_iccid 894900004000000001)
cat >"$E2E_TMP/bad.csv" <<EOF
iccid,eid,matching_id
$GOOD,,BAD-1
8949000040000000019,,
$GOOD,,BAD-2
,89086030000000000000000000000193,
$(e2e_iccid 894900004000000002),,lower-case
$(e2e_iccid 894900004000000003),"unterminated
EOF
# shellcheck disable=SC2086
run "$CLI" batch issue --id bad --input "$E2E_TMP/bad.csv" --dir "$D" $CT
if [ "$RC" = 2 ] && printf '%s' "$ERR" | grep -q 'line 3: invalid ICCID' &&
	printf '%s' "$ERR" | grep -q "line 4: ICCID $GOOD is already on line 2" &&
	printf '%s' "$ERR" | grep -q 'line 5: invalid EID' &&
	printf '%s' "$ERR" | grep -q "line 6: invalid matchingId 'lower-case'" &&
	printf '%s' "$ERR" | grep -q 'line 7: a quote is misplaced' &&
	printf '%s' "$ERR" | grep -q 'nothing was issued' && [ ! -e "$D/bad" ]; then
	e2e_pass malformed_csv_lines_reported
else
	e2e_fail malformed_csv_lines_reported "exit $RC: $ERR"
fi
e2e_check malformed_csv_issues_nothing \
	"$(e2e_psql "SELECT count(*) FROM orders")" 0

# ---- a batch failing half-way, completed by a re-run ----
MISSING=$(e2e_iccid 894900004000000099)
{
	echo "iccid,matching_id,confirmation_code"
	echo "$(e2e_iccid 894900004000000001),HALF-1,"
	echo "$MISSING,HALF-2,"
	echo "$(e2e_iccid 894900004000000002),HALF-3,2468"
} >"$E2E_TMP/half.csv"
# shellcheck disable=SC2086
run "$CLI" batch issue --id half --input "$E2E_TMP/half.csv" --dir "$D" $CT
if [ "$RC" = 3 ] && printf '%s' "$OUT" | grep -q 'issued lines: 2,4' &&
	printf '%s' "$OUT" | grep -q 'not issued lines: 3' &&
	printf '%s' "$ERR" | grep -q "line 3: .*$MISSING.*reasonCode 3.9"; then
	e2e_pass half_way_failure_reported
else
	e2e_fail half_way_failure_reported "exit $RC: $OUT $ERR"
fi
e2e_check half_way_output_rows "$(rows "$D/half/half.csv" | cut -d, -f4 | tr '\n' ' ')" \
	'HALF-1 HALF-3 '
# shellcheck disable=SC2016
if rows "$D/half/half.csv" | grep -q 'HALF-3,LPA:1\$smdpplus.test\$HALF-3\$\$1,'; then
	e2e_pass batch_cc_flag_in_code
else
	e2e_fail batch_cc_flag_in_code "$(cat "$D/half/half.csv")"
fi
import small "$MISSING" 1
# shellcheck disable=SC2086
run "$CLI" batch issue --id half --input "$E2E_TMP/half.csv" --dir "$D" $CT --json
if [ "$RC" = 0 ] && printf '%s' "$OUT" | grep -q '"issuedNow":[[:space:]]*1,' &&
	[ "$(rows "$D/half/half.csv" | wc -l)" = 3 ]; then
	e2e_pass rerun_issues_only_missing
else
	e2e_fail rerun_issues_only_missing "exit $RC: $OUT $ERR"
fi
e2e_check rerun_order_count "$(e2e_psql "SELECT count(*) FROM orders WHERE matching_id LIKE 'HALF-%'")" 3
# shellcheck disable=SC2086
run "$CLI" batch issue --id half --count 3 --profile-type small --dir "$D" $CT
if [ "$RC" = 2 ] && printf '%s' "$ERR" | grep -q 'was started with'; then
	e2e_pass same_id_other_input_rejected
else
	e2e_fail same_id_other_input_rejected "exit $RC: $ERR"
fi

# ---- 1,000 codes, killed with SIGKILL half-way, re-run ----
import bulk "$(e2e_iccid 894900005000000000)" "$BIG"
# shellcheck disable=SC2086
"$CLI" batch issue --id big --count "$BIG" --profile-type bulk --dir "$D" $CT \
	>"$E2E_TMP/big1.out" 2>"$E2E_TMP/big1.err" &
pid=$!
E2E_PIDS="$E2E_PIDS $pid"
target=$((BIG / 4))
for _ in $(seq 1 3000); do
	done_now=$(grep -c '^done' "$D/big/big.state" 2>/dev/null)
	[ "${done_now:-0}" -ge "$target" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
done
if kill -KILL "$pid" 2>/dev/null; then
	wait "$pid" 2>/dev/null
	killed_at=$(grep -c '^done' "$D/big/big.state")
	e2e_pass batch_killed_half_way
else
	killed_at=$BIG
	e2e_fail batch_killed_half_way "the batch ended before it could be killed"
fi
run "$CLI" batch status --id big --dir "$D" --json
if printf '%s' "$OUT" | grep -q "\"issued\":[[:space:]]*$killed_at,"; then
	e2e_pass batch_status_after_kill
else
	e2e_fail batch_status_after_kill "$OUT $ERR"
fi
# shellcheck disable=SC2086
run "$CLI" batch issue --id big --count "$BIG" --profile-type bulk --dir "$D" $CT
if [ "$RC" = 0 ] && printf '%s' "$OUT" | grep -q "batch big: resumed" &&
	printf '%s' "$OUT" | grep -q "$BIG of $BIG issued ($((BIG - killed_at)) in this run)"; then
	e2e_pass batch_rerun_completes
else
	e2e_fail batch_rerun_completes "exit $RC (killed after $killed_at): $OUT $ERR"
fi
e2e_check batch_distinct_orders "$(e2e_psql "SELECT count(*), count(DISTINCT o.matching_id),
	count(DISTINCT o.profile_id) FROM orders o JOIN profiles p ON p.id = o.profile_id
	WHERE p.profile_type = 'bulk'")" "$BIG|$BIG|$BIG"
e2e_check batch_all_released "$(e2e_psql "SELECT state, count(*) FROM profiles
	WHERE profile_type = 'bulk' GROUP BY state")" "Released|$BIG"
e2e_check batch_output_rows "$(rows "$D/big/big.csv" | cut -d, -f2,4 | sort -u | wc -l)" "$BIG"
e2e_check batch_output_matches_database \
	"$(rows "$D/big/big.csv" | cut -d, -f2,4 | tr ',' '|' | sort)" \
	"$(e2e_psql "SELECT p.iccid, o.matching_id FROM orders o JOIN profiles p ON p.id = o.profile_id
	WHERE p.profile_type = 'bulk'" | sort)"

# Every QR PNG of the batch read back with zbarimg equals its activation code.
rows "$D/big/big.csv" | cut -d, -f5 >"$E2E_TMP/codes"
rows "$D/big/big.csv" | cut -d, -f6 | sed "s|^|$D/big/|" >"$E2E_TMP/pngs"
# QR only: zbarimg's 1D decoders can report a false barcode inside a QR image.
xargs zbarimg --quiet --raw -Sdisable -Sqrcode.enable <"$E2E_TMP/pngs" >"$E2E_TMP/decoded" 2>/dev/null
if cmp -s "$E2E_TMP/codes" "$E2E_TMP/decoded" && [ "$(wc -l <"$E2E_TMP/decoded")" = "$BIG" ]; then
	e2e_pass batch_every_png_reads_back
else
	e2e_fail batch_every_png_reads_back "$(diff "$E2E_TMP/codes" "$E2E_TMP/decoded" | head -5)"
fi

# ---- ES2+ alone: the SM-DP+ picks the profiles of a type ----
import lone "$(e2e_iccid 894900006000000000)" 3
# shellcheck disable=SC2086
run env -u RSP_DB "$CLI" batch issue --id lone --count 3 --profile-type lone --qr-format svg \
	--dir "$D" $CT
if [ "$RC" = 0 ] && [ "$(rows "$D/lone/lone.csv" | wc -l)" = 3 ] &&
	[ "$(find "$D/lone/qr" -name '*.svg' | wc -l)" = 3 ]; then
	e2e_pass batch_without_database
else
	e2e_fail batch_without_database "exit $RC: $OUT $ERR"
fi
# shellcheck disable=SC2086
run env -u RSP_DB "$CLI" batch issue --id lone2 --count 1 --profile-type lone --dir "$D" $CT
expect_status=$RC
if [ "$expect_status" = 3 ] && printf '%s' "$ERR" | grep -q 'reasonCode 3.7'; then
	e2e_pass batch_type_exhausted_reported
else
	e2e_fail batch_type_exhausted_reported "exit $RC: $ERR"
fi

# ---- ES2+ alone: a line rejected half-way is issued by the re-run ----
LATE=$(e2e_iccid 894900007000000009)
{
	echo "iccid"
	e2e_iccid 894900007000000001
	echo "$LATE"
} >"$E2E_TMP/late.csv"
import late "$(e2e_iccid 894900007000000001)" 1
# shellcheck disable=SC2086
run env -u RSP_DB "$CLI" batch issue --id late --input "$E2E_TMP/late.csv" --dir "$D" $CT
first_rc=$RC
import late "$LATE" 1
# shellcheck disable=SC2086
run env -u RSP_DB "$CLI" batch issue --id late --input "$E2E_TMP/late.csv" --dir "$D" $CT
if [ "$first_rc" = 3 ] && [ "$RC" = 0 ] && printf '%s' "$OUT" | grep -q '2 of 2 issued (1 in this run)'; then
	e2e_pass rerun_without_database
else
	e2e_fail rerun_without_database "first exit $first_rc, then $RC: $OUT $ERR"
fi

# ---- inputs and folders ----
mkfifo "$E2E_TMP/orders.fifo"
# shellcheck disable=SC2086
run timeout 30 "$CLI" batch issue --id fifo --input "$E2E_TMP/orders.fifo" --dir "$D" $CT
if [ "$RC" = 2 ] && [ "$(printf '%s\n' "$ERR" | grep -c '')" = 1 ] &&
	printf '%s' "$ERR" | grep -q 'orders.fifo: it is a named pipe, not a regular file'; then
	e2e_pass csv_named_pipe_rejected
else
	e2e_fail csv_named_pipe_rejected "exit $RC: $ERR"
fi

import deep "$(e2e_iccid 894900008000000001)" 1
# shellcheck disable=SC2086
run "$CLI" batch issue --id deep --count 1 --profile-type deep --dir "$D/new/parent/folders" $CT
if [ "$RC" = 0 ] && [ "$(rows "$D/new/parent/folders/deep/deep.csv" | wc -l)" = 1 ]; then
	e2e_pass dir_parents_created
else
	e2e_fail dir_parents_created "exit $RC: $OUT $ERR"
fi
touch "$E2E_TMP/plain-file"
# shellcheck disable=SC2086
run "$CLI" batch issue --id deep2 --count 1 --profile-type deep --dir "$E2E_TMP/plain-file/sub" $CT
if [ "$RC" = 1 ] && [ "$(printf '%s\n' "$ERR" | grep -c '')" = 1 ] &&
	printf '%s' "$ERR" | grep -q "cannot create folder $E2E_TMP/plain-file: a file of that name exists"; then
	e2e_pass dir_blocked_by_file_one_line
else
	e2e_fail dir_blocked_by_file_one_line "exit $RC: $ERR"
fi
