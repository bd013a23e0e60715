package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/engine/export"
	"github.com/mimir-tui/mimir-tui/testdata/shared"
)

// tmuxSession drives the real binary in a detached tmux session on a
// private server (-L), as a person at a 120×40 terminal would.
type tmuxSession struct {
	t      *testing.T
	socket string
	name   string
}

func (s *tmuxSession) tmux(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	return string(out), err
}

// keys sends tmux key names (Enter, C-u, +) one by one.
func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		if out, err := s.tmux("send-keys", "-t", s.name, k); err != nil {
			s.t.Fatalf("send-keys %q: %v: %s", k, err, out)
		}
	}
}

// text types literal text.
func (s *tmuxSession) text(txt string) {
	s.t.Helper()
	if out, err := s.tmux("send-keys", "-t", s.name, "-l", txt); err != nil {
		s.t.Fatalf("send-keys -l %q: %v: %s", txt, err, out)
	}
}

// screen is the visible pane as text.
func (s *tmuxSession) screen() string {
	out, err := s.tmux("capture-pane", "-p", "-t", s.name)
	if err != nil {
		return ""
	}
	return out
}

// waitFor polls the pane until it shows every string of want, failing at
// the deadline (and at once if the analysis failed).
func (s *tmuxSession) waitFor(what string, limit time.Duration, want ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(limit)
	var scr string
	for time.Now().Before(deadline) {
		scr = s.screen()
		if strings.Contains(scr, "The analysis could not run") {
			s.t.Fatalf("%s: the analysis failed:\n%s", what, scr)
		}
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(scr, w)
		}
		if ok {
			return scr
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("%s: the screen never showed %q within %s; last screen:\n%s", what, want, limit, scr)
	return ""
}

func requireTool(t *testing.T, name string) {
	t.Helper()
	shared.Tool(t, name)
}

var thresholdRE = regexp.MustCompile(`threshold (-?[0-9.]+)`)

// TestTmux runs the built binary on the built-in demo under tmux: it waits
// for the analysis, jumps to the next alert, finds the flagged edge
// shop-db -> outside, exports the intervals, raises the threshold until
// that window no longer alerts, exports again, and quits.
//
//	go test ./cmd/mimir-tui -run TestTmux -v
func TestTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and analyses the demo capture")
	}
	requireTool(t, "tmux")
	dir := t.TempDir()
	bin := builtBinary(t)
	work := filepath.Join(dir, "work")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "explore.log")

	s := &tmuxSession{t: t, socket: fmt.Sprintf("mimir-e2e-%d", os.Getpid()), name: "e2e"}
	// A private server, so the test neither sees nor disturbs the user's
	// sessions; killing it at the end ends only what the test started.
	t.Cleanup(func() { s.tmux("kill-server") })
	cmd := fmt.Sprintf("cd %q && env -u NO_COLOR TERM=xterm-256color %q --log %q", work, bin, logPath)
	if out, err := s.tmux("new-session", "-d", "-s", s.name, "-x", "120", "-y", "40", cmd); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}

	// The first frame comes at once, before any analysis.
	s.waitFor("first frame", 20*time.Second, "mimir-tui", "DEMO")
	s.waitFor("analysis", 10*time.Minute, "✓ analysed", "windows alert")

	s.keys("n")
	scr := s.waitFor("next alert", 10*time.Second, "shop-db -> outside", "▲ ALERT")
	win := regexp.MustCompile(`window (\d+) · detail`).FindStringSubmatch(scr)
	if win == nil {
		t.Fatalf("no cursor window on screen:\n%s", scr)
	}
	cursor, _ := strconv.Atoi(win[1])

	// Export at the model's threshold: the cursor window is in an
	// interval whose edges include shop-db -> outside.
	s.keys("e")
	s.waitFor("export prompt", 10*time.Second, "export flagged intervals to", "mimir-intervals-")
	s.keys("Enter")
	s.waitFor("export", 20*time.Second, "✓ wrote", work)
	matches, _ := filepath.Glob(filepath.Join(work, "mimir-intervals-*.json"))
	if len(matches) != 1 {
		t.Fatalf("export files %v, want one mimir-intervals-*.json in %s", matches, work)
	}
	ivs := readIntervals(t, matches[0])
	found := false
	for _, iv := range ivs {
		if iv.FirstWindow <= cursor && cursor <= iv.LastWindow {
			found = true
			if !slices.Contains(iv.Edges, "shop-db -> outside") {
				t.Errorf("interval %d-%d edges %v lack shop-db -> outside", iv.FirstWindow, iv.LastWindow, iv.Edges)
			}
		}
	}
	if !found {
		t.Errorf("no exported interval holds the alert window %d: %+v", cursor, ivs)
	}

	// Raise the threshold until the window clears.
	cleared := ""
	for i := 0; i < 1000 && cleared == ""; i++ {
		s.keys("+")
		if i%5 == 4 {
			if scr := s.screen(); strings.Contains(scr, "does not alert") {
				cleared = scr
			}
		}
	}
	if cleared == "" {
		cleared = s.waitFor("cleared", 10*time.Second, "does not alert")
	}
	if strings.Contains(cleared, "shop-db -> outside") {
		t.Errorf("the cleared window still lists shop-db -> outside:\n%s", cleared)
	}
	m := thresholdRE.FindStringSubmatch(cleared[strings.Index(cleared, "does not alert"):])
	if m == nil {
		t.Fatalf("no threshold on screen:\n%s", cleared)
	}
	th, _ := strconv.ParseFloat(m[1], 64)
	t.Logf("window %d cleared at threshold %v:\n%s", cursor, th, cleared)

	// Export again under a name of our own.
	s.keys("e", "C-u")
	s.text("cleared.json")
	s.keys("Enter")
	s.waitFor("second export", 20*time.Second, "✓ wrote", "cleared.json")
	for _, iv := range readIntervals(t, filepath.Join(work, "cleared.json")) {
		if iv.FirstWindow <= cursor && cursor <= iv.LastWindow {
			t.Errorf("at threshold %v the cleared window %d is still exported: %+v", th, cursor, iv)
		}
		if iv.PeakScore < th-1e-3 {
			t.Errorf("interval %d-%d peaks at %v, below the threshold %v", iv.FirstWindow, iv.LastWindow, iv.PeakScore, th)
		}
	}

	// q quits and the program ends (the session closes with it).
	s.keys("q")
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := s.tmux("has-session", "-t", s.name); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the program did not exit after q:\n%s", s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
	logb, err := os.ReadFile(logPath)
	if err != nil || !strings.Contains(string(logb), "msg=explore") {
		t.Errorf("--log file %s: %v, %q", logPath, err, logb)
	}
}

