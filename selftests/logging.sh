#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The compliance log as real log daemons keep it (issue #11): this test
# starts Debian's rsyslogd with its stock configuration (only its sockets
# and files moved into a private folder) and a systemd-journald of its own
# (in a private mount namespace, its sockets and volatile storage bound to
# private folders), has "aftrctl monitor" send them what B4 A (topology.sh)
# does, and judges what the daemons stored, not what aftrctl printed:
#
#   rsyslog, /dev/log form   the stock /var/log/syslog line: tag aftrctl[PID]
#                            and every field as key=value in its MSG
#   rsyslog, RFC 5424 input  imuxsock with UseSpecialParser="off": APP-NAME,
#                            MSGID and the operator's SD-ID kept
#   journald, /dev/log form  journalctl -t aftrctl finds the records
#   journald, native         every field a journal field (AFTR_B4_ADDR=...)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"
require_aftr
require_cmd rsyslogd journalctl unshare python3
JOURNALD=/lib/systemd/systemd-journald
[ -x $JOURNALD ] || fail_all "needs $JOURNALD (scripts/deps.sh check installs systemd)"

tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"
RS=$tmp/rsyslog JD=$tmp/journal
TS='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z'
ADDR='198\.51\.100\.[0-9]+'
SD_ID=dslite@32473	# RFC 5612's number for documentation: this is one

# --- The grammar (nothing is sent before it is checked) --------------------
# usage_error ARGS...: "aftrctl ARGS" refuses the command line (exit 1).
usage_error() {
	"$AFTRCTL" "$@" >/dev/null 2>&1
	[ $? = 1 ]
}
check "structured data needs format rfc5424" \
	usage_error monitor syslog /dev/null sd-id "$SD_ID"
check "an SD-ID is NAME@PEN" usage_error monitor syslog format rfc5424 sd-id dslite
check "an SD-ID has at most 32 characters" \
	usage_error monitor syslog format rfc5424 sd-id "$(printf 'a%.0s' {1..30})@12345"
check "format goes after syslog" usage_error monitor format rfc5424
check "one destination" usage_error monitor syslog journal

# --- The daemons ------------------------------------------------------------
# rsyslog_start: rsyslogd in the foreground with Debian's /etc/rsyslog.conf,
# its socket and files moved to $RS, without the kernel log and the
# messages to logged-in users. A second socket feeds RFC 5424 to the
# regular parsers, as rsyslog documents it, into a file of that form and
# one of the stock form.
rsyslog_start() {
	mkdir -p "$RS/spool" &&
	sed -e "s|^module(load=\"imuxsock\")|module(load=\"imuxsock\" SysSock.Name=\"$RS/log.sock\")|" \
	    -e '/imklog/d' -e '/omusrmsg/d' -e '/^\$IncludeConfig/d' \
	    -e "s|/var/spool/rsyslog|$RS/spool|" -e "s|/var/log/|$RS/|" \
	    /etc/rsyslog.conf >"$RS/rsyslog.conf" &&
	grep -q "SysSock.Name=\"$RS/log.sock\"" "$RS/rsyslog.conf" || return
	cat >>"$RS/rsyslog.conf" <<-EOF
	ruleset(name="rfc5424") {
		action(type="omfile" file="$RS/rfc5424.log" template="RSYSLOG_SyslogProtocol23Format")
		action(type="omfile" file="$RS/rfc5424-stock.log")
	}
	input(type="imuxsock" Socket="$RS/rfc5424.sock" UseSpecialParser="off" Ruleset="rfc5424")
	EOF
	rsyslogd -n -f "$RS/rsyslog.conf" -i "$RS/pid" >"$RS/out" 2>&1 &
	at_exit "kill $!"
	wait_until 30 test -S "$RS/log.sock" -a -S "$RS/rfc5424.sock"
}

# journald_start: systemd-journald in a mount namespace of its own, where
# /run/systemd and /run/log are $JD/run and $JD/log: its sockets and files
# are there for us, and nothing of this system's /run changes. Volatile
# storage keeps it off /var, the kernel log out of it. It refuses to start
# without a cgroup file system (the guest's init mounts none): one is
# mounted there too.
journald_start() {
	mkdir -p "$JD/run/journald.conf.d" "$JD/log" &&
	printf '[Journal]\nStorage=volatile\nReadKMsg=no\n' >"$JD/run/journald.conf.d/test.conf" &&
	unshare -m --propagation private sh -c '
		mount -t tmpfs tmpfs /run && mkdir /run/systemd /run/log &&
		mount --bind "$1/run" /run/systemd && mount --bind "$1/log" /run/log &&
		{ [ -f /sys/fs/cgroup/cgroup.controllers ] ||
		  mount -t cgroup2 cgroup2 /sys/fs/cgroup; } &&
		exec "$2"' - "$JD" $JOURNALD >"$JD/out" 2>&1 &
	at_exit "kill $!"
	wait_until 30 test -S "$JD/run/journal/socket" -a -S "$JD/run/journal/dev-log"
}

# journal ARGS...: journalctl on what that journald stored.
journal() {
	journalctl -D "$JD/log/journal" --no-pager "$@"
}

setup "rsyslogd runs with the stock configuration" rsyslog_start
setup "systemd-journald runs" journald_start
journald_started() {
	journal -t systemd-journald | grep -q 'Journal started'
}
if ! wait_until 20 journald_started; then
	not_ok "journald stored its own start"
	diag <"$JD/out"
	finish
fi
ok "journald stored its own start"

setup "the DS-Lite topology comes up" dslite_topology
setup "binding events on" aftr_run dev set aftr0 events-bindings 1

