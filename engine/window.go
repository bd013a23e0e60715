package engine

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/mimir-tui/mimir-tui/engine/graph"
	"github.com/mimir-tui/mimir-tui/loaders/entities"
	"github.com/mimir-tui/mimir-tui/loaders/traffic"
)

// Names of the node groups that are not services.
const (
	Outside = "outside"
	Unknown = "unknown" // in-cluster addresses no entity held
)

type nodeKind uint8

const (
	kindPod nodeKind = iota
	kindVIP
	kindOutside
	kindUnknown
)

// node is a vertex of a window's pod graph: a pod, a service VIP, the
// outside world, or an unknown in-cluster address.
type node struct {
	key     string // identity across windows
	name    string // what the analyst sees
	service string // the service-graph node it collapses to
	kind    nodeKind
	infra   bool
	dns     bool
	ips     []netip.Addr
}

type edgeKey struct{ u, v int32 }

type edgeStat struct {
	bytes, packets float64
	conns          float64 // connection initiations (TCP SYN without ACK)
	client         float64 // bytes sent as the client (traffic.Pair.ClientBytes)
}

// dnsStat is what one pod asked about one registered domain in a window.
type dnsStat struct {
	src, dst   int32 // nodes
	domain     string
	queries    float64
	names      float64
	nameLenSum float64
	maxNameLen float64
	entropySum float64
	unusual    float64
	bytes      float64
	examples   []string
}

// fanStat is the fan-out of one source node in a window.
type fanStat struct {
	endpoints float64            // distinct (address, protocol, port) it initiated towards
	byService map[string]float64 // the same, per destination service
}

// window is one window's traffic resolved to entities: the engine's
// working representation, cheap to copy for synthetic injection.
type window struct {
	index    int
	start    int64
	end      int64
	partial  bool
	coverage float64 // share of the window the capture covers
	packets  uint64
	bytes    uint64

	nodes   []node
	nodeIdx map[string]int32
	edges   map[edgeKey]*edgeStat // scored pod graph
	// infraEdges is traffic touching infrastructure, left out of the scored
	// graph (unless IncludeInfra) but shown to the analyst.
	infraEdges map[edgeKey]*edgeStat
	dns        []dnsStat
	fan        map[int32]*fanStat
	// ext holds the real outside addresses behind each edge to or from
	// the outside node, for drill-down.
	ext    map[edgeKey][]netip.Addr
	dnsOut float64 // DNS bytes leaving the cluster
	// flows are the window's transport flows (finest windows only) and
	// targets the endpoints connections were opened to: the evidence an
	// analyst reads behind an edge. Injection never changes them.
	flows   []winFlow
	targets []winTarget
}

// winFlow is a flow between two nodes.
type winFlow struct {
	u, v int32
	f    traffic.Flow
}

// winTarget is an endpoint node u opened connections to on node v.
type winTarget struct {
	u, v  int32
	ip    netip.Addr
	proto uint8
	port  uint16
	count uint32
}

// resolver turns addresses into graph nodes at an instant.
type resolver struct {
	tl           *entities.Timeline
	includeInfra bool
}

// newWindow resolves w; last is the capture's last timestamp, which
// bounds how much of a partial window the capture covers.
func (r *resolver) newWindow(w *traffic.Window, last int64) *window {
	win := &window{
		index:      w.Index,
		start:      w.Start,
		end:        w.End,
		partial:    w.Partial,
		coverage:   1,
		packets:    w.Packets,
		bytes:      w.Bytes,
		nodeIdx:    make(map[string]int32),
		edges:      make(map[edgeKey]*edgeStat),
		infraEdges: make(map[edgeKey]*edgeStat),
		fan:        make(map[int32]*fanStat),
		ext:        make(map[edgeKey][]netip.Addr),
	}
	if w.Partial {
		win.coverage = min(1, max(0, float64(last+1-w.Start)/float64(w.End-w.Start)))
	}
	r.addPairs(win, w)
	r.addFanOut(win, w)
	r.addDNS(win, w)
	r.addFlows(win, w)
	return win
}

// addFlows resolves the window's flows to nodes.
func (r *resolver) addFlows(win *window, w *traffic.Window) {
	for i := range w.Flows {
		f := &w.Flows[i]
		u := r.node(win, f.Src, f.SrcTag, f.Last)
		v := r.node(win, f.Dst, f.DstTag, f.Last)
		win.flows = append(win.flows, winFlow{u: u, v: v, f: *f})
	}
}

