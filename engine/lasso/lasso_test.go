package lasso

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
)

// tight is a tolerance that drives coordinate descent to the exact
// solution, for comparisons with closed forms.
var tight = Options{Tol: 1e-14, MaxIter: 100000}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// The orthonormal design: three columns of the 8×8 Hadamard matrix other
// than the constant one, so after centring XᵀX = 8·I = n·I. Then the LASSO
// decouples (Tibshirani 1996, section 2.2): β_j = S(β_ols_j, α) with
// β_ols_j = x_jᵀ(y − ȳ)/n and S the soft-threshold.
//
// y = 5 + 2·h1 − 0.5·h2 + 0.25·h3 + 0.1·h123 (h123 = h1∘h2∘h3 is orthogonal
// to the rest, so it is residual only): ȳ = 5, β_ols = (2, −0.5, 0.25),
// AlphaMax = max|β_ols| = 2. The columns are shifted by (+3, −1, +0.5), so
// the intercept is 5 − (3β1 − β2 + 0.5β3).
func TestOrthonormalDesign(t *testing.T) {
	h1 := []float64{1, -1, 1, -1, 1, -1, 1, -1}
	h2 := []float64{1, 1, -1, -1, 1, 1, -1, -1}
	h3 := []float64{1, 1, 1, 1, -1, -1, -1, -1}
	X := make([][]float64, 8)
	y := make([]float64, 8)
	for i := range X {
		X[i] = []float64{h1[i] + 3, h2[i] - 1, h3[i] + 0.5}
		y[i] = 5 + 2*h1[i] - 0.5*h2[i] + 0.25*h3[i] + 0.1*h1[i]*h2[i]*h3[i]
	}
	// y by hand: 6.85 2.65 7.65 3.85 6.15 2.35 7.35 3.15.
	for i, want := range []float64{6.85, 2.65, 7.65, 3.85, 6.15, 2.35, 7.35, 3.15} {
		if !near(y[i], want, 1e-12) {
			t.Fatalf("y[%d] = %v, want %v: test data wrong", i, y[i], want)
		}
	}
	if am, err := AlphaMax(X, y); err != nil || !near(am, 2, 1e-12) {
		t.Errorf("AlphaMax = %v, %v; want 2", am, err)
	}
	tests := []struct {
		alpha     float64
		coef      []float64
		intercept float64
	}{
		{2.5, []float64{0, 0, 0}, 5},                               // above AlphaMax
		{2, []float64{0, 0, 0}, 5},                                 // at AlphaMax
		{1, []float64{1, 0, 0}, 5 - 3},                             // S(2,1)=1
		{0.3, []float64{1.7, -0.2, 0}, 5 - (5.1 + 0.2)},            // S(−0.5,0.3)=−0.2
		{0.1, []float64{1.9, -0.4, 0.15}, 5 - (5.7 + 0.4 + 0.075)}, //
		{0, []float64{2, -0.5, 0.25}, 5 - (6 + 0.5 + 0.125)},       // OLS
	}
	alphas := make([]float64, len(tests))
	for i, tt := range tests {
		alphas[i] = tt.alpha
	}
	for _, opt := range []Options{{}, tight} {
		path, err := PathWith(X, y, alphas, opt)
		if err != nil {
			t.Fatal(err)
		}
		for i, tt := range tests {
			s := path[i]
			if !s.Converged {
				t.Errorf("alpha %v: did not converge (gap %v)", tt.alpha, s.Gap)
			}
			if !floats.EqualApprox(s.Coef, tt.coef, 1e-9) || !near(s.Intercept, tt.intercept, 1e-9) {
				t.Errorf("tol %v alpha %v: coef %v intercept %v, want %v %v", opt.Tol, tt.alpha, s.Coef, s.Intercept, tt.coef, tt.intercept)
			}
		}
	}
}

