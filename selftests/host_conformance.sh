#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Documentation/conformance.rst maps every requirement of the RFC checklist
# to the tests that show it. This keeps the table honest: each test it
# names must exist and cite the requirement's ID in its checks, and every
# ID of the checklist (when ../shared/notes/rfc-checklist.md is at hand)
# must have a row. A row whose tests say "not yet" is reported as skipped:
# a requirement we owe and do not show yet.
. "$(dirname "$0")/lib.sh"

doc=$TOP/Documentation/conformance.rst
checklist=$TOP/../shared/notes/rfc-checklist.md
[ -f "$doc" ] || skip_all "no $doc"

# Rows look like "6333-1      text ...      selftests/a.sh, selftests/b.c".
ids_of() {
	grep -oE '^- (6333|NAT|CGN|TUN)-[0-9]+' "$1" | cut -c3-
}

row() {
	grep -E "^$1 " "$doc"
}

shown_by() {
	local id=$1 file
	shift
	for file; do
		[ -f "$TOP/$file" ] || { echo "$file does not exist"; return 1; }
		grep -q -- "$id\b" "$TOP/$file" || { echo "$file does not cite $id"; return 1; }
	done
}

ids=$(grep -oE '^(6333|NAT|CGN|TUN)-[0-9]+ ' "$doc" | tr -d ' ')
[ -f "$checklist" ] && ids=$( (echo "$ids"; ids_of "$checklist") | sort -u)
for id in $ids; do
	line=$(row "$id")
	if [ -z "$line" ]; then
		not_ok "$id has a row in conformance.rst"
		continue
	fi
	files=$(echo "$line" | grep -oE 'selftests/[A-Za-z0-9_./-]+')
	if [ -z "$files" ]; then
		skip "$id is shown by a test" "not yet"
		continue
	fi
	check "$id is shown by $(echo $files)" shown_by "$id" $files
done
finish
