package engine

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestTemplatesOrder(t *testing.T) {
	dns := map[string]bool{"dns": true}
	vips := map[string]bool{"b": true}
	got := Templates(Topology{
		Services: []string{"c", "a", "b", "dns"}, Sensitive: []string{"a"}, DNS: dns, VIPs: vips,
		Peers: map[string][]string{"b": {"c", "outside", "dns"}}, Resolvers: []string{"c"},
		MaxHops: 3, MaxPaths: 8,
	})
	var names []string
	for _, tp := range got {
		names = append(names, tp.Name())
	}
	// Breadth-first: shortest first, services in sorted order; the DNS
	// service may only reach outside; the via-VIP variant follows its path.
	want := []string{
		"a -> outside",
		"a -> b -> outside", "a -> b_VIP -> outside",
		"a -> c -> outside",
		"a -> dns -> outside",
		"a -> b -> c -> outside", "a -> b_VIP -> c -> outside",
		"a -> b -> dns -> outside", "a -> b_VIP -> dns -> outside",
		"a -> c -> b -> outside", "a -> c -> b_VIP -> outside",
		"a -> c -> dns -> outside",
		"dns-tunnel a -> dns -> outside", "dns-tunnel c -> dns -> outside", "dns-tunnel b -> dns -> outside",
		"scan from a", "scan from b", "scan from b of its known peers", "admin-port probe from b of its known peers", "scan from c",
		// beacons from the sensitive a and from b, which calls outside.
		"beacon from a to outside", "beacon from b to outside",
	}
	if !slices.Equal(names, want) {
		t.Errorf("templates:\n got %q\nwant %q", names, want)
	}
}

func TestTemplatesPolicy(t *testing.T) {
	p := &Policy{Allow: map[string][]string{"a": {"b"}, "b": {"outside"}}}
	got := Templates(Topology{Services: []string{"a", "b", "c"}, Sensitive: []string{"a"}, Policy: p, MaxHops: 3, MaxPaths: 8})
	var paths []string
	for _, tp := range got {
		if tp.Kind == AttackExfil {
			paths = append(paths, tp.Name())
		}
	}
	if want := []string{"a -> b -> outside"}; !slices.Equal(paths, want) {
		t.Errorf("paths under policy = %q, want %q", paths, want)
	}
}

func TestScheduleDeterministic(t *testing.T) {
	tp := Template{Kind: AttackExfil, Path: []string{"a", Outside}, ViaVIP: []bool{false}}
	from, to := int64(0), int64(10*time.Minute)
	grid, ep := int64(10*time.Second), int64(time.Minute)
	a := Schedule(tp, 1, from, to, ep, grid, rand.New(rand.NewPCG(7, 0)))
	b := Schedule(tp, 1, from, to, ep, grid, rand.New(rand.NewPCG(7, 0)))
	if !slices.EqualFunc(a, b, func(x, y Episode) bool { return x.Start == y.Start && x.End == y.End && x.Rate == y.Rate }) {
		t.Fatal("the same seed gave different schedules")
	}
	if len(a) == 0 {
		t.Fatal("no episodes in 10 minutes")
	}
	var attacked int64
	for i, e := range a {
		if e.Start%grid != 0 || e.Start < from || e.End > to || e.End <= e.Start {
			t.Errorf("episode %d [%d, %d) off the grid or out of span", i, e.Start, e.End)
		}
		if e.End-e.Start > ep {
			t.Errorf("episode %d lasts %v, longer than %v", i, time.Duration(e.End-e.Start), time.Duration(ep))
		}
		if i > 0 && e.Start < a[i-1].End {
			t.Errorf("episodes %d and %d overlap", i-1, i)
		}
		attacked += e.End - e.Start
	}
	// Gaps are drawn in [ep/2, 2ep]: between a third and two thirds attacked.
	if share := float64(attacked) / float64(to-from); share < 0.2 || share > 0.7 {
		t.Errorf("%.0f%% of the span attacked, want roughly half", share*100)
	}
}

