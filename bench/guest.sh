#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh WORKLOAD...: the benchmarks, run inside the test guest (bench/run
# boots it). Every contender gets the same three namespaces:
#
#   GEN (B4 side)              MID (the box under test)           SINK (IPv4 side)
#   gen0 2001:db8:1::2 ---- mid-g 2001:db8:1::1                   sink0 203.0.113.2
#   B4s 2001:db8:100::1:0/112    2001:db8::1 (lo, AFTR endpoint)  2001:db8:ffff::2
#   (sender frames)              mid-s 203.0.113.1 ----------------+
#                                      2001:db8:ffff::1
#
# The sender writes frames into gen0 (or sink0 for the return direction);
# the far side counts what arrives (veth rx counter) and drops it at once in
# tc ingress, so its cost is the same whoever sits in MID. Neighbours are
# permanent: no ARP or ND in the measurement.
#
# Contenders in MID:
#   floor  MID drops at its ingress: what the sender and the veths cost
#   plain  the same IPv6 packets routed to SINK, no decapsulation, no NAT
#   ours   dslite_aftr
#   diy    one ip6tnl per B4, conntrack zone per tunnel (original direction
#          only, so replies meet the entry in zone 0), MASQUERADE (in the
#          scale workload SNAT to the pool: one address has only 64k ports
#          toward one server), connmark -> fwmark -> one
#          routing table per B4 for the return path
#   jool   Jool NAT64 (stateful, netfilter mode), fed the IPv6/UDP packets
#          a NAT64 client sends (skipped when the module is absent)
#
# Each result is a line "WORKLOAD CONTENDER CASE KEY VALUE" in
# $AFTR_RESULTS/WORKLOAD.tsv (meta.tsv: the guest), so a workload run alone
# replaces only its own file. Rates are per guest second: under icount the
# guest clock counts instructions (4 ns each), so they are reproducible.
set -u
BENCH=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$BENCH/.." && pwd)
AFTRCTL=${AFTRCTL:-$TOP/tools/aftrctl/aftrctl}
SENDER=$BENCH/sender
RESULTS=${AFTR_RESULTS:-/tmp}
OUT=$RESULTS/meta.tsv
COUNT=${BENCH_COUNT:-20000}

AFTR6=2001:db8::1
B4BASE=2001:db8:100::1:0
SINK6=2001:db8:ffff::2
SRV4=203.0.113.2
POOL=100.64.0.0/20
POOLRANGE=100.64.0.0-100.64.15.255

GEN=bench-gen MID=bench-mid SINK=bench-sink

log() {
	echo "bench: $*" >&2
}

record() {
	printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$OUT"
	log "$*"
}

in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

mac_of() {
	in_ns "$1" cat "/sys/class/net/$2/address"
}

rx_of() {
	in_ns "$1" cat "/sys/class/net/$2/statistics/rx_packets"
}

# Guest seconds, from the same clock the sender reads.
now() {
	awk '{ print $1 }' /proc/uptime
}

# drop_ingress NS DEV: count and drop everything DEV receives.
drop_ingress() {
	in_ns "$1" tc qdisc add dev "$2" clsact &&
	in_ns "$1" tc filter add dev "$2" ingress matchall action drop
}

teardown() {
	local ns
	for ns in $GEN $MID $SINK; do
		ip netns del "$ns" 2>/dev/null
	done
	modprobe -r dslite_aftr jool 2>/dev/null
	return 0
}

