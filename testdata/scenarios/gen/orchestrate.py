#!/usr/bin/env python3
"""Build one scenario: namespaces, the shop, pod churn, an attack, the capture and its logs.

Run through generate.sh (it adds the cleanup trap and the overall time limit):
    orchestrate.py --scenario NAME --out DIR --state DIR
Everything runs inside network namespaces named <prefix>-*; nothing touches the host's
interfaces. Every process runs under `timeout`, is recorded in STATE/pids and is ended by
its process-group id; every namespace is recorded in STATE/netns.
"""

import argparse
import gzip
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

import attackplan
import outputs
from attackplan import ADMIN_LISTEN, ATTACKER, NODE_GW, PAYMENT, UPSTREAM_DNS
from outputs import rfc3339

HERE = os.path.dirname(os.path.abspath(__file__))
SHOP = os.path.join(HERE, "shop.py")
PY = sys.executable

# Per scenario: seed (varies the background), capture length, attack (None = benign).
SCENARIOS = {
    "benign": {"seed": 101, "duration": 300, "attack": None, "prefix": "h6b"},
    "direct-exfil": {"seed": 202, "duration": 240, "attack": "direct_exfil", "prefix": "h6d"},
    "multi-hop": {"seed": 303, "duration": 240, "attack": "multi_hop", "prefix": "h6m"},
    "dns-tunnel": {"seed": 404, "duration": 240, "attack": "dns_tunnel", "prefix": "h6t"},
    "port-scan": {"seed": 505, "duration": 240, "attack": "port_scan", "prefix": "h6p"},
    # issue 10: a benign release, and attacks that stay on pairs or hosts benign traffic uses
    "new-service": {"seed": 606, "duration": 300, "attack": None, "prefix": "h6n", "change": "new_service"},
    "beacon": {"seed": 707, "duration": 420, "attack": "beacon", "prefix": "h6c"},
    "stealthy-exfil": {"seed": 808, "duration": 300, "attack": "stealthy_exfil", "prefix": "h6s"},
    "admin-probe": {"seed": 909, "duration": 300, "attack": "admin_probe", "prefix": "h6a"},
    # issue 9: two nodes joined by VXLAN, captured per node and per pod (twonode.py)
    "two-node": {"seed": 1111, "duration": 200, "attack": "direct_exfil", "prefix": "h6w", "topology": "two-node"},
}

NEW_SERVICE = "recommender"  # deployed mid-capture in new-service; calls catalogue and user

SERVICES = [  # name, namespace, port, selector labels
    ("kube-dns", "kube-system", 53, {"k8s-app": "kube-dns"}),
    ("shop-db", "default", 6379, {"name": "shop-db"}),
    ("catalogue", "default", 80, {"name": "catalogue"}),
    ("user", "default", 80, {"name": "user"}),
    ("carts", "default", 80, {"name": "carts"}),
    ("orders", "default", 80, {"name": "orders"}),
    ("front-end", "default", 8080, {"name": "front-end"}),
]
REPLICAS = {"catalogue": 2, "user": 2, "carts": 1, "orders": 1, "front-end": 3}
VUSERS, THINK = 4, 1.8  # load-test virtual users and mean think time
ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # Kubernetes' name-suffix alphabet


def pin_bridge_mac(run, netns, gw):
    """Give br0 a fixed MAC (CNI style: 0a:58 and the gateway's IPv4 address). A bridge whose
    MAC was never set takes the lowest MAC of its ports, so adding a pod could change the
    gateway's MAC under the pods' ARP caches and cut them off from the node for ~20 s (it did
    in the benign and new-service captures before this)."""
    mac = "0a:58:" + ":".join("%02x" % int(x) for x in gw.split("."))
    run.sh("ip", "-n", netns, "link", "set", "br0", "address", mac)


