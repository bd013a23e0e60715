package engine

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/mimir-tui/mimir-tui/engine/graph"
	"github.com/mimir-tui/mimir-tui/engine/lasso"
	"github.com/mimir-tui/mimir-tui/engine/stats"
)

// maxTrainingRows bounds the rows of one size's training set; longer
// baselines are sampled in contiguous segments per synthetic copy.
const maxTrainingRows = 20000

// maxFolds is the number of contiguous baseline folds used for
// cross-fitting the baseline statistics.
const maxFolds = 10

// copyPlan is one synthetic copy of the baseline: a template at a rate,
// scheduled over a segment of the baseline.
type copyPlan struct {
	template Template
	rate     float64
	episodes []Episode
	from, to int64 // the segment of the baseline it covers
}

// trainingRow is one window of one copy.
type trainingRow struct {
	copy   int
	window int // position in the size's baseline windows
	f      *featurized
	label  bool
}

// baselineFit holds the cross-fitted baseline statistics of one size.
type baselineFit struct {
	full   *baselineView
	folds  []*baselineView
	foldOf []int // by position in the baseline windows
}

// fitBaseline computes, for the baseline windows of one size, the full
// baseline view and one out-of-fold view per contiguous fold: the
// allow-list, the DNS domains and the robust scaler each fold would have
// learned without it. Scoring a baseline window with its out-of-fold view
// makes its score as honest as a later window's.
func (a *analysis) fitBaseline(base []*featurized) *baselineFit {
	n := len(base)
	k := min(maxFolds, n)
	bf := &baselineFit{foldOf: make([]int, n)}
	if k < 2 {
		k = 1
	}
	for i := range base {
		bf.foldOf[i] = i * k / max(n, 1)
	}
	pairsOf := func(f *featurized) []servicePair {
		var out []servicePair
		for p, e := range f.edges {
			if e.bytes > 0 {
				out = append(out, p)
			}
		}
		return out
	}
	domainsOf := func(f *featurized) []string {
		var out []string
		for i := range f.win.dns {
			if !f.win.nodes[f.win.dns[i].src].dns {
				out = append(out, f.win.dns[i].domain)
			}
		}
		return out
	}
	view := func(skip int) *baselineView {
		bv := &baselineView{allow: make(map[servicePair]bool), initiated: make(map[servicePair]bool), domains: make(map[string]bool)}
		for i, f := range base {
			if k > 1 && bf.foldOf[i] == skip {
				continue
			}
			for _, p := range pairsOf(f) {
				bv.allow[p] = true
				if f.edges[p].client > 0 || f.edges[p].conns > 0 {
					bv.initiated[p] = true
				}
			}
			for _, d := range domainsOf(f) {
				bv.domains[d] = true
			}
		}
		return bv
	}
	bf.full = view(-1)
	for f := 0; f < k; f++ {
		if k > 1 {
			bf.folds = append(bf.folds, view(f))
		} else {
			bf.folds = append(bf.folds, bf.full)
		}
	}
	// Baseline-dependent columns of each baseline window, out of fold.
	rows := make([][]float64, n)
	for i, f := range base {
		raw := slices.Clone(f.raw)
		a.fs.fillBaselineFeatures(f, bf.folds[bf.foldOf[i]], raw)
		rows[i] = a.transformRow(raw)
	}
	bf.full.scaler = a.fitScaler(rows)
	for f := range bf.folds {
		if k == 1 {
			break
		}
		var in [][]float64
		for i := range rows {
			if bf.foldOf[i] != f {
				in = append(in, rows[i])
			}
		}
		bf.folds[f].scaler = a.fitScaler(in)
	}
	return bf
}

// fitScaler fits the robust scaler to rows (one per window, transformed)
// and applies the families' IQR floors.
func (a *analysis) fitScaler(rows [][]float64) *stats.Robust {
	sc := fitColumns(rows)
	a.fs.floorIQR(sc.IQR)
	// A ratio or mean the baseline never observed (no DNS query from that
	// service, no traffic between two services) has no reference: it
	// scores 0 whatever its value. Its volume and count features, which the
	// baseline did observe as 0, carry the news.
	for j := range a.fs.cols {
		if !missingFamilies[a.fs.cols[j].Family] {
			continue
		}
		observed := false
		for _, r := range rows {
			if !math.IsNaN(r[j]) {
				observed = true
				break
			}
		}
		if !observed {
			sc.IQR[j] = unobservedIQR
		}
	}
	return sc
}

// unobservedIQR is the spread given to features the baseline never
// observed, so that their z is 0 (JSON cannot store an infinite spread).
const unobservedIQR = 1e300

