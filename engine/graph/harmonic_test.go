package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/graph/network"
	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/simple"
)

func TestHarmonicIncoming(t *testing.T) {
	tests := []struct {
		name  string
		nodes []string
		edges []Edge
		total float64
		want  []float64
	}{
		{
			// total 100, so lengths are 100/bytes:
			//   a→b 50 → 2, b→c 25 → 4, a→c 10 → 10, c→d 100 → 1,
			//   d→a 20 → 5; the self edge b→b is ignored.
			// Shortest distances d(u→v):
			//   a→b 2, a→c min(10, 2+4) = 6, a→d 6+1 = 7
			//   b→c 4, b→d 4+1 = 5, b→a 5+5 = 10
			//   c→d 1, c→a 1+5 = 6, c→b 6+2 = 8
			//   d→a 5, d→b 5+2 = 7, d→c min(5+10, 5+2+4) = 11
			// H(a) = 1/10 + 1/6 + 1/5 = 7/15
			// H(b) = 1/2 + 1/8 + 1/7 = 43/56
			// H(c) = 1/6 + 1/4 + 1/11 = 67/132
			// H(d) = 1/7 + 1/5 + 1/1 = 47/35
			name:  "4-node weighted digraph",
			nodes: []string{"a", "b", "c", "d"},
			edges: []Edge{
				{From: 0, To: 1, Bytes: 50}, {From: 1, To: 2, Bytes: 25},
				{From: 0, To: 2, Bytes: 10}, {From: 2, To: 3, Bytes: 100},
				{From: 3, To: 0, Bytes: 20}, {From: 1, To: 1, Bytes: 1000},
			},
			total: 100,
			want:  []float64{7.0 / 15, 43.0 / 56, 67.0 / 132, 47.0 / 35},
		},
		{
			// Path x→y (10 bytes), y→z (30 bytes) with total 0: the graph's
			// own total 40 is used, lengths 4 and 4/3.
			// H(x) = 0 (nothing reaches x), H(y) = 1/4,
			// H(z) = 1/(4/3) + 1/(4+4/3) = 3/4 + 3/16 = 15/16.
			// w is isolated: 0.
			name:  "path, fallback total",
			nodes: []string{"x", "y", "z", "w"},
			edges: []Edge{{From: 0, To: 1, Bytes: 10}, {From: 1, To: 2, Bytes: 30}},
			total: 0,
			want:  []float64{0, 0.25, 15.0 / 16, 0},
		},
		{
			// Star of incoming edges l_i → h with bytes 1, 2, 3, 4 and total
			// 10: lengths 10, 5, 10/3, 2.5. H(h) = (1+2+3+4)/10 = 1;
			// leaves are reached by nobody.
			name:  "in-star",
			nodes: []string{"h", "l1", "l2", "l3", "l4"},
			edges: []Edge{
				{From: 1, To: 0, Bytes: 1}, {From: 2, To: 0, Bytes: 2},
				{From: 3, To: 0, Bytes: 3}, {From: 4, To: 0, Bytes: 4},
			},
			total: 10,
			want:  []float64{1, 0, 0, 0, 0},
		},
		{
			name:  "no edges",
			nodes: []string{"a", "b"},
			total: 10,
			want:  []float64{0, 0},
		},
		{
			name:  "empty graph",
			total: 10,
			want:  []float64{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := build(tt.nodes, tt.edges)
			checkVec(t, "H", HarmonicIncoming(g, tt.total), tt.want, 1e-12)
		})
	}
}

func TestHarmonicIncomingBadTotal(t *testing.T) {
	// Same path as above; every unusable total falls back to the graph's 40.
	g := build([]string{"x", "y", "z"}, []Edge{{From: 0, To: 1, Bytes: 10}, {From: 1, To: 2, Bytes: 30}})
	want := HarmonicIncoming(g, 40)
	for _, total := range []float64{0, -5, math.NaN(), math.Inf(1), math.Inf(-1)} {
		checkVec(t, "H", HarmonicIncoming(g, total), want, 0)
	}
}

