package stats

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
)

func bools(b ...int) []bool {
	out := make([]bool, len(b))
	for i, v := range b {
		out[i] = v != 0
	}
	return out
}

// The textbook example of scikit-learn's roc_curve and roc_auc_score
// documentation. scikit-learn 1.2.1 (Debian 12) prints, with
// drop_intermediate=False,
//
//	fpr [0. 0. 0.5 0.5 1.], tpr [0. 0.5 0.5 1. 1.], thresholds [1.8 0.8 0.4 0.35 0.1]
//
// and AUC 0.75 (its first threshold, max+1, means "nothing alerts"; we
// write +Inf as scikit-learn >= 1.3 does).
func TestROCTextbook(t *testing.T) {
	pts := ROC([]float64{0.1, 0.4, 0.35, 0.8}, bools(0, 0, 1, 1))
	want := []Point{
		{0, 0, math.Inf(1)},
		{0, 0.5, 0.8},
		{0.5, 0.5, 0.4},
		{0.5, 1, 0.35},
		{1, 1, 0.1},
	}
	checkPoints(t, pts, want)
	// Trapezoids: 0.5·(0.5+0.5)/2 + 0.5·(1+1)/2 = 0.25 + 0.5.
	if got := AUC([]float64{0.1, 0.4, 0.35, 0.8}, bools(0, 0, 1, 1)); !same(got, 0.75, 1e-15) {
		t.Errorf("AUC = %v, want 0.75", got)
	}
}

func checkPoints(t *testing.T, got, want []Point) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d points %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range want {
		if !same(got[i].FPR, want[i].FPR, 1e-15) || !same(got[i].TPR, want[i].TPR, 1e-15) || got[i].Threshold != want[i].Threshold {
			t.Errorf("point %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestROCTies(t *testing.T) {
	// Three windows tie at 0.5 (2 attacked, 1 benign): one diagonal step to
	// (1/2, 2/2), whatever the input order.
	for _, order := range [][]int{{0, 1, 2, 3}, {1, 0, 2, 3}, {3, 2, 1, 0}} {
		scores := []float64{0.5, 0.5, 0.5, 0.2}
		labels := bools(1, 0, 1, 0)
		s, l := make([]float64, 4), make([]bool, 4)
		for i, k := range order {
			s[i], l[i] = scores[k], labels[k]
		}
		checkPoints(t, ROC(s, l), []Point{{0, 0, math.Inf(1)}, {0.5, 1, 0.5}, {1, 1, 0.2}})
		// 0.5·(0+1)/2 + 0.5·(1+1)/2 = 0.75; scikit-learn 1.2.1:
		// roc_auc_score([1,0,1,0],[0.5,0.5,0.5,0.2]) -> 0.75.
		if got := AUC(s, l); !same(got, 0.75, 1e-15) {
			t.Errorf("order %v: AUC = %v, want 0.75", order, got)
		}
	}
}

func TestAUCTable(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name   string
		scores []float64
		labels []bool
		want   float64
	}{
		{"perfect ranking", []float64{0.9, 0.8, 0.2, 0.1}, bools(1, 1, 0, 0), 1},
		{"inverted ranking", []float64{0.9, 0.8, 0.2, 0.1}, bools(0, 0, 1, 1), 0},
		{"all tied: one diagonal", []float64{3, 3, 3, 3}, bools(0, 1, 0, 1), 0.5},
		// Without the NaN window (a negative) the ranking is perfect.
		{"NaN left out", []float64{nan, 0.9, 0.1}, bools(0, 1, 0), 1},
		{"infinite scores rank", []float64{math.Inf(1), 0, math.Inf(-1)}, bools(1, 0, 0), 1},
		{"no positive: undefined", []float64{0.1, 0.2}, bools(0, 0), nan},
		{"no negative: undefined", []float64{0.1, 0.2}, bools(1, 1), nan},
		{"empty: undefined", nil, nil, nan},
		{"only NaN: undefined", []float64{nan, nan}, bools(0, 1), nan},
	}
	for _, tt := range tests {
		if got := AUC(tt.scores, tt.labels); !same(got, tt.want, 1e-15) {
			t.Errorf("%s: AUC = %v, want %v", tt.name, got, tt.want)
		}
	}
	if ROC([]float64{0.1}, bools(0)) != nil {
		t.Error("ROC with no positive label is not nil")
	}
}

// mannWhitney is the AUC by its definition, independent of the ROC: the
// share of (attacked, benign) pairs where the attacked window scores higher,
// ties counting ½.
func mannWhitney(scores []float64, labels []bool) float64 {
	var u float64
	var pairs int
	for i := range scores {
		if !labels[i] || math.IsNaN(scores[i]) {
			continue
		}
		for j := range scores {
			if labels[j] || math.IsNaN(scores[j]) {
				continue
			}
			pairs++
			switch {
			case scores[i] > scores[j]:
				u++
			case scores[i] == scores[j]:
				u += 0.5
			}
		}
	}
	return u / float64(pairs)
}

// The trapezoid AUC must equal the Mann-Whitney statistic for any data,
// including heavy ties (scores rounded to a few levels) and NaN.
func TestAUCEqualsMannWhitney(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		n := 2 + rng.IntN(60)
		levels := 1 + rng.IntN(8)
		scores := make([]float64, n)
		labels := make([]bool, n)
		for i := range scores {
			labels[i] = rng.IntN(3) == 0
			// Attacked windows score a little higher on average.
			s := float64(rng.IntN(levels))
			if labels[i] {
				s += float64(rng.IntN(2))
			}
			scores[i] = s / 3
			if rng.IntN(20) == 0 {
				scores[i] = math.NaN()
			}
		}
		labels[0], labels[1] = true, false
		scores[0], scores[1] = 0.5, 0.25
		got, want := AUC(scores, labels), mannWhitney(scores, labels)
		if !same(got, want, 1e-12) {
			t.Fatalf("trial %d: trapezoid AUC %v != Mann-Whitney %v\nscores %v\nlabels %v", trial, got, want, scores, labels)
		}
	}
}

