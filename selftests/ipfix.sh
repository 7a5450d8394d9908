#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The compliance log as IPFIX NAT logging (RFC 8158, issue #11): "aftrctl
# monitor ipfix" exports what B4s A and B (topology.sh) cause to pmacct's
# nfacctd, a real collector started here with a private configuration, and
# the test judges what nfacctd stored, not what aftrctl printed. tshark
# decodes the wire too (ipfix_wire.py): every template and every field of
# every record, over UDP and over TCP.
#
#   pool 198.51.100.1/32, ports 1024-1031: one address, one block of 8
#   B4 A, 8 flows           port block allocation (16), 8 NAT44 session
#                           creates (4): the block is full
#   B4 A, the 9th flow      NAT ports exhausted (12): the address has no block
#   B4 A, max-bindings 4    Quota Exceeded (13), entries per user (3)
#   B4 B, a flow            NAT addresses exhausted (3): none has a block
#   binding flush           8 NAT44 session deletes (5), block freed (17)
#
# A third monitor, with a tiny socket buffer, is stopped while B4 A's first
# flows come: the events it lost reach the wire as an options record
# (ignoredDataRecordTotalCount).
#
# nfdump's nfcapd (1.7.1 in Debian 12) is not used: it keeps neither the
# port range nor, next to an IPv4 source, the B4's IPv6 address.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd nfacctd tshark tcpdump socat python3

tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"
WIRE=$TOP/selftests/ipfix_wire.py
EXT=198.51.100.1
UDP_PORT=4739 TCP_PORT=4740 TCP_DOMAIN=42 LOSSY_PORT=4741 LOSSY_DOMAIN=43

# --- The grammar (nothing is sent before it is checked) --------------------
bad "no collector" monitor ipfix
bad "a port out of range" monitor ipfix 127.0.0.1:65536
bad "an IPv6 address with a port needs brackets" monitor ipfix "[::1"
bad "no host" monitor ipfix :4739
bad "a host that does not resolve" monitor ipfix no.such.host.invalid
bad "an unknown transport" monitor ipfix 127.0.0.1 transport sctp
bad "domain goes after ipfix" monitor domain 7
bad "a domain that is no number" monitor ipfix 127.0.0.1 domain x
bad "template-refresh 0" monitor ipfix 127.0.0.1 template-refresh 0
bad "one destination" monitor ipfix 127.0.0.1 syslog
bad "no JSON" -j monitor ipfix 127.0.0.1
bad "no pool thresholds" monitor ipfix 127.0.0.1 pool-threshold 80

# --- The collector, the capture, the monitors --------------------------------
# nfacctd_start: nfacctd on the AFTR's loopback, its print plugin writing
# each record to $tmp/stored.csv every second. pmacct stores the NAT
# fields it knows (nat_event, post_nat_*) as such; the others of RFC 8158
# are primitives of the configuration, by element id.
nfacctd_start() {
	cat >"$tmp/primitives" <<-EOF
	name=obs_ms field_type=323 len=8 semantics=u_int
	name=b4 field_type=27 len=16 semantics=ip
	name=inner field_type=8 len=4 semantics=ip
	name=range_start field_type=361 len=2 semantics=u_int
	name=range_end field_type=362 len=2 semantics=u_int
	name=quota_event field_type=466 len=4 semantics=u_int
	EOF
	cat >"$tmp/nfacctd.conf" <<-EOF
	daemonize: false
	nfacctd_ip: 127.0.0.1
	nfacctd_port: $UDP_PORT
	plugins: print[nat]
	aggregate_primitives: $tmp/primitives
	aggregate[nat]: export_proto_sysid, export_proto_seqno, nat_event, proto, src_port, post_nat_src_host, post_nat_src_port, obs_ms, b4, inner, range_start, range_end, quota_event
	print_output[nat]: csv
	print_output_file[nat]: $tmp/stored.csv
	print_output_file_append[nat]: true
	print_refresh_time[nat]: 1
	EOF
	ip netns exec "$AFTR" nfacctd -f "$tmp/nfacctd.conf" >"$tmp/nfacctd.out" 2>&1 &
	at_exit "kill -INT $!"	# what it ends on at once
	wait_until 20 in_ns "$AFTR" sh -c "ss -lun | grep -q 127.0.0.1:$UDP_PORT"
}