// randomGraph returns a graph of n nodes and about m random edges with bytes
// log-uniform over [1, 10^decades].
func randomGraph(r *rand.Rand, n, m int, decades float64) *Graph {
	g := New()
	for i := range n {
		g.Node(string(rune('A'+i%26)) + string(rune('a'+i/26)))
	}
	for range m {
		u, v := r.IntN(n), r.IntN(n)
		b := math.Pow(10, decades*r.Float64())
		g.Add(u, v, b, 1)
	}
	return g
}

// floydHarmonic is an independent reference: Floyd–Warshall on lengths
// total/bytes, then H(v) = Σ_u 1/d(u→v).
func floydHarmonic(g *Graph, total float64) []float64 {
	n := g.Len()
	d := make([][]float64, n)
	for i := range d {
		d[i] = make([]float64, n)
		for j := range d[i] {
			if i != j {
				d[i][j] = math.Inf(1)
			}
		}
	}
	for _, e := range g.Edges() {
		if e.From != e.To && e.Bytes > 0 {
			d[e.From][e.To] = math.Min(d[e.From][e.To], total/e.Bytes)
		}
	}
	for k := range n {
		for i := range n {
			for j := range n {
				d[i][j] = math.Min(d[i][j], d[i][k]+d[k][j])
			}
		}
	}
	h := make([]float64, n)
	for v := range n {
		for u := range n {
			if u != v && !math.IsInf(d[u][v], 1) {
				h[v] += 1 / d[u][v]
			}
		}
	}
	return h
}

func TestHarmonicIncomingAgainstFloyd(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 30 {
		g := randomGraph(r, 2+r.IntN(15), r.IntN(60), 6)
		total, _ := g.Total()
		total *= 1 + r.Float64() // a window total may exceed the graph's
		got := HarmonicIncoming(g, total)
		want := floydHarmonic(g, total)
		for i := range want {
			if !near(got[i], want[i], 1e-9) {
				t.Fatalf("trial %d node %d: H = %.12g, Floyd–Warshall gives %.12g", trial, i, got[i], want[i])
			}
		}
	}
}

// Scaling every byte count and the total by the same factor leaves every
// length, hence H, unchanged.
func TestHarmonicIncomingScaleInvariant(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 20 {
		g := randomGraph(r, 2+r.IntN(20), r.IntN(80), 8)
		total, _ := g.Total()
		base := HarmonicIncoming(g, total)
		for _, k := range []float64{1e-9, 0.37, 3, 1e12} {
			s := New()
			for _, n := range g.Names() {
				s.Node(n)
			}
			for _, e := range g.Edges() {
				s.Add(e.From, e.To, e.Bytes*k, e.Packets)
			}
			got := HarmonicIncoming(s, total*k)
			for i := range base {
				if !near(got[i], base[i], 1e-12) {
					t.Fatalf("trial %d, scale %g, node %d: H = %.15g, unscaled %.15g", trial, k, i, got[i], base[i])
				}
			}
		}
	}
}

// gonum's network.Harmonic over path.DijkstraAllPaths, on the same lengths,
// is a second independent reference.
func TestHarmonicIncomingAgainstGonum(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for trial := range 30 {
		g := randomGraph(r, 2+r.IntN(25), r.IntN(150), 9)
		total, _ := g.Total()
		s := simple.NewWeightedDirectedGraph(0, math.Inf(1))
		for id := range g.Len() {
			s.AddNode(simple.Node(int64(id)))
		}
		for _, e := range g.Edges() {
			if e.From != e.To {
				s.SetWeightedEdge(simple.WeightedEdge{F: simple.Node(int64(e.From)), T: simple.Node(int64(e.To)), W: total / e.Bytes})
			}
		}
		want := network.Harmonic(s, path.DijkstraAllPaths(s))
		got := HarmonicIncoming(g, total)
		for id := range got {
			if !near(got[id], want[int64(id)], 1e-9) {
				t.Fatalf("trial %d node %d: H = %.12g, gonum network.Harmonic %.12g", trial, id, got[id], want[int64(id)])
			}
		}
	}
}
