#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One version everywhere: the Debian packages (debian/changelog), DKMS
# (dkms.conf, which names /usr/src/dslite-aftr-VERSION in the package), the
# module (MODULE_VERSION: modinfo, aftrctl -V) and aftrctl itself. The two
# packages may be upgraded apart: their versions must say which is which.
. "$(dirname "$0")/lib.sh"
require_aftrctl

ver=$(sed -n '1s/^dslite-aftr (\([^)]*\)).*/\1/p' "$TOP/debian/changelog")
check "debian/changelog has a version" test -n "$ver"
check "dkms.conf: PACKAGE_VERSION $ver" grep -qx "PACKAGE_VERSION=\"$ver\"" "$TOP/dkms.conf"
check "kmod/main.c: MODULE_VERSION $ver" grep -q "^MODULE_VERSION(\"$ver\");" "$TOP/kmod/main.c"
check "tools/aftrctl/Makefile: VERSION $ver" grep -qx "VERSION ?= $ver" "$TOP/tools/aftrctl/Makefile"
check "aftrctl -V: $ver" eval "'$AFTRCTL' -V | grep -q '^aftrctl $ver '"
finish
