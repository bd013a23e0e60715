package engine

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/mimir-tui/mimir-tui/engine/stats"
	"github.com/mimir-tui/mimir-tui/loaders/entities"
	"github.com/mimir-tui/mimir-tui/loaders/traffic"
)

// Scorer scores the windows of a capture with a trained model: built from
// the Model, the entity timeline the windows are resolved against and the
// options, whether the model was loaded or trained on the capture's own
// start (Run's baseline mode trains, then scores with a Scorer the same
// way). It is immutable and safe for concurrent use; the state of
// scoring a sequence of windows is a Stream's.
type Scorer struct {
	model  *Model
	series []*seriesScorer
	// folds, when the model was trained on this capture's own start,
	// holds the out-of-fold views its baseline windows are scored with.
	folds *folds
	tl    *entities.Timeline
	res   *resolver
	fz    *featurizer
	dns   map[string]bool
	// sensitive is the featurizer's set of sensitive services.
	sensitive map[string]bool
	t0        int64 // the capture's first packet, where windows are anchored
	sizes     []time.Duration
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
	suppress     []Suppression
	churn        []Change // the application's changes, in time order
	includeInfra bool
	reorderSlack time.Duration
	// alertsOnly: a stream explains only the windows that alert (a
	// streamed run that does not explain every window).
	alertsOnly bool
}

// seriesScorer is the scoring of one window size.
type seriesScorer struct {
	size time.Duration
	sm   *SizeModel
	ins  []input
	full *baselineView
}

// NewScorer prepares the scoring of a capture's windows with the trained
// model m. tl is the entity timeline the windows are resolved against and
// start the capture's first packet, where its windows are anchored. Of
// opts it takes the window sizes (default: the model's), the threshold or
// false-alarm rate, the learning period, the false-positive verdicts, the
// Ide & Kashima history, whether infrastructure is scored, the reorder
// slack and, for a streamed run, whether only alerts are explained;
// opts.Baseline is the model's. Errors are *SettingError when a setting
// does not fit the model.
func NewScorer(m *Model, tl *entities.Timeline, start time.Time, opts Options) (*Scorer, error) {
	if m == nil {
		return nil, settingErr(SettingModel, "no model given")
	}
	if tl == nil {
		return nil, fmt.Errorf("no entity timeline given: build one with entities.Build from the capture's entity log")
	}
	opts.Baseline = BaselineModel(m)
	if err := opts.normalize(); err != nil {
		return nil, err
	}
	return newScorer(m, tl, start.UnixNano(), opts, nil)
}

// newScorer is NewScorer with normalised options; fo, when not nil,
// holds the out-of-fold views of the baseline windows the model was
// trained on (a run's baseline mode).
func newScorer(m *Model, tl *entities.Timeline, t0 int64, opts Options, fo *folds) (*Scorer, error) {
	dns := make(map[string]bool)
	scoredServices(tl, opts.IncludeInfra, dns)
	for _, d := range m.DNSServices {
		dns[d] = true
	}
	fz := newFeaturizer(m.Services, m.Sensitive, dns)
	sc := &Scorer{model: m, folds: fo, fz: fz, dns: dns, sensitive: fz.sensitive, t0: t0, sizes: slices.Clone(opts.Sizes),
		history: opts.IdeHistory, learn: opts.learning(), suppress: opts.Suppress, includeInfra: opts.IncludeInfra,
		reorderSlack: opts.ReorderSlack, alertsOnly: opts.Streaming && !opts.ExplainAll}
	full, err := modelView(m)
	if err != nil {
		return nil, err
	}
	for si, size := range sc.sizes {
		ss, err := newSeriesScorer(m, size, si, full)
		if err != nil {
			return nil, err
		}
		sc.series = append(sc.series, ss)
		th, basis, err := thresholdInForce(ss.sm, opts, len(sc.sizes))
		if err != nil {
			return nil, err
		}
		sc.thresholds, sc.basis = append(sc.thresholds, th), append(sc.basis, basis)
	}
	sc.setEntities(tl)
	return sc, nil
}

