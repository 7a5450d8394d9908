#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The NAT's behaviour toward applications, per B4 (6333-8):
#  - endpoint-independent mapping (NAT-1): one inner UDP socket, one inner
#    TCP port, or one ICMP echo id (RFC 5508 REQ-1) shows the same external
#    address and port or id to every destination;
#  - endpoint-independent filtering (NAT-2, the default): once mapped, the
#    inner socket hears from hosts it never sent to;
#  - hairpinning (NAT-8): a B4 reaches another B4 at its external address
#    and port, and sees it at the other's external address and port; an
#    ICMP error about a hairpinned datagram goes back hairpinned too (RFC
#    5508 REQ-7); an echo request hairpinned to a B4's external address
#    reaches the host whose binding holds the id the sender's binding gave
#    it, and its reply goes back the same way (with NAPT the id is all that
#    names a host: RFC 5508 asks query hairpinning of Basic NAT only).
# Picture in topology.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
. "$(dirname "$0")/packets.sh"
require_aftr
require_cmd socat python3 ping tcpdump

PEER=$TOP/selftests/udp_peer.py
scratch=/tmp/nat-behaviour-$$
at_exit "rm -f $scratch.*"

setup "the DS-Lite topology comes up" dslite_topology
setup "echo servers listen" srv_echo_servers

lines() {
	test "$(grep -c . "$1" 2>/dev/null)" -ge "$2"
}

# NAT-1 and NAT-2 over UDP: ask two servers, then wait to hear from a
# third that was never asked.
in_ns "$B4A" "$PEER" "$LAN_HOST:6000" ask:203.0.113.2:9000 ask:203.0.113.3:9000 recv \
	>"$scratch.eim" &
peer=$!
wait_until 20 lines "$scratch.eim" 2
first=$(sed -n 1p "$scratch.eim") second=$(sed -n 2p "$scratch.eim")
echo "# seen by 203.0.113.2 as $first, by 203.0.113.3 as $second"
check "udp: two servers see one inner socket at one external endpoint (NAT-1)" \
	test -n "$first" -a "$first" = "$second"
echo x | in_ns "$SRV" socat -u - "UDP:${first%:*}:${first#*:},bind=203.0.113.4:9999"
wait $peer
check "udp: a third server, never asked, reaches the socket (NAT-2)" \
	test "$(sed -n 3p "$scratch.eim")" = "203.0.113.4:9999"

# NAT-1 over TCP: the same inner port to two servers, one after the other.
first=$(tcp_seen "$B4A" 203.0.113.2 6100)
second=$(tcp_seen "$B4A" 203.0.113.3 6100)
echo "# seen by 203.0.113.2 as $first, by 203.0.113.3 as $second"
check "tcp: two servers see one inner port at one external endpoint (NAT-1)" \
	test -n "$first" -a "$first" = "$second"

# NAT-1 over ICMP: one echo id to two servers, one after the other; the
# servers' wire shows the external address and id each was asked from.
# ping_id NS ID DST: the LAN host of B4 NS pings DST once with echo id ID.
ping_id() {
	in_ns "$1" ping -c 1 -W 10 -e "$2" -I "$LAN_HOST" "$3"
}
# echo_from DST: "ADDR ID" of the echo request to DST in the capture.
echo_from() {
	sed -n "s/.* \([0-9.]*\) > $1: ICMP echo request, id \([0-9]*\),.*/\1 \2/p" \
		"$scratch.cap"
}
setup "tcpdump listens on the servers' link" \
	capture_start "$SRV" uplink 2 'icmp[icmptype] == icmp-echo'
check "icmp: 203.0.113.2 answers the LAN host's ping with id 4242" \
	ping_id "$B4A" 4242 203.0.113.2
check "icmp: 203.0.113.3 answers the same id" ping_id "$B4A" 4242 203.0.113.3
capture_wait
first=$(echo_from 203.0.113.2) second=$(echo_from 203.0.113.3)
echo "# id 4242 seen by 203.0.113.2 as '$first', by 203.0.113.3 as '$second'"
check "icmp: two servers see one echo id at one external address and id (NAT-1)" \
	test -n "$first" -a "$first" = "$second"

# NAT-8: B4 A opens its mapping, B4 B sends to it from behind its own.
in_ns "$B4A" "$PEER" "$LAN_HOST:7000" ask:"$SRV_ADDR":9000 recv reply >"$scratch.a" &
peer=$!
wait_until 20 lines "$scratch.a" 1
ext_a=$(sed -n 1p "$scratch.a")
in_ns "$B4B" "$PEER" "$LAN_HOST:7000" ask:"$SRV_ADDR":9000 send:"$ext_a" recv >"$scratch.b"
wait $peer
ext_b=$(sed -n 1p "$scratch.b")
echo "# B4 A is $ext_a outside, B4 B is $ext_b; A heard $(sed -n 2p "$scratch.a"), B heard $(sed -n 2p "$scratch.b")"
check "hairpin: B4 A hears B4 B at B's external endpoint (NAT-8)" \
	test -n "$ext_b" -a "$(sed -n 2p "$scratch.a")" = "$ext_b"
check "hairpin: B4 B hears the answer from A's external endpoint (NAT-8)" \
	test -n "$ext_a" -a "$(sed -n 2p "$scratch.b")" = "$ext_a"
check "hairpin: the AFTR counted the hairpinned packets" test "$(stat_of hairpin)" -ge 2

# NAT-8 over TCP: B4 B forwards a port to its host's server (CGN-7), which
# answers with the address and port it saw the client at; B4 A's host
# connects to it from the inner port it reaches the server from.
in_ns "$B4B" socat "TCP-LISTEN:22,bind=$LAN_HOST,fork,reuseaddr" \
	SYSTEM:'echo $SOCAT_PEERADDR $SOCAT_PEERPORT' >/dev/null 2>&1 &
