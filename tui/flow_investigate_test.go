package tui

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/export"
	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/themes"
	"github.com/mimir-tui/mimir-tui/tui/replay"
)

// toAlert jumps to the first alert and waits for its flagged edges.
func (f *flow) toAlert() {
	f.t.Helper()
	f.keys("n")
	f.waitFor("alert", "›shop-db -> outside")
}

// demoFlow is the explorer at w×h on the recorded demo run, analysed.
func demoFlow(t *testing.T, cfg Config, w, h int) *flow {
	t.Helper()
	cfg.Runner = demo().Run
	f := startFlow(t, cfg, w, h)
	f.waitFor("analysis done", "✓ analysed")
	return f
}

// TestFlowAlertsList: a lists the flagged intervals with their top edge
// and verdict; s sorts; space shows a row in full; enter goes to the peak
// window with its flagged edges.
func TestFlowAlertsList(t *testing.T) {
	rs := demo().Result.Series[0]
	iv := export.Intervals(&rs, rs.Threshold)[0]
	f := demoFlow(t, testConfig(t), 120, 40)
	f.keys("a")
	s := f.waitFor("alerts list", "flagged intervals · 1 interval at threshold", "12:28:09", "12:29:19", "1m10s", "shop-db -> outside")
	if !regexp.MustCompile(`12:28:09 12:29:19\s+1m10s\s+7\s+` + regexp.QuoteMeta(fmtScore(iv.PeakScore)) + `\s+—`).MatchString(s) {
		t.Errorf("the interval's row does not read start, end, length, windows, peak, no verdict:\n%s", s)
	}
	f.keys("s")
	f.waitFor("sorted", "sort peak ↓")
	f.keys("space")
	f.waitFor("row in full", "flagged interval · in full", "services: ", "top edge: shop-db -> outside", "edges: ")
	f.keys("esc", "enter")
	f.waitFor("peak window", "▸ flagged edges · window "+strconv.Itoa(iv.PeakWindow))
}

// TestFlowSearch: / finds the exfiltration's outside address in windows
// 13–19 with the bytes of its traffic, marks them under the chart, and ]
// and [ step through them.
func TestFlowSearch(t *testing.T) {
	f := demoFlow(t, testConfig(t), 120, 40)
	f.keys("/", "text:203.0.113.10", "enter")
	s := f.waitFor("results", `search "203.0.113.10" · in 7 windows · IP 203.0.113.10`, "kB  ▲ alert")
	if !strings.Contains(s, "   search ") || !strings.Contains(s, "◆◆◆") {
		t.Errorf("no search strip under the chart:\n%s", s)
	}
	if !regexp.MustCompile(`\s13\s+\+2:10\s+2026-11-24 12:28:09\s+24\.5 kB`).MatchString(s) {
		t.Errorf("window 13 does not list 24.5 kB (23.1 kB out, 1.4 kB back):\n%s", s)
	}
	f.keys("esc", "]")
	f.waitFor("first match", "match 1 of 7", "window 13 · detail")
	f.keys("]", "]")
	f.waitFor("third match", "match 3 of 7", "window 15 · detail")
	f.keys("[")
	f.waitFor("back one", "match 2 of 7", "window 14 · detail")
	f.keys("G", "]")
	f.waitFor("none after", `no match of "203.0.113.10" after window 23`)
	f.keys("/", "enter")
	s = f.waitFor("cleared", "search cleared")
	if strings.Contains(s, "◆") {
		t.Errorf("the marks stay after the search is cleared:\n%s", s)
	}
}

// TestFlowJump: : goes to a time of day, an offset or a window, and says
// the capture's range when the time is outside it.
func TestFlowJump(t *testing.T) {
	f := demoFlow(t, testConfig(t), 120, 40)
	f.keys(":", "text:+2:10", "enter")
	f.waitFor("offset", "window 13 · detail", "2026-11-24 12:28:09–12:28:19 UTC")
	f.keys(":", "text:12:29:40", "enter")
	f.waitFor("time of day", "window 22 · detail")
	f.keys(":", "text:9:00", "enter")
	f.waitFor("outside", "9:00 is outside the capture, 2026-11-24 12:25:59 to 12:29:59 UTC")
	f.keys(":", "text:7", "enter")
	f.waitFor("window number", "window 7 · detail")
}

