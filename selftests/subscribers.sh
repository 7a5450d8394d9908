#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Subscribers are IPv6 prefixes (RFC 7785, CGN-9, CGN-1):
# (a) a B4 that changes its address inside its /64 keeps its bindings: the
#     same external address and port, and replies reach its new address;
# (b) one /64 sending from 17,000 random addresses is one subscriber and
#     gets at most one subscriber's share of the pool, while a subscriber in
#     another prefix keeps getting new bindings, and the ICMP errors the
#     refused packets provoke are one subscriber's (TUN-6): one error to
#     each new address would fill the neighbour table every namespace
#     shares, and B4 B's packets would no longer reach the AFTR;
# (c) inside a det rule, the subscriber is the rule's B4 prefix: a CPE
#     that changes its address inside it keeps its range and its bindings;
# (d) the caps: subscriber-len changes only while there is no subscriber,
#     and max-subscribers refuses the next one (counted, 3/13 answered);
# (e) replies come from the endpoint the B4 last used, or from one left
#     when that one is removed.
# The picture is in topology.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd python3 socat

ROTATE=$TOP/selftests/rotate.py
FLOWS=$TOP/selftests/flows.py

# b4_move NS OLD NEW: the B4 in NS changes its WAN address, and its
# softwire with it, as a CPE given a new address would.
b4_move() {
	ip -n "$1" -6 addr add "$3/64" dev access nodad &&
	ip -n "$1" -6 tunnel change dslite mode ipip6 local "$3" remote "$AFTR6" &&
	ip -n "$1" -6 addr del "$2/64" dev access
}

# b4_renumber NS NEW: the B4 in NS gets NEW, in another /64 of its access
# link (its old address stays, for the route to the AFTR), and uses it.
b4_renumber() {
	ip -n "$1" -6 addr replace "$2/64" dev access nodad &&
	ip -n "$AFTR" -6 route replace "$2/128" dev "acc-$3" &&
	ip -n "$1" -6 tunnel change dslite mode ipip6 local "$2" remote "$AFTR6"
}

# in_net PREFIX ADDR:PORT: the address is in PREFIX.
in_net() {
	python3 -c 'import ipaddress, sys
sys.exit(ipaddress.ip_address(sys.argv[2].split(":")[0]) not in ipaddress.ip_network(sys.argv[1]))' "$@"
}

no_subscribers() {
	test "$(subscribers_in ::/0)" = 0
}

b4_json() {
	aftr_run -j b4 show dev aftr0
}

# subscribers_in PREFIX: how many subscribers the instance has in PREFIX.
subscribers_in() {
	b4_json | python3 -c 'import ipaddress, json, sys
net = ipaddress.ip_network(sys.argv[1])
print(sum(ipaddress.ip_address(b["b4-addr"]) in net for b in json.load(sys.stdin)))' "$1"
}

blocks_used() {
	aftr_run -j pool show dev aftr0 | python3 -c 'import json, sys
print(sum(p["block-count"] for p in json.load(sys.stdin)))'
}

setup "the DS-Lite topology comes up" dslite_topology
setup "echo servers and a sink listen" srv_echo_servers
setup "a silent UDP sink" srv_sink

# --- (a) a B4 moves inside its /64 ---
before=$(udp_seen "$B4A" "$SRV_ADDR" 5555)
echo "# B4 A's flow seen as $before"
check "B4 A's flow is translated" test -n "$before"
setup "B4 A moves to another address of its /64" b4_move "$B4A" "$B4A6" 2001:db8:100::a:1
after=$(udp_seen "$B4A" "$SRV_ADDR" 5555)
echo "# after the move: $after"
check "its flow keeps its external address and port, and replies reach it" \
	test "$after" = "$before"
check "it is still one subscriber, now at its new address" \
	test "$(b4_json | python3 -c 'import json, sys
print(" ".join(b["b4-prefix"] + "," + b["b4-addr"] for b in json.load(sys.stdin)))')" = \
	"2001:db8:100::/64,2001:db8:100::a:1"
check "binding show names the new address" \
	test "$(bindings_json b4 2001:db8:100::a:1 | python3 -c 'import json, sys
print(len(json.load(sys.stdin)))')" = 1
setup "B4 A moves back" b4_move "$B4A" 2001:db8:100::a:1 "$B4A6"

# --- (b) rotation: 17,000 source addresses inside one /64 ---
aftr_run binding flush dev aftr0
errors=$(stat_of icmp-sent) started=$(date +%s)
check "B4 A sends 17,000 softwire packets from random addresses of its /64" \
	in_ns "$B4A" python3 "$ROTATE" "$AFTR6" 2001:db8:100:: 17000 "$LAN_HOST" "$SINK" $SINK_PORT
