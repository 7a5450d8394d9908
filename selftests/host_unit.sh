#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The boot unit as installed: `make install` puts dslite-aftr@.service with
# the tool and its man pages, and systemd-analyze verify finds nothing
# wrong with dslite-aftr@aftr0 (it also checks that the commands exist and
# that the Documentation= man pages open). Installed into a folder, so the
# aftrctl path is pointed there; the instance's guest test runs the unit.
. "$(dirname "$0")/lib.sh"
require_cmd systemd-analyze man

tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"
check "make install puts the unit, the tool and the man pages in DESTDIR" \
	make -s -C "$TOP/tools/aftrctl" install DESTDIR="$tmp/root" PREFIX=/usr \
	SYSTEMDUNITDIR=/lib/systemd/system
unit=$tmp/root/lib/systemd/system/dslite-aftr@.service
check "... the unit among them" test -f "$unit"
mkdir "$tmp/units"
sed "s|/usr/sbin/aftrctl|$tmp/root/usr/sbin/aftrctl|g" "$unit" >"$tmp/units/dslite-aftr@.service"
verify() {
	MANPATH=$tmp/root/usr/share/man systemd-analyze verify \
		"$tmp/units/dslite-aftr@aftr0.service" 2>&1 | tee "$tmp/verify"
	[ "${PIPESTATUS[0]}" = 0 ] && [ ! -s "$tmp/verify" ]
}
check "systemd-analyze verify dslite-aftr@aftr0: clean" verify
check "the unit's man pages are both installed" \
	test -f "$tmp/root/usr/share/man/man5/aftrctl.conf.5" -a -f "$tmp/root/usr/share/man/man8/aftrctl.8"
finish
