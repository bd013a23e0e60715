package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// randomNonNeg returns an n×n symmetric non-negative matrix: a ring (so the
// graph is connected) plus about 3n random links, weights log-uniform over
// 3 decades, and a random diagonal on a third of the rows. With bipartite,
// links and ring join only even to odd rows (n even) and the diagonal is
// empty, so the spectrum is symmetric about 0.
func randomNonNeg(r *rand.Rand, n int, bipartite bool) *mat.SymDense {
	m := mat.NewSymDense(n, nil)
	w := func() float64 { return math.Pow(10, 3*r.Float64()) }
	link := func(i, j int) {
		if i != j && (!bipartite || (i+j)%2 == 1) {
			m.SetSym(i, j, m.At(i, j)+w())
		}
	}
	for i := range n {
		link(i, (i+1)%n)
	}
	for range 3 * n {
		link(r.IntN(n), r.IntN(n))
	}
	if !bipartite {
		for range n / 3 {
			i := r.IntN(n)
			m.SetSym(i, i, w())
		}
	}
	return m
}

// relGap is the distance from the largest eigenvalue of m to the next,
// relative to the largest magnitude.
func relGap(m *mat.SymDense) float64 {
	var es mat.EigenSym
	if !es.Factorize(m, false) {
		panic("eigen decomposition failed")
	}
	v := es.Values(nil)
	n := len(v)
	return (v[n-1] - v[n-2]) / math.Max(v[n-1], -v[0])
}

