package engine

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/mimir-tui/mimir-tui/engine/graph"
	"github.com/mimir-tui/mimir-tui/engine/stats"
	"github.com/mimir-tui/mimir-tui/loaders/entities"
)

// Scorer scores the windows of a capture with a trained model. It holds
// the model's view of the baseline per window size and, when the model was
// trained on this capture's own start, the out-of-fold views its baseline
// windows are scored with. It is immutable; the state of scoring a
// sequence of windows is a stream's.
type Scorer struct {
	model     *Model
	series    []*seriesScorer
	folds     *folds
	dns       map[string]bool
	sensitive map[string]bool
	t0        int64
	history   int // Ide & Kashima W
	// thresholds are in force per size: given, set by a false-alarm rate,
	// or the model's; basis says which.
	thresholds []float64
	basis      []string
	// workloads are the services that appear during the analysis, with
	// when (learning.go); learn is their learning period (0: none).
	workloads map[string]int64
	learn     time.Duration
	// suppress are the intervals judged false positives (fold.go).
	suppress []Suppression
	churn    []Change // the application's changes, in time order
}

// seriesScorer is the scoring of one window size.
type seriesScorer struct {
	size time.Duration
	sm   *SizeModel
	ins  []input
	full *baselineView
}

// newScorer prepares scoring with m for the session's window sizes; fo,
// when not nil, holds the out-of-fold views of the baseline windows.
func newScorer(m *Model, s *session, fo *folds) (*Scorer, error) {
	sc := &Scorer{model: m, folds: fo, dns: s.dns, sensitive: s.fz.sensitive, t0: s.t0,
		history: s.opts.IdeHistory, learn: s.opts.learning(), suppress: s.opts.Suppress}
	full, err := modelView(m)
	if err != nil {
		return nil, err
	}
	for si, size := range s.sizes {
		sm := m.sizeModel(size)
		if sm == nil {
			return nil, settingErr(SettingWindow, "the model has no %v window size (it has %s): use its sizes or retrain", size, m.sizeList())
		}
		ins := modelInputs(si > 0)
		if !slices.Equal(inputNames(ins), sm.Inputs) {
			return nil, settingErr(SettingWindow, "the %v model's inputs do not match this build's (or the model's finest size is not the finest here): retrain it with this build and the same window sizes", size)
		}
		v := *full
		v.scaler = &scaler{stats: make(map[featureKey]keyStat, len(sm.Baseline))}
		for _, st := range sm.Baseline {
			k, err := parseFeatureKey(st.Family, st.A, st.B)
			if err != nil {
				return nil, fmt.Errorf("model: %w; retrain it", err)
			}
			v.scaler.stats[k] = keyStat{median: st.Median, iqr: st.IQR}
		}
		sc.series = append(sc.series, &seriesScorer{size: size, sm: sm, ins: ins, full: &v})
		th, basis, err := thresholdInForce(sm, s.opts, len(s.sizes))
		if err != nil {
			return nil, err
		}
		sc.thresholds, sc.basis = append(sc.thresholds, th), append(sc.basis, basis)
	}
	sc.setEntities(s.tl, s.services)
	return sc, nil
}

// setEntities takes what scoring needs of the entity timeline: the
// application's changes, the workloads that appear during the analysis
// (learning.go) among the scored services, and the services the model
// knew less those workloads: a workload the baseline never saw has no
// statistics, so its keyed features are not scored, as with a model that
// never knew it.
func (sc *Scorer) setEntities(tl *entities.Timeline, services []string) {
	sc.churn = churnOf(tl)
	sc.workloads = newWorkloads(tl, services, sc.model, sc.t0)
	known := knownServices(sc.model.Services)
	for w := range sc.workloads {
		delete(known, w)
	}
	for _, ss := range sc.series {
		ss.full.scaler.known = known
	}
}

// withEntities is sc seeing tl, a later timeline of a followed entity
// log (whose scored services are services): a copy, so that a window
// scored before keeps what it was scored with.
func (sc *Scorer) withEntities(tl *entities.Timeline, services []string) *Scorer {
	c := *sc
	c.series = make([]*seriesScorer, len(sc.series))
	for i, ss := range sc.series {
		cs, view, scl := *ss, *ss.full, *ss.full.scaler
		view.scaler = &scl
		cs.full = &view
		c.series[i] = &cs
	}
	c.setEntities(tl, services)
	return &c
}

// thresholdInForce is a size's threshold: the one given, the one for the
// false-alarm rate given, or the model's default.
func thresholdInForce(sm *SizeModel, o Options, sizes int) (float64, string, error) {
	switch {
	case o.Threshold != nil:
		return *o.Threshold, "given", nil
	case o.FalseAlarms > 0:
		th, ok := sm.RateThreshold(o.FalseAlarms, sizes)
		if !ok {
			n := 0
			if sm.BenignTail != nil {
				n = sm.BenignTail.N
			}
			return 0, "", settingErr(SettingFalseAlarms, "the %v baseline has %d windows, too few to set a threshold by false-alarm rate (%d needed, %v of benign traffic): train on a longer benign capture, or give a threshold",
				sm.Size(), n, stats.MinTailScores, time.Duration(stats.MinTailScores)*sm.Size())
		}
		return th, formatRate(o.FalseAlarms) + " false alarms a day", nil
	}
	if sm.ThresholdBasis == "" {
		return sm.Threshold, "trained", nil
	}
	return sm.Threshold, sm.ThresholdBasis, nil
}

