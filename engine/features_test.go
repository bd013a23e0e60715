package engine

import (
	"math"
	"net/netip"
	"slices"
	"testing"
)

// handWindow is a small window whose features are computed by hand below.
//
//	pods a1, a2 (service a, sensitive); pod b1 and VIP b_VIP (service b);
//	pod d1 (service dns, the cluster DNS); outside.
//
//	a1 → b1     100 B     b1 → a1      50 B     a2 → b1 300 B
//	a1 → b_VIP  100 B     b1 → outside 40 B     outside → b1 10 B
//	a1 → d1      60 B (4 DNS queries)
func handWindow() *window {
	win := &window{
		nodeIdx:    map[string]int32{},
		edges:      map[edgeKey]*edgeStat{},
		infraEdges: map[edgeKey]*edgeStat{},
		fan:        map[int32]*fanStat{},
		ext:        map[edgeKey][]netip.Addr{},
		end:        10e9,
	}
	a1 := win.addNode(node{key: "pod:x/a1", name: "a1", service: "a", kind: kindPod}, netip.MustParseAddr("10.0.0.1"))
	a2 := win.addNode(node{key: "pod:x/a2", name: "a2", service: "a", kind: kindPod}, netip.MustParseAddr("10.0.0.2"))
	b1 := win.addNode(node{key: "pod:x/b1", name: "b1", service: "b", kind: kindPod}, netip.MustParseAddr("10.0.0.3"))
	bv := win.addNode(node{key: "svc:x/b", name: "b_VIP", service: "b", kind: kindVIP}, netip.MustParseAddr("10.96.0.3"))
	d1 := win.addNode(node{key: "pod:x/d1", name: "d1", service: "dns", kind: kindPod, dns: true}, netip.MustParseAddr("10.0.0.4"))
	out := win.addNode(node{key: Outside, name: Outside, service: Outside, kind: kindOutside}, netip.MustParseAddr("192.0.2.1"))
	win.addEdge(a1, b1, 100, 1, 1, 0)
	win.addEdge(b1, a1, 50, 1, 0, 0)
	win.addEdge(a2, b1, 300, 3, 1, 0)
	win.addEdge(a1, bv, 100, 1, 0, 0)
	win.addEdge(b1, out, 40, 1, 2, 0)
	win.addEdge(out, b1, 10, 1, 0, 0)
	win.addEdge(a1, d1, 60, 4, 0, 0)
	win.addExt(edgeKey{b1, out}, netip.MustParseAddr("192.0.2.1"))
	win.addExt(edgeKey{out, b1}, netip.MustParseAddr("192.0.2.1"))
	win.dns = []dnsStat{{src: a1, dst: d1, domain: "example.com", queries: 4, names: 3, nameLenSum: 80, maxNameLen: 30, entropySum: 12}}
	win.fan[a1] = &fanStat{endpoints: 7, byService: map[string]float64{"b": 7}}
	return win
}

// byName indexes a window's feature values by their stable names.
func byName(values map[featureKey]float64) map[string]float64 {
	out := make(map[string]float64, len(values))
	for k, x := range values {
		out[k.Name()] = x
	}
	return out
}

func TestFeaturesHandComputed(t *testing.T) {
	fz := newFeaturizer([]string{"a", "b", "dns"}, []string{"a"}, map[string]bool{"dns": true})
	out := byName(fz.featurize(handWindow()).values)
	cases := []struct {
		name string
		want float64
		why  string
	}{
		// Keys (pod, service) and (service, pod): the only VIP traffic is
		// a1→b_VIP, vip(a1,b) = 100. Every pod-pod edge counts under both
		// key kinds, e.g. a1→b1 under (a1,b) and (a,b1): pod-pod edges
		// 100+50+300+60 = 510, Σpodpod = 1020; |100 − 1020| / 1020.
		{"vip_bypass", 920.0 / 1020, "|Σvip − Σpodpod| / Σpodpod"},
		// a–b cross edges: min(100,50)+min(50,100)+min(300,0)+min(100,0) = 100
		// over 100+50+300+100 = 550.
		{"reciprocity[a,b]", 100.0 / 550, "Σmin/Σw"},
		// b–outside: (min(40,10)+min(10,40)) / 50.
		{"reciprocity[b,outside]", 20.0 / 50, "Σmin/Σw"},
		// a→b edges 100, 300, 100: mean 500/3, population std √(80000/9).
		{"edge_cv[a->b]", math.Sqrt(80000.0/9) / (500.0 / 3), "std/mean"},
		{"edge_cv[b->a]", 0, "one edge"},
		{"bytes[a->b]", 500, "100+300+100"},
		{"conns[a->b]", 2, "1+1"},
		{"outside_bytes[b]", 40, "b1 → outside"},
		{"outside_conns[b]", 2, "SYNs b1 → outside"},
		{"outside_peers[b]", 1, "192.0.2.1"},
		{"dns_bytes[a]", 60, "a1 → d1"},
		{"dns_queries[a]", 4, ""},
		{"dns_name_len[a]", 20, "80/4"},
		{"dns_max_name_len[a]", 30, ""},
		{"dns_entropy[a]", 3, "12/4"},
		{"dns_names_per_domain[a]", 3, ""},
		{"fanout[a]", 7, ""},
		// Service graph: a→b 500, b→a 50, b→outside 40, outside→b 10,
		// a→dns 60; total 660, length = 660/bytes:
		// a→b 1.32, b→a 13.2, b→out 16.5, out→b 66, a→dns 11.
		// H(b) = 1/1.32 + 1/66 (outside→b).
		{"harmonic[b]", 1/1.32 + 1/66.0, "incoming paths"},
		// H(a) = 1/13.2 (b) + 1/(66+13.2) (outside).
		{"harmonic[a]", 1/13.2 + 1/79.2, ""},
		// H(outside) = 1/16.5 (b) + 1/(1.32+16.5) (a).
		{"harmonic[outside]", 1/16.5 + 1/17.82, ""},
		// H(dns) = 1/11 (a) + 1/(13.2+11) (b) + 1/(66+13.2+11) (outside).
		{"harmonic[dns]", 1/11.0 + 1/24.2 + 1/90.2, ""},
		// Unit current from a1 or a2 to outside crosses b1: both a pods
		// carry ½ per source pair they are the source of → CV 0.
		{"cfb_cv[a]", 0, "equal throughput"},
	}
	for _, c := range cases {
		got, ok := out[c.name]
		if !ok {
			t.Errorf("no feature %s", c.name)
			continue
		}
		if math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s = %.6f, want %.6f (%s)", c.name, got, c.want, c.why)
		}
	}
	// Undefined ratios are missing: the window has no such feature.
	for _, name := range []string{"reciprocity[b,dns]", "edge_cv[dns->a]", "dns_name_len[b]"} {
		if x, ok := out[name]; ok {
			t.Errorf("%s = %g, want no value (nothing to measure)", name, x)
		}
	}
}