# topo_base: the three namespaces and their links, no contender yet.
topo_base() {
	local ns
	teardown
	for ns in $GEN $MID $SINK; do
		ip netns add "$ns" && ip -n "$ns" link set lo up || return
	done
	ip link add gen0 netns $GEN type veth peer name mid-g netns $MID &&
	ip link add sink0 netns $SINK type veth peer name mid-s netns $MID || return
	for ns in "$GEN gen0" "$MID mid-g" "$MID mid-s" "$SINK sink0"; do
		set -- $ns
		ip -n "$1" link set "$2" up || return
	done
	in_ns $MID sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 &&
	ip -n $GEN -6 addr add 2001:db8:1::2/64 dev gen0 nodad &&
	ip -n $MID -6 addr add 2001:db8:1::1/64 dev mid-g nodad &&
	ip -n $MID -6 addr add $AFTR6/128 dev lo nodad &&
	ip -n $MID -6 route add 2001:db8:100::/48 via 2001:db8:1::2 &&
	ip -n $MID -6 neigh add 2001:db8:1::2 lladdr "$(mac_of $GEN gen0)" dev mid-g nud permanent &&
	ip -n $MID addr add 203.0.113.1/24 dev mid-s &&
	ip -n $MID -6 addr add 2001:db8:ffff::1/64 dev mid-s nodad &&
	ip -n $SINK addr add $SRV4/24 dev sink0 &&
	ip -n $SINK -6 addr add $SINK6/64 dev sink0 nodad &&
	ip -n $MID neigh add $SRV4 lladdr "$(mac_of $SINK sink0)" dev mid-s nud permanent &&
	ip -n $MID -6 neigh add $SINK6 lladdr "$(mac_of $SINK sink0)" dev mid-s nud permanent
}

# The tables the baselines need must hold a million entries too.
conntrack_size() {
	sysctl -qw net.netfilter.nf_conntrack_buckets=1048576 2>/dev/null ||
		echo 1048576 >/sys/module/nf_conntrack/parameters/hashsize
	sysctl -qw net.netfilter.nf_conntrack_max=4194304 &&
	in_ns $MID sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600 \
		net.netfilter.nf_conntrack_udp_timeout_stream=600
}

setup_floor() {
	drop_ingress $MID mid-g
}

setup_plain() {
	:
}

setup_ours() {
	ip -n $MID link add aftr0 type dslite &&
	ip -n $MID link set aftr0 up &&
	ip -n $MID route add $POOL dev aftr0 &&
	# The sender's B4s share one /64: each address its own subscriber, as
	# the DIY recipe's one tunnel per B4 has it, and no cap on how fast
	# they come.
	in_ns $MID "$AFTRCTL" dev set aftr0 endpoint $AFTR6 block-size 4096 max-blocks 16 \
		max-bindings 65536 max-new-rate 1000000000 timeout udp 3600 \
		subscriber-len 128 max-new-subscribers 0 &&
	in_ns $MID "$AFTRCTL" b4 allow dev aftr0 2001:db8:100::/48 &&
	in_ns $MID "$AFTRCTL" pool add dev aftr0 $POOL
}

# setup_diy HOSTS [snat]: the recipe, for HOSTS B4s.
setup_diy() {
	local n=$1 i b4 nat="masquerade" elems=
	[ "${2-}" != snat ] || nat="snat to $POOLRANGE"
	modprobe nf_conntrack && conntrack_size || return
	# Routing tables from 1000: 253-255 are default, main and local.
	{
		for ((i = 0; i < n; i++)); do
			b4=$(b4_addr $i)
			echo "tunnel add t$i mode ipip6 local $AFTR6 remote $b4"
			echo "link set t$i up"
			echo "rule add fwmark $((i + 1)) table $((i + 1000))"
			echo "route add default dev t$i table $((i + 1000))"
		done
	} | ip -n $MID -batch - || return
	# Tunnel i: conntrack zone i + 1 and mark i + 1 (a zone needs an
	# integer map, a mark a mark map: the same elements twice).
	for ((i = 0; i < n; i++)); do
		elems+="\"t$i\" : $((i + 1)), "
	done
	{
		echo "table ip diy {"
		echo "  map b4 { type ifname : mark; elements = { $elems } }"
		echo "  chain raw { type filter hook prerouting priority raw;"
		echo "    iifname \"t*\" ct original zone set iifname map { $elems }; }"
		echo "  chain mangle { type filter hook prerouting priority mangle;"
		echo "    iifname \"t*\" ct mark set iifname map @b4"
		echo "    iifname \"mid-s\" meta mark set ct mark; }"
		# Replies are un-NATed in prerouting: the hook must exist.
		echo "  chain pre { type nat hook prerouting priority dstnat; }"
		echo "  chain post { type nat hook postrouting priority srcnat;"
		echo "    oifname \"mid-s\" $nat; }"
		echo "}"
	} | in_ns $MID nft -f -
}

