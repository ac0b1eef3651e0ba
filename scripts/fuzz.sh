#!/bin/bash
# Build the libFuzzer targets of test/fuzz and run them (docs/fuzzing.md).
#
#   scripts/fuzz.sh [--time SECONDS] [--keep-going] [TARGET...]
#       run each target for SECONDS (default 60); with --keep-going a target goes on after a
#       crash (libFuzzer's -fork=1 -ignore_crashes=1), so one known bug does not end the run
#   scripts/fuzz.sh --smoke [TARGET...]
#       run each target for a fixed number of inputs and print one PASS/FAIL line per target
#
# TARGET is a name such as der or fuzz_der; without one, every target runs, one after the
# other. The targets are built with "make fuzz" into $BUILD_ROOT/fuzz (BUILD_ROOT defaults to
# build), where this script also keeps its files:
#   seeds/<target>    seed inputs, written again on every run by fuzz-seeds
#   shared/<target>   extra seeds copied from the test data beside the checkout (../shared or
#                     $RSP_SHARED), when it is present
#   corpus/<target>   inputs the fuzzer found interesting; they accumulate over runs
#   crashes/<target>  reproducers of crashes, leaks and timeouts
#   logs/<target>.log the fuzzer's output
# A reproducer runs again with: $BUILD_ROOT/fuzz/bin/fuzz_<target> FILE
#
# Without clang and its libFuzzer runtime (Debian clang-14 and libclang-rt-14-dev), --smoke
# prints one SKIP line and exits 0; the other modes fail.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

build_root=${BUILD_ROOT:-build}
work=$repo/$build_root/fuzz
seconds=60
smoke=0
keep_going=0
targets=()

# Inputs per target in --smoke mode, each run with the same random seed. They take one to four
# seconds per target, 21 s for all nine, measured on a shared 2-core machine.
declare -A smoke_runs=(
	[actcode]=300000 [cert]=150000 [cli_csv]=40000 [der]=20000 [euicc_bpp]=1500
	[json]=150000 [lpa_es9_json]=100000 [rsp_codec]=60000 [saip]=12000
)
smoke_seed=1

usage() {
	sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--time)
		[ $# -ge 2 ] || usage
		seconds=$2
		shift 2
		case $seconds in '' | *[!0-9]*) echo "fuzz.sh: --time needs a number of seconds, not '$seconds'" >&2; exit 2 ;; esac
		;;
	--smoke) smoke=1; shift ;;
	--keep-going) keep_going=1; shift ;;
	-h | --help) usage ;;
	-*) echo "fuzz.sh: unknown option $1" >&2; usage ;;
	*) targets+=("${1#fuzz_}"); shift ;;
	esac
done

