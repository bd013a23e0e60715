package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/export"
	"github.com/mimir-tui/mimir-tui/testdata"
	"github.com/mimir-tui/mimir-tui/tui"
)

// start runs cmd in a new detached session of w×h.
func (s *tmuxSession) start(w, h int, cmd string) {
	s.t.Helper()
	if out, err := s.tmux("new-session", "-d", "-s", s.name, "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), cmd); err != nil {
		s.t.Fatalf("tmux new-session: %v: %s", err, out)
	}
}

// waitGone waits for the session to end (the program exited).
func (s *tmuxSession) waitGone(what string) {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := s.tmux("has-session", "-t", s.name); err != nil {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: the program did not exit:\n%s", what, s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// frames counts the frames tshark reads from a capture, with an optional
// display filter.
func frames(t *testing.T, tshark, path, filter string) int {
	t.Helper()
	args := []string{"-r", path}
	if filter != "" {
		args = append(args, "-Y", filter)
	}
	out, err := exec.Command(tshark, args...).Output()
	if err != nil {
		t.Fatalf("tshark %q: %v", args, err)
	}
	return strings.Count(string(out), "\n")
}

var flowRE = regexp.MustCompile(`(tcp|udp)\s+(\S+)\s+→ (\S+)\s+[\d.]+ [kMG]?B\s+(\d+)`)

// TestTmuxInvestigation is issue 7's investigation, by the real binary
// under tmux at 120×40: the demo → the alerts list → open the interval →
// open shop-db -> outside → its flows, with the destination address and
// port → write its packets to a pcapng file, read it back with tshark and
// count the frames (as many as its flows have, and as tshark finds with
// the Wireshark filter the explorer gives, copied through the clipboard)
// → mark the interval confirmed → quit → restart and see the verdict.
//
//	go test ./cmd/mimir-tui -run TestTmuxInvestigation -v
func TestTmuxInvestigation(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and analyses the demo capture twice")
	}
	requireTool(t, "tmux")
	tshark := requireToolPath(t, "tshark")
	bin := builtBinary(t)
	dir := t.TempDir()
	work, home, cache := filepath.Join(dir, "work"), filepath.Join(dir, "home"), filepath.Join(dir, "cache")
	for _, d := range []string{work, home, cache} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s := &tmuxSession{t: t, socket: fmt.Sprintf("mimir-inv-%d", os.Getpid()), name: "inv"}
	t.Cleanup(func() { s.tmux("kill-server") })
	cmd := fmt.Sprintf("cd %q && env -u NO_COLOR -u TMUX HOME=%q XDG_CACHE_HOME=%q TERM=xterm-256color %q", work, home, cache, bin)
	s.start(120, 40, cmd)
	// OSC 52 from the program makes a tmux buffer.
	s.tmux("set-option", "-g", "set-clipboard", "on")

	s.waitFor("analysis", 10*time.Minute, "✓ analysed", "windows alert")
	s.keys("a")
	s.waitFor("alerts list", 20*time.Second, "flagged intervals · 1 interval", "shop-db -> outside")
	s.keys("Enter")
	scr := s.waitFor("the interval's peak", 20*time.Second, "▸ flagged edges · window", "›shop-db -> outside")
	win := regexp.MustCompile(`flagged edges · window (\d+)`).FindStringSubmatch(scr)[1]
	s.keys("Enter")
	scr = s.waitFor("the edge's flows", 20*time.Second, "edge shop-db -> outside", "flows · ", "203.0.113.10:80")
	want := 0
	for _, m := range flowRE.FindAllStringSubmatch(scr, -1) {
		n, _ := strconv.Atoi(m[4])
		want += n
		t.Logf("flow %s %s → %s: %s packets", m[1], m[2], m[3], m[4])
	}
	if want == 0 || strings.Contains(scr, "more (the engine keeps the largest)") {
		t.Fatalf("no complete list of flows on screen:\n%s", scr)
	}

	s.keys("x")
	s.waitFor("packets prompt", 10*time.Second, "write the packets of shop-db -> outside in window "+win+" to: ")
	s.keys("C-u")
	s.text("exfil.pcapng")
	s.keys("Enter")
	pcap := filepath.Join(work, "exfil.pcapng")
	scr = s.waitFor("packets written", 30*time.Second, fmt.Sprintf("✓ wrote %d packets to %s", want, pcap), "Wireshark display filter")
	if got := frames(t, tshark, pcap, ""); got != want {
		t.Errorf("tshark reads %d frames from %s; the flows have %d packets", got, pcap, want)
	}
	// y copies the filter (the first value offered) through OSC 52.
	s.keys("y", "1")
	s.waitFor("copied", 10*time.Second, "⧉ copied Wireshark filter: ip.addr==")
	// The status says copied when the program sends the sequence; tmux
	// stores it a moment later.
	var filter string
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if filter, err = s.tmux("show-buffer"); err == nil {
			break
		}
	}
	if err != nil || !strings.HasPrefix(filter, "ip.addr==10.244.0.9 && ip.addr==203.0.113.10") {
		t.Fatalf("tmux buffer %q, %v: the copied filter", filter, err)
	}
	capture := filepath.Join(dir, "capture.pcapng.gz")
	if err := os.WriteFile(capture, testdata.ShopCapture, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := frames(t, tshark, capture, filter); got != want {
		t.Errorf("tshark finds %d frames in the demo capture with %q; the explorer wrote %d", got, filter, want)
	}

	// A key right after Escape would read as alt+key: wait for the popup
	// to close.
	s.keys("Escape")
	s.waitFor("back to the edge", 10*time.Second, "edge shop-db -> outside", "flows · ")
	s.keys("v")
	s.waitFor("verdict question", 10*time.Second, "verdict on windows ", "c confirmed")
	s.keys("c")
	s.waitFor("note", 10*time.Second, "confirmed · note:")
	s.text("db rows to 203.0.113.10:80")
	s.keys("Enter")
	sidecar := filepath.Join(cache, "mimir-tui", "demo.verdicts.json")
	s.waitFor("saved", 10*time.Second, ": confirmed, saved to "+sidecar)
	s.keys("q")
	s.waitGone("quit")
	vs, err := export.ReadVerdicts(sidecar)
	if err != nil || len(vs.Verdicts) != 1 || vs.Verdicts[0].Verdict != export.Confirmed {
		t.Fatalf("sidecar %s: %+v, %v", sidecar, vs, err)
	}

	s.start(120, 40, cmd)
	s.waitFor("analysis again", 10*time.Minute, "✓ analysed")
	s.keys("a")
	scr = s.waitFor("the verdict read back", 20*time.Second, "flagged intervals · 1 interval", "confirmed")
	t.Logf("after the restart:\n%s", scr)
	s.keys("space")
	s.waitFor("the note", 10*time.Second, "verdict: confirmed: db rows to 203.0.113.10:80")
	s.keys("Escape")
	s.waitFor("the list again", 10*time.Second, "flagged intervals · 1 interval")
	s.keys("q")
	s.waitGone("second quit")
}

func requireToolPath(t *testing.T, name string) string {
	t.Helper()
	requireTool(t, name)
	p, _ := exec.LookPath(name)
	return p
}

// TestInvestigationConfig: the explorer writes packets from the capture
// and keeps verdicts beside it; the demo's verdicts go to the user's
// cache directory; a capture from standard input offers neither.
func TestInvestigationConfig(t *testing.T) {
	cache := t.TempDir()
	cacheDir := func() (string, error) { return cache, nil }
	var cfg tui.Config
	var ef engineFlags
	files := []string{"/data/run-1/node-a.pcapng", "/data/run-1/node-b.pcapng", "/data/run-1/shop.jsonl"}
	in, err := exploreInputs(&cfg, &ef, files)
	if err != nil {
		t.Fatal(err)
	}
	investigation(&cfg, in, files, cacheDir)
	if cfg.Source == nil || len(cfg.Source.Captures) != 2 || cfg.VerdictsPath != "/data/run-1/node-a.pcapng.verdicts.json" {
		t.Errorf("files: source %+v, verdicts %q", cfg.Source, cfg.VerdictsPath)
	}
	if len(cfg.Paths) != 3 {
		t.Errorf("paths %q", cfg.Paths)
	}
	var demo tui.Config
	in, _ = exploreInputs(&demo, &ef, nil)
	investigation(&demo, in, nil, cacheDir)
	if demo.Source == nil || demo.VerdictsPath != filepath.Join(cache, "mimir-tui", "demo.verdicts.json") {
		t.Errorf("demo: source %+v, verdicts %q", demo.Source, demo.VerdictsPath)
	}
	var stdin tui.Config
	investigation(&stdin, in, []string{"-", "e.jsonl"}, cacheDir)
	if stdin.Source != nil || stdin.VerdictsPath != "" {
		t.Errorf("standard input: source %+v, verdicts %q", stdin.Source, stdin.VerdictsPath)
	}
	var nocache tui.Config
	investigation(&nocache, in, nil, func() (string, error) { return "", os.ErrNotExist })
	if nocache.VerdictsPath != "" {
		t.Errorf("no cache directory: verdicts %q", nocache.VerdictsPath)
	}
}

// TestExplorerExplainsEveryWindow: the explorer streams the windows (its
// memory must not grow with the capture) yet lets the analyst move the
// threshold, so the engine explains every window it streams: windows that
// do not alert at the model's threshold still carry their flagged edges.
// (A streamed analyze explains only its alerts.)
func TestExplorerExplainsEveryWindow(t *testing.T) {
	fs := flag.NewFlagSet("explore", flag.ContinueOnError)
	var ef engineFlags
	ef.register(fs, true)
	var ff followFlags
	ff.register(fs)
	if err := fs.Parse([]string{"--sensitive", demoSensitive}); err != nil {
		t.Fatal(err)
	}
	opts, err := exploreOptions(&ef, &ff, true)
	if err != nil {
		t.Fatal(err)
	}
	in := engine.Inputs{Capture: engine.BytesSource(testdata.ShopCaptureName, testdata.ShopCapture),
		Entities: engine.BytesSource(testdata.ShopEntitiesName, testdata.ShopEntities)}
	var th float64
	explained, quiet := 0, 0
	_, err = engine.Run(t.Context(), in, opts, func(ev engine.Event) {
		switch ev := ev.(type) {
		case *engine.ModelReady:
			th = ev.Series[0].Threshold
		case *engine.WindowDone:
			w := ev.Window
			if w.Size != 10*time.Second || w.Baseline || w.Alert(th) {
				return
			}
			quiet++
			if len(w.Flagged) > 0 {
				explained++
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if quiet == 0 || explained == 0 {
		t.Errorf("%d quiet windows after the baseline, %d of them explained: the explorer cannot lower the threshold onto them", quiet, explained)
	}
}