func TestROCPointPerDistinctScore(t *testing.T) {
	scores := []float64{0.3, 0.1, 0.3, 0.7, 0.1, 0.3, math.NaN()}
	labels := bools(1, 0, 0, 1, 0, 1, 1)
	pts := ROC(scores, labels)
	// Distinct non-NaN scores 0.7, 0.3, 0.1, plus the (0,0) start.
	if len(pts) != 4 {
		t.Fatalf("%d points, want 4: %v", len(pts), pts)
	}
	for i := 1; i < len(pts); i++ {
		if pts[i].Threshold >= pts[i-1].Threshold || pts[i].FPR < pts[i-1].FPR || pts[i].TPR < pts[i-1].TPR {
			t.Errorf("points not monotone at %d: %v", i, pts)
		}
	}
	if last := pts[len(pts)-1]; last.FPR != 1 || last.TPR != 1 {
		t.Errorf("last point %+v, want (1, 1)", last)
	}
}

func TestPointJSON(t *testing.T) {
	pts := []Point{{0, 0, math.Inf(1)}, {0.5, 1, 0.35}}
	b, err := json.Marshal(pts)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if want := `[{"fpr":0,"tpr":0,"threshold":null},{"fpr":0.5,"tpr":1,"threshold":0.35}]`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
	var back []Point
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	checkPoints(t, back, pts)
	if err := json.Unmarshal([]byte(`[{"fpr":"x"}]`), &back); err == nil {
		t.Error("bad point JSON accepted")
	}
}