if [ ${#targets[@]} -eq 0 ]; then
	for src in test/fuzz/fuzz_*.c; do
		name=$(basename "$src" .c)
		targets+=("${name#fuzz_}")
	done
fi
for t in "${targets[@]}"; do
	if [ ! -f "test/fuzz/fuzz_$t.c" ]; then
		echo "fuzz.sh: no target $t (test/fuzz/fuzz_$t.c does not exist)" >&2
		exit 2
	fi
done

# clang-14 as bootstrap.sh installs it, else the default clang.
fuzz_cc=${FUZZ_CC:-$(command -v clang-14 || command -v clang || true)}
mkdir -p "$work"
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Links a trivial target, which needs clang with the libFuzzer and sanitizer runtimes.
fuzzer_available() {
	[ -n "$fuzz_cc" ] || return 1
	printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' |
		"$fuzz_cc" -x c -fsanitize=fuzzer,address,undefined -o "$work/probe" - >/dev/null 2>&1
	local rc=$?
	rm -f "$work/probe"
	return $rc
}

if ! fuzzer_available; then
	if [ "$smoke" = 1 ]; then
		echo "SKIP fuzz/smoke: clang with libFuzzer not found (install clang-14 and libclang-rt-14-dev)"
		exit 0
	fi
	echo "fuzz.sh: clang with libFuzzer not found: install clang-14 and libclang-rt-14-dev, or set FUZZ_CC" >&2
	exit 1
fi

mkdir -p "$work/logs"
if ! make -j2 BUILD_ROOT="$build_root" FUZZ_CC="$fuzz_cc" fuzz >"$work/logs/build.log" 2>&1; then
	echo "FAIL fuzz/build: make fuzz failed (see $work/logs/build.log)"
	tail -n 20 "$work/logs/build.log"
	exit 1
fi
if ! "$work/bin/fuzz-seeds" "$work/seeds" >"$work/logs/seeds.log" 2>&1; then
	echo "FAIL fuzz/seeds: fuzz-seeds failed (see $work/logs/seeds.log)"
	tail -n 20 "$work/logs/seeds.log"
	exit 1
fi

# Extra seeds from the test data beside the checkout: certificates, TS.48 profile packages and
# activation codes. Only copies are fed to the fuzzer; nothing is written beside the checkout.
shared=${RSP_SHARED:-$repo/../shared}
rm -rf "$work/shared"
if [ -d "$shared" ]; then
	mkdir -p "$work/shared/cert" "$work/shared/der" "$work/shared/saip" "$work/shared/actcode"
	if [ -d "$shared/sgp26" ]; then
		find "$shared/sgp26" -name '*.der' -type f | while read -r f; do
			name=$(echo "${f#"$shared"/}" | tr '/' '_')
			cp "$f" "$work/shared/cert/$name"
			cp "$f" "$work/shared/der/$name"
		done
	fi
	for f in "$shared"/profiles/*.der; do
		[ -f "$f" ] || continue
		cp "$f" "$work/shared/saip/"
		cp "$f" "$work/shared/der/"
	done
	if [ -f "$shared/vectors/activation_codes.txt" ]; then
		n=0
		sed -n 's/^ac: *//p' "$shared/vectors/activation_codes.txt" | while IFS= read -r code; do
			n=$((n + 1))
			printf '%s' "$code" >"$work/shared/actcode/vector-$n"
		done
	fi
fi

# Runs one target; prints its outcome and returns non-zero when it found something.
run_target() { # run_target NAME
	local t=$1 bin=$work/bin/fuzz_$1 log=$work/logs/$1.log
	local corpus crashes rc found
	local dirs=("$work/seeds/$t") options=()
	[ -d "$work/shared/$t" ] && dirs+=("$work/shared/$t")
	[ "$keep_going" = 1 ] && options=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)

	crashes=$work/crashes/$t
	mkdir -p "$crashes" "$work/tmp"
	# Reproducers written from now on are this run's findings.
	touch "$work/logs/$t.start"
	if [ "$smoke" = 1 ]; then
		# A fresh corpus folder, so that every smoke run starts from the same inputs.
		corpus=$work/smoke-corpus/$t
		rm -rf "$corpus"
		mkdir -p "$corpus"
		TMPDIR=$work/tmp "$bin" -runs="${smoke_runs[$t]:-10000}" -seed=$smoke_seed \
			-timeout=30 -artifact_prefix="$crashes/" "$corpus" "${dirs[@]}" >"$log" 2>&1
		rc=$?
		rm -rf "$corpus"
	else
		corpus=$work/corpus/$t
		mkdir -p "$corpus"
		TMPDIR=$work/tmp "$bin" -max_total_time="$seconds" -timeout=30 -print_final_stats=1 \
			"${options[@]}" -artifact_prefix="$crashes/" "$corpus" "${dirs[@]}" >"$log" 2>&1
		rc=$?
	fi

	found=$(find "$crashes" -type f -newer "$work/logs/$t.start" | sort)
	rm -f "$work/logs/$t.start"
	if [ "$rc" -eq 0 ] && [ -z "$found" ]; then
		if [ "$smoke" = 1 ]; then
			echo "PASS fuzz/$t"
			return 0
		fi
		# The final statistics, or in fork mode the last status line ("#123456: cov: ..").
		local inputs
		inputs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
		[ -n "$inputs" ] || inputs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
		echo "fuzz_$t: no crash; ${inputs:-an unknown number of} inputs in $seconds s," \
			"corpus $(ls "$corpus" | wc -l) files"
		return 0
	fi

	local what
	what=$(grep -m1 -E "$error_pattern" "$log")
	[ -n "$what" ] || what="exited with status $rc"
	if [ "$smoke" = 1 ]; then
		echo "FAIL fuzz/$t: $what; reproducer: $(echo ${found:-none}) (log $log)"
		return 1
	fi
	echo "fuzz_$t: FOUND $(echo "$found" | grep -c .) reproducers; first error: $what (log $log)"
	[ -n "$found" ] && group_findings "$bin" "$found"
	return 1
}

# The first line of a sanitizer report, a libFuzzer error or a failed invariant.
error_pattern='ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|invariant failed:'

# Runs each reproducer again and prints every distinct error once, with how many reproducers
# give it and one of them. Numbers of five digits or more (values, addresses) are left out of
# the comparison.
group_findings() { # group_findings BINARY FILES
	local bin=$1 f line
	while read -r f; do
		line=$(TMPDIR=$work/tmp timeout 60 "$bin" "$f" 2>&1 | grep -m1 -E "$error_pattern")
		printf '%s\t%s\n' "$(echo "${line:-no error on a second run}" |
			sed -E 's/0x[0-9a-f]+/ADDRESS/g; s/[0-9]{5,}/N/g')" "$f"
	done <<<"$2" | sort | awk -F '\t' '
		{ count[$1]++; example[$1] = $2 }
		END { for (e in count) printf "  %d x %s\n      reproducer: %s\n", count[e], e, example[e] }'
	echo "  run one again: $bin REPRODUCER"
}

status=0
for t in "${targets[@]}"; do
	run_target "$t" || status=1
done
rm -rf "$work/tmp"
exit $status
