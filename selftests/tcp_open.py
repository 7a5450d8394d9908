#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Real TCP sockets for the filtering tests (NAT-2, NAT-7).

    tcp_open.py connect BIND_ADDR:PORT DST:PORT [GO]
        connect from BIND to DST (SO_REUSEADDR, so a port in TIME_WAIT can
        be bound again), with GO once the file GO exists: it prints
        "waiting" when bound, so that a test can start it ahead and have it
        connect within milliseconds of its signal, where starting Python
        can take seconds under emulation. Then print "connected SECS",
        "refused SECS" or "timeout SECS", the seconds connect() took.
        Exits 0 only when connected; a connection says "hello" both ways
        first, so "connected" means data crossed.
    tcp_open.py listen BIND_ADDR:PORT SECS
        accept for SECS seconds; print "ADDR:PORT" of every peer.

Timeouts allow for software emulation: connect() gives up after 30 s.
"""
import errno
import os
import socket
import sys
import time


def addr(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def tcp_socket(bind):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(addr(bind))
    return s


def connect(bind, dst, go=None):
    s = tcp_socket(bind)
    if go:
        print("waiting", flush=True)
        while not os.path.exists(go):
            time.sleep(0.01)
    s.settimeout(30)
    start = time.monotonic()
    try:
        s.connect(addr(dst))
        s.sendall(b"hello")
        ok = s.recv(5) == b"hello"
    except ConnectionRefusedError:
        print("refused %.1f" % (time.monotonic() - start), flush=True)
        return 1
    except OSError as e:
        what = "timeout" if isinstance(e, socket.timeout) or e.errno == errno.ETIMEDOUT \
            else "error-" + str(e.errno)
        print("%s %.1f" % (what, time.monotonic() - start), flush=True)
        return 1
    print("%s %.1f" % ("connected" if ok else "no-hello", time.monotonic() - start),
          flush=True)
    return 0 if ok else 1


def listen(bind, secs):
    s = tcp_socket(bind)
    s.listen(8)
    deadline = time.monotonic() + secs
    while (left := deadline - time.monotonic()) > 0:
        s.settimeout(left)
        try:
            c, peer = s.accept()
        except socket.timeout:
            break
        c.settimeout(10)
        try:
            if c.recv(5) == b"hello":
                c.sendall(b"hello")
        except OSError:
            pass
        print("%s:%d" % peer, flush=True)
        c.close()
    return 0


def main():
    verb = sys.argv[1]
    if verb == "connect":
        return connect(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
    if verb == "listen":
        return listen(sys.argv[2], float(sys.argv[3]))
    sys.exit("unknown verb " + verb)


if __name__ == "__main__":
    sys.exit(main())
