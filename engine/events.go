package engine

import (
	"time"

	"github.com/mimir-tui/mimir-tui/engine/stats"
)

// Event is what Run reports while it works: *Progress, *InputsReady,
// *ModelReady, *WindowDone or *Warning.
type Event interface{ isEvent() }

// Phase is the stage a run is in.
type Phase int

const (
	PhaseOpening   Phase = iota // opening and detecting the inputs
	PhaseIngesting              // reading packets
	PhaseTraining               // fitting the baseline and the model
	PhaseAnalysing              // scoring windows
	PhaseDone
)

func (p Phase) String() string {
	return [...]string{"opening", "ingesting", "training", "analysing", "done"}[p]
}

// Progress reports how far the run is. It is sent often, at most every few
// tens of milliseconds.
type Progress struct {
	Phase      Phase
	Packets    uint64 // frames read so far
	Bytes      uint64 // wire bytes of those frames
	ReadBytes  int64  // input bytes consumed (compressed bytes for gzip)
	TotalBytes int64  // input size, 0 when unknown (standard input)
	Windows    int    // windows sealed (all sizes)
	Analysed   int    // windows scored (all sizes)
	Elapsed    time.Duration
	// Step says what a long phase is doing, e.g. which model it trains,
	// and Done of Total how far that step is (0 of 0 when unknown).
	Step        string
	Done, Total int
}

// StepLeft estimates the time the step still needs from the time it has
// taken so far (Elapsed − since, since being Elapsed when the step began),
// assuming an even pace; ok is false before anything can be told.
func (p *Progress) StepLeft(since time.Duration) (time.Duration, bool) {
	spent := p.Elapsed - since
	if p.Total <= 0 || p.Done <= 0 || p.Done >= p.Total || spent <= 0 {
		return 0, false
	}
	return time.Duration(float64(spent) * float64(p.Total-p.Done) / float64(p.Done)), true
}

// InputsReady describes the inputs once they are understood.
type InputsReady struct {
	// Capture describes the capture, or the first of several; Captures
	// describes each.
	Capture   CaptureSummary
	Captures  []CaptureSummary
	Entities  EntitiesSummary
	Start     time.Time // t0: the first packet's timestamp, where windows are anchored
	Sizes     []time.Duration
	Sensitive []string
	// SensitiveGuessed is set when Sensitive was guessed from names and
	// labels rather than given; a UI should show it can be overridden.
	SensitiveGuessed bool
}

// CaptureSummary describes a capture file.
type CaptureSummary struct {
	Name       string   `json:"name"`
	Format     string   `json:"format"` // "pcap", "pcapng", with "+gzip"
	LinkTypes  []string `json:"link_types"`
	Compressed bool     `json:"compressed"`
	// Node is the capture's node label; Packets the frames it held,
	// Duplicates those dropped as copies of packets seen before (in it or
	// another capture); ClockOffset how far its clock ran ahead of the
	// reference, as ClockSource says ("reference", "given", "estimated",
	// "unknown").
	Node        string        `json:"node,omitempty"`
	Packets     uint64        `json:"packets"`
	Duplicates  uint64        `json:"duplicates"`
	ClockOffset time.Duration `json:"clock_offset_ns"`
	ClockSource string        `json:"clock_source,omitempty"`
}

// EntitiesSummary describes an entity log.
type EntitiesSummary struct {
	Name     string `json:"name"`
	Format   string `json:"format"`
	Pods     int    `json:"pods"`
	Services int    `json:"services"`
}

// ModelReady is sent once the baseline is fitted (or the model loaded), before
// the first WindowDone: it carries each series' features and thresholds.
type ModelReady struct {
	Series []SeriesInfo
	// Source is "baseline <duration>" or "model <file>".
	Source string
}

// SeriesInfo describes the model of one window size.
type SeriesInfo struct {
	Size             time.Duration
	Features         []FeatureInfo
	Threshold        float64 // in force (trained, or given by the user)
	ThresholdTrained float64
	// ThresholdBasis says how the threshold in force was chosen.
	ThresholdBasis string
	// F1Threshold is the injection-F1 threshold, for comparison.
	F1Threshold     float64
	BaselineWindows int
	// BenignTail is the model's benign score distribution (read-only):
	// FalseAlarmsPerDay prices any threshold with it.
	BenignTail *stats.Tail
	// Medians are the baseline medians of every feature, for display.
	Medians []float64
}

// FalseAlarmsPerDay is how many benign windows a day this series is
// expected to flag at threshold th (NaN without benign scores). Below the
// fitted tail, or without one, it is the share of baseline windows above
// th: with a short baseline it can say 0 where the truth is merely rare.
func (si SeriesInfo) FalseAlarmsPerDay(th float64) float64 {
	sm := SizeModel{SizeSeconds: si.Size.Seconds(), BenignTail: si.BenignTail}
	return sm.FalseAlarmsPerDay(th)
}

// WindowDone carries one analysed window. Windows of a size arrive in
// index order; sizes interleave.
type WindowDone struct {
	Window *WindowResult
}

// Warning is something the user should know that does not stop the run,
// e.g. entity log and capture that do not overlap in time.
type Warning struct {
	Message string
	// Setting is the setting that would address it, if one would.
	Setting Setting
	// Severe marks a warning that makes the results meaningless as they
	// stand (an entity log that resolves nothing in the capture, say): a
	// front end shows it prominently.
	Severe bool
}

func (*Progress) isEvent()    {}
func (*InputsReady) isEvent() {}
func (*ModelReady) isEvent()  {}
func (*WindowDone) isEvent()  {}
func (*Warning) isEvent()     {}
