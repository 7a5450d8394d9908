#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deb.sh: what `make deb` runs. Builds the Debian packages dslite-aftr-dkms,
# aftrctl and dslite-b4 (debian/) from a copy of the checkout in build/deb/,
# so that dpkg-buildpackage writes its results there and not next to the
# checkout, then checks them with lintian: any error fails.
set -eu -o pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/deb
ver=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src=$out/dslite-aftr-$ver

rm -rf "$out"
mkdir -p "$src"
# The files git knows and would add: not build/, not what .gitignore names.
(cd "$top" && git ls-files -z --cached --others --exclude-standard) |
	while IFS= read -r -d '' f; do
		[ -e "$top/$f" ] && printf '%s\0' "$f"
	done | (cd "$top" && xargs -0 cp --parents -t "$src")

(cd "$src" && dpkg-buildpackage -us -uc)
echo "deb: lintian"
lintian --fail-on error "$out"/*.changes
ls "$out"/*.deb
