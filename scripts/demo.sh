#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh: the narrated DS-Lite tour that `make demo` runs. On the host it
# boots the test guest (Debian's 6.1 kernel under QEMU; this machine's own
# kernel cannot load modules) and runs itself inside with --in-guest.
#
# Inside, it builds two homes with the same private LAN behind one AFTR,
# sends web, ping and UDP traffic from both to a server on the IPv4
# internet, and shows what the AFTR made of it. Every network is a
# namespace; every command is printed before it runs.
#
#   home A                                   the carrier         the internet
#   lan-a           b4-a                     aftr                internet
#   192.168.1.2 --- 192.168.1.1              2001:db8::1 (lo)
#                   2001:db8:100::a --- 2001:db8:100::1
#                          \== softwire ==> aftr0 (NAT44)
#                                           203.0.113.1 ------- 203.0.113.2
#                          /== softwire ==> pool 198.51.100.0/28  web :80
#                   2001:db8:101::b --- 2001:db8:101::1          UDP echo :7
#   192.168.1.2 --- 192.168.1.1
#   lan-b           b4-b
#   home B
#
# With --discovery (make demo DISCOVERY=1) the B4s are not told where the
# AFTR is: the carrier runs a DHCPv6 server (Kea) and a DNS server
# (dnsmasq), and each B4 runs tools/dslite-b4, which leases its address,
# learns the AFTR's name from option 64, resolves it and builds its
# softwire.
#
# It exits non-zero as soon as a step that must work fails, so it is also a
# smoke test of the whole data path.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

# --installed: in a guest, with the aftrctl and the module this system has
# installed (the packages' test, scripts/deb-install-test.sh).
discovery=
case ${1:-} in
--in-guest)
	PATH=$top/tools/aftrctl:$top/tools/dslite-b4:$PATH
	[ "${2:-}" != --discovery ] || discovery=1 ;;
--installed) ;;
--discovery | "")
	echo "demo: booting a QEMU guest with Debian's kernel; the tour runs inside it."
	exec "$top/selftests/vm/run" -t 600 -o "$top/build/demo" -- "$0" --in-guest ${1:-} ;;
*)
	echo "usage: $0 [--discovery]" >&2
	exit 2 ;;
esac
SERVER=203.0.113.2
POOL=198.51.100.0/28

# Narration: one line per argument, after a blank line.
say() {
	echo
	printf '### %s\n' "$@"
}

fail() {
	printf '\ndemo: FAILED: %s\n' "$*" >&2
	exit 1
}

# The command, as one would type it (no word has blanks or quotes).
show() {
	printf '+ %s\n' "$*"
}

run() {
	show "$@"
	"$@" || fail "$*"
}

# A server in the internet namespace, for the rest of the demo; what it
# prints goes to servers.log.
serve() {
	show ip netns exec internet "$@" \&
	ip netns exec internet "$@" >>servers.log 2>&1 &
	servers+=" $!"
}

# wait_listening {t|u} ADDR:PORT: waits for a server to listen, for up to a
# minute: under TCG on a busy machine, Python takes a while to start.
wait_listening() {
	local deadline=$((SECONDS + 60))
	until ip netns exec internet ss -Hln$1 src "$2" | grep -q .; do
		if [ $SECONDS -ge $deadline ]; then
			cat servers.log
			fail "nothing listens on $2"
		fi
		sleep 0.2
	done
}

# from_both_lans [--send TEXT] COMMAND...: COMMAND on the LAN hosts of both
# homes at the same time (fed TEXT on its standard input); then what each
# printed, one after the other, in $out/lan-a and $out/lan-b.
from_both_lans() {
	local send= ns status
	local -A pids
	if [ "$1" = --send ]; then
		send=$2
		shift 2
	fi
	for ns in lan-a lan-b; do
		if [ -n "$send" ]; then
			show echo "$send" \| ip netns exec $ns "$@" \&
			echo "$send" | ip netns exec $ns "$@" >"$out/$ns" 2>&1 &
		else
			show ip netns exec $ns "$@" \&
			ip netns exec $ns "$@" </dev/null >"$out/$ns" 2>&1 &
		fi
		pids[$ns]=$!
	done
	show wait
	for ns in lan-a lan-b; do
		status=0
		wait "${pids[$ns]}" || status=$?
		sed "s/^/$ns| /" "$out/$ns"
		[ $status = 0 ] || fail "$ns: $*"
	done
}

