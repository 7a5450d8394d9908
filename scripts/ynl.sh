#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ynl.sh: the kernel's own YNL tools, run on our netlink spec
# (Documentation/netlink/specs/dslite_aftr.yaml), which is the source of
# truth for the uapi header.
#
#	ynl.sh extract		extracts the tools into build/ynl (make ynl)
#	ynl.sh uapi [OUT]	the uapi header the kernel's generator makes
#				from the spec, into OUT (default: stdout);
#				make uapi writes uapi/linux/dslite_aftr.h
#
# The tools are tools/net/ynl (ynl-gen-c.py, the ynl CLI cli.py, their
# lib/) and the genetlink schemas of Documentation/netlink, from Debian's
# linux-source-6.12: 6.1's source has no tools/net/ynl. They are extracted
# at build time, never copied into our tree. build/ynl is laid out as a
# kernel tree because the generator expects one: it names the spec in the
# header by its path below the tree's top (the folder holding MAINTAINERS),
# and looks for the schema two folders above the spec. So the spec is a
# symlink there, and the ynl CLI is run on our own spec with
#
#	--schema build/ynl/Documentation/netlink/genetlink-legacy.yaml
set -eu -o pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
source=${YNL_SOURCE:-/usr/src/linux-source-6.12.tar.xz}
ynl=$top/build/ynl
spec=Documentation/netlink/specs/dslite_aftr.yaml

# Extracts when the tarball is newer than what we have (a Debian update).
extract() {
	[ -f "$source" ] || {
		echo "ynl: no $source (apt-get install linux-source-6.12)" >&2
		exit 1
	}
	[ "$ynl/.extracted" -nt "$source" ] || unpack
	# Byte-compiled here, once: the guest sees build/ynl read-only, and
	# compiling YNL's library again at every command costs seconds there.
	python3 -m compileall -q "$ynl/tools/net/ynl" >/dev/null
}

unpack() {
	local d=linux-source-6.12
	echo "ynl: extracting tools/net/ynl and the netlink schemas from $source" >&2
	rm -rf "$ynl"
	mkdir -p "$ynl/Documentation/netlink/specs"
	tar -xJf "$source" -C "$ynl" --strip-components=1 \
		"$d/MAINTAINERS" "$d/tools/net/ynl" \
		"$d/Documentation/netlink/genetlink.yaml" \
		"$d/Documentation/netlink/genetlink-c.yaml" \
		"$d/Documentation/netlink/genetlink-legacy.yaml"
	# Relative, so that it holds wherever the checkout is seen (the guest).
	ln -s "../../../../../$spec" "$ynl/$spec"
	touch "$ynl/.extracted"
}

# Through a temporary file: the generator prints its refusals on stdout,
# and a failed run must not leave half a header behind.
uapi() {
	local out=${1:-/dev/stdout} tmp
	extract
	tmp=$(mktemp)
	if ! python3 "$ynl/tools/net/ynl/ynl-gen-c.py" --mode uapi --header \
		--spec "$ynl/$spec" >"$tmp"; then
		cat "$tmp" >&2
		rm -f "$tmp"
		echo "ynl: ynl-gen-c refused $spec" >&2
		return 1
	fi
	cat "$tmp" >"$out"
	rm -f "$tmp"
}

case ${1-} in
extract) extract ;;
uapi) uapi "${2-}" ;;
*) echo "usage: $0 {extract | uapi [OUT]}" >&2; exit 2 ;;
esac
