package graph

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestPrincipalEigenvector(t *testing.T) {
	r2, r3 := math.Sqrt2/2, 1/math.Sqrt(3)
	tests := []struct {
		name string
		n    int
		data []float64 // row-major, symmetric
		want []float64
	}{
		// [[2,1],[1,2]]: eigenvalues 3 and 1; for 3, (1,1)/√2.
		{"2x2 all-positive", 2, []float64{2, 1, 1, 2}, []float64{r2, r2}},
		// [[1,2],[2,-2]]: trace −1, det −6, λ = (−1 ± 5)/2 = 2, −3. The
		// largest algebraic is 2 (not the larger magnitude −3):
		// (A − 2I)v = 0 with rows (−1, 2) gives v = (2,1)/√5.
		{"2x2 negative eigenvalue larger in magnitude", 2, []float64{1, 2, 2, -2}, []float64{2 / math.Sqrt(5), 1 / math.Sqrt(5)}},
		// Path graph P3 adjacency: eigenvalues √2, 0, −√2 (bipartite);
		// for √2 the vector (1, √2, 1)/2.
		{"3x3 path adjacency", 3, []float64{0, 1, 0, 1, 0, 1, 0, 1, 0}, []float64{0.5, r2, 0.5}},
		// Tridiagonal (2, −1): eigenvalues 2−√2, 2, 2+√2; for 2+√2 the
		// vector ±(1, −√2, 1)/2. Its sum 1 − √2/2 > 0 fixes the sign, even
		// though the largest-magnitude entry is negative.
		{"3x3 second difference", 3, []float64{2, -1, 0, -1, 2, -1, 0, -1, 2}, []float64{0.5, -r2, 0.5}},
		// I₃: one triple eigenvalue; the projection of (1,1,1) is itself.
		{"identity, repeated eigenvalue", 3, []float64{1, 0, 0, 0, 1, 0, 0, 0, 1}, []float64{r3, r3, r3}},
		// diag(2,2,1): eigenspace of 2 is span(e1,e2); projection of the
		// ones vector is (1,1,0), normalised.
		{"diag(2,2,1)", 3, []float64{2, 0, 0, 0, 2, 0, 0, 0, 1}, []float64{r2, r2, 0}},
		// [[1,−1],[−1,1]]: eigenvalue 2 with (1,−1)/√2, whose sum is 0;
		// both entries tie for largest magnitude, so the first is made
		// positive.
		{"sum zero", 2, []float64{1, -1, -1, 1}, []float64{r2, -r2}},
		{"zero matrix", 3, make([]float64, 9), []float64{0, 0, 0}},
		{"NaN entry", 2, []float64{1, math.NaN(), math.NaN(), 1}, []float64{math.NaN(), math.NaN()}},
		// Huge entries: scaled before LAPACK; same vector as 2x2 case 1.
		{"huge entries", 2, []float64{2e300, 1e300, 1e300, 2e300}, []float64{r2, r2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mat.NewSymDense(tt.n, tt.data)
			checkVec(t, "v", PrincipalEigenvector(m), tt.want, 1e-12)
		})
	}
	for _, m := range []*mat.SymDense{nil, {}} {
		if v := PrincipalEigenvector(m); v == nil || len(v) != 0 {
			t.Errorf("empty matrix: got %#v, want an empty slice", v)
		}
	}
}

