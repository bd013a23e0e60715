package entities

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// NoTag is what Tag returns for an address no entity held; it equals
// traffic.NoTag (this package does not import traffic).
const NoTag int32 = -1

// Options bind a log to a capture.
type Options struct {
	// Start is the Unix ns of a relative log's second 0: the capture's
	// first packet. Required for relative logs, ignored by absolute ones.
	Start int64
	// Offset shifts the log (--entities-offset): a relative log's second
	// 0 is Start+Offset; an absolute log's events move by Offset (to
	// correct a clock difference between the cluster and the capture).
	Offset time.Duration
	// ClusterCIDRs are the cluster's address ranges; empty means infer
	// them from the log (see the package documentation).
	ClusterCIDRs []netip.Prefix
	// Previous, when set, is the timeline of the same log before events
	// were appended to it (a log followed while it is written): each of
	// its instances keeps its ID, so tags it gave stay valid, and an
	// instance the longer log no longer has keeps its place, Superseded.
	Previous *Timeline
}

// Instance is one entity over one interval in which it held its
// addresses: a pod that is deleted and comes back, or changes address, is
// two instances.
type Instance struct {
	ID int32 // index in Timeline.Instances, the value Tag returns
	Entity
	// Service is the service a pod resolves to; a service's own name.
	Service string
	// From and To bound the live interval [From, To) in Unix ns; To is
	// math.MaxInt64 when the entity was never deleted.
	From, To int64
	Infra    bool // infrastructure (kube-system other than DNS, host network)
	DNS      bool // cluster DNS
	// Members are the pods of a host-network group (pods sharing a node
	// address at the same time), sorted; nil for other instances.
	Members []string
	// Superseded marks an instance of an earlier timeline of a growing
	// log (Options.Previous) that the longer log replaced, such as a pod
	// that turned out to share its address with others (a host-network
	// group). It holds no address any more and is kept so that the tags
	// already given for it still resolve.
	Superseded bool
}

// ServiceInfo describes one service: a service object of the log, or a
// name pods resolve to that the log has no service object for (Derived).
type ServiceInfo struct {
	Name      string
	Namespace string
	// ClusterIPs are every ClusterIP the service had, sorted; empty for a
	// headless service.
	ClusterIPs []netip.Addr
	// Selector is the service's last selector in the log; nil when it has
	// none.
	Selector map[string]string
	Infra    bool
	DNS      bool
	Pods     int  // pod instances that resolve to this service
	Derived  bool // no service object in the log: named from its pods
}

// span is one interval during which an address belonged to an instance.
type span struct {
	from, to int64
	id       int32
}

// Timeline answers which entity held an address at an instant.
type Timeline struct {
	inst     []Instance
	v4       map[uint32]int32   // IPv4 address → index in spans
	v6       map[[16]byte]int32 // IPv6 address → index in spans
	spans    [][]span           // per address: sorted by from, disjoint
	services []ServiceInfo
	prefixes []netip.Prefix
	first    int64
	last     int64
}

// final is an instance with its intervals per address, before numbering.
type final struct {
	inst  Instance
	seq   int
	addrs map[netip.Addr][][2]int64
}

// svcKey identifies a service.
type svcKey struct{ ns, name string }

// raw is an instance before overlaps are resolved.
type raw struct {
	e        Entity
	from, to int64
	seq      int // order of the add event, for a deterministic order
}

