package graph

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/graph/simple"
)

// Edge is one directed edge of a Graph with its accumulated traffic.
type Edge struct {
	From, To int
	Bytes    float64
	Packets  float64
}

// Graph is a directed, weighted window graph with named nodes.
//
// Node IDs are 0..Len()-1 in insertion order. Repeated Add calls for the same
// ordered pair accumulate into one edge. Self edges (u == v) are kept: on a
// service graph they hold the traffic inside a service.
//
// The zero Graph is empty and ready to use. A Graph is not safe for
// concurrent mutation.
type Graph struct {
	names []string
	ids   map[string]int
	edges []Edge
	index map[uint64]int // pairKey(u, v) -> position in edges
}

// New returns an empty Graph.
func New() *Graph {
	return &Graph{ids: make(map[string]int), index: make(map[uint64]int)}
}

func pairKey(u, v int) uint64 { return uint64(uint32(u))<<32 | uint64(uint32(v)) }

// Node returns the ID of the node called name, adding it if it is new.
func (g *Graph) Node(name string) int {
	if id, ok := g.ids[name]; ok {
		return id
	}
	if g.ids == nil {
		g.ids = make(map[string]int)
	}
	id := len(g.names)
	g.names = append(g.names, name)
	g.ids[name] = id
	return id
}

// Lookup returns the ID of the node called name and whether it exists,
// without adding it.
func (g *Graph) Lookup(name string) (int, bool) {
	id, ok := g.ids[name]
	return id, ok
}

// Len returns the number of nodes.
func (g *Graph) Len() int { return len(g.names) }

// Name returns the name of node id.
func (g *Graph) Name(id int) string {
	g.check("Name", id)
	return g.names[id]
}

// Names returns the node names indexed by ID. The slice is a copy.
func (g *Graph) Names() []string { return slices.Clone(g.names) }

func (g *Graph) check(op string, id int) {
	if id < 0 || id >= len(g.names) {
		panic(fmt.Sprintf("graph: %s: node %d out of range [0,%d)", op, id, len(g.names)))
	}
}

// clean maps a traffic count to a finite, non-negative value: NaN, ±Inf and
// negative counts carry no usable information and become 0.
func clean(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 1) {
		return 0
	}
	return x
}

// addSat adds two finite non-negative values, saturating at MaxFloat64 so a
// sum of huge counts never becomes +Inf.
func addSat(a, b float64) float64 {
	s := a + b
	if math.IsInf(s, 1) {
		return math.MaxFloat64
	}
	return s
}

// Add adds traffic from u to v. Bytes and packets accumulate over calls.
// Invalid counts (NaN, ±Inf, negative) are taken as 0; a call with nothing
// valid to add does not create an edge.
func (g *Graph) Add(u, v int, bytes, packets float64) {
	g.check("Add", u)
	g.check("Add", v)
	bytes, packets = clean(bytes), clean(packets)
	if bytes == 0 && packets == 0 {
		return
	}
	if g.index == nil {
		g.index = make(map[uint64]int)
	}
	k := pairKey(u, v)
	i, ok := g.index[k]
	if !ok {
		i = len(g.edges)
		g.index[k] = i
		g.edges = append(g.edges, Edge{From: u, To: v})
	}
	e := &g.edges[i]
	e.Bytes = addSat(e.Bytes, bytes)
	e.Packets = addSat(e.Packets, packets)
}

// Weight returns the bytes sent from u to v, 0 if there is no such edge.
func (g *Graph) Weight(u, v int) float64 {
	g.check("Weight", u)
	g.check("Weight", v)
	if i, ok := g.index[pairKey(u, v)]; ok {
		return g.edges[i].Bytes
	}
	return 0
}

// Packets returns the packets sent from u to v, 0 if there is no such edge.
func (g *Graph) Packets(u, v int) float64 {
	g.check("Packets", u)
	g.check("Packets", v)
	if i, ok := g.index[pairKey(u, v)]; ok {
		return g.edges[i].Packets
	}
	return 0
}

// Total returns the bytes and packets summed over all edges, self edges
// included.
func (g *Graph) Total() (bytes, packets float64) {
	for _, e := range g.edges {
		bytes = addSat(bytes, e.Bytes)
		packets = addSat(packets, e.Packets)
	}
	return bytes, packets
}

// NumEdges returns the number of distinct directed edges, self edges included.
func (g *Graph) NumEdges() int { return len(g.edges) }

func byFromTo(a, b Edge) int {
	if c := cmp.Compare(a.From, b.From); c != 0 {
		return c
	}
	return cmp.Compare(a.To, b.To)
}

// Edges returns all edges ordered by (From, To).
func (g *Graph) Edges() []Edge {
	es := slices.Clone(g.edges)
	slices.SortFunc(es, byFromTo)
	return es
}

