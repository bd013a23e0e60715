package engine

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/follow"
	"github.com/mimir-tui/mimir-tui/loaders/traffic"
)

// Source is an input: a file, standard input ("-") or bytes in memory.
type Source struct {
	Name string // shown in messages
	Open func() (io.ReadCloser, error)
	Size int64 // 0 when unknown
	// Node labels a capture (the node it was taken on); "" takes it from
	// Name ("node-a.pcap.gz" is node-a). Captures only.
	Node string
	// ClockOffset, when set, is how far a capture's clock runs ahead of
	// the first capture's; nil estimates it from the packets the captures
	// share. Captures only.
	ClockOffset *time.Duration
}

// FileSource opens path, or standard input for "-".
func FileSource(path string) Source {
	s := Source{Name: path}
	if path == "-" {
		s.Name = "standard input"
		s.Open = func() (io.ReadCloser, error) { return io.NopCloser(os.Stdin), nil }
		return s
	}
	if fi, err := os.Stat(path); err == nil {
		s.Size = fi.Size()
	}
	s.Open = func() (io.ReadCloser, error) { return os.Open(path) }
	return s
}

// BytesSource serves b under name.
func BytesSource(name string, b []byte) Source {
	return Source{
		Name: name,
		Size: int64(len(b)),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil },
	}
}

// Inputs are what a run analyses.
type Inputs struct {
	// Capture is the packet capture. Captures, when set, replaces it with
	// several captures of the same time (one per node, say): they are
	// read as one, in timestamp order with their clocks aligned and each
	// packet counted once however many of them saw it.
	Capture  Source
	Captures []Source
	Entities Source
}

// Options configure a run. The zero value is not useful; start from
// DefaultOptions.
type Options struct {
	// Sizes are the window sizes (default 10 s and 60 s; with a model,
	// the model's).
	Sizes []time.Duration
	// Baseline is what the windows are compared with: the benign start
	// of the capture, or a trained model (default: the first 2 minutes).
	Baseline Baseline
	// Sensitive names the sensitive services; empty means guess (and say so).
	Sensitive []string
	// Threshold, when set, overrides the trained threshold of every size.
	Threshold *float64
	// Learning is how long a workload that appears during the analysis
	// is learned instead of flagged (learning.go): 0 means
	// DefaultLearning, a negative value turns learning off.
	Learning time.Duration
	// Suppress are intervals an analyst judged false positives: what
	// drove their windows is folded into the baseline (fold.go), they do
	// not alert, and Result.Revised is the model with the folds.
	Suppress []Suppression
	// FalseAlarms, when positive, sets every size's threshold for this
	// many false-alarm windows a day over all sizes, from the benign score
	// tail (falsealarms.go); 0 keeps the model's default.
	FalseAlarms float64
	// Seed makes synthetic injection deterministic.
	Seed int64
	// EntitiesOffset shifts a relative (pickle) entity log: its second 0 is
	// the capture's first packet plus this offset.
	EntitiesOffset time.Duration
	// ClusterCIDRs are the cluster's address ranges; empty means infer them
	// from the entity log.
	ClusterCIDRs []netip.Prefix
	// IncludeInfra keeps infrastructure (kube-system other than DNS,
	// host-network pods) in the scored graph.
	IncludeInfra bool
	// Policy, when set, restricts which services may talk (for injection).
	Policy *Policy
	// IdeHistory is W, the number of earlier windows the Ide & Kashima
	// typical pattern is learned from (default 10, at least 2).
	IdeHistory int
	// Rates are the mean synthetic exfiltration rates in MB/min used for
	// training and evaluation (default DefaultRates).
	Rates []float64
	// Episode is the length of one synthetic attack episode (default 60 s).
	Episode time.Duration
	// MaxHops and MaxPaths bound the enumeration of attack paths (default
	// 3 hops, 8 paths per sensitive service).
	MaxHops, MaxPaths int
	// Workers bounds parallel window analysis (default: GOMAXPROCS).
	Workers int
	// ReorderSlack is how long after a window's end packets may still
	// arrive out of order before it is sealed (default 5 s).
	ReorderSlack time.Duration
	// Strict makes a truncated capture an error instead of a warning.
	Strict bool
	// MemoryLimit is the run's memory budget in bytes (0: none): the Go
	// runtime is told, and a run that would need more stops with an error
	// saying so, instead of the process running out of memory.
	MemoryLimit uint64
	// Streaming sends the windows only as WindowDone events: the Result's
	// series hold none, so memory does not grow with the capture's length
	// (a week of windows, or a capture followed for days). Its windows
	// list flagged edges only when they alert: the threshold of a
	// streamed run does not move — unless ExplainAll is set.
	Streaming bool
	// ExplainAll explains every streamed window, alerting or not: for a
	// front end whose user moves the threshold (the explorer).
	ExplainAll bool

	// Follow reads inputs that are still being written (follow.go): a
	// capture file is read to its current end and then polled for growth
	// until ctx ends (a pipe, such as standard input, ends at its end); a
	// JSON Lines entity log likewise, its new events applied as they
	// come. Windows are also sealed by the capture's clock, so that they
	// close on time when the capture is quiet. Several captures need
	// every clock offset but the first's (none can be estimated from
	// captures still being written).
	Follow bool
	// EntitiesLag is, when following, how long an entity change may take
	// to reach the log (the recorder's delay): a packet is resolved, and
	// a window sealed, only once the log has been read that long after
	// their time. 0 means DefaultEntitiesLag.
	EntitiesLag time.Duration

	// followPoll and clock are a followed run's poll interval and wall
	// clock (0 and nil: follow.DefaultPoll and time.Now); tests set them.
	followPoll time.Duration
	clock      func() time.Time
	// heap replaces the runtime's reading of the live heap for the
	// memory guard; tests set it.
	heap func() uint64
}

