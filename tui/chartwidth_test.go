package tui

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestChartUsesWidth: at 80×24 the demo's 24 windows take the chart's
// whole width — the strip runs to the last column but one — and for every
// cursor window the caret ^, the plot's cursor column and the strip's
// glyph of that window are in one column.
func TestChartUsesWidth(t *testing.T) {
	m := newTestModel(t, 80, 24)
	feedRec(m, demo())
	sd := m.sh.current()
	for i := range len(sd.windows) {
		keys(m, "g")
		for range i {
			keys(m, "l")
		}
		lines := strings.Split(plain(m), "\n")
		y := m.lay.chartY
		var strip, caret []rune
		for _, l := range lines[y : y+m.lay.chartH] {
			switch r := []rune(l); {
			case strings.HasPrefix(strings.TrimSpace(l), "alerts "):
				strip = r
			case strings.Contains(l, "^ ") || strings.Contains(l, " ^"):
				caret = r
			}
		}
		if strip == nil || caret == nil {
			t.Fatalf("window %d: no strip or caret:\n%s", i, plain(m))
		}
		if end := len([]rune(strings.TrimRight(string(strip), " "))); end != 79 {
			t.Errorf("window %d: the strip ends at column %d of 80, want 79", i, end)
		}
		col := strings.IndexRune(string(caret), '^')
		col = len([]rune(string(caret)[:col]))
		g := m.chart.aggregateFor(sd).geom
		if want := plotLeft + g.colOf(g.bucketOf(i)); col != want {
			t.Errorf("window %d: ^ at column %d, want %d", i, col, want)
		}
		want := '·'
		switch w := sd.windows[i]; {
		case w.Alert(m.sh.threshold()):
			want = '▲'
		case w.Baseline:
			want = '░'
		case w.Partial:
			want = '◌'
		}
		if strip[col] != want {
			t.Errorf("window %d: the strip under ^ is %q, want %q", i, strip[col], want)
		}
		if c, ok := m.chart.windowAt(col, 1); !ok || c != i {
			t.Errorf("window %d: a click on its column goes to %d, %v", i, c, ok)
		}
	}
}

// stripOf is the chart's alerts strip on the screen, without its label.
func stripOf(t *testing.T, m *Model) string {
	t.Helper()
	for _, l := range strings.Split(plain(m), "\n") {
		if s, ok := strings.CutPrefix(strings.TrimSpace(l), "alerts "); ok {
			return strings.TrimRight(s, " ")
		}
	}
	t.Fatalf("no strip:\n%s", plain(m))
	return ""
}

// TestPartialMarked: the demo's last windows are partial — the 10 s one
// (79 % covered, too short to alert) and the 60 s one (97 %, alerting).
// The strip marks them ◌ and △ with ◌ in the legend, the alerts list marks
// the 60 s interval holding it and says so in full, and the export says
// partial.
func TestPartialMarked(t *testing.T) {
	m := newTestModel(t, 120, 40)
	feedRec(m, demo())
	if s := stripOf(t, m); !strings.HasSuffix(s, "◌◌◌") || strings.Count(s, "◌") > 5 {
		t.Errorf("the 10 s strip does not end on the partial window: %q", s)
	}
	if s := plain(m); !strings.Contains(s, "◌ partial") {
		t.Errorf("the legend lacks ◌ partial:\n%s", s)
	}
	keys(m, "w")
	if s := stripOf(t, m); !strings.HasSuffix(s, "△") || !strings.Contains(s, "▲") {
		t.Errorf("the 60 s strip does not mark the partial window alerting: %q", s)
	}
	keys(m, "a")
	if s := plain(m); !strings.Contains(s, "2◌ 12.746") {
		t.Errorf("the alerts list does not mark the interval with a partial window:\n%s", s)
	}
	keys(m, "space")
	if s := strings.Join(strings.Fields(plain(m)), " "); !strings.Contains(s, "◌ partial: the capture ends inside its last window") {
		t.Errorf("the interval in full does not say it is partial:\n%s", plain(m))
	}
	keys(m, "esc", "esc", "e", "ctrl+u", "text:p.json", "enter")
	ivs := readIntervals(t, filepath.Join(m.cfg.Dir, "p.json"))
	if len(ivs) != 1 || !ivs[0].Partial {
		t.Errorf("the 60 s export: %+v", ivs)
	}
}
