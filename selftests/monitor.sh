#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# aftrctl monitor, the compliance log (CGN-4, CGN-6). Monitors in text,
# JSON and syslog form watch B4 A (topology.sh) take a port block and give
# it back; binding events appear only once the instance is told to send
# them; no line ever names a destination. A monitor that stops reading
# while events pour in must say that it lost some, then go on.
#
# It also measures what the compliance log costs per subscriber: the bytes
# of syslog lines for N connections from one B4 in deterministic mode, in
# port-block mode and with binding events (Documentation/accountability.rst
# quotes these numbers).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd socat python3

N=${VOLUME_CONNECTIONS:-100}
tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"

setup "the DS-Lite topology comes up" dslite_topology
if timeout 5 ip netns exec "$AFTR" "$AFTRCTL" monitor 2>&1 | grep -q 'sends no events'; then
	skip "events" "the module has no events group yet"
	echo "1..$tap_n"
	exit $KSFT_SKIP
fi
setup "short timeouts, no hold-down" \
	aftr_run dev set aftr0 timeout udp 2 holddown 0 max-new-rate 100000 \
	max-bindings 4000 max-blocks 64

setup "a text monitor listens" monitor text monitor
setup "a JSON monitor listens" monitor json -j monitor dev aftr0
setup "a syslog monitor listens" monitor syslog monitor syslog
in_ns "$AFTR" socat -u "UNIX-RECV:$tmp/log.sock" - >"$tmp/devlog" 2>/dev/null &
at_exit "kill $!"
setup "a syslog socket listens" wait_until 10 test -S "$tmp/log.sock"
setup "a monitor logging to that socket listens" \
	monitor socket monitor syslog "$tmp/log.sock"


# count FILE PATTERN: lines of FILE matching the extended regex PATTERN.
count() {
	grep -cE "$2" "$1"
}
has() {
	[ "$(count "$1" "$2")" -ge "${3:-1}" ]
}

# --- Block allocation and expiry, in every form --------------------------
TS='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z'
ADDR='198\.51\.100\.[0-9]+'
check "B4 A's first flow is translated" flows "$B4A" 20000 1
check "text: block-alloc for B4 A, its address and 64 ports" wait_until 20 has "$tmp/text" \
	"^\[$TS\] block-alloc dev aftr0 seq [0-9]+ b4 $B4A6 ext $ADDR ports [0-9]+-[0-9]+$"

json_has() {
	python3 -c '
import json, sys
want = sys.argv[2]
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event"] != want:
        continue
    assert set(e) == {"time", "timestamp-ns", "event", "ifname", "seq", "b4-addr",
                      "outer-addr", "port-min", "port-max"}, e
    assert e["ifname"] == "aftr0" and e["b4-addr"] == sys.argv[3], e
    assert e["port-max"] - e["port-min"] == 63 and e["timestamp-ns"] > 0, e
    assert e["seq"] > 0, e
    sys.exit(0)
sys.exit(1)' "$tmp/json" "$1" "$B4A6"
}
check "JSON: one object per line, with every field of block-alloc" \
	wait_until 10 json_has block-alloc
# The /dev/log form (RFC 3164): the tag, and every field as key=value.
HDR="<134>[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} aftrctl\[[0-9]+\]:"
KV="ifname=aftr0 seq=[0-9]+ b4-addr=$B4A6 outer-addr=$ADDR port-min=[0-9]+ port-max=[0-9]+"
check "syslog: an RFC 3164 line whose MSG holds every field" wait_until 10 has "$tmp/syslog" \
	"^$HDR event=block-alloc time=$TS $KV$"
check "syslog socket: the same line as a datagram" wait_until 10 has "$tmp/devlog" \
	"$HDR event=block-alloc time=$TS $KV"

check "text: block-free once B4 A's binding expired" wait_until 60 has "$tmp/text" \
	"^\[$TS\] block-free dev aftr0 seq [0-9]+ b4 $B4A6 ext $ADDR ports [0-9]+-[0-9]+$"
check "JSON: block-free with every field" wait_until 10 json_has block-free
check "syslog: block-free" wait_until 10 has "$tmp/syslog" \
	"^$HDR event=block-free time=$TS $KV$"
check "no binding event while binding events are off (the default)" \
	test "$(count "$tmp/text" binding-)" = 0

# --- Binding events, on request -------------------------------------------
check "dev set events-bindings 1" aftr_run dev set aftr0 events-bindings 1
check "dev show reports it" \
	sh -c "ip netns exec '$AFTR' '$AFTRCTL' dev show aftr0 | grep -q 'events-bindings 1'"
