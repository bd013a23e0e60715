package graph

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestWeightedReciprocity(t *testing.T) {
	tests := []struct {
		name  string
		nodes []string
		edges []Edge
		a, b  []int
		want  float64
	}{
		{
			// A = {a1, a2}, B = {b1}. Cross edges: a1→b1 10, b1→a1 4,
			// a2→b1 6 (no b1→a2). a1→a2 is inside A and b1→b1 a self edge:
			// both left out.
			// num = min(10,4) + min(4,10) + min(6,0) = 8; den = 10+4+6 = 20.
			name:  "disjoint sets, asymmetric",
			nodes: []string{"a1", "a2", "b1"},
			edges: []Edge{
				{From: 0, To: 2, Bytes: 10}, {From: 2, To: 0, Bytes: 4},
				{From: 1, To: 2, Bytes: 6}, {From: 0, To: 1, Bytes: 100},
				{From: 2, To: 2, Bytes: 50},
			},
			a: []int{0, 1}, b: []int{2},
			want: 0.4,
		},
		{
			// The same with the arguments swapped.
			name:  "disjoint sets, swapped",
			nodes: []string{"a1", "a2", "b1"},
			edges: []Edge{
				{From: 0, To: 2, Bytes: 10}, {From: 2, To: 0, Bytes: 4},
				{From: 1, To: 2, Bytes: 6}, {From: 0, To: 1, Bytes: 100},
			},
			a: []int{2}, b: []int{0, 1},
			want: 0.4,
		},
		{
			// A == B = {x, y, z}: ordered pairs once. x→y 10, y→x 5,
			// y→z 3; x→x self and z→o (o outside the set) left out.
			// num = 5 + 5 + 0 = 10; den = 10 + 5 + 3 = 18.
			name:  "same set",
			nodes: []string{"x", "y", "z", "o"},
			edges: []Edge{
				{From: 0, To: 1, Bytes: 10}, {From: 1, To: 0, Bytes: 5},
				{From: 1, To: 2, Bytes: 3}, {From: 0, To: 0, Bytes: 7},
				{From: 2, To: 3, Bytes: 100},
			},
			a: []int{0, 1, 2}, b: []int{2, 1, 0},
			want: 10.0 / 18,
		},
		{
			// Overlapping A = {a, b}, B = {b, c}: every directed edge with
			// one end in A and the other in B counts once: a→b 4, b→a 2,
			// b→c 6, c→b 6, a→c 1.
			// num = 2+2+6+6+0 = 16; den = 4+2+6+6+1 = 19.
			name:  "overlapping sets",
			nodes: []string{"a", "b", "c"},
			edges: []Edge{
				{From: 0, To: 1, Bytes: 4}, {From: 1, To: 0, Bytes: 2},
				{From: 1, To: 2, Bytes: 6}, {From: 2, To: 1, Bytes: 6},
				{From: 0, To: 2, Bytes: 1},
			},
			a: []int{0, 1}, b: []int{1, 2},
			want: 16.0 / 19,
		},
		{
			name:  "symmetric",
			nodes: []string{"a", "b"},
			edges: []Edge{{From: 0, To: 1, Bytes: 7}, {From: 1, To: 0, Bytes: 7}},
			a:     []int{0}, b: []int{1},
			want: 1,
		},
		{
			name:  "one-way",
			nodes: []string{"a", "b"},
			edges: []Edge{{From: 0, To: 1, Bytes: 7}},
			a:     []int{0}, b: []int{1},
			want: 0,
		},
		{
			name:  "no traffic",
			nodes: []string{"a", "b"},
			edges: []Edge{{From: 0, To: 0, Bytes: 7}},
			a:     []int{0}, b: []int{1},
			want: 0,
		},
		{
			// Counts near the float64 limit: min/sum = 1/2 exactly, without
			// overflowing the sum. num = 2·(M/2), den = M + M/2 → 2/3.
			name:  "huge counts",
			nodes: []string{"a", "b"},
			edges: []Edge{{From: 0, To: 1, Bytes: math.MaxFloat64}, {From: 1, To: 0, Bytes: math.MaxFloat64 / 2}},
			a:     []int{0}, b: []int{1},
			want: 2.0 / 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := build(tt.nodes, tt.edges)
			if got := WeightedReciprocity(g, tt.a, tt.b); !near(got, tt.want, 1e-12) {
				t.Errorf("WeightedReciprocity = %.15g, want %.15g", got, tt.want)
			}
		})
	}
}

func TestCV(t *testing.T) {
	tests := []struct {
		xs   []float64
		want float64
	}{
		// Mean 5; squared deviations 9,1,1,1,0,0,4,16 sum to 32; 32/8 = 4,
		// std 2; CV 2/5.
		{[]float64{2, 4, 4, 4, 5, 5, 7, 9}, 0.4},
		{nil, 0},
		{[]float64{0, 0}, 0},
		{[]float64{3, 3, 3}, 0},
		{[]float64{-1, 1}, 0}, // mean 0
		// NaN and Inf skipped: {1, 3}, mean 2, std 1.
		{[]float64{1, math.NaN(), 3, math.Inf(1)}, 0.5},
		// {0, 10}: mean 5, std 5.
		{[]float64{0, 10}, 1},
	}
	for _, tt := range tests {
		if got := CV(tt.xs); !near(got, tt.want, 1e-12) {
			t.Errorf("CV(%v) = %.15g, want %.15g", tt.xs, got, tt.want)
		}
	}
}

func TestGroupReciprocity(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for trial := range 20 {
		n := 1 + r.IntN(30)
		g := randomGraph(r, n, r.IntN(5*n), 6)
		k := 1 + r.IntN(6)
		group := make([]int, n)
		byGroup := make([][]int, k)
		for id := range group {
			group[id] = r.IntN(k+1) - 1 // -1: left out
			if group[id] >= 0 {
				byGroup[group[id]] = append(byGroup[group[id]], id)
			}
		}
		got := GroupReciprocity(g, group, k)
		for a := range k {
			for b := range k {
				if want := WeightedReciprocity(g, byGroup[a], byGroup[b]); !near(got[a][b], want, 1e-12) {
					t.Fatalf("trial %d groups %d,%d: %.15g, WeightedReciprocity gives %.15g", trial, a, b, got[a][b], want)
				}
			}
		}
	}
	g := build([]string{"a", "b"}, nil)
	mustPanic(t, "GroupReciprocity: 1 groups for 2 nodes", func() { GroupReciprocity(g, []int{0}, 1) })
	mustPanic(t, "node 1 in group 3, want -1 or [0,2)", func() { GroupReciprocity(g, []int{0, 3}, 2) })
}