func fitColumns(rows [][]float64) *stats.Robust {
	if len(rows) == 0 {
		return stats.FitRobust(nil)
	}
	cols := make([][]float64, len(rows[0]))
	for j := range cols {
		cols[j] = make([]float64, len(rows))
		for i, r := range rows {
			cols[j][i] = r[j]
		}
	}
	return stats.FitRobust(cols)
}

// transformRow applies each column's transform.
func (a *analysis) transformRow(raw []float64) []float64 {
	out := make([]float64, len(raw))
	for j, x := range raw {
		out[j] = a.fs.cols[j].transform(x)
	}
	return out
}

// plans lays out the synthetic copies of the baseline span [from, to):
// every template at every rate, each with its own seeded schedule. When
// the baseline is long, each copy covers a seeded contiguous segment so
// the training set stays within maxTrainingRows.
func (a *analysis) plans(templates []Template, from, to int64) []copyPlan {
	finest := int64(a.sizes[0])
	n := len(templates) * len(a.opts.Rates)
	span := to - from
	if limit := int64(maxTrainingRows/max(n, 1)) * finest; limit > 0 && span > limit {
		span = max(limit, int64(a.opts.Episode)*2)
	}
	var out []copyPlan
	for _, t := range templates {
		for _, rate := range a.opts.Rates {
			rng := rand.New(rand.NewPCG(uint64(a.opts.Seed), uint64(len(out))))
			segFrom := from
			if slack := (to - from - span) / finest; slack > 0 {
				segFrom += rng.Int64N(slack+1) * finest
			}
			segTo := min(to, segFrom+span)
			eps := Schedule(t, rate, segFrom, segTo, int64(a.opts.Episode), finest, rng)
			for i := range eps {
				a.inj.choosePods(&eps[i], rng)
			}
			out = append(out, copyPlan{template: t, rate: rate, episodes: eps, from: segFrom, to: segTo})
		}
	}
	return out
}

// buildRows injects every copy into the baseline windows of one size.
func (a *analysis) buildRows(ctx context.Context, base []*featurized, plans []copyPlan) ([]trainingRow, error) {
	var rows []trainingRow
	for c, p := range plans {
		for i, f := range base {
			if f.win.start < p.from || f.win.end > p.to {
				continue
			}
			rows = append(rows, trainingRow{copy: c, window: i, f: f})
		}
	}
	err := parallel(ctx, len(rows), a.opts.Workers, func(r int) {
		row := &rows[r]
		var win *window
		for e := range plans[row.copy].episodes {
			ep := &plans[row.copy].episodes[e]
			if overlap(row.f.win, ep.Start, ep.End) <= 0 {
				continue
			}
			if win == nil {
				win = row.f.win.clone()
			}
			a.inj.apply(win, ep)
		}
		if win != nil {
			row.f = a.fs.featurize(win)
			row.label = true
		}
	})
	return rows, err
}

