#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Per-B4 limits (CGN-1, NAT-10): a B4 past its port blocks, its bindings or
# its rate of new bindings has the packet dropped and counted, and its LAN
# host gets ICMP type 3 code 13 from 192.0.0.1 through its softwire, while
# the other B4 keeps working, and keeps getting its own errors when one B4
# provokes errors without pause (the budget is per destination). Bad limit values are refused with a clear
# error and change nothing. The picture is in topology.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd socat python3

FLOWS=$TOP/selftests/flows.py
# What an ICMP "communication administratively prohibited" from the AFTR
# looks like in flows.py's report: origin ICMP (2), type 3, code 13.
PROHIBITED="2 3 13 192.0.0.1"

setup "the DS-Lite topology comes up" dslite_topology
setup "echo servers listen" srv_echo_servers
setup "a silent UDP sink" srv_sink

# The settings of aftr0, without its counts (bindings come and go).
settings() {
	aftr_run -j dev show aftr0 | python3 -c '
import json, sys
d = json.load(sys.stdin)[0]
print(sorted((k, str(v)) for k, v in d.items() if not k.endswith("-count")))'
}

# refused ARGS...: aftrctl dev set aftr0 ARGS fails with "Error: ..." and
# the settings stay as they were.
refused() {
	local before out
	before=$(settings) || return
	out=$(aftr_run dev set aftr0 "$@" 2>&1) && return 1
	echo "$out"
	echo "$out" | grep -q '^Error: ' && [ "$(settings)" = "$before" ]
}

for bad in "max-bindings 0" "max-bindings -1" "max-bindings 4294967296" "max-bindings many" \
	   "max-new-rate 0" "max-new-rate 1.5" "max-blocks 0" "max-blocks" \
	   "block-size 7" "block-size 4097" "max-bindings 5 block-size 7" \
	   "max-bindings 5 max-bindings 6"; do
	# shellcheck disable=SC2086 # the words are the arguments
	check "dev set $bad: an error, nothing changed" refused $bad
done

udp_count() {
	bindings_json b4 "$1" proto udp | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'
}

stat_grew() {
	[ "$(stat_of "$1")" -ge $(($2 + ${3:-1})) ]
}

# flows_from B4NS FIRST COUNT: COUNT UDP flows to the sink; the ICMP errors
# the LAN host got land in /tmp/limits-errors-$$.
flows_from() {
	in_ns "$1" python3 "$FLOWS" udp "$SINK" $SINK_PORT "$2" "$3" --errors 5 \
		>"/tmp/limits-errors-$$"
}
at_exit "rm -f /tmp/limits-errors-$$"

# got_prohibited SPORT: the LAN host's flow from SPORT got ICMP 3/13 from
# 192.0.0.1 (NAT-10, 6333-4).
got_prohibited() {
	cat "/tmp/limits-errors-$$"
	grep -qx "$1 $PROHIBITED" "/tmp/limits-errors-$$"
}

# --- port blocks: one block of 8 ports, the 9th flow has none ---
setup "one block of 8 ports per B4" aftr_run dev set aftr0 block-size 8 max-blocks 1
quota=$(stat_of drop-quota)
flows_from "$B4A" 7000 9
check "B4 A: 8 flows get the 8 ports of its block (CGN-1)" test "$(udp_count "$B4A6")" = 8
check "the 9th is refused and counted as drop-quota" stat_grew drop-quota "$quota"
check "and its sender gets ICMP 3/13 from 192.0.0.1 (NAT-10)" got_prohibited 7008
check "the first 8 got no error" not grep -q '^700[0-7] ' "/tmp/limits-errors-$$"
check "block-size can't change while B4s hold blocks: an error, nothing changed" \
	refused block-size 16

# --- bindings: at most 3 per B4 ---
setup "flush, 16 blocks, 3 bindings per B4" eval \
	"aftr_run binding flush dev aftr0 && aftr_run dev set aftr0 max-blocks 16 max-bindings 3"
quota=$(stat_of drop-quota)
flows_from "$B4A" 7100 5
check "B4 A: 3 of 5 flows get a binding (CGN-1)" test "$(udp_count "$B4A6")" = 3
check "the other 2 are counted as drop-quota" stat_grew drop-quota "$quota" 2
check "and the 4th flow's sender gets ICMP 3/13 from 192.0.0.1 (NAT-10)" got_prohibited 7103
check "as does the 5th's" got_prohibited 7104
check "B4 B meanwhile opens a new flow, answered (CGN-1)" \
	test -n "$(udp_seen "$B4B" "$SRV_ADDR" 7200)"
check "and has its binding" test "$(udp_count "$B4B6")" = 1
check "B4 A still can't open one" eval \
	"flows_from $B4A 7105 1 && got_prohibited 7105"

# --- the rate of new bindings: 2 a second per B4 ---
setup "flush, 100 bindings per B4, 2 new a second" eval \
	"aftr_run binding flush dev aftr0 && aftr_run dev set aftr0 max-bindings 100 max-new-rate 2"
rate=$(stat_of drop-rate)
flows_from "$B4A" 7300 10
n=$(udp_count "$B4A6")
echo "# $n of 10 flows sent at once got a binding"
check "a burst of 10 flows is cut short by the rate limit (CGN-1)" test "$n" -lt 10
check "the refusals are counted as drop-rate" stat_grew drop-rate "$rate"
check "and the last flow's sender gets ICMP 3/13 from 192.0.0.1 (NAT-10)" got_prohibited 7309

# --- one B4 provoking errors without pause spends its own ICMP budget ---
setup "flush, 1 binding per B4" eval \
	"aftr_run binding flush dev aftr0 && aftr_run dev set aftr0 max-bindings 1 max-new-rate 1000"
check "B4 B takes its one binding" test -n "$(udp_seen "$B4B" "$SRV_ADDR" 7400)"
ip netns exec "$B4A" python3 "$FLOWS" udp "$SINK" $SINK_PORT 20000 3000 --loop \
	>/dev/null 2>&1 &
flood=$!
at_exit "kill $flood"
limited=$(stat_of icmp-ratelimited)
check "B4 A, refused without pause, exhausts its ICMP budget (TUN-6)" \
	wait_until 30 stat_above icmp-ratelimited "$limited"
flows_from "$B4B" 7401 2
check "meanwhile B4 B's refused flows still get ICMP 3/13 (NAT-10)" got_prohibited 7401
check "each of them" got_prohibited 7402
kill $flood
finish