// A correlated two-feature problem solved from the KKT conditions
// c − Cβ = α·s, s_j = sign(β_j) where β_j ≠ 0 and |s_j| ≤ 1 otherwise, with
// C = XcᵀXc/n and c = Xcᵀyc/n.
//
// Centred columns x1 = (1, 1, −1, −1), x2 = (1, 0, 0, −1); y = (3, 1, 0, −2)
// so ȳ = 0.5, yc = (2.5, 0.5, −0.5, −2.5), n = 4:
// C = [[1, 0.5], [0.5, 0.5]], c = (6/4, 5/4) = (1.5, 1.25), AlphaMax 1.5.
//
//   - α ≥ 1.5: β = 0.
//   - 1 ≤ α ≤ 1.5: only β1 active: β1 = (c1 − α)/C11 = 1.5 − α; β2 stays 0
//     while |c2 − C21·β1| = 0.5 + 0.5α ≤ α, i.e. α ≥ 1.
//   - α < 1: both positive: β = C⁻¹(c − α·(1, 1)) with C⁻¹ = [[2, −2], [−2, 4]]
//     gives β1 = 2(1.5−α) − 2(1.25−α) = 0.5 and β2 = −2(1.5−α) + 4(1.25−α)
//     = 2 − 2α. At α = 0 this is the exact fit y = 0.5 + 0.5·x1 + 2·x2.
//
// The raw columns are x1 + 10 and x2 + 3: intercept = 0.5 − 10β1 − 3β2.
func TestTwoFeatureKKT(t *testing.T) {
	X := [][]float64{{11, 4}, {11, 3}, {9, 3}, {9, 2}}
	y := []float64{3, 1, 0, -2}
	tests := []struct{ alpha, b1, b2 float64 }{
		{1.6, 0, 0},
		{1.5, 0, 0},
		{1.25, 0.25, 0},
		{1, 0.5, 0},
		{0.5, 0.5, 1},
		{0.1, 0.5, 1.8},
		{0, 0.5, 2},
	}
	if am, err := AlphaMax(X, y); err != nil || !near(am, 1.5, 1e-12) {
		t.Errorf("AlphaMax = %v, %v; want 1.5", am, err)
	}
	var alphas []float64
	for _, tt := range tests {
		alphas = append(alphas, tt.alpha)
	}
	path, err := PathWith(X, y, alphas, tight)
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		s := path[i]
		b0 := 0.5 - 10*tt.b1 - 3*tt.b2
		if !near(s.Coef[0], tt.b1, 1e-8) || !near(s.Coef[1], tt.b2, 1e-8) || !near(s.Intercept, b0, 1e-7) {
			t.Errorf("alpha %v: β (%v, %v) b0 %v, want (%v, %v) %v", tt.alpha, s.Coef[0], s.Coef[1], s.Intercept, tt.b1, tt.b2, b0)
		}
	}
}

// checkKKT verifies the optimality conditions of a solution on the
// uncentred data: with r = y − b0 − Xβ, Σr = 0 (the intercept is optimal)
// and g_j = x_jᵀr/n satisfies |g_j| ≤ α where β_j = 0 and g_j = α·sign(β_j)
// otherwise.
func checkKKT(t *testing.T, X [][]float64, y []float64, s Solution, tol float64) {
	t.Helper()
	n, p := len(X), len(X[0])
	r := make([]float64, n)
	for i := range X {
		r[i] = y[i] - s.Intercept - floats.Dot(s.Coef, X[i])
	}
	if m := floats.Sum(r) / float64(n); math.Abs(m) > tol {
		t.Errorf("alpha %v: mean residual %v, want 0", s.Alpha, m)
	}
	for j := 0; j < p; j++ {
		var g float64
		for i := range X {
			g += X[i][j] * r[i]
		}
		g /= float64(n)
		switch b := s.Coef[j]; {
		case b == 0 && math.Abs(g) > s.Alpha+tol:
			t.Errorf("alpha %v: β%d = 0 but |x_jᵀr|/n = %v > alpha", s.Alpha, j, math.Abs(g))
		case b != 0 && math.Abs(g-math.Copysign(s.Alpha, b)) > tol:
			t.Errorf("alpha %v: β%d = %v but x_jᵀr/n = %v, want %v", s.Alpha, j, b, g, math.Copysign(s.Alpha, b))
		}
	}
}

