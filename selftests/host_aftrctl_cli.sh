#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# host_aftrctl_cli.sh: the words aftrctl takes, without a kernel. Where
# the module cannot load (this host), a command that aftrctl accepts
# reaches the kernel step and fails there with exit 2 and "module not
# loaded"; one it refuses fails with exit 1 and its reason. So each check
# tells which of the two happened. aftrctl_cli.sh runs the same commands
# against the module in the guest.
. "$(dirname "$0")/lib.sh"
require_aftrctl

if modprobe -q "$MODULE" 2>/dev/null; then
	skip_all "the module loads here: accepted commands would reach it"
fi
tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"

NOMOD='^Error: dslite_aftr module not loaded'

# accepted DESCRIPTION ARGS...: aftrctl takes ARGS and asks the kernel.
accepted() {
	local what=$1
	shift
	check "$what: aftrctl $*" cli 2 "$NOMOD" "$@"
}

# refused DESCRIPTION PATTERN ARGS...: aftrctl refuses ARGS (exit 1) with
# an Error line matching PATTERN.
refused() {
	local what=$1 pattern=$2
	shift 2
	check "$what: aftrctl $*" cli 1 "^Error: $pattern" "$@"
}

# offers WORDS... -- CANDIDATES...: bash completion of "aftrctl WORDS..."
# (the last word being completed) offers exactly CANDIDATES, in any order.
offers() {
	local words=() want got
	while [ $# -gt 0 ] && [ "$1" != -- ]; do words+=("$1"); shift; done
	shift
	want=$(printf '%s\n' "$@" | sort | xargs)
	got=$(bash -c '_init_completion() {
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
		cur=${words[cword]} prev=${words[cword - 1]}
	}
	_filedir() { :; }
	ip() { echo "7: aftr0: <NOARP,UP,LOWER_UP> mtu 1452"; }	# one instance
	. "$1"
	shift
	COMP_WORDS=(aftrctl "$@") COMP_CWORD=$#
	_aftrctl
	printf "%s\n" "${COMPREPLY[@]}"' _ "$TOP/tools/aftrctl/aftrctl.bash-completion" "${words[@]}" |
		sort | xargs)
	[ "$got" = "$want" ] || { echo "offered: $got; wanted: $want"; return 1; }
}

# --- "delete" wherever "del" is -------------------------------------------
accepted "pool delete" pool delete dev aftr0 192.0.2.0/28
accepted "a prefix of delete" pool dele dev aftr0 192.0.2.0/28
accepted "de is still del" pool de dev aftr0 192.0.2.0/28
accepted "det delete" det delete dev aftr0 b4 2001:db8::/40
accepted "static delete" static delete dev aftr0 proto tcp outer 192.0.2.1:80
refused "b4 has deny, not delete" 'unknown b4 command "delete"' b4 delete dev aftr0 2001:db8::/32
check "completion offers delete" offers pool '' -- show add del delete help
check "completion after delete" offers pool delete '' -- dev aftr0
check "completion after a prefix of delete" offers static dele '' -- dev aftr0 b4 proto inner outer

# --- Protocols by number ---------------------------------------------------
accepted "binding show proto 17" binding show proto 17
accepted "binding flush proto 1" binding flush proto 1
accepted "binding show proto 6" binding show dev aftr0 proto 6
accepted "static add proto 6" static add dev aftr0 b4 2001:db8::2 proto 6 \
	inner 192.168.1.2:80 outer 192.0.2.1:8080
accepted "static del proto 17" static del dev aftr0 proto 17 outer 192.0.2.1:8080
refused "a protocol aftrctl has no use for" 'protocol 47 is none of tcp \(6\), udp \(17\) or icmp \(1\)$' \
	binding show proto 47
refused "protocol 0" 'protocol 0 is none of' binding flush proto 0
refused "protocol beyond 255" 'protocol 256 out of range' binding show proto 256
refused "static by number, not tcp or udp" 'static mappings are for tcp \(6\) or udp \(17\), not icmp \(1\)$' \
	static del dev aftr0 proto 1 outer 192.0.2.1:8080
refused "static by name, not tcp or udp" 'static mappings are for tcp \(6\) or udp \(17\), not icmp \(1\)$' \
	static del dev aftr0 proto icmp outer 192.0.2.1:8080
cat >"$tmp/proto.conf" <<'EOF2'
dev aftr0
static b4 2001:db8::2 proto 17 inner 192.168.1.2:53 outer 192.0.2.1:5353
EOF2
check "a configuration file takes protocol numbers" cli 0 "" config check "$tmp/proto.conf"

