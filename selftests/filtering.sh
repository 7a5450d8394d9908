#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Filtering (NAT-2) and unsolicited SYNs (NAT-7), with real sockets on B4
# A's LAN host and on two Internet addresses, 203.0.113.2 and .3:
#  - in each mode, for UDP and TCP, the LAN host first sends to
#    203.0.113.2; then 203.0.113.2 from another port, and 203.0.113.3,
#    send to its external endpoint. Endpoint-independent filtering lets
#    both through; address-dependent only 203.0.113.2; address-and-port-
#    dependent neither. Refused packets are counted as drop-filtered.
#  - a refused SYN is held: its sender's connect() fails with "connection
#    refused" no sooner than 6 s after it, and the wire shows ICMP port
#    unreachable from the external address it was sent to.
#  - under address-and-port-dependent filtering, a simultaneous open (the
#    Internet host's SYN first, the LAN host's connect() a moment later)
#    opens the connection, and no port unreachable follows.
#  - a change of mode and a flush leave no permission in the cache.
# Picture in topology.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd socat python3 tcpdump

PEER=$TOP/selftests/udp_peer.py
OPEN=$TOP/selftests/tcp_open.py
tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"

setup "the DS-Lite topology comes up" dslite_topology
setup "echo servers listen" srv_echo_servers

# SYNs and ICMP on the servers' uplink, with times, for the whole test.
wire_start() {
	ip netns exec "$SRV" tcpdump -i uplink -nn -tt -l \
		'icmp or tcp[tcpflags] & tcp-syn != 0' >"$tmp/wire" 2>"$tmp/wire.err" &
	at_exit "kill $!"
	wait_until 20 grep -q listening "$tmp/wire.err"
}
setup "tcpdump watches the servers' uplink" wire_start

lines() {
	test "$(grep -c . "$1" 2>/dev/null)" -ge "$2"
}

# dot ADDR:PORT: as tcpdump writes it.
dot() {
	echo "${1%:*}.${1#*:}"
}

# udp_round MODE PORT: the LAN host's UDP port PORT asks 203.0.113.2:9000
# (the echo server), then listens while 203.0.113.2:9999 and
# 203.0.113.3:9999 send to its external endpoint; the senders it heard in
# $tmp/udp.MODE, after the external endpoint.
udp_round() {
	local out=$tmp/udp.$1 ext peer a
	in_ns "$B4A" "$PEER" "$LAN_HOST:$2" ask:203.0.113.2:9000 listen:8 >"$out" &
	peer=$!
	wait_until 30 lines "$out" 1 || return
	ext=$(sed -n 1p "$out")
	for a in 203.0.113.2 203.0.113.3; do
		echo x | in_ns "$SRV" socat -u - "UDP:${ext%:*}:${ext#*:},bind=$a:9999"
	done
	wait $peer
}

heard() {
	grep -qx "$2" "$tmp/udp.$1"
}

# tcp_round MODE PORT SPORT: the LAN host's TCP port PORT connects to the
# echo server on 203.0.113.2:8080 and then listens; 203.0.113.2 and
# 203.0.113.3 connect from port SPORT to its external endpoint at once.
# What each saw in $tmp/tcp.MODE.2 and .3 ("connected|refused SECS"), the
# external endpoint in $tmp/tcp.MODE.ext.
tcp_round() {
	local mode=$1 port=$2 sport=$3 ext listener a pids=()
	ext=$(tcp_seen "$B4A" 203.0.113.2 "$port")
	[ -n "$ext" ] || return
	echo "$ext" >"$tmp/tcp.$mode.ext"
	ip netns exec "$B4A" "$OPEN" listen "$LAN_HOST:$port" 40 >"$tmp/tcp.$mode.in" &
	listener=$!
	wait_until 20 in_ns "$B4A" sh -c "ss -ltn | grep -q '$LAN_HOST:$port '" || return
	for a in 2 3; do
		ip netns exec "$SRV" "$OPEN" connect "203.0.113.$a:$sport" "$ext" \
			>"$tmp/tcp.$mode.$a" &
		pids+=($!)
	done
	wait "${pids[@]}"
	kill $listener
	diag <"$tmp/tcp.$mode.2"
	diag <"$tmp/tcp.$mode.3"
}

# connected MODE N: 203.0.113.N's connection opened (data crossed).
connected() {
	grep -q '^connected' "$tmp/tcp.$1.$2"
}

# held_refused MODE N: 203.0.113.N's connect() was refused 6 s or more
# after it began (REQ-4: no answer for 6 s).
held_refused() {
	awk '$1 == "refused" && $2 >= 6 { f = 1 } END { exit !f }' "$tmp/tcp.$1.$2"
}

