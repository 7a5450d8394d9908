#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module beside the kernel's own tunnel modules. tunnel6 keeps one list
# of IPv4-in-IPv6 handlers, ordered by priority and refusing a priority
# twice: ip6_vti holds 0, ip6_tunnel 1, xfrm_interface 2, xfrm6_tunnel 3
# (sit sits on tunnel4's lists, and is here for good measure). In both load
# orders every module loads, the AFTR carries softwire traffic (6333-1), an
# ip6tnl beside it still works, and unloading the in-tree modules while the
# AFTR runs, or the AFTR while they run, is harmless: vm/run fails the run
# on any kernel BUG or WARNING. Picture in topology.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd ping modprobe rmmod

# In unload order: ip6_vti uses ip6_tunnel's and xfrm6_tunnel's symbols,
# xfrm_interface xfrm6_tunnel's; they load in the reverse order.
OTHERS="ip6_vti xfrm_interface xfrm6_tunnel sit ip6_tunnel"
# What the topology leaves loaded: its B4s are ip6tnl devices.
IN_USE=ip6_tunnel

loaded() {
	[ -d "/sys/module/$1" ]
}

# modprobe says 0 when init_module() fails with EEXIST, as tunnel6 fails a
# handler whose priority is taken: only the module's presence tells.
load() {
	modprobe "$1" && loaded "$1"
}

# A clean start: neither ours nor theirs loaded.
unload_all() {
	local m
	! module_loaded || module_unload || return
	for m in $OTHERS; do
		! loaded "$m" || modprobe -r "$m" || return
	done
}

load_others() {
	local mods=($OTHERS) i
	for ((i = ${#mods[@]} - 1; i >= 0; i--)); do
		check "$1: ${mods[i]} loads" load "${mods[i]}"
	done
}

# unload_others ORDER [SPARE]: unloads the in-tree modules but SPARE. With
# rmmod, not modprobe -r, which would take ip6_tunnel along as an unused
# dependency: its devices hold no reference on it.
unload_others() {
	local m
	for m in $OTHERS; do
		[ "$m" = "${2-}" ] && continue
		check "$1: $m unloads" rmmod "$m"
	done
}

# The topology comes up and carries traffic both ways through the AFTR,
# with an ip6tnl working beside it.
traffic() {
	setup "$1: the DS-Lite topology comes up" dslite_topology
	check "$1: B4 A reaches the server through the AFTR (6333-1)" \
		wait_until 30 b4_pings "$B4A"
	check "$1: an ip6tnl to another local address works beside it" plain_tunnel
}

order="in-tree modules first"
setup "$order: a clean start" unload_all
load_others "$order"
check "$order: $MODULE loads after them" load "$MODULE"
traffic "$order"
check "$order: $MODULE unloads beside them" module_unload
check "$order: the ip6tnl still works without $MODULE" plain_pings
ns_del_all
unload_others "$order"

order="$MODULE first"
setup "$order: a clean start" unload_all
check "$order: $MODULE loads" load "$MODULE"
load_others "$order"
traffic "$order"
unload_others "$order" "$IN_USE"
check "$order: the AFTR still works with them gone (6333-1)" b4_pings "$B4A"
check "$order: and the ip6tnl too" plain_pings
ns_del_all
check "$order: $IN_USE unloads once the topology is gone" \
	wait_until 30 rmmod "$IN_USE"
check "$order: $MODULE unloads last" module_unload
finish
