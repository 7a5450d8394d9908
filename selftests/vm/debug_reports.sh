#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug runner's self-test (on the host: it boots guests), the debug
# kernel's side of host_vm_warn.sh. On that kernel a clean command must
# pass, and a module that reads freed memory, one that takes two locks in
# both orders and one that leaks must each fail the run, vm/run naming the
# report: KASAN, lockdep, kmemleak. make check-debug runs it, not make
# check: it needs the kernel scripts/debug-kernel.sh builds (or reuses).
. "$(dirname "$0")/../lib.sh"
require_root
require_cmd qemu-system-x86_64

kdir=$("$TOP/scripts/debug-kernel.sh") || skip_all "cannot build the debug kernel"
# KASAN under TCG: slow, and hungry for memory.
VM_OPTS=(-K "$kdir" -M 2048 -t 300)
tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"

# planted MODULE AID FIRST-LINE [ARGS...]: loading MODULE fails the run, and
# the runner names AID's report, whose first line matches the extended
# regex FIRST-LINE.
planted() {
	local module=$1 aid=$2 first=$3 rc
	shift 3
	vm "$module" -m "$tmp" "$@" -- modprobe "$module"
	rc=$?
	check "$aid: loading $module fails the run" test $rc = 1
	check "... and vm/run names the report" \
		grep -Eq "^vm/run: $aid report: .*($first)" "$tmp/$module.log"
	[ $rc = 1 ] || diag <"$tmp/$module.log"
}

vm clean -- true
rc=$?
check "a clean command passes on the debug kernel" test $rc = 0
[ $rc = 0 ] || diag <"$tmp/clean.log"

cp "$TOP"/selftests/vm/debug/Kbuild "$TOP"/selftests/vm/debug/*.c "$tmp/"
check "the planted-bug modules build" make -C "$kdir" M="$tmp" modules
# KFENCE samples an allocation now and then; it would catch this one first.
planted aftr_vmtest_uaf KASAN "BUG: KASAN: use-after-free" -a kfence.sample_interval=0
planted aftr_vmtest_lockdep lockdep "possible circular locking dependency"
# kmemleak's own line in dmesg comes first: "N new suspected memory leaks".
planted aftr_vmtest_leak kmemleak "suspected memory leak|unreferenced object"
# Its size tells our object from any other (the init code that made it is
# freed, so the backtrace cannot name it).
check "... and the kmemleak report is saved with the results" \
	grep -q "unreferenced object .*(size 96)" "$tmp/aftr_vmtest_leak/kmemleak.txt"
finish
