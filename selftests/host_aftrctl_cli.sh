#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# host_aftrctl_cli.sh: the words aftrctl takes, without a kernel. Where
# the module cannot load (this host), a command that aftrctl accepts
# reaches the kernel step and fails there with exit 2 and "module not
# loaded"; one it refuses fails with exit 1 and its reason. So each check
# tells which of the two happened. aftrctl_cli.sh runs the same commands
# against the module in the guest.
. "$(dirname "$0")/lib.sh"
require_aftrctl

if modprobe -q "$MODULE" 2>/dev/null; then
	skip_all "the module loads here: accepted commands would reach it"
fi
tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"

NOMOD='^Error: dslite_aftr module not loaded'

# accepted DESCRIPTION ARGS...: aftrctl takes ARGS and asks the kernel.
accepted() {
	local what=$1
	shift
	check "$what: aftrctl $*" cli 2 "$NOMOD" "$@"
}

# refused DESCRIPTION PATTERN ARGS...: aftrctl refuses ARGS (exit 1) with
# an Error line matching PATTERN.
refused() {
	local what=$1 pattern=$2
	shift 2
	check "$what: aftrctl $*" cli 1 "^Error: $pattern" "$@"
}

# offers WORDS... -- CANDIDATES...: bash completion of "aftrctl WORDS..."
# (the last word being completed) offers exactly CANDIDATES, in any order.
offers() {
	local words=() want got
	while [ "$1" != -- ]; do words+=("$1"); shift; done
	shift
	want=$(printf '%s\n' "$@" | sort | xargs)
	got=$(bash -c '_init_completion() {
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
		cur=${words[cword]} prev=${words[cword - 1]}
	}
	_filedir() { :; }
	ip() { :; }	# no instances to offer
	. "$1"
	shift
	COMP_WORDS=(aftrctl "$@") COMP_CWORD=$#
	_aftrctl
	printf "%s\n" "${COMPREPLY[@]}"' _ "$TOP/tools/aftrctl/aftrctl.bash-completion" "${words[@]}" |
		sort | xargs)
	[ "$got" = "$want" ] || { echo "offered: $got; wanted: $want"; return 1; }
}

# --- "delete" wherever "del" is -------------------------------------------
accepted "pool delete" pool delete dev aftr0 192.0.2.0/28
accepted "a prefix of delete" pool dele dev aftr0 192.0.2.0/28
accepted "de is still del" pool de dev aftr0 192.0.2.0/28
accepted "det delete" det delete dev aftr0 b4 2001:db8::/40
accepted "static delete" static delete dev aftr0 proto tcp outer 192.0.2.1:80
refused "b4 has deny, not delete" 'unknown b4 command "delete"' b4 delete dev aftr0 2001:db8::/32
check "completion offers delete" offers pool '' -- show add del delete help
check "completion after delete" offers pool delete '' -- dev
check "completion after a prefix of delete" offers static dele '' -- dev proto outer

finish
