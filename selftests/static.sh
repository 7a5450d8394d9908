#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static mappings (CGN-7): port forwarding to a host behind a B4. B4s A and
# B (topology.sh) have the same LAN address and each runs a server on the
# same port; a static mapping for B4 B must bring a TCP connection from the
# IPv4 server to B4 B's host, with no outbound packet first, and show the
# server's real address to it. Mappings the pool cannot honour (address
# outside it, port outside its range or in use, unknown device) are refused
# and change nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd socat python3

OUTER=198.51.100.3
tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"

setup "the DS-Lite topology comes up" dslite_topology
setup "echo servers listen" srv_echo_servers

# lan_server NS NAME: a TCP server on the LAN host, port 22, that answers
# with NAME and the address it saw the client at.
lan_server() {
	ip netns exec "$1" socat "TCP-LISTEN:22,bind=$LAN_HOST,fork,reuseaddr" \
		SYSTEM:"echo $2 \$SOCAT_PEERADDR" >/dev/null 2>&1 &
	at_exit "kill $!"
}
lan_server "$B4A" b4a
lan_server "$B4B" b4b
setup "LAN servers listen behind both B4s" \
	wait_until 10 in_ns "$B4B" sh -c 'ss -ltn | grep -q :22'

# from_outside ADDR:PORT: what a TCP client on the server side is told.
from_outside() {
	in_ns "$SRV" socat -t 10 -T 10 - "TCP:$1" </dev/null
}

check_fails "no inbound connection before the mapping (no open port)" \
	sh -c "[ -n \"\$(ip netns exec '$SRV' socat -t 3 -T 3 - TCP:$OUTER:2222 </dev/null)\" ]"
check "static add: B4 B's 192.168.1.2:22 as $OUTER:2222" \
	aftr_run static add dev aftr0 b4 "$B4B6" proto tcp inner "$LAN_HOST:22" \
	outer "$OUTER:2222"

answer=$(from_outside "$OUTER:2222")
echo "# the server was answered: '$answer'"
check "an inbound connection reaches the host behind B4 B (CGN-7)" \
	test "${answer%% *}" = b4b
check "the host sees the server's own address" test "${answer#* }" = "$SRV_ADDR"

shown() {
	aftr_run -j static show dev aftr0 | python3 -c '
import json, sys
want = {"ifname": "aftr0", "proto": "tcp", "b4-addr": sys.argv[1], "inner-addr": sys.argv[2],
        "inner-port": 22, "outer-addr": sys.argv[3], "outer-port": 2222}
got = json.load(sys.stdin)
print(got)
sys.exit(got != [want])' "$B4B6" "$LAN_HOST" "$OUTER"
}
check "static show -j lists the mapping" shown
check "static show prints it as text" \
	sh -c "ip netns exec '$AFTR' '$AFTRCTL' static show | grep -q '$OUTER:2222'"

# B4 B now sends from its pinned address, and never from the static port.
out_seen() {
	local seen
	seen=$(tcp_seen "$B4B" "$SRV_ADDR" 2222)
	echo "B4 B from 192.168.1.2:2222 seen as $seen"
	[ "${seen%:*}" = "$OUTER" ] && [ "${seen#*:}" != 2222 ]
}
check "B4 B's own connections use its pinned address, not the static port" out_seen

# --- Refusals change nothing ----------------------------------------------
aftr_run -j static show >"$tmp/before"

refused() {
	local what=$1
	shift
	check "$what" refused_with "$@"
}
refused_with() {
	local err rc
	err=$(aftr_run "$@" 2>&1 >/dev/null)
	rc=$?
	echo "exit $rc: $err"
	[ $rc = 2 ] && [[ $err =~ ^Error:\  ]]
}
refused "an outer address outside every pool is refused" \
	static add dev aftr0 b4 "$B4A6" proto tcp inner "$LAN_HOST:22" outer 198.51.100.200:2222
refused "an outer port outside the pool's range is refused" \
	static add dev aftr0 b4 "$B4A6" proto tcp inner "$LAN_HOST:22" outer 198.51.100.4:80
refused "an outer port already mapped is refused" \
	static add dev aftr0 b4 "$B4B6" proto tcp inner "$LAN_HOST:80" outer "$OUTER:2222"
refused "a B4 pinned to another address is refused" \
	static add dev aftr0 b4 "$B4B6" proto tcp inner "$LAN_HOST:80" outer 198.51.100.4:3000
refused "an unknown device is refused" \
	static add dev nosuch0 b4 "$B4A6" proto tcp inner "$LAN_HOST:22" outer "$OUTER:2223"
refused "deleting a mapping that is not there is refused" \
	static del dev aftr0 proto udp outer "$OUTER:2222"

# A port a live binding holds: B4 A's connection shows which.
busy_port_refused() {
	local seen
	seen=$(tcp_seen "$B4A" "$SRV_ADDR" 5000)
	echo "B4 A seen as $seen"
	[ -n "$seen" ] || return
	refused_with static add dev aftr0 b4 "$B4A6" proto tcp inner "$LAN_HOST:23" \
		outer "$seen"
}
check "an outer port a live binding holds is refused" busy_port_refused
check "the refusals changed no mapping" \
	sh -c "ip netns exec '$AFTR' '$AFTRCTL' -j static show | cmp -s - '$tmp/before'"

# --- Deletion ---------------------------------------------------------------
check "static del removes the mapping" \
	aftr_run static del dev aftr0 proto tcp outer "$OUTER:2222"
check "static show is empty again" test "$(aftr_run -j static show dev aftr0)" = "[]"
check_fails "the port no longer leads inside" \
	sh -c "[ -n \"\$(ip netns exec '$SRV' socat -t 3 -T 3 - TCP:$OUTER:2222 </dev/null)\" ]"
finish
