#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The NAT's behaviour toward applications, per B4 (6333-8):
#  - endpoint-independent mapping (NAT-1): one inner UDP socket, or one
#    inner TCP port, shows the same external address and port to every
#    destination;
#  - endpoint-independent filtering (NAT-2, the default): once mapped, the
#    inner socket hears from hosts it never sent to;
#  - hairpinning (NAT-8): a B4 reaches another B4 at its external address
#    and port, and sees it at the other's external address and port.
# Picture in topology.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd socat python3

PEER=$TOP/selftests/udp_peer.py
out=/tmp/nat-behaviour-$$
at_exit "rm -f $out.*"

setup "the DS-Lite topology comes up" dslite_topology
setup "echo servers listen" srv_echo_servers

lines() {
	test "$(grep -c . "$1" 2>/dev/null)" -ge "$2"
}

# NAT-1 and NAT-2 over UDP: ask two servers, then wait to hear from a
# third that was never asked.
in_ns "$B4A" "$PEER" "$LAN_HOST:6000" ask:203.0.113.2:9000 ask:203.0.113.3:9000 recv \
	>"$out.eim" &
peer=$!
wait_until 20 lines "$out.eim" 2
first=$(sed -n 1p "$out.eim") second=$(sed -n 2p "$out.eim")
echo "# seen by 203.0.113.2 as $first, by 203.0.113.3 as $second"
check "udp: two servers see one inner socket at one external endpoint (NAT-1)" \
	test -n "$first" -a "$first" = "$second"
echo x | in_ns "$SRV" socat -u - "UDP:${first%:*}:${first#*:},bind=203.0.113.4:9999"
wait $peer
check "udp: a third server, never asked, reaches the socket (NAT-2)" \
	test "$(sed -n 3p "$out.eim")" = "203.0.113.4:9999"

# NAT-1 over TCP: the same inner port to two servers, one after the other.
first=$(tcp_seen "$B4A" 203.0.113.2 6100)
second=$(tcp_seen "$B4A" 203.0.113.3 6100)
echo "# seen by 203.0.113.2 as $first, by 203.0.113.3 as $second"
check "tcp: two servers see one inner port at one external endpoint (NAT-1)" \
	test -n "$first" -a "$first" = "$second"

# NAT-8: B4 A opens its mapping, B4 B sends to it from behind its own.
in_ns "$B4A" "$PEER" "$LAN_HOST:7000" ask:"$SRV_ADDR":9000 recv reply >"$out.a" &
peer=$!
wait_until 20 lines "$out.a" 1
ext_a=$(sed -n 1p "$out.a")
in_ns "$B4B" "$PEER" "$LAN_HOST:7000" ask:"$SRV_ADDR":9000 send:"$ext_a" recv >"$out.b"
wait $peer
ext_b=$(sed -n 1p "$out.b")
echo "# B4 A is $ext_a outside, B4 B is $ext_b; A heard $(sed -n 2p "$out.a"), B heard $(sed -n 2p "$out.b")"
check "hairpin: B4 A hears B4 B at B's external endpoint (NAT-8)" \
	test -n "$ext_b" -a "$(sed -n 2p "$out.a")" = "$ext_b"
check "hairpin: B4 B hears the answer from A's external endpoint (NAT-8)" \
	test -n "$ext_a" -a "$(sed -n 2p "$out.b")" = "$ext_a"
check "hairpin: the AFTR counted the hairpinned packets" test "$(stat_of hairpin)" -ge 2
finish
