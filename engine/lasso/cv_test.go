package lasso

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"gonum.org/v1/gonum/floats"
)

// oracle is testdata/sklearn_oracle.json, written by
// testdata/sklearn_oracle.py with scikit-learn 1.2.1 and numpy 1.24.2
// (Debian 12): data sets with LassoCV(cv=5)'s grid, mean CV error, chosen
// alpha and refit, and lasso_path's coefficients at tol 1e-12.
type oracle struct {
	Sklearn string `json:"sklearn"`
	Sets    map[string]struct {
		X         [][]float64 `json:"X"`
		Y         []float64   `json:"y"`
		AlphaMax  float64     `json:"alpha_max"`
		Alphas    []float64   `json:"alphas"`
		CVMSE     []float64   `json:"cv_mse"`
		Alpha     float64     `json:"alpha"`
		Coef      []float64   `json:"coef"`
		Intercept float64     `json:"intercept"`
		PathCoefs [][]float64 `json:"path_coefs"`
	} `json:"sets"`
}

func loadOracle(t testing.TB) *oracle {
	t.Helper()
	b, err := os.ReadFile("testdata/sklearn_oracle.json")
	if err != nil {
		t.Fatalf("read the scikit-learn oracle: %v", err)
	}
	var o oracle
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatalf("testdata/sklearn_oracle.json: %v", err)
	}
	if len(o.Sets) != 4 {
		t.Fatalf("oracle has %d data sets, want 4", len(o.Sets))
	}
	return &o
}

func relClose(a, b, rel float64) bool {
	return math.Abs(a-b) <= rel*math.Max(math.Abs(a), math.Abs(b))
}

// FitCV against scikit-learn's LassoCV on the same data: same grid, same
// cross-validation curve, same alpha, same refit (within the tolerance both
// stop at).
func TestFitCVMatchesScikitLearn(t *testing.T) {
	o := loadOracle(t)
	for name, s := range o.Sets {
		t.Run(name, func(t *testing.T) {
			m, err := FitCV(s.X, s.Y, Options{})
			if err != nil {
				t.Fatal(err)
			}
			am, _ := AlphaMax(s.X, s.Y)
			if !relClose(am, s.AlphaMax, 1e-12) {
				t.Errorf("AlphaMax %v, scikit-learn %v", am, s.AlphaMax)
			}
			var worst float64
			for k := range s.Alphas {
				worst = math.Max(worst, math.Abs(m.CVMSE[k]-s.CVMSE[k])/s.CVMSE[k])
				if !relClose(m.Alphas[k], s.Alphas[k], 1e-12) {
					t.Fatalf("alpha %d: %v, scikit-learn %v", k, m.Alphas[k], s.Alphas[k])
				}
				if !relClose(m.CVMSE[k], s.CVMSE[k], 1e-9) {
					t.Errorf("CV MSE at alpha %d (%v): %v, scikit-learn %v", k, s.Alphas[k], m.CVMSE[k], s.CVMSE[k])
				}
			}
			if !relClose(m.Alpha, s.Alpha, 1e-12) {
				t.Errorf("chose alpha %v, scikit-learn %v", m.Alpha, s.Alpha)
			}
			scale := floats.Norm(s.Coef, math.Inf(1))
			t.Logf("alpha index %d; largest CV MSE relative difference %.2g; largest coefficient difference %.2g of max |coef|",
				floats.MinIdx(m.CVMSE), worst, floats.Distance(m.Coef, s.Coef, math.Inf(1))/scale)
			for j := range s.Coef {
				if math.Abs(m.Coef[j]-s.Coef[j]) > 1e-3*scale {
					t.Errorf("coef %d: %v, scikit-learn %v", j, m.Coef[j], s.Coef[j])
				}
			}
			if math.Abs(m.Intercept-s.Intercept) > 1e-3*math.Max(1, math.Abs(s.Intercept)) {
				t.Errorf("intercept %v, scikit-learn %v", m.Intercept, s.Intercept)
			}
		})
	}
}

