package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestCurrentFlowSubset(t *testing.T) {
	tests := []struct {
		name     string
		nodes    []string
		edges    []Edge
		src, tgt []int
		want     []float64
	}{
		{
			// All the unit current runs a→b→c: each end has one incident
			// edge with current 1 (½·1), b has two (½·2). Conductances and
			// directions do not matter.
			name:  "path a-b-c",
			nodes: []string{"a", "b", "c"},
			edges: []Edge{{From: 0, To: 1, Bytes: 3}, {From: 1, To: 0, Bytes: 2}, {From: 2, To: 1, Bytes: 1e6}},
			src:   []int{0}, tgt: []int{2},
			want: []float64{0.5, 1, 0.5},
		},
		{
			// Path a-b-c, S = {a, c}, T = {b, a}; the ground is b (first
			// target), so pair (c,a) needs the difference of two grounded
			// solutions.
			//   (a,b): a ½, b ½      (a,a): skipped
			//   (c,b): c ½, b ½      (c,a): c ½, b 1, a ½
			// a = 1, b = 2, c = 1.
			name:  "path, several sources and targets",
			nodes: []string{"a", "b", "c"},
			edges: []Edge{{From: 0, To: 1, Bytes: 5}, {From: 1, To: 2, Bytes: 7}},
			src:   []int{0, 2}, tgt: []int{1, 0},
			want: []float64{1, 2, 1},
		},
		{
			// Star with hub h: each pair (l_i, l3) sends its unit current
			// l_i→h→l3, so l_i ½, h 1, l3 ½ per pair; two pairs.
			// l4 is a leaf that carries nothing.
			name:  "star",
			nodes: []string{"h", "l1", "l2", "l3", "l4"},
			edges: []Edge{
				{From: 1, To: 0, Bytes: 1}, {From: 0, To: 2, Bytes: 20},
				{From: 3, To: 0, Bytes: 300}, {From: 0, To: 4, Bytes: 4000},
			},
			src: []int{1, 2, 1}, tgt: []int{3},
			want: []float64{2, 0.5, 0.5, 1, 0},
		},
		{
			// Triangle, conductances ab = 1, bc = 1, ac = 2; S = {a}, T = {c}.
			// Direct branch conductance 2, branch via b 1·1/(1+1) = ½;
			// total 2.5, so the voltage is 1/2.5 = 0.4: direct current
			// 2·0.4 = 0.8, via b 0.5·0.4 = 0.2.
			// a: ½(0.8+0.2) = ½, c: ½, b: ½(0.2+0.2) = 0.2.
			name:  "triangle, unequal weights",
			nodes: []string{"a", "b", "c"},
			edges: []Edge{{From: 0, To: 1, Bytes: 1}, {From: 2, To: 1, Bytes: 1}, {From: 0, To: 2, Bytes: 1.5}, {From: 2, To: 0, Bytes: 0.5}},
			src:   []int{0}, tgt: []int{2},
			want: []float64{0.5, 0.2, 0.5},
		},
		{
			// Wheatstone bridge: conductances s-a 1 (0.6 + 0.4 both ways),
			// s-b 2, a-t 2, b-t 1, a-b 1 (the bridge). With V_t = 0,
			// Kirchhoff's current law:
			//   a: (V_s−V_a) + (V_b−V_a) − 2V_a = 0  →  V_s + V_b = 4V_a
			//   b: 2(V_s−V_b) + (V_a−V_b) − V_b = 0  →  2V_s + V_a = 4V_b
			//   s: (V_s−V_a) + 2(V_s−V_b) = 1
			// give V_a = 0.4V_s, V_b = 0.6V_s, 1.4V_s = 1: V_s = 5/7,
			// V_a = 2/7, V_b = 3/7. Currents: s→a 3/7, s→b 4/7, a→t 4/7,
			// b→t 3/7, b→a 1/7.
			// s: ½(3/7+4/7) = ½; t: ½(4/7+3/7) = ½;
			// a: ½(3/7+1/7+4/7) = 4/7; b: ½(4/7+1/7+3/7) = 4/7.
			name:  "Wheatstone bridge",
			nodes: []string{"s", "a", "b", "t"},
			edges: []Edge{
				{From: 0, To: 1, Bytes: 0.6}, {From: 1, To: 0, Bytes: 0.4},
				{From: 0, To: 2, Bytes: 2}, {From: 1, To: 3, Bytes: 2},
				{From: 2, To: 3, Bytes: 1}, {From: 2, To: 1, Bytes: 1},
			},
			src: []int{0}, tgt: []int{3},
			want: []float64{0.5, 4.0 / 7, 4.0 / 7, 0.5},
		},
		{
			// Components {a,b,c} (path) and {d,e}. Pair (a,c) as in the
			// path case; pair (d,c) crosses components and contributes
			// nothing; f is isolated.
			name:  "two components",
			nodes: []string{"a", "b", "c", "d", "e", "f"},
			edges: []Edge{{From: 0, To: 1, Bytes: 1}, {From: 1, To: 2, Bytes: 1}, {From: 3, To: 4, Bytes: 9}},
			src:   []int{0, 3}, tgt: []int{2},
			want: []float64{0.5, 1, 0.5, 0, 0, 0},
		},
		{
			name:  "sources and targets in different components",
			nodes: []string{"a", "b", "c", "d"},
			edges: []Edge{{From: 0, To: 1, Bytes: 1}, {From: 2, To: 3, Bytes: 1}},
			src:   []int{0}, tgt: []int{3},
			want: []float64{0, 0, 0, 0},
		},
		{
			// The only link between a and b carries packets but no bytes:
			// zero conductance, so a and b are not connected. Self edges
			// carry no current.
			name:  "zero conductance and self edges",
			nodes: []string{"a", "b"},
			edges: []Edge{{From: 0, To: 1, Packets: 5}, {From: 0, To: 0, Bytes: 5}},
			src:   []int{0}, tgt: []int{1},
			want: []float64{0, 0},
		},
		{
			name:  "source equals target",
			nodes: []string{"a", "b"},
			edges: []Edge{{From: 0, To: 1, Bytes: 1}},
			src:   []int{1}, tgt: []int{1},
			want: []float64{0, 0},
		},
		{
			name:  "single node",
			nodes: []string{"a"},
			src:   []int{0}, tgt: []int{0},
			want: []float64{0},
		},
		{
			name:  "no sources",
			nodes: []string{"a", "b"},
			edges: []Edge{{From: 0, To: 1, Bytes: 1}},
			tgt:   []int{1},
			want:  []float64{0, 0},
		},
		{
			// Chain b —1— a —1e-20— t. Cholesky fails on the reduced
			// Laplacian (1 + 1e-20 rounds to 1: singular), so the floors
			// take over. The weak link is a bridge: all current crosses it
			// whatever its conductance, so b ½, a 1, t ½.
			name:  "conductances 20 orders apart",
			nodes: []string{"b", "a", "t"},
			edges: []Edge{{From: 0, To: 1, Bytes: 1}, {From: 1, To: 2, Bytes: 1e-20}},
			src:   []int{0}, tgt: []int{2},
			want: []float64{0.5, 1, 0.5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := build(tt.nodes, tt.edges)
			checkVec(t, "c", CurrentFlowSubset(g, tt.src, tt.tgt), tt.want, 1e-6)
		})
	}
}

