#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# How long bindings live (NAT-6, NAT-7) and what happens to their ports
# afterwards (CGN-2), with the timeouts shortened to seconds:
# - the defaults are the RFC ones;
# - a UDP binding expires after its timeout, not before, even while packets
#   keep coming in: only outbound traffic refreshes;
# - a TCP binding closed by FINs or by a RST is transitory and expires with
#   tcp-trans, while a silent established connection outlives tcp-trans;
# - an expired binding's port is held down: inbound packets to it are
#   dropped, and it is not handed out again until the hold-down ends.
# The picture is in topology.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd socat python3

FLOWS=$TOP/selftests/flows.py
UDP_T=20 TRANS_T=8 HOLD=30
SINK=203.0.113.4 SINK_PORT=9100 QUIET=203.0.113.3 QUIET_PORT=8081

setup "the DS-Lite topology comes up" dslite_topology
setup "echo servers listen" srv_echo_servers
# A UDP sink that never answers, and a TCP listener that never accepts: the
# kernel completes its handshakes, and the connections then stay silent.
srv_start python3 -c 'import socket, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("'$SINK'", '$SINK_PORT'))
t = socket.create_server(("'$QUIET'", '$QUIET_PORT'), backlog=64)
time.sleep(3600)'
setup "a silent UDP sink and TCP listener" \
	wait_until 30 in_ns "$SRV" sh -c "ss -ltn | grep -q :$QUIET_PORT"

dev_param() {
	aftr_run -j dev show aftr0 | python3 -c '
import json, sys
print(json.load(sys.stdin)[0][sys.argv[1]])' "$1"
}

for p in timeout-udp:300 timeout-tcp-est:7440 timeout-tcp-trans:240 timeout-icmp:60 \
	 holddown:120; do
	check "default ${p%:*} is ${p#*:} s (NAT-6, CGN-2)" test "$(dev_param "${p%:*}")" = "${p#*:}"
done

# One block of 8 ports per B4: a held-down port then visibly can't be reused.
setup "short timeouts, one block of 8 ports per B4" \
	aftr_run dev set aftr0 timeout udp $UDP_T timeout tcp-trans $TRANS_T holddown $HOLD \
	block-size 8 max-blocks 1

# binding_field B4 PROTO INNER_PORT FIELD...: that binding's FIELDs, one a
# line; fails when there is no such binding.
binding_field() {
	bindings_json b4 "$1" proto "$2" | python3 -c '
import json, sys
for b in json.load(sys.stdin):
    if b["inner-port"] == int(sys.argv[1]):
        for f in sys.argv[2:]:
            print(b[f])
        sys.exit(0)
sys.exit(1)' "${@:3}"
}

binding_gone() {
	not binding_field "$@" state
}

binding_in_state() {
	test "$(binding_field "$1" "$2" "$3" state)" = "$4"
}

now() {
	date +%s.%N
}

# at_least A B SECS: B - A >= SECS.
at_least() {
	python3 -c 'import sys; a, b, s = map(float, sys.argv[1:]); print(b - a); sys.exit(b - a < s)' \
		"$@"
}

stat_grew() {
	[ "$(stat_of "$1")" -gt "$2" ]
}

# --- UDP: expires after its timeout, inbound traffic notwithstanding ---
expired0=$(stat_of bindings-expired) to_b4=$(($(stat_of to-b4-translated) + 1))
t0=$(now)
# The LAN host sends once from port 5000 and keeps reading what comes back.
# (ip netns exec, not in_ns, for $! to be the process to kill.)
ip netns exec "$B4A" python3 "$FLOWS" udp "$SRV_ADDR" 9000 5000 1 --hold $((UDP_T + 30)) \
	>/dev/null &