// addPairs adds w's IP pairs to the scored pod graph, or to the
// infrastructure edges.
func (r *resolver) addPairs(win *window, w *traffic.Window) {
	for i := range w.Pairs {
		p := &w.Pairs[i]
		u := r.node(win, p.Src, p.SrcTag, p.Last)
		v := r.node(win, p.Dst, p.DstTag, p.Last)
		m := win.edges
		if !r.includeInfra && (win.nodes[u].infra || win.nodes[v].infra) {
			m = win.infraEdges
		}
		e := m[edgeKey{u, v}]
		if e == nil {
			e = &edgeStat{}
			m[edgeKey{u, v}] = e
		}
		e.bytes += float64(p.Bytes)
		e.packets += float64(p.Frames)
		e.conns += float64(p.Conns)
		e.client += float64(p.ClientBytes)
		if win.nodes[v].kind == kindOutside {
			win.addExt(edgeKey{u, v}, p.Dst)
		}
		if win.nodes[u].kind == kindOutside {
			win.addExt(edgeKey{u, v}, p.Src)
		}
	}
}

// addFanOut counts the distinct endpoints each source initiated towards.
func (r *resolver) addFanOut(win *window, w *traffic.Window) {
	for i := range w.Endpoints {
		ep := &w.Endpoints[i]
		u := r.node(win, ep.Src, ep.SrcTag, w.End-1)
		v := r.node(win, ep.Dst, ep.DstTag, w.End-1)
		if !r.includeInfra && (win.nodes[u].infra || win.nodes[v].infra) {
			continue
		}
		f := win.fan[u]
		if f == nil {
			f = &fanStat{byService: make(map[string]float64)}
			win.fan[u] = f
		}
		f.endpoints++
		f.byService[win.nodes[v].service]++
		win.targets = append(win.targets, winTarget{u: u, v: v, ip: ep.Dst, proto: ep.Protocol, port: ep.Port, count: ep.Count})
	}
}

// addDNS records w's DNS queries per source and domain, and the DNS bytes
// leaving the cluster.
func (r *resolver) addDNS(win *window, w *traffic.Window) {
	for i := range w.DNS {
		d := &w.DNS[i]
		u := r.node(win, d.Src, d.SrcTag, w.End-1)
		v := r.node(win, d.Dst, d.DstTag, w.End-1)
		if win.nodes[v].kind == kindOutside && win.nodes[u].kind != kindOutside {
			win.dnsOut += float64(d.Bytes)
		}
		if d.Queries == 0 || (!r.includeInfra && win.nodes[u].infra) {
			continue
		}
		win.dns = append(win.dns, dnsStat{
			src: u, dst: v, domain: d.Domain,
			queries:    float64(d.Queries),
			names:      float64(d.Names),
			nameLenSum: float64(d.NameLenSum),
			maxNameLen: float64(d.MaxNameLen),
			entropySum: d.EntropySum,
			unusual:    float64(d.UnusualTypes),
			bytes:      float64(d.Bytes),
			examples:   slices.Clone(d.Examples),
		})
	}
}

// node returns the window's node for ip (tagged tag) at ts, adding it.
func (r *resolver) node(win *window, ip netip.Addr, tag int32, ts int64) int32 {
	var n node
	switch inst := r.instance(tag); {
	case inst != nil && inst.Kind == entities.Service:
		n = node{key: "svc:" + inst.Namespace + "/" + inst.Name, name: inst.Name + "_VIP", service: inst.Service, kind: kindVIP, infra: inst.Infra, dns: inst.DNS}
	case inst != nil:
		n = node{key: "pod:" + inst.Namespace + "/" + inst.Name, name: inst.Name, service: inst.Service, kind: kindPod, infra: inst.Infra, dns: inst.DNS}
	case ip.IsValid() && r.tl.InCluster(ip):
		n = node{key: "unknown:" + ip.String(), name: "?" + ip.String(), service: Unknown, kind: kindUnknown}
	default:
		n = node{key: Outside, name: Outside, service: Outside, kind: kindOutside}
	}
	if n.service == "" {
		n.service = n.name
	}
	return win.addNode(n, ip)
}

func (r *resolver) instance(tag int32) *entities.Instance {
	if tag < 0 {
		return nil
	}
	return r.tl.Instance(tag)
}

