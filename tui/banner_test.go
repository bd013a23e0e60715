package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/loaders/check"
)

// judged are the engine's warnings for an entity log that starts after
// the capture ends, as the engine makes them (pipeline.judge): the
// judgement of loaders/check, an error-level finding severe.
func judgedWarnings() []engine.Event {
	start := time.Date(2026, 11, 24, 12, 25, 59, 0, time.UTC)
	ev := check.Evidence{CaptureFirst: start.UnixNano(), CaptureLast: start.Add(4 * time.Minute).UnixNano(),
		LogFirst: start.Add(9 * time.Minute).UnixNano(), LogLast: start.Add(20 * time.Minute).UnixNano(),
		IPBytes: 3_800_000, InClusterBytes: 3_500_000, Services: 9}
	var out []engine.Event
	for _, f := range check.Judge(ev) {
		out = append(out, &engine.Warning{Message: f.Message, Setting: engine.Setting(f.Setting), Severe: f.Severity == check.Error})
	}
	return out
}

// severeRun is the demo run with, after its first events, the severe
// warning, and later an ordinary one.
func severeRun() []engine.Event {
	events, _ := demoEvents()
	out := append([]engine.Event{}, events[:3]...)
	out = append(out, judgedWarnings()...)
	out = append(out, events[3:]...)
	return append(out, &engine.Warning{Message: "2 packets were truncated by the capture's snap length"})
}

// TestSevereWarningBanner: a warning that makes the results meaningless
// takes the header's last line as "!! …" with how to change the setting,
// even after a later ordinary warning; i lists both in full.
func TestSevereWarningBanner(t *testing.T) {
	if w := judgedWarnings(); len(w) != 1 || !w[0].(*engine.Warning).Severe {
		t.Fatalf("the judgement of a log after the capture: %+v", w)
	}
	cfg := testConfig(t)
	cfg.SettingHint = func(s engine.Setting) string {
		if s == engine.Setting("entities-offset") {
			return "--entities-offset"
		}
		return ""
	}
	m := New(t.Context(), cfg)
	t.Cleanup(func() { m.Stop(time.Second) })
	send(m, sizeMsg(200, 50))
	feed(m, severeRun(), demo().Result, nil)
	header := strings.Split(plain(m), "\n")[:4]
	want := "!! the entity log starts 5m0s after the capture ends: they do not overlap; are they from the same run? " +
		"(a relative log can be shifted by an offset); set with --entities-offset"
	if strings.TrimRight(header[3], " ") != want {
		t.Errorf("the header's last line is %q, want %q", header[3], want)
	}
	keys(m, "i")
	s := strings.Join(strings.Fields(plain(m)), " ")
	for _, w := range []string{want, "! 2 packets were truncated by the capture's snap length"} {
		if !strings.Contains(s, w) {
			t.Errorf("i does not list %q:\n%s", w, plain(m))
		}
	}
}
