package graph

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// build returns a graph with the given nodes (in order) and edges.
func build(names []string, edges []Edge) *Graph {
	g := New()
	for _, n := range names {
		g.Node(n)
	}
	for _, e := range edges {
		g.Add(e.From, e.To, e.Bytes, e.Packets)
	}
	return g
}

func near(got, want, tol float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func checkVec(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values %v, want %d %v", what, len(got), got, len(want), want)
	}
	for i := range want {
		if !near(got[i], want[i], tol) {
			t.Errorf("%s[%d] = %.12g, want %.12g (all: %v)", what, i, got[i], want[i], got)
		}
	}
}

func mustPanic(t *testing.T, contains string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("no panic, want one containing %q", contains)
		}
		if msg, _ := r.(string); !strings.Contains(msg, contains) {
			t.Fatalf("panic %v, want one containing %q", r, contains)
		}
	}()
	f()
}

func TestNodeIDs(t *testing.T) {
	g := New()
	if a, b, a2 := g.Node("a"), g.Node("b"), g.Node("a"); a != 0 || b != 1 || a2 != 0 {
		t.Fatalf("Node IDs a=%d b=%d a again=%d, want 0 1 0", a, b, a2)
	}
	if g.Len() != 2 || g.Name(1) != "b" {
		t.Fatalf("Len %d Name(1) %q, want 2 \"b\"", g.Len(), g.Name(1))
	}
	if id, ok := g.Lookup("b"); !ok || id != 1 {
		t.Fatalf("Lookup(b) = %d %v, want 1 true", id, ok)
	}
	if _, ok := g.Lookup("c"); ok || g.Len() != 2 {
		t.Fatalf("Lookup(c) found or added a node")
	}
	if !reflect.DeepEqual(g.Names(), []string{"a", "b"}) {
		t.Fatalf("Names = %v", g.Names())
	}

	var zero Graph // the zero Graph is usable
	zero.Add(zero.Node("x"), zero.Node("y"), 1, 1)
	if zero.Weight(0, 1) != 1 {
		t.Fatalf("zero Graph: Weight = %v, want 1", zero.Weight(0, 1))
	}
}

func TestAddAccumulatesAndSanitises(t *testing.T) {
	g := build([]string{"a", "b", "c"}, nil)
	g.Add(0, 1, 100, 2)
	g.Add(0, 1, 50, 1)
	g.Add(0, 1, math.NaN(), 1)          // bytes dropped, packet kept
	g.Add(0, 1, -7, math.Inf(1))        // both dropped
	g.Add(0, 1, math.Inf(1), -1)        // both dropped
	g.Add(1, 1, 5, 1)                   // self edge kept
	g.Add(2, 0, math.NaN(), math.NaN()) // nothing valid: no edge
	g.Add(1, 2, 0, 3)                   // packets only

	// a→b: 100+50 bytes, 2+1+1 packets.
	if w, p := g.Weight(0, 1), g.Packets(0, 1); w != 150 || p != 4 {
		t.Errorf("a→b = %v bytes %v packets, want 150 4", w, p)
	}
	if w := g.Weight(1, 1); w != 5 {
		t.Errorf("self edge b→b = %v, want 5", w)
	}
	if g.NumEdges() != 3 {
		t.Errorf("NumEdges = %d, want 3 (a→b, b→b, b→c); edges %v", g.NumEdges(), g.Edges())
	}
	if w := g.Weight(2, 0); w != 0 {
		t.Errorf("c→a = %v, want 0", w)
	}
	// Total: bytes 150+5+0, packets 4+1+3.
	if b, p := g.Total(); b != 155 || p != 8 {
		t.Errorf("Total = %v, %v, want 155, 8", b, p)
	}

	g.Add(2, 0, math.MaxFloat64, 0)
	g.Add(2, 0, math.MaxFloat64, 0)
	if w := g.Weight(2, 0); w != math.MaxFloat64 {
		t.Errorf("saturated sum = %v, want MaxFloat64", w)
	}
}

func TestEdgesOutIn(t *testing.T) {
	g := build([]string{"a", "b", "c"}, []Edge{
		{From: 2, To: 0, Bytes: 1},
		{From: 0, To: 2, Bytes: 2},
		{From: 1, To: 1, Bytes: 3},
		{From: 0, To: 1, Bytes: 4},
		{From: 1, To: 0, Bytes: 5},
	})
	want := []Edge{{0, 1, 4, 0}, {0, 2, 2, 0}, {1, 0, 5, 0}, {1, 1, 3, 0}, {2, 0, 1, 0}}
	if got := g.Edges(); !reflect.DeepEqual(got, want) {
		t.Errorf("Edges = %v, want %v", got, want)
	}
	if got, want := g.Out(1), []Edge{{1, 0, 5, 0}, {1, 1, 3, 0}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Out(b) = %v, want %v", got, want)
	}
	if got, want := g.In(0), []Edge{{1, 0, 5, 0}, {2, 0, 1, 0}}; !reflect.DeepEqual(got, want) {
		t.Errorf("In(a) = %v, want %v", got, want)
	}
	if got := g.Out(2); len(got) != 1 || got[0].To != 0 {
		t.Errorf("Out(c) = %v", got)
	}
}

