package main

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestTmuxFollow: the explorer follows a capture and an entity log being
// written (the live test's inputs: an exfiltration from a pod the log adds
// mid-run), by the real binary under tmux at 120×40. Without a key
// pressed, the cursor stays on the newest window, so the attack's flagged
// edge comes up on its own; the header says it follows. A step back holds
// the cursor (and the header says how to follow again); G follows again.
//
//	go test ./cmd/mimir-tui -run TestTmuxFollow -v
func TestTmuxFollow(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and follows inputs written for 16 s")
	}
	requireTool(t, "tmux")
	bin := builtBinary(t)
	live := startLive(t, bin)
	s := &tmuxSession{t: t, socket: fmt.Sprintf("mimir-follow-%d", os.Getpid()), name: "follow"}
	t.Cleanup(func() { s.tmux("kill-server") })
	home := t.TempDir()
	s.start(120, 40, fmt.Sprintf("env -u NO_COLOR -u TMUX HOME=%q XDG_CACHE_HOME=%q TERM=xterm-256color %q --follow --model %q --window 2s,10s --reorder-slack %s --entities-lag %s %q %q",
		home, home, bin, live.model, liveSlack, liveLag, live.capPath, live.logPath))

	done := make(chan []liveWrite)
	go func() { done <- live.write() }()
	s.waitFor("following", 20*time.Second, "following", "on the newest window")
	s.waitFor("the attack on the newest window", liveLead+liveAttack+liveGrace+liveSlack+2*liveWindow,
		"▲ ALERT", "shop-db -> outside")
	<-done

	scr := s.screen()
	newest, cursor := newestWindow(t, scr), cursorWindow(t, scr)
	if cursor != newest {
		t.Errorf("following, the cursor is on window %d; the newest is %d:\n%s", cursor, newest, scr)
	}
	s.keys("h")
	scr = s.waitFor("held", 10*time.Second, "cursor held; G/end follows the newest")
	held := cursorWindow(t, scr)
	// The capture's clock seals windows while it is quiet: wait for more.
	time.Sleep(2 * liveWindow)
	if got := cursorWindow(t, s.screen()); got != held {
		t.Errorf("held on window %d, the cursor moved to %d", held, got)
	}
	s.keys("G")
	scr = s.waitFor("following again", 10*time.Second, "on the newest window")
	if cursor, newest := cursorWindow(t, scr), newestWindow(t, scr); cursor != newest {
		t.Errorf("after G the cursor is on window %d; the newest is %d:\n%s", cursor, newest, scr)
	}
	s.keys("q")
	s.waitGone("q")
}

var (
	alertLineRE = regexp.MustCompile(`▲ \d+ of (\d+) windows? alerts?`)
	cursorRE    = regexp.MustCompile(`▸ window (\d+) · detail`)
)

// newestWindow is the newest window's number: the alert line counts the
// windows scored (a model's run has no baseline windows).
func newestWindow(t *testing.T, scr string) int {
	t.Helper()
	return screenNumber(t, scr, alertLineRE) - 1
}

// cursorWindow is the window the detail pane shows.
func cursorWindow(t *testing.T, scr string) int {
	t.Helper()
	return screenNumber(t, scr, cursorRE)
}

func screenNumber(t *testing.T, scr string, re *regexp.Regexp) int {
	t.Helper()
	m := re.FindStringSubmatch(scr)
	if m == nil {
		t.Fatalf("no %s on the screen:\n%s", re, scr)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
