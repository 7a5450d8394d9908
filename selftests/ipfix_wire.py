#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""IPFIX messages of a capture, as Wireshark's dissector reads them.

  ipfix_wire.py PCAP DECODE...

runs `tshark -r PCAP -d DECODE... -T pdml` (DECODE as in "udp.port==4739,cflow")
and prints each IPFIX message as one JSON object:

  {"transport": "udp", "version": 10, "length": 120, "time": 1795527937,
   "seq": 3, "domain": 7,
   "sets": [{"id": 2, "templates": [{"id": 256, "scope": 0,
                                    "fields": [[323, 8], [230, 1], ...]}]},
            {"id": 256, "records": [{"nat_event": "16", ...}]}]}

Record fields are named as tshark's (cflow.FIELD), with what it shows; the
time fields (*_milliseconds) are the integer on the wire instead, so that
they can be compared with clocks. tshark itself judges the wire: this only
reshapes what it decoded.
"""
import json
import subprocess
import sys
import xml.etree.ElementTree as ET


def leaves(elem):
    """The named fields under elem, in wire order."""
    for f in elem.iter("field"):
        if f.get("name", "").startswith("cflow."):
            yield f


def name_of(f):
    return f.get("name")[len("cflow."):]


def template(elem):
    t = {"id": None, "scope": 0, "fields": []}
    for f in leaves(elem):
        name = name_of(f)
        if name == "template_id":
            t["id"] = int(f.get("show"))
        elif name.endswith("scope_field_count"):
            t["scope"] = int(f.get("show"))
        elif name.endswith("field_type"):
            t["fields"].append([int(f.get("show")), None])
        elif name.endswith("field_length") and t["fields"]:
            t["fields"][-1][1] = int(f.get("show"))
    return t


def record(elem):
    r = {}
    for f in leaves(elem):
        name = name_of(f)
        if name.endswith("_milliseconds"):
            r[name] = int(f.get("value"), 16)
        else:
            r[name] = f.get("show")
    return r


def ipfix_set(elem):
    """A set: the containers under it are templates or records."""
    s = {"id": None}
    for f in elem:
        if f.get("name") == "cflow.flowset_id":
            s["id"] = int(f.get("show"))
    parts = [f for f in elem if f.get("name") == ""]
    if s["id"] in (2, 3):
        s["templates"] = [template(p) for p in parts]
    else:
        s["records"] = [record(p) for p in parts]
    return s


def message(packet, proto):
    m = {"transport": "tcp" if packet.find("proto[@name='tcp']") is not None else "udp"}
    for f in proto:
        name = f.get("name")
        if name == "cflow.version":
            m["version"] = int(f.get("show"))
        elif name == "cflow.len":
            m["length"] = int(f.get("show"))
        elif name == "cflow.timestamp":
            m["time"] = int(f.find("field[@name='cflow.exporttime']").get("show"))
        elif name == "cflow.sequence":
            m["seq"] = int(f.get("show"))
        elif name == "cflow.od_id":
            m["domain"] = int(f.get("show"))
        elif name == "" and f.get("show", "").startswith("Set "):
            m.setdefault("sets", []).append(ipfix_set(f))
    return m


def main():
    cmd = ["tshark", "-r", sys.argv[1], "-T", "pdml"]
    for d in sys.argv[2:]:
        cmd += ["-d", d]
    pdml = subprocess.run(cmd, check=True, capture_output=True).stdout
    for packet in ET.fromstring(pdml).iter("packet"):
        for proto in packet.iter("proto"):
            if proto.get("name") == "cflow":
                print(json.dumps(message(packet, proto)))


main()
