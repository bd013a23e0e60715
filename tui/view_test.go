package tui

import (
	"errors"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/themes"
)

var goldenSizes = []struct {
	name string
	w, h int
}{
	{"80x24", 80, 24},
	{"120x40", 120, 40},
	{"200x50", 200, 50},
}

// goldenStates are the screens pinned by golden files: how each is
// reached from a fresh model.
var goldenStates = []struct {
	name  string
	setup func(m *Model)
}{
	{"start", func(m *Model) {}},
	{"streaming", func(m *Model) {
		events, _ := demoEvents()
		// Up to the 18th analysed window: the model is ready, the
		// exfiltration has begun, ingestion is still running.
		n, done := 0, 0
		for i, ev := range events {
			if _, ok := ev.(*engine.WindowDone); ok {
				done++
			}
			if done == 18 {
				n = i + 1
				break
			}
		}
		feed(m, events[:n+1], nil, nil)
	}},
	{"alert", func(m *Model) { feedRec(m, demo()); keys(m, "n") }},
	{"cleared", func(m *Model) {
		feedRec(m, demo())
		keys(m, "n", "t", "ctrl+u", "text:5", "enter")
	}},
	{"help", func(m *Model) { feedRec(m, demo()); keys(m, "?") }},
	{"drill", func(m *Model) { feedRec(m, demo()); keys(m, "n", "enter") }},
	{"picker", func(m *Model) { feedRec(m, demo()); keys(m, "f", "text:outside", "down") }},
	{"size60", func(m *Model) { feedRec(m, demo()); keys(m, "n", "w") }},
	{"graph", func(m *Model) { feedRec(m, demo()); keys(m, "n", "tab") }},
	{"export", func(m *Model) { feedRec(m, demo()); keys(m, "n", "e") }},
	{"digits", func(m *Model) { feedRec(m, demo()); keys(m, "1", "7") }},
	{"error", func(m *Model) {
		feed(m, nil, nil, errors.New("capture shop.pcap: not a pcap or pcapng file (magic 0x3c3f786d at offset 0): "+
			"give a capture written by tcpdump, dumpcap or tshark"))
	}},
	{"stress", func(m *Model) { feedRec(m, demo().Stretch(20000)); keys(m, "n", "n") }},
	// The investigation of the README's walkthrough.
	{"alerts", func(m *Model) { feedRec(m, demo()); keys(m, "a") }},
	{"interval", func(m *Model) { feedRec(m, demo()); keys(m, "a", "enter") }},
	{"flows", func(m *Model) { feedRec(m, demo()); keys(m, "a", "enter", "enter") }},
	{"evidence", func(m *Model) {
		feedRec(m, demo())
		keys(m, "a", "enter", "enter", "down", "down", "down", "down", "down", "down", "down", "down", "down", "down", "down")
	}},
	{"flowfull", func(m *Model) {
		feedRec(m, demo())
		keys(m, "a", "enter", "enter", "down", "down", "down", "down", "down", "down", "down", "space")
	}},
	{"verdict", func(m *Model) {
		feedRec(m, demo())
		keys(m, "a", "enter", "v", "c", "text:rows of the orders table to 203.0.113.10")
	}},
	{"judged", func(m *Model) { feedRec(m, demo()); keys(m, "a", "enter", "v", "c", "text:db rows out", "enter", "a") }},
	{"search", func(m *Model) { feedRec(m, demo()); keys(m, "/", "text:203.0.113.10", "enter") }},
	{"pods", func(m *Model) { feedRec(m, demo()); keys(m, "n", "p") }},
	{"copy", func(m *Model) { feedRec(m, demo()); keys(m, "n", "y") }},
	{"jump", func(m *Model) { feedRec(m, demo()); keys(m, ":", "text:12:29:40") }},
	// An entity log that starts after the capture ends: the banner.
	{"severe", func(m *Model) { feed(m, severeRun(), demo().Result, nil) }},
}

