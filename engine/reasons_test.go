package engine

import (
	"fmt"
	"testing"
)

// TestReasonsHandComputed checks the evidence on every edge of the hand
// window (features_test.go) against a baseline that saw the pairs among a,
// b and dns but never b talking to outside, no client traffic from b, and
// no DNS domain; without baseline statistics every volume is measured
// against 0 with its family's IQR floor (0.5 log units).
func TestReasonsHandComputed(t *testing.T) {
	fz := newFeaturizer([]string{"a", "b", "dns"}, []string{"a"}, map[string]bool{"dns": true})
	f := fz.featurize(handWindow())
	bv := newBaselineView()
	for _, p := range []servicePair{{"a", "b"}, {"b", "a"}, {"a", "dns"}} {
		bv.allow[p], bv.initiated[p] = true, true
	}
	bv.scaler = &scaler{stats: map[featureKey]keyStat{}, known: knownServices(fz.ideOrder)}
	base := baselineValues(f, bv)
	x := &explainCtx{f: f, view: bv, base: base, dns: fz.dns, sensitive: fz.sensitive,
		v: vectorize(modelInputs(false), f, base, bv.scaler, fz.sensitive, 0)}
	got := map[string][]string{}
	for p := range f.edges {
		for _, rule := range reasonRules {
			if r, ok := rule.find(x, p); ok {
				got[p.String()] = append(got[p.String()], r.Code+": "+r.Text)
			}
		}
	}
	want := map[string][]string{
		// b → outside 40 B, 1 packet, 2 SYNs: a pair the baseline never
		// saw; log(1+40)/0.5 = 7.4 IQR; log(1+2)/0.5 = 2.2 for the conns.
		"b -> outside": {
			"new-pair: service pair never seen in the baseline; 40 B in 1 packet",
			"outside-above-baseline: b sent 40 B to outside, 7.4 IQR above its baseline median 0 B",
			"bytes-above-baseline: 40 B, 7.4 IQR above its baseline median 0 B",
		},
		"outside -> b": {
			"new-pair: service pair never seen in the baseline; 10 B in 1 packet",
			"bytes-above-baseline: 10 B, 4.8 IQR above its baseline median 0 B",
		},
		// Known pairs: only their volume against a 0 baseline.
		// a1 opened connections to 7 endpoints of b: log(1+7)/0.5 = 4.2 IQR.
		"a -> b": {"bytes-above-baseline: 500 B, 12.4 IQR above its baseline median 0 B",
			"fan-out: a pod of a opened connections to 7 address:port pairs (7 of them here; baseline median 0)"},
		"b -> a": {"bytes-above-baseline: 50 B, 7.9 IQR above its baseline median 0 B"},
		"a -> dns": {"bytes-above-baseline: 60 B, 8.2 IQR above its baseline median 0 B",
			// a asked 3 names under example.com, which the baseline never saw queried.
			"dns-tunnel: 3 distinct names under example.com (baseline median 0), longest 30 chars, entropy 3.0 bits/char, domain never queried in the baseline"},
	}
	for edge, w := range want {
		if fmt.Sprint(got[edge]) != fmt.Sprint(w) {
			t.Errorf("%s:\n got %q\nwant %q", edge, got[edge], w)
		}
	}
	for edge := range got {
		if _, ok := want[edge]; !ok {
			t.Errorf("%s: unexpected reasons %q", edge, got[edge])
		}
	}
}
