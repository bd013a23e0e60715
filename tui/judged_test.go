package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/engine/export"
)

// TestVerdictInterval: a verdict names its windows by time; one of
// another size, or not on a window's start, names none.
func TestVerdictInterval(t *testing.T) {
	m := newTestModel(t, 120, 40)
	feedRec(m, demo())
	sd := m.sh.current()
	w13, w19 := sd.window(13), sd.window(19)
	cases := []struct {
		name        string
		v           export.Verdict
		ok          bool
		first, last int
	}{
		{"the demo's interval", export.Verdict{SizeSeconds: 10, Start: w13.Start, End: w19.End}, true, 13, 19},
		{"one window", export.Verdict{SizeSeconds: 10, Start: w13.Start, End: w13.End}, true, 13, 13},
		{"another size", export.Verdict{SizeSeconds: 60, Start: w13.Start, End: w19.End}, false, 0, 0},
		{"off a window's start", export.Verdict{SizeSeconds: 10, Start: w13.Start.Add(time.Second), End: w19.End}, false, 0, 0},
		{"before the capture", export.Verdict{SizeSeconds: 10, Start: w13.Start.Add(-time.Hour), End: w19.End}, false, 0, 0},
	}
	for _, c := range cases {
		iv, folded, ok := verdictInterval(sd, c.v)
		if ok != c.ok || ok && (iv.FirstWindow != c.first || iv.LastWindow != c.last || iv.Windows != c.last-c.first+1 || folded) {
			t.Errorf("%s: %d–%d (%d windows, folded %v), %v; want %d–%d, %v", c.name, iv.FirstWindow, iv.LastWindow, iv.Windows, folded, ok, c.first, c.last, c.ok)
		}
	}
}

// TestJudgedUnderThreshold: a confirmed interval the threshold no longer
// flags stays in the alerts list, marked, and v on its windows still
// names it.
func TestJudgedUnderThreshold(t *testing.T) {
	m := newTestModel(t, 120, 40)
	feedRec(m, demo())
	keys(m, "n", "v", "c", "text:db rows out", "enter", "t", "ctrl+u", "text:50", "enter")
	if iv := m.sh.cursorInterval(); iv == nil || iv.FirstWindow != 13 || iv.LastWindow != 19 {
		t.Fatalf("the cursor's interval above the threshold is %+v", iv)
	}
	keys(m, "a")
	s := plain(m)
	for _, want := range []string{"0 intervals at threshold 50.0", "1 judged interval not alerting", "confirmed", "no alert now"} {
		if !strings.Contains(s, want) {
			t.Errorf("the alerts list lacks %q:\n%s", want, s)
		}
	}
}