// randomProblem returns a problem with correlated features, a sparse truth,
// noise, uncentred columns and one constant column.
func randomProblem(rng *rand.Rand, n, p int) ([][]float64, []float64) {
	X := make([][]float64, n)
	y := make([]float64, n)
	for i := range X {
		X[i] = make([]float64, p)
		common := rng.NormFloat64()
		for j := range X[i] {
			X[i][j] = 0.5*common + rng.NormFloat64() + float64(j%3)
		}
		X[i][p-1] = 4.2 // zero variance
		y[i] = 1 + 3*X[i][0] - 2*X[i][1] + 0.5*X[i][2] + rng.NormFloat64()
	}
	return X, y
}

// KKT conditions at every alpha of warm-started paths on random problems,
// with more rows than features (Gram sweeps) and fewer (residual sweeps).
func TestKKTOnRandomPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, size := range []struct{ n, p int }{{60, 8}, {200, 25}, {30, 50}, {12, 12}} {
		for trial := 0; trial < 3; trial++ {
			X, y := randomProblem(rng, size.n, size.p)
			am, err := AlphaMax(X, y)
			if err != nil {
				t.Fatal(err)
			}
			alphas := LogAlphas(am, 1e-3, 30)
			path, err := PathWith(X, y, alphas, tight)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range path {
				if !s.Converged {
					t.Errorf("n %d p %d alpha %v: no convergence, gap %v", size.n, size.p, s.Alpha, s.Gap)
				}
				checkKKT(t, X, y, s, 1e-6)
				if s.Coef[size.p-1] != 0 {
					t.Errorf("constant column got coefficient %v", s.Coef[size.p-1])
				}
			}
			// At AlphaMax everything is 0 (up to the rounding of
			// 10^log10(AlphaMax)); just below it something enters.
			if floats.Norm(path[0].Coef, 1) > 1e-12 {
				t.Errorf("n %d p %d: coefficients %v at AlphaMax, want 0", size.n, size.p, path[0].Coef)
			}
			if floats.Norm(path[1].Coef, 1) == 0 {
				t.Errorf("n %d p %d: nothing entered below AlphaMax", size.n, size.p)
			}
		}
	}
}

// The default tolerance stops on the duality gap: its solutions satisfy
// the gap bound, and the KKT conditions approximately.
func TestDefaultToleranceGap(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	X, y := randomProblem(rng, 150, 20)
	am, _ := AlphaMax(X, y)
	path, err := Path(X, y, LogAlphas(am, 1e-3, 100))
	if err != nil {
		t.Fatal(err)
	}
	yc := make([]float64, len(y))
	copy(yc, y)
	floats.AddConst(-floats.Sum(y)/float64(len(y)), yc)
	bound := 1e-4 * floats.Dot(yc, yc) / float64(len(y))
	for _, s := range path {
		if !s.Converged || s.Gap >= bound {
			t.Errorf("alpha %v: converged %v gap %v, want < %v", s.Alpha, s.Converged, s.Gap, bound)
		}
		checkKKT(t, X, y, s, 0.05)
	}
}

// The two sweeps (Gram when n > p, residual otherwise) solve the same
// problem; feeding the same data both ways must agree.
func TestGramAndResidualAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	X, y := randomProblem(rng, 80, 15)
	g := newDesign(X, y, span{0, 80})
	r := residualDesign(X, y, span{0, 80})
	if g.gram == nil || r.gram != nil {
		t.Fatal("80×15 design has no Gram matrix")
	}
	wg, wr := make([]float64, 15), make([]float64, 15)
	for _, a := range LogAlphas(g.alphaMax(), 1e-3, 20) {
		rg := g.solve(context.Background(), a, wg, 1e-14, 100000)
		rr := r.solve(context.Background(), a, wr, 1e-14, 100000)
		if !rg.converged || !rr.converged {
			t.Fatalf("alpha %v: converged gram %v residual %v", a, rg.converged, rr.converged)
		}
		if !floats.EqualApprox(wg, wr, 1e-8) {
			t.Errorf("alpha %v: gram %v residual %v", a, wg, wr)
		}
	}
}

