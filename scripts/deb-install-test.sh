#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deb-install-test.sh: what `make check-deb` runs after `make deb`. Installs
# the two packages on a clean system and uses them as an operator would:
# DKMS builds the module, modprobe loads that build, and the demo's whole
# data path runs with the installed aftrctl; then both packages go again.
#
# The clean system is the test guest's root (this machine's, read-only)
# under a tmpfs overlay: the packages and whatever they write land in the
# overlay only, and nothing of this machine changes. DKMS builds under TCG:
# the run takes a few minutes, which is why it is no part of make check.
#
# AFTR_KERNEL picks the guest kernel (default 6.1).
top=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" != --in-guest ]; then
	debs=("$top"/build/deb/dslite-aftr-dkms_*_all.deb "$top"/build/deb/aftrctl_*_*.deb)
	ls "${debs[@]}" >/dev/null || { echo "deb-install-test: no packages (make deb)" >&2; exit 1; }
	exec "$top/selftests/vm/run" -k "${AFTR_KERNEL:-6.1}" -t 2400 -o "$top/build/deb/test" -- \
		"$0" --in-guest "${debs[@]}"
fi
shift
. "$top/selftests/lib.sh"

kver=$(uname -r)
ver=$(dpkg-deb -f "$1" Version)
root=/run/deb-test/root
mkdir -p /run/deb-test/upper /run/deb-test/work $root
mount -t overlay overlay \
	-o lowerdir=/,upperdir=/run/deb-test/upper,workdir=/run/deb-test/work $root ||
	fail_all "cannot mount an overlay over the root"
for d in proc sys dev; do
	mount --rbind /$d $root/$d
done
mount -t tmpfs tmpfs $root/tmp
mount -t tmpfs tmpfs $root/run
cp "$@" "$top/scripts/demo.sh" "$top/selftests/systemd_exec" $root/tmp/
# The guest boots no initramfs of the root's: DKMS's hooks need not spend
# minutes of TCG regenerating them.
echo update_initramfs=no >$root/etc/initramfs-tools/update-initramfs.conf
debs=()
for d; do
	debs+=("/tmp/${d##*/}")
done

in_root() {
	chroot $root env DEBIAN_FRONTEND=noninteractive "$@"
}

installed() {
	in_root dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q ' installed$'
}

check "clean: dslite-aftr-dkms is not installed" not installed dslite-aftr-dkms
check "clean: aftrctl is not installed" not installed aftrctl
check "clean: no dslite_aftr module for $kver" not in_root modinfo dslite_aftr

echo "# dpkg -i ${debs[*]} (DKMS builds the module: minutes under TCG)"
in_root dpkg -i "${debs[@]}" 2>&1 | diag
check "dpkg -i installs both packages" test "${PIPESTATUS[0]}" = 0
check "... dslite-aftr-dkms is installed" installed dslite-aftr-dkms
check "... aftrctl is installed" installed aftrctl

dkms_built() {
	in_root dkms status "dslite-aftr/$ver" -k "$kver" | grep -q ': installed'
}
check "DKMS built and installed dslite-aftr/$ver for $kver" dkms_built
check "modinfo shows the DKMS build" \
	eval "in_root modinfo -n dslite_aftr | grep -q /updates/dkms/"
check "modinfo shows version $ver" test "$(in_root modinfo -F version dslite_aftr)" = "$ver"
for f in /usr/sbin/aftrctl /usr/share/man/man8/aftrctl.8.gz \
	 /usr/share/man/man5/aftrctl.conf.5.gz /lib/systemd/system/dslite-aftr@.service \
	 /usr/share/bash-completion/completions/aftrctl /etc/dslite-aftr \
	 /usr/share/doc/aftrctl/examples/aftr0.conf; do
	check "aftrctl ships $f" test -e "$root$f"
done

# The demo's path, with the installed tool and the DKMS-built module.
in_root bash /tmp/demo.sh --installed 2>&1 | diag
check "the demo passes with the installed aftrctl and module" test "${PIPESTATUS[0]}" = 0

check "modprobe loads the DKMS build" in_root modprobe dslite_aftr
check "aftrctl -V: the tool's and the module's version" \
	eval "in_root aftrctl -V | grep -qx 'aftrctl $ver .*' &&
	      in_root aftrctl -V | grep -qx 'dslite_aftr module $ver'"

# The example configuration, put where the boot unit looks, started and
# stopped by the installed unit's own lines (the guest's PID 1 is not
# systemd: selftests/systemd_exec runs them as systemd would).
unit() {
	in_root ip netns exec deb-test /tmp/systemd_exec \
		/lib/systemd/system/dslite-aftr@.service aftr0 "$1"
}
example() {
	in_root cp /usr/share/doc/aftrctl/examples/aftr0.conf /etc/dslite-aftr/ &&
	in_root ip netns add deb-test &&
	in_root ip -n deb-test -6 addr add 2001:db8::1/128 dev lo &&
	unit start &&
	in_root aftrctl -n deb-test config dump dev aftr0 | grep -qx 'pool 198.51.100.0/28 ports 1024-65535'
}
check "the example configuration, started by dslite-aftr@aftr0" example
check "... and stopped: the instance is gone" \
	eval "unit stop && ! in_root ip -n deb-test link show aftr0 2>/dev/null"
in_root ip netns del deb-test 2>/dev/null
check "the module unloads" in_root modprobe -r dslite_aftr

in_root dpkg --purge aftrctl dslite-aftr-dkms 2>&1 | diag
check "dpkg --purge removes both" test "${PIPESTATUS[0]}" = 0
check "... and DKMS keeps nothing of it" test -z "$(in_root dkms status dslite-aftr)"
check "... nor the module file" not in_root modinfo dslite_aftr
finish
