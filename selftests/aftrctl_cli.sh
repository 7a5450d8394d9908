#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# aftrctl_cli.sh: the command line of aftrctl. Exit codes (0 ok, 1 bad
# input, 2 kernel refused), "Error:" lines, prefixes, help, batch files.
#
# Part one needs no module and runs anywhere (the host too): every bad
# input must be refused before anything reaches the kernel. Part two needs
# the module (the guest): a real instance configured and read back, as text
# and as JSON, and the kernel's refusals reported with their extack message.
. "$(dirname "$0")/lib.sh"

require_aftrctl
tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"

# --- Part one: input refused locally -------------------------------------
bad "unknown object" frobnicate show
bad "ambiguous object" b show
bad "unknown command" dev frob
bad "ambiguous command" dev s aftr0
bad "unknown option" -Z dev show
bad "option without its value" -n
bad "bad netns name" -n ../x dev show
bad "unknown keyword" b4 show color red
bad "keyword without value" pool show dev
bad "device name too long" dev show abcdefghijklmnopq
bad "unknown timeout class" dev set aftr0 timeout sctp 10
bad "ambiguous timeout class" dev set aftr0 timeout tcp 10
bad "ambiguous keyword" dev set aftr0 max-b 10
bad "timeout zero" dev set aftr0 timeout udp 0
bad "timeout beyond a week" dev set aftr0 timeout udp 604801
bad "negative number" dev set aftr0 holddown -1
bad "number with garbage" dev set aftr0 holddown 10s
bad "number overflowing u32" dev set aftr0 max-bindings 4294967296
bad "block size too small" dev set aftr0 block-size 7
bad "block size too large" dev set aftr0 block-size 4097
bad "setting given twice" dev set aftr0 holddown 1 holddown 2
bad "nothing to set" dev set aftr0
bad "unknown filtering mode" dev set aftr0 filtering symmetric
bad "ambiguous filtering mode" dev set aftr0 filtering address-
bad "endpoint not IPv6" dev set aftr0 endpoint 192.0.2.1
bad "endpoint multicast" dev set aftr0 endpoint ff02::1
bad "endpoint none with others" dev set aftr0 endpoint none endpoint 2001:db8::1
bad "too many endpoints" dev set aftr0 endpoint 2001:db8::1 endpoint 2001:db8::2 \
	endpoint 2001:db8::3 endpoint 2001:db8::4 endpoint 2001:db8::5 endpoint 2001:db8::6 \
	endpoint 2001:db8::7 endpoint 2001:db8::8 endpoint 2001:db8::9
bad "b4 prefix not IPv6" b4 allow dev aftr0 192.0.2.0/24
bad "b4 prefix length > 128" b4 allow dev aftr0 2001:db8::/129
bad "b4 prefix with host bits" b4 allow dev aftr0 2001:db8::1/64
bad "b4 prefix length not a number" b4 allow dev aftr0 2001:db8::/x
bad "b4 allow without dev" b4 allow 2001:db8::/32
bad "b4 allow without prefix" b4 deny dev aftr0
bad "b4 two prefixes" b4 allow dev aftr0 2001:db8::/32 2001:db9::/32
bad "pool prefix not IPv4" pool add dev aftr0 2001:db8::/64
bad "pool prefix too short" pool add dev aftr0 10.0.0.0/19
bad "pool prefix length > 32" pool add dev aftr0 192.0.2.0/33
bad "pool prefix with host bits" pool add dev aftr0 192.0.2.1/28
bad "pool bad address" pool add dev aftr0 192.0.2.256/32
bad "port range reversed" pool add dev aftr0 192.0.2.0/28 ports 2000-1000
bad "port zero" pool add dev aftr0 192.0.2.0/28 ports 0-100
bad "port above 65535" pool add dev aftr0 192.0.2.0/28 ports 1024-65536
bad "port range malformed" pool add dev aftr0 192.0.2.0/28 ports 1024-
bad "ports on pool del" pool del dev aftr0 192.0.2.0/28 ports 1-2
bad "binding filter bad proto" binding show proto sctp
bad "binding filter b4 not IPv6" binding flush b4 192.0.2.1
bad "dev given twice" binding show dev a dev b
bad "-force without -batch" -force dev show
bad "-batch with a command" -batch /dev/null dev show
bad "missing batch file" -batch "$tmp/nonexistent"

