#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Instances belong to their network namespace: the same name can live in
# two namespaces, aftrctl in one sees only its own, and deleting a namespace
# deletes its instances (the namespace is freed, no reference leaks). Only
# CAP_NET_ADMIN in the initial user namespace makes one.
#
#   namespace A: aftr0           namespace B: aftr0, aftr1
. "$(dirname "$0")/lib.sh"
require_aftr
require_cmd python3

# The first namespace of a boot stays allocated after deletion (seen on 6.1
# without our module): spend it here, so the count below tells about A.
ns_new warmup
ip netns del "$warmup"

ns_new A
ns_new B
check "an instance in A" ip -n "$A" link add aftr0 type "$KIND"
check "the same name in B" ip -n "$B" link add aftr0 type "$KIND"
check "a second instance in B" ip -n "$B" link add aftr1 type "$KIND"
check "none leaks into the initial namespace" test -z "$(aftr_devs)"

# aftrctl dev show: one paragraph per instance, its first line starting
# with the name.
shows() {
	local ns=$1 out
	shift
	out=$(ip netns exec "$ns" "$AFTRCTL" dev show) || return
	echo "$out"
	[ "$(echo "$out" | grep -c '^[^[:space:]]')" = $# ] || return
	for dev; do
		echo "$out" | grep -q "^$dev\b" || return
	done
}
check "aftrctl dev show in A lists aftr0 only" shows "$A" aftr0
check "aftrctl dev show in B lists aftr0 and aftr1" shows "$B" aftr0 aftr1

# aftrctl -j dev show: a JSON array naming the same (ifname, ifindex) pairs
# as ip does.
json_matches_ip() {
	local ns=$1
	ip netns exec "$ns" "$AFTRCTL" -j dev show | python3 -c '
import json, subprocess, sys
ours = {(d["ifname"], d["ifindex"]) for d in json.load(sys.stdin)}
ip = json.loads(subprocess.check_output(
    ["ip", "-n", sys.argv[1], "-j", "link", "show", "type", "dslite"]))
theirs = {(d["ifname"], d["ifindex"]) for d in ip}
print("aftrctl:", sorted(ours), "ip:", sorted(theirs))
sys.exit(ours != theirs)' "$ns"
}
check "aftrctl -j dev show in A matches ip" json_matches_ip "$A"
check "aftrctl -j dev show in B matches ip" json_matches_ip "$B"

# The namespace is freed only once its devices are unregistered: a
# reference our instance kept would hold it (and hang its cleanup).
netns_fewer() {
	[ "$(slab_objects net_namespace)" -lt "$1" ]
}
netns_before=$(slab_objects net_namespace)
ip netns del "$A"
check "deleting A frees the namespace with its instance" \
	wait_until 60 netns_fewer "$netns_before"
check "B keeps its two instances" shows "$B" aftr0 aftr1
check "deleting B's instances by hand" ip -n "$B" link del aftr1
check "aftrctl in B follows" shows "$B" aftr0

# Who may make an instance (issue 8, item 9): CAP_NET_ADMIN over a user and
# network namespace of one's own is not enough, or anyone could.
# Where no user namespace can be made (a chroot, or a kernel that forbids
# them), the check cannot be made, and a refusal of unshare itself must not
# pass for ours. The test guest can (vm/init).
if unshare --user --map-root-user --net true 2>/dev/null; then
	check_fails "a user namespace of its own can't add a dslite device" \
		unshare --user --map-root-user --net ip link add aftr9 type "$KIND"
else
	skip "a user namespace of its own can't add a dslite device" \
		"no user namespace can be made here"
fi
check "root of the initial user namespace can" ip -n "$B" link add aftr9 type "$KIND"
finish
