package lasso

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/floats"
)

// resolution is numpy's finfo(float).resolution: scikit-learn treats an
// AlphaMax at or below it as zero and uses it as every alpha of the grid.
const resolution = 1e-15

// Options configures PathWith and FitCV. Zero fields take scikit-learn's
// LassoCV defaults.
type Options struct {
	Folds   int     // contiguous cross-validation folds, ≥ 2 (default 5)
	NAlphas int     // alphas on the grid (default 100)
	Eps     float64 // smallest alpha / largest alpha (default 1e-3)
	Tol     float64 // relative duality-gap tolerance (default 1e-4)
	MaxIter int     // coordinate-descent sweeps per alpha (default 1000)
	Workers int     // folds fitted at once (default GOMAXPROCS)
	// Saturation, when > 0, stops a fold's path (glmnet's rule) once the
	// fit explains more than 1 − Saturation of the training variance of y,
	// or gains less than a Saturation·1e-2 share of it over the previous
	// alpha (never before the fifth alpha):
	// the remaining, smaller alphas keep that solution. Past that point the
	// path only interpolates the training rows, and with more features than
	// rows coordinate descent may need thousands of sweeps per alpha to get
	// there. 0 (the default) follows scikit-learn and solves every alpha.
	Saturation float64
	// Progress, when set, hears how many of the folds' paths and the final
	// refit are done (total Folds+1); it may be called from several
	// goroutines at once.
	Progress func(done, total int)
}

