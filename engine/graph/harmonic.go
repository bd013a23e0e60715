package graph

import (
	"math"
)

// HarmonicIncoming returns the harmonic centrality of every node of g over
// incoming shortest paths, indexed by node ID:
//
//	H(v) = Σ_{u ≠ v, v reachable from u} 1 / d(u→v)
//
// where the length of an edge is total/bytes, so heavy edges are short.
// This is the harmonic centrality of the reversed graph in method.md §5, and
// what gonum's network.Harmonic gives for a directed graph (the tests check
// the two agree). total is the window's total bytes; if it is not a positive
// finite number the bytes of g (self edges included) are used instead. Self
// edges are ignored and unreachable nodes contribute 0.
//
// Lengths are computed as (total/bmax)·(bmax/bytes), bmax the heaviest edge,
// so byte counts spanning many orders of magnitude neither overflow nor lose
// the relative scale; the result depends only on the ratios bytes/total.
//
// The shortest paths are found by a Dijkstra search from every node over a
// flat adjacency list rather than by gonum's path.DijkstraAllPaths, which
// also records every co-equal path and costs about 40 times as much on a
// service graph; see BenchmarkHarmonicIncoming.
func HarmonicIncoming(g *Graph, total float64) []float64 {
	n := g.Len()
	h := make([]float64, n)
	if !(total > 0) || math.IsInf(total, 1) {
		total, _ = g.Total()
	}
	var bmax float64
	for _, e := range g.edges {
		if e.From != e.To {
			bmax = math.Max(bmax, e.Bytes)
		}
	}
	if bmax == 0 || total == 0 {
		return h
	}

	// Flat (CSR) adjacency of the edges with a finite length bmax/bytes ≥ 1.
	// An edge whose bytes/bmax is below the float range is infinitely long,
	// exactly as if it were absent.
	start := make([]int, n+1)
	for _, e := range g.edges {
		if e.From != e.To && !math.IsInf(bmax/e.Bytes, 1) {
			start[e.From+1]++
		}
	}
	for i := range n {
		start[i+1] += start[i]
	}
	to := make([]int, start[n])
	length := make([]float64, start[n])
	fill := append([]int(nil), start[:n]...)
	for _, e := range g.edges {
		if l := bmax / e.Bytes; e.From != e.To && !math.IsInf(l, 1) {
			to[fill[e.From]] = e.To
			length[fill[e.From]] = l
			fill[e.From]++
		}
	}

	dist := make([]float64, n)
	var q distHeap
	for u := range n {
		for i := range dist {
			dist[i] = math.Inf(1)
		}
		dist[u] = 0
		q = append(q[:0], distNode{0, u})
		for len(q) > 0 {
			x := q.pop()
			if x.d > dist[x.v] {
				continue // stale entry
			}
			for k := start[x.v]; k < start[x.v+1]; k++ {
				if d := x.d + length[k]; d < dist[to[k]] {
					dist[to[k]] = d
					q.push(distNode{d, to[k]})
				}
			}
		}
		for v, d := range dist {
			if v != u && !math.IsInf(d, 1) {
				h[v] += 1 / d
			}
		}
	}
	scale := bmax / total
	for v := range h {
		h[v] *= scale
	}
	return h
}

type distNode struct {
	d float64
	v int
}

// distHeap is a binary min-heap on d, ties by v so the search order is
// fixed.
type distHeap []distNode

func (q distHeap) less(i, j int) bool {
	return q[i].d < q[j].d || q[i].d == q[j].d && q[i].v < q[j].v
}

func (q *distHeap) push(x distNode) {
	*q = append(*q, x)
	h := *q
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (q *distHeap) pop() distNode {
	h := *q
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h.less(l, m) {
			m = l
		}
		if r < len(h) && h.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*q = h
	return top
}