// formatRate prints a rate per day without spurious digits.
func formatRate(perDay float64) string { return strconv.FormatFloat(perDay, 'g', 3, 64) }

// modelView is the baseline's allow-list, initiated pairs and domains as
// the model stores them.
func modelView(m *Model) (*baselineView, error) {
	bv := newBaselineView()
	for _, l := range []struct {
		entries []string
		set     map[servicePair]bool
	}{{m.Allowlist, bv.allow}, {m.Initiated, bv.initiated}} {
		for _, e := range l.entries {
			p, ok := parseServicePair(e)
			if !ok {
				return nil, fmt.Errorf("model service pair %q is not 'a -> b': the model file is damaged; retrain it", e)
			}
			l.set[p] = true
		}
	}
	for _, b := range m.Beacons {
		id, ok := parseBeaconID(b)
		if !ok {
			return nil, fmt.Errorf("model beacon %q is not 'service -> address proto/port': the model file is damaged; retrain it", b)
		}
		bv.beacons[id] = true
	}
	for _, d := range m.Domains {
		bv.domains[d] = true
	}
	for _, e := range m.Ports {
		k, ok := parseServicePort(e)
		if !ok {
			return nil, fmt.Errorf("model service port %q is not 'a -> b tcp/8080': the model file is damaged; retrain it", e)
		}
		bv.ports[k] = true
	}
	return bv, nil
}

func inputNames(ins []input) []string {
	out := make([]string, len(ins))
	for i, in := range ins {
		out[i] = in.info.Name
	}
	return out
}

// sizeModel returns the model of window size d, or nil.
func (m *Model) sizeModel(d time.Duration) *SizeModel {
	for i := range m.Sizes {
		if m.Sizes[i].Size() == d {
			return &m.Sizes[i]
		}
	}
	return nil
}

func (m *Model) sizeList() string {
	var out []string
	for i := range m.Sizes {
		out = append(out, m.Sizes[i].Size().String())
	}
	return fmt.Sprint(out)
}

// Threshold is the alert threshold in force for size index si: the one
// given, or the trained one.
func (sc *Scorer) Threshold(si int) float64 {
	return sc.thresholds[si]
}

// info describes the series for a user interface.
func (sc *Scorer) info() []SeriesInfo {
	var out []SeriesInfo
	for si, ss := range sc.series {
		infos := make([]FeatureInfo, len(ss.ins))
		for j, in := range ss.ins {
			infos[j] = in.info
		}
		out = append(out, SeriesInfo{
			Size: ss.size, Features: infos, Threshold: sc.Threshold(si), ThresholdTrained: ss.sm.Threshold,
			ThresholdBasis: sc.basis[si], F1Threshold: ss.sm.F1Threshold, BenignTail: ss.sm.BenignTail,
			BaselineWindows: ss.sm.BaselineWindows, Medians: slices.Clone(ss.sm.InputMedians),
		})
	}
	return out
}

// stream scores the windows of one capture in order: per size in index
// order, a coarse window after the finest windows inside it.
type stream struct {
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

func (sc *Scorer) newStream() *stream {
	return &stream{sc: sc, hist: make([][][]float64, len(sc.series)), fine: make(map[int]float64),
		learn: newLearning(sc.workloads, sc.learn, sc.sensitive), beacons: newBeaconTracker(),
		fold: newFold(sc.suppress, len(sc.series))}
}

// retarget makes the stream score with sc from now on (the same model
// seeing a longer entity log): the new workloads' learning follows it,
// and what the stream learned so far is kept.
func (st *stream) retarget(sc *Scorer) {
	st.sc = sc
	st.learn = newLearning(sc.workloads, sc.learn, sc.sensitive)
}

// fork returns a stream that continues from st's Ide history with its own
// scores, for scoring a synthetic variant of the same windows.
func (st *stream) fork() *stream {
	c := &stream{sc: st.sc, hist: make([][][]float64, len(st.hist)), fine: make(map[int]float64), learn: st.learn,
		beacons: st.beacons.clone(), fold: st.fold.clone(), overlay: st.overlay.cloneSets()}
	for i, h := range st.hist {
		c.hist[i] = slices.Clone(h)
	}
	return c
}

// MinIdeHistory is how many earlier windows the Ide & Kashima score needs
// at least; it uses up to Options.IdeHistory.
const MinIdeHistory = 2

// score analyses the featurized window f of size index si.
func (st *stream) score(si int, f *featurized) WindowResult {
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
func (st *stream) ensureOverlay() *baselineView {
	if st.overlay == nil {
		st.overlay = newBaselineView()
	}
	return st.overlay
}

// view is bv with what the stream added laid over it: learned and folded
// pairs, ports, domains and beacons, and size si's widened statistics.
func (st *stream) view(si int, bv *baselineView) *baselineView {
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
func (st *stream) keepFine() int {
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
	infra := make(map[servicePair]*edgeStat)
	for k, e := range f.win.infraEdges {
		p := servicePair{f.win.nodes[k.u].service, f.win.nodes[k.v].service}
		x := infra[p]
		if x == nil {
			x = &edgeStat{}
			infra[p] = x
		}
		x.bytes += e.bytes
		x.packets += e.packets
	}
	for p, e := range infra {
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
