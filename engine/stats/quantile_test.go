package stats

import (
	"math"
	"testing"
)

// same reports whether a and b are equal within tol, or both NaN.
func same(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if a == b { // also equal infinities
		return true
	}
	return math.Abs(a-b) <= tol
}

// Expected values are hand computed with h = (n-1)·p and
// Q = v[⌊h⌋] + (h-⌊h⌋)(v[⌊h⌋+1]-v[⌊h⌋]) on the sorted values, and agree with
// numpy 1.24.2 (Debian 12 python3-numpy):
//
//	np.percentile([1,2,3,4], [25,50,75])          -> [1.75 2.5 3.25]
//	np.percentile([7,1,3], [25,50,75])            -> [2. 3. 5.]
//	np.percentile(np.arange(1,11), [10,25,75,90]) -> [1.9 3.25 7.75 9.1]
//	np.nanquantile([np.nan,2,4], [0.1,0.5])       -> [2.2 3.]
func TestQuantile(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	one10 := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	tests := []struct {
		name string
		x    []float64
		p    float64
		want float64
	}{
		{"q1 of 1..4: h=0.75, 1+0.75·1", []float64{1, 2, 3, 4}, 0.25, 1.75},
		{"median of 1..4: h=1.5, 2+0.5·1", []float64{1, 2, 3, 4}, 0.5, 2.5},
		{"q3 of 1..4: h=2.25, 3+0.25·1", []float64{1, 2, 3, 4}, 0.75, 3.25},
		{"unsorted q1: [1,3,7] h=0.5, 1+0.5·2", []float64{7, 1, 3}, 0.25, 2},
		{"unsorted median: v[1]", []float64{7, 1, 3}, 0.5, 3},
		{"unsorted q3: h=1.5, 3+0.5·4", []float64{7, 1, 3}, 0.75, 5},
		{"p10 of 1..10: h=0.9, 1+0.9", one10, 0.1, 1.9},
		{"p25 of 1..10: h=2.25, 3+0.25", one10, 0.25, 3.25},
		{"p75 of 1..10: h=6.75, 7+0.75", one10, 0.75, 7.75},
		{"p90 of 1..10: h=8.1, 9+0.1", one10, 0.9, 9.1},
		{"p=0 is the minimum", one10, 0, 1},
		{"p=1 is the maximum", one10, 1, 10},
		{"single value", []float64{5}, 0.3, 5},
		{"NaN ignored: [2,4] h=0.1, 2+0.1·2", []float64{nan, 2, 4}, 0.1, 2.2},
		{"NaN ignored, median", []float64{4, nan, 2}, 0.5, 3},
		{"negative values: [-3,-1] h=0.5", []float64{-1, -3}, 0.5, -2},
		{"infinite order statistic kept exact", []float64{-inf, 0, 1}, 0.5, 0},
		{"empty is NaN", nil, 0.5, nan},
		{"all NaN is NaN", []float64{nan, nan}, 0.5, nan},
		{"p>1 is NaN", one10, 1.5, nan},
		{"p<0 is NaN", one10, -0.1, nan},
		{"p NaN is NaN", one10, nan, nan},
	}
	for _, tt := range tests {
		if got := Quantile(tt.x, tt.p); !same(got, tt.want, 1e-12) {
			t.Errorf("%s: Quantile(%v, %v) = %v, want %v", tt.name, tt.x, tt.p, got, tt.want)
		}
	}
}

func TestQuantileDoesNotModifyInput(t *testing.T) {
	x := []float64{3, 1, 2}
	Quantile(x, 0.5)
	if x[0] != 3 || x[1] != 1 || x[2] != 2 {
		t.Errorf("Quantile sorted its input: %v", x)
	}
}

// Medians and IQRs: the same numpy values as TestQuantile.
func TestMedianIQR(t *testing.T) {
	tests := []struct {
		x           []float64
		median, iqr float64
	}{
		{[]float64{1, 2, 3, 4}, 2.5, 3.25 - 1.75},
		{[]float64{7, 1, 3}, 3, 5 - 2},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5.5, 7.75 - 3.25},
		{[]float64{5, 5, 5}, 5, 0},
		{nil, math.NaN(), math.NaN()},
	}
	for _, tt := range tests {
		if got := Median(tt.x); !same(got, tt.median, 1e-12) {
			t.Errorf("Median(%v) = %v, want %v", tt.x, got, tt.median)
		}
		if got := IQR(tt.x); !same(got, tt.iqr, 1e-12) {
			t.Errorf("IQR(%v) = %v, want %v", tt.x, got, tt.iqr)
		}
	}
}
