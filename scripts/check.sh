#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: the test part of `make check` (which builds first). Runs the
# host tests, then the guest suite once per kernel, and adds everything up
# into one last line, "N passed, N failed, N skipped". Exits 1 on any
# failure. AFTR_KERNELS picks the kernels (default "6.1 6.12").
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
results=$top/selftests/results
kernels=${AFTR_KERNELS:-6.1 6.12}
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

echo "check: host tests"
rm -f "$results/host.summary"
"$top/selftests/run.sh" --host -s "$results/host.summary"
tally host "$results/host.summary" $?

# The guest suites of the kernels run side by side: each is one shell
# running one test at a time, so two guests keep two cores busy where one
# would leave a core idle. Each streams into its own log, shown when done.
pids=()
for k in $kernels; do
	out=$results/vm-$k
	mkdir -p "$out"
	rm -f "$out/summary"
	echo "check: guest suite on Linux $k (log: $out/run.log)"
	# The suite grows and TCG is slow on a busy machine: a generous limit.
	"$top/selftests/vm/run" -k "$k" -t 1500 -o "$out" -- \
		"$top/selftests/run.sh" -s "$out/summary" >"$out/run.log" 2>&1 &
	pids+=($!)
done
i=0
for k in $kernels; do
	wait "${pids[$i]}"
	rc=$?
	i=$((i + 1))
	out=$results/vm-$k
	echo "check: guest suite on Linux $k"
	grep -v '^\[ *[0-9.]*\] ' "$out/run.log"
	tally "guest $k" "$out/summary" $rc
done

echo
echo "check: results in $results"
printf 'check: %s\n' "${stages[@]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
