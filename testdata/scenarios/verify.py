#!/usr/bin/env python3
"""Check one scenario directory of testdata/scenarios (python3 standard library only).

usage: verify.py SCENARIO_DIR [--conv]

Reads the capture itself (pcap or pcapng, gzip or not) and checks, like shop-demo's
verification.txt:
  * every pod IP on the wire belongs to a live pod entity at that instant, by
    entities.jsonl and by the pickle's whole-second timeline, and no other address appears
    except the node gateway and the three outside hosts;
  * the pickle is protocol 0, starts with '(dp0' and agrees with entities.jsonl;
  * every packet to or from the attacker, every tunnel-zone DNS packet, every SYN to a
    port the destination's service does not serve, every front-end SYN outside its normal
    fan-out and every connection initiated by shop-db lies inside a ground-truth interval
    (for a benign scenario: there are none);
  * the attack's own packets lie inside its interval and carry its payload.
With --conv (or when tshark is installed) it writes conv_ip.txt (tshark -q -z conv,ip) and
checks that tshark's per-pair frame counts equal this reader's.
Prints a report; the last line is RESULT: PASS or RESULT: FAIL (exit status 0 or 1).
"""

import base64
import datetime
import gzip
import ipaddress
import json
import os
import pickle
import pickletools
import shutil
import struct
import subprocess
import sys
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verify_kinds  # noqa: E402

POD_NET = ipaddress.ip_network("10.244.0.0/24")
SVC_NET = ipaddress.ip_network("10.96.0.0/16")
GATEWAY = "10.244.0.1"
ATTACKER = "203.0.113.10"
OUTSIDE_OK = {ATTACKER, "198.51.100.20", "198.51.100.53"}
TUNNEL_ZONE = "t.cdn-sync.net"
SERVICE_PORT = {"kube-dns": 53, "shop-db": 6379, "catalogue": 80, "user": 80, "carts": 80, "orders": 80,
                "front-end": 8080, "recommender": 80}
# recommender exists only after new-service's deployment; its pods' IPs appear nowhere before
FRONT_END_CALLS = {("catalogue", 80), ("user", 80), ("carts", 80), ("orders", 80), ("kube-dns", 53),
                   ("recommender", 80)}


# ---------------------------------------------------------------- capture reader

def open_capture(path):
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def packets(path):
    """Yield (ts_ns, linktype, orig_len, data) from a pcap or pcapng file."""
    f = open_capture(path)
    head = f.read(4)
    if head == b"\x0a\x0d\x0d\x0a":
        yield from _pcapng(f, head)
    else:
        yield from _pcap(f, head)


def _pcap(f, magic):
    for endian, scale in (("<", 1000), (">", 1000)):
        m = struct.unpack(endian + "I", magic)[0]
        if m == 0xA1B2C3D4:
            break
        if m == 0xA1B23C4D:
            scale = 1
            break
    else:
        raise ValueError("not a pcap or pcapng file")
    rest = f.read(20)
    linktype = struct.unpack(endian + "I", rest[16:20])[0] & 0xFFFF
    while True:
        h = f.read(16)
        if len(h) < 16:
            return
        sec, frac, incl, orig = struct.unpack(endian + "IIII", h)
        yield sec * 10**9 + frac * scale, linktype, orig, f.read(incl)


