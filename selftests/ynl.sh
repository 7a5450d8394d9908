#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own ynl CLI (tools/net/ynl/cli.py of Linux 6.12, which make
# ynl extracts into build/ynl) speaks the family with nothing but our spec,
# Documentation/netlink/specs/dslite_aftr.yaml: netlink.rst's example runs
# as written; every command, each do and each dump, is answered; every
# answer is aftrctl -j's, field for field; what ynl sets, aftrctl reads
# back; the events a command causes reach a ynl subscribed to the events
# group; and a refusal comes back with the kernel's extack message.
. "$(dirname "$0")/lib.sh"
require_aftr
require_cmd python3

cli=$TOP/build/ynl/tools/net/ynl/cli.py
spec=$TOP/Documentation/netlink/specs/dslite_aftr.yaml
schema=$TOP/build/ynl/Documentation/netlink/genetlink-legacy.yaml
[ -f "$cli" ] || fail_all "no kernel ynl CLI in $TOP/build/ynl (make ynl)"
# The guest sees the checkout read-only: make ynl byte-compiled YNL.
export PYTHONDONTWRITEBYTECODE=1
tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"

# cmp.py MODE YNL AFTRCTL: ynl's JSON answer (file) against aftrctl's.
#   same     equal once ynl's wire shapes are written as aftrctl writes
#            them (prefixes "ADDR/LEN", PROTO by name, ENDPOINTS and
#            ALLOWED as lists); aftrctl adds ifname where the kernel has
#            none, ynl has ALLOWED_COUNT, and EXPIRES_MS runs on.
#   each     every answer of a --multi is aftrctl's one object (same).
#   allowed  ALLOWED_GET's dump is the allowed list of aftrctl dev show.
# cmp.py has FILE JSON: the JSON in FILE holds JSON (lists item by item,
# objects key by key). cmp.py events FILE JSON: the last line of FILE, the
# notifications ynl printed, holds an event like each object of JSON, and
# every event has its time stamp.
cat >"$tmp/cmp.py" <<'EOF'
import json, sys

PROTO = {1: "icmp", 6: "tcp", 17: "udp"}

def prefix(p):
    return "%s/%d" % (p.get("addr6", p.get("addr4")), p["len"])

def norm(r):
    out = {}
    for k, v in r.items():
        if k in ("prefix", "b4-prefix"):
            v = prefix(v)
        elif k == "endpoints":
            v = [v[i] for i in sorted(v, key=int)]
        elif k == "allowed":
            v = [prefix(m) for item in v for m in item.values()]
        elif k == "proto":
            v = PROTO.get(v, v)
        out[k] = v
    return out

def as_list(j):
    return j if isinstance(j, list) else [j]

def has(got, want):
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and has(got[k], v)
                                             for k, v in want.items())
    if isinstance(want, list):
        return (isinstance(got, list) and len(got) == len(want) and
                all(has(g, w) for g, w in zip(got, want)))
    return got == want

def load(name):
    return json.loads(open(name).read().splitlines()[0])

mode = sys.argv[1]
if mode == "has":
    got, want = load(sys.argv[2]), json.loads(sys.argv[3])
    ok = has(got, want)
elif mode == "events":
    got = json.loads(open(sys.argv[2]).read().splitlines()[-1])
    want = json.loads(sys.argv[3])
    msgs = [n["msg"] for n in got if n.get("name") == "event"]
    ok = (all(any(has(m, w) for m in msgs) for w in want) and
          all(isinstance(m.get("timestamp-ns"), int) for m in msgs))
elif mode == "allowed":
    got = [prefix(m["prefix"]) for m in load(sys.argv[2])]
    want = load(sys.argv[3])[0]["allowed"]
    ok = got == want
else:
    ynl, aftrctl = as_list(load(sys.argv[2])), as_list(load(sys.argv[3]))
    if mode == "each":
        aftrctl = aftrctl * len(ynl)
    got, want = [], []
    for y, a in zip(ynl, aftrctl):
        y, a = norm(y), dict(a)
        for d in (y, a):
            d.pop("expires-ms", None)
        y.pop("allowed-count", None)
        if "ifname" not in y:
            a.pop("ifname", None)
        got.append(y)
        want.append(a)
    ok = len(ynl) == len(aftrctl) and got == want