setup_jool() {
	modprobe jool || return
	in_ns $MID jool instance add --netfilter --pool6 64:ff9b::/96 &&
	in_ns $MID jool pool4 add 203.0.113.1 1024-65535 --udp
}

# b4_addr I: the address of B4 number I, as the sender makes it.
b4_addr() {
	printf '2001:db8:100::1:%x\n' "$1"
}

# contender_up NAME HOSTS [snat]: a fresh topology with NAME in MID, and
# sinks that drop on both sides.
contender_up() {
	topo_base && drop_ingress $SINK sink0 && drop_ingress $GEN gen0 &&
	case $1 in
	diy) setup_diy "$2" "${3-}" ;;
	*) "setup_$1" ;;
	esac
}

# send_fwd CONTENDER HOSTS PORTS COUNT: frames from the B4 side; prints
# "sent delivered seconds".
send_fwd() {
	local c=$1 kind=ipip6 dst=$AFTR6 rx0 out
	case $c in
	plain) dst=$SINK6 ;;
	jool) kind=ip6 dst=64:ff9b::$SRV4 ;;
	esac
	local at="$SINK sink0"
	[ "$c" != floor ] || at="$MID mid-g"
	rx0=$(rx_of $at)
	out=$(in_ns $GEN "$SENDER" -i gen0 -M "$(mac_of $MID mid-g)" -k $kind \
		-s $B4BASE -d $dst -A $SRV4 -H "$2" -N "$3" -n "$4") || return
	set -- $out
	echo "$2 $(($(rx_of $at) - rx0)) $4"
}

# best COMMAND...: a measurement ("sent delivered seconds") run twice, the
# faster kept: the first may share the CPU with what the setup deferred.
best() {
	local a b
	a=$("$@") && b=$("$@") || return
	set -- $a $b
	if awk -v x="$3" -v y="$6" 'BEGIN { exit !(x <= y) }'; then
		echo "$1 $2 $3"
	else
		echo "$4 $5 $6"
	fi
}

# report WORKLOAD CONTENDER CASE "sent delivered seconds"
report() {
	local w=$1 c=$2 k=$3
	set -- $4
	record "$w" "$c" "$k" sent "$1"
	record "$w" "$c" "$k" delivered "$2"
	record "$w" "$c" "$k" seconds "$3"
	record "$w" "$c" "$k" pps "$(awk -v d="$2" -v s="$3" 'BEGIN { printf "%.0f", d / s }')"
}

contenders() {
	local c
	for c in floor plain ours diy jool; do
		[ $c != jool ] || modinfo jool >/dev/null 2>&1 || {
			log "jool: no module for $(uname -r), skipped"
			record "$1" jool - skipped "no module"
			continue
		}
		echo $c
	done
}

# udp: small-packet forwarding rate from the B4 side, 1 and 256 B4s, over
# existing bindings (a first pass creates them).
wl_udp() {
	local c h r
	for h in 1 256; do
		for c in $(contenders udp); do
			contender_up $c $h || { record udp $c "b4s=$h" error setup; continue; }
			send_fwd $c $h 4 $((h * 4)) >/dev/null
			r=$(best send_fwd $c $h 4 "$COUNT") && report udp $c "b4s=$h" "$r"
		done
	done
	teardown
}

# targets CONTENDER: "ADDR PORT" of the bindings, as seen from SINK.
targets() {
	case $1 in
	ours) in_ns $MID "$AFTRCTL" -j binding show dev aftr0 | python3 -c '
