#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IPv4 fragments through the NAT (NAT-12): a B4's fragmented datagrams, in
# order and out of order, and a server's fragmented answers, are translated
# whole (the AFTR reassembles them first: fragments after the first carry
# no port to translate by); fragments of two subscribers never make one
# datagram, however one picks its address. Picture in topology.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
. "$(dirname "$0")/packets.sh"
require_aftr
require_cmd python3 nstat

scratch=/tmp/fragments-$$
at_exit "rm -f $scratch.*"

setup "the DS-Lite topology comes up" dslite_topology
setup "a UDP probe server listens" probe_server

# B4 A's LAN host sends 3000 bytes through its 1452-byte tunnel: its IPv4
# stack cuts them in order. The server answers with as many, cut by its
# own stack toward the AFTR.
b4_frags=$(mib "$B4A" IpFragCreates) srv_frags=$(mib "$SRV" IpFragCreates)
aftr_reasm=$(mib "$AFTR" IpReasmOKs)
probe "$B4A" "$SRV_ADDR:9000" 6000 "count=1" 3000 >"$scratch.big"
diag <"$scratch.big"
check "B4 A sent its datagram in IPv4 fragments" mib_grew "$B4A" IpFragCreates "$b4_frags"
check "the server got it whole, from the pool (NAT-12)" \
	srv_got '^198\.51\.100\.[0-9]+:[0-9]+ 3000 '
check "the server answered in IPv4 fragments" mib_grew "$SRV" IpFragCreates "$srv_frags"
check "B4 A's LAN host got the answer whole (NAT-12)" grep -q '^6000 3000 ' "$scratch.big"
check "the AFTR reassembled both ways (NAT-12)" \
	mib_grew "$AFTR" IpReasmOKs $((aftr_reasm + 1))

# Hand-made fragments, each in its own softwire packet: in order, then the
# last one first.
in_ns "$B4A" "$SEND" "$AFTR6" frags
in_ns "$B4A" "$SEND" "$AFTR6" frags-reversed
check "three fragments in order are translated as one datagram (NAT-12)" \
	wait_until 20 srv_got '^198\.51\.100\.[0-9]+:[0-9]+ 2000 '
check "three fragments out of order are translated as one datagram (NAT-12)" \
	wait_until 20 srv_got '^198\.51\.100\.[0-9]+:[0-9]+ 2400 '
check "both came from one external endpoint (a binding, not a guess)" \
	test "$(srv_got ' (2000|2400) ' | cut -d' ' -f1 | sort -u | wc -l)" = 1

# Fragment injection (issue 8, item 6): B4 B takes the address of its /64
# whose 16-bit fold equals B4 A's (what reassembly queues were keyed by),
# and sends the second half of a datagram whose first half B4 A sent, with
# the same inner addresses and IP id. The halves must never meet.
evil=$(python3 -c 'import ipaddress, sys
a = ipaddress.IPv6Address(sys.argv[1]).packed
b = ipaddress.IPv6Address(sys.argv[2]).packed
fold = int.from_bytes(a[:8], "little") ^ int.from_bytes(a[8:], "little")
iid = int.from_bytes(b[:8], "little") ^ fold
print(ipaddress.IPv6Address(b[:8] + iid.to_bytes(8, "little")))' "$B4A6" "$B4B6")
echo "# B4 B sends from $evil"
setup "B4 B takes that address" ip -n "$B4B" -6 addr add "$evil/64" dev access nodad
in_ns "$B4A" "$SEND" "$AFTR6" frag-head
in_ns "$B4B" "$SEND" --from "$evil" "$AFTR6" frag-tail
sleep 3
check "B4 B's fragment does not complete B4 A's datagram" not srv_got ' 1600 '
finish
