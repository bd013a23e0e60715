package engine

import (
	"context"
	"time"

	"github.com/mimir-tui/mimir-tui/engine/stats"
)

// Methods compared by the evaluation.
const (
	MethodModel     = "model"
	MethodIde       = "ide"
	MethodAllowlist = "allowlist"
)

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

// Evaluate trains on the baseline (or takes the model), scores the
// capture's own windows as Run does, then injects synthetic attacks into
// the windows after the baseline with a seed of its own, scores the
// copies with a Scorer built from the model, the timeline and the options
// (the one seam scoring has), and measures every method per rate and per
// path. Windows that overlap a real attack in truth are left out of the
// injection test and scored on their own against the truth.
func Evaluate(ctx context.Context, in Inputs, opts Options, truth []Attack, emit func(Event)) (*Evaluation, *Result, error) {
	res, a, err := run(ctx, in, opts, emit, true)
	if err != nil {
		return nil, nil, err
	}
	// Training returned the model and, with it, the folds its baseline
	// windows are scored out of (none with a given model).
	var fo *folds
	if a.trained != nil {
		fo = a.trained.folds
	}
	sc, err := newScorer(res.Model, a.s.tl, a.s.t0, a.s.opts, fo)
	if err != nil {
		return nil, nil, err
	}
	ev := &Evaluation{Capture: captureNames(in.captures()), Source: res.Source, Seed: a.s.opts.Seed, Rates: a.s.opts.Rates, Attacks: truth}
	if len(truth) == 0 {
		ev.Caveats = append(ev.Caveats, NoGroundTruthCaveat)
	}
	for i := range res.Model.Sizes {
		ev.Training = append(ev.Training, res.Model.Sizes[i].Training)
	}
	templates := Templates(trainer{s: a.s}.topology(sc.series[0].full))
	for _, t := range templates {
		ev.Templates = append(ev.Templates, t.Name())
	}
	if a.s.inj.initiated == nil {
		// A given model: its hops ride the calls it saw, as training's did.
		a.s.inj.initiated = sc.series[0].full.initiated
	}
	test := newTestSet(sc, a.windows, truth, a.s.inj, a.s.opts)
	rows, err := test.run(ctx, templates)
	if err != nil {
		return nil, nil, err
	}
	for si, ss := range sc.series {
		se := SizeEval{SizeSeconds: ss.size.Seconds(), TestWindows: test.negatives(si)}
		for _, method := range []string{MethodModel, MethodIde, MethodAllowlist} {
			se.Methods = append(se.Methods, evalMethod(method, rows[si], sc.Threshold(si), float64(ss.sm.IdeThreshold), ev.Rates, templates, res.Series[si].Windows, truth))
		}
		se.Timeline = timeline(res.Series[si].Windows, res.Inputs.Start, truth)
		ev.Sizes = append(ev.Sizes, se)
	}
	return ev, res, nil
}

// timeline is the real windows' scores, for plotting.
func timeline(ws []WindowResult, start time.Time, truth []Attack) []TimelinePoint {
	var out []TimelinePoint
	for _, w := range ws {
		out = append(out, TimelinePoint{Window: w.Index,
			Start: w.Start, Seconds: w.Start.Sub(start).Seconds(),
			Score: Float(w.Score), Ide: Float(w.IdeScore), Baseline: w.Baseline, Partial: w.Partial,
			Attacked: attackedIn(truth, w.Start, w.End),
		})
	}
	return out
}

// evalMethod measures one method of one size: overall, per rate, per path
// and on the real windows.
func evalMethod(method string, rows []evalRow, th, ideTh float64, rates []float64, templates []Template, real []WindowResult, truth []Attack) MethodEval {
	me := MethodEval{Method: method}
	pick := func(r evalRow) float64 { return r.score }
	thWhy := ""
	switch method {
	case MethodIde:
		th, thWhy, pick = ideTh, whyNoIdeThreshold, func(r evalRow) float64 { return r.ide }
	case MethodAllowlist:
		th, pick = 0.5, func(r evalRow) float64 { return b2f(r.allow) }
	}
	me.Overall = metricsOf(rows, pick, th, thWhy, true)
	for _, rate := range rates {
		sub := filterRows(rows, func(r evalRow) bool { return r.rate == rate })
		me.ByRate = append(me.ByRate, Group{Rate: rate, Metrics: metricsOf(sub, pick, th, thWhy, false)})
	}
	for _, t := range templates {
		name := t.Name()
		sub := filterRows(rows, func(r evalRow) bool { return r.path == name })
		me.ByPath = append(me.ByPath, Group{Path: name, Metrics: metricsOf(sub, pick, th, thWhy, false)})
	}
	if len(truth) > 0 {
		m := realMetrics(real, truth, method, th, thWhy)
		me.Real = &m
	}
	return me
}
