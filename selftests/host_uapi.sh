#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The netlink spec is the source of truth, and the kernel's own tools take
# it: it passes YNL's validation against the kernel's genetlink-legacy
# schema, the kernel's generator (ynl-gen-c --mode uapi, Linux 6.12's
# tools/net/ynl, extracted into build/ynl by make ynl) accepts it, and
# uapi/linux/dslite_aftr.h is exactly the header it makes from it. After
# changing the spec, `make uapi` regenerates the header. Runs on the host.
. "$(dirname "$0")/lib.sh"
require_cmd python3

ynl=$TOP/build/ynl
spec=$TOP/Documentation/netlink/specs/dslite_aftr.yaml
header=$TOP/uapi/linux/dslite_aftr.h
[ -f "$ynl/tools/net/ynl/ynl-gen-c.py" ] ||
	fail_all "no kernel YNL tools in $ynl (make ynl)"
tmp=$(mktemp -d)
at_exit "rm -rf '$tmp'"

# YNL's spec loader (tools/net/ynl/lib/nlspec.py), which the generator and
# the ynl CLI both use, validates with jsonschema when given a schema.
validate() {
	python3 - "$ynl/tools/net/ynl" "$spec" \
		"$ynl/Documentation/netlink/genetlink-legacy.yaml" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
from lib import SpecFamily
SpecFamily(sys.argv[2], sys.argv[3])
EOF
}
check "the spec validates against the kernel's genetlink-legacy schema" validate
check "ynl-gen-c --mode uapi accepts the spec" "$TOP/scripts/ynl.sh" uapi "$tmp/gen.h"
check "uapi/linux/dslite_aftr.h is what ynl-gen-c makes of the spec (make uapi)" \
	diff -u "$header" "$tmp/gen.h"
finish