# unreach_after_6s MODE N SPORT: on the wire, 203.0.113.N's first SYN from
# SPORT to the external endpoint, and 6 s or more later port unreachable
# about it, from the external address.
unreach_after_6s() {
	local ext syn icmp
	ext=$(cat "$tmp/tcp.$1.ext")
	syn=$(awk -v s="203.0.113.$2.$3" -v d="$(dot "$ext"):" \
		'$3 == s && $5 == d && /Flags \[S\]/ { print $1; exit }' "$tmp/wire")
	icmp=$(awk -v s="${ext%:*}" -v d="203.0.113.$2:" -v port="${ext#*:}" \
		'$3 == s && $5 == d && $6 == "ICMP" && $7 == s && $9 == "port" && $10 == port &&
		 $11 == "unreachable," { print $1; exit }' "$tmp/wire")
	echo "# SYN at $syn, port unreachable at $icmp"
	[ -n "$syn" ] && [ -n "$icmp" ] &&
		awk -v a="$syn" -v b="$icmp" 'BEGIN { exit !(b - a >= 6) }'
}

# --- Endpoint-independent (the default) ----------------------------------
filtered=$(stat_of drop-filtered)
udp_round ei 6001
check "ei, udp: 203.0.113.2 from another port gets through (NAT-2)" heard ei 203.0.113.2:9999
check "ei, udp: 203.0.113.3, never sent to, gets through (NAT-2)" heard ei 203.0.113.3:9999
tcp_round ei 6101 7001
check "ei, tcp: 203.0.113.2 from another port connects (NAT-2)" connected ei 2
check "ei, tcp: 203.0.113.3, never sent to, connects (NAT-2)" connected ei 3
check "ei: nothing counted as drop-filtered" test "$(stat_of drop-filtered)" -eq "$filtered"

# --- Address-dependent ------------------------------------------------------
setup "filtering address-dependent" aftr_run dev set aftr0 filtering address-dependent
filtered=$(stat_of drop-filtered)
udp_round ad 6002
check "ad, udp: 203.0.113.2 from another port gets through (NAT-2)" heard ad 203.0.113.2:9999
check_fails "ad, udp: 203.0.113.3, never sent to, is filtered (NAT-2)" heard ad 203.0.113.3:9999
tcp_round ad 6102 7002
check "ad, tcp: 203.0.113.2 from another port connects (NAT-2)" connected ad 2
check "ad, tcp: 203.0.113.3's SYN is held 6 s, then refused (NAT-2, NAT-7)" held_refused ad 3
check "ad, tcp: the wire shows port unreachable 6 s after the SYN (NAT-7)" \
	unreach_after_6s ad 3 7002
check "ad: refused packets counted as drop-filtered" stat_above drop-filtered "$filtered"

# --- Address-and-port-dependent ---------------------------------------------
setup "filtering address-port-dependent" aftr_run dev set aftr0 filtering address-port-dependent
filtered=$(stat_of drop-filtered)
udp_round apd 6003
check "apd, udp: the echo server's answer gets through (NAT-2)" \
	grep -q '^198\.51\.100\.' "$tmp/udp.apd"
check_fails "apd, udp: 203.0.113.2 from another port is filtered (NAT-2)" \
	heard apd 203.0.113.2:9999
check_fails "apd, udp: 203.0.113.3 is filtered (NAT-2)" heard apd 203.0.113.3:9999
tcp_round apd 6103 7003
check "apd, tcp: 203.0.113.2 from another port is held 6 s, then refused (NAT-7)" \
	held_refused apd 2
check "apd, tcp: 203.0.113.3 is held 6 s, then refused (NAT-7)" held_refused apd 3
check "apd, tcp: the wire shows port unreachable 6 s after the SYN (NAT-7)" \
	unreach_after_6s apd 2 7003
check "apd: refused packets counted as drop-filtered" stat_above drop-filtered "$filtered"
check_fails "apd, tcp: the LAN host accepted nothing" grep -q . "$tmp/tcp.apd.in"

# --- Simultaneous open under address-and-port-dependent filtering -----------
# The Internet host's SYN comes first and is held; the LAN host's SYN to
# it ends the hold, and the two SYNs open the connection (RFC 5382 REQ-5).
# The LAN host's socket waits, bound, for its signal: started only when
# the SYN is seen, Python could come up after the hold's 6 s.
ext=$(tcp_seen "$B4A" 203.0.113.2 6400)
diag "the LAN host's port 6400 is $ext outside"
in_ns "$B4A" "$OPEN" connect "$LAN_HOST:6400" 203.0.113.3:7100 "$tmp/go" >"$tmp/simul.in" &
inside=$!
setup "simultaneous open: the LAN host's socket is bound and waits" \
	wait_until 30 grep -q '^waiting' "$tmp/simul.in"
ip netns exec "$SRV" "$OPEN" connect 203.0.113.3:7100 "$ext" >"$tmp/simul.out" &
outside=$!
syn_seen() {
	grep -q "203\.0\.113\.3\.7100 > $(dot "$ext"): Flags \[S\]" "$tmp/wire"
}
setup "simultaneous open: the Internet host's SYN is on the wire" wait_until 20 syn_seen
start=$SECONDS
touch "$tmp/go"
wait $inside $outside
diag <"$tmp/simul.out"
diag <"$tmp/simul.in"
check "simultaneous open: the LAN host's connect() opens (NAT-7)" \
	grep -q '^connected' "$tmp/simul.in"
check "simultaneous open: the Internet host's connect() opens (NAT-7)" \
	grep -q '^connected' "$tmp/simul.out"
# Absence needs the time the hold would have taken, and some more.
sleep $((9 - (SECONDS - start) > 0 ? 9 - (SECONDS - start) : 0))
check_fails "simultaneous open: no port unreachable about the held SYN (NAT-7)" \
	grep -q "> 203\.0\.113\.3: ICMP ${ext%:*} tcp port ${ext#*:} unreachable" "$tmp/wire"

# --- Nothing kept when nothing needs it ------------------------------------
permits_left() {
	test "$(slab_objects dslite_aftr_permit)" -eq "$1"
}
check "the strict modes keep permissions" test "$(slab_objects dslite_aftr_permit)" -gt 0
check "binding flush drops them with the bindings" \
	eval 'aftr_run binding flush dev aftr0 && wait_until 20 permits_left 0'
udp_round apd2 6004
check "... which come back with traffic" test "$(slab_objects dslite_aftr_permit)" -gt 0
check "a change of mode drops every permission" \
	eval 'aftr_run dev set aftr0 filtering endpoint-independent &&
	      wait_until 20 permits_left 0'
finish
