#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh: builds the debug guest kernel (KASAN, lockdep, kmemleak,
# ...) from Debian's linux-source-6.1 with selftests/vm/debug.config, once,
# and prints the folder of the built tree. That folder serves as:
#   - KDIR to build modules against (make -C DIR M=... modules),
#   - vm/run -K DIR: its bzImage, and its modules in DIR/staging.
# The build takes tens of minutes, so it lives outside the checkout, in
# ${XDG_CACHE_HOME:-~/.cache}/dslite-aftr/debug-kernel/KEY, KEY a hash of the
# fragment's options and the source package's version: a changed option or
# a new linux-source-6.1 builds anew, anything else (comments too) reuses it.
# A new key starts from a copy of a cached tree of the same source version
# when there is one: kbuild then rebuilds only what the changed options
# touch, minutes instead of most of an hour.
#
# Progress goes to stderr, the folder alone to stdout.
set -u -o pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
fragment=$top/selftests/vm/debug.config
tarball=${LINUX_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/dslite-aftr/debug-kernel

say() {
	echo "debug-kernel: $*" >&2
}

die() {
	say "$*"
	exit 1
}

cache_key() {
	{ grep -E '^(# )?CONFIG_' "$fragment" && source_version; } |
		sha256sum | cut -c1-16
}

source_version() {
	dpkg-query -W -f '${Version}\n' linux-source-6.1 2>/dev/null ||
		die "linux-source-6.1 is not installed"
}

# seed_tree: a finished tree built from the same source package, if any.
seed_tree() {
	local built
	for built in "$cache"/*/aftr-build.txt; do
		[ -f "$built" ] && grep -qxF "source $(source_version)" "$built" &&
			dirname "$built" && return
	done
	return 1
}

# workdir [SEED]: a new folder to build in. Kbuild's tools (objtool, and
# through it every object) remember the absolute path they were built at,
# so a build from SEED works where SEED was built, when that is free.
workdir() {
	local at
	at=$(sed -n 's/^at //p' "${1:-/dev/null}/aftr-build.txt" 2>/dev/null)
	if [ -n "$at" ] && mkdir "$at" 2>/dev/null; then
		echo "$at"
	else
		mktemp -d "$cache/build.XXXXXX"
	fi
}

# unpack SRC [SEED]: the source tree into SRC, copied from SEED (timestamps
# kept, so make sees what is built) or extracted from the tarball.
unpack() {
	if [ -n "${2-}" ]; then
		say "starting from $2"
		cp -a "$2" "$1" && rm -rf "$1/staging"
	else
		tar -xJf "$tarball" -C "${1%/*}"
	fi
}

# The fragment's every line is a request; olddefconfig drops what
# dependencies do not allow, silently, so we look.
check_config() {
	local line sym missing=0
	while read -r line; do
		case $line in
		"# CONFIG_"*" is not set")
			sym=${line#"# "}
			sym=${sym%% *}
			! grep -q "^$sym=" .config
			;;
		CONFIG_*) grep -qxF "$line" .config ;;
		*) continue ;;
		esac || {
			say "not in the final .config: $line"
			missing=1
		}
	done <"$fragment"
	return $missing
}

# configure: in the extracted tree, defconfig then the fragment on top.
configure() {
	make -s ARCH=x86_64 defconfig &&
	scripts/kconfig/merge_config.sh -m .config "$fragment" >/dev/null &&
	make -s ARCH=x86_64 olddefconfig &&
	check_config
}

# build SRC: the kernel, its modules, and those installed in SRC/staging
# as the guest's /lib/modules.
build() {
	local jobs
	jobs=$(nproc)
	nice -n 10 make -j"$jobs" bzImage modules &&
	nice -n 10 make -s INSTALL_MOD_PATH="$1/staging" INSTALL_MOD_STRIP=1 \
		modules_install
}

# build_tree TREE: builds in a temporary folder beside TREE, then renames
# it to TREE. Whoever renames first wins; a racing build's tree is dropped.
build_tree() {
	local tree=$1 seed work src start took release
	seed=$(seed_tree)
	work=$(workdir "$seed") || die "cannot create a folder in $cache"
	# Expanded now: $work is local, gone when the trap runs.
	trap "rm -rf '$work'" EXIT
	src=$work/linux-source-6.1
	start=$SECONDS
	say "building in $work (log: $work/build.log); tens of minutes"
	unpack "$src" "$seed" || die "cannot unpack the source into $work"
	cd "$src" || exit
	configure || die "the fragment does not stick (see above): fix $fragment"
	if ! build "$src" >"$work/build.log" 2>&1; then
		cp "$work/build.log" "$cache/failed-build.log"
		tail -n 30 "$work/build.log" >&2
		die "build failed; log in $cache/failed-build.log"
	fi
	release=$(cat include/config/kernel.release)
	# They point into the temporary folder; nothing in the guest needs them.
	rm -f "$src/staging/lib/modules/$release"/{build,source}
	took=$((SECONDS - start))
	printf 'release %s\nsource %s\nat %s\nbuilt in %d s (%dm%02ds) on %s, %s jobs\n' "$release" \
		"$(source_version)" "$work" "$took" $((took / 60)) $((took % 60)) "$(date -u +%FT%TZ)" "$(nproc)" \
		>"$src/aftr-build.txt"
	cd / && mv -T "$src" "$tree" 2>/dev/null || [ -f "$tree/aftr-build.txt" ] ||
		die "cannot move the tree to $tree"
	# The seed is superseded; a change back rebuilds from this tree as fast.
	[ -z "$seed" ] || rm -rf "$seed"
	say "$release built in $((took / 60))m$((took % 60))s: $tree"
}

# All in functions, read whole before anything runs: bash reads a script
# as it goes, and an edit during a half-hour build would derail it.
main() {
	local key tree
	key=$(cache_key) || exit
	tree=$cache/$key
	if [ ! -f "$tree/aftr-build.txt" ]; then
		mkdir -p "$cache" || die "cannot create $cache"
		build_tree "$tree"
	fi
	echo "$tree"
}

main "$@"
exit