func TestLogAlphas(t *testing.T) {
	// 10^linspace(log10(0.01), log10(10), 4) reversed = 10, 1, 0.1, 0.01.
	got := LogAlphas(10, 1e-3, 4)
	want := []float64{10, 1, 0.1, 0.01}
	if !floats.EqualApprox(got, want, 1e-14) {
		t.Errorf("LogAlphas(10, 1e-3, 4) = %v, want %v", got, want)
	}
	// 100 points: first AlphaMax, last AlphaMax·eps, constant ratio
	// 1000^(1/99) between neighbours.
	got = LogAlphas(2, 1e-3, 100)
	if len(got) != 100 || !near(got[0], 2, 1e-14) || !near(got[99], 2e-3, 1e-16) {
		t.Errorf("LogAlphas(2, 1e-3, 100): %d values from %v to %v", len(got), got[0], got[len(got)-1])
	}
	ratio := math.Pow(1000, 1.0/99)
	for i := 1; i < len(got); i++ {
		if !near(got[i-1]/got[i], ratio, 1e-12) {
			t.Fatalf("ratio at %d is %v, want %v", i, got[i-1]/got[i], ratio)
		}
	}
	if got := LogAlphas(5, 1e-3, 1); len(got) != 1 || !near(got[0], 5e-3, 1e-17) {
		t.Errorf("LogAlphas(5, 1e-3, 1) = %v, want [0.005] (numpy.logspace with num=1)", got)
	}
	if got := LogAlphas(0, 1e-3, 3); !floats.Equal(got, []float64{1e-15, 1e-15, 1e-15}) {
		t.Errorf("LogAlphas(0, ...) = %v, want scikit-learn's [1e-15 ...]", got)
	}
	if got := LogAlphas(1, 1e-3, 0); got != nil {
		t.Errorf("LogAlphas(1, 1e-3, 0) = %v, want nil", got)
	}
}

// scikit-learn's KFold(n_splits=5) on 123 rows: fold sizes 25, 25, 25, 24,
// 24 (the first 123 mod 5 = 3 folds take one extra row).
func TestFoldBounds(t *testing.T) {
	tests := []struct {
		n, k int
		want []int
	}{
		{123, 5, []int{0, 25, 50, 75, 99, 123}},
		{10, 5, []int{0, 2, 4, 6, 8, 10}},
		{7, 2, []int{0, 4, 7}},
		{5, 5, []int{0, 1, 2, 3, 4, 5}},
	}
	for _, tt := range tests {
		got := foldBounds(tt.n, tt.k)
		if len(got) != len(tt.want) {
			t.Fatalf("foldBounds(%d, %d) = %v, want %v", tt.n, tt.k, got, tt.want)
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("foldBounds(%d, %d) = %v, want %v", tt.n, tt.k, got, tt.want)
				break
			}
		}
	}
}