# --- A device by its name alone, where "dev DEV" goes ---------------------
accepted "b4 allow NAME" b4 allow aftr0 2001:db8::/32
accepted "b4 deny, the name last" b4 deny 2001:db8::/32 aftr0
accepted "b4 show NAME" b4 show aftr0
accepted "pool add NAME" pool add aftr0 192.0.2.0/28 ports 1024-2047
accepted "pool del NAME" pool del 192.0.2.0/28 aftr0
accepted "pool show NAME" pool show aftr0
accepted "det add NAME" det add aftr0 b4 2001:db8::/40 len 48 pool 192.0.2.0/24
accepted "det del NAME" det del b4 2001:db8::/40 aftr0
accepted "det lookup NAME ADDR4 PORT" det lookup aftr0 192.0.2.1 1025
accepted "det lookup ADDR4 PORT NAME" det lookup 192.0.2.1 1025 aftr0
accepted "det lookup NAME b4" det lookup aftr0 b4 2001:db8::1
accepted "det show NAME" det show aftr0
accepted "static add NAME" static add aftr0 b4 2001:db8::2 proto tcp \
	inner 192.168.1.2:80 outer 192.0.2.1:8080
accepted "static del NAME" static del aftr0 proto tcp outer 192.0.2.1:8080
accepted "static show NAME" static show aftr0
accepted "binding show NAME" binding show aftr0 proto udp
accepted "binding flush NAME" binding flush b4 2001:db8::2 aftr0
accepted "stats NAME" stats aftr0
accepted "stats show NAME" stats show aftr0
accepted "monitor NAME" monitor aftr0
accepted "a name that is no prefix of a keyword" pool show dx
refused "two names" 'unknown keyword "aftr1"' pool show aftr0 aftr1
refused "a name and dev" '"dev" given twice' pool show aftr0 dev aftr1
refused "a prefix of a keyword is the keyword" '"dev" needs a value' pool show d
refused "an ambiguous prefix is no name" 'keyword "po" is ambiguous' det add po
refused "a name with a dot needs dev" 'unknown keyword "aftr.1"' pool show aftr.1
accepted "a name with a dot, with dev" pool show dev aftr.1
cat >"$tmp/bare.conf" <<'EOF2'
dev aftr0
pool 192.0.2.0/28 aftr1
EOF2
check "a configuration file names its device once" cli 1 ':2: unknown keyword "aftr1"' \
	config check "$tmp/bare.conf"
check "completion offers dev and the instances" offers pool show '' -- dev aftr0
check "completion: nothing once the device is named" offers pool show aftr0 '' --
check "completion: no device after dev NAME" offers binding flush dev aftr0 '' -- b4 proto
check "completion: stats" offers stats '' -- show help dev aftr0
check "completion: monitor" offers monitor '' -- pool-threshold hysteresis interval syslog \
	journal format sd-id ipfix transport domain template-refresh template-messages help \
	dev aftr0
check "completion: monitor NAME" offers monitor aftr0 '' -- pool-threshold hysteresis interval \
	syslog journal format sd-id ipfix transport domain template-refresh template-messages help
check "completion: an IPFIX transport" offers monitor ipfix h transport '' -- udp tcp

# --- "static del" takes the words of its add -------------------------------
accepted "static del with the add line's words" static del dev aftr0 b4 2001:db8::2 proto tcp \
	inner 192.168.1.2:80 outer 192.0.2.1:8080
accepted "static del with b4 only" static del aftr0 b4 2001:db8::2 proto udp outer 192.0.2.1:53
refused "static del: b4 must be IPv6" 'b4 "192.0.2.1" is not an IPv6 address' \
	static del aftr0 b4 192.0.2.1 proto tcp outer 192.0.2.1:8080
refused "static del: inner needs its port" 'inner "192.168.1.2" is not ADDR4:PORT' \
	static del aftr0 proto tcp inner 192.168.1.2 outer 192.0.2.1:8080
refused "static del: inner twice" '"inner" given twice' \
	static del aftr0 proto tcp inner 192.168.1.2:1 inner 192.168.1.2:1 outer 192.0.2.1:8080
refused "static del still needs proto and outer" '"proto" and "outer ADDR4:PORT" are needed' \
	static del aftr0 b4 2001:db8::2 inner 192.168.1.2:80
check "completion: static del takes b4 and inner" offers static del aftr0 '' -- \
	b4 proto inner outer

