package engine

import (
	"cmp"
	"net/netip"
	"slices"
)

// maxFlagged bounds the flagged edges listed per window.
const maxFlagged = 25

// explainCtx is what the explanation of one scored window reads.
type explainCtx struct {
	f         *featurized
	view      *baselineView
	v         vector
	base      map[featureKey]float64
	dns       map[string]bool
	sensitive map[string]bool
	fan       map[servicePair]float64       // endpoints a's pods opened towards b; built on first use
	opened    map[flowID]bool               // flows that opened a connection; built on first use
	ports     map[servicePort]uint32        // the window's service ports; built on first use
	fresh     map[servicePair][]servicePort // the new ones by pair; built on first use
}

// windowPorts are the service ports connections were opened to in the
// window, with their counts.
func (x *explainCtx) windowPorts() map[servicePort]uint32 {
	if x.ports == nil {
		x.ports = windowPorts(x.f.win)
	}
	return x.ports
}

// newPorts are the new ports along pair p, in order; the window's are
// grouped by pair on first use (a scan's thousands of ports are looked up
// once, not once per edge).
func (x *explainCtx) newPorts(p servicePair) []servicePort {
	if x.fresh == nil {
		x.fresh = make(map[servicePair][]servicePort)
		for k := range x.windowPorts() {
			if x.view.newPort(k) {
				x.fresh[k.pair] = append(x.fresh[k.pair], k)
			}
		}
		for _, ks := range x.fresh {
			slices.SortFunc(ks, func(a, b servicePort) int { return cmp.Or(cmp.Compare(a.proto, b.proto), cmp.Compare(a.port, b.port)) })
		}
	}
	return x.fresh[p]
}

func (x *explainCtx) z(k featureKey) float64      { return x.v.scored[k] }
func (x *explainCtx) value(k featureKey) float64  { return valueOf(x.f, x.base, k) }
func (x *explainCtx) median(k featureKey) float64 { return x.view.scaler.median(k) }

// fanTo is how many endpoints the pods of service a opened towards service b.
func (x *explainCtx) fanTo(a, b string) float64 {
	if x.fan == nil {
		x.fan = make(map[servicePair]float64)
		win := x.f.win
		for id, f := range win.fan {
			for svc, n := range f.byService {
				x.fan[servicePair{win.nodes[id].service, svc}] += n
			}
		}
	}
	return x.fan[servicePair{a, b}]
}

// edgeShare is a part of a contribution carried by one service edge.
type edgeShare struct {
	p servicePair
	w float64
}

// flag lists the edges that show evidence (reasons) in the window, ranked
// by the share of the score carried by the families whose reasons they
// show, strongest first (method.md §8).
func (x *explainCtx) flag(ins []input, contributions []Contribution) []FlaggedEdge {
	all := make([]servicePair, 0, len(x.f.edges))
	for p := range x.f.edges {
		all = append(all, p)
	}
	slices.SortFunc(all, func(a, b servicePair) int { return cmp.Or(cmp.Compare(a.src, b.src), cmp.Compare(a.dst, b.dst)) })
	shown := make(map[servicePair]map[string]Reason)
	for _, p := range all {
		for _, rule := range reasonRules {
			if r, ok := rule.find(x, p); ok {
				if shown[p] == nil {
					shown[p] = make(map[string]Reason)
				}
				shown[p][rule.code] = r
			}
		}
	}
	weight := x.attribute(ins, contributions, all, shown)
	var out []FlaggedEdge
	for _, p := range all {
		if len(shown[p]) == 0 {
			continue
		}
		e := x.f.edges[p]
		fe := FlaggedEdge{Src: p.src, Dst: p.dst, Bytes: uint64(e.bytes), Packets: uint64(e.packets), Weight: weight[p],
			Baseline: x.median(featureKey{fam: fam(famPairBytes), a: p.src, b: p.dst})}
		for _, rule := range reasonRules {
			if r, ok := shown[p][rule.code]; ok {
				fe.Reasons = append(fe.Reasons, r)
			}
		}
		out = append(out, fe)
	}
	// all is sorted by name, so equal keys keep that order.
	slices.SortStableFunc(out, func(a, b FlaggedEdge) int {
		return cmp.Or(cmp.Compare(b.Weight, a.Weight), cmp.Compare(len(b.Reasons), len(a.Reasons)), cmp.Compare(b.Bytes, a.Bytes))
	})
	if len(out) > maxFlagged {
		out = out[:maxFlagged]
	}
	x.addDetails(out)
	return out
}

