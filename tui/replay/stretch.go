package replay

import (
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
)

// Stretch returns a run of n windows of the finest size (and the coarser
// sizes over the same time) made of the recording's real windows: its
// baseline windows first, then its clean windows over and over, with its
// run of alerting windows every 7 919 windows from window 5 000 on. Windows
// share their slices (edges, contributions) with the recording's, so a
// million of them fit in memory. For benchmarks and long-run tests.
func (r *Recording) Stretch(n int) *Recording {
	res := r.Result
	out := &Recording{Result: &engine.Result{Inputs: res.Inputs, Source: res.Source, Warnings: res.Warnings}}
	var info *engine.ModelReady
	for _, ev := range r.Events {
		switch ev := ev.(type) {
		case *engine.InputsReady:
			out.Events = append(out.Events, ev)
		case *engine.ModelReady:
			info = ev
		}
	}
	finest := res.Series[0].Size
	span := time.Duration(n) * finest
	for _, s := range res.Series {
		count := int((span + s.Size - 1) / s.Size)
		out.Result.Series = append(out.Result.Series, stretchSeries(s, count, int(5000*finest/s.Size), int(7919*finest/s.Size)))
	}
	out.Events = append(out.Events, info)
	out.Events = append(out.Events, interleave(out.Result.Series)...)
	return out
}

// stretchSeries makes count windows of s: its baseline, then its clean
// windows cycled, with its alert run at first and then every period.
func stretchSeries(s engine.Series, count, first, period int) engine.Series {
	var base, clean, alerts []engine.WindowResult
	for _, w := range s.Windows {
		switch {
		case w.Baseline:
			base = append(base, w)
		case w.Alert(s.Threshold):
			alerts = append(alerts, w)
		case w.Alertable():
			clean = append(clean, w)
		}
	}
	if len(clean) == 0 {
		clean = s.Windows
	}
	out := s
	out.Windows = make([]engine.WindowResult, count)
	start := s.Windows[0].Start
	for i := range count {
		var w engine.WindowResult
		switch k := i - first; {
		case i < len(base):
			w = base[i]
		case period > 0 && k >= 0 && k%period < len(alerts):
			w = alerts[k%period]
		default:
			w = clean[i%len(clean)]
		}
		w.Index, w.Partial, w.Coverage = i, false, 1
		w.Start = start.Add(time.Duration(i) * s.Size)
		w.End = w.Start.Add(s.Size)
		out.Windows[i] = w
	}
	return out
}

// interleave emits the windows of every size in time order, a coarse
// window after the finest windows it covers, with progress every 1 000
// finest windows.
func interleave(series []engine.Series) []engine.Event {
	var out []engine.Event
	next := make([]int, len(series))
	fine := series[0]
	for i := range fine.Windows {
		out = append(out, &engine.WindowDone{Window: &fine.Windows[i]})
		end := fine.Windows[i].End
		for si := 1; si < len(series); si++ {
			for s := &series[si]; next[si] < len(s.Windows) && !s.Windows[next[si]].End.After(end); next[si]++ {
				out = append(out, &engine.WindowDone{Window: &s.Windows[next[si]]})
			}
		}
		if i%1000 == 999 {
			out = append(out, &engine.Progress{Phase: engine.PhaseAnalysing, Windows: i + 1, Analysed: i + 1})
		}
	}
	for si := 1; si < len(series); si++ {
		for s := &series[si]; next[si] < len(s.Windows); next[si]++ {
			out = append(out, &engine.WindowDone{Window: &s.Windows[next[si]]})
		}
	}
	return append(out, &engine.Progress{Phase: engine.PhaseDone, Windows: len(fine.Windows), Analysed: len(fine.Windows)})
}
