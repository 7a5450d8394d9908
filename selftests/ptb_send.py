#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tells the AFTR that a softwire packet it sent met trouble on the way to a
B4, as a router on that path would: an ICMPv6 error quoting it.

    ptb_send.py AFTR6 B4 MTU
    ptb_send.py [--type TYPE] [--from SRC:PORT] [--to DST:PORT] [--df]
                [--count N] AFTR6 B4 [INFO]

The message goes to AFTR6 from this namespace's own address; it quotes an
IPv6 packet from AFTR6 to B4 carrying a UDP datagram in IPv4, as the
AFTR's packets to B4 look: from SRC:PORT to DST:PORT (by default
203.0.113.2:4000 to 192.168.1.2:9000), with DF set if asked. TYPE is
too-big (the default; INFO is the MTU), time-exceeded, unreachable
(address unreachable), param-problem (INFO is the pointer) or unknown (an
error type ICMPv6 does not define). --count sends it N times at once, faster
than a rate limit refills. The kernel sums ICMPv6 on raw sockets itself.
"""
import argparse
import socket
import struct

from inet import ipv4, udp

# ICMPv6 type and code of each --type.
TYPES = {
    "unreachable": (1, 3),
    "too-big": (2, 0),
    "time-exceeded": (3, 0),
    "param-problem": (4, 0),
    "unknown": (100, 0),
}
IP_DF = 0x4000


def endpoint(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def error(kind, info, aftr, b4, src, dst, df):
    (qsrc, qsport), (qdst, qdport) = src, dst
    inner = ipv4(qsrc, qdst, 17, udp(qsrc, qdst, qsport, qdport),
                 frag=IP_DF if df else 0)
    outer = struct.pack("!IHBB16s16s", 6 << 28, len(inner), 4, 64,
                        socket.inet_pton(socket.AF_INET6, aftr),
                        socket.inet_pton(socket.AF_INET6, b4))
    icmp_type, code = TYPES[kind]
    return struct.pack("!BBHI", icmp_type, code, 0, info) + outer + inner


def main():
    p = argparse.ArgumentParser(usage=__doc__)
    p.add_argument("--type", choices=TYPES, default="too-big")
    p.add_argument("--from", dest="src", type=endpoint, default=("203.0.113.2", 4000))
    p.add_argument("--to", dest="dst", type=endpoint, default=("192.168.1.2", 9000))
    p.add_argument("--df", action="store_true")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("aftr")
    p.add_argument("b4")
    p.add_argument("info", type=int, nargs="?", default=0)
    a = p.parse_args()
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    msg = error(a.type, a.info, a.aftr, a.b4, a.src, a.dst, a.df)
    for _ in range(a.count):
        s.sendto(msg, (a.aftr, 0))


if __name__ == "__main__":
    main()
