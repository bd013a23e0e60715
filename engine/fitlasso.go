package engine

import (
	"context"
	"fmt"
	"math"

	"github.com/mimir-tui/mimir-tui/engine/lasso"
	"gonum.org/v1/gonum/floats"
)

// maxSweeps bounds coordinate-descent sweeps per alpha. Where more are
// needed the path is deep in the interpolating regime, which
// cross-validation rejects anyway.
const maxSweeps = 200

// fitLasso fits the LASSO with cross-validated alpha (method.md §6: 5
// contiguous folds, a 100-point log path, eps 1e-3). Columns that are
// constant over the training rows cannot enter the model; they are left
// out of the fit (weight 0).
func fitLasso(ctx context.Context, X [][]float64, y []float64, progress func(done, total int)) (*lasso.Model, error) {
	if len(X) == 0 {
		return nil, fmt.Errorf("no training rows")
	}
	p := len(X[0])
	var keep []int
	for j := 0; j < p; j++ {
		for i := 1; i < len(X); i++ {
			if X[i][j] != X[0][j] {
				keep = append(keep, j)
				break
			}
		}
	}
	if len(keep) == 0 {
		// Nothing varies: a constant model (every window scores the same).
		return &lasso.Model{Intercept: floats.Sum(y) / float64(len(y)), Coef: make([]float64, p)}, nil
	}
	// Standardised columns (glmnet's default): the penalty then weighs
	// every input alike, so an input that is rarely non-zero but decisive
	// when it is (a new port) is not shrunk away for its small spread.
	scale := make([]float64, len(keep))
	for k, j := range keep {
		var sum, sq float64
		for _, row := range X {
			sum += row[j]
		}
		mean := sum / float64(len(X))
		for _, row := range X {
			sq += (row[j] - mean) * (row[j] - mean)
		}
		scale[k] = math.Sqrt(sq / float64(len(X)))
	}
	Xk := make([][]float64, len(X))
	for i, row := range X {
		Xk[i] = make([]float64, len(keep))
		for k, j := range keep {
			Xk[i][k] = row[j] / scale[k]
		}
	}
	// glmnet's stopping rule keeps the path from grinding through alphas
	// that only interpolate the rows.
	m, err := lasso.FitCVContext(ctx, Xk, y, lasso.Options{Folds: 5, NAlphas: 100, Eps: 1e-3, Saturation: 1e-3, MaxIter: maxSweeps, Progress: progress})
	if err != nil {
		return nil, err
	}
	if err := relaxLogistic(ctx, m, Xk, y); err != nil {
		return nil, err
	}
	coef := make([]float64, p)
	for k, j := range keep {
		coef[j] = m.Coef[k] / scale[k]
	}
	m.Coef = coef
	return m, nil
}

// relaxLogistic refits the inputs the LASSO chose with a logistic
// regression (L2 penalty chosen by cross-validation), the relaxed LASSO of
// Meinshausen (2007) with the loss a 0/1 label calls for: the LASSO picks
// the inputs, but its shrinkage keeps a rare decisive input (a new port)
// far too small, and a least-squares fit of labels caps every score near
// 1. The score becomes the log-odds of an attack, still a sum of
// contributions, and the benign scores' tail keeps its shape for the
// false-alarm threshold.
func relaxLogistic(ctx context.Context, m *lasso.Model, X [][]float64, y []float64) error {
	var chosen []int
	for j, c := range m.Coef {
		if c != 0 {
			chosen = append(chosen, j)
		}
	}
	pos := floats.Sum(y)
	if len(chosen) == 0 || pos == 0 || pos == float64(len(y)) {
		return nil
	}
	sub := make([][]float64, len(X))
	for i, row := range X {
		sub[i] = make([]float64, len(chosen))
		for k, j := range chosen {
			sub[i][k] = row[j]
		}
	}
	lg, err := lasso.FitLogisticCV(ctx, sub, y, 5)
	if err != nil {
		return fmt.Errorf("relaxed logistic fit: %w", err)
	}
	m.Intercept = lg.Intercept
	for k, j := range chosen {
		m.Coef[j] = lg.Coef[k]
	}
	return nil
}
