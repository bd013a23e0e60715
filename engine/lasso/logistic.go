package lasso

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Logistic is a fitted logistic regression: the log-odds of y = 1 are
// Intercept + Σ Coef[j]·x[j], so a score is still a sum of contributions.
type Logistic struct {
	Intercept float64
	Coef      []float64
	Lambda    float64 // the L2 penalty chosen
}

// LogisticLambdas is the grid FitLogisticCV chooses the penalty from.
var LogisticLambdas = []float64{1e-4, 1e-3, 1e-2, 1e-1, 1}

// FitLogistic fits an L2-penalised logistic regression of y (0 or 1) on X,
// minimising the mean log-loss + λ/2·‖w‖² (the intercept unpenalised) by
// Newton's method with step halving. The penalty keeps the weights finite
// when the classes are separable, as injected attacks often are; it
// should be applied to standardised columns.
func FitLogistic(ctx context.Context, X [][]float64, y []float64, lambda float64) (*Logistic, error) {
	n := len(X)
	if n == 0 {
		return nil, fmt.Errorf("logistic: no rows to fit")
	}
	p := len(X[0])
	theta := make([]float64, p+1) // intercept last
	mean := 0.0
	for _, v := range y {
		mean += v
	}
	mean /= float64(n)
	theta[p] = math.Log(math.Max(mean, 1e-6) / math.Max(1-mean, 1e-6))
	obj := logisticObjective(X, y, theta, lambda)
	for it := 0; it < 100 && ctx.Err() == nil; it++ {
		step, err := newtonStep(X, y, theta, lambda)
		if err != nil {
			return nil, err
		}
		next, nextObj, ok := halve(X, y, theta, step, lambda, obj)
		if !ok {
			break
		}
		change := 0.0
		for j := range theta {
			change = math.Max(change, math.Abs(next[j]-theta[j]))
		}
		theta, obj = next, nextObj
		if change < 1e-9 {
			break
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &Logistic{Intercept: theta[p], Coef: theta[:p], Lambda: lambda}, nil
}

// sigmoid is 1/(1+e^-x), without overflow.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// logLoss is −[y·log σ(η) + (1−y)·log(1−σ(η))], computed stably.
func logLoss(eta, y float64) float64 {
	// log(1+e^η) − y·η
	soft := math.Max(eta, 0) + math.Log1p(math.Exp(-math.Abs(eta)))
	return soft - y*eta
}

func linear(row, theta []float64) float64 {
	p := len(row)
	eta := theta[p]
	for j, x := range row {
		eta += theta[j] * x
	}
	return eta
}

func logisticObjective(X [][]float64, y []float64, theta []float64, lambda float64) float64 {
	var s float64
	for i, row := range X {
		s += logLoss(linear(row, theta), y[i])
	}
	var pen float64
	for _, w := range theta[:len(theta)-1] {
		pen += w * w
	}
	return s/float64(len(X)) + lambda/2*pen
}

// newtonStep solves H·step = g for the penalised mean log-loss.
func newtonStep(X [][]float64, y []float64, theta []float64, lambda float64) ([]float64, error) {
	n, p := len(X), len(theta)-1
	g := make([]float64, p+1)
	h := mat.NewSymDense(p+1, nil)
	row1 := make([]float64, p+1)
	for i, row := range X {
		pr := sigmoid(linear(row, theta))
		copy(row1, row)
		row1[p] = 1
		r, w := pr-y[i], pr*(1-pr)
		for a := 0; a <= p; a++ {
			g[a] += r * row1[a]
			for b := a; b <= p; b++ {
				h.SetSym(a, b, h.At(a, b)+w*row1[a]*row1[b])
			}
		}
	}
	for a := 0; a <= p; a++ {
		g[a] /= float64(n)
		for b := a; b <= p; b++ {
			h.SetSym(a, b, h.At(a, b)/float64(n))
		}
		if a < p {
			g[a] += lambda * theta[a]
			h.SetSym(a, a, h.At(a, a)+lambda)
		} else {
			h.SetSym(a, a, h.At(a, a)+1e-10) // an all-one class keeps it invertible
		}
	}
	var chol mat.Cholesky
	if !chol.Factorize(h) {
		return nil, fmt.Errorf("logistic: the Hessian is singular; use a larger penalty")
	}
	var step mat.VecDense
	if err := chol.SolveVecTo(&step, mat.NewVecDense(p+1, g)); err != nil {
		return nil, fmt.Errorf("logistic: %w", err)
	}
	return step.RawVector().Data, nil
}

// halve takes the Newton step, halving it until the objective decreases;
// ok is false when no step does.
func halve(X [][]float64, y []float64, theta, step []float64, lambda, obj float64) ([]float64, float64, bool) {
	next := make([]float64, len(theta))
	for t := 1.0; t > 1e-6; t /= 2 {
		for j := range theta {
			next[j] = theta[j] - t*step[j]
		}
		if o := logisticObjective(X, y, next, lambda); o <= obj {
			return next, o, true
		}
	}
	return theta, obj, false
}

// FitLogisticCV chooses λ from LogisticLambdas by k-fold cross-validation
// over contiguous blocks of rows (the mean log-loss of the held-out rows)
// and refits on all rows.
func FitLogisticCV(ctx context.Context, X [][]float64, y []float64, folds int) (*Logistic, error) {
	n := len(X)
	if folds < 2 || folds > n {
		return nil, fmt.Errorf("logistic: %d rows cannot be split into %d folds", n, folds)
	}
	bounds := foldBounds(n, folds)
	best, bestLoss := LogisticLambdas[0], math.Inf(1)
	for _, lambda := range LogisticLambdas {
		var loss float64
		for f := range folds {
			lo, hi := bounds[f], bounds[f+1]
			trainX := append(append([][]float64{}, X[:lo]...), X[hi:]...)
			trainY := append(append([]float64{}, y[:lo]...), y[hi:]...)
			m, err := FitLogistic(ctx, trainX, trainY, lambda)
			if err != nil {
				return nil, err
			}
			for i := lo; i < hi; i++ {
				loss += logLoss(m.predict(X[i]), y[i])
			}
		}
		if loss < bestLoss {
			best, bestLoss = lambda, loss
		}
	}
	return FitLogistic(ctx, X, y, best)
}

// predict is the log-odds of a row.
func (m *Logistic) predict(row []float64) float64 {
	eta := m.Intercept
	for j, x := range row {
		eta += m.Coef[j] * x
	}
	return eta
}
