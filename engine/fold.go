package engine

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"
)

// Suppression is an interval an analyst judged a false positive: what
// drove its windows is folded into the baseline so that the same benign
// behaviour does not alert again.
type Suppression struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Note  string    `json:"note,omitempty"`
}

// foldZ is the z a folded feature level has afterwards: unremarkable
// (below reasonZ), still above the median, so that a level well beyond the
// one judged benign stands out again.
const foldZ = 1.5

// fold is the state of the suppressions along one stream: the widened
// statistics per window size (the novelty goes to the stream's overlay).
type fold struct {
	spans []Suppression
	stats []map[featureKey]keyStat // per size
}

func newFold(spans []Suppression, sizes int) *fold {
	if len(spans) == 0 {
		return nil
	}
	f := &fold{spans: spans, stats: make([]map[featureKey]keyStat, sizes)}
	for i := range f.stats {
		f.stats[i] = make(map[featureKey]keyStat)
	}
	return f
}

// covers reports whether window win lies in a suppressed interval (overlaps
// it by at least half the window).
func (fo *fold) covers(win *window) bool {
	for _, s := range fo.spans {
		ov := min(win.end, s.End.UnixNano()) - max(win.start, s.Start.UnixNano())
		if 2*ov >= win.end-win.start {
			return true
		}
	}
	return false
}

// absorb folds what drove window f of size si into the baseline before f
// is scored: its service pairs, client calls, ports, DNS domains and
// beacons join overlay, and every feature more than reasonZ from its
// median (against view bv) gets a spread that puts its level at foldZ.
func (fo *fold) absorb(si int, f *featurized, bv, overlay *baselineView) {
	for p, e := range f.edges {
		if e.bytes > 0 && !bv.knows(p) {
			overlay.allow[p] = true
		}
		if e.client > 0 && !bv.called(p) {
			overlay.initiated[p] = true
		}
	}
	for k := range windowPorts(f.win) {
		overlay.ports[k] = true
	}
	for i := range f.win.dns {
		if d := &f.win.dns[i]; !f.win.nodes[d.src].dns {
			overlay.domains[d.domain] = true
		}
	}
	for _, b := range f.beacons {
		overlay.beacons[b.id] = true
	}
	for k, x := range f.values {
		z, ok := bv.scaler.z(k, x)
		if !ok || math.Abs(z) <= reasonZ {
			continue
		}
		st := bv.scaler.stat(k)
		st.iqr = math.Max(st.iqr, math.Abs(families[k.fam].transform(x)-st.median)/foldZ)
		fo.stats[si][k] = st
	}
}

// Revised is m with what the stream learned and folded taken into its
// baseline: the learned workloads' pairs, the suppressed intervals'
// novelty and widened feature spreads; its Revision is one more and it
// lists the suppressions. m itself is not modified.
func (st *Stream) revised(m *Model) (*Model, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("revise model: %w", err)
	}
	var r Model
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("revise model: %w", err)
	}
	r.Revision++
	r.Created = time.Now().UTC()
	if st.fold != nil {
		r.Suppressions = append(r.Suppressions, st.fold.spans...)
	}
	if ov := st.overlay; ov != nil {
		r.Allowlist = addStrings(r.Allowlist, maps.Keys(ov.allow))
		r.Initiated = addStrings(r.Initiated, maps.Keys(ov.initiated))
		r.Ports = addStrings(r.Ports, maps.Keys(ov.ports))
		r.Beacons = addStrings(r.Beacons, maps.Keys(ov.beacons))
		for d := range ov.domains {
			if !slices.Contains(r.Domains, d) {
				r.Domains = append(r.Domains, d)
			}
		}
		slices.Sort(r.Domains)
	}
	if st.fold != nil {
		for si, ss := range st.sc.series {
			sm := r.sizeModel(ss.size)
			for k, ks := range st.fold.stats[si] {
				sm.setStat(k, ks)
			}
		}
	}
	return &r, nil
}

// addStrings adds the String of each new item to list, sorted.
func addStrings[T fmt.Stringer](list []string, items func(func(T) bool)) []string {
	for it := range items {
		if s := it.String(); !slices.Contains(list, s) {
			list = append(list, s)
		}
	}
	slices.Sort(list)
	return list
}

// setStat sets feature k's baseline statistics in the size model.
func (sm *SizeModel) setStat(k featureKey, ks keyStat) {
	fs := FeatureStat{Family: families[k.fam].name, A: k.a, B: k.b, Median: ks.median, IQR: ks.iqr}
	for i := range sm.Baseline {
		if b := &sm.Baseline[i]; b.Family == fs.Family && b.A == fs.A && b.B == fs.B {
			*b = fs
			return
		}
	}
	sm.Baseline = append(sm.Baseline, fs)
}
