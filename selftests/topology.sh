# SPDX-License-Identifier: GPL-2.0
#
# topology.sh: the DS-Lite network the data-plane tests share. Source it
# after lib.sh and call `dslite_topology`.
#
#   B4 A (ns $B4A)                                      server (ns $SRV)
#     lan 192.168.1.2/24                                  203.0.113.2/24
#     dslite: ipip6 2001:db8:100::a -> 2001:db8::1        203.0.113.3, .4
#     2001:db8:100::a/64 --+                                    |
#                          |   AFTR (ns $AFTR)                  |
#                          +-- 2001:db8:100::1/64    203.0.113.1/24
#                              2001:db8::1 (lo, endpoint)
#                              aftr0 <- route 198.51.100.0/28 (the pool)
#                          +-- 2001:db8:101::1/64
#   B4 B (ns $B4B)         |   2001:db8:200::1/64 --+
#     lan 192.168.1.2/24   |                        |   B4 X (ns $B4X)
#     2001:db8:101::b/64 --+                        +-- 2001:db8:200::c/64
#                                                       lan 192.168.1.2/24
#
# B4s A and B are inside the allowed prefix 2001:db8:100::/40 and share the
# same LAN address, as two home networks would; B4 X is outside it. Each B4
# is a real Linux ip6tnl in mode ipip6, built the standard way.

AFTR6=2001:db8::1
POOL=198.51.100.0/28
ALLOWED=2001:db8:100::/40
LAN_HOST=192.168.1.2
SRV_ADDR=203.0.113.2
SRV_ADDRS="203.0.113.2 203.0.113.3 203.0.113.4"
B4A6=2001:db8:100::a
B4B6=2001:db8:101::b
B4X6=2001:db8:200::c

# veth_link NS1 NAME1 NS2 NAME2: a veth pair between two namespaces.
veth_link() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" &&
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

# b4_add VAR B4ADDR ACCESSNET: a B4 namespace behind its own access link.
b4_add() {
	local var=$1 addr=$2 net=$3 ns
	ns_new "$var" || return
	ns=${!var}
	veth_link "$ns" access "$AFTR" "acc-$var" &&
	ip -n "$ns" -6 addr add "$addr/64" dev access nodad &&
	ip -n "$AFTR" -6 addr add "$net::1/64" dev "acc-$var" nodad &&
	ip -n "$ns" -6 route add "$AFTR6" via "$net::1" &&
	ip -n "$ns" link add lan type dummy &&
	ip -n "$ns" link set lan up &&
	ip -n "$ns" addr add "$LAN_HOST/24" dev lan &&
	ip -n "$ns" -6 tunnel add dslite mode ipip6 local "$addr" remote "$AFTR6" &&
	ip -n "$ns" link set dslite up &&
	ip -n "$ns" route add default dev dslite src "$LAN_HOST"
}

# aftr_run ARGS...: aftrctl in the AFTR namespace.
aftr_run() {
	ip netns exec "$AFTR" "$AFTRCTL" "$@"
}

# aftr_refused RC PATTERN ARGS...: aftrctl ARGS in the AFTR namespace fails
# with exit status RC and an error matching the extended regex PATTERN.
aftr_refused() {
	local want=$1 pattern=$2 err rc
	shift 2
	err=$(aftr_run "$@" 2>&1 >/dev/null)
	rc=$?
	echo "exit $rc: $err"
	[ "$rc" = "$want" ] && [[ $err =~ $pattern ]]
}

# in_ns NS COMMAND...: a command in a namespace.
in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# uplink: the AFTR's IPv4 side, 203.0.113.1 on a link to the servers'
# addresses, which route back through it.
uplink() {
	local a
	veth_link "$AFTR" uplink "$SRV" uplink &&
	ip -n "$AFTR" addr add 203.0.113.1/24 dev uplink || return
	for a in $SRV_ADDRS; do
		ip -n "$SRV" addr add "$a/24" dev uplink || return
	done
	ip -n "$SRV" route add default via 203.0.113.1
}

# dslite_topology [unconfigured]: builds the picture above; the instance
# gets its endpoint, allowed prefix and pool unless told "unconfigured".
dslite_topology() {
	ns_new AFTR && ns_new SRV || return
	in_ns "$AFTR" sysctl -qw net.ipv4.ip_forward=1 &&
	ip -n "$AFTR" -6 addr add "$AFTR6/128" dev lo nodad &&
	uplink &&
	b4_add B4A "$B4A6" 2001:db8:100 &&
	b4_add B4B "$B4B6" 2001:db8:101 &&
	b4_add B4X "$B4X6" 2001:db8:200 &&
	ip -n "$AFTR" link add aftr0 type "$KIND" &&
	ip -n "$AFTR" link set aftr0 up &&
	ip -n "$AFTR" route add "$POOL" dev aftr0 || return
	[ "${1-}" = unconfigured ] && return
	aftr_run dev set aftr0 endpoint "$AFTR6" &&
	aftr_run b4 allow dev aftr0 "$ALLOWED" &&
	aftr_run pool add dev aftr0 "$POOL"
}