if not ok:
    print("got:  %s" % json.dumps(got, sort_keys=True))
    print("want: %s" % json.dumps(want, sort_keys=True))
sys.exit(not ok)
EOF

# The addresses as YNL of Linux 6.12 takes them from JSON: IPv6 (binary)
# as hex, IPv4 (big-endian u32) as the address read as one number.
eval "$(python3 - <<'EOF'
import ipaddress
for var, addr in [("EP1", "2001:db8::1"), ("EP2", "2001:db8::2"),
                  ("ALLOW1", "2001:db8:100::"), ("ALLOW2", "2001:db8:200::"),
                  ("B4", "2001:db8:100::a"), ("DET_B4NET", "2001:db8:300::"),
                  ("DET_B4", "2001:db8:300:100::1"), ("POOL", "198.51.100.0"),
                  ("OUTER", "198.51.100.3"), ("BADPOOL", "198.51.100.1"),
                  ("DET_POOL", "198.51.100.64"), ("INNER", "192.168.1.10"),
                  ("EXEMPT1", "10.64.0.0"), ("EXEMPT2", "10.65.0.0"),
                  ("BADEXEMPT", "10.64.0.1")]:
    a = ipaddress.ip_address(addr)
    print("%s=%s" % (var, a.packed.hex() if a.version == 6 else int(a)))
EOF
)"

# --- netlink.rst's example, as written -------------------------------------
# The literal block after the comment that names this test, run from the
# top of the checkout in a namespace of its own.
example() {
	awk '/^\.\. selftests\/ynl\.sh runs the block below/ { found = 1; next }
	     found == 1 && /^::$/ { found = 2; next }
	     found == 2 && /^    / { sub(/^    /, ""); print; next }
	     found == 2 && /^$/ { print; next }
	     found == 2 { exit }' "$TOP/Documentation/netlink.rst"
}
run_example() {
	(cd "$TOP" && ip netns exec "$EX" bash -e "$tmp/example.sh") >"$tmp/example.out" 2>&1
	local rc=$?
	cat "$tmp/example.out"
	return $rc
}
# aftrctl_has NS JSON ARGS...: aftrctl -j ARGS in NS answers what JSON holds.
aftrctl_has() {
	local ns=$1 want=$2
	shift 2
	ip netns exec "$ns" "$AFTRCTL" -j "$@" >"$tmp/aftrctl.json" || return
	python3 "$tmp/cmp.py" has "$tmp/aftrctl.json" "$want"
}

example >"$tmp/example.sh"
check "netlink.rst has a ynl example for this test" grep -q -- '--schema' "$tmp/example.sh"
ns_new EX
check "netlink.rst's ynl example runs as written" run_example
check "... its binding-get prints the binding with addresses as addresses" \
	grep -q "'inner-addr': '192.168.1.10'" "$tmp/example.out"
check "... aftrctl reads back its endpoint, timeout and allowed prefix" \
	aftrctl_has "$EX" '[{"endpoints": ["2001:db8::1"], "timeout-udp": 120,
			     "allowed": ["2001:db8:100::/40"]}]' dev show aftr0
check "... and its pool" aftrctl_has "$EX" \
	'[{"prefix": "198.51.100.0/28", "port-min": 1024, "port-max": 65535}]' pool show
check "... and its static mapping" aftrctl_has "$EX" \
	'[{"b4-addr": "2001:db8:100::a", "proto": "tcp", "inner-addr": "192.168.1.10",
	   "inner-port": 22, "outer-addr": "198.51.100.3", "outer-port": 2222}]' static show

# --- Every command --------------------------------------------------------
ns_new NS
ip -n "$NS" link add aftr0 type dslite
ip -n "$NS" link add aftr1 type dslite
check "two instances to talk to" test "$(aftr_devs "$NS" | wc -l)" = 2
ifindex=$(ip netns exec "$NS" cat /sys/class/net/aftr0/ifindex)

# ynl ARGS...: the kernel's ynl CLI on our spec in $NS, answers as JSON.
# The example above validated the spec against the schema, as does
# host_uapi.sh: here --no-schema spares the guest the validation, which
# costs most of a command's time under TCG.
ynl() {
	ip netns exec "$NS" python3 "$cli" --spec "$spec" --no-schema --output-json "$@"
}