// train fits the model of every size on the baseline windows plus
// synthetic attacks (method.md §6–7) and prepares the series for scoring.
func (a *analysis) train(ctx context.Context, base [][]*featurized) (*Model, error) {
	for si, b := range base {
		if len(b) == 0 {
			return nil, fmt.Errorf("the baseline holds no complete %v window: use a longer --baseline, a longer capture, or leave that size out of --window", a.sizes[si])
		}
	}
	from := base[0][0].win.start
	to := base[0][len(base[0])-1].win.end
	fits := make([]*baselineFit, len(a.sizes))
	for si := range a.sizes {
		fits[si] = a.fitBaseline(base[si])
	}
	templates := Templates(a.topology(fits[0].full))
	plans := a.plans(templates, from, to)

	m := &Model{
		Kind:       modelKind,
		Version:    ModelVersion,
		Created:    time.Now().UTC(),
		Tool:       "mimir-tui",
		Services:   slices.Clone(a.fs.services),
		Sensitive:  slices.Clone(a.sensitive),
		IdeHistory: a.opts.IdeHistory,
		Seed:       a.opts.Seed,
		Rates:      slices.Clone(a.opts.Rates),
	}
	for s := range a.dnsSvcs {
		m.DNSServices = append(m.DNSServices, s)
	}
	slices.Sort(m.DNSServices)
	for _, t := range templates {
		m.Templates = append(m.Templates, t.Name())
	}

	// fineScores[copy][fine window index] for the coarser sizes' peak column.
	fineScores := make([]map[int]float64, len(plans))
	for i := range fineScores {
		fineScores[i] = make(map[int]float64)
	}
	a.series = make([]*seriesState, len(a.sizes))
	for si, size := range a.sizes {
		bf := fits[si]
		rows, err := a.buildRows(ctx, base[si], plans)
		if err != nil {
			return nil, err
		}
		lay := newLayout(a.fs, si > 0)
		X := make([][]float64, len(rows))
		y := make([]float64, len(rows))
		labels := make([]bool, len(rows))
		attacked := 0
		err = parallel(ctx, len(rows), a.opts.Workers, func(r int) {
			row := &rows[r]
			bv := bf.folds[bf.foldOf[row.window]]
			raw := slices.Clone(row.f.raw)
			a.fs.fillBaselineFeatures(row.f, bv, raw)
			fine := math.NaN()
			if si > 0 {
				fine = peakScore(fineScores[row.copy], a.t0, int64(a.sizes[0]), row.f.win.start, row.f.win.end)
			}
			X[r] = lay.vectorize(raw, bv.scaler, fine).z
		})
		if err != nil {
			return nil, err
		}
		for r := range rows {
			labels[r] = rows[r].label
			if rows[r].label {
				y[r] = 1
				attacked++
			}
		}
		lm, err := fitLasso(X, y)
		if err != nil {
			return nil, fmt.Errorf("train %v model: %w", size, err)
		}
		scores := make([]float64, len(rows))
		for r := range rows {
			scores[r] = lm.Predict(X[r])
			if si == 0 {
				fineScores[rows[r].copy][rows[r].f.win.index] = scores[r]
			}
		}
		th, f1 := stats.NearBestF1Threshold(scores, labels, thresholdTolerance)
		ide, ideLabels := a.trainingIde(rows)
		ideTh, _ := stats.BestF1Threshold(ide, ideLabels)
		sm := SizeModel{
			SizeSeconds:     size.Seconds(),
			Features:        lay.names(),
			Scaler:          bf.full.scaler,
			Lasso:           lm,
			Threshold:       th,
			IdeThreshold:    Float(ideTh),
			BaselineWindows: len(base[si]),
			Training: TrainingSummary{
				Rows: len(rows), Attacked: attacked, F1: Float(f1),
				AUC: Float(stats.AUC(scores, labels)), IdeAUC: Float(stats.AUC(ide, ideLabels)),
				Alpha: lm.Alpha, NonZero: nonZero(lm.Coef),
			},
		}
		m.Sizes = append(m.Sizes, sm)
		if si == 0 {
			for p := range bf.full.allow {
				m.Allowlist = append(m.Allowlist, p.String())
			}
			for d := range bf.full.domains {
				m.Domains = append(m.Domains, d)
			}
			for p := range bf.full.initiated {
				m.Initiated = append(m.Initiated, p.String())
			}
			sort.Strings(m.Initiated)
			sort.Strings(m.Allowlist)
			sort.Strings(m.Domains)
		}
		st := a.newSeries(si, &m.Sizes[si], lay, bf.full)
		st.folds = bf.folds
		for i, f := range base[si] {
			st.foldOf[f.win.index] = bf.foldOf[i]
		}
		a.series[si] = st
	}
	for si := range a.series {
		a.series[si].sm = &m.Sizes[si]
		a.series[si].fine = a.series[0]
	}
	m.Trained.Windows = len(base[0])
	a.model = m
	return m, nil
}

// thresholdTolerance is how much training F1 the threshold may give up
// for a margin above the benign windows: the highest threshold within it
// of the best F1 is chosen. The faintest injected attacks (0.01 MB/min)
// are the ones it gives up; benign windows after the baseline vary more
// than the baseline's own, and a threshold that hugs them raises false
// alarms.
const thresholdTolerance = 0.02

// maxSweeps bounds coordinate-descent sweeps per alpha. Where more are
// needed the path is deep in the interpolating regime (tiny alphas, more
// features than rows), which cross-validation rejects anyway.
const maxSweeps = 200

// fitLasso fits the LASSO with cross-validated alpha (method.md §6: 5
// contiguous folds, a 100-point log path, eps 1e-3). Columns that are
// constant over the training rows cannot enter the model, so they are left
// out of the fit (their weight is 0) to save most of its time.
func fitLasso(X [][]float64, y []float64) (*lasso.Model, error) {
	if len(X) == 0 {
		return nil, fmt.Errorf("no training rows")
	}
	p := len(X[0])
	var keep []int
	for j := 0; j < p; j++ {
		for i := 1; i < len(X); i++ {
			if X[i][j] != X[0][j] {
				keep = append(keep, j)
				break
			}
		}
	}
	Xk := make([][]float64, len(X))
	for i, row := range X {
		Xk[i] = make([]float64, len(keep))
		for k, j := range keep {
			Xk[i][k] = row[j]
		}
	}
	if len(keep) == 0 {
		// Nothing varies: a constant model (every window scores the same).
		var mean float64
		for _, v := range y {
			mean += v
		}
		return &lasso.Model{Intercept: mean / float64(len(y)), Coef: make([]float64, p)}, nil
	}
	// glmnet's stopping rule keeps the path from grinding through alphas
	// that only interpolate the rows (more features than rows).
	m, err := lasso.FitCV(Xk, y, lasso.Options{Folds: 5, NAlphas: 100, Eps: 1e-3, Saturation: 1e-3, MaxIter: maxSweeps})
	if err != nil {
		return nil, err
	}
	coef := make([]float64, p)
	for k, j := range keep {
		coef[j] = m.Coef[k]
	}
	m.Coef = coef
	return m, nil
}

