#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# aftrctl refuses what it cannot do with one clear line on stderr and a
# non-zero exit: the module missing (and autoloading off), an unknown object
# or command.
. "$(dirname "$0")/lib.sh"
require_root
require_aftrctl

module_loaded && ! module_unload && skip_all "cannot unload $MODULE"

# With the kernel's modprobe helper off, the family stays missing.
helper=$(cat /proc/sys/kernel/modprobe)
at_exit "echo '$helper' >/proc/sys/kernel/modprobe"
echo >/proc/sys/kernel/modprobe

err=$("$AFTRCTL" dev show 2>&1 >/dev/null)
rc=$?
echo "$err" | diag
check "without the module: non-zero exit" test $rc != 0
check "without the module: exactly one line" test "$(echo "$err" | wc -l)" = 1
check "without the module: it says to modprobe dslite_aftr" grep -q "modprobe $MODULE" <<<"$err"
echo "$helper" >/proc/sys/kernel/modprobe

# refused ARGS...: fails, prints nothing on stdout and an error on stderr.
refused() {
	local out err
	err=$("$AFTRCTL" "$@" 2>&1 >/dev/null)
	out=$("$AFTRCTL" "$@" 2>/dev/null) && return 1
	echo "$err"
	[ -z "$out" ] && [ -n "$err" ]
}
check "an unknown object is refused" refused frobnicate
check "an unknown dev command is refused" refused dev frobnicate
check "an unknown option is refused" refused --frobnicate dev show
finish