# answers MODE YNL-ARGS... -- AFTRCTL-ARGS...: ynl's answer against aftrctl
# -j's, by cmp.py MODE.
answers() {
	local mode=$1 y=()
	shift
	while [ "$1" != -- ]; do
		y+=("$1")
		shift
	done
	shift
	ynl "${y[@]}" >"$tmp/ynl.json" || { cat "$tmp/ynl.json"; return 1; }
	ip netns exec "$NS" "$AFTRCTL" -j "$@" >"$tmp/aftrctl.json" || return
	python3 "$tmp/cmp.py" "$mode" "$tmp/ynl.json" "$tmp/aftrctl.json"
}

# aftrctl_has_ns JSON ARGS...: aftrctl_has in $NS.
aftrctl_has_ns() {
	aftrctl_has "$NS" "$@"
}

dev='"ifname": "aftr0"'
check "dev-set (do): every tunable, two endpoints" \
	ynl --do dev-set --json "{$dev, \"endpoints\": {\"1\": \"$EP1\", \"2\": \"$EP2\"},
		\"timeout-udp\": 100, \"timeout-tcp-est\": 7000, \"timeout-tcp-trans\": 200,
		\"timeout-icmp\": 50, \"holddown\": 60, \"block-size\": 128, \"max-blocks\": 8,
		\"max-bindings\": 512, \"max-new-rate\": 100, \"events-bindings\": 1,
		\"subscriber-len\": 56, \"max-subscribers\": 1000, \"max-new-subscribers\": 500,
		\"mss-clamp\": 1400, \"dscp\": \"pipe\", \"icmp-rate\": 5, \"icmp-burst\": 10,
		\"frag\": \"inner\", \"filtering\": \"address-port-dependent\"}"
check "... aftrctl reads every one back" aftrctl_has_ns \
	'[{"endpoints": ["2001:db8::1", "2001:db8::2"], "timeout-udp": 100,
	   "timeout-tcp-est": 7000, "timeout-tcp-trans": 200, "timeout-icmp": 50,
	   "holddown": 60, "block-size": 128, "max-blocks": 8, "max-bindings": 512,
	   "max-new-rate": 100, "events-bindings": 1, "subscriber-len": 56,
	   "max-subscribers": 1000, "max-new-subscribers": 500, "mss-clamp": 1400,
	   "dscp": "pipe", "icmp-rate": 5, "icmp-burst": 10, "frag": "inner",
	   "filtering": "address-port-dependent"}]' dev show aftr0
# Several do requests in one go (--multi), to spare the guest a start of
# ynl each.
prefix6() {
	echo "{$dev, \"prefix\": {\"addr6\": \"$1\", \"len\": 40}}"
}
check "b4-allow (do), two prefixes" \
	ynl --multi b4-allow "$(prefix6 "$ALLOW1")" --multi b4-allow "$(prefix6 "$ALLOW2")"
check "allowed-get (dump) is aftrctl's allowed list" \
	answers allowed --dump allowed-get --json "{$dev}" -- dev show aftr0
check "b4-deny (do)" ynl --do b4-deny --json "$(prefix6 "$ALLOW2")"
check "... aftrctl sees one allowed prefix left" aftrctl_has_ns \
	'[{"allowed": ["2001:db8:100::/40"]}]' dev show aftr0
check "dev-get (do) by name and by ifindex: aftrctl dev show's answer, twice" \
	answers each --multi dev-get "{$dev}" --multi dev-get "{\"ifindex\": $ifindex}" \
	-- dev show aftr0
check "dev-get (dump): both instances, as aftrctl shows them" \
	answers same --dump dev-get -- dev show

check "pool-add (do)" ynl --do pool-add --json \
	"{$dev, \"prefix\": {\"addr4\": $POOL, \"len\": 28}, \"port-min\": 1024, \"port-max\": 65535}"
check "pool-get (dump) is aftrctl pool show" \
	answers same --dump pool-get --json "{$dev}" -- pool show dev aftr0

# Exempt destinations (CGN-8).
prefix4() {
	echo "{$dev, \"prefix\": {\"addr4\": $1, \"len\": $2}}"
}
check "exempt-add (do), two prefixes" \
	ynl --multi exempt-add "$(prefix4 "$EXEMPT1" 16)" --multi exempt-add "$(prefix4 "$EXEMPT2" 16)"
check "exempt-get (dump) is aftrctl exempt show" \
	answers same --dump exempt-get --json "{$dev}" -- exempt show dev aftr0