// TestFlowPodsAndChurn: p shows the pod graph with addresses; the pod
// added in window 5 is marked there, in the detail and on the changes
// strip.
func TestFlowPodsAndChurn(t *testing.T) {
	f := demoFlow(t, testConfig(t), 120, 40)
	s := f.screen()
	if !regexp.MustCompile(`changes\s+\+`).MatchString(s) {
		t.Errorf("no changes strip under the chart:\n%s", s)
	}
	f.keys("p")
	f.waitFor("pod graph", "▸ pod graph · window 0", "front-end-9tp97rxbc-b5bkd 10.244.0.25")
	f.keys("5", "enter")
	f.waitFor("window 5", "1 change of the application in this window", "›  + pod front-end-9tp97rxbc-56zrt (front-end)")
	f.keys("space")
	f.waitFor("the change in full", "+ pod front-end-9tp97rxbc-56zrt (front-end) 10.244.0.28 12:26:58")
	f.keys("esc", "n", "tab", "tab")
	f.waitFor("pod graph of the alert", "pod graph · window 13", "shop-db-0 10.244.0.9")
	f.keys("p")
	f.waitFor("services again", "service graph · window 13")
}

// TestPodGraphMarksChurn: the pod view of window 6 lists, first, the pod
// deleted in it; a pod added or deleted in a window is marked where it
// talks in that window's pod graph.
func TestPodGraphMarksChurn(t *testing.T) {
	m := newTestModel(t, 120, 40)
	feedRec(m, demo())
	keys(m, "6", "enter", "p")
	if r := m.graph.list.row(2); r.fullText() != "− pod front-end-9tp97rxbc-sfqtf (front-end) 10.244.0.26 12:27:05" {
		t.Errorf("the pod view of window 6 starts with %q", r.fullText())
	}
	at := time.Date(2026, 11, 24, 12, 26, 58, 0, time.UTC)
	churn := []engine.Change{{Time: at, Op: "add", Kind: "pod", Name: "web-2", Service: "web", IP: "10.0.0.7"}}
	edges := podEdges([]engine.PodEdge{
		{Src: "web-2", SrcService: "web", SrcIPs: []string{"10.0.0.7"}, Dst: "db-0", DstService: "db", DstIPs: []string{"10.0.0.9"}, Bytes: 10},
		{Src: "db-0", SrcService: "db", SrcIPs: []string{"10.0.0.9"}, Dst: "web-2", DstService: "web", DstIPs: []string{"10.0.0.7"}, Bytes: 5},
	}, churn, NewStyles(themes.Mono()))
	if !strings.Contains(edges[0].srcFull, "web-2 10.0.0.7 (service web) [+ added 12:26:58]") ||
		!strings.Contains(edges[1].edgeFull, "→ web-2 10.0.0.7 [+ added 12:26:58]") {
		t.Errorf("the added pod is not marked: %q, %q", edges[0].srcFull, edges[1].edgeFull)
	}
}

// TestFlowEvidence: opening shop-db -> outside shows its flows with the
// destination address and port and who opened the connection, and the
// Wireshark filter.
func TestFlowEvidence(t *testing.T) {
	f := demoFlow(t, testConfig(t), 120, 40)
	f.toAlert()
	f.keys("enter")
	s := f.waitFor("drill", "edge shop-db -> outside", "flows · 2 flows", "10.244.0.9:49156", "203.0.113.10:80",
		"opened by", "from shop-db-0 10.244.0.9", "to   outside 203.0.113.10")
	if !regexp.MustCompile(`tcp\s+10\.244\.0\.9:49156\s+→ 203\.0\.113\.10:80\s+23\.1 kB\s+20\s.*shop-db-0`).MatchString(s) {
		t.Errorf("the outgoing flow does not read its ports, bytes, packets and opener:\n%s", s)
	}
	// Down to the filter, however many reasons and flows come before it.
	for range 40 {
		f.keys("down")
		if strings.Contains(f.screen(), "›  ip.addr==") {
			break
		}
	}
	s = f.waitFor("filter", "Wireshark filter · window 13", "ip.addr==10.244.0.9 && ip.addr==203.0.113.10 && frame.time_epoch >=")
	if !strings.Contains(s, "connections opened by the source") {
		t.Errorf("the new connection of the new initiator is not listed:\n%s", s)
	}
}

