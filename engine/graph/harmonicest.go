package graph

import (
	"cmp"
	"math"
	"slices"
)

// HarmonicIncoming's estimator on graphs of more than harmonicSample nodes
// searches from harmonicSample sampled sources and, backwards, from every
// node to its harmonicBall nearest in-reachers.
const (
	harmonicSample = 64
	harmonicBall   = 32
)

// estimateHarmonic returns the harmonic sums Σ_{u≠v} 1/d(u→v) of every
// node v, lengths bmax/bytes, estimated by the hybrid estimator of Cohen,
// Delling, Pajor and Werneck ("Computing classic closeness centrality, at
// scale", COSN 2014) on the sampling of Eppstein and Wang ("Fast
// approximation of centrality", SODA 2001):
//
//   - exactly over v's ball B(v), the harmonicBall nodes nearest to v
//     (fewer if fewer reach v), found by a search backwards from v;
//   - beyond it from a fixed sample S of harmonicSample sources (see
//     harmonicSources), searched forwards: the sampled sources outside
//     B(v) ∪ {v} are a uniform sample of the n−1−|B(v)| nodes there, so
//     their sum scaled by that count over their number is an unbiased
//     estimate of the rest. Counting only them corrects for v itself or
//     its ball's nodes being sampled.
//
// The ball carries the terms that dominate H(v) and vary most, those of
// v's own neighbourhood, which a plain sample of 64 sources often misses:
// on the engine's service graphs of 16 and 64 shop copies the plain
// estimate (n−1)/k·Σ_S is off by 13–15 % on average over a median window
// and by 100 % and more for single services; with the ball, by 0.2–0.5 %
// on average and by at most 9 % (16 copies) and 37 % (64 copies) for a
// single service. A node reached by at most harmonicBall others is exact.
//
// Cost: O(k·(edges + n)·log n) for the k sources, plus per node a search
// settling harmonicBall nodes; edges are taken shortest first, so a hub in
// the ball costs only the edges the search uses, not its whole degree.
func estimateHarmonic(g *Graph, bmax float64) []float64 {
	n := g.Len()
	fwd := lengthAdjacency(g, bmax, false)
	sources := harmonicSources(n)
	sampled := make([]bool, n)
	sums := make([]float64, n) // Σ over sampled u ≠ v of 1/d(u→v)
	dist := make([]float64, n)
	var q distHeap
	for _, u := range sources {
		sampled[u] = true
		fwd.dijkstra(u, dist, &q)
		for v, d := range dist {
			if v != u && !math.IsInf(d, 1) {
				sums[v] += 1 / d
			}
		}
	}
	rev := lengthAdjacency(g, bmax, true)
	rev.sortByLength()
	b := newBall(n)
	h := make([]float64, n)
	for v := range n {
		b.search(rev, v, harmonicBall)
		var near, nearSampled float64
		others := len(sources) // sampled sources outside B(v) ∪ {v}
		if sampled[v] {
			others--
		}
		for i, u := range b.nodes {
			near += 1 / b.dist[i]
			if sampled[u] {
				nearSampled += 1 / b.dist[i]
				others--
			}
		}
		h[v] = near
		if !b.whole {
			// The difference is of sums over the same paths, so it is 0
			// up to rounding when nothing beyond the ball reaches v.
			far := math.Max(sums[v]-nearSampled, 0)
			h[v] += float64(n-1-len(b.nodes)) / float64(others) * far
		}
	}
	return h
}

// harmonicSources returns harmonicSample node IDs of a graph of n nodes,
// in increasing order: those with the smallest splitmix64(ID). This is a
// fixed pseudo-random sample, so the estimate is deterministic, and unlike
// evenly spaced IDs it does not follow the order in which nodes were added
// (on the engine's graphs, copy after copy of an application, which
// spacing by n/64 would sample as one service of every copy).
func harmonicSources(n int) []int {
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i
	}
	slices.SortFunc(ids, func(a, b int) int { return cmp.Compare(splitmix64(uint64(a)), splitmix64(uint64(b))) })
	ids = ids[:min(n, harmonicSample)]
	slices.Sort(ids)
	return ids
}

// splitmix64 is the output function of the SplitMix64 generator (Steele,
// Lea and Flood, OOPSLA 2014): a bijection of uint64 that scatters
// consecutive inputs.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// sortByLength orders every node's edges by length, ties by target, and
// records each edge's source, for ball.search.
func (a *csr) sortByLength() {
	type arc struct {
		to     int
		length float64
	}
	var buf []arc
	a.from = make([]int, len(a.to))
	for u := range len(a.start) - 1 {
		lo, hi := a.start[u], a.start[u+1]
		buf = buf[:0]
		for k := lo; k < hi; k++ {
			buf = append(buf, arc{a.to[k], a.length[k]})
		}
		slices.SortFunc(buf, func(x, y arc) int {
			if c := cmp.Compare(x.length, y.length); c != 0 {
				return c
			}
			return cmp.Compare(x.to, y.to)
		})
		for i, x := range buf {
			a.to[lo+i], a.length[lo+i], a.from[lo+i] = x.to, x.length, u
		}
	}
}

// ball is a Dijkstra search that stops after settling a given number of
// nodes, with scratch space reused between searches.
type ball struct {
	nodes []int     // settled nodes other than the start, nearest first
	dist  []float64 // their distances
	whole bool      // whether every node reachable from the start is in nodes
	at    []float64 // distance of each settled node, +Inf for the others
	q     distHeap  // entries are edges: v is an edge index
}

func newBall(n int) *ball {
	b := &ball{at: make([]float64, n)}
	for i := range b.at {
		b.at[i] = math.Inf(1)
	}
	return b
}

// search settles up to size nodes nearest to v over a (edges sorted by
// length). Its heap holds, for each settled node, only the next of its
// edges not yet taken, so a node's edges are taken one at a time, shortest
// first, and only as far as the search gets: each pop takes one edge and
// the heap holds at most one entry per settled node plus one.
func (b *ball) search(a *csr, v, size int) {
	for _, u := range b.nodes {
		b.at[u] = math.Inf(1)
	}
	b.nodes, b.dist, b.q = b.nodes[:0], b.dist[:0], b.q[:0]
	b.at[v] = 0
	b.pushFrom(a, v, a.start[v])
	for len(b.q) > 0 && len(b.nodes) < size {
		x := b.q.pop()
		from := a.from[x.v]
		b.pushFrom(a, from, x.v+1)
		u := a.to[x.v]
		if !math.IsInf(b.at[u], 1) {
			continue // settled
		}
		b.at[u] = x.d
		b.nodes = append(b.nodes, u)
		b.dist = append(b.dist, x.d)
		b.pushFrom(a, u, a.start[u])
	}
	b.at[v] = math.Inf(1)
	b.whole = len(b.q) == 0
}

// pushFrom queues edge k of the settled node u, if u has one.
func (b *ball) pushFrom(a *csr, u, k int) {
	if k < a.start[u+1] {
		b.q.push(distNode{b.at[u] + a.length[k], k})
	}
}