check "B4 A's next flow is translated" flows "$B4A" 20001 1
check "text: binding-create with protocol, inner and external endpoints" \
	wait_until 20 has "$tmp/text" \
	"^\[$TS\] binding-create dev aftr0 seq [0-9]+ b4 $B4A6 proto udp inner 192\.168\.1\.2:20001 ext $ADDR:[0-9]+$"
check "text: binding-expire after the UDP timeout" wait_until 60 has "$tmp/text" \
	"^\[$TS\] binding-expire dev aftr0 seq [0-9]+ b4 $B4A6 proto udp inner 192\.168\.1\.2:20001 ext $ADDR:[0-9]+$"
# The binding's external endpoint lies in the block taken just before it.
binding_in_block() {
	python3 -c '
import re, sys
block = None
for line in open(sys.argv[1]):
    m = re.search(r" block-alloc .* ext (\S+) ports (\d+)-(\d+)$", line)
    if m:
        block = m.group(1), int(m.group(2)), int(m.group(3))
    m = re.search(r" binding-create .* ext (\S+):(\d+)$", line)
    if m:
        print(block, line)
        sys.exit(not (block and block[2] - block[1] == 63 and m.group(1) == block[0] and
                      block[1] <= int(m.group(2)) <= block[2]))
sys.exit(1)' "$tmp/text"
}
check "the binding's external port is in B4 A's 64-port block, on its address" \
	binding_in_block
check "syslog: binding-create" wait_until 10 has "$tmp/syslog" \
	"^$HDR event=binding-create time=$TS ifname=aftr0 seq=[0-9]+ b4-addr=$B4A6 proto=udp inner-addr=192\.168\.1\.2 inner-port=20001 outer-addr=$ADDR outer-port=[0-9]+$"
check "no event names a destination (CGN-6)" \
	sh -c "! grep -l '203\.0\.113\.' '$tmp/text' '$tmp/json' '$tmp/syslog' '$tmp/devlog'"
check "no monitor lost anything so far" \
	sh -c "! grep -q . '$tmp/text.err' '$tmp/json.err' '$tmp/syslog.err' '$tmp/socket.err'"
check "dev set events-bindings 0" aftr_run dev set aftr0 events-bindings 0

# --- Log volume per subscriber ---------------------------------------------
# settled B4ADDR: B4ADDR has no binding left and gave back every block it
# took, as far as the text log says.
settled() {
	[ "$(bindings_json b4 "$1" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" = 0 ] &&
	[ "$(count "$tmp/text" " block-alloc dev aftr0 seq [0-9]+ b4 $1 ")" = \
	  "$(count "$tmp/text" " block-free dev aftr0 seq [0-9]+ b4 $1 ")" ]
}

# measure NAME NS B4ADDR FIRSTPORT: N flows from NS, from source ports
# FIRSTPORT on; once all of it ended, the lines and bytes the syslog
# monitor wrote about B4ADDR go to $tmp/volume-NAME and the TAP output.
measure() {
	local name=$1 ns=$2 b4=$3 lines bytes
	wait_until 120 settled "$b4" || return
	: >"$tmp/syslog"
	flows "$ns" "$4" "$N" || return
	wait_until 120 settled "$b4" || return
	read -r lines bytes <<<"$(grep -E "b4-addr=$b4( |$)" "$tmp/syslog" | wc -lc)"
	echo "# volume $name: $lines lines, $bytes bytes for $N connections"
	echo "$lines $bytes" >"$tmp/volume-$name"
}
lines_of() {
	cut -d' ' -f1 "$tmp/volume-$1"
}

# B4 B goes deterministic: its connections need no line at all.
setup "a det rule covers B4 B" aftr_run det add dev aftr0 b4 2001:db8:101::/48 len 56 \
	pool 198.51.100.64/26
ip -n "$AFTR" route add 198.51.100.64/26 dev aftr0
setup "deterministic mode: $N connections measured" measure det "$B4B" "$B4B6" 30000
# A det B4's range follows from its address (det lookup answers it): no
# line at all, however many connections (at most two are allowed here).
check "deterministic mode: no line per connection, at most its range's two" \
	test "$(lines_of det)" -le 2

# B4 A in block mode, binding events off: ceil(N / 64) blocks, each taken
# and given back.
setup "block mode: $N connections measured" measure blocks "$B4A" "$B4A6" 30000
blocks=$(((N + 63) / 64))
check "block mode: one line per block taken and one per block freed ($blocks each)" \
	test "$(lines_of blocks)" = $((2 * blocks))

