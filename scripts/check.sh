#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: the test part of `make check` (which builds first). Runs the
# host tests, then the guest suite once per kernel, and adds everything up
# into one last line, "N passed, N failed, N skipped". Exits 1 on any
# failure. AFTR_KERNELS picks the kernels (default "6.1 6.12").
#
# check.sh --debug KDIR: the test part of `make check-debug` instead: the
# debug runner's self-test, then the guest suite once on the debug kernel
# built in KDIR (scripts/debug-kernel.sh), whose checkers also fail a run.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
results=$top/selftests/results
kernels=${AFTR_KERNELS:-6.1 6.12}
debug=
if [ "${1-}" = --debug ]; then
	debug=${2:?usage: check.sh [--debug KDIR]}
fi
mkdir -p "$results"

passed=0 failed=0 skipped=0
stages=()

# tally NAME SUMMARY RC: adds a stage's counts. A stage that failed without
# counting a failed test (a kernel warning, a hung or crashed guest, a
# suite that never ran) counts as one failure of its own.
tally() {
	local name=$1 p=0 f=0 s=0
	[ -s "$2" ] && read -r p f s <"$2"
	if [ "$3" != 0 ] && [ "$f" = 0 ]; then
		f=1
		echo "check: $name failed outside its tests (exit $3): counted as one failure"
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	stages+=("$(printf '%-22s %s passed, %s failed, %s skipped' "$name:" "$p" "$f" "$s")")
}

# host_tests NAME SUMMARY [ARGS...]: host tests through run.sh ARGS.
host_tests() {
	local name=$1 summary=$2
	shift 2
	echo "check: $name tests"
	rm -f "$summary"
	"$top/selftests/run.sh" -s "$summary" "$@"
	tally "$name" "$summary" $?
}

# guest_suite K OUT VMRUN-ARGS...: runs the guest suite for kernel K under
# vm/run VMRUN-ARGS, streaming into OUT/run.log; guest_done shows it.
# $test_limit, when set, is each test's time limit; $guest_env, variables
# for the suite (the guest starts from an empty environment); $suite,
# run.sh's arguments that pick the tests (default: all).
test_limit=
guest_env=()
suite=()
guest_suite() {
	local k=$1 out=$2
	shift 2
	mkdir -p "$out"
	rm -f "$out/summary"
	echo "check: guest suite on Linux $k (log: $out/run.log)"
	"$top/selftests/vm/run" "$@" -o "$out" -- env "${guest_env[@]}" "$top/selftests/run.sh" \
		${test_limit:+-t "$test_limit"} -s "$out/summary" "${suite[@]}" \
		>"$out/run.log" 2>&1
}

# guest_done K OUT RC
logs=()
guest_done() {
	echo "check: guest suite on Linux $1"
	grep -v '^\[ *[0-9.]*\] ' "$2/run.log"
	logs+=("$2/run.log")
	tally "guest $1" "$2/summary" "$3"
}

# The debug kernel: KASAN and friends under TCG make everything several
# times slower, hence the memory and the limits. The fuzzers and the soak
# run at the sizes the debug kernel is there to judge (a million packets,
# 100,000 messages, half an hour); the environment can say otherwise.
# They and det.sh, the longest of the rest, take about as long as all the
# others: two guests, one for each half, end the run in half the time.
long=(soak.sh fuzz_packets.sh fuzz_netlink.sh det.sh)
check_debug() {
	local out=$results/vm-debug t pid
	host_tests "debug runner" "$results/debug-runner.summary" \
		"$top/selftests/vm/debug_reports.sh"
	guest_env=(FUZZ_PACKETS="${FUZZ_PACKETS:-1000000}"
		   FUZZ_MESSAGES="${FUZZ_MESSAGES:-100000}"
		   SOAK_MINUTES="${SOAK_MINUTES:-30}")
	test_limit=$((1800 + ${SOAK_MINUTES:-30} * 60))
	suite=()
	for t in "${long[@]}"; do
		suite+=("$top/selftests/$t")
	done
	guest_suite debug-long "$out-long" -K "$debug" -M 2048 -t 14400 &
	pid=$!
	suite=()
	for t in "${long[@]}"; do
		suite+=(-x "$t")
	done
	guest_suite debug "$out" -K "$debug" -M 2048 -t 14400
	guest_done debug "$out" $?
	wait $pid
	guest_done debug-long "$out-long" $?
}

# The guest suites of the kernels run side by side: each is one shell
# running one test at a time, so two guests keep two cores busy where one
# would leave a core idle. Each streams into its own log, shown when done.
check_debian() {
	local k i=0 pids=()
	host_tests host "$results/host.summary" --host
	for k in $kernels; do
		# The suite grows and TCG is slow on a busy machine: a generous limit.
		guest_suite "$k" "$results/vm-$k" -k "$k" -t 2700 &
		pids+=($!)
	done
	for k in $kernels; do
		wait "${pids[$i]}"
		guest_done "$k" "$results/vm-$k" $?
		i=$((i + 1))
	done
}

if [ -n "$debug" ]; then
	check_debug
else
	check_debian
fi

echo
echo "check: results in $results"
printf 'check: %s\n' "${stages[@]}"
# The guests' failures once more, last, where a long log is read first.
[ ${#logs[@]} = 0 ] || grep -H '^\(# \)*not ok' "${logs[@]}" | sed "s|^$results/|check: |"
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
