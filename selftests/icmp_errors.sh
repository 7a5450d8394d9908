#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ICMP errors toward the B4s:
#  - NAT-9: an error from the internet about a B4's flow reaches the B4's
#    application, translated with the packet it quotes (addresses, ports,
#    checksums); one quoting a packet no binding sent is dropped and
#    counted; one whose ICMP checksum is wrong is dropped and counted in
#    both directions (RFC 5508 REQ-3), not summed again into a valid one;
#  - 6333-4: the errors the AFTR itself sends a B4's LAN host come from
#    192.0.0.1 (here the "administratively prohibited" of a full quota);
#  - TUN-6: those errors are rate limited per B4 (icmp-rate, icmp-burst),
#    and the ones held back are counted as icmp-ratelimited.
# Picture in topology.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
. "$(dirname "$0")/packets.sh"
require_aftr
require_cmd python3 tcpdump

scratch=/tmp/icmp-errors-$$
at_exit "rm -f $scratch.*"

setup "the DS-Lite topology comes up" dslite_topology

# Nothing listens on the server's UDP ports yet: it answers "port
# unreachable", first to the LAN host's socket, then to a hand-made
# datagram (4000 to 9000). The hand-made one has its checksum filled in:
# the kernel's own are left to offload, which veths never do, so that
# their quotes would never sum right, translated or not.
setup "tcpdump listens on B4 A's tunnel" capture_start "$B4A" dslite 2 icmp
probe "$B4A" "$SRV_ADDR:9" 6000 "x" >"$scratch.refused"
in_ns "$B4A" "$SEND" "$AFTR6" udp
capture_wait
check "the application's connected socket is refused (NAT-9)" \
	grep -qx '6000 ECONNREFUSED' "$scratch.refused"
check "the error comes from the server, to the LAN host (NAT-9)" \
	grep -q "$SRV_ADDR > $LAN_HOST: ICMP $SRV_ADDR udp port 9 unreachable" "$scratch.cap"
check "it quotes the datagram as the LAN host sent it (NAT-9)" \
	grep -q "$LAN_HOST\\.6000 > $SRV_ADDR\\.9: " "$scratch.cap"
check "the quoted hand-made datagram sums right after translation (NAT-9)" \
	grep -q "$LAN_HOST\\.4000 > $SRV_ADDR\\.9000: \\[udp sum ok\\]" "$scratch.cap"
check "no IPv4 or ICMP checksum is wrong (NAT-9)" \
	not grep -Eq 'bad cksum|wrong icmp cksum' "$scratch.cap"

# An error quoting a datagram from a pool port below the pool's port range,
# which no binding can hold.
rx_packets() {
	in_ns "$1" cat /sys/class/net/dslite/statistics/rx_packets
}
drops=$(stat_of drop-icmp-error) rx=$(rx_packets "$B4A")
in_ns "$SRV" "$PROBE" unreachable 198.51.100.1 198.51.100.1:1000 "$SRV_ADDR:9"
check "an error about no binding's packet is counted as drop-icmp-error (NAT-9)" \
	wait_until 10 stat_above drop-icmp-error "$drops"
check "... and reaches no B4" test "$(rx_packets "$B4A")" = "$rx"

# Each error with a bad checksum is followed by a good one: once the good
# one arrived, the bad one had its chance to. Both quote the hand-made
# datagram above (LAN host port 4000 to the server's 9000), whose binding
# is still alive.
icmp_in() {
	mib "$1" IcmpInMsgs
}
bad=$(stat_of drop-bad-inner) srv_in=$(icmp_in "$SRV")
in_ns "$B4A" "$SEND" "$AFTR6" icmp-error-bad-csum
in_ns "$B4A" "$SEND" "$AFTR6" icmp-error
check "from B4 A, an error with a good checksum reaches the server (NAT-9)" \
	wait_until 10 mib_grew "$SRV" IcmpInMsgs "$srv_in"
check "... one with a bad checksum does not (NAT-9)" \
	test "$(icmp_in "$SRV")" = $((srv_in + 1))
check "... and is counted as drop-bad-inner (NAT-9)" stat_above drop-bad-inner "$bad"

