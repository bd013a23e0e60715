"""Checks for the scenarios of issue 10 (new-service, beacon, stealthy-exfil, admin-probe),
used by verify.py: TCP stream reassembly, HTTP request parsing and one check function per kind.
"""

import json
from collections import Counter, defaultdict

PAYMENT = "198.51.100.20"


def streams(pk, sel):
    """Reassemble the client->server byte stream of every TCP connection whose packets pass
    sel(p). Returns {(client, cport, server, sport): (syn_ts, bytes, marks)}, marks being
    [(stream offset, ts)] of each segment; retransmitted segments (same sequence number)
    count once."""
    segs = defaultdict(dict)
    syn_ts = {}
    for p in pk:
        if p.proto != 6 or not sel(p):
            continue
        key = (p.src, p.sport, p.dst, p.dport)
        if p.syn and not p.ack:
            syn_ts.setdefault(key, p.ts)
        if p.plen > 0:
            segs[key].setdefault(p.seq, (p.ts, p.data[:p.plen]))
    out = {}
    for key, ts in syn_ts.items():
        parts, marks, off = [], [], 0
        for _, (t, d) in sorted(segs.get(key, {}).items(), key=lambda kv: kv[0]):
            parts.append(d)
            marks.append((off, t))
            off += len(d)
        out[key] = (ts, b"".join(parts), marks)
    return out


def at(marks, offset):
    """Capture time of the segment that holds a stream offset."""
    t = marks[0][1]
    for off, ts in marks:
        if off > offset:
            break
        t = ts
    return t


def http_requests(data):
    """Split a client byte stream into (request line, headers dict, body, stream offset) tuples."""
    out, off = [], 0
    while off < len(data):
        end = data.find(b"\r\n\r\n", off)
        if end < 0:
            break
        lines = data[off:end].split(b"\r\n")
        hdr = {}
        for line in lines[1:]:
            k, _, v = line.partition(b":")
            hdr[k.strip().lower().decode()] = v.strip().decode()
        n = int(hdr.get("content-length", "0"))
        out.append((lines[0].decode("ascii", "replace"), hdr, data[end + 4:end + 4 + n], off))
        off = end + 4 + n
    return out


def payment_requests(pk):
    """Every HTTP request a pod sent to the payment host: [(ts of its first segment, client_ip, line, body)]."""
    out = []
    for (cli, _, _, _), (_, data, marks) in streams(pk, lambda p: p.dst == PAYMENT and p.dport == 80).items():
        for line, _, body, off in http_requests(data):
            out.append((at(marks, off), cli, line, body))
    return out


def metadata_len(body):
    try:
        doc = json.loads(body)
    except ValueError:
        return 0
    return len(doc.get("metadata", "").encode()) if isinstance(doc, dict) else 0


def general_checks(r, pk, inside):
    """Checks that hold in every scenario: requests to the payment host are charges, and no
    charge carries a metadata field, outside ground-truth intervals."""
    reqs = payment_requests(pk)
    other = [x for x in reqs if not x[2].startswith("POST /v1/charge ")]
    r.check(all(inside(ts) for ts, _, _, _ in other),
            "all %d of %d HTTP requests to the payment host other than POST /v1/charge lie inside GT intervals"
            % (len(other), len(reqs)))
    meta = [x for x in reqs if x[2].startswith("POST /v1/charge ") and metadata_len(x[3])]
    r.check(all(inside(ts) for ts, _, _, _ in meta),
            "all %d payment calls carrying a metadata field lie inside GT intervals" % len(meta))


