#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Deterministic port ranges (RFC 7422, CGN-5). A rule maps each B4 prefix
# to one pool address and one port range by the arithmetic written in
# Documentation/netlink.rst; the model below is that arithmetic, and the
# kernel's answers must agree with it both ways: exhaustively for a /48
# split into /56s (256 B4s), and on random samples of a /40 split into /56s
# (65536 B4s) against a /26. Real traffic from B4s A and B (topology.sh)
# must use only their ranges, and the external port the server saw must
# lead back to the right B4. Bad rules are refused with a reason and change
# nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd socat python3

SMALL_B4=2001:db8:300::/48 SMALL_POOL=198.51.100.128/28 SMALL_PORTS=1024-65000
LARGE_B4=$ALLOWED LARGE_POOL=198.51.100.64/26 LARGE_PORTS=1024-65535
tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"

# refused DESCRIPTION [RC] PATTERN ARGS...: aftrctl ARGS exits with RC
# (default 2: the kernel refused) and an error matching the extended regex
# PATTERN.
refused() {
	local what=$1 rc=2
	shift
	case $1 in [0-9]) rc=$1; shift ;; esac
	check "$what" aftr_refused "$rc" "$@"
}

setup "the DS-Lite topology comes up" dslite_topology
if aftr_run det show dev aftr0 2>&1 | grep -q 'not supported'; then
	skip "deterministic rules" "the module answers EOPNOTSUPP: not implemented yet"
	echo "1..$tap_n"
	exit $KSFT_SKIP
fi
setup "echo servers listen" srv_echo_servers
setup "the det pools are routed to aftr0" \
	ip -n "$AFTR" route add "$SMALL_POOL" dev aftr0
ip -n "$AFTR" route add "$LARGE_POOL" dev aftr0

