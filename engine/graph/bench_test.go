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
