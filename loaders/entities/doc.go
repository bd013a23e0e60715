// Package entities loads logs of which IP belonged to which pod or service
// over time, and answers "which entity held IP x at time t".
//
// # Formats
//
// Load and Parse detect the format from the content, never from the file
// name (Detect; a gzip-compressed log is unwrapped first):
//
//   - FormatPickle: the original MIMIR cluster-creation log, a Python
//     pickle (protocols 0-2 as required; 3-5 are read too) of
//     {seconds_since_start: {name: (ip, '+'|'-', namespace, 'pod'|'svc',
//     labels, status)}}. Python 2 S'…' strings (escapes decoded; bytes
//     that are not UTF-8 are read as Latin-1) and Python 3 V'…' strings are
//     both read. The log is Relative: its times count from "second 0".
//   - FormatJSONL: mimir-tui's JSON Lines, one event per line:
//     {"ts": RFC 3339, "op": "add"|"delete", "kind": "pod"|"service",
//     "name", "namespace", "ip", "labels": {…}, "owner"}, optionally
//     "host_network", "status", "controller", "ips" (every address of a
//     dual-stack entity) and the object's own timestamps "created",
//     "started" and "deleted" (as mimir-tui record writes them: checked to
//     be RFC 3339, otherwise unused; "ts", the time the change was
//     observed, alone times the event). Blank lines and lines starting
//     with # are skipped, unknown fields ignored.
//   - FormatKubectlList: `kubectl get pods,svc -A -o json`.
//   - FormatKubectlWatch: `kubectl get pods,svc -A --watch
//     --output-watch-events -o json` (also bare objects, as printed without
//     --output-watch-events).
//
// Unpickling is guarded: the pickle's opcodes are checked (lengths against
// the bytes that remain, stack and nesting depth, number sizes) before
// gopickle sees them, and opcodes that build Python objects (GLOBAL,
// REDUCE, …) are refused. Inputs beyond MaxDocument, MaxPickle, MaxLine or
// MaxEvents are refused with ErrTooLarge. Errors are *ParseError, naming
// the file and the line, record or pickle key.
//
// # Pickle semantics
//
// The keys are replayed in time order, the entries of one key by name.
//
//   - A key holds a full listing when it is the first non-empty key, or
//     when it lists more than one entity and at least half of those live
//     just before it. (The MIMIR logs list everything at 0, 1, 1001, 2001,
//     …; a change key lists one or two entities.) An entity live before a
//     full listing and absent from it went away at that key's time.
//   - '-' deletes the entity. A '+' for a live entity with the same kind,
//     namespace and address changes nothing (its status is remembered); a
//     new address, kind or namespace is a delete and an add.
//   - A pod listed with the address of a live pod whose last status is
//     terminal (Terminating, Succeeded, Failed, Completed, Error, Evicted)
//     takes the address over: the old pod is deleted at that key.
//   - "None", "<none>" and "" addresses are no address (a headless
//     service); labels "<none>" are no labels.
//
// # kubectl semantics
//
// A pod's address is its status.podIP and status.podIPs, a service's its
// spec.clusterIP and spec.clusterIPs ("None": headless, as is an
// ExternalName service). Pods without an address are left out.
//
//   - List: a pod is added at status.startTime (else
//     metadata.creationTimestamp), a service at creationTimestamp; either is
//     deleted at metadata.deletionTimestamp when set, and a pod whose phase
//     is Succeeded or Failed at its latest container finishedAt (else its
//     latest condition change).
//   - Watch: ADDED with an address adds at startTime (else
//     creationTimestamp); a MODIFIED where the address first appears or
//     changes adds (after deleting the old address) at the latest
//     status.conditions[].lastTransitionTime; a MODIFIED to Succeeded or
//     Failed deletes as in a List; DELETED deletes at deletionTimestamp,
//     else the latest timestamp anywhere in the object. BOOKMARK and ERROR
//     events are skipped.
//
// Pods owned by a controller (ownerReferences) carry its workload name in
// Entity.Controller: a ReplicaSet's Deployment (the ReplicaSet name without
// its pod-template-hash), a Job's name without a CronJob's scheduled-time
// suffix, or the StatefulSet or DaemonSet.
//
// # Timeline
//
// Build replays a log into a Timeline. A relative log's second 0 is
// Options.Start+Options.Offset; an absolute log moves by Options.Offset.
// Each live interval [add, delete) of an entity with an address is an
// Instance (a repeated add of the same address continues it; an add with
// another address starts a new one). An address reused by a new pod
// resolves to the new pod from its add time.
//
// Overlaps on one address are resolved so that at most one instance holds
// an address at any time:
//
//   - Pods overlapping on an address are host-network pods sharing a node
//     address (the MIMIR wordpress logs put seven kube-system pods on
//     10.0.2.15): the connected run of overlapping intervals becomes one
//     instance named node-<address>, Infra, with the pod names in Members.
//     A dual-stack node's groups with the same pods and interval are one
//     instance named after the first address (IPv4 first).
//   - Overlaps that involve a service (log lag) go to the later entity
//     from its start.
//
// Instance IDs number the instances by start time, then the order of
// their add events in the log, with groups after the instances that start
// at the same time.
//
// # A log that grows
//
// A JSON Lines log being written (by `mimir-tui record`) is followed with
// a Tail, which returns the events of each line once its newline is
// written. Rebuilt with Options.Previous, the timeline of the longer log
// keeps every ID the shorter one gave, so tags already handed out stay
// valid; an instance the longer log replaced (a pod that turned out to
// share its address: a host-network group from its start) keeps its ID,
// marked Superseded and without addresses. Otherwise the rebuilt timeline
// is the whole build's: the same resolution of every address at every
// instant.
//
// # Services, DNS and infrastructure
//
// A pod resolves to a service, in this order:
//
//  1. Entity.Owner, when the log names one;
//  2. the service of the same namespace whose non-empty selector is a
//     subset of the pod's labels; when several match, the one with the
//     most selector keys, then the lexicographically smallest name;
//  3. Entity.Controller (kubectl logs);
//  4. the pod name without its generated parts (BaseName):
//     name-<pod-template-hash>-<5 chars> (Deployment), name-<5 chars>
//     (DaemonSet, Job), name-<digits>-<5 chars> (CronJob),
//     name-<ordinal> (StatefulSet) all become name.
//
// A host-network group resolves to its own name. Services whose name no
// service object of the log carries appear in Services as Derived.
//
// Cluster DNS (Instance.DNS, ServiceInfo.DNS): an entity named kube-dns or
// coredns, one whose labels (a service: its selector) have k8s-app or
// app.kubernetes.io/name equal to kube-dns or coredns, or a pod resolving
// to a service named so.
//
// Infrastructure (Infra): kube-system entities other than cluster DNS,
// host-network pods and their groups, and the API server's service
// default/kubernetes.
//
// # Cluster ranges
//
// Options.ClusterCIDRs, when given, are the cluster's ranges. Otherwise
// they are inferred from the log, never hard-coded: for pod addresses and
// for service addresses separately (host-network pods left out: their
// addresses are the nodes'), per address family, the longest common
// prefix of the addresses, widened to at most /24 (IPv4) or /64 (IPv6). If
// that prefix is shorter than /8 (/32), the addresses are not one range
// and each distinct /16 (/48) they fall in is a range instead. Ranges
// inside others are dropped. For the shop demo, pods 10.244.0.8-29 give
// 10.244.0.0/24 (their common /27 widened) and services 10.96.0.10 …
// 10.96.254.45 give 10.96.0.0/16.
package entities