// TestFamilyTable checks every row of the feature table: a name, a
// description, an IQR floor, a way to attribute its contributions to
// edges, and reasons that exist.
func TestFamilyTable(t *testing.T) {
	codes := ReasonCodes()
	for _, f := range families {
		if f.name == "" || f.doc == "" || !(f.floor > 0) {
			t.Errorf("family %q: name, doc and floor are required", f.name)
		}
		if (f.edges == nil) != (len(f.reasons) == 0) {
			t.Errorf("family %s: a family with reasons attributes its contributions to edges, and only then", f.name)
		}
		if (f.extract == nil) != f.baseline {
			t.Errorf("family %s: a family is computed from the window (extract) or against the baseline, not both or neither", f.name)
		}
		if f.scope != scopeGlobal && f.aggs == 0 {
			t.Errorf("family %s: a keyed family must enter the model through an aggregate", f.name)
		}
		for _, r := range f.reasons {
			if !slices.Contains(codes, r) {
				t.Errorf("family %s: unknown reason code %q", f.name, r)
			}
		}
	}
}

// TestStableNames lists the names model files, analyze's output and the
// README rely on: changing one breaks every stored model or a user's
// pipeline.
func TestStableNames(t *testing.T) {
	wantCodes := []string{"new-pair", "sensitive-outside", "outside-above-baseline", "unknown-address", "bytes-above-baseline",
		"new-initiator", "new-connections", "dns-tunnel", "fan-out", "new-port", "beacon", "structure"}
	if got := ReasonCodes(); !slices.Equal(got, wantCodes) {
		t.Errorf("reason codes %v, want %v", got, wantCodes)
	}
	wantInputs := []string{"vip_bypass", "max_z[reciprocity]", "min_z[reciprocity]", "max_z[edge_cv]", "min_z[edge_cv]",
		"max_z[harmonic]", "min_z[harmonic]", "max_z[cfb_cv]", "min_z[cfb_cv]",
		"max_z[outside_bytes]", "excess_z[outside_bytes]", "sens_z[outside_bytes]", "max_z[outside_conns]", "max_z[outside_peers]",
		"max_z[bytes]", "excess_z[bytes]", "sens_z[bytes]", "max_z[conns]", "excess_z[conns]", "sens_z[conns]",
		"new_pairs", "new_pair_bytes", "max_z[dns_queries]", "max_z[dns_bytes]", "sens_z[dns_bytes]",
		"max_z[dns_name_len]", "max_z[dns_max_name_len]", "max_z[dns_entropy]",
		"max_z[dns_names_per_domain]", "sens_z[dns_names_per_domain]", "dns_new_domains", "new_initiations", "dns_out_bytes",
		"max_z[fanout]", "new_ports", "new_beacons", "unknown_bytes", "max_fine_score"}
	if got := inputNames(modelInputs(true)); !slices.Equal(got, wantInputs) {
		t.Errorf("model inputs\n%q\nwant\n%q", got, wantInputs)
	}
	keys := map[string]featureKey{
		"bytes[a->b]":       {fam: fam(famPairBytes), a: "a", b: "b"},
		"reciprocity[a,b]":  {fam: fam(famReciprocity), a: "a", b: "b"},
		"fanout[a]":         {fam: fam(famFanOut), a: "a"},
		"harmonic[outside]": {fam: fam(famHarmonic), a: Outside},
		"new_pairs":         {fam: fam(famNewPairs)},
	}
	for want, k := range keys {
		if got := k.Name(); got != want {
			t.Errorf("feature name %q, want %q", got, want)
		}
		back, err := parseFeatureKey(families[k.fam].name, k.a, k.b)
		if err != nil || back != k {
			t.Errorf("%s does not survive a model file: %v %v", want, back, err)
		}
	}
}
