package stats

import (
	"math"
	"slices"
)

// Quantile returns the p-quantile of the non-NaN values of x, interpolating
// linearly between order statistics: with the n values sorted as
// v[0] <= ... <= v[n-1], h = (n-1)·p and
//
//	Q(p) = v[⌊h⌋] + (h - ⌊h⌋)·(v[⌊h⌋+1] - v[⌊h⌋]).
//
// This is definition 7 of Hyndman & Fan (1996) and numpy.quantile's default
// method "linear"; gonum's stat.Quantile offers definitions 1 and 4 only, so
// it would not reproduce the prototype's numbers. NaN values are ignored, as
// numpy.nanquantile does. The result is NaN when x holds no other values or
// p is outside [0, 1]. x is not modified.
func Quantile(x []float64, p float64) float64 {
	v := withoutNaN(x)
	slices.Sort(v)
	return QuantileSorted(v, p)
}

// QuantileSorted is Quantile for values already sorted in increasing order
// and free of NaN; it does not allocate.
func QuantileSorted(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 || !(p >= 0 && p <= 1) {
		return math.NaN()
	}
	h := float64(n-1) * p
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return sorted[n-1]
	}
	frac := h - float64(lo)
	if frac == 0 {
		// Exact order statistic: no arithmetic, so infinite values survive.
		return sorted[lo]
	}
	a, b := sorted[lo], sorted[lo+1]
	return a + frac*(b-a)
}

// Median returns the 0.5-quantile of the non-NaN values of x (the mean of the
// two middle values when their number is even), NaN when there are none.
func Median(x []float64) float64 { return Quantile(x, 0.5) }

// IQR returns the interquartile range Q(0.75) - Q(0.25) of the non-NaN values
// of x, with Quantile's interpolation; NaN when there are none.
func IQR(x []float64) float64 {
	v := withoutNaN(x)
	slices.Sort(v)
	return QuantileSorted(v, 0.75) - QuantileSorted(v, 0.25)
}

// withoutNaN returns a copy of x without its NaN values.
func withoutNaN(x []float64) []float64 {
	v := make([]float64, 0, len(x))
	for _, f := range x {
		if !math.IsNaN(f) {
			v = append(v, f)
		}
	}
	return v
}
