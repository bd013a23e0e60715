package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
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

// Metrics summarises one method on one set of labelled windows.
type Metrics struct {
	Windows   int             `json:"windows"`
	Attacked  int             `json:"attacked"`
	AUC       float64         `json:"auc"`
	Threshold float64         `json:"threshold"`
	F1        float64         `json:"f1"`
	Precision float64         `json:"precision"`
	Recall    float64         `json:"recall"`
	FPR       float64         `json:"fpr"`
	Confusion stats.Confusion `json:"confusion"`
	ROC       []stats.Point   `json:"roc,omitempty"`
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
	SizeSeconds float64      `json:"size_s"`
	TestWindows int          `json:"test_windows"`
	Methods     []MethodEval `json:"methods"`
	// Timeline is the score of every real window, for plots.
	Timeline []TimelinePoint `json:"timeline,omitempty"`
}

// TimelinePoint is one real window's scores.
type TimelinePoint struct {
	Start    time.Time `json:"start"`
	Seconds  float64   `json:"t_s"` // since the capture's first packet
	Score    float64   `json:"score"`
	Ide      float64   `json:"ide_score"`
	Baseline bool      `json:"baseline"`
	Attacked bool      `json:"attacked"`
}

// Evaluation is the injection experiment (method.md §7).
type Evaluation struct {
	Capture   string            `json:"capture"`
	Source    string            `json:"source"`
	Seed      int64             `json:"seed"`
	Rates     []float64         `json:"rates_mb_per_min"`
	Templates []string          `json:"templates"`
	Attacks   []Attack          `json:"ground_truth,omitempty"`
	Sizes     []SizeEval        `json:"sizes"`
	Training  []TrainingSummary `json:"training"`
}

// evalRow is one scored test window of one synthetic copy.
type evalRow struct {
	rate     float64
	path     string
	score    float64
	ide      float64
	allow    bool
	attacked bool
}

