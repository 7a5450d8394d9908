#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""UDP echo servers that answer each datagram with "ADDR PORT", the address
and port they saw its sender at.

    udp_echo.py PORT ADDR...

One socket per address, one process for all: a forking server (socat's
UDP-RECVFROM,fork) lets a child read the next datagram meant for another
client, which two B4s sending at once would hit.
"""
import selectors
import socket
import sys


def main():
    port = int(sys.argv[1])
    sel = selectors.DefaultSelector()
    for addr in sys.argv[2:]:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, port))
        sel.register(s, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            _, peer = key.fileobj.recvfrom(2048)
            key.fileobj.sendto(("%s %d\n" % peer).encode(), peer)


if __name__ == "__main__":
    main()