// attribute spreads every positive contribution over the service edges
// its feature is about; an edge keeps a share only when it shows a reason
// of that feature's family.
func (x *explainCtx) attribute(ins []input, contributions []Contribution, all []servicePair, shown map[servicePair]map[string]Reason) map[servicePair]float64 {
	weight := make(map[servicePair]float64)
	for _, c := range contributions {
		if c.Contrib <= 0 {
			continue
		}
		in := ins[c.Feature]
		var shares []edgeShare
		codes := families[in.fam].reasons
		switch in.kind {
		case inFine:
			// A burst in the finer windows: the edges that show evidence.
			for _, p := range all {
				if len(shown[p]) > 0 {
					shares = append(shares, edgeShare{p, x.f.edges[p].bytes + 1})
				}
			}
			codes = nil
		case inExcess:
			for _, k := range x.standingOut(in.fam) {
				if f := families[k.fam].edges; f != nil {
					shares = append(shares, scale(f(x, k), x.z(k)-reasonZ)...)
				}
			}
		default:
			if f := families[in.fam].edges; f != nil {
				shares = f(x, x.v.key[c.Feature])
			}
		}
		shares = x.initiating(shares)
		var total float64
		for _, s := range shares {
			total += s.w
		}
		for _, s := range shares {
			if total > 0 && (codes == nil || showsAny(shown[s.p], codes)) {
				weight[s.p] += c.Contrib * s.w / total
			}
		}
	}
	return weight
}

// standingOut lists the features of family id whose z exceeds reasonZ,
// in a stable order.
func (x *explainCtx) standingOut(id famID) []featureKey {
	var out []featureKey
	for k, z := range x.v.scored {
		if k.fam == id && z > reasonZ {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b featureKey) int { return cmp.Or(cmp.Compare(a.a, b.a), cmp.Compare(a.b, b.b)) })
	return out
}

// scale multiplies normalised shares by w.
func scale(shares []edgeShare, w float64) []edgeShare {
	var total float64
	for _, s := range shares {
		total += s.w
	}
	for i := range shares {
		if total > 0 {
			shares[i].w *= w / total
		}
	}
	return shares
}

func showsAny(reasons map[string]Reason, codes []string) bool {
	for _, c := range codes {
		if _, ok := reasons[c]; ok {
			return true
		}
	}
	return false
}

// initiating keeps, of two opposite pairs that both carry shares, the one
// that carries the requests: its source opened the connections, or sent as
// the client (the higher port), or asked the cluster DNS. The analyst sees
// "shop-db -> kube-dns", not the answers coming back.
func (x *explainCtx) initiating(shares []edgeShare) []edgeShare {
	in := make(map[servicePair]bool, len(shares))
	for _, s := range shares {
		in[s.p] = true
	}
	out := shares[:0:0]
	for _, s := range shares {
		rev := servicePair{s.p.dst, s.p.src}
		if s.p.src == s.p.dst || !in[rev] || x.requests(s.p, rev) {
			out = append(out, s)
		}
	}
	return out
}

// requests reports whether p rather than its reverse carries the requests.
func (x *explainCtx) requests(p, rev servicePair) bool {
	a, b := x.f.edges[p], x.f.edges[rev]
	switch {
	case a.conns != b.conns:
		return a.conns > b.conns
	case a.client != b.client:
		return a.client > b.client
	case x.dns[p.dst] != x.dns[rev.dst]:
		return x.dns[p.dst]
	case a.bytes != b.bytes:
		return a.bytes > b.bytes
	}
	return p.src < rev.src
}

// present returns shares for the window's edges that satisfy keep,
// weighted by w.
func (x *explainCtx) present(keep func(p servicePair) bool, w func(p servicePair, e *edgeStat) float64) []edgeShare {
	var out []edgeShare
	for p, e := range x.f.edges {
		if keep(p) {
			out = append(out, edgeShare{p, w(p, e)})
		}
	}
	slices.SortFunc(out, func(a, b edgeShare) int { return cmp.Or(cmp.Compare(a.p.src, b.p.src), cmp.Compare(a.p.dst, b.p.dst)) })
	return out
}

func byBytes(_ servicePair, e *edgeStat) float64 { return e.bytes + 1 }

// Attribution of each family (families.go, edges).

func pairEdge(x *explainCtx, k featureKey) []edgeShare {
	return x.present(func(p servicePair) bool { return p == k.pair() }, byBytes)
}

func pairEdgesBoth(x *explainCtx, k featureKey) []edgeShare {
	return x.present(func(p servicePair) bool { return p == k.pair() || p == (servicePair{k.b, k.a}) }, byBytes)
}

// edgesInto are the edges into service k.a, by bytes.
func edgesInto(x *explainCtx, k featureKey) []edgeShare {
	return x.present(func(p servicePair) bool { return p.dst == k.a && p.src != k.a }, byBytes)
}

func edgeToOutside(x *explainCtx, k featureKey) []edgeShare {
	return x.present(func(p servicePair) bool { return p.src == k.a && p.dst == Outside }, byBytes)
}

