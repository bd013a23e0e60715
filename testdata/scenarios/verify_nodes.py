#!/usr/bin/env python3
"""Check the two-node scenario (python3 standard library; tshark optional but used when present).

usage: verify_nodes.py SCENARIO_DIR

Ground truth is the pods' own captures (pods/*.pcap.gz, tcpdump -i eth0 in each pod): every
IPv4 packet a pod sent, plus every packet a pod received from outside the pods. The node
captures (tcpdump -i any per node, node-b shifted by metadata's clock offset) must hold each
of those packets, and nothing else but ARP and the VXLAN wrapping of them. The report states
how often each packet appears per node and interface class (pod veth, bridge, vxlan device,
underlay with VXLAN encapsulation, uplink) for each traffic class, and compares per-window
(10 s) per-IP-pair bytes of the pods' captures with the node captures decapsulated and
deduplicated, by this reader and by tshark. Also: entity liveness, attack interval and bytes.
Prints a report; the last line is RESULT: PASS or RESULT: FAIL (exit status 0 or 1).
"""

import ipaddress
import json
import os
import shutil
import struct
import subprocess
import sys
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verify import Report, packets, parse_ts  # noqa: E402

WINDOW_NS = 10 * 10**9
VXLAN_PORT = 8472
ATTACKER = "203.0.113.10"
DEDUP_SPAN_NS = 10**9  # copies of one packet lie within this span (they are microseconds apart)


def ip_of(raw, off):
    return ".".join(map(str, raw[off:off + 4]))


def key_of(ip):
    """A packet's identity across capture points: the IPv4 packet with the fields a hop may
    change zeroed (TTL, header checksum, TCP/UDP checksum)."""
    ihl = (ip[0] & 0xF) * 4
    total = struct.unpack("!H", ip[2:4])[0]
    b = bytearray(ip[:total])
    b[8] = 0
    b[10:12] = b"\0\0"
    if b[9] == 6 and len(b) >= ihl + 18:
        b[ihl + 16:ihl + 18] = b"\0\0"
    elif b[9] == 17 and len(b) >= ihl + 8:
        b[ihl + 6:ihl + 8] = b"\0\0"
    return bytes(b)


def node_copies(path, offset_ns, ifnames):
    """Yield (ts_ns, interface name, encapsulated?, ip bytes) for each IPv4 frame of a node's
    cooked (SLL2) capture; VXLAN frames on the underlay yield their inner packet. Also
    returns a Counter of frames by kind through the `other` argument of the generator's end."""
    for ts, lt, _, data in packets(path):
        if lt != 276:
            raise ValueError("%s: link type %d, want LINUX_SLL2 (276)" % (path, lt))
        proto, ifindex = struct.unpack("!H2xI", data[:8])
        name = ifnames.get(str(ifindex), "if%d" % ifindex)
        ip = data[20:]
        if proto != 0x0800:
            yield ts - offset_ns, name, "arp" if proto == 0x0806 else "ethertype 0x%04x" % proto, None
            continue
        ihl = (ip[0] & 0xF) * 4
        if ip[9] == 17 and struct.unpack("!H", ip[ihl + 2:ihl + 4])[0] == VXLAN_PORT:
            inner = ip[ihl + 8 + 8:]
            etype = struct.unpack("!H", inner[12:14])[0]
            if etype == 0x0800:
                yield ts - offset_ns, name, "vxlan", inner[14:]
            else:
                yield ts - offset_ns, name, "vxlan ethertype 0x%04x" % etype, None
            continue
        yield ts - offset_ns, name, "ip", ip


def iface_class(name, kind):
    if kind == "vxlan":
        return "underlay(VXLAN)"
    if name.startswith("v") and name[1:].isdigit():
        return "veth"
    return {"br0": "bridge", "vxlan0": "vxlan0", "ext0": "uplink", "ul0": "underlay"}.get(name, name)


