package tui

import (
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
		if sd.windows[i].Alert(m.sh.threshold()) {
			want = '▲'
		} else if sd.windows[i].Baseline {
			want = '░'
		}
		if strip[col] != want {
			t.Errorf("window %d: the strip under ^ is %q, want %q", i, strip[col], want)
		}
		if c, ok := m.chart.windowAt(col, 1); !ok || c != i {
			t.Errorf("window %d: a click on its column goes to %d, %v", i, c, ok)
		}
	}
}
