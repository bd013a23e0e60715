package tui_test

import (
	"fmt"
	"github.com/mimir-tui/mimir-tui/engine"
	"time"

	"github.com/mimir-tui/mimir-tui/tui"
)

// scores is a Timeline of one window size over fixed scores.
type scores []float64

func (s scores) NumSizes() int          { return 1 }
func (s scores) Size(int) time.Duration { return 10 * time.Second }
func (s scores) Len(int) int            { return len(s) }
func (s scores) Alert(_, i int, th float64) bool {
	return (&engine.WindowResult{Score: s[i], Coverage: 1}).Alert(th)
}
func (s scores) ModelThreshold(int) float64   { return 1 }
func (s scores) Step(int) float64             { return 0.5 }
func (s scores) Page(int) int                 { return 10 }
func (s scores) Mark(_, i, _ int) (int, bool) { return i, false }

// Navigation is a pure function of the state and an operation: the
// explorer maps keys to operations and applies them.
func ExampleNav_Apply() {
	tl := scores{0.2, 3, 3.5, 0.1, 0.4, 1.6, 0.3}
	n := tui.NewNav(tl.NumSizes())
	for _, op := range []tui.Op{
		{Action: tui.ActNextAlert}, // to window 1, the start of the run 1-2
		{Action: tui.ActNextAlert}, // past that run, to window 5
		{Action: tui.ActThreshUp},  // threshold 1 → 1.5: window 5 (1.6) still alerts
		{Action: tui.ActThreshUp},  // 2: it no longer does
		{Action: tui.ActPrevAlert}, // back to window 1
	} {
		n = n.Apply(op, tl)
		fmt.Printf("window %d, threshold %g\n", n.Window(tl), n.Th(tl, 0))
	}
	// Output:
	// window 1, threshold 1
	// window 5, threshold 1
	// window 5, threshold 1.5
	// window 5, threshold 2
	// window 1, threshold 2
}
