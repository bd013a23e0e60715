package engine

import (
	"math"
	"slices"

	"github.com/mimir-tui/mimir-tui/engine/stats"
)

// keyStat is a feature's baseline median and spread, in the family's
// transformed units.
type keyStat struct{ median, iqr float64 }

// scaler turns raw feature values into robust z-scores against the
// baseline (method.md §6): z = (t(x) − median) / IQR, clipped to ±100.
// Only features the baseline observed have statistics; the others are
// measured against a baseline of 0 with their family's IQR floor (a pair
// never seen carries its bytes as news), except ratios, which score 0
// without a reference. Features about services the baseline did not know
// are not scored at all.
type scaler struct {
	stats map[featureKey]keyStat
	known map[string]bool // services the baseline knew, outside included
	// over, when set, overrides stats: the spreads widened by an
	// analyst's false-positive verdicts (fold.go).
	over map[featureKey]keyStat
}

// stat is k's statistics: overridden, observed, or the family's default
// (median 0, the IQR floor).
func (sc *scaler) stat(k featureKey) keyStat {
	if st, ok := sc.over[k]; ok {
		return st
	}
	if st, ok := sc.stats[k]; ok {
		return st
	}
	return keyStat{median: 0, iqr: families[k.fam].floor}
}

// z returns the robust z of feature k with raw value x, and whether k is
// scored.
func (sc *scaler) z(k featureKey, x float64) (float64, bool) {
	if (k.a != "" && !sc.known[k.a]) || (k.b != "" && !sc.known[k.b]) {
		return 0, false
	}
	if math.IsNaN(x) {
		return 0, true
	}
	f := &families[k.fam]
	_, over := sc.over[k]
	_, seen := sc.stats[k]
	if !over && !seen && f.missing {
		return 0, true
	}
	st := sc.stat(k)
	z := (f.transform(x) - st.median) / st.iqr
	return math.Max(-stats.Clip, math.Min(stats.Clip, z)), true
}

// median returns the baseline median of k in raw units (0 when the
// baseline never observed it).
func (sc *scaler) median(k featureKey) float64 {
	return families[k.fam].untransform(sc.stat(k).median)
}

// fitScaler fits the statistics of every feature that the windows in rows
// (raw values, baseline families included) observe, over the rows for
// which use(i) holds. A feature absent from a window is 0 there, unless
// its family is a ratio or mean, which is then missing.
func fitScaler(rows []map[featureKey]float64, use func(i int) bool, known map[string]bool) *scaler {
	sc := &scaler{stats: make(map[featureKey]keyStat), known: known}
	n := 0
	byKey := make(map[featureKey][]float64)
	for i, row := range rows {
		if !use(i) {
			continue
		}
		n++
		for k, x := range row {
			if !math.IsNaN(x) {
				byKey[k] = append(byKey[k], families[k.fam].transform(x))
			}
		}
	}
	for k, v := range byKey {
		f := &families[k.fam]
		if !f.missing {
			// Windows without the feature saw 0 (transformed 0 too).
			v = append(v, make([]float64, n-len(v))...)
		}
		slices.Sort(v)
		iqr := stats.QuantileSorted(v, 0.75) - stats.QuantileSorted(v, 0.25)
		sc.stats[k] = keyStat{median: stats.QuantileSorted(v, 0.5), iqr: math.Max(iqr, f.floor)}
	}
	return sc
}