import json, sys
for b in json.load(sys.stdin):
    print(b["outer-addr"], b["outer-port"])' ;;
	diy) in_ns $MID conntrack -L -p udp 2>/dev/null |
		sed -n 's/.*src=\(203\.0\.113\.2\) dst=\([0-9.]*\) sport=9 dport=\([0-9]*\)$/\2 \3/p;
			s/.*src=203\.0\.113\.2 dst=\([0-9.]*\) sport=9 dport=\([0-9]*\) .*/\1 \2/p' ;;
	*) echo "$SRV4 9" ;;
	esac
}

# return: the reverse direction, IPv4 from SINK into the softwires of the
# bindings a first pass made (plain: the same IPv6 packets MID would send).
wl_return() {
	local c rx0 out at t=/tmp/targets
	for c in floor plain ours diy; do
		contender_up $c 1 || continue
		send_fwd $c 1 4 4 >/dev/null
		targets $c >$t
		at="$GEN gen0"
		if [ $c = floor ]; then
			drop_ingress $MID mid-s
			at="$MID mid-s"
		fi
		rx0=$(rx_of $at)
		if [ $c = floor ] || [ $c = plain ]; then
			out=$(in_ns $SINK "$SENDER" -i sink0 -M "$(mac_of $MID mid-s)" -k ipip6 \
				-s $SINK6 -d "$B4BASE" -n "$COUNT")
		else
			out=$(in_ns $SINK "$SENDER" -i sink0 -M "$(mac_of $MID mid-s)" -k ip4 \
				-a $SRV4 -p 9 -T $t -n "$COUNT")
		fi || { record return $c b4s=1 error send; continue; }
		set -- $out
		report return $c b4s=1 "$2 $(($(rx_of $at) - rx0)) $4"
	done
	teardown
}

# newmap: new mappings per second, every packet a fresh flow (16 B4s x 2048
# ports), counted at the far side.
wl_newmap() {
	local c r
	for c in $(contenders newmap); do
		[ $c != floor ] || continue
		contender_up $c 16 || continue
		r=$(send_fwd $c 16 2048 32768) && report newmap $c "flows=32768" "$r"
	done
	teardown
}

# slab_bytes CACHE: bytes the slab cache holds (pages of its slabs).
slab_bytes() {
	local d=/sys/kernel/slab/$1 slabs
	read -r slabs _ <$d/slabs
	echo $((slabs * 4096 << $(cat $d/order)))
}

# cpu_time COMMAND...: the CPU seconds (user + system, the kernel's side of
# a netlink dump included) COMMAND takes, its output dropped. Not the guest
# clock: that jumps ahead while the command waits for its binary over 9p.
cpu_time() {
	local TIMEFORMAT='%U %S' t
	t=$( { time "$@" >/dev/null 2>&1; } 2>&1) || return
	awk -v u="${t% *}" -v s="${t#* }" 'BEGIN { print u + s }'
}