check "exempt-del (do)" ynl --do exempt-del --json "$(prefix4 "$EXEMPT2" 16)"
check "... aftrctl sees one exempt prefix left" aftrctl_has_ns \
	'[{"prefix": "10.64.0.0/16"}]' exempt show dev aftr0
# exempt_refused JSON MESSAGE: exempt-add of JSON fails with MESSAGE.
exempt_refused() {
	! ynl --do exempt-add --json "$1" >"$tmp/ynl.json" 2>&1 &&
		grep -q "$2" "$tmp/ynl.json" || { cat "$tmp/ynl.json"; return 1; }
}
check "exempt-add of a prefix with host bits: the kernel's reason" \
	exempt_refused "$(prefix4 "$BADEXEMPT" 16)" "host bits set in the exempt prefix"
check "exempt-add of /0: the kernel's reason" \
	exempt_refused "$(prefix4 0 0)" "exempt prefix length must be 1 to 32"
check "exempt-add of an IPv6 prefix: the kernel's reason" \
	exempt_refused "$(prefix6 "$ALLOW1")" "an exempt prefix needs ADDR4 and LEN, no ADDR6"
check "exempt-add of no prefix: the kernel's reason" exempt_refused "{$dev}" "PREFIX required"
check "exempt-add twice: the kernel's reason" \
	exempt_refused "$(prefix4 "$EXEMPT1" 16)" "prefix already exempt"
check "exempt-flush (do)" ynl --do exempt-flush --json "{$dev}"
check "... aftrctl shows no exempt prefix" aftrctl_has_ns '[]' exempt show dev aftr0

# Events: a ynl subscribed to the events group (cli.py joins it, sleeps,
# then prints what came) sees what a static mapping's life causes. It is a
# process of its own: ynl of Linux 6.12 cannot take --subscribe along with
# a --do that causes an event (the answer that follows the event makes
# _ops() fail on the op it has just forgotten). So the mapping comes and
# goes by aftrctl, which takes milliseconds, well inside the sleep; the
# subscriber's answer is read at the end.
ip netns exec "$NS" python3 "$cli" --spec "$spec" --no-schema --output-json \
	--subscribe events --sleep 20 >"$tmp/events.json" 2>&1 &
sub=$!
# cli.py sleeps once it has joined the group.
check "a ynl subscribes to the events group" \
	wait_until 120 grep -q nanosleep "/proc/$sub/wchan"
check "... aftrctl adds a static mapping and deletes it" ip netns exec "$NS" sh -c "
	'$AFTRCTL' static add dev aftr0 b4 2001:db8:100::a proto tcp \
		inner 192.168.1.10:23 outer 198.51.100.3:2223 &&
	'$AFTRCTL' static del dev aftr0 proto tcp outer 198.51.100.3:2223"

static="\"b4-addr\": \"$B4\", \"proto\": 6, \"inner-addr\": $INNER, \"inner-port\": 22"
outer="\"outer-addr\": $OUTER, \"outer-port\": 2222"
check "static-add (do)" ynl --do static-add --json "{$dev, $static, $outer}"
check "static-get (dump) is aftrctl static show" \
	answers same --dump static-get --json "{$dev}" -- static show dev aftr0
check "b4-get (dump) is aftrctl b4 show" \
	answers same --dump b4-get --json "{$dev}" -- b4 show dev aftr0
check "binding-get (dump) is aftrctl binding show" \
	answers same --dump binding-get --json "{$dev}" -- binding show dev aftr0
check "binding-get (dump) filtered by b4-addr and proto is aftrctl's" \
	answers same --dump binding-get --json "{$dev, \"b4-addr\": \"$B4\", \"proto\": 6}" \
	-- binding show dev aftr0 b4 2001:db8:100::a proto tcp
check "binding-get (dump) of an outer address and port is aftrctl's" \
	answers same --dump binding-get --json "{$dev, $outer}" \
	-- binding show dev aftr0 outer 198.51.100.3:2222
check "binding-get (dump) of an inner address is aftrctl's" \
	answers same --dump binding-get --json "{$dev, \"inner-addr\": $INNER}" \
	-- binding show dev aftr0 inner 192.168.1.10