// The solver alone, driven to the exact solution, against lasso_path at
// tol 1e-12 on every alpha of the grid.
func TestPathMatchesScikitLearn(t *testing.T) {
	o := loadOracle(t)
	for name, s := range o.Sets {
		t.Run(name, func(t *testing.T) {
			path, err := PathWith(s.X, s.Y, s.Alphas, tight)
			if err != nil {
				t.Fatal(err)
			}
			for k, sol := range path {
				if !floats.EqualApprox(sol.Coef, s.PathCoefs[k], 1e-6) {
					t.Fatalf("alpha %d (%v): coef %v\nscikit-learn %v", k, sol.Alpha, sol.Coef, s.PathCoefs[k])
				}
			}
		})
	}
}

// A clear signal (y = 4 + 2x0 − 1.5x1 + x2 + N(0,1)) with six pure-noise
// features, orthogonal in-sample to the signal and to y, and a constant
// feature. The right alpha is the minimiser of the CV curve, which the test
// recomputes by itself from contiguous folds and Path; at it the noise and
// constant features must be exactly 0 (their KKT gradient x_jᵀr/n is 0 for
// any fit on the signal), and the signal is recovered, shrunk by alpha.
func TestFitCVFindsSignal(t *testing.T) {
	s := loadOracle(t).Sets["signal"]
	m, err := FitCV(s.X, s.Y, Options{})
	if err != nil {
		t.Fatal(err)
	}
	curve := cvCurve(t, s.X, s.Y, m.Alphas, 5)
	best := floats.MinIdx(curve)
	if !floats.EqualApprox(curve, m.CVMSE, 1e-12) {
		t.Errorf("CVMSE differs from a fold-by-fold recomputation")
	}
	if m.Alpha != m.Alphas[best] {
		t.Errorf("chose alpha %v (index %d), the CV minimum is at %v (index %d)", m.Alpha, floats.MinIdx(m.CVMSE), m.Alphas[best], best)
	}
	// An interior minimum: the curve falls from AlphaMax and rises again
	// towards the smallest alpha as noise is fitted.
	if best == 0 || best == len(curve)-1 {
		t.Errorf("CV minimum at the edge of the grid (index %d): the test problem lost its signal", best)
	}
	for j := 3; j < 10; j++ {
		if m.Coef[j] != 0 {
			t.Errorf("noise feature %d has coefficient %v, want exactly 0", j, m.Coef[j])
		}
	}
	for j, truth := range []float64{2, -1.5, 1} {
		if m.Coef[j] == 0 || math.Signbit(m.Coef[j]) != math.Signbit(truth) || math.Abs(m.Coef[j]-truth) > 0.25 {
			t.Errorf("signal feature %d: coefficient %v, want near %v", j, m.Coef[j], truth)
		}
	}
	if m.NonZero() != 3 {
		t.Errorf("%d non-zero coefficients, want the 3 signal features", m.NonZero())
	}
}

// cvCurve recomputes a cross-validation curve with the public API: k
// contiguous folds (sizes as scikit-learn's KFold), a Path on the rows
// outside each, the mean squared error on the rows inside, averaged.
func cvCurve(t *testing.T, X [][]float64, y []float64, alphas []float64, k int) []float64 {
	t.Helper()
	n := len(X)
	curve := make([]float64, len(alphas))
	lo := 0
	for f := 0; f < k; f++ {
		hi := lo + n/k
		if f < n%k {
			hi++
		}
		var tx [][]float64
		var ty []float64
		tx = append(append(tx, X[:lo]...), X[hi:]...)
		ty = append(append(ty, y[:lo]...), y[hi:]...)
		path, err := Path(tx, ty, alphas)
		if err != nil {
			t.Fatal(err)
		}
		for a, sol := range path {
			var e2 float64
			for i := lo; i < hi; i++ {
				e := y[i] - sol.Intercept - floats.Dot(sol.Coef, X[i])
				e2 += e * e
			}
			curve[a] += e2 / float64(hi-lo) / float64(k)
		}
		lo = hi
	}
	return curve
}

