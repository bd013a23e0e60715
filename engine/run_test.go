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