// newSeriesScorer prepares the scoring of size (index si) with m's model
// of it, seeing the baseline full and the size's statistics.
func newSeriesScorer(m *Model, size time.Duration, si int, full *baselineView) (*seriesScorer, error) {
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
	return &seriesScorer{size: size, sm: sm, ins: ins, full: &v}, nil
}

// setEntities takes what scoring needs of the entity timeline: the
// resolver of the windows' addresses, the application's changes, the
// workloads that appear during the analysis (learning.go) among the
// scored services, and the services the model knew less those
// workloads: a workload the baseline never saw has no statistics, so its
// keyed features are not scored, as with a model that never knew it.
func (sc *Scorer) setEntities(tl *entities.Timeline) {
	services, _ := scoredServices(tl, sc.includeInfra, make(map[string]bool))
	sc.tl, sc.res = tl, &resolver{tl: tl, includeInfra: sc.includeInfra}
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
// log: a copy, so that a window scored before keeps what it was scored
// with. The DNS services and the window features stay those of the
// start, which the windows already featurised were made with.
func (sc *Scorer) withEntities(tl *entities.Timeline) *Scorer {
	c := *sc
	c.series = make([]*seriesScorer, len(sc.series))
	for i, ss := range sc.series {
		cs, view, scl := *ss, *ss.full, *ss.full.scaler
		view.scaler = &scl
		cs.full = &view
		c.series[i] = &cs
	}
	c.setEntities(tl)
	return &c
}

// Sizes are the window sizes the scorer scores, finest first; a window's
// size index is its position here.
func (sc *Scorer) Sizes() []time.Duration { return slices.Clone(sc.sizes) }

// Aggregator is the traffic aggregator whose windows the scorer takes:
// its window sizes, packets tagged with its entity timeline, with the
// details (connections, DNS, flows) the features need.
func (sc *Scorer) Aggregator() *traffic.Aggregator {
	return traffic.New(traffic.Config{Sizes: sc.Sizes(), Tagger: sc.tl, Details: true, ReorderSlack: sc.reorderSlack})
}

// Featurized is a window of traffic resolved to the entities of its time,
// with the features that depend on it alone: what a Stream scores.
type Featurized struct {
	size int
	f    *featurized
}

// Featurize resolves w, a window of size index size sealed by the
// scorer's Aggregator, and computes the features that depend on it alone.
// last is the timestamp (Unix ns) of the latest packet read when w was
// sealed: it bounds how much of a partial window the capture covers. It
// is safe for concurrent use, so windows can be featurised in parallel
// and scored in order.
func (sc *Scorer) Featurize(size int, w *traffic.Window, last int64) *Featurized {
	return &Featurized{size: size, f: sc.fz.featurize(sc.res.newWindow(w, last))}
}

// inBaseline reports whether window index i of size si is one the model
// was trained on here (scored out of fold).
func (sc *Scorer) inBaseline(si, i int) bool {
	_, ok := sc.folds.view(si, i)
	return ok
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
// given, set by a false-alarm rate, or the model's.
func (sc *Scorer) Threshold(si int) float64 {
	return sc.thresholds[si]
}

// Series describes the scored series, finest first, for a user interface.
func (sc *Scorer) Series() []SeriesInfo {
	var out []SeriesInfo
	for si, ss := range sc.series {
		out = append(out, SeriesInfo{
			Size: ss.size, Features: inputInfos(ss.ins), Threshold: sc.Threshold(si), ThresholdTrained: ss.sm.Threshold,
			ThresholdBasis: sc.basis[si], F1Threshold: ss.sm.F1Threshold, BenignTail: ss.sm.BenignTail,
			BaselineWindows: ss.sm.BaselineWindows, Medians: slices.Clone(ss.sm.InputMedians),
		})
	}
	return out
}

func inputInfos(ins []input) []FeatureInfo {
	out := make([]FeatureInfo, len(ins))
	for i, in := range ins {
		out[i] = in.info
	}
	return out
}