# --- Pools screened --------------------------------------------------------
pool_refused() {
	refused "pool $1 overlaps $2" "pool $1 overlaps $3: no pool may\$" pool add aftr0 "$1"
}
pool_refused 224.0.0.0/24 multicast 'multicast 224\.0\.0\.0/4'
pool_refused 239.255.255.0/24 multicast 'multicast 224\.0\.0\.0/4'
pool_refused 127.0.0.0/24 loopback 'loopback 127\.0\.0\.0/8'
pool_refused 127.255.255.255/32 loopback 'loopback 127\.0\.0\.0/8'
pool_refused 0.0.0.0/24 "this network" '"this network" 0\.0\.0\.0/8'
pool_refused 255.255.255.255/32 broadcast 'the limited broadcast address 255\.255\.255\.255'
pool_refused 255.255.240.0/20 broadcast 'the limited broadcast address 255\.255\.255\.255'
pool_refused 192.0.0.0/24 DS-Lite "DS-Lite's own 192\.0\.0\.0/29 \(RFC 6333\)"
pool_refused 192.0.0.4/30 DS-Lite "DS-Lite's own 192\.0\.0\.0/29 \(RFC 6333\)"
pool_refused 192.0.0.7/32 DS-Lite "DS-Lite's own 192\.0\.0\.0/29 \(RFC 6333\)"
accepted "next to DS-Lite's range" pool add aftr0 192.0.0.8/29
accepted "next to multicast" pool add aftr0 223.255.255.0/24
accepted "next to loopback" pool add aftr0 126.255.255.0/24
accepted "class E below broadcast" pool add aftr0 240.0.0.0/24
refused "det add screens its pool" 'pool 224\.0\.0\.0/24 overlaps multicast' \
	det add aftr0 b4 2001:db8::/40 len 48 pool 224.0.0.0/24
accepted "pool del does not screen" pool del aftr0 224.0.0.0/24
printf 'dev aftr0\nallow 2001:db8::/32\npool 127.0.0.0/24\n' >"$tmp/pool.conf"
check "a configuration file's pool is screened, with its line" \
	cli 1 ':3: pool 127\.0\.0\.0/24 overlaps loopback' config check "$tmp/pool.conf"

# --- Settings that take words: mss-clamp, dscp, frag, filtering; ICMP rates
accepted "mss-clamp on" dev set aftr0 mss-clamp on
accepted "mss-clamp off" dev set aftr0 mss-clamp off
accepted "a fixed MSS" dev set aftr0 mss-clamp 1400
accepted "dscp pipe, by a prefix" dev set aftr0 dscp p
accepted "icmp-rate and icmp-burst" dev set aftr0 icmp-rate 5 icmp-burst 10
accepted "frag inner, by a prefix" dev set aftr0 frag i
accepted "frag outer" dev set aftr0 frag outer
accepted "filtering address-port-dependent" dev set aftr0 filtering address-port-dependent
accepted "filtering address-dependent, by a prefix" dev set aftr0 filtering address-d
accepted "filtering endpoint-independent, by a prefix" dev set aftr0 filtering e
refused "an MSS under 536" 'mss-clamp 100 out of range \[536, 65535\]' \
	dev set aftr0 mss-clamp 100
refused "mss-clamp takes on, off or a number" 'unknown mss-clamp value "yes"' \
	dev set aftr0 mss-clamp yes
refused "o is on or off" 'mss-clamp value "o" is ambiguous' dev set aftr0 mss-clamp o
refused "dscp takes no number" 'unknown dscp value "1"' dev set aftr0 dscp 1
refused "frag takes outer or inner" 'unknown frag value "ipv6"' dev set aftr0 frag ipv6
refused "address- is two filtering modes" 'filtering value "address-" is ambiguous' \
	dev set aftr0 filtering address-
refused "filtering takes no number" 'unknown filtering value "1"' dev set aftr0 filtering 1
refused "filtering given twice" '"filtering" given twice' \
	dev set aftr0 filtering e filtering address-dependent
refused "icmp-rate 0" 'icmp-rate 0 out of range' dev set aftr0 icmp-rate 0
refused "icmp is two settings" 'keyword "icmp" is ambiguous' dev set aftr0 icmp 5
check "completion after mss-clamp" offers dev set aftr0 mss-clamp '' -- on off
check "completion after dscp" offers dev set aftr0 dscp '' -- uniform pipe
check "completion after frag" offers dev set aftr0 frag '' -- outer inner
check "completion after filtering" offers dev set aftr0 filtering '' -- \
	endpoint-independent address-dependent address-port-dependent
