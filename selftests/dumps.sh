#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One subscriber's share of a large table (#8 item 15): a B4's bindings are
# found through the ports it holds, not by walking every binding, for
# `binding show b4`, `binding flush b4`, and the ends of subscribers (b4
# deny, pool del); static mappings have an index of their own, so their
# dump resumes where it stopped. Here: B4 A with 1,500 bindings, B4 B with
# 300 and 400 static mappings, dumps many messages long; each subscriber's
# dump holds exactly its bindings, the static dump exactly the mappings,
# a flush of A leaves B whole, and a pool's end takes B's mappings out of
# their index (the same outer port can be mapped again).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd python3

FLOWS=$TOP/selftests/flows.py
NA=1500 NB=300 NS=400
tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"

setup "the DS-Lite topology comes up" dslite_topology
setup "a silent UDP sink" srv_sink
setup "room for the flows" \
	aftr_run dev set aftr0 max-bindings 4096 max-new-rate 1000000 block-size 64 max-blocks 64
# count_of JSON-FILTER...: bindings in a dump.
count_of() {
	bindings_json "$@" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'
}

# The mappings first: they pin B4 B to $ext_b, and its flows then take
# other ports than theirs.
ext_b=198.51.100.5
for i in $(seq 0 $((NS - 1))); do
	echo "static add dev aftr0 b4 $B4B6 proto udp inner $LAN_HOST:$((5000 + i)) outer $ext_b:$((40000 + i))"
done >"$tmp/statics"
setup "$NS static mappings for B4 B" aftr_run -batch "$tmp/statics"
setup "B4 A makes $NA bindings, B4 B $NB" sh -c "
	ip netns exec '$B4A' '$FLOWS' udp $SINK $SINK_PORT 20000 $NA &&
	ip netns exec '$B4B' '$FLOWS' udp $SINK $SINK_PORT 20000 $NB"

# only_of B4 WANT: the dump of B4's bindings has WANT distinct bindings, all
# its own, and agrees with the B4's count.
only_of() {
	bindings_json b4 "$1" | python3 -c '
import json, sys
got = json.load(sys.stdin)
own = all(b["b4-addr"] == sys.argv[1] for b in got)
keys = {(b["proto"], b["outer-addr"], b["outer-port"]) for b in got}
print(len(got), "bindings,", len(keys), "distinct, all of", sys.argv[1], own)
sys.exit(not (own and len(keys) == len(got) == int(sys.argv[2])))' "$1" "$2"
}
check "binding show b4 A: its $NA bindings, across many messages" only_of "$B4A6" $NA
check "binding show b4 B: its $NB bindings and $NS mappings" only_of "$B4B6" $((NB + NS))
check "binding show b4 B proto udp: the same, filtered in the kernel" \
	test "$(count_of b4 "$B4B6" proto udp)" = $((NB + NS))
check "the whole dump: every binding once" \
	test "$(count_of)" = $((NA + NB + NS))

statics() {
	aftr_run -j static show dev aftr0 | python3 -c '
import json, sys
got = json.load(sys.stdin)
ports = sorted(m["outer-port"] for m in got)
print(len(got), "mappings")
sys.exit(ports != list(range(40000, 40000 + int(sys.argv[1]))))' "$1"
}
check "static show: the $NS mappings, each once, across messages" statics $NS

flush_a() {
	aftr_run binding flush dev aftr0 b4 "$B4A6" &&
	test "$(count_of b4 "$B4A6")" = 0 && only_of "$B4B6" $((NB + NS)) &&
	test "$(count_of)" = $((NB + NS))
}
check "binding flush b4 A: A's bindings gone, B whole" flush_a
flush_b() {
	aftr_run binding flush dev aftr0 b4 "$B4B6" && statics $NS &&
	test "$(count_of b4 "$B4B6")" = $NS
}
check "binding flush b4 B: its dynamic bindings gone, its mappings kept" flush_b

pool_end() {
	aftr_run pool del dev aftr0 "$POOL" && statics 0 && test "$(count_of)" = 0
}
check "pool del ends B4 B and its mappings" pool_end
again() {
	aftr_run pool add dev aftr0 "$POOL" &&
	aftr_run static add dev aftr0 b4 "$B4B6" proto udp inner "$LAN_HOST:5000" \
		outer "$ext_b:40000" && statics 1
}
check "the same outer port can be mapped again" again

finish