# home X B4ADDR: a home network: the LAN host lan-X, and its home router,
# the B4 b4-X, with IPv6 only towards the carrier.
home() {
	local x=$1 b4=$2
	local carrier=${b4%::*}::1

	run ip netns add lan-$x
	run ip netns add b4-$x
	run ip link add eth0 netns lan-$x type veth peer name lan netns b4-$x
	run ip -n lan-$x addr add 192.168.1.2/24 dev eth0
	run ip -n lan-$x link set eth0 up
	run ip -n lan-$x route add default via 192.168.1.1
	run ip -n b4-$x addr add 192.168.1.1/24 dev lan
	run ip -n b4-$x link set lan up
	run ip netns exec b4-$x sysctl -w net.ipv4.ip_forward=1

	run ip link add wan netns b4-$x type veth peer name home-$x netns aftr
	run ip -n aftr -6 addr add $carrier/64 dev home-$x nodad
	run ip -n aftr link set home-$x up
	if [ -n "$discovery" ]; then
		# Without DAD, the link-local address dhclient sends from is
		# there at once.
		run ip netns exec b4-$x sysctl -w net.ipv6.conf.wan.accept_dad=0
		run ip -n b4-$x link set wan up
		say "Its routes towards the carrier, which Router Advertisements would bring:"
		run ip -n b4-$x -6 route add ${b4%::*}::/64 dev wan
		run ip -n b4-$x -6 route add default via $carrier
		return
	fi
	run ip -n b4-$x -6 addr add $b4/64 dev wan nodad
	run ip -n b4-$x link set wan up
	run ip -n b4-$x -6 route add default via $carrier

	run ip -n b4-$x -6 tunnel add dslite mode ipip6 local $b4 remote 2001:db8::1
	run ip -n b4-$x link set dslite up
	run ip -n b4-$x route add default dev dslite
}

# in_aftr NAME COMMAND...: a daemon of the carrier's in the AFTR's
# namespace, for the rest of the demo; its output goes to NAME.log.
in_aftr() {
	local name=$1
	shift
	show ip netns exec aftr "$@" \>$name.log \&
	ip netns exec aftr "$@" >$name.log 2>&1 &
	servers+=" $!"
}

# carrier_servers: Kea's DHCPv6 server on both homes' access links, with
# option 64 naming the AFTR, and dnsmasq holding the name's AAAA.
carrier_servers() {
	say "The carrier tells B4s where the AFTR is: its DHCPv6 server, Kea, hands each B4" \
	    "an address (IA_NA) and a prefix for its LAN (IA_PD), the DNS server, and" \
	    "option 64, the AFTR-Name (RFC 6334): aftr.example.net."
	cat >kea.json <<-'EOF'
	{ "Dhcp6": {
	    "interfaces-config": { "interfaces": [ "home-a", "home-b" ] },
	    "server-id": { "type": "EN", "enterprise-id": 32473, "identifier": "6473",
	                   "persist": false },
	    "lease-database": { "type": "memfile", "persist": false },
	    "option-data": [
	        { "name": "dns-servers", "data": "2001:db8:53::53" },
	        { "name": "aftr-name", "data": "aftr.example.net" }
	    ],
	    "subnet6": [
	        { "id": 1, "subnet": "2001:db8:100::/64", "interface": "home-a",
	          "pools": [ { "pool": "2001:db8:100::a - 2001:db8:100::a" } ],
	          "pd-pools": [ { "prefix": "2001:db8:1100::", "prefix-len": 48,
	                          "delegated-len": 56 } ] },
	        { "id": 2, "subnet": "2001:db8:101::/64", "interface": "home-b",
	          "pools": [ { "pool": "2001:db8:101::b - 2001:db8:101::b" } ],
	          "pd-pools": [ { "prefix": "2001:db8:1101::", "prefix-len": 48,
	                          "delegated-len": 56 } ] }
	    ],
	    "loggers": [ { "name": "kea-dhcp6", "severity": "WARN",
	                   "output_options": [ { "output": "stdout" } ] } ]
	} }
	EOF
	run cat kea.json
	in_aftr kea env KEA_PIDFILE_DIR=. KEA_LOCKFILE_DIR=none kea-dhcp6 -c kea.json
	say "Its DNS server, dnsmasq on 2001:db8:53::53, knows the name's AAAA: the endpoint."
	run ip -n aftr -6 addr add 2001:db8:53::53/128 dev lo
	in_aftr dns dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
		--host-record=aftr.example.net,2001:db8::1 --listen-address=2001:db8:53::53 \
		--bind-interfaces --user=root --group=root --pid-file=$out/dnsmasq.pid
}

