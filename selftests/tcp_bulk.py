#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""TCP bulk flows at a steady pace, so the AFTR sees GSO trains both ways
without a flow that takes every cycle of a software-emulated guest.

    tcp_bulk.py serve ADDR PORT
        Accepts connections; a client's first byte says what it wants:
        "u" it uploads (the server reads and discards), "d" it downloads
        (the server sends until the client goes).
    tcp_bulk.py up|down ADDR PORT SECONDS [KBYTES_PER_SECOND]
        One flow for SECONDS (default pace 1000 KB/s), in 64 KiB writes so
        that each can leave as one GSO train; prints the bytes moved.
"""
import socket
import sys
import threading
import time

CHUNK = 65536


def paced_send(s, seconds, rate):
    """Writes CHUNK bytes at a time, rate bytes a second, for seconds."""
    data = b"\0" * CHUNK
    sent = 0
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        sent += s.send(data)
        ahead = sent / rate - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
    return sent


def drain(s):
    got = 0
    while True:
        data = s.recv(CHUNK)
        if not data:
            return got
        got += len(data)


def serve_one(c):
    try:
        what = c.recv(1)
        if what == b"u":
            drain(c)
        elif what == b"d":
            paced_send(c, 1e9, float(c.recv(16).decode() or 1e6))
    except OSError:
        pass
    finally:
        c.close()


def serve(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(16)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve_one, args=(c,), daemon=True).start()


def client(what, addr, port, seconds, rate):
    s = socket.create_connection((addr, port), timeout=30)
    moved = 0
    try:
        if what == "up":
            s.send(b"u")
            moved = paced_send(s, seconds, rate)
        else:
            s.send(b"d" + str(rate).encode().ljust(16))
            s.settimeout(5)
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                data = s.recv(CHUNK)
                if not data:
                    break
                moved += len(data)
    except OSError as e:
        print("tcp_bulk: %s after %d bytes: %s" % (what, moved, e), file=sys.stderr)
    s.close()
    print(moved)


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) >= 5 and sys.argv[1] in ("up", "down"):
        rate = float(sys.argv[5]) * 1000 if len(sys.argv) > 5 else 1e6
        client(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), rate)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