// refFlow is an independent reference for one pair: the full Laplacian of
// the graph grounded at s (not at t, as the code under test does), solved
// by LU, with components found by the test's own search.
func refFlow(g *Graph, s, t int) []float64 {
	n := g.Len()
	out := make([]float64, n)
	c := make([][]float64, n)
	for i := range c {
		c[i] = make([]float64, n)
	}
	for _, e := range g.Edges() {
		if e.From != e.To {
			c[e.From][e.To] += e.Bytes
			c[e.To][e.From] += e.Bytes
		}
	}
	// Component of s by depth-first search.
	comp := []int{s}
	in := map[int]bool{s: true}
	for i := 0; i < len(comp); i++ {
		for v := range n {
			if c[comp[i]][v] > 0 && !in[v] {
				in[v] = true
				comp = append(comp, v)
			}
		}
	}
	if !in[t] || s == t {
		return out
	}
	// Unknowns: potentials of comp[1:] (comp[0] = s is grounded).
	k := len(comp) - 1
	a := mat.NewDense(k, k, nil)
	b := mat.NewVecDense(k, nil)
	for i := 1; i <= k; i++ {
		for j, v := range comp {
			w := c[comp[i]][v]
			if w == 0 || j == i {
				continue
			}
			a.Set(i-1, i-1, a.At(i-1, i-1)+w)
			if j > 0 {
				a.Set(i-1, j-1, a.At(i-1, j-1)-w)
			}
		}
		if comp[i] == t {
			b.SetVec(i-1, -1) // unit current extracted at t
		}
	}
	var x mat.VecDense
	if err := x.SolveVec(a, b); err != nil {
		panic(err)
	}
	pot := make([]float64, n)
	for i := 1; i <= k; i++ {
		pot[comp[i]] = x.AtVec(i - 1)
	}
	for _, u := range comp {
		for _, v := range comp {
			if u < v && c[u][v] > 0 {
				cur := 0.5 * math.Abs(c[u][v]*(pot[u]-pot[v]))
				out[u] += cur
				out[v] += cur
			}
		}
	}
	return out
}

func TestCurrentFlowSubsetAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := range 40 {
		n := 2 + r.IntN(20)
		g := randomGraph(r, n, r.IntN(4*n), 4)
		var ss, ts []int
		for range 1 + r.IntN(4) {
			ss = append(ss, r.IntN(n))
		}
		for range 1 + r.IntN(2) {
			ts = append(ts, r.IntN(n))
		}
		got := CurrentFlowSubset(g, ss, ts)
		want := make([]float64, n)
		seen := map[[2]int]bool{}
		for _, s := range ss {
			for _, t := range ts {
				if seen[[2]int{s, t}] {
					continue
				}
				seen[[2]int{s, t}] = true
				for i, x := range refFlow(g, s, t) {
					want[i] += x
				}
			}
		}
		for i := range want {
			if !near(got[i], want[i], 1e-8) {
				t.Fatalf("trial %d (S=%v T=%v) node %d: c = %.12g, reference %.12g", trial, ss, ts, i, got[i], want[i])
			}
		}
	}
}

// For one unit s–t current: s and t each have throughput ½ (all current
// leaves s and enters t), every node at most 1 (the flow through a node
// never exceeds the unit total), all values ≥ 0; the result is unchanged
// when all bytes are scaled, and when the node IDs are permuted. This is
// checked over byte counts spanning 12 orders of magnitude.
func TestCurrentFlowSubsetProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for trial := range 60 {
		n := 2 + r.IntN(40)
		g := randomGraph(r, n, n+r.IntN(6*n), 12)
		comp := LargestComponent(g)
		if len(comp) < 2 {
			continue
		}
		s := comp[r.IntN(len(comp))]
		tt := comp[r.IntN(len(comp))]
		if s == tt {
			continue
		}
		c := CurrentFlowSubset(g, []int{s}, []int{tt})
		const tol = 1e-6
		if !near(c[s], 0.5, tol) || !near(c[tt], 0.5, tol) {
			t.Fatalf("trial %d: throughput of s = %.12g, of t = %.12g, want ½ each", trial, c[s], c[tt])
		}
		for v, x := range c {
			if !(x >= 0) || x > 1+tol {
				t.Fatalf("trial %d: node %d throughput %.12g outside [0, 1]", trial, v, x)
			}
		}

		// Scale all bytes by 1e7.
		sc := New()
		for _, name := range g.Names() {
			sc.Node(name)
		}
		for _, e := range g.Edges() {
			sc.Add(e.From, e.To, e.Bytes*1e7, e.Packets)
		}
		checkVec(t, "scaled", CurrentFlowSubset(sc, []int{s}, []int{tt}), c, 1e-6)

		// Insert the nodes in reverse order.
		perm := New()
		names := g.Names()
		for i := len(names) - 1; i >= 0; i-- {
			perm.Node(names[i])
		}
		p := func(id int) int { return n - 1 - id }
		for _, e := range g.Edges() {
			perm.Add(p(e.From), p(e.To), e.Bytes, e.Packets)
		}
		pc := CurrentFlowSubset(perm, []int{p(s)}, []int{p(tt)})
		for v := range c {
			if !near(pc[p(v)], c[v], 1e-6) {
				t.Fatalf("trial %d: permuted node %d = %.12g, original %.12g", trial, v, pc[p(v)], c[v])
			}
		}
	}
}

// Subset betweenness is a sum over pairs: the value for S×T equals the sum
// of the single-pair values.
func TestCurrentFlowSubsetAdditive(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	g := randomGraph(r, 30, 150, 6)
	ss, ts := []int{1, 4, 7, 9}, []int{0, 2}
	got := CurrentFlowSubset(g, ss, ts)
	want := make([]float64, g.Len())
	for _, s := range ss {
		for _, t := range ts {
			for i, x := range CurrentFlowSubset(g, []int{s}, []int{t}) {
				want[i] += x
			}
		}
	}
	checkVec(t, "sum over pairs", got, want, 1e-9)
}

func TestCurrentFlowSubsetDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	g := randomGraph(r, 50, 300, 8)
	a := CurrentFlowSubset(g, []int{3, 5, 8}, []int{0})
	for range 5 {
		b := CurrentFlowSubset(g, []int{3, 5, 8}, []int{0})
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
				t.Fatalf("node %d: %v then %v", i, a[i], b[i])
			}
		}
	}
}

// hubGraph returns blocks of random graphs joined by the hub node 0, which
// is a cut vertex unless bridged adds links between blocks. Bytes are
// log-uniform over 4 decades.
func hubGraph(r *rand.Rand, blocks int, bridged bool) *Graph {
	g := New()
	g.Node("hub")
	var starts []int
	for b := range blocks {
		base := g.Len()
		starts = append(starts, base)
		k := 2 + r.IntN(14)
		for i := range k {
			g.Node(fmt.Sprintf("b%d-%d", b, i))
		}
		for range k + r.IntN(3*k) {
			g.Add(base+r.IntN(k), base+r.IntN(k), math.Pow(10, 4*r.Float64()), 1)
		}
		if b%4 != 3 { // every fourth block does not touch the hub
			for range 1 + r.IntN(3) {
				u := base + r.IntN(k)
				if r.IntN(2) == 0 {
					g.Add(u, 0, math.Pow(10, 4*r.Float64()), 1)
				} else {
					g.Add(0, u, math.Pow(10, 4*r.Float64()), 1)
				}
			}
		}
	}
	if bridged && blocks > 1 {
		for range 1 + r.IntN(3) {
			a, b := starts[r.IntN(blocks)], starts[r.IntN(blocks)]
			g.Add(a, b, math.Pow(10, 4*r.Float64()), 1)
		}
	}
	return g
}

// The single-target fast path solves each piece of G − {t} on its own;
// flowAll, the general rule, solves whole components. They must agree: on
// graphs where t is a cut vertex and where it is not, with sources in
// pieces that do and do not touch t, and with t itself listed as a source.
func TestFlowToTargetMatchesFlowAll(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for trial := range 200 {
		bridged := trial%3 == 0
		g := hubGraph(r, 1+r.IntN(8), bridged)
		n := g.Len()
		tgt := 0
		if trial%5 == 4 {
			tgt = r.IntN(n) // mostly not a cut vertex
		}
		var ss []int
		for range 1 + r.IntN(n) {
			ss = append(ss, r.IntN(n))
		}
		ss = distinct(g, "test source", ss)
		links := conductances(g)
		got := make([]float64, n)
		flowToTarget(n, links, ss, tgt, got)
		want := make([]float64, n)
		flowAll(n, links, ss, []int{tgt}, want)
		for i := range want {
			if !near(got[i], want[i], 1e-9) {
				t.Fatalf("trial %d (t=%d, bridged %v, S=%v) node %d: pieces give %.15g, whole components %.15g",
					trial, tgt, bridged, ss, i, got[i], want[i])
			}
		}
	}
}

// When G − {t} is connected the single piece is the whole component, so
// the fast path performs exactly flowAll's arithmetic.
func TestFlowToTargetSameBitsWithoutCut(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	checked := 0
	for range 100 {
		g := randomGraph(r, 3+r.IntN(25), 150, 6)
		n := g.Len()
		tgt := r.IntN(n)
		links := conductances(g)
		var rest []link
		for _, l := range links {
			if l.a != tgt && l.b != tgt {
				rest = append(rest, l)
			}
		}
		uf := newUnionFind(n)
		for _, l := range rest {
			uf.union(l.a, l.b)
		}
		if len(uf.sets()) != 2 { // G − {t} plus t alone: t is no cut vertex
			continue
		}
		checked++
		ss := []int{(tgt + 1) % n, (tgt + 2) % n}
		got := make([]float64, n)
		flowToTarget(n, links, ss, tgt, got)
		want := make([]float64, n)
		flowAll(n, links, ss, []int{tgt}, want)
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("node %d: %v from the pieces, %v from the component", i, got[i], want[i])
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d graphs without a cut at t; the test checks too little", checked)
	}
}
