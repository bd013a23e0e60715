package engine

import (
	"math"
	"net/netip"

	"github.com/mimir-tui/mimir-tui/engine/graph"
)

// measures are what a window's features are extracted from, computed in
// one pass over its pod graph: the service graph, per-service and
// per-pair sums, DNS, fan-out and the graph metrics. Services are all
// those the window shows except the unknown in-cluster addresses; which of
// them a model knows is decided when the window is scored.
type measures struct {
	win   *window
	edges map[servicePair]*edgeStat // the service graph

	vipBypass float64
	hasPodPod bool // vip bypass is defined

	recNum, recDen map[servicePair]float64 // unordered pairs, a ≤ b
	cvEdges        map[servicePair][]float64

	outsideBytes, outsideConns, outsidePeers map[string]float64
	dnsBytes, fanOut                         map[string]float64
	dns                                      map[string]*dnsAgg
	dnsOut, unknownBytes                     float64

	harmonic    map[string]float64
	currentFlow map[string]float64
}

// dnsAgg is what one service asked the cluster DNS in a window.
type dnsAgg struct{ queries, lenSum, maxLen, entSum, maxNames float64 }

func (d *dnsAgg) meanLen() float64     { return ratioOrNaN(d.lenSum, d.queries) }
func (d *dnsAgg) meanEntropy() float64 { return ratioOrNaN(d.entSum, d.queries) }

func ratioOrNaN(a, b float64) float64 {
	if b <= 0 {
		return math.NaN()
	}
	return a / b
}

// measure computes the measures of win; sensitive names the sensitive
// services (the sources of current-flow betweenness).
func measure(win *window, sensitive map[string]bool) *measures {
	m := &measures{
		win:          win,
		edges:        win.serviceEdges(),
		recNum:       map[servicePair]float64{},
		recDen:       map[servicePair]float64{},
		cvEdges:      map[servicePair][]float64{},
		outsideBytes: map[string]float64{},
		outsideConns: map[string]float64{},
		outsidePeers: map[string]float64{},
		dnsBytes:     map[string]float64{},
		fanOut:       map[string]float64{},
		dns:          map[string]*dnsAgg{},
	}
	keys := sortedEdgeKeys(win.edges)
	m.measureVIP(keys)
	m.measureEdges(keys)
	m.measureDNS()
	for id, f := range win.fan {
		if s := win.nodes[id].service; scoredService(s) {
			m.fanOut[s] = math.Max(m.fanOut[s], f.endpoints)
		}
	}
	for s, n := range win.outsidePeers() {
		if scoredService(s) {
			m.outsidePeers[s] = float64(n)
		}
	}
	m.dnsOut = win.dnsOut
	m.measureGraph(sensitive)
	return m
}

// scoredService reports whether s gets per-service features: not outside
// (it has its own) and not the unknown addresses (unknown_bytes).
func scoredService(s string) bool { return s != Outside && s != Unknown && s != "" }

// pairService reports whether s may be one end of a pair feature.
func pairService(s string) bool { return s != Unknown && s != "" }

// measureVIP computes the VIP bypass fraction over keys (pod, service)
// and (service, pod).
func (m *measures) measureVIP(keys []edgeKey) {
	type vipKey struct {
		pod int32
		svc string
		out bool
	}
	win := m.win
	vip := make(map[vipKey][2]float64) // [vip bytes, pod-pod bytes]
	add := func(k vipKey, i int, x float64) {
		v := vip[k]
		v[i] += x
		vip[k] = v
	}
	for _, k := range keys {
		e := win.edges[k]
		nu, nv := &win.nodes[k.u], &win.nodes[k.v]
		switch {
		case nu.kind == kindPod && nv.kind == kindVIP:
			add(vipKey{k.u, nv.service, true}, 0, e.bytes)
		case nu.kind == kindVIP && nv.kind == kindPod:
			add(vipKey{k.v, nu.service, false}, 0, e.bytes)
		case nu.kind == kindPod && nv.kind == kindPod && k.u != k.v:
			add(vipKey{k.u, nv.service, true}, 1, e.bytes)
			add(vipKey{k.v, nu.service, false}, 1, e.bytes)
		}
	}
	var diff, podpod float64
	for _, x := range vip {
		diff += x[0] - x[1]
		podpod += x[1]
	}
	if podpod > 0 {
		m.vipBypass, m.hasPodPod = math.Abs(diff)/podpod, true
	}
}