func (o Options) withDefaults() Options {
	if o.Folds == 0 {
		o.Folds = 5
	}
	if o.NAlphas == 0 {
		o.NAlphas = 100
	}
	if o.Eps == 0 {
		o.Eps = 1e-3
	}
	if o.Tol == 0 {
		o.Tol = 1e-4
	}
	if o.MaxIter == 0 {
		o.MaxIter = 1000
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

func (o Options) check() error {
	switch {
	case o.Folds < 2:
		return fmt.Errorf("lasso: %d folds: cross-validation needs at least 2", o.Folds)
	case o.NAlphas < 1:
		return fmt.Errorf("lasso: %d alphas: the grid needs at least 1", o.NAlphas)
	case !(o.Eps > 0 && o.Eps <= 1):
		return fmt.Errorf("lasso: eps %v: it must be in (0, 1], the smallest alpha as a fraction of the largest", o.Eps)
	case !(o.Tol > 0):
		return fmt.Errorf("lasso: tolerance %v: it must be positive", o.Tol)
	case o.MaxIter < 1:
		return fmt.Errorf("lasso: %d iterations: allow at least 1", o.MaxIter)
	}
	return nil
}

// Model is a fitted linear model: score = Intercept + Σ Coef[j]·x[j]. Its
// fields are exported so that it is stored in model files as JSON.
type Model struct {
	Intercept float64   `json:"intercept"`
	Coef      []float64 `json:"coef"`
	// Alpha is the penalty chosen by cross-validation.
	Alpha float64 `json:"alpha"`
	// CVMSE[k] is the mean squared error at Alphas[k], averaged over the
	// folds: the curve Alpha minimises.
	CVMSE  []float64 `json:"cv_mse"`
	Alphas []float64 `json:"alphas"`
}

// Predict returns Intercept + Σ Coef[j]·row[j]. It panics when row does not
// have one value per coefficient, a programming error like an index out of
// range.
func (m *Model) Predict(row []float64) float64 {
	if len(row) != len(m.Coef) {
		panic(fmt.Sprintf("lasso: Predict: row has %d values, the model has %d coefficients", len(row), len(m.Coef)))
	}
	return m.Intercept + floats.Dot(m.Coef, row)
}

// NonZero returns the number of non-zero coefficients: the features the
// model actually uses.
func (m *Model) NonZero() int {
	k := 0
	for _, c := range m.Coef {
		if c != 0 {
			k++
		}
	}
	return k
}

// Validate checks a model read from a file: finite numbers, a non-negative
// alpha and a cross-validation curve as long as its grid.
func (m *Model) Validate() error {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	if bad(m.Intercept) {
		return fmt.Errorf("lasso model: intercept %v is not finite: retrain the model", m.Intercept)
	}
	for j, c := range m.Coef {
		if bad(c) {
			return fmt.Errorf("lasso model: coefficient %d is %v: retrain the model", j, c)
		}
	}
	if bad(m.Alpha) || m.Alpha < 0 {
		return fmt.Errorf("lasso model: alpha %v is not a non-negative number: retrain the model", m.Alpha)
	}
	if len(m.CVMSE) != len(m.Alphas) {
		return fmt.Errorf("lasso model: %d cross-validation errors for %d alphas: retrain the model", len(m.CVMSE), len(m.Alphas))
	}
	return nil
}

// Solution is the fit at one alpha of a path.
type Solution struct {
	Alpha     float64
	Intercept float64
	Coef      []float64
	Iter      int     // coordinate-descent sweeps used
	Gap       float64 // final duality gap of the (1/(2n)) objective
	Converged bool    // gap below tolerance within MaxIter sweeps
}

// AlphaMax returns max_j |x_jᵀ(y − ȳ)|/n, the smallest alpha at which the
// LASSO sets every coefficient to 0: the top of the alpha grid.
func AlphaMax(X [][]float64, y []float64) (float64, error) {
	if _, err := validate(X, y); err != nil {
		return 0, err
	}
	return newDesign(X, y, span{0, len(X)}).alphaMax(), nil
}

// LogAlphas returns n alphas log-spaced from alphaMax down to alphaMax·eps,
// largest first, computed like numpy.logspace (scikit-learn's _alpha_grid):
// exponents linearly spaced between log10(alphaMax·eps) and log10(alphaMax).
// n = 1 gives [alphaMax·eps] as numpy does. An alphaMax at or below 1e-15
// (numpy's float resolution) gives n copies of 1e-15, as scikit-learn does.
// n < 1 gives nil.
func LogAlphas(alphaMax, eps float64, n int) []float64 {
	if n < 1 {
		return nil
	}
	a := make([]float64, n)
	if !(alphaMax > resolution) {
		for i := range a {
			a[i] = resolution
		}
		return a
	}
	lo, hi := math.Log10(alphaMax*eps), math.Log10(alphaMax)
	if n == 1 {
		a[0] = math.Pow(10, lo)
		return a
	}
	step := (hi - lo) / float64(n-1)
	for i := 0; i < n; i++ {
		e := lo + float64(i)*step
		if i == n-1 {
			e = hi
		}
		a[n-1-i] = math.Pow(10, e)
	}
	return a
}

// Path fits the LASSO at each alpha in turn, each fit warm-started from the
// previous one (give alphas in decreasing order, as LogAlphas returns them),
// with the default tolerance and sweep limit.
func Path(X [][]float64, y []float64, alphas []float64) ([]Solution, error) {
	return PathWith(X, y, alphas, Options{})
}

// PathWith is Path with the tolerance and sweep limit of opt; its other
// fields are ignored.
func PathWith(X [][]float64, y []float64, alphas []float64, opt Options) ([]Solution, error) {
	opt = opt.withDefaults()
	if err := opt.check(); err != nil {
		return nil, err
	}
	if _, err := validate(X, y); err != nil {
		return nil, err
	}
	for i, a := range alphas {
		if !(a >= 0) || math.IsInf(a, 0) {
			return nil, fmt.Errorf("lasso: alpha %d is %v: every alpha must be a finite number ≥ 0", i, a)
		}
	}
	d := newDesign(X, y, span{0, len(X)})
	w := make([]float64, d.p)
	out := make([]Solution, len(alphas))
	for i, a := range alphas {
		r := d.solve(context.Background(), a, w, opt.Tol, opt.MaxIter)
		out[i] = Solution{
			Alpha:     a,
			Intercept: d.intercept(w),
			Coef:      append([]float64(nil), w...),
			Iter:      r.iter,
			Gap:       r.gap,
			Converged: r.converged,
		}
	}
	return out, nil
}

// ErrConstantTarget is returned by FitCV when every target is the same, so
// there is nothing for a model to learn.
var ErrConstantTarget = errors.New("lasso: every target has the same value, so there is nothing to learn: training needs both benign (0) and attacked (1) rows")

// FitCV chooses alpha by k-fold cross-validation over contiguous blocks of
// rows (scikit-learn's KFold without shuffling: the first n mod k folds
// have one row more) and refits on all rows at that alpha, like
// scikit-learn's LassoCV. The grid is LogAlphas(AlphaMax(X, y), Eps,
// NAlphas) on all rows. Each fold fits a warm-started path on the other
// rows and measures the mean squared error on its own rows; the alpha with
// the least error averaged over folds wins (the largest alpha among equal
// errors). Folds run on up to opt.Workers goroutines; every fold writes its
// own slot, so the result does not depend on their order.
func FitCV(X [][]float64, y []float64, opt Options) (*Model, error) {
	return FitCVContext(context.Background(), X, y, opt)
}

// FitCVContext is FitCV that stops, returning ctx.Err(), soon after ctx
// is cancelled: it checks between alphas and between sweeps.
func FitCVContext(ctx context.Context, X [][]float64, y []float64, opt Options) (*Model, error) {
	opt = opt.withDefaults()
	if err := opt.check(); err != nil {
		return nil, err
	}
	if _, err := validate(X, y); err != nil {
		return nil, err
	}
	n, p := len(X), len(X[0])
	if opt.Folds > n {
		return nil, fmt.Errorf("lasso: %d rows cannot be split into %d folds: give more rows or fewer folds", n, opt.Folds)
	}
	bounds := foldBounds(n, opt.Folds)
	all := span{0, n}

	// With more rows than features, the Gram matrices of the folds' training
	// sets are sums of per-fold blocks, computed once.
	var full *design
	var blocks []*moments
	shift, yshift := means(X, y, all)
	if n > p {
		blocks = make([]*moments, opt.Folds)
		parallel(opt.Folds, opt.Workers, func(f int) {
			blocks[f] = newMoments(X, y, span{bounds[f], bounds[f+1]}, shift, yshift)
		})
		full = gramDesign(blocks, shift, yshift)
	} else {
		full = residualDesign(X, y, all)
	}
	if full.yy == 0 {
		return nil, ErrConstantTarget
	}
	alphas := LogAlphas(full.alphaMax(), opt.Eps, opt.NAlphas)

	// mse[f][k]: fold f's test error at alphas[k]. Each fold writes only its
	// own slot, so the result does not depend on scheduling.
	mse := make([][]float64, opt.Folds)
	var done atomic.Int32
	progress := func() {
		if opt.Progress != nil {
			opt.Progress(int(done.Add(1)), opt.Folds+1)
		}
	}
	parallel(opt.Folds, opt.Workers, func(f int) {
		lo, hi := bounds[f], bounds[f+1]
		var d *design
		if n-(hi-lo) > p {
			others := make([]*moments, 0, opt.Folds-1)
			others = append(append(others, blocks[:f]...), blocks[f+1:]...)
			d = gramDesign(others, shift, yshift)
		} else {
			d = residualDesign(X, y, span{0, lo}, span{hi, n})
		}
		mse[f] = foldMSE(ctx, d, X, y, lo, hi, alphas, opt)
		progress()
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	m := &Model{Alphas: alphas, CVMSE: make([]float64, len(alphas))}
	best := 0
	for k := range alphas {
		var s float64
		for f := range mse {
			s += mse[f][k]
		}
		m.CVMSE[k] = s / float64(opt.Folds)
		if m.CVMSE[k] < m.CVMSE[best] {
			best = k
		}
	}
	best, m.Coef = full.refit(ctx, X, y, alphas, best, opt)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	progress()
	m.Alpha = alphas[best]
	m.Intercept = full.intercept(m.Coef)
	return m, nil
}

// refit fits all rows, warm-started along the grid down to alphas[best]
// (scikit-learn refits cold; both stop at the same duality gap), stopping
// earlier under the folds' saturation rule; it returns the alpha's index
// and the coefficients.
func (full *design) refit(ctx context.Context, X [][]float64, y []float64, alphas []float64, best int, opt Options) (int, []float64) {
	w := make([]float64, full.p)
	prev := 0.0
	for k, a := range alphas[:best+1] {
		if ctx.Err() != nil {
			return k, w
		}
		full.solve(ctx, a, w, opt.Tol, opt.MaxIter)
		if opt.Saturation > 0 && full.yy > 0 {
			// The same rule as the folds: past saturation, smaller alphas
			// would only interpolate the rows.
			ratio := 1 - full.rss(X, y, w)/full.yy
			if k >= 4 && (ratio > 1-opt.Saturation || (ratio > 0 && ratio-prev < opt.Saturation*1e-2*ratio)) {
				return k, w
			}
			prev = ratio
		}
	}
	return best, w
}

// rss is the residual sum of squares of w on every row of X.
func (d *design) rss(X [][]float64, y []float64, w []float64) float64 {
	b0 := d.intercept(w)
	var s float64
	for i := range X {
		e := y[i] - b0 - floats.Dot(w, X[i])
		s += e * e
	}
	return s
}

// foldBounds returns the k+1 boundaries of k contiguous folds of n rows,
// the first n mod k folds one row larger (scikit-learn's KFold).
func foldBounds(n, k int) []int {
	b := make([]int, k+1)
	for f := 0; f < k; f++ {
		size := n / k
		if f < n%k {
			size++
		}
		b[f+1] = b[f] + size
	}
	return b
}

// foldMSE fits the path on design d (the rows outside [lo, hi)) and returns
// the mean squared error on the rows inside, per alpha.
func foldMSE(ctx context.Context, d *design, X [][]float64, y []float64, lo, hi int, alphas []float64, opt Options) []float64 {
	w := make([]float64, d.p)
	out := make([]float64, len(alphas))
	sse := func(b0 float64, from, to int) float64 {
		var s float64
		for i := from; i < to; i++ {
			e := y[i] - b0 - floats.Dot(w, X[i])
			s += e * e
		}
		return s
	}
	prev := 0.0 // fraction of the training variance explained at the previous alpha
	for k, a := range alphas {
		if ctx.Err() != nil {
			return out
		}
		d.solve(ctx, a, w, opt.Tol, opt.MaxIter)
		b0 := d.intercept(w)
		out[k] = sse(b0, lo, hi) / float64(hi-lo)
		if opt.Saturation > 0 && d.yy > 0 {
			ratio := 1 - (sse(b0, 0, lo)+sse(b0, hi, len(X)))/d.yy
			// Like glmnet, never before the fifth alpha, and the change is
			// relative to what is explained.
			if k >= 4 && (ratio > 1-opt.Saturation || (ratio > 0 && ratio-prev < opt.Saturation*1e-2*ratio)) {
				for j := k + 1; j < len(alphas); j++ {
					out[j] = out[k]
				}
				break
			}
			prev = ratio
		}
	}
	return out
}

// parallel calls f(0) … f(n−1) on up to workers goroutines and waits.
func parallel(n, workers int, f func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for i := range next {
				f(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
