#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tells the AFTR that the path to a B4 is narrower than its link, as a
router on that path would: an ICMPv6 packet too big quoting a softwire
packet the AFTR sent.

    ptb_send.py AFTR6 B4 MTU

The message goes to AFTR6 from this namespace's own address; it quotes an
IPv6 packet from AFTR6 to B4 carrying a UDP datagram in IPv4, as the
AFTR's answers to B4 look. The kernel sums ICMPv6 on raw sockets itself.
"""
import socket
import struct
import sys

from inet import ipv4, udp


def ptb(aftr, b4, mtu):
    inner = ipv4("203.0.113.2", "192.168.1.2", 17, udp("203.0.113.2", "192.168.1.2"))
    outer = struct.pack("!IHBB16s16s", 6 << 28, len(inner), 4, 64,
                        socket.inet_pton(socket.AF_INET6, aftr),
                        socket.inet_pton(socket.AF_INET6, b4))
    return struct.pack("!BBHI", 2, 0, 0, mtu) + outer + inner


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    aftr, b4, mtu = sys.argv[1], sys.argv[2], int(sys.argv[3])
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.sendto(ptb(aftr, b4, mtu), (aftr, 0))


if __name__ == "__main__":
    main()