capture_start() {
	ip netns exec "$AFTR" tcpdump -i lo -U -w "$tmp/wire.pcap" \
		"udp port $UDP_PORT or tcp port $TCP_PORT or udp port $LOSSY_PORT" \
		2>"$tmp/tcpdump.err" &
	at_exit "kill $!"
	wait_until 20 grep -q 'listening on' "$tmp/tcpdump.err"
}

# A TCP collector for the wire only (nfacctd reads UDP), on IPv6.
tcp_sink_start() {
	ip netns exec "$AFTR" socat -u "TCP6-LISTEN:$TCP_PORT,bind=[::1],reuseaddr" \
		STDOUT >/dev/null &
	at_exit "kill $!"
	wait_until 20 in_ns "$AFTR" sh -c "ss -ltn | grep -qF '[::1]:$TCP_PORT'"
}

setup "the DS-Lite topology comes up" dslite_topology
setup "one address with one block of 8 ports, binding events on" \
	eval "aftr_run pool del dev aftr0 $POOL && aftr_run dev set aftr0 block-size 8 &&
	      aftr_run pool add dev aftr0 $EXT/32 ports 1024-1031 &&
	      aftr_run dev set aftr0 events-bindings 1 holddown 0"
DOMAIN=$(ip -n "$AFTR" -o link show aftr0 | cut -d: -f1)
setup "nfacctd listens" nfacctd_start
setup "tcpdump captures the AFTR's loopback" capture_start
setup "a TCP sink listens on ::1" tcp_sink_start
setup "a monitor exports IPFIX over UDP, templates every 8 messages" \
	monitor udp monitor dev aftr0 ipfix 127.0.0.1 template-messages 8
setup "a monitor exports IPFIX over TCP and IPv6, domain $TCP_DOMAIN" \
	monitor tcp monitor ipfix "[::1]:$TCP_PORT" transport tcp domain $TCP_DOMAIN
# lossy_start: a monitor whose socket holds about two events (rmem_default
# is the guest's, not the namespace's: it is put back at once), stopped. Its
# templates go again once a second has passed.
lossy_start() {
	local rmem
	rmem=$(sysctl -n net.core.rmem_default) &&
	sysctl -qw net.core.rmem_default=4096 &&
	monitor lossy monitor ipfix "127.0.0.1:$LOSSY_PORT" domain $LOSSY_DOMAIN \
		template-refresh 1
	local ret=$?
	sysctl -qw net.core.rmem_default="$rmem"
	[ $ret = 0 ] && kill -STOP "$pid_lossy"
}
setup "a monitor that will lose events listens, stopped" lossy_start

T0=$(date +%s%3N)
setup "B4 A's 8 flows fill its block" flows "$B4A" 20000 8
kill -CONT "$pid_lossy"
setup "B4 A's 9th finds no port" flows "$B4A" 20008 1
setup "max-bindings 4" aftr_run dev set aftr0 max-bindings 4
sleep 1.1	# the kernel reports a B4's refusals at most once a second
setup "B4 A's next flow is over its quota" flows "$B4A" 20100 1
setup "B4 B finds no address with a free block" flows "$B4B" 20200 1
b4_gone() {
	! aftr_run b4 show dev aftr0 | grep -qF " $1 "
}
setup "binding flush ends B4 A's bindings" aftr_run binding flush dev aftr0
setup "... and B4 A gives its block back" wait_until 60 b4_gone "$B4A6"
T1=$(date +%s%3N)

