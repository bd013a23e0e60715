package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/mimir-tui/mimir-tui/engine"
)

// statusRows are the lines between the last pane line and the footer: the
// screen's lines above the footer that hold the message.
func statusRows(m *Model) []string {
	lines := strings.Split(plain(m), "\n")
	n := len(strings.Split(ansi.Strip(m.statusView()), "\n"))
	return lines[len(lines)-1-n : len(lines)-1]
}

// TestStatusWraps: at 80 columns a long message (a copied Wireshark
// filter) takes two lines, the second cut with …; the screen stays 80×24
// and the panes give up the line.
func TestStatusWraps(t *testing.T) {
	m := newTestModel(t, 80, 24)
	feedRec(m, demo())
	keys(m, "n", "enter")
	for range 40 {
		if r, _ := m.top().(*drillPane).list.selected(); strings.HasPrefix(r.fullText(), "ip.addr==") {
			break
		}
		keys(m, "down")
	}
	lowerH := m.lay.lowerH
	keys(m, "y", "1")
	rows := statusRows(m)
	if len(rows) != 2 || !strings.HasPrefix(rows[0], "⧉ copied Wireshark filter: ip.addr==10.244.0.9") || !strings.HasSuffix(strings.TrimRight(rows[1], " "), "…") {
		t.Errorf("the message does not wrap to two lines cut with …: %q", rows)
	}
	checkFrame(t, screen(m, colorprofile.ASCII), 80, 24)
	if m.lay.lowerH != lowerH-1 {
		t.Errorf("the panes are %d lines with a two-line message, %d before", m.lay.lowerH, lowerH)
	}
}

// TestInfoShowsHeaderWhole: at 80 columns the alert line is cut; i shows
// it whole, with how the model set its threshold and the last message,
// even after a key cleared it.
func TestInfoShowsHeaderWhole(t *testing.T) {
	m := newTestModel(t, 80, 24)
	feedRec(m, demo())
	keys(m, "y", "1")
	msg := m.status
	keys(m, "right")
	s := plain(m)
	if strings.Contains(s, "0 of 12 baseline windows score above it") {
		t.Fatalf("the alert line fits at 80 columns: nothing to show in full\n%s", s)
	}
	keys(m, "i")
	// The popup wraps to the width: compare without the white space.
	s = strings.Join(strings.Fields(plain(m)), "")
	for _, want := range []string{"header and last message · in full", "threshold 3.397 · 1 interval · 0 of 12 baseline windows score above it",
		"the model's threshold 3.397 is set for injection F1: 12 baseline windows are too few", "last message: " + msg} {
		if !strings.Contains(s, strings.Join(strings.Fields(want), "")) {
			t.Errorf("i does not show %q:\n%s", want, plain(m))
		}
	}
}

// TestPromptHintWraps: the threshold prompt's explanation, longer than the
// line at 80 and 120 columns, goes on to a second line rather than being
// cut, and goes away once something is typed.
func TestPromptHintWraps(t *testing.T) {
	for _, w := range []int{80, 120} {
		m := newTestModel(t, w, 24)
		feedRec(m, demo())
		keys(m, "t")
		rows := statusRows(m)
		got := strings.Join(strings.Fields(strings.Join(rows, " ")), " ")
		want := "threshold: type a number · now 3.397, the model's, set for injection F1: 12 baseline windows are too few to set it by false-alarm rate (100 needed, 16m40s)"
		if len(rows) != 2 || got != want {
			t.Errorf("at %d columns the prompt reads %q; want %q on two lines", w, rows, want)
		}
		keys(m, "text:4")
		if rows := statusRows(m); len(rows) != 1 || !strings.HasPrefix(rows[0], "threshold: 4") {
			t.Errorf("at %d columns, typing leaves %q", w, rows)
		}
		checkFrame(t, screen(m, colorprofile.ASCII), w, 24)
	}
}

// TestProgressCountsPerSize: the finished run's line counts the windows of
// each size, as the alert line counts those of the size shown (24, not
// the 28 of both sizes); a streaming run's count says it is of all sizes.
func TestProgressCountsPerSize(t *testing.T) {
	m := newTestModel(t, 120, 40)
	feedRec(m, demo())
	s := plain(m)
	if !strings.Contains(s, "3.8 MB · 24 + 4 windows (10s, 1m) · in") || !strings.Contains(s, "7 of 24 windows alert") {
		t.Errorf("the header's counts:\n%s", strings.Join(strings.Split(s, "\n")[:3], "\n"))
	}
	g := newTestModel(t, 120, 40)
	events, _ := demoEvents()
	n := 0
	for i, ev := range events {
		if _, ok := ev.(*engine.WindowDone); ok {
			n = i
		}
		if n > 0 && i > n {
			break
		}
	}
	feed(g, events[:n+2], nil, nil)
	if s := plain(g); !strings.Contains(s, " windows (all sizes)") {
		t.Errorf("the streaming header does not say what it counts:\n%s", strings.Join(strings.Split(s, "\n")[:3], "\n"))
	}
}

// TestWrapKeepsFlags: a message wraps at spaces, never inside a flag or a
// hyphenated name (ansi.Wrap alone broke "--model" after its first
// hyphen).
func TestWrapKeepsFlags(t *testing.T) {
	msg := "✓ revision 1 of the model, with 1 false positive folded in, saved to /tmp/mc/mimir-tui/demo.model.r1.json (use it with --model)"
	for width := 40; width <= 130; width++ {
		lines := wrapLines(msg, width, 10)
		whole := false
		for _, l := range lines {
			if strings.HasSuffix(l, "-") || strings.HasPrefix(l, "-model") || ansi.StringWidth(l) > width {
				t.Fatalf("width %d: line %q of %q is cut at a hyphen or too wide", width, l, lines)
			}
			whole = whole || strings.Contains(l, "--model)")
		}
		if !whole {
			t.Fatalf("width %d: --model is split: %q", width, lines)
		}
	}
}
