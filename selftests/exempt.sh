#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Destinations exempt from translation (CGN-8). The ISP's own service host
# sits on the AFTR's inside, at 10.64.0.53 and .54, in the exempt prefix
# 10.64.0.0/16; the AFTR routes the private LAN range back into aftr0:
#
#   B4 A, B4 B (topology.sh)         AFTR                      ISP (ns $ISP)
#   lan 192.168.1.2 both    -ipip6-> aftr0 <- 192.168.0.0/16   10.64.0.53, .54
#                                    svc 10.64.0.1/24 -------- svc
#                                    exempt 10.64.0.0/16
#
# The service host sees the subscriber's inner address, not a pool one, for
# UDP, TCP and ping; two B4s with the same private address and port reach
# it at once and each gets its own replies; a second home on the very same
# 5-tuple is refused and counted; the subscriber's limits apply; other
# destinations are still translated; exempt del and flush end the
# exemption and its flows; bad requests are refused with a reason, and the
# configuration file carries the exemptions.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd socat python3 ping tcpdump
tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"

EXEMPT=10.64.0.0/16
SVC1=10.64.0.53
SVC2=10.64.0.54

# isp_host: the service host behind the AFTR's svc link, with the UDP and
# TCP echo servers of topology.sh on both its addresses.
isp_host() {
	local a
	ns_new ISP &&
	veth_link "$AFTR" svc "$ISP" svc &&
	ip -n "$AFTR" addr add 10.64.0.1/24 dev svc &&
	ip -n "$ISP" addr add "$SVC1/24" dev svc &&
	ip -n "$ISP" addr add "$SVC2/24" dev svc &&
	ip -n "$ISP" route add default via 10.64.0.1 &&
	ip -n "$AFTR" route add 192.168.0.0/16 dev aftr0 || return
	for a in $SVC1 $SVC2; do
		ip netns exec "$ISP" socat -t 10 "TCP-LISTEN:8080,bind=$a,fork,reuseaddr" \
			SYSTEM:'echo $SOCAT_PEERADDR $SOCAT_PEERPORT' >/dev/null 2>&1 &
		at_exit "kill $!"
	done
	ip netns exec "$ISP" "$TOP/selftests/udp_echo.py" 9000 $SVC1 $SVC2 >/dev/null 2>&1 &
	at_exit "kill $!"
	wait_until 60 in_ns "$ISP" sh -c 'ss -ltn | grep -q :8080' &&
	wait_until 60 in_ns "$ISP" sh -c 'ss -lun | grep -q :9000'
}

setup "the DS-Lite topology comes up" dslite_topology
setup "echo servers listen" srv_echo_servers
setup "the ISP's service host is up" isp_host
setup "exempt add dev aftr0 $EXEMPT" aftr_run exempt add dev aftr0 "$EXEMPT"

in_pool() {
	python3 -c 'import ipaddress, sys
sys.exit(ipaddress.ip_address(sys.argv[1]) not in ipaddress.ip_network(sys.argv[2]))' "$1" "$POOL"
}

# dev_field NAME: a field of aftr0's dev show -j.
dev_field() {
	aftr_run -j dev show dev aftr0 | python3 -c '
import json, sys
print(json.load(sys.stdin)[0][sys.argv[1]])' "$1"
}

flows_are() {
	test "$(dev_field exempt-flow-count)" = "$1"
}

no_exempt_objects() {
	test "$(slab_objects dslite_aftr_exempt)" = 0
}

# pair PROTO: B4 A to $SVC1 and B4 B to $SVC2 at once, both from
# 192.168.1.2:5000; each prints what its server saw.
pair() {
	"${1}_seen" "$B4A" "$SVC1" 5000 >"$tmp/a" &
	local pa=$!
	"${1}_seen" "$B4B" "$SVC2" 5000 >"$tmp/b"
	wait $pa
	a=$(<"$tmp/a") b=$(<"$tmp/b")
	echo "# $1: $SVC1 saw B4 A as '$a', $SVC2 saw B4 B as '$b'"
}

