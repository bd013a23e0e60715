package lasso

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// logisticData draws n rows of p standard normal inputs and labels from
// the logistic model with the given intercept and weights.
func logisticData(n int, b0 float64, w []float64, seed uint64) ([][]float64, []float64) {
	rng := rand.New(rand.NewPCG(seed, 2))
	X := make([][]float64, n)
	y := make([]float64, n)
	for i := range X {
		X[i] = make([]float64, len(w))
		eta := b0
		for j := range w {
			X[i][j] = rng.NormFloat64()
			eta += w[j] * X[i][j]
		}
		if rng.Float64() < sigmoid(eta) {
			y[i] = 1
		}
	}
	return X, y
}

// With a negligible penalty the fit is the maximum-likelihood estimate,
// which recovers the true weights of a large sample (standard error about
// 0.03 at n = 20000).
func TestFitLogisticRecoversWeights(t *testing.T) {
	w := []float64{1.5, -0.7, 0, 2}
	X, y := logisticData(20000, -1, w, 1)
	m, err := FitLogistic(context.Background(), X, y, 1e-8)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(m.Intercept+1) > 0.1 {
		t.Errorf("intercept %.3f, want -1", m.Intercept)
	}
	for j := range w {
		if math.Abs(m.Coef[j]-w[j]) > 0.1 {
			t.Errorf("weight %d: %.3f, want %.3f", j, m.Coef[j], w[j])
		}
	}
}

// The fit is a stationary point of the penalised loss: the gradient
// vanishes.
func TestFitLogisticGradientVanishes(t *testing.T) {
	X, y := logisticData(500, 0.3, []float64{0.8, -1.2}, 2)
	const lambda = 0.01
	m, err := FitLogistic(context.Background(), X, y, lambda)
	if err != nil {
		t.Fatal(err)
	}
	g := make([]float64, 3)
	for i, row := range X {
		r := sigmoid(m.predict(row)) - y[i]
		g[0] += r * row[0]
		g[1] += r * row[1]
		g[2] += r
	}
	for j := range g {
		g[j] /= float64(len(X))
		if j < 2 {
			g[j] += lambda * m.Coef[j]
		}
		if math.Abs(g[j]) > 1e-8 {
			t.Errorf("gradient %d = %g", j, g[j])
		}
	}
}

// Separable classes (injected attacks often are) keep finite weights,
// ranked right, thanks to the penalty.
func TestFitLogisticSeparable(t *testing.T) {
	X := [][]float64{{0}, {0.1}, {0.2}, {1}, {1.1}, {1.2}}
	y := []float64{0, 0, 0, 1, 1, 1}
	m, err := FitLogisticCV(context.Background(), X, y, 3)
	if err != nil {
		t.Fatal(err)
	}
	if math.IsInf(m.Coef[0], 0) || math.IsNaN(m.Coef[0]) || m.Coef[0] <= 0 {
		t.Fatalf("weight %v: want finite and positive", m.Coef[0])
	}
	if m.predict([]float64{0.2}) >= 0 || m.predict([]float64{1}) <= 0 {
		t.Errorf("log-odds %v at 0.2 and %v at 1: the classes are on the wrong sides", m.predict([]float64{0.2}), m.predict([]float64{1}))
	}
}

func TestFitLogisticCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	X, y := logisticData(100, 0, []float64{1}, 3)
	if _, err := FitLogistic(ctx, X, y, 0.01); err == nil {
		t.Error("a cancelled fit returned no error")
	}
}
