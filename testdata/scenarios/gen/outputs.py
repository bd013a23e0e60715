"""The files of a scenario directory other than the captures: entity logs (JSON Lines and
the MIMIR pickle), ground_truth.json and metadata.json (orchestrate.py's Run.write_outputs).
"""

import datetime
import json
import os
import pickle

import attackplan
from attackplan import ADMIN_LISTEN, ATTACKER, NODE_GW, PAYMENT, UPSTREAM_DNS


def rfc3339(t):
    """Epoch seconds (float or int ns) -> RFC 3339 with nanoseconds, UTC."""
    ns = t if isinstance(t, int) else int(round(t * 1e9))
    s = datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return "%s.%09dZ" % (s, ns % 10**9)


def write_entities(run, events):
    with open(os.path.join(run.out, "entities.jsonl"), "w") as f:
        for e in events:
            rec = {"ts": rfc3339(e["ts_ns"])}
            rec.update({k: e[k] for k in ("op", "kind", "name", "namespace", "ip", "labels", "owner")})
            f.write(json.dumps(rec) + "\n")


def write_pickle(run, events, t0):
    # MIMIR pickle: key 0 lists everything live at capture start; later keys hold changes,
    # keyed by whole seconds since capture start (floor, so an add is never late).
    log = {0: {}}
    for e in events:
        rel = e["ts_ns"] / 1e9 - t0
        key = 0 if rel < 1 else int(rel)
        labels = ",".join("%s=%s" % kv for kv in e["labels"].items())
        kind = "svc" if e["kind"] == "service" else "pod"
        if e["op"] == "add":
            status = e["ip"] if kind == "svc" else "Running"
            entry = (e["ip"], "+", e["namespace"], kind, labels, status)
        else:
            entry = (e["ip"], "-", e["namespace"], kind, labels, "Terminating")
        if key == 0 and e["op"] == "delete":
            log[0].pop(e["name"], None)
            continue
        log.setdefault(key, {})[e["name"]] = entry
    with open(os.path.join(run.out, "cluster_creation_log.pickle"), "wb") as f:
        pickle.dump(log, f, protocol=0)


def attack_truth(run, t0):
    """The ground truth of the scenario's attack: what was known at launch plus what the
    attack measured itself (its "outs" files)."""
    attacks = []
    if run.sc["attack"]:
        a = dict(run.attack)
        meas = []
        for path in a.pop("outs"):
            with open(path) as f:
                meas.append(json.load(f))
        m = meas[0]
        starts = [m["start"]] + [x.get("accepted") for x in meas[1:] if x.get("accepted")]
        ends = [x["end"] for x in meas]
        a["start"], a["end"] = min(starts), max(ends)
        a["bytes"] = m["bytes"]
        for k in ("requests", "queries", "answered", "probes", "open", "count", "intervals", "bytes_in",
                  "extra_requests", "piggybacked_requests"):
            if k in m:
                a[k] = m[k]
        if "times" in m:  # beacon: each check-in's connect time
            a["times_rel"] = [round(t - t0, 3) for t in m["times"]]
        if "log" in m:  # admin-probe: every connection and what it got
            a.update(attackplan.probe_summary(m["log"], t0))
        if len(meas) > 1:
            a["relay"] = {k: meas[1][k] for k in ("bytes_in", "bytes_out", "requests")}
        launched = a.pop("launched_ns") / 1e9
        a = {"id": "A1", **a}
        a["launched_rel"] = round(launched - t0, 3)
        a["start_rel"] = round(a["start"] - t0, 3)
        a["end_rel"] = round(a["end"] - t0, 3)
        a["start_rfc3339"] = rfc3339(a["start"])
        a["end_rfc3339"] = rfc3339(a["end"])
        attacks.append(a)
    return attacks