check "dev set events-bindings 1" aftr_run dev set aftr0 events-bindings 1
setup "binding events: $N connections measured" measure bindings "$B4A" "$B4A6" 31000
check "binding events: a line per connection opened and one per connection ended" \
	test "$(lines_of bindings)" = $((2 * N + 2 * blocks))

# --- Loss is reported, not silent -----------------------------------------
setup "a monitor that will stall listens" monitor stalled monitor
kill -STOP "$pid_stalled"
flows "$B4A" 40000 2000
kill -CONT "$pid_stalled"
check "the stalled monitor warns that events were lost" \
	wait_until 30 has "$tmp/stalled.err" '^Warning: events were lost'
lines=$(wc -l <"$tmp/stalled")
# Fresh events after the warning, so there is something to go on with
# however quickly the backlog drained.
flows "$B4A" 45000 70
check "... and goes on printing events after the loss" \
	wait_until 60 sh -c "[ \$(wc -l <'$tmp/stalled') -gt $lines ]"
# Gap-free accounting: the events printed and the sizes of the gaps
# reported add up to every number from the first event to the last.
accounted() {
	python3 -c '
import re, sys
seqs, lost = [], 0
for line in open(sys.argv[1]):
    m = re.search(r" events-lost dev \S+ lost (\d+) first-seq (\d+)$", line)
    if m:
        lost += int(m.group(1))
        continue
    seqs.append(int(re.search(r" seq (\d+) ", line).group(1)))
print(len(seqs), "printed,", lost, "reported lost, numbers", seqs[0], "to", seqs[-1])
sys.exit(not (lost > 0 and seqs == sorted(seqs) and len(seqs) + lost == seqs[-1] - seqs[0] + 1))' \
		"$tmp/stalled"
}
check "the stalled monitor reports each gap's size: printed + lost = every number" accounted
check "the syslog monitor logs a gap as a warning line when it loses events" \
	sh -c "! grep -q lost '$tmp/syslog.err' || grep -qE '^<132>.* aftrctl\[[0-9]+\]: event=events-lost ' '$tmp/syslog'"

# --- Unload: the blocks still held are logged as freed ---------------------
# The instances die before the genl family goes, so the blocks they hold
# at the end reach the log too; without those lines the log would show B4
# A holding its block for ever (CGN-6).
b4_gone() {
	! aftr_run b4 show dev aftr0 | grep -qF " $1 "
}
setup "B4 A is gone once its flows ended" wait_until 60 b4_gone "$B4A6"
setup "long UDP timeout, no binding events" \
	aftr_run dev set aftr0 timeout udp 300 events-bindings 0
setup "a monitor listens until the module goes" monitor last monitor
check "B4 A's new flow is translated" flows "$B4A" 47000 1
check "... and takes a block" wait_until 20 has "$tmp/last" " block-alloc dev aftr0 seq [0-9]+ b4 $B4A6 "
# What a logger that starts now writes down: b4 show has the ports the
# last event gave B4 A (its one block), so the state needs no replay of
# the log (#11 item 4).
ranges_as_logged() {
	aftr_run -j b4 show dev aftr0 | python3 -c '
import json, sys
b4 = [b for b in json.load(sys.stdin) if b["b4-addr"] == sys.argv[2]]
e = [json.loads(line) for line in open(sys.argv[1])]
e = [x for x in e if x["event"] == "block-alloc" and x["b4-addr"] == sys.argv[2]]
have = [(r["port-min"], r["port-max"]) for r in b4[0]["port-range"]] if b4 else None
logged = [(x["port-min"], x["port-max"]) for x in e[-1:]]
print(have, logged)
sys.exit(not (have and have == logged and b4[0]["outer-addr"] == e[-1]["outer-addr"]))' \
		"$tmp/json" "$B4A6"
}
check "b4 show: B4 A's port range and address, as block-alloc logged them" \
	wait_until 10 ranges_as_logged
check "b4 show text: the range after the counts" \
	sh -c "ip netns exec '$AFTR' '$AFTRCTL' b4 show dev aftr0 |
		grep -qE ' $B4A6 .* [0-9]+ +[0-9]+ [0-9]+-[0-9]+\$'"
check "modprobe -r while B4 A holds it" module_unload
check "the monitor logged the block freed before the module went (CGN-6)" \
	wait_until 10 has "$tmp/last" " block-free dev aftr0 seq [0-9]+ b4 $B4A6 "
finish
