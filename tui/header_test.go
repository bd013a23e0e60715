package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/stats"
)

// TestHeaderInputPaths: the header shows enough of each input path to
// tell two captures of the same name apart, even at 80 columns.
func TestHeaderInputPaths(t *testing.T) {
	cfg := testConfig(t)
	cfg.Demo = false
	cfg.Paths = []string{"/srv/captures/cluster-a/run-1/capture.pcapng", "/srv/captures/cluster-a/run-1/entities.jsonl"}
	m := New(t.Context(), cfg)
	send(m, sizeMsg(80, 24))
	line := strings.Split(plain(m), "\n")[0]
	for _, want := range []string{"capture.pcapng", "entities.jsonl"} {
		if !strings.Contains(line, want) {
			t.Errorf("header %q lacks %q", line, want)
		}
	}
	send(m, sizeMsg(200, 50))
	if line := strings.Split(plain(m), "\n")[0]; !strings.Contains(line, cfg.Paths[0]) {
		t.Errorf("at 200 columns the header %q does not show the whole path", line)
	}
}

// TestThresholdCost: the header prices the threshold — the benign windows
// a day the model expects above it when its benign scores' tail is fitted,
// else how many baseline windows score above it — and follows it.
func TestThresholdCost(t *testing.T) {
	sorted := make([]float64, 200)
	for i := range sorted {
		sorted[i] = float64(i) / 100 // 0 … 1.99
	}
	fitted, err := stats.FitTail(sorted)
	if err != nil {
		t.Fatal(err)
	}
	short := stats.Tail{N: 12, Sorted: sorted[:12]} // 0 … 0.11
	for _, tc := range []struct {
		tail *stats.Tail
		th   float64
		want string
	}{
		{&short, 0.1, "2 of 12 baseline windows score above it"},
		{&short, 3.4, "0 of 12 baseline windows score above it"},
		{nil, 1, ""},
		{&fitted, 1.5, "≈ " + compact(engine.SeriesInfo{Size: 10 * time.Second, BenignTail: &fitted}.FalseAlarmsPerDay(1.5)) + " false alarms a day"},
	} {
		if got := thresholdCost(engine.SeriesInfo{Size: 10 * time.Second, BenignTail: tc.tail}, tc.th); got != tc.want {
			t.Errorf("threshold %v: %q, want %q", tc.th, got, tc.want)
		}
	}
	// The demo: 12 baseline windows, none above the model's threshold;
	// lowered to 0, all of them are.
	m := newTestModel(t, 200, 50)
	feedRec(m, demo())
	if s := plain(m); !strings.Contains(s, "· 0 of 12 baseline windows score above it") {
		t.Errorf("header:\n%s", strings.Join(strings.Split(s, "\n")[:4], "\n"))
	}
	keys(m, "t", "text:-100", "enter")
	if s := plain(m); !strings.Contains(s, "· 12 of 12 baseline windows score above it") {
		t.Errorf("header at -100:\n%s", strings.Join(strings.Split(s, "\n")[:4], "\n"))
	}
}

// TestExportHome: ~ in an export path is the home directory.
func TestExportHome(t *testing.T) {
	cfg := testConfig(t)
	m := New(t.Context(), cfg)
	send(m, sizeMsg(120, 40))
	feedRec(m, demo())
	keys(m, "e", "ctrl+u", "text:~/out.csv", "enter")
	path := filepath.Join(cfg.Env("HOME"), "out.csv")
	if _, err := os.Stat(path); err != nil || !strings.Contains(plain(m), "wrote 1 interval") {
		t.Errorf("~/out.csv: %v\n%s", err, plain(m))
	}
}