for w in help "dev help" "b4 help" "pool help" "binding help" "stats help" "b4 h" -h -V; do
	# shellcheck disable=SC2086
	check "help and version exit 0: aftrctl $w" cli 0 "" $w
done
usage_to_stderr() {
	"$AFTRCTL" 2>"$tmp/err" >/dev/null
	[ $? = 1 ] && grep -q '^Usage: aftrctl' "$tmp/err"
}
check "no object: usage on stderr, exit 1" usage_to_stderr

# A batch stops at its first bad line and names it; -force goes on.
cat >"$tmp/batch" <<'EOF'
# comments and blank lines are skipped
    # even indented ones

pool add dev aftr0 10.0.0.0/8   # line 4: too large
b4 allow dev aftr0 2001:db8::1/64
EOF
check "batch stops at the first error, with its line" \
	cli 1 "^Error: $tmp/batch:4: pool 10.0.0.0/8" -batch "$tmp/batch"
force_goes_on() {
	"$AFTRCTL" -force -b "$tmp/batch" 2>"$tmp/err"
	[ $? = 1 ] && grep -q ":4: " "$tmp/err" && grep -q ":5: " "$tmp/err"
}
check "batch -force reports every error" force_goes_on

# --- Without the module: one clear line, exit 2 ----------------------------
# Loadable, not merely installed: the host may have it built but no modules.
have_module=
modprobe -q "$MODULE" 2>/dev/null && module_loaded && have_module=1
if [ -z "$have_module" ]; then
	msg='^Error: dslite_aftr module not loaded \(try: modprobe dslite_aftr\)$'
	check "dev show without the module" cli 2 "$msg" dev show
	check "prefixes resolve: aftrctl d sh" cli 2 "$msg" d sh
	check "stats without the module" cli 2 "$msg" -j stats
	check "valid input reaches the kernel step" cli 2 "$msg" \
		pool add dev aftr0 192.0.2.0/28 ports 1024-2047
else
	skip "dev show without the module" "module present"
fi
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null && ns_new ns0 2>/dev/null; then
	# Exit 2 (no module), not 1 (no netns), proves the netns was entered.
	want=2 pattern='^Error: dslite_aftr module not loaded'
	[ -z "$have_module" ] || want=0 pattern=
	check "-n enters a named netns" cli $want "$pattern" -n "$ns0" dev show
else
	skip "-n enters a named netns" "needs root and ip netns"
fi
check "-n refuses a missing netns" cli 1 '^Error: cannot open netns' -n nonexistent-$$ dev show

# --- Part two: against the module ---------------------------------------
if [ "$(id -u)" != 0 ] || [ -z "$have_module" ] || ! ns_new ns; then
	skip "configuration against the module" "needs root and the module"
	finish
fi
ip -n "$ns" link add aftr0 type "$KIND" || { not_ok "ip link add aftr0 type $KIND"; finish; }
ip -n "$ns" link add aftr1 type "$KIND" || { not_ok "ip link add aftr1 type $KIND"; finish; }
ctl() {
	"$AFTRCTL" -n "$ns" "$@"
}

# json FILTER ARGS...: aftrctl -j ARGS prints valid JSON, and the python
# expression FILTER (over the parsed value "j") is true.
json() {
	local filter=$1
	shift
	ctl -j "$@" >"$tmp/json" || return
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$tmp/json" "$filter" && return
	cat "$tmp/json"
	return 1
}

