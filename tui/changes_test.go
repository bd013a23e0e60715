package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
)

// withChanges is the demo run with what the engine reports on other
// captures: a new workload's pair learned in window 20, a beacon's
// evidence on window 13's top edge, window 21 judged a false positive.
func withChanges() []engine.Event {
	rec := demo()
	for _, ev := range rec.Events {
		wd, ok := ev.(*engine.WindowDone)
		if !ok || wd.Window.Size != 10*time.Second {
			continue
		}
		w := wd.Window
		switch w.Index {
		case 20:
			w.Learned = []engine.LearnedPair{{Pair: "orders-v2 -> carts", Workload: "orders-v2",
				Appeared: w.Start.Add(-time.Minute), Until: w.Start.Add(4 * time.Minute), Bytes: 1200}}
		case 13:
			w.Flagged[0].Evidence.Beacon = &engine.BeaconEvidence{Pod: "shop-db-0", Destination: "203.0.113.10 tcp/80",
				Count: 14, Interval: 30, Jitter: 0.02, Score: 0.98, Sizes: []float64{512, 520, 515},
				Histogram: []engine.BeaconBin{{From: 29, To: 30, Count: 6}, {From: 30, To: 31, Count: 7}},
				First:     w.Start.Add(-7 * time.Minute), Last: w.Start}
		case 21:
			w.Suppressed = true
		}
	}
	return rec.Events
}

// TestLearnedAndSuppressed: a learned workload is a strip under the
// chart, a row of the alerts list (⏎ goes to its window) and lines of the
// detail; a suppressed window says why it does not alert.
func TestLearnedAndSuppressed(t *testing.T) {
	m := newTestModel(t, 120, 40)
	feed(m, withChanges(), demo().Result, nil)
	s := plain(m)
	if !strings.Contains(s, "◇ learned") || !strings.Contains(s, "  learned ") {
		t.Errorf("no learned strip and legend:\n%s", s)
	}
	keys(m, "a")
	s = plain(m)
	for _, want := range []string{"1 interval at threshold", "1 new workload learned", "◇ learned", "orders-v2 -> carts", "orders-v2"} {
		if !strings.Contains(s, want) {
			t.Errorf("the alerts list lacks %q:\n%s", want, s)
		}
	}
	keys(m, "down", "enter")
	if got := m.sh.cursor(); got != 20 {
		t.Errorf("⏎ on the learned workload went to window %d, want 20", got)
	}
	if s := plain(m); !strings.Contains(s, "1 pair of new workloads learned, not alarmed") {
		t.Errorf("the detail of window 20 does not list the learned pair:\n%s", s)
	}
	keys(m, "l")
	if s := plain(m); !strings.Contains(s, "judged a false positive") {
		t.Errorf("window 21 does not say it was judged a false positive:\n%s", s)
	}
}

// TestBeaconEvidence: a beacon reason's evidence reads in the drill-down:
// where, how often, how regularly, how much.
func TestBeaconEvidence(t *testing.T) {
	m := newTestModel(t, 120, 80)
	feed(m, withChanges(), demo().Result, nil)
	keys(m, "n", "enter")
	s := plain(m)
	for _, want := range []string{"beacon · regularity 0.98", "shop-db-0 → 203.0.113.10 tcp/80: 14 check-ins every 30.0 s (jitter 0.02)",
		"29.0 s–30.0 s", "bytes sent per check-in: 512 B 520 B 515 B"} {
		if !strings.Contains(s, want) {
			t.Errorf("the drill-down lacks %q:\n%s", want, s)
		}
	}
}
