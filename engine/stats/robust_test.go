package stats

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// The medians and IQRs of columns 0, 1 and 3 (without its +Inf, which
// scikit-learn rejects and FitRobust ignores like NaN) agree with
// scikit-learn 1.2.1's RobustScaler (Debian 12), which also ignores NaN and
// turns a zero scale into 1:
//
//	RobustScaler().fit([[4,5,10],[1,5,nan],[3,5,20],[2,5,30]])
//	center_ [ 2.5  5.  20. ]  scale_ [ 1.5  1.  10. ]
func TestFitRobust(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	r := FitRobust([][]float64{
		{4, 1, 3, 2},            // median 2.5, IQR 3.25-1.75 = 1.5 (TestQuantile)
		{5, 5, 5, 5},            // IQR 0 -> 1
		{nan, nan},              // nothing to fit: median 0, IQR 1
		{10, nan, 20, inf, 30},  // finite [10,20,30]: median 20, Q1 15, Q3 25
		{},                      // empty column: median 0, IQR 1
		{-inf, 1, 2, 3, 4, inf}, // infinities ignored like NaN: 2.5, 1.5
	})
	wantMed := []float64{2.5, 5, 0, 20, 0, 2.5}
	wantIQR := []float64{1.5, 1, 1, 10, 1, 1.5}
	if r.Len() != len(wantMed) {
		t.Fatalf("Len = %d, want %d", r.Len(), len(wantMed))
	}
	for j := range wantMed {
		if !same(r.Median[j], wantMed[j], 1e-12) || !same(r.IQR[j], wantIQR[j], 1e-12) {
			t.Errorf("feature %d: median %v IQR %v, want %v and %v", j, r.Median[j], r.IQR[j], wantMed[j], wantIQR[j])
		}
	}
	if err := r.Validate(); err != nil {
		t.Errorf("fitted scaler does not validate: %v", err)
	}

	z := []struct {
		name string
		j    int
		x    float64
		want float64
	}{
		{"(4-2.5)/1.5", 0, 4, 1},
		{"(1-2.5)/1.5", 0, 1, -1},
		{"at the median", 0, 2.5, 0},
		{"(1000-2.5)/1.5 = 665.7 clipped", 0, 1000, Clip},
		{"(-1000-2.5)/1.5 clipped", 0, -1000, -Clip},
		{"+Inf clipped", 0, inf, Clip},
		{"-Inf clipped", 0, -inf, -Clip},
		{"NaN is missing -> 0", 0, nan, 0},
		{"IQR 0 -> 1: (7-5)/1", 1, 7, 2},
		{"(5-20)/10", 3, 5, -1.5},
		{"unfitted column passes through", 9, 3, 3},
		{"unfitted column still clipped", 9, 500, Clip},
		{"unfitted column NaN -> 0", 9, nan, 0},
		{"negative column passes through", -1, 3, 3},
	}
	for _, tt := range z {
		if got := r.Z(tt.j, tt.x); !same(got, tt.want, 1e-12) {
			t.Errorf("%s: Z(%d, %v) = %v, want %v", tt.name, tt.j, tt.x, got, tt.want)
		}
	}

	row := []float64{4, 7, nan, 5, 1, 2.5, 12}
	dst := make([]float64, len(row))
	r.Transform(row, dst)
	want := []float64{1, 2, 0, -1.5, 1, 0, 12}
	for j := range want {
		if !same(dst[j], want[j], 1e-12) {
			t.Errorf("Transform[%d] = %v, want %v", j, dst[j], want[j])
		}
	}
	r.Transform(row, row) // in place
	for j := range want {
		if !same(row[j], want[j], 1e-12) {
			t.Errorf("in-place Transform[%d] = %v, want %v", j, row[j], want[j])
		}
	}
}

func TestTransformShortDstPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Transform with a short dst did not panic")
		}
	}()
	FitRobust([][]float64{{1}}).Transform([]float64{1, 2}, make([]float64, 1))
}

func TestRobustJSONRoundTrip(t *testing.T) {
	r := FitRobust([][]float64{{1, 2, 3, 4}, {5, 5}, {math.NaN()}})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if want := `{"median":[2.5,5,0],"iqr":[1.5,1,1]}`; string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
	var back Robust
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	for j := range r.Median {
		if back.Median[j] != r.Median[j] || back.IQR[j] != r.IQR[j] {
			t.Errorf("feature %d changed in the round trip: %v/%v -> %v/%v", j, r.Median[j], r.IQR[j], back.Median[j], back.IQR[j])
		}
	}
}

func TestRobustValidate(t *testing.T) {
	tests := []struct {
		r    Robust
		want string // "" for valid
	}{
		{Robust{Median: []float64{1}, IQR: []float64{2}}, ""},
		{Robust{}, ""},
		{Robust{Median: []float64{1, 2}, IQR: []float64{2}}, "2 medians and 1 IQRs"},
		{Robust{Median: []float64{math.NaN()}, IQR: []float64{2}}, "feature 0: median NaN"},
		{Robust{Median: []float64{0, 0}, IQR: []float64{1, 0}}, "feature 1: IQR 0"},
		{Robust{Median: []float64{0}, IQR: []float64{-1}}, "IQR -1"},
		{Robust{Median: []float64{0}, IQR: []float64{math.Inf(1)}}, "IQR +Inf"},
	}
	for _, tt := range tests {
		err := tt.r.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v: unexpected error %v", tt.r, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%+v: error %v, want one containing %q", tt.r, err, tt.want)
		}
	}
}