# --- What nfacctd stored -------------------------------------------------------
# stored COUNT CONDITION: COUNT rows of what nfacctd stored satisfy the
# Python CONDITION on r (a row, by column: pmacct's upper case names, the
# primitives' lower case ones), and none of the others has its natEvent.
stored() {
	python3 - "$tmp/stored.csv" "$@" <<-EOF
	import csv, sys
	rows = [r for r in csv.DictReader(open(sys.argv[1]))
	        if r["EXPORT_PROTO_SYSID"] != "EXPORT_PROTO_SYSID"]	# a header again
	want, cond = int(sys.argv[2]), sys.argv[3]
	ok = [r for r in rows if eval("(" + cond + ")")]
	events = {r["NAT_EVENT"] for r in ok}
	others = [r for r in rows if r["NAT_EVENT"] in events and r not in ok]
	print(len(ok), "match,", len(others), "others of the same natEvent:", others[:2])
	sys.exit(not (len(ok) == want and not others))
	EOF
}
IN_TIME="$T0 <= int(r['obs_ms']) <= $T1 and r['EXPORT_PROTO_SYSID'] == '$DOMAIN'"
OURS="$IN_TIME and r['POST_NAT_SRC_IP'] == '$EXT'"
check "nfacctd: the port block allocation: B4 A, $EXT, ports 1024-1031" \
	wait_until 10 stored 1 "r['NAT_EVENT'] == '16' and r['b4'] == '$B4A6' and $OURS and
		r['range_start'] == '1024' and r['range_end'] == '1031'"
SESSION="r['b4'] == '$B4A6' and r['PROTOCOL'] == 'udp' and r['inner'] == '$LAN_HOST' and
	20000 <= int(r['SRC_PORT']) <= 20007 and 1024 <= int(r['POST_NAT_SRC_PORT']) <= 1031 and $OURS"
check "nfacctd: 8 NAT44 session creates: B4 A, inner and outer address and port" \
	stored 8 "r['NAT_EVENT'] == '4' and $SESSION"
check "nfacctd: ... each outer port of the block once" python3 -c "
import csv, sys
rows = [r for r in csv.DictReader(open('$tmp/stored.csv')) if r['NAT_EVENT'] == '4']
sys.exit(sorted(int(r['POST_NAT_SRC_PORT']) for r in rows) != list(range(1024, 1032)))"
check "nfacctd: NAT ports exhausted: B4 A's 9th flow, on $EXT" \
	stored 1 "r['NAT_EVENT'] == '12' and r['b4'] == '$B4A6' and r['inner'] == '$LAN_HOST' and
		r['SRC_PORT'] == '20008' and r['PROTOCOL'] == 'udp' and $OURS"
check "nfacctd: Quota Exceeded, maximum entries per user: B4 A's flow from 20100" \
	stored 1 "r['NAT_EVENT'] == '13' and r['quota_event'] == '3' and r['b4'] == '$B4A6' and
		r['SRC_PORT'] == '20100' and r['inner'] == '$LAN_HOST' and $OURS"
check "nfacctd: NAT addresses exhausted: B4 B, no outer address" \
	stored 1 "r['NAT_EVENT'] == '3' and r['b4'] == '$B4B6' and r['SRC_PORT'] == '20200' and
		r['inner'] == '$LAN_HOST' and r['POST_NAT_SRC_IP'] == '' and $IN_TIME"
check "nfacctd: 8 NAT44 session deletes" \
	wait_until 10 stored 8 "r['NAT_EVENT'] == '5' and $SESSION"
check "nfacctd: the port block de-allocation" \
	wait_until 10 stored 1 "r['NAT_EVENT'] == '17' and r['b4'] == '$B4A6' and $OURS and
		r['range_start'] == '1024' and r['range_end'] == '1031'"
check "nfacctd: the sequence numbers count every record, none missing" python3 -c "
import csv, sys
seqs = sorted(int(r['EXPORT_PROTO_SEQNO']) for r in csv.DictReader(open('$tmp/stored.csv'))
              if r['EXPORT_PROTO_SYSID'] == '$DOMAIN')
print(seqs[:3], '...', seqs[-3:])
sys.exit(seqs != list(range(len(seqs))) or len(seqs) != 1 + 8 + 1 + 1 + 1 + 8 + 1)"
check "nfacctd reported no error" not grep -qE '^(ERROR|WARN) ' "$tmp/nfacctd.out"