// DefaultEntitiesLag is the default Options.EntitiesLag: the recorder
// writes a change as its watch delivers it, well within a second; the
// rest is margin. It is shorter than the default reorder slack, so that
// it never delays a window (sealClock).
const DefaultEntitiesLag = 2 * time.Second

// baselineKind is what a Baseline refers to.
type baselineKind uint8

const (
	baselineSpan  baselineKind = iota // the first span of the capture
	baselineShare                     // the first share of its windows
	baselineAll                       // every complete window
	baselineModel                     // a trained model
)

// Baseline is the one choice of what is benign: the capture's first span
// of time, its first share of windows, all of it, or a trained model. The
// zero value is the default, the first 2 minutes.
type Baseline struct {
	kind  baselineKind
	span  time.Duration
	share float64
	model *Model
}

// BaselineSpan makes the capture's first d the baseline.
func BaselineSpan(d time.Duration) Baseline { return Baseline{kind: baselineSpan, span: d} }

// BaselineShare makes the first share (in (0, 1)) of the capture's
// complete windows the baseline.
func BaselineShare(share float64) Baseline { return Baseline{kind: baselineShare, share: share} }

// BaselineAll makes every complete window the baseline (what training does).
func BaselineAll() Baseline { return Baseline{kind: baselineAll} }

// BaselineModel scores with a trained model instead of a baseline.
func BaselineModel(m *Model) Baseline { return Baseline{kind: baselineModel, model: m} }

// Model returns the model of a BaselineModel, else nil.
func (b Baseline) Model() *Model { return b.model }

// String describes the choice: "2m0s", "50%", "all" or "model".
func (b Baseline) String() string {
	switch b.kind {
	case baselineShare:
		return fmt.Sprintf("%g%%", b.share*100)
	case baselineAll:
		return "all"
	case baselineModel:
		return "model"
	}
	return b.span.String()
}

// DefaultBaseline is the first two minutes of the capture.
const DefaultBaseline = 2 * time.Minute

// DefaultOptions returns the defaults: 10 s and 60 s windows, a 2-minute
// baseline, seed 1.
func DefaultOptions() Options {
	return Options{
		Baseline:   BaselineSpan(DefaultBaseline),
		Seed:       1,
		IdeHistory: 10,
	}
}

// learning is the learning period in force: Learning, DefaultLearning
// for 0, none for a negative value.
func (o Options) learning() time.Duration {
	switch {
	case o.Learning == 0:
		return DefaultLearning
	case o.Learning < 0:
		return 0
	}
	return o.Learning
}

// reorderSlack is the reorder slack in force: ReorderSlack, or the
// aggregator's default for 0.
func (o Options) reorderSlack() time.Duration {
	if o.ReorderSlack == 0 {
		return traffic.DefaultReorderSlack
	}
	return o.ReorderSlack
}

// Policy restricts which services may talk to which, for the enumeration
// of synthetic attack paths. A nil policy allows every pair.
type Policy struct {
	// Allow maps a source service to the destinations it may reach;
	// "outside" names the outside world and "*" any service.
	Allow map[string][]string `json:"allow"`
}