func TestActivity(t *testing.T) {
	// a→b 15, b→a 5 (A+Aᵀ entry 20), b→c 20 (20): over order (c, b, a)
	// the matrix is 20·P3 with b in the middle, eigenvector (1, √2, 1)/2;
	// "zz" is not in the graph and gets 0.
	g := build([]string{"a", "b", "c"}, []Edge{
		{From: 0, To: 1, Bytes: 15}, {From: 1, To: 0, Bytes: 5}, {From: 1, To: 2, Bytes: 20},
	})
	checkVec(t, "activity", Activity(g, []string{"c", "b", "a", "zz"}), []float64{0.5, math.Sqrt2 / 2, 0.5, 0}, 1e-12)

	// Self edges count twice on the diagonal: x→x 5 gives 10, a→b 8 gives
	// an off-diagonal 8 with eigenvalues ±8. 10 > 8, so the principal
	// vector is e_x. (Counting the self edge once, 5 < 8, would give
	// (0, 1, 1)/√2 instead.)
	s := build([]string{"x", "a", "b"}, []Edge{{From: 0, To: 0, Bytes: 5}, {From: 1, To: 2, Bytes: 8}})
	checkVec(t, "self", Activity(s, []string{"x", "a", "b"}), []float64{1, 0, 0}, 1e-12)

	checkVec(t, "empty", Activity(New(), []string{"a", "b"}), []float64{0, 0}, 0)
	if v := Activity(g, nil); v == nil || len(v) != 0 {
		t.Errorf("no names: got %#v, want an empty slice", v)
	}
}

func TestTypicalPattern(t *testing.T) {
	u := []float64{0.6, 0.8}
	tests := []struct {
		name    string
		history [][]float64
		want    []float64
	}{
		// Rank 1: every column a multiple of u = (3,4)/5; the left singular
		// vector is ±u, and the mean (1+2−0.5)/3·u points along +u.
		{"rank 1", [][]float64{{0.6, 0.8}, {1.2, 1.6}, {-0.3, -0.4}}, u},
		// Mean along −u: the sign follows it.
		{"rank 1, negative mean", [][]float64{{-0.6, -0.8}, {-1.2, -1.6}, {0.3, 0.4}}, []float64{-0.6, -0.8}},
		// Columns e1, e1, e2: H·Hᵀ = diag(2, 1), so the first left singular
		// vector is e1 (σ² = 2).
		{"rank 2", [][]float64{{1, 0}, {1, 0}, {0, 1}}, []float64{1, 0}},
		// Columns e1, e2: σ = 1 twice; the mean (½, ½) projected onto the
		// whole plane, normalised.
		{"tie", [][]float64{{1, 0}, {0, 1}}, []float64{math.Sqrt2 / 2, math.Sqrt2 / 2}},
		// A NaN column is left out; zero columns change nothing.
		{"NaN and zero columns", [][]float64{{0.6, 0.8}, {math.NaN(), 1}, {0, 0}}, u},
		{"all zero", [][]float64{{0, 0}, {0, 0}}, []float64{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkVec(t, "r", TypicalPattern(tt.history), tt.want, 1e-12)
		})
	}
	if r := TypicalPattern(nil); r != nil {
		t.Errorf("empty history: %v, want nil", r)
	}
	mustPanic(t, "history[1] has length 3, history[0] has 2", func() {
		TypicalPattern([][]float64{{1, 0}, {1, 0, 0}})
	})
}

func TestIdeScore(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		r, x []float64
		want float64
	}{
		{[]float64{1, 0}, []float64{1, 0}, 0},
		{[]float64{1, 0}, []float64{0, 1}, 1},
		{[]float64{1, 0}, []float64{-1, 0}, 2},
		// r·x = 0.6·0.8 + 0.8·0.6 = 0.96.
		{[]float64{0.6, 0.8}, []float64{0.8, 0.6}, 0.04},
		// Not unit: normalised first, so still the same direction.
		{[]float64{1, 0}, []float64{5, 0}, 0},
		{[]float64{0, 0}, []float64{1, 0}, nan},
		{[]float64{1, 0}, []float64{0, 0}, nan},
		{[]float64{1, 0}, []float64{nan, 0}, nan},
		{[]float64{1, 0}, []float64{1, 0, 0}, nan},
	}
	for _, tt := range tests {
		if got := IdeScore(tt.r, tt.x); !near(got, tt.want, 1e-12) {
			t.Errorf("IdeScore(%v, %v) = %v, want %v", tt.r, tt.x, got, tt.want)
		}
	}
}
