#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.conf works: `dkms add` takes the source, `dkms build` builds the
# module for every installed Debian kernel that has its headers, and skips
# the kernels it does not support. Runs on the host and removes what it
# added (dkms remove --all).
. "$(dirname "$0")/lib.sh"
require_root
require_cmd dkms

name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$TOP/dkms.conf")
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$TOP/dkms.conf")
[ -n "$name" ] && [ -n "$ver" ] || skip_all "no PACKAGE_NAME or PACKAGE_VERSION in dkms.conf"
if dkms status -m "$name" | grep -q .; then
	skip_all "$name is already known to dkms: not touching it"
fi

# dkms add copies the whole folder it is given: give it just the sources.
tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"
at_exit "dkms remove $name/$ver --all; rm -rf /usr/src/$name-$ver"
mkdir "$tmp/src"
cp -r "$TOP/dkms.conf" "$TOP/kmod" "$TOP/uapi" "$tmp/src/"

check "dkms add" dkms add "$tmp/src"
for kdir in /usr/src/linux-headers-6.*-amd64; do
	[ -d "$kdir" ] || continue
	k=${kdir#/usr/src/linux-headers-}
	[ -d "/lib/modules/$k" ] || continue
	check "dkms build for $k" dkms build "$name/$ver" -k "$k"
	check "... gives dslite_aftr.ko for $k" \
		eval "ls /var/lib/dkms/$name/$ver/$k/*/module/dslite_aftr.ko*"
done
# BUILD_EXCLUSIVE_KERNEL: another kernel is left alone with exit 77, which
# DKMS's kernel and package hooks take for "skip", never a failed build
# that leaves dpkg with half-configured packages.
dkms build "$name/$ver" -k 5.10.0-99-amd64 >/dev/null 2>&1
check "an unsupported kernel (5.10) is excluded, not failed (exit 77)" test $? = 77
check "dkms remove --all" dkms remove "$name/$ver" --all
check "... leaves nothing in dkms" test -z "$(dkms status -m "$name")"
finish
