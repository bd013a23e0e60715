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
	// Labels are a pod's labels, or a service's selector.
	Labels map[string]string
	// Owner is the service the log names explicitly, "" when it names none.
	Owner string
	// Status is the pod phase, or for services whatever the log recorded.
	Status string
	// HostNetwork is true when the log says the pod uses the node's network.
	HostNetwork bool
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