def _pcapng(f, first):
    endian = "<"
    ifaces = []
    block_type = first
    while True:
        if block_type is None:
            block_type = f.read(4)
            if len(block_type) < 4:
                return
        raw_len = f.read(4)
        if block_type == b"\x0a\x0d\x0d\x0a":
            bom = f.read(4)
            endian = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            blen = struct.unpack(endian + "I", raw_len)[0]
            f.read(blen - 12)
            ifaces = []
            block_type = None
            continue
        btype = struct.unpack(endian + "I", block_type)[0]
        blen = struct.unpack(endian + "I", raw_len)[0]
        body = f.read(blen - 8)
        block_type = None
        if btype == 1:  # interface description
            linktype = struct.unpack(endian + "H", body[:2])[0]
            res = 10**3  # default microseconds, in ns per tick
            off = 8
            while off + 4 <= len(body) - 4:
                code, olen = struct.unpack(endian + "HH", body[off:off + 4])
                if code == 0:
                    break
                if code == 9:
                    v = body[off + 4]
                    res = (10**9 // 10**v) if not v & 0x80 else None
                    if res is None:
                        raise ValueError("binary if_tsresol not supported")
                off += 4 + olen + (-olen % 4)
            ifaces.append((linktype, res))
        elif btype == 6:  # enhanced packet
            iface, hi, lo, incl, orig = struct.unpack(endian + "IIIII", body[:20])
            linktype, res = ifaces[iface]
            ticks = (hi << 32) | lo
            yield ticks * res, linktype, orig, body[20:20 + incl]
        elif btype == 3:  # simple packet
            orig = struct.unpack(endian + "I", body[:4])[0]
            linktype, _ = ifaces[0]
            yield None, linktype, orig, body[4:]


def qname(payload):
    """First question name of a DNS message, or None."""
    if len(payload) < 13:
        return None
    off, labels = 12, []
    while off < len(payload):
        n = payload[off]
        if n == 0:
            return ".".join(labels).lower()
        if n & 0xC0:
            return None
        labels.append(payload[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    return None


ARP_SENDERS = defaultdict(set)  # filled by decode()


class Pkt:
    __slots__ = ("ts", "orig", "src", "dst", "proto", "sport", "dport", "syn", "ack", "rst", "fin", "plen", "qname",
                 "qr", "seq", "data")


def decode(path):
    out, other = [], Counter()
    for ts, linktype, orig, data in packets(path):
        if linktype != 1 or len(data) < 14:
            other["non-ethernet"] += 1
            continue
        etype = struct.unpack("!H", data[12:14])[0]
        off = 14
        if etype == 0x8100:
            etype = struct.unpack("!H", data[16:18])[0]
            off = 18
        if etype != 0x0800:
            other["arp" if etype == 0x0806 else "ethertype 0x%04x" % etype] += 1
            if etype == 0x0806 and len(data) >= off + 28:  # sender IPv4 -> sender MAC
                ARP_SENDERS[".".join(map(str, data[off + 14:off + 18]))].add(data[off + 8:off + 14].hex(":"))
            continue
        ip = data[off:]
        ihl = (ip[0] & 0xF) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        p = Pkt()
        p.ts, p.orig = ts, orig
        p.src, p.dst = ".".join(map(str, ip[12:16])), ".".join(map(str, ip[16:20]))
        p.proto = ip[9]
        p.sport = p.dport = 0
        p.syn = p.ack = p.rst = p.fin = False
        p.plen, p.qname, p.qr, p.seq, p.data = 0, None, False, 0, b""
        l4 = ip[ihl:total]
        if p.proto == 6 and len(l4) >= 20:
            p.sport, p.dport, p.seq = struct.unpack("!HHI", l4[:8])
            flags = l4[13]
            p.fin, p.syn, p.rst, p.ack = bool(flags & 1), bool(flags & 2), bool(flags & 4), bool(flags & 16)
            p.plen = total - ihl - (l4[12] >> 4) * 4
            p.data = l4[(l4[12] >> 4) * 4:]
        elif p.proto == 17 and len(l4) >= 8:
            p.sport, p.dport = struct.unpack("!HH", l4[:4])
            p.plen = len(l4) - 8
            if 53 in (p.sport, p.dport):
                p.qname = qname(l4[8:])
                p.qr = len(l4) > 10 and bool(l4[10] & 0x80)
        out.append(p)
    return out, other


# ---------------------------------------------------------------- report helpers

class Report:
    def __init__(self):
        self.lines, self.failed = [], False

    def say(self, s=""):
        self.lines.append(s)

    def check(self, ok, s):
        self.lines.append(("OK   " if ok else "FAIL ") + s)
        self.failed |= not ok


def parse_ts(s):
    """RFC 3339 with up to 9 fractional digits -> epoch ns."""
    base, frac = s.rstrip("Z").split(".") if "." in s else (s.rstrip("Z"), "0")
    dt = datetime.datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return int(dt.timestamp()) * 10**9 + int(frac.ljust(9, "0")[:9])


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        sys.exit("usage: verify.py SCENARIO_DIR [--conv]")
    d = args[0]
    r = Report()
    gt = json.load(open(os.path.join(d, "ground_truth.json")))
    meta = json.load(open(os.path.join(d, "metadata.json")))
    cap = os.path.join(d, gt["capture_file"])
    t0 = meta["capture_start_epoch"]
    t0_ns = int(round(t0 * 1e9))
    r.say("== scenario %s (seed %s)" % (meta["scenario"], meta["seed"]))
    pk, other = decode(cap)
    n_all = len(pk) + sum(other.values())
    ts = [p.ts for p in pk]
    r.say("File name:           %s (%d bytes, %s)" % (gt["capture_file"], os.path.getsize(cap),
                                                      meta["capture_format"]))
    r.say("Number of packets:   %d (%d IPv4, %s)" % (n_all, len(pk), ", ".join("%d %s" % (v, k) for k, v in
                                                                            sorted(other.items()))))
    r.say("First packet rel:    %.6f s after capture_start_epoch" % ((min(ts) - t0_ns) / 1e9))
    r.say("Last packet rel:     %.6f s" % ((max(ts) - t0_ns) / 1e9))
    r.say("Capture duration:    %.6f s (first to last packet)" % ((max(ts) - min(ts)) / 1e9))
    r.say("IPv4 bytes:          %d (sum of original frame lengths)" % sum(p.orig for p in pk))
    protos = Counter({6: "tcp", 17: "udp", 1: "icmp"}.get(p.proto, "ip proto %d" % p.proto) for p in pk)
    r.say("IPv4 by protocol:    %s" % ", ".join("%s %d" % kv for kv in sorted(protos.items())))
    r.check(min(ts) >= t0_ns, "no packet before capture_start_epoch")
    stated = [s for s in meta.get("capture_stats", []) if s.startswith("Packets captured")]
    if stated:
        r.check(stated[0] == "Packets captured: %d" % n_all, "dumpcap's count (%s) equals packets read" % stated[0])

    # conversations (own reader), top 12
    conv = defaultdict(lambda: [0, 0, 0, 0, None, None])
    for p in pk:
        a, b = sorted((p.src, p.dst), key=lambda x: ipaddress.ip_address(x))
        c = conv[(a, b)]
        i = 0 if p.src == a else 2
        c[i] += 1
        c[i + 1] += p.orig
        c[4] = p.ts if c[4] is None else min(c[4], p.ts)
        c[5] = p.ts if c[5] is None else max(c[5], p.ts)
    r.say("conversations: %d IPv4 pairs; top 12 by bytes (frames/bytes A->B, B->A, start rel, duration):" % len(conv))
    for (a, b), c in sorted(conv.items(), key=lambda kv: -(kv[1][1] + kv[1][3]))[:12]:
        r.say("  %-15s <-> %-15s %6d %8d  %6d %8d  %8.3f %8.3f" % (a, b, c[0], c[1], c[2], c[3],
                                                                   (c[4] - t0_ns) / 1e9, (c[5] - c[4]) / 1e9))
    if shutil.which("tshark"):
        out = subprocess.run(["tshark", "-r", cap, "-q", "-z", "conv,ip"], capture_output=True, text=True,
                             timeout=300).stdout
        with open(os.path.join(d, "conv_ip.txt"), "w") as f:
            f.write(out)
        mism, seen = 0, 0
        for line in out.splitlines():
            parts = line.split()
            # tshark 4.0: A <-> B  frames bytes unit  frames bytes unit  frames bytes unit  start duration
            if len(parts) >= 13 and parts[1] == "<->":
                seen += 1
                key = tuple(sorted((parts[0], parts[2]), key=ipaddress.ip_address))
                c = conv.get(key)
                if c is None or c[0] + c[2] != int(parts[3]) + int(parts[6]):
                    mism += 1
        r.check(seen == len(conv) and mism == 0,
                "tshark conv,ip: %d pairs, frame counts equal this reader's for all (conv_ip.txt written)" % seen)

    # entities
    ev = [json.loads(l) for l in open(os.path.join(d, "entities.jsonl"))]
    fields = sorted(ev[0])
    r.check(all(sorted(e) == ["ip", "kind", "labels", "name", "namespace", "op", "owner", "ts"] for e in ev),
            "entities.jsonl: %d events, all with fields %s" % (len(ev), fields))
    bad = [e["name"] for e in ev if e["kind"] == "pod" and ipaddress.ip_address(e["ip"]) not in POD_NET] + \
          [e["name"] for e in ev if e["kind"] == "service" and ipaddress.ip_address(e["ip"]) not in SVC_NET]
    r.check(not bad, "pod IPs in %s, service ClusterIPs in %s (bad: %s)" % (POD_NET, SVC_NET, bad))
    owner_of_ip = {}
    pods = defaultdict(list)  # ip -> [add_ns, del_ns, name, owner]
    for e in ev:
        t = parse_ts(e["ts"])
        if e["kind"] != "pod":
            continue
        if e["op"] == "add":
            pods[e["ip"]].append([t, None, e["name"], e["owner"]])
            owner_of_ip[e["ip"]] = e["owner"]
        else:
            for iv in pods[e["ip"]]:
                if iv[2] == e["name"] and iv[1] is None:
                    iv[1] = t

    def live(ip, t):
        return any(a <= t and (b is None or t < b) for a, b, _, _ in pods.get(ip, []))

    viol, foreign = Counter(), Counter()
    for p in pk:
        for ip in (p.src, p.dst):
            if ipaddress.ip_address(ip) in POD_NET and ip != GATEWAY:
                if not live(ip, p.ts):
                    viol[ip] += 1
            elif ip != GATEWAY and ip not in OUTSIDE_OK:
                foreign[ip] += 1
    r.check(not viol, "every pod IP on the wire belongs to a live pod entity at that instant (violations: %s)"
            % dict(viol))
    r.check(not foreign, "no address other than pods, gateway %s and the outside hosts (others: %s)"
            % (GATEWAY, dict(foreign)))
    gw_macs = sorted(ARP_SENDERS.get(GATEWAY, ()))
    r.say("gateway %s answered ARP with %d MAC(s) %s%s" % (GATEWAY, len(gw_macs), gw_macs, "" if len(gw_macs) < 2 else
          " -- its MAC changed mid-capture (unpinned bridge), see README"))
    for ip, ivs in sorted(pods.items()):
        for a, b, name, _ in ivs:
            if b is not None:
                last = max((p.ts for p in pk if ip in (p.src, p.dst)), default=None)
                r.say("   %s %s deleted at %.3f s rel; its last packet at %s" % (
                    name, ip, (b - t0_ns) / 1e9, "%.3f s rel" % ((last - t0_ns) / 1e9) if last else "none"))

    # pickle
    raw = open(os.path.join(d, "cluster_creation_log.pickle"), "rb").read()
    ops = sorted({op.name for op, _, _ in pickletools.genops(raw)})
    r.say("pickle: starts with %r, protocol-0 opcodes used: %s" % (raw[:5], ops))
    r.check(raw.startswith(b"(dp0"), "pickle starts with '(dp0'")
    r.check(not {"PROTO", "FRAME", "BINUNICODE", "SHORT_BINUNICODE", "BININT", "BININT1", "EMPTY_DICT"} & set(ops),
            "pickle uses only protocol-0 (text) opcodes")
    log = pickle.loads(raw)
    shape = all(isinstance(k, int) and isinstance(v, dict) and all(
        isinstance(t, tuple) and len(t) == 6 and t[1] in "+-" and t[3] in ("pod", "svc") for t in v.values())
        for k, v in log.items())
    r.check(shape, "pickle loads: dict[int sec] -> dict[name] -> (ip,+/-,ns,pod|svc,labels,status)")
    keys = sorted(log)
    n0 = Counter(t[3] for t in log[0].values())
    r.say("pickle keys (s since capture start): %s ; entities at 0: %d pods, %d svcs" % (keys, n0["pod"], n0["svc"]))
    for k in keys[1:]:
        for name, t in sorted(log[k].items()):
            r.say("   t=%ds %s %s %s %s" % (k, t[1], t[3], name, t[0]))
    # replay the pickle and compare with entities.jsonl at each whole second
    def pickle_intervals(anchor_ns):
        ivs = defaultdict(list)
        for k in keys:
            for name, t in log[k].items():
                if t[3] != "pod":
                    continue
                if t[1] == "+":
                    ivs[t[0]].append([anchor_ns + k * 10**9 if k else -1, None, name])
                else:
                    for iv in ivs[t[0]]:
                        if iv[2] == name and iv[1] is None:
                            iv[1] = anchor_ns + k * 10**9
        return ivs

    pick_iv = pickle_intervals(t0_ns)
    same = {(ip, iv[2]) for ip, ivs in pick_iv.items() for iv in ivs} == \
        {(ip, iv[2]) for ip, ivs in pods.items() for iv in ivs}
    r.check(same, "pickle and entities.jsonl name the same pods with the same IPs")
    # Second 0 is capture_start_epoch here (as in shop-demo's metadata); mimir-tui's loader
    # takes the first packet instead by default. Both readings must resolve every packet.
    for anchor, what in ((t0_ns, "capture_start_epoch"), (min(ts), "the first packet")):
        ivs = pickle_intervals(anchor)
        pviol = Counter()
        for p in pk:
            for ip in (p.src, p.dst):
                if ipaddress.ip_address(ip) in POD_NET and ip != GATEWAY and not any(
                        a <= p.ts and (b is None or p.ts < b) for a, b, _ in ivs.get(ip, [])):
                    pviol[ip] += 1
        r.check(not pviol, "every pod IP on the wire is live in the pickle's whole-second timeline with second 0 "
                "= %s (violations: %s)" % (what, dict(pviol)))

    # ground truth
    attacks = gt["attacks"]
    iv = [(int(round(a["start"] * 1e9)), int(round(a["end"] * 1e9))) for a in attacks]
    r.check(gt["benign_only"] == (not attacks), "benign_only=%s matches %d attack(s)" % (gt["benign_only"],
                                                                                          len(attacks)))

    def inside(t):
        return any(a <= t <= b for a, b in iv)

    def owner(ip):
        return owner_of_ip.get(ip)

    def outside_gt(sel, what):
        hits = [p for p in pk if sel(p)]
        bad = [p for p in hits if not inside(p.ts)]
        msg = "all %d %s lie inside GT intervals" % (len(hits), what)
        if bad:
            msg += " (%d outside, first at %.3f s rel)" % (len(bad), (bad[0].ts - t0_ns) / 1e9)
        r.check(not bad, msg)
        return hits

    outside_gt(lambda p: ATTACKER in (p.src, p.dst), "packets to/from attacker %s" % ATTACKER)
    outside_gt(lambda p: p.qname is not None and (p.qname == TUNNEL_ZONE or p.qname.endswith("." + TUNNEL_ZONE)),
               "tunnel-zone DNS packets")
    outside_gt(lambda p: p.proto == 6 and p.syn and not p.ack and owner(p.dst) is not None and
               SERVICE_PORT.get(owner(p.dst)) != p.dport, "SYNs to non-service ports")
    outside_gt(lambda p: p.proto == 6 and p.syn and not p.ack and owner(p.src) == "front-end" and
               (owner(p.dst), p.dport) not in FRONT_END_CALLS, "front-end SYNs outside its normal fan-out")
    outside_gt(lambda p: owner(p.src) == "shop-db" and ((p.proto == 6 and p.syn and not p.ack) or
                                                       (p.proto == 17 and p.sport != 53)),
               "connections initiated BY shop-db (TCP SYN or UDP)")
    outside_gt(lambda p: p.proto == 6 and p.syn and not p.ack and ipaddress.ip_address(p.dst) not in POD_NET and
               not (owner(p.src) == "orders" and p.dst == "198.51.100.20" and p.dport == 80),
               "SYNs leaving the cluster other than orders -> payment API")
    verify_kinds.general_checks(r, pk, inside)
    for c in gt.get("changes", []):
        r.say("-- %s %s %s at %.3f rel s, pods %s" % (c["id"], c["type"], c["service"], c["time_rel"], c["pod_ips"]))
        verify_kinds.check_change(r, pk, ev, c, t0_ns, owner)
    pay = [p for p in pk if "198.51.100.20" in (p.src, p.dst)]
    up = [p for p in pk if "198.51.100.53" in (p.src, p.dst)]
    r.check(bool(pay) and bool(up), "benign external traffic present: %d packets with the payment API, %d with "
            "the upstream resolver" % (len(pay), len(up)))

    for a, (s, e) in zip(attacks, iv):
        r.say("-- %s %s  [%.3f, %.3f] rel s  path=%s bytes=%d" % (a["id"], a["type"], a["start_rel"], a["end_rel"],
                                                                  "->".join(a["path"]), a["bytes"]))
        verify_attack(r, a, pk, s, e, t0_ns)

    r.say("RESULT: %s" % ("FAIL" if r.failed else "PASS"))
    print("\n".join(r.lines))
    sys.exit(1 if r.failed else 0)


def span(r, t0_ns, pkts, what, s, e):
    if not pkts:
        r.check(False, "%s: no packets on the wire" % what)
        return
    lo, hi = min(p.ts for p in pkts), max(p.ts for p in pkts)
    r.say("   %s: %d pkts, %.3f..%.3f s rel" % (what, len(pkts), (lo - t0_ns) / 1e9, (hi - t0_ns) / 1e9))
    r.check(s <= lo and hi <= e, "%s packets inside the attack interval" % what)


def verify_attack(r, a, pk, s, e, t0_ns):
    src = a["src_ip"]
    dur = (e - s) / 1e9
    r.say("   measured rate: %.0f B/s of payload over %.1f s" % (a["bytes"] / dur, dur))
    if a["type"] == "direct_exfil":
        ps = [p for p in pk if {p.src, p.dst} == {src, a["dst_ip"]}]
        span(r, t0_ns, ps, "db<->attacker", s, e)
        pay = sum(p.plen for p in ps if p.src == src)
        r.check(pay >= a["bytes"], "TCP payload db->attacker %d B >= GT body bytes %d (+ HTTP headers %d B)" % (
            pay, a["bytes"], pay - a["bytes"]))
        syn = [p for p in ps if p.syn and not p.ack]
        r.check(len(syn) == 1, "one keep-alive connection (%d SYN)" % len(syn))
    elif a["type"] == "multi_hop":
        relay, rport = a["relay_ip"], a["relay_port"]
        h1 = [p for p in pk if {p.src, p.dst} == {src, relay} and rport in (p.sport, p.dport)]
        h2 = [p for p in pk if {p.src, p.dst} == {relay, a["dst_ip"]} and a["dst_port"] in (p.sport, p.dport)]
        span(r, t0_ns, h1, "hop 1 db->catalogue:%d" % rport, s, e)
        span(r, t0_ns, h2, "hop 2 catalogue->attacker:%d" % a["dst_port"], s, e)
        p1 = sum(p.plen for p in h1 if p.src == src)
        p2 = sum(p.plen for p in h2 if p.src == relay)
        r.check(p1 == a["bytes"], "hop 1 TCP payload %d B == GT bytes %d" % (p1, a["bytes"]))
        r.check(p2 >= a["relay"]["bytes_out"] == a["bytes"],
                "hop 2 TCP payload %d B >= relayed bodies %d B == GT bytes" % (p2, a["relay"]["bytes_out"]))
    elif a["type"] == "dns_tunnel":
        res = a["resolver_ip"]
        zone = [p for p in pk if p.qname and p.qname.endswith("." + TUNNEL_ZONE)]
        q1 = [p for p in zone if p.src == src and p.dst == res and not p.qr]
        q2 = [p for p in zone if p.src == res and p.dst == a["dst_ip"] and not p.qr]
        span(r, t0_ns, zone, "tunnel DNS (all hops)", s, e)
        names = {p.qname for p in q1}
        data = 0
        for n in names:
            labels = n[:-len(TUNNEL_ZONE) - 1].split(".")[1:]
            enc = "".join(labels).upper()
            data += len(base64.b32decode(enc + "=" * (-len(enc) % 8)))
        r.say("   queries db->kube-dns %d (%d distinct names), kube-dns->attacker %d" % (len(q1), len(names), len(q2)))
        r.check(len(names) == a["queries"], "distinct tunnel names on the wire %d == GT queries %d" % (
            len(names), a["queries"]))
        r.check(data == a["bytes"], "base32 data decoded from the names %d B == GT bytes %d" % (data, a["bytes"]))
        r.check(len(q2) >= 0.95 * len(names), "kube-dns forwarded the queries to the attacker (%d of %d)" % (
            len(q2), len(names)))
    elif a["type"] == "port_scan":
        dsts = set(a["dst_ips"])
        syn = [p for p in pk if p.src == src and p.dst in dsts and p.syn and not p.ack]
        probes = {(p.dst, p.dport) for p in syn}
        # A probe is a connection from src to a target that carries no payload; benign calls
        # from the same front-end to catalogue:80 or user:80 carry HTTP and are left out.
        conns = defaultdict(list)
        for p in pk:
            if p.proto == 6 and ((p.src == src and p.dst in dsts) or (p.dst == src and p.src in dsts)):
                conns[frozenset(((p.src, p.sport), (p.dst, p.dport)))].append(p)
        scan = [p for ps in conns.values() if any(q.src == src and q.syn and not q.ack for q in ps)
                and not any(q.plen for q in ps) for p in ps]
        span(r, t0_ns, scan, "scan (probes and answers)", s, e)
        r.check(len(probes) == a["probes"], "distinct (host, port) probed on the wire %d == GT probes %d" % (
            len(probes), a["probes"]))
        opened = sorted("%s:%d" % (p.src, p.sport) for p in pk if p.dst == src and p.src in dsts and p.syn and p.ack
                        and (p.src, p.sport) in probes)
        r.check(sorted(set(opened)) == sorted(a["open"]), "open ports (SYN-ACK) %s == GT %s" % (
            sorted(set(opened)), a["open"]))
        wire = sum(p.orig for p in scan)
        r.say("   scan wire bytes %d = %.0f B/s" % (wire, wire / dur))
    else:
        check = {"beacon": verify_kinds.check_beacon, "stealthy_exfil": verify_kinds.check_stealthy,
                 "admin_probe": verify_kinds.check_admin_probe}.get(a["type"])
        r.check(check is not None, "known attack type %s" % a["type"])
        if check:
            check(r, a, pk, s, e, t0_ns, span)


if __name__ == "__main__":
    main()