// addNode adds n (or finds it by key) and records ip as one of its addresses.
func (win *window) addNode(n node, ip netip.Addr) int32 {
	id, ok := win.nodeIdx[n.key]
	if !ok {
		id = int32(len(win.nodes))
		win.nodes = append(win.nodes, n)
		win.nodeIdx[n.key] = id
	}
	if ip.IsValid() {
		ips := win.nodes[id].ips
		if i, found := slices.BinarySearchFunc(ips, ip, netip.Addr.Compare); !found {
			win.nodes[id].ips = slices.Insert(ips, i, ip)
		}
	}
	return id
}

// addExt records ip as an outside address behind edge k.
func (win *window) addExt(k edgeKey, ip netip.Addr) {
	ips := win.ext[k]
	if i, found := slices.BinarySearchFunc(ips, ip, netip.Addr.Compare); !found {
		win.ext[k] = slices.Insert(ips, i, ip)
	}
}

// extPeers returns the outside addresses behind edge k.
func (win *window) extPeers(k edgeKey) []netip.Addr { return win.ext[k] }

// clone returns a deep copy that injection can modify.
func (win *window) clone() *window {
	c := *win
	c.nodes = slices.Clone(win.nodes)
	for i := range c.nodes {
		c.nodes[i].ips = slices.Clone(c.nodes[i].ips)
	}
	c.nodeIdx = make(map[string]int32, len(win.nodeIdx))
	for k, v := range win.nodeIdx {
		c.nodeIdx[k] = v
	}
	c.edges = cloneEdges(win.edges)
	c.infraEdges = win.infraEdges // never modified by injection
	c.dns = slices.Clone(win.dns)
	c.targets = slices.Clone(win.targets)
	// Clipped: an injected flow appended to the copy must never land in
	// the original's spare capacity.
	c.flows = slices.Clip(win.flows)
	c.ext = make(map[edgeKey][]netip.Addr, len(win.ext))
	for k, ips := range win.ext {
		c.ext[k] = slices.Clone(ips)
	}
	c.fan = make(map[int32]*fanStat, len(win.fan))
	for k, f := range win.fan {
		nf := &fanStat{endpoints: f.endpoints, byService: make(map[string]float64, len(f.byService))}
		for s, x := range f.byService {
			nf.byService[s] = x
		}
		c.fan[k] = nf
	}
	return &c
}

func cloneEdges(m map[edgeKey]*edgeStat) map[edgeKey]*edgeStat {
	c := make(map[edgeKey]*edgeStat, len(m))
	for k, e := range m {
		ce := *e
		c[k] = &ce
	}
	return c
}

// addEdge adds traffic to the scored graph; client is how much of bytes
// was sent by u as the client of the conversation.
func (win *window) addEdge(u, v int32, bytes, packets, conns, client float64) {
	e := win.edges[edgeKey{u, v}]
	if e == nil {
		e = &edgeStat{}
		win.edges[edgeKey{u, v}] = e
	}
	e.bytes += bytes
	e.packets += packets
	e.conns += conns
	e.client += client
}

// sortedEdgeKeys returns the keys of m in a deterministic order.
func sortedEdgeKeys(m map[edgeKey]*edgeStat) []edgeKey {
	keys := make([]edgeKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b edgeKey) int {
		if a.u != b.u {
			return int(a.u - b.u)
		}
		return int(a.v - b.v)
	})
	return keys
}

// servicePair names a directed service-graph edge.
type servicePair struct{ src, dst string }

func (p servicePair) String() string { return p.src + " -> " + p.dst }

func parseServicePair(s string) (servicePair, bool) {
	a, b, ok := strings.Cut(s, " -> ")
	return servicePair{a, b}, ok
}

// serviceEdges sums the scored pod graph into service-graph edges.
func (win *window) serviceEdges() map[servicePair]*edgeStat { return win.collapse(win.edges) }

// collapse sums pod-graph edges of win into service-graph edges.
func (win *window) collapse(edges map[edgeKey]*edgeStat) map[servicePair]*edgeStat {
	out := make(map[servicePair]*edgeStat)
	for k, e := range edges {
		p := servicePair{win.nodes[k.u].service, win.nodes[k.v].service}
		s := out[p]
		if s == nil {
			s = &edgeStat{}
			out[p] = s
		}
		s.bytes += e.bytes
		s.packets += e.packets
		s.conns += e.conns
		s.client += e.client
	}
	return out
}

// podGraph builds the scored pod graph of win; node IDs equal win's.
func (win *window) podGraph() *graph.Graph {
	g := graph.New()
	for i := range win.nodes {
		g.Node(win.nodes[i].key)
	}
	for _, k := range sortedEdgeKeys(win.edges) {
		e := win.edges[k]
		g.Add(int(k.u), int(k.v), e.bytes, e.packets)
	}
	return g
}
