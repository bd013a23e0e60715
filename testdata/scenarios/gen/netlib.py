"""Small network helpers shared by the shop's programs (python3 standard library only).

A DNS stub resolver and message codec, a pooled keep-alive HTTP client, a RESP (redis)
client and a keep-alive HTTP server. Every service resolves names through kube-dns with
this stub, the way a pod's libc would, so DNS traffic appears on the wire like in a cluster.
"""

import http.client
import json
import os
import random
import select
import signal
import socket
import socketserver
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

QTYPE_A = 1
QTYPE_AAAA = 28
QTYPE_TXT = 16


# ---------------------------------------------------------------- DNS codec

def encode_name(name):
    out = bytearray()
    for label in name.strip(".").split("."):
        b = label.encode("ascii")
        if not 0 < len(b) < 64:
            raise ValueError("bad DNS label %r in %r" % (label, name))
        out.append(len(b))
        out += b
    out.append(0)
    return bytes(out)


def build_query(qid, name, qtype, rd=True):
    flags = 0x0100 if rd else 0
    return struct.pack("!HHHHHH", qid, flags, 1, 0, 0, 0) + encode_name(name) + struct.pack("!HH", qtype, 1)


def read_name(msg, off):
    """Return (name, offset after the name) following compression pointers."""
    labels = []
    end = None
    hops = 0
    while True:
        if off >= len(msg):
            raise ValueError("name runs past message")
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if end is None:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            hops += 1
            if hops > 32:
                raise ValueError("compression loop")
            continue
        off += 1
        if n == 0:
            break
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n
    return ".".join(labels), (end if end is not None else off)


def parse_message(msg):
    """Parse header, first question and answers: dict(id, flags, rcode, qname, qtype, answers)."""
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", msg[:12])
    off = 12
    qname, qtype = "", 0
    for i in range(qd):
        name, off = read_name(msg, off)
        t, _c = struct.unpack("!HH", msg[off:off + 4])
        off += 4
        if i == 0:
            qname, qtype = name, t
    answers = []
    for _ in range(an):
        _name, off = read_name(msg, off)
        t, _c, ttl, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
        off += 10
        answers.append((t, ttl, msg[off:off + rdlen]))
        off += rdlen
    return {"id": qid, "flags": flags, "rcode": flags & 0xF, "qname": qname, "qtype": qtype, "answers": answers}


def build_response(query, answers, rcode=0, aa=True):
    """Answer a raw query: answers is a list of (qtype, ttl, rdata) for the question's name."""
    q = parse_message(query)
    _name, qend = read_name(query, 12)
    question = query[12:qend + 4]
    flags = 0x8000 | (0x0400 if aa else 0) | (q["flags"] & 0x0100) | 0x0080 | rcode
    out = struct.pack("!HHHHHH", q["id"], flags, 1, len(answers), 0, 0) + question
    for t, ttl, rdata in answers:
        out += struct.pack("!HHHIH", 0xC00C, t, 1, ttl, len(rdata)) + rdata
    return out


class Resolver:
    """Stub resolver: asks A and AAAA together (like getaddrinfo with AF_UNSPEC) and
    caches the answer for its TTL, so the wire shows the query rate of a real pod."""

    def __init__(self, server, timeout=1.5, attempts=3):
        self.server = (server, 53)
        self.timeout = timeout
        self.attempts = attempts
        self.cache = {}
        self.lock = threading.Lock()
        self.rng = random.Random(os.getpid() ^ int(time.time() * 1000))

    def lookup(self, name, fresh=False):
        now = time.monotonic()
        with self.lock:
            hit = self.cache.get(name)
            if hit and hit[0] > now and not fresh:
                return list(hit[1])
        ips, ttl = self._query(name)
        with self.lock:
            self.cache[name] = (time.monotonic() + ttl, ips)
        return list(ips)

    def _query(self, name):
        for _ in range(self.attempts):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                s.settimeout(self.timeout)
                ida, idb = self.rng.randrange(65536), self.rng.randrange(65536)
                s.sendto(build_query(ida, name, QTYPE_A), self.server)
                s.sendto(build_query(idb, name, QTYPE_AAAA), self.server)
                got_a, got_aaaa, ips, ttl = False, False, [], 5
                deadline = time.monotonic() + self.timeout
                while not (got_a and got_aaaa):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    s.settimeout(left)
                    data, _ = s.recvfrom(4096)
                    m = parse_message(data)
                    if m["id"] == ida:
                        got_a = True
                        for t, attl, rdata in m["answers"]:
                            if t == QTYPE_A and len(rdata) == 4:
                                ips.append(socket.inet_ntoa(rdata))
                                ttl = min(ttl, attl) if len(ips) > 1 else attl
                    elif m["id"] == idb:
                        got_aaaa = True
                if got_a and ips:
                    return ips, max(ttl, 1)
                if got_a:
                    raise LookupError("no A record for %s" % name)
            except (socket.timeout, OSError):
                pass
            finally:
                s.close()
        raise LookupError("DNS lookup of %s failed" % name)


# ---------------------------------------------------------------- HTTP client

