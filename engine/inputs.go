package engine

import (
	"fmt"
	"math"
	"slices"
)

// inputKind is how a model input is made from the features.
type inputKind uint8

const (
	inValue     inputKind = iota // a global family's z
	inMax                        // the largest z of a keyed family (at least 0)
	inMin                        // the smallest z of a keyed family (at most 0)
	inExcess                     // Σ max(0, z − reasonZ) over a keyed family
	inSensitive                  // the largest z of a keyed family's features about a sensitive service
	inFine                       // the finest series' peak score in this window
)

// famMaxFineScore is the coarse series' input that max-pools the finest
// series' scores (method.md §6's second stage).
const famMaxFineScore = "max_fine_score"

// input is one column the model sees. Its number does not depend on the
// application: a fixed list per window size.
type input struct {
	kind inputKind
	fam  famID
	info FeatureInfo
}

// modelInputs lists the inputs of a series, the coarse ones with the
// finest series' peak score last.
func modelInputs(coarse bool) []input {
	var out []input
	for id := range families {
		f := &families[id]
		if f.scope == scopeGlobal {
			out = append(out, input{kind: inValue, fam: famID(id), info: FeatureInfo{Name: f.name, Family: f.name, Description: featureKey{fam: famID(id)}.Describe()}})
			continue
		}
		for _, a := range []struct {
			agg    aggregate
			kind   inputKind
			prefix string
			doc    string
		}{
			{aggMax, inMax, "max_z", "largest robust z among the %s features of all services (0 when none is above its median)"},
			{aggMin, inMin, "min_z", "smallest robust z among the %s features of all services (0 when none is below its median)"},
			{aggExcess, inExcess, "excess_z", "how far the %s features of all services stand out together: Σ max(0, z − 3)"},
			{aggSensitive, inSensitive, "sens_z", "largest robust z among the %s features of the sensitive services (0 when none is above its median)"},
		} {
			if f.aggs&a.agg != 0 {
				name := a.prefix + "[" + f.name + "]"
				out = append(out, input{kind: a.kind, fam: famID(id), info: FeatureInfo{Name: name, Family: a.prefix, Description: fmt.Sprintf(a.doc, f.name)}})
			}
		}
	}
	if coarse {
		out = append(out, input{kind: inFine, info: FeatureInfo{Name: famMaxFineScore, Family: famMaxFineScore,
			Description: "highest score of the finer windows inside this window"}})
	}
	return out
}

// vector is a window's model input with what explains it: for each input,
// its z, the feature behind it (the maximum's or minimum's; the zero key
// for excess and the fine score) and that feature's raw value.
type vector struct {
	z     []float64
	key   []featureKey
	value []float64
	// scored holds the z of every scored feature of the window.
	scored map[featureKey]float64
}

// vectorize scales the window's features with sc and aggregates them into
// the inputs; base holds the baseline families' values, sensitive the
// sensitive services and fine the finest series' peak score (NaN when
// none).
func vectorize(ins []input, f *featurized, base map[featureKey]float64, sc *scaler, sensitive map[string]bool, fine float64) vector {
	v := vector{
		z:      make([]float64, len(ins)),
		key:    make([]featureKey, len(ins)),
		value:  make([]float64, len(ins)),
		scored: make(map[featureKey]float64, len(f.values)+len(base)),
	}
	score := func(k featureKey, x float64) {
		if z, ok := sc.z(k, x); ok {
			v.scored[k] = z
		}
	}
	for k, x := range f.values {
		score(k, x)
	}
	for k, x := range base {
		score(k, x)
	}
	aggregated := make(map[famID]bool, len(ins))
	excess := make(map[int][]float64)
	at := make(map[inputKey]int, len(ins))
	for i, in := range ins {
		at[inputKey{in.kind, in.fam}] = i
		aggregated[in.fam] = in.kind == inMax || in.kind == inMin || in.kind == inExcess || in.kind == inSensitive
		if in.kind == inValue {
			k := featureKey{fam: in.fam}
			v.z[i], v.key[i], v.value[i] = v.scored[k], k, valueOf(f, base, k)
		}
	}
	for k, z := range v.scored {
		if !aggregated[k.fam] {
			continue
		}
		if i, ok := at[inputKey{inMax, k.fam}]; ok && (z > v.z[i] || (z == v.z[i] && z > 0 && keyLess(k, v.key[i]))) {
			v.z[i], v.key[i], v.value[i] = z, k, valueOf(f, base, k)
		}
		if i, ok := at[inputKey{inMin, k.fam}]; ok && (z < v.z[i] || (z == v.z[i] && z < 0 && keyLess(k, v.key[i]))) {
			v.z[i], v.key[i], v.value[i] = z, k, valueOf(f, base, k)
		}
		if i, ok := at[inputKey{inExcess, k.fam}]; ok && z > reasonZ {
			excess[i] = append(excess[i], z-reasonZ)
		}
		if i, ok := at[inputKey{inSensitive, k.fam}]; ok && sensitive[k.a] && (z > v.z[i] || (z == v.z[i] && z > 0 && keyLess(k, v.key[i]))) {
			v.z[i], v.key[i], v.value[i] = z, k, valueOf(f, base, k)
		}
	}
	// Summed in sorted order: the map's order must not change the last bits.
	for i, terms := range excess {
		slices.Sort(terms)
		for _, x := range terms {
			v.z[i] += x
		}
	}
	if i, ok := at[inputKey{inFine, 0}]; ok {
		if math.IsNaN(fine) {
			fine = 0
		}
		v.z[i], v.value[i] = fine, fine
	}
	for i, in := range ins {
		if in.kind == inExcess {
			v.value[i] = v.z[i]
		}
	}
	return v
}

type inputKey struct {
	kind inputKind
	fam  famID
}

// keyLess orders keys so that ties between equal z pick the same feature
// whatever the map order.
func keyLess(a, b featureKey) bool {
	if a.a != b.a {
		return a.a < b.a
	}
	return a.b < b.b
}

// valueOf returns the raw value of feature k in a window: its own, or a
// baseline family's; 0 when absent (NaN for an absent ratio).
func valueOf(f *featurized, base map[featureKey]float64, k featureKey) float64 {
	if x, ok := f.values[k]; ok {
		return x
	}
	if x, ok := base[k]; ok {
		return x
	}
	if families[k.fam].missing {
		return math.NaN()
	}
	return 0
}
