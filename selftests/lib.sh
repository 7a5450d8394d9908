# SPDX-License-Identifier: GPL-2.0
#
# lib.sh: what every test script shares. Source it first:
#
#	. "$(dirname "$0")/lib.sh"
#
# A test prints TAP and exits with the kselftest codes: 0 pass, 1 fail,
# 4 skip (only for what does not apply here; a missing tool fails). It
# checks with `check DESCRIPTION COMMAND...`, makes namespaces with
# `ns_new`, which the EXIT trap deletes, and waits with `wait_until`, which
# polls a condition against a deadline instead of sleeping.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AFTRCTL=${AFTRCTL:-$TOP/tools/aftrctl/aftrctl}
MODULE=dslite_aftr
KIND=dslite

tap_n=0
tap_failed=0
tap_passed=0
tap_skipped=0
tap_failures=()
namespaces=()
cleanups=()

echo "TAP version 13"

# Indent a command's output as TAP diagnostics.
diag() {
	sed 's/^/# /'
}

ok() {
	tap_n=$((tap_n + 1)) tap_passed=$((tap_passed + 1))
	echo "ok $tap_n $*"
}

not_ok() {
	tap_n=$((tap_n + 1)) tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n $*"
	tap_failures+=("$tap_n $*")
}

skip() {
	local what=$1
	shift
	tap_n=$((tap_n + 1)) tap_skipped=$((tap_skipped + 1))
	echo "ok $tap_n $what # SKIP $*"
}

# check DESCRIPTION COMMAND...: one test point that passes when COMMAND
# succeeds; its output is shown only when it fails.
check() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$what"
	else
		not_ok "$what"
		echo "# failed: $*"
		[ -z "$out" ] || echo "$out" | diag
	fi
}

# check_fails DESCRIPTION COMMAND...: passes when COMMAND fails.
check_fails() {
	local what=$1
	shift
	check "$what" not "$@"
}

not() {
	! "$@"
}

# Ends the test: prints the plan and exits with the kselftest code.
finish() {
	echo "1..$tap_n"
	echo "# $tap_passed passed, $tap_failed failed, $tap_skipped skipped"
	# Again at the end, where a log's reader (and CI's excerpt) looks.
	[ $tap_failed = 0 ] || printf '# not ok %s\n' "${tap_failures[@]}"
	[ $tap_failed = 0 ] || exit $KSFT_FAIL
	[ $tap_passed != 0 ] || [ $tap_skipped = 0 ] || exit $KSFT_SKIP
	exit $KSFT_PASS
}

# Skips the whole test, for what truly does not apply here.
skip_all() {
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

# Fails the whole test, for something it needs that is missing. make check
# installs the suite's tools and builds the rest: a test that skipped for
# want of them would show nothing, and the run would still end green.
fail_all() {
	not_ok "$*"
	finish
}

require_root() {
	[ "$(id -u)" = 0 ] || skip_all "needs root"
}

require_cmd() {
	local c
	for c; do
		command -v "$c" >/dev/null ||
			fail_all "needs $c (scripts/deps.sh check installs the suite's tools)"
	done
}

# The module must be installable (in the guest, vm/run adds it).
require_module() {
	modinfo "$MODULE" >/dev/null 2>&1 || fail_all "module $MODULE not found (make?)"
}

require_aftrctl() {
	[ -x "$AFTRCTL" ] || fail_all "no $AFTRCTL (make?)"
}

# What every test of an instance needs: root, the module, aftrctl.
require_aftr() {
	require_root
	require_module
	require_aftrctl
}

# wait_until SECONDS COMMAND...: polls COMMAND until it succeeds; fails
# when the deadline passes first.
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}

# ns_new VAR: creates a namespace with a name unique to this run (lo up),
# stores its name in VAR, and has the EXIT trap delete it.
ns_new() {
	local name
	name=aftr-$1-$$-$RANDOM
	ip netns add "$name" || return
	namespaces+=("$name")
	ip -n "$name" link set lo up
	printf -v "$1" %s "$name"
}

# at_exit COMMAND: runs COMMAND (a string) at exit, before namespaces go.
at_exit() {
	cleanups+=("$1")
}

# ns_del_all: deletes the namespaces made so far, for a test that builds
# its topology more than once.
ns_del_all() {
	local ns
	for ns in "${namespaces[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	namespaces=()
}

