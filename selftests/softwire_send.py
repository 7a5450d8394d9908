#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sends hand-made IPv4 packets into a softwire, as a B4 would but with any
header we like, so tests can show what the AFTR does with bad ones.

    softwire_send.py [--from ADDR6] AFTR6 KIND [SRC4 [DST4]]

The IPv4 packet goes as the payload of an IPv6 packet with next header 4
(IPv4) to AFTR6, from this namespace's own address (or ADDR6, one of its
addresses). KIND is one of:
  udp          a valid UDP datagram (SRC4 any address: for source checks)
  bad-csum     a UDP datagram whose IPv4 header checksum is wrong
  bad-ihl      an IPv4 header claiming a length under 20 bytes
  bad-len      total length larger than the packet
  bad-version  version 6 in the inner header
  gre          a valid IPv4 header carrying GRE (protocol 47)
  ce-ect       UDP marked ECT(0) inside, CE on the outer header
  ce-not-ect   UDP not ECN-capable inside, CE on the outer header
  ect1-ect0    UDP marked ECT(0) inside, ECT(1) on the outer header
  icmp-error   ICMP port unreachable to DST4 quoting a UDP datagram
               DST4:9000 -> SRC4:4000, as if SRC4 had refused it
  icmp-error-bad-csum  the same with a wrong ICMP checksum
  frags        a UDP datagram with 2000 bytes of data in three IPv4 fragments,
               each in its own softwire packet, in order
  frags-reversed  the same with 2400 bytes, the last fragment first
  big          a 1500-byte IPv4 UDP datagram: over a 1500-byte link, this
               host's IPv6 sends the softwire packet in fragments
  frag-head    the first of two fragments of a 1600-byte UDP datagram, IP id
               0x4242; frag-tail its second: sent from two B4s, they must
               not make one datagram
The new kinds' payloads ask udp_probe.py's server for no answer.
"""
import socket
import sys

from inet import icmp_unreachable, ipv4, udp


# ECN codepoints (RFC 3168), and the IPv4 "more fragments" flag.
ECT1, ECT0, CE = 1, 2, 3
MF = 0x2000
QUIET = b"count=0\n"


def halves(src, dst):
    """The two fragments of a 1600-byte UDP datagram, IP id 0x4242."""
    whole = udp(src, dst, data=QUIET.ljust(1600, b"."))
    return (ipv4(src, dst, 17, whole[:808], frag=MF, ident=0x4242),
            ipv4(src, dst, 17, whole[808:], frag=808 // 8, ident=0x4242))


def fragments(src, dst, size, reverse):
    """A UDP datagram with size bytes of data, in three IPv4 fragments."""
    whole = udp(src, dst, data=QUIET.ljust(size, b"."))
    step = (len(whole) // 3 + 7) & ~7
    frags = [ipv4(src, dst, 17, whole[at:at + step],
                  frag=at // 8 | (MF if at + step < len(whole) else 0))
             for at in range(0, len(whole), step)]
    return frags[::-1] if reverse else frags


def packets(kind, src, dst):
    """The inner packets to send, and the outer traffic class."""
    if kind in ("ce-ect", "ce-not-ect"):
        tos = ECT0 if kind == "ce-ect" else 0
        return [ipv4(src, dst, 17, udp(src, dst, data=QUIET), tos=tos)], CE
    if kind == "ect1-ect0":
        return [ipv4(src, dst, 17, udp(src, dst, data=QUIET), tos=ECT0)], ECT1
    if kind in ("frags", "frags-reversed"):
        reverse = kind == "frags-reversed"
        return fragments(src, dst, 2400 if reverse else 2000, reverse), 0
    if kind in ("frag-head", "frag-tail"):
        return [halves(src, dst)[kind == "frag-tail"]], 0
    if kind == "big":
        return [ipv4(src, dst, 17, udp(src, dst, data=QUIET.ljust(1472, b".")))], 0
    return [packet(kind, src, dst)], 0


def packet(kind, src, dst):
    if kind == "udp":
        return ipv4(src, dst, 17, udp(src, dst))
    if kind == "bad-csum":
        return ipv4(src, dst, 17, udp(src, dst), good_csum=False)
    if kind == "bad-ihl":
        return ipv4(src, dst, 17, udp(src, dst), ihl=4)
    if kind == "bad-len":
        return ipv4(src, dst, 17, udp(src, dst), tot=200)
    if kind == "bad-version":
        return ipv4(src, dst, 17, udp(src, dst), version=6)
    if kind in ("icmp-error", "icmp-error-bad-csum"):
        quote = ipv4(dst, src, 17, udp(dst, src, 9000, 4000))
        return ipv4(src, dst, 1, icmp_unreachable(quote, kind == "icmp-error"))
    if kind == "gre":
        return ipv4(src, dst, 47, b"\0\0\x08\0" + b"x" * 20)
    sys.exit("unknown kind " + kind)


def main():
    args = sys.argv[1:]
    outer = None
    if args[:1] == ["--from"]:
        outer, args = args[1], args[2:]
    if len(args) < 2:
        sys.exit(__doc__)
    aftr, kind = args[0], args[1]
    src = args[2] if len(args) > 2 else "192.168.1.2"
    dst = args[3] if len(args) > 3 else "203.0.113.2"
    pkts, tclass = packets(kind, src, dst)
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_IPIP)
    if outer:
        s.bind((outer, 0))
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, tclass)
    for p in pkts:
        s.sendto(p, (aftr, 0))


if __name__ == "__main__":
    main()