sink_pid=$!
at_exit "kill $sink_pid"
# The binding of port 5000 as "EXPIRES-MS ADDR:PORT", in $first_look.
look() {
	first_look=$(binding_field "$B4A6" udp 5000 expires-ms outer-addr outer-port) &&
	first_look=$(echo "$first_look" | tr '\n' ' ' | awk '{ print $1, $2 ":" $3 }')
}
setup "a UDP binding is made" wait_until 30 look
ext=${first_look#* }
check "its timer starts at the UDP timeout (NAT-6)" test "${first_look%% *}" -le $((UDP_T * 1000))

# Inbound packets to the mapping every 0.3 s, all along.
ip netns exec "$SRV" python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
while True:
    s.sendto(b"in", (sys.argv[1], int(sys.argv[2])))
    time.sleep(0.3)' "${ext%:*}" "${ext#*:}" &
inbound_pid=$!
at_exit "kill $inbound_pid"
check "inbound packets reach the LAN host" wait_until 10 stat_grew to-b4-translated "$to_b4"

check "the UDP binding expires although packets keep coming in (NAT-6)" \
	wait_until $((UDP_T + 15)) binding_gone "$B4A6" udp 5000
t1=$(now)
check "not before its timeout of $UDP_T s" at_least "$t0" "$t1" $UDP_T
check "the expiry is counted" stat_grew bindings-expired "$expired0"

# Hold-down: the mapping no longer lets anything in (6333-7, CGN-2).
no_binding=$(stat_of drop-no-binding)
check "inbound packets to the expired mapping are dropped (CGN-2)" \
	wait_until 5 stat_grew drop-no-binding "$no_binding"
kill $inbound_pid $sink_pid

# --- hold-down of ports: B4 B fills its one block of 8 ports ---
setup "B4 B opens 8 UDP flows" \
	in_ns "$B4B" python3 "$FLOWS" udp "$SINK" $SINK_PORT 6000 8
# udp_count_is B4 N: B4 has N UDP bindings.
udp_count_is() {
	bindings_json b4 "$1" proto udp |
		python3 -c 'import json, sys; sys.exit(len(json.load(sys.stdin)) != int(sys.argv[1]))' "$2"
}
check "8 bindings, the whole block" wait_until 10 udp_count_is "$B4B6" 8
held_ports=$(bindings_json b4 "$B4B6" proto udp |
	python3 -c 'import json, sys; print(" ".join(str(b["outer-port"]) for b in json.load(sys.stdin)))')
check "they expire" wait_until $((UDP_T + 15)) udp_count_is "$B4B6" 0
quota=$(stat_of drop-quota)
in_ns "$B4B" python3 "$FLOWS" udp "$SINK" $SINK_PORT 6100 1
check "a new flow during the hold-down gets none of the held ports (CGN-2)" \
	wait_until 5 stat_grew drop-quota "$quota"
check "and no binding" binding_gone "$B4B6" udp 6100

retry_flow() {
	in_ns "$B4B" python3 "$FLOWS" udp "$SINK" $SINK_PORT 6101 1 &&
	sleep 0.5 && binding_field "$B4B6" udp 6101 state
}
check "after the hold-down, a new flow gets a port again" wait_until $((HOLD + 30)) retry_flow
reused=$(binding_field "$B4B6" udp 6101 outer-port)
check "one of the ports released ($reused in $held_ports)" \
	eval "echo ' $held_ports ' | grep -q ' $reused '"

# --- TCP: transitory after FINs or a RST, long-lived while established ---
t0=$(now)
check "a TCP connection with a full FIN exchange" test -n "$(tcp_seen "$B4A" "$SRV_ADDR" 5001)"
check "leaves its binding transitory: tcp-closed (NAT-7)" \
	wait_until 3 binding_in_state "$B4A6" tcp 5001 tcp-closed
check "which expires with tcp-trans (NAT-6)" \
	wait_until $((TRANS_T + 15)) binding_gone "$B4A6" tcp 5001
check "not before $TRANS_T s" at_least "$t0" "$(now)" $TRANS_T

check "a TCP connection aborted with a RST" \
	in_ns "$B4A" python3 "$FLOWS" tcp "$QUIET" $QUIET_PORT 5002 rst
check "leaves its binding transitory: tcp-closed (NAT-7)" \
	wait_until 3 binding_in_state "$B4A6" tcp 5002 tcp-closed
check "which expires with tcp-trans (NAT-6)" \
	wait_until $((TRANS_T + 15)) binding_gone "$B4A6" tcp 5002

ip netns exec "$B4A" python3 "$FLOWS" tcp "$QUIET" $QUIET_PORT 5003 hold 600 &
hold_pid=$!
at_exit "kill $hold_pid"
check "a silent established TCP connection is tcp-est" \
	wait_until 30 binding_in_state "$B4A6" tcp 5003 tcp-est
# Outliving a timeout can only be shown by waiting it out.
sleep $((TRANS_T + 2))
check "and outlives the transitory timeout (NAT-6, NAT-7)" \
	binding_in_state "$B4A6" tcp 5003 tcp-est
# Blind resets and FINs must not cut an established binding's life short
# (issue 8, item 7): sent here as the worst case, from the peer's own
# address and port (only the sequence numbers are guessed wrong), so the
# LAN host drops them. A segment from any other endpoint makes the LAN host
# answer with a RST of its own, which the AFTR cannot tell from an abort
# without keeping the peer of every binding (design.rst, Lifetimes).
read -r ext_addr ext_port <<<"$(binding_field "$B4A6" tcp 5003 outer-addr outer-port | tr '\n' ' ')"
blind() {
	in_ns "$SRV" python3 "$TOP/selftests/tcp_blind.py" "$QUIET" $QUIET_PORT \
		"$ext_addr" "$ext_port" "$@"
}
blind rst rst+ack
check "blind RSTs from the Internet leave it tcp-est" \
	binding_in_state "$B4A6" tcp 5003 tcp-est
blind fin+ack
binding_field "$B4A6" tcp 5003 state expires-ms | tr '\n' ' ' | sed 's/^/# after a blind FIN: /'
echo
check "a blind FIN leaves it the established timeout" \
	test "$(binding_field "$B4A6" tcp 5003 expires-ms)" -gt $((TRANS_T * 1000))
kill $hold_pid
finish
