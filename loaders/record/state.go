package record

import (
	"cmp"
	"slices"

	"github.com/mimir-tui/mimir-tui/loaders/entities"
)

// state is what the log says now: the live entities as last written.
type state struct {
	live map[key]rec
	// holder names the pod (not on the host network) holding each pod
	// address, to see an address taken over.
	holder map[string]key
	// lost holds the address a pod lost to another pod: its API object
	// still shows it (the pod is terminating) but the address is gone.
	lost map[key]string
}

func newState() *state {
	return &state{live: make(map[key]rec), holder: make(map[string]key), lost: make(map[key]string)}
}

// exclusive reports whether the entity's addresses belong to it alone: a
// pod not on the host network (host-network pods share their node's).
func exclusive(r *rec) bool {
	return r.Kind == entities.Pod.String() && !r.HostNetwork
}

func (s *state) put(r rec) {
	k := r.key()
	s.remove(k)
	s.live[k] = r
	if exclusive(&r) {
		for _, a := range r.addrs() {
			s.holder[a] = k
		}
	}
}

func (s *state) remove(k key) {
	r, ok := s.live[k]
	if !ok {
		return
	}
	delete(s.live, k)
	for _, a := range r.addrs() {
		if s.holder[a] == k {
			delete(s.holder, a)
		}
	}
}

// keys returns the live keys in a fixed order: services first, then by
// namespace and name.
func (s *state) keys() []key {
	ks := make([]key, 0, len(s.live))
	for k := range s.live {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, compareKeys)
	return ks
}

func compareKeys(a, b key) int {
	// Services first: a pod then never waits for its service's selector.
	return cmp.Or(-cmp.Compare(a.kind, b.kind), cmp.Compare(a.ns, b.ns), cmp.Compare(a.name, b.name))
}

// stateOf replays a log in the order it was written (its events carry
// their line) into the state it last recorded.
func stateOf(log *entities.Log) *state {
	s := newState()
	if log == nil {
		return s
	}
	evs := slices.Clone(log.Events)
	slices.SortStableFunc(evs, func(a, b entities.Event) int { return cmp.Compare(a.Line, b.Line) })
	for i := range evs {
		e := &evs[i].Entity
		r := recOf(e)
		if evs[i].Op == entities.Delete {
			s.remove(r.key())
			continue
		}
		s.put(r)
	}
	return s
}

// recOf describes a parsed entity the way the recorder writes it, so
// that it compares equal to the object it was written from.
func recOf(e *entities.Entity) rec {
	r := rec{Kind: e.Kind.String(), Name: e.Name, Namespace: e.Namespace, Labels: e.Labels,
		Controller: e.Controller, HostNetwork: e.HostNetwork, Status: e.Status}
	var ss []string
	for _, a := range e.Addrs() {
		ss = append(ss, a.String())
	}
	r.setAddrs(ss)
	return r
}
