#!/bin/bash
# Run every test program and print the closing "N passed, N failed, N skipped" line.
#
# Test programs print one line per case: "PASS name", "FAIL name: reason" or "SKIP name: reason".
# Unit tests run in the release build and in the ASan/UBSan build. The fuzz smoke run and the
# end-to-end tests (test/e2e/*.sh) follow. The end-to-end tests use the ASan/UBSan build of the
# servers and tools, and the private PostgreSQL cluster of scripts/pg.sh. A program that exits non-zero without printing
# a FAIL line counts as one failed case.
#
#   scripts/run-tests.sh [--unit-only] [FILTER]   FILTER selects programs whose name contains it
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

unit_only=0
filter=""
for arg in "$@"; do
	case $arg in
	--unit-only) unit_only=1 ;;
	*) filter=$arg ;;
	esac
done

export RSP_REPO=$repo
# Test data beside the checkout; tests that need it skip themselves when it is absent.
if [ -d "$repo/../shared" ]; then
	RSP_SHARED=$(cd "$repo/../shared" && pwd)
	export RSP_SHARED
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
log_dir=$repo/build/test-logs
mkdir -p "$log_dir"

passed=0 failed=0 skipped=0

run_program() { # run_program LABEL COMMAND...
	local label=$1 log out rc
	shift
	log="$log_dir/$(echo "$label" | tr '/ ' '__').log"
	"$@" >"$log" 2>&1
	rc=$?
	out=$(grep -E '^(PASS|FAIL|SKIP) ' "$log")
	[ -n "$out" ] && echo "$out"
	local p f s
	p=$(grep -c '^PASS ' "$log")
	f=$(grep -c '^FAIL ' "$log")
	s=$(grep -c '^SKIP ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $label: exited with status $rc without reporting a failed case (see $log)"
		f=1
	fi
	if [ "$f" -gt 0 ]; then
		echo "---- last lines of $log ----"
		tail -n 25 "$log"
		echo "----"
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

for flavor in release asan; do
	for t in build/$flavor/test/test_*; do
		[ -x "$t" ] || continue
		case $t in *"$filter"*) ;; *) continue ;; esac
		RSP_BIN=$repo/build/$flavor/bin run_program "$flavor/$(basename "$t")" "$t"
	done
done

# The fuzz targets for a fixed number of inputs each (scripts/fuzz.sh --smoke prints a SKIP
# line when clang with libFuzzer is missing).
if [ "$unit_only" = 0 ]; then
	case fuzz in *"$filter"*) run_program fuzz/smoke "$repo/scripts/fuzz.sh" --smoke ;; esac
fi

if [ "$unit_only" = 0 ]; then
	"$repo/scripts/pg.sh" start
	export RSP_BIN=$repo/build/asan/bin
	for t in test/e2e/*.sh; do
		[ -f "$t" ] || continue
		# Shell libraries that the tests source, not tests themselves.
		case $t in */lib.sh | *_common.sh) continue ;; esac
		case $t in *"$filter"*) ;; *) continue ;; esac
		run_program "e2e/$(basename "$t" .sh)" bash "$t"
	done
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
