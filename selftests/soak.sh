#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Soak: hundreds of B4s (pkt_fuzz's valid kinds from 300 addresses on the
# fuzz link) and the real B4s A and B (ip6tnl, with paced TCP both ways,
# UDP and ICMP) keep the AFTR busy for MINUTES, in cycles. Between the
# cycles, with the traffic paused, the counters must add up exactly (no
# fragment is sent: accounting.py packets --exact) and the binding counts
# must agree (dev show = binding show = the sum of b4 show; B4s likewise);
# then the configuration churns, drawn from the seed: short timeouts (so
# bindings expire while traffic flows), hold-down, limits, a second pool,
# a det rule and static mappings come and go, bindings are flushed, extra
# instances and whole namespaces are made and deleted. At the end the
# module is unloaded with its instances alive, and its slab caches must
# go. Through vm/run, no kernel report either.
#
#	soak.sh [-s SEED] [-d MINUTES]
#
# MINUTES: default $SOAK_MINUTES, else 2. The seed is printed first.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
. "$(dirname "$0")/packets.sh"
require_aftr
require_cmd python3 nstat

seeded_options d minutes "${SOAK_MINUTES:-2}" "$@"
RANDOM=$seed

ACCOUNTING=$TOP/selftests/accounting.py
[ -x "$PKT_FUZZ" ] || skip_all "no $PKT_FUZZ (make selftests?)"
scratch=/tmp/soak-$$
mkdir -p "$scratch"
at_exit "rm -rf $scratch"

# Valid traffic only: the soak is about load and churn, not bad packets.
KINDS=softwire-valid,softwire-hairpin,ipv4-mapped,ipv4-unmapped
POOL2=198.51.100.16/28
DET_POOL=198.51.100.32/28
DET_B4=2001:db8:1f0::/56
CYCLE=${SOAK_CYCLE:-15}	# seconds of traffic per cycle

soak_topology() {
	dslite_topology && fuzz_link &&
	ip -n "$AFTR" route add "$POOL2" dev aftr0 &&
	ip -n "$AFTR" route add "$DET_POOL" dev aftr0 &&
	srv_echo_servers && bulk_server
}

# pick WORD...: one of the words, drawn from the seed.
pick() {
	local words=("$@")
	echo "${words[RANDOM % ${#words[@]}]}"
}

# churn: one change of each kind, drawn from the seed; the commands are
# shown with their exit status (refusals are expected: a pool in use by
# the static mapping cannot go, a det rule over a pool, ...).
churn() {
	local cmds=() c
	cmds+=("dev set aftr0 timeout udp $(pick 2 5 30) timeout icmp $(pick 2 5 30)"
	       "dev set aftr0 timeout tcp-trans $(pick 3 10 60) timeout tcp-est $(pick 5 60 7440)"
	       "dev set aftr0 holddown $(pick 0 1 3) max-bindings $(pick 20 100 1024)"
	       "dev set aftr0 max-new-rate $(pick 20 200 2000) max-blocks $(pick 1 4 16)"
	       "pool $(pick add del) dev aftr0 $POOL2")
	if [ $((RANDOM % 2)) = 0 ]; then
		cmds+=("det add dev aftr0 b4 $DET_B4 len 64 pool $DET_POOL")
	else
		cmds+=("det del dev aftr0 b4 $DET_B4")
	fi
	if [ -n "$static_outer" ]; then
		cmds+=("static del dev aftr0 proto udp outer $static_outer")
		static_outer=
	else
		static_outer=198.51.100.$((RANDOM % 16)):$((1024 + RANDOM % 64))
		cmds+=("static add dev aftr0 b4 2001:db8:1f0:ffff::1 proto udp inner 192.168.1.2:5000 outer $static_outer")
	fi
	cmds+=("binding flush dev aftr0 $(pick '' 'proto udp' 'proto tcp' "b4 2001:db8:1f0:$(printf %x $((RANDOM % 300)))::1")")
	for c in "${cmds[@]}"; do
		aftr_run $c >/dev/null 2>&1
		echo "$c: $?"
	done
}
static_outer=

