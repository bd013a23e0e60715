#!/usr/bin/env python3
"""A tiny DNS server for the capture fixtures: answers A with 10.99.0.7,
AAAA with fd99::7, TXT with "ok", NXDOMAIN for names under nx.example.
Serves UDP and TCP on the address given, and exits after a time limit."""
import socket, struct, sys, threading, time

addr = sys.argv[1]
family = socket.AF_INET6 if ":" in addr else socket.AF_INET
limit = float(sys.argv[2]) if len(sys.argv) > 2 else 20.0

def answer(q):
    qid, flags, qd = struct.unpack("!HHH", q[:6])
    off, labels = 12, []
    while q[off]:
        n = q[off]; labels.append(q[off+1:off+1+n].decode("latin1")); off += 1 + n
    off += 1
    qtype, qclass = struct.unpack("!HH", q[off:off+4])
    question = q[12:off+4]
    name = ".".join(labels).lower()
    rcode, rr = 0, b""
    if name.endswith("nx.example"):
        rcode = 3
    elif qtype == 1:
        rr = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_pton(socket.AF_INET, "10.99.0.7")
    elif qtype == 28:
        rr = b"\xc0\x0c" + struct.pack("!HHIH", 28, 1, 60, 16) + socket.inet_pton(socket.AF_INET6, "fd99::7")
    elif qtype == 16:
        rr = b"\xc0\x0c" + struct.pack("!HHIH", 16, 1, 60, 3) + b"\x02ok"
    an = 1 if rr else 0
    return struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, an, 0, 0) + question + rr

def udp():
    s = socket.socket(family, socket.SOCK_DGRAM); s.bind((addr, 53)); s.settimeout(0.5)
    end = time.time() + limit
    while time.time() < end:
        try:
            q, peer = s.recvfrom(4096)
        except socket.timeout:
            continue
        s.sendto(answer(q), peer)

def tcp():
    s = socket.socket(family, socket.SOCK_STREAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 53)); s.listen(4); s.settimeout(0.5)
    end = time.time() + limit
    while time.time() < end:
        try:
            c, _ = s.accept()
        except socket.timeout:
            continue
        c.settimeout(2)
        try:
            n = struct.unpack("!H", c.recv(2))[0]
            q = b""
            while len(q) < n:
                q += c.recv(n - len(q))
            a = answer(q)
            c.sendall(struct.pack("!H", len(a)) + a)
        except Exception:
            pass
        c.close()

threading.Thread(target=udp, daemon=True).start()
tcp()
