package plot_test

import (
	"bytes"
	"fmt"
	"math"

	"github.com/mimir-tui/mimir-tui/engine/plot"
	"github.com/mimir-tui/mimir-tui/engine/stats"
)

func ExampleROC() {
	scores := []float64{0.1, 0.4, 0.35, 0.8}
	attacked := []bool{false, false, true, true}
	var svg bytes.Buffer
	err := plot.ROC(&svg, "svg", "10 s windows", []plot.Curve{{
		Name:   "model",
		Points: stats.ROC(scores, attacked),
		AUC:    stats.AUC(scores, attacked),
	}})
	fmt.Println(err, bytes.Contains(svg.Bytes(), []byte("model (AUC 0.75)")))
	// Output: <nil> true
}

func ExampleScores() {
	times := []float64{0, 10, 20, 30, 40}
	model := plot.Series{Name: "model", Values: []float64{0.1, 0.2, 0.9, math.NaN(), 0.1}}
	var png bytes.Buffer
	err := plot.Scores(&png, "png", "scores", times, []plot.Series{model}, 0.5, [][2]float64{{15, 35}})
	fmt.Println(err, png.Len() > 0)
	// Output: <nil> true
}
