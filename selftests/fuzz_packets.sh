#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packet fuzzing: fuzz/pkt_fuzz sends malformed and random traffic into
# the softwire side (from 64 B4 addresses and a denied prefix) and into the
# IPv4 side (at the pool, mostly at the mappings it sees the AFTR use),
# while B4 A moves real TCP both ways (GSO trains through its ip6tnl and
# the AFTR), UDP and ICMP. Checks:
#   - the counters account for every packet the instance claims (the
#     identity is in accounting.py; exact in a first pass without
#     fragments, bounded by the fragments held in reassembly in a second
#     pass with them);
#   - nothing reaches a B4 but what belongs to its bindings: B4 A's
#     softwire delivers only packets of its own mappings, B4 B (silent)
#     and B4 X (denied) get nothing;
#   - the binding counts agree (dev show, binding show, b4 show, stats);
#   - and, through vm/run, no kernel report.
#
#	fuzz_packets.sh [-s SEED] [-n PACKETS]
#
# PACKETS (default $FUZZ_PACKETS, else 100000) are split between the two
# passes. The seed is printed first: a failure is reproduced with it.
#
#   B4 A, B4 B, B4 X, AFTR, server: as in topology.sh, plus
#   fuzz (ns $FUZ) 2001:db8:1ff::2 -- acc-fuzz 2001:db8:1ff::1 (AFTR)
#     pkt_fuzz sends from 2001:db8:1f0::/48 (allowed) and 2001:db8:300::/48
#     (denied), routed back to $FUZ, which drops what comes back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
. "$(dirname "$0")/packets.sh"
require_root
require_module
require_aftrctl
require_cmd python3 nstat tcpdump

seed=$(( $(date +%s) % 100000 )) packets=${FUZZ_PACKETS:-100000}
while getopts "s:n:" opt; do
	case $opt in
	s) seed=$OPTARG ;;
	n) packets=$OPTARG ;;
	*) echo "usage: $0 [-s SEED] [-n PACKETS]" >&2; exit $KSFT_FAIL ;;
	esac
done
echo "# seed $seed, $packets packets: rerun with $0 -s $seed -n $packets"

FUZZER=$TOP/selftests/build/fuzz/pkt_fuzz
ACCOUNTING=$TOP/selftests/accounting.py
BULK=$TOP/selftests/tcp_bulk.py
[ -x "$FUZZER" ] || skip_all "no $FUZZER (make selftests?)"
scratch=/tmp/fuzz-packets-$$
mkdir -p "$scratch"
at_exit "rm -rf $scratch"

mac_of() {
	ip -n "$1" link show "$2" | awk '/link\/ether/ { print $2 }'
}

# The fuzz link, long lifetimes (so that every mapping B4 A ever had is
# still listed at the end), and room for the outside hosts pkt_fuzz uses.
fuzz_topology() {
	dslite_topology || return
	ns_new FUZ || return
	veth_link "$FUZ" wire "$AFTR" acc-fuzz &&
	ip -n "$FUZ" -6 addr add 2001:db8:1ff::2/64 dev wire nodad &&
	ip -n "$AFTR" -6 addr add 2001:db8:1ff::1/64 dev acc-fuzz nodad &&
	ip -n "$AFTR" -6 route add 2001:db8:1f0::/48 via 2001:db8:1ff::2 &&
	ip -n "$AFTR" -6 route add 2001:db8:300::/48 via 2001:db8:1ff::2 &&
	ip -n "$FUZ" -6 route add blackhole 2001:db8:1f0::/48 &&
	ip -n "$FUZ" -6 route add blackhole 2001:db8:300::/48 &&
	ip -n "$AFTR" route add 192.0.2.0/24 via "$SRV_ADDR" &&
	# The fuzzer's "fragmentation needed" errors would lower the server's
	# path MTU toward the pool below its 576-byte ICMP errors, which it
	# would then send in fragments: no fragment in pass 1 but pkt_fuzz's.
	in_ns "$SRV" sysctl -qw net.ipv4.ip_no_pmtu_disc=3 &&
	aftr_run dev set aftr0 timeout udp 7200 timeout tcp-est 7200 \
		timeout tcp-trans 7200 timeout icmp 7200 max-bindings 256 &&
	srv_echo_servers &&
	srv_start "$BULK" serve "$SRV_ADDR" 5001 &&
	wait_until 30 in_ns "$SRV" sh -c 'ss -ltn | grep -q :5001'
}

