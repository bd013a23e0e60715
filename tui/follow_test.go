package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mimir-tui/mimir-tui/engine"
)

// TestFollowTails: exploring a followed run (Config.Follow), the real
// engine's demo windows arrive in pieces; the cursor is on the newest
// window after each, until the analyst steps back (it holds there as more
// arrive, and the header says how to follow again); G follows again.
func TestFollowTails(t *testing.T) {
	cfg := testConfig(t)
	cfg.Follow = true
	m := New(context.Background(), cfg)
	t.Cleanup(func() { m.Stop(time.Second) })
	send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	events, _ := demoEvents()
	var windows []int // where the windows are among the events
	for i, ev := range events {
		if _, ok := ev.(*engine.WindowDone); ok {
			windows = append(windows, i)
		}
	}
	third := windows[len(windows)/3]
	newest := func() int { return m.sh.tl.Len(m.sh.nav.Size) - 1 }

	// The recorded run trains its second model while the first's windows
	// arrive; a followed run has long finished training when it reads on,
	// and says it analyses.
	feed(m, events[:third], nil, nil)
	p := m.sh.data.progress
	p.Phase = engine.PhaseAnalysing
	feed(m, []engine.Event{&p}, nil, nil)
	if got, want := m.sh.nav.Window(m.sh.tl), newest(); got != want || want <= 0 {
		t.Fatalf("after a third of the run the cursor is on window %d; the newest is %d", got, want)
	}
	scr := plain(m)
	for _, want := range []string{"following", "on the newest window", "newest to "} {
		if !strings.Contains(scr, want) {
			t.Errorf("the header does not say %q:\n%s", want, scr)
		}
	}

	keys(m, "h")
	held := m.sh.nav.Window(m.sh.tl)
	feed(m, events[third:windows[2*len(windows)/3]], nil, nil)
	if got := m.sh.nav.Window(m.sh.tl); got != held || newest() <= held+1 {
		t.Errorf("stepped back to %d, the cursor is on %d once more windows arrived (newest %d)", held, got, newest())
	}
	if scr := plain(m); !strings.Contains(scr, "cursor held; G/end follows the newest") {
		t.Errorf("the header does not say the cursor is held:\n%s", scr)
	}

	keys(m, "G")
	feed(m, events[windows[2*len(windows)/3]:], nil, nil)
	if got, want := m.sh.nav.Window(m.sh.tl), newest(); got != want {
		t.Errorf("after G the cursor is on %d; the newest is %d", got, want)
	}
}

// TestNotFollowingStaysPut: a run that is not followed keeps the cursor
// where it is as windows arrive (the first window, until moved).
func TestNotFollowingStaysPut(t *testing.T) {
	m := newTestModel(t, 120, 40)
	events, _ := demoEvents()
	feed(m, events, nil, nil)
	if got := m.sh.nav.Window(m.sh.tl); got != 0 {
		t.Errorf("cursor on %d, want 0", got)
	}
	if scr := plain(m); strings.Contains(scr, "following") {
		t.Errorf("a run not followed says following:\n%s", scr)
	}
}
