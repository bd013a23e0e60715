package replay

import (
	"bytes"
	"context"
	"encoding/gob"
	"testing"

	"github.com/mimir-tui/mimir-tui/engine"
)

// TestDemoRecordingIsCurrent: the recording the explorer's tests replay is
// what the engine computes on the demo today.
func TestDemoRecordingIsCurrent(t *testing.T) {
	rec, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := Record(context.Background(), DemoInputs(), DemoOptions())
	if err != nil {
		t.Fatal(err)
	}
	// Progress differs from run to run; what is computed must not. Gob
	// compares NaN scores as equal bits, where reflect.DeepEqual cannot.
	if !bytes.Equal(computed(t, fresh), computed(t, rec)) {
		t.Fatal("the engine's output on the demo differs from tui/replay/testdata/demo.gob.gz: " +
			"regenerate it with `go run ./tui/replay/record`, then the goldens with `go test ./tui -update`, and review the diff")
	}
}

// computed encodes what a run computed: its model description, windows,
// warnings and result series.
func computed(t *testing.T, r *Recording) []byte {
	var parts []any
	for _, ev := range r.Events {
		switch ev := ev.(type) {
		case *engine.ModelReady, *engine.WindowDone, *engine.Warning, *engine.InputsReady:
			parts = append(parts, ev)
		}
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(struct {
		Events []any
		Series []engine.Series
	}{parts, r.Result.Series}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// windows lists the windows a recording emits, in order.
func windows(r *Recording) []engine.WindowResult {
	var out []engine.WindowResult
	for _, ev := range r.Events {
		if wd, ok := ev.(*engine.WindowDone); ok {
			out = append(out, *wd.Window)
		}
	}
	return out
}

// TestStretch: a stretched run holds the windows asked for, in order per
// size, with the demo's alert run where it is put.
func TestStretch(t *testing.T) {
	rec, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	long := rec.Stretch(20000)
	s := long.Result.Series[0]
	if len(s.Windows) != 20000 {
		t.Fatalf("%d windows, want 20000", len(s.Windows))
	}
	alerts := 0
	for i, w := range s.Windows {
		if w.Index != i || !w.End.Equal(w.Start.Add(s.Size)) {
			t.Fatalf("window %d: index %d, %v–%v", i, w.Index, w.Start, w.End)
		}
		if w.Alert(s.Threshold) {
			alerts++
		}
	}
	// Alert runs at 5000 and 12919, each as long as the demo's.
	demoAlerts := 0
	for _, w := range rec.Result.Series[0].Windows {
		if w.Alert(rec.Result.Series[0].Threshold) {
			demoAlerts++
		}
	}
	if alerts != 2*demoAlerts {
		t.Errorf("%d alerting windows, want %d", alerts, 2*demoAlerts)
	}
	got := windows(long)
	if len(got) != 20000+len(long.Result.Series[1].Windows) {
		t.Errorf("%d windows emitted", len(got))
	}
}