// Build replays a log into a Timeline.
func Build(log *Log, opts Options) (*Timeline, error) {
	if log == nil {
		return nil, errors.New("build entity timeline: no log")
	}
	shift := int64(opts.Offset)
	if log.Relative {
		if opts.Start == 0 {
			return nil, fmt.Errorf("build entity timeline from %s: the log counts seconds from its start: set the capture's first packet time as Options.Start", log.Name)
		}
		shift += opts.Start
	}
	bind := func(at int64) int64 {
		t := at + shift
		// Saturate: a shift past the int64 range (absurd offsets) must
		// not wrap into the past.
		if shift > 0 && t < at {
			return math.MaxInt64 - 1
		}
		if shift < 0 && t > at {
			return math.MinInt64
		}
		return t
	}

	events := log.Events
	if !slices.IsSortedFunc(events, func(a, b Event) int { return cmp.Compare(a.At, b.At) }) {
		// Parse sorts; a Log made by hand may not be.
		events = slices.Clone(events)
		slices.SortStableFunc(events, func(a, b Event) int { return cmp.Compare(a.At, b.At) })
	}

	type ekey struct {
		kind     Kind
		ns, name string
	}
	t := &Timeline{}
	open := make(map[ekey]*raw)
	var raws []*raw
	svcs := make(map[svcKey]*ServiceInfo)
	var svcOrder []svcKey
	closeAt := func(r *raw, at int64) {
		r.to = at
		if r.to > r.from && r.e.IP.IsValid() {
			raws = append(raws, r)
		}
	}
	for i := range events {
		ev := &events[i]
		at := bind(ev.At)
		if i == 0 {
			t.first = at
		}
		t.last = at
		e := ev.Entity
		if e.IP.IsValid() {
			e.IP = e.IP.Unmap().WithZone("")
		}
		e.ExtraIPs = extraAddrs(e.IP, e.ExtraIPs)
		k := ekey{e.Kind, e.Namespace, e.Name}
		if e.Kind == Service && ev.Op == Add {
			sk := svcKey{e.Namespace, e.Name}
			si := svcs[sk]
			if si == nil {
				si = &ServiceInfo{Name: e.Name, Namespace: e.Namespace}
				svcs[sk] = si
				svcOrder = append(svcOrder, sk)
			}
			si.Selector = e.Labels
			for _, a := range e.Addrs() {
				if !slices.Contains(si.ClusterIPs, a) {
					si.ClusterIPs = append(si.ClusterIPs, a)
				}
			}
		}
		switch ev.Op {
		case Add:
			if r := open[k]; r != nil {
				if sameAddrs(&r.e, &e) {
					continue // a repeated add: still the same instance
				}
				closeAt(r, at)
			}
			open[k] = &raw{e: e, from: at, seq: i}
		case Delete:
			if r := open[k]; r != nil {
				closeAt(r, at)
				delete(open, k)
			}
		}
	}
	for _, r := range open {
		closeAt(r, math.MaxInt64)
	}
	slices.SortFunc(raws, func(a, b *raw) int { return cmp.Compare(a.seq, b.seq) })

	// Resolve pods to services.
	res := &resolver{byNS: make(map[string][]svcSelector)}
	for _, sk := range svcOrder {
		si := svcs[sk]
		res.byNS[sk.ns] = append(res.byNS[sk.ns], svcSelector{si.Name, si.Selector})
	}

	// Per address, the raw spans; overlapping pods become one group.
	type rspan struct {
		from, to int64
		r        *raw
	}
	byAddr := make(map[netip.Addr][]rspan)
	var addrs []netip.Addr
	for _, r := range raws {
		for _, a := range r.e.Addrs() {
			if _, ok := byAddr[a]; !ok {
				addrs = append(addrs, a)
			}
			byAddr[a] = append(byAddr[a], rspan{r.from, r.to, r})
		}
	}
	slices.SortFunc(addrs, netip.Addr.Compare)

	finals := make(map[*raw]*final)
	var groups []*final
	kept := func(r *raw) *final {
		f := finals[r]
		if f == nil {
			f = &final{inst: Instance{Entity: r.e, From: r.from, To: r.to}, seq: r.seq, addrs: make(map[netip.Addr][][2]int64)}
			finals[r] = f
		}
		return f
	}
	for _, a := range addrs {
		ss := byAddr[a]
		slices.SortStableFunc(ss, func(x, y rspan) int { return cmp.Compare(x.from, y.from) })
		for i := 0; i < len(ss); {
			// One component of overlapping spans.
			j, end := i+1, ss[i].to
			for j < len(ss) && ss[j].from < end {
				end = max(end, ss[j].to)
				j++
			}
			comp := ss[i:j]
			allPods := true
			for _, s := range comp {
				allPods = allPods && s.r.e.Kind == Pod
			}
			switch {
			case len(comp) == 1:
				kept(comp[0].r).addrs[a] = append(kept(comp[0].r).addrs[a], [2]int64{comp[0].from, comp[0].to})
			case allPods:
				groups = append(groups, hostGroup(a, comp[0].from, end, func(yield func(*raw) bool) {
					for _, s := range comp {
						if !yield(s.r) {
							return
						}
					}
				}))
			default:
				// A service is involved: the later entity takes the address
				// over from its start.
				for x, s := range comp {
					to := s.to
					if x+1 < len(comp) && comp[x+1].from < to {
						to = comp[x+1].from
					}
					if to > s.from {
						kept(s.r).addrs[a] = append(kept(s.r).addrs[a], [2]int64{s.from, to})
					}
				}
			}
			i = j
		}
	}

	groups = mergeGroups(groups)

	// Number the instances: by start time, then source order; groups
	// after the instances that start with them.
	all := make([]*final, 0, len(finals)+len(groups))
	for _, f := range finals {
		all = append(all, f)
	}
	for _, g := range groups {
		g.seq = len(events) // after any raw instance of equal From
		all = append(all, g)
	}
	slices.SortFunc(all, func(x, y *final) int {
		if c := cmp.Compare(x.inst.From, y.inst.From); c != 0 {
			return c
		}
		if c := cmp.Compare(x.seq, y.seq); c != 0 {
			return c
		}
		return cmp.Compare(x.inst.Name, y.inst.Name)
	})
	ids, n, err := number(all, opts.Previous)
	if err != nil {
		return nil, err
	}
	t.inst = superseded(opts.Previous, n)
	spansByAddr := make(map[netip.Addr][]span)
	for x, f := range all {
		id := ids[x]
		in := f.inst
		in.ID = id
		if in.Kind == Service {
			in.Service = in.Name
		} else if in.Members == nil {
			svc, err := res.serviceFor(&in.Entity)
			if err != nil {
				return nil, fmt.Errorf("build entity timeline from %s: %w", log.Name, err)
			}
			in.Service = svc
		}
		in.DNS = isDNS(&in.Entity, in.Service)
		in.Infra = in.Infra || isInfra(&in.Entity, in.DNS)
		t.inst[id] = in
		for a, ivs := range f.addrs {
			for _, iv := range ivs {
				spansByAddr[a] = append(spansByAddr[a], span{iv[0], iv[1], in.ID})
			}
		}
	}
	t.index(spansByAddr)
	t.services = serviceInfos(t.inst, svcs, svcOrder)
	if len(opts.ClusterCIDRs) > 0 {
		for _, p := range opts.ClusterCIDRs {
			t.prefixes = append(t.prefixes, p.Masked())
		}
		t.prefixes = normalizePrefixes(t.prefixes)
	} else {
		t.prefixes = inferPrefixes(t.inst)
	}
	return t, nil
}

