package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/testdata"
)

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := Inputs{
		Capture:  BytesSource(testdata.ShopCaptureName, testdata.ShopCapture),
		Entities: BytesSource(testdata.ShopEntitiesName, testdata.ShopEntities),
	}
	_, err := Run(ctx, in, DefaultOptions(), nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v, want context.Canceled", err)
	}
}

// TestRunInputErrors: bad inputs give errors that name the input and say
// what is wrong, never a panic.
func TestRunInputErrors(t *testing.T) {
	good := BytesSource(testdata.ShopEntitiesName, testdata.ShopEntities)
	capture := BytesSource(testdata.ShopCaptureName, testdata.ShopCapture)
	cases := []struct {
		name string
		in   Inputs
		opts func(*Options)
		want string
	}{
		{"garbage capture", Inputs{Capture: BytesSource("junk.pcap", []byte("this is not a capture at all")), Entities: good}, nil, "junk.pcap"},
		{"empty capture", Inputs{Capture: BytesSource("empty.pcap", nil), Entities: good}, nil, "empty.pcap"},
		{"garbage entities", Inputs{Capture: capture, Entities: BytesSource("pods.txt", []byte("hello\nworld\n"))}, nil, "pods.txt"},
		{"unknown sensitive", Inputs{Capture: capture, Entities: good}, func(o *Options) { o.Sensitive = []string{"vault"} }, "sensitive service vault: no such service"},
		{"baseline longer than a size", Inputs{Capture: capture, Entities: good}, func(o *Options) { o.Baseline = BaselineSpan(30 * time.Second) }, "no complete 1m0s window"},
		{"bad fraction", Inputs{Capture: capture, Entities: good}, func(o *Options) { o.Baseline = BaselineShare(1.5) }, "baseline fraction 1.5"},
	}
	for _, c := range cases {
		opts := DefaultOptions()
		if c.opts != nil {
			c.opts(&opts)
		}
		_, err := Run(context.Background(), c.in, opts, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// TestRunEvents checks the order of what Run reports: the inputs, then the
// model, then every window of every size, in index order per size.
func TestRunEvents(t *testing.T) {
	in := Inputs{
		Capture:  BytesSource(testdata.ShopCaptureName, testdata.ShopCapture),
		Entities: BytesSource(testdata.ShopEntitiesName, testdata.ShopEntities),
	}
	var inputs, model int
	next := map[time.Duration]int{}
	var guessed []string
	_, err := Run(context.Background(), in, DefaultOptions(), func(ev Event) {
		switch ev := ev.(type) {
		case *InputsReady:
			inputs++
			guessed = ev.Sensitive
		case *ModelReady:
			if inputs != 1 {
				t.Error("model before inputs")
			}
			model++
		case *WindowDone:
			if model != 1 {
				t.Error("a window before the model")
			}
			w := ev.Window
			if w.Index != next[w.Size] {
				t.Errorf("%v window %d, want %d", w.Size, w.Index, next[w.Size])
			}
			next[w.Size]++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	// 237.9 s of capture: 24 windows of 10 s, 4 of 60 s.
	if next[10*time.Second] != 24 || next[time.Minute] != 4 {
		t.Errorf("windows %v, want 24 of 10s and 4 of 1m0s", next)
	}
	// Without --sensitive the guess is the database (labels
	// app.kubernetes.io/component=database, name shop-db).
	if len(guessed) != 1 || guessed[0] != "shop-db" {
		t.Errorf("guessed sensitive services %v, want [shop-db]", guessed)
	}
}

// TestSpanError: the windows of every size count against MaxWindows; an
// evaluation scores each window once more per synthetic copy, against
// maxScorings; a refusal gives the estimate and the smallest size that
// would do, with every smaller size raised to it.
func TestSpanError(t *testing.T) {
	const ms, us = time.Millisecond, time.Microsecond
	span := 238 * time.Second // the demo's, rounded
	cases := []struct {
		sizes  []time.Duration
		copies int
		want   []string // nil: accepted
	}{
		// 238 001 + 24 + 4 windows (the demo at 1 ms with the defaults).
		{[]time.Duration{ms, 10 * time.Second, time.Minute}, 0, nil},
		// 2 380 001 windows; 238 s / 10⁶ = 238 µs, rounded up to 500 µs.
		{[]time.Duration{100 * us}, 0, []string{"100µs windows", "about 2380001 windows", "at least 500µs"}},
		// 2 380 001 + 793 334 + 396 667 + 340 001 = 3 910 003; at 500 µs
		// the 600 µs and 700 µs windows still make 1 212 669, so 1 ms.
		{[]time.Duration{100 * us, 300 * us, 600 * us, 700 * us}, 0, []string{"100µs, 300µs, 600µs and 700µs windows", "about 3910003 windows", "at least 1ms"}},
		// Each size alone is under a million, together they are not:
		// 595 001 + 476 001.
		{[]time.Duration{400 * us, 500 * us}, 0, []string{"about 1071002 windows", "at least 500µs"}},
		// Evaluating 240 copies: 2 381 × 241 = 573 821 scorings.
		{[]time.Duration{100 * ms}, 240, nil},
		// 238 001 × 241 = 57 358 241 scorings; 10⁷ / 241 = 41 493 windows:
		// 238 s / 41 493 = 5.7 ms, rounded up to 10 ms.
		{[]time.Duration{ms}, 240, []string{"about 238001 windows", "up to 240", "about 57358241 scorings", "at least 10ms"}},
	}
	for _, c := range cases {
		err := spanError(c.sizes, span, c.copies)
		var se *SettingError
		switch {
		case c.want == nil && err != nil:
			t.Errorf("%v, %d copies: %v, want accepted", c.sizes, c.copies, err)
		case c.want != nil && (err == nil || !errors.As(err, &se) || se.Setting != SettingWindow):
			t.Errorf("%v, %d copies: %v, want a window-size setting error", c.sizes, c.copies, err)
		case c.want != nil:
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%v, %d copies: %q lacks %q", c.sizes, c.copies, err, w)
				}
			}
		}
	}
}

// TestEvaluateTooManyScorings: evaluating the demo at 1 ms would score up
// to 240 synthetic copies over 238 000 windows; it is refused before any
// analysis with the estimate (before, it was accepted and ran for many
// minutes). The run itself at 1 ms (238 000 windows) is not refused.
func TestEvaluateTooManyScorings(t *testing.T) {
	opts := DefaultOptions()
	opts.Sizes = []time.Duration{time.Millisecond}
	opts.Sensitive = []string{"shop-db"}
	in := Inputs{Capture: BytesSource(testdata.ShopCaptureName, testdata.ShopCapture), Entities: BytesSource(testdata.ShopEntitiesName, testdata.ShopEntities)}
	// The deadline only bounds how long the test fails where the
	// refusal is missing.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, _, err := Evaluate(ctx, in, opts, shopTruth(t), nil)
	var se *SettingError
	if !errors.As(err, &se) || se.Setting != SettingWindow || !strings.Contains(err.Error(), "about 237950 windows") ||
		!strings.Contains(err.Error(), "scorings") || !strings.Contains(err.Error(), "at least 10ms") {
		t.Fatalf("evaluate at 1 ms: %v, want the refusal with the estimate (about 237950 windows) and 10ms", err)
	}
}