func readIntervals(t *testing.T, path string) []export.Interval {
	t.Helper()
	ivs, err := export.ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	return ivs
}

// TestExploreFlags checks the command line before any terminal is opened:
// bad flags and argument counts are usage errors that say what to do.
func TestExploreFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--theme", "solarized"}, "unknown theme"},
		{[]string{"only-one-file.pcap"}, "CAPTURE... ENTITIES"},
		{[]string{"a", "b", "c"}, "CAPTURE ENTITIES"},
		{[]string{"--baseline", "1.5"}, "--baseline"},
		{[]string{"--window", "0s"}, "--window"},
		{[]string{"--threshold", "high"}, "--threshold"},
		{[]string{"--model", filepath.Join(t.TempDir(), "missing.json")}, "--model"},
	} {
		var stderr strings.Builder
		err := runExplore(t.Context(), tc.args, &stderr, &stderr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("explore %q: err = %v, want one mentioning %q", tc.args, err, tc.want)
		}
	}
	var out strings.Builder
	if err := runExplore(t.Context(), []string{"-h"}, &out, &out); err == nil || !strings.Contains(out.String(), "-theme string") {
		t.Errorf("-h: err %v, usage %q", err, out.String())
	}
}

// analyze --suppress: the new service's release, alerting with learning
// off, judged a false positive once in a verdicts file, no longer alerts;
// the revised model is written beside the model and scores the capture
// without those alerts on its own.
func TestAnalyzeSuppress(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: trains and analyses three times")
	}
	dir := t.TempDir()
	model := filepath.Join(dir, "model.json")
	sc := "../../testdata/scenarios/"
	runOK(t, "train", "--sensitive", "shop-db", "-o", model, sc+"benign/capture.pcapng.gz", sc+"benign/entities.jsonl")
	ns := []string{sc + "new-service/capture.pcapng.gz", sc + "new-service/entities.jsonl"}
	before := alertRecords(t, runOK(t, append([]string{"analyze", "--model", model, "--learning", "off"}, ns...)...))
	if len(before) < 5 {
		t.Fatalf("with learning off the release alerts in %d windows, want many", len(before))
	}
	v := export.Verdicts{Kind: "mimir-tui-verdicts", Version: 1, Verdicts: []export.Verdict{
		{SizeSeconds: 10, Start: before[0].start, End: before[0].end, Verdict: export.FalsePositive, Note: "the recommender release"}}}
	verdicts := filepath.Join(dir, "capture.verdicts.json")
	if err := v.Write(verdicts); err != nil {
		t.Fatal(err)
	}
	after := alertRecords(t, runOK(t, append([]string{"analyze", "--model", model, "--learning", "off", "--suppress", verdicts}, ns...)...))
	if len(after) > 0 {
		t.Errorf("after the verdict %d windows alert: %+v", len(after), after)
	}
	revised := filepath.Join(dir, "model.r1.json")
	if again := alertRecords(t, runOK(t, append([]string{"analyze", "--model", revised, "--learning", "off"}, ns...)...)); len(again) > 0 {
		t.Errorf("with the revised model %d windows alert", len(again))
	}
}

type alertRecord struct {
	size       float64
	start, end time.Time
}

// alertRecords reads analyze's JSON Lines and lists the alerting windows.
func alertRecords(t *testing.T, out string) []alertRecord {
	t.Helper()
	var recs []alertRecord
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			Size  float64   `json:"size_s"`
			Start time.Time `json:"start"`
			End   time.Time `json:"end"`
			Alert bool      `json:"alert"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if r.Alert {
			recs = append(recs, alertRecord{size: r.Size, start: r.Start, end: r.End})
		}
	}
	return recs
}

// runOK runs the program in-process with args and returns its standard
// output; any error fails the test with standard error.
func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), args, &stdout, &stderr); err != nil {
		t.Fatalf("mimir-tui %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}