# b4_discovers X: the B4 of home X runs dslite-b4 on its WAN link; waits
# until it says its softwire is up, and shows what it said.
b4_discovers() {
	local x=$1 deadline=$((SECONDS + 120))
	show ip netns exec b4-$x dslite-b4 -d b4-$x -l lan wan \>b4-$x.log \&
	ip netns exec b4-$x dslite-b4 -d b4-$x -l lan wan >b4-$x.log 2>&1 &
	servers+=" $!"
	until grep -q 'softwire dslite up' b4-$x.log; do
		[ $SECONDS -lt $deadline ] || { cat b4-$x.log kea.log; fail "b4-$x: no softwire"; }
		sleep 0.5
	done
	sed "s/^/b4-$x| /" b4-$x.log
}

# seen_apart PATTERN: the server's answers to both homes match PATTERN (a
# pool address), yet differ: it saw each at its own address or port.
seen_apart() {
	grep -q "$1" "$out/lan-a" && grep -q "$1" "$out/lan-b" &&
		! cmp -s "$out/lan-a" "$out/lan-b"
}

out=$(mktemp -d)
servers=
cd "$out"

say "The kernel inside the guest is Debian's $(uname -r). Load the AFTR module:"
run modprobe dslite_aftr

say "The internet: a server at $SERVER, one hop behind the AFTR's uplink 203.0.113.1."
run ip netns add internet
run ip netns add aftr
run ip link add uplink netns aftr type veth peer name eth0 netns internet
run ip -n aftr addr add 203.0.113.1/24 dev uplink
run ip -n aftr link set uplink up
run ip -n internet addr add $SERVER/24 dev eth0
run ip -n internet link set eth0 up
run ip -n internet route add default via 203.0.113.1

say "On it, a web server whose page tells each visitor the address and port it came from:"
cat >web.py <<'EOF'
import http.server

class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = "Hello from 203.0.113.2! You came from %s port %d.\n" % self.client_address
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

http.server.ThreadingHTTPServer(("203.0.113.2", 80), Page).serve_forever()
EOF
run cat web.py
serve python3 web.py
say "And a UDP echo service: it answers with what it got and the address and port it saw:"
cat >echo.py <<'EOF'
import socket

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("203.0.113.2", 7))
while True:
    data, client = sock.recvfrom(2048)
    reply = "%s, seen as %s port %d\n" % (data.decode().strip(), *client)
    sock.sendto(reply.encode(), client)
EOF
run cat echo.py
serve python3 echo.py
wait_listening t $SERVER:80
wait_listening u $SERVER:7

say "The AFTR: softwires end at 2001:db8::1; the IPv4 pool $POOL is routed to aftr0," \
    "the module's device."
