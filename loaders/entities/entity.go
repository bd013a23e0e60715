package entities

import "net/netip"

// Kind is what an entity is.
type Kind uint8

const (
	Pod Kind = iota
	Service
)

func (k Kind) String() string {
	if k == Service {
		return "service"
	}
	return "pod"
}

// Op is what happened to an entity.
type Op uint8

const (
	Add Op = iota
	Delete
)

func (o Op) String() string {
	if o == Delete {
		return "delete"
	}
	return "add"
}

// Entity is a pod or a service as the log describes it.
type Entity struct {
	Kind      Kind
	Name      string
	Namespace string
	// IP is the pod IP or the service ClusterIP; invalid for a headless
	// service or a pod without an address yet.
	IP netip.Addr
	// ExtraIPs are a dual-stack entity's further addresses
	// (status.podIPs[1:], spec.clusterIPs[1:]); nil for most entities.
	ExtraIPs []netip.Addr
	// Labels are a pod's labels, or a service's selector.
	Labels map[string]string
	// Owner is the service the log names explicitly, "" when it names none.
	Owner string
	// Controller is the workload that owns a pod (from kubectl's
	// ownerReferences: the Deployment behind a ReplicaSet, a StatefulSet,
	// DaemonSet or Job), "" when the log does not say. It names the pod's
	// service when neither Owner nor a selector does.
	Controller string
	// Status is the pod phase, or for services whatever the log recorded.
	Status string
	// HostNetwork is true when the log says the pod uses the node's network.
	HostNetwork bool
}

// Addrs returns every address of the entity, IP first; nil when it has
// none (a headless service, a pending pod).
func (e *Entity) Addrs() []netip.Addr {
	if !e.IP.IsValid() {
		return nil
	}
	return append([]netip.Addr{e.IP}, e.ExtraIPs...)
}

// Event is one change in the log.
type Event struct {
	// At is Unix nanoseconds for absolute logs, or nanoseconds since the
	// log's "second 0" for relative ones (Log.Relative).
	At     int64
	Op     Op
	Entity Entity
	// Line is the 1-based line (or record) of the source that produced the
	// event, for error messages; 0 when unknown.
	Line int
}

// Format names an entity-log format.
type Format string

const (
	FormatPickle       Format = "mimir-pickle"
	FormatJSONL        Format = "jsonl"
	FormatKubectlList  Format = "kubectl-list"
	FormatKubectlWatch Format = "kubectl-watch"
)

// Log is a parsed entity log: its events in time order (stable for equal
// times, in source order).
type Log struct {
	Name   string
	Format Format
	// Relative logs (the MIMIR pickle) count time from a "second 0" that is
	// bound to the capture's first packet when a Timeline is built.
	Relative bool
	Events   []Event
}
