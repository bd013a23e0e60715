package main

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/mimir-tui/mimir-tui/engine"
)

// TestEvaluateFootnotes: every table of the text output whose cells show
// "—" has a footnote with the reason, by method and by rate or path; the
// JSON has null and the reason. Before, only the overall table had one.
func TestEvaluateFootnotes(t *testing.T) {
	nan := engine.Float(math.NaN())
	defined := engine.Metrics{Windows: 4, Attacked: 2, AUC: 1, Threshold: 2, F1: 1, Precision: 1, Recall: 1, FPR: 0}
	noIde := "no Ide & Kashima threshold: no training window had the earlier windows its score needs; no window alerts at the threshold, so precision is undefined"
	ideOverall := defined
	ideOverall.Threshold, ideOverall.Precision, ideOverall.Undefined = nan, nan, noIde
	noAttack := engine.Metrics{Windows: 2, AUC: nan, Threshold: 2, F1: nan, Precision: nan, Recall: nan, FPR: 0,
		Undefined: "no attacked window; no window alerts at the threshold, so precision is undefined"}
	allAttacked := engine.Metrics{Windows: 2, Attacked: 2, AUC: nan, Threshold: 2, F1: 1, Precision: 1, Recall: 1, FPR: nan, Undefined: "no clean test window"}
	se := engine.SizeEval{SizeSeconds: 10, TestWindows: []int{3, 4}, Methods: []engine.MethodEval{
		{Method: engine.MethodModel, Overall: defined,
			ByRate: []engine.Group{{Rate: 1, Metrics: defined}, {Rate: 0.1, Metrics: defined}},
			ByPath: []engine.Group{{Path: "a -> outside", Metrics: noAttack}, {Path: "b -> outside", Metrics: defined}},
			Real:   &allAttacked},
		{Method: engine.MethodIde, Overall: ideOverall,
			ByRate: []engine.Group{{Rate: 1, Metrics: noAttack}, {Rate: 0.1, Metrics: noAttack}},
			ByPath: []engine.Group{{Path: "a -> outside", Metrics: defined}, {Path: "b -> outside", Metrics: defined}},
			Real:   &defined},
	}}
	ev := &engine.Evaluation{Capture: "c.pcap", Source: "baseline 2m0s", Rates: []float64{1, 0.1}, Sizes: []engine.SizeEval{se}}

	var text bytes.Buffer
	if err := encodeEvaluation(&text, ev, "text"); err != nil {
		t.Fatal(err)
	}
	// Each table is a paragraph; its footnote follows its rows.
	want := []string{
		"— undefined for ide: " + noIde,
		"— undefined for ide (every rate): no attacked window; no window alerts at the threshold, so precision is undefined",
		"— undefined for model (a -> outside): no attacked window; no window alerts at the threshold, so precision is undefined",
		"— undefined for model: no clean test window",
	}
	paragraphs := strings.Split(text.String(), "\n\n")
	tables := paragraphs[len(paragraphs)-4:]
	for i, p := range tables {
		lines := strings.Split(strings.TrimSuffix(p, "\n"), "\n")
		if !slices.Contains(lines, want[i]) {
			t.Errorf("table %d lacks the footnote %q:\n%s", i, want[i], p)
		}
		notes := 0
		for _, line := range lines {
			if strings.HasPrefix(line, "— undefined for ") {
				notes++
			}
		}
		if notes != 1 {
			t.Errorf("table %d has %d footnotes, want 1:\n%s", i, notes, p)
		}
	}

	var js bytes.Buffer
	if err := encodeEvaluation(&js, ev, "json"); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Sizes []struct {
			Methods []struct {
				Overall struct {
					Threshold *float64 `json:"threshold"`
					Precision *float64 `json:"precision"`
					Undefined string   `json:"undefined"`
				} `json:"overall"`
				ByRate []struct {
					AUC       *float64 `json:"auc"`
					Undefined string   `json:"undefined"`
				} `json:"by_rate"`
			} `json:"methods"`
		} `json:"sizes"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	ide := doc.Sizes[0].Methods[1]
	if ide.Overall.Threshold != nil || ide.Overall.Precision != nil || ide.Overall.Undefined != noIde {
		t.Errorf("ide overall: threshold %v precision %v (%q), want null, null with %q", ide.Overall.Threshold, ide.Overall.Precision, ide.Overall.Undefined, noIde)
	}
	if r := ide.ByRate[0]; r.AUC != nil || !strings.HasPrefix(r.Undefined, "no attacked window") {
		t.Errorf("ide at 1 MB/min: AUC %v (%q), want null with its reason", r.AUC, r.Undefined)
	}
}