// instKey is what makes an instance the same one in two timelines of a
// growing log: its entity and its start.
type instKey struct {
	kind     Kind
	ns, name string
	from     int64
}

// number gives each of all (in order) its ID: the one it had in prev,
// else the next one after prev's, in order (without prev: 0, 1, …), and
// returns how many IDs there are.
func number(all []*final, prev *Timeline) ([]int32, int, error) {
	old := make(map[instKey]int32)
	next := 0
	if prev != nil {
		next = len(prev.inst)
		for i := range prev.inst {
			in := &prev.inst[i]
			if !in.Superseded {
				old[instKey{in.Kind, in.Namespace, in.Name, in.From}] = in.ID
			}
		}
	}
	if next+len(all) > math.MaxInt32 {
		return nil, 0, fmt.Errorf("build entity timeline: %w: more than %d instances", ErrTooLarge, math.MaxInt32)
	}
	ids := make([]int32, len(all))
	for i, f := range all {
		in := &f.inst
		if id, ok := old[instKey{in.Kind, in.Namespace, in.Name, in.From}]; ok {
			ids[i] = id
			delete(old, instKey{in.Kind, in.Namespace, in.Name, in.From})
			continue
		}
		ids[i] = int32(next)
		next++
	}
	return ids, next, nil
}