at_exit "kill $!"
setup "a server listens behind B4 B" \
	wait_until 10 in_ns "$B4B" sh -c 'ss -ltn | grep -q :22'
fwd=$(sed -n 1p "$scratch.b" | sed 's/:.*//'):2222
setup "B4 B forwards $fwd to it" aftr_run static add dev aftr0 b4 "$B4B6" proto tcp \
	inner "$LAN_HOST:22" outer "$fwd"
ext_a=$(tcp_seen "$B4A" "$SRV_ADDR" 6200)
seen=$(in_ns "$B4A" socat -t 10 -T 10 - "TCP:$fwd,bind=$LAN_HOST:6200,reuseaddr" </dev/null |
	tr ' ' :)
echo "# B4 A's 192.168.1.2:6200 is $ext_a outside; B's host saw it as $seen"
check "tcp hairpin: B4 B's host sees B4 A at A's external endpoint (NAT-8)" \
	test -n "$ext_a" -a "$seen" = "$ext_a"
aftr_run static del dev aftr0 proto tcp outer "$fwd"

# RFC 5508 REQ-7: B4 B's socket is closed once its datagram is out, so its
# host answers B4 A's datagram with "port unreachable". The error comes
# back hairpinned: from B's external address, to A's host (REQ-7a), quoting
# the datagram as A's host sent it, so A's connected socket is refused.
ext_b=$(udp_seen "$B4B" "$SRV_ADDR" 7300)
echo "# B4 B's closed socket 192.168.1.2:7300 is $ext_b outside"
setup "tcpdump listens on B4 A's tunnel" \
	capture_start "$B4A" dslite 1 'icmp[icmptype] == icmp-unreach'
probe "$B4A" "$ext_b" 7301 x >"$scratch.refused"
capture_wait
check "hairpin: B4 A's socket is refused by B4 B's host (NAT-8)" \
	grep -qx '7301 ECONNREFUSED' "$scratch.refused"
check "hairpin: the error comes from B's external address, to A's host (NAT-8)" \
	grep -q "${ext_b%:*} > $LAN_HOST: ICMP ${ext_b%:*} udp port ${ext_b#*:} unreachable" \
	"$scratch.cap"
check "hairpin: it quotes the datagram as A's host sent it (NAT-8)" \
	grep -q "$LAN_HOST\\.7301 > ${ext_b%:*}\\.${ext_b#*:}: " "$scratch.cap"

# NAT-8 over ICMP. An echo request names its target by the id alone, which
# is the sender's: it reaches a host behind B4 B when a binding of B's holds
# the external id A's binding gave the request. So each pool address gets
# one block of 8 ports, and B's host holds all 8 ids of its address before
# A's host pings that address: whatever id A gets, one of B's has it.
# B4 A is paired with another address, as B holds the only block of B's.
setup "one block of 8 ports per pool address" sh -c "
	ip netns exec '$AFTR' '$AFTRCTL' pool del dev aftr0 '$POOL' &&
	ip netns exec '$AFTR' '$AFTRCTL' dev set aftr0 block-size 8 &&
	ip netns exec '$AFTR' '$AFTRCTL' pool add dev aftr0 '$POOL' ports 5000-5007"
for id in 1 2 3 4 5 6 7 8; do
	ping_id "$B4B" $id "$SRV_ADDR" >/dev/null ||
		echo "# B4 B's ping with id $id was not answered"
done
# icmp_bindings B4ADDR: "INNER-ID OUTER-ADDR OUTER-ID" per ICMP binding.
icmp_bindings() {
	bindings_json b4 "$1" proto icmp | python3 -c 'import json, sys
for b in json.load(sys.stdin):
    print(b["inner-port"], b["outer-addr"], b["outer-port"])'
}
icmp_bindings "$B4B6" >"$scratch.b"
diag <"$scratch.b"
check "icmp: B4 B's host holds the 8 ids of its address" test "$(wc -l <"$scratch.b")" = 8
ext_b=$(awk 'NR == 1 { print $2 }' "$scratch.b")
hairpins=$(stat_of hairpin)
setup "tcpdump listens on B4 B's tunnel" capture_start "$B4B" dslite 2 icmp
ping_id "$B4A" 4243 "$ext_b" >"$scratch.ping"
capture_wait
diag <"$scratch.ping"
read -r _ ext_a id_a < <(icmp_bindings "$B4A6")
id_b=$(awk -v id="$id_a" '$3 == id { print $1 }' "$scratch.b")
echo "# A's ping is $ext_a id $id_a outside; B's binding of that id is inner id $id_b"
check "icmp hairpin: A's host gets its echo reply from B's external address (NAT-8)" \
	grep -q "^64 bytes from $ext_b: icmp_seq=1 " "$scratch.ping"
check "icmp hairpin: B's host is asked from A's external address (NAT-8)" \
	grep -q "$ext_a > $LAN_HOST: ICMP echo request, id $id_b, seq 1," "$scratch.cap"
check "icmp hairpin: B's host answers through its binding (NAT-8)" \
	grep -q "$LAN_HOST > $ext_a: ICMP echo reply, id $id_b, seq 1," "$scratch.cap"
check "icmp hairpin: the AFTR counted the request and the reply as hairpinned (NAT-8)" \
	test "$(stat_of hairpin)" -ge $((hairpins + 2))
# The AFTR's IPv4 stack sends a redirect to the sender of a packet that
# leaves aftr0 by the device it came in by; no host behind a B4 can use it.
check "hairpin: no redirect from the AFTR reaches A's host (NAT-8)" \
	not grep -q Redirect "$scratch.ping"
finish
