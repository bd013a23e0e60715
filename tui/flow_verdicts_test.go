package tui

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/tui/replay"
)

// rescoring is cfg rescoring the demo with the real engine; asked
// records the false positives of every rescore.
func rescoring(t *testing.T) (Config, func() [][]engine.Suppression) {
	cfg := testConfig(t)
	cfg.VerdictsPath = filepath.Join(t.TempDir(), "shop.pcapng.verdicts.json")
	var mu sync.Mutex
	var asked [][]engine.Suppression
	cfg.Rescore = func(fp []engine.Suppression) Runner {
		mu.Lock()
		asked = append(asked, fp)
		mu.Unlock()
		opts := replay.DemoOptions()
		opts.Streaming, opts.ExplainAll = true, true
		opts.Suppress = fp
		return EngineRunner(replay.DemoInputs(), opts)
	}
	return cfg, func() [][]engine.Suppression {
		mu.Lock()
		defer mu.Unlock()
		return append([][]engine.Suppression(nil), asked...)
	}
}

// TestFlowFalsePositiveRevisited: an interval judged a false positive and
// folded still shows in the alerts list, marked, with its verdict; v on
// one of its windows changes the verdict, and confirming it rescores
// without the fold, so that it alerts again.
func TestFlowFalsePositiveRevisited(t *testing.T) {
	cfg, asked := rescoring(t)
	f := demoFlow(t, cfg, 120, 40)
	f.keys("n", "v")
	f.waitFor("question", "verdict on windows 13–19")
	f.keys("f", "text:a backup job", "enter")
	f.waitFor("rescored", "✓ analysed", "▲ 0 of 24 windows alert")
	f.keys("a")
	f.waitFor("folded in the list", "0 intervals at threshold", "1 judged interval not alerting",
		"12:28:09 12:29:19", "false positive", "folded: no alert")
	f.keys("space")
	f.waitFor("in full", "verdict: false positive: a backup job", "folded: judged a false positive")
	f.keys("esc", "enter")
	f.waitFor("its window", "window 13 · detail", "in windows 13–19 · verdict false positive")
	f.keys("right", "right", "v")
	f.waitFor("question again", "verdict on windows 13–19")
	f.keys("c", "ctrl+u", "text:not a backup", "enter")
	f.waitFor("rescoring", "rescoring with no interval folded into the baseline")
	f.waitFor("rescored without the fold", "✓ analysed", "▲ 7 of 24 windows alert")
	got := asked()
	if len(got) != 2 || len(got[0]) != 1 || len(got[1]) != 0 {
		t.Fatalf("rescores asked for %+v; want the interval folded, then nothing", got)
	}
	f.keys("a")
	f.waitFor("confirmed in the list", "1 interval at threshold", "confirmed")
}

// TestFlowRevisionIsStatus: the run that folds a false positive in has
// its model's revision kept (Config.Revised, given the revision and how
// many intervals were folded) and says where as a status, not a warning.
func TestFlowRevisionIsStatus(t *testing.T) {
	cfg, _ := rescoring(t)
	var mu sync.Mutex
	var got []int
	cfg.Revised = func(rev *engine.Model, folded int) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, rev.Revision, folded)
		return fmt.Sprintf("✓ revision %d of the model, with %d folded in, saved to r.json", rev.Revision, folded), nil
	}
	f := demoFlow(t, cfg, 120, 40)
	f.keys("n", "v", "f", "enter")
	s := f.waitFor("revision", "✓ analysed", "✓ revision 1 of the model, with 1 folded in, saved to r.json")
	if strings.Contains(s, "warning") {
		t.Errorf("the revision reads as a warning:\n%s", s)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || got[0] != 1 || got[1] != 1 {
		t.Errorf("Revised was given %v; want revision 1, 1 interval folded", got)
	}
}