# scale: the rate over 64 B4s with 1k, 100k and 1M bindings in the table,
# the memory per binding and the time to dump the table.
wl_scale() {
	local c n ports r cache objs dump
	for c in ours diy; do
		for n in 1024 102400 1048576; do
			[ $c != diy ] || [ $n -lt 1048576 ] || [ -n "${BENCH_FULL-}" ] || {
				record scale diy "bindings=$n" skipped "BENCH_FULL unset"
				continue
			}
			ports=$((n / 64))
			contender_up $c 64 snat || continue
			r=$(send_fwd $c 64 $ports $n) && report fill $c "bindings=$n" "$r"
			r=$(best send_fwd $c 64 $ports "$COUNT") && report scale $c "bindings=$n" "$r"
			if [ $c = ours ]; then
				cache=dslite_aftr_binding
				objs=$(in_ns $MID "$AFTRCTL" -j dev show aftr0 | python3 -c '
import json, sys
d = json.load(sys.stdin)
print((d[0] if isinstance(d, list) else d)["binding-count"])')
				dump=$(cpu_time in_ns $MID "$AFTRCTL" binding show dev aftr0)
			else
				cache=nf_conntrack
				objs=$(in_ns $MID conntrack -C)
				dump=$(cpu_time in_ns $MID conntrack -L)
			fi
			record scale $c "bindings=$n" entries "$objs"
			record scale $c "bindings=$n" dump_seconds "$dump"
			record scale $c "bindings=$n" slab_bytes "$(slab_bytes $cache)"
			record scale $c "bindings=$n" object_size "$(cat /sys/kernel/slab/$cache/object_size)"
		done
	done
	teardown
}

# probe B4 N: N bindings of one more B4, beside the 64 the table's bindings
# belong to (prints "sent delivered seconds").
probe() {
	in_ns $GEN "$SENDER" -i gen0 -M "$(mac_of $MID mid-g)" -k ipip6 -s "$1" -d $AFTR6 \
		-A $SRV4 -H 1 -N "$2" -n "$2" >/dev/null
}

PROBE=2001:db8:100::2:0 STATICS=100

# control: what the control plane costs one subscriber's worth of work in a
# table of 1k, 100k and 1M bindings (#8 item 15): CPU seconds (the
# kernel's share included) of a B4's dump and flush (a probe B4 with 100
# bindings), of the dump of 100 static mappings, and of b4 deny of a
# prefix holding one B4 of 100 bindings. Each should not grow with the
# table. BENCH_CONTROL: other table sizes.
wl_control() {
	local n sec
	for n in ${BENCH_CONTROL:-1024 102400 1048576}; do
		contender_up ours 64 || continue
		send_fwd ours 64 $((n / 64)) $n >/dev/null
		for ((i = 0; i < STATICS; i++)); do
			echo "static add dev aftr0 b4 $PROBE proto udp inner 10.0.0.1:$((1000 + i)) outer 100.64.15.1:$((30000 + i))"
		done >/tmp/statics
		in_ns $MID "$AFTRCTL" -batch /tmp/statics || { record control ours "bindings=$n" error statics; continue; }
		probe $PROBE 100
		in_ns $MID "$AFTRCTL" b4 allow dev aftr0 2001:db8:200::/64
		probe 2001:db8:200::1 100
		record control ours "bindings=$n" entries "$(in_ns $MID "$AFTRCTL" -j dev show aftr0 |
			python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["binding-count"])')"
		for sec in "show_b4 binding show dev aftr0 b4 $PROBE" "static_show static show dev aftr0" \
			   "flush_b4 binding flush dev aftr0 b4 $PROBE" \
			   "deny_b4 b4 deny dev aftr0 2001:db8:200::/64"; do
			set -- $sec
			record control ours "bindings=$n" "$1" "$(cpu_time in_ns $MID "$AFTRCTL" "${@:2}")"
		done
	done
	teardown
}

# busy SECONDS: the share of the CPU (0..1) used while the guest otherwise
# rests for SECONDS, from /proc/stat (everything but idle and iowait).
busy() {
	local a b
	a=$(head -n 1 /proc/stat)
	sleep "$1"
	b=$(head -n 1 /proc/stat)
	awk -v a="$a" -v b="$b" 'BEGIN {
		n = split(a, x); split(b, y)
		for (i = 2; i <= n; i++) { d = y[i] - x[i]; t += d; if (i == 5 || i == 6) idle += d }
		printf "%.3f", t ? (t - idle) / t : 0 }'
}

# trace FILE: "guest-time B4s live-bindings" into FILE every second, for
# ever (the caller kills it). The guest clock jumps ahead while the guest
# waits for 9p, so the poller runs a copy of aftrctl from tmpfs and
# writes to tmpfs: no I/O between two samples.
trace() {
	while :; do
		printf '%s %s\n' "$(now)" "$(in_ns $MID /tmp/aftrctl dev show aftr0 |
			awk '{ for (i = 1; i < NF; i++) if ($i == "b4s") b = $(i + 1);
			       else if ($i == "bindings") n = $(i + 1) } END { print b, n }')" >>"$1"
		sleep 1
	done
}

EXPIRY_STREAM=120 EXPIRY_HOLD=30

