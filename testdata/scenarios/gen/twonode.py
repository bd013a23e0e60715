"""The shop on two nodes joined by a VXLAN overlay, captured per node and per pod (issue 9).

Used by orchestrate.py for the scenario "two-node". Topology (namespaces <prefix>-*):

  node-a (netns <prefix>-na): br0 10.244.0.1/24 with front-end, catalogue, shop-db, kube-dns;
          ext0 203.0.113.1/24 to the outside namespace (node-a is the cluster's egress);
          ul0 192.168.50.1/24, the underlay, a veth to node-b's ul0;
          vxlan0 VNI 1, UDP 8472 (flannel's port), local 192.168.50.1 remote 192.168.50.2,
          10.244.0.0/32, routes 10.244.1.0/24 via 10.244.1.0 onlink.
  node-b (netns <prefix>-nb): br0 10.244.1.1/24 with user, carts, orders, load-test;
          ul0 192.168.50.2/24; vxlan0 10.244.1.0/32, routes 10.244.0.0/24 and the default
          route via 10.244.0.0 onlink (outside traffic of node-b's pods crosses the overlay
          to node-a, like an egress gateway; no NAT anywhere, as in the single-node scenarios).

Every pod's eth0, the veths, br0 and vxlan0 have MTU 1450, as flannel sets them. TSO, GSO
and GRO are off on every interface, so each captured frame is one wire packet wherever it is
seen (the single-node scenarios keep the defaults and hold GSO frames up to 2069 B).

Captures: `tcpdump -i any` in each node's namespace (Linux cooked v2, with the interface
index of each copy) and `tcpdump -i eth0` in each pod's namespace, all nanosecond pcap.
node-b's capture is shifted by CLOCK_OFFSET_B (editcap -t) to give clock-offset estimation a
known answer; one machine has one clock, so the shift is the only offset there is.
"""

import os
import re
import subprocess
import time

import orchestrate as oc

NODES = {
    "a": {"cidr": "10.244.0", "gw": "10.244.0.1", "ul": "192.168.50.1", "vtep": "10.244.0.0",
          "mac": "0e:6d:69:00:00:0a"},
    "b": {"cidr": "10.244.1", "gw": "10.244.1.1", "ul": "192.168.50.2", "vtep": "10.244.1.0",
          "mac": "0e:6d:69:00:00:0b"},
}
NODE_OF = {"front-end": "a", "catalogue": "a", "shop-db": "a", "kube-dns": "a",
           "user": "b", "carts": "b", "orders": "b", "load-test": "b"}
VNI, VXLAN_PORT, MTU = 1, 8472, 1450
CLOCK_OFFSET_B = 0.0375  # s added to every timestamp of node-b's committed capture
OFFLOADS = ["tso", "off", "gso", "off", "gro", "off"]


def other(k):
    return "b" if k == "a" else "a"


