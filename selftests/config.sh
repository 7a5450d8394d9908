#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The configuration file (aftrctl.conf(5)): "config apply" takes a whole
# file or nothing, keeps the bindings of what it does not change, and
# changes only what differs; "config dump" prints what apply takes back as
# a no-op; "config check" names every bad line without touching the kernel.
# B4s A and B of topology.sh make the bindings that must survive.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd socat python3

tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"

setup "the DS-Lite topology comes up, aftr0 unconfigured" dslite_topology unconfigured
setup "echo servers listen" srv_echo_servers

conf=$tmp/aftr0.conf
cat >"$conf" <<EOF
# the test's instance
dev aftr0
set endpoint $AFTR6
allow $ALLOWED   # B4s A and B
pool $POOL ports 1024-65535
det b4 2001:db8:300::/40 len 48 pool 198.51.100.128/28
static b4 $B4B6 proto tcp inner $LAN_HOST:22 outer 198.51.100.3:2222
set timeout udp 600
set max-bindings 2048
set mss-clamp 1400 dscp pipe icmp-rate 5 frag inner filtering address-dependent
EOF

apply() {
	aftr_run config apply "$@"
}

dump() {
	aftr_run config dump dev aftr0
}

# The state a refused apply must leave alone: configuration and bindings
# (without their countdown).
state() {
	dump && aftr_run -j binding show dev aftr0 | python3 -c '
import json, sys
for b in sorted(json.load(sys.stdin), key=lambda b: (b["outer-addr"], b["outer-port"])):
    b.pop("expires-ms", None)
    print(b)'
}

check "config check accepts the file" aftr_run config check "$conf"
# Quietly: the endpoint is a local address, nothing to warn of.
apply_quiet() {
	apply "$@" 2>"$tmp/err" && [ ! -s "$tmp/err" ] || { cat "$tmp/err"; false; }
}
check "config apply configures the unconfigured instance, quietly" apply_quiet "$conf"
dump >"$tmp/dump1"
diag <"$tmp/dump1"
has() {
	grep -qxF "$1" "$tmp/dump1"
}
check "dump: the pool, with its ports" has "pool $POOL ports 1024-65535"
check "dump: the det rule, its ports the default range" \
	has "det b4 2001:db8:300::/40 len 48 pool 198.51.100.128/28 ports 1024-65535"
check "dump: the static mapping" \
	has "static b4 $B4B6 inner $LAN_HOST:22 proto tcp outer 198.51.100.3:2222"
check "dump: the settings given, and the defaults of the others" \
	sh -c "grep -qxF 'set timeout udp 600' '$tmp/dump1' &&
	       grep -qxF 'set timeout icmp 60' '$tmp/dump1' &&
	       grep -qxF 'set endpoint $AFTR6' '$tmp/dump1'"
check "dump: the words of mss-clamp, dscp and frag, and the ICMP rate limit" \
	sh -c "grep -qxF 'set mss-clamp 1400' '$tmp/dump1' &&
	       grep -qxF 'set dscp pipe' '$tmp/dump1' &&
	       grep -qxF 'set frag inner' '$tmp/dump1' &&
	       grep -qxF 'set filtering address-dependent' '$tmp/dump1' &&
	       grep -qxF 'set icmp-rate 5' '$tmp/dump1' &&
	       grep -qxF 'set icmp-burst 20' '$tmp/dump1'"

# Bindings from both B4s, UDP and TCP.
traffic() {
	[ -n "$(udp_seen "$B4A" "$SRV_ADDR")" ] && [ -n "$(udp_seen "$B4B" "$SRV_ADDR")" ] &&
	[ -n "$(tcp_seen "$B4A" "$SRV_ADDR")" ]
}
setup "B4s A and B make bindings through the applied configuration" traffic
state >"$tmp/state1"
nbind=$(grep -c "'proto'" "$tmp/state1")
echo "# $nbind bindings (the static mapping's among them)"

# same_state: the state is still state1.
same_state() {
	state | cmp - "$tmp/state1"
}

# state_but OLD NEW: the state is state1 with line OLD of the dump now NEW.
state_but() {
	sed "s|^$1\$|$2|" "$tmp/state1" >"$tmp/want"
	state | diff "$tmp/want" -
}

dump_apply() {
	dump | apply - && same_state
}
check "dump | apply changes nothing and keeps all $nbind bindings" dump_apply
again() {
	apply "$conf" && same_state
}
check "applying the same file again is a no-op" again

