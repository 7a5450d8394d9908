#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tcp_blind.py: what a blind attacker on the Internet sends at a NAT.

    tcp_blind.py SRC4 SPORT DST4 DPORT FLAGS...

One TCP segment per FLAGS word (rst, fin, syn, ack: joined by "+", e.g.
fin+ack) from SRC4:SPORT to DST4:DPORT, with random sequence numbers, as
someone sweeping pool ports without knowing any connection would.
"""
import random
import socket
import struct
import sys

from inet import csum, ipv4

BITS = {"fin": 0x01, "syn": 0x02, "rst": 0x04, "ack": 0x10}


def segment(src, sport, dst, dport, flags):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, random.getrandbits(32),
                      random.getrandbits(32), 5 << 4, flags, 1024, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    return ipv4(src, dst, 6, tcp, frag=0x4000)


def main():
    src, sport, dst, dport = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for word in sys.argv[5:]:
        flags = sum(BITS[f] for f in word.split("+"))
        s.sendto(segment(src, sport, dst, dport, flags), (dst, 0))


if __name__ == "__main__":
    main()
