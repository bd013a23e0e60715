package engine

import (
	"math"
	"slices"
	"sort"
	"time"

	"github.com/mimir-tui/mimir-tui/engine/graph"
	"github.com/mimir-tui/mimir-tui/engine/stats"
)

// derivedFamilies get a "max_z[family]" column: the largest robust z among
// the family's columns. It lets a model trained on attacks from some
// services recognise the same attack from any other service.
var derivedFamilies = []string{
	famOutsideBytes, famOutsideConns, famOutsidePeers, famPairBytes, famPairConns, famFanOut,
	famDNSQueries, famDNSBytes, famDNSNamesPerDom, famDNSMaxNameLen, famDNSEntropy,
}

const famMaxZ = "max_z"

// featurized is a window with its raw features computed.
type featurized struct {
	win      *window
	raw      []float64 // base columns; baseline-dependent ones filled at scoring time
	activity []float64 // Ide & Kashima activity vector over the feature set's services
	edges    map[servicePair]*edgeStat
}

// featurize computes everything about win that depends on it alone.
func (fs *featureSet) featurize(win *window) *featurized {
	f := &featurized{win: win, raw: make([]float64, len(fs.cols))}
	fs.compute(win, f.raw)
	f.edges = win.serviceEdges()
	f.activity = fs.activity(win)
	return f
}

// activity is the principal eigenvector of the service graph's symmetric
// byte adjacency over the feature set's service list.
func (fs *featureSet) activity(win *window) []float64 {
	if len(win.edges) == 0 {
		return make([]float64, len(fs.services))
	}
	sg := win.podGraph().Collapse(func(id int) string { return win.nodes[id].service })
	return graph.Activity(sg, fs.services)
}

// baselineView is what the scoring of a window may know of the baseline:
// the allow-listed service pairs and DNS domains, and the scaler. For a
// baseline window these come from the other folds of the baseline, so that
// its score is as honest as a later window's.
type baselineView struct {
	allow map[servicePair]bool
	// initiated holds the service pairs along which the baseline saw
	// client traffic (requests: from the higher port to the lower), in
	// that direction.
	initiated map[servicePair]bool
	domains   map[string]bool
	scaler    *stats.Robust
}

// fillBaselineFeatures computes the columns that compare a window with
// the baseline: new service pairs, their bytes, new DNS domains.
func (fs *featureSet) fillBaselineFeatures(f *featurized, bv *baselineView, raw []float64) {
	var pairs, bytes float64
	for p, e := range f.edges {
		if !bv.allow[p] && e.bytes > 0 {
			pairs++
			bytes += e.bytes
		}
	}
	raw[fs.index[famNewPairs]] = pairs
	raw[fs.index[famNewPairBytes]] = bytes
	var initiations float64
	for p, e := range f.edges {
		if e.client > 0 && !bv.initiated[p] {
			initiations += e.client
		}
	}
	raw[fs.index[famNewInitiations]] = initiations
	seen := make(map[string]bool)
	for i := range f.win.dns {
		d := &f.win.dns[i]
		if !bv.domains[d.domain] && !seen[d.domain] && !f.win.nodes[d.src].dns {
			seen[d.domain] = true
		}
	}
	raw[fs.index[famDNSNewDomains]] = float64(len(seen))
}

// layout is the full column list a model sees: the base features, the
// derived max_z columns and, for a coarse series, the finer series' peak.
type layout struct {
	fs       *featureSet
	infos    []FeatureInfo
	derived  [][]int // per derived column, the base columns it maximises
	withFine bool
}

func newLayout(fs *featureSet, withFine bool) *layout {
	l := &layout{fs: fs, infos: fs.infos(), withFine: withFine}
	for _, fam := range derivedFamilies {
		var cols []int
		for j, c := range fs.cols {
			if c.Family == fam {
				cols = append(cols, j)
			}
		}
		if len(cols) == 0 {
			continue
		}
		l.derived = append(l.derived, cols)
		l.infos = append(l.infos, FeatureInfo{
			Name:        famMaxZ + "[" + fam + "]",
			Family:      famMaxZ,
			Description: "largest robust z among the " + fam + " features of all services",
		})
	}
	if withFine {
		l.infos = append(l.infos, FeatureInfo{Name: famMaxFineScore, Family: famMaxFineScore, Description: familyDoc[famMaxFineScore]})
	}
	return l
}

func (l *layout) names() []string {
	out := make([]string, len(l.infos))
	for i, in := range l.infos {
		out[i] = in.Name
	}
	return out
}

// vector is a window's model input: z-scores of the base columns, derived
// columns and the finer peak; argmax records which base column each
// derived column took its value from.
type vector struct {
	raw    []float64 // raw values of every column (derived: their z; fine: the peak)
	z      []float64
	argmax []int
}

