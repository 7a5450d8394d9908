#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fresh-machine.sh [-p PATH] [-m MIRROR] DIR [COMMAND...]: "works on a fresh
# machine", checked. Debootstraps a clean Debian 12 into DIR (which must not
# exist yet, or be empty), clones this checkout's HEAD into it at PATH
# (default /root/dslite-aftr; /tmp/dslite-aftr works too), and runs there,
# as root in a chroot, each COMMAND as a new user would type it: by default
# the README's two, "make demo" and "make check". It says how each ended
# and exits non-zero when one failed.
#
# Needs root and debootstrap, and several GB in DIR (kernels, QEMU,
# compilers). make check there takes as long as anywhere. Only DIR
# changes: DIR stays for a look afterwards (rm -rf it when done).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
path=/root/dslite-aftr mirror=http://deb.debian.org/debian
while getopts "p:m:h" opt; do
	case $opt in
	p) path=$OPTARG ;;
	m) mirror=$OPTARG ;;
	*) sed -n '4,15s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { sed -n '4,15s/^# \{0,1\}//p' "$0" >&2; exit 2; }
root=$1
shift
commands=("$@")
[ ${#commands[@]} != 0 ] || commands=("make demo" "make check")

[ "$(id -u)" = 0 ] || { echo "fresh-machine: needs root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null ||
	{ echo "fresh-machine: needs debootstrap (apt-get install debootstrap)" >&2; exit 1; }
if [ -e "$root" ] && [ -n "$(ls -A "$root")" ]; then
	echo "fresh-machine: $root is not empty: a fresh machine starts empty" >&2
	exit 1
fi
mkdir -p "$root"
root=$(cd "$root" && pwd)

mounts=()
cleanup() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount -R -l "${mounts[$i]}" 2>/dev/null
	done
}
trap cleanup EXIT

# A minimal Debian 12 with git and make (README: what it takes to clone and
# type make), and the archive's updates and security suites.
echo "fresh-machine: debootstrap bookworm into $root"
debootstrap --variant=minbase --include=git,make,ca-certificates bookworm "$root" "$mirror" |
	grep -E '^I: (Retrieving|Base system installed)' || true
[ -x "$root/usr/bin/apt-get" ] || { echo "fresh-machine: debootstrap failed" >&2; exit 1; }
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
cp /etc/resolv.conf "$root/etc/resolv.conf"
# A chroot is no booted machine: packages must not start services in it.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"

for d in proc sys dev; do
	mount --rbind "/$d" "$root/$d"
	mount --make-rslave "$root/$d"
	mounts+=("$root/$d")
done

# The clone: this checkout's HEAD, as a user would have cloned it.
rev=$(git -C "$top" rev-parse HEAD)
echo "fresh-machine: cloning $rev into $path"
git clone -q --no-checkout "$top" "$root$path"
git -C "$root$path" checkout -q "$rev"

status=0 results=()
for c in "${commands[@]}"; do
	echo "fresh-machine: running '$c' in $path"
	rc=0
	chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		bash -c 'cd "$1" && eval "$2"' - "$path" "$c" </dev/null || rc=$?
	results+=("$(printf '%-12s exit %s' "$c:" "$rc")")
	[ $rc = 0 ] || status=1
done
printf 'fresh-machine: %s\n' "${results[@]}"
exit $status