# -V: the module's version next to ours, as the loaded module says it.
module_version_shown() {
	local ver
	ver=$(modinfo -F version "$MODULE") && [ -n "$ver" ] &&
		"$AFTRCTL" -V | grep -qx "$MODULE module $ver"
}
check "-V shows the loaded module's version (modinfo)" module_version_shown

check "dev show lists both instances" json '[d["ifname"] for d in j] == ["aftr0", "aftr1"]' \
	dev show
check "defaults from the header" \
	json 'j[0]["timeout-tcp-est"] == 7440 and j[0]["block-size"] == 64' dev show aftr0
check "dev set" ctl dev set aftr0 endpoint 2001:db8::1 endpoint 2001:db8::2 timeout udp 120 \
	timeout tcp-e 7500 holddown 60 max-bindings 500 max-new-rate 50
check "dev set reads back" json 'j[0]["endpoints"] == ["2001:db8::1", "2001:db8::2"] and
j[0]["timeout-udp"] == 120 and j[0]["timeout-tcp-est"] == 7500 and j[0]["holddown"] == 60 and
j[0]["max-bindings"] == 500 and j[0]["max-new-rate"] == 50' dev show dev aftr0
check "filtering by default endpoint-independent (NAT-2)" \
	json 'j[0]["filtering"] == "endpoint-independent"' dev show aftr0
check "dev set filtering" ctl dev set aftr0 filtering address-port-dependent
check "filtering reads back" json 'j[0]["filtering"] == "address-port-dependent"' dev show aftr0
shows_filtering() {
	ctl dev show aftr0 | grep -q "filtering $1\$"
}
check "filtering shows in text" shows_filtering address-port-dependent
check "dev set filtering back" ctl dev set aftr0 filtering endpoint-independent
check "endpoint none clears" ctl dev set aftr0 endpoint none
check "no endpoints left" json 'not j[0].get("endpoints")' dev show aftr0
check "b4 allow" ctl b4 allow dev aftr0 2001:db8:100::/40
check "b4 allow by prefixes" ctl b4 al d aftr0 2001:db8:200::/40
check "allowed reads back" json 'j[0]["allowed"] == ["2001:db8:100::/40", "2001:db8:200::/40"]' \
	dev show aftr0
check "b4 deny" ctl b4 deny dev aftr0 2001:db8:200::/40
check "b4 show is empty" json 'j == []' b4 show
check "pool add" ctl pool add dev aftr0 198.51.100.0/28 ports 2000-2999
check "pool add, default ports" ctl pool add dev aftr1 203.0.113.0/24
check "pool show, all instances" json '
[(p["ifname"], p["prefix"], p["port-min"], p["port-max"]) for p in j] ==
[("aftr0", "198.51.100.0/28", 2000, 2999), ("aftr1", "203.0.113.0/24", 1024, 65535)]' pool show
check "pool show, one instance" json 'len(j) == 1 and j[0]["ifname"] == "aftr1"' pool show dev aftr1
check "pool show NAME, without dev" json 'len(j) == 1 and j[0]["ifname"] == "aftr1"' pool show aftr1
check "b4 allow NAME PREFIX6, without dev" ctl b4 allow aftr1 2001:db8:400::/48
check "it reads back" json 'j[0]["allowed"] == ["2001:db8:400::/48"]' dev show aftr1
check "overlapping pool: kernel refuses with its message" \
	cli 2 '^Error: .+' -n "$ns" pool add dev aftr0 198.51.100.8/29
check "pool del" ctl pool del dev aftr1 203.0.113.0/24
check "deleting it again: kernel refuses" \
	cli 2 '^Error: .+' -n "$ns" pool del dev aftr1 203.0.113.0/24
check "a loopback pool is refused before the kernel sees it" \
	cli 1 '^Error: pool 127.0.0.0/24 overlaps loopback 127.0.0.0/8' -n "$ns" pool add aftr1 127.0.0.0/24
