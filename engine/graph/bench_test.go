package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// window is a synthetic window graph shaped like a real one: 100 pods in 15
// services (3 to 10 pods each), one VIP per service, and "outside", with
// 1 000 distinct directed edges whose bytes are log-uniform over 60 B to
// 100 MB.
type window struct {
	names   []string
	service []string // by node index
	edges   []Edge
	sources []int // the pods of service svc00 (4 pods)
	outside int
}

func newWindow() *window {
	r := rand.New(rand.NewPCG(42, 42))
	w := &window{}
	add := func(name, svc string) int {
		w.names = append(w.names, name)
		w.service = append(w.service, svc)
		return len(w.names) - 1
	}
	sizes := []int{4, 10, 9, 8, 8, 7, 7, 7, 6, 6, 6, 6, 6, 5, 5} // 100 pods
	var pods, vips []int
	for s, k := range sizes {
		svc := fmt.Sprintf("svc%02d", s)
		for p := range k {
			id := add(fmt.Sprintf("%s-7d9f8c-%05d", svc, p), svc)
			pods = append(pods, id)
			if s == 0 {
				w.sources = append(w.sources, id)
			}
		}
		vips = append(vips, add(svc+"_VIP", svc))
	}
	w.outside = add("outside", "outside")

	seen := map[[2]int]bool{}
	for len(w.edges) < 1000 {
		u := pods[r.IntN(len(pods))]
		var v int
		switch x := r.Float64(); {
		case x < 0.6:
			v = pods[r.IntN(len(pods))]
		case x < 0.9:
			v = vips[r.IntN(len(vips))]
		default:
			v = w.outside
		}
		if r.IntN(2) == 0 {
			u, v = v, u // replies
		}
		if u == v || seen[[2]int{u, v}] {
			continue
		}
		seen[[2]int{u, v}] = true
		b := 60 * math.Pow(10, 6.2*r.Float64())
		w.edges = append(w.edges, Edge{From: u, To: v, Bytes: b, Packets: math.Ceil(b / 1400)})
	}
	return w
}

func (w *window) build() *Graph {
	g := New()
	for _, n := range w.names {
		g.Node(n)
	}
	for _, e := range w.edges {
		g.Add(e.From, e.To, e.Bytes, e.Packets)
	}
	return g
}

// all is what the engine does per window with this package.
func (w *window) all() (*Graph, []float64, []float64) {
	g := w.build()
	sg := g.Collapse(func(id int) string { return w.service[id] })
	total, _ := g.Total()
	h := HarmonicIncoming(sg, total)
	cf := CurrentFlowSubset(g, w.sources, []int{w.outside})
	return sg, h, cf
}

func TestBenchWindowShape(t *testing.T) {
	w := newWindow()
	g := w.build()
	sg := g.Collapse(func(id int) string { return w.service[id] })
	if g.Len() != 116 || g.NumEdges() != 1000 || sg.Len() != 16 || len(w.sources) != 4 {
		t.Fatalf("window: %d nodes, %d edges, %d services, %d sources; want 116, 1000, 16, 4",
			g.Len(), g.NumEdges(), sg.Len(), len(w.sources))
	}
	_, _, cf := w.all()
	// Four sources, one target: s and t carry ½ per pair.
	if !near(cf[w.outside], 2, 1e-9) {
		t.Fatalf("throughput of outside = %v, want 4·½ = 2", cf[w.outside])
	}
}

func BenchmarkBuild(b *testing.B) {
	w := newWindow()
	for b.Loop() {
		w.build()
	}
}

func BenchmarkCollapse(b *testing.B) {
	w := newWindow()
	g := w.build()
	for b.Loop() {
		g.Collapse(func(id int) string { return w.service[id] })
	}
}

func BenchmarkHarmonicIncoming(b *testing.B) {
	w := newWindow()
	g := w.build()
	sg := g.Collapse(func(id int) string { return w.service[id] })
	total, _ := g.Total()
	for b.Loop() {
		HarmonicIncoming(sg, total)
	}
}

func BenchmarkCurrentFlowSubset(b *testing.B) {
	w := newWindow()
	g := w.build()
	for b.Loop() {
		CurrentFlowSubset(g, w.sources, []int{w.outside})
	}
}