// measureEdges sums reciprocity terms, edge weights for the CV, traffic to
// outside, to the cluster DNS and with unknown addresses.
func (m *measures) measureEdges(keys []edgeKey) {
	win := m.win
	for _, k := range keys {
		e := win.edges[k]
		nu, nv := &win.nodes[k.u], &win.nodes[k.v]
		if nu.kind == kindUnknown || nv.kind == kindUnknown {
			m.unknownBytes += e.bytes
		}
		a, b := nu.service, nv.service
		if !pairService(a) || !pairService(b) || e.bytes <= 0 {
			continue
		}
		if k.u != k.v {
			var back float64
			if r := win.edges[edgeKey{k.v, k.u}]; r != nil {
				back = r.bytes
			}
			up := unordered(a, b)
			m.recNum[up] += math.Min(e.bytes, back)
			m.recDen[up] += e.bytes
		}
		if nu.kind == kindPod || nu.kind == kindOutside {
			p := servicePair{a, b}
			m.cvEdges[p] = append(m.cvEdges[p], e.bytes)
		}
		if nv.kind == kindOutside && scoredService(a) {
			m.outsideBytes[a] += e.bytes
			m.outsideConns[a] += e.conns
		}
		if nv.dns && !nu.dns && scoredService(a) {
			m.dnsBytes[a] += e.bytes
		}
	}
}

// unordered returns the pair {a, b} with a ≤ b.
func unordered(a, b string) servicePair {
	if b < a {
		a, b = b, a
	}
	return servicePair{a, b}
}

// measureDNS sums the window's DNS queries per source service; the DNS
// server's own upstream queries are not a client's.
func (m *measures) measureDNS() {
	win := m.win
	for i := range win.dns {
		d := &win.dns[i]
		src := &win.nodes[d.src]
		if src.dns || src.kind == kindOutside || !scoredService(src.service) {
			continue
		}
		ag := m.dns[src.service]
		if ag == nil {
			ag = &dnsAgg{}
			m.dns[src.service] = ag
		}
		ag.queries += d.queries
		ag.lenSum += d.nameLenSum
		ag.maxLen = math.Max(ag.maxLen, d.maxNameLen)
		ag.entSum += d.entropySum
		ag.maxNames = math.Max(ag.maxNames, d.names)
	}
}

// measureGraph computes harmonic centrality on the service graph and
// current-flow betweenness from the sensitive pods to outside.
func (m *measures) measureGraph(sensitive map[string]bool) {
	win := m.win
	m.harmonic = map[string]float64{}
	m.currentFlow = map[string]float64{}
	if len(win.edges) == 0 {
		return
	}
	g := win.podGraph()
	var total float64
	for _, e := range win.edges {
		total += e.bytes
	}
	sg := g.Collapse(func(id int) string { return win.nodes[id].service })
	for id, x := range graph.HarmonicIncoming(sg, total) {
		if s := sg.Name(id); pairService(s) {
			m.harmonic[s] = x
		}
	}
	outside, ok := win.nodeIdx[Outside]
	if !ok {
		return
	}
	var sources []int
	for i := range win.nodes {
		if win.nodes[i].kind == kindPod && sensitive[win.nodes[i].service] {
			sources = append(sources, i)
		}
	}
	if len(sources) == 0 {
		return
	}
	cf := graph.CurrentFlowSubset(g, sources, []int{int(outside)})
	perSvc := make(map[string][]float64)
	for i := range win.nodes {
		if n := &win.nodes[i]; n.kind == kindPod && scoredService(n.service) {
			perSvc[n.service] = append(perSvc[n.service], cf[i])
		}
	}
	for s, xs := range perSvc {
		m.currentFlow[s] = graph.CV(xs)
	}
}

func extractReciprocity(m *measures, emit emitFunc) {
	for p, den := range m.recDen {
		emit(p.src, p.dst, m.recNum[p]/den)
	}
}

func extractEdgeCV(m *measures, emit emitFunc) {
	for p, ws := range m.cvEdges {
		emit(p.src, p.dst, graph.CV(ws))
	}
}

func extractHarmonic(m *measures, emit emitFunc) { emitMap(emit, m.harmonic) }

func extractCurrentFlow(m *measures, emit emitFunc) { emitMap(emit, m.currentFlow) }

// emitPairs emits get(edge) for every service edge between scored ends.
func emitPairs(emit emitFunc, m *measures, get func(*edgeStat) float64) {
	for p, e := range m.edges {
		if pairService(p.src) && pairService(p.dst) {
			emit(p.src, p.dst, get(e))
		}
	}
}

// emitDNS emits get(agg) for every service that asked the cluster DNS.
func emitDNS(emit emitFunc, m *measures, get func(*dnsAgg) float64) {
	for s, d := range m.dns {
		emit(s, "", get(d))
	}
}

// outsidePeers counts, per service, the distinct outside addresses it
// exchanged traffic with.
func (win *window) outsidePeers() map[string]int {
	peers := make(map[string]map[netip.Addr]bool)
	for k := range win.edges {
		nu, nv := &win.nodes[k.u], &win.nodes[k.v]
		var in *node
		switch {
		case nv.kind == kindOutside && nu.kind != kindOutside:
			in = nu
		case nu.kind == kindOutside && nv.kind != kindOutside:
			in = nv
		default:
			continue
		}
		set := peers[in.service]
		if set == nil {
			set = make(map[netip.Addr]bool)
			peers[in.service] = set
		}
		for _, ip := range win.extPeers(k) {
			set[ip] = true
		}
	}
	out := make(map[string]int, len(peers))
	for s, set := range peers {
		out[s] = len(set)
	}
	return out
}