# expiry: how late bindings and hold-downs end in a full table (#8 item
# 18), BENCH_EXPIRY bindings (default 1M and 10M) over 256 B4s, filled
# with a long UDP timeout while a poller notes when each count was
# reached. Then:
#   gc_busy   the CPU share the expiry sweep takes at rest, table full;
#   stream    the UDP timeout is set so that the first bindings are due in
#             5 s and the rest follow in the order and at the rate they
#             were made: for EXPIRY_STREAM seconds (at most half the
#             fill's time, so that some are left), a binding made at
#             fill time s is due at s + timeout; at each sample, the
#             bindings gone say up to which fill time s the table has
#             expired, and lag = now - (s + timeout): how late the oldest
#             still there is (median and maximum);
#   mass      the timeout is then lowered to 1 s: all the rest is due at
#             once. mass_late: seconds past that until the last live
#             binding left; held_late (hold-down EXPIRY_HOLD): the
#             last B4 leaves two hold-downs later (its bindings', then its
#             own blocks'): seconds past that.
# Samples are a second apart: each figure is exact to about a second.
wl_expiry() {
	local n t0 t1 timeout set gone left d=/tmp/expiry
	mkdir -p $d && cp "$AFTRCTL" /tmp/aftrctl
	for n in ${BENCH_EXPIRY:-1048576 10485760}; do
		contender_up ours 256 || continue
		: >$d/fill
		trace $d/fill &
		t0=$(now)
		send_fwd ours 256 $((n / 256)) $n >/dev/null
		t1=$(now)
		sleep 1
		kill $! && wait $! 2>/dev/null
		set -- $(tail -n 1 $d/fill)
		record expiry ours "bindings=$n" fill_seconds "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
		record expiry ours "bindings=$n" entries "$3"
		record expiry ours "bindings=$n" gc_busy "$(busy 10)"
		timeout=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%d", b - a + 5 }')
		: >$d/stream
		in_ns $MID /tmp/aftrctl dev set aftr0 timeout udp "$timeout" holddown $EXPIRY_HOLD ||
			{ record expiry ours "bindings=$n" error "dev set"; continue; }
		trace $d/stream &
		# Half the fill at most: the rest is for the mass expiry.
		sleep "$(awk -v a="$t0" -v b="$t1" -v m=$EXPIRY_STREAM 'BEGIN { s = (b - a) / 2; print s < m ? s : m }')"
		kill $! && wait $! 2>/dev/null
		set -- $(python3 - $d/fill $d/stream "$timeout" <<'PY'
import bisect, statistics, sys
fill = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 3]
made = [(f[2], f[0]) for f in fill]     # (bindings made, when)
total, timeout, lags = made[-1][0], float(sys.argv[3]), []
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) != 3:
        continue
    gone = total - float(f[2])
    i = bisect.bisect_left(made, (gone, 0))
    # Before the first is due, or once all are gone, there is no oldest.
    if gone <= 0 or gone >= total or i == 0:
        continue
    (c0, s0), (c1, s1) = made[i - 1], made[i]
    s = s0 + (s1 - s0) * (gone - c0) / (c1 - c0)
    lags.append(float(f[0]) - (s + timeout))
print(f"{statistics.median(lags):.2f} {max(lags):.2f} {len(lags)} {f[2]}" if lags else "- - 0 -")
PY
)
		record expiry ours "bindings=$n" stream_lag_median "$1"
		record expiry ours "bindings=$n" stream_lag_max "$2"
		record expiry ours "bindings=$n" stream_samples "$3"
		record expiry ours "bindings=$n" stream_left "$4"
		set=$(now)
		in_ns $MID /tmp/aftrctl dev set aftr0 timeout udp 1 ||
			{ record expiry ours "bindings=$n" error "dev set"; continue; }
		: >$d/mass
		trace $d/mass &
		gone= left=
		while [ -z "$left" ]; do
			sleep 1
			set -- $(tail -n 1 $d/mass)
			[ -n "$gone" ] || [ "${3:-1}" != 0 ] || gone=$1
			[ -z "$gone" ] || [ "${2:-1}" != 0 ] || left=$1
		done
		kill $! && wait $! 2>/dev/null
		record expiry ours "bindings=$n" mass_late "$(awk -v g="$gone" -v s="$set" 'BEGIN { print g - s }')"
		record expiry ours "bindings=$n" held_late "$(awk -v l="$left" -v g="$gone" -v h=$EXPIRY_HOLD 'BEGIN { print l - g - 2 * h }')"
		cp $d/fill "$RESULTS/expiry-$n.fill" && cp $d/stream "$RESULTS/expiry-$n.stream" &&
			cp $d/mass "$RESULTS/expiry-$n.mass"
	done
	teardown
}