def ground_truth(run, attacks, t0):
    gt = {"dataset": "scenarios/" + run.name, "scenario": run.name, "seed": run.seed,
          "capture_file": "capture.pcapng.gz", "capture_start_epoch": t0, "capture_end_epoch": run.t_end,
          "benign_only": not attacks, "sensitive_services": ["shop-db"], "attacker_ip": ATTACKER,
          "attacks": attacks,
          "changes": run.changes,
          "notes": "start/end are epoch seconds measured by the attacking process itself (first socket "
                   "operation / after its sockets are closed; for multi_hop the earliest start and latest "
                   "end of the sender and the relay); *_rel are seconds since capture_start_epoch. bytes = "
                   "application payload bytes sent by the source (HTTP bodies / TCP stream / raw data "
                   "encoded in DNS names; request bodies for beacon; the stolen records inside the metadata fields for "
                   "stealthy_exfil; the HTTP requests of admin_probe; 0 for a connect scan, which sends no "
                   "payload). changes: benign changes to the application (new_service: a Service and its "
                   "Deployment's pods added mid-capture), which are not attacks."}
    return gt


def metadata(run, t0, replicas, vusers, think):
    stats = run.capture_stats()
    pods = {}
    for p in sorted(run.pods.values(), key=lambda p: p["added_ns"]):
        d = {"ip": p["ip"], "namespace": p["namespace"], "owner": p["owner"],
             "added_rel": round(p["added_ns"] / 1e9 - t0, 3)}
        if p["deleted_ns"]:
            d["deleted_rel"] = round(p["deleted_ns"] / 1e9 - t0, 3)
        pods[p["name"]] = d
    meta = {
        "scenario": run.name, "seed": run.seed, "capture_file": "capture.pcapng.gz",
        "capture_format": "pcapng (gzip)", "capture_tool": "dumpcap (pcapng, nanosecond timestamps)",
        "capture_interface": "br0 in node netns",
        "capture_start_epoch": t0, "capture_start_rfc3339": rfc3339(t0),
        "capture_end_epoch": run.t_end, "duration_s": round(run.t_end - t0, 3),
        "capture_stats": stats,
        "ip_plan": {
            "pod_cidr": "10.244.0.0/24", "gateway_node_bridge": NODE_GW, "service_cidr": "10.96.0.0/16",
            "node_outside_link": "203.0.113.1/24",
            "outside": {
                ATTACKER: "attacker host (exfil sinks tcp/80, tcp/8443; authoritative DNS for t.cdn-sync.net)",
                PAYMENT: "benign external payment API (api.paygate.example, tcp/80)",
                UPSTREAM_DNS: "benign upstream DNS resolver used by kube-dns"},
            "pods": pods,
            "services": {s: {"cluster_ip": v["cluster_ip"], "namespace": v["namespace"], "port": v["port"]}
                         for s, v in run.services.items()},
        },
        "replicas_initial": {k: replicas[k] for k in ("front-end", "catalogue", "carts", "orders", "user")},
        "virtual_users": vusers,
        "think_time_mean_s": think,
        "churn": run.churn,
        "dns": {"server_pod_ip": run.dns_ip, "ttl_cluster_names": 5,
                "note": "service names resolve to pod IPs (headless-style A records); clients ask A and "
                        "AAAA together and cache for the TTL; other names go to 198.51.100.53, "
                        "t.cdn-sync.net to 203.0.113.10"},
        "entity_logs": {
            "cluster_creation_log.pickle": "MIMIR format, pickle protocol 0 as python3 writes it (unicode "
                                           "V'..' string opcodes; starts with '(dp0'); keys are whole seconds "
                                           "since capture_start_epoch (floor); load with pickle.load(f)",
            "entities.jsonl": "one event per line"},
        "attack": run.sc["attack"] or "none",
        "change": run.sc.get("change") or "none",
        "admin_ports": ({s: {"port": p, "kind": k} for s, (p, k) in ADMIN_LISTEN.items()}
                        if run.sc["attack"] == "admin_probe" else {}),
        "generator": "testdata/scenarios/gen/generate.sh %s" % run.name,
    }
    return meta
