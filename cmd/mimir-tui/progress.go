package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/units"

	"github.com/charmbracelet/x/term"

	"github.com/mimir-tui/mimir-tui/engine"
)

// reporter prints warnings to stderr and, when stderr is a terminal, a
// one-line progress indicator that it clears when done.
type reporter struct {
	w        io.Writer
	terminal bool
	last     time.Time
	shown    bool
	// step is the long phase's current step, begun at stepSince.
	step      string
	stepSince time.Duration
}

func newReporter(stderr io.Writer) *reporter {
	return &reporter{w: stderr, terminal: isTerminal(stderr)}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// event is an engine callback.
func (r *reporter) event(ev engine.Event) {
	switch ev := ev.(type) {
	case *engine.Warning:
		r.clear()
		if ev.Severe {
			// The results cannot be trusted as they stand: say so loudly.
			fmt.Fprintln(r.w, "WARNING: the results are not meaningful:", adviseWarning(ev))
		} else {
			fmt.Fprintln(r.w, "warning:", adviseWarning(ev))
		}
	case *engine.Progress:
		if ev.Step != r.step {
			r.step, r.stepSince = ev.Step, ev.Elapsed
			if !r.terminal && ev.Step != "" {
				// A log gets each step of a long phase once.
				fmt.Fprintf(r.w, "%s: %s\n", ev.Phase, ev.Step)
			}
		}
		if !r.terminal || (time.Since(r.last) < 100*time.Millisecond && ev.Phase != engine.PhaseDone) {
			return
		}
		r.last = time.Now()
		line := fmt.Sprintf("%-9s %d packets, %s, %d windows sealed, %d analysed, %s",
			ev.Phase, ev.Packets, units.Bytes(float64(ev.Bytes)), ev.Windows, ev.Analysed, ev.Elapsed.Round(100*time.Millisecond))
		if ev.TotalBytes > 0 && ev.Phase == engine.PhaseIngesting {
			line += fmt.Sprintf(" (%.0f%% read)", 100*float64(ev.ReadBytes)/float64(ev.TotalBytes))
		}
		if ev.Phase == engine.PhaseTraining {
			line = fmt.Sprintf("%-9s %s", ev.Phase, ev.Step)
			if ev.Total > 0 {
				line += fmt.Sprintf(": %d/%d", ev.Done, ev.Total)
			}
			if left, ok := ev.StepLeft(r.stepSince); ok {
				line += fmt.Sprintf(", ETA %s", left.Round(time.Second))
			}
		}
		fmt.Fprintf(r.w, "\r\x1b[K%s", line)
		r.shown = true
		if ev.Phase == engine.PhaseDone {
			r.clear()
		}
	}
}

func (r *reporter) clear() {
	if r.shown {
		fmt.Fprint(r.w, "\r\x1b[K")
		r.shown = false
	}
}