# joined PID: the process PID has a generic netlink socket in a group.
joined() {
	awk -v pid="$1" '$2 == 16 && $3 == pid && $4 != "00000000" { f = 1 } END { exit !f }' \
		"/proc/$1/net/netlink"
}

# monitor NAME ARGS...: "aftrctl ARGS" in the AFTR namespace, output in
# $tmp/NAME (appended to, so that truncating it works) and $tmp/NAME.err,
# killed at exit; waits until it listens.
monitor() {
	local name=$1
	shift
	ip netns exec "$AFTR" "$AFTRCTL" "$@" >>"$tmp/$name" 2>"$tmp/$name.err" &
	printf -v "pid_$name" %s $!
	at_exit "kill $!"
	wait_until 20 joined $!
}

# flows NS FIRST COUNT: COUNT UDP flows from the LAN host of B4 NS, from
# source ports FIRST on, to a server port nobody listens on (the NAT needs
# no answer).
flows() {
	in_ns "$1" "$TOP/selftests/flows.py" udp "$SRV_ADDR" 9999 "$2" "$3"
}

# b4_pings NS: the LAN host of B4 NS pings the server through its softwire.
b4_pings() {
	in_ns "$1" ping -c 1 -W 2 -I "$LAN_HOST" "$SRV_ADDR"
}

# plain_tunnel: an ordinary ip6tnl from the AFTR namespace (2001:db8::2,
# not an endpoint) to B4 B, carrying 10.99.0.0/30; succeeds when B4 B pings
# across it. Such a softwire is ip6_tunnel's business, not the AFTR's.
plain_tunnel() {
	ip -n "$AFTR" -6 addr add 2001:db8::2/128 dev lo nodad &&
	ip -n "$AFTR" -6 tunnel add plain mode ipip6 local 2001:db8::2 remote "$B4B6" &&
	ip -n "$AFTR" link set plain up &&
	ip -n "$AFTR" addr add 10.99.0.1/30 dev plain &&
	ip -n "$B4B" -6 route add 2001:db8::2 via 2001:db8:101::1 &&
	ip -n "$B4B" -6 tunnel add plain mode ipip6 local "$B4B6" remote 2001:db8::2 &&
	ip -n "$B4B" link set plain up &&
	ip -n "$B4B" addr add 10.99.0.2/30 dev plain &&
	plain_pings
}

# plain_pings: B4 B pings the AFTR namespace across plain_tunnel's ip6tnl.
plain_pings() {
	in_ns "$B4B" ping -c 1 -W 3 10.99.0.1
}

# srv_start COMMAND...: a server in the server namespace, killed at exit.
srv_start() {
	ip netns exec "$SRV" "$@" >/dev/null 2>&1 &
	at_exit "kill $!"
}

# srv_sink: a UDP sink on $SINK:$SINK_PORT that never answers, so no ICMP
# from the server muddles a B4's error queue.
SINK=203.0.113.4 SINK_PORT=9100
srv_sink() {
	srv_start python3 -c 'import socket, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("'$SINK'", '$SINK_PORT'))
time.sleep(3600)'
	wait_until 30 in_ns "$SRV" sh -c "ss -lun | grep -q :$SINK_PORT"
}

# Servers that answer with the address and port they saw the client at
# ("ADDR PORT": socat would take a colon for an option separator).
srv_echo_servers() {
	local a
	for a in $SRV_ADDRS; do
		srv_start socat -t 10 "TCP-LISTEN:8080,bind=$a,fork,reuseaddr" \
			SYSTEM:'echo $SOCAT_PEERADDR $SOCAT_PEERPORT'
	done
	srv_start "$TOP/selftests/udp_echo.py" 9000 $SRV_ADDRS
	wait_until 60 in_ns "$SRV" sh -c 'ss -ltn | grep -q :8080' &&
	wait_until 60 in_ns "$SRV" sh -c 'ss -lun | grep -q :9000'
}

# tcp_seen NS DST [SPORT]: what the TCP echo server at DST saw the client
# in NS as ("addr:port").
tcp_seen() {
	in_ns "$1" socat -t 10 -T 10 - "TCP:$2:8080${3:+,bind=$LAN_HOST:$3,reuseaddr}" </dev/null |
		tr ' ' :
}

# udp_seen NS DST [SPORT]: the same over UDP.
udp_seen() {
	echo x | in_ns "$1" socat -t 5 -T 5 - "UDP:$2:9000${3:+,bind=$LAN_HOST:$3}" |
		tr ' ' :
}

# stat_of NAME: one counter of aftr0, by the name aftrctl prints.
stat_of() {
	aftr_run stats dev aftr0 | awk -v name="$1" '$1 == name { print $2; n++ } END { exit !n }'
}

# stat_above NAME VALUE: counter NAME is above VALUE (for wait_until, which
# must re-read the counter on every poll).
stat_above() {
	test "$(stat_of "$1")" -gt "$2"
}

