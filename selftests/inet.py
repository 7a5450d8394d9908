# SPDX-License-Identifier: GPL-2.0
"""inet.py: IPv4 headers and datagrams made by hand, for the test senders
(softwire_send.py, rotate.py, tcp_blind.py), with any field we like."""
import socket
import struct


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ihl=5, version=4, tot=None, good_csum=True,
         tos=0, frag=0, ident=0x1234):
    tot = 20 + len(payload) if tot is None else tot
    hdr = struct.pack("!BBHHHBBH4s4s", version << 4 | ihl, tos, tot, ident, frag,
                      64, proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    c = csum(hdr)
    if not good_csum:
        c ^= 0x5A5A
    return hdr[:10] + struct.pack("!H", c) + hdr[12:] + payload


def udp(src, dst, sport=4000, dport=9000, data=b"probe"):
    length = 8 + len(data)
    pseudo = struct.pack("!4s4sBBH", socket.inet_aton(src),
                         socket.inet_aton(dst), 0, 17, length)
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    c = csum(pseudo + hdr + data) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, c) + data


def icmp_unreachable(quote, good_csum=True):
    """An ICMP port unreachable message quoting the IPv4 packet quote."""
    body = struct.pack("!BBHI", 3, 3, 0, 0) + quote
    c = csum(body)
    if not good_csum:
        c ^= 0x5A5A
    return body[:2] + struct.pack("!H", c) + body[4:]