// TestInjectionAmounts checks the amounts of method.md §7: every hop of the
// path gets bytes = rate × T / 60 (rate in MB/min, T the attacked seconds
// of the window), rounded to whole bytes, in ⌈bytes / 1500⌉ frames, and
// every reverse hop 40 bytes per frame as ACKs.
func TestInjectionAmounts(t *testing.T) {
	base := handWindow()
	inj := &injector{}
	cases := []struct {
		rate       float64 // MB/min
		start, end int64   // episode, window is [0, 10 s)
		bytes      float64
	}{
		{1, 0, 60e9, 166667},    // whole window: 1e6 × 10 / 60 = 166 666.7 B
		{0.01, 0, 60e9, 1667},   // 1e4 × 10 / 60 = 1 666.7 B
		{10, 5e9, 60e9, 833333}, // starts half-way: 5 s attacked, 833 333.3 B
		{1, -50e9, 2e9, 33333},  // ends 2 s into the window: 33 333.3 B
		{1, 10e9, 70e9, 0},      // after the window
	}
	for _, c := range cases {
		win := base.clone()
		ep := &Episode{
			Template: Template{Kind: AttackExfil, Path: []string{"a", "b", Outside}, ViaVIP: []bool{false, false}},
			Rate:     c.rate, Start: c.start, End: c.end,
			Pods: []string{"x/a2", "x/b1", ""},
		}
		got := inj.apply(win, ep)
		frames := math.Ceil(c.bytes / injectPacketSize)
		if got.Bytes != c.bytes || got.Frames != frames || got.AckByte != frames*ackBytes {
			t.Errorf("rate %g [%d,%d): injected %+v, want %.1f B in %g frames, %g B of ACKs", c.rate, c.start, c.end, got, c.bytes, frames, frames*ackBytes)
			continue
		}
		a2, b1, out := win.nodeIdx["pod:x/a2"], win.nodeIdx["pod:x/b1"], win.nodeIdx[Outside]
		delta := func(u, v int32) float64 {
			before := 0.0
			if e := base.edges[edgeKey{u, v}]; e != nil {
				before = e.bytes
			}
			after := 0.0
			if e := win.edges[edgeKey{u, v}]; e != nil {
				after = e.bytes
			}
			return after - before
		}
		if d := delta(a2, b1); math.Abs(d-c.bytes) > 1e-6 {
			t.Errorf("a2 → b1 grew by %g, want %g", d, c.bytes)
		}
		if d := delta(b1, out); math.Abs(d-c.bytes) > 1e-6 {
			t.Errorf("b1 → outside grew by %g, want %g", d, c.bytes)
		}
		if d := delta(b1, a2); d != frames*ackBytes {
			t.Errorf("b1 → a2 (ACKs) grew by %g, want %g", d, frames*ackBytes)
		}
	}
	// Injection works on a copy: the original window is untouched.
	if e := base.edges[edgeKey{base.nodeIdx["pod:x/a2"], base.nodeIdx["pod:x/b1"]}]; e.bytes != 300 {
		t.Errorf("the original window changed: a2 → b1 = %g B", e.bytes)
	}
}

func TestInjectionDNSAndScan(t *testing.T) {
	inj := &injector{}
	win := handWindow()
	before := win.fan[win.nodeIdx["pod:x/a1"]].endpoints
	got := inj.apply(win, &Episode{Template: Template{Kind: AttackScan, Path: []string{"a"}}, Rate: 0.06, Start: 0, End: 10e9, Pods: []string{"x/a1"}})
	// 0.06 MB/min for 10 s = 10 kB of 60-byte probes: 167 probes.
	if probes := math.Ceil(0.06e6 * 10 / 60 / probeBytes); got.Frames != probes {
		t.Errorf("scan sent %g probes, want %g", got.Frames, probes)
	}
	if after := win.fan[win.nodeIdx["pod:x/a1"]].endpoints; after-before != got.Frames {
		t.Errorf("fan-out grew by %g, want %g", after-before, got.Frames)
	}
	win = handWindow()
	got = inj.apply(win, &Episode{Template: Template{Kind: AttackDNSTunnel, Path: []string{"a", "dns", Outside}}, Rate: 0.12, Start: 0, End: 10e9, Pods: []string{"x/a1", "x/d1", ""}})
	// 0.12 MB/min for 10 s = 20 kB in 36-byte chunks: 556 queries.
	queries := math.Ceil(0.12e6 * 10 / 60 / dnsChunk)
	if got.Frames != queries {
		t.Errorf("tunnel sent %g queries, want %g", got.Frames, queries)
	}
	last := win.dns[len(win.dns)-1]
	if last.domain != syntheticDomain || last.names != queries {
		t.Errorf("tunnel DNS stat %+v, want %g distinct names under %s", last, queries, syntheticDomain)
	}
}