// DefaultSizes are the window sizes without a model: 10 s and 60 s.
var DefaultSizes = []time.Duration{10 * time.Second, 60 * time.Second}

// Check reports what is wrong with the options' values, before any input
// is read: a *SettingError naming the setting, or nil. Run checks them
// again (with the inputs: a sensitive service must exist, say).
func (o Options) Check() error { return o.normalize() }

// normalize fills defaults and checks the options; what is wrong is a
// *SettingError naming the setting.
func (o *Options) normalize() error {
	if err := o.normalizeSizes(); err != nil {
		return err
	}
	switch b := o.Baseline; {
	case b.kind == baselineSpan && b.span == 0:
		o.Baseline = BaselineSpan(DefaultBaseline)
	case b.kind == baselineSpan && b.span < 0:
		return settingErr(SettingBaseline, "baseline %v: it must be positive, e.g. 2m", b.span)
	case b.kind == baselineShare && !(b.share > 0 && b.share < 1):
		return settingErr(SettingBaseline, "baseline fraction %g: it must be between 0 and 1, e.g. 0.5", b.share)
	case b.kind == baselineModel && b.model == nil:
		return settingErr(SettingModel, "no model given")
	}
	if t := o.Threshold; t != nil && (math.IsNaN(*t) || math.IsInf(*t, 0)) {
		return settingErr(SettingThreshold, "threshold %v: it must be a finite number, e.g. 0.5", *t)
	}
	switch r := o.FalseAlarms; {
	case math.IsNaN(r) || math.IsInf(r, 0) || r < 0:
		return settingErr(SettingFalseAlarms, "false-alarm rate %v: give a positive rate, e.g. 1/day", r)
	case r > 0 && o.Threshold != nil:
		return settingErr(SettingFalseAlarms, "both a threshold and a false-alarm rate given: keep one of them")
	}
	switch {
	case o.IdeHistory == 0:
		o.IdeHistory = DefaultOptions().IdeHistory
	case o.IdeHistory < MinIdeHistory:
		return settingErr(SettingIdeHistory, "Ide & Kashima history %d: it needs at least %d earlier windows, e.g. 10 (the default)", o.IdeHistory, MinIdeHistory)
	}
	switch {
	case o.Workers == 0:
		o.Workers = runtime.GOMAXPROCS(0)
	case o.Workers < 0:
		return settingErr(SettingWorkers, "%d workers: give a positive number, e.g. 4, or 0 for every core", o.Workers)
	}
	if o.ReorderSlack < 0 {
		return settingErr(SettingReorderSlack, "reorder slack %v: it cannot be negative; 0 means the default 5s", o.ReorderSlack)
	}
	switch {
	case o.EntitiesLag < 0:
		return settingErr(SettingEntitiesLag, "entities lag %v: it cannot be negative; 0 means the default %v", o.EntitiesLag, DefaultEntitiesLag)
	case o.EntitiesLag == 0:
		o.EntitiesLag = DefaultEntitiesLag
	}
	if o.followPoll <= 0 {
		o.followPoll = follow.DefaultPoll
	}
	if o.clock == nil {
		o.clock = time.Now
	}
	if len(o.Rates) == 0 {
		o.Rates = DefaultRates
	}
	for _, r := range o.Rates {
		if !(r > 0) || math.IsInf(r, 0) {
			return settingErr(SettingRates, "rate %v MB/min: rates must be positive numbers, e.g. 1,0.1", r)
		}
	}
	if o.Episode <= 0 {
		o.Episode = time.Minute
	}
	if o.MaxHops <= 0 {
		o.MaxHops = 3
	}
	if o.MaxPaths <= 0 {
		o.MaxPaths = 8
	}
	return nil
}

// normalizeSizes checks the window sizes, sorts them and fills the
// default: the model's sizes with a model, else DefaultSizes.
func (o *Options) normalizeSizes() error {
	if len(o.Sizes) == 0 {
		o.Sizes = DefaultSizes
		if m := o.Baseline.Model(); m != nil {
			o.Sizes = nil
			for i := range m.Sizes {
				o.Sizes = append(o.Sizes, m.Sizes[i].Size())
			}
		}
	}
	for _, s := range o.Sizes {
		if s <= 0 {
			return settingErr(SettingWindow, "window size %v: it must be positive, e.g. 10s", s)
		}
	}
	o.Sizes = slices.Clone(o.Sizes)
	slices.Sort(o.Sizes)
	o.Sizes = slices.Compact(o.Sizes)
	return nil
}
