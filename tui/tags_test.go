package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
)

// TestAllowlistInWords: an alerting window with a new service pair says
// so in words — no bare "[allow-list: new pair]" tag — and the line opens
// to what the allow-list is; the help's notes explain it and the learned
// strip.
func TestAllowlistInWords(t *testing.T) {
	m := newTestModel(t, 120, 40)
	feedRec(m, demo())
	keys(m, "n", "tab", "tab")
	s := plain(m)
	if strings.Contains(s, "[allow-list") || !strings.Contains(s, "new service pair: never seen in the baseline") {
		t.Errorf("the detail of window 13:\n%s", s)
	}
	keys(m, "down", "down", "down", "space")
	s = strings.Join(strings.Fields(plain(m)), " ")
	if !strings.Contains(s, "the allow-list method (alert on any pair not seen in the baseline, the simplest method the model is compared with) alerts on it") {
		t.Errorf("the new pair's line in full:\n%s", plain(m))
	}
	h := newTestModel(t, 200, 80)
	feedRec(h, demo())
	keys(h, "?")
	s = strings.Join(strings.Fields(plain(h)), " ")
	for _, want := range []string{"learned ◇ pairs of a new workload learned into the baseline", `"new service pair" a pair the baseline never saw`} {
		if !strings.Contains(s, want) {
			t.Errorf("the help does not explain %q:\n%s", want, plain(h))
		}
	}
}

// TestEdgesOfferOnlyWhatWorks: the flagged edges' keys in the footer are
// those that do something: with an alert whose edges the engine did not
// flag, nothing to open, sort or filter; on a window that does not alert,
// the same; with edges, all of them.
func TestEdgesOfferOnlyWhatWorks(t *testing.T) {
	rec := demo()
	for _, ev := range rec.Events {
		if wd, ok := ev.(*engine.WindowDone); ok && wd.Window.Size == 10*time.Second && wd.Window.Index == 14 {
			wd.Window.Flagged = nil
		}
	}
	m := newTestModel(t, 120, 40)
	feedRec(m, rec)
	footer := func() string { lines := strings.Split(plain(m), "\n"); return lines[len(lines)-1] }
	keys(m, "n")
	if f := footer(); !strings.Contains(f, "⏎ open edge") {
		t.Errorf("window 13's edges do not offer ⏎: %q", f)
	}
	keys(m, "l")
	if s := plain(m); !strings.Contains(s, "the engine flagged no edge in this window") {
		t.Fatalf("window 14 lists edges:\n%s", s)
	}
	for _, gone := range []string{"open edge", "sort", "filter"} {
		if f := footer(); strings.Contains(f, gone) {
			t.Errorf("window 14 has no flagged edge but the footer offers %q: %q", gone, f)
		}
	}
	keys(m, "g")
	if f := footer(); strings.Contains(f, "open edge") {
		t.Errorf("window 0 does not alert but the footer offers ⏎: %q", f)
	}
}