func edgesToDNS(x *explainCtx, k featureKey) []edgeShare {
	return x.present(func(p servicePair) bool { return p.src == k.a && x.dns[p.dst] }, byBytes)
}

func newPairEdges(x *explainCtx, _ featureKey) []edgeShare {
	return x.present(func(p servicePair) bool { return !x.view.knows(p) }, byBytes)
}

func newInitiationEdges(x *explainCtx, _ featureKey) []edgeShare {
	return x.present(x.newInitiation, func(_ servicePair, e *edgeStat) float64 { return e.client })
}

func newDomainEdges(x *explainCtx, _ featureKey) []edgeShare {
	return x.present(func(p servicePair) bool { return x.dns[p.dst] && x.newDomainFrom(p.src) != "" }, byBytes)
}

func dnsOutEdges(x *explainCtx, _ featureKey) []edgeShare {
	return x.present(func(p servicePair) bool { return x.dns[p.src] && p.dst == Outside }, byBytes)
}

// fanOutEdges spreads a fan-out over the edges it went along, by the
// endpoints opened along each: a scan's own edge, not the service's
// busiest.
func fanOutEdges(x *explainCtx, k featureKey) []edgeShare {
	return x.present(func(p servicePair) bool { return p.src == k.a && x.fanTo(k.a, p.dst) > 0 },
		func(p servicePair, _ *edgeStat) float64 { return x.fanTo(k.a, p.dst) })
}

// newPortEdges: the pairs with new ports, by their connections.
func newPortEdges(x *explainCtx, _ featureKey) []edgeShare {
	return x.present(func(p servicePair) bool { return len(x.newPorts(p)) > 0 }, func(p servicePair, _ *edgeStat) float64 {
		var n uint32
		for _, k := range x.newPorts(p) {
			n += x.windowPorts()[k]
		}
		return float64(n)
	})
}

// newBeacon is the strongest beacon from p.src to outside the baseline
// never showed, or nil.
func (x *explainCtx) newBeacon(p servicePair) *beaconHit {
	if p.dst != Outside {
		return nil
	}
	var best *beaconHit
	for i := range x.f.beacons {
		b := &x.f.beacons[i]
		if b.id.service == p.src && !x.view.knownBeacon(b.id) && (best == nil || b.score > best.score) {
			best = b
		}
	}
	return best
}

func beaconEdges(x *explainCtx, _ featureKey) []edgeShare {
	return x.present(func(p servicePair) bool { return x.newBeacon(p) != nil }, func(p servicePair, _ *edgeStat) float64 {
		return float64(len(x.newBeacon(p).conns))
	})
}

func unknownEdges(x *explainCtx, _ featureKey) []edgeShare {
	return x.present(func(p servicePair) bool { return p.src == Unknown || p.dst == Unknown }, byBytes)
}

// addDetails fills the pods and addresses behind the listed edges.
func (x *explainCtx) addDetails(out []FlaggedEdge) {
	type ends struct {
		srcPods, dstPods map[string]bool
		srcIPs, dstIPs   map[netip.Addr]bool
	}
	want := make(map[servicePair]*ends, len(out))
	for _, fe := range out {
		want[servicePair{fe.Src, fe.Dst}] = &ends{map[string]bool{}, map[string]bool{}, map[netip.Addr]bool{}, map[netip.Addr]bool{}}
	}
	win := x.f.win
	for k := range win.edges {
		nu, nv := &win.nodes[k.u], &win.nodes[k.v]
		d := want[servicePair{nu.service, nv.service}]
		if d == nil {
			continue
		}
		addEnd := func(n *node, pods map[string]bool, ips map[netip.Addr]bool) {
			if n.kind == kindOutside {
				for _, ip := range win.extPeers(k) {
					ips[ip] = true
				}
				return
			}
			pods[n.name] = true
			for _, ip := range n.ips {
				ips[ip] = true
			}
		}
		addEnd(nu, d.srcPods, d.srcIPs)
		addEnd(nv, d.dstPods, d.dstIPs)
	}
	for i := range out {
		fe := &out[i]
		d := want[servicePair{fe.Src, fe.Dst}]
		fe.SrcPods, fe.DstPods = sortedKeys(d.srcPods), sortedKeys(d.dstPods)
		fe.SrcIPs, fe.DstIPs = sortedAddrs(d.srcIPs), sortedAddrs(d.dstIPs)
		fe.Evidence = x.evidence(servicePair{fe.Src, fe.Dst}, fe.Reasons)
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sortedAddrs(m map[netip.Addr]bool) []string {
	addrs := make([]netip.Addr, 0, len(m))
	for a := range m {
		addrs = append(addrs, a)
	}
	slices.SortFunc(addrs, netip.Addr.Compare)
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.String()
	}
	return out
}
