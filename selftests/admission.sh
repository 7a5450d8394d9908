#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the AFTR lets in (6333-6, 6333-7): an instance forwards nothing until
# configured (no open relay); softwires are accepted only from the allowed
# B4 prefixes, and as the namespace's IPsec policy says; inner packets that
# are malformed, whose source cannot be a subscriber's, or whose destination
# no subscriber may reach, are dropped and counted; traffic from the
# internet to a pool address and port with no mapping is dropped and reaches
# no B4. Packets for other tunnels pass on to ip6_tunnel untouched. Picture
# in topology.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd socat python3 ping

SEND=$TOP/selftests/softwire_send.py
PROBE=$TOP/selftests/udp_probe.py
scratch=/tmp/admission-$$
at_exit "rm -f $scratch.*"

setup "the DS-Lite topology comes up, the instance unconfigured" dslite_topology unconfigured
setup "echo servers listen" srv_echo_servers

# Unconfigured: the softwire's packets are not even claimed.
check_fails "no endpoint: B4 A reaches nothing" b4_pings "$B4A"
check "no endpoint: nothing was claimed" test "$(stat_of from-b4-packets)" = 0

aftr_run dev set aftr0 endpoint "$AFTR6"
check_fails "no allowed prefix: B4 A reaches nothing (no open relay)" b4_pings "$B4A"
check "no allowed prefix: the drop is counted as drop-b4-denied" \
	test "$(stat_of drop-b4-denied)" -gt 0

aftr_run b4 allow dev aftr0 "$ALLOWED"
check_fails "no pool: B4 A reaches nothing" b4_pings "$B4A"
check "no pool: the drop is counted as drop-pool-exhausted" \
	test "$(stat_of drop-pool-exhausted)" -gt 0

aftr_run pool add dev aftr0 "$POOL"
check "configured: B4 A reaches the server" b4_pings "$B4A"

# B4 X sits outside 2001:db8:100::/40.
denied=$(stat_of drop-b4-denied)
check_fails "B4 X, outside the allowed prefix, reaches nothing (6333-6)" b4_pings "$B4X"
check "B4 X's packets are counted as drop-b4-denied (6333-6)" \
	test "$(stat_of drop-b4-denied)" -gt "$denied"
check "B4 X got no binding" test "$(bindings_json b4 "$B4X6")" = "[]"
check "B4 A still works meanwhile" b4_pings "$B4A"

# Denying a prefix ends the bindings of the B4s it covered.
check "B4 A holds a binding" test "$(bindings_json b4 "$B4A6")" != "[]"
aftr_run b4 deny dev aftr0 "$ALLOWED"
check "denying the prefix ends B4 A's bindings" test "$(bindings_json b4 "$B4A6")" = "[]"
check_fails "and B4 A reaches nothing" b4_pings "$B4A"
aftr_run b4 allow dev aftr0 "$ALLOWED"

# stat_grows NAME COMMAND...: COMMAND makes counter NAME grow.
stat_grows() {
	local name=$1 before
	shift
	before=$(stat_of "$name")
	"$@" || return
	wait_until 10 stat_above "$name" "$before"
}

# Inner sources a subscriber can't have (6333-6).
for src in 0.1.2.3 127.0.0.1 224.0.0.5 255.255.255.255 192.0.0.1 198.51.100.3; do
	check "inner source $src is dropped as drop-bad-src (6333-6)" \
		stat_grows drop-bad-src in_ns "$B4A" "$SEND" "$AFTR6" udp "$src"
done
check "a valid hand-made packet passes (the sender is sound)" \
	stat_grows from-b4-translated in_ns "$B4A" "$SEND" "$AFTR6" udp

# Malformed inner headers.
# (An inner packet shorter than an IPv4 header never reaches us: tunnel6
# drops it first.)
for kind in bad-csum bad-ihl bad-len bad-version; do
	check "inner $kind is dropped as drop-bad-inner" \
		stat_grows drop-bad-inner in_ns "$B4A" "$SEND" "$AFTR6" "$kind"
done
check "inner GRE is dropped as drop-unsupp-proto" \
	stat_grows drop-unsupp-proto in_ns "$B4A" "$SEND" "$AFTR6" gre

# Inner destinations no subscriber may reach (6333-6): this network,
# loopback, multicast, the limited broadcast and the broadcast of a subnet
# of the AFTR. A UDP socket of the AFTR itself, on all its addresses
# (127.0.0.1 too), hears none of them; it does hear the AFTR's own unicast
# address, which comes last: once that arrived, the others had their chance.
ip netns exec "$AFTR" "$PROBE" serve 9000 >"$scratch.heard" 2>&1 &
at_exit "kill $!"
setup "a UDP socket listens on the AFTR's port 9000" \
	wait_until 30 in_ns "$AFTR" sh -c 'ss -lun | grep -q ":9000 "'
for dst in 0.1.2.3 127.0.0.1 224.0.0.1 255.255.255.255 203.0.113.255; do
	check "inner destination $dst is dropped as drop-bad-dst (6333-6)" \
		stat_grows drop-bad-dst in_ns "$B4A" "$SEND" "$AFTR6" udp "$LAN_HOST" "$dst"
done
in_ns "$B4A" "$SEND" "$AFTR6" udp "$LAN_HOST" 203.0.113.1
check "the AFTR's socket hears a subscriber at its unicast address" \
	wait_until 10 grep -q . "$scratch.heard"
check "... and at none of the others (6333-6)" test "$(wc -l <"$scratch.heard")" = 1
diag <"$scratch.heard"

# IPsec policy applies to softwires as to any tunnel (RFC 4301): a policy
# of the AFTR's namespace that blocks B4 A's packets to the endpoint drops
# its softwire.
block() {
	ip -n "$AFTR" xfrm policy "$1" src "$B4A6/128" dst "$AFTR6/128" dir in \
		${2:+action "$2"}
}
setup "an IPsec policy blocks B4 A's packets to the endpoint" block add block
translated=$(stat_of from-b4-translated)
check "B4 A's softwire packet is dropped as drop-policy" \
	stat_grows drop-policy in_ns "$B4A" "$SEND" "$AFTR6" udp
check "... and not translated" test "$(stat_of from-b4-translated)" = "$translated"
block delete
check "after all that, B4 A still works" b4_pings "$B4A"

# From the internet to pool ports nobody holds (6333-7): dropped, counted,
# and no B4's tunnel receives a thing.
rx_packets() {
	ip -n "$1" -j -s link show dslite |
		python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])'
}
rx_a=$(rx_packets "$B4A") rx_b=$(rx_packets "$B4B")
unsolicited() {
	local port
	for port in 1024 2000 33333 40001 65535; do
		echo x | in_ns "$SRV" socat -u - "UDP:198.51.100.1:$port" || return
	done
}
check "unsolicited UDP to the pool is dropped as drop-no-binding (6333-7)" \
	stat_grows drop-no-binding unsolicited
tcp_syn() {
	in_ns "$SRV" socat -T 1 - TCP:198.51.100.2:4444,connect-timeout=1 </dev/null
	true
}
check "an unsolicited TCP SYN to the pool is dropped as drop-no-binding (6333-7)" \
	stat_grows drop-no-binding tcp_syn
check "no B4 tunnel received any of it" \
	test "$(rx_packets "$B4A") $(rx_packets "$B4B")" = "$rx_a $rx_b"

# A softwire to another local address is ip6_tunnel's business: an
# ordinary ip6tnl in the AFTR namespace beside aftr0 still works.
check "an ip6tnl to another local address works beside the AFTR" plain_tunnel
finish