class TwoNode(oc.Run):
    def node_ns(self, k):
        return "%s-n%s" % (self.prefix, k)

    def ethtool(self, ns, dev):
        self.sh("ip", "netns", "exec", ns, "ethtool", "-K", dev, *OFFLOADS)

    def setup_node(self):
        self.node_next = {}
        self.ifaces = {"a": {}, "b": {}}
        for k, nd in NODES.items():
            ns = self.node_ns(k)
            self.netns_add(ns)
            self.sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1")
            self.sh("ip", "-n", ns, "link", "add", "br0", "type", "bridge", "stp_state", "0")
            self.sh("ip", "-n", ns, "link", "set", "br0", "mtu", str(MTU))
            oc.pin_bridge_mac(self, ns, nd["gw"])
            self.sh("ip", "-n", ns, "addr", "add", nd["gw"] + "/24", "dev", "br0")
            self.sh("ip", "-n", ns, "link", "set", "br0", "up")
            self.ethtool(ns, "br0")
            self.node_next[k] = self.rng.randint(5, 9)
        a, b = self.node_ns("a"), self.node_ns("b")
        self.sh("ip", "-n", a, "link", "add", "ul0", "type", "veth", "peer", "name", "ul0", "netns", b)
        for k, nd in NODES.items():
            ns, peer = self.node_ns(k), NODES[other(k)]
            self.sh("ip", "-n", ns, "addr", "add", nd["ul"] + "/24", "dev", "ul0")
            self.sh("ip", "-n", ns, "link", "set", "ul0", "up")
            self.ethtool(ns, "ul0")
            self.sh("ip", "-n", ns, "link", "add", "vxlan0", "type", "vxlan", "id", str(VNI), "dstport",
                    str(VXLAN_PORT), "local", nd["ul"], "remote", peer["ul"], "dev", "ul0", "nolearning")
            self.sh("ip", "-n", ns, "link", "set", "vxlan0", "address", nd["mac"], "mtu", str(MTU), "up")
            self.sh("ip", "-n", ns, "addr", "add", nd["vtep"] + "/32", "dev", "vxlan0")
            self.ethtool(ns, "vxlan0")
            # flannel's way: a permanent neighbour for the peer's VTEP, so no ARP crosses the overlay
            self.sh("ip", "-n", ns, "neigh", "add", peer["vtep"], "lladdr", peer["mac"], "dev", "vxlan0",
                    "nud", "permanent")
            self.sh("ip", "-n", ns, "route", "add", peer["cidr"] + ".0/24", "via", peer["vtep"], "dev", "vxlan0",
                    "onlink")
        self.sh("ip", "-n", b, "route", "add", "default", "via", NODES["a"]["vtep"], "dev", "vxlan0", "onlink")
        o = self.outside
        self.node = a  # the single-node code's "node" is the egress node
        self.netns_add(o)
        self.sh("ip", "-n", a, "link", "add", "ext0", "type", "veth", "peer", "name", "eth0", "netns", o)
        self.sh("ip", "-n", a, "addr", "add", "203.0.113.1/24", "dev", "ext0")
        self.sh("ip", "-n", a, "link", "set", "ext0", "up")
        self.ethtool(a, "ext0")
        for addr in (oc.ATTACKER + "/24", oc.PAYMENT + "/32", oc.UPSTREAM_DNS + "/32"):
            self.sh("ip", "-n", o, "addr", "add", addr, "dev", "eth0")
        self.sh("ip", "-n", o, "link", "set", "eth0", "up")
        self.ethtool(o, "eth0")
        self.sh("ip", "-n", o, "route", "add", "default", "via", "203.0.113.1")
        self.sh("ip", "-n", a, "route", "add", "198.51.100.0/24", "via", oc.ATTACKER)
        self.note_ifaces()
        lim = self.limit()
        self.outside_procs = [
            self.shop(o, "payment", "payment", lim, bind=oc.PAYMENT),
            self.shop(o, "upstream-dns", "upstream-dns", lim, bind=oc.UPSTREAM_DNS),
            self.shop(o, "attacker", "attacker", lim, bind=oc.ATTACKER,
                      log=os.path.join(self.state, "attacker.jsonl")),
        ]

    def note_ifaces(self):
        """Remember every node interface's index: the cooked captures name interfaces by index."""
        for k in NODES:
            for line in self.sh("ip", "-n", self.node_ns(k), "-o", "link", "show").splitlines():
                m = re.match(r"(\d+): ([^:@]+)", line)
                if m:
                    self.ifaces[k][m.group(1)] = m.group(2)

    def add_pod(self, owner, namespace, name, labels, in_dns=True):
        k = NODE_OF[owner]
        octet = self.node_next[k]
        self.node_next[k] += 1 if self.rng.random() < 0.6 else self.rng.randint(2, 4)
        ip = "%s.%d" % (NODES[k]["cidr"], octet)
        node, netns = self.node_ns(k), "%s-%s%d" % (self.prefix, k, octet)
        ts = self.event("add", "pod", name, namespace, ip, labels, owner)
        self.netns_add(netns)
        veth = "v%d" % octet
        self.sh("ip", "-n", node, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", netns)
        self.sh("ip", "-n", node, "link", "set", veth, "master", "br0", "mtu", str(MTU), "up")
        self.sh("ip", "-n", netns, "link", "set", "eth0", "mtu", str(MTU))
        self.sh("ip", "-n", netns, "addr", "add", ip + "/24", "dev", "eth0")
        self.sh("ip", "-n", netns, "link", "set", "eth0", "up")
        self.ethtool(node, veth)
        self.ethtool(netns, "eth0")
        self.sh("ip", "-n", netns, "route", "add", "default", "via", NODES[k]["gw"])
        self.note_ifaces()
        pcap = os.path.join(self.state, "pod-%s.pcap" % name)
        tag = "tcpdump-" + name
        dump = self.spawn(netns, ["tcpdump", "-i", "eth0", "-Z", "root", "--time-stamp-precision=nano", "-w", pcap],
                          tag, self.limit(), stop_signal="INT")
        self.wait_log(tag, b"listening on")
        pod = {"name": name, "ip": ip, "namespace": namespace, "netns": netns, "owner": owner, "labels": labels,
               "procs": [], "added_ns": ts, "deleted_ns": None, "in_dns": in_dns, "octet": octet, "node": k,
               "veth": veth, "pcap": pcap, "tcpdump": dump}
        self.pods[name] = pod
        return pod

    def kill_pod(self, pod):
        for p in pod["procs"]:
            self.stop(p)
        time.sleep(2.0)  # let the FIN exchanges of the closed sockets finish
        self.stop(pod["tcpdump"], grace=5)
        self.sh("ip", "netns", "del", pod["netns"])
        try:
            self.sh("ip", "-n", self.node_ns(pod["node"]), "link", "del", pod["veth"])
        except RuntimeError:
            pass  # the veth went away with the namespace
        pod["deleted_ns"] = self.event("delete", "pod", pod["name"], pod["namespace"], pod["ip"], pod["labels"],
                                       pod["owner"])
        self.say("churn: deleted %s %s" % (pod["name"], pod["ip"]))

    def start_capture(self, dur):
        self.node_dumps = {}
        for k in NODES:
            tag = "tcpdump-node-" + k
            self.node_dumps[k] = self.spawn(
                self.node_ns(k), ["tcpdump", "-i", "any", "-Z", "root", "--time-stamp-precision=nano", "-w",
                                  os.path.join(self.state, "node-%s.pcap" % k)], tag, dur + 60, stop_signal="INT")
            self.wait_log(tag, b"listening on")

    def stop_capture(self):
        for p in self.node_dumps.values():
            self.stop(p, grace=10)
        for pod in self.pods.values():
            if not pod["deleted_ns"]:
                self.stop(pod["tcpdump"], grace=10)

    def capture_stats(self):
        out = []
        for k in NODES:
            text = open(os.path.join(self.state, "log-tcpdump-node-%s.txt" % k), errors="replace").read()
            out += ["node-%s: %s" % (k, s) for s in re.findall(r"\d+ packets? (?:captured|received by filter|"
                                                               r"dropped by kernel)", text)]
        return out

    def write_capture(self):
        st, out = self.state, self.out
        self.gzip_file(os.path.join(st, "node-a.pcap"), os.path.join(out, "node-a.pcap.gz"))
        shifted = os.path.join(st, "node-b.shifted.pcap")
        subprocess.run(["editcap", "-F", "nsecpcap", "-t", "%.4f" % CLOCK_OFFSET_B, os.path.join(st, "node-b.pcap"),
                        shifted], check=True, capture_output=True, timeout=120)
        self.gzip_file(shifted, os.path.join(out, "node-b.pcap.gz"))
        os.makedirs(os.path.join(out, "pods"), exist_ok=True)
        for pod in self.pods.values():
            self.gzip_file(pod["pcap"], os.path.join(out, "pods", pod["name"] + ".pcap.gz"))

    def adjust_outputs(self, gt, meta):
        gt["capture_file"] = "node-a.pcap.gz"
        gt["capture_files"] = ["node-a.pcap.gz", "node-b.pcap.gz"]
        gt["pod_captures"] = {p["name"]: "pods/%s.pcap.gz" % p["name"] for p in self.pods.values()}
        meta["capture_file"] = "node-a.pcap.gz"
        meta["capture_files"] = gt["capture_files"]
        meta["capture_format"] = "pcap (nanosecond, gzip), LINUX_SLL2 for the nodes, Ethernet for the pods"
        meta["capture_tool"] = "tcpdump -i any in each node's netns; tcpdump -i eth0 in each pod's netns"
        meta["capture_interface"] = "any (node-a and node-b); eth0 of every pod (pods/)"
        meta["ip_plan"]["pod_cidr"] = "10.244.0.0/16 (node-a 10.244.0.0/24, node-b 10.244.1.0/24)"
        meta["ip_plan"]["gateway_node_bridge"] = {"node-a": NODES["a"]["gw"], "node-b": NODES["b"]["gw"]}
        for name, d in meta["ip_plan"]["pods"].items():
            d["node"] = "node-" + self.pods[name]["node"]
            d["capture"] = "pods/%s.pcap.gz" % name
        meta["nodes"] = {"node-" + k: self.node_meta(k) for k in NODES}
        meta["overlay"] = {"type": "vxlan", "vni": VNI, "udp_dstport": VXLAN_PORT, "mtu": MTU,
                           "underlay": "192.168.50.0/24 on veth ul0 between the node namespaces",
                           "note": "tshark decodes VXLAN on 4789 only; add -d udp.port==8472,vxlan for the inner "
                                   "packets"}
        meta["offloads"] = "tso, gso and gro off on every interface: each captured frame is one wire packet"
        meta["clock"] = {"node-b_offset_s": CLOCK_OFFSET_B,
                         "note": "all namespaces share one kernel clock; node-b.pcap.gz's timestamps were shifted "
                                 "by +%.4f s with editcap -t after the capture (true time = node-b time - %.4f s); "
                                 "node-a and the pod captures are unshifted" % (CLOCK_OFFSET_B, CLOCK_OFFSET_B)}
        meta["generator"] = "testdata/scenarios/gen/generate.sh two-node"

    def node_meta(self, k):
        nd, peer = NODES[k], NODES[other(k)]
        d = {"netns": self.node_ns(k), "capture": "node-%s.pcap.gz" % k, "capture_command": "tcpdump -i any",
             "clock_offset_s": CLOCK_OFFSET_B if k == "b" else 0.0,
             "pod_cidr": nd["cidr"] + ".0/24", "bridge": {"dev": "br0", "addr": nd["gw"] + "/24", "mtu": MTU},
             "underlay": {"dev": "ul0", "addr": nd["ul"] + "/24"},
             "vxlan": {"dev": "vxlan0", "vni": VNI, "dstport": VXLAN_PORT, "local": nd["ul"], "remote": peer["ul"],
                       "addr": nd["vtep"] + "/32", "mac": nd["mac"], "mtu": MTU},
             "routes": ["%s.0/24 via %s dev vxlan0 onlink" % (peer["cidr"], peer["vtep"])],
             "pods": sorted(p["name"] for p in self.pods.values() if p["node"] == k),
             "interfaces": {i: n for i, n in sorted(self.ifaces[k].items(), key=lambda kv: int(kv[0]))}}
        if k == "a":
            d["outside_link"] = {"dev": "ext0", "addr": "203.0.113.1/24"}
            d["routes"].append("198.51.100.0/24 via 203.0.113.10")
        else:
            d["routes"].append("default via %s dev vxlan0 onlink" % peer["vtep"])
        return d
