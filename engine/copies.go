package engine

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"sync/atomic"
)

// copyPlan is one synthetic copy of the baseline: a template at a rate,
// scheduled over a segment of the baseline.
type copyPlan struct {
	template Template
	rate     float64
	episodes []Episode
	from, to int64 // the segment of the baseline it covers
}

// trainingRow is one window of one copy: its model input and what the
// Ide & Kashima score needs, not the window itself (a copy of a large
// cluster's window is large; thousands of rows are made).
type trainingRow struct {
	copy     int
	window   int // position in the size's baseline windows
	index    int // the window's index
	x        []float64
	activity []float64
	label    bool
}

// sampleTemplates keeps at most n of ts: of each kind a share in
// proportion to its number (at least one), evenly spaced in the kind's
// order, so every sensitive service, path length and scan style stays
// represented. Deterministic.
func sampleTemplates(ts []Template, n int) []Template {
	if len(ts) <= n {
		return ts
	}
	byKind := make(map[string][]Template)
	var kinds []string
	for _, t := range ts {
		if byKind[t.Kind] == nil {
			kinds = append(kinds, t.Kind)
		}
		byKind[t.Kind] = append(byKind[t.Kind], t)
	}
	var out []Template
	for _, k := range kinds {
		group := byKind[k]
		quota := max(1, n*len(group)/len(ts))
		for i := range min(quota, len(group)) {
			out = append(out, group[i*len(group)/quota])
		}
	}
	return out
}

// minCopyRows is the fewest windows a copy is trained on however many
// copies there are: enough for the Ide & Kashima pattern of its windows.
const minCopyRows = 12

// copyRows is how many windows of a size each of n copies is trained on:
// together at most maxTrainingRows (or minCopyRows each).
func copyRows(n int) int {
	return max(minCopyRows, maxTrainingRows/max(n, 1))
}

// plans lays out the synthetic copies of the baseline span [from, to):
// every template at every rate, each with its own seeded schedule. When
// the baseline is long, each copy covers a seeded contiguous segment so
// the training set stays within maxTrainingRows; a segment spans at least
// two episodes, and where that is more windows than a copy's share,
// buildRows trains on a sample of them.
func (t trainer) plans(templates []Template, from, to int64) []copyPlan {
	s := t.s
	finest := int64(s.sizes[0])
	n := len(templates) * len(s.opts.Rates)
	span := to - from
	if limit := int64(copyRows(n)) * finest; span > limit {
		span = max(limit, int64(s.opts.Episode)*2)
	}
	var out []copyPlan
	for _, tp := range templates {
		for _, rate := range s.opts.Rates {
			rng := rand.New(rand.NewPCG(uint64(s.opts.Seed), uint64(len(out))))
			segFrom := from
			if slack := (to - from - span) / finest; slack > 0 {
				segFrom += rng.Int64N(slack+1) * finest
			}
			segTo := min(to, segFrom+span)
			eps := Schedule(tp, rate, segFrom, segTo, episodeLength(tp, rate, s.opts.Episode), finest, rng)
			for i := range eps {
				s.inj.choosePods(&eps[i], rng)
			}
			out = append(out, copyPlan{template: tp, rate: rate, episodes: eps, from: segFrom, to: segTo})
		}
	}
	return out
}

// buildRows injects every copy into the baseline windows of one size and
// has input fill each row (of hostRows: copy c's are rows[first[c]:
// first[c+1]]) from its (injected or plain) window. Copies run in
// parallel, each copy's windows in order: a window's beacons (beacon.go)
// depend on the copy's windows before it.
func (t trainer) buildRows(ctx context.Context, base []*featurized, plans []copyPlan, rows []trainingRow, first []int,
	progress func(done, total int), input func(*trainingRow, *featurized)) error {
	var done atomic.Int64
	return parallel(ctx, len(plans), t.s.opts.Workers, func(c int) {
		bt := newBeaconTracker()
		for r := first[c]; r < first[c+1] && ctx.Err() == nil; r++ {
			if n := done.Add(1); n%64 == 0 || int(n) == len(rows) {
				progress(int(n), len(rows))
			}
			row := &rows[r]
			f := base[row.window]
			if win := t.s.inj.injectAll(f.win, plans[row.copy].episodes); win != nil {
				f = t.s.fz.featurize(win)
				row.label = true
			}
			f = bt.withBeacons(f)
			row.activity = f.activity
			input(row, f)
		}
	})
}

// hostRows lists, copy by copy, the baseline windows each copy is
// injected into: those inside its segment, or, where they are more than
// copyRows, a seeded sample spread evenly over the segment, so the
// training set stays bounded whatever the window size (a 1 ms window
// makes 120 000 windows of a two-minute segment). The rows of copy c are
// rows[first[c]:first[c+1]], in window order.
func (t trainer) hostRows(base []*featurized, plans []copyPlan) (rows []trainingRow, first []int) {
	first = make([]int, len(plans)+1)
	budget := copyRows(len(plans))
	at := func(x int64) int { // the first window starting at or after x
		i, _ := slices.BinarySearchFunc(base, x, func(f *featurized, x int64) int { return cmp.Compare(f.win.start, x) })
		return i
	}
	for c, p := range plans {
		first[c] = len(rows)
		// The windows inside the segment: base is in time order.
		lo, hi := at(p.from), at(p.to)
		for hi > lo && base[hi-1].win.end > p.to {
			hi--
		}
		pick := func(i int) { rows = append(rows, trainingRow{copy: c, window: i, index: base[i].win.index}) }
		if hi-lo <= budget {
			for i := lo; i < hi; i++ {
				pick(i)
			}
			continue
		}
		rng := rand.New(rand.NewPCG(uint64(t.s.opts.Seed)^0x5a3b1e, uint64(c)))
		for _, i := range spread(hi-lo, budget, rng) {
			pick(lo + i)
		}
	}
	first[len(plans)] = len(rows)
	return rows, first
}

// spread returns k of the indices [0, n) (k < n), in order, evenly
// spaced from a seeded offset within the first step.
func spread(n, k int, rng *rand.Rand) []int {
	step := float64(n) / float64(k)
	phase := rng.Float64() * step
	out := make([]int, k)
	for j := range out {
		out[j] = int(phase + float64(j)*step)
	}
	return out
}
