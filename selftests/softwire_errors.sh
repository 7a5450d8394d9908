#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the Internet host hears when its packet does not make it through a
# softwire, judged on the host's wire and by its own IPv4 stack:
#  - 6333-5: an ICMPv6 error about a softwire packet (time exceeded,
#    unreachable, parameter problem, packet too big), sent from B4 A's side
#    as a router on the path would, reaches the server as the matching
#    ICMPv4 error from the AFTR's IPv4 side (203.0.113.1), quoting its
#    datagram as it sent it (to the pool address and port, checksums
#    right); one about no binding's packet, or of a type ICMPv6 does not
#    define, is dropped and counted; relayed errors share the rate limit;
#    the packet too big lowers the MTU toward B4 A only, for a while, and
#    never below 1280;
#  - NAT-11: a DF datagram too big for the softwire to B4 A gets
#    "fragmentation needed" with the softwire's MTU (path MTU - 40), which
#    the server's stack takes for its path to the pool address; the same
#    datagram reaches B4 B, whose path is still 1500 bytes; DF-clear, it
#    reaches B4 A's LAN host whole under both frag policies: in IPv6
#    fragments (outer, the default) or in IPv4 fragments, each in a whole
#    IPv6 packet (inner).
# Picture in topology.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
. "$(dirname "$0")/packets.sh"
require_aftr
require_cmd python3 tcpdump nstat

scratch=/tmp/softwire-errors-$$
at_exit "rm -f $scratch.*"
PTB=$TOP/selftests/ptb_send.py
UPLINK=203.0.113.1

setup "the DS-Lite topology comes up" dslite_topology
setup "the probe server listens on UDP 9000" probe_server

# A real flow: the LAN host behind B4 A, port 5000, and the server's answer
# to it, which the errors below are about. Where the server saw it is the
# pool address and port the errors must quote.
answered() {
	probe "$B4A" "$SRV_ADDR:9000" 5000 x | grep -q '^5000 [0-9]'
}
setup "the LAN host behind B4 A gets an answer from the server" answered
ext=$(awk 'NR == 1 { print $1 }' "$scratch.srv")
diag "the server saw B4 A's LAN host at $ext"

# relay TYPE INFO [--df]: an ICMPv6 error of TYPE from B4 A's side about
# the server's answer (server port 9000 to the LAN host's 5000); what the
# server's uplink saw next of ICMP in $scratch.cap.
relay() {
	local type=$1 info=$2
	shift 2
	capture_start "$SRV" uplink 1 icmp
	in_ns "$B4A" "$PTB" --type "$type" --from "$SRV_ADDR:9000" \
		--to "$LAN_HOST:5000" "$@" "$AFTR6" "$B4A6" "$info"
	capture_wait
}

# stat_is NAME VALUE: counter NAME of aftr0 is VALUE.
stat_is() {
	test "$(stat_of "$1")" -eq "$2"
}

# quoted: the capture quotes the server's datagram as the server sent it.
quoted() {
	grep -q "$SRV_ADDR\\.9000 > ${ext%:*}\\.${ext#*:}: \\[udp sum ok\\] UDP" "$scratch.cap"
}

relayed=$(stat_of icmp-relayed)
before=$(mib "$SRV" IcmpInTimeExcds)
relay time-exceeded 0
check "a time exceeded about B4 A's softwire reaches the server as ICMPv4 time exceeded from $UPLINK (6333-5)" \
	grep -q "$UPLINK > $SRV_ADDR: ICMP time exceeded in-transit" "$scratch.cap"
check "... quoting the server's datagram as it sent it, to $ext (6333-5)" quoted
check "... which the server's IPv4 stack accepts (6333-5)" mib_grew "$SRV" IcmpInTimeExcds "$before"

relay unreachable 0
check "an address unreachable reaches the server as host unreachable (6333-5)" \
	grep -q "$UPLINK > $SRV_ADDR: ICMP host ${ext%:*} unreachable" "$scratch.cap"
check "... quoting the server's datagram as it sent it (6333-5)" quoted

relay param-problem 6
check "a parameter problem in the softwire's header reaches the server as host unreachable (6333-5)" \
	grep -q "$UPLINK > $SRV_ADDR: ICMP host ${ext%:*} unreachable" "$scratch.cap"
check "... quoting the server's datagram as it sent it (6333-5)" quoted

relay too-big 1400 --df
check "a packet too big (1400) reaches the server as fragmentation needed, MTU 1360 (6333-5)" \
	grep -q "$UPLINK > $SRV_ADDR: ICMP ${ext%:*} unreachable - need to frag (mtu 1360)" "$scratch.cap"
check "... quoting the server's datagram as it sent it (6333-5)" quoted
check "the AFTR counts the four as icmp-relayed (6333-5)" \
	stat_is icmp-relayed $((relayed + 4))
check "the packet too big lowers the AFTR's path MTU to B4 A to 1400 (6333-5)" \
	sh -c "ip -n '$AFTR' -6 route get '$B4A6' from '$AFTR6' | grep -q 'mtu 1400'"
check "... and not to B4 B (6333-5)" \
	not sh -c "ip -n '$AFTR' -6 route get '$B4B6' from '$AFTR6' | grep -q 'mtu 1400'"
check "... for a bounded time: the lower MTU expires (6333-5)" \
	sh -c "ip -n '$AFTR' -6 route get '$B4A6' from '$AFTR6' | grep -q 'expires'"

# Errors nothing can be made of: about a port no binding holds, and of a
# type ICMPv6 does not define. Nothing reaches the server.
drops=$(stat_of icmp-relay-dropped) before=$(mib "$SRV" IcmpInMsgs)
in_ns "$B4A" "$PTB" --type time-exceeded --from "$SRV_ADDR:9000" --to "$LAN_HOST:5999" \
	"$AFTR6" "$B4A6"