def check_change(r, pk, ev, change, t0_ns, owner):
    """new_service: the Service and its pods are in the entity log at the change time, no
    packet touches them before, and the new pairs (front-end -> it -> catalogue, user) appear."""
    from verify import parse_ts  # noqa: E402 (verify imports this module)
    svc = change["service"]
    t = int(round(change["time"] * 1e9))
    sev = [e for e in ev if e["kind"] == "service" and e["name"] == svc]
    r.check(len(sev) == 1 and sev[0]["op"] == "add" and abs(parse_ts(sev[0]["ts"]) - t) < 10**6,
            "change %s: one Service add for %s at %.3f s rel" % (change["id"], svc, change["time_rel"]))
    pods = [e for e in ev if e["kind"] == "pod" and e["owner"] == svc and e["op"] == "add"]
    r.check(sorted(e["ip"] for e in pods) == sorted(change["pod_ips"]) and
            all(parse_ts(e["ts"]) >= t for e in pods),
            "change %s: its %d pods %s are added after the Service" % (change["id"], len(pods), change["pod_ips"]))
    ips = set(change["pod_ips"])
    before = [p for p in pk if (p.src in ips or p.dst in ips) and p.ts < t]
    r.check(not before, "change %s: no packet to or from its pods before the change (%d)" % (change["id"], len(before)))
    names = [p for p in pk if p.qname and p.qname.startswith(svc + ".")]
    r.check(names and min(p.ts for p in names) >= t,
            "change %s: %d DNS packets for %s.*, the first %.3f s rel (after the change)" % (
                change["id"], len(names), svc, (min(p.ts for p in names) - t0_ns) / 1e9 if names else -1))
    syn = Counter((owner(p.src), owner(p.dst), p.dport) for p in pk if p.proto == 6 and p.syn and not p.ack and
                  (p.src in ips or p.dst in ips))
    for caller in change["called_by"]:
        r.check(syn[(caller, svc, change["port"])] > 0, "change %s: %s -> %s:%d connections: %d" % (
            change["id"], caller, svc, change["port"], syn[(caller, svc, change["port"])]))
    for callee in change["calls"]:
        r.check(syn[(svc, callee, 80)] > 0, "change %s: %s -> %s:80 connections: %d" % (
            change["id"], svc, callee, syn[(svc, callee, 80)]))
    first = min((p.ts for p in pk if p.src in ips or p.dst in ips), default=None)
    r.say("   first packet of %s at %.3f s rel; its connections by (from, to, port): %s" % (
        svc, (first - t0_ns) / 1e9 if first else -1, dict(sorted(syn.items(), key=str))))


def check_beacon(r, a, pk, s, e, t0_ns, span):
    src, dst, port = a["src_ip"], a["dst_ip"], a["dst_port"]
    path = "POST %s " % a["http_path"]
    conns = streams(pk, lambda p: {p.src, p.dst} == {src, dst} and port in (p.sport, p.dport) and p.src == src)
    beacon = {}
    for key, (ts, data, _) in conns.items():
        reqs = http_requests(data)
        if reqs and reqs[0][0].startswith(path):
            beacon[key] = (ts, sum(len(x[2]) for x in reqs))
    keys = {k[1] for k in beacon}
    pkts = [p for p in pk if p.proto == 6 and ((p.src == src and p.sport in keys) or (p.dst == src and p.dport in keys))]
    span(r, t0_ns, pkts, "beacon connections", s, e)
    times = sorted(ts for ts, _ in beacon.values())
    r.check(len(times) == a["count"], "beacon check-ins on the wire %d == GT count %d" % (len(times), a["count"]))
    gaps = [(b - x) / 1e9 for x, b in zip(times, times[1:])]
    worst = max((abs(g - w) for g, w in zip(gaps, a["intervals"])), default=0)
    r.check(len(gaps) == len(a["intervals"]) and worst < 0.05,
            "SYN-to-SYN intervals match GT intervals within 50 ms (worst %.1f ms)" % (worst * 1e3))
    body = sum(b for _, b in beacon.values())
    r.check(body == a["bytes"], "beacon request bodies %d B == GT bytes %d" % (body, a["bytes"]))
    if gaps:
        mean = sum(gaps) / len(gaps)
        r.say("   intervals %.1f..%.1f s, mean %.1f s; wire bytes per check-in %.0f" % (
            min(gaps), max(gaps), mean, sum(p.orig for p in pkts) / len(times)))
    legit = [ts for key, (ts, data, _) in conns.items() if key not in beacon
             and http_requests(data) and http_requests(data)[0][0].startswith("POST /v1/charge ")]
    r.check(any(s <= t <= e for t in legit) and any(not s <= t <= e for t in legit),
            "the same pod also calls %s:%d legitimately, during (%d) and outside (%d) the beacon interval" % (
                dst, port, sum(s <= t <= e for t in legit), sum(not s <= t <= e for t in legit)))


