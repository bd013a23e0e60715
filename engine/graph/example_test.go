package graph_test

import (
	"fmt"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/mimir-tui/mimir-tui/engine/graph"
)

// A pod graph collapsed to its service graph, then the harmonic centrality
// of each service over incoming paths. Total 100 000 bytes, so the lengths
// are front-end→catalogue 50, catalogue→front-end 5/3, catalogue→db 100,
// db→catalogue 10/3, front-end→outside 100/7; e.g.
// H(front-end) = 1/(5/3) + 1/(10/3 + 5/3) = 0.6 + 0.2 = 0.8.
func Example() {
	g := graph.New()
	fe := g.Node("front-end-6f7d-abcde")
	cat := g.Node("catalogue-5c9b-xyz12")
	db := g.Node("catalogue-db-0")
	out := g.Node("outside")
	g.Add(fe, cat, 2_000, 20)
	g.Add(cat, fe, 60_000, 50)
	g.Add(cat, db, 1_000, 10)
	g.Add(db, cat, 30_000, 25)
	g.Add(fe, out, 7_000, 12)

	service := func(id int) string {
		name := g.Name(id)
		if name == "outside" {
			return name
		}
		// Drop the generated suffixes (a real resolver knows the owner).
		parts := strings.Split(name, "-")
		if parts[len(parts)-1] == "0" {
			return strings.Join(parts[:len(parts)-1], "-")
		}
		return strings.Join(parts[:len(parts)-2], "-")
	}
	sg := g.Collapse(service)
	total, _ := g.Total()
	for id, h := range graph.HarmonicIncoming(sg, total) {
		fmt.Printf("%-12s %.4f\n", sg.Name(id), h)
	}
	// Output:
	// front-end    0.8000
	// catalogue    0.3200
	// catalogue-db 0.0167
	// outside      0.1845
}

func ExampleGraph_Collapse() {
	g := graph.New()
	a1, a2, b1 := g.Node("a-1"), g.Node("a-2"), g.Node("b-1")
	g.Add(a1, b1, 100, 2)
	g.Add(a2, b1, 50, 1)
	g.Add(a1, a2, 10, 1)
	s := g.Collapse(func(id int) string { return g.Name(id)[:1] })
	for _, e := range s.Edges() {
		fmt.Printf("%s→%s %g bytes %g packets\n", s.Name(e.From), s.Name(e.To), e.Bytes, e.Packets)
	}
	// Output:
	// a→a 10 bytes 1 packets
	// a→b 150 bytes 3 packets
}

// The 4-node digraph of the tests: lengths total/bytes, H(v) the sum of
// 1/d(u→v) over the nodes u that reach v.
func ExampleHarmonicIncoming() {
	g := graph.New()
	a, b, c, d := g.Node("a"), g.Node("b"), g.Node("c"), g.Node("d")
	g.Add(a, b, 50, 1)
	g.Add(b, c, 25, 1)
	g.Add(a, c, 10, 1)
	g.Add(c, d, 100, 1)
	g.Add(d, a, 20, 1)
	fmt.Printf("%.4f\n", graph.HarmonicIncoming(g, 100))
	// Output:
	// [0.4667 0.7679 0.5076 1.3429]
}

// A Wheatstone bridge: unit current from s to t splits 3/7 and 4/7 and
// 1/7 crosses the bridge a–b.
func ExampleCurrentFlowSubset() {
	g := graph.New()
	s, a, b, t := g.Node("s"), g.Node("a"), g.Node("b"), g.Node("t")
	g.Add(s, a, 1, 1)
	g.Add(s, b, 2, 1)
	g.Add(a, t, 2, 1)
	g.Add(b, t, 1, 1)
	g.Add(a, b, 1, 1)
	fmt.Printf("%.4f\n", graph.CurrentFlowSubset(g, []int{s}, []int{t}))
	// Output:
	// [0.5000 0.5714 0.5714 0.5000]
}

func ExampleWeightedReciprocity() {
	g := graph.New()
	a1, a2, b1 := g.Node("a1"), g.Node("a2"), g.Node("b1")
	g.Add(a1, b1, 10, 1)
	g.Add(b1, a1, 4, 1)
	g.Add(a2, b1, 6, 1)
	// (min(10,4) + min(4,10) + min(6,0)) / (10 + 4 + 6)
	fmt.Println(graph.WeightedReciprocity(g, []int{a1, a2}, []int{b1}))
	// Output:
	// 0.4
}

func ExampleCV() {
	fmt.Println(graph.CV([]float64{2, 4, 4, 4, 5, 5, 7, 9}))
	// Output:
	// 0.4
}

func ExamplePrincipalEigenvector() {
	m := mat.NewSymDense(3, []float64{
		0, 1, 0,
		1, 0, 1,
		0, 1, 0,
	})
	fmt.Printf("%.4f\n", graph.PrincipalEigenvector(m))
	// Output:
	// [0.5000 0.7071 0.5000]
}

// Ide & Kashima: activity vectors of past windows over a fixed service
// list, their typical pattern, and the score of a new window. Both graphs
// are stars around front-end, whose Perron vector is (λ, w_cat, w_out)/(√2·λ)
// with λ = |w|: usual (0.7071, 0.7036, 0.0704), exfiltration
// (0.7071, 0.1387, 0.6934); dot product 0.6464, score 0.354.
func ExampleIdeScore() {
	order := []string{"front-end", "catalogue", "outside"}
	window := func(feCat, feOut float64) []float64 {
		g := graph.New()
		fe, cat, out := g.Node("front-end"), g.Node("catalogue"), g.Node("outside")
		g.Add(fe, cat, feCat, 1)
		g.Add(fe, out, feOut, 1)
		return graph.Activity(g, order)
	}
	var history [][]float64
	for range 5 {
		history = append(history, window(1000, 100))
	}
	r := graph.TypicalPattern(history)
	fmt.Printf("usual window:  %.3f\n", graph.IdeScore(r, window(1000, 100)))
	fmt.Printf("exfiltration:  %.3f\n", graph.IdeScore(r, window(1000, 5000)))
	// Output:
	// usual window:  0.000
	// exfiltration:  0.354
}