// vectorize scales raw (base columns, baseline features filled) with sc.
func (l *layout) vectorize(raw []float64, sc *stats.Robust, fine float64) vector {
	nb := len(l.fs.cols)
	v := vector{
		raw:    make([]float64, len(l.infos)),
		z:      make([]float64, len(l.infos)),
		argmax: make([]int, len(l.derived)),
	}
	copy(v.raw, raw)
	for j := 0; j < nb; j++ {
		v.z[j] = sc.Z(j, l.fs.cols[j].transform(raw[j]))
	}
	for d, cols := range l.derived {
		best, arg := math.Inf(-1), cols[0]
		for _, j := range cols {
			if v.z[j] > best {
				best, arg = v.z[j], j
			}
		}
		v.z[nb+d] = best
		v.raw[nb+d] = best
		v.argmax[d] = arg
	}
	if l.withFine {
		last := len(l.infos) - 1
		if math.IsNaN(fine) {
			fine = 0
		}
		v.z[last] = fine
		v.raw[last] = fine
	}
	return v
}

// seriesState scores the windows of one size in order.
type seriesState struct {
	a      *analysis
	idx    int
	size   time.Duration
	layout *layout
	sm     *SizeModel
	full   *baselineView
	// folds holds the out-of-fold baseline views of the baseline windows,
	// and foldOf maps a baseline window index to its fold.
	folds  []*baselineView
	foldOf map[int]int

	// fine is the finest series, whose scores a coarse series max-pools.
	fine *seriesState

	history [][]float64 // activity vectors of the windows scored so far
	// scores of this series by window index, for the coarser series' peak.
	scoreAt map[int]float64
	first   int64 // start of window 0
}

// viewFor returns the baseline view used to score window index i.
func (s *seriesState) viewFor(i int) (*baselineView, bool) {
	if f, ok := s.foldOf[i]; ok {
		return s.folds[f], true
	}
	return s.full, false
}

// fineScore is the highest score of the finest series among its windows
// that overlap [start, end).
func (s *seriesState) fineScore(start, end int64) float64 {
	return peakScore(s.fine.scoreAt, s.fine.first, int64(s.fine.size), start, end)
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

// score analyses one featurized window of this series.
func (s *seriesState) score(f *featurized) WindowResult {
	win := f.win
	bv, inBaseline := s.viewFor(win.index)
	raw := slices.Clone(f.raw)
	s.layout.fs.fillBaselineFeatures(f, bv, raw)
	fine := math.NaN()
	if s.layout.withFine {
		fine = s.fineScore(win.start, win.end)
	}
	v := s.layout.vectorize(raw, bv.scaler, fine)
	score := s.sm.Lasso.Predict(v.z)

	r := WindowResult{
		Size:     s.size,
		Index:    win.index,
		Start:    time.Unix(0, win.start).UTC(),
		End:      time.Unix(0, win.end).UTC(),
		Partial:  win.partial,
		Baseline: inBaseline,
		Packets:  win.packets,
		Bytes:    win.bytes,
		Score:    score,
		Values:   v.raw,
		IdeScore: math.NaN(),
	}
	for j, w := range s.sm.Lasso.Coef {
		if w == 0 {
			continue
		}
		c := Contribution{Feature: j, Name: s.layout.infos[j].Name, Value: v.raw[j], Z: v.z[j], Weight: w, Contrib: w * v.z[j]}
		if j < len(s.layout.fs.cols) {
			c.Median = s.layout.fs.cols[j].untransform(bv.scaler.Median[j])
		}
		r.Contributions = append(r.Contributions, c)
	}
	sort.SliceStable(r.Contributions, func(i, j int) bool {
		return math.Abs(r.Contributions[i].Contrib) > math.Abs(r.Contributions[j].Contrib)
	})

	// Ide & Kashima: the typical pattern of the previous W windows.
	if h := s.history; len(h) >= minIdeHistory {
		r.IdeScore = graph.IdeScore(graph.TypicalPattern(h), f.activity)
	}
	s.history = append(s.history, f.activity)
	if w := s.a.ideHistory(); len(s.history) > w {
		s.history = s.history[len(s.history)-w:]
	}

	r.Edges, r.AllowlistAlert = s.edges(f, bv)
	r.Flagged = s.explain(f, bv, v, &r)
	if s.scoreAt != nil {
		s.scoreAt[win.index] = score
	}
	return r
}

// minIdeHistory is how many earlier windows the Ide & Kashima score needs
// at least; it uses up to Options.IdeHistory.
const minIdeHistory = 2

// edges lists the window's service graph for display and reports whether
// it holds a pair the allow-list does not.
func (s *seriesState) edges(f *featurized, bv *baselineView) ([]Edge, bool) {
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

// floorDiv divides rounding towards minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// fork returns a copy of s for scoring a synthetic timeline: same model
// and baseline, its own history and scores.
func (s *seriesState) fork(history [][]float64, fine *seriesState) *seriesState {
	c := *s
	c.history = slices.Clone(history)
	c.scoreAt = make(map[int]float64)
	c.fine = fine
	if fine == nil {
		c.fine = &c
	}
	return &c
}