# binding-flush refuses the address filters rather than flush everything.
flush_refused() {
	! ynl --do binding-flush --json "{$dev, $outer}" >"$tmp/ynl.json" 2>&1 &&
		grep -q "BINDING_FLUSH filters by B4_ADDR and PROTO only" "$tmp/ynl.json" ||
		{ cat "$tmp/ynl.json"; return 1; }
}
check "binding-flush (do) with an outer address is refused, with its reason" flush_refused
check "binding-flush (do)" ynl --do binding-flush --json "{$dev, \"proto\": 6}"
check "... leaves the static binding" aftrctl_has_ns \
	'[{"outer-port": 2222}]' binding show dev aftr0
check "stats-get (do) is aftrctl stats" \
	answers same --do stats-get --json "{$dev}" -- stats dev aftr0

b4net="\"b4-prefix\": {\"addr6\": \"$DET_B4NET\", \"len\": 48}"
check "det-add (do)" ynl --do det-add --json \
	"{$dev, $b4net, \"b4-len\": 56,
	  \"prefix\": {\"addr4\": $DET_POOL, \"len\": 26}, \"port-min\": 1024, \"port-max\": 65535}"
check "det-get (dump) is aftrctl det show" \
	answers same --dump det-get --json "{$dev}" -- det show dev aftr0
check "det-lookup (do) of a B4 is aftrctl det lookup's" \
	answers same --do det-lookup --json "{$dev, \"b4-addr\": \"$DET_B4\"}" \
	-- det lookup dev aftr0 b4 2001:db8:300:100::1
check "det-lookup (do) of an address and port is aftrctl det lookup's" \
	answers same --do det-lookup --json "{$dev, \"outer-addr\": $DET_POOL, \"outer-port\": 2000}" \
	-- det lookup dev aftr0 198.51.100.64 2000

check "det-del, static-del, pool-del, and dev-set of no endpoints (do)" \
	ynl --multi det-del "{$dev, $b4net}" \
	    --multi static-del "{$dev, \"proto\": 6, $outer}" \
	    --multi pool-del "{$dev, \"prefix\": {\"addr4\": $POOL, \"len\": 28}}" \
	    --multi dev-set "{$dev, \"endpoints\": {}}"
check "... aftrctl shows no det rule" aftrctl_has_ns '[]' det show dev aftr0
check "... no static mapping" aftrctl_has_ns '[]' static show dev aftr0
check "... no pool" aftrctl_has_ns '[]' pool show dev aftr0
check "... no endpoint" aftrctl_has_ns '[{"endpoints": []}]' dev show aftr0

# The kernel's refusal, with its extack message, through ynl.
refused() {
	! ynl --do pool-add --json "{$dev, \"prefix\": {\"addr4\": $BADPOOL, \"len\": 28}}" \
		>"$tmp/ynl.json" 2>&1 &&
		grep -q "host bits set in the pool prefix" "$tmp/ynl.json" ||
		{ cat "$tmp/ynl.json"; return 1; }
}
check "a refused pool-add fails with the kernel's extack message" refused
mss_refused() {
	! ynl --do dev-set --json "{$dev, \"mss-clamp\": 100}" >"$tmp/ynl.json" 2>&1 &&
		grep -q "a fixed MSS is at least 536" "$tmp/ynl.json" ||
		{ cat "$tmp/ynl.json"; return 1; }
}
check "a fixed MSS under 536 is refused with the kernel's extack message" mss_refused

wait "$sub"
check "the subscribed ynl ends well" test $? = 0
check "... it got a block taken, a binding made and that binding ended" \
	python3 "$tmp/cmp.py" events "$tmp/events.json" \
	'[{"event": "block-alloc", "ifindex": '"$ifindex"', "b4-addr": "2001:db8:100::a",
	   "outer-addr": "198.51.100.3"},
	  {"event": "binding-create", "ifindex": '"$ifindex"', "b4-addr": "2001:db8:100::a",
	   "proto": 6, "inner-addr": "192.168.1.10", "inner-port": 23,
	   "outer-addr": "198.51.100.3", "outer-port": 2223},
	  {"event": "binding-expire", "b4-addr": "2001:db8:100::a", "proto": 6,
	   "inner-addr": "192.168.1.10", "inner-port": 23,
	   "outer-addr": "198.51.100.3", "outer-port": 2223}]'
[ -s "$tmp/events.json" ] && diag <"$tmp/events.json"
finish