created0=$(stat_of exempt-flows-created)
for proto in udp tcp; do
	pair $proto
	check "$proto: the service host sees B4 A's inner address and port (CGN-8)" \
		test "$a" = "$LAN_HOST:5000"
	check "$proto: and B4 B's, the same private ones, each reply at its B4 (CGN-8)" \
		test "$b" = "$LAN_HOST:5000"
done
# wire_ping: B4 A's LAN pings $SVC1 twice while tcpdump listens on the
# service host's link; prints the echo requests the wire carried.
wire_ping() {
	ip netns exec "$ISP" timeout 30 tcpdump -i svc -nn -l -c 2 'icmp[icmptype] == icmp-echo' \
		>"$tmp/ping.txt" 2>"$tmp/ping.err" &
	local t=$!
	wait_until 20 grep -q listening "$tmp/ping.err" &&
		in_ns "$B4A" ping -c 2 -W 3 -I "$LAN_HOST" "$SVC1" >/dev/null || return
	wait $t
	cat "$tmp/ping.txt"
}
wire=$(wire_ping)
check "ping from B4 A's LAN to the service host is answered" test $? = 0
echo "$wire" | diag
check "the service host's wire shows it from B4 A's inner address (CGN-8)" \
	grep -q "IP $LAN_HOST > $SVC1: ICMP echo request" <<<"$wire"
check "the flows are counted and shown" \
	test "$(stat_of exempt-flows-created)" -ge $((created0 + 5))
check "dev show counts the flows it keeps" test "$(dev_field exempt-flow-count)" -ge 5
check "they are objects of the dslite_aftr_exempt cache" \
	test "$(slab_objects dslite_aftr_exempt)" -ge 5
check "packets went both ways untranslated" \
	test "$(stat_of from-b4-exempt)" -gt 0 -a "$(stat_of to-b4-exempt)" -gt 0
check "no binding was made for them" \
	test "$(bindings_json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" = 0

# A second home on the very same 5-tuple: its replies would be those of the
# first. It is refused, counted, and the first keeps its flow.
clash0=$(stat_of drop-exempt-clash)
check_fails "B4 B from $LAN_HOST:5000 to $SVC1:9000, B4 A's flow, gets no answer" \
	test -n "$(udp_seen "$B4B" "$SVC1" 5000)"
check "and is counted as drop-exempt-clash" stat_above drop-exempt-clash "$clash0"
check "B4 A's flow still works (CGN-8)" test "$(udp_seen "$B4A" "$SVC1" 5000)" = "$LAN_HOST:5000"

# Other destinations are still translated.
seen=$(udp_seen "$B4A" "$SRV_ADDR" 5000)
check "the Internet server sees B4 A at a pool address ('$seen')" in_pool "${seen%:*}"

# The subscriber's limits cover its exempt flows: with max-bindings 2, B4 B
# (whose bindings and flows are ended first) gets two flows, not three.
setup "flows and bindings ended" aftr_run exempt flush dev aftr0
setup "exempt add again" aftr_run exempt add dev aftr0 "$EXEMPT"
setup "bindings flushed" aftr_run binding flush dev aftr0
max0=$(dev_field max-bindings)
quota0=$(stat_of drop-quota)
setup "max-bindings 2" aftr_run dev set aftr0 max-bindings 2
check "quota: B4 B's first exempt flow" test "$(udp_seen "$B4B" "$SVC1" 6001)" = "$LAN_HOST:6001"
check "quota: its second" test "$(udp_seen "$B4B" "$SVC1" 6002)" = "$LAN_HOST:6002"
check_fails "quota: not a third (CGN-1 applies to exempt flows)" \
	test -n "$(udp_seen "$B4B" "$SVC1" 6003)"
check "quota: counted as drop-quota" stat_above drop-quota "$quota0"
check "quota: B4 A, another subscriber, is unharmed" \
	test "$(udp_seen "$B4A" "$SVC1" 6003)" = "$LAN_HOST:6003"
