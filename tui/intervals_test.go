package tui

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/export"
)

// TestMergeIntervalsIsExport: the alerts list and the explorer's export
// merge through the store what export.Intervals merges from the whole
// windows — on random series with baseline, partial, NaN and missing
// windows.
func TestMergeIntervalsIsExport(t *testing.T) {
	for seed := range uint64(20) {
		sd := randomSeries(seed, 400)
		rng := rand.New(rand.NewPCG(seed, 9))
		store := newDetailStore(t.TempDir())
		t.Cleanup(store.close)
		full := &engine.Series{Size: 10 * time.Second}
		slim := make([]*engine.WindowResult, len(sd.windows))
		for i, w := range sd.windows {
			if w == nil {
				continue
			}
			w.Index, w.Size = i, 10*time.Second
			w.Start = time.Unix(int64(10*i), 0)
			w.End = w.Start.Add(10 * time.Second)
			for range rng.IntN(3) {
				w.Flagged = append(w.Flagged, engine.FlaggedEdge{Src: string(rune('a' + rng.IntN(4))), Dst: "outside",
					SrcIPs: []string{"10.0.0." + string(rune('1'+rng.IntN(9)))}, DstIPs: []string{"203.0.113.10"}})
			}
			full.Windows = append(full.Windows, *w)
			slim[i] = store.slim(w)
		}
		for _, th := range []float64{-1, 0, 0.5, 1.2} {
			rows, err := mergeIntervals(store, slim, full.Size, th)
			if err != nil {
				t.Fatal(err)
			}
			want := export.Intervals(full, th)
			got := make([]export.Interval, len(rows))
			for i, r := range rows {
				got[i] = r.iv
			}
			if len(want) == 0 {
				want = nil
			}
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("seed %d threshold %v: %d intervals, export.Intervals %d", seed, th, len(got), len(want))
			}
		}
	}
}

// TestDemoInterval: the demo's one interval, its top edge shop-db ->
// outside with the pod's and the outside's addresses.
func TestDemoInterval(t *testing.T) {
	m := newTestModel(t, 120, 40)
	rec := demo()
	feedRec(m, rec)
	sd := m.sh.current()
	rows, err := mergeIntervals(m.sh.store, sd.windows, sd.size, m.sh.threshold())
	if err != nil || len(rows) != 1 {
		t.Fatalf("%d intervals, %v; want the demo's one", len(rows), err)
	}
	iv, top := rows[0].iv, rows[0].top
	if iv.FirstWindow != 13 || iv.LastWindow != 19 {
		t.Errorf("interval %d–%d, want 13–19 (the ground truth's 138.8–199.6 s)", iv.FirstWindow, iv.LastWindow)
	}
	if top == nil || top.Src != "shop-db" || top.Dst != "outside" || !slices.Equal(top.SrcIPs, []string{"10.244.0.9"}) ||
		!slices.Equal(top.DstIPs, []string{"203.0.113.10"}) {
		t.Errorf("top edge %+v, want shop-db -> outside, 10.244.0.9 to 203.0.113.10", top)
	}
}

// TestVerdictBook: a verdict is found for its interval and, marked ≈, for
// an overlapping one of the same size; an unreadable sidecar is never
// written over.
func TestVerdictBook(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.pcap.verdicts.json")
	b, err := openVerdicts(path, "c.pcap")
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 24, 12, 28, 9, 0, time.UTC)
	b.v.Set(export.Verdict{SizeSeconds: 10, Start: t0, End: t0.Add(70 * time.Second), Verdict: export.Confirmed, Note: "db dump"})
	if err := b.snapshot().Write(path); err != nil {
		t.Fatal(err)
	}
	b2, err := openVerdicts(path, "c.pcap")
	if err != nil || b2.v.Capture != "c.pcap" {
		t.Fatalf("read back: capture %q, %v", b2.v.Capture, err)
	}
	for _, tc := range []struct {
		iv        export.Interval
		ok, exact bool
	}{
		{export.Interval{SizeSeconds: 10, Start: t0, End: t0.Add(70 * time.Second)}, true, true},
		{export.Interval{SizeSeconds: 10, Start: t0.Add(-10 * time.Second), End: t0.Add(80 * time.Second)}, true, false},
		{export.Interval{SizeSeconds: 60, Start: t0, End: t0.Add(70 * time.Second)}, false, false},
		{export.Interval{SizeSeconds: 10, Start: t0.Add(70 * time.Second), End: t0.Add(80 * time.Second)}, false, false},
	} {
		v, exact, ok := b2.of(&tc.iv)
		if ok != tc.ok || exact != tc.exact || (ok && v.Note != "db dump") {
			t.Errorf("%v–%v size %v: %+v exact %v ok %v; want ok %v exact %v", tc.iv.Start, tc.iv.End, tc.iv.SizeSeconds, v, exact, ok, tc.ok, tc.exact)
		}
	}

	bad := filepath.Join(dir, "bad.verdicts.json")
	os.WriteFile(bad, []byte("{not json"), 0o644)
	b3, err := openVerdicts(bad, "c.pcap")
	if err == nil || !strings.Contains(err.Error(), "this session only") || b3.path != "" {
		t.Errorf("a broken sidecar: %v, path %q", err, b3.path)
	}
	if got, _ := os.ReadFile(bad); string(got) != "{not json" {
		t.Errorf("the broken sidecar was changed: %q", got)
	}
}
