package lasso_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/mimir-tui/mimir-tui/engine/lasso"
)

// Coefficients along a path: the two-feature problem of TestTwoFeatureKKT,
// where feature 0 enters at alpha 1.5 and feature 1 at alpha 1.
func ExamplePath() {
	X := [][]float64{{11, 4}, {11, 3}, {9, 3}, {9, 2}}
	y := []float64{3, 1, 0, -2}
	path, err := lasso.PathWith(X, y, []float64{1.6, 1.25, 0.5, 0}, lasso.Options{Tol: 1e-12})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range path {
		fmt.Printf("alpha %.2f: b0 %6.2f  β %.2f %.2f\n", s.Alpha, s.Intercept, s.Coef[0], s.Coef[1])
	}
	// Output:
	// alpha 1.60: b0   0.50  β 0.00 0.00
	// alpha 1.25: b0  -2.00  β 0.25 0.00
	// alpha 0.50: b0  -7.50  β 0.50 1.00
	// alpha 0.00: b0 -10.50  β 0.50 2.00
}

// Training a detector's score: 0/1 labels (benign rows, then attacked
// rows), two features that move under attack and three that do not.
func ExampleFitCV() {
	rng := rand.New(rand.NewPCG(1, 2))
	var X [][]float64
	var y []float64
	for i := 0; i < 300; i++ {
		label := 0.0
		if i >= 200 {
			label = 1
		}
		row := make([]float64, 5)
		for j := range row {
			row[j] = rng.NormFloat64() * 0.2
		}
		row[0] += 3 * label // e.g. bytes to outside
		row[3] += 2 * label // e.g. a new service pair
		X = append(X, row)
		y = append(y, label)
	}
	m, err := lasso.FitCV(X, y, lasso.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d of %d features used\n", m.NonZero(), len(m.Coef))
	fmt.Printf("benign score %.1f, attacked score %.1f\n",
		m.Predict([]float64{0, 0, 0, 0, 0}), m.Predict([]float64{3, 0, 0, 2, 0}))
	// Output:
	// 2 of 5 features used
	// benign score 0.0, attacked score 1.0
}