// Out returns the edges leaving u ordered by To; a self edge is included.
// It scans all edges: Add keeps no per-node lists, whose upkeep cost more
// than building the graph otherwise (the engine builds a graph per window
// and never asks).
func (g *Graph) Out(u int) []Edge {
	g.check("Out", u)
	return g.pick(func(e Edge) bool { return e.From == u })
}

// In returns the edges entering v ordered by From; a self edge is
// included. It scans all edges, as Out.
func (g *Graph) In(v int) []Edge {
	g.check("In", v)
	return g.pick(func(e Edge) bool { return e.To == v })
}

func (g *Graph) pick(keep func(Edge) bool) []Edge {
	es := []Edge{}
	for _, e := range g.edges {
		if keep(e) {
			es = append(es, e)
		}
	}
	slices.SortFunc(es, byFromTo)
	return es
}

// Collapse returns the graph whose nodes are the groups named by groupOf,
// e.g. pods to services. Group IDs follow the first appearance of each group
// when scanning node IDs upwards; nodes of g with no edges still give their
// group a node. Edge bytes and packets are summed; edges inside a group
// become self edges of the group and are kept. An empty group name stands for
// the node's own name.
func (g *Graph) Collapse(groupOf func(id int) string) *Graph {
	c := New()
	to := make([]int, len(g.names))
	for id, name := range g.names {
		grp := groupOf(id)
		if grp == "" {
			grp = name
		}
		to[id] = c.Node(grp)
	}
	for _, e := range g.edges {
		c.Add(to[e.From], to[e.To], e.Bytes, e.Packets)
	}
	return c
}

// Reverse returns a copy of g with every edge turned around; node IDs and
// names are unchanged. HarmonicIncoming(g.Reverse(), total) is the harmonic
// centrality over outgoing paths of g.
func (g *Graph) Reverse() *Graph {
	r := New()
	for _, name := range g.names {
		r.Node(name)
	}
	for _, e := range g.edges {
		r.Add(e.To, e.From, e.Bytes, e.Packets)
	}
	return r
}

// Simple returns g as a gonum weighted directed graph for use with gonum
// algorithms: node IDs are the same, edge weights are bytes. Self edges are
// dropped (gonum simple graphs panic on them), as are edges with no bytes.
// The graph reports weight 0 from a node to itself and +Inf between
// unconnected nodes, as gonum's path algorithms expect.
func (g *Graph) Simple() *simple.WeightedDirectedGraph {
	s := simple.NewWeightedDirectedGraph(0, math.Inf(1))
	for id := range g.names {
		s.AddNode(simple.Node(int64(id)))
	}
	for _, e := range g.edges {
		if e.From == e.To || e.Bytes == 0 {
			continue
		}
		s.SetWeightedEdge(simple.WeightedEdge{F: simple.Node(int64(e.From)), T: simple.Node(int64(e.To)), W: e.Bytes})
	}
	return s
}

// Components returns the weakly connected components of g, counting only
// edges that carry bytes (self edges do not connect anything). Each
// component lists its node IDs in increasing order; components are ordered
// by decreasing size, ties by smallest node ID. Isolated nodes are
// components of one.
func Components(g *Graph) [][]int {
	n := g.Len()
	uf := newUnionFind(n)
	for _, e := range g.edges {
		if e.From != e.To && e.Bytes > 0 {
			uf.union(e.From, e.To)
		}
	}
	return uf.sets()
}

// LargestComponent returns the node IDs, in increasing order, of the largest
// weakly connected component of g (see Components); ties go to the
// component holding the smallest node ID. It returns nil for an empty graph.
func LargestComponent(g *Graph) []int {
	cs := Components(g)
	if len(cs) == 0 {
		return nil
	}
	return cs[0]
}

// unionFind is a disjoint-set forest with path halving and union by size.
type unionFind struct{ parent, size []int }

func newUnionFind(n int) *unionFind {
	uf := &unionFind{parent: make([]int, n), size: make([]int, n)}
	for i := range uf.parent {
		uf.parent[i] = i
		uf.size[i] = 1
	}
	return uf
}

func (uf *unionFind) find(x int) int {
	for uf.parent[x] != x {
		uf.parent[x] = uf.parent[uf.parent[x]]
		x = uf.parent[x]
	}
	return x
}

func (uf *unionFind) union(a, b int) {
	a, b = uf.find(a), uf.find(b)
	if a == b {
		return
	}
	if uf.size[a] < uf.size[b] {
		a, b = b, a
	}
	uf.parent[b] = a
	uf.size[a] += uf.size[b]
}

// sets returns the disjoint sets, members ascending, larger sets first and
// ties by smallest member.
func (uf *unionFind) sets() [][]int {
	pos := make(map[int]int)
	var out [][]int
	for x := range uf.parent {
		r := uf.find(x)
		i, ok := pos[r]
		if !ok {
			i = len(out)
			pos[r] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], x)
	}
	// Sets were created in order of their smallest member, so a stable sort
	// by size keeps the smallest-member tie-break.
	slices.SortStableFunc(out, func(a, b []int) int { return cmp.Compare(len(b), len(a)) })
	return out
}
