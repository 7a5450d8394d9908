#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest runner's self-test (runs on the host: it boots guests). It must
# pass a command's exit status through, end a command that hangs and say
# where it was, and fail a run whose kernel log shows a WARNING even though
# the command itself succeeded: here, loading a module that WARNs at load.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd qemu-system-x86_64

kdir=$(ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | sort -V | tail -n 1)
[ -n "$kdir" ] || skip_all "no 6.1 kernel headers"
kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h")
VM_OPTS=(-k "$kver")
tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"

check "a passing command passes" vm pass -t 60 -- true

vm status -t 60 -- sh -c 'exit 3'
check "a failing command's exit status comes back" test $? = 3

vm hang -t 5 -- sleep 600
check "a command past its time limit ends the run with 124" test $? = 124
check "... and the run says what was still running" grep -q "sleep 600" "$tmp/hang.log"

cp "$TOP"/selftests/vm/warn/Kbuild "$TOP"/selftests/vm/warn/*.c "$tmp/"
check "the WARN module builds" make -C "$kdir" M="$tmp" modules
vm warn -t 60 -m "$tmp" -- modprobe aftr_vmtest_warn
rc=$?
check "a WARNING in the kernel log fails a run whose command passed" test $rc = 1
check "... and the run says why" grep -q "kernel log shows problems" "$tmp/warn.log"
check "... and the guest's dmesg is saved with the results" \
	grep -q "aftr_vmtest_warn: deliberate warning" "$tmp/warn/dmesg.txt"
[ $rc = 1 ] || diag <"$tmp/warn.log"
finish
