#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks that an AFTR's numbers add up, for the fuzzers and the soak test.

  accounting.py packets BEFORE AFTER REASM_REQDS REASM_OKS [--exact]
      BEFORE and AFTER are `aftrctl -j stats dev DEV` taken with no packet
      in flight; REASM_* are the growth of IpReasmReqds and IpReasmOKs in
      the AFTR's namespace over the same time. Every packet the instance
      claims, either way, ends translated, counted by one drop counter, or
      held by IPv4 reassembly (see "Accounting" in Documentation/security.rst):

        from-b4-packets + to-b4-packets
          = from-b4-translated + to-b4-translated + sum(drop-*) + held

      held is not counted anywhere: the kernel counts reassembly queues, not
      the fragments a timeout or an overlap throws away. So this checks
      0 <= held <= REASM_REQDS - REASM_OKS (fragments that went into
      reassembly and did not come out as the datagram), and that the rest,
      the fragments refused on arrival, are within drop-bad-inner. --exact
      (no fragment was sent) wants held == 0 and REASM_REQDS == 0.

  accounting.py bindings DEV B4S BINDINGS [STATS]
      `aftrctl -j` dev show, b4 show and binding show of one instance, taken
      with no packet in flight: the binding count of dev show = the lines
      of binding show = the sum of the B4s' binding counts; the B4 count of
      dev show = the lines of b4 show. With STATS (nothing ended but by
      expiry): bindings-created - bindings-expired = the binding count.

  accounting.py leaks PCAP BINDINGS...
      PCAP: what a B4's softwire delivered to it (tcpdump -w); BINDINGS:
      that B4's bindings (`aftrctl -j binding show b4 ADDR`, taken at
      several times). Every IPv4 packet must belong to a binding: its
      destination is one's inside endpoint, or it is an ICMP error quoting
      a packet from one, or the AFTR's own ICMP (from 192.0.0.1).
"""
import json
import socket
import struct
import sys

AFTR_ADDR4 = "192.0.0.1"
PROTOS = {"tcp": 6, "udp": 17, "icmp": 1}


def load(path):
    with open(path) as f:
        return json.load(f)


def stats_of(path):
    objs = load(path)
    return (objs[0] if isinstance(objs, list) else objs)["stats"]


def packets(args):
    exact = "--exact" in args
    args = [a for a in args if a != "--exact"]
    before, after = stats_of(args[0]), stats_of(args[1])
    reqds, oks = int(args[2]), int(args[3])
    d = {k: after[k] - before.get(k, 0) for k in after}
    for k in sorted(d):
        if d[k]:
            print("  %-24s %d" % (k, d[k]))
    claimed = d["from-b4-packets"] + d["to-b4-packets"]
    drops = sum(v for k, v in d.items() if k.startswith("drop-"))
    settled = d["from-b4-translated"] + d["to-b4-translated"] + drops
    held = claimed - settled
    refused = reqds - oks - held
    print("claimed %d = translated %d + dropped %d + held in reassembly %d"
          % (claimed, d["from-b4-translated"] + d["to-b4-translated"], drops, held))
    print("reassembly: %d fragments in, %d datagrams out, %d refused on arrival"
          % (reqds, oks, refused))
    ok = True
    # Both also count AFTR-made ICMP that could not be sent: no input packet.
    for k in ("drop-nomem", "drop-no-route"):
        if d[k]:
            print("FAIL: %s %d: the identity does not hold exactly" % (k, d[k]))
            ok = False
    if exact and (held or reqds):
        print("FAIL: no fragment was sent, yet %d packets are unaccounted for and %d "
              "fragments went into reassembly" % (held, reqds))
        ok = False
    if held < 0:
        print("FAIL: %d more packets settled than claimed" % -held)
        ok = False
    if held > reqds - oks:
        print("FAIL: %d packets unaccounted for, more than the %d fragments held"
              % (held, reqds - oks))
        ok = False
    if refused > d["drop-bad-inner"]:
        print("FAIL: %d fragments refused on arrival, but drop-bad-inner grew by %d only"
              % (refused, d["drop-bad-inner"]))
        ok = False
    return ok


def bindings(args):
    dev = load(args[0])[0]
    b4s, binds = load(args[1]), load(args[2])
    count, b4count = dev["binding-count"], dev["b4-count"]
    per_b4 = sum(b["binding-count"] for b in b4s)
    print("bindings: dev show %d, binding show %d, sum over b4 show %d; B4s: dev show %d, "
          "b4 show %d" % (count, len(binds), per_b4, b4count, len(b4s)))
    ok = count == len(binds) == per_b4 and b4count == len(b4s)
    if len(args) > 3:
        st = stats_of(args[3])
        live = st["bindings-created"] - st["bindings-expired"]
        print("bindings created %d - expired %d = %d" % (st["bindings-created"],
                                                         st["bindings-expired"], live))
        ok = ok and live == count
    if not ok:
        print("FAIL: the counts differ")
    return ok


def pcap_packets(path):
    """The IPv4 packets of a pcap file (raw IP, Linux cooked or Ethernet)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    link = struct.unpack(endian + "I", data[20:24])[0]
    skip = {1: 14, 101: 0, 12: 0, 14: 0, 113: 16, 276: 20}.get(link)
    if skip is None:
        sys.exit("accounting.py: link type %d not handled" % link)
    at = 24
    while at + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[at + 8:at + 12])[0]
        pkt = data[at + 16 + skip:at + 16 + incl]
        at += 16 + incl
        if len(pkt) >= 20 and pkt[0] >> 4 == 4:
            yield pkt


def endpoint(pkt, src):
    """(proto, addr, port) of a packet's source or destination side."""
    hl = (pkt[0] & 15) * 4
    proto = pkt[9]
    addr = socket.inet_ntoa(pkt[12:16] if src else pkt[16:20])
    l4 = pkt[hl:]
    if proto == 1:
        port = struct.unpack("!H", l4[4:6])[0] if len(l4) >= 6 else None
    else:
        port = struct.unpack("!H", l4[0:2] if src else l4[2:4])[0] if len(l4) >= 4 else None
    return proto, addr, port


def leaks(args):
    inside = set()
    for path in args[1:]:
        for b in load(path):
            inside.add((PROTOS[b["proto"]], b["inner-addr"], b["inner-port"]))
    seen = {"to a binding": 0, "ICMP error about a binding": 0, "from the AFTR": 0}
    bad = []
    for pkt in pcap_packets(args[0]):
        hl = (pkt[0] & 15) * 4
        if socket.inet_ntoa(pkt[12:16]) == AFTR_ADDR4:
            seen["from the AFTR"] += 1
        elif endpoint(pkt, False) in inside:
            seen["to a binding"] += 1
        elif pkt[9] == 1 and len(pkt) >= hl + 8 + 20 and pkt[hl] in (3, 4, 5, 11, 12) \
                and endpoint(pkt[hl + 8:], True) in inside:
            seen["ICMP error about a binding"] += 1
        else:
            bad.append(pkt)
    for k, v in seen.items():
        print("  %-28s %d" % (k, v))
    print("  %-28s %d" % ("unexpected", len(bad)))
    for pkt in bad[:10]:
        print("FAIL: unexpected %s -> %s proto %d, %d bytes" % (
            socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(pkt[16:20]), pkt[9], len(pkt)))
    return not bad


def main():
    cmds = {"packets": packets, "bindings": bindings, "leaks": leaks}
    if len(sys.argv) < 3 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    sys.exit(0 if cmds[sys.argv[1]](sys.argv[2:]) else 1)


if __name__ == "__main__":
    main()
