package engine

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/entities"
)

// copiesTrainer is a trainer over windows of size, with 38 templates at
// the 5 default rates: the demo's 190 synthetic copies.
func copiesTrainer(t *testing.T, size time.Duration) (trainer, []Template) {
	t.Helper()
	opts := DefaultOptions()
	opts.Sizes = []time.Duration{size}
	if err := opts.normalize(); err != nil {
		t.Fatal(err)
	}
	s := &session{opts: opts, sizes: opts.Sizes, inj: &injector{tl: &entities.Timeline{}}}
	var templates []Template
	for i := range 38 {
		templates = append(templates, Template{Kind: AttackExfil, Path: []string{fmt.Sprintf("svc-%d", i), Outside}, ViaVIP: []bool{false}})
	}
	return trainer{s: s}, templates
}

// baseWindows is n consecutive windows of size from 0.
func baseWindows(n int, size time.Duration) []*featurized {
	out := make([]*featurized, n)
	for i := range out {
		out[i] = &featurized{win: &window{index: i, start: int64(i) * int64(size), end: int64(i+1) * int64(size)}}
	}
	return out
}

// TestTrainingRowsBounded: whatever the window size, the synthetic copies
// are injected into a bounded, seeded sample of the baseline windows,
// spread over the baseline. Before, each copy was injected into every
// window of a segment of two episodes (two minutes): at 1 ms that was
// 190 × 120 000 = 22.8 M rows, and the demo at 1 ms grew past 10 GB.
func TestTrainingRowsBounded(t *testing.T) {
	for _, tc := range []struct {
		size    time.Duration
		windows int // of a two-minute baseline
		rows    int // expected training rows
	}{
		{time.Millisecond, 120_000, 190 * 31},
		{100 * time.Millisecond, 1200, 190 * 31},
		{2 * time.Second, 60, 190 * 31},
		{10 * time.Second, 12, 190 * 12}, // every window of the baseline, as before
	} {
		t.Run(tc.size.String(), func(t *testing.T) {
			tr, templates := copiesTrainer(t, tc.size)
			base := baseWindows(tc.windows, tc.size)
			plans := tr.plans(templates, base[0].win.start, base[len(base)-1].win.end)
			rows, first := tr.hostRows(base, plans)
			if len(plans) != 190 || len(rows) != tc.rows || len(rows) > maxTrainingRows {
				t.Fatalf("%d copies, %d rows; want 190 copies and %d rows (at most %d)", len(plans), len(rows), tc.rows, maxTrainingRows)
			}
			hosts := make(map[int]bool)
			for c, p := range plans {
				cr := rows[first[c]:first[c+1]]
				if !slices.IsSortedFunc(cr, func(a, b trainingRow) int { return a.window - b.window }) {
					t.Fatalf("copy %d: rows not in window order", c)
				}
				for _, r := range cr {
					if w := base[r.window].win; r.copy != c || w.start < p.from || w.end > p.to || r.index != w.index {
						t.Fatalf("copy %d: row %+v outside its segment [%d, %d)", c, r, p.from, p.to)
					}
					hosts[r.window] = true
				}
			}
			lo, hi := tc.windows, 0
			for w := range hosts {
				lo, hi = min(lo, w), max(hi, w)
			}
			if lo > tc.windows/10 || hi < tc.windows*9/10 {
				t.Errorf("host windows %d–%d of %d: not spread over the baseline", lo, hi, tc.windows)
			}
			again, _ := tr.hostRows(base, tr.plans(templates, base[0].win.start, base[len(base)-1].win.end))
			if !slices.EqualFunc(rows, again, func(a, b trainingRow) bool { return a.copy == b.copy && a.window == b.window }) {
				t.Error("two trainings with the same seed chose different windows")
			}
		})
	}
}

// TestSmallWindowsTrainBounded: a 100 ms window on a four-minute capture
// trains on a bounded set (before: 190 copies × 1 200 windows = 228 000
// rows, 46 s and 483 MB on the demo; now 5 890 rows).
func TestSmallWindowsTrainBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: trains a model on a four-minute capture")
	}
	opts := DefaultOptions()
	opts.Sizes = []time.Duration{100 * time.Millisecond}
	opts.Sensitive = []string{"shop-db"}
	res, err := Run(context.Background(), scenarioInputs("benign"), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	sm := res.Model.Sizes[0]
	if n := len(res.Model.Templates) * len(res.Model.Rates); n == 0 || sm.Training.Rows > max(maxTrainingRows, minCopyRows*n) {
		t.Errorf("%d training rows for %d copies, want at most %d", sm.Training.Rows, n, max(maxTrainingRows, minCopyRows*n))
	}
	if sm.Training.Attacked == 0 || sm.Training.Attacked == sm.Training.Rows {
		t.Errorf("%d of %d rows attacked: the sample must hold both", sm.Training.Attacked, sm.Training.Rows)
	}
}
