package tui

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
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

// TestFalseAlarmsHeader: the header prices the threshold in force — the
// benign windows a day the model expects above it — and follows the
// threshold.
func TestFalseAlarmsHeader(t *testing.T) {
	m := newTestModel(t, 200, 50)
	feedRec(m, demo())
	info := m.sh.current().info
	for _, typed := range []string{"", "2"} {
		if typed != "" {
			keys(m, "t", "text:"+typed, "enter")
		}
		perDay := info.FalseAlarmsPerDay(m.sh.threshold())
		if math.IsNaN(perDay) {
			t.Fatal("the demo's model has no benign scores to price a threshold with")
		}
		if s := plain(m); !strings.Contains(s, "≈ "+compact(perDay)+" false alarms a day") {
			t.Errorf("threshold %v: the header lacks ≈ %s false alarms a day:\n%s", m.sh.threshold(), compact(perDay),
				strings.Join(strings.Split(s, "\n")[:4], "\n"))
		}
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
