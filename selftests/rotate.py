#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""rotate.py: a B4 that rotates its IPv6 source address to grab state.

    rotate.py AFTR6 PREFIX64 COUNT SRC4 DST4 DPORT

Sends COUNT softwire packets to AFTR6, each from a random interface ID
inside PREFIX64 (a /64, e.g. 2001:db8:100::) and from its own inner UDP
source port, carrying SRC4 -> DST4:DPORT. The namespace needs a route to
AFTR6; the outer header is written here (IPPROTO_RAW), so the kernel sends
whatever source we put in it.
"""
import ipaddress
import random
import socket
import struct
import sys

from inet import ipv4, udp


def inner(src4, dst4, sport, dport):
    return ipv4(src4, dst4, 17, udp(src4, dst4, sport, dport, b"rot!"), frag=0x4000)


def main():
    aftr6, prefix, count, src4, dst4, dport = sys.argv[1:7]
    net = int(ipaddress.IPv6Address(prefix)) & ~((1 << 64) - 1)
    dst6 = socket.inet_pton(socket.AF_INET6, aftr6)
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    rng = random.Random(7)
    for i in range(int(count)):
        src6 = (net | rng.getrandbits(64)).to_bytes(16, "big")
        payload = inner(src4, dst4, 1024 + i % 60000, int(dport))
        ip6 = struct.pack("!IHBB16s16s", 6 << 28, len(payload), 4, 64, src6, dst6)
        s.sendto(ip6 + payload, (aftr6, 0))


if __name__ == "__main__":
    main()
