#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The boot unit dslite-aftr@.service, as systemd would run it for
# dslite-aftr@aftr0 (selftests/systemd_exec: the guest's PID 1 is not
# systemd): start makes aftr0 and applies its file, reload applies an edit
# and keeps the bindings, a bad file changes nothing, stop and a failed
# start leave no instance. The unit is ours with two paths pointed into the
# checkout (aftrctl, /etc/dslite-aftr), and the drop-in its comments
# suggest for the pool's route.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd socat python3

tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"
mkdir "$tmp/etc"
unit=$tmp/dslite-aftr@.service
sed -e "s|/usr/sbin/aftrctl|$AFTRCTL|g" -e "s|/etc/dslite-aftr/|$tmp/etc/|g" \
	"$TOP/tools/aftrctl/dslite-aftr@.service" >"$unit"
echo "ExecStartPost=ip route replace $POOL dev %i" >>"$unit"

# The topology without its instance: the unit makes it.
no_instance() {
	dslite_topology unconfigured && ip -n "$AFTR" link del aftr0
}
setup "the DS-Lite topology comes up, no instance" no_instance
setup "echo servers listen" srv_echo_servers

conf=$tmp/etc/aftr0.conf
cat >"$conf" <<EOT
set endpoint $AFTR6
allow $ALLOWED
pool $POOL
set max-bindings 2048
EOT

systemctl_() {
	in_ns "$AFTR" "$TOP/selftests/systemd_exec" "$unit" aftr0 "$1"
}

started() {
	systemctl_ start &&
	ip -n "$AFTR" link show aftr0 | grep -q ',UP' &&
	aftr_run config dump dev aftr0 | grep -qxF "pool $POOL ports 1024-65535" &&
	ip -n "$AFTR" route show "$POOL" | grep -q 'dev aftr0'
}
check "start: aftr0 made, up, configured from its file, the pool routed" started

binding() {
	[ -n "$(udp_seen "$B4A" "$SRV_ADDR")" ] && bindings_json >"$tmp/b1" &&
	[ "$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$tmp/b1")" = 1 ]
}
check "B4 A gets a binding through the started instance" binding

outer() {
	bindings_json | python3 -c '
import json, sys
print(sorted((b["outer-addr"], b["outer-port"]) for b in json.load(sys.stdin)))'
}
outer >"$tmp/outer1"
reloaded() {
	sed -i 's/^set max-bindings 2048$/set max-bindings 4096/' "$conf" &&
	systemctl_ reload &&
	aftr_run config dump dev aftr0 | grep -qxF 'set max-bindings 4096' &&
	outer | cmp - "$tmp/outer1"
}
check "reload applies the edit and keeps the binding" reloaded

bad_reload() {
	aftr_run config dump dev aftr0 >"$tmp/before"
	echo "pool 10.0.0.0/33" >>"$conf"
	! systemctl_ reload && aftr_run config dump dev aftr0 | cmp - "$tmp/before" &&
	outer | cmp - "$tmp/outer1"
}
check "reload of a bad file fails and changes nothing" bad_reload

# A file the kernel refuses (its check passes): the instance made for it goes.
bad_start() {
	{ sed '$d' "$conf"
	  echo "static b4 $B4A6 proto udp inner $LAN_HOST:53 outer 198.51.100.3:80"; } \
		>"$tmp/etc/aftr1.conf" &&
	aftr_run config check "$tmp/etc/aftr1.conf" dev aftr1 &&
	! in_ns "$AFTR" "$TOP/selftests/systemd_exec" "$unit" aftr1 start &&
	! ip -n "$AFTR" link show aftr1 2>/dev/null
}
check "a start the kernel refuses fails and leaves no instance" bad_start

stopped() {
	systemctl_ stop && ! ip -n "$AFTR" link show aftr0 2>/dev/null
}
check "stop deletes the instance" stopped

finish
