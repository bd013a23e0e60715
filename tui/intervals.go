package tui

import (
	"fmt"
	"slices"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/export"
)

// alertRow is one flagged interval as the alerts list shows it: the
// export's interval, and its top edge — the strongest flagged edge of its
// peak window, with the pods and addresses it had over the whole interval
// (what x writes the packets of).
type alertRow struct {
	iv      export.Interval
	top     *engine.FlaggedEdge
	learned *learnedEvent // a new workload learned instead (no interval)
	// judged: an interval with a verdict that does not alert (see
	// judgedRows); folded: its windows were folded into the baseline.
	judged, folded bool
}

// mergeIntervals merges the windows (in index order; nil: not analysed)
// that alert at th into intervals — export.Merger, the rule every export
// uses — reading the details of the alerting windows from the store. It
// is the one path of the export and of the alerts list.
func mergeIntervals(store *detailStore, windows []*engine.WindowResult, size time.Duration, th float64) ([]alertRow, error) {
	mg := export.NewMerger(size, th)
	var tops []*engine.FlaggedEdge
	var run *runEdges
	for _, w := range windows {
		if w == nil || !w.Alert(th) {
			if run != nil {
				tops, run = append(tops, run.top()), nil
			}
			continue
		}
		full, err := store.flaggedOf(w)
		if err != nil {
			return nil, fmt.Errorf("flagged intervals: %w", err)
		}
		mg.Add(full)
		if run == nil {
			run = &runEdges{edges: map[[2]string]*engine.FlaggedEdge{}}
		}
		run.add(full)
	}
	if run != nil {
		tops = append(tops, run.top())
	}
	ivs := mg.Intervals()
	if len(ivs) != len(tops) {
		return nil, fmt.Errorf("flagged intervals: %d intervals but %d runs of alerting windows", len(ivs), len(tops))
	}
	out := make([]alertRow, len(ivs))
	for i := range ivs {
		out[i] = alertRow{iv: ivs[i], top: tops[i]}
	}
	return out, nil
}

// runEdges gathers the flagged edges of a run of alerting windows.
type runEdges struct {
	edges   map[[2]string]*engine.FlaggedEdge // pods and addresses over the run
	peak    float64
	peakTop [2]string
	hasTop  bool
}

func (r *runEdges) add(w *engine.WindowResult) {
	for _, e := range w.Flagged {
		k := [2]string{e.Src, e.Dst}
		u := r.edges[k]
		if u == nil {
			c := e
			c.SrcPods, c.DstPods = slices.Clone(e.SrcPods), slices.Clone(e.DstPods)
			c.SrcIPs, c.DstIPs = slices.Clone(e.SrcIPs), slices.Clone(e.DstIPs)
			r.edges[k] = &c
			continue
		}
		u.SrcPods, u.DstPods = union(u.SrcPods, e.SrcPods), union(u.DstPods, e.DstPods)
		u.SrcIPs, u.DstIPs = union(u.SrcIPs, e.SrcIPs), union(u.DstIPs, e.DstIPs)
	}
	// The top is the strongest edge (the engine lists it first) of the
	// earliest window with the highest score, as the merger's peak, among
	// the windows that flag an edge.
	if len(w.Flagged) > 0 && (!r.hasTop || w.Score > r.peak) {
		r.peak, r.peakTop, r.hasTop = w.Score, [2]string{w.Flagged[0].Src, w.Flagged[0].Dst}, true
	}
}

func (r *runEdges) top() *engine.FlaggedEdge {
	if !r.hasTop {
		return nil
	}
	return r.edges[r.peakTop]
}

// union adds the strings of b missing from a.
func union(a, b []string) []string {
	for _, s := range b {
		if !slices.Contains(a, s) {
			a = append(a, s)
		}
	}
	return a
}