// TestGolden pins the screens at 80, 120 and 200 columns, with the colour
// profile pinned to ASCII (text attributes, no colour). Update with
// go test ./tui -run TestGolden -update.
func TestGolden(t *testing.T) {
	for _, sz := range goldenSizes {
		for _, st := range goldenStates {
			t.Run(sz.name+"/"+st.name, func(t *testing.T) {
				m := newTestModel(t, sz.w, sz.h)
				st.setup(m)
				out := screen(m, colorprofile.ASCII)
				checkFrame(t, out, sz.w, sz.h)
				golden.RequireEqual(t, out)
			})
		}
	}
}

// TestGoldenThemes pins every theme's colours on the alert screen with
// the 16-colour ANSI profile.
func TestGoldenThemes(t *testing.T) {
	for _, th := range themes.All() {
		t.Run(th.Name, func(t *testing.T) {
			m := newTestModel(t, 80, 24)
			m.setTheme(th)
			feedRec(m, demo())
			keys(m, "n")
			out := screen(m, colorprofile.ANSI)
			checkFrame(t, out, 80, 24)
			golden.RequireEqual(t, out)
		})
	}
}

// checkFrame: every screen is exactly h lines of at most w cells.
func checkFrame(t *testing.T, out string, w, h int) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells wide, more than %d: %q", i, n, w, ansi.Strip(l))
		}
	}
}

func TestFrameAtEverySize(t *testing.T) {
	// No size breaks the layout: from the smallest usable terminal up,
	// and below it a message instead of a panic.
	for _, sz := range [][2]int{{1, 1}, {20, 5}, {39, 11}, {40, 12}, {41, 13}, {60, 20}, {79, 23}, {80, 24},
		{100, 30}, {109, 30}, {110, 30}, {150, 45}, {250, 70}, {400, 120}} {
		m := newTestModel(t, sz[0], sz[1])
		feedRec(m, demo())
		for _, k := range []string{"", "n", "enter", "esc", "?", "esc", "f", "esc", "tab", "tab", "w"} {
			if k != "" {
				keys(m, k)
			}
			checkFrame(t, screen(m, colorprofile.NoTTY), sz[0], sz[1])
		}
	}
}

func TestViewFacts(t *testing.T) {
	// The alert screen at 120×40 states the numbers of the recorded demo
	// run: window 13 starts 130 s after 12:25:58.82, its flagged edge is
	// shop-db -> outside, and 7 of 24 windows alert (13–19); the model's
	// threshold and the top driver are the run's own.
	rec := demo()
	th := rec.Result.Series[0].Threshold
	top := rec.Result.Series[0].Windows[13].Contributions[0]
	driver := top.Name
	if top.Key != "" {
		driver += " ← " + top.Key
	}
	m := newTestModel(t, 120, 40)
	feedRec(m, rec)
	keys(m, "n")
	s := plain(m)
	for _, want := range []string{
		"DEMO", "window 13", "2026-11-24 12:28:09–12:28:19 UTC", "▲ ALERT", "shop-db -> outside",
		"[NEW] [OUT]", "7 of 24 windows alert", "threshold " + fmtScore(th), "1 interval", driver, "✓ analysed",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}
	// Raising the threshold above every score clears the alert, the
	// flagged edge and the count at once.
	keys(m, "t", "ctrl+u", "text:40.5", "enter")
	s = plain(m)
	for _, gone := range []string{"shop-db -> outside", "▲ ALERT"} {
		if strings.Contains(s, gone) {
			t.Errorf("after threshold 40.5 the screen still shows %q", gone)
		}
	}
	for _, want := range []string{"0 of 24 windows alert", "threshold 40.500 (model " + fmtScore(th) + ")", "does not alert"} {
		if !strings.Contains(s, want) {
			t.Errorf("after threshold 40.5 the screen lacks %q:\n%s", want, s)
		}
	}
}
