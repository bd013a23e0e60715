package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
)

var t0 = time.Date(2026, 11, 24, 12, 25, 58, 0, time.UTC)

// series builds a 10 s series whose window i has score scores[i] and the
// flagged edges flagged[i] ("src>dst" pairs).
func series(scores []float64, flagged map[int][]string) *engine.Series {
	s := &engine.Series{Size: 10 * time.Second}
	for i, sc := range scores {
		w := engine.WindowResult{
			Size:  s.Size,
			Index: i,
			Start: t0.Add(time.Duration(i) * s.Size),
			End:   t0.Add(time.Duration(i+1) * s.Size),
			Score: sc,
		}
		for _, e := range flagged[i] {
			src, dst, _ := strings.Cut(e, ">")
			w.Flagged = append(w.Flagged, engine.FlaggedEdge{Src: src, Dst: dst})
		}
		s.Windows = append(s.Windows, w)
	}
	return s
}

func at(i int) time.Time { return t0.Add(time.Duration(i) * 10 * time.Second) }

func TestIntervals(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name    string
		scores  []float64
		flagged map[int][]string
		th      float64
		want    []Interval
	}{
		{
			name:   "empty series",
			scores: nil, th: 1, want: nil,
		},
		{
			name:   "nothing alerts",
			scores: []float64{0.1, 0.2, 0.99}, th: 1, want: nil,
		},
		{
			// Windows 1-2 alert (2 ≥ 1, 3 ≥ 1), 3 does not (0.5), 4 is NaN
			// (never alerts), 5-6 alert with a tie at 4: the peak is the
			// earlier window 5.
			name:   "two runs, NaN breaks nothing it is not part of",
			scores: []float64{0.1, 2, 3, 0.5, nan, 4, 4, 1 - 1e-9},
			flagged: map[int][]string{
				1: {"shop-db>outside"},
				2: {"shop-db>outside", "front-end>shop-db"},
				5: {"user>outside"},
				7: {"ignored>because-not-alerting"},
			},
			th: 1,
			want: []Interval{
				{Start: at(1), End: at(3), FirstWindow: 1, LastWindow: 2, Windows: 2,
					PeakScore: 3, PeakWindow: 2,
					Services:    []string{"front-end", "outside", "shop-db"},
					Edges:       []string{"front-end -> shop-db", "shop-db -> outside"},
					SizeSeconds: 10},
				{Start: at(5), End: at(7), FirstWindow: 5, LastWindow: 6, Windows: 2,
					PeakScore: 4, PeakWindow: 5,
					Services: []string{"outside", "user"}, Edges: []string{"user -> outside"},
					SizeSeconds: 10},
			},
		},
		{
			// A score equal to the threshold alerts (WindowResult.Alert is
			// score >= th), so all three windows form one interval.
			name:   "score equal to threshold alerts",
			scores: []float64{1, 1, 1}, th: 1,
			want: []Interval{{Start: at(0), End: at(3), FirstWindow: 0, LastWindow: 2,
				Windows: 3, PeakScore: 1, PeakWindow: 0, Services: []string{}, Edges: []string{},
				SizeSeconds: 10}},
		},
		{
			name:   "NaN between alerts splits them",
			scores: []float64{5, nan, 6}, th: 1,
			want: []Interval{
				{Start: at(0), End: at(1), FirstWindow: 0, LastWindow: 0, Windows: 1,
					PeakScore: 5, PeakWindow: 0, Services: []string{}, Edges: []string{}, SizeSeconds: 10},
				{Start: at(2), End: at(3), FirstWindow: 2, LastWindow: 2, Windows: 1,
					PeakScore: 6, PeakWindow: 2, Services: []string{}, Edges: []string{}, SizeSeconds: 10},
			},
		},
		{
			// A negative threshold: every finite score alerts.
			name:   "negative threshold",
			scores: []float64{-0.5, -0.2}, th: -1,
			want: []Interval{{Start: at(0), End: at(2), FirstWindow: 0, LastWindow: 1,
				Windows: 2, PeakScore: -0.2, PeakWindow: 1, Services: []string{}, Edges: []string{},
				SizeSeconds: 10}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Intervals(series(tc.scores, tc.flagged), tc.th)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Intervals =\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}

// TestIntervalsPartial: an interval that holds the last, partial window
// is marked partial (in JSON and CSV); one of whole windows is not.
func TestIntervalsPartial(t *testing.T) {
	s := series([]float64{2, 0, 2, 3}, nil)
	last := &s.Windows[3]
	// Covered enough to alert (engine.MinCoverage).
	last.Partial, last.Coverage = true, 0.95
	last.End = last.Start.Add(9500 * time.Millisecond)
	got := Intervals(s, 1)
	if len(got) != 2 || got[0].Partial || !got[1].Partial || got[1].LastWindow != 3 {
		t.Fatalf("Intervals = %+v; want window 0 whole, windows 2–3 partial", got)
	}
	b, err := Encode(JSON, got)
	if err != nil || !bytes.Contains(b, []byte(`"partial": true`)) || !bytes.Contains(b, []byte(`"partial": false`)) {
		t.Errorf("JSON lacks the partial flags (%v):\n%s", err, b)
	}
	c, err := Encode(CSV, got)
	rows, _ := csv.NewReader(bytes.NewReader(c)).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][12] != "partial" || rows[1][12] != "false" || rows[2][12] != "true" {
		t.Errorf("CSV partial column (%v): %q", err, rows)
	}
}

func TestIntervalsIndexGap(t *testing.T) {
	// Windows 3 and 7 are adjacent in the slice but not in time: they must
	// not merge.
	s := series([]float64{2, 2}, nil)
	s.Windows[0].Index, s.Windows[1].Index = 3, 7
	got := Intervals(s, 1)
	if len(got) != 2 || got[0].FirstWindow != 3 || got[1].FirstWindow != 7 {
		t.Fatalf("Intervals with an index gap = %+v, want two one-window intervals 3 and 7", got)
	}
	if Intervals(nil, 0) != nil {
		t.Error("Intervals(nil) != nil")
	}
}

func sample() []Interval {
	return Intervals(series([]float64{0, 2.5, 3.25, 0},
		map[int][]string{1: {"shop-db>outside"}, 2: {"shop-db>outside", "front-end>shop-db"}}), 1)
}

func TestWriteJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.json")
	ivs := sample()
	if err := Write(path, ivs, false); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []Interval
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, b)
	}
	if !reflect.DeepEqual(got, ivs) {
		t.Errorf("round trip = %+v, want %+v", got, ivs)
	}
	for _, key := range []string{`"start"`, `"peak_score": 3.25`, `"first_window": 1`, `"edges"`, `"size_seconds": 10`} {
		if !bytes.Contains(b, []byte(key)) {
			t.Errorf("JSON lacks %s:\n%s", key, b)
		}
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
}

func TestWriteEmptyJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.JSON")
	if err := Write(path, nil, false); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if strings.TrimSpace(string(b)) != "[]" {
		t.Errorf("empty export = %q, want []", b)
	}
}

func TestWriteCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.csv")
	if err := Write(path, sample(), false); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		CSVHeader,
		// Windows 1-2 of the sample: 12:26:08 to 12:26:28, peak 3.25 at 2.
		{"2026-11-24T12:26:08Z", "2026-11-24T12:26:28Z", "10", "1", "2", "2", "3.25", "2",
			"front-end;outside;shop-db", "front-end -> shop-db;shop-db -> outside", "", "", "false"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("CSV rows =\n%q\nwant\n%q", rows, want)
	}
}

func TestWriteRefusesOverwrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	if err := os.WriteFile(path, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Write(path, sample(), false)
	if !errors.Is(err, os.ErrExist) {
		t.Fatalf("Write over an existing file: err = %v, want one wrapping os.ErrExist", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "precious" {
		t.Errorf("existing file changed to %q", b)
	}
	if err := Write(path, sample(), true); err != nil {
		t.Fatalf("Write with overwrite: %v", err)
	}
	if b, _ := os.ReadFile(path); !bytes.HasPrefix(b, []byte("[")) {
		t.Errorf("overwritten file = %q, want the JSON export", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only out.json (no temporary files left)", names)
	}
}

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	if err := Write(filepath.Join(dir, "out.txt"), nil, false); err == nil || !strings.Contains(err.Error(), ".json or .csv") {
		t.Errorf("unknown extension: err = %v, want a hint about .json or .csv", err)
	}
	missing := filepath.Join(dir, "no", "such", "dir", "out.csv")
	if err := Write(missing, nil, false); err == nil || !strings.Contains(err.Error(), filepath.Dir(missing)) {
		t.Errorf("missing directory: err = %v, want one naming the directory", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed writes left %d files behind", len(entries))
	}
}