func TestConfusion(t *testing.T) {
	scores := []float64{0.1, 0.4, 0.35, 0.8, math.NaN()}
	labels := bools(0, 0, 1, 1, 1)
	tests := []struct {
		th   float64
		want Confusion
		// precision, recall, F1, FPR, hand computed from want
		p, r, f1, fpr float64
	}{
		// Alerts 0.8(+), 0.4(-), 0.35(+): P 2/3, R 2/2, F1 4/5, FPR 1/2.
		{0.35, Confusion{TP: 2, FP: 1, TN: 1, FN: 0}, 2.0 / 3, 1, 0.8, 0.5},
		// Alerts 0.8(+) only: P 1, R 1/2, F1 2/3, FPR 0.
		{0.5, Confusion{TP: 1, FP: 0, TN: 2, FN: 1}, 1, 0.5, 2.0 / 3, 0},
		// Threshold equal to a score alerts that score (score >= th).
		{0.8, Confusion{TP: 1, FP: 0, TN: 2, FN: 1}, 1, 0.5, 2.0 / 3, 0},
		// Nothing alerts: precision 0/0 -> 0, F1 2·0/(0+0+2) = 0.
		{0.9, Confusion{TP: 0, FP: 0, TN: 2, FN: 2}, 0, 0, 0, 0},
		// Everything alerts: P 2/4, R 1, F1 4/6, FPR 1.
		{math.Inf(-1), Confusion{TP: 2, FP: 2, TN: 0, FN: 0}, 0.5, 1, 2.0 / 3, 1},
	}
	for _, tt := range tests {
		c := ConfusionAt(scores, labels, tt.th)
		if c != tt.want {
			t.Errorf("th %v: %+v, want %+v", tt.th, c, tt.want)
		}
		if !same(c.Precision(), tt.p, 1e-15) || !same(c.Recall(), tt.r, 1e-15) || !same(c.F1(), tt.f1, 1e-15) || !same(c.FPR(), tt.fpr, 1e-15) {
			t.Errorf("th %v: P %v R %v F1 %v FPR %v, want %v %v %v %v", tt.th, c.Precision(), c.Recall(), c.F1(), c.FPR(), tt.p, tt.r, tt.f1, tt.fpr)
		}
	}
	// 0/0 everywhere is 0 (scikit-learn's zero_division default).
	for _, c := range []Confusion{{}, {TN: 3}} {
		if c.Precision() != 0 || c.Recall() != 0 || c.F1() != 0 || c.FPR() != 0 {
			t.Errorf("%+v: P %v R %v F1 %v FPR %v, want all 0", c, c.Precision(), c.Recall(), c.F1(), c.FPR())
		}
	}
}

func TestBestF1Threshold(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name   string
		scores []float64
		labels []bool
		th, f1 float64
	}{
		// F1 per candidate (2TP/(2TP+FP+FN)): 0.8 -> 2/3, 0.4 -> 2/4,
		// 0.35 -> 4/5, 0.1 -> 4/6. Best 0.35; midway to 0.1 is 0.225.
		{"textbook", []float64{0.1, 0.4, 0.35, 0.8}, bools(0, 0, 1, 1), 0.225, 0.8},
		// Order [+,-,-,+]: 0.9 -> 2/3, 0.7 -> 2/4, 0.5 -> 2/5, 0.3 -> 4/6.
		// 0.9 and 0.3 tie at 2/3: the higher wins; midway to 0.7 is 0.8.
		{"tie goes to the higher threshold", []float64{0.3, 0.9, 0.5, 0.7}, bools(1, 1, 0, 0), 0.8, 2.0 / 3},
		// 0.9 -> 0, 0.5 -> 2/4, 0.3 -> 4/5: the lowest wins; the margin
		// below it mirrors the gap above: 0.3 - (0.5-0.3)/2 = 0.2.
		{"lowest score chosen", []float64{0.9, 0.5, 0.3}, bools(0, 1, 1), 0.2, 0.8},
		// One candidate, F1 2/(2+1): threshold 0.4 - 0.5.
		{"all scores equal", []float64{0.4, 0.4}, bools(1, 0), -0.1, 2.0 / 3},
		// F1 0 everywhere: the highest candidate, midway 0.3..0.2.
		{"no positive label", []float64{0.1, 0.3, 0.2}, bools(0, 0, 0), 0.25, 0},
		// Without the NaN: 0.8 -> 2/(2+0+0) = 1, midway to 0.2 is 0.5. Had
		// the NaN window counted as a missed attack, F1 would be 2/3.
		{"NaN left out", []float64{nan, 0.8, 0.2}, bools(1, 1, 0), 0.5, 1},
		{"no score", []float64{nan}, bools(1), nan, 0},
		{"empty", nil, nil, nan, 0},
		// Ties within a candidate: 0.9 (-) -> 0; 0.6 adds (+,+,-), so TP 2,
		// FP 2 (with 0.9), FN 0 -> 4/6; 0.1 -> 4/7. Midway 0.6..0.1 is 0.35.
		{"tied candidate", []float64{0.9, 0.6, 0.6, 0.6, 0.1}, bools(0, 1, 1, 0, 0), 0.35, 2.0 / 3},
	}
	for _, tt := range tests {
		th, f1 := BestF1Threshold(tt.scores, tt.labels)
		if !same(th, tt.th, 1e-15) || !same(f1, tt.f1, 1e-15) {
			t.Errorf("%s: BestF1Threshold = (%v, %v), want (%v, %v)", tt.name, th, f1, tt.th, tt.f1)
		}
	}
}