# det_check RULE SAMPLES SEED: runs lookups through one aftrctl batch and
# compares every answer with the model. RULE is "B4PREFIX LEN POOL MIN-MAX";
# SAMPLES "all" walks every B4 of the rule, a number draws that many.
# Each B4 is looked up forward (by an address inside its prefix, random
# host bits), then backward by the first, last and a random port of its
# range; and random (address, port) pairs of the pool backward, including
# ports no B4 owns (the rule's leftover ports, if any).
det_check() {
	python3 - "$AFTRCTL" "$AFTR" "$tmp" "$@" <<'EOF'
import ipaddress, json, random, subprocess, sys

aftrctl, ns, tmp, b4net, b4len, pool, ports, samples, seed = sys.argv[1:]
b4net = ipaddress.ip_network(b4net)
b4len = int(b4len)
pool = ipaddress.ip_network(pool)
pmin, pmax = map(int, ports.split("-"))
rnd = random.Random(int(seed))

# The arithmetic of Documentation/netlink.rst, DSLITE_AFTR_CMD_DET_ADD.
nb4 = 2 ** (b4len - b4net.prefixlen)
naddr = pool.num_addresses
share = -(-nb4 // naddr)
ppb = (pmax - pmin + 1) // share

def b4_prefix(i):
    base = int(b4net.network_address) + (i << (128 - b4len))
    return "%s/%d" % (ipaddress.IPv6Address(base), b4len)

def forward(i):
    return {"b4-prefix": b4_prefix(i),
            "outer-addr": str(pool.network_address + i // share),
            "port-min": pmin + (i % share) * ppb,
            "port-max": pmin + (i % share) * ppb + ppb - 1}

def reverse(addr, port):
    a = int(ipaddress.IPv4Address(addr)) - int(pool.network_address)
    if not 0 <= a < naddr or not pmin <= port < pmin + share * ppb:
        return None
    i = a * share + (port - pmin) // ppb
    return forward(i) if i < nb4 else None

def host_in(i):
    base = int(b4net.network_address) + (i << (128 - b4len))
    return str(ipaddress.IPv6Address(base + rnd.getrandbits(128 - b4len)))

b4s = range(nb4) if samples == "all" else [rnd.randrange(nb4) for _ in range(int(samples))]
lines, want = [], []
for i in b4s:
    f = forward(i)
    lines.append("det lookup dev aftr0 b4 " + host_in(i))
    want.append(f)
    for port in (f["port-min"], f["port-max"], rnd.randint(f["port-min"], f["port-max"])):
        lines.append("det lookup dev aftr0 %s %d" % (f["outer-addr"], port))
        want.append(f)
for _ in range(len(b4s)):
    addr = pool.network_address + rnd.randrange(naddr)
    port = rnd.randint(pmin, pmax)
    lines.append("det lookup dev aftr0 %s %d" % (addr, port))
    want.append(reverse(str(addr), port))

with open(tmp + "/batch", "w") as f:
    f.write("\n".join(lines) + "\n")
out = subprocess.run(["ip", "netns", "exec", ns, aftrctl, "-j", "-batch", tmp + "/batch",
                      "-force"], capture_output=True, text=True).stdout.splitlines()
bad = 0
for n, (line, w) in enumerate(zip(lines, want)):
    got = json.loads(out[n]) if n < len(out) else "(no answer)"
    got = got[0] if isinstance(got, list) and len(got) == 1 else (None if got == [] else got)
    if got != w:
        bad += 1
        if bad <= 5:
            print("%s: got %s, wanted %s" % (line, got, w))
if len(out) != len(lines):
    print("%d answers to %d lookups" % (len(out), len(lines)))
    bad += 1
print("%d lookups, %d B4s, %d per address, %d ports each, %d wrong" %
      (len(lines), nb4, share, ppb, bad))
sys.exit(bad != 0)
EOF
}

# --- Forward and reverse lookups agree with the arithmetic ----------------
check "det add: a /48 into /56s on a /28 (CGN-5)" \
	aftr_run det add dev aftr0 b4 "$SMALL_B4" len 56 pool "$SMALL_POOL" ports "$SMALL_PORTS"
check "det add: a /40 into /56s on a /26 (CGN-5)" \
	aftr_run det add dev aftr0 b4 "$LARGE_B4" len 56 pool "$LARGE_POOL" ports "$LARGE_PORTS"

rule_is() {
	aftr_run -j det show dev aftr0 | python3 -c '
import json, sys
want = dict(zip(("b4-prefix", "b4-len", "prefix", "port-min", "port-max",
                 "b4-per-addr", "ports-per-b4"), sys.argv[1:]))
rules = [{k: str(r.get(k)) for k in want} for r in json.load(sys.stdin)]
print(rules)
sys.exit(want not in rules)' "$@"
}
check "det show: /48 rule with 16 B4s per address, 3998 ports each" \
	rule_is "$SMALL_B4" 56 "$SMALL_POOL" 1024 65000 16 3998
check "det show: /40 rule with 1024 B4s per address, 63 ports each" \
	rule_is "$LARGE_B4" 56 "$LARGE_POOL" 1024 65535 1024 63
check "all 256 B4s of the /48: forward and reverse lookups agree" \
	det_check "$SMALL_B4" 56 "$SMALL_POOL" "$SMALL_PORTS" all 1
check "300 random B4s of the /40: forward and reverse lookups agree" \
	det_check "$LARGE_B4" 56 "$LARGE_POOL" "$LARGE_PORTS" 300 "$RANDOM"

det_text() {
	aftr_run det lookup dev aftr0 b4 2001:db8:100:1200::1 |
		grep -qx 'b4 2001:db8:100:1200::/56 addr 198.51.100.64 ports 2158-2220'
}
check "det lookup prints text: b4 PREFIX addr ADDR ports MIN-MAX" det_text
refused "det lookup of a B4 outside every rule finds nothing" '^Error: .*no rule covers' \
	det lookup dev aftr0 b4 2001:db8:200::c

# --- Traffic uses only the computed ranges --------------------------------
# range_of B4ADDR: "ADDR MIN MAX" of B4ADDR's range.
range_of() {
	aftr_run -j det lookup dev aftr0 b4 "$1" | python3 -c '
import json, sys
r = json.load(sys.stdin)[0]
print(r["outer-addr"], r["port-min"], r["port-max"])'
}

# traffic_in_range NS B4ADDR: ten TCP and ten UDP connections from NS are
# seen by the server from B4ADDR's address and range, and looking up each
# external port seen names B4ADDR's prefix.
traffic_in_range() {
	local ns=$1 b4=$2 addr min max seen owner
	read -r addr min max <<<"$(range_of "$b4")"
	[ -n "$max" ] || return
	echo "range of $b4: $addr $min-$max"
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		for seen in "$(tcp_seen "$ns" "$SRV_ADDR")" "$(udp_seen "$ns" "$SRV_ADDR")"; do
			[ -n "$seen" ] || { echo "no answer"; return 1; }
			[ "${seen%:*}" = "$addr" ] || { echo "seen at $seen, not $addr"; return 1; }
			[ "${seen#*:}" -ge "$min" ] && [ "${seen#*:}" -le "$max" ] ||
				{ echo "port of $seen outside $min-$max"; return 1; }
			owner=$(aftr_run -j det lookup dev aftr0 "$addr" "${seen#*:}" |
				python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["b4-prefix"])')
			python3 -c 'import ipaddress, sys
sys.exit(ipaddress.ip_address(sys.argv[1]) not in ipaddress.ip_network(sys.argv[2]))' \
				"$b4" "$owner" || { echo "$seen leads to $owner"; return 1; }
		done
	done
}
check "B4 A's connections use only its range, and lead back to it" \
	traffic_in_range "$B4A" "$B4A6"
check "B4 B's connections use only its range, and lead back to it" \
	traffic_in_range "$B4B" "$B4B6"

# b4 show: B4s A and B are active, each on its rule's address.
det_b4s_shown() {
	aftr_run -j b4 show dev aftr0 | python3 -c '
import ipaddress, json, sys
b4s = {b["b4-addr"]: b for b in json.load(sys.stdin)}
print(b4s)
pool = ipaddress.ip_network(sys.argv[3])
sys.exit(not all(a in b4s and ipaddress.ip_address(b4s[a]["outer-addr"]) in pool
                 for a in sys.argv[1:3]))' "$B4A6" "$B4B6" "$LARGE_POOL"
}
check "b4 show: both B4s active on the det pool" det_b4s_shown

# --- Refusals change nothing ----------------------------------------------
aftr_run -j det show dev aftr0 >"$tmp/before"
pool_before=$(aftr_run -j pool show dev aftr0)

refused "a rule overlapping another rule's B4s is refused" '^Error: .*overlap' \
	det add dev aftr0 b4 2001:db8:100:4200::/56 len 64 pool 198.51.100.192/28
refused "a rule containing another rule's B4s is refused" '^Error: .*overlap' \
	det add dev aftr0 b4 2001:db8::/32 len 40 pool 198.51.100.192/28
refused "a rule on another rule's pool is refused" '^Error: .*overlap' \
	det add dev aftr0 b4 2001:db8:400::/48 len 56 pool 198.51.100.128/27
refused "a rule on the dynamic pool is refused" '^Error: .*overlap' \
	det add dev aftr0 b4 2001:db8:400::/48 len 56 pool 198.51.100.0/30
refused "a pool on a det pool is refused" '^Error: .*overlap' \
	pool add dev aftr0 198.51.100.64/28
# 65536 B4s on 4 addresses: 16384 per address need 8 ports each = 131072,
# of 64512: the message must say how many are missing (66560), in ports.
# aftrctl checks the sizing itself (exit 1), as older kernels' messages
# cannot carry numbers.
refused "a rule that cannot fit says by how much" 1 '^Error: .*66560 ports short' \
	det add dev aftr0 b4 2001:db8:500::/40 len 56 pool 198.51.100.192/30
refused "more than 2^24 B4s in a rule is refused" 1 '^Error: .*2\^25' \
	det add dev aftr0 b4 2001:db8:500::/40 len 65 pool 198.51.100.192/26
refused "an unknown device is refused" '^Error: ' \
	det add dev nosuch0 b4 2001:db8:600::/48 len 56 pool 198.51.100.192/28
refused "deleting a rule that is not there is refused" '^Error: ' \
	det del dev aftr0 b4 2001:db8:600::/48
check "the refusals changed no rule" \
	sh -c "ip netns exec '$AFTR' '$AFTRCTL' -j det show dev aftr0 | cmp -s - '$tmp/before'"
check "the refusals changed no pool" test "$(aftr_run -j pool show dev aftr0)" = "$pool_before"

# --- Deletion ---------------------------------------------------------------
check "det del removes the /48 rule" aftr_run det del dev aftr0 b4 "$SMALL_B4"
refused "its B4s are no longer found" '^Error: .*no rule covers' \
	det lookup dev aftr0 b4 2001:db8:300:100::1
check "det del removes the /40 rule, ending its bindings" \
	aftr_run det del dev aftr0 b4 "$LARGE_B4"
none_on_det_pool() {
	bindings_json | python3 -c '
import ipaddress, json, sys
pool = ipaddress.ip_network(sys.argv[1])
left = [b for b in json.load(sys.stdin) if ipaddress.ip_address(b["outer-addr"]) in pool]
print(left)
sys.exit(bool(left))' "$LARGE_POOL"
}
check "no binding is left on the det pool" none_on_det_pool
finish