errors=$(($(stat_of icmp-sent) - errors)) took=$(($(date +%s) - started + 1))
echo "# ICMP errors for its refused packets: $errors in ${took}s"
check "the errors it provokes spend one subscriber's budget (TUN-6, 20/s, burst 20)" \
	test "$errors" -le $((20 + 20 * took))
rotated=$(subscribers_in 2001:db8:100::/64)
echo "# subscribers in 2001:db8:100::/64: $rotated; blocks in use: $(blocks_used)"
check "they make one subscriber" test "$rotated" = 1
check "which holds at most its share of blocks (max-blocks 16)" test "$(blocks_used)" -le 16
check "and at most max-bindings (1024) bindings" \
	test "$(bindings_json b4 "$B4A6" | python3 -c 'import json, sys
print(len(json.load(sys.stdin)))')" -le 1024
created=$(stat_of bindings-created)
check "B4 B, in another prefix, still opens 50 new flows" \
	in_ns "$B4B" python3 "$FLOWS" udp "$SINK" $SINK_PORT 30000 50
check "and each got its binding" wait_until 10 stat_above bindings-created $((created + 49))
check "B4 B's TCP and UDP reach the server" test -n "$(tcp_seen "$B4B" "$SRV_ADDR")"

# --- (c) a det rule: the rule's B4 prefix is the subscriber ---
aftr_run binding flush dev aftr0
setup "a det rule gives 2001:db8:101::/48 /56 prefixes" \
	aftr_run det add dev aftr0 b4 2001:db8:101::/48 len 56 pool 198.51.100.16/28
ip -n "$AFTR" route add 198.51.100.16/28 dev aftr0
before=$(udp_seen "$B4B" "$SRV_ADDR" 5556)
echo "# B4 B's flow seen as $before"
check "B4 B's flow gets an address of the rule" in_net 198.51.100.16/28 "$before"
setup "B4 B moves to another /64 of its /56" b4_renumber "$B4B" 2001:db8:101:1::b B4B
after=$(udp_seen "$B4B" "$SRV_ADDR" 5556)
echo "# after the move: $after"
check "its flow keeps its address and port from the range" test "$after" = "$before"
check "the det rule counts one subscriber" \
	test "$(aftr_run -j det show dev aftr0 | python3 -c 'import json, sys
print(json.load(sys.stdin)[0]["b4-count"])')" = 1
setup "B4 B moves back" b4_renumber "$B4B" "$B4B6" B4B

# --- (e) the endpoint replies come from follows the B4 (issue 8, item 11) ---
b4_endpoint() {
	b4_json | python3 -c 'import ipaddress, json, sys
for b in json.load(sys.stdin):
    if ipaddress.ip_address(b["b4-addr"]) in ipaddress.ip_network(sys.argv[1]):
        print(b["endpoint"])' "$1"
}
ip -n "$AFTR" -6 addr add 2001:db8::2/128 dev lo nodad
ip -n "$B4A" -6 route add 2001:db8::2 via 2001:db8:100::1
aftr_run dev set aftr0 endpoint "$AFTR6" endpoint 2001:db8::2
ip -n "$B4A" -6 tunnel change dslite mode ipip6 local "$B4A6" remote 2001:db8::2
check "B4 A, now using the second endpoint, is answered" test -n "$(udp_seen "$B4A" "$SRV_ADDR")"
check "from that endpoint" test "$(b4_endpoint 2001:db8:100::/64)" = 2001:db8::2
aftr_run dev set aftr0 endpoint "$AFTR6"
check "once that endpoint is removed, replies come from one that is left" \
	test "$(b4_endpoint 2001:db8:100::/64)" = "$AFTR6"
ip -n "$B4A" -6 tunnel change dslite mode ipip6 local "$B4A6" remote "$AFTR6"

# --- (d) the caps ---
check_fails "subscriber-len can't change while there are subscribers" \
	aftr_run dev set aftr0 subscriber-len 56
aftr_run det del dev aftr0 b4 2001:db8:101::/48
aftr_run binding flush dev aftr0
aftr_run dev set aftr0 holddown 0
check "once the subscribers are gone" wait_until 30 no_subscribers
check "subscriber-len can change" aftr_run dev set aftr0 subscriber-len 56 max-subscribers 1
check "dev show reports it" sh -c "'$AFTRCTL' -n '$AFTR' dev show aftr0 | grep -q 'subscriber-len 56 max-subscribers 1 '"
check "B4 A's flow is translated, as the one subscriber allowed" \
	test -n "$(udp_seen "$B4A" "$SRV_ADDR")"
refused=$(stat_of drop-subscribers)
check_fails "B4 B, a second subscriber, is refused" test -n "$(udp_seen "$B4B" "$SRV_ADDR")"
check "the refusal is counted as drop-subscribers" stat_above drop-subscribers "$refused"
finish
