package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/entities"
)

// readEntities loads the source's entity log and derives what the copies
// need from it: each pod's service, the service names, the pod range and
// the service addresses.
func (s *source) readEntities(path string) error {
	log, err := entities.Load(path)
	if err != nil {
		return fmt.Errorf("reading the source's entity log: %w", err)
	}
	if log.Relative { // a pickle: second 0 is the first packet, as mimir-tui reads it
		for i := range log.Events {
			log.Events[i].At += s.first
		}
		log.Relative = false
	}
	tl, err := entities.Build(log, entities.Options{})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	s.events = log.Events
	s.podService, s.services = map[string]string{}, map[string]bool{}
	for _, in := range tl.Instances() {
		if in.Kind == entities.Pod {
			s.podService[in.Name] = in.Service
		}
	}
	for _, si := range tl.Services() {
		s.services[si.Name] = true
	}
	var pods []uint32
	svcs := map[uint32]bool{}
	for _, ev := range s.events {
		for _, a := range ev.Entity.Addrs() {
			if !a.Is4() {
				return fmt.Errorf("%s line %d: %v is not IPv4; only IPv4 addresses are mapped into the copies' subnets", path, ev.Line, a)
			}
			switch {
			case ev.Entity.Kind == entities.Service:
				svcs[addrU32(a)] = true
			case !ev.Entity.HostNetwork:
				pods = append(pods, addrU32(a))
			}
		}
	}
	if len(pods) == 0 {
		return fmt.Errorf("%s names no pod with an address: the copies' subnets are derived from the pods'", path)
	}
	p, ok := covering(pods)
	if !ok {
		return fmt.Errorf("%s: the pod addresses share less than a /8, so they are no single range to copy", path)
	}
	s.podNet, s.podMask = addrU32(p.Addr()), ^uint32(0)<<(32-p.Bits())
	for a := range svcs {
		s.svcIPs = append(s.svcIPs, a)
	}
	slices.Sort(s.svcIPs)
	return nil
}

// entKey identifies an entity in a log.
type entKey struct {
	kind     entities.Kind
	ns, name string
}

// replay replays a source's log once per repetition so that the output
// log stays consistent: at every instant, every address on the wire
// resolves to the entity that held it at the same instant of the source.
// It writes only changes: an add of an entity that is live with the same
// address, or a delete of one that is not live, is dropped (so a pod added
// during the source stays live into the next repetition and is not added
// again), and an add that takes an address another live entity holds
// first deletes that entity (a pod added later in the source keeps its
// address into the next repetition until the pod that held the address
// earlier in the source comes back).
type replay struct {
	live   map[entKey]entities.Entity
	holder map[netip.Addr]entKey
}

func newReplay() *replay {
	return &replay{live: map[entKey]entities.Entity{}, holder: map[netip.Addr]entKey{}}
}

// step applies one event and appends to out what to write for it.
func (r *replay) step(ev entities.Event, out []entities.Event) []entities.Event {
	e := ev.Entity
	k := entKey{e.Kind, e.Namespace, e.Name}
	cur, isLive := r.live[k]
	if ev.Op == entities.Delete {
		if !isLive {
			return out
		}
		r.drop(k, cur)
		return append(out, ev)
	}
	if isLive && cur.IP == e.IP {
		return out
	}
	if isLive {
		r.drop(k, cur)
	}
	if other, ok := r.holder[e.IP]; ok && e.IP.IsValid() {
		oe := r.live[other]
		r.drop(other, oe)
		out = append(out, entities.Event{At: ev.At, Op: entities.Delete, Entity: oe})
	}
	r.live[k] = e
	if e.IP.IsValid() {
		r.holder[e.IP] = k
	}
	return append(out, ev)
}

func (r *replay) drop(k entKey, e entities.Entity) {
	delete(r.live, k)
	if r.holder[e.IP] == k {
		delete(r.holder, e.IP)
	}
}

// srcEvent is an event of one source on the output's time base.
type srcEvent struct {
	src *source
	ev  entities.Event
}

// repEvents returns repetition r's events of every source, in time order,
// after each source's replay.
func (b *build) repEvents(r int, replays map[*source]*replay) []srcEvent {
	var out []srcEvent
	var buf []entities.Event
	for _, s := range b.sources {
		for _, ev := range s.events {
			ev.At = b.eventTime(ev.At+s.shift, r)
			buf = replays[s].step(ev, buf[:0])
			for _, e := range buf {
				out = append(out, srcEvent{s, e})
			}
		}
	}
	slices.SortStableFunc(out, func(x, y srcEvent) int { return cmp.Compare(x.ev.At, y.ev.At) })
	return out
}

// eventTime places an event at source time u (on the output's time base)
// into repetition r. Later repetitions gather the events from before the
// first packet into the first half of the gap before them, and all but the
// last gather those after the last packet into the first quarter of the
// gap after them, so repetitions' events never interleave.
func (b *build) eventTime(u int64, r int) int64 {
	if r > 0 {
		u = max(u, b.t0-b.gap/2)
	}
	if r < b.reps-1 {
		u = min(u, b.tl+b.gap/4)
	}
	return u + int64(r)*b.period
}

// jsonlEvent is one line of mimir-tui's JSON Lines entity log.
type jsonlEvent struct {
	TS          string            `json:"ts"`
	Op          string            `json:"op"`
	Kind        string            `json:"kind"`
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace"`
	IP          string            `json:"ip"`
	IPs         []string          `json:"ips,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Owner       string            `json:"owner,omitempty"`
	Controller  string            `json:"controller,omitempty"`
	HostNetwork bool              `json:"host_network,omitempty"`
	Status      string            `json:"status,omitempty"`
}

// event renames an event for copy c. Pods always name their service as
// owner, so that no selector can match another copy's pods.
func (c *copyPlan) event(ev entities.Event) jsonlEvent {
	e := ev.Entity
	j := jsonlEvent{
		TS: time.Unix(0, ev.At).UTC().Format("2006-01-02T15:04:05.000000000Z"),
		Op: ev.Op.String(), Kind: e.Kind.String(), Namespace: c.namespace(e.Namespace),
		Labels: e.Labels, Controller: c.service(e.Controller), HostNetwork: e.HostNetwork, Status: e.Status,
	}
	if e.Kind == entities.Pod {
		j.Name = c.pod(e.Name)
		j.Owner = c.service(cmp.Or(c.src.podService[e.Name], e.Owner))
	} else {
		j.Name, j.Owner = c.service(e.Name), c.service(e.Owner)
	}
	if e.IP.IsValid() {
		j.IP = u32addr(c.addr(addrU32(e.IP))).String()
		for _, a := range e.ExtraIPs {
			j.IPs = append(j.IPs, u32addr(c.addr(addrU32(a))).String())
		}
		if j.IPs != nil {
			j.IPs = append([]string{j.IP}, j.IPs...)
		}
	}
	return j
}

// writeEntities writes the output's entity log, one repetition at a time.
func (b *build) writeEntities(w io.Writer) (events int, err error) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	replays := map[*source]*replay{}
	for _, s := range b.sources {
		replays[s] = newReplay()
	}
	for r := range b.reps {
		for _, se := range b.repEvents(r, replays) {
			for _, c := range b.copiesOf[se.src] {
				if err := enc.Encode(c.event(se.ev)); err != nil {
					return events, err
				}
				events++
			}
		}
	}
	return events, nil
}