# --- What tshark decoded ---------------------------------------------------------
wire_decoded() {
	"$WIRE" "$tmp/wire.pcap" "udp.port==$UDP_PORT,cflow" "tcp.port==$TCP_PORT,cflow" \
		"udp.port==$LOSSY_PORT,cflow" >"$tmp/wire.json"
}
check "tshark decodes the capture" wire_decoded
# wire DESCRIPTION PYTHON: a test point that passes when PYTHON holds for
# msgs, the IPFIX messages tshark decoded (ipfix_wire.py), with the helpers
# below. The points wait in a queue, for wire_run to judge them in one
# Python: each start of it costs a second in a busy guest.
wire_points=()
wire() {
	wire_points+=("$1" "$2")
}
wire_run() {
	local verdict what detail n=0
	while IFS=$'\t' read -r verdict what detail; do
		n=$((n + 1))
		if [ "$verdict" = ok ]; then
			ok "$what"
		else
			not_ok "$what"
			echo "# failed: $detail"
		fi
	done < <(python3 - "$tmp/wire.json" "${wire_points[@]}" <<-EOF
	import json, sys
	msgs = [json.loads(l) for l in open(sys.argv[1])]
	def over(t): return [m for m in msgs if m["transport"] == t and m["domain"] != $LOSSY_DOMAIN]
	def templates(m):
	    return {t["id"]: t for s in m.get("sets", []) if s["id"] in (2, 3) for t in s["templates"]}
	def records(m, tid): return [r for s in m.get("sets", []) if s["id"] == tid for r in s["records"]]
	def all_records(t, tid): return [r for m in over(t) for r in records(m, tid)]
	# Templates come with the first message of domain, then with the first
	# one a second or more after the last (export times are whole seconds).
	def refreshed(domain):
	    last, ok = None, True
	    for m in (m for m in msgs if m["domain"] == domain):
	        has = bool(templates(m))
	        if last is None or m["time"] - last >= 2:
	            ok &= has
	        elif m["time"] == last:
	            ok &= not has
	        last = m["time"] if has else last
	    return ok
	points = sys.argv[2:]
	for what, cond in zip(points[::2], points[1::2]):
	    try:
	        good = eval("(" + cond + ")")
	        detail = "" if good else " ".join(cond.split())
	    except Exception as e:
	        good, detail = False, repr(e)
	    print("ok" if good else "not ok", what, detail, sep="\t")
	EOF
	)
	[ $n = $((${#wire_points[@]} / 2)) ] || not_ok "wire: every point judged ($n)"
}
TEMPLATES="{
	256: [[323, 8], [230, 1], [27, 16], [4, 1], [8, 4], [7, 2], [225, 4], [227, 2]],
	257: [[323, 8], [230, 1], [27, 16], [225, 4], [361, 2], [362, 2]],
	258: [[323, 8], [230, 1], [466, 4], [27, 16], [4, 1], [8, 4], [7, 2], [225, 4]],
	259: [[323, 8], [230, 1], [27, 16], [4, 1], [8, 4], [7, 2], [225, 4]],
	260: [[323, 8], [230, 1], [27, 16], [4, 1], [8, 4], [7, 2]],
	261: [[149, 4], [323, 8], [164, 8]]}"
wire "wire: every message is IPFIX version 10 of its stated length" \
	"msgs and all(m['version'] == 10 and m['length'] > 16 for m in msgs)"
wire "wire: the first UDP message has every template: fields, lengths, order" \
	"{i: t['fields'] for i, t in templates(over('udp')[0]).items()} == $TEMPLATES"
wire "wire: the lost-records template is an options template scoped by observationDomainId" \
	"templates(over('udp')[0])[261]['scope'] == 1"
wire "wire: over UDP the templates come again every 8 messages" \
	"[i for i, m in enumerate(over('udp')) if templates(m)] == list(range(0, len(over('udp')), 8))"
wire "wire: over TCP once, in the first message" \
	"[i for i, m in enumerate(over('tcp')) if templates(m)] == [0]"
wire "wire: UDP in the instance's domain ($DOMAIN), TCP in domain $TCP_DOMAIN" \
	"{m['domain'] for m in over('udp')} == {$DOMAIN} and
	 {m['domain'] for m in over('tcp')} == {$TCP_DOMAIN}"
wire "wire: each header's sequence number counts the records before it" \
	"all([m['seq'] for m in over(t)] == list(range(len(over(t)))) for t in ('udp', 'tcp'))"
# The block, field by field, as tshark names them.
BLOCK="r['nat_event'] in ('16', '17') and r['srcaddrv6'] == '$B4A6' and
	r['post_natsource_ipv4_address'] == '$EXT' and r['port_range_start'] == '1024' and
	r['port_range_end'] == '1031' and $T0 <= r['observation_time_milliseconds'] <= $T1"
for t in udp tcp; do
	wire "wire, $t: the block's allocation and release, every field" \
		"[r['nat_event'] for r in all_records('$t', 257)] == ['16', '17'] and
		 all($BLOCK for r in all_records('$t', 257))"
	wire "wire, $t: the sessions: 8 creates then 8 deletes, every field" \
		"[r['nat_event'] for r in all_records('$t', 256)] == ['4'] * 8 + ['5'] * 8 and
		 all(r['srcaddrv6'] == '$B4A6' and r['protocol'] == '17' and
			  r['srcaddr'] == '$LAN_HOST' and 20000 <= int(r['srcport']) <= 20007 and
			  r['post_natsource_ipv4_address'] == '$EXT' and
			  1024 <= int(r['post_naptsource_transport_port']) <= 1031 and
			  $T0 <= r['observation_time_milliseconds'] <= $T1
			  for r in all_records('$t', 256))"
	wire "wire, $t: quota exceeded, every field" \
		"[(r['nat_event'], r['nat_quota_exceeded_event'], r['srcaddrv6'], r['protocol'],
			r['srcaddr'], r['srcport'], r['post_natsource_ipv4_address'])
		  for r in all_records('$t', 258)] ==
		 [('13', '3', '$B4A6', '17', '$LAN_HOST', '20100', '$EXT')]"
	wire "wire, $t: ports exhausted, every field" \
		"[(r['nat_event'], r['srcaddrv6'], r['protocol'], r['srcaddr'], r['srcport'],
			r['post_natsource_ipv4_address']) for r in all_records('$t', 259)] ==
		 [('12', '$B4A6', '17', '$LAN_HOST', '20008', '$EXT')]"
	wire "wire, $t: addresses exhausted, every field, no outer address" \
		"[(r['nat_event'], r['srcaddrv6'], r['protocol'], r['srcaddr'], r['srcport'],
			'post_natsource_ipv4_address' in r) for r in all_records('$t', 260)] ==
		 [('3', '$B4B6', '17', '$LAN_HOST', '20200', False)]"
