#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Netlink fuzzing: fuzz/genl_fuzz sends random, damaged and abandoned
# requests of every command of the dslite_aftr family to two instances
# configured with endpoints, allowed prefixes, pools, a det rule and
# hundreds of static mappings (so that dumps come in several parts).
# Checks: every refused or read-only request left the state as it was
# (genl_fuzz compares the dumps), requests without CAP_NET_ADMIN are
# refused, the instances still answer, deleting the
# namespace frees every object of the module, and, through vm/run, no
# kernel report.
#
#	fuzz_netlink.sh [-s SEED] [-n MESSAGES]
#
# MESSAGES: default $FUZZ_MESSAGES, else 20000. The seed is printed first.
. "$(dirname "$0")/lib.sh"
require_aftr

seeded_options n messages "${FUZZ_MESSAGES:-20000}" "$@"

FUZZER=$TOP/selftests/build/fuzz/genl_fuzz
[ -x "$FUZZER" ] || skip_all "no $FUZZER (make selftests?)"
scratch=/tmp/fuzz-netlink-$$
at_exit "rm -f $scratch.*"

# The starting configuration, in genl_fuzz's universe of addresses: B4s
# in 2001:db8:100::/38, pools in 198.51.100.0/26. The B4s of the static
# mappings share a /64, each on an address of its own: subscribers of /128.
config() {
	local b4 j
	cat <<-EOF
	dev set aftr0 endpoint 2001:db8::1 endpoint 2001:db8::2 holddown 0 subscriber-len 128
	b4 allow dev aftr0 2001:db8:100::/40
	b4 allow dev aftr0 2001:db8:101::/48
	pool add dev aftr0 198.51.100.0/28
	pool add dev aftr0 198.51.100.16/28 ports 2048-4095
	det add dev aftr0 b4 2001:db8:102::/48 len 56 pool 198.51.100.32/28
	dev set aftr1 endpoint 2001:db8::3
	b4 allow dev aftr1 2001:db8:103::/48
	pool add dev aftr1 198.51.100.48/28
	EOF
	# 20 B4s with 15 static mappings each, in one port block of their own.
	for b4 in $(seq 1 20); do
		for j in $(seq 0 14); do
			echo "static add dev aftr0 b4 2001:db8:100::$b4 proto udp" \
			     "inner 192.168.1.2:$((2000 + j)) outer 198.51.100.$((b4 % 16)):$((1024 + 64 * b4 + j))"
		done
	done
	for j in $(seq 0 9); do
		echo "static add dev aftr1 b4 2001:db8:103::1 proto tcp" \
		     "inner 192.168.1.$((2 + j)):80 outer 198.51.100.48:$((1024 + j))"
	done
}

ns_new NS
check "two instances" ip -n "$NS" link add aftr0 type "$KIND"
ip -n "$NS" link add aftr1 type "$KIND"
config >"$scratch.batch"
check "their configuration, with 310 static mappings" \
	ip netns exec "$NS" "$AFTRCTL" -batch "$scratch.batch"
ip netns exec "$NS" "$AFTRCTL" dev show | diag

# Rounds of ROUND requests, each from the starting configuration again
# (what is missing of it), seeds SEED, SEED+1, ...: the requests that
# succeed wear the configuration away, and with it the multi-part dumps.
ROUND=5000
round=0
while [ $((round * ROUND)) -lt "$messages" ]; do
	n=$((messages - round * ROUND))
	[ $n -le $ROUND ] || n=$ROUND
	ip netns exec "$NS" "$AFTRCTL" -batch "$scratch.batch" -force >/dev/null 2>&1
	"$FUZZER" -N "$NS" -d aftr0 -d aftr1 -s $((seed + round)) -n $n >"$scratch.out" 2>&1
	check "round $round (genl_fuzz -s $((seed + round)) -n $n): no refused or read-only request changed the state" \
		test $? = 0
	diag <"$scratch.out"
	round=$((round + 1))
done

# Who may configure: CAP_NET_ADMIN in the initial user namespace. Root
# without CAP_NET_ADMIN and an ordinary user are refused, reading and
# writing, and what they asked changes nothing. (Root of a user namespace
# cannot be tried here: the guest's root is a chroot, where no user
# namespace can be made.)
unprivileged() {
	local how=$1
	shift
	case $how in
	root) ip netns exec "$NS" setpriv --bounding-set -net_admin "$AFTRCTL" "$@" ;;
	nobody) ip netns exec "$NS" setpriv --reuid 65534 --regid 65534 --clear-groups \
			"$AFTRCTL" "$@" ;;
	esac
}
# The configuration, not dev show: its live counts move as subscribers and
# bindings expire (the fuzzing leaves holddown and timeouts anywhere).
running_config() {
	ip netns exec "$NS" "$AFTRCTL" config dump
}
before=$(running_config)
for who in root nobody; do
	check "$who without CAP_NET_ADMIN: reading is refused" not unprivileged $who dev show
	check "$who without CAP_NET_ADMIN: writing is refused" \
		not unprivileged $who dev set aftr0 timeout udp 42 max-bindings 1
	check "$who without CAP_NET_ADMIN: pool del is refused" \
		not unprivileged $who pool del dev aftr0 198.51.100.0/28
done
unprivileged root dev show 2>&1 | diag
check "and changed nothing" sh -c 'test -n "$1" && test "$1" = "$2"' - "$before" "$(running_config)"

check "the instances still answer" ip netns exec "$NS" "$AFTRCTL" dev show
check "and can still be configured" \
	ip netns exec "$NS" "$AFTRCTL" dev set aftr0 timeout udp 100
ip netns exec "$NS" "$AFTRCTL" dev show | diag
ip netns del "$NS"
check "deleting their namespace frees every object of the module" \
	wait_until 60 module_slabs_empty
module_slabs | diag
finish