check "pool add again" ctl pool add dev aftr1 203.0.113.0/24
check "pool delete" ctl pool delete dev aftr1 203.0.113.0/24
check "pool delete removed it" json 'j == []' pool show dev aftr1
check "unknown device: kernel refuses" cli 2 '^Error: .+' -n "$ns" dev show nosuchdev
check "block-size change without blocks" ctl dev set aftr1 block-size 128
check "binding show with no bindings" json 'j == []' binding show proto udp
check "binding flush all" ctl binding flush

# One real binding: a B4 (an ipip6 tunnel in its own namespace) sends UDP.
b4_send() {
	ns_new b4ns || return
	ip link add a0 netns "$ns" type veth peer name b0 netns "$b4ns" &&
	ip -n "$ns" link set a0 up && ip -n "$b4ns" link set b0 up &&
	ip -n "$ns" addr add 2001:db8::1/64 dev a0 nodad &&
	ip -n "$ns" route add 2001:db8:100::/64 dev a0 &&
	ip -n "$b4ns" addr add 2001:db8:100::2/64 dev b0 nodad &&
	ip -n "$b4ns" route add 2001:db8::/64 dev b0 &&
	ip -n "$ns" link add d0 type dummy && ip -n "$ns" link set d0 up &&
	ip -n "$ns" addr add 203.0.113.1/24 dev d0 &&
	ip -n "$ns" link set aftr0 up && ip -n "$ns" route add 198.51.100.0/28 dev aftr0 &&
	ctl dev set aftr0 endpoint 2001:db8::1 &&
	ip -n "$b4ns" -6 tunnel add t0 mode ipip6 local 2001:db8:100::2 remote 2001:db8::1 &&
	ip -n "$b4ns" link set t0 up && ip -n "$b4ns" addr add 192.168.1.2/24 dev t0 &&
	ip -n "$b4ns" route add default dev t0 &&
	ip netns exec "$b4ns" python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.168.1.2", 40000))
s.sendto(b"x", ("203.0.113.1", 9))'
}
check "a B4 sends a UDP packet" b4_send
binding='[(b["ifname"], b["proto"], b["b4-addr"], b["inner-addr"], b["inner-port"],
  b["state"]) for b in j] == [("aftr0", "udp", "2001:db8:100::2", "192.168.1.2", 40000, "open")]
