#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh {demo|discovery|check|check-debug|deb}...: installs the Debian
# packages that `make demo`, `make demo DISCOVERY=1`, `make check`, `make
# check-debug` or `make deb` needs and that are missing, saying which.
# Nothing happens when all are there.
set -eu

# Building the module and aftrctl, booting the test guest, running the demo
# (its web server, UDP echo and clients: python3, socat, curl, ping).
demo=(make gcc libc6-dev pkg-config libmnl-dev kmod iproute2 procps
      linux-image-amd64 linux-headers-amd64 qemu-system-x86 busybox-static
      cpio xz-utils zstd python3 socat curl iputils-ping)
# On top for make check: W=1 C=1 builds (sparse), the second kernel (dwarves
# for its BTF), the kselftest harness (linux-source-6.1), the kernel's YNL
# generator and CLI (linux-source-6.12: 6.1 has none) with the Python
# modules they import, dkms, and the tools the tests call (require_cmd): a
# missing one fails its test (systemd-analyze and man check the boot unit;
# rsyslog, systemd's journald and prometheus' promtool judge what
# logging.sh and metrics.sh hand them, pmacct's nfacctd and tshark what
# ipfix.sh exports), and discovery's for discovery.sh.
check=(sparse dwarves linux-image-6.12-amd64 linux-headers-6.12-amd64
       linux-source-6.1 linux-source-6.12 python3-yaml python3-jsonschema
       dkms tcpdump systemd man-db rsyslog prometheus pmacct tshark)
# B4 discovery (discovery.sh, make demo DISCOVERY=1): the carrier's DHCPv6
# server (Kea) and DNS server (dnsmasq), and the B4's DHCPv6 client and dig.
discovery=(kea-dhcp6-server dnsmasq-base isc-dhcp-client bind9-dnsutils)
# On top for make check-debug: building a kernel from linux-source-6.1.
debug=(flex bison bc libelf-dev libssl-dev)
# make deb: the packages' Build-Depends (debian/control) and lintian; dkms
# for make check-deb, which installs them in the guest.
deb=(make gcc libc6-dev dpkg-dev debhelper dh-dkms pkg-config libmnl-dev
     lintian dkms)

want=()
for list in "${@:-check}"; do
	case $list in
	demo) want+=("${demo[@]}") ;;
	discovery) want+=("${discovery[@]}") ;;
	check) want+=("${demo[@]}" "${check[@]}" "${discovery[@]}") ;;
	check-debug) want+=("${demo[@]}" "${check[@]}" "${discovery[@]}" "${debug[@]}") ;;
	deb) want+=("${deb[@]}") ;;
	*) echo "usage: $0 {demo|discovery|check|check-debug|deb}..." >&2; exit 2 ;;
	esac
done

missing=()
declare -A seen
for p in "${want[@]}"; do
	[ -z "${seen[$p]:-}" ] || continue
	seen[$p]=1
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' ||
		missing+=("$p")
done
[ ${#missing[@]} != 0 ] || exit 0

echo "deps: installing missing Debian packages: ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
	echo "deps: installing them needs root: apt-get install ${missing[*]}" >&2
	exit 1
fi
# rsyslog, prometheus, pmacct and Kea come for their binaries (the tests start
# their own daemons, privately): the install must leave no daemon running, or
# enabled at boot, that was not there before. policy-rc.d is Debian's way
# to keep maintainer scripts from starting services.
daemons=()
for p in "${missing[@]}"; do
	case $p in
	rsyslog | prometheus | kea-dhcp6-server) daemons+=("$p") ;;
	pmacct) daemons+=(nfacctd pmacctd sfacctd uacctd) ;;
	esac
done
policy=/usr/sbin/policy-rc.d
if [ ${#daemons[@]} != 0 ] && [ ! -e $policy ]; then
	trap 'rm -f $policy' EXIT
	printf '#!/bin/sh\nexit 101\n' >$policy
	chmod +x $policy
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
for p in "${daemons[@]}"; do
	systemctl disable --now "$p.service" >/dev/null 2>&1 || true
done