// On random data the returned threshold must reproduce the reported F1 and
// no candidate threshold may do better.
func TestBestF1ThresholdIsBest(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 200; trial++ {
		n := 1 + rng.IntN(40)
		scores := make([]float64, n)
		labels := make([]bool, n)
		for i := range scores {
			labels[i] = rng.IntN(2) == 0
			scores[i] = float64(rng.IntN(10)) / 10
			if labels[i] {
				scores[i] += 0.3
			}
		}
		th, f1 := BestF1Threshold(scores, labels)
		if got := ConfusionAt(scores, labels, th).F1(); !same(got, f1, 1e-12) {
			t.Fatalf("trial %d: F1 at returned threshold %v is %v, reported %v", trial, th, got, f1)
		}
		for _, s := range scores {
			if c := ConfusionAt(scores, labels, s).F1(); c > f1+1e-12 {
				t.Fatalf("trial %d: candidate %v has F1 %v > chosen %v", trial, s, c, f1)
			}
			if s == th {
				t.Fatalf("trial %d: threshold %v equals a score; it must sit between scores", trial, th)
			}
		}
	}
}

func TestMidwayAdjacentFloats(t *testing.T) {
	lo := 1.0
	hi := math.Nextafter(lo, 2)
	if m := midway(hi, lo); m != hi {
		t.Errorf("midway(%v, %v) = %v, want hi: nothing lies between", hi, lo, m)
	}
	if m := midway(1e308, -1e308); m != 0 {
		t.Errorf("midway(1e308, -1e308) = %v, want 0 (no overflow)", m)
	}
	if m := midway(1, math.Inf(-1)); m != 1 {
		t.Errorf("midway(1, -Inf) = %v, want 1", m)
	}
}

func TestLengthMismatchPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"ROC":             func() { ROC([]float64{1}, nil) },
		"ConfusionAt":     func() { ConfusionAt([]float64{1}, nil, 0) },
		"BestF1Threshold": func() { BestF1Threshold(nil, []bool{true}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with mismatched lengths did not panic", name)
				}
			}()
			f()
		}()
	}
}

func TestNearBestF1Threshold(t *testing.T) {
	// Scores, labels: benign 0.1 0.2 0.3; attacks 0.35 0.6 0.7 0.8 0.9.
	// Alerting at ≥ 0.35: TP 5 FP 0 → F1 1 (the best).
	// At ≥ 0.6: TP 4 FN 1 → F1 = 8/9 ≈ 0.889. At ≥ 0.7: F1 = 6/8 = 0.75.
	scores := []float64{0.1, 0.2, 0.3, 0.35, 0.6, 0.7, 0.8, 0.9}
	labels := []bool{false, false, false, true, true, true, true, true}
	cases := []struct {
		tol, th, f1 float64
	}{
		{0, (0.35 + 0.3) / 2, 1},          // BestF1Threshold
		{0.05, (0.35 + 0.3) / 2, 1},       // 0.889 is 0.111 away: not close enough
		{0.12, (0.6 + 0.35) / 2, 8.0 / 9}, // within 0.12 of 1: the higher candidate
		{0.3, (0.7 + 0.6) / 2, 0.75},
	}
	for _, c := range cases {
		th, f1 := NearBestF1Threshold(scores, labels, c.tol)
		if math.Abs(th-c.th) > 1e-12 || math.Abs(f1-c.f1) > 1e-12 {
			t.Errorf("tol %g: (%g, %g), want (%g, %g)", c.tol, th, f1, c.th, c.f1)
		}
	}
}