// FitCV's curve and choice against the recomputation, for every way the
// folds can be solved: Gram sums (n > p), residual sweeps (n ≤ p), and a
// mix where all rows have a Gram matrix but a fold's training rows do not.
func TestFitCVCurveShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, sz := range []struct{ n, p, k int }{{123, 30, 5}, {40, 60, 5}, {70, 60, 5}, {31, 4, 3}} {
		X, y := randomProblem(rng, sz.n, sz.p)
		m, err := FitCV(X, y, Options{Folds: sz.k})
		if err != nil {
			t.Fatal(err)
		}
		curve := cvCurve(t, X, y, m.Alphas, sz.k)
		for a := range curve {
			if !relClose(curve[a], m.CVMSE[a], 1e-9) {
				t.Errorf("%d×%d: CV MSE at alpha %d is %v, recomputed %v", sz.n, sz.p, a, m.CVMSE[a], curve[a])
			}
		}
		if best := floats.MinIdx(curve); m.Alpha != m.Alphas[best] {
			t.Errorf("%d×%d: chose alpha %v, the recomputed minimum is at %v", sz.n, sz.p, m.Alpha, m.Alphas[best])
		}
		// The refit is the path on all rows at the chosen alpha.
		path, err := Path(X, y, m.Alphas[:floats.MinIdx(m.CVMSE)+1])
		if err != nil {
			t.Fatal(err)
		}
		last := path[len(path)-1]
		if !floats.EqualApprox(m.Coef, last.Coef, 1e-9) || !near(m.Intercept, last.Intercept, 1e-9) {
			t.Errorf("%d×%d: refit %v %v, path on all rows %v %v", sz.n, sz.p, m.Intercept, m.Coef, last.Intercept, last.Coef)
		}
	}
}

// Parallel folds give the same model, to the bit, whatever the number of
// workers and however often it runs.
func TestFitCVDeterministic(t *testing.T) {
	s := loadOracle(t).Sets["correlated"]
	ref, err := FitCV(s.X, s.Y, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{2, 5, 16, 0} {
		for rep := 0; rep < 3; rep++ {
			m, err := FitCV(s.X, s.Y, Options{Workers: w})
			if err != nil {
				t.Fatal(err)
			}
			if m.Alpha != ref.Alpha || m.Intercept != ref.Intercept || !floats.Same(m.Coef, ref.Coef) || !floats.Same(m.CVMSE, ref.CVMSE) {
				t.Fatalf("workers %d run %d: model differs from the sequential one", w, rep)
			}
		}
	}
}

// benchProblem is a detector-sized training set: rows × p z-scores, 0/1
// targets in contiguous blocks (baseline first, injected attacks after), 8
// features that respond to attacks.
func benchProblem(rows, p int) ([][]float64, []float64) {
	rng := rand.New(rand.NewPCG(11, 12))
	X := make([][]float64, rows)
	y := make([]float64, rows)
	for i := range X {
		if i >= rows*2/3 {
			y[i] = 1
		}
		X[i] = make([]float64, p)
		for j := range X[i] {
			X[i][j] = rng.NormFloat64()
			if j < 8 {
				X[i][j] += y[i] * float64(j+1) / 4
			}
		}
	}
	return X, y
}

func BenchmarkFitCV2000x150(b *testing.B) {
	X, y := benchProblem(2000, 150)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FitCV(X, y, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFitCV2000x150Sequential(b *testing.B) {
	X, y := benchProblem(2000, 150)
	for b.Loop() {
		if _, err := FitCV(X, y, Options{Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// The largest training set the engine expects.
func BenchmarkFitCV10000x500(b *testing.B) {
	X, y := benchProblem(10000, 500)
	for b.Loop() {
		if _, err := FitCV(X, y, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSaturationStopsPath checks glmnet's stopping rule: on a problem with
// more features than rows, the cross-validation error of every alpha
// before the stop is exactly the unstopped one, and the chosen alpha is
// one of those.
func TestSaturationStopsPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n, p := 40, 120
	X := make([][]float64, n)
	y := make([]float64, n)
	for i := range X {
		X[i] = make([]float64, p)
		for j := range X[i] {
			X[i][j] = rng.NormFloat64()
		}
		y[i] = 2*X[i][0] - X[i][1] + 0.1*rng.NormFloat64()
	}
	full, err := FitCV(X, y, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sat, err := FitCV(X, y, Options{Saturation: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	// Before any fold stops, the curves agree exactly.
	same := 0
	for k := range full.CVMSE {
		if full.CVMSE[k] != sat.CVMSE[k] {
			break
		}
		same++
	}
	if same < 10 || same == len(full.CVMSE) {
		t.Errorf("curves agree on %d of %d alphas: the rule should stop the path but not at once", same, len(full.CVMSE))
	}
	// The two true features are found either way.
	if sat.Coef[0] < 1.5 || sat.Coef[1] > -0.5 {
		t.Errorf("coefficients %v %v, want about 2 and -1", sat.Coef[0], sat.Coef[1])
	}
}