def check_stealthy(r, a, pk, s, e, t0_ns, span):
    src, dst = a["src_ip"], a["dst_ip"]
    reqs = [x for x in payment_requests(pk) if x[1] == src]
    carriers = [x for x in reqs if metadata_len(x[3])]
    stolen = sum(metadata_len(x[3]) for x in carriers)
    r.say("   payment calls from orders: %d, %d of them carry records (GT: %d piggybacked + %d extra)" % (
        len(reqs), len(carriers), a.get("piggybacked_requests", 0), a.get("extra_requests", 0)))
    r.check(stolen == a["bytes"], "record bytes in metadata fields on the wire %d == GT bytes %d" % (stolen, a["bytes"]))
    r.check(len(carriers) == a["requests"], "requests carrying records %d == GT requests %d" % (
        len(carriers), a["requests"]))
    span(r, t0_ns, [p for p in pk if p.src == src and p.dst == dst and p.plen and b'"metadata"' in p.data],
         "segments with a metadata field", s, e)
    own = [p for p in pk if p.proto == 6 and p.syn and not p.ack and p.src == src and s <= p.ts <= e and
           (p.dst, p.dport) not in ((dst, 80), (a["db_ip"], 6379))]
    r.say("   other connections orders opened during the attack (its benign calls): %s" % dict(
        Counter("%s:%d" % (p.dst, p.dport) for p in own)))
    for peer, port in ((a["db_ip"], 6379), (dst, 80)):
        before = [p for p in pk if {p.src, p.dst} == {src, peer} and port in (p.sport, p.dport) and p.ts < s]
        during = [p for p in pk if {p.src, p.dst} == {src, peer} and port in (p.sport, p.dport) and s <= p.ts <= e]
        r.check(before and during, "no new pair or port: orders <-> %s:%d carries %d packets before the attack "
                "and %d during it" % (peer, port, len(before), len(during)))


def check_admin_probe(r, a, pk, s, e, t0_ns, span):
    src, dsts, ports = a["src_ip"], set(a["dst_ips"]), set(a["ports"])
    syn = [p for p in pk if p.src == src and p.dst in dsts and p.dport in ports and p.syn and not p.ack]
    conns = {p.sport for p in syn}
    pkts = [p for p in pk if p.proto == 6 and ((p.src == src and p.sport in conns and p.dst in dsts) or
                                               (p.dst == src and p.dport in conns and p.src in dsts))]
    span(r, t0_ns, pkts, "probe connections", s, e)
    counts = Counter("%s:%d" % (d, dp) for _, d, dp in {(p.sport, p.dst, p.dport) for p in syn})
    want = {k: v["attempts"] for k, v in a["counts"].items()}
    r.check(dict(counts) == want, "connection attempts per target port on the wire == GT counts (%d in all)" % sum(
        counts.values()))
    opened = sorted({"%s:%d" % (p.src, p.sport) for p in pkts if p.syn and p.ack})
    r.check(opened == sorted(a["open"]), "ports that answered (SYN-ACK) %s == GT %s" % (opened, a["open"]))
    reset = {"%s:%d" % (p.src, p.sport) for p in pkts if p.rst and p.src in dsts}
    r.check(reset == set(want) - set(a["open"]), "the other %d target ports answered with RST" % len(reset))
    payload = sum(p.plen for p in pkts if p.src == src)
    r.check(payload == a["bytes"], "HTTP requests on opened ports %d B == GT bytes %d" % (payload, a["bytes"]))
    first = sorted({p.sport: p.ts for p in reversed(syn)}.values())
    gaps = [(b - x) / 1e9 for x, b in zip(first, first[1:])]
    if gaps:
        r.say("   %d connections, %.1f per minute, gaps %.1f..%.1f s" % (
            len(first), 60 * len(gaps) / max(1e-9, sum(gaps)), min(gaps), max(gaps)))
