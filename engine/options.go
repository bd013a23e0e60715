package engine

import (
	"bytes"
	"io"
	"net/netip"
	"os"
	"time"
)

// Source is an input: a file, standard input ("-") or bytes in memory.
type Source struct {
	Name string // shown in messages
	Open func() (io.ReadCloser, error)
	Size int64 // 0 when unknown
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
	Capture  Source
	Entities Source
}

// Options configure a run. The zero value is not useful; start from
// DefaultOptions.
type Options struct {
	// Sizes are the window sizes (default 10 s and 60 s).
	Sizes []time.Duration
	// Baseline is how much of the capture's start is assumed benign
	// (a duration), used when Model is nil. BaselineFraction, when > 0,
	// takes precedence: that share of the capture's windows.
	Baseline         time.Duration
	BaselineFraction float64
	// Model, when set, replaces the baseline: scaling, allow-list, Ide node
	// list, weights and thresholds come from it.
	Model *Model
	// Sensitive names the sensitive services; empty means guess (and say so).
	Sensitive []string
	// Threshold, when set, overrides the trained threshold of every size.
	Threshold *float64
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
	// typical pattern is learned from (default 10).
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
}

// WholeCapture as Options.Baseline makes every complete window of the
// capture part of the baseline (what `mimir-tui train` does).
const WholeCapture = time.Duration(1 << 62)

// DefaultOptions returns the defaults: 10 s and 60 s windows, a 2-minute
// baseline, seed 1.
func DefaultOptions() Options {
	return Options{
		Sizes:      []time.Duration{10 * time.Second, 60 * time.Second},
		Baseline:   2 * time.Minute,
		Seed:       1,
		IdeHistory: 10,
	}
}

// Policy restricts which services may talk to which, for the enumeration
// of synthetic attack paths. A nil policy allows every pair.
type Policy struct {
	// Allow maps a source service to the destinations it may reach;
	// "outside" names the outside world and "*" any service.
	Allow map[string][]string `json:"allow"`
}
