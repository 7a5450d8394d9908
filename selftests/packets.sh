# SPDX-License-Identifier: GPL-2.0
#
# packets.sh: looking at packets on the wire of the DS-Lite topology, for
# the tests of headers, fragments and ICMP errors. Source it after lib.sh
# and topology.sh. Captures and logs go to files $scratch.*, which the test
# names and removes (not $out: check() has a local of that name).

PROBE=$TOP/selftests/udp_probe.py
SEND=$TOP/selftests/softwire_send.py

# capture_start NS DEV COUNT FILTER...: tcpdump's verbose decode of the next
# COUNT packets on DEV in $scratch.cap, one packet a line; returns once tcpdump
# listens. capture_wait then waits (30 s at most) for the COUNT packets and
# shows them.
capture_start() {
	local ns=$1 dev=$2 count=$3
	shift 3
	rm -f "$scratch.cap" "$scratch.cap.err"
	timeout 30 ip netns exec "$ns" tcpdump -i "$dev" -nn -vv -l -c "$count" "$@" \
		2>"$scratch.cap.err" | awk '/^[^ \t]/ && NR > 1 { print "" } { printf "%s ", $0 }
		END { print "" }' >"$scratch.cap" &
	capture=$!
	wait_until 20 grep -q listening "$scratch.cap.err"
}

capture_wait() {
	wait "$capture"
	diag <"$scratch.cap"
}

# probe_server: udp_probe.py serving on the server's UDP port 9000, what it
# receives logged in $scratch.srv.
probe_server() {
	ip netns exec "$SRV" "$PROBE" serve 9000 >"$scratch.srv" 2>&1 &
	at_exit "kill $!"
	wait_until 30 in_ns "$SRV" sh -c 'ss -lun | grep -q ":9000 "'
}

# probe NS ARGS...: udp_probe.py ask ARGS from the LAN host of B4 NS.
probe() {
	local ns=$1
	shift
	in_ns "$ns" "$PROBE" ask "$@"
}

# mib NS NAME: an IP counter of namespace NS (nstat's name: IpReasmOKs,
# Ip6FragCreates, ...).
mib() {
	in_ns "$1" nstat -asz "$2" | awk -v name="$2" '$1 == name { print $2 }'
}

# mib_grew NS NAME BEFORE: counter NAME of NS is above BEFORE.
mib_grew() {
	local now
	now=$(mib "$1" "$2")
	echo "$2 in ${1%%-[0-9]*}: $3 -> $now"
	[ "$now" -gt "$3" ]
}

# srv_got LINE_REGEX: the probe server logged a datagram matching it.
srv_got() {
	grep -E -- "$1" "$scratch.srv"
}
