#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh: the suite driver. Runs test programs one by one, each under a
# time limit, nests their TAP in ours (kselftest runner style), and ends
# with the line "N passed, N failed, N skipped". Exits 1 when any failed.
#
#	run.sh [-s SUMMARY] [-t SECONDS] [--host] [-x NAME]... [TEST...]
#
# Without TEST, runs the guest suite: the selftests/*.sh scenarios and the
# C tests built into selftests/build/, less those -x names (another guest
# may run them). --host runs the host_*.sh tests
# instead (they need this machine, not the guest). -s also writes the
# counts "passed failed skipped" to SUMMARY, for make check to add up.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
summary= limit=${AFTR_TEST_TIMEOUT:-600} host= except=" "
while [ $# -gt 0 ]; do
	case $1 in
	-s) summary=$2; shift 2 ;;
	-t) limit=$2; shift 2 ;;
	-x) except+="$2 "; shift 2 ;;
	--host) host=1; shift ;;
	*) break ;;
	esac
done

tests=("$@")
if [ ${#tests[@]} = 0 ]; then
	for t in "$dir"/*.sh "$dir"/build/*; do
		case ${t##*/} in
		lib.sh | run.sh) continue ;;
		host_*) [ -n "$host" ] || continue ;;
		*) [ -z "$host" ] || continue ;;
		esac
		[[ $except != *" ${t#"$dir"/} "* ]] || continue
		[ -f "$t" ] && [ -x "$t" ] && tests+=("$t")
	done
fi

passed=0 failed=0 skipped=0 n=0
echo "TAP version 13"
echo "1..${#tests[@]}"
for t in "${tests[@]}"; do
	n=$((n + 1))
	name=${t#"$dir"/}
	echo "# selftests: $name"
	start=$SECONDS
	timeout -k 10 "$limit" "$t" </dev/null 2>&1 | sed -u 's/^/# /'
	rc=${PIPESTATUS[0]}
	took="($((SECONDS - start))s)"
	case $rc in
	0) passed=$((passed + 1)); echo "ok $n selftests: $name $took" ;;
	4) skipped=$((skipped + 1)); echo "ok $n selftests: $name # SKIP $took" ;;
	124) failed=$((failed + 1)); echo "not ok $n selftests: $name # TIMEOUT ${limit}s" ;;
	*) failed=$((failed + 1)); echo "not ok $n selftests: $name # exit=$rc $took" ;;
	esac
done

[ -z "$summary" ] || echo "$passed $failed $skipped" >"$summary"
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
