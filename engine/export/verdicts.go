package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/safefile"
)

// The verdicts an analyst gives a flagged interval.
const (
	Confirmed     = "confirmed"
	FalsePositive = "false-positive"
	Unsure        = "unsure"
)

// Verdict is an analyst's judgement of one flagged interval, which it
// names by window size and time range (windows are anchored at the
// capture's first packet, so the range names the same windows next time).
type Verdict struct {
	SizeSeconds float64   `json:"size_seconds"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Verdict     string    `json:"verdict"` // Confirmed, FalsePositive or Unsure
	Note        string    `json:"note,omitempty"`
	At          time.Time `json:"at"` // when it was given
}

// Verdicts is the sidecar file of a capture's verdicts.
type Verdicts struct {
	Kind     string    `json:"kind"`
	Version  int       `json:"version"`
	Capture  string    `json:"capture"`
	Verdicts []Verdict `json:"verdicts"`
}

const verdictsKind = "mimir-tui-verdicts"

// VerdictsPath is where the verdicts of a capture are kept: beside it.
func VerdictsPath(capturePath string) string { return capturePath + ".verdicts.json" }

// ReadVerdicts reads a verdicts file; a missing file is no verdicts yet.
func ReadVerdicts(path string) (*Verdicts, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Verdicts{Kind: verdictsKind, Version: 1}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("verdicts: %w", err)
	}
	var v Verdicts
	dec := json.NewDecoder(io.LimitReader(bytes.NewReader(b), 64<<20))
	if err := dec.Decode(&v); err != nil || v.Kind != verdictsKind {
		return nil, fmt.Errorf("%s is not a mimir-tui verdicts file (%v); move it away to start afresh", path, err)
	}
	for i, x := range v.Verdicts {
		if !slices.Contains([]string{Confirmed, FalsePositive, Unsure}, x.Verdict) {
			return nil, fmt.Errorf("%s: verdict %d is %q: want %s, %s or %s", path, i, x.Verdict, Confirmed, FalsePositive, Unsure)
		}
	}
	return &v, nil
}

// Write saves the verdicts atomically (a reader never sees half a file).
func (v *Verdicts) Write(path string) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return fmt.Errorf("verdicts: %w", err)
	}
	return safefile.Write(path, append(b, '\n'), true)
}

// Set records the verdict of the interval of size over [start, end),
// replacing an earlier one of the same interval.
func (v *Verdicts) Set(x Verdict) {
	for i := range v.Verdicts {
		if y := &v.Verdicts[i]; y.SizeSeconds == x.SizeSeconds && y.Start.Equal(x.Start) && y.End.Equal(x.End) {
			*y = x
			return
		}
	}
	v.Verdicts = append(v.Verdicts, x)
}

// Of returns the verdict of an interval, if one was given.
func (v *Verdicts) Of(iv *Interval) (Verdict, bool) {
	for _, x := range v.Verdicts {
		if x.SizeSeconds == iv.SizeSeconds && x.Start.Equal(iv.Start) && x.End.Equal(iv.End) {
			return x, true
		}
	}
	return Verdict{}, false
}

// FalsePositives are the intervals judged false positives, as the engine
// folds them into the baseline (engine.Options.Suppress).
func (v *Verdicts) FalsePositives() []engine.Suppression {
	var out []engine.Suppression
	for _, x := range v.Verdicts {
		if x.Verdict == FalsePositive {
			out = append(out, engine.Suppression{Start: x.Start, End: x.End, Note: x.Note})
		}
	}
	return out
}