func TestCollapse(t *testing.T) {
	// Pods a1, a2 of service A, b1 of B, and outside (its own group).
	names := []string{"a1", "b1", "a2", "outside", "lonely"}
	group := map[string]string{"a1": "A", "a2": "A", "b1": "B", "lonely": "L"}
	g := build(names, []Edge{
		{From: 0, To: 2, Bytes: 10, Packets: 1},  // a1→a2: A self
		{From: 0, To: 0, Bytes: 1, Packets: 1},   // a1 self: A self
		{From: 0, To: 1, Bytes: 5, Packets: 2},   // a1→b1: A→B
		{From: 2, To: 1, Bytes: 7, Packets: 3},   // a2→b1: A→B
		{From: 1, To: 0, Bytes: 3, Packets: 1},   // b1→a1: B→A
		{From: 1, To: 3, Bytes: 100, Packets: 9}, // b1→outside: B→outside
	})
	c := g.Collapse(func(id int) string { return group[g.Name(id)] })
	// Groups in first appearance by node ID: A (a1), B (b1), outside, L.
	if got, want := c.Names(), []string{"A", "B", "outside", "L"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("groups = %v, want %v", got, want)
	}
	want := []Edge{
		{0, 0, 11, 2},  // 10 + 1 bytes, 1 + 1 packets
		{0, 1, 12, 5},  // 5 + 7, 2 + 3
		{1, 0, 3, 1},   //
		{1, 2, 100, 9}, //
	}
	if got := c.Edges(); !reflect.DeepEqual(got, want) {
		t.Errorf("collapsed edges = %v, want %v", got, want)
	}
	if b, _ := c.Total(); b != 126 {
		t.Errorf("collapsed total bytes = %v, want 126 (10+1+5+7+3+100) as before", b)
	}
}

func TestReverse(t *testing.T) {
	g := build([]string{"a", "b", "c"}, []Edge{
		{From: 0, To: 1, Bytes: 4, Packets: 1},
		{From: 1, To: 0, Bytes: 2, Packets: 1},
		{From: 2, To: 2, Bytes: 7, Packets: 3},
		{From: 1, To: 2, Bytes: 5, Packets: 2},
	})
	want := []Edge{{0, 1, 2, 1}, {1, 0, 4, 1}, {2, 1, 5, 2}, {2, 2, 7, 3}}
	if got := g.Reverse().Edges(); !reflect.DeepEqual(got, want) {
		t.Errorf("reversed edges = %v, want %v", got, want)
	}
	if got := g.Reverse().Names(); !reflect.DeepEqual(got, g.Names()) {
		t.Errorf("reversed names = %v", got)
	}
}

func TestSimple(t *testing.T) {
	g := build([]string{"a", "b", "c", "d"}, []Edge{
		{From: 0, To: 1, Bytes: 10, Packets: 1},
		{From: 1, To: 1, Bytes: 99, Packets: 1}, // self: dropped
		{From: 1, To: 2, Bytes: 0, Packets: 4},  // no bytes: dropped
		{From: 2, To: 0, Bytes: 3, Packets: 1},
	})
	s := g.Simple()
	if n := s.Nodes().Len(); n != 4 {
		t.Errorf("simple graph has %d nodes, want 4 (d is isolated but present)", n)
	}
	if n := s.Edges().Len(); n != 2 {
		t.Errorf("simple graph has %d edges, want 2", n)
	}
	if w, ok := s.Weight(0, 1); !ok || w != 10 {
		t.Errorf("Weight(a,b) = %v %v, want 10 true", w, ok)
	}
	if w, ok := s.Weight(1, 1); !ok || w != 0 {
		t.Errorf("Weight(b,b) = %v %v, want the self value 0", w, ok)
	}
	if w, ok := s.Weight(1, 2); ok || !math.IsInf(w, 1) {
		t.Errorf("Weight(b,c) = %v %v, want +Inf false", w, ok)
	}
}

func TestComponents(t *testing.T) {
	// {0,1,2} via 0→1, 2→1; {3,4} via 4→3; 5 isolated with only a self
	// edge; 6 linked to 5 only by a packets-only edge (no bytes).
	g := build([]string{"a", "b", "c", "d", "e", "f", "g"}, []Edge{
		{From: 0, To: 1, Bytes: 1},
		{From: 2, To: 1, Bytes: 1},
		{From: 4, To: 3, Bytes: 1},
		{From: 5, To: 5, Bytes: 1},
		{From: 6, To: 5, Packets: 1},
	})
	want := [][]int{{0, 1, 2}, {3, 4}, {5}, {6}}
	if got := Components(g); !reflect.DeepEqual(got, want) {
		t.Errorf("Components = %v, want %v", got, want)
	}
	if got := LargestComponent(g); !reflect.DeepEqual(got, []int{0, 1, 2}) {
		t.Errorf("LargestComponent = %v", got)
	}
	// Tie: {0,1} and {2,3} both of size 2; the one with node 0 wins.
	tie := build([]string{"a", "b", "c", "d"}, []Edge{{From: 3, To: 2, Bytes: 1}, {From: 1, To: 0, Bytes: 1}})
	if got := LargestComponent(tie); !reflect.DeepEqual(got, []int{0, 1}) {
		t.Errorf("LargestComponent(tie) = %v, want [0 1]", got)
	}
	if got := LargestComponent(New()); got != nil {
		t.Errorf("LargestComponent(empty) = %v, want nil", got)
	}
}

func TestOutOfRangePanics(t *testing.T) {
	g := build([]string{"a", "b"}, nil)
	mustPanic(t, "graph: Add: node 2 out of range [0,2)", func() { g.Add(0, 2, 1, 1) })
	mustPanic(t, "graph: Name: node -1 out of range", func() { g.Name(-1) })
	mustPanic(t, "graph: Weight: node 5", func() { g.Weight(5, 0) })
	mustPanic(t, "graph: Out: node 9", func() { g.Out(9) })
	mustPanic(t, "graph: CurrentFlowSubset: source 3 out of range", func() { CurrentFlowSubset(g, []int{3}, []int{0}) })
	mustPanic(t, "graph: WeightedReciprocity: b: node 4", func() { WeightedReciprocity(g, []int{0}, []int{4}) })
}
