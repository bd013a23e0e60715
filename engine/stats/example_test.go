package stats_test

import (
	"fmt"

	"github.com/mimir-tui/mimir-tui/engine/stats"
)

func ExampleFitRobust() {
	// Two features over four baseline windows, given column by column.
	r := stats.FitRobust([][]float64{
		{100, 120, 110, 130}, // bytes to outside
		{0, 0, 0, 0},         // never varies: IQR 0 becomes 1
	})
	fmt.Printf("median %.1f IQR %.1f\n", r.Median[0], r.IQR[0])
	z := make([]float64, 2)
	r.Transform([]float64{150, 3}, z)
	fmt.Printf("z %.2f %.0f\n", z[0], z[1])
	// Output:
	// median 115.0 IQR 15.0
	// z 2.33 3
}

func ExampleAUC() {
	scores := []float64{0.1, 0.4, 0.35, 0.8}
	attacked := []bool{false, false, true, true}
	for _, p := range stats.ROC(scores, attacked) {
		fmt.Printf("th %v: FPR %.1f TPR %.1f\n", p.Threshold, p.FPR, p.TPR)
	}
	fmt.Println("AUC", stats.AUC(scores, attacked))
	// Output:
	// th +Inf: FPR 0.0 TPR 0.0
	// th 0.8: FPR 0.0 TPR 0.5
	// th 0.4: FPR 0.5 TPR 0.5
	// th 0.35: FPR 0.5 TPR 1.0
	// th 0.1: FPR 1.0 TPR 1.0
	// AUC 0.75
}

func ExampleBestF1Threshold() {
	scores := []float64{0.1, 0.4, 0.35, 0.8}
	attacked := []bool{false, false, true, true}
	th, f1 := stats.BestF1Threshold(scores, attacked)
	c := stats.ConfusionAt(scores, attacked, th)
	fmt.Printf("threshold %.3f F1 %.2f\n", th, f1)
	fmt.Printf("%+v precision %.2f recall %.2f\n", c, c.Precision(), c.Recall())
	// Output:
	// threshold 0.225 F1 0.80
	// {TP:2 FP:1 TN:1 FN:0} precision 0.67 recall 1.00
}