// topology describes the application for the enumeration of synthetic
// attacks, with what the baseline saw.
func (a *analysis) topology(bv *baselineView) Topology {
	t := Topology{
		Sensitive: a.sensitive, DNS: a.dnsSvcs, VIPs: a.vips, Policy: a.opts.Policy,
		MaxHops: a.opts.MaxHops, MaxPaths: a.opts.MaxPaths,
		Peers: make(map[string][]string),
	}
	for _, s := range a.fs.services {
		if s != Outside {
			t.Services = append(t.Services, s)
		}
	}
	resolvers := make(map[string]bool)
	for p := range bv.allow {
		if a.dnsSvcs[p.dst] && !a.dnsSvcs[p.src] {
			resolvers[p.src] = true
		}
	}
	for p := range bv.initiated {
		t.Peers[p.src] = append(t.Peers[p.src], p.dst)
	}
	for s := range t.Peers {
		slices.Sort(t.Peers[s])
	}
	for s := range resolvers {
		t.Resolvers = append(t.Resolvers, s)
	}
	slices.Sort(t.Resolvers)
	return t
}

// newSeries prepares the scoring state of size si.
func (a *analysis) newSeries(si int, sm *SizeModel, lay *layout, full *baselineView) *seriesState {
	return &seriesState{
		a:       a,
		idx:     si,
		size:    a.sizes[si],
		layout:  lay,
		sm:      sm,
		full:    full,
		foldOf:  make(map[int]int),
		scoreAt: make(map[int]float64),
		first:   a.t0,
	}
}

// useModel prepares scoring with a loaded model.
func (a *analysis) useModel(m *Model) error {
	a.model = m
	full := &baselineView{allow: make(map[servicePair]bool), initiated: make(map[servicePair]bool), domains: make(map[string]bool)}
	for _, list := range []struct {
		entries []string
		set     map[servicePair]bool
	}{{m.Allowlist, full.allow}, {m.Initiated, full.initiated}} {
		for _, s := range list.entries {
			p, ok := parseServicePair(s)
			if !ok {
				return fmt.Errorf("model service pair %q is not 'a -> b': the model file is damaged; retrain it", s)
			}
			list.set[p] = true
		}
	}
	for _, d := range m.Domains {
		full.domains[d] = true
	}
	a.series = make([]*seriesState, len(a.sizes))
	for si, size := range a.sizes {
		var sm *SizeModel
		for i := range m.Sizes {
			if m.Sizes[i].Size() == size {
				sm = &m.Sizes[i]
			}
		}
		if sm == nil {
			var have []string
			for i := range m.Sizes {
				have = append(have, m.Sizes[i].Size().String())
			}
			return fmt.Errorf("the model has no %v window size (it has %v): pass --window with those sizes or retrain", size, have)
		}
		lay := newLayout(a.fs, si > 0)
		if !slices.Equal(lay.names(), sm.Features) {
			return fmt.Errorf("the %v model's features do not match this build's layout (finest size first?): retrain it with this build and the same --window list", size)
		}
		v := *full
		v.scaler = sm.Scaler
		a.series[si] = a.newSeries(si, sm, lay, &v)
		a.series[si].fine = a.series[0]
	}
	return nil
}

// trainingIde scores every copy's windows with the Ide & Kashima method,
// in time order within each copy.
func (a *analysis) trainingIde(rows []trainingRow) ([]float64, []bool) {
	byCopy := make(map[int][]int)
	for r := range rows {
		byCopy[rows[r].copy] = append(byCopy[rows[r].copy], r)
	}
	var scores []float64
	var labels []bool
	copies := make([]int, 0, len(byCopy))
	for c := range byCopy {
		copies = append(copies, c)
	}
	slices.Sort(copies)
	for _, c := range copies {
		idx := byCopy[c]
		sort.Slice(idx, func(i, j int) bool { return rows[idx[i]].window < rows[idx[j]].window })
		var hist [][]float64
		for _, r := range idx {
			if len(hist) >= minIdeHistory {
				scores = append(scores, graph.IdeScore(graph.TypicalPattern(hist), rows[r].f.activity))
				labels = append(labels, rows[r].label)
			}
			hist = append(hist, rows[r].f.activity)
			if len(hist) > a.opts.IdeHistory {
				hist = hist[1:]
			}
		}
	}
	return scores, labels
}

func nonZero(xs []float64) int {
	n := 0
	for _, x := range xs {
		if x != 0 {
			n++
		}
	}
	return n
}