// Evaluate trains on the baseline (or uses opts.Model), then injects
// synthetic attacks into the windows after the baseline with a seed of
// its own and measures every method per rate and per path. Windows that
// overlap a real attack in truth are left out of the injection test and
// scored on their own against the truth.
func Evaluate(ctx context.Context, in Inputs, opts Options, truth []Attack, emit func(Event)) (*Evaluation, *Result, error) {
	res, p, err := run(ctx, in, opts, emit, true)
	if err != nil {
		return nil, nil, err
	}
	a := p.a
	ev := &Evaluation{Capture: in.Capture.Name, Source: res.Source, Seed: a.opts.Seed, Rates: a.opts.Rates, Attacks: truth}
	for i := range a.model.Sizes {
		ev.Training = append(ev.Training, a.model.Sizes[i].Training)
	}
	inTruth := func(start, end int64) bool {
		for _, at := range truth {
			if at.Start.UnixNano() < end && at.End.UnixNano() >= start {
				return true
			}
		}
		return false
	}
	// The test span: after the baseline, complete windows of the finest size.
	fine := p.kept[0]
	var testFrom, testTo int64 = math.MaxInt64, math.MinInt64
	for _, f := range fine {
		if !f.win.baseline && !f.win.partial {
			testFrom = min(testFrom, f.win.start)
			testTo = max(testTo, f.win.end)
		}
	}
	templates := Templates(a.topology(a.series[0].full))
	for _, t := range templates {
		ev.Templates = append(ev.Templates, t.Name())
	}
	type copyRun struct {
		plan copyPlan
		rows [][]evalRow // per size
	}
	var copies []*copyRun
	if testFrom < testTo {
		for _, t := range templates {
			for _, rate := range a.opts.Rates {
				// A stream of its own, so test schedules differ from training's.
				rng := rand.New(rand.NewPCG(uint64(a.opts.Seed)^0x5eed, uint64(len(copies))))
				eps := Schedule(t, rate, testFrom, testTo, int64(a.opts.Episode), int64(a.sizes[0]), rng)
				for i := range eps {
					a.inj.choosePods(&eps[i], rng)
				}
				copies = append(copies, &copyRun{plan: copyPlan{template: t, rate: rate, episodes: eps, from: testFrom, to: testTo}})
			}
		}
	}
	// Per size: the Ide history the test starts from (the baseline's last
	// windows) and the windows after the baseline, the same for every copy.
	hists := make([][][]float64, len(a.series))
	seqs := make([][]*featurized, len(a.series))
	for si := range a.series {
		for _, f := range p.kept[si] {
			if f.win.baseline {
				hists[si] = append(hists[si], f.activity)
			} else {
				seqs[si] = append(seqs[si], f)
			}
		}
		if n := len(hists[si]); n > a.opts.IdeHistory {
			hists[si] = hists[si][n-a.opts.IdeHistory:]
		}
	}
	err = parallel(ctx, len(copies), a.opts.Workers, func(c int) {
		cr := copies[c]
		cr.rows = make([][]evalRow, len(a.sizes))
		var fineState *seriesState
		for si, s := range a.series {
			seq := seqs[si]
			st := s.fork(hists[si], fineState)
			if si == 0 {
				fineState = st
			}
			for _, f := range seq {
				var win *window
				for e := range cr.plan.episodes {
					ep := &cr.plan.episodes[e]
					if overlap(f.win, ep.Start, ep.End) > 0 {
						if win == nil {
							win = f.win.clone()
						}
						a.inj.apply(win, ep)
					}
				}
				g := f
				if win != nil {
					g = a.fs.featurize(win)
				}
				r := st.score(g)
				if f.win.partial || inTruth(f.win.start, f.win.end) {
					continue
				}
				cr.rows[si] = append(cr.rows[si], evalRow{
					rate: cr.plan.rate, path: cr.plan.template.Name(),
					score: r.Score, ide: r.IdeScore, allow: r.AllowlistAlert, attacked: win != nil,
				})
			}
		}
	})
	if err != nil {
		return nil, nil, err
	}
	for si, s := range a.series {
		se := SizeEval{SizeSeconds: s.size.Seconds()}
		var rows []evalRow
		for _, cr := range copies {
			rows = append(rows, cr.rows[si]...)
		}
		for _, f := range p.kept[si] {
			if !f.win.baseline && !f.win.partial && !inTruth(f.win.start, f.win.end) {
				se.TestWindows++
			}
		}
		for _, method := range []string{MethodModel, MethodIde, MethodAllowlist} {
			me := MethodEval{Method: method}
			th := s.threshold()
			pick := func(r evalRow) float64 { return r.score }
			switch method {
			case MethodIde:
				th = float64(s.sm.IdeThreshold)
				pick = func(r evalRow) float64 { return r.ide }
			case MethodAllowlist:
				th = 0.5
				pick = func(r evalRow) float64 { return b2f(r.allow) }
			}
			me.Overall = metricsOf(rows, pick, th, true)
			for _, rate := range a.opts.Rates {
				sub := filterRows(rows, func(r evalRow) bool { return r.rate == rate })
				me.ByRate = append(me.ByRate, Group{Rate: rate, Metrics: metricsOf(sub, pick, th, false)})
			}
			for _, t := range templates {
				name := t.Name()
				sub := filterRows(rows, func(r evalRow) bool { return r.path == name })
				me.ByPath = append(me.ByPath, Group{Path: name, Metrics: metricsOf(sub, pick, th, false)})
			}
			if len(truth) > 0 {
				real := realMetrics(res.Series[si].Windows, truth, method, th)
				me.Real = &real
			}
			se.Methods = append(se.Methods, me)
		}
		for _, w := range res.Series[si].Windows {
			se.Timeline = append(se.Timeline, TimelinePoint{
				Start: w.Start, Seconds: w.Start.Sub(res.Inputs.Start).Seconds(),
				Score: w.Score, Ide: w.IdeScore, Baseline: w.Baseline,
				Attacked: inTruth(w.Start.UnixNano(), w.End.UnixNano()),
			})
		}
		ev.Sizes = append(ev.Sizes, se)
	}
	return ev, res, nil
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
	return measure(scores, labels, th, withROC)
}

func measure(scores []float64, labels []bool, th float64, withROC bool) Metrics {
	m := Metrics{Windows: len(scores), Threshold: th}
	for _, l := range labels {
		if l {
			m.Attacked++
		}
	}
	m.AUC = stats.AUC(scores, labels)
	m.Confusion = stats.ConfusionAt(scores, labels, th)
	m.F1, m.Precision, m.Recall, m.FPR = m.Confusion.F1(), m.Confusion.Precision(), m.Confusion.Recall(), m.Confusion.FPR()
	if withROC {
		m.ROC = stats.ROC(scores, labels)
	}
	return m
}

// realMetrics measures a method on the capture's own windows after the
// baseline against the ground truth.
func realMetrics(ws []WindowResult, truth []Attack, method string, th float64) Metrics {
	var scores []float64
	var labels []bool
	for i := range ws {
		w := &ws[i]
		if w.Baseline || w.Partial {
			continue
		}
		var s float64
		switch method {
		case MethodModel:
			s = w.Score
		case MethodIde:
			s = w.IdeScore
		case MethodAllowlist:
			s = b2f(w.AllowlistAlert)
		}
		if math.IsNaN(s) {
			continue
		}
		attacked := false
		for _, at := range truth {
			if at.Start.Before(w.End) && !at.End.Before(w.Start) {
				attacked = true
			}
		}
		scores = append(scores, s)
		labels = append(labels, attacked)
	}
	return measure(scores, labels, th, true)
}
