#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two B4s with the same private LAN address and the same source ports reach
# IPv4 servers through one AFTR endpoint at the same time (6333-1): TCP, UDP
# and ping. The servers see pool addresses only (NAT-3: each B4 on one pool
# address); each B4 gets its own external port (6333-2, NAT-5), and every
# reply comes back to the B4 that asked. The picture is in topology.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd socat python3 ping

setup "the DS-Lite topology comes up" dslite_topology
setup "echo servers listen" srv_echo_servers

in_pool() {
	python3 -c 'import ipaddress, sys
sys.exit(ipaddress.ip_address(sys.argv[1]) not in ipaddress.ip_network(sys.argv[2]))' "$1" "$POOL"
}

# binding_maps B4 PROTO ADDR:PORT: B4's binding of 192.168.1.2:5000 maps to
# ADDR:PORT.
binding_maps() {
	bindings_json b4 "$1" proto "$2" | python3 -c '
import json, sys
want = sys.argv[1]
sys.exit(not any(b["inner-addr"] == "192.168.1.2" and b["inner-port"] == 5000 and
                 "%s:%d" % (b["outer-addr"], b["outer-port"]) == want
                 for b in json.load(sys.stdin)))' "$3"
}

# Both B4s send from 192.168.1.2:5000 at once; each reply names the
# external address and port the server saw.
for proto in tcp udp; do
	"${proto}_seen" "$B4A" "$SRV_ADDR" 5000 >"/tmp/seen-$proto-a-$$" &
	pa=$!
	"${proto}_seen" "$B4B" "$SRV_ADDR" 5000 >"/tmp/seen-$proto-b-$$"
	wait $pa
	a=$(cat "/tmp/seen-$proto-a-$$") b=$(cat "/tmp/seen-$proto-b-$$")
	rm -f "/tmp/seen-$proto-"?"-$$"
	echo "# $proto: B4 A seen as '$a', B4 B seen as '$b'"
	check "$proto: B4 A gets an answer (6333-1)" test -n "$a"
	check "$proto: B4 B gets an answer (6333-1)" test -n "$b"
	check "$proto: the server sees B4 A at a pool address" in_pool "${a%:*}"
	check "$proto: the server sees B4 B at a pool address" in_pool "${b%:*}"
	check "$proto: same inner endpoint, two external endpoints (6333-2, NAT-5)" \
		test "$a" != "$b"

	# The binding table says the same, per B4: so each reply went to the
	# B4 whose binding it matched.
	check "$proto: B4 A's binding maps 192.168.1.2:5000 to $a" \
		binding_maps "$B4A6" "$proto" "$a"
	check "$proto: B4 B's binding maps 192.168.1.2:5000 to $b" \
		binding_maps "$B4B6" "$proto" "$b"
done

# Paired pooling (NAT-3): all of a B4's bindings on one external address.
one_address() {
	bindings_json b4 "$1" | python3 -c '
import json, sys
addrs = {b["outer-addr"] for b in json.load(sys.stdin)}
print(addrs)
sys.exit(len(addrs) != 1)'
}
check "B4 A's TCP and UDP bindings share one pool address (NAT-3)" one_address "$B4A6"
check "B4 B's TCP and UDP bindings share one pool address (NAT-3)" one_address "$B4B6"

check "ping from B4 A's LAN" in_ns "$B4A" ping -c 2 -W 3 -I "$LAN_HOST" "$SRV_ADDR"
check "ping from B4 B's LAN" in_ns "$B4B" ping -c 2 -W 3 -I "$LAN_HOST" "$SRV_ADDR"

# Simultaneous pings with the same ICMP identifier from both B4s.
ping_pair() {
	in_ns "$B4A" ping -c 3 -W 3 -I "$LAN_HOST" "$SRV_ADDR" >/dev/null &
	local pa=$!
	in_ns "$B4B" ping -c 3 -W 3 -I "$LAN_HOST" "$SRV_ADDR" >/dev/null || return
	wait $pa
}
check "concurrent pings from both B4s are all answered" ping_pair

icmp_bindings() {
	bindings_json proto icmp | python3 -c '
import json, sys
b4s = {b["b4-addr"] for b in json.load(sys.stdin)}
sys.exit(b4s != set(sys.argv[1:]))' "$B4A6" "$B4B6"
}
check "ICMP bindings exist for both B4s" icmp_bindings

check "translated packets were counted" test "$(stat_of from-b4-translated)" -gt 0
check "replies were counted" test "$(stat_of to-b4-translated)" -gt 0
finish
