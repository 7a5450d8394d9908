#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TUN-5: TCP MSS clamping to the softwire, seen on the wire on both sides
# of the AFTR. The LAN host behind B4 A announces 1460, as a host on a
# 1500-byte LAN does; the server, on one, announces 1460 too. Every access
# link is 1500 bytes, so a softwire carries 1500 - 40 (IPv6) = 1460 bytes
# of IPv4, and a SYN through it may announce 1460 - 40 = 1420:
#  - by default both SYNs are clamped to 1420, each in its own direction;
#  - a packet too big that lowers the path to B4 A to 1400 lowers its MSS
#    to 1320 both ways, and B4 B's stays 1420 (per-B4 path MTU);
#  - a fixed mss-clamp 1300 gives 1300; mss-clamp off leaves 1460.
# Picture in topology.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
. "$(dirname "$0")/packets.sh"
require_aftr
require_cmd python3 tcpdump socat

scratch=/tmp/mss-clamp-$$
at_exit "rm -f $scratch.*"
PTB=$TOP/selftests/ptb_send.py
SYNS='tcp port 8080 and tcp[tcpflags] & tcp-syn != 0'

setup "the DS-Lite topology comes up" dslite_topology
setup "the TCP echo servers listen" srv_echo_servers
for ns in "$B4A" "$B4B"; do
	setup "the LAN host behind a B4 announces MSS 1460" \
		ip -n "$ns" route change default dev dslite src "$LAN_HOST" advmss 1460
done

# connect NS NAME: one TCP connection from the LAN host behind B4 NS to the
# server; the SYN and SYN-ACK as the server's uplink saw them in
# $scratch.NAME.srv, as the B4's softwire device saw them in
# $scratch.NAME.b4 (one tcpdump line each).
connect() {
	local ns=$1 name=$2
	capture_start "$SRV" uplink 2 "$SYNS"
	local srv=$capture
	scratch=$scratch.b4 capture_start "$ns" dslite 2 "$SYNS"
	local b4=$capture
	in_ns "$ns" socat -t 10 -T 10 - "TCP:$SRV_ADDR:8080" </dev/null >/dev/null
	wait "$srv" "$b4"
	mv "$scratch.cap" "$scratch.$name.srv"
	mv "$scratch.b4.cap" "$scratch.$name.b4"
	diag <"$scratch.$name.srv"
	diag <"$scratch.$name.b4"
}

# syn FILE MSS / synack FILE MSS: the capture holds the SYN (from the LAN
# host's side) or the SYN-ACK (from the server) with that MSS.
syn() {
	grep -E "\\.[0-9]+ > $SRV_ADDR\\.8080: Flags \\[S\\].*mss $2," "$1"
}
synack() {
	grep -E "$SRV_ADDR\\.8080 > [0-9.]+: Flags \\[S\\.\\].*mss $2," "$1"
}

connect "$B4A" default
check "the LAN host's SYN leaves B4 A with MSS 1460" syn "$scratch.default.b4" 1460
check "... and reaches the server with MSS 1420 (TUN-5)" syn "$scratch.default.srv" 1420
check "the server's SYN-ACK leaves it with MSS 1460" synack "$scratch.default.srv" 1460
check "... and reaches B4 A with MSS 1420 (TUN-5)" synack "$scratch.default.b4" 1420

# A router on the way to B4 A says its path is 1400 bytes.
in_ns "$B4A" "$PTB" "$AFTR6" "$B4A6" 1400
check "a packet too big lowers the AFTR's path MTU to B4 A to 1400" \
	wait_until 10 sh -c "ip -n '$AFTR' -6 route get '$B4A6' from '$AFTR6' | grep -q 'mtu 1400'"
connect "$B4A" ptb
check "then B4 A's SYN reaches the server with MSS 1320 (TUN-5)" syn "$scratch.ptb.srv" 1320
check "... and the SYN-ACK reaches B4 A with MSS 1320 (TUN-5)" synack "$scratch.ptb.b4" 1320
connect "$B4B" other
check "B4 B's path is still 1500 bytes: its SYN gets MSS 1420 (TUN-5)" \
	syn "$scratch.other.srv" 1420
check "... and its SYN-ACK too (TUN-5)" synack "$scratch.other.b4" 1420

aftr_run dev set aftr0 mss-clamp 1300
connect "$B4B" fixed
check "mss-clamp 1300: the SYN reaches the server with MSS 1300 (TUN-5)" \
	syn "$scratch.fixed.srv" 1300
check "... and the SYN-ACK reaches B4 B with MSS 1300 (TUN-5)" synack "$scratch.fixed.b4" 1300

aftr_run dev set aftr0 mss-clamp off
connect "$B4B" off
check "mss-clamp off: the SYN reaches the server with MSS 1460 (TUN-5)" \
	syn "$scratch.off.srv" 1460
check "... and the SYN-ACK reaches B4 B with MSS 1460 (TUN-5)" synack "$scratch.off.b4" 1460
finish
