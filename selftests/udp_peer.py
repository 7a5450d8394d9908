#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One UDP socket that the NAT tests drive step by step.

    udp_peer.py BIND_ADDR:PORT STEP...

Steps run in order on the same socket (so its mapping stays the same):
  ask:HOST:PORT     send to an echo server there, print what it answered
                    (the address and port it saw us at)
  send:HOST:PORT    send one datagram there
  recv              wait for one datagram, print "ADDR:PORT" of its sender
  reply             answer the last sender
  listen:SECS       for SECS seconds, print "ADDR:PORT" of every sender
Each printed line goes to stdout at once; a step that times out (30 s:
software emulation is slow) exits 1.
"""
import socket
import sys
import time


def addr(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def listen(s, secs):
    """Every sender within secs seconds; no datagram is no failure."""
    deadline = time.monotonic() + secs
    while (left := deadline - time.monotonic()) > 0:
        s.settimeout(left)
        try:
            _, sender = s.recvfrom(256)
        except socket.timeout:
            break
        print("%s:%d" % sender, flush=True)
    s.settimeout(30)


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(30)
    s.bind(addr(sys.argv[1]))
    last = None
    for step in sys.argv[2:]:
        verb, _, arg = step.partition(":")
        try:
            if verb == "ask":
                s.sendto(b"x", addr(arg))
                data, _ = s.recvfrom(256)
                print(data.decode().strip().replace(" ", ":"), flush=True)
            elif verb == "send":
                s.sendto(b"hello", addr(arg))
            elif verb == "recv":
                _, last = s.recvfrom(256)
                print("%s:%d" % last, flush=True)
            elif verb == "reply":
                s.sendto(b"back", last)
            elif verb == "listen":
                listen(s, float(arg))
            else:
                sys.exit("unknown step " + step)
        except socket.timeout:
            sys.exit("timeout in step " + step)


if __name__ == "__main__":
    main()