setup "max-bindings back to $max0" aftr_run dev set aftr0 max-bindings "$max0"

# exempt del ends the exemption and the flows it covered.
check "exempt del dev aftr0 $EXEMPT" aftr_run exempt del dev aftr0 "$EXEMPT"
check "its flows end at once" flows_are 0
check "and, once RCU settles, no object is left in dslite_aftr_exempt" \
	wait_until 30 no_exempt_objects
seen=$(udp_seen "$B4A" "$SVC1" 5200)
check "after del the service host sees a pool address ('$seen')" in_pool "${seen%:*}"

# flush ends all of them.
setup "exempt add $SVC1/32" aftr_run exempt add dev aftr0 "$SVC1/32"
setup "exempt add $SVC2/32" aftr_run exempt add dev aftr0 "$SVC2/32"
check "show lists both, in the order added" \
	test "$(aftr_run exempt show dev aftr0 | awk 'NR > 1 { print $2 }' | xargs)" = \
	"$SVC1/32 $SVC2/32"
check "a /32 exempts its address (CGN-8)" \
	test "$(udp_seen "$B4A" "$SVC1" 5300)" = "$LAN_HOST:5300"
check "show -j names the prefixes" \
	test "$(aftr_run -j exempt show dev aftr0 | python3 -c '
import json, sys
print(" ".join(e["prefix"] for e in json.load(sys.stdin)))')" = "$SVC1/32 $SVC2/32"
check "exempt flush dev aftr0" aftr_run exempt flush dev aftr0
check "show lists nothing after flush" test -z "$(aftr_run exempt show dev aftr0 | awk 'NR > 1')"
check "flush ends every flow" flows_are 0
check "and leaves the cache empty" wait_until 30 no_exempt_objects
seen=$(udp_seen "$B4A" "$SVC1" 5301)
check "after flush the service host sees a pool address ('$seen')" in_pool "${seen%:*}"

# Bad requests: a reason, the right exit code, nothing configured lost.
setup "exempt add $EXEMPT" aftr_run exempt add dev aftr0 "$EXEMPT"
check "a duplicate is refused by the kernel" \
	aftr_refused 2 'already exempt' exempt add dev aftr0 "$EXEMPT"
check "a missing instance is refused" aftr_refused 2 '^Error: ' exempt add dev nosuch "$EXEMPT"
check "loopback is refused by the kernel" aftr_refused 2 'loopback' exempt add dev aftr0 127.0.0.0/8
check "multicast is refused by the kernel" aftr_refused 2 'multicast' exempt add dev aftr0 224.0.0.0/4
check "deleting what is not exempt is refused" \
	aftr_refused 2 'not exempt' exempt del dev aftr0 10.99.0.0/16
check "host bits are refused" aftr_refused 1 'host bits' exempt add dev aftr0 10.64.0.1/16
check "/0 is refused" aftr_refused 1 'every destination' exempt add dev aftr0 0.0.0.0/0
check "not a prefix is refused" aftr_refused 1 '^Error: ' exempt add dev aftr0 10.64.0.0/40
check "no device is refused" aftr_refused 1 'dev DEV' exempt add "$EXEMPT"
check "what was configured is still there" \
	test "$(aftr_run exempt show dev aftr0 | awk 'NR > 1 { print $2 }')" = "$EXEMPT"

# The configuration file carries the exemptions.
aftr_run config dump dev aftr0 >"$tmp/conf"
diag <"$tmp/conf"
check "config dump has the exempt statement" grep -qx "exempt $EXEMPT" "$tmp/conf"
setup "exempt flush" aftr_run exempt flush dev aftr0
check "config apply of the dump brings it back" aftr_run config apply "$tmp/conf"
check "exempt show lists it again" \
	test "$(aftr_run exempt show dev aftr0 | awk 'NR > 1 { print $2 }')" = "$EXEMPT"
check "and exemption works again (CGN-8)" \
	test "$(udp_seen "$B4A" "$SVC1" 5400)" = "$LAN_HOST:5400"
finish
