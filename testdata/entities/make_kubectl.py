"""Writes shop-watch.json and shop-list.json: the shop-demo entity log as
kubectl would have printed it.

    python3 make_kubectl.py

shop-watch.json is what `kubectl get pods,svc -A --watch
--output-watch-events -o json` prints when started before the shop was
deployed (2026-11-24T12:25:54Z) and stopped at the end of the capture.
shop-list.json is `kubectl get pods,svc -A -o json` at the end of the capture
(2026-11-24T12:29:58Z). Both are built from ../shop-demo/entities.jsonl with
the object shapes of kubectl v1.30 (keys sorted, four-space indent). Kubernetes
timestamps have one-second resolution, so every time is the JSONL time
truncated to the second; a pod is created and accepted by the kubelet
(creationTimestamp, startTime) one second before its address appears.
"""
import json
import uuid
from datetime import datetime, timedelta, timezone

NODE, HOST_IP = "shop-node", "172.18.0.2"
rv = [41000]


def ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(s):
    # RFC 3339 with nanoseconds: Python keeps microseconds.
    base, frac = s.rstrip("Z").split(".")
    t = datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return t + timedelta(microseconds=int(frac[:6].ljust(6, "0")))


def uid(kind, ns, name):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "shop-demo/%s/%s/%s" % (kind, ns, name)))


def meta(kind, ev, created):
    rv[0] += 7
    m = {
        "creationTimestamp": ts(created),
        "labels": dict(ev["labels"]),
        "name": ev["name"],
        "namespace": ev["namespace"],
        "resourceVersion": str(rv[0]),
        "uid": uid(kind, ev["namespace"], ev["name"]),
    }
    return m


def service(ev):
    t = parse(ev["ts"]).replace(microsecond=0)
    m = meta("Service", ev, t)
    m["labels"] = {"app.kubernetes.io/part-of": "shop", "name": ev["name"]}
    if ev["namespace"] == "kube-system":
        m["labels"] = {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"}
    port = {"kube-dns": 53, "shop-db": 6379, "front-end": 8080}.get(ev["name"], 80)
    ports = [{"name": "http", "port": port, "protocol": "TCP", "targetPort": port}]
    if ev["name"] == "kube-dns":
        ports = [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                 {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53}]
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": m,
        "spec": {
            "clusterIP": ev["ip"],
            "clusterIPs": [ev["ip"]],
            "internalTrafficPolicy": "Cluster",
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "ports": ports,
            "selector": dict(ev["labels"]),
            "sessionAffinity": "None",
            "type": "ClusterIP",
        },
        "status": {"loadBalancer": {}},
    }


def owner(ev):
    name = ev["name"]
    if "pod-template-hash" in ev["labels"]:
        rs = name.rsplit("-", 1)[0]
        return {"apiVersion": "apps/v1", "blockOwnerDeletion": True, "controller": True,
                "kind": "ReplicaSet", "name": rs, "uid": uid("ReplicaSet", ev["namespace"], rs)}
    ss = name.rsplit("-", 1)[0]
    return {"apiVersion": "apps/v1", "blockOwnerDeletion": True, "controller": True,
            "kind": "StatefulSet", "name": ss, "uid": uid("StatefulSet", ev["namespace"], ss)}


def container(ev):
    c = ev["owner"]
    return {"image": "registry.local/shop/%s:1.4.2" % c, "imagePullPolicy": "IfNotPresent", "name": c,
            "resources": {}, "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File"}


def cond(typ, status, t):
    return {"lastProbeTime": None, "lastTransitionTime": ts(t), "status": status, "type": typ}


