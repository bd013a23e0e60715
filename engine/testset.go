package engine

import (
	"context"
	"math"
	"math/rand/v2"
	"time"
)

// evalRow is one scored test window of one synthetic copy.
type evalRow struct {
	rate     float64
	path     string
	score    float64
	ide      float64
	allow    bool
	attacked bool
}

// testSet is the evaluation's test: the windows after the baseline, into
// which synthetic attacks are injected, scored by streams of the scorer
// that continue from the baseline's Ide history.
type testSet struct {
	sc    *Scorer
	inj   *injector
	opts  Options
	truth []Attack
	from  int64 // the test span, over complete finest windows
	to    int64
	hists [][][]float64 // per size: the Ide history at the end of the baseline
	seqs  [][]*featurized
	// copies are the synthetic copies of the test span, one per template
	// and rate.
	copies []copyPlan
}

// newTestSet splits windows (per size, the capture's featurised windows
// in order) into the baseline sc's model was trained on, whose last Ide
// activity vectors the test streams start from, and the test windows
// after it; inj injects the attacks the way opts says.
func newTestSet(sc *Scorer, windows [][]*featurized, truth []Attack, inj *injector, opts Options) *testSet {
	t := &testSet{sc: sc, inj: inj, opts: opts, truth: truth, from: math.MaxInt64, to: math.MinInt64}
	for _, f := range windows[0] {
		if !sc.inBaseline(0, f.win.index) && !f.win.partial {
			t.from, t.to = min(t.from, f.win.start), max(t.to, f.win.end)
		}
	}
	for si := range sc.sizes {
		var hist [][]float64
		var seq []*featurized
		for _, f := range windows[si] {
			if sc.inBaseline(si, f.win.index) {
				hist = append(hist, f.activity)
			} else {
				seq = append(seq, f)
			}
		}
		t.hists = append(t.hists, hist[max(0, len(hist)-sc.history):])
		t.seqs = append(t.seqs, seq)
	}
	return t
}

// clean reports whether window w of size si is a clean test window: after
// the baseline, complete, and not attacked in truth.
func (t *testSet) clean(si int, w *window) bool {
	return !t.sc.inBaseline(si, w.index) && !w.partial && !attackedIn(t.truth, time.Unix(0, w.start), time.Unix(0, w.end))
}

// negatives lists the clean test windows of size si.
func (t *testSet) negatives(si int) []int {
	out := []int{}
	for _, f := range t.seqs[si] {
		if t.clean(si, f.win) {
			out = append(out, f.win.index)
		}
	}
	return out
}

// run schedules every template at every rate over the test span, scores
// each copy and returns the rows per size.
func (t *testSet) run(ctx context.Context, templates []Template) ([][]evalRow, error) {
	if t.from < t.to {
		for _, tp := range templates {
			for _, rate := range t.opts.Rates {
				// A stream of its own, so test schedules differ from training's.
				rng := rand.New(rand.NewPCG(uint64(t.opts.Seed)^0x5eed, uint64(len(t.copies))))
				eps := Schedule(tp, rate, t.from, t.to, episodeLength(tp, rate, t.opts.Episode), int64(t.sc.sizes[0]), rng)
				for i := range eps {
					t.inj.choosePods(&eps[i], rng)
				}
				t.copies = append(t.copies, copyPlan{template: tp, rate: rate, episodes: eps, from: t.from, to: t.to})
			}
		}
	}
	perCopy := make([][][]evalRow, len(t.copies))
	err := parallel(ctx, len(t.copies), t.opts.Workers, func(c int) { perCopy[c] = t.score(&t.copies[c]) })
	if err != nil {
		return nil, err
	}
	rows := make([][]evalRow, len(t.sc.sizes))
	for _, pc := range perCopy {
		for si := range pc {
			rows[si] = append(rows[si], pc[si]...)
		}
	}
	return rows, nil
}

// score scores one synthetic copy of the test windows, finest size first.
func (t *testSet) score(plan *copyPlan) [][]evalRow {
	st := t.sc.leanStreamAfter(t.hists)
	out := make([][]evalRow, len(t.sc.sizes))
	for si := range t.sc.sizes {
		for _, f := range t.seqs[si] {
			g := f
			win := t.inj.injectAll(f.win, plan.episodes)
			if win != nil {
				g = t.sc.fz.featurize(win)
			}
			r := st.score(si, g)
			if !t.clean(si, f.win) {
				continue
			}
			out[si] = append(out[si], evalRow{rate: plan.rate, path: plan.template.Name(),
				score: r.Score, ide: r.IdeScore, allow: r.AllowlistAlert, attacked: win != nil})
		}
	}
	return out
}