and j[0]["outer-addr"].startswith("198.51.100.") and 2000 <= j[0]["outer-port"] <= 2999
and 0 < j[0]["expires-ms"] <= 120000'
check "binding show streams the binding" wait_until 5 json "$binding" binding show proto udp
check "binding show filtered by b4" json "$binding" binding show b4 2001:db8:100::2 dev aftr0
# "Who has this external address and port now?", and the inner side.
by_address() {
	local addr port
	ctl -j binding show proto udp >"$tmp/b" &&
	read -r addr port < <(python3 -c 'import json, sys
b = json.load(open(sys.argv[1]))[0]
print(b["outer-addr"], b["outer-port"])' "$tmp/b") || return
	json "$binding" binding show outer "$addr:$port" &&
	json "$binding" binding show aftr0 outer "$addr" &&
	json 'j == []' binding show outer "$addr:$((port % 65535 + 1))" &&
	json 'j == []' binding show outer 192.0.2.200 &&
	json "$binding" binding show inner 192.168.1.2:40000 outer "$addr:$port" &&
	json "$binding" binding show inner 192.168.1.2 &&
	json 'j == []' binding show inner 192.168.1.2:40001
}
check "binding show outer/inner ADDR4[:PORT]" by_address
check "binding show NAME, without dev" json "$binding" binding show aftr0 b4 2001:db8:100::2
check "stats NAME, without dev" json 'len(j) == 1 and j[0]["ifname"] == "aftr0"' stats aftr0
check "binding show proto 17 is udp" json "$binding" binding show proto 17
check "binding show proto 6: no tcp binding" json 'j == []' binding show proto 6
check "b4 show lists the B4" json '[(b["b4-addr"], b["endpoint"], b["binding-count"]) for b in j]
== [("2001:db8:100::2", "2001:db8::1", 1)]' b4 show
check "binding flush filtered" ctl binding flush dev aftr0 b4 2001:db8:100::2 proto udp
check "the binding is gone" json 'j == []' binding show
check "stats names every counter" json 'len(j) == 2 and j[0]["stats"]["bindings-created"] == 1 and
all(k == k.lower() and "_" not in k for k in j[0]["stats"]) and
"from-b4-packets" in j[0]["stats"] and "drop-icmp-error" in j[0]["stats"]' stats
check "dev show -s adds counters" json '"stats" in j[0]' -s dev show aftr0
# A static mapping deleted with the words of its add, checked against it.
check "a pool for static mappings" ctl pool add aftr0 192.0.2.128/28
check "static add, protocol by number" ctl static add aftr0 b4 2001:db8:101::5 proto 6 \
	inner 192.168.1.5:22 outer 192.0.2.129:2222
check "static del with another inner: refused, exit 2" \
	cli 2 '^Error: the mapping of tcp outer 192.0.2.129:2222 has inner 192.168.1.5:22, not 192.168.1.6:22$' \
	-n "$ns" static del aftr0 b4 2001:db8:101::5 proto tcp inner 192.168.1.6:22 \
	outer 192.0.2.129:2222
check "static del with a B4 of another subscriber: refused, exit 2" \
	cli 2 '^Error: the mapping of tcp outer 192.0.2.129:2222 has b4 2001:db8:101::5, not 2001:db8:102::5 \(subscribers are /64\)$' \
	-n "$ns" static del aftr0 b4 2001:db8:102::5 proto tcp outer 192.0.2.129:2222
check "the mapping is still there" json 'len(j) == 1 and j[0]["inner-port"] == 22' static show aftr0
check "static del with a B4 of the same subscriber" ctl static del aftr0 b4 2001:db8:101::9 \
	proto 6 outer 192.0.2.129:2222
check "the mapping is gone" json 'j == []' static show aftr0
check "static add again" ctl static add aftr0 b4 2001:db8:101::5 proto tcp \
	inner 192.168.1.5:22 outer 192.0.2.129:2222
check "static delete with the add line's words" ctl static delete aftr0 b4 2001:db8:101::5 \
	proto tcp inner 192.168.1.5:22 outer 192.0.2.129:2222
check "the mapping is gone again" json 'j == []' static show aftr0
# With -j, a command the kernel refuses prints nothing on stdout, even one
# that began its array; in a batch, the commands before it print theirs.
check "-j det lookup the kernel refuses: nothing on stdout" \
	quiet_failure 2 -n "$ns" -j det lookup aftr0 192.0.2.1 1025
check "-p the same" quiet_failure 2 -n "$ns" -p det lookup aftr0 b4 2001:db8:100::2
printf 'pool show aftr0\ndet lookup aftr0 192.0.2.1 1025\nstats aftr1\n' >"$tmp/jbatch"
jbatch() {
	ctl -j -batch "$tmp/jbatch" >"$tmp/json" 2>/dev/null
	[ $? = 2 ] && python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if sorted(p["prefix"] for p in j) == ["192.0.2.128/28", "198.51.100.0/28"] else 1)' \
		"$tmp/json"
}
check "-j -batch: the output of the commands before the failure, no more" jbatch
check "pretty JSON parses" json 'len(j) == 2' -p dev show
for w in "dev show" "b4 show" "pool show" "binding show" "stats" "-s dev show"; do
	# shellcheck disable=SC2086
	check "text output: aftrctl $w" cli 0 "" -n "$ns" $w
done
cat >"$tmp/good" <<'EOF'
pool add dev aftr0 192.0.2.0/28
pool show
b4 allow dev aftr1 2001:db8:300::/48
EOF
check "batch of good lines" cli 0 "" -n "$ns" -batch "$tmp/good"
check "batch: kernel refusal stops it, with its line" \
	cli 2 "^Error: $tmp/good:1: " -n "$ns" -batch "$tmp/good"
finish