# Real traffic from B4 A until real_traffic_stop: TCP up and down, UDP,
# ICMP. Started with ip itself, not in_ns: $! must be the program (ip execs
# it), not a subshell whose death would leave it running.
real_traffic() {
	ip netns exec "$B4A" "$BULK" up "$SRV_ADDR" 5001 3600 >/dev/null 2>&1 &
	real+=($!)
	ip netns exec "$B4A" "$BULK" down "$SRV_ADDR" 5001 3600 >/dev/null 2>&1 &
	real+=($!)
	ip netns exec "$B4A" ping -q -i 0.5 203.0.113.3 >/dev/null 2>&1 &
	real+=($!)
	(while :; do udp_seen "$B4A" 203.0.113.4; sleep 0.5; done) >/dev/null 2>&1 &
	real+=($!)
	at_exit "kill ${real[*]}"
}
real=()

real_traffic_stop() {
	kill "${real[@]}" 2>/dev/null
	wait "${real[@]}" 2>/dev/null
	real=()
}

stats() {
	aftr_run -j stats dev aftr0 >"$1"
}

# quiet: the counters stand still for a second (nothing in flight).
quiet() {
	local a b
	a=$(aftr_run stats dev aftr0) && sleep 1 && b=$(aftr_run stats dev aftr0) && [ "$a" = "$b" ]
}

# b4a_bindings: B4 A's bindings now, one more file for the leak check.
b4a_bindings() {
	aftr_run -j binding show dev aftr0 b4 "$B4A6" >"$scratch/b4a.$((nb4a++))"
}
nb4a=0

# fuzz_pass NAME PACKETS [pkt_fuzz ARGS]: one pass, with real traffic, then
# the counters checked once all is quiet.
fuzz_pass() {
	local name=$1 n=$2 reqds oks
	shift 2
	stats "$scratch/$name.before"
	reqds=$(mib "$AFTR" IpReasmReqds) oks=$(mib "$AFTR" IpReasmOKs)
	real_traffic
	check "$name: B4 A's real traffic flows" wait_until 30 stat_above to-b4-translated \
		"$(stat_of to-b4-translated)"
	b4a_bindings
	"$FUZZER" -s "$seed" -n "$n" "$@" --aftr "$AFTR6" \
		--b4-ns "$FUZ" --b4-if wire --b4-mac "$(mac_of "$AFTR" acc-fuzz)" \
		--b4-base 2001:db8:1f0:: --denied 2001:db8:300:: \
		--v4-ns "$SRV" --v4-if uplink --v4-mac "$(mac_of "$AFTR" uplink)" \
		--pool "$POOL" $(printf -- '--server %s ' $SRV_ADDRS) >"$scratch/$name.out" 2>&1
	check "$name: pkt_fuzz ran" test $? = 0
	diag <"$scratch/$name.out"
	b4a_bindings
	real_traffic_stop
	check "$name: the AFTR goes quiet" wait_until 60 quiet
	stats "$scratch/$name.after"
	reqds=$(( $(mib "$AFTR" IpReasmReqds) - reqds )) oks=$(( $(mib "$AFTR" IpReasmOKs) - oks ))
	check "$name: every claimed packet is translated, dropped and counted, or held" \
		python3 "$ACCOUNTING" packets "$scratch/$name.before" "$scratch/$name.after" \
		"$reqds" "$oks" ${exact:+--exact}
	python3 "$ACCOUNTING" packets "$scratch/$name.before" "$scratch/$name.after" \
		"$reqds" "$oks" | diag
}

