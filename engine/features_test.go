package engine

import (
	"math"
	"net/netip"
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

func TestFeaturesHandComputed(t *testing.T) {
	fs := newFeatureSet([]string{"a", "b", "dns"}, []string{"a"})
	out := make([]float64, len(fs.cols))
	fs.compute(handWindow(), out)
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
		j, ok := fs.index[c.name]
		if !ok {
			t.Errorf("no feature %s", c.name)
			continue
		}
		if got := out[j]; math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s = %.6f, want %.6f (%s)", c.name, got, c.want, c.why)
		}
	}
	// Undefined ratios are missing, not zero.
	for _, name := range []string{"reciprocity[b,dns]", "edge_cv[dns->a]", "dns_name_len[b]"} {
		if j := fs.index[name]; !math.IsNaN(out[j]) {
			t.Errorf("%s = %g, want NaN (nothing to measure)", name, out[j])
		}
	}
}

func TestReciprocityColumnLayout(t *testing.T) {
	fs := newFeatureSet([]string{"a", "b", "c"}, nil)
	for i, x := range fs.services {
		for _, y := range fs.services[i:] {
			want := "reciprocity[" + x + "," + y + "]"
			if got := fs.cols[fs.reciprocityCol(y, x)].Name; got != want {
				t.Errorf("reciprocityCol(%s,%s) is %s, want %s", y, x, got, want)
			}
		}
	}
}

func TestFeatureNamesStable(t *testing.T) {
	// Model files store these names: changing them breaks every model.
	fs := newFeatureSet([]string{"db", "web"}, []string{"db"})
	want := []string{"vip_bypass", "reciprocity[db,db]", "reciprocity[db,web]", "reciprocity[db,outside]"}
	for i, w := range want {
		if fs.cols[i].Name != w {
			t.Fatalf("column %d is %q, want %q", i, fs.cols[i].Name, w)
		}
	}
	if err := fs.check(func() []string {
		var n []string
		for _, c := range fs.cols {
			n = append(n, c.Name)
		}
		return n
	}()); err != nil {
		t.Fatal(err)
	}
	for _, c := range fs.cols {
		if c.Description == "" || c.Family == "" {
			t.Errorf("%s has no description or family", c.Name)
		}
	}
}
