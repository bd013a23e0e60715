package tui

import (
	"strings"
	"testing"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/export"
)

// walkthroughNames are the names, addresses, times and values the
// README's walkthrough reads off the screen.
func walkthroughNames(t *testing.T) []string {
	rec := demo()
	s := rec.Result.Series[0]
	var w13 *engine.WindowResult
	for i := range s.Windows {
		if s.Windows[i].Index == 13 {
			w13 = &s.Windows[i]
		}
	}
	names := []string{
		"shop-db -> outside", "outside -> shop-db", "shop-db-0", "10.244.0.9", "203.0.113.10",
		"10.244.0.9:49156", "203.0.113.10:80", "12:28:09", "12:29:19", strings.Join(export.Intervals(&s, s.Threshold)[0].Services, ", "),
		"new-pair", "sensitive-outside", "bytes-above-baseline", "new-initiator",
		"front-end-9tp97rxbc-56zrt", "10.244.0.28",
		engine.EdgeSelection(&w13.Flagged[0], w13.Start, w13.End).WiresharkFilter(),
	}
	for _, r := range w13.Flagged[0].Reasons {
		names = append(names, r.Text)
	}
	for _, c := range w13.Contributions[:3] {
		name := c.Name
		if c.Key != "" {
			name += " ← " + c.Key
		}
		names = append(names, name)
	}
	return names
}

// TestNothingCutOff: at 80×24 and 120×40 every name and address of the
// README's walkthrough is readable whole in some view: a pane, a list, or
// a line opened in full (space) — issue 7.
func TestNothingCutOff(t *testing.T) {
	var seqs [][]string
	add := func(base []string, rows int) {
		for k := 0; k <= rows; k++ {
			seq := append([]string{}, base...)
			for range k {
				seq = append(seq, "down")
			}
			seqs = append(seqs, seq, append(append([]string{}, seq...), "space"))
		}
	}
	add([]string{"n"}, 3)                // the flagged edges
	add([]string{"n", "tab", "tab"}, 12) // the detail
	add([]string{"n", "enter"}, 30)      // the drill-down
	add([]string{"a"}, 1)                // the alerts list
	add([]string{"n", "p"}, 4)           // the pod graph
	add([]string{"5", "enter"}, 8)       // the detail of window 5 (its change)
	add([]string{"/", "text:203.0.113.10", "enter"}, 1)
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		var screens []string
		for _, seq := range seqs {
			m := newTestModel(t, sz[0], sz[1])
			feedRec(m, demo())
			keys(m, seq...)
			s := plain(m)
			// A line wrapped in a popup reads whole with its lines joined.
			var joined []string
			for _, l := range strings.Split(s, "\n") {
				joined = append(joined, strings.TrimSpace(l))
			}
			screens = append(screens, s, strings.Join(joined, " "))
		}
		all := strings.Join(screens, "\n\f\n")
		for _, name := range walkthroughNames(t) {
			if !strings.Contains(all, name) {
				t.Errorf("%d×%d: %q is not readable whole in any view", sz[0], sz[1], name)
			}
		}
	}
}