# setup DESCRIPTION COMMAND...: a step that must hold for the rest of the
# test to mean anything; run in this shell (check would run it in a
# subshell, losing the namespaces and servers it records), and the test
# ends at once if it fails.
setup() {
	local what=$1
	shift
	if "$@"; then
		ok "$what"
	else
		not_ok "$what"
		finish
	fi
}

# bindings_json [FILTER...]: the bindings of aftr0 as JSON.
bindings_json() {
	aftr_run -j binding show dev aftr0 "$@"
}

BULK=$TOP/selftests/tcp_bulk.py
BULK_PORT=5001

# bulk_server: tcp_bulk.py serving on the server, for b4_traffic.
bulk_server() {
	srv_start "$BULK" serve "$SRV_ADDR" $BULK_PORT &&
	wait_until 30 in_ns "$SRV" sh -c "ss -ltn | grep -q :$BULK_PORT"
}

# b4_traffic NS: real traffic from the B4 in NS until b4_traffic_stop:
# paced TCP up and down (GSO trains through its ip6tnl and the AFTR), a
# ping, and a UDP exchange with the echo servers (srv_echo_servers) every
# half second. Started with ip itself, not in_ns: $! must be the program
# (ip execs it), not a subshell whose death would leave it running.
b4_traffic() {
	local ns=$1
	ip netns exec "$ns" "$BULK" up "$SRV_ADDR" $BULK_PORT 86400 >/dev/null 2>&1 &
	b4_traffic_pids+=($!)
	ip netns exec "$ns" "$BULK" down "$SRV_ADDR" $BULK_PORT 86400 >/dev/null 2>&1 &
	b4_traffic_pids+=($!)
	ip netns exec "$ns" ping -q -i 0.5 203.0.113.3 >/dev/null 2>&1 &
	b4_traffic_pids+=($!)
	(while :; do udp_seen "$ns" 203.0.113.4; sleep 0.5; done) >/dev/null 2>&1 &
	b4_traffic_pids+=($!)
	at_exit "kill ${b4_traffic_pids[*]}"
}
b4_traffic_pids=()

b4_traffic_stop() {
	kill "${b4_traffic_pids[@]}" 2>/dev/null
	wait "${b4_traffic_pids[@]}" 2>/dev/null
	b4_traffic_pids=()
}

# aftr_quiet: the counters of aftr0 stand still for a second (nothing in
# flight), for wait_until.
aftr_quiet() {
	local a b
	a=$(aftr_run stats dev aftr0) && sleep 1 && b=$(aftr_run stats dev aftr0) && [ "$a" = "$b" ]
}

PKT_FUZZ=$TOP/selftests/build/fuzz/pkt_fuzz

# fuzz_link: a namespace $FUZ on a link of its own to the AFTR, whose
# packet socket sends as B4s in 2001:db8:1f0::/48 (allowed; B4 number N
# in 2001:db8:1f0:N::/64) and
# 2001:db8:300::/48 (denied); what the AFTR sends them is routed there and
# dropped. Outside hosts in 192.0.2.0/24 are routed to the server.
#
#   fuzz (ns $FUZ) wire 2001:db8:1ff::2 -- acc-fuzz 2001:db8:1ff::1 (AFTR)
fuzz_link() {
	ns_new FUZ &&
	veth_link "$FUZ" wire "$AFTR" acc-fuzz &&
	ip -n "$FUZ" -6 addr add 2001:db8:1ff::2/64 dev wire nodad &&
	ip -n "$AFTR" -6 addr add 2001:db8:1ff::1/64 dev acc-fuzz nodad &&
	ip -n "$AFTR" -6 route add 2001:db8:1f0::/48 via 2001:db8:1ff::2 &&
	ip -n "$AFTR" -6 route add 2001:db8:300::/48 via 2001:db8:1ff::2 &&
	ip -n "$FUZ" -6 route add blackhole 2001:db8:1f0::/48 &&
	ip -n "$FUZ" -6 route add blackhole 2001:db8:300::/48 &&
	ip -n "$AFTR" route add 192.0.2.0/24 via "$SRV_ADDR"
}

mac_of() {
	ip -n "$1" link show "$2" | awk '/link\/ether/ { print $2 }'
}

# pkt_fuzz ARGS...: fuzz/pkt_fuzz from the fuzz link and the server's.
pkt_fuzz() {
	"$PKT_FUZZ" "$@" --aftr "$AFTR6" \
		--b4-ns "$FUZ" --b4-if wire --b4-mac "$(mac_of "$AFTR" acc-fuzz)" \
		--b4-base 2001:db8:1f0:: --denied 2001:db8:300:: \
		--v4-ns "$SRV" --v4-if uplink --v4-mac "$(mac_of "$AFTR" uplink)" \
		--pool "$POOL" $(printf -- '--server %s ' $SRV_ADDRS)
}

# aftr_freeze: nothing of aftr0 expires or retires any more (for reading
# counts that must agree, in several dumps); set the timeouts again after.
aftr_freeze() {
	aftr_run dev set aftr0 timeout udp 604800 timeout tcp-est 604800 \
		timeout tcp-trans 604800 timeout icmp 604800 holddown 604800 &&
	sleep 1.1	# a sweep of the expiry worker under way ends
}
