#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""UDP ends for the tunnel, fragment and ICMP error tests: a server that
answers as asked, and a client that reports what came back.

    udp_probe.py serve PORT
        Prints "ADDR:PORT LENGTH TOS TTL" for each datagram it receives,
        then answers as the datagram's first line asks: words key=N, with
        count (answers, default 1; 0 for none), size (bytes in each), tos
        and ttl (of the answers' IPv4 headers), df (1: the answers have DF
        set, whatever path MTU the server learnt).
    udp_probe.py ask DST:PORT SPORTS REQUEST [SIZE]
        From each of the source ports SPORTS (comma separated), one after
        the other, sends REQUEST (padded to SIZE bytes) on a connected
        socket and waits for the answers it asks for. Prints one line per
        answer, "SPORT LENGTH TOS TTL", or "SPORT ERRNO" (ECONNREFUSED, ...)
        when the socket reports an ICMP error, or "SPORT timeout".
    udp_probe.py unreachable DST QSRC:QPORT QDST:QPORT [bad-csum]
        Sends DST an ICMP port unreachable quoting a UDP datagram from
        QSRC:QPORT to QDST:QPORT, as QDST would have; with bad-csum, its
        ICMP checksum is wrong.

Both ends send with DF clear unless asked (df=1), so that the IPv4 stack
fragments what does not fit. Waits are long: software emulation is slow.
"""
import errno
import socket
import struct
import sys

from inet import icmp_unreachable, ipv4, udp

# <linux/in.h>; Python does not name all of them.
IP_TOS, IP_TTL, IP_MTU_DISCOVER, IP_RECVTTL, IP_RECVTOS = 1, 2, 10, 12, 13
IP_PMTUDISC_DONT, IP_PMTUDISC_PROBE = 0, 3
TIMEOUT = 10


def udp_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)
    s.setsockopt(socket.SOL_IP, IP_RECVTOS, 1)
    s.setsockopt(socket.SOL_IP, IP_RECVTTL, 1)
    return s


def receive(s):
    """One datagram: (data, sender, "LENGTH TOS TTL")."""
    data, anc, _, sender = s.recvmsg(65535, 256)
    tos = ttl = -1
    for level, kind, value in anc:
        if level == socket.SOL_IP and kind == IP_TOS:
            tos = value[0]
        elif level == socket.SOL_IP and kind == IP_TTL:
            ttl = struct.unpack("=i", value)[0]
    return data, sender, "%d 0x%02x %d" % (len(data), tos, ttl)


def request_words(data):
    line = data.split(b"\n", 1)[0].decode(errors="replace")
    return dict(w.split("=", 1) for w in line.split() if "=" in w)


def serve(port):
    s = udp_socket()
    s.bind(("", port))
    while True:
        data, sender, what = receive(s)
        print("%s:%d %s" % (sender[0], sender[1], what), flush=True)
        try:
            ask = {k: int(v, 0) for k, v in request_words(data).items()}
        except ValueError:
            continue
        s.setsockopt(socket.SOL_IP, IP_TOS, ask.get("tos", 0))
        s.setsockopt(socket.SOL_IP, IP_TTL, ask.get("ttl", 64))
        s.setsockopt(socket.SOL_IP, IP_MTU_DISCOVER,
                     IP_PMTUDISC_PROBE if ask.get("df") else IP_PMTUDISC_DONT)
        answer = data[:ask.get("size", len(data))].ljust(ask.get("size", 0), b".")
        for _ in range(ask.get("count", 1)):
            s.sendto(answer, sender)


def ask(dst, sports, request, size):
    host, port = dst.rsplit(":", 1)
    data = (request + "\n").encode().ljust(size, b".")
    count = int(request_words(data).get("count", "1"), 0)
    for sport in sports.split(","):
        s = udp_socket()
        s.settimeout(TIMEOUT)
        s.bind(("", int(sport)))
        s.connect((host, int(port)))
        try:
            s.send(data)
            for _ in range(count):
                print(sport, receive(s)[2], flush=True)
        except socket.timeout:
            print(sport, "timeout", flush=True)
        except OSError as e:
            print(sport, errno.errorcode.get(e.errno, e.errno), flush=True)
        s.close()


def unreachable(dst, quoted_src, quoted_dst, how="good"):
    (qsrc, qsport), (qdst, qdport) = (a.rsplit(":", 1) for a in (quoted_src, quoted_dst))
    quote = ipv4(qsrc, qdst, 17, udp(qsrc, qdst, int(qsport), int(qdport)))
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.sendto(icmp_unreachable(quote, how != "bad-csum"), (dst, 0))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "ask":
        ask(sys.argv[2], sys.argv[3], sys.argv[4],
            int(sys.argv[5]) if len(sys.argv) == 6 else 0)
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "unreachable":
        unreachable(*sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
