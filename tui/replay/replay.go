package replay

import (
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"encoding/gob"
	"fmt"
	"io"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/testdata"
)

func init() {
	for _, ev := range []engine.Event{&engine.Progress{}, &engine.InputsReady{}, &engine.ModelReady{},
		&engine.WindowDone{}, &engine.Warning{}} {
		gob.Register(ev)
	}
}

// Recording is a run of the engine: what it emitted, in order, and what it
// returned. Pace and Err change how it is replayed.
type Recording struct {
	Events []engine.Event
	Result *engine.Result
	// Pace is slept after each window of the finest size, so a user
	// interface can be watched filling in.
	Pace time.Duration
	// Err, when set, ends the replay with it once the inputs are
	// described, as the engine does on a bad input.
	Err error
}

// Record runs the engine on in with opts and records the run. The model
// (its creation time differs on every run) is left out of the result.
func Record(ctx context.Context, in engine.Inputs, opts engine.Options) (*Recording, error) {
	rec := &Recording{}
	res, err := engine.Run(ctx, in, opts, func(ev engine.Event) { rec.Events = append(rec.Events, ev) })
	if err != nil {
		return nil, err
	}
	res.Model = nil
	rec.Result = res
	return rec, nil
}

// DemoInputs are the built-in demo's capture and entity log.
func DemoInputs() engine.Inputs {
	return engine.Inputs{
		Capture:  engine.BytesSource(testdata.ShopCaptureName, testdata.ShopCapture),
		Entities: engine.BytesSource(testdata.ShopEntitiesName, testdata.ShopEntities),
	}
}

// DemoOptions are the options the explorer's demo runs with: the defaults
// and the demo's sensitive service.
func DemoOptions() engine.Options {
	opts := engine.DefaultOptions()
	opts.Sensitive = []string{"shop-db"}
	return opts
}

// Encode writes the recording (events and result) as gzip-compressed gob.
func (r *Recording) Encode(w io.Writer) error {
	zw := gzip.NewWriter(w)
	if err := gob.NewEncoder(zw).Encode(struct {
		Events []engine.Event
		Result *engine.Result
	}{r.Events, r.Result}); err != nil {
		return fmt.Errorf("encode recording: %w", err)
	}
	return zw.Close()
}

// Decode reads a recording written by Encode.
func Decode(rd io.Reader) (*Recording, error) {
	zr, err := gzip.NewReader(rd)
	if err != nil {
		return nil, fmt.Errorf("recording: %w", err)
	}
	var rec Recording
	if err := gob.NewDecoder(zr).Decode(&rec); err != nil {
		return nil, fmt.Errorf("recording: %w; regenerate it with go run ./tui/replay/record", err)
	}
	return &rec, nil
}

//go:embed testdata/demo.gob.gz
var demoRecording []byte

// Demo returns a fresh copy of the recorded demo run (each call decodes
// it again, so callers may change what they get).
func Demo() (*Recording, error) { return Decode(bytes.NewReader(demoRecording)) }

// Run replays the recording to emit and returns its result, like
// engine.Run; it stops with ctx.Err() when ctx is cancelled.
func (r *Recording) Run(ctx context.Context, emit func(engine.Event)) (*engine.Result, error) {
	var finest time.Duration
	if len(r.Result.Series) > 0 {
		finest = r.Result.Series[0].Size
	}
	for _, ev := range r.Events {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if _, ok := ev.(*engine.InputsReady); ok && r.Err != nil {
			emit(ev)
			return nil, r.Err
		}
		emit(ev)
		if wd, ok := ev.(*engine.WindowDone); ok && r.Pace > 0 && wd.Window.Size == finest {
			t := time.NewTimer(r.Pace)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-t.C:
			}
		}
	}
	return r.Result, nil
}
