package tui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/mimir-tui/mimir-tui/engine/export"
)

// probeMsg asks the program for its current screen. Answering from inside
// Update reads the model on the program's goroutine, at a well-defined
// point, unlike parsing the renderer's incremental output.
type probeMsg struct{ reply chan string }

// probed wraps the root model to answer probes.
type probed struct{ *Model }

func (p probed) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if pm, ok := msg.(probeMsg); ok {
		pm.reply <- ansi.Strip(p.Model.render())
		return p, nil
	}
	_, cmd := p.Model.Update(msg)
	return p, cmd
}

// flow is a program under test.
type flow struct {
	t  *testing.T
	tm *teatest.TestModel
	m  *Model
}

func startFlow(t *testing.T, cfg Config, w, h int) *flow {
	t.Helper()
	m := New(context.Background(), cfg)
	tm := teatest.NewTestModel(t, probed{m}, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ANSI)))
	f := &flow{t: t, tm: tm, m: m}
	t.Cleanup(func() {
		tm.Quit()
		m.Stop(5 * time.Second)
	})
	return f
}

// screen is the program's current screen, as plain text.
func (f *flow) screen() string {
	reply := make(chan string, 1)
	f.tm.Send(probeMsg{reply: reply})
	select {
	case s := <-reply:
		return s
	case <-time.After(10 * time.Second):
		f.t.Fatal("the program did not answer a probe in 10 s")
		return ""
	}
}

// waitFor polls the screen until it contains all of want (30 s at most).
func (f *flow) waitFor(what string, want ...string) string {
	f.t.Helper()
	return f.waitForWithin(30*time.Second, what, want...)
}

func (f *flow) waitForWithin(limit time.Duration, what string, want ...string) string {
	f.t.Helper()
	deadline := time.Now().Add(limit)
	var s string
	for time.Now().Before(deadline) {
		s = f.screen()
		ok := true
		for _, w := range want {
			if !strings.Contains(s, w) {
				ok = false
			}
		}
		if ok {
			return s
		}
		time.Sleep(20 * time.Millisecond)
	}
	f.t.Fatalf("%s: the screen never showed %q; last screen:\n%s", what, want, s)
	return ""
}

func (f *flow) keys(names ...string) {
	for _, n := range names {
		if s, ok := strings.CutPrefix(n, "text:"); ok {
			f.tm.Type(s)
			continue
		}
		f.tm.Send(press(n))
	}
}

