package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mimir-tui/mimir-tui/engine"
)

// TestHeaderInputPaths: the header shows enough of each input path to
// tell two captures of the same name apart, even at 80 columns.
func TestHeaderInputPaths(t *testing.T) {
	cfg := testConfig(t)
	cfg.Demo = false
	cfg.Inputs = []string{"/srv/captures/cluster-a/run-1/capture.pcapng", "/srv/captures/cluster-a/run-1/entities.jsonl"}
	m := New(t.Context(), cfg)
	send(m, sizeMsg(80, 24))
	line := strings.Split(plain(m), "\n")[0]
	for _, want := range []string{"capture.pcapng", "entities.jsonl"} {
		if !strings.Contains(line, want) {
			t.Errorf("header %q lacks %q", line, want)
		}
	}
	send(m, sizeMsg(200, 50))
	if line := strings.Split(plain(m), "\n")[0]; !strings.Contains(line, cfg.Inputs[0]) {
		t.Errorf("at 200 columns the header %q does not show the whole path", line)
	}
}

// TestFalseAlarmsHook: the header shows the expected false alarms per day
// at the threshold in force, and follows the threshold.
func TestFalseAlarmsHook(t *testing.T) {
	cfg := testConfig(t)
	var seen []float64
	cfg.FalseAlarmsPerDay = func(info engine.SeriesInfo, th float64) (float64, bool) {
		seen = append(seen, th)
		return 100 / (1 + 10*th), info.Size > 0
	}
	m := New(t.Context(), cfg)
	send(m, sizeMsg(200, 50))
	feedRec(m, demo())
	th := m.sh.threshold()
	if s := plain(m); !strings.Contains(s, "≈ "+compact(100/(1+10*th))+" false alarms/day at this threshold") {
		t.Errorf("header:\n%s", strings.Join(strings.Split(s, "\n")[:4], "\n"))
	}
	keys(m, "t", "text:2", "enter")
	if s := plain(m); !strings.Contains(s, "≈ "+compact(100.0/21)+" false alarms/day") {
		t.Errorf("after threshold 2:\n%s", strings.Join(strings.Split(s, "\n")[:4], "\n"))
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
