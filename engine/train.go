package engine

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/mimir-tui/mimir-tui/engine/graph"
	"github.com/mimir-tui/mimir-tui/engine/stats"
)

// maxTrainingRows bounds the rows of one size's training set; longer
// baselines are sampled in contiguous segments per synthetic copy. The
// model sees a fixed number of inputs, so more rows add little; fewer keep
// training time proportional to the size of one window.
const maxTrainingRows = 6000

// maxTemplates bounds the synthetic attacks trained on. A large cluster
// has hundreds of paths and scans; aggregate inputs make an attack from
// one service look like the same attack from another, so a sample that
// keeps every kind serves as well.
const maxTemplates = 48

// maxFolds is the number of contiguous baseline folds used for
// cross-fitting the baseline statistics.
const maxFolds = 10

// folds holds, per window size, the out-of-fold baseline view of every
// baseline window (by window index): scoring a baseline window against
// the baseline without its own fold makes its score as honest as a later
// window's. Training produces it beside the model.
type folds struct {
	views []map[int]*baselineView
}

// view returns the out-of-fold view of window index i of size si.
func (fo *folds) view(si, i int) (*baselineView, bool) {
	if fo == nil || si >= len(fo.views) {
		return nil, false
	}
	v, ok := fo.views[si][i]
	return v, ok
}

// trained is what training produces: the model, the folds and the
// cross-fitted scores of the baseline windows (per size, by position).
type trained struct {
	model      *Model
	folds      *folds
	baseScores [][]float64
}

// trainer fits a model on the baseline windows of a session (method.md
// §6–7): robust statistics, synthetic attacks, LASSO, threshold.
type trainer struct {
	s *session
}

// baselineFit holds the cross-fitted baseline statistics of one size.
type baselineFit struct {
	full   *baselineView
	folds  []*baselineView
	foldOf []int // by position in the baseline windows
}

// stepFunc hears what training is doing and how far the step is.
type stepFunc func(step string, done, total int)

