package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
)

// TestWindowSizes: without --window the engine gets no sizes, so it takes
// the model's (with --model) or its defaults; --window is passed as given.
// The explorer builds its options with the same engineFlags.options.
func TestWindowSizes(t *testing.T) {
	model := testModel(t)
	for _, c := range []struct {
		args []string
		want []time.Duration
	}{
		{nil, nil},
		{[]string{"--model", model}, nil},
		{[]string{"--window", "10s,60s"}, []time.Duration{10 * time.Second, time.Minute}},
		{[]string{"--model", model, "--window", "30s"}, []time.Duration{30 * time.Second}},
	} {
		// What analyze hands the engine.
		var got engine.Options
		ran := false
		restore := runEngine
		runEngine = func(_ context.Context, _ engine.Inputs, opts engine.Options, _ func(engine.Event)) (*engine.Result, error) {
			got, ran = opts, true
			return nil, errors.New("stopped by the test")
		}
		err := runAnalyze(t.Context(), append(c.args, benignCapture, benignEntities), &bytes.Buffer{}, &bytes.Buffer{})
		runEngine = restore
		if !ran {
			t.Fatalf("%q: the engine did not run: %v", c.args, err)
		}
		if !slices.Equal(got.Sizes, c.want) || (got.Sizes == nil) != (c.want == nil) {
			t.Errorf("analyze %q: the engine got sizes %v, want %v", c.args, got.Sizes, c.want)
		}
		if (got.Baseline.Model() != nil) != slices.Contains(c.args, "--model") {
			t.Errorf("analyze %q: baseline %v", c.args, got.Baseline)
		}

		// The explorer's flags, through the same function.
		var ef engineFlags
		fs := flag.NewFlagSet("explore", flag.ContinueOnError)
		ef.register(fs, true)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		opts, err := ef.options()
		if err != nil || !slices.Equal(opts.Sizes, c.want) || (opts.Sizes == nil) != (c.want == nil) {
			t.Errorf("explore %q: sizes %v (%v), want %v", c.args, opts.Sizes, err, c.want)
		}
	}
}

// TestModelSizesRun: analyze --model without --window scores with the
// model's window size (30 s here), not the defaults.
func TestModelSizesRun(t *testing.T) {
	var out bytes.Buffer
	if err := runAnalyze(t.Context(), []string{"--model", testModel(t), benignCapture, benignEntities}, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	// The benign scenario lasts 300 s: ten 30 s windows.
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	for _, l := range lines {
		if !strings.Contains(l, `"size_s":30,`) {
			t.Fatalf("a window not of 30 s: %.120s", l)
		}
	}
	if len(lines) < 10 || len(lines) > 11 {
		t.Errorf("%d windows of 30 s in 300 s", len(lines))
	}
}
