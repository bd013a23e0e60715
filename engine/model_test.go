package engine

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestModelRoundTrip trains on the shop demo's baseline, writes the model,
// reads it back and scores the same capture with it: windows after the
// baseline must score exactly as in baseline mode, which uses the same
// statistics for them.
func TestModelRoundTrip(t *testing.T) {
	opts := DefaultOptions()
	opts.Baseline = BaselineSpan(120 * time.Second)
	opts.Sensitive = []string{"shop-db"}
	trained := shopDemo(t, opts)

	path := filepath.Join(t.TempDir(), "model.json")
	if err := WriteModel(path, trained.Model, false); err != nil {
		t.Fatal(err)
	}
	m, err := LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	mopts := DefaultOptions()
	mopts.Baseline = BaselineModel(m)
	scored := shopDemo(t, mopts)
	for si := range trained.Series {
		a, b := trained.Series[si], scored.Series[si]
		if a.Threshold != b.Threshold {
			t.Errorf("%v: threshold %g after the round trip, want %g", a.Size, b.Threshold, a.Threshold)
		}
		if len(a.Windows) != len(b.Windows) {
			t.Fatalf("%v: %d windows with the model, %d in baseline mode", a.Size, len(b.Windows), len(a.Windows))
		}
		for i := range a.Windows {
			wa, wb := &a.Windows[i], &b.Windows[i]
			if wa.Baseline {
				continue
			}
			if wa.Score != wb.Score || wa.Alert(a.Threshold) != wb.Alert(b.Threshold) {
				t.Errorf("%v window %d: score %g with the model, %g in baseline mode", a.Size, i, wb.Score, wa.Score)
			}
		}
	}
}

func TestLoadModelErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := Model{Kind: modelKind, Version: ModelVersion, Services: []string{"a", Outside}}
	mutate := func(f func(m map[string]any)) string {
		b, _ := json.Marshal(good)
		var m map[string]any
		json.Unmarshal(b, &m)
		f(m)
		out, _ := json.Marshal(m)
		return string(out)
	}
	cases := []struct {
		name, body, want string
	}{
		{"truncated.json", `{"kind":"mimir-tui-model","vers`, "not a valid model file"},
		{"other.json", `{"kind":"something-else","version":1}`, "not a mimir-tui model"},
		{"future.json", mutate(func(m map[string]any) { m["version"] = 99 }), "model version 99"},
		{"nosizes.json", mutate(func(m map[string]any) {}), "damaged model: no services or no window sizes"},
		{"badsize.json", mutate(func(m map[string]any) {
			m["sizes"] = []any{map[string]any{"size_s": 10, "inputs": []string{"x", "y"}, "input_medians": []float64{0, 0},
				"lasso": map[string]any{"intercept": 0, "coef": []float64{1}}}}
		}), "1 weights and 2 medians for 2 inputs"},
		{"badfeature.json", mutate(func(m map[string]any) {
			m["sizes"] = []any{map[string]any{"size_s": 10, "inputs": []string{"x"}, "input_medians": []float64{0},
				"baseline": []any{map[string]any{"family": "bytes", "a": "x", "median": 0, "iqr": 1}},
				"lasso":    map[string]any{"intercept": 0, "coef": []float64{1}}}}
		}), "feature bytes takes a pair of services"},
	}
	for _, c := range cases {
		_, err := LoadModel(write(c.name, c.body))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s: error %q does not name the file", c.name, err)
		}
	}
}