done
# The lossy monitor: the records it sent and the count of those it could
# not add up to every event (21), the count carried by the options template
# (tshark calls ignoredDataRecordTotalCount ignore_packets, the scope od_id).
LOSSY="[m for m in msgs if m['domain'] == $LOSSY_DOMAIN]"
LOST="[int(r['ignore_packets']) for m in $LOSSY for r in records(m, 261)]"
wire "wire: the stopped monitor exported its loss as ignoredDataRecordTotalCount" \
	"$LOST and $LOST[-1] > 0 and
	 all(r['od_id'] == '$LOSSY_DOMAIN' for m in $LOSSY for r in records(m, 261))"
wire "wire: ... records sent + records lost = every event" \
	"$LOST[-1] + sum(len(records(m, t)) for m in $LOSSY for t in range(256, 261)) == 21"
wire "wire: with template-refresh 1, the templates come again after a second" \
	"sum(bool(templates(m)) for m in $LOSSY) > 1 and refreshed($LOSSY_DOMAIN)"
wire_run
check "wire: no record names a destination (CGN-6)" \
	not grep -qE '203\.0\.113\.|dstaddr|dstport|destination' "$tmp/wire.json"
check "no monitor reported an error" sh -c "! grep -q . '$tmp/udp.err' '$tmp/tcp.err'"
check "the stopped one warned that it lost events" \
	grep -q '^Warning: events were lost' "$tmp/lossy.err"

if [ $tap_failed != 0 ]; then
	echo "# nfacctd stored:"; diag <"$tmp/stored.csv"
	echo "# nfacctd said:"; grep -v Purging "$tmp/nfacctd.out" | diag
	echo "# monitors said:"; cat "$tmp/udp.err" "$tmp/tcp.err" | diag
	echo "# the wire, first messages:"; head -3 "$tmp/wire.json" | diag
fi
finish