# tcp: bulk TCP through a real B4 (ip6tnl) for 5 guest seconds; plain
# carries the same softwire to SINK, which decapsulates it.
wl_tcp() {
	local c remote bps
	for c in plain ours diy; do
		contender_up $c 1 || continue
		# No drops here: TCP needs its ACKs.
		in_ns $GEN tc qdisc del dev gen0 clsact
		in_ns $SINK tc qdisc del dev sink0 clsact
		remote=$AFTR6
		if [ $c = plain ]; then
			remote=$SINK6
			ip -n $SINK -6 route add default via 2001:db8:ffff::1 &&
			ip -n $SINK -6 tunnel add b4 mode ipip6 local $SINK6 remote $B4BASE &&
			ip -n $SINK link set b4 up &&
			ip -n $SINK route add 192.168.1.0/24 dev b4 || continue
		fi
		ip -n $GEN -6 addr add $B4BASE/128 dev lo nodad &&
		ip -n $GEN -6 route add default via 2001:db8:1::1 &&
		ip -n $GEN -6 tunnel add dslite mode ipip6 local $B4BASE remote $remote &&
		ip -n $GEN link set dslite up &&
		ip -n $GEN addr add 192.168.1.2/24 dev lo &&
		ip -n $GEN route add default dev dslite src 192.168.1.2 &&
		ip -n $SINK route add default via 203.0.113.1 || continue
		in_ns $SINK iperf3 -s -1 -D -B $SRV4 >/dev/null
		sleep 1
		bps=$(in_ns $GEN iperf3 -c $SRV4 -t 5 -J 2>/dev/null | python3 -c '
import json, sys
print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))') ||
			{ record tcp $c b4s=1 error iperf3; continue; }
		record tcp $c b4s=1 bps "$bps"
	done
	teardown
}

# profile: where ours and plain spend their time at the udp workload (256
# B4s): per symbol, and inclusive of callees (so the stages show: decap,
# the second receive through gro_cells, NAT, routing, encap).
wl_profile() {
	local c d=$RESULTS
	command -v perf >/dev/null || { log "no perf"; return 0; }
	for c in plain ours; do
		contender_up $c 256 || return
		send_fwd $c 256 4 1024 >/dev/null
		perf record -q -a -g -o /tmp/perf.data -- \
			"$0" send-only $c 256 4 "$COUNT" >/dev/null 2>&1
		perf report -i /tmp/perf.data --no-children --sort sym -g none \
			--percent-limit 0.2 --stdio >"$d/profile-$c-self.txt" 2>/dev/null
		perf report -i /tmp/perf.data --children --sort sym -g none \
			--percent-limit 0.5 --stdio >"$d/profile-$c-inclusive.txt" 2>/dev/null
	done
	teardown
}

case ${1-} in
send-only)
	shift
	send_fwd "$@"
	exit
	;;
esac
rm -f "$OUT"
record meta - - kernel "$(uname -r)"
record meta - - cpus "$(nproc)"
record meta - - mem_kb "$(awk '/MemTotal/ { print $2 }' /proc/meminfo)"
record meta - - cmdline "$(cat /proc/cmdline | tr -s ' ' | cut -c1-200)"
[ $# -gt 0 ] || set -- udp return newmap tcp scale control expiry profile
for w; do
	declare -F "wl_$w" >/dev/null || { log "no workload $w"; exit 2; }
done
for w; do
	log "workload $w (guest time $(now) s)"
	OUT=$RESULTS/$w.tsv
	rm -f "$OUT"
	"wl_$w"
done
log "done (guest time $(now) s)"