def pod(ev, stage, deleted=None):
    """stage: pending, scheduled, ip (address assigned), ready."""
    t_ip = parse(ev["ts"]).replace(microsecond=0)
    created = t_ip - timedelta(seconds=1)
    m = meta("Pod", ev, created)
    m["generateName"] = ev["name"].rsplit("-", 1)[0] + "-"
    m["ownerReferences"] = [owner(ev)]
    if deleted is not None:
        m["deletionGracePeriodSeconds"] = 0
        m["deletionTimestamp"] = ts(deleted)
    spec = {
        "containers": [container(ev)],
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": True,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "serviceAccount": "default",
        "serviceAccountName": "default",
        "terminationGracePeriodSeconds": 30,
    }
    status = {"phase": "Pending", "qosClass": "BestEffort"}
    if stage != "pending":
        spec["nodeName"] = NODE
        status["conditions"] = [cond("PodScheduled", "True", created)]
    if stage in ("ip", "ready"):
        ready = "True" if stage == "ready" else "False"
        t_ready = t_ip + timedelta(seconds=1) if stage == "ready" else created
        status = {
            "conditions": [
                cond("PodReadyToStartContainers", "True", t_ip),
                cond("Initialized", "True", created),
                cond("Ready", ready, t_ready),
                cond("ContainersReady", ready, t_ready),
                cond("PodScheduled", "True", created),
            ],
            "containerStatuses": [{
                "containerID": "containerd://" + uuid.uuid5(uuid.NAMESPACE_OID, ev["name"]).hex * 2,
                "image": container(ev)["image"],
                "imageID": "registry.local/shop/%s@sha256:%s" % (ev["owner"], uuid.uuid5(uuid.NAMESPACE_X500, ev["owner"]).hex * 2),
                "lastState": {},
                "name": ev["owner"],
                "ready": stage == "ready",
                "restartCount": 0,
                "started": True,
                "state": {"running": {"startedAt": ts(t_ip)}},
            }],
            "hostIP": HOST_IP,
            "hostIPs": [{"ip": HOST_IP}],
            "phase": "Running",
            "podIP": ev["ip"],
            "podIPs": [{"ip": ev["ip"]}],
            "qosClass": "BestEffort",
            "startTime": ts(created),
        }
    return {"apiVersion": "v1", "kind": "Pod", "metadata": m, "spec": spec, "status": status}


events = [json.loads(l) for l in open("../shop-demo/entities.jsonl") if l.strip()]
end = datetime(2026, 11, 24, 12, 29, 58, tzinfo=timezone.utc)

# The watch stream, in the order the API server would send it.
stream = []
for ev in events:
    if ev["kind"] == "service":
        stream.append((parse(ev["ts"]), "ADDED", service(ev)))
    elif ev["op"] == "add":
        t = parse(ev["ts"])
        stream.append((t - timedelta(seconds=1), "ADDED", pod(ev, "pending")))
        stream.append((t - timedelta(seconds=1) + timedelta(milliseconds=5), "MODIFIED", pod(ev, "scheduled")))
        stream.append((t, "MODIFIED", pod(ev, "ip")))
        stream.append((t + timedelta(seconds=1), "MODIFIED", pod(ev, "ready")))
    else:
        t = parse(ev["ts"])
        gone = t.replace(microsecond=0)
        stream.append((t, "MODIFIED", pod(ev, "ready", deleted=gone)))
        stream.append((t + timedelta(milliseconds=40), "DELETED", pod(ev, "ready", deleted=gone)))
stream.sort(key=lambda x: x[0])
for i, (_, _, obj) in enumerate(stream):
    obj["metadata"]["resourceVersion"] = str(41000 + 7 * i)  # increases along the stream
with open("shop-watch.json", "w") as f:
    for _, typ, obj in stream:
        f.write(json.dumps({"object": obj, "type": typ}, indent=4, sort_keys=True))
        f.write("\n")

# The List at the end of the capture: every object still there.
live = {}
for ev in events:
    key = (ev["kind"], ev["namespace"], ev["name"])
    if ev["op"] == "add":
        live[key] = ev
    else:
        live.pop(key, None)
items = []
for key in sorted(live, key=lambda k: (k[0] != "pod", k[1], k[2])):
    ev = live[key]
    items.append(pod(ev, "ready") if ev["kind"] == "pod" else service(ev))
for i, obj in enumerate(items):
    obj["metadata"]["resourceVersion"] = str(41000 + 7 * len(stream) + i)
with open("shop-list.json", "w") as f:
    json.dump({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}},
              f, indent=4, sort_keys=True)
    f.write("\n")
