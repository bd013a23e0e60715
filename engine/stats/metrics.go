package stats

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// Point is one point of a ROC curve: classifying score >= Threshold as
// attacked gives false-positive rate FPR and true-positive rate TPR.
type Point struct {
	FPR       float64
	TPR       float64
	Threshold float64
}

// pointJSON is Point on the wire. JSON has no infinity, and the first point
// of every curve has Threshold +Inf (nothing alerts), so an infinite
// threshold is written as null.
type pointJSON struct {
	FPR       float64  `json:"fpr"`
	TPR       float64  `json:"tpr"`
	Threshold *float64 `json:"threshold"`
}

// MarshalJSON writes {"fpr":..,"tpr":..,"threshold":..}, with a null
// threshold for +Inf.
func (p Point) MarshalJSON() ([]byte, error) {
	w := pointJSON{FPR: p.FPR, TPR: p.TPR}
	if !math.IsInf(p.Threshold, 0) {
		th := p.Threshold
		w.Threshold = &th
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads what MarshalJSON writes; a null threshold is +Inf.
func (p *Point) UnmarshalJSON(b []byte) error {
	var w pointJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("roc point: %w", err)
	}
	p.FPR, p.TPR, p.Threshold = w.FPR, w.TPR, math.Inf(1)
	if w.Threshold != nil {
		p.Threshold = *w.Threshold
	}
	return nil
}

// scored is one non-NaN score with its label.
type scored struct {
	s   float64
	pos bool
}

// rank returns the non-NaN scores with their labels, highest score first,
// and the number of positives and negatives among them. It panics when the
// slices differ in length (a programming error).
func rank(scores []float64, labels []bool) (r []scored, pos, neg int) {
	if len(scores) != len(labels) {
		panic(fmt.Sprintf("stats: %d scores but %d labels", len(scores), len(labels)))
	}
	r = make([]scored, 0, len(scores))
	for i, s := range scores {
		if math.IsNaN(s) {
			continue
		}
		r = append(r, scored{s, labels[i]})
		if labels[i] {
			pos++
		} else {
			neg++
		}
	}
	slices.SortFunc(r, func(a, b scored) int {
		switch {
		case a.s > b.s:
			return -1
		case a.s < b.s:
			return 1
		}
		return 0
	})
	return r, pos, neg
}

// ROC returns the receiver operating characteristic of scores against
// labels (true = attacked), NaN scores left out. The first point is (0, 0)
// at threshold +Inf; then there is exactly one point per distinct score, in
// decreasing order of threshold, so tied scores move the curve diagonally
// instead of in an order-dependent staircase (Fawcett 2006, algorithm 2).
// The last point is (1, 1). ROC returns nil when there is no positive or no
// negative label, because one of the two rates is then undefined.
// It panics if the slices differ in length.
func ROC(scores []float64, labels []bool) []Point {
	r, pos, neg := rank(scores, labels)
	if pos == 0 || neg == 0 {
		return nil
	}
	pts := []Point{{FPR: 0, TPR: 0, Threshold: math.Inf(1)}}
	for _, st := range cumulate(r) {
		pts = append(pts, Point{FPR: float64(st.fp) / float64(neg), TPR: float64(st.tp) / float64(pos), Threshold: st.s})
	}
	return pts
}

// step is what alerting at score ≥ s catches: tp positives, fp negatives.
type step struct {
	s      float64
	tp, fp int
}

// cumulate walks ranked scores once and returns one step per distinct
// score, in decreasing order of score.
func cumulate(r []scored) []step {
	var out []step
	tp, fp := 0, 0
	for i := 0; i < len(r); {
		s := r[i].s
		for ; i < len(r) && r[i].s == s; i++ {
			if r[i].pos {
				tp++
			} else {
				fp++
			}
		}
		out = append(out, step{s, tp, fp})
	}
	return out
}

// AUC returns the area under the ROC curve of scores against labels, by the
// trapezoid rule over ROC's points. Because ties make diagonal segments, it
// equals the Mann-Whitney U statistic divided by (#positives·#negatives),
// with tied positive/negative pairs counted ½ (Hanley & McNeil 1982): the
// probability that a random attacked window scores above a random benign
// one. NaN when ROC is undefined (no positive or no negative label).
func AUC(scores []float64, labels []bool) float64 {
	return CurveAUC(ROC(scores, labels))
}

// CurveAUC returns the trapezoid area under a ROC curve given as points in
// increasing FPR order, as ROC returns them; NaN for fewer than two points.
func CurveAUC(pts []Point) float64 {
	if len(pts) < 2 {
		return math.NaN()
	}
	var a float64
	for i := 1; i < len(pts); i++ {
		a += (pts[i].FPR - pts[i-1].FPR) * (pts[i].TPR + pts[i-1].TPR) / 2
	}
	return a
}

// Confusion is a confusion matrix: counts of windows by truth and by
// prediction.
type Confusion struct {
	TP int `json:"tp"` // attacked, alerted
	FP int `json:"fp"` // benign, alerted
	TN int `json:"tn"` // benign, quiet
	FN int `json:"fn"` // attacked, quiet
}

// ConfusionAt counts the windows at threshold th: a score >= th predicts
// attacked. NaN scores are left out. (Go does not allow a function and a
// type of the same name, hence the suffix.) It panics if the slices differ
// in length.
func ConfusionAt(scores []float64, labels []bool, th float64) Confusion {
	if len(scores) != len(labels) {
		panic(fmt.Sprintf("stats: %d scores but %d labels", len(scores), len(labels)))
	}
	var c Confusion
	for i, s := range scores {
		if math.IsNaN(s) {
			continue
		}
		switch alert := s >= th; {
		case alert && labels[i]:
			c.TP++
		case alert:
			c.FP++
		case labels[i]:
			c.FN++
		default:
			c.TN++
		}
	}
	return c
}

// ratio is a/b, with 0/0 = 0 (scikit-learn's zero_division default).
func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Precision is TP/(TP+FP): the share of alerts that are real; 0 when
// nothing alerts.
func (c Confusion) Precision() float64 { return ratio(c.TP, c.TP+c.FP) }

// Recall is TP/(TP+FN), the true-positive rate; 0 when nothing is attacked.
func (c Confusion) Recall() float64 { return ratio(c.TP, c.TP+c.FN) }

// FPR is FP/(FP+TN), the false-alarm rate; 0 when nothing is benign.
func (c Confusion) FPR() float64 { return ratio(c.FP, c.FP+c.TN) }

// F1 is the harmonic mean of precision and recall, computed as
// 2TP/(2TP+FP+FN), which is the same where both are defined; 0 when there is
// neither an alert nor an attacked window (TP+FP+FN = 0).
func (c Confusion) F1() float64 { return ratio(2*c.TP, 2*c.TP+c.FP+c.FN) }

// BestF1Threshold chooses the alert threshold with the highest F1 on
// labelled (training) scores. The candidates are the distinct non-NaN
// scores s (alert when score >= s); among equal F1 the highest candidate
// wins, because it raises fewer false alarms. The returned threshold sits
// midway between the chosen score and the next lower distinct score, so
// that a window scoring a hair below its training value on another run
// still classifies the same way. When the lowest score is chosen, the
// margin below it mirrors the gap to the next higher distinct score; when
// all scores are equal, it is 0.5 (half the 0/1 label gap the model's
// scores are trained on).
//
// f1 is the F1 at the chosen candidate. With no positive label every
// candidate has F1 0 and the highest one is chosen. With no non-NaN score
// it returns (NaN, 0). It panics if the slices differ in length.
func BestF1Threshold(scores []float64, labels []bool) (th, f1 float64) {
	return NearBestF1Threshold(scores, labels, 0)
}

// NearBestF1Threshold is BestF1Threshold with a tolerance: it returns the
// highest candidate whose F1 is within tol of the best F1. A small
// tolerance buys a wide margin above the benign scores at the price of a
// few of the faintest attacks, which on training data made by injecting
// attacks at many rates are close to invisible anyway. tol 0 is
// BestF1Threshold.
func NearBestF1Threshold(scores []float64, labels []bool, tol float64) (th, f1 float64) {
	r, pos, _ := rank(scores, labels)
	if len(r) == 0 {
		return math.NaN(), 0
	}
	var distinct, f1s []float64 // distinct scores, decreasing, and their F1
	bestF1 := -1.0
	for _, st := range cumulate(r) {
		f := (Confusion{TP: st.tp, FP: st.fp, FN: pos - st.tp}).F1()
		distinct, f1s = append(distinct, st.s), append(f1s, f)
		bestF1 = math.Max(bestF1, f)
	}
	// The first (highest) candidate close enough to the best.
	best := 0
	for best < len(f1s) && f1s[best] < bestF1-tol {
		best++
	}
	bestF1 = f1s[best]
	s := distinct[best]
	switch {
	case best+1 < len(distinct):
		return midway(s, distinct[best+1]), bestF1
	case best > 0:
		// Lowest score chosen: mirror the gap above it.
		above := distinct[best-1]
		if math.IsInf(above, 1) || math.IsInf(s, 0) {
			return s, bestF1
		}
		return s - (above/2 - s/2), bestF1
	default:
		return s - 0.5, bestF1
	}
}

// midway returns the point halfway between hi > lo without overflowing for
// large finite values. An infinite end cannot be split: against -Inf the
// threshold stays at hi; from +Inf it stays +Inf (only +Inf scores alert).
func midway(hi, lo float64) float64 {
	switch {
	case math.IsInf(lo, -1):
		return hi
	case math.IsInf(hi, 1):
		return hi
	}
	m := hi/2 + lo/2
	if m <= lo || m >= hi {
		// Adjacent floats: no value in between, and lo must not alert.
		return hi
	}
	return m
}