setup "the DS-Lite topology with a fuzz link and servers" fuzz_topology

# Sniffers on the softwires of the real B4s: what their tunnels deliver.
sniffers=()
for b4 in B4A B4B B4X; do
	ip netns exec "${!b4}" tcpdump -i dslite -Q in -nn -s 200 -U -w "$scratch/$b4.pcap" \
		2>"$scratch/$b4.tcpdump" &
	at_exit "kill $!"
	sniffers+=($!)
done
for b4 in B4A B4B B4X; do
	wait_until 20 grep -q listening "$scratch/$b4.tcpdump"
done

# aftr0_counts: "rx-bytes rx-packets tx-bytes tx-packets" of aftr0.
aftr0_counts() {
	ip -n "$AFTR" -s -j link show aftr0 | python3 -c 'import json, sys
s = json.load(sys.stdin)[0]["stats64"]
print(s["rx"]["bytes"], s["rx"]["packets"], s["tx"]["bytes"], s["tx"]["packets"])'
}

# GSO: B4 A's bulk flows alone first, to see trains cross the AFTR whole.
gso_seen() {
	local before after up down rx rxp tx txp
	before=($(aftr0_counts))
	ip netns exec "$B4A" "$BULK" up "$SRV_ADDR" 5001 5 >"$scratch/up" 2>&1 &
	up=$!
	ip netns exec "$B4A" "$BULK" down "$SRV_ADDR" 5001 5 >"$scratch/down" 2>&1 &
	down=$!
	wait $up $down
	after=($(aftr0_counts))
	rx=$((after[0] - before[0])) rxp=$((after[1] - before[1]))
	tx=$((after[2] - before[2])) txp=$((after[3] - before[3]))
	echo "from B4 A: $rxp packets of $((rx / (rxp + !rxp))) bytes on average"
	echo "to B4 A: $txp packets of $((tx / (txp + !txp))) bytes on average"
	echo "upload $(cat "$scratch/up") bytes, download $(cat "$scratch/down") bytes"
	# Above the MTU on average: GSO trains were translated whole.
	[ $((rx / (rxp + !rxp))) -gt 1500 ]
}
gso_seen >"$scratch/gso"
check "B4 A's TCP upload crosses the AFTR in GSO trains" test $? = 0
diag <"$scratch/gso"

exact=1 fuzz_pass "pass 1 (no fragments)" $((packets / 2)) --no-fragments
exact= fuzz_pass "pass 2 (all kinds)" $((packets - packets / 2))

aftr_run -j dev show aftr0 >"$scratch/dev"
aftr_run -j b4 show dev aftr0 >"$scratch/b4s"
aftr_run -j binding show dev aftr0 >"$scratch/bindings"
stats "$scratch/stats"
check "binding counts agree (dev show, binding show, b4 show, created - expired)" \
	python3 "$ACCOUNTING" bindings "$scratch/dev" "$scratch/b4s" "$scratch/bindings" \
	"$scratch/stats"
python3 "$ACCOUNTING" bindings "$scratch/dev" "$scratch/b4s" "$scratch/bindings" \
	"$scratch/stats" | diag

b4a_bindings
kill "${sniffers[@]}" 2>/dev/null
sleep 1
check "B4 A's softwire delivered only packets of B4 A's bindings" \
	python3 "$ACCOUNTING" leaks "$scratch/B4A.pcap" "$scratch"/b4a.*
python3 "$ACCOUNTING" leaks "$scratch/B4A.pcap" "$scratch"/b4a.* | diag
echo '[]' >"$scratch/none"
check "B4 B, which never sent, got nothing" \
	python3 "$ACCOUNTING" leaks "$scratch/B4B.pcap" "$scratch/none"
check "B4 X, denied, got nothing" \
	python3 "$ACCOUNTING" leaks "$scratch/B4X.pcap" "$scratch/none"
finish