// TestFlowShop is the analyst's path of the issue on the recorded demo run:
// wait for the analysis, jump to the alert, see the flagged edge, export
// the intervals, raise the threshold until the alert clears, export again
// (asked before overwriting), quit.
func TestFlowShop(t *testing.T) {
	sc := demo()
	sc.Pace = 2 * time.Millisecond // windows arrive one by one
	cfg := testConfig(t)
	cfg.Runner = sc.Run
	f := startFlow(t, cfg, 120, 40)

	// The first frame comes before any window.
	f.waitFor("first frame", "mimir-tui", "DEMO")
	f.waitFor("analysis done", "✓ analysed", "7 of 24 windows alert")

	f.keys("n")
	s := f.waitFor("next alert", "window 13", "shop-db -> outside", "▲ ALERT")
	if !strings.Contains(s, "[NEW] [OUT]") {
		t.Errorf("the service graph does not mark the new outside edge:\n%s", s)
	}

	// Export at the model's threshold: one interval, windows 13–19.
	f.keys("e")
	f.waitFor("export prompt", "mimir-intervals-20261124-130000.json")
	f.keys("enter")
	path := filepath.Join(cfg.Dir, "mimir-intervals-20261124-130000.json")
	f.waitFor("export done", "wrote 1 interval", path)
	ivs := readIntervals(t, path)
	if len(ivs) != 1 || ivs[0].FirstWindow != 13 || ivs[0].LastWindow != 19 || ivs[0].Windows != 7 {
		t.Fatalf("exported %+v, want one interval of windows 13–19", ivs)
	}
	if !slices.Contains(ivs[0].Edges, "shop-db -> outside") || !slices.Contains(ivs[0].Services, "shop-db") {
		t.Errorf("interval edges %v, services %v: want shop-db -> outside", ivs[0].Edges, ivs[0].Services)
	}

	// Raise the threshold until no window alerts; once the cursor window
	// no longer alerts, its flagged edges are gone.
	for i := 0; ; i++ {
		if i == 200 {
			t.Fatal("the alerts never cleared after 200 presses of +")
		}
		f.keys("+")
		s := f.screen()
		if strings.Contains(s, "does not alert") && strings.Contains(s, "shop-db -> outside   ") {
			t.Fatalf("cleared window still lists its flagged edge:\n%s", s)
		}
		if strings.Contains(s, "0 of 24 windows alert") {
			break
		}
	}
	f.waitFor("cleared", "0 of 24 windows alert", "0 intervals")

	// Exporting to the same name asks; n keeps the file, y overwrites it.
	f.keys("e", "ctrl+u", "text:"+path, "enter")
	f.waitFor("overwrite question", "exists. Overwrite it?")
	f.keys("n")
	f.waitFor("kept", "kept "+path)
	if got := readIntervals(t, path); len(got) != 1 {
		t.Fatalf("declining overwrote the file: %+v", got)
	}
	f.keys("e", "ctrl+u", "text:"+path, "enter")
	f.waitFor("overwrite question", "exists. Overwrite it?")
	f.keys("y")
	f.waitFor("overwritten", "wrote 0 intervals")
	if got := readIntervals(t, path); len(got) != 0 {
		t.Fatalf("after overwrite at a high threshold: %+v, want no interval", got)
	}

	// CSV by extension.
	f.keys("r", "e", "ctrl+u", "text:out.csv", "enter")
	f.waitFor("csv", "wrote 1 interval", filepath.Join(cfg.Dir, "out.csv"))
	b, err := os.ReadFile(filepath.Join(cfg.Dir, "out.csv"))
	if err != nil || !strings.HasPrefix(string(b), strings.Join(export.CSVHeader, ",")) {
		t.Fatalf("out.csv = %q, %v", b, err)
	}

	f.keys("q")
	f.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	f.m.Stop(5 * time.Second)
	select {
	case <-f.m.run.exited:
	default:
		t.Fatal("the analysis goroutine is still running after quit")
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

// TestFlowError: a run that fails shows its error on a clear screen with
// q to quit, and Err reports it.
func TestFlowError(t *testing.T) {
	sc := demo()
	sc.Err = errors.New(`entities shop.jsonl line 3: "ts" is not RFC 3339 ("yesterday"): write times like 2026-11-24T12:25:58Z`)
	cfg := testConfig(t)
	cfg.Runner = sc.Run
	f := startFlow(t, cfg, 80, 24)
	s := f.waitFor("error screen", "The analysis could not run", "line 3", "q to quit")
	if strings.Contains(s, "score") {
		t.Errorf("error screen is not clear:\n%s", s)
	}
	f.keys("n", "+") // ignored
	f.keys("q")
	f.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	if err := f.m.Err(); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("Err() = %v", err)
	}
}

// TestFlowQuitWhileRunning: quitting in the middle of a long run cancels
// it, and the engine goroutine ends (nothing keeps writing).
func TestFlowQuitWhileRunning(t *testing.T) {
	sc := demo().Stretch(20000)
	sc.Pace = time.Millisecond // 20 s if not cancelled
	cfg := testConfig(t)
	cfg.Runner = sc.Run
	f := startFlow(t, cfg, 100, 30)
	f.waitFor("streaming", "analysing")
	f.keys("q")
	f.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	f.m.Stop(5 * time.Second)
	select {
	case <-f.m.run.exited:
	default:
		t.Fatal("the analysis goroutine outlived the program")
	}
	if f.m.Done() && f.m.Err() != nil {
		t.Errorf("a cancelled run reports an error: %v", f.m.Err())
	}
}

// TestFlowMouse: a click on a chart column moves the cursor to that
// column's peak window; the wheel over the chart steps windows.
func TestFlowMouse(t *testing.T) {
	cfg := testConfig(t)
	cfg.Runner = demo().Run
	f := startFlow(t, cfg, 120, 40)
	f.waitFor("done", "✓ analysed")
	m := f.m
	// 24 windows spread over 109 columns: window 17 is columns
	// 17·109/24 = 77 to 18·109/24 = 81 (excluded), i.e. screen x =
	// plotLeft + 79. The chart's first plot line is one line under its
	// title.
	x, y := plotLeft+79, m.lay.chartY+2
	f.tm.Send(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
	f.waitFor("click", "window 17 ·")
	f.tm.Send(tea.MouseWheelMsg{X: x, Y: y, Button: tea.MouseWheelDown})
	f.tm.Send(tea.MouseWheelMsg{X: x, Y: y, Button: tea.MouseWheelDown})
	f.waitFor("wheel down", "window 19 ·")
	f.tm.Send(tea.MouseWheelMsg{X: x, Y: y, Button: tea.MouseWheelUp})
	f.waitFor("wheel up", "window 18 ·")
}

// TestFlowStress streams 100 000 windows through the program and then
// navigates: the program keeps up (no timing is asserted).
func TestFlowStress(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 100 000 windows")
	}
	cfg := testConfig(t)
	cfg.Runner = demo().Stretch(100000).Run
	f := startFlow(t, cfg, 200, 50)
	// Generating 100 000 synthetic windows is slow under -race: allow it.
	f.waitForWithin(5*time.Minute, "done", "✓ analysed", "of 100,000 windows alert")
	f.keys("G", "N")
	s := f.waitFor("last alert", "shop-db -> outside")
	if !strings.Contains(s, "▲ ALERT") {
		t.Errorf("N from the end does not land on an alert:\n%s", s)
	}
}
