#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The external ports a B4 gets:
#  - NAT-4: an even inner port gets an even external port, an odd one odd;
#  - CGN-3: consecutive bindings do not get consecutive, or even rising,
#    external ports (they are drawn at random inside the B4's blocks);
#  - CGN-4: all of a B4's ports lie in as many aligned blocks of the
#    configured size as it holds, and it takes a new block only when the
#    ones it has are full.
# Picture in topology.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
. "$(dirname "$0")/packets.sh"
require_aftr
require_cmd python3

BLOCK=16
# The first port of the pool's range (topology.sh takes the default).
PORT_MIN=1024
scratch=/tmp/ports-$$
at_exit "rm -f $scratch.*"

setup "the DS-Lite topology comes up" dslite_topology
setup "ports come in blocks of $BLOCK" aftr_run dev set aftr0 block-size $BLOCK
setup "a UDP probe server listens" probe_server

# flows NS FIRST COUNT: COUNT UDP flows from consecutive inner ports, one
# after the other, asking for no answer.
flows() {
	probe "$1" "$SRV_ADDR:9000" "$(seq -s, "$2" $(($2 + $3 - 1)))" count=0
}

# ports B4ADDR: "inner-port outer-port outer-addr" for each UDP binding of
# the B4, by inner port.
ports() {
	aftr_run binding show dev aftr0 b4 "$1" proto udp |
		awk '$2 == "udp" { print $5, $7, $6 }' | sort -n
}

# blocks_of B4ADDR: the blocks its external ports fall in, "addr index" a
# line.
blocks_of() {
	ports "$1" | awk -v min=$PORT_MIN -v size=$BLOCK '{ print $3, int(($2 - min) / size) }' |
		sort -u
}

# block_count B4ADDR: the blocks the AFTR says the B4 holds.
block_count() {
	aftr_run -j b4 show dev aftr0 | python3 -c 'import json, sys
print(*(b["block-count"] for b in json.load(sys.stdin) if b["b4-addr"] == sys.argv[1]))' "$1"
}

flows "$B4A" 20000 20 && ports "$B4A6" >"$scratch.a"
diag <"$scratch.a"
check "20 flows, 20 bindings" test "$(wc -l <"$scratch.a")" = 20
check "every external port has its inner port's parity (NAT-4)" \
	awk '$1 % 2 != $2 % 2 { bad++ } END { exit bad || !NR }' "$scratch.a"
check "external ports are not handed out in sequence (CGN-3)" \
	awk 'NR > 1 && $2 - prev <= 2 && $2 > prev { seq++ } { prev = $2 }
	     END { exit seq >= 10 }' "$scratch.a"
check "external ports do not even rise with each binding (CGN-3)" \
	awk 'NR > 1 && $2 < prev { fell++ } { prev = $2 } END { exit !fell }' "$scratch.a"

flows "$B4B" 21000 40 && ports "$B4B6" >"$scratch.b"
blocks_of "$B4A6" >"$scratch.ablocks"
blocks_of "$B4B6" >"$scratch.bblocks"
echo "# B4 A's blocks: $(paste -sd, "$scratch.ablocks"); B4 B's: $(paste -sd, "$scratch.bblocks")"
check "B4 B: 40 flows, 40 bindings" test "$(wc -l <"$scratch.b")" = 40
check "B4 A's 20 ports lie in 2 blocks of $BLOCK, as many as it holds (CGN-4)" \
	test "$(wc -l <"$scratch.ablocks") $(block_count "$B4A6")" = "2 2"
check "B4 B's 40 ports lie in 3 blocks of $BLOCK, as many as it holds (CGN-4)" \
	test "$(wc -l <"$scratch.bblocks") $(block_count "$B4B6")" = "3 3"
check "no block is shared between the two B4s (CGN-4)" \
	test -z "$(comm -12 "$scratch.ablocks" "$scratch.bblocks")"
finish
