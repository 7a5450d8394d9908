#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The softwire's outer header and its MTU, seen on the wire at the B4:
#  - TUN-1: the outer hop limit is the AFTR's own 64; the inner TTL loses
#    exactly one, both ways (the AFTR is one IPv4 router hop);
#  - TUN-2 (RFC 6040): the inner ECN field is copied outside; an outer CE
#    over an ECT inner packet marks it CE, over a Not-ECT one drops it; an
#    outer ECT(1) over an ECT(0) inner packet makes it ECT(1);
#  - TUN-3: under the uniform model (the default) the inner DSCP is copied
#    to the outer traffic class, and from B4 A, whose ip6tnl sends a fixed
#    traffic class, the outer DSCP to the inner header; under the pipe
#    model neither (ECN is still copied);
#  - TUN-4 (RFC 6438): a flow label that is set, stable within one inner
#    flow and different between two;
#  - 6333-3: 1500-byte IPv4 packets cross 1500-byte access links whole, as
#    IPv6 fragments reassembled by the B4 one way and by the AFTR the other.
# Picture in topology.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
. "$(dirname "$0")/packets.sh"
require_aftr
require_cmd python3 tcpdump nstat

scratch=/tmp/tunnel-$$
at_exit "rm -f $scratch.*"

setup "the DS-Lite topology comes up" dslite_topology
setup "a UDP probe server listens" probe_server
# The AFTR's link toward B4 A gets another hop limit, which the softwire's
# own 64 must not follow.
setup "the AFTR's link to B4 A has hop limit 255" \
	in_ns "$AFTR" sysctl -qw net.ipv6.conf.acc-B4A.hop_limit=255

# Answers toward B4 A: two flows of two packets with DSCP EF and ECT(0),
# sent with TTL 50, then one flow with AF11 and ECT(1).
setup "tcpdump listens on B4 A's access link" \
	capture_start "$B4A" access 5 "src host $AFTR6 and ip6[6] == 4"
probe "$B4A" "$SRV_ADDR:9000" 5000,5001 "tos=0xba ttl=50 count=2" >"$scratch.ef"
probe "$B4A" "$SRV_ADDR:9000" 5002 "tos=0x29" >"$scratch.af"
capture_wait

# outer PORT: the decoded packets toward the LAN host's port PORT.
outer() {
	grep -F "> $LAN_HOST.$1: " "$scratch.cap"
}

# labels PORT: the flow labels of the packets toward PORT.
labels() {
	outer "$1" | grep -o 'flowlabel 0x[0-9a-f]*' | awk '{ print $2 }'
}

check "the five answers reached the LAN host" \
	test "$(cat "$scratch.ef" "$scratch.af" | grep -c ' 0x.. ')" = 5
check "every outer header has hop limit 64 (TUN-1)" \
	test "$(grep -c 'hlim 64,' "$scratch.cap")" = 5
check "the inner TTL toward the B4 went from 50 to 49 (TUN-1)" \
	test "$(outer 5000 | grep -c 'ttl 49,')" = 2
check "the inner TTL from the B4 went from 64 to 63 (TUN-1)" \
	test "$(srv_got ' 63$' | wc -l)" = 3
check "DSCP EF and ECT(0) inside: traffic class 0xba outside (TUN-2, TUN-3)" \
	test "$(grep -c 'class 0xba,.*tos 0xba' "$scratch.cap")" = 4
check "DSCP AF11 and ECT(1) inside: traffic class 0x29 outside (TUN-2, TUN-3)" \
	test "$(outer 5002 | grep -c 'class 0x29,')" = 1
l0=$(labels 5000 | sort -u) l1=$(labels 5001 | sort -u) l2=$(labels 5002)
echo "# flow labels: $l0 / $l1 / $l2"
check "every outer header has a flow label (TUN-4)" \
	test "$(grep -c 'flowlabel 0x' "$scratch.cap")" = 5
check "one flow, one label (TUN-4)" \
	test "$(echo "$l0" | wc -l) $(echo "$l1" | wc -l)" = "1 1"
check "different flows, different labels (TUN-4)" \
	test -n "$l0" -a -n "$l1" -a -n "$l2" -a "$l0" != "$l1" -a "$l1" != "$l2" -a "$l0" != "$l2"