func maxAbsDiff(a, b []float64) float64 {
	var d float64
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// Above 64 rows PrincipalEigenvector runs Lanczos on the non-zero entries;
// the dense decomposition is the rule. On random non-negative matrices of
// 65 to 300 rows, bipartite ones included (where the most negative
// eigenvalue is as large in magnitude as the principal one), with a
// relative spectral gap of at least 1 %, the two agree within 1e-7.
func TestLanczosMatchesDense(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	checked := 0
	for trial := range 45 {
		n := 65 + r.IntN(236)
		bip := trial%3 == 0
		if bip {
			n += n % 2
		}
		m := randomNonNeg(r, n, bip)
		if relGap(m) < 0.01 {
			continue
		}
		checked++
		got, want := PrincipalEigenvector(m), denseEigen(m)
		if d := maxAbsDiff(got, want); !(d <= 1e-7) {
			t.Fatalf("trial %d (n=%d, bipartite %v, gap %.3g): Lanczos and dense differ by %.3g", trial, n, bip, relGap(m), d)
		}
	}
	if checked < 30 {
		t.Fatalf("only %d matrices with a clear gap; the test checks too little", checked)
	}
}

// nearTies returns k copies of one random 20-row block, each perturbed by
// up to eps relative, all joined to a hub row 0 by links of weight hub: the
// engine's copies of one application. Its top eigenvalues are within
// about eps of each other.
func nearTies(r *rand.Rand, k int, eps, hub float64) *mat.SymDense {
	const size = 20
	block := randomNonNeg(r, size, false)
	n := 1 + k*size
	m := mat.NewSymDense(n, nil)
	for c := range k {
		base := 1 + c*size
		for i := range size {
			for j := i; j < size; j++ {
				if x := block.At(i, j); x != 0 {
					m.SetSym(base+i, base+j, x*(1+eps*r.Float64()))
				}
			}
		}
		m.SetSym(0, base+r.IntN(size), hub)
	}
	return m
}

// With near ties the principal eigenvector is barely determined. Whatever
// the gap, the result is finite, of unit norm and non-negative; with a
// tie among a few eigenvalues set clearly apart from the rest, it lies in
// the span of the tied eigenvectors.
func TestLanczosNearTies(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	for trial, tc := range []struct {
		k        int
		eps, hub float64
	}{
		{4, 1e-12, 0}, {16, 1e-13, 0}, {4, 1e-9, 1e-6}, {4, 1e-6, 1e-3}, {16, 1e-7, 0.1},
		{64, 1e-10, 1}, {64, 1e-4, 1}, {64, 0, 10},
	} {
		m := nearTies(r, tc.k, tc.eps, tc.hub)
		x := PrincipalEigenvector(m)
		for i, v := range x {
			if !(v >= 0) || math.IsInf(v, 0) {
				t.Fatalf("case %d: x[%d] = %v, want finite and ≥ 0", trial, i, v)
			}
		}
		if nrm := floats.Norm(x, 2); math.Abs(nrm-1) > 1e-12 {
			t.Fatalf("case %d: ‖x‖ = %.15g, want 1", trial, nrm)
		}
		if tc.eps <= 1e-10 && tc.hub == 0 {
			// Ties closer than the dense rule's 1e-9 are one eigenvalue
			// to it: both give the projection of the all-ones vector.
			if d := maxAbsDiff(x, denseEigen(m)); d > 1e-7 {
				t.Fatalf("case %d: differs from the dense projection of the all-ones vector by %.3g", trial, d)
			}
		}
		if tc.k > 4 {
			continue
		}
		// The k near ties: the top k eigenvectors of the dense
		// decomposition, the next eigenvalue being well below.
		var es mat.EigenSym
		es.Factorize(m, true)
		var vecs mat.Dense
		es.VectorsTo(&vecs)
		n := len(x)
		top := vecs.Slice(0, n, n-tc.k, n)
		var c, p mat.VecDense
		c.MulVec(top.T(), mat.NewVecDense(n, x))
		p.MulVec(top, &c)
		if out := floats.Distance(p.RawVector().Data, x, 2); out > 1e-6 {
			t.Fatalf("case %d: x is %.3g away from the span of the %d tied eigenvectors", trial, out, tc.k)
		}
	}
}

// Rows of a weaker component are exactly 0 in the principal eigenvector;
// rounding must not make them negative.
func TestLanczosWeakComponentZero(t *testing.T) {
	r := rand.New(rand.NewPCG(35, 36))
	strong, weak := randomNonNeg(r, 70, false), randomNonNeg(r, 30, true)
	m := mat.NewSymDense(100, nil)
	for i := range 70 {
		for j := i; j < 70; j++ {
			m.SetSym(i, j, strong.At(i, j))
		}
	}
	for i := range 30 {
		for j := i; j < 30; j++ {
			m.SetSym(70+i, 70+j, weak.At(i, j)/1e4)
		}
	}
	x := PrincipalEigenvector(m)
	for i, v := range x {
		if !(v >= 0) {
			t.Fatalf("x[%d] = %v < 0", i, v)
		}
		if i >= 70 && v > 1e-12 {
			t.Fatalf("x[%d] = %v in the weak component, want 0", i, v)
		}
	}
	if d := maxAbsDiff(x, denseEigen(m)); d > 1e-7 {
		t.Fatalf("differs from dense by %.3g", d)
	}
}

// activityMatrix is Activity's matrix written out densely: A+Aᵀ over order.
func activityMatrix(g *Graph, order []string) *mat.SymDense {
	m := mat.NewSymDense(len(order), nil)
	for i, a := range order {
		for j, b := range order {
			ia, okA := g.Lookup(a)
			ib, okB := g.Lookup(b)
			if okA && okB {
				m.SetSym(i, j, g.Weight(ia, ib)+g.Weight(ib, ia))
			}
		}
	}
	return m
}

// Over more than 64 names Activity never forms the dense matrix. With
// names absent from the graph (zero rows), a name listed twice and self
// edges, it agrees with the dense rule: within 1e-7 through Lanczos (over
// 64 non-zero rows, clear gap), within 1e-12 through the reduced dense
// decomposition (at most 64 non-zero rows); absent names get exactly 0.
func TestActivityLargeMatchesDense(t *testing.T) {
	r := rand.New(rand.NewPCG(37, 38))
	var viaLanczos, viaDense int
	for trial := range 30 {
		nodes := 20 + r.IntN(150)
		g := randomGraph(r, nodes, 4*nodes, 4)
		order := g.Names()
		for k := range 70 {
			order = append(order, fmt.Sprintf("absent-%d", k))
		}
		order = append(order, order[0])
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		m := activityMatrix(g, order)
		active := 0
		for i := range order {
			if floats.Norm(mat.Row(nil, i, m), 1) > 0 {
				active++
			}
		}
		tol := 1e-12
		if active > denseMax {
			if relGap(m) < 0.01 {
				continue
			}
			tol = 1e-7
			viaLanczos++
		} else {
			viaDense++
		}
		got := Activity(g, order)
		if d := maxAbsDiff(got, denseEigen(m)); !(d <= tol) {
			t.Fatalf("trial %d (%d non-zero rows of %d): Activity and the dense rule differ by %.3g", trial, active, len(order), d)
		}
		for i, name := range order {
			if strings.HasPrefix(name, "absent") && got[i] != 0 {
				t.Fatalf("trial %d: absent %s = %v, want 0", trial, name, got[i])
			}
		}
	}
	if viaLanczos < 8 || viaDense < 4 {
		t.Fatalf("%d graphs through Lanczos, %d through the reduced dense path; the test checks too little", viaLanczos, viaDense)
	}
}

// Above 64 rows, a matrix with a negative entry is decomposed densely as a
// whole, and a NaN gives NaNs, as below.
func TestPrincipalLargeSpecialCases(t *testing.T) {
	r := rand.New(rand.NewPCG(39, 40))
	m := randomNonNeg(r, 80, false)
	m.SetSym(3, 5, -2)
	if got, want := PrincipalEigenvector(m), denseEigen(m); maxAbsDiff(got, want) != 0 {
		t.Fatalf("negative entry: %v, want the dense %v", got, want)
	}
	m.SetSym(3, 5, math.NaN())
	for i, v := range PrincipalEigenvector(m) {
		if !math.IsNaN(v) {
			t.Fatalf("NaN entry: x[%d] = %v, want NaN", i, v)
		}
	}
	checkVec(t, "zero", PrincipalEigenvector(mat.NewSymDense(70, nil)), make([]float64, 70), 0)
}
