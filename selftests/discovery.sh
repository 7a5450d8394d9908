#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# B4 discovery end to end, with real servers (issue #11): the carrier runs
# Kea's DHCPv6 server (IA_NA, IA_PD, DNS servers and, once it offers
# DS-Lite, option 64 aftr-name) and dnsmasq holding the AFTR-Name's AAAA;
# the home router runs tools/dslite-b4, whose ISC dhclient asks for all of
# it. The test judges the B4 by what it did: the address and prefix it
# took, the softwire it built, and IPv4 from its LAN host reaching the
# internet through aftr0.
#
#   LAN host (ns $LAN)   B4 (ns $B4)               carrier: AFTR (ns $AFTR)    server (ns $SRV)
#   192.168.1.2/24 ----- lan 192.168.1.1/24        lo 2001:db8::1, ::2 (endpoints)
#                            2001:db8:1100::1/64   lo 2001:db8:53::53 (dnsmasq)
#                              (delegated)         Kea on acc
#                        wan 2001:db8:100::1xx --- acc 2001:db8:100::1/64
#                              (leased)            aftr0, pool 198.51.100.0/28
#                        dslite =================> 203.0.113.1 ----------- 203.0.113.2-4
#
# The lease changes under the B4 three times, at its renewals (every 2 s):
#   1. Kea offers no option 64: the B4 has a lease, and no softwire;
#   2. option 64 names aftr.example.net (2001:db8::1): the softwire comes up;
#   3. it names aftr2.example.net (2001:db8::2), where the AFTR moved: the
#      B4 resolves again and recreates the softwire.
#
# discovery.sh --no-option-64 never gives Kea option 64: the B4 must then
# never build a softwire, so the checks of 2 and 3 fail, and so does the
# test (the proof that it depends on option 64).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd kea-dhcp6 dnsmasq dhclient dig socat python3 ping

no_option_64=
case ${1:-} in
--no-option-64) no_option_64=1 ;;
"") ;;
*) echo "usage: $0 [--no-option-64]" >&2; exit "$KSFT_FAIL" ;;
esac

B4_SCRIPT=$TOP/tools/dslite-b4/dslite-b4
DNS6=2001:db8:53::53
AFTR6_MOVED=2001:db8::2
PREFIX_LAN=2001:db8:1100::1/64

tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"

# kea_conf [AFTR_NAME]: Kea's configuration, with option 64 when a name is
# given (and not --no-option-64). Short timers: the B4 renews every 2 s,
# so a change of the configuration reaches it at once. The server-id is
# fixed, or a reload would make a new one and the renewals go astray.
kea_conf() {
	local name=${1-} option_64=
	[ -n "$no_option_64" ] || [ -z "$name" ] ||
		option_64="{ \"name\": \"aftr-name\", \"data\": \"$name\" }"
	cat >"$tmp/kea.json" <<-EOF
	{ "Dhcp6": {
		"interfaces-config": { "interfaces": [ "acc" ] },
		"server-id": { "type": "EN", "enterprise-id": 32473,
			"identifier": "6473", "persist": false },
		"lease-database": { "type": "memfile", "persist": false },
		"renew-timer": 2, "rebind-timer": 4,
		"preferred-lifetime": 60, "valid-lifetime": 120,
		"option-data": [ { "name": "dns-servers", "data": "$DNS6" } ],
		"subnet6": [ {
			"id": 1, "subnet": "2001:db8:100::/64", "interface": "acc",
			"pools": [ { "pool": "2001:db8:100::100 - 2001:db8:100::1ff" } ],
			"pd-pools": [ { "prefix": "2001:db8:1100::", "prefix-len": 40,
				"delegated-len": 56 } ],
			"option-data": [ $option_64 ]
		} ],
		"loggers": [ { "name": "kea-dhcp6", "severity": "INFO",
			"output_options": [ { "output": "stdout" } ] } ]
	} }
	EOF
}

kea_reloads() {
	grep -c DHCP6_DYNAMIC_RECONFIGURATION_SUCCESS "$tmp/kea.log"
}

kea_reloaded_since() {
	[ "$(kea_reloads)" -gt "$1" ]
}