class Upstream:
    """Keep-alive HTTP client for one service name, with a pool of idle connections.

    A new connection resolves the name (cached for the TTL) and picks one of the A records
    at random; a connection is retired after max_age seconds or max_reqs requests. An idle
    connection whose peer closed is closed at once by a reaper thread, as Go's transport
    does, so a terminated pod's connections are torn down while its IP is still live.
    """

    def __init__(self, resolver, host, port, agent, rng, max_age=(20, 45), max_reqs=(15, 60), timeout=5):
        self.resolver, self.host, self.port, self.agent = resolver, host, port, agent
        self.rng, self.max_age, self.max_reqs, self.timeout = rng, max_age, max_reqs, timeout
        self.idle = []
        self.lock = threading.Lock()
        threading.Thread(target=self._reap, daemon=True).start()

    def _reap(self):
        while True:
            with self.lock:
                socks = [(c.sock, c) for c in self.idle if c.sock is not None]
            if not socks:
                time.sleep(0.2)
                continue
            try:
                r, _, _ = select.select([s for s, _ in socks], [], [], 0.2)
            except (OSError, ValueError):
                r = []
            if r:
                with self.lock:
                    for s, c in socks:
                        if s in r and c in self.idle:
                            self.idle.remove(c)
                            c.close()

    def _new(self, fresh=False):
        ips = self.resolver.lookup(self.host, fresh=fresh)
        ip = self.rng.choice(ips)
        c = http.client.HTTPConnection(ip, self.port, timeout=self.timeout)
        c.connect()
        c.h6_born = time.monotonic()
        c.h6_age = self.rng.uniform(*self.max_age)
        c.h6_left = self.rng.randint(*self.max_reqs)
        return c

    def _take(self):
        with self.lock:
            while self.idle:
                c = self.idle.pop()
                if time.monotonic() - c.h6_born < c.h6_age and c.h6_left > 0:
                    return c, True
                c.close()
        return self._new(), False

    def request(self, method, path, body=None, ctype="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        headers = {"Host": self.host, "User-Agent": self.agent, "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = ctype
        for attempt in range(3):
            try:
                c, reused = self._take() if attempt == 0 else (self._new(fresh=attempt == 2), False)
            except (OSError, LookupError):
                time.sleep(0.2)
                continue
            try:
                c.request(method, path, body=body, headers=headers)
                r = c.getresponse()
                data = r.read()
                c.h6_left -= 1
                if r.will_close:
                    c.close()
                else:
                    with self.lock:
                        self.idle.append(c)
                return r.status, data
            except (OSError, http.client.HTTPException):
                c.close()
                time.sleep(0.05 if reused else 0.2)
        return 599, b""


# ---------------------------------------------------------------- RESP client

class Redis:
    """Minimal RESP client with a small connection pool (connections are long-lived)."""

    def __init__(self, addr_fn):
        self.addr_fn = addr_fn
        self.pool = []
        self.lock = threading.Lock()

    @staticmethod
    def _enc(args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if not isinstance(a, bytes):
                a = str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    @staticmethod
    def _read(f):
        line = f.readline()
        if not line:
            raise ConnectionError("redis closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = f.read(n + 2)
            return data[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [Redis._read(f) for _ in range(n)]
        raise RuntimeError("bad RESP line %r" % line)

    def _conn(self):
        with self.lock:
            if self.pool:
                return self.pool.pop()
        s = socket.create_connection(self.addr_fn(), timeout=5)
        return s, s.makefile("rb")

    def pipeline(self, cmds):
        for attempt in range(2):
            conn = None
            try:
                conn = self._conn()
                conn[0].sendall(b"".join(self._enc(c) for c in cmds))
                out = [self._read(conn[1]) for _ in cmds]
                with self.lock:
                    self.pool.append(conn)
                return out
            except (OSError, ConnectionError):
                if conn:
                    conn[0].close()
                if attempt:
                    raise
        return None

    def cmd(self, *args):
        return self.pipeline([args])[0]


# ---------------------------------------------------------------- HTTP server

def serve_http(bind, port, name, route, idle=(8, 20), rng=None):
    """Run a threading keep-alive HTTP/1.1 server until SIGTERM.

    route(method, path, body, handler) returns (status, content_type, bytes). Idle
    keep-alive connections are closed by the server after a few seconds, like a real
    server's idle timeout; on SIGTERM the process exits and the kernel closes its sockets.
    """
    rng = rng or random.Random()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = name
        sys_version = ""
        timeout = rng.uniform(*idle)

        def log_message(self, *a):
            pass

        def _do(self, method):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            try:
                status, ctype, data = route(method, self.path, body, self)
            except Exception as e:  # a failing handler answers 500 like a real service
                status, ctype, data = 500, "application/json", json.dumps({"error": str(e)}).encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self._do("GET")

        def do_POST(self):
            self._do("POST")

        def do_DELETE(self):
            self._do("DELETE")

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True
        request_queue_size = 64

        def server_bind(self):
            # HTTPServer.server_bind calls socket.getfqdn, a reverse lookup through the host's
            # resolv.conf: a packet no pod would send. Bind without it.
            socketserver.TCPServer.server_bind(self)
            self.server_name, self.server_port = self.server_address[:2]

    srv = Server((bind, port), Handler)
    return srv


def exit_on_term():
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    signal.signal(signal.SIGINT, lambda *a: os._exit(0))


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1)
    os.replace(tmp, path)