cleanup() {
	local c
	for c in "${cleanups[@]}"; do
		eval "$c" >/dev/null 2>&1
	done
	ns_del_all
}
trap cleanup EXIT

# For the runner's own self-tests, which boot guests from the host: vm
# RESULTS ARGS... is one run of vm/run with the options in VM_OPTS (which
# kernel) and ARGS, results in $tmp/RESULTS and its output in
# $tmp/RESULTS.log.
VM_OPTS=()
vm() {
	local out=$tmp/$1
	shift
	"$TOP/selftests/vm/run" "${VM_OPTS[@]}" -o "$out" "$@" >"$out.log" 2>&1
}

# cli RC PATTERN ARGS...: aftrctl ARGS exits with RC, and its stderr is
# empty (PATTERN "") or one line matching the extended regex PATTERN. Its
# output is left in $tmp/out, its errors in $tmp/err.
cli() {
	local rc=$1 pattern=$2 got err
	shift 2
	"$AFTRCTL" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	mapfile -t err <"$tmp/err"	# builtins only: forks are slow in the guest
	if [ "$got" != "$rc" ]; then
		echo "exit $got, wanted $rc; stderr: ${err[*]}"
		return 1
	fi
	if [ -z "$pattern" ]; then
		[ ${#err[@]} = 0 ] || { echo "unexpected stderr: ${err[*]}"; return 1; }
	elif [ ${#err[@]} != 1 ] || ! [[ ${err[0]} =~ $pattern ]]; then
		echo "stderr does not match /$pattern/: ${err[*]}"
		return 1
	fi
}

# bad DESCRIPTION ARGS...: aftrctl ARGS is refused as bad input, exit 1
# with one Error line.
bad() {
	local what=$1
	shift
	check "$what: aftrctl $*" cli 1 '^Error: ' "$@"
}

# quiet_failure RC ARGS...: aftrctl ARGS fails with RC, an error on stderr
# and not a byte on stdout.
quiet_failure() {
	local rc=$1
	shift
	cli "$rc" '^Error: ' "$@" || return
	[ ! -s "$tmp/out" ] || { echo "stdout: $(<"$tmp/out")"; return 1; }
}

# Module helpers.
module_loaded() {
	[ -d "/sys/module/$MODULE" ]
}

module_unload() {
	modprobe -r "$MODULE" && wait_until 10 not module_loaded
}

# Objects in use in slab cache $1. Shrinking first flushes the per-CPU
# slabs, without which freed objects still count as in use.
slab_objects() {
	local c=/sys/kernel/slab/$1
	echo 1 >"$c/shrink" 2>/dev/null
	cut -d' ' -f1 "$c/objects"
}

# The module's slab caches (their names start with its prefixes) with the
# objects in use in each, one "cache objects" line per cache.
module_slabs() {
	local c
	for c in /sys/kernel/slab/aftr_* /sys/kernel/slab/dslite*; do
		[ -e "$c/objects" ] || continue
		echo "${c##*/} $(slab_objects "${c##*/}")"
	done
}

# Succeeds when every cache of the module holds no object.
module_slabs_empty() {
	! module_slabs | awk '$2 != 0 { found = 1 } END { exit !found }'
}

# Instances in the namespace NS (or the current one with NS empty), by name.
aftr_devs() {
	ip ${1:+-n "$1"} -o link show type "$KIND" | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'
}

# seeded_options LETTER VAR DEFAULT ARGS...: the options of the fuzzers and
# the soak: "-s SEED" (default: drawn from the clock) into $seed, and
# "-LETTER VALUE" (default DEFAULT) into VAR. Prints the seed, and how to
# run the same again, first.
seeded_options() {
	local letter=$1 var=$2 opt OPTIND=1
	printf -v "$var" %s "$3"
	shift 3
	seed=$(( $(date +%s) % 100000 ))
	while getopts "s:$letter:" opt; do
		case $opt in
		s) seed=$OPTARG ;;
		"$letter") printf -v "$var" %s "$OPTARG" ;;
		*) echo "usage: $0 [-s SEED] [-$letter ${var^^}]" >&2; exit $KSFT_FAIL ;;
		esac
	done
	echo "# seed $seed, $var ${!var}: rerun with $0 -s $seed -$letter ${!var}"
}