def pod_truth(d, meta):
    """The ground-truth packets from the pods' captures: [(ts_ns, key, src, dst, ip_len)]."""
    pods = meta["ip_plan"]["pods"]
    pod_ips = {p["ip"] for p in pods.values()}
    out, arp = [], 0
    for name, p in pods.items():
        for ts, lt, _, data in packets(os.path.join(d, p["capture"])):
            etype = struct.unpack("!H", data[12:14])[0]
            if etype != 0x0800:
                arp += 1
                continue
            ip = data[14:]
            src, dst = ip_of(ip, 12), ip_of(ip, 16)
            if src == p["ip"] or (dst == p["ip"] and src not in pod_ips):
                out.append((ts, key_of(ip), src, dst, struct.unpack("!H", ip[2:4])[0]))
    return out, arp


def traffic_class(src, dst, node_of):
    def where(ip):
        return node_of.get(ip, "out")
    return "%s->%s" % (where(src), where(dst))


def cells(rows, t0_ns):
    c = Counter()
    for ts, src, dst, n in rows:
        c[((ts - t0_ns) // WINDOW_NS, src, dst)] += n
    return c


def dedup(copies):
    """Drop copies of a packet already seen within DEDUP_SPAN_NS (same key): what a reader of
    several node captures must do. Returns [(ts_ns, key)] of first copies."""
    last, out = {}, []
    for ts, key in sorted(copies, key=lambda x: x[0]):
        prev = last.get(key)
        last[key] = ts
        if prev is not None and ts - prev < DEDUP_SPAN_NS:
            continue
        out.append((ts, key))
    return out


def tshark_rows(path, offset_ns):
    """(ts_ns, src, dst, ip_len, dedup key) per IPv4 frame, innermost header, as tshark reads it."""
    f = ["frame.time_epoch", "ip.src", "ip.dst", "ip.len", "ip.id", "ip.proto", "tcp.seq_raw", "tcp.ack_raw",
         "udp.srcport", "udp.dstport"]
    cmd = ["tshark", "-r", path, "-d", "udp.port==%d,vxlan" % VXLAN_PORT, "-T", "fields", "-E", "occurrence=a"]
    for x in f:
        cmd += ["-e", x]
    out = []
    for line in subprocess.run(cmd, capture_output=True, text=True, timeout=600).stdout.splitlines():
        v = [x.split(",") for x in line.split("\t")]
        if not v[1][0]:
            continue
        sec, _, frac = v[0][0].partition(".")
        ts = int(sec) * 10**9 + int(frac.ljust(9, "0")[:9]) - offset_ns
        proto = v[5][-1]
        ports = (v[8][-1], v[9][-1]) if proto == "17" else ("", "")
        key = (v[1][-1], v[2][-1], proto, v[4][-1], v[3][-1], v[6][-1], v[7][-1]) + ports
        out.append((ts, v[1][-1], v[2][-1], int(v[3][-1]), key))
    return out


def compare(r, what, truth, got, t0_ns):
    diff = {k for k in set(truth) | set(got) if truth.get(k, 0) != got.get(k, 0)}
    r.check(not diff, "%s: per-window per-pair bytes equal the pods' captures in all %d cells (%d differ%s)" % (
        what, len(truth), len(diff), ": " + ", ".join("w%d %s->%s %d vs %d" % (k + (truth.get(k, 0), got.get(k, 0)))
                                                    for k in sorted(diff)[:4]) if diff else ""))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: verify_nodes.py SCENARIO_DIR")
    d = sys.argv[1]
    r = Report()
    gt = json.load(open(os.path.join(d, "ground_truth.json")))
    meta = json.load(open(os.path.join(d, "metadata.json")))
    t0_ns = int(round(meta["capture_start_epoch"] * 1e9))
    r.say("== scenario %s (seed %s): two nodes, VXLAN VNI %d on udp/%d" % (
        meta["scenario"], meta["seed"], meta["overlay"]["vni"], meta["overlay"]["udp_dstport"]))
    pods = meta["ip_plan"]["pods"]
    node_of = {p["ip"]: p["node"] for p in pods.values()}
    truth, pod_arp = pod_truth(d, meta)
    r.say("pods' captures: %d files, %d IPv4 packets sent by a pod or received from outside the pods, "
          "%d ARP frames" % (len(pods), len(truth), pod_arp))
    r.check(all(ts >= t0_ns for ts, *_ in truth), "no ground-truth packet before capture_start_epoch")
    tkeys = Counter(k for _, k, _, _, _ in truth)
    r.check(max(tkeys.values()) == 1, "every ground-truth packet is unique by its key (%d repeated)" % sum(
        1 for v in tkeys.values() if v > 1))

    copies = defaultdict(list)  # key -> [(node, iface class, ts)]
    other = Counter()
    for node, nm in meta["nodes"].items():
        path = os.path.join(d, nm["capture"])
        off = int(round(nm["clock_offset_s"] * 1e9))
        n = 0
        for ts, name, kind, ip in node_copies(path, off, nm["interfaces"]):
            n += 1
            if ip is None:
                other["%s %s on %s" % (node, kind, name)] += 1
                continue
            copies[key_of(ip)].append((node, iface_class(name, kind), ts))
        stated = [s for s in meta["capture_stats"] if s.startswith(node + ": ") and "captured" in s]
        r.say("%s: %s, %d frames, clock offset %+.4f s removed" % (node, nm["capture"], n, nm["clock_offset_s"]))
        if stated:
            r.check(stated[0] == "%s: %d packets captured" % (node, n), "tcpdump's count (%s) equals frames read" %
                    stated[0].split(": ", 1)[1])
    r.say("non-IPv4 frames in the node captures: %s" % dict(sorted(other.items())))
    missing = [k for k in tkeys if k not in copies]
    extra = Counter(copies[k][0][1] for k in copies if k not in tkeys)
    r.check(not missing, "every ground-truth packet appears in the node captures (%d missing)" % len(missing))
    r.check(not extra, "the node captures hold no IPv4 packet the pods did not send or receive (%s)" % dict(extra))

    # duplicate structure: copies per node and interface class, by traffic class
    patterns = defaultdict(Counter)
    for ts, k, src, dst, _ in truth:
        pat = Counter((n, c) for n, c, _ in copies.get(k, []))
        patterns[traffic_class(src, dst, node_of)][tuple(sorted(pat.items()))] += 1
    r.say("copies of each pod packet in the node captures, by traffic class (node/interface class x count):")
    for tc in sorted(patterns):
        for pat, n in patterns[tc].most_common():
            r.say("  %-16s %6d packets: %s" % (tc, n, ", ".join("%s/%s x%d" % (a, b, c) for (a, b), c in pat)))
    r.check(all(len(p) == 1 for p in patterns.values()),
            "each traffic class has one copy pattern (no packet missing from, or repeated at, a capture point)")
    spread = max((max(t for _, _, t in v) - min(t for _, _, t in v)) for v in copies.values())
    r.say("largest time spread between copies of one packet (after the clock offset): %.3f ms" % (spread / 1e6))

    # per-window per-pair bytes: the pods' captures vs the node captures, decapsulated and deduplicated
    length = {k: (src, dst, n) for _, k, src, dst, n in truth}
    want = cells([(ts, src, dst, n) for ts, _, src, dst, n in truth], t0_ns)
    flat = [(t, k) for k, v in copies.items() for _, _, t in v]
    uniq = dedup(flat)
    got = cells([(ts,) + length.get(k, ("?", "?", 0)) for ts, k in uniq], t0_ns)
    r.say("windows of 10 s from capture_start_epoch; %d (window, src, dst) cells in the pods' captures" % len(want))
    r.check(len(uniq) == len(truth), "dedup (same packet key within %.0f s) leaves %d of %d node copies == %d "
            "ground-truth packets" % (DEDUP_SPAN_NS / 1e9, len(uniq), len(flat), len(truth)))
    compare(r, "this reader, node captures deduplicated", want, got, t0_ns)
    if shutil.which("tshark"):
        check_tshark(r, d, meta, t0_ns)
        for node, nm in meta["nodes"].items():  # tshark's outermost-header conversations, for reference
            out = subprocess.run(["tshark", "-r", os.path.join(d, nm["capture"]), "-q", "-z", "conv,ip"],
                                 capture_output=True, text=True, timeout=300).stdout
            with open(os.path.join(d, "conv_ip-%s.txt" % node), "w") as f:
                f.write(out)
        r.say("wrote conv_ip-node-a.txt and conv_ip-node-b.txt (tshark -q -z conv,ip, outermost headers)")

    check_entities_and_attack(r, d, gt, meta, truth, copies, t0_ns)
    r.say("RESULT: %s" % ("FAIL" if r.failed else "PASS"))
    print("\n".join(r.lines))
    sys.exit(1 if r.failed else 0)


def check_tshark(r, d, meta, t0_ns):
    """The same comparison with tshark's dissection: innermost IPv4 header (VXLAN on 8472
    decoded), dedup key (src, dst, proto, IP ID, length, TCP seq/ack, UDP ports)."""
    pod_ips = {p["ip"] for p in meta["ip_plan"]["pods"].values()}
    truth = []
    for p in meta["ip_plan"]["pods"].values():
        for row in tshark_rows(os.path.join(d, p["capture"]), 0):
            if row[1] == p["ip"] or (row[2] == p["ip"] and row[1] not in pod_ips):
                truth.append(row)
    node = []
    for nm in meta["nodes"].values():
        node += tshark_rows(os.path.join(d, nm["capture"]), int(round(nm["clock_offset_s"] * 1e9)))
    want = cells([(ts, s, t, n) for ts, s, t, n, _ in truth], t0_ns)
    info = {k: (s, t, n) for _, s, t, n, k in node}
    uniq = dedup([(ts, k) for ts, _, _, _, k in node])
    got = cells([(ts,) + info[k] for ts, k in uniq], t0_ns)
    r.say("tshark: %d ground-truth packets in the pods' captures; %d IPv4 frames in the node captures, %d after "
          "dedup by tshark's fields" % (len(truth), len(node), len(uniq)))
    compare(r, "tshark, node captures deduplicated by (src, dst, proto, IP ID, length, TCP seq/ack, UDP ports)",
            want, got, t0_ns)


def check_entities_and_attack(r, d, gt, meta, truth, copies, t0_ns):
    ev = [json.loads(line) for line in open(os.path.join(d, "entities.jsonl"))]
    live = defaultdict(list)
    for e in ev:
        if e["kind"] != "pod":
            continue
        if e["op"] == "add":
            live[e["ip"]].append([parse_ts(e["ts"]), None])
        else:
            for iv in live[e["ip"]]:
                if iv[1] is None:
                    iv[1] = parse_ts(e["ts"])
    pod_net = ipaddress.ip_network("10.244.0.0/16")
    bad = Counter(ip for ts, _, src, dst, _ in truth for ip in (src, dst)
                  if ipaddress.ip_address(ip) in pod_net and not ip.endswith(".1") and
                  not any(a <= ts and (b is None or ts < b) for a, b in live[ip]))
    r.check(not bad, "every pod IP in the ground-truth packets belongs to a live pod entity (violations: %s)" %
            dict(bad))
    for a in gt["attacks"]:
        s, e = int(round(a["start"] * 1e9)), int(round(a["end"] * 1e9))
        r.say("-- %s %s [%.3f, %.3f] rel s %s -> %s:%d bytes=%d" % (a["id"], a["type"], a["start_rel"], a["end_rel"],
                                                                   a["src_ip"], a["dst_ip"], a["dst_port"], a["bytes"]))
        att = [x for x in truth if ATTACKER in (x[2], x[3])]
        r.check(att and all(s <= ts <= e for ts, *_ in att), "all %d ground-truth packets with %s inside [start, end]"
                % (len(att), ATTACKER))
        pay = 0
        for _, k, src, _, _ in att:
            ihl = (k[0] & 0xF) * 4
            if src == a["src_ip"] and k[9] == 6:
                pay += len(k) - ihl - (k[ihl + 12] >> 4) * 4
        r.check(pay >= a["bytes"], "TCP payload %s -> %s %d B >= GT body bytes %d (+ HTTP headers %d B)" % (
            a["src_ip"], a["dst_ip"], pay, a["bytes"], pay - a["bytes"]))
        nodes = Counter(n for x in att for n, _, _ in copies.get(x[1], []))
        r.say("   their copies by node: %s (shop-db is on node-a, which is the egress)" % dict(nodes))
    if not gt["attacks"]:
        r.check(not [x for x in truth if ATTACKER in (x[2], x[3])], "no packet with %s" % ATTACKER)


if __name__ == "__main__":
    main()
