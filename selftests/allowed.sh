#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Allowed B4 prefixes at any number (issue 8, items 16 and 17; 6333-6):
# - 3000 prefixes are listed whole by dev show, text and JSON, although no
#   one message holds them (DEV_GET carries up to 64, ALLOWED_GET the rest),
#   and a dump of every instance still lists every instance;
# - the packet path finds a B4 in the last of them (a sorted search);
# - nested prefixes: with a /40 and a /48 inside it allowed, denying the /40
#   leaves the /48's B4s accepted and refuses those outside it.
# The picture is in topology.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd python3 socat ping

MANY=3000

setup "the DS-Lite topology comes up, the instance without allowed prefixes" \
	dslite_topology unconfigured
setup "endpoint and pool" eval \
	"aftr_run dev set aftr0 endpoint $AFTR6 && aftr_run pool add dev aftr0 $POOL"
setup "echo servers listen" srv_echo_servers

pings() {
	in_ns "$1" ping -c 1 -W 2 -I "$LAN_HOST" "$SRV_ADDR"
}

# $MANY /64s of 2001:db8:f000::/36 before B4 A's, allowed in one batch.
batch=$(mktemp)
at_exit "rm -f $batch"
python3 -c 'import ipaddress, sys
base = int(ipaddress.IPv6Address("2001:db8:f000::"))
for i in range(int(sys.argv[1])):
    print("b4 allow dev aftr0 %s/64" % ipaddress.IPv6Address(base + (i << 64)))' "$MANY" >"$batch"
echo "b4 allow dev aftr0 2001:db8:100::/64" >>"$batch"
check "$((MANY + 1)) prefixes allowed in one batch" aftr_run -batch "$batch"

allowed_json() {
	aftr_run -j dev show aftr0 | python3 -c 'import json, sys
print(len(json.load(sys.stdin)[0]["allowed"]))'
}
check "dev show -j lists all $((MANY + 1))" test "$(allowed_json)" = $((MANY + 1))
check "dev show lists all $((MANY + 1)) as text" \
	test "$(aftr_run dev show aftr0 | grep -o ' [0-9a-f:]*/64' | wc -l)" = $((MANY + 1))
ip -n "$AFTR" link add aftr1 type "$KIND"
check "a dump of every instance lists both" \
	test "$(aftr_run -j dev show | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" = 2
check "B4 A, in the last prefix allowed, reaches the server (6333-6)" pings "$B4A"
check "B4 B, in none of them, reaches nothing" not pings "$B4B"

# Nested prefixes.
setup "allow the /40 around both, and a /48 inside it" eval \
	"aftr_run b4 allow dev aftr0 $ALLOWED && aftr_run b4 allow dev aftr0 2001:db8:101::/48"
check "B4 B, in both, reaches the server" pings "$B4B"
check "deny the /40" aftr_run b4 deny dev aftr0 "$ALLOWED"
check "B4 B, still in the /48, reaches the server" pings "$B4B"
check "B4 A, in its /64, reaches the server" pings "$B4A"
check "deny B4 A's /64" aftr_run b4 deny dev aftr0 2001:db8:100::/64
check "B4 A, now in no allowed prefix, reaches nothing" not pings "$B4A"
finish