printf 'dev aftr0\nset mss-clamp 1400 dscp pipe frag inner\nset icmp-rate 5 icmp-burst 10\nset filtering address-port-dependent\n' \
	>"$tmp/words.conf"
check "a configuration file takes them" cli 0 "" config check "$tmp/words.conf"
printf 'dev aftr0\nset dscp tunnel\n' >"$tmp/dscp.conf"
check "... and refuses a wrong one with its line" \
	cli 1 ':2: unknown dscp value "tunnel"' config check "$tmp/dscp.conf"

# --- GNU long options, and -- ---------------------------------------------
version_line() {
	cli 0 "" "$@" && [[ $(<"$tmp/out") == "aftrctl "*"generic netlink family"* ]]
}
check "--version prints the version" version_line --version
check "-Version still does" version_line -Version
usage_out() {
	cli 0 "" "$@" && grep -q '^Usage: aftrctl' "$tmp/out"
}
check "--help prints the usage on stdout" usage_out --help
accepted "-- ends the options" -- dev show
accepted "options, then --" -j -- stats
refused "after --, a dash word is no option" 'unknown object "-j"' -- -j stats
usage_err() {
	"$AFTRCTL" "$@" >"$tmp/out" 2>"$tmp/err"
	[ $? = 1 ] && [ ! -s "$tmp/out" ] && grep -q '^Usage: aftrctl' "$tmp/err"
}
check "-- alone: the usage on stderr, exit 1" usage_err --
check "completion offers --version and --help" offers --h -- --help

# --- Batch files: quotes, continued lines, comments -----------------------
# batch CONTENT RC PATTERN: a batch file of CONTENT (printf's format) ends
# with RC and one error matching PATTERN, which names the file and line.
batch() {
	printf "$1" >"$tmp/batch"
	cli "$2" "^Error: $tmp/batch:$3" -batch "$tmp/batch"
}
check "single quotes group" batch "'pool' 'show' 'aftr0'\n" 2 '1: dslite_aftr module not loaded'
check "double quotes: an empty word" batch 'pool show ""\n' 1 '1: unknown keyword ""$'
check "double quotes: \\\" inside" batch 'pool show aftr0 "a\\"b"\n' 1 '1: unknown keyword "a"b"$'
check "# inside quotes is no comment" batch 'pool add dev aftr0 "10.0.0.0/8#x"\n' \
	1 '1: prefix length "8#x" is not a number$'
check "# outside quotes is" batch 'pool add dev aftr0 10.0.0.0/8#x\n' 1 '1: pool 10.0.0.0/8 is too large'
check "a backslash keeps a blank" batch 'pool show a\\ b\n' 1 '1: "a b" is not a valid device name$'
check "backslash-newline continues, the error names the first line" \
	batch '# a comment\npool add dev aftr0 \\\n\t10.0.0.0/8 \\\n\tports 1-2\n' \
	1 '2: pool 10.0.0.0/8 is too large'
check "continued inside double quotes" batch 'pool show "aft\\\nr0" x\n' 1 '1: unknown keyword "x"$'
check "a quote left open" batch '# one\npool show "aftr0\n' 1 '2: a quote is not closed: "$'
check "CRLF lines" batch 'pool show aftr0\r\n' 2 '1: dslite_aftr module not loaded'
check "CRLF lines, continued" batch 'pool show \\\r\n aftr0 x\r\n' 1 '1: unknown keyword "x"$'
later_lines() {
	printf 'pool show \\\n  aftr0 # one\n\npool add dev aftr0 \\\n 10.0.0.0/8\npool show x y\n' \
		>"$tmp/batch"
	"$AFTRCTL" -force -batch "$tmp/batch" 2>"$tmp/err"
	[ $? = 2 ] && diff -u - "$tmp/err" <<EOF2
Error: $tmp/batch:1: dslite_aftr module not loaded (try: modprobe dslite_aftr)
Error: $tmp/batch:4: pool 10.0.0.0/8 is too large: the shortest prefix is /20
Error: $tmp/batch:6: unknown keyword "y"
EOF2
}
check "-force: each error names its command's first line" later_lines
from_stdin() {
	printf 'pool show \\\n  "aftr0" extra\n' | cli 1 '^Error: -:1: unknown keyword "extra"$' -batch -
}
check "standard input, continued" from_stdin
cat >"$tmp/quoted.conf" <<'EOF2'
dev aftr0
set endpoint 2001:db8::1 \
	timeout udp 600	# the comment of a continued statement