# offering NAME: what Kea's configuration now offers, for the output.
offering() {
	if [ -n "$no_option_64" ]; then
		echo "still no option 64 (--no-option-64)"
	else
		echo "option 64 aftr-name $1"
	fi
}

# kea_reload [AFTR_NAME]: Kea takes the new configuration (SIGHUP).
kea_reload() {
	local before
	before=$(kea_reloads)
	kea_conf "$@" && kill -HUP "$kea" &&
	wait_until 30 kea_reloaded_since "$before"
}

# The carrier: the AFTR's namespace routes the access network, so the
# DHCPv6 server sits on the access link and the DNS server on a loopback
# address, as a BNG and a resolver would.
carrier() {
	ns_new AFTR && ns_new SRV && ns_new B4 && ns_new LAN || return
	in_ns "$AFTR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.default.accept_dad=0 &&
	in_ns "$B4" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.default.accept_dad=0 &&
	ip -n "$AFTR" -6 addr add "$AFTR6/128" dev lo &&
	ip -n "$AFTR" -6 addr add "$AFTR6_MOVED/128" dev lo &&
	ip -n "$AFTR" -6 addr add "$DNS6/128" dev lo &&
	uplink &&
	veth_link "$B4" wan "$AFTR" acc &&
	ip -n "$AFTR" -6 addr add 2001:db8:100::1/64 dev acc &&
	veth_link "$LAN" eth0 "$B4" lan &&
	ip -n "$LAN" addr add "$LAN_HOST/24" dev eth0 &&
	ip -n "$LAN" route add default via 192.168.1.1 &&
	ip -n "$B4" addr add 192.168.1.1/24 dev lan &&
	# What the access router's Router Advertisements would give.
	ip -n "$B4" -6 route add 2001:db8:100::/64 dev wan &&
	ip -n "$B4" -6 route add default via 2001:db8:100::1 &&
	ip -n "$AFTR" link add aftr0 type "$KIND" &&
	ip -n "$AFTR" link set aftr0 up &&
	ip -n "$AFTR" route add "$POOL" dev aftr0 &&
	aftr_run dev set aftr0 endpoint "$AFTR6" &&
	aftr_run b4 allow dev aftr0 "$ALLOWED" &&
	aftr_run pool add dev aftr0 "$POOL"
}

kea_start() {
	kea_conf || return
	ip netns exec "$AFTR" env KEA_PIDFILE_DIR="$tmp" KEA_LOCKFILE_DIR=none \
		kea-dhcp6 -c "$tmp/kea.json" >"$tmp/kea.log" 2>&1 &
	kea=$!
	at_exit "kill $kea"
	wait_until 60 eval "in_ns '$AFTR' ss -Hlun sport = 547 | grep -q ."
}

dns_start() {
	printf '%s aftr.example.net\n%s aftr2.example.net\n' "$AFTR6" "$AFTR6_MOVED" >"$tmp/hosts"
	ip netns exec "$AFTR" dnsmasq --keep-in-foreground --conf-file=/dev/null \
		--no-resolv --no-hosts --addn-hosts="$tmp/hosts" \
		--listen-address="$DNS6" --bind-interfaces --user=root --group=root \
		--pid-file="$tmp/dnsmasq.pid" --log-facility=- --log-queries \
		>"$tmp/dns.log" 2>&1 &
	at_exit "kill $!"
	wait_until 30 eval "in_ns '$AFTR' ss -Hlun src '[$DNS6]:53' | grep -q ."
}

udp_echo_server() {
	# shellcheck disable=SC2086 # one argument per address
	srv_start "$TOP/selftests/udp_echo.py" 9000 $SRV_ADDRS
	wait_until 60 eval "in_ns '$SRV' ss -Hlun src '$SRV_ADDR:9000' | grep -q ."
}

b4_start() {
	ip netns exec "$B4" "$B4_SCRIPT" -d "$tmp/b4" -l lan wan >"$tmp/b4.log" 2>&1 &
	b4=$!
	at_exit "kill $b4; wait $b4"
}

leased() {
	cat "$tmp/b4/address" 2>/dev/null
}

