#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The sizing of deterministic rules (RFC 7422, CGN-5) that aftrctl checks
# before it asks the kernel, against the arithmetic of netlink.rst:
# for random rules, one that cannot give each B4 DSLITE_AFTR_DET_MIN_PORTS
# ports is refused (exit 1) with the exact shortfall, one with too many B4
# prefixes is refused naming the power of two, and one that fits reaches
# the kernel step (exit 2 here, where the module cannot load). Needs no
# module: it runs on the host.
. "$(dirname "$0")/lib.sh"
require_aftrctl
require_cmd python3

sizing() {
	python3 - "$AFTRCTL" "$TOP/uapi/linux/dslite_aftr.h" <<'EOF'
import random, re, subprocess, sys

aftrctl, header = sys.argv[1:]
consts = dict(re.findall(r"#define (DSLITE_AFTR_\w+)\s+(\d+)\b", open(header).read()))
min_ports = int(consts["DSLITE_AFTR_DET_MIN_PORTS"])
max_bits = int(consts["DSLITE_AFTR_DET_MAX_BITS"])
rnd = random.Random(7422)
bad = cases = 0
for _ in range(300):
    plen = rnd.randint(32, 64)
    length = plen + rnd.randint(0, max_bits + 2)
    pool_len = rnd.randint(int(consts["DSLITE_AFTR_MIN_POOL_PREFIX_LEN"]), 32)
    lo = rnd.randint(1, 65535)
    hi = rnd.randint(lo, 65535)
    share = -(-2 ** (length - plen) // 2 ** (32 - pool_len))
    if length - plen > max_bits:
        want = (1, r"is 2\^%d B4 prefixes" % (length - plen))
    elif (hi - lo + 1) // share < min_ports:
        want = (1, r": %d ports short$" % (share * min_ports - (hi - lo + 1)))
    else:
        want = (2, r"module not loaded")
    args = ["det", "add", "dev", "aftr0", "b4", "2001:db8::/%d" % plen, "len", str(length),
            "pool", "10.0.0.0/%d" % pool_len, "ports", "%d-%d" % (lo, hi)]
    p = subprocess.run([aftrctl] + args, capture_output=True, text=True)
    cases += 1
    if p.returncode != want[0] or not re.search(want[1], p.stderr.strip()):
        bad += 1
        print("aftrctl %s: exit %d, %r; wanted exit %d and /%s/" %
              (" ".join(args), p.returncode, p.stderr.strip(), want[0], want[1]))
print("%d rules, %d answered wrongly" % (cases, bad))
sys.exit(bad != 0)
EOF
}
# On a machine where the module loads, a fitting rule gets past aftrctl
# and the kernel refuses it differently: this test is for the host only.
if modprobe -q "$MODULE" 2>/dev/null; then
	skip_all "the module loads here: fitting rules would reach it"
fi
check "300 random det rules: refused locally exactly when they cannot fit" sizing
finish