// packetsIn counts the packets of a capture file.
func packetsIn(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := capture.NewReader(f, path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var p capture.Packet
	for {
		err := rd.Next(&p)
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
}

// TestFlowPackets: x on the opened edge writes the packets of its flows in
// the window to a pcapng file (as many as the flows count), says the
// Wireshark filter, and never writes over a file.
func TestFlowPackets(t *testing.T) {
	cfg := testConfig(t)
	src := replay.DemoInputs()
	cfg.Source = &src
	f := demoFlow(t, cfg, 120, 40)
	f.toAlert()
	f.keys("enter")
	f.waitFor("drill", "flows · 2 flows")
	f.keys("x")
	f.waitFor("packets prompt", "write the packets of shop-db -> outside in window 13 to: mimir-shop-db-outside-window13-20261124-130000.pcapng")
	f.keys("ctrl+u", "text:w13.pcapng", "enter")
	path := filepath.Join(cfg.Dir, "w13.pcapng")
	f.waitFor("written", "✓ wrote 39 packets to "+path, "Wireshark display filter", "ip.addr==10.244.0.9 && ip.addr==203.0.113.10 && frame.time_epoch >= 1795523289.817115298")
	if n := packetsIn(t, path); n != 39 {
		t.Errorf("%s holds %d packets; the flows count 20 + 19 = 39", path, n)
	}
	f.keys("esc", "x", "ctrl+u", "text:w13.pcapng", "enter")
	f.waitFor("kept", path+" exists and is kept")
	// From the alerts list: the top edge over the whole interval.
	f.keys("esc", "esc", "a")
	f.waitFor("list", "12:28:09 12:29:19")
	f.keys("x")
	f.waitFor("interval packets", "write the packets of shop-db -> outside in windows 13–19 to: ")
	f.keys("ctrl+u", "text:~/iv.pcapng", "enter")
	f.waitFor("interval written", "✓ wrote ", filepath.Join(cfg.Env("HOME"), "iv.pcapng"))
	if n := packetsIn(t, filepath.Join(cfg.Env("HOME"), "iv.pcapng")); n <= 39 {
		t.Errorf("the interval's packets: %d, fewer than window 13's alone", n)
	}
}

// TestFlowVerdict: v on the alert marks its interval confirmed with a
// note; the sidecar holds it, the alerts list and the detail show it, the
// export carries it, the hook is called, and a new session reads it back.
func TestFlowVerdict(t *testing.T) {
	cfg := testConfig(t)
	cfg.VerdictsPath = filepath.Join(t.TempDir(), "shop.pcapng.verdicts.json")
	var mu sync.Mutex
	var hooked []export.Verdict
	cfg.OnVerdict = func(_ context.Context, v export.Verdict, iv export.Interval) error {
		mu.Lock()
		defer mu.Unlock()
		if iv.FirstWindow != 13 {
			t.Errorf("hook: interval %d–%d", iv.FirstWindow, iv.LastWindow)
		}
		hooked = append(hooked, v)
		return nil
	}
	f := demoFlow(t, cfg, 120, 40)
	f.keys("n", "v")
	f.waitFor("question", "verdict on windows 13–19 (12:28:09–12:29:19 UTC):", "c confirmed")
	f.keys("c")
	f.waitFor("note", "confirmed · note: ")
	f.keys("text:db dump to 203.0.113.10", "enter")
	f.waitFor("saved", "✓ windows 13–19: confirmed, saved to "+cfg.VerdictsPath)
	f.waitFor("detail", "in windows 13–19 · verdict confirmed: db dump")
	vs, err := export.ReadVerdicts(cfg.VerdictsPath)
	if err != nil || len(vs.Verdicts) != 1 || vs.Verdicts[0].Verdict != export.Confirmed || vs.Verdicts[0].Note != "db dump to 203.0.113.10" {
		t.Fatalf("sidecar %+v, %v", vs, err)
	}
	f.keys("a")
	f.waitFor("list", "confirmed")
	f.keys("esc", "e", "ctrl+u", "text:v.json", "enter")
	f.waitFor("export", "✓ wrote 1 interval")
	ivs := readIntervals(t, filepath.Join(cfg.Dir, "v.json"))
	if ivs[0].Verdict != export.Confirmed || ivs[0].Note != "db dump to 203.0.113.10" {
		t.Errorf("export: %+v", ivs[0])
	}
	mu.Lock()
	if len(hooked) != 1 {
		t.Errorf("OnVerdict called %d times", len(hooked))
	}
	mu.Unlock()

	// Another session on the same capture.
	cfg2 := testConfig(t)
	cfg2.VerdictsPath = cfg.VerdictsPath
	g := demoFlow(t, cfg2, 120, 40)
	g.keys("a")
	g.waitFor("read back", "confirmed")
}

// TestFlowCopy: y offers the selection's values; the chosen one goes to
// the clipboard by OSC 52; where the terminal is known not to take it,
// the value opens to be selected by hand.
func TestFlowCopy(t *testing.T) {
	f := demoFlow(t, testConfig(t), 120, 40)
	f.toAlert()
	f.keys("y")
	f.waitFor("menu", "copy · which one?", "source IP", "10.244.0.9", "destination IP", "203.0.113.10")
	f.keys("3")
	f.waitFor("copied", "⧉ copied source IP: 10.244.0.9")
	want := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte("10.244.0.9"))
	teatest.WaitFor(t, f.tm.Output(), func(b []byte) bool { return strings.Contains(string(b), want) },
		teatest.WithDuration(10*time.Second))

	cfg := testConfig(t)
	cfg.Env = func(k string) string { return map[string]string{"VTE_VERSION": "7600"}[k] }
	g := demoFlow(t, cfg, 120, 40)
	g.toAlert()
	g.keys("y", "1")
	g.waitFor("by hand", "copy edge by hand", "shop-db -> outside", "VTE terminals")
}

// TestFlowFullCell: at 80 columns the alerts list cuts the top edge;
// space opens the row in full.
func TestFlowFullCell(t *testing.T) {
	f := demoFlow(t, testConfig(t), 80, 24)
	f.keys("a")
	s := f.waitFor("list", "flagged intervals", "12:28:09")
	if strings.Contains(s, "shop-db -> outside") {
		t.Skip("the top edge fits at 80 columns: nothing to open")
	}
	f.keys("space")
	f.waitFor("in full", "top edge: shop-db -> outside")
}

// TestFlowClickRow: a click on a row of the flagged edges selects it.
func TestFlowClickRow(t *testing.T) {
	f := demoFlow(t, testConfig(t), 120, 40)
	f.toAlert()
	m := f.m
	// The edges pane: right of the detail, its title, its header, then
	// the rows.
	x, y := m.lay.detailW+5, m.lay.lowerY+3
	f.tm.Send(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
	f.waitFor("clicked", "›outside -> shop-db")
}

// TestFlowThresholdPrompt: t starts empty, so typing replaces the value.
func TestFlowThresholdPrompt(t *testing.T) {
	f := demoFlow(t, testConfig(t), 120, 40)
	f.keys("t")
	f.waitFor("prompt", "threshold: ", "now "+fmtScore(demo().Result.Series[0].Threshold))
	f.keys("text:0.9", "enter")
	f.waitFor("set", "threshold 0.900 (model")
}

// TestTrainingProgress: a finished training step says it is done and that
// the next is starting — never "100%" with "ETA 0.0s" — and n says the
// analysis is still running.
func TestTrainingProgress(t *testing.T) {
	m := newTestModel(t, 120, 40)
	feed(m, []engine.Event{
		&engine.Progress{Phase: engine.PhaseTraining, Step: "the 10s model: injecting 150 synthetic attack copies", Done: 1800, Total: 1800,
			Elapsed: 450 * time.Millisecond},
	}, nil, nil)
	s := plain(m)
	if !strings.Contains(s, "injecting 150 synthetic attack copies · done; starting the next step") || strings.Contains(s, "100%") ||
		strings.Contains(s, "ETA 0.0s") {
		t.Errorf("training header:\n%s", s)
	}
	keys(m, "n")
	if s := plain(m); !strings.Contains(s, "no window is scored yet: the analysis is still running (training)") {
		t.Errorf("n during training:\n%s", s)
	}
}

// TestFlowRescore: judging the demo's exfiltration a false positive
// rescores the capture with it folded into the baseline (the real engine,
// through Config.Rescore): the interval no longer alerts, and the run was
// given exactly that interval.
func TestFlowRescore(t *testing.T) {
	cfg, rescored := rescoring(t)
	f := demoFlow(t, cfg, 120, 40)
	f.waitFor("alerts before", "▲ 7 of 24 windows alert")
	f.keys("n", "v")
	f.waitFor("question", "verdict on windows 13–19")
	f.keys("f")
	f.keys("text:a backup job", "enter")
	f.waitFor("rescoring", "rescoring with 1 interval judged false positive")
	f.waitFor("rescored", "✓ analysed", "▲ 0 of 24 windows alert")
	asked := rescored()
	if len(asked) != 1 || len(asked[0]) != 1 || asked[0][0].Note != "a backup job" {
		t.Fatalf("rescore asked for %+v", asked)
	}
	rs := demo().Result.Series[0]
	if iv := export.Intervals(&rs, rs.Threshold)[0]; !asked[0][0].Start.Equal(iv.Start) || !asked[0][0].End.Equal(iv.End) {
		t.Errorf("folded %v–%v, the interval is %v–%v", asked[0][0].Start, asked[0][0].End, iv.Start, iv.End)
	}
}
