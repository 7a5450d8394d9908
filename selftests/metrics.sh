#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "aftrctl -o prometheus stats" (issue #11): Prometheus' own promtool must
# accept the text as node_exporter's textfile collector would read it, and
# its numbers must be those of the traffic this test makes, known without
# asking aftrctl:
#
#   B4 A   100 UDP flows from 192.168.1.2 to the echo server, one ping
#   B4 B   one UDP flow, one TCP connection
#   B4 X   3 pings from outside the allowed prefix: dropped as b4-denied
#
# The external addresses the two subscribers hold are the ones the server
# saw them at.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd promtool python3 socat

N=100
tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"

setup "the DS-Lite topology comes up" dslite_topology
setup "the echo servers listen" srv_echo_servers

# udp_flows NS FIRST COUNT: COUNT UDP flows to the echo server from
# source ports FIRST on; prints the "addr:port" the server saw for each.
udp_flows() {
	in_ns "$1" python3 -c '
import socket, sys
first, count = int(sys.argv[2]), int(sys.argv[3])
for port in range(first, first + count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.bind((sys.argv[1], port))
    s.sendto(b"x", (sys.argv[4], 9000))
    print(s.recv(100).decode().strip().replace(" ", ":"))
    s.close()' "$LAN_HOST" "$2" "$3" "$SRV_ADDR"
}
# seen NS COUNT FILE: COUNT flows from NS, what the server saw in FILE.
seen() {
	udp_flows "$1" 20000 "$2" >"$tmp/$3"
}
quiet() {
	"$@" >/dev/null 2>&1
}
tcp_answered() {
	tcp_seen "$1" "$SRV_ADDR" | grep -q .
}
setup "B4 A: $N UDP flows answered" seen "$B4A" $N seen-a
setup "B4 A: a ping answered" quiet b4_pings "$B4A"
setup "B4 B: a UDP flow answered" seen "$B4B" 1 seen-b
setup "B4 B: a TCP connection answered" tcp_answered "$B4B"
in_ns "$B4X" ping -c 3 -i 0.2 -W 1 -I "$LAN_HOST" "$SRV_ADDR" >/dev/null 2>&1

prometheus() {
	aftr_run -o prometheus stats >"$tmp/aftr.prom"
}
setup "aftrctl -o prometheus stats" prometheus
check "promtool check metrics: no problem found" sh -c "promtool check metrics <'$tmp/aftr.prom'"

# value NAME LABELS: the sample NAME{ifname="aftr0",LABELS} of the text.
value() {
	python3 -c '
import re, sys
want = "dslite_aftr_%s{ifname=\"aftr0\"%s}" % (sys.argv[1], sys.argv[2] and "," + sys.argv[2])
for line in open(sys.argv[3]):
    name, _, v = line.rpartition(" ")
    if name == want:
        print(v.strip())
        sys.exit(0)
sys.exit(1)' "$1" "${2-}" "$tmp/aftr.prom"
}
is() {
	local v
	v=$(value "$1" "${2-}") || { echo "no sample $1{$2}"; return 1; }
	[ "$v" = "$3" ] || { echo "$1{$2} is $v, not $3"; return 1; }
}
at_least() {
	local v
	v=$(value "$1" "${2-}") || { echo "no sample $1{$2}"; return 1; }
	[ "${v%.*}" -ge "$3" ] || { echo "$1{$2} is $v, below $3"; return 1; }
}

POOL='pool="198.51.100.0/28"'
addrs=$(cut -d: -f1 "$tmp/seen-a" "$tmp/seen-b" | sort -u | wc -l)
check "bindings by protocol: $N + 1 UDP" is bindings 'proto="udp"' $((N + 1))
check "bindings by protocol: 1 TCP" is bindings 'proto="tcp"' 1
check "bindings by protocol: 1 ICMP" is bindings 'proto="icmp"' 1
check "subscribers: 2" is subscribers "" 2
check "pool addresses: 16" is pool_addresses "$POOL" 16
check "pool addresses in use: the $addrs the server saw" is pool_addresses_used "$POOL" "$addrs"
check "pool subscribers: 2" is pool_subscribers "$POOL" 2
check "pool blocks in use: at least B4 A's 2 and B4 B's 1" at_least pool_blocks_used "$POOL" 3
# The ratio is blocks in use over blocks, as the two samples say.
ratio_agrees() {
	python3 -c 'import sys; u, t, r = map(float, sys.argv[1:]); sys.exit(abs(u / t - r) > 1e-6)' \
		"$(value pool_blocks_used "$POOL")" "$(value pool_blocks "$POOL")" \
		"$(value pool_utilisation_ratio "$POOL")"
}
check "pool utilisation is blocks in use over blocks" ratio_agrees
check "counters: at least one softwire packet per flow and ping" \
	at_least from_b4_packets_total "" $((N + 3))
check "counters: B4 X's 3 pings dropped as b4-denied" is dropped_packets_total 'reason="b4-denied"' 3
check "counters: every drop reason, none in another family" \
	test "$(grep -c '^dslite_aftr_dropped_packets_total{' "$tmp/aftr.prom")" = \
	"$(aftr_run stats dev aftr0 | grep -c '^ *drop-')"

check "-o prometheus goes with stats only" \
	sh -c "'$AFTRCTL' -o prometheus dev show >/dev/null 2>&1; [ \$? = 1 ]"
[ $tap_failed = 0 ] || diag <"$tmp/aftr.prom"
finish
