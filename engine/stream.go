package engine

import (
	"math"
	"slices"
	"sort"
	"time"

	"github.com/mimir-tui/mimir-tui/engine/graph"
)

// Stream scores the windows of one capture in order with a Scorer: per
// size in index order, a coarse window after the finest windows inside it
// (the order a traffic.Aggregator seals them in). It holds what scoring a
// window depends on of the windows before: the Ide & Kashima history, the
// finest scores a coarse window pools, the beacons, what new workloads
// learned and what false-positive verdicts folded in. It is not safe for
// concurrent use.
type Stream struct {
	sc   *Scorer
	hist [][][]float64   // per size: activity vectors of the last windows
	fine map[int]float64 // the finest series' scores by window index
	// lean scores only: no explanation, evidence, churn or pivots (the
	// evaluation's thousands of synthetic windows need their scores).
	lean bool
	// alertsOnly explains only the windows that alert at the threshold in
	// force: a streamed run's threshold does not move, and its output
	// lists flagged edges for alerts alone.
	alertsOnly bool
	// learn holds the new workloads' learning; nil when there are none.
	learn *learning
	// fold holds the false-positive verdicts' widened statistics; nil
	// without verdicts.
	fold *fold
	// overlay is what the stream added to the baseline (learned pairs,
	// folded novelty); nil until it adds something.
	overlay *baselineView
	// beacons follows the connections to outside across the finest
	// windows (the only ones with flows).
	beacons *beaconTracker
}

// NewStream starts scoring a capture's windows from its first.
func (sc *Scorer) NewStream() *Stream {
	return &Stream{sc: sc, hist: make([][][]float64, len(sc.series)), fine: make(map[int]float64),
		learn: newLearning(sc.workloads, sc.learn, sc.sensitive), beacons: newBeaconTracker(),
		fold: newFold(sc.suppress, len(sc.series)), alertsOnly: sc.alertsOnly}
}

// leanStreamAfter starts a stream that only scores (no explanation), its
// Ide & Kashima history per size that of windows already seen (hist[si],
// oldest first): the evaluation scores synthetic copies of the windows
// after a baseline with it.
func (sc *Scorer) leanStreamAfter(hist [][][]float64) *Stream {
	st := sc.NewStream()
	st.lean = true
	for si := range hist {
		st.hist[si] = slices.Clone(hist[si])
	}
	return st
}

// retarget makes the stream score with sc from now on (the same model
// seeing a longer entity log): the new workloads' learning follows it,
// and what the stream learned so far is kept.
func (st *Stream) retarget(sc *Scorer) {
	st.sc = sc
	st.learn = newLearning(sc.workloads, sc.learn, sc.sensitive)
}

// Score scores f, the next window of its size: see Stream for the order.
func (st *Stream) Score(f *Featurized) WindowResult { return st.score(f.size, f.f) }

// MinIdeHistory is how many earlier windows the Ide & Kashima score needs
// at least; it uses up to Options.IdeHistory.
const MinIdeHistory = 2

// score analyses the featurized window f of size index si.
func (st *Stream) score(si int, f *featurized) WindowResult {
	sc, ss, win := st.sc, st.sc.series[si], f.win
	if si == 0 {
		f = st.beacons.withBeacons(f)
	}
	bv, inBaseline := sc.folds.view(si, win.index)
	var learned []LearnedPair
	suppressed := false
	if !inBaseline {
		bv = ss.full
		if st.learn != nil {
			learned = st.learn.observe(f, bv, st.ensureOverlay())
		}
		if suppressed = st.fold != nil && st.fold.covers(win); suppressed {
			st.fold.absorb(si, f, st.view(si, bv), st.ensureOverlay())
		}
		bv = st.view(si, bv)
	}
	base := baselineValues(f, bv)
	fine := math.NaN()
	if si > 0 {
		fine = peakScore(st.fine, sc.t0, int64(sc.series[0].size), win.start, win.end)
	}
	v := vectorize(ss.ins, f, base, bv.scaler, sc.sensitive, fine)
	r := WindowResult{
		Size: ss.size, Index: win.index, Partial: win.partial, Coverage: win.coverage, Baseline: inBaseline,
		Start: time.Unix(0, win.start).UTC(), End: time.Unix(0, win.end).UTC(),
		Packets: win.packets, Bytes: win.bytes,
		Score: ss.sm.Lasso.Predict(v.z), Values: v.z, IdeScore: math.NaN(), Learned: learned, Suppressed: suppressed,
	}
	r.Contributions = ss.contributions(v, bv.scaler)
	if !st.lean {
		r.Churn = churnIn(sc.churn, win.start, win.end)
		r.PodEdges, r.Domains, r.Ports = podEdges(win), domainUses(win), portUses(win)
	}
	if h := st.hist[si]; len(h) >= MinIdeHistory {
		r.IdeScore = graph.IdeScore(graph.TypicalPattern(h), f.activity)
	}
	st.hist[si] = append(st.hist[si], f.activity)
	if n := len(st.hist[si]); n > sc.history {
		st.hist[si] = st.hist[si][n-sc.history:]
	}
	// The allow-list and the graph's [NEW] marks compare with the whole
	// baseline: a baseline window holds no pair the baseline never saw.
	r.Edges, r.AllowlistAlert = serviceGraph(f, ss.full)
	if !st.lean && (!st.alertsOnly || r.Alert(sc.Threshold(si))) {
		x := &explainCtx{f: f, view: bv, v: v, base: base, dns: sc.dns, sensitive: sc.sensitive}
		r.Flagged = x.flag(ss.ins, r.Contributions)
	}
	if si == 0 {
		st.fine[win.index] = r.Score
		// A coarse window only max-pools the finest windows inside it:
		// older scores go, so a long capture does not grow the map.
		delete(st.fine, win.index-st.keepFine())
	}
	return r
}

// ensureOverlay returns the stream's overlay of the baseline, made on
// first use.
func (st *Stream) ensureOverlay() *baselineView {
	if st.overlay == nil {
		st.overlay = newBaselineView()
	}
	return st.overlay
}

// view is bv with what the stream added laid over it: learned and folded
// pairs, ports, domains and beacons, and size si's widened statistics.
func (st *Stream) view(si int, bv *baselineView) *baselineView {
	if st.overlay == nil && st.fold == nil {
		return bv
	}
	v := *bv
	v.learned = st.overlay
	if st.fold != nil && len(st.fold.stats[si]) > 0 {
		sc := *bv.scaler
		sc.over = st.fold.stats[si]
		v.scaler = &sc
	}
	return &v
}

// keepFine is how many of the finest series' latest scores a coarse
// window can need: its own span, plus windows still to arrive late.
func (st *Stream) keepFine() int {
	ss := st.sc.series
	return 2*int(ss[len(ss)-1].size/ss[0].size) + 2
}

// contributions lists the non-zero terms of the score, largest first.
func (ss *seriesScorer) contributions(v vector, sc *scaler) []Contribution {
	var out []Contribution
	for j, w := range ss.sm.Lasso.Coef {
		if w == 0 {
			continue
		}
		in := ss.ins[j]
		c := Contribution{Feature: j, Name: in.info.Name, Value: v.value[j], Z: v.z[j], Weight: w, Contrib: w * v.z[j],
			Median: ss.sm.InputMedians[j]}
		switch in.kind {
		case inValue, inMax, inMin, inSensitive:
			c.Median = sc.median(v.key[j])
			if in.kind != inValue && v.z[j] != 0 {
				c.Key, c.About = v.key[j].Name(), v.key[j].Describe()
			}
		}
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool { return math.Abs(out[i].Contrib) > math.Abs(out[j].Contrib) })
	return out
}

// peakScore is the highest of scores (by window index, windows of size
// anchored at first) among the windows that overlap [start, end), or NaN.
func peakScore(scores map[int]float64, first, size, start, end int64) float64 {
	best := math.NaN()
	for i := int(floorDiv(start-first, size)); first+int64(i)*size < end; i++ {
		if sc, ok := scores[i]; ok && !math.IsNaN(sc) && (math.IsNaN(best) || sc > best) {
			best = sc
		}
	}
	return best
}

// floorDiv divides rounding towards minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// serviceGraph lists the window's service graph for display and reports
// whether it holds a pair the allow-list bv does not.
func serviceGraph(f *featurized, bv *baselineView) ([]Edge, bool) {
	var out []Edge
	alert := false
	for p, e := range f.edges {
		isNew := !bv.allow[p]
		alert = alert || (isNew && e.bytes > 0)
		out = append(out, Edge{Src: p.src, Dst: p.dst, Bytes: uint64(e.bytes), Packets: uint64(e.packets),
			New: isNew, Outside: p.src == Outside || p.dst == Outside})
	}
	// Infrastructure stays visible but unscored.
	for p, e := range f.win.collapse(f.win.infraEdges) {
		out = append(out, Edge{Src: p.src, Dst: p.dst, Bytes: uint64(e.bytes), Packets: uint64(e.packets),
			Outside: p.src == Outside || p.dst == Outside, Infra: true})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Bytes != out[j].Bytes {
			return out[i].Bytes > out[j].Bytes
		}
		if out[i].Src != out[j].Src {
			return out[i].Src < out[j].Src
		}
		return out[i].Dst < out[j].Dst
	})
	return out, alert
}
