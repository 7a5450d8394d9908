#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh [--strict] KDIR: builds kmod/ against the kernel headers
# in KDIR, in build/<release>/ (kbuild writes its objects next to the
# sources, so each kernel gets its own copy, and the checkout stays clean).
# A plain build needs only what building any module needs. --strict (make
# check) adds W=1 and sparse (C=1), and any warning fails the build.
set -eu -o pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
strict=
if [ "${1:-}" = --strict ]; then
	strict=1
	shift
fi
kdir=${1:?usage: build-module.sh [--strict] KDIR}
uts=$kdir/include/generated/utsrelease.h
[ -f "$uts" ] || { echo "build-module: no kernel headers in '$kdir'" >&2; exit 1; }
# The release as uname -r says it (Debian's kernel.release file differs).
release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$uts")
out=$top/build/$release

mkdir -p "$out/kmod" "$out/uapi/linux"
# -p -u: unchanged sources keep their time, so kbuild rebuilds only what changed.
cp -pu "$top"/kmod/Kbuild "$top"/kmod/*.[ch] "$out/kmod/"
cp -pu "$top"/uapi/linux/*.h "$out/uapi/linux/"

log=$out/kmod/build.log
if [ -z "$strict" ]; then
	make -C "$kdir" M="$out/kmod" modules
	exit
fi
make -C "$kdir" M="$out/kmod" W=1 C=1 KCFLAGS=-Werror modules 2>&1 | tee "$log"
if grep -Eiq '(^|[ :])warning:' "$log"; then
	# Drop the objects, or the next build would skip them and pass.
	rm -f "$out"/kmod/*.o "$out"/kmod/*.ko
	echo "build-module: warnings in the $release build (see above)" >&2
	exit 1
fi