pool "198.51.100.0/28" ports '1024-65535'
static b4 2001:db8::2 proto tcp \
	inner 192.168.1.2:80 outer 198.51.100.1:8080
EOF2
check "a configuration file with quotes and continued lines" cli 0 "" config check "$tmp/quoted.conf"
printf 'dev aftr0\nallow \\\n  "2001:db8::/32 # no comment"\n' >"$tmp/quoted.conf"
check "a configuration file's error names the statement's first line" \
	cli 1 ':2: prefix length "32 # no comment" is not a number$' config check "$tmp/quoted.conf"

# --- With -j, nothing on stdout when a command fails -----------------------
check "-j det lookup, failing after its array began: no output" \
	quiet_failure 2 -j det lookup dev aftr0 192.0.2.1 1025
check "-p det lookup: the same" quiet_failure 2 -p det lookup dev aftr0 b4 2001:db8::1
check "-j stats, failing: no output" quiet_failure 2 -j stats
check "-j, refused input: no output" quiet_failure 1 -j pool show aftr0 aftr1
printf 'det lookup dev aftr0 192.0.2.1 1025\nstats\n' >"$tmp/batch"
batch_quiet() {
	"$AFTRCTL" -j -force -batch "$tmp/batch" >"$tmp/out" 2>/dev/null
	[ $? = 2 ] && [ ! -s "$tmp/out" ]
}
check "-j -batch -force: failing commands print nothing" batch_quiet

# --- binding show outer/inner ADDR4[:PORT] ----------------------------------
accepted "binding show outer ADDR4:PORT" binding show outer 198.51.100.7:40001
accepted "binding show outer ADDR4" binding show aftr0 outer 198.51.100.7
accepted "binding show inner ADDR4:PORT, ICMP identifier 0" binding show inner 192.168.1.2:0 proto 1
accepted "binding show with every filter" binding show aftr0 b4 2001:db8::2 proto udp \
	outer 198.51.100.7:40001 inner 192.168.1.2:5000
refused "outer must be IPv4" 'outer "2001:db8::1" is not ADDR4\[:PORT\]$' binding show outer 2001:db8::1
refused "outer port beyond 65535" 'port 70000 out of range \[0, 65535\]$' \
	binding show outer 198.51.100.7:70000
refused "inner twice" '"inner" given twice$' binding show inner 10.0.0.1 inner 10.0.0.2
refused "binding flush outer" '"outer" goes with "binding show" only' binding flush outer 198.51.100.7
check "completion: binding show offers outer and inner" offers binding show dev aftr0 '' -- \
	b4 proto outer inner

# --- exempt (CGN-8) -----------------------------------------------------------
accepted "exempt add" exempt add dev aftr0 10.64.0.0/16
accepted "exempt add NAME, any length" exempt add aftr0 10.0.0.0/8
accepted "exempt add a single address" exempt add dev aftr0 10.64.0.53
accepted "exempt delete" exempt delete 10.64.0.0/16 aftr0
accepted "exempt flush" exempt flush dev aftr0
accepted "exempt show" exempt show
accepted "exempt show NAME" exempt show aftr0
refused "exempt /0" 'exempt 0.0.0.0/0 would exempt every destination$' \
	exempt add dev aftr0 0.0.0.0/0
refused "exempt with host bits" '10.64.0.1/16 has host bits set beyond /16$' \
	exempt add dev aftr0 10.64.0.1/16
refused "exempt IPv6" '' exempt add dev aftr0 2001:db8::/32
refused "exempt without a prefix" 'an IPv4 prefix is needed$' exempt add dev aftr0
refused "exempt without a device" '"dev DEV" is needed$' exempt del 10.64.0.0/16
refused "exempt flush without a device" '"dev DEV" is needed$' exempt flush
refused "exempt, two prefixes" 'one prefix at a time' exempt add aftr0 10.64.0.0/16 10.65.0.0/16
cat >"$tmp/exempt.conf" <<'EOF2'
dev aftr0
exempt 10.64.0.0/16
exempt 10.65.0.53
EOF2
check "a configuration file takes exempt statements" cli 0 "" config check "$tmp/exempt.conf"
printf 'dev aftr0\nexempt 10.64.0.1/16\n' >"$tmp/exempt-bad.conf"
check "and refuses a bad one by its line" cli 1 ':2: .*host bits' config check "$tmp/exempt-bad.conf"
check "completion: exempt commands" offers exempt '' -- show add del delete flush help
check "completion: exempt add offers the device" offers exempt add '' -- dev aftr0

finish