// train fits the model of every size on base (per size, the baseline
// windows in order); progress hears what it is doing.
func (t trainer) train(ctx context.Context, base [][]*featurized, progress stepFunc) (*trained, error) {
	s := t.s
	for si, b := range base {
		if len(b) == 0 {
			return nil, settingErr(SettingBaseline, "the baseline holds no complete %v window: use a longer baseline or capture, or leave that window size out", s.sizes[si])
		}
	}
	fits := make([]*baselineFit, len(s.sizes))
	for si := range s.sizes {
		progress(fmt.Sprintf("fitting the %v baseline statistics", s.sizes[si]), si, len(s.sizes))
		fits[si] = t.fitBaseline(base[si])
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	// Injected hops ride the pairs the baseline saw called (inject.go).
	s.inj.initiated = fits[0].full.initiated
	templates := sampleTemplates(Templates(t.topology(fits[0].full)), maxTemplates)
	plans := t.plans(templates, base[0][0].win.start, base[0][len(base[0])-1].win.end)
	m := t.newModel(templates, fits[0].full)
	out := &trained{model: m, folds: &folds{}}
	// fineScores[copy][fine window index] feed the coarse sizes' peak input.
	fineScores := make([]map[int]float64, len(plans))
	for i := range fineScores {
		fineScores[i] = make(map[int]float64)
	}
	var fineBase map[int]float64
	for si := range s.sizes {
		sm, baseScores, err := t.trainSize(ctx, si, base[si], fits[si], plans, fineScores, fineBase, progress)
		if err != nil {
			return nil, err
		}
		if si == 0 {
			fineBase = make(map[int]float64)
			for i, f := range base[0] {
				fineBase[f.win.index] = baseScores[i]
			}
		}
		m.Sizes = append(m.Sizes, *sm)
		out.baseScores = append(out.baseScores, baseScores)
		views := make(map[int]*baselineView, len(base[si]))
		for i, f := range base[si] {
			views[f.win.index] = fits[si].folds[fits[si].foldOf[i]]
		}
		out.folds.views = append(out.folds.views, views)
	}
	m.Trained.Windows = len(base[0])
	return out, nil
}

// newModel starts the model: what the baseline says of the application.
func (t trainer) newModel(templates []Template, full *baselineView) *Model {
	s := t.s
	m := &Model{
		Kind: modelKind, Version: ModelVersion, Created: time.Now().UTC(), Tool: "mimir-tui",
		Services:   slices.Clone(s.fz.ideOrder),
		Sensitive:  slices.Clone(s.sensitive),
		IdeHistory: s.opts.IdeHistory,
		Seed:       s.opts.Seed,
		Rates:      slices.Clone(s.opts.Rates),
	}
	for d := range s.dns {
		m.DNSServices = append(m.DNSServices, d)
	}
	for _, tp := range templates {
		m.Templates = append(m.Templates, tp.Name())
	}
	for p := range full.allow {
		m.Allowlist = append(m.Allowlist, p.String())
	}
	for p := range full.initiated {
		m.Initiated = append(m.Initiated, p.String())
	}
	for d := range full.domains {
		m.Domains = append(m.Domains, d)
	}
	for k := range full.ports {
		m.Ports = append(m.Ports, k.String())
	}
	for b := range full.beacons {
		m.Beacons = append(m.Beacons, b.String())
	}
	for _, l := range [][]string{m.DNSServices, m.Allowlist, m.Initiated, m.Domains, m.Ports, m.Beacons} {
		sort.Strings(l)
	}
	return m
}

// trainSize fits the model of size si; it returns the size's model and
// the cross-fitted scores of its baseline windows.
func (t trainer) trainSize(ctx context.Context, si int, base []*featurized, bf *baselineFit, plans []copyPlan,
	fineScores []map[int]float64, fineBase map[int]float64, progress stepFunc) (*SizeModel, []float64, error) {
	s := t.s
	ins := modelInputs(si > 0)
	rows, first := t.hostRows(base, plans)
	step := fmt.Sprintf("the %v model: injecting %d synthetic attack copies into %d rows drawn from %d baseline windows", s.sizes[si], len(plans), len(rows), len(base))
	err := t.buildRows(ctx, base, plans, rows, first, func(done, total int) { progress(step, done, total) }, func(row *trainingRow, f *featurized) {
		fine := math.NaN()
		if si > 0 {
			fine = peakScore(fineScores[row.copy], s.t0, int64(s.sizes[0]), f.win.start, f.win.end)
		}
		row.x = t.vector(ins, f, bf.folds[bf.foldOf[row.window]], fine).z
	})
	if err != nil {
		return nil, nil, err
	}
	X := make([][]float64, len(rows))
	y := make([]float64, len(rows))
	labels := make([]bool, len(rows))
	for r := range rows {
		X[r], labels[r] = rows[r].x, rows[r].label
		if labels[r] {
			y[r] = 1
		}
	}
	step = fmt.Sprintf("the %v model: fitting the LASSO on %d rows (5 cross-validation folds and a refit)", s.sizes[si], len(rows))
	lm, err := fitLasso(ctx, X, y, func(done, total int) { progress(step, done, total) })
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("train %v model: %w", s.sizes[si], err)
	}
	scores := make([]float64, len(rows))
	for r := range rows {
		scores[r] = lm.Predict(X[r])
		if si == 0 {
			fineScores[rows[r].copy][rows[r].index] = scores[r]
		}
	}
	th, f1 := stats.NearBestF1Threshold(scores, labels, thresholdTolerance)
	ide, ideLabels := t.trainingIde(rows)
	ideTh, _ := stats.BestF1Threshold(ide, ideLabels)
	sm := &SizeModel{
		SizeSeconds: s.sizes[si].Seconds(), Lasso: lm, F1Threshold: th, IdeThreshold: Float(ideTh),
		BaselineWindows: len(base), Baseline: bf.full.scaler.export(),
		Training: TrainingSummary{
			Rows: len(rows), Attacked: countTrue(labels), F1: Float(f1),
			AUC: Float(stats.AUC(scores, labels)), IdeAUC: Float(stats.AUC(ide, ideLabels)),
			Alpha: lm.Alpha, NonZero: lm.NonZero(),
		},
	}
	baseScores := t.baselineInputs(sm, ins, base, bf, fineBase)
	// An unfittable tail keeps its scores: the explorer still shows how
	// many benign windows a threshold would have flagged.
	tail, _ := stats.FitTail(baseScores)
	sm.BenignTail = &tail
	rate := s.opts.FalseAlarms
	if rate == 0 {
		rate = DefaultFalseAlarms
	}
	sm.Threshold, sm.ThresholdBasis = sm.defaultThreshold(rate, len(s.sizes))
	return sm, baseScores, nil
}

// baselineInputs fills the size model's inputs and their medians over the
// baseline windows, each scored out of fold, and returns those windows'
// scores.
func (t trainer) baselineInputs(sm *SizeModel, ins []input, base []*featurized, bf *baselineFit, fineBase map[int]float64) []float64 {
	cols := make([][]float64, len(ins))
	scores := make([]float64, len(base))
	for i, f := range base {
		fine := math.NaN()
		if fineBase != nil {
			fine = peakScore(fineBase, t.s.t0, int64(t.s.sizes[0]), f.win.start, f.win.end)
		}
		z := t.vector(ins, f, bf.folds[bf.foldOf[i]], fine).z
		scores[i] = sm.Lasso.Predict(z)
		for j := range ins {
			cols[j] = append(cols[j], z[j])
		}
	}
	for j, in := range ins {
		sm.Inputs = append(sm.Inputs, in.info.Name)
		sm.InputMedians = append(sm.InputMedians, stats.Median(cols[j]))
	}
	return scores
}

