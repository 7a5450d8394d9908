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
# PACKETS (default $FUZZ_PACKETS, else 200000) are split between the two
# passes. The seed is printed first: a failure is reproduced with it.
#
# The picture is in topology.sh, with the fuzz link of fuzz_link.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
. "$(dirname "$0")/packets.sh"
require_aftr
require_cmd python3 nstat tcpdump

seeded_options n packets "${FUZZ_PACKETS:-200000}" "$@"

ACCOUNTING=$TOP/selftests/accounting.py
[ -x "$PKT_FUZZ" ] || skip_all "no $PKT_FUZZ (make selftests?)"
scratch=/tmp/fuzz-packets-$$
mkdir -p "$scratch"
at_exit "rm -rf $scratch"

# The fuzz link, and lifetimes short enough that the fuzz B4s keep making
# new bindings rather than hitting their quota for most of a long run.
fuzz_topology() {
	dslite_topology && fuzz_link &&
	# The fuzzer's "fragmentation needed" errors would lower the server's
	# path MTU toward the pool below its 576-byte ICMP errors, which it
	# would then send in fragments: no fragment in pass 1 but pkt_fuzz's.
	in_ns "$SRV" sysctl -qw net.ipv4.ip_no_pmtu_disc=3 &&
	aftr_run dev set aftr0 timeout udp 20 timeout tcp-est 7200 \
		timeout tcp-trans 20 timeout icmp 20 &&
	srv_echo_servers &&
	bulk_server
}

stats() {
	aftr_run -j stats dev aftr0 >"$1"
}

# b4a_bindings: B4 A's bindings now, one more file for the leak check.
b4a_bindings() {
	aftr_run -j binding show dev aftr0 b4 "$B4A6" >"$scratch/b4a.$(date +%s%N)"
}

# b4a_watch: B4 A's bindings every second until b4a_watch_stop; a binding
# lives 20 s at least, so each one it ever had is in some file.
b4a_watch() {
	(while :; do b4a_bindings; sleep 1; done) &
	watcher=$!
	at_exit "kill $watcher"
}

b4a_watch_stop() {
	kill "$watcher"
	wait "$watcher" 2>/dev/null
	b4a_bindings
}

# backlog_drops: packets the kernel's input queues dropped, all CPUs (so
# the sending rate pkt_fuzz prints is also the rate the AFTR took).
backlog_drops() {
	local s=0 a b rest
	while read -r a b rest; do
		s=$((s + 16#$b))
	done </proc/net/softnet_stat
	echo $s
}

# fuzz_pass NAME PACKETS [pkt_fuzz ARGS]: one pass, with real traffic, then
# the counters checked once all is quiet.
fuzz_pass() {
	local name=$1 n=$2 reqds oks
	shift 2
	local drops=$(backlog_drops)
	stats "$scratch/$name.before"
	reqds=$(mib "$AFTR" IpReasmReqds) oks=$(mib "$AFTR" IpReasmOKs)
	b4a_watch
	b4_traffic "$B4A"
	check "$name: B4 A's real traffic flows" wait_until 30 stat_above to-b4-translated \
		"$(stat_of to-b4-translated)"
	pkt_fuzz -s "$seed" -n "$n" "$@" >"$scratch/$name.out" 2>&1
	check "$name: pkt_fuzz ran" test $? = 0
	diag <"$scratch/$name.out"
	echo "# dropped by the input queues meanwhile: $(( $(backlog_drops) - drops ))"
	b4_traffic_stop
	check "$name: the AFTR goes quiet" wait_until 60 aftr_quiet
	b4a_watch_stop
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
	ip netns exec "$B4A" "$BULK" up "$SRV_ADDR" $BULK_PORT 5 >"$scratch/up" 2>&1 &
	up=$!
	ip netns exec "$B4A" "$BULK" down "$SRV_ADDR" $BULK_PORT 5 >"$scratch/down" 2>&1 &
	down=$!
	wait $up $down
	# Their bindings may expire before the first pass's watcher starts:
	# the leak check must know them.
	b4a_bindings
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

aftr_freeze
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
