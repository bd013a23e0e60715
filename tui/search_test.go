package tui

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
)

func TestParseQuery(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want query
	}{
		{"shop-db", query{kindAny, "shop-db"}},
		{" Pod:Shop ", query{kindPod, "shop"}},
		{"ip:10.244.0.9", query{kindIP, "10.244.0.9"}},
		{"port:80", query{kindPort, "80"}},
		{"dns:example.com", query{kindDomain, "example.com"}},
		{"svc:carts", query{kindService, "carts"}},
		{"2001:db8::1", query{kindAny, "2001:db8::1"}}, // not a prefix
	} {
		if got := parseQuery(tc.in); got != tc.want {
			t.Errorf("parseQuery(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestQueryMatches(t *testing.T) {
	for _, tc := range []struct {
		q    string
		k    termKey
		want bool
	}{
		{"shop", termKey{kindService, "shop-db"}, true},
		{"SHOP", termKey{kindPod, "shop-db-0"}, true},
		{"pod:shop", termKey{kindService, "shop-db"}, false},
		{"80", termKey{kindPort, "tcp/80"}, true},
		{"80", termKey{kindPort, "tcp/8080"}, false}, // ports match exactly
		{"tcp/80", termKey{kindPort, "tcp/80"}, true},
		{"udp/80", termKey{kindPort, "tcp/80"}, false},
		{"80", termKey{kindIP, "10.244.0.80"}, true},
		{"port:80", termKey{kindIP, "10.244.0.80"}, false},
		{"", termKey{kindPod, "x"}, false},
	} {
		if got := parseQuery(tc.q).matches(tc.k); got != tc.want {
			t.Errorf("%q matches %v = %v, want %v", tc.q, tc.k, got, tc.want)
		}
	}
}

// TestTermRuns: a name's windows are kept as runs, whatever the order
// they arrive in: checked against the set of windows on random orders.
func TestTermRuns(t *testing.T) {
	var tm term
	for _, i := range []int32{0, 1, 2, 5, 6, 9, 4, 3, 11} {
		tm.add(i)
	}
	if want := []winRun{{0, 6}, {9, 9}, {11, 11}}; !slices.Equal(tm.runs, want) {
		t.Errorf("runs %v, want %v", tm.runs, want)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	for range 200 {
		var tm term
		set := map[int32]bool{}
		for range rng.IntN(60) {
			i := int32(rng.IntN(80))
			tm.add(i)
			set[i] = true
		}
		var want []winRun
		for i := int32(0); i < 80; i++ {
			switch {
			case !set[i]:
			case len(want) > 0 && want[len(want)-1].hi == i-1:
				want[len(want)-1].hi = i
			default:
				want = append(want, winRun{i, i})
			}
		}
		if !slices.Equal(tm.runs, want) {
			t.Fatalf("runs %v, want %v", tm.runs, want)
		}
	}
}

// TestSearchDemo: on the demo run the exfiltration's outside address is
// in windows 13–19 only, shop-db-0 in every window, port 80 too; the
// bytes are those of the matched traffic.
func TestSearchDemo(t *testing.T) {
	m := newTestModel(t, 120, 40)
	feedRec(m, demo())
	size := m.sh.data.series[0].size
	for _, tc := range []struct {
		q     string
		total int
		first int
		terms string
	}{
		{"203.0.113.10", 7, 13, "IP 203.0.113.10"},
		{"shop-db-0", 24, 0, "pod shop-db-0"},
		{"port:80", 24, 0, "port tcp/80"},
		{"cluster.local", 24, 0, "domain cluster.local"},
		{"nothing-like-this", 0, 0, ""},
	} {
		s := &searchState{q: parseQuery(tc.q)}
		s.refresh(m.sh.index, size)
		if s.total != tc.total || describeTerms(s.terms, 9) != tc.terms {
			t.Errorf("%q: %d windows, terms %q; want %d, %q", tc.q, s.total, describeTerms(s.terms, 9), tc.total, tc.terms)
		}
		if tc.total > 0 && s.window(0) != tc.first {
			t.Errorf("%q: first match window %d, want %d", tc.q, s.window(0), tc.first)
		}
	}
	// The exfiltration's address: its bytes in window 13 are the flows'
	// (23.1 kB out and 1.4 kB back).
	s := &searchState{q: parseQuery("203.0.113.10")}
	s.refresh(m.sh.index, size)
	full, err := m.sh.store.full(m.sh.data.series[0].windows[13])
	if err != nil {
		t.Fatal(err)
	}
	want := uint64(0)
	for _, e := range full.PodEdges {
		if slices.Contains(e.DstIPs, "203.0.113.10") || slices.Contains(e.SrcIPs, "203.0.113.10") {
			want += e.Bytes
		}
	}
	if got := factsOf(full, s.terms); got.bytes != want || want < 24000 {
		t.Errorf("bytes of 203.0.113.10 in window 13: %d, want %d (≈ 24.5 kB)", got.bytes, want)
	}
}

// TestSearchSteps checks next, window and rank against a plain list of
// matches, on random runs.
func TestSearchSteps(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for range 50 {
		var matches []int
		var tm term
		for i := range 300 {
			if rng.IntN(4) == 0 {
				matches = append(matches, i)
				tm.add(int32(i))
			}
		}
		s := &searchState{runs: tm.runs}
		s.starts = make([]int, len(s.runs))
		for i, r := range s.runs {
			s.starts[i] = s.total
			s.total += int(r.hi-r.lo) + 1
		}
		if s.total != len(matches) {
			t.Fatalf("total %d, want %d", s.total, len(matches))
		}
		for n, w := range matches {
			if got := s.window(n); got != w {
				t.Fatalf("window(%d) = %d, want %d", n, got, w)
			}
		}
		for cur := range 300 {
			wantNext, okNext := cur, false
			for _, w := range matches {
				if w > cur {
					wantNext, okNext = w, true
					break
				}
			}
			if got, ok := s.next(cur, 1); got != wantNext || ok != okNext {
				t.Fatalf("next(%d) = %d %v, want %d %v (matches %v)", cur, got, ok, wantNext, okNext, matches)
			}
			wantPrev, okPrev := cur, false
			for _, w := range slices.Backward(matches) {
				if w < cur {
					wantPrev, okPrev = w, true
					break
				}
			}
			if got, ok := s.next(cur, -1); got != wantPrev || ok != okPrev {
				t.Fatalf("prev(%d) = %d %v, want %d %v", cur, got, ok, wantPrev, okPrev)
			}
		}
	}
}

// TestIndexBounded: a name per window (ever new outside addresses) stops
// at maxTerms and says from when names were left out; a name present in
// every window of a long run is one run.
func TestIndexBounded(t *testing.T) {
	x := newSearchIndex()
	start := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	n := maxTerms + 10
	for i := range n {
		ip := fmt.Sprintf("10.1.%d.%d", i/256, i%256)
		x.add(&engine.WindowResult{Size: time.Second, Index: i, Start: start.Add(time.Duration(i) * time.Second),
			PodEdges: []engine.PodEdge{{Src: "a-0", SrcService: "a", Dst: "outside", DstService: "outside", DstIPs: []string{ip}}}})
	}
	si := x.sizes[time.Second]
	if len(si.terms) != maxTerms || si.full.IsZero() {
		t.Errorf("%d names, full since %v; want %d and a time", len(si.terms), si.full, maxTerms)
	}
	if runs := si.terms[termKey{kindPod, "a-0"}].runs; len(runs) != 1 || runs[0] != (winRun{0, int32(n - 1)}) {
		t.Errorf("a name in every window: runs %v", runs)
	}
}
