// Package record records a cluster's entity log: it watches pods and
// services with client-go informers and writes each change as a line of
// the JSON Lines format that package entities reads, timed when it was
// observed.
//
// # What is written
//
// One line per change, {"ts", "op", "kind", "name", "namespace", "ip",
// "ips", "labels", "controller", "host_network", "status", "created",
// "started", "deleted"}, empty optional fields left out:
//
//   - ts is when the recorder saw the change (Options.Now, UTC, nine
//     digits): the time the timeline uses. created, started and deleted
//     are the object's metadata.creationTimestamp, status.startTime and
//     metadata.deletionTimestamp (whole seconds, by the API server's
//     clock), for reference.
//   - A pod is live while it has an address (status.podIP, podIPs) and
//     its phase is not Succeeded or Failed (which release it). A service
//     is always live; ip is its ClusterIP, "" when headless or
//     ExternalName. ips lists every address of a dual-stack entity.
//   - labels are a pod's labels or a service's selector; controller is a
//     pod's workload (entities.ControllerName: the Deployment behind a
//     ReplicaSet, a StatefulSet, DaemonSet, Job or CronJob). owner is
//     never written: the loader resolves a pod to the service whose
//     selector matches, which the log records, then to controller.
//   - A change is a difference in addresses, labels, controller or host
//     network: the old entity is deleted and the new one added (an add
//     alone when it was not live, a delete alone when it is no longer).
//     Status and timestamps alone write nothing.
//   - An address taken by a pod while another pod (neither on the host
//     network) still holds it in the log deletes the other pod first, and
//     that pod is not added back on that address: its object lags behind
//     the release (it is terminating). Nor is a pod being deleted
//     (deletionTimestamp set) added on an address a pod in the log holds.
//     Without this the timeline would see two pods on one address and
//     group them as host-network pods.
//
// # Start, reconnects, appending
//
// Run first lists the cluster (the informers' initial list) and writes
// the difference between the log's state (Options.Prior, replayed in
// file order; empty for a new log) and the cluster: deletes for entities
// that are gone, then adds for every entity that is new or changed,
// services first, by namespace and name. For a new log that is the
// current state. With a namespace, entities of other namespaces in the
// prior log are left alone.
//
// After that every informer event is reconciled against the state last
// written, reading the object back from the informer's cache, so a relist
// after a reconnect or a resync writes only real differences, never a
// duplicate add.
//
// Each line is written with one Write call; OpenLog opens a file in
// append mode, so a reader following the file sees whole lines (it must
// still wait for the newline, as with any growing file).
package record