ext=$(bindings_json b4 "$B4A6" proto udp | python3 -c 'import json, sys
print(*["%s:%s" % (b["outer-addr"], b["outer-port"])
        for b in json.load(sys.stdin) if int(b["inner-port"]) == 4000])')
echo "# the hand-made datagram's binding: $ext"
bad=$(stat_of drop-bad-inner) b4_in=$(icmp_in "$B4A")
in_ns "$SRV" "$PROBE" unreachable "${ext%:*}" "$ext" "$SRV_ADDR:9000" bad-csum
in_ns "$SRV" "$PROBE" unreachable "${ext%:*}" "$ext" "$SRV_ADDR:9000"
check "from the internet, an error with a good checksum reaches B4 A (NAT-9)" \
	wait_until 10 mib_grew "$B4A" IcmpInMsgs "$b4_in"
check "... one with a bad checksum does not (NAT-9)" \
	test "$(icmp_in "$B4A")" = $((b4_in + 1))
check "... and is counted as drop-bad-inner (NAT-9)" stat_above drop-bad-inner "$bad"

# One binding per B4: B4 B's second flow is refused by the AFTR itself.
aftr_run dev set aftr0 max-bindings 1
setup "a UDP probe server listens" probe_server
setup "tcpdump listens on B4 B's tunnel" capture_start "$B4B" dslite 1 icmp
probe "$B4B" "$SRV_ADDR:9000" 6100,6101 "count=1" >"$scratch.quota"
capture_wait
diag <"$scratch.quota"
check "B4 B's first flow works" grep -q '^6100 [0-9]' "$scratch.quota"
check "its second is refused: host unreachable (NAT-10)" \
	grep -qx '6101 EHOSTUNREACH' "$scratch.quota"
check "by ICMP from 192.0.0.1, communication administratively prohibited (6333-4)" \
	grep -q "192\\.0\\.0\\.1 > $LAN_HOST: ICMP host $SRV_ADDR unreachable - admin prohibited filter" \
	"$scratch.cap"
check "quoting the refused datagram (6333-4)" \
	grep -q "$LAN_HOST\\.6101 > $SRV_ADDR\\.9000: " "$scratch.cap"

# refused NS FIRST NAME: 20 datagrams from the LAN host behind B4 NS, from
# ports FIRST on, which its quota refuses. Sets $sent and $limited to what
# the AFTR counted, and leaves the AFTR's errors that reached the B4's
# softwire device in $scratch.NAME, one a line.
refused() {
	local ns=$1 first=$2 name=$3 sent0 limited0 pid
	sent0=$(stat_of icmp-sent) limited0=$(stat_of icmp-ratelimited)
	ip netns exec "$ns" tcpdump -i dslite -nn -l 'icmp and src host 192.0.0.1' \
		>"$scratch.$name" 2>"$scratch.$name.err" &
	pid=$!
	at_exit "kill $pid"
	wait_until 20 grep -q listening "$scratch.$name.err"
	flows "$ns" "$first" 20
	wait_until 20 aftr_quiet
	sent=$(($(stat_of icmp-sent) - sent0))
	limited=$(($(stat_of icmp-ratelimited) - limited0))
	wait_until 10 sh -c "test \$(grep -c 'admin prohibited' '$scratch.$name') -ge $sent"
	kill "$pid"
	echo "# $name: $sent errors sent, $limited held back," \
		"$(grep -c 'admin prohibited' "$scratch.$name") on the wire"
}

# B4 B is still at its quota of one binding.
setup "aftr0 allows each B4 3 errors at once, then one a second" \
	aftr_run dev set aftr0 icmp-rate 1 icmp-burst 3
refused "$B4B" 7000 limited
check "20 datagrams refused: each error sent or counted as icmp-ratelimited (TUN-6)" \
	test $((sent + limited)) = 20
check "fewer than 20 errors reach B4 B, at least its burst (TUN-6)" \
	test "$sent" -lt 20 -a "$sent" -ge 3
check "the wire at B4 B shows as many as were sent (TUN-6)" \
	test "$(grep -c 'admin prohibited' "$scratch.limited")" = "$sent"
refused "$B4A" 7100 other
check "B4 A, another destination, gets its own burst of errors (TUN-6)" \
	test "$(grep -c 'admin prohibited' "$scratch.other")" -ge 3

setup "aftr0 allows 1000 errors at once" aftr_run dev set aftr0 icmp-rate 1000 icmp-burst 1000
refused "$B4B" 7200 raised
check "then all 20 errors reach B4 B, none held back (TUN-6)" \
	test "$sent $limited $(grep -c 'admin prohibited' "$scratch.raised")" = "20 0 20"
finish
