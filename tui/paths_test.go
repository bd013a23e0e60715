package tui

import (
	"strings"
	"testing"
)

// TestShortenPaths: paths give up their leading directories, the longest
// first, to fit — but two captures of the same name keep what tells them
// apart.
func TestShortenPaths(t *testing.T) {
	for _, tc := range []struct {
		paths []string
		room  int
		want  string
	}{
		{[]string{"capture.pcapng", "entities.jsonl"}, 80, "capture.pcapng + entities.jsonl"},
		{[]string{"/data/cluster-a/2026-11-24/capture.pcapng", "/data/cluster-a/2026-11-24/entities.jsonl"}, 50,
			"…/capture.pcapng + …/2026-11-24/entities.jsonl"},
		{[]string{"/data/cluster-a/2026-11-24/capture.pcapng", "/data/cluster-a/2026-11-24/entities.jsonl"}, 20,
			"…/capture.pcapng + …/entities.jsonl"},
		// Same file name: the differing directory stays.
		{[]string{"/srv/run-1/capture.pcapng", "/srv/run-2/capture.pcapng"}, 10,
			"…/run-1/capture.pcapng + …/run-2/capture.pcapng"},
		{[]string{"~/caps/shop.pcapng", "~/caps/shop.jsonl"}, 30, "…/shop.pcapng + …/shop.jsonl"},
	} {
		if got := strings.Join(shortenPaths(tc.paths, tc.room), " + "); got != tc.want {
			t.Errorf("shortenPaths(%q, %d) = %q, want %q", tc.paths, tc.room, got, tc.want)
		}
	}
}

func TestHomePaths(t *testing.T) {
	for _, tc := range []struct{ in, home, want string }{
		{"~/caps/a.pcap", "/home/ana", "/home/ana/caps/a.pcap"},
		{"~", "/home/ana", "/home/ana"},
		{"~ana/x", "/home/ana", "~ana/x"}, // another user's home is not guessed
		{"out.json", "/home/ana", "out.json"},
		{"~/x", "", "~/x"},
	} {
		if got := expandHome(tc.in, tc.home); got != tc.want {
			t.Errorf("expandHome(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := homeRelative("/home/ana/caps/a.pcap", "/home/ana"); got != "~/caps/a.pcap" {
		t.Errorf("homeRelative = %q", got)
	}
	if got := homeRelative("/srv/a.pcap", "/home/ana"); got != "/srv/a.pcap" {
		t.Errorf("homeRelative outside home = %q", got)
	}
}

func TestClipboardSupport(t *testing.T) {
	for _, tc := range []struct {
		env map[string]string
		ok  bool
		why string
	}{
		{map[string]string{"TERM": "xterm-256color"}, true, ""},
		{map[string]string{"TERM": "linux"}, false, "Linux console"},
		{map[string]string{"TERM_PROGRAM": "Apple_Terminal"}, false, "Terminal.app"},
		{map[string]string{"VTE_VERSION": "7600"}, false, "VTE"},
		{map[string]string{"TMUX": "/tmp/tmux-0/default,1,0"}, true, "set-clipboard on"},
	} {
		ok, why := clipboardSupport(func(k string) string { return tc.env[k] })
		if ok != tc.ok || !strings.Contains(why, tc.why) {
			t.Errorf("%v: %v %q, want %v %q", tc.env, ok, why, tc.ok, tc.why)
		}
	}
}