run ip netns exec aftr sysctl -w net.ipv4.ip_forward=1
run ip -n aftr link set lo up
run ip -n aftr -6 addr add 2001:db8::1/128 dev lo
run ip -n aftr link add aftr0 type dslite
run ip -n aftr link set aftr0 up
run ip -n aftr route add $POOL dev aftr0
say "aftrctl configures it over generic netlink (-n aftr: in the namespace aftr):"
run aftrctl -n aftr dev set aftr0 endpoint 2001:db8::1
run aftrctl -n aftr b4 allow dev aftr0 2001:db8:100::/40
run aftrctl -n aftr pool add dev aftr0 $POOL
run aftrctl -n aftr dev show

say "Home A: a LAN host at 192.168.1.2 behind its home router, the B4 (192.168.1.1)." \
    "The B4 has only IPv6 towards the carrier: its IPv4 default route goes into a" \
    "softwire, a standard Linux ipip6 tunnel to the AFTR. (nodad only saves time.)"
home a 2001:db8:100::a

say "Home B: the same, with the same LAN 192.168.1.0/24; only the B4's IPv6 address differs."
home b 2001:db8:101::b

if [ -n "$discovery" ]; then
	carrier_servers
	say "Each B4 runs dslite-b4: ISC dhclient asks for an address, a prefix, the DNS" \
	    "server and option 64; dslite-b4 resolves the name at that server from the" \
	    "leased address and brings up the ipip6 softwire to what it found, as 192.0.0.2."
	b4_discovers a
	b4_discovers b
	say "Home A's softwire, from its leased address to the AFTR's, and the first /64 of" \
	    "its delegated prefix on its LAN:"
	run ip -n b4-a addr show dev dslite
	run ip -n b4-a -6 addr show dev lan
fi

say "Web: both LAN hosts fetch the page at the same time."
from_both_lans curl -sS --max-time 20 http://$SERVER/
seen_apart 'came from 198\.51\.100\.' || fail "web: not both seen apart, at pool addresses"
say "The server saw them at pool addresses, never at 192.168.1.2: the AFTR translated."

say "Ping: from both LAN hosts."
from_both_lans ping -c 2 -i 0.5 -W 5 $SERVER

say "UDP: from both LAN hosts, both from 192.168.1.2 port 5000, the same source." \
    "(UDP has no end: socat waits its -t 5 seconds for answers, then stops.)"
from_both_lans --send hello socat -t 5 - UDP:$SERVER:7,bind=192.168.1.2:5000
seen_apart 'seen as 198\.51\.100\.' || fail "udp: not both seen apart, at pool addresses"
say "The same source twice, seen as two different ones outside: each reply went home."

say "The bindings, the AFTR's NAT table. Look at the udp lines: inner 192.168.1.2" \
    "port 5000 twice, told apart by the b4 column (the softwire's IPv6 source), each" \
    "mapped to an outer address and port pair of its own. For icmp, the inner port" \
    "is the ping identifier."
run aftrctl -n aftr binding show

say "The B4s: each has one outer IPv4 address for all its flows (paired pooling," \
    "RFC 6888 REQ-2), and takes its ports in blocks of 64: each B4's outer ports" \
    "above lie in its own block."
run aftrctl -n aftr b4 show

say "The pool: how many B4s use it, and how many of its port blocks are handed out."
run aftrctl -n aftr pool show

say "The counters: packets from and to the B4s' softwires, bindings and B4s created," \
    "and the drops (drop-*), all 0 here."
run aftrctl -n aftr stats

say "Clean up: stop the servers, delete aftr0 and the namespaces; then the module" \
    "unloads, leaving nothing behind."
run kill $servers
run ip -n aftr link del aftr0
for ns in lan-a b4-a lan-b b4-b aftr internet; do
	run ip netns del $ns
done
run modprobe -r dslite_aftr

say "That was the tour. make check runs every test, on Linux 6.1 and 6.12."
echo "demo: OK: two homes with one LAN 192.168.1.0/24 reached the internet through one AFTR"