setup "a monitor logs to rsyslog's /dev/log" monitor rs monitor syslog "$RS/log.sock"
setup "a monitor logs RFC 5424 with an SD-ID to rsyslog's second socket" \
	monitor rs5424 monitor syslog "$RS/rfc5424.sock" format rfc5424 sd-id "$SD_ID"
setup "a monitor logs to journald's /dev/log" \
	monitor jsys monitor syslog "$JD/run/journal/dev-log"
setup "a monitor logs to journald natively" monitor jnat monitor journal "$JD/run/journal/socket"

setup "B4 A's flow from 192.168.1.2:20001 is translated" in_ns "$B4A" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("'$LAN_HOST'", 20001))
s.sendto(b"x", ("'$SRV_ADDR'", 9999))'

# --- rsyslog -----------------------------------------------------------------
BLOCK="event=block-alloc time=$TS ifname=aftr0 seq=[0-9]+ b4-addr=$B4A6 outer-addr=$ADDR port-min=[0-9]+ port-max=[0-9]+"
BINDING="event=binding-create time=$TS ifname=aftr0 seq=[0-9]+ b4-addr=$B4A6 proto=udp inner-addr=192\.168\.1\.2 inner-port=20001 outer-addr=$ADDR outer-port=[0-9]+"
stored() {
	grep -qE "$2" "$1"
}
check "rsyslog stored the block, tag aftrctl[PID], every field in the MSG" \
	wait_until 20 stored "$RS/syslog" "^[^ ]+ [^ ]+ aftrctl\[[0-9]+\]: $BLOCK$"
check "rsyslog stored the binding: protocol, inner and external address and port" \
	wait_until 20 stored "$RS/syslog" "^[^ ]+ [^ ]+ aftrctl\[[0-9]+\]: $BINDING$"
check "no record of the stock socket has structured data or the documentation PEN" \
	not grep -qE '="|@32473' "$RS/syslog"
SD="\[$SD_ID ifname=\"aftr0\" seq=\"[0-9]+\" b4-addr=\"$B4A6\" outer-addr=\"$ADDR\" port-min=\"[0-9]+\" port-max=\"[0-9]+\"\]"
check "RFC 5424 input: APP-NAME, PROCID, MSGID and the SD-ID kept, and the MSG" \
	wait_until 20 stored "$RS/rfc5424.log" \
	"^<134>1 [^ ]+ [^ ]+ aftrctl [0-9]+ block-alloc $SD $BLOCK$"
check "RFC 5424 input, stock template: the MSG alone still says everything" \
	wait_until 20 stored "$RS/rfc5424-stock.log" "^[^ ]+ [^ ]+ aftrctl\[[0-9]+\]:? $BINDING$"

# --- journald ----------------------------------------------------------------
# journal_has TRANSPORT EVENT PYTHON-CONDITION: journalctl -t aftrctl shows
# an entry that came by TRANSPORT ("syslog", "journal") whose MESSAGE is
# for EVENT, and CONDITION holds for it (e, a dict of its fields).
journal_has() {
	journal -t aftrctl -o json | python3 -c '
import json, re, sys
transport, event, cond = sys.argv[1:4]
for line in sys.stdin:
    e = json.loads(line)
    if e.get("_TRANSPORT") == transport and e["MESSAGE"].startswith("event=" + event + " "):
        sys.exit(not eval(cond))
sys.exit(1)' "$@"
}
MSG_RE="^$BLOCK\$"
check "journalctl -t aftrctl finds the /dev/log records, MESSAGE complete" \
	wait_until 20 journal_has syslog block-alloc \
	"re.match(r'$MSG_RE', e['MESSAGE']) and e['SYSLOG_IDENTIFIER'] == 'aftrctl' and \
	 e['PRIORITY'] == '6' and e['SYSLOG_FACILITY'] == '16'"
check "journalctl -t aftrctl finds the native records, MESSAGE complete" \
	wait_until 20 journal_has journal block-alloc "re.match(r'$MSG_RE', e['MESSAGE'])"
check "native: every field of the block is a journal field" \
	journal_has journal block-alloc \
	"e['AFTR_EVENT'] == 'block-alloc' and e['AFTR_IFNAME'] == 'aftr0' and \
	 int(e['AFTR_SEQ']) > 0 and e['AFTR_B4_ADDR'] == '$B4A6' and re.match(r'$ADDR$', e['AFTR_OUTER_ADDR']) and \
	 int(e['AFTR_PORT_MAX']) - int(e['AFTR_PORT_MIN']) == 63 and \
	 re.match(r'$TS$', e['AFTR_TIME']) and e['PRIORITY'] == '6'"
check "native: the binding's protocol, inner and external address and port" \
	wait_until 20 journal_has journal binding-create \
	"e['AFTR_PROTO'] == 'udp' and e['AFTR_INNER_ADDR'] == '$LAN_HOST' and \
	 e['AFTR_INNER_PORT'] == '20001' and re.match(r'$ADDR$', e['AFTR_OUTER_ADDR']) and \
	 int(e['AFTR_OUTER_PORT']) > 0"
check "journalctl AFTR_B4_ADDR=... selects B4 A's records" \
	sh -c "journalctl -D '$JD/log/journal' --no-pager -o cat AFTR_B4_ADDR=$B4A6 |
		grep -q '^event=binding-create '"
check "no monitor reported an error" \
	sh -c "! grep -q . '$tmp/rs.err' '$tmp/rs5424.err' '$tmp/jsys.err' '$tmp/jnat.err'"

# The records came from the daemons' files; show them when a check failed.
if [ $tap_failed != 0 ]; then
	echo "# rsyslog stored:"; grep aftrctl "$RS/syslog" "$RS"/rfc5424*.log | diag
	echo "# journald stored:"; journal -t aftrctl -o json | diag
fi
finish