limit() {
	sed 's/^set max-bindings 2048$/set max-bindings 4096/' "$conf" >"$tmp/limit.conf" &&
	apply "$tmp/limit.conf" && state_but 'set max-bindings 2048' 'set max-bindings 4096'
}
check "one limit changed: apply changes only it, every binding kept" limit
state >"$tmp/state1"

# A second pool, then its range changed: the first pool's bindings stay.
pool_added() {
	{ cat "$tmp/limit.conf"; echo "pool 198.51.100.16/28 ports 1024-2047"; } >"$tmp/pool.conf" &&
	apply "$tmp/pool.conf" &&
	dump | grep -qxF 'pool 198.51.100.16/28 ports 1024-2047' &&
	state | grep -v '^pool 198.51.100.16/28' | cmp - "$tmp/state1"
}
check "a pool added: the bindings of the others kept" pool_added
state >"$tmp/state1"
range() {
	sed 's|^pool 198.51.100.16/28 ports 1024-2047$|pool 198.51.100.16/28 ports 1024-4095|' \
		"$tmp/pool.conf" >"$tmp/range.conf" &&
	apply "$tmp/range.conf" &&
	state_but 'pool 198.51.100.16/28 ports 1024-2047' 'pool 198.51.100.16/28 ports 1024-4095'
}
check "that pool's range changed: only its line differs, bindings kept" range
state >"$tmp/state1"

# Refused files: a limit changed early, the error in the last line.
refused() {
	local file=$1 want=$2 out
	out=$(apply "$file" 2>&1)
	local rc=$?
	echo "$out"
	[ $rc != 0 ] && echo "$out" | grep -qF "$want" && same_state
}
{ sed 's/^set max-bindings 4096$/set max-bindings 8192/' "$tmp/range.conf"
  echo "pool 198.51.100.32/28 ports 1024-70000"; } >"$tmp/bad-syntax.conf"
last=$(wc -l <"$tmp/bad-syntax.conf")
check "an error in the last line: refused with file:line, nothing changed" \
	refused "$tmp/bad-syntax.conf" "bad-syntax.conf:$last:"
{ sed 's/^set max-bindings 4096$/set max-bindings 8192/' "$tmp/range.conf"
  echo "static b4 $B4A6 proto udp inner $LAN_HOST:53 outer 198.51.100.3:80"; } \
	>"$tmp/bad-kernel.conf"
last=$(wc -l <"$tmp/bad-kernel.conf")
check "the kernel refuses the last line: the changes before it undone, bindings kept" \
	refused "$tmp/bad-kernel.conf" "bad-kernel.conf:$last:"

printf 'dev aftr0\npool 10.0.0.0/8\nset timeout udp 0\nfrob\npool 192.0.2.0/24 ports 9-8\n' \
	>"$tmp/bad.conf"
every_line() {
	! aftr_run config check "$tmp/bad.conf" 2>"$tmp/err" &&
	cat "$tmp/err" && [ "$(grep -c 'bad.conf:[2-5]:' "$tmp/err")" = 4 ] && same_state
}
check "config check names every bad line, and changes nothing" every_line

grep -v '^det ' "$tmp/range.conf" >"$tmp/nodet.conf"
no_det() {
	apply "$tmp/nodet.conf" && ! dump | grep -q '^det '
}
check "a statement left out is removed: the det rule goes" no_det

nonlocal() {
	local out
	sed 's/^set endpoint .*/set endpoint 2001:db8::99/' "$tmp/nodet.conf" >"$tmp/nonlocal.conf" &&
	out=$(apply "$tmp/nonlocal.conf" 2>&1) && echo "$out" &&
	echo "$out" | grep -q "Warning: endpoint 2001:db8::99 is not a local address" &&
	dump | grep -qxF "set endpoint 2001:db8::99"
}
check "an endpoint that is no local address: applied, with a warning" nonlocal

grep -v '^dev ' "$conf" >"$tmp/nodev.conf"
check_fails "a file that names no device, and none given: refused" \
	aftr_run config check "$tmp/nodev.conf"
check "the device given on the command line" aftr_run config check "$tmp/nodev.conf" dev aftr0
check_fails "a file for aftr0 applied to another device: refused" \
	aftr_run config check "$conf" dev aftr1
check_fails "config dump of no such instance fails" aftr_run config dump dev aftr9

finish