# Outer CE from B4 A over a Not-ECT, then an ECT(0) inner packet. The
# second one arriving means the first had its chance to.
drops=$(stat_of drop-ecn)
in_ns "$B4A" "$SEND" "$AFTR6" ce-not-ect
in_ns "$B4A" "$SEND" "$AFTR6" ce-ect
check "outer CE over an ECT(0) inner packet: it arrives marked CE (TUN-2)" \
	wait_until 20 srv_got '^198\.51\.100\.[0-9]+:[0-9]+ 8 0x03 '
check "outer CE over a Not-ECT inner packet: it does not arrive (TUN-2)" \
	not srv_got ' 8 0x00 '
check "... and is counted as drop-ecn (TUN-2)" stat_above drop-ecn "$drops"
in_ns "$B4A" "$SEND" "$AFTR6" ect1-ect0
check "outer ECT(1) over an ECT(0) inner packet: it arrives ECT(1) (TUN-2)" \
	wait_until 20 srv_got '^198\.51\.100\.[0-9]+:[0-9]+ 8 0x01 '

# 6333-3. The server answers B4 A with 1500 bytes of IPv4, which only fit
# its 1500-byte access link in IPv6 fragments. Linux's own ip6tnl never
# fragments what it encapsulates: B4 A's 1500-byte packet is hand-made,
# for its IPv6 stack to cut.
aftr_reasm=$(mib "$AFTR" Ip6ReasmOKs) aftr_frags=$(mib "$AFTR" Ip6FragCreates)
b4_reasm=$(mib "$B4A" Ip6ReasmOKs) b4_frags=$(mib "$B4A" Ip6FragCreates)
probe "$B4A" "$SRV_ADDR:9000" 5010 "size=1472" >"$scratch.big"
diag <"$scratch.big"
check "a 1500-byte IPv4 answer reaches B4 A's LAN host whole (6333-3)" \
	grep -q '^5010 1472 ' "$scratch.big"
check "... in IPv6 fragments from the AFTR (6333-3)" \
	mib_grew "$AFTR" Ip6FragCreates "$aftr_frags"
check "... that B4 A reassembled (6333-3)" mib_grew "$B4A" Ip6ReasmOKs "$b4_reasm"
in_ns "$B4A" "$SEND" "$AFTR6" big
check "a 1500-byte IPv4 packet from B4 A reaches the server whole (6333-3)" \
	wait_until 20 srv_got ' 1472 0x00 63$'
check "... sent in IPv6 fragments by B4 A" mib_grew "$B4A" Ip6FragCreates "$b4_frags"
check "... and reassembled by the AFTR (6333-3)" \
	mib_grew "$AFTR" Ip6ReasmOKs "$aftr_reasm"

# TUN-3 from a B4: B4 A's ip6tnl marks its softwire AF11 whatever its LAN
# sends, as an access network re-marking it would. The LAN host sends
# DSCP 0; the server sees what the model makes of it (each probe with a
# length of its own).
setup "B4 A sends traffic class 0x28 (AF11)" \
	ip -n "$B4A" -6 tunnel change dslite mode ipip6 local "$B4A6" remote "$AFTR6" tclass 0x28
probe "$B4A" "$SRV_ADDR:9000" 5020 "count=0" 333 >/dev/null
check "uniform: the outer AF11 reaches the server in the inner header (TUN-3)" \
	wait_until 20 srv_got ' 333 0x28 '

setup "aftr0 takes the pipe model" aftr_run dev set aftr0 dscp pipe
probe "$B4A" "$SRV_ADDR:9000" 5021 "count=0" 334 >/dev/null
check "pipe: the inner DSCP 0 reaches the server unchanged (TUN-3)" \
	wait_until 20 srv_got ' 334 0x00 '
setup "tcpdump listens on B4 A's access link" \
	capture_start "$B4A" access 2 "src host $AFTR6 and ip6[6] == 4"
probe "$B4A" "$SRV_ADDR:9000" 5022 "tos=0xba count=2" >"$scratch.pipe"
capture_wait
check "pipe: an answer with EF and ECT(0) inside has class 0x02 outside (TUN-2, TUN-3)" \
	test "$(grep -c 'class 0x02,.*tos 0xba' "$scratch.cap")" = 2
check "... and reaches the LAN host with its DSCP EF (TUN-3)" \
	test "$(grep -c '^5022 [0-9]* 0xba ' "$scratch.pipe")" = 2
finish
