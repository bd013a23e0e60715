package stats

import (
	"fmt"
	"math"
	"slices"
)

// Clip bounds a robust z-score: one extreme window must not dominate a
// linear model's score by itself.
const Clip = 100

// Robust is a per-feature robust scaler: z = (x - Median[j]) / IQR[j],
// clipped to ±Clip. It is fitted on the benign baseline windows only and then
// applied unchanged to every capture the model scores (the original
// prototype refitted it on the evaluation capture, attacks included).
//
// Its fields are exported so that it is stored in model files as JSON.
type Robust struct {
	Median []float64 `json:"median"`
	// IQR is Q3 - Q1 of each feature, replaced by 1 where it is 0, so that
	// a feature that never varied in the baseline is measured in its own
	// units rather than divided by zero.
	IQR []float64 `json:"iqr"`
}

// FitRobust fits a scaler to baseline data given column by column: cols[j]
// holds the values of feature j over the baseline rows (the columns may
// differ in length). Non-finite values (NaN, ±Inf) are ignored. A column with
// no finite value gets median 0 and IQR 1; an IQR of 0 becomes 1.
func FitRobust(cols [][]float64) *Robust {
	r := &Robust{
		Median: make([]float64, len(cols)),
		IQR:    make([]float64, len(cols)),
	}
	var v []float64
	for j, col := range cols {
		v = v[:0]
		for _, x := range col {
			if !math.IsNaN(x) && !math.IsInf(x, 0) {
				v = append(v, x)
			}
		}
		if len(v) == 0 {
			r.Median[j], r.IQR[j] = 0, 1
			continue
		}
		slices.Sort(v)
		r.Median[j] = QuantileSorted(v, 0.5)
		iqr := QuantileSorted(v, 0.75) - QuantileSorted(v, 0.25)
		if iqr == 0 {
			iqr = 1
		}
		r.IQR[j] = iqr
	}
	return r
}

// Len returns the number of features the scaler was fitted on.
func (r *Robust) Len() int { return len(r.Median) }

// Z returns the robust z-score of value x of feature j, clipped to ±Clip.
// NaN (a missing value) gives 0, the baseline median. Columns j outside
// [0, Len()) are passed through unscaled (median 0, IQR 1) but still clipped
// and NaN-cleaned, so derived columns appended after the fitted features
// (the second stage's pooled fine-window score) need no scaler entry.
func (r *Robust) Z(j int, x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	z := x
	if j >= 0 && j < len(r.Median) {
		z = (x - r.Median[j]) / r.IQR[j]
	}
	switch {
	case math.IsNaN(z):
		// Only from ±Inf against an infinite median; treat as missing.
		return 0
	case z > Clip:
		return Clip
	case z < -Clip:
		return -Clip
	}
	return z
}

// Transform writes the z-scores of row to dst, dst[j] = r.Z(j, row[j]).
// dst may be row itself. It panics if dst is shorter than row, which is a
// programming error, like a slice index out of range.
func (r *Robust) Transform(row []float64, dst []float64) {
	if len(dst) < len(row) {
		panic(fmt.Sprintf("stats: Transform: dst has %d elements, row has %d", len(dst), len(row)))
	}
	for j, x := range row {
		dst[j] = r.Z(j, x)
	}
}

// Validate checks a scaler read from a file: as many IQRs as medians, every
// value finite, every IQR positive.
func (r *Robust) Validate() error {
	if len(r.Median) != len(r.IQR) {
		return fmt.Errorf("scaler has %d medians and %d IQRs: the model file is damaged, retrain it", len(r.Median), len(r.IQR))
	}
	for j := range r.Median {
		m, q := r.Median[j], r.IQR[j]
		if math.IsNaN(m) || math.IsInf(m, 0) {
			return fmt.Errorf("scaler feature %d: median %v is not finite: the model file is damaged, retrain it", j, m)
		}
		if !(q > 0) || math.IsInf(q, 0) {
			return fmt.Errorf("scaler feature %d: IQR %v is not a positive finite number: the model file is damaged, retrain it", j, q)
		}
	}
	return nil
}