// BenchmarkWindow is the whole per-window cost: build, collapse, harmonic,
// current flow. ≥ 200 windows/s on one core needs < 5 ms/op.
func BenchmarkWindow(b *testing.B) {
	w := newWindow()
	for b.Loop() {
		w.all()
	}
}

func BenchmarkActivity(b *testing.B) {
	w := newWindow()
	g := w.build()
	sg := g.Collapse(func(id int) string { return w.service[id] })
	order := sg.Names()
	for b.Loop() {
		Activity(sg, order)
	}
}

func BenchmarkWeightedReciprocityAllPairs(b *testing.B) {
	w := newWindow()
	g := w.build()
	bySvc := map[string][]int{}
	var svcs []string
	for id, s := range w.service {
		if _, ok := bySvc[s]; !ok {
			svcs = append(svcs, s)
		}
		bySvc[s] = append(bySvc[s], id)
	}
	for b.Loop() {
		for i := range svcs {
			for j := i; j < len(svcs); j++ {
				WeightedReciprocity(g, bySvc[svcs[i]], bySvc[svcs[j]])
			}
		}
	}
}

func BenchmarkGroupReciprocity(b *testing.B) {
	w := newWindow()
	g := w.build()
	idx := map[string]int{}
	group := make([]int, len(w.service))
	for id, s := range w.service {
		if _, ok := idx[s]; !ok {
			idx[s] = len(idx)
		}
		group[id] = idx[s]
	}
	for b.Loop() {
		GroupReciprocity(g, group, len(idx))
	}
}

// hubbed is a graph shaped like the engine's pod graph of N copies of one
// application side by side: copies of a 20-node community (each node sends
// to 3 others of its copy, half the pairs answered, bytes log-uniform over
// 60 B to 100 MB) that share only the node "outside" (node 0), to which 3
// nodes of each copy send and from which 2 receive. Each copy draws its own
// traffic, as distinct services would. sources are 2 nodes of each copy.
type hubbed struct {
	g       *Graph
	sources []int
	outside int
}

func newHubbed(copies int) *hubbed {
	const size = 20
	r := rand.New(rand.NewPCG(uint64(copies), 7))
	h := &hubbed{g: New()}
	h.outside = h.g.Node("outside")
	bytes := func() float64 { return 60 * math.Pow(10, 6.2*r.Float64()) }
	for c := range copies {
		base := h.g.Len()
		for i := range size {
			h.g.Node(fmt.Sprintf("copy%03d-pod%02d", c, i))
		}
		for i := range size {
			for range 3 {
				j := r.IntN(size)
				if j == i {
					continue
				}
				h.g.Add(base+i, base+j, bytes(), 1)
				if r.IntN(2) == 0 {
					h.g.Add(base+j, base+i, bytes(), 1)
				}
			}
		}
		for k := range 3 {
			h.g.Add(base+r.IntN(size), h.outside, bytes(), 1)
			if k < 2 {
				h.g.Add(h.outside, base+r.IntN(size), bytes(), 1)
			}
		}
		h.sources = append(h.sources, base, base+1)
	}
	return h
}

// hubbedSizes are the node counts of the scale benchmarks: 5, 15 and 65
// copies of 20 nodes plus outside (the pod graph of 64 shop copies has
// about 1 300 nodes).
var hubbedSizes = []int{5, 15, 65}

func BenchmarkScaleHarmonicIncoming(b *testing.B) {
	for _, c := range hubbedSizes {
		h := newHubbed(c)
		b.Run(fmt.Sprintf("n=%d", h.g.Len()), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				HarmonicIncoming(h.g, 0)
			}
		})
	}
}

func BenchmarkScaleCurrentFlowSubset(b *testing.B) {
	for _, c := range hubbedSizes {
		h := newHubbed(c)
		b.Run(fmt.Sprintf("n=%d", h.g.Len()), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				CurrentFlowSubset(h.g, h.sources, []int{h.outside})
			}
		})
	}
}

func BenchmarkScaleActivity(b *testing.B) {
	for _, c := range hubbedSizes {
		h := newHubbed(c)
		order := h.g.Names()
		b.Run(fmt.Sprintf("n=%d", h.g.Len()), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Activity(h.g, order)
			}
		})
	}
}