class Run:
    def __init__(self, name, out, state):
        self.name, self.out, self.state = name, out, state
        self.sc = SCENARIOS[name]
        self.seed = self.sc["seed"]
        self.rng = random.Random(self.seed)
        self.prefix = self.sc["prefix"]
        self.node = self.prefix + "-node"
        self.outside = self.prefix + "-out"
        self.deadline_all = time.time() + self.sc["duration"] + 240
        self.events = []  # entity events: dict with ts_ns
        self.pods = {}  # name -> dict(ip, ns, netns, owner, labels, procs, added, deleted)
        self.services = {}
        self.next_octet = self.rng.randint(5, 9)
        self.hosts_file = os.path.join(state, "cluster-hosts")
        self.dnsmasq_pid_file = os.path.join(state, "dnsmasq.pid")
        self.churn = []
        self.changes = []
        self.attack_procs = []
        self.attack = None
        self.attack_at = None
        self.log = open(os.path.join(state, "orchestrate.log"), "a", buffering=1)

    # ------------------------------------------------------------ plumbing

    def say(self, msg):
        line = "%s [%s] %s" % (time.strftime("%H:%M:%S"), self.name, msg)
        print(line, flush=True)
        self.log.write(line + "\n")

    def sh(self, *cmd):
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(cmd), r.stderr.strip()))
        return r.stdout

    def record(self, kind, value):
        with open(os.path.join(self.state, kind), "a") as f:
            f.write("%s\n" % value)

    def netns_add(self, ns):
        self.sh("ip", "netns", "add", ns)
        self.record("netns", ns)
        # IPv4 only, like the reference capture: no router solicitations or MLD on the wire.
        self.sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1")
        self.sh("ip", "-n", ns, "link", "set", "lo", "up")

    def spawn(self, netns, argv, tag, limit, stop_signal="TERM"):
        logf = open(os.path.join(self.state, "log-%s.txt" % tag), "ab")
        cmd = ["ip", "netns", "exec", netns, "timeout", "-s", stop_signal, "-k", "5", str(int(limit))] + argv
        p = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        self.record("pids", p.pid)
        p.h6_tag = tag
        return p

    def conf(self, tag, **kw):
        kw.setdefault("seed", self.seed)
        path = os.path.join(self.state, "conf-%s.json" % tag)
        with open(path, "w") as f:
            json.dump(kw, f)
        return path

    def shop(self, netns, role, tag, limit, **kw):
        return self.spawn(netns, [PY, SHOP, role, "--conf", self.conf(tag, **kw)], tag, limit)

    @staticmethod
    def stop(p, grace=3.0):
        """End one process we started: SIGTERM to its group, SIGKILL after grace seconds."""
        if p.poll() is not None:
            return
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            p.wait(grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(5)

    def limit(self):
        return max(30, self.deadline_all - time.time())

    # ------------------------------------------------------------ entities

    def event(self, op, kind, name, namespace, ip, labels, owner, ts_ns=None):
        ts_ns = ts_ns or time.time_ns()
        self.events.append({"ts_ns": ts_ns, "op": op, "kind": kind, "name": name, "namespace": namespace,
                            "ip": ip, "labels": labels, "owner": owner})
        return ts_ns

    def suffix(self, n):
        return "".join(self.rng.choice(ALPHABET) for _ in range(n))

    def write_hosts(self):
        lines = []
        for p in self.pods.values():
            if p["in_dns"] and p["owner"] in self.services:
                lines.append("%s %s.%s.svc.cluster.local\n" % (p["ip"], p["owner"], p["namespace"]))
        tmp = self.hosts_file + ".tmp"
        with open(tmp, "w") as f:
            f.writelines(lines)
        os.replace(tmp, self.hosts_file)
        if os.path.exists(self.dnsmasq_pid_file):
            with open(self.dnsmasq_pid_file) as f:
                pid = int(f.read().strip() or 0)
            if pid:
                os.kill(pid, signal.SIGHUP)  # dnsmasq re-reads --addn-hosts on SIGHUP

    # ------------------------------------------------------------ topology

    def setup_node(self):
        n, o = self.node, self.outside
        self.netns_add(n)
        self.sh("ip", "netns", "exec", n, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        self.sh("ip", "-n", n, "link", "add", "br0", "type", "bridge", "stp_state", "0")
        pin_bridge_mac(self, n, NODE_GW)
        self.sh("ip", "-n", n, "addr", "add", NODE_GW + "/24", "dev", "br0")
        self.sh("ip", "-n", n, "link", "set", "br0", "up")
        self.netns_add(o)
        self.sh("ip", "-n", n, "link", "add", "ext0", "type", "veth", "peer", "name", "eth0", "netns", o)
        self.sh("ip", "-n", n, "addr", "add", "203.0.113.1/24", "dev", "ext0")
        self.sh("ip", "-n", n, "link", "set", "ext0", "up")
        for a in (ATTACKER + "/24", PAYMENT + "/32", UPSTREAM_DNS + "/32"):
            self.sh("ip", "-n", o, "addr", "add", a, "dev", "eth0")
        self.sh("ip", "-n", o, "link", "set", "eth0", "up")
        self.sh("ip", "-n", o, "route", "add", "default", "via", "203.0.113.1")
        self.sh("ip", "-n", n, "route", "add", "198.51.100.0/24", "via", ATTACKER)
        lim = self.limit()
        self.outside_procs = [
            self.shop(o, "payment", "payment", lim, bind=PAYMENT,
                      c2_log=os.path.join(self.state, "c2.jsonl") if self.sc["attack"] == "beacon" else None),
            self.shop(o, "upstream-dns", "upstream-dns", lim, bind=UPSTREAM_DNS),
            self.shop(o, "attacker", "attacker", lim, bind=ATTACKER, log=os.path.join(self.state, "attacker.jsonl")),
        ]

    def add_pod(self, owner, namespace, name, labels, in_dns=True):
        octet = self.next_octet
        self.next_octet += 1 if self.rng.random() < 0.6 else self.rng.randint(2, 4)
        ip = "10.244.0.%d" % octet
        netns = "%s-p%d" % (self.prefix, octet)
        # The add is logged before the pod can send anything.
        ts = self.event("add", "pod", name, namespace, ip, labels, owner)
        self.netns_add(netns)
        self.sh("ip", "-n", self.node, "link", "add", "v%d" % octet, "type", "veth", "peer", "name", "eth0",
                "netns", netns)
        self.sh("ip", "-n", self.node, "link", "set", "v%d" % octet, "master", "br0", "up")
        self.sh("ip", "-n", netns, "addr", "add", ip + "/24", "dev", "eth0")
        self.sh("ip", "-n", netns, "link", "set", "eth0", "up")
        self.sh("ip", "-n", netns, "route", "add", "default", "via", NODE_GW)
        pod = {"name": name, "ip": ip, "namespace": namespace, "netns": netns, "owner": owner, "labels": labels,
               "procs": [], "added_ns": ts, "deleted_ns": None, "in_dns": in_dns, "octet": octet}
        self.pods[name] = pod
        return pod

    def deployment_pod(self, svc, namespace="default"):
        h = self.hashes.setdefault(svc, self.suffix(self.rng.choice([9, 10])))
        name = "%s-%s-%s" % (svc, h, self.suffix(5))
        return self.add_pod(svc, namespace, name, {"name": svc, "pod-template-hash": h})

    def start_service(self, pod):
        svc = pod["owner"]
        if svc == "shop-db":
            argv = ["redis-server", "--bind", "0.0.0.0", "--port", "6379", "--save", "", "--appendonly", "no",
                    "--protected-mode", "no", "--daemonize", "no", "--loglevel", "warning"]
            pod["procs"].append(self.spawn(pod["netns"], argv, "redis", self.limit()))
            time.sleep(0.5)
            seed = self.shop(pod["netns"], "seed-db", "seed-db", 60)
            if seed.wait(60) != 0:
                raise RuntimeError("seeding redis failed; see %s/log-seed-db.txt" % self.state)
            return
        extra = {}
        if svc == "front-end":
            extra["feature_file"] = os.path.join(self.state, "feature-" + NEW_SERVICE)
        if svc == "orders" and self.sc["attack"] == "stealthy_exfil":
            extra["implant_file"] = os.path.join(self.state, "implant.json")
        if svc in ADMIN_LISTEN and self.sc["attack"] == "admin_probe":
            port, kind = ADMIN_LISTEN[svc]
            extra["admin"] = {"port": port, "kind": kind}
        pod["procs"].append(self.shop(pod["netns"], svc, pod["name"], self.limit(), bind=pod["ip"],
                                      dns=self.dns_ip, **extra))

    def setup_cluster(self):
        self.hashes = {}
        for svc, ns, port, sel in SERVICES:
            cip = "10.96.0.10" if svc == "kube-dns" else "10.96.%d.%d" % (self.rng.randint(1, 254),
                                                                         self.rng.randint(2, 254))
            self.services[svc] = {"cluster_ip": cip, "namespace": ns, "port": port, "selector": sel}
        # kube-dns first, as in a cluster; services are objects with a ClusterIP nobody dials.
        self.event("add", "service", "kube-dns", "kube-system", "10.96.0.10", {"k8s-app": "kube-dns"}, "kube-dns")
        h = self.suffix(10)
        dns = self.add_pod("kube-dns", "kube-system", "kube-dns-%s-%s" % (h, self.suffix(5)),
                           {"k8s-app": "kube-dns", "pod-template-hash": h})
        self.dns_ip = dns["ip"]
        for svc, ns, port, sel in SERVICES[1:]:
            self.event("add", "service", svc, ns, self.services[svc]["cluster_ip"], sel, svc)
        open(self.hosts_file, "w").close()
        conf = ["--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
                "--addn-hosts=" + self.hosts_file, "--server=" + UPSTREAM_DNS,
                "--server=/t.cdn-sync.net/" + ATTACKER, "--local=/cluster.local/",
                "--listen-address=" + dns["ip"], "--bind-interfaces", "--local-ttl=5", "--cache-size=1000",
                "--pid-file=" + self.dnsmasq_pid_file, "--user=root", "--group=root",
                "--log-facility=" + os.path.join(self.state, "dnsmasq.log")]
        dns["procs"].append(self.spawn(dns["netns"], ["dnsmasq"] + conf, "dnsmasq", self.limit()))
        for _ in range(50):
            if os.path.exists(self.dnsmasq_pid_file) and open(self.dnsmasq_pid_file).read().strip():
                break
            time.sleep(0.1)
        db = self.add_pod("shop-db", "default", "shop-db-0",
                          {"name": "shop-db", "app.kubernetes.io/component": "database"})
        self.start_service(db)
        self.write_hosts()
        for svc in ("catalogue", "user", "carts", "orders", "front-end"):
            for _ in range(REPLICAS[svc]):
                self.start_service(self.deployment_pod(svc))
                time.sleep(0.2)
        self.write_hosts()
        lh = self.suffix(9)
        self.loadtest = self.add_pod("load-test", "loadtest", "load-test-%s-%s" % (lh, self.suffix(5)),
                                     {"name": "load-test", "pod-template-hash": lh}, in_dns=False)
        time.sleep(1.0)

    # ------------------------------------------------------------ churn

    def replace_front_end(self):
        old = [p for p in self.pods.values() if p["owner"] == "front-end" and not p["deleted_ns"]][-1]
        new = self.deployment_pod("front-end")
        self.start_service(new)
        time.sleep(0.5)
        self.write_hosts()
        self.say("churn: added %s %s" % (new["name"], new["ip"]))
        return old, new

    def terminate_dns(self, pod):
        pod["in_dns"] = False  # endpoints removed first, as Kubernetes does for a Terminating pod
        self.write_hosts()

    def kill_pod(self, pod):
        for p in pod["procs"]:
            self.stop(p)
        time.sleep(2.0)  # let the FIN exchanges of the closed sockets finish
        self.sh("ip", "netns", "del", pod["netns"])
        try:
            self.sh("ip", "-n", self.node, "link", "del", "v%d" % pod["octet"])
        except RuntimeError:
            pass  # the veth went away with the namespace
        pod["deleted_ns"] = self.event("delete", "pod", pod["name"], pod["namespace"], pod["ip"], pod["labels"],
                                       pod["owner"])
        self.say("churn: deleted %s %s" % (pod["name"], pod["ip"]))

    def scale_carts(self):
        new = self.deployment_pod("carts")
        self.start_service(new)
        time.sleep(0.5)
        self.write_hosts()
        self.say("churn: scaled carts to 2, added %s %s" % (new["name"], new["ip"]))
        return new

    def deploy_service(self, svc):
        """A release: the Service object, then its Deployment's pods, then (2 s later) the
        front-end's feature flag that makes it call the new service."""
        cip = "10.96.%d.%d" % (self.rng.randint(1, 254), self.rng.randint(2, 254))
        sel = {"name": svc}
        self.services[svc] = {"cluster_ip": cip, "namespace": "default", "port": 80, "selector": sel}
        ts = self.event("add", "service", svc, "default", cip, sel, svc)
        pods = []
        for _ in range(2):
            pod = self.deployment_pod(svc)
            self.start_service(pod)
            pods.append(pod)
            time.sleep(0.2)
        time.sleep(0.5)
        self.write_hosts()
        time.sleep(2.0)
        flag = os.path.join(self.state, "feature-" + svc)
        with open(flag + ".tmp", "w") as f:
            f.write("on\n")
        os.replace(flag + ".tmp", flag)
        t0 = self.t0
        change = {"id": "C1", "type": "new_service", "service": svc, "namespace": "default", "cluster_ip": cip,
                  "port": 80, "kind": "Deployment", "replicas": 2, "pods": [p["name"] for p in pods],
                  "pod_ips": [p["ip"] for p in pods], "time": ts / 1e9, "time_rel": round(ts / 1e9 - t0, 3),
                  "time_rfc3339": rfc3339(ts), "pods_added_rel": [round(p["added_ns"] / 1e9 - t0, 3) for p in pods],
                  "calls": ["catalogue", "user"], "called_by": ["front-end"],
                  "callers_enabled_rel": round(time.time() - t0, 3),
                  "notes": "the Service is added first, then the 2 pods; the front-end starts calling it "
                           "(GET / and GET /basket) at callers_enabled_rel; it calls catalogue:80 for every "
                           "request and user:80 when the request names a customer"}
        self.changes.append(change)
        self.churn.append({"type": "new-service", "service": svc, "added": change["pods"],
                           "added_ip": change["pod_ips"], "t_rel": change["time_rel"]})
        self.say("change: deployed %s %s" % (svc, change["pod_ips"]))

    # ------------------------------------------------------------ attacks

    def live(self, owner):
        return [p for p in self.pods.values() if p["owner"] == owner and not p["deleted_ns"]]

    def start_attack(self, kind):
        attackplan.launch(self, kind)

    # ------------------------------------------------------------ the run

    def run(self):
        dur = self.sc["duration"]
        self.say("setting up namespaces (prefix %s, seed %d)" % (self.prefix, self.seed))
        self.setup_node()
        self.setup_cluster()
        self.start_capture(dur)
        self.t0 = time.time()
        t0 = self.t0
        self.say("capture started")
        self.loadtest["procs"].append(self.shop(self.loadtest["netns"], "load-test", "load-test", dur + 30,
                                                dns=self.dns_ip, deadline=t0 + dur - 4, virtual_users=VUSERS,
                                                think=THINK))

        replace_at = 60 + self.rng.uniform(-3, 3)
        scale_at = 180 + self.rng.uniform(-5, 5)
        attack_at = 100 + self.rng.uniform(-4, 4) if self.sc["attack"] else None
        if attack_at is not None and self.attack_at is not None:
            attack_at = self.attack_at
        plan = [(replace_at, "replace"), (scale_at, "scale")]
        if attack_at is not None:
            plan.append((attack_at - (1.0 if self.sc["attack"] == "multi_hop" else 0.0), "attack"))
        if self.sc.get("change"):
            change_at = 120 + self.rng.uniform(-3, 3)
            plan.append((self.attack_at if self.attack_at is not None else change_at, "change"))
        plan = sorted(p for p in plan if p[0] < dur - 12)
        state = {}
        queue = list(plan)
        while queue:
            at, what = queue.pop(0)
            time.sleep(max(0.0, t0 + at - time.time()))
            if what == "replace":
                old, new = self.replace_front_end()
                state["old"], state["new"] = old, new
                queue += [(at + 1.0, "unlist-old"), (at + 7.0, "kill-old")]
                queue.sort()
            elif what == "unlist-old":
                self.terminate_dns(state["old"])
            elif what == "kill-old":
                self.kill_pod(state["old"])
                self.churn.append({"type": "replace", "deleted": state["old"]["name"],
                                   "deleted_ip": state["old"]["ip"], "added": state["new"]["name"],
                                   "added_ip": state["new"]["ip"],
                                   "t_rel": round(state["old"]["deleted_ns"] / 1e9 - t0, 3)})
            elif what == "scale":
                new = self.scale_carts()
                self.churn.append({"type": "scale-up", "deployment": "carts", "added": new["name"],
                                   "added_ip": new["ip"], "replicas": 2,
                                   "t_rel": round(new["added_ns"] / 1e9 - t0, 3)})
            elif what == "attack":
                self.start_attack(self.sc["attack"])
            elif what == "change":
                self.deploy_service(NEW_SERVICE)
        for p in self.attack_procs:
            p.wait(max(1, t0 + dur - 6 - time.time()))
        for path in (self.attack or {}).get("outs", []):  # the orders implant is no process of its own
            while not os.path.exists(path) and time.time() < t0 + dur - 6:
                time.sleep(0.2)
        time.sleep(max(0.0, t0 + dur - time.time()))
        self.stop_capture()
        self.t_end = time.time()
        self.say("capture stopped")

    def start_capture(self, dur):
        cap = os.path.join(self.state, "capture.pcapng")
        self.dumpcap = self.spawn(self.node, ["dumpcap", "-i", "br0", "-w", cap], "dumpcap", dur + 60,
                                  stop_signal="INT")
        self.wait_log("dumpcap", b"Capturing on")

    def wait_log(self, tag, text):
        """Wait until a capture process says it is capturing (its log-TAG.txt holds text)."""
        err = os.path.join(self.state, "log-%s.txt" % tag)
        for _ in range(100):
            if os.path.exists(err) and text in open(err, "rb").read():
                return
            time.sleep(0.05)
        raise RuntimeError("%s did not start; see %s" % (tag, err))

    def stop_capture(self):
        self.stop(self.dumpcap, grace=10)

    def teardown(self):
        """Stop every process we started (by process group) and delete our namespaces."""
        pids = []
        if os.path.exists(os.path.join(self.state, "pids")):
            pids = [int(x) for x in open(os.path.join(self.state, "pids")).read().split()]
        for pid in pids:
            try:
                os.killpg(pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(1.0)
        for pid in pids:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if os.path.exists(os.path.join(self.state, "netns")):
            for ns in reversed(open(os.path.join(self.state, "netns")).read().split()):
                subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30)

    # ------------------------------------------------------------ outputs

    @staticmethod
    def gzip_file(src_path, dst_path):
        with open(src_path, "rb") as src, gzip.GzipFile(dst_path, "wb", compresslevel=9, mtime=0) as dst:
            shutil.copyfileobj(src, dst)

    def write_capture(self):
        self.gzip_file(os.path.join(self.state, "capture.pcapng"), os.path.join(self.out, "capture.pcapng.gz"))

    def write_outputs(self):
        os.makedirs(self.out, exist_ok=True)
        t0 = self.t0
        self.write_capture()
        events = sorted(self.events, key=lambda e: e["ts_ns"])
        outputs.write_entities(self, events)
        outputs.write_pickle(self, events, t0)
        gt = outputs.ground_truth(self, outputs.attack_truth(self, t0), t0)
        meta = outputs.metadata(self, t0, REPLICAS, VUSERS, THINK)
        self.adjust_outputs(gt, meta)
        with open(os.path.join(self.out, "ground_truth.json"), "w") as f:
            json.dump(gt, f, indent=1)
        with open(os.path.join(self.out, "metadata.json"), "w") as f:
            json.dump(meta, f, indent=1)

    def capture_stats(self):
        text = open(os.path.join(self.state, "log-dumpcap.txt"), errors="replace").read()
        # dumpcap's final report; its running "Packets: N" counter is left out.
        return re.findall(r"Packets captured: \d+|Packets received/dropped on interface[^\n]*", text)

    def adjust_outputs(self, gt, meta):
        """Hook for a topology with other capture files (twonode.py)."""


def main():
    ap = argparse.ArgumentParser(description="build one capture scenario in network namespaces")
    ap.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    ap.add_argument("--out", required=True, help="scenario directory to write")
    ap.add_argument("--state", required=True, help="scratch directory (pids, netns, logs, raw capture)")
    ap.add_argument("--duration", type=float, help="override the capture length (smoke tests)")
    ap.add_argument("--attack-at", type=float,
                    help="override the attack start (or new-service's deployment), s after capture start")
    a = ap.parse_args()
    os.makedirs(a.state, exist_ok=True)
    cls = Run
    if SCENARIOS[a.scenario].get("topology") == "two-node":
        import twonode  # noqa: E402 (it builds on this module)
        cls = twonode.TwoNode
    r = cls(a.scenario, a.out, a.state)
    if a.duration:
        r.sc = dict(r.sc, duration=a.duration)
    r.attack_at = a.attack_at

    def on_signal(signum, frame):
        raise KeyboardInterrupt("signal %d" % signum)

    signal.signal(signal.SIGTERM, on_signal)
    try:
        r.run()
    finally:
        r.teardown()
    r.write_outputs()
    r.say("wrote %s" % a.out)


if __name__ == "__main__":
    main()
