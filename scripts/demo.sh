#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh: a narrated tour, run by `make demo`. On the host it boots the
# test guest (Debian's 6.1 kernel under QEMU; this machine's own kernel
# cannot load modules) and runs itself inside with --in-guest, where it
# loads the module, creates an AFTR instance and shows it with aftrctl.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" != --in-guest ]; then
	echo "demo: booting a QEMU guest with Debian's kernel; the tour runs inside it."
	exec "$top/selftests/vm/run" -t 300 -o "$top/build/demo" -- "$0" --in-guest
fi

PATH=$top/tools/aftrctl:$PATH

say() {
	printf '\n### %s\n' "$*"
}

# Shows a command (on stderr, so a pipe after it keeps the line), then runs it.
run() {
	printf '# %s\n' "$*" >&2
	"$@"
}

say "The kernel inside the guest is Debian's $(uname -r). The AFTR module is not loaded yet:"
run lsmod | grep -E '^Module|dslite' || echo "(no dslite_aftr in lsmod)"

say "Load it. It sits on the kernel's IPv6 tunnel demultiplexer (tunnel6), beside ip6_tunnel."
run modprobe dslite_aftr
run lsmod | grep -E '^Module|dslite_aftr|tunnel6'

say "An AFTR instance is a network device, created like any other link:"
run ip link add aftr0 type dslite
run ip link set aftr0 up
run ip -d link show aftr0

say "aftrctl, the control tool, talks to the module over generic netlink. It lists the instance:"
run aftrctl dev show

say "... and with -j, as JSON for scripts (ifname and ifindex as in 'ip -j link'):"
run aftrctl -j -p dev show

say "Deleting the device ends the instance; unloading the module leaves nothing behind."
run ip link del aftr0
run modprobe -r dslite_aftr
run lsmod | grep -E '^Module|dslite' || echo "(no dslite_aftr in lsmod)"

say "That was the demo. make check runs the whole test suite, on 6.1 and 6.12."