// vector is the model input of f against the baseline view bv.
func (t trainer) vector(ins []input, f *featurized, bv *baselineView, fine float64) vector {
	return vectorize(ins, f, baselineValues(f, bv), bv.scaler, t.s.fz.sensitive, fine)
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// fitBaseline computes, for the baseline windows of one size, the full
// baseline view and one out-of-fold view per contiguous fold: the
// allow-list, the DNS domains and the robust statistics each fold would
// have learned without it.
func (t trainer) fitBaseline(base []*featurized) *baselineFit {
	n := len(base)
	k := max(1, min(maxFolds, n))
	bf := &baselineFit{foldOf: make([]int, n)}
	bt := newBeaconTracker()
	for i := range base {
		bf.foldOf[i] = i * k / n
		// In order: a baseline window's beacons depend on those before.
		base[i] = bt.withBeacons(base[i])
	}
	view := func(skip int) *baselineView {
		bv := newBaselineView()
		for i, f := range base {
			if k == 1 || bf.foldOf[i] != skip {
				bv.learn(f)
			}
		}
		return bv
	}
	bf.full = view(-1)
	for fold := 0; fold < k; fold++ {
		if k > 1 {
			bf.folds = append(bf.folds, view(fold))
		} else {
			bf.folds = append(bf.folds, bf.full)
		}
	}
	// Each window's baseline families, out of fold, join its own values.
	rows := make([]map[featureKey]float64, n)
	for i, f := range base {
		rows[i] = mergeValues(f.values, baselineValues(f, bf.folds[bf.foldOf[i]]))
	}
	known := knownServices(t.s.fz.ideOrder)
	bf.full.scaler = fitScaler(rows, func(int) bool { return true }, known)
	for fold := range bf.folds {
		if k == 1 {
			break
		}
		bf.folds[fold].scaler = fitScaler(rows, func(i int) bool { return bf.foldOf[i] != fold }, known)
	}
	return bf
}

// mergeValues returns the union of a and b (b wins).
func mergeValues(a, b map[featureKey]float64) map[featureKey]float64 {
	out := make(map[featureKey]float64, len(a)+len(b))
	for k, x := range a {
		out[k] = x
	}
	for k, x := range b {
		out[k] = x
	}
	return out
}

// knownServices is the set of services (outside included) a model knows.
func knownServices(services []string) map[string]bool {
	known := make(map[string]bool, len(services)+1)
	for _, s := range services {
		known[s] = true
	}
	known[Outside] = true
	return known
}

// thresholdTolerance is how much training F1 the threshold may give up
// for a margin above the benign windows: the highest threshold within it
// of the best F1 is chosen. The faintest injected attacks (0.01 MB/min)
// are the ones it gives up; benign windows after the baseline vary more
// than the baseline's own, and a threshold that hugs them raises false
// alarms.
const thresholdTolerance = 0.02

// topology describes the application for the enumeration of synthetic
// attacks, with what the baseline saw.
func (t trainer) topology(bv *baselineView) Topology {
	s := t.s
	tp := Topology{
		Services: slices.Clone(s.services), Sensitive: s.sensitive, DNS: s.dns, VIPs: s.vips,
		Policy: s.opts.Policy, MaxHops: s.opts.MaxHops, MaxPaths: s.opts.MaxPaths,
		Peers: make(map[string][]string),
	}
	resolvers := make(map[string]bool)
	for p := range bv.allow {
		if s.dns[p.dst] && !s.dns[p.src] {
			resolvers[p.src] = true
		}
	}
	for p := range bv.initiated {
		tp.Peers[p.src] = append(tp.Peers[p.src], p.dst)
	}
	for svc := range tp.Peers {
		slices.Sort(tp.Peers[svc])
	}
	for svc := range resolvers {
		tp.Resolvers = append(tp.Resolvers, svc)
	}
	slices.Sort(tp.Resolvers)
	return tp
}

// trainingIde scores every copy's windows with the Ide & Kashima method,
// in time order within each copy.
func (t trainer) trainingIde(rows []trainingRow) ([]float64, []bool) {
	byCopy := make(map[int][]int)
	for r := range rows {
		byCopy[rows[r].copy] = append(byCopy[rows[r].copy], r)
	}
	copies := make([]int, 0, len(byCopy))
	for c := range byCopy {
		copies = append(copies, c)
	}
	slices.Sort(copies)
	var scores []float64
	var labels []bool
	for _, c := range copies {
		idx := byCopy[c]
		sort.Slice(idx, func(i, j int) bool { return rows[idx[i]].window < rows[idx[j]].window })
		var hist [][]float64
		for _, r := range idx {
			if len(hist) >= MinIdeHistory {
				scores = append(scores, graph.IdeScore(graph.TypicalPattern(hist), rows[r].activity))
				labels = append(labels, rows[r].label)
			}
			hist = append(hist, rows[r].activity)
			if len(hist) > t.s.opts.IdeHistory {
				hist = hist[1:]
			}
		}
	}
	return scores, labels
}

// export lists the scaler's statistics for a model file, in a stable order.
func (sc *scaler) export() []FeatureStat {
	out := make([]FeatureStat, 0, len(sc.stats))
	for k, st := range sc.stats {
		out = append(out, FeatureStat{Family: families[k.fam].name, A: k.a, B: k.b, Median: st.median, IQR: st.iqr})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Family != b.Family {
			return a.Family < b.Family
		}
		if a.A != b.A {
			return a.A < b.A
		}
		return a.B < b.B
	})
	return out
}
