package graph

import (
	"fmt"
	"math"
)

// WeightedReciprocity returns the weighted reciprocity of the traffic
// between the node sets a and b (method.md §5):
//
//	Σ_{(i,j)∈E} min(w_ij, w_ji) / Σ_{(i,j)∈E} w_ij
//
// over the directed cross edges E = {(i,j) : i ≠ j, i∈a ∧ j∈b or i∈b ∧ j∈a},
// w the bytes. For disjoint a and b this counts both directions of every
// cross pair; for a == b every ordered pair inside the set once. It is 1 for
// perfectly symmetric traffic, 0 for one-way traffic and 0 when there is no
// traffic. Repeated IDs count once.
func WeightedReciprocity(g *Graph, a, b []int) float64 {
	inA := members(g, "WeightedReciprocity: a", a)
	inB := members(g, "WeightedReciprocity: b", b)
	cross := func(e Edge) bool {
		i, j := e.From, e.To
		return i != j && (inA[i] && inB[j] || inB[i] && inA[j])
	}
	// Sums are of bytes/bmax so that huge counts cannot overflow.
	var bmax float64
	for _, e := range g.edges {
		if cross(e) {
			bmax = math.Max(bmax, e.Bytes)
		}
	}
	if bmax == 0 {
		return 0
	}
	var num, den float64
	for _, e := range g.edges {
		if cross(e) {
			den += e.Bytes / bmax
			num += min(e.Bytes, g.Weight(e.To, e.From)) / bmax
		}
	}
	return num / den
}

// GroupReciprocity returns WeightedReciprocity for every pair of groups in
// one pass over the edges: r[a][b] = r[b][a] is the reciprocity between the
// members of groups a and b, r[a][a] that inside group a. group[id] is the
// group of node id, in [0, k), or -1 to leave the node out; len(group) must
// be g.Len(). Use it for the all-pairs feature, where calling
// WeightedReciprocity per pair would scan the edges k(k+1)/2 times.
func GroupReciprocity(g *Graph, group []int, k int) [][]float64 {
	if len(group) != g.Len() {
		panic(fmt.Sprintf("graph: GroupReciprocity: %d groups for %d nodes", len(group), g.Len()))
	}
	for id, a := range group {
		if a < -1 || a >= k {
			panic(fmt.Sprintf("graph: GroupReciprocity: node %d in group %d, want -1 or [0,%d)", id, a, k))
		}
	}
	cross := func(e Edge) bool { return e.From != e.To && group[e.From] >= 0 && group[e.To] >= 0 }
	var bmax float64
	for _, e := range g.edges {
		if cross(e) {
			bmax = math.Max(bmax, e.Bytes)
		}
	}
	num := make([]float64, k*k)
	den := make([]float64, k*k)
	if bmax > 0 {
		for _, e := range g.edges {
			if !cross(e) {
				continue
			}
			a, b := group[e.From], group[e.To]
			lo, hi := min(a, b), max(a, b)
			den[lo*k+hi] += e.Bytes / bmax
			num[lo*k+hi] += min(e.Bytes, g.Weight(e.To, e.From)) / bmax
		}
	}
	r := make([][]float64, k)
	for a := range r {
		r[a] = make([]float64, k)
	}
	for a := range k {
		for b := a; b < k; b++ {
			if d := den[a*k+b]; d > 0 {
				r[a][b] = num[a*k+b] / d
				r[b][a] = r[a][b]
			}
		}
	}
	return r
}

func members(g *Graph, op string, ids []int) []bool {
	in := make([]bool, g.Len())
	for _, id := range ids {
		if id < 0 || id >= g.Len() {
			panic(fmt.Sprintf("graph: %s: node %d out of range [0,%d)", op, id, g.Len()))
		}
		in[id] = true
	}
	return in
}

// CV returns the coefficient of variation of xs: the population standard
// deviation divided by the mean. It is 0 for no values or a zero mean.
// NaN and infinite values are skipped.
func CV(xs []float64) float64 {
	var n, sum float64
	for _, x := range xs {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			n++
			sum += x
		}
	}
	if n == 0 {
		return 0
	}
	mean := sum / n
	if mean == 0 || math.IsInf(mean, 0) {
		return 0
	}
	// Two passes: the deviations are formed after the mean is known, which
	// avoids the cancellation of Σx² − n·mean².
	var ss float64
	for _, x := range xs {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			d := x - mean
			ss += d * d
		}
	}
	return math.Sqrt(ss/n) / mean
}
