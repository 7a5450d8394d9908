#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Concurrency stress (issue 8): B4s open new flows without pause while every
# control operation that ends or changes state runs at the same time, for
# STRESS_SECS: binding flush, b4 deny/allow, pool del/add, det rule del/add,
# static mapping add/del, and a second instance added and deleted. After it,
# the books must agree (binding count = dump lines = sum over B4s), a flush
# must leave nothing, and an unload straight after the last flush must find
# every object freed (on 6.1 kfree_rcu() batches outlive rcu_barrier()).
# The runner fails the run on any kernel report meanwhile.
#
#   B4 A, B4 B: 2001:db8:100::/40 (allowed for good), dynamic pool
#   B4 C:       2001:db8:102::/48, a det rule that comes and goes
#   B4 D:       2001:db8:300::/48, allowed and denied in turn
# The rest of the picture is in topology.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd python3 socat

FLOWS=$TOP/selftests/flows.py
STRESS_SECS=${STRESS_SECS:-45}
POOL2=198.51.100.64/28
DETPOOL=198.51.100.128/28
B4C6=2001:db8:102::c
B4D6=2001:db8:300::d

topology_stress() {
	dslite_topology &&
	b4_add B4C "$B4C6" 2001:db8:102 &&
	b4_add B4D "$B4D6" 2001:db8:300 &&
	ip -n "$AFTR" route add "$POOL2" dev aftr0 &&
	ip -n "$AFTR" route add "$DETPOOL" dev aftr0 &&
	aftr_run dev set aftr0 max-bindings 100000 max-new-rate 1000000 \
		block-size 256 max-blocks 64 holddown 0 &&
	aftr_run b4 allow dev aftr0 2001:db8:300::/48 || return
	srv_sink
}

pids=()
# bg COMMAND...: runs COMMAND in the background until stop_all.
bg() {
	"$@" >/dev/null 2>&1 &
	pids+=($!)
	at_exit "kill $!"
}

stop_all() {
	kill "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
	pids=()
}

# until_deadline COMMAND...: repeats COMMAND (failures are expected: a
# pool may be gone when a static mapping wants it) until the deadline.
deadline=0
until_deadline() {
	while [ $SECONDS -lt $deadline ]; do
		"$@" >/dev/null 2>&1
	done
}

flusher() { aftr_run binding flush dev aftr0; }
denier() {
	aftr_run b4 deny dev aftr0 2001:db8:300::/48
	aftr_run b4 allow dev aftr0 2001:db8:300::/48
}
pooler() {
	aftr_run pool add dev aftr0 "$POOL2"
	aftr_run pool del dev aftr0 "$POOL2"
}
detter() {
	aftr_run det add dev aftr0 b4 2001:db8:102::/48 len 64 pool "$DETPOOL"
	aftr_run det del dev aftr0 b4 2001:db8:102::/48
}
staticer() {
	aftr_run static add dev aftr0 b4 "$B4A6" proto udp inner "$LAN_HOST:7777" \
		outer 198.51.100.1:40000
	aftr_run static del dev aftr0 proto udp outer 198.51.100.1:40000
}
instancer() {
	ip -n "$AFTR" link add aftr1 type "$KIND" &&
	aftr_run dev set aftr1 endpoint 2001:db8::2 &&
	aftr_run b4 allow dev aftr1 2001:db8:900::/40 &&
	aftr_run pool add dev aftr1 192.0.2.0/28
	ip -n "$AFTR" link del aftr1
}

# Every B4 opens new flows from a rotating source port, two senders each.
senders() {
	local b4
	for b4 in "$B4A" "$B4B" "$B4C" "$B4D"; do
		bg ip netns exec "$b4" python3 "$FLOWS" udp "$SINK" $SINK_PORT 20000 3000 --loop
		bg ip netns exec "$b4" python3 "$FLOWS" udp "$SINK" $SINK_PORT 40000 3000 --loop
	done
}

json_field() {
	python3 -c 'import json, sys
rows = json.load(sys.stdin)
print(sum(int(r.get(sys.argv[1], 1)) for r in rows))' "$1"
}

dev_bindings() { aftr_run -j dev show aftr0 | json_field binding-count; }
dump_lines() { aftr_run -j binding show dev aftr0 | json_field _one; }
b4_sum() { aftr_run -j b4 show dev aftr0 | json_field binding-count; }

# The three views of the table agree.
books_agree() {
	local d l s
	d=$(dev_bindings) l=$(dump_lines) s=$(b4_sum)
	echo "device $d, dump $l, sum over B4s $s"
	[ "$d" = "$l" ] && [ "$l" = "$s" ]
}

setup "the DS-Lite topology with four B4s and room for many bindings" topology_stress
senders
check "traffic flows" wait_until 120 stat_above bindings-created 1000
deadline=$((SECONDS + STRESS_SECS))
for op in flusher denier pooler detter staticer instancer; do
	bg until_deadline "$op"
done
echo "# stressing for ${STRESS_SECS}s"
while [ $SECONDS -lt $deadline ]; do
	sleep 1
done
stop_all
aftr_run stats dev aftr0 | grep -E 'created|drop' | diag

check "the device's binding count, the dump and the sum over B4s agree" books_agree
check "binding flush" aftr_run binding flush dev aftr0
check "leaves no binding" test "$(dev_bindings)" = 0
check "and no B4 counts a binding" test "$(b4_sum)" = 0
check "the module unloads straight after the last flush" module_unload
check "its caches went with it, none left behind" \
	test -z "$(ls -d /sys/kernel/slab/dslite_aftr_* 2>/dev/null)"
finish
