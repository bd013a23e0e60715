package synth

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
)

// TestShopShape checks the scenario against the real shop-demo's
// metadata: 240.113 s of capture → 25 windows of 10 s and 5 of 60 s (the
// last of each partial); the exfiltration from 140.107 s to 200.941 s
// (ground_truth.json) covers 10 s windows 14-20 and 60 s windows 2-3.
func TestShopShape(t *testing.T) {
	res := Shop().Result()
	if len(res.Series) != 2 || len(res.Series[0].Windows) != 25 || len(res.Series[1].Windows) != 5 {
		t.Fatalf("series: %d, windows %d/%d", len(res.Series), len(res.Series[0].Windows), len(res.Series[1].Windows))
	}
	for i, s := range res.Series {
		last := s.Windows[len(s.Windows)-1]
		if !last.Partial {
			t.Errorf("series %d: last window not partial", i)
		}
		for _, w := range s.Windows {
			if w.Baseline && w.End.Sub(ShopStart) > 2*time.Minute {
				t.Errorf("%v window %d in the baseline but ends after 2m", s.Size, w.Index)
			}
		}
	}
	alerting := func(s engine.Series) []int {
		var out []int
		for _, w := range s.Windows {
			if w.Alert(s.Threshold) {
				out = append(out, w.Index)
			}
		}
		return out
	}
	if got := alerting(res.Series[0]); !equal(got, []int{14, 15, 16, 17, 18, 19, 20}) {
		t.Errorf("10 s alerts %v, want 14-20", got)
	}
	if got := alerting(res.Series[1]); !equal(got, []int{2, 3}) {
		t.Errorf("60 s alerts %v, want 2-3", got)
	}
	w := res.Series[0].Windows[14]
	if len(w.Flagged) == 0 || w.Flagged[0].Src != "shop-db" || w.Flagged[0].Dst != "outside" {
		t.Fatalf("window 14 flagged %+v, want shop-db -> outside first", w.Flagged)
	}
	if w.Flagged[0].DstIPs[0] != "203.0.113.10" || w.Flagged[0].SrcIPs[0] != "10.244.0.9" {
		t.Errorf("addresses %v -> %v, want 10.244.0.9 -> 203.0.113.10 (metadata.json)", w.Flagged[0].SrcIPs, w.Flagged[0].DstIPs)
	}
	// The score is the sum of its contributions (b0 = 0).
	sum := 0.0
	for _, c := range w.Contributions {
		sum += c.Contrib
		if c.Contrib != c.Weight*c.Z {
			t.Errorf("%s: contribution %v != weight %v × z %v", c.Name, c.Contrib, c.Weight, c.Z)
		}
	}
	if math.Abs(sum-w.Score) > 1e-9 {
		t.Errorf("score %v, contributions sum to %v", w.Score, sum)
	}
	if !math.IsNaN(res.Series[0].Windows[9].IdeScore) || math.IsNaN(res.Series[0].Windows[10].IdeScore) {
		t.Error("Ide score must be NaN for the first 10 windows only")
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestEventOrder checks the engine's event contract: inputs first, the
// model before any window, windows of a size in index order, the last
// progress done.
func TestEventOrder(t *testing.T) {
	var events []engine.Event
	res, err := Shop().Run(context.Background(), func(ev engine.Event) { events = append(events, ev) })
	if err != nil {
		t.Fatal(err)
	}
	sawInputs, sawModel := false, false
	next := map[time.Duration]int{}
	windows := 0
	for _, ev := range events {
		switch ev := ev.(type) {
		case *engine.InputsReady:
			sawInputs = true
		case *engine.ModelReady:
			if !sawInputs {
				t.Fatal("model before inputs")
			}
			sawModel = true
		case *engine.WindowDone:
			if !sawModel {
				t.Fatal("window before the model")
			}
			if ev.Window.Index != next[ev.Window.Size] {
				t.Fatalf("%v window %d, want %d", ev.Window.Size, ev.Window.Index, next[ev.Window.Size])
			}
			next[ev.Window.Size]++
			windows++
		}
	}
	if windows != 30 {
		t.Errorf("%d windows streamed, want 30", windows)
	}
	if p, ok := events[len(events)-1].(*engine.Progress); !ok || p.Phase != engine.PhaseDone {
		t.Errorf("last event %#v, want done progress", events[len(events)-1])
	}
	if res == nil || len(res.Series) != 2 {
		t.Fatal("no result")
	}
}

func TestRunErrorAndCancel(t *testing.T) {
	sc := Shop()
	sc.Err = errors.New("bad input")
	n := 0
	if _, err := sc.Run(context.Background(), func(engine.Event) { n++ }); err == nil || err.Error() != "bad input" {
		t.Errorf("err = %v", err)
	}
	if n != 1 {
		t.Errorf("%d events before the error, want the opening progress only", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sc = Shop()
	sc.Pace = time.Hour
	go func() { time.Sleep(10 * time.Millisecond); cancel() }()
	if _, err := sc.Run(ctx, func(engine.Event) {}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: err = %v", err)
	}
}

func TestStress(t *testing.T) {
	res := Stress(30000).Result()
	if n := len(res.Series[0].Windows); n != 30000 {
		t.Fatalf("%d windows, want 30000", n)
	}
	// Bursts start at windows 5000, 12919, 20838, 28757 (every 7 919).
	for _, k := range []int{5000, 12919, 20838, 28757} {
		if w := res.Series[0].Windows[k]; !w.Alert(1) {
			t.Errorf("window %d (a burst) does not alert: score %v", k, w.Score)
		}
	}
	if w := res.Series[0].Windows[4999]; w.Alert(1) {
		t.Errorf("window 4999 alerts: %v", w.Score)
	}
}