in_ns "$B4A" "$PTB" --type unknown --from "$SRV_ADDR:9000" --to "$LAN_HOST:5000" \
	"$AFTR6" "$B4A6"
check "an error about no binding's packet and one of no known type count as icmp-relay-dropped (6333-5)" \
	wait_until 10 stat_is icmp-relay-dropped $((drops + 2))
check "... and send the server nothing (6333-5)" test "$(mib "$SRV" IcmpInMsgs)" = "$before"

# Relayed errors take their tokens from the same buckets as the AFTR's own.
aftr_run dev set aftr0 icmp-rate 1 icmp-burst 1
limited=$(stat_of icmp-ratelimited)
in_ns "$B4A" "$PTB" --type time-exceeded --from "$SRV_ADDR:9000" --to "$LAN_HOST:5000" \
	--count 3 "$AFTR6" "$B4A6"
check "relayed errors are rate limited too: icmp-ratelimited grows (6333-5, TUN-6)" \
	stat_above icmp-ratelimited "$limited"
aftr_run dev set aftr0 icmp-rate 20 icmp-burst 20

# NAT-11. The server answers with 1400 bytes of UDP (IPv4 1428 bytes): a
# softwire to B4 A now carries 1400 - 40 = 1360, one to B4 B 1460.
toobig=$(stat_of drop-too-big)
capture_start "$SRV" uplink 1 icmp
probe "$B4A" "$SRV_ADDR:9000" 5001 "size=1400 df=1" >"$scratch.df"
capture_wait
diag <"$scratch.df"
check "a DF answer too big for B4 A's softwire never reaches its LAN host (NAT-11)" \
	grep -qx '5001 timeout' "$scratch.df"
check "... the server gets fragmentation needed, MTU 1360, from $UPLINK (NAT-11)" \
	grep -q "$UPLINK > $SRV_ADDR: ICMP .* unreachable - need to frag (mtu 1360)" "$scratch.cap"
check "... quoting its datagram as it sent it, to the pool (NAT-11)" \
	grep -Eq "flags \\[DF\\], proto UDP \\(17\\), length 1428\\) +$SRV_ADDR\\.9000 > 198\\.51\\.100\\.[0-9]+\\.[0-9]+: UDP, length 1400" \
	"$scratch.cap"
check "... and its IPv4 stack takes MTU 1360 for the pool address (NAT-11)" \
	sh -c "ip -n '$SRV' route get '${ext%:*}' | grep -q 'mtu 1360'"
check "the AFTR counts it as drop-too-big (NAT-11)" stat_above drop-too-big "$toobig"
probe "$B4B" "$SRV_ADDR:9000" 5001 "size=1400 df=1" >"$scratch.dfb"
diag <"$scratch.dfb"
check "the same DF answer reaches B4 B's LAN host whole: its path is 1500 (NAT-11, 6333-5)" \
	grep -q '^5001 1400 ' "$scratch.dfb"

# frag_clear PORT: a DF-clear 1400-byte answer to B4 A's LAN host on PORT;
# the softwire packets on B4 A's access link in $scratch.cap, what the
# LAN host got in $scratch.clear.
frag_clear() {
	capture_start "$B4A" access 2 "ip6 src $AFTR6 and not icmp6"
	probe "$B4A" "$SRV_ADDR:9000" "$1" "size=1400" >"$scratch.clear"
	capture_wait
	diag <"$scratch.clear"
}

frag_clear 5002
check "frag outer: a DF-clear answer reaches B4 A's LAN host whole (NAT-11)" \
	grep -q '^5002 1400 ' "$scratch.clear"
check "... carried in IPv6 fragments (NAT-11)" grep -q 'next-header Fragment' "$scratch.cap"

setup "aftr0 takes the inner frag policy" aftr_run dev set aftr0 frag inner
frag_clear 5003
check "frag inner: a DF-clear answer reaches B4 A's LAN host whole (NAT-11)" \
	grep -q '^5003 1400 ' "$scratch.clear"
check "... carried in IPv4 fragments (NAT-11)" grep -q 'flags \[+\]' "$scratch.cap"
check "... each in a whole IPv6 packet (NAT-11)" not grep -q 'next-header Fragment' "$scratch.cap"
policy_shown() {
	aftr_run dev show aftr0 | grep -q 'frag inner'
}
check "dev show reports the policy" policy_shown

# Last, as it may narrow B4 B's path: no packet too big takes it below
# 1280 (the kernel ignores one that asks for less, RFC 8201). The drop of
# its quote, which no binding holds, shows that the AFTR took it in.
# pmtu_b4b: the path MTU to B4 B, the route exception's or the link's.
pmtu_b4b() {
	local mtu
	mtu=$(ip -n "$AFTR" -6 route get "$B4B6" from "$AFTR6" |
	      sed -n 's/.* mtu \([0-9]*\).*/\1/p')
	echo "${mtu:-$(in_ns "$AFTR" cat /sys/class/net/acc-B4B/mtu)}"
}
drops=$(stat_of icmp-relay-dropped)
in_ns "$B4B" "$PTB" "$AFTR6" "$B4B6" 1000
check "a packet too big of 1000 about B4 B's softwire reaches the AFTR (6333-5)" \
	wait_until 10 stat_above icmp-relay-dropped "$drops"
check "... and leaves the path MTU to B4 B at 1280 or more (6333-5)" \
	test "$(pmtu_b4b)" -ge 1280
finish
