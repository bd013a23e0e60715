package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/themes"
)

// TestEvidenceCounts: the port scan's front-end -> shop-db edge
// (testdata/scenarios/port-scan, baseline 90 s, window 10) holds 1 026
// flows, 513 of them connections the source opened; the engine keeps 32
// of each. Both titles give the whole count and a line says how many
// more there are. Before, the opened connections' title said 32 flows
// with no "more" line, and the flows' line read "994 flows more".
func TestEvidenceCounts(t *testing.T) {
	flows := make([]engine.FlowInfo, 32)
	for i := range flows {
		flows[i] = engine.FlowInfo{Protocol: "tcp", Src: "front-end-1", Dst: "shop-db-0", SrcIP: "10.244.0.5", DstIP: "10.244.0.10",
			SrcPort: 40000, DstPort: uint16(i + 1), Bytes: 74, Packets: 1, Initiator: "src"}
	}
	ev := &engine.Evidence{Flows: flows, MoreFlows: 994, Opened: flows, MoreOpened: 481}
	var lines []string
	for _, r := range evidenceRows(ev, 120, NewStyles(themes.Mono())) {
		lines = append(lines, ansi.Strip(r.text))
	}
	text := strings.Join(lines, "\n")
	for _, want := range []string{
		"flows · 1,026 flows · both directions",
		"… 994 more flows (the engine keeps the largest)",
		"connections opened by the source · 513 flows · along this edge",
		"… 481 more flows (the engine keeps the largest)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("evidence lacks %q:\n%s", want, text)
		}
	}
	one := &engine.Evidence{Flows: flows, MoreFlows: 1}
	if text := ansi.Strip(evidenceRows(one, 120, NewStyles(themes.Mono()))[35].text); !strings.Contains(text, "… 1 more flow (") {
		t.Errorf("one flow left out: %q, want \"… 1 more flow (\"", text)
	}
}