func TestInputErrors(t *testing.T) {
	good := [][]float64{{1, 2}, {2, 1}, {3, 5}, {4, 4}, {5, 0}, {6, 1}}
	gy := []float64{0, 1, 0, 1, 0, 1}
	tests := []struct {
		name string
		X    [][]float64
		y    []float64
		opt  Options
		want string
	}{
		{"no rows", nil, nil, Options{}, "no rows"},
		{"target count", good, gy[:5], Options{}, "6 rows of features but 5 targets"},
		{"ragged", [][]float64{{1, 2}, {1}}, []float64{0, 1}, Options{}, "row 1 has 1 features, row 0 has 2"},
		{"NaN feature", [][]float64{{1, 2}, {1, math.NaN()}}, []float64{0, 1}, Options{}, "row 1, feature 1 is NaN"},
		{"Inf target", good, []float64{0, 1, 0, math.Inf(1), 0, 1}, Options{}, "target 3 is +Inf"},
		{"too many folds", good, gy, Options{Folds: 7}, "6 rows cannot be split into 7 folds"},
		{"one fold", good, gy, Options{Folds: 1}, "1 folds"},
		{"bad eps", good, gy, Options{Eps: 2}, "eps 2"},
		{"bad tol", good, gy, Options{Tol: -1}, "tolerance -1"},
		{"constant target", good, []float64{1, 1, 1, 1, 1, 1}, Options{}, "same value"},
	}
	for _, tt := range tests {
		_, err := FitCV(tt.X, tt.y, tt.opt)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: FitCV error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
	if _, err := FitCV(good, []float64{2, 2, 2, 2, 2, 2}, Options{}); !errors.Is(err, ErrConstantTarget) {
		t.Errorf("constant target: %v, want ErrConstantTarget", err)
	}
	if _, err := Path(good, gy, []float64{1, -1}); err == nil || !strings.Contains(err.Error(), "alpha 1 is -1") {
		t.Errorf("negative alpha: %v", err)
	}
	if _, err := AlphaMax([][]float64{{1}}, nil); err == nil {
		t.Error("AlphaMax accepted 1 row and 0 targets")
	}
}

// Every feature constant: AlphaMax is 0, the grid is scikit-learn's 1e-15
// fill, and the model is the mean of y.
func TestNothingCorrelates(t *testing.T) {
	X := [][]float64{{3, 1}, {3, 1}, {3, 1}, {3, 1}, {3, 1}}
	y := []float64{0, 1, 0, 1, 1}
	m, err := FitCV(X, y, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.NonZero() != 0 || !near(m.Intercept, 0.6, 1e-15) || m.Alpha != 1e-15 {
		t.Errorf("model %+v, want intercept 0.6 = mean(y), no coefficients, alpha 1e-15", m)
	}
	// No feature at all: the same intercept-only model.
	m, err = FitCV([][]float64{{}, {}, {}, {}, {}}, y, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Coef) != 0 || !near(m.Intercept, 0.6, 1e-15) {
		t.Errorf("no features: model %+v, want intercept 0.6", m)
	}
}

func TestModelJSONAndPredict(t *testing.T) {
	m := &Model{Intercept: 0.5, Coef: []float64{2, 0, -1}, Alpha: 0.1, CVMSE: []float64{1, 0.5}, Alphas: []float64{1, 0.1}}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"intercept":0.5,"coef":[2,0,-1],"alpha":0.1,"cv_mse":[1,0.5],"alphas":[1,0.1]}`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
	var back Model
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if err := back.Validate(); err != nil {
		t.Errorf("round-tripped model invalid: %v", err)
	}
	// 0.5 + 2·3 + 0·7 − 1·4 = 2.5
	if got := back.Predict([]float64{3, 7, 4}); got != 2.5 {
		t.Errorf("Predict = %v, want 2.5", got)
	}
	if back.NonZero() != 2 {
		t.Errorf("NonZero = %d, want 2", back.NonZero())
	}
	for _, bad := range []Model{
		{Intercept: math.NaN()},
		{Coef: []float64{math.Inf(1)}},
		{Alpha: -1},
		{CVMSE: []float64{1}},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v validated", bad)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Predict with a short row did not panic")
		}
	}()
	m.Predict([]float64{1})
}

// TestFitCVCancelled: a cancelled context stops the fit with its error.
func TestFitCVCancelled(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	X := make([][]float64, 400)
	y := make([]float64, 400)
	for i := range X {
		X[i] = []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		y[i] = X[i][0] + 0.1*rng.NormFloat64()
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := FitCVContext(ctx, X, y, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	var calls int
	if _, err := FitCVContext(context.Background(), X, y, Options{Workers: 1, Progress: func(done, total int) {
		calls++
		if done != calls || total != 6 {
			t.Errorf("progress %d/%d at call %d, want %d/6", done, total, calls, calls)
		}
	}}); err != nil || calls != 6 {
		t.Errorf("progress called %d times (err %v), want 6: 5 folds and the refit", calls, err)
	}
}
