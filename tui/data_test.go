package tui

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
)

// randomSeries is a series of scores with NaN and ±Inf, baseline windows,
// partial windows covered more and less than engine.MinCoverage, and
// windows not analysed yet.
func randomSeries(seed uint64, n int) *seriesData {
	rng := rand.New(rand.NewPCG(seed, 4))
	sd := &seriesData{size: 10 * time.Second}
	for i := range n {
		w := &engine.WindowResult{Index: i, Score: rng.NormFloat64(), Coverage: 1}
		switch rng.IntN(50) {
		case 0:
			w.Score = math.NaN()
		case 1:
			w.Score = math.Inf(1)
		case 2:
			w.Score = math.Inf(-1)
		case 3:
			w.Score = 0.5 // ties with a threshold below
		}
		switch rng.IntN(10) {
		case 0:
			w.Baseline = true
		case 1:
			w.Partial, w.Coverage = true, rng.Float64()
		}
		sd.windows = append(sd.windows, w)
		if i%7 == 0 {
			sd.windows = append(sd.windows, nil) // not analysed yet
		}
	}
	sd.version++
	return sd
}

// TestAlertCountMatchesAlert checks the binary-search count against
// WindowResult.Alert window by window.
func TestAlertCountMatchesAlert(t *testing.T) {
	sd := randomSeries(3, 2000)
	for _, th := range []float64{math.Inf(-1), -3, -0.1, 0, 0.5, 1.7, 4, math.Inf(1), math.NaN()} {
		want := 0
		for _, w := range sd.windows {
			if w != nil && w.Alert(th) {
				want++
			}
		}
		if got := sd.alertCount(th); got != want {
			t.Errorf("alertCount(%v) = %d, want %d", th, got, want)
		}
	}
}

// TestStripMatchesAlert: the chart strip marks a column ▲ exactly when a
// window of that column alerts, at any width.
func TestStripMatchesAlert(t *testing.T) {
	sd := randomSeries(5, 997)
	for _, cols := range []int{40, 200, 997, 2000} {
		g := geometry(len(sd.windows), cols)
		a := aggregate{geom: g, maxScore: alertMaxima(sd, g)}
		for _, th := range []float64{-1, 0, 0.5, 1.5, math.Inf(1)} {
			for b := range g.nb {
				lo, hi := g.windows(b)
				want := false
				for i := lo; i < hi; i++ {
					want = want || (sd.windows[i] != nil && sd.windows[i].Alert(th))
				}
				if got := a.alerts(b, th); got != want {
					t.Fatalf("%d columns, threshold %g, column %d: strip says %v, the rule %v", cols, th, b, got, want)
				}
			}
		}
	}
}

func TestRuns(t *testing.T) {
	// Scores 0 5 5 0 NaN 6 0 7 at threshold 1: runs {1,2}, {5}, {7} = 3.
	sd := &seriesData{}
	for i, s := range []float64{0, 5, 5, 0, math.NaN(), 6, 0, 7} {
		sd.windows = append(sd.windows, &engine.WindowResult{Index: i, Score: s})
	}
	if got := sd.runs(1); got != 3 {
		t.Errorf("runs(1) = %d, want 3", got)
	}
	if got := sd.runs(100); got != 0 {
		t.Errorf("runs(100) = %d, want 0", got)
	}
}

func TestDatasetStream(t *testing.T) {
	events, res := demoEvents()
	d := &dataset{}
	for _, ev := range events {
		d.apply(ev)
	}
	// The demo spans 237.9 s → 24 windows of 10 s and 4 of 60 s (the last
	// of each partial), in InputsReady.Sizes order.
	if d.NumSizes() != 2 || d.Len(0) != 24 || d.Len(1) != 4 {
		t.Fatalf("sizes %d, windows %d and %d; want 2 sizes, 24 and 4", d.NumSizes(), d.Len(0), d.Len(1))
	}
	if d.Size(0) != 10*time.Second || d.Size(1) != time.Minute {
		t.Errorf("sizes = %v, %v", d.Size(0), d.Size(1))
	}
	th := res.Series[0].ThresholdTrained
	if d.ModelThreshold(0) != th {
		t.Errorf("model threshold %v, want the trained %v", d.ModelThreshold(0), th)
	}
	// The exfiltration (138.8–199.6 s, ground_truth.json) covers 10 s
	// windows 13–19.
	if got := d.series[0].alertCount(th); got != 7 {
		t.Errorf("alerts at %v = %d, want 7 (windows 13–19)", th, got)
	}
	if d.done {
		t.Error("done before finish")
	}
	d.finish(res, nil)
	if !d.done || d.Len(0) != 24 {
		t.Errorf("after finish: done %v, %d windows", d.done, d.Len(0))
	}
	if w := d.series[0].windows[14]; w == nil || w.Index != 14 || w.Score != res.Series[0].Windows[14].Score {
		t.Error("after finish window 14 is not the streamed one")
	}
	// Step: the score range over 50, rounded up to 1-2-5.
	st := d.series[0].scoreStats()
	if want := niceStep((st.hi - st.lo) / 50); d.Step(0) != want {
		t.Errorf("Step = %v, want %v", d.Step(0), want)
	}
}

func TestDatasetOutOfOrderAndUnknownSize(t *testing.T) {
	d := &dataset{}
	d.apply(&engine.WindowDone{Window: &engine.WindowResult{Size: 30 * time.Second, Index: 2, Score: 1}})
	if d.NumSizes() != 1 || d.Len(0) != 3 {
		t.Fatalf("a window of an unannounced size: %d sizes, %d windows", d.NumSizes(), d.Len(0))
	}
	if !math.IsNaN(d.Score(0, 0)) || d.Score(0, 2) != 1 {
		t.Errorf("holes must score NaN: %v %v", d.Score(0, 0), d.Score(0, 2))
	}
	if !math.IsNaN(d.ModelThreshold(0)) {
		t.Error("threshold known before the model")
	}
	d.apply(&engine.WindowDone{Window: nil})
	d.apply(&engine.Warning{Message: "w"})
	d.apply(&engine.Warning{Message: "w"})
	if len(d.warnings) != 1 {
		t.Errorf("duplicate warnings kept: %v", d.warnings)
	}
}

func TestEngineSeriesWhileStreaming(t *testing.T) {
	events, _ := demoEvents()
	d := &dataset{}
	for _, ev := range events {
		d.apply(ev)
	}
	s := d.engineSeries(0)
	if s == nil || len(s.Windows) != 24 || s.Size != 10*time.Second {
		t.Fatalf("engineSeries = %+v", s)
	}
	if d.engineSeries(5) != nil {
		t.Error("engineSeries of a missing size")
	}
}
