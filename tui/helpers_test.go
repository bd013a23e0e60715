package tui

import (
	"bytes"
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/themes"
	"github.com/mimir-tui/mimir-tui/tui/replay"
)

// fixedNow stamps default export names in tests.
var fixedNow = time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC)

func testConfig(t testing.TB) Config {
	env := map[string]string{"HOME": t.TempDir(), "TERM": "xterm-256color"}
	return Config{
		Env:      func(k string) string { return env[k] },
		Title:    "built-in shop capture (one exfiltration hidden in it)",
		Demo:     true,
		Theme:    themes.Dark(),
		ThemeSet: true,
		Now:      func() time.Time { return fixedNow },
		Dir:      t.TempDir(),
		TempDir:  t.TempDir(),
	}
}

// newTestModel is a model of w×h fed nothing yet.
func newTestModel(t testing.TB, w, h int) *Model {
	m := New(context.Background(), testConfig(t))
	t.Cleanup(func() { m.Stop(time.Second) })
	send(m, tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// send updates m with msg and runs the commands it returns, as the
// program would, feeding their messages back (batches included).
func send(m *Model, msg tea.Msg) {
	_, cmd := m.Update(msg)
	runCmd(m, cmd)
}

func runCmd(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			runCmd(m, c)
		}
	case tea.QuitMsg:
	default:
		send(m, msg)
	}
}

// feed gives m a run's events and, if res or err is set, its end.
func feed(m *Model, events []engine.Event, res *engine.Result, err error) {
	send(m, eventsMsg{events: events})
	if res != nil || err != nil {
		send(m, runDoneMsg{res: res, err: err})
	}
}

// demo is the recorded run of the real engine on the built-in demo
// (tui/replay); each call returns a fresh copy.
func demo() *replay.Recording {
	rec, err := replay.Demo()
	if err != nil {
		panic(err)
	}
	return rec
}

// demoEvents are the demo run's events and result.
func demoEvents() ([]engine.Event, *engine.Result) {
	rec := demo()
	return rec.Events, rec.Result
}

// stretchEvents are the events and result of the demo stretched to n
// windows.
func stretchEvents(n int) ([]engine.Event, *engine.Result) {
	rec := demo().Stretch(n)
	return rec.Events, rec.Result
}

// feedRec feeds a whole recorded run.
func feedRec(m *Model, rec *replay.Recording) {
	feed(m, rec.Events, rec.Result, nil)
}

// keys presses named keys (see press); "text:abc" types abc.
func keys(m *Model, names ...string) {
	for _, n := range names {
		if s, ok := cutPrefix(n, "text:"); ok {
			for _, r := range s {
				send(m, tea.KeyPressMsg{Code: r, Text: string(r)})
			}
			continue
		}
		send(m, press(n))
	}
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return "", false
}

// screen is the view downsampled to profile p, as a terminal of that
// profile would receive it.
func screen(m *Model, p colorprofile.Profile) string {
	var b bytes.Buffer
	w := &colorprofile.Writer{Forward: &b, Profile: p}
	w.WriteString(m.View().Content)
	return b.String()
}

// plain is the view without any escape sequence.
func plain(m *Model) string { return ansi.Strip(m.View().Content) }

func sizeMsg(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }
