#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Pool utilisation thresholds (issue #11): "aftrctl monitor pool-threshold"
# raises one pool-threshold record when a pool's blocks in use reach a
# threshold, and one when they fall back below it by the hysteresis. The
# pool is one address with ports 1024-1535: 8 blocks of 64.
#
#   B4 A 130 flows     3 blocks  37.5 %   25 up
#   B4 B 70 flows      5 blocks  62.5 %   50 up, 60 up
#   B4 B flushed       3 blocks  37.5 %   60 down; 50 holds (hysteresis 15)
#   all flushed        0 blocks   0 %     25 down, 50 down
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd python3

tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"
TS='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z'
POOL1=198.51.100.0/32

setup "the DS-Lite topology comes up, unconfigured" dslite_topology unconfigured
setup "an endpoint, the allowed prefix, a pool of 8 blocks" sh -c "
	ip netns exec '$AFTR' '$AFTRCTL' dev set aftr0 endpoint $AFTR6 holddown 0 \
		max-new-rate 100000 &&
	ip netns exec '$AFTR' '$AFTRCTL' b4 allow dev aftr0 $ALLOWED &&
	ip netns exec '$AFTR' '$AFTRCTL' pool add dev aftr0 $POOL1 ports 1024-1535"

check "hysteresis needs a threshold" sh -c "'$AFTRCTL' monitor hysteresis 5 >/dev/null 2>&1; [ \$? = 1 ]"
check "a threshold is a percentage" sh -c "'$AFTRCTL' monitor pool-threshold 101 >/dev/null 2>&1; [ \$? = 1 ]"

setup "a JSON monitor with thresholds 25, 50, 60 listens" monitor json -j monitor \
	pool-threshold 25 pool-threshold 50 pool-threshold 60 hysteresis 15 interval 1
setup "a text monitor with threshold 25 listens" monitor text monitor pool-threshold 25 interval 1


# records THRESHOLD CROSSED [USED]: how many pool-threshold records of the
# JSON monitor say so (with USED blocks in use); each must be complete.
records() {
	python3 -c '
import json, re, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event"] != "pool-threshold":
        continue
    assert set(e) == {"time", "timestamp-ns", "event", "ifname", "pool", "threshold", "crossed",
                      "blocks-used", "blocks", "utilisation"}, e
    assert e["ifname"] == "aftr0" and e["pool"] == sys.argv[2] and e["blocks"] == 8, e
    assert e["utilisation"] == 100.0 * e["blocks-used"] / 8, e
    if e["threshold"] == int(sys.argv[3]) and e["crossed"] == sys.argv[4] and \
       (len(sys.argv) < 6 or e["blocks-used"] == int(sys.argv[5])):
        n += 1
print(n)' "$tmp/json" "$POOL1" "$@"
}
once() {
	[ "$(records "$@")" = 1 ]
}
none() {
	[ "$(records "$@")" = 0 ]
}
# all_once "THRESHOLD CROSSED [USED]"...: once, for each.
all_once() {
	local c
	for c; do
		once $c || return
	done
}

check "B4 A: 130 flows translated" flows "$B4A" 20000 130
# A read may come while the flows are half sent: 25 % is reached at 2
# blocks already, 50 % at 4; 60 % only at 5.
check "25 % crossed up once, at 2 or 3 blocks of 8" wait_until 30 once 25 up
check "text: the same record as KEY VALUE pairs" wait_until 10 grep -qE \
	"^\[$TS\] pool-threshold dev aftr0 pool $POOL1 threshold 25 crossed up blocks-used [23] blocks 8 utilisation (25\.0|37\.5)$" \
	"$tmp/text"
check "B4 B: 70 flows translated" flows "$B4B" 20000 70
check "50 % and 60 % crossed up (60 % at 5 blocks)" wait_until 30 all_once "50 up" "60 up 5"
check "25 % was raised once, however many reads came since" once 25 up
check "B4 B's bindings flushed" aftr_run binding flush dev aftr0 b4 "$B4B6"
check "60 % crossed down at 3 blocks (below 60 - 15)" wait_until 30 once 60 down 3
check "... in the same read, 50 % held: 37.5 is within its hysteresis" none 50 down
check "every binding flushed" aftr_run binding flush dev aftr0
check "25 % and 50 % crossed down at 0 blocks" wait_until 30 all_once "25 down 0" "50 down 0"
check "each threshold crossed each way once" \
	all_once "25 up" "25 down" "50 up" "50 down" "60 up" "60 down"
check "no monitor reported an error" sh -c "! grep -q . '$tmp/json.err' '$tmp/text.err'"
[ $tap_failed = 0 ] || diag <"$tmp/json"
finish