# instances_churn: an extra instance in the AFTR's namespace, and a
# namespace of its own with a configured instance, made or deleted.
instances_churn() {
	if ip -n "$AFTR" link show aftr1 >/dev/null 2>&1; then
		ip -n "$AFTR" link del aftr1 && echo "aftr1 deleted"
	else
		ip -n "$AFTR" link add aftr1 type "$KIND" &&
		aftr_run dev set aftr1 endpoint 2001:db8::77 &&
		aftr_run pool add dev aftr1 198.51.100.64/28 && echo "aftr1 made"
	fi
	if [ -n "${EXTRA-}" ]; then
		ip netns del "$EXTRA" && EXTRA= && echo "extra namespace deleted"
	else
		ns_new EXTRA &&
		ip -n "$EXTRA" link add aftr0 type "$KIND" &&
		ip netns exec "$EXTRA" "$AFTRCTL" dev set aftr0 endpoint 2001:db8::1 &&
		ip netns exec "$EXTRA" "$AFTRCTL" b4 allow dev aftr0 2001:db8::/32 &&
		ip netns exec "$EXTRA" "$AFTRCTL" pool add dev aftr0 "$POOL" &&
		echo "extra namespace made"
	fi
}

# counts_agree: the binding and B4 counts of aftr0 agree, read frozen.
counts_agree() {
	aftr_run -j dev show aftr0 >"$scratch/dev" &&
	aftr_run -j b4 show dev aftr0 >"$scratch/b4s" &&
	aftr_run -j binding show dev aftr0 >"$scratch/bindings" &&
	python3 "$ACCOUNTING" bindings "$scratch/dev" "$scratch/b4s" "$scratch/bindings"
}

setup "the DS-Lite topology with a fuzz link and servers" soak_topology
end=$((SECONDS + minutes * 60))
cycle=0
while [ $SECONDS -lt $end ] || [ $cycle = 0 ]; do
	aftr_run -j stats dev aftr0 >"$scratch/before"
	reqds=$(mib "$AFTR" IpReasmReqds) oks=$(mib "$AFTR" IpReasmOKs)
	b4_traffic "$B4A"
	b4_traffic "$B4B"
	pkt_fuzz -s $((seed + cycle)) -n 100000000 -t "$CYCLE" --b4-count 300 --kinds "$KINDS" \
		>"$scratch/fuzz" 2>&1 || { cat "$scratch/fuzz"; not_ok "cycle $cycle: pkt_fuzz"; }
	b4_traffic_stop
	wait_until 60 aftr_quiet
	aftr_run -j stats dev aftr0 >"$scratch/after"
	aftr_freeze
	reqds=$(( $(mib "$AFTR" IpReasmReqds) - reqds )) oks=$(( $(mib "$AFTR" IpReasmOKs) - oks ))
	{
		echo "cycle $cycle: $(tail -n 1 "$scratch/fuzz")"
		python3 "$ACCOUNTING" packets "$scratch/before" "$scratch/after" "$reqds" "$oks" \
			--exact | tail -n 2
		counts_agree | head -n 1
	} | diag
	check "cycle $cycle: every claimed packet is translated or dropped and counted" \
		python3 "$ACCOUNTING" packets "$scratch/before" "$scratch/after" "$reqds" "$oks" \
		--exact
	check "cycle $cycle: binding and B4 counts agree" counts_agree
	churn >"$scratch/churn"
	instances_churn >>"$scratch/churn"
	diag <"$scratch/churn"
	cycle=$((cycle + 1))
done
echo "# $cycle cycles in $minutes minutes"
aftr_run stats dev aftr0 | diag

module_slabs | diag
check "modprobe -r with instances in several namespaces" module_unload
check "the module's slab caches are gone" \
	test -z "$(ls -d /sys/kernel/slab/dslite_aftr_* 2>/dev/null)"
finish