wan_has_lease() {
	ip -n "$B4" -6 addr show dev wan | grep -q "inet6 $(leased)/128"
}

# softwire_to AFTR: the B4's tunnel goes from its leased address to AFTR,
# as B4 (192.0.0.2/29), and carries the IPv4 default route.
softwire_to() {
	ip -n "$B4" -6 tunnel show dslite | grep -q "remote $1 *local $(leased) " &&
	ip -n "$B4" addr show dev dslite | grep -q 'inet 192\.0\.0\.2/29' &&
	ip -n "$B4" route show default | grep -q 'dev dslite'
}

# lan_reaches ADDR: the LAN host's UDP to the echo server at ADDR comes
# back from one that saw it at a pool address.
lan_reaches() {
	local seen
	seen=$(udp_seen "$LAN" "$1") || return
	[[ $seen =~ ^198\.51\.100\.[0-9]+:[0-9]+$ ]] || { echo "server saw: '$seen'"; return 1; }
}

# aftr_bound: aftr0 has UDP bindings for the leased address.
aftr_bound() {
	bindings_json b4 "$(leased)" proto udp | grep -q '"proto"'
}

lan_prefixed() {
	ip -n "$B4" -6 addr show dev lan | grep -q "$PREFIX_LAN"
}

b4_logged() {
	grep -q "$1" "$tmp/b4.log"
}

[ -z "$no_option_64" ] ||
	echo "# --no-option-64: Kea never offers option 64; the softwire checks must fail"

setup "the carrier's network, aftr0 and the home come up" carrier
setup "the UDP echo server listens" udp_echo_server
setup "Kea's DHCPv6 server listens on the access link" kea_start
setup "dnsmasq listens on $DNS6" dns_start
b4_start

# 1. A lease, but no option 64.
setup "the B4 takes a lease" wait_until 60 test -s "$tmp/b4/address"
check "the leased address is on wan" wan_has_lease
check "the B4's LAN gets the first /64 of the delegated /56" wait_until 10 lan_prefixed
check "a lease without option 64: the B4 says it has no AFTR-Name" \
	wait_until 20 b4_logged 'has no AFTR-Name'
check_fails "a lease without option 64: no softwire" ip -n "$B4" link show dslite
check_fails "a lease without option 64: the LAN host has no IPv4 internet" \
	in_ns "$LAN" ping -c 1 -W 5 "$SRV_ADDR"
echo "# without option 64 in Kea's configuration the B4 has no tunnel:"
diag <"$tmp/b4.log"

# 2. The carrier offers DS-Lite.
setup "Kea reloads: $(offering aftr.example.net)" kea_reload aftr.example.net
check "at its renewal, the B4 resolves aftr.example.net and says its softwire is up" \
	wait_until 30 b4_logged "up: .* -> $AFTR6 "
check "the softwire goes from the leased address to $AFTR6" softwire_to "$AFTR6"
check "the B4 asked the carrier's DNS server from its WAN address" \
	grep -q "query\[AAAA\] aftr.example.net from $(leased)" "$tmp/dns.log"
check "the LAN host reaches the server through aftr0, seen at a pool address" \
	lan_reaches "$SRV_ADDR"
check "the LAN host pings the server" in_ns "$LAN" ping -c 1 -W 5 "$SRV_ADDR"
check "aftr0 holds the binding under the leased address" aftr_bound

# 3. The AFTR moves: a new name in the lease.
setup "the AFTR's endpoint moves to $AFTR6_MOVED" aftr_run dev set aftr0 endpoint "$AFTR6_MOVED"
setup "Kea reloads: $(offering aftr2.example.net)" kea_reload aftr2.example.net
check "at its renewal, the B4 resolves aftr2.example.net and recreates its softwire" \
	wait_until 30 b4_logged "up: .* -> $AFTR6_MOVED "
check "the softwire goes from the leased address to $AFTR6_MOVED" softwire_to "$AFTR6_MOVED"
check "the LAN host reaches the server through the moved AFTR" lan_reaches 203.0.113.3

echo "# the B4's log:"
diag <"$tmp/b4.log"
finish
