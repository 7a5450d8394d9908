#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Thousands of bindings go away cleanly, however they go:
# (a) flushed: the table is empty and the module's slab caches hold no
#     object once RCU has settled;
# (b) with the AFTR's namespace deleted while traffic flows: the namespace
#     is freed and nothing is left in the caches;
# (c) with the module unloaded while two namespaces hold instances full of
#     bindings and traffic flows: the unload succeeds and the caches go.
# The runner fails the run on any kernel WARNING or BUG meanwhile. The
# picture is in topology.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd python3

FLOWS=$TOP/selftests/flows.py
FLOWS_PER_B4=${FLOWS_PER_B4:-2000}

# topology_full: a DS-Lite topology whose B4s may open thousands of
# bindings, with a sink that takes their datagrams; holddown 0 lets B4s
# retire as soon as their ports are free.
topology_full() {
	dslite_topology &&
	aftr_run dev set aftr0 max-bindings 100000 max-new-rate 1000000 block-size 1024 \
		max-blocks 16 holddown 0 || return
	srv_sink
}

binding_count() {
	aftr_run -j dev show aftr0 | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["binding-count"])'
}

# fill: both B4s open FLOWS_PER_B4 UDP flows each, at the same time; a
# second pass makes up for datagrams lost on the way.
fill() {
	local b4 pids
	for _ in 1 2; do
		pids=()
		for b4 in "$B4A" "$B4B"; do
			in_ns "$b4" python3 "$FLOWS" udp "$SINK" $SINK_PORT 20000 "$FLOWS_PER_B4" &
			pids+=($!)
		done
		wait "${pids[@]}" || return
	done
	local n
	n=$(binding_count)
	echo "# $n bindings"
	[ "$n" -ge $((FLOWS_PER_B4 * 3 / 2)) ]
}

# traffic: a sender looping over 500 new source ports in each B4, killed
# at exit. Started with ip itself, not in_ns: $! must be the sender (ip
# execs it), not a subshell whose death would leave it running.
traffic() {
	local b4
	for b4 in "$B4A" "$B4B"; do
		ip netns exec "$b4" python3 "$FLOWS" udp "$SINK" $SINK_PORT 30000 500 --loop \
			>/dev/null 2>&1 &
		at_exit "kill $!"
		senders+=($!)
	done
}
senders=()

stop_traffic() {
	kill "${senders[@]}" 2>/dev/null
	wait "${senders[@]}" 2>/dev/null
	senders=()
}

stat_grew() {
	[ "$(stat_of "$1")" -gt "$2" ]
}

slabs_say() {
	module_slabs | diag
}

# --- (a) flush ---
setup "the DS-Lite topology, with room for thousands of bindings" topology_full
check "two B4s open $((FLOWS_PER_B4 * 2)) UDP flows" fill
slabs_say
check "the binding cache holds them" \
	test "$(slab_objects dslite_aftr_binding)" -ge $((FLOWS_PER_B4 * 3 / 2))
check "binding flush" aftr_run binding flush dev aftr0
check "leaves no binding" test "$(binding_count)" = 0
check "and, once RCU settles, no object in the module's caches" wait_until 30 module_slabs_empty
slabs_say

# --- (b) the namespace deleted under traffic ---
check "the B4s fill the table again" fill
traffic
check "traffic flows" wait_until 20 stat_grew from-b4-packets "$(stat_of from-b4-packets)"
netns_fewer() {
	[ "$(slab_objects net_namespace)" -lt "$1" ]
}
netns_before=$(slab_objects net_namespace)
ip netns del "$AFTR"
check "deleting the AFTR's namespace under traffic frees it" \
	wait_until 60 netns_fewer "$netns_before"
check "and every binding and B4 with it" wait_until 30 module_slabs_empty
stop_traffic

# --- (c) the module unloaded under traffic, two namespaces full ---
setup "a first full topology" topology_full
check "its B4s open $((FLOWS_PER_B4 * 2)) flows" fill
traffic
first=$AFTR
setup "a second full topology" topology_full
check "its B4s open $((FLOWS_PER_B4 * 2)) flows" fill
traffic
slabs_say
check "modprobe -r under traffic" module_unload
check "the first namespace has no instance left" test -z "$(aftr_devs "$first")"
check "nor has the second" test -z "$(aftr_devs "$AFTR")"
check "the module's caches are gone" \
	test -z "$(ls -d /sys/kernel/slab/dslite_aftr_* 2>/dev/null)"
stop_traffic
finish