// superseded makes the instance table of n IDs: prev's instances in
// their places, marked Superseded until the build overwrites those that
// are still there.
func superseded(prev *Timeline, n int) []Instance {
	inst := make([]Instance, n)
	if prev != nil {
		for i, in := range prev.inst {
			in.Superseded = true
			inst[i] = in
		}
	}
	return inst
}

// extraAddrs returns extra without invalid addresses, ip, or repeats, so
// that an entity never overlaps itself on an address.
func extraAddrs(ip netip.Addr, extra []netip.Addr) []netip.Addr {
	if len(extra) == 0 {
		return nil
	}
	var out []netip.Addr
	for _, a := range extra {
		a = a.Unmap().WithZone("")
		if a.IsValid() && a != ip && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// hostGroup makes the single instance of a node address shared by several
// pods at once (host-network pods): named node-<address>, infrastructure.
func hostGroup(a netip.Addr, from, to int64, members func(func(*raw) bool)) *final {
	var names []string
	ns, same := "", true
	first := true
	for r := range members {
		names = append(names, r.e.Name)
		if first {
			ns, first = r.e.Namespace, false
		} else if r.e.Namespace != ns {
			same = false
		}
	}
	if !same {
		ns = ""
	}
	slices.Sort(names)
	names = slices.Compact(names)
	name := "node-" + a.String()
	in := Instance{
		Entity:  Entity{Kind: Pod, Name: name, Namespace: ns, IP: a, HostNetwork: true},
		Service: name,
		From:    from,
		To:      to,
		Infra:   true,
		Members: names,
	}
	return &final{inst: in, addrs: map[netip.Addr][][2]int64{a: {{from, to}}}}
}

// mergeGroups makes one instance of the groups of a dual-stack node: the
// same pods sharing several addresses over the same interval. The group is
// named after its first address (IPv4 before IPv6).
func mergeGroups(groups []*final) []*final {
	type gkey struct {
		members  string
		from, to int64
	}
	byKey := make(map[gkey]*final)
	var out []*final
	for _, g := range groups { // in address order
		k := gkey{strings.Join(g.inst.Members, "\x00"), g.inst.From, g.inst.To}
		m := byKey[k]
		if m == nil {
			byKey[k] = g
			out = append(out, g)
			continue
		}
		a := g.inst.IP
		m.inst.ExtraIPs = append(m.inst.ExtraIPs, a)
		m.addrs[a] = g.addrs[a]
	}
	return out
}

// index builds the per-address lookup tables.
func (t *Timeline) index(by map[netip.Addr][]span) {
	t.v4 = make(map[uint32]int32)
	t.v6 = make(map[[16]byte]int32)
	addrs := make([]netip.Addr, 0, len(by))
	for a := range by {
		addrs = append(addrs, a)
	}
	slices.SortFunc(addrs, netip.Addr.Compare)
	t.spans = make([][]span, 0, len(addrs))
	for _, a := range addrs {
		ss := by[a]
		slices.SortFunc(ss, func(x, y span) int { return cmp.Compare(x.from, y.from) })
		idx := int32(len(t.spans))
		t.spans = append(t.spans, ss)
		if a.Is4() {
			b := a.As4()
			t.v4[uint32(b[0])<<24|uint32(b[1])<<16|uint32(b[2])<<8|uint32(b[3])] = idx
		} else {
			t.v6[a.As16()] = idx
		}
	}
}

// serviceInfos lists the services: the log's, then those only named by
// pods, each with its pod count.
func serviceInfos(inst []Instance, svcs map[svcKey]*ServiceInfo, order []svcKey) []ServiceInfo {
	type sk = svcKey
	out := make(map[sk]*ServiceInfo, len(svcs))
	for _, k := range order {
		si := *svcs[k]
		slices.SortFunc(si.ClusterIPs, netip.Addr.Compare)
		e := Entity{Kind: Service, Name: si.Name, Namespace: si.Namespace, Labels: si.Selector}
		si.DNS = isDNS(&e, si.Name)
		si.Infra = isInfra(&e, si.DNS)
		out[k] = &si
	}
	for i := range inst {
		in := &inst[i]
		if in.Kind != Pod || in.Superseded {
			continue
		}
		k := sk{in.Namespace, in.Service}
		si := out[k]
		if si == nil {
			si = &ServiceInfo{Name: in.Service, Namespace: in.Namespace, Derived: true, Infra: true}
			out[k] = si
		}
		si.Pods++
		if si.Derived {
			// A derived service is as infrastructural and as DNS as its pods.
			si.Infra = si.Infra && in.Infra
			si.DNS = si.DNS || in.DNS
		}
	}
	list := make([]ServiceInfo, 0, len(out))
	for _, si := range out {
		list = append(list, *si)
	}
	slices.SortFunc(list, func(a, b ServiceInfo) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	return list
}

// Lookup returns the instance that held ip at ts (Unix ns), or nil. It is
// O(log n) in the number of instances that ever held ip.
func (t *Timeline) Lookup(ip netip.Addr, ts int64) *Instance {
	id := t.Tag(ip, ts)
	if id < 0 {
		return nil
	}
	return &t.inst[id]
}

// Tag returns the ID of the instance that held ip at ts, or NoTag. It is
// meant to be called per packet: it allocates nothing and checks the
// address's latest interval before searching the others. Safe for
// concurrent use.
func (t *Timeline) Tag(ip netip.Addr, ts int64) int32 {
	var idx int32
	var ok bool
	if ip.Is4() {
		b := ip.As4()
		idx, ok = t.v4[uint32(b[0])<<24|uint32(b[1])<<16|uint32(b[2])<<8|uint32(b[3])]
	} else if ip.Is4In6() {
		return t.Tag(ip.Unmap(), ts)
	} else if ip.IsValid() {
		idx, ok = t.v6[ip.As16()]
	}
	if !ok {
		return NoTag
	}
	ss := t.spans[idx]
	// Fast path: most packets of an address fall in its latest interval.
	if s := &ss[len(ss)-1]; ts >= s.from {
		if ts < s.to {
			return s.id
		}
		return NoTag
	}
	// The last span with from <= ts.
	lo, hi := 0, len(ss)-1
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ss[m].from <= ts {
			lo = m + 1
		} else {
			hi = m
		}
	}
	// ss[lo] is the first with from > ts (lo < len-1 holds here).
	if lo == 0 {
		return NoTag
	}
	if s := &ss[lo-1]; ts < s.to {
		return s.id
	}
	return NoTag
}

// Instance returns the instance with the given ID, or nil.
func (t *Timeline) Instance(id int32) *Instance {
	if id < 0 || int(id) >= len(t.inst) {
		return nil
	}
	return &t.inst[id]
}

// Instances returns every instance, indexed by ID. The slice is the
// Timeline's own: do not modify it.
func (t *Timeline) Instances() []Instance { return t.inst }

// Services lists the services, sorted by namespace and name.
func (t *Timeline) Services() []ServiceInfo { return t.services }

// Prefixes returns the cluster's address ranges, given or inferred.
func (t *Timeline) Prefixes() []netip.Prefix { return t.prefixes }

// InCluster reports whether ip is inside the cluster's address ranges.
func (t *Timeline) InCluster(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range t.prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// Span returns the times (Unix ns) of the log's first and last events.
func (t *Timeline) Span() (first, last int64) { return t.first, t.last }
