#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""flows.py: traffic a B4's LAN host makes for the data-plane tests.

  flows.py udp DST PORT FIRST COUNT [--errors SECS] [--hold SECS] [--loop]
      One datagram from each of COUNT source ports FIRST, FIRST+1, ...
      --errors: keep the sockets (IP_RECVERR) for SECS and print one line
      per ICMP error queued on them: "SPORT ORIGIN TYPE CODE OFFENDER".
      --hold: keep the sockets SECS, reading; print "received N".
      --loop: send forever (background traffic), one port after another.
  flows.py tcp DST PORT SPORT {rst | hold SECS}
      Connect from SPORT, then abort with a RST, or stay connected and
      silent for SECS, then close.
"""
import argparse
import select
import socket
import struct
import time

SRC = "192.168.1.2"
# <linux/in.h>: Python 3.11 does not name it.
IP_RECVERR = 11
# struct sock_extended_err, then the offender's sockaddr_in.
EE = struct.Struct("=IBBBBII")


def udp_socket(port, recverr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if recverr:
        s.setsockopt(socket.SOL_IP, IP_RECVERR, 1)
    s.bind((SRC, port))
    return s


def queued_errors(s):
    """The ICMP errors on s's error queue, as printable lines."""
    lines = []
    while True:
        try:
            _, anc, _, _ = s.recvmsg(512, 512, socket.MSG_ERRQUEUE | socket.MSG_DONTWAIT)
        except BlockingIOError:
            return lines
        for level, kind, data in anc:
            if level != socket.SOL_IP or kind != IP_RECVERR:
                continue
            _, origin, typ, code, _, _, _ = EE.unpack_from(data)
            offender = socket.inet_ntoa(data[EE.size + 4:EE.size + 8])
            lines.append("%d %d %d %d %s" % (s.getsockname()[1], origin, typ, code, offender))


def udp(args):
    keep = args.errors is not None or args.hold is not None
    socks = []
    while True:
        for port in range(args.first, args.first + args.count):
            s = udp_socket(port, args.errors is not None)
            s.sendto(b"flow %d" % port, (args.dst, args.port))
            if keep:
                socks.append(s)
            else:
                s.close()
        if not args.loop:
            break
    if args.errors is not None:
        deadline = time.monotonic() + args.errors
        errors = {}
        while time.monotonic() < deadline:
            for s in socks:
                for line in queued_errors(s):
                    errors[line] = True
            time.sleep(0.1)
        for line in errors:
            print(line)
    if args.hold is not None:
        received = 0
        deadline = time.monotonic() + args.hold
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select(socks, [], [], left)
            for s in ready:
                try:
                    s.recv(2048)
                    received += 1
                except OSError:
                    pass
        print("received", received)


def tcp(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((SRC, args.sport))
    s.connect((args.dst, args.port))
    if args.how == "rst":
        # A zero linger makes close() abort the connection with a RST.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    else:
        time.sleep(args.secs)
    s.close()


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="proto", required=True)
    u = sub.add_parser("udp")
    u.add_argument("dst")
    u.add_argument("port", type=int)
    u.add_argument("first", type=int)
    u.add_argument("count", type=int)
    u.add_argument("--errors", type=float, metavar="SECS")
    u.add_argument("--hold", type=float, metavar="SECS")
    u.add_argument("--loop", action="store_true")
    t = sub.add_parser("tcp")
    t.add_argument("dst")
    t.add_argument("port", type=int)
    t.add_argument("sport", type=int)
    t.add_argument("how", choices=["rst", "hold"])
    t.add_argument("secs", type=float, nargs="?", default=0)
    args = p.parse_args()
    udp(args) if args.proto == "udp" else tcp(args)


if __name__ == "__main__":
    main()
