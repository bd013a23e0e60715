package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/mimir-tui/mimir-tui/engine/stats"
)

// Methods compared by the evaluation.
const (
	MethodModel     = "model"
	MethodIde       = "ide"
	MethodAllowlist = "allowlist"
)

// Attack is a known real attack interval in a capture (ground truth).
type Attack struct {
	ID    string    `json:"id"`
	Type  string    `json:"type"`
	Path  []string  `json:"path"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// ReadGroundTruth reads a ground-truth file: {"attacks":[{"id","type",
// "path","start","end"}]} where start and end are epoch seconds or
// RFC 3339 strings (start_rfc3339/end_rfc3339 are accepted too).
func ReadGroundTruth(r io.Reader, name string) ([]Attack, error) {
	var doc struct {
		Attacks []struct {
			ID       string          `json:"id"`
			Type     string          `json:"type"`
			Path     []string        `json:"path"`
			Start    json.RawMessage `json:"start"`
			End      json.RawMessage `json:"end"`
			StartRFC string          `json:"start_rfc3339"`
			EndRFC   string          `json:"end_rfc3339"`
		} `json:"attacks"`
	}
	if err := json.NewDecoder(io.LimitReader(r, 64<<20)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: not a ground-truth file: %w; expected {\"attacks\":[{\"start\":…,\"end\":…}]}", name, err)
	}
	parse := func(raw json.RawMessage, rfc string) (time.Time, error) {
		if rfc != "" {
			return time.Parse(time.RFC3339Nano, rfc)
		}
		var f float64
		if err := json.Unmarshal(raw, &f); err == nil {
			sec, frac := math.Modf(f)
			return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, fmt.Errorf("want epoch seconds or an RFC 3339 string, got %s", raw)
		}
		return time.Parse(time.RFC3339Nano, s)
	}
	var out []Attack
	for i, at := range doc.Attacks {
		start, err := parse(at.Start, at.StartRFC)
		if err != nil {
			return nil, fmt.Errorf("%s: attack %d: start: %w", name, i, err)
		}
		end, err := parse(at.End, at.EndRFC)
		if err != nil {
			return nil, fmt.Errorf("%s: attack %d: end: %w", name, i, err)
		}
		if end.Before(start) {
			return nil, fmt.Errorf("%s: attack %d ends before it starts", name, i)
		}
		out = append(out, Attack{ID: at.ID, Type: at.Type, Path: at.Path, Start: start, End: end})
	}
	return out, nil
}

// Metrics summarises one method on one set of labelled windows. A measure
// that is undefined on them (an AUC without a clean window, a recall
// without an attacked one) is NaN, null in JSON, and Undefined says why.
type Metrics struct {
	Windows   int             `json:"windows"`
	Attacked  int             `json:"attacked"`
	AUC       Float           `json:"auc"`
	Threshold Float           `json:"threshold"`
	F1        Float           `json:"f1"`
	Precision Float           `json:"precision"`
	Recall    Float           `json:"recall"`
	FPR       Float           `json:"fpr"`
	Confusion stats.Confusion `json:"confusion"`
	ROC       []stats.Point   `json:"roc,omitempty"`
	Undefined string          `json:"undefined,omitempty"`
}

// Group is the metrics of one method on one slice of the experiment.
type Group struct {
	Rate float64 `json:"rate_mb_per_min,omitempty"`
	Path string  `json:"path,omitempty"`
	Metrics
}

// MethodEval is one method's results at one window size.
type MethodEval struct {
	Method  string  `json:"method"`
	Overall Metrics `json:"overall"`
	ByRate  []Group `json:"by_rate"`
	ByPath  []Group `json:"by_path"`
	// Real is measured on the capture's own windows against the ground
	// truth, when one is given.
	Real *Metrics `json:"real,omitempty"`
}

// SizeEval is the evaluation of one window size.
type SizeEval struct {
	SizeSeconds float64 `json:"size_s"`
	// TestWindows are the windows after the baseline the synthetic attacks
	// were injected into, by index: the clean test windows (negatives)
	// unless the ground truth marks them attacked.
	TestWindows []int           `json:"test_windows"`
	Methods     []MethodEval    `json:"methods"`
	Timeline    []TimelinePoint `json:"timeline,omitempty"`
}

// TimelinePoint is one real window's scores.
type TimelinePoint struct {
	Window   int       `json:"window"`
	Start    time.Time `json:"start"`
	Seconds  float64   `json:"t_s"` // since the capture's first packet
	Score    Float     `json:"score"`
	Ide      Float     `json:"ide_score"`
	Baseline bool      `json:"baseline"`
	Partial  bool      `json:"partial"`
	Attacked bool      `json:"attacked"`
}

// Evaluation is the injection experiment (method.md §7).
type Evaluation struct {
	Capture   string    `json:"capture"`
	Source    string    `json:"source"`
	Seed      int64     `json:"seed"`
	Rates     []float64 `json:"rates_mb_per_min"`
	Templates []string  `json:"templates"`
	Attacks   []Attack  `json:"ground_truth,omitempty"`
	// Caveats are what a reader must know to trust the figures, e.g. that
	// without a ground truth the capture's own windows are assumed clean.
	Caveats  []string          `json:"caveats,omitempty"`
	Sizes    []SizeEval        `json:"sizes"`
	Training []TrainingSummary `json:"training"`
}

// NoGroundTruthCaveat is the Evaluation's caveat when no ground truth is given.
const NoGroundTruthCaveat = "no ground truth given: every window after the baseline is assumed free of real attacks and used as a clean test window; if the capture holds a real attack, the false-alarm figures count it as false alarms and the injected attacks are measured against it"

// evalRow is one scored test window of one synthetic copy.
type evalRow struct {
	rate     float64
	path     string
	score    float64
	ide      float64
	allow    bool
	attacked bool
}

// Evaluate trains on the baseline (or uses the model), then injects
// synthetic attacks into the windows after the baseline with a seed of its
// own, scores them with the same scorer as the real windows, and measures
// every method per rate and per path. Windows that overlap a real attack
// in truth are left out of the injection test and scored on their own
// against the truth.
func Evaluate(ctx context.Context, in Inputs, opts Options, truth []Attack, emit func(Event)) (*Evaluation, *Result, error) {
	res, p, err := run(ctx, in, opts, emit, true)
	if err != nil {
		return nil, nil, err
	}
	s, sc := p.s, p.scorer
	ev := &Evaluation{Capture: captureNames(in.captures()), Source: res.Source, Seed: s.opts.Seed, Rates: s.opts.Rates, Attacks: truth}
	if len(truth) == 0 {
		ev.Caveats = append(ev.Caveats, NoGroundTruthCaveat)
	}
	for i := range res.Model.Sizes {
		ev.Training = append(ev.Training, res.Model.Sizes[i].Training)
	}
	templates := Templates(trainer{s: s}.topology(sc.series[0].full))
	for _, t := range templates {
		ev.Templates = append(ev.Templates, t.Name())
	}
	test := newTestSet(p, truth)
	rows, err := test.run(ctx, templates)
	if err != nil {
		return nil, nil, err
	}
	for si, ss := range sc.series {
		se := SizeEval{SizeSeconds: ss.size.Seconds(), TestWindows: test.negatives(si)}
		for _, method := range []string{MethodModel, MethodIde, MethodAllowlist} {
			se.Methods = append(se.Methods, evalMethod(method, rows[si], sc.Threshold(si), float64(ss.sm.IdeThreshold), s.opts.Rates, templates, res.Series[si].Windows, truth))
		}
		for _, w := range res.Series[si].Windows {
			se.Timeline = append(se.Timeline, TimelinePoint{Window: w.Index,
				Start: w.Start, Seconds: w.Start.Sub(res.Inputs.Start).Seconds(),
				Score: Float(w.Score), Ide: Float(w.IdeScore), Baseline: w.Baseline, Partial: w.Partial,
				Attacked: attackedIn(truth, w.Start, w.End),
			})
		}
		ev.Sizes = append(ev.Sizes, se)
	}
	return ev, res, nil
}

// evalMethod measures one method of one size: overall, per rate, per path
// and on the real windows.
func evalMethod(method string, rows []evalRow, th, ideTh float64, rates []float64, templates []Template, real []WindowResult, truth []Attack) MethodEval {
	me := MethodEval{Method: method}
	pick := func(r evalRow) float64 { return r.score }
	switch method {
	case MethodIde:
		th, pick = ideTh, func(r evalRow) float64 { return r.ide }
	case MethodAllowlist:
		th, pick = 0.5, func(r evalRow) float64 { return b2f(r.allow) }
	}
	me.Overall = metricsOf(rows, pick, th, true)
	for _, rate := range rates {
		sub := filterRows(rows, func(r evalRow) bool { return r.rate == rate })
		me.ByRate = append(me.ByRate, Group{Rate: rate, Metrics: metricsOf(sub, pick, th, false)})
	}
	for _, t := range templates {
		name := t.Name()
		sub := filterRows(rows, func(r evalRow) bool { return r.path == name })
		me.ByPath = append(me.ByPath, Group{Path: name, Metrics: metricsOf(sub, pick, th, false)})
	}
	if len(truth) > 0 {
		m := realMetrics(real, truth, method, th)
		me.Real = &m
	}
	return me
}

// attackedIn reports whether [start, end) overlaps an attack of truth.
func attackedIn(truth []Attack, start, end time.Time) bool {
	for _, at := range truth {
		if at.Start.Before(end) && !at.End.Before(start) {
			return true
		}
	}
	return false
}

// testSet is the evaluation's test: the windows after the baseline, into
// which synthetic attacks are injected, scored by streams that continue
// from the baseline's Ide history.
type testSet struct {
	p      *pipeline
	truth  []Attack
	from   int64 // the test span, over complete finest windows
	to     int64
	hists  [][][]float64 // per size: the Ide history at the end of the baseline
	seqs   [][]*featurized
	copies []copyPlan
}

func newTestSet(p *pipeline, truth []Attack) *testSet {
	t := &testSet{p: p, truth: truth, from: math.MaxInt64, to: math.MinInt64}
	for _, f := range p.kept[0] {
		if !t.inBaseline(0, f.win) && !f.win.partial {
			t.from, t.to = min(t.from, f.win.start), max(t.to, f.win.end)
		}
	}
	h := p.s.opts.IdeHistory
	for si := range p.s.sizes {
		var hist [][]float64
		var seq []*featurized
		for _, f := range p.kept[si] {
			if t.inBaseline(si, f.win) {
				hist = append(hist, f.activity)
			} else {
				seq = append(seq, f)
			}
		}
		t.hists = append(t.hists, hist[max(0, len(hist)-h):])
		t.seqs = append(t.seqs, seq)
	}
	return t
}

// inBaseline reports whether window w of size si is one the model was
// trained on.
func (t *testSet) inBaseline(si int, w *window) bool {
	_, ok := t.p.scorer.folds.view(si, w.index)
	return ok
}

// clean reports whether window w of size si is a clean test window: after
// the baseline, complete, and not attacked in truth.
func (t *testSet) clean(si int, w *window) bool {
	return !t.inBaseline(si, w) && !w.partial && !attackedIn(t.truth, time.Unix(0, w.start), time.Unix(0, w.end))
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
	s := t.p.s
	if t.from < t.to {
		for _, tp := range templates {
			for _, rate := range s.opts.Rates {
				// A stream of its own, so test schedules differ from training's.
				rng := rand.New(rand.NewPCG(uint64(s.opts.Seed)^0x5eed, uint64(len(t.copies))))
				eps := Schedule(tp, rate, t.from, t.to, episodeLength(tp, rate, s.opts.Episode), int64(s.sizes[0]), rng)
				for i := range eps {
					s.inj.choosePods(&eps[i], rng)
				}
				t.copies = append(t.copies, copyPlan{template: tp, rate: rate, episodes: eps, from: t.from, to: t.to})
			}
		}
	}
	perCopy := make([][][]evalRow, len(t.copies))
	err := parallel(ctx, len(t.copies), s.opts.Workers, func(c int) { perCopy[c] = t.score(&t.copies[c]) })
	if err != nil {
		return nil, err
	}
	rows := make([][]evalRow, len(s.sizes))
	for _, pc := range perCopy {
		for si := range pc {
			rows[si] = append(rows[si], pc[si]...)
		}
	}
	return rows, nil
}

// score scores one synthetic copy of the test windows, finest size first.
func (t *testSet) score(plan *copyPlan) [][]evalRow {
	s := t.p.s
	st := t.p.scorer.newStream()
	st.lean = true
	for si := range t.hists {
		st.hist[si] = slices.Clone(t.hists[si])
	}
	out := make([][]evalRow, len(s.sizes))
	for si := range s.sizes {
		for _, f := range t.seqs[si] {
			g := f
			win := s.inj.injectAll(f.win, plan.episodes)
			if win != nil {
				g = s.fz.featurize(win)
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

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func filterRows(rows []evalRow, keep func(evalRow) bool) []evalRow {
	var out []evalRow
	for _, r := range rows {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// metricsOf measures scores against labels; NaN scores (Ide without
// history) are left out.
func metricsOf(rows []evalRow, pick func(evalRow) float64, th float64, withROC bool) Metrics {
	var scores []float64
	var labels []bool
	for _, r := range rows {
		if s := pick(r); !math.IsNaN(s) {
			scores = append(scores, s)
			labels = append(labels, r.attacked)
		}
	}
	return metricsFrom(scores, labels, th, withROC)
}

// metricsFrom measures scores against labels at threshold th.
func metricsFrom(scores []float64, labels []bool, th float64, withROC bool) Metrics {
	m := Metrics{Windows: len(scores), Threshold: Float(th)}
	m.Attacked = countTrue(labels)
	c := stats.ConfusionAt(scores, labels, th)
	m.Confusion = c
	m.AUC = Float(stats.AUC(scores, labels))
	m.F1, m.Precision, m.Recall, m.FPR = defined(c.F1(), 2*c.TP+c.FP+c.FN), defined(c.Precision(), c.TP+c.FP),
		defined(c.Recall(), c.TP+c.FN), defined(c.FPR(), c.FP+c.TN)
	switch {
	case m.Windows == 0:
		m.Undefined = "no test window"
	case m.Attacked == m.Windows:
		m.Undefined = "no clean test window"
	case m.Attacked == 0:
		m.Undefined = "no attacked window"
	}
	if withROC {
		m.ROC = stats.ROC(scores, labels)
	}
	return m
}

// defined is x, or NaN when its denominator n is 0.
func defined(x float64, n int) Float {
	if n == 0 {
		return Float(math.NaN())
	}
	return Float(x)
}

// realMetrics measures a method on the capture's own windows after the
// baseline against the ground truth.
func realMetrics(ws []WindowResult, truth []Attack, method string, th float64) Metrics {
	var scores []float64
	var labels []bool
	for i := range ws {
		w := &ws[i]
		if !w.Alertable() {
			continue
		}
		s := w.Score
		switch method {
		case MethodIde:
			s = w.IdeScore
		case MethodAllowlist:
			s = b2f(w.AllowlistAlert)
		}
		if !math.IsNaN(s) {
			scores = append(scores, s)
			labels = append(labels, attackedIn(truth, w.Start, w.End))
		}
	}
	return metricsFrom(scores, labels, th, true)
}
