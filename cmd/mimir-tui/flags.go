package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
)

// engineFlags are the analysis flags shared by analyze, train, evaluate
// and the explorer.
type engineFlags struct {
	windows        string
	baseline       string
	model          string
	sensitive      string
	threshold      string
	entitiesOffset time.Duration
	seed           int64
	clusterCIDRs   string
	includeInfra   bool
	policy         string
	rates          string
	ideHistory     int
	reorderSlack   time.Duration
	workers        int
}

// register adds the flags to fs. train has no --model and takes the
// whole capture as its baseline by default.
func (ef *engineFlags) register(fs *flag.FlagSet, withModel bool) {
	fs.StringVar(&ef.windows, "window", "10s,60s", "window sizes, comma-separated")
	baseline := "2m"
	if !withModel {
		baseline = "all"
	}
	fs.StringVar(&ef.baseline, "baseline", baseline, "benign baseline at the capture's start: a duration (2m), a fraction (0.5) or all")
	if withModel {
		fs.StringVar(&ef.model, "model", "", "score with a model from 'mimir-tui train' instead of a baseline")
	}
	fs.StringVar(&ef.sensitive, "sensitive", "", "sensitive services, comma-separated (default: guessed from names and labels, and shown)")
	fs.StringVar(&ef.threshold, "threshold", "", "alert threshold for every window size (default: chosen on training data)")
	fs.DurationVar(&ef.entitiesOffset, "entities-offset", 0, "a relative (pickle) entity log's second 0 is the capture's first packet plus this")
	fs.Int64Var(&ef.seed, "seed", 1, "seed of the synthetic attack injection")
	fs.StringVar(&ef.clusterCIDRs, "cluster-cidr", "", "the cluster's address ranges, comma-separated (default: inferred from the entity log)")
	fs.BoolVar(&ef.includeInfra, "include-infra", false, "score infrastructure (kube-system, host-network pods) too")
	fs.StringVar(&ef.policy, "policy", "", `JSON file restricting which services may talk, for attack paths: {"allow":{"front-end":["catalogue","outside"]}}`)
	fs.StringVar(&ef.rates, "rates", "", "synthetic exfiltration rates in MB/min, comma-separated (default 10,1,0.1,0.05,0.01)")
	fs.IntVar(&ef.ideHistory, "ide-history", 10, "earlier windows the Ide & Kashima typical pattern is learned from")
	fs.DurationVar(&ef.reorderSlack, "reorder-slack", 0, "how long after a window's end out-of-order packets may arrive (default 5s)")
	fs.IntVar(&ef.workers, "workers", 0, "parallel workers (default: all cores)")
}

// options turns the flags into engine options.
func (ef *engineFlags) options() (engine.Options, error) {
	opts := engine.DefaultOptions()
	sizes, err := parseDurations(ef.windows)
	if err != nil {
		return opts, fmt.Errorf("--window: %w", err)
	}
	opts.Sizes = sizes
	if ef.model != "" {
		m, err := engine.LoadModel(ef.model)
		if err != nil {
			return opts, fmt.Errorf("--model: %w", err)
		}
		opts.Baseline = engine.BaselineModel(m)
	} else if opts.Baseline, err = parseBaseline(ef.baseline); err != nil {
		return opts, err
	}
	opts.Sensitive = splitList(ef.sensitive)
	if ef.threshold != "" {
		th, err := strconv.ParseFloat(ef.threshold, 64)
		if err != nil {
			return opts, fmt.Errorf("--threshold %q: want a number such as 0.5", ef.threshold)
		}
		opts.Threshold = &th
	}
	opts.EntitiesOffset = ef.entitiesOffset
	opts.Seed = ef.seed
	for _, s := range splitList(ef.clusterCIDRs) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return opts, fmt.Errorf("--cluster-cidr %q: want a CIDR such as 10.244.0.0/16", s)
		}
		opts.ClusterCIDRs = append(opts.ClusterCIDRs, p.Masked())
	}
	opts.IncludeInfra = ef.includeInfra
	if ef.policy != "" {
		b, err := os.ReadFile(ef.policy)
		if err != nil {
			return opts, fmt.Errorf("--policy: %w", err)
		}
		var p engine.Policy
		if err := json.Unmarshal(b, &p); err != nil {
			return opts, fmt.Errorf("--policy %s: %w; want {\"allow\":{\"service\":[\"other\",\"outside\"]}}", ef.policy, err)
		}
		opts.Policy = &p
	}
	for _, s := range splitList(ef.rates) {
		r, err := strconv.ParseFloat(s, 64)
		if err != nil || r <= 0 {
			return opts, fmt.Errorf("--rates %q: want positive numbers (MB/min) such as 1,0.1", ef.rates)
		}
		opts.Rates = append(opts.Rates, r)
	}
	opts.IdeHistory = ef.ideHistory
	opts.ReorderSlack = ef.reorderSlack
	opts.Workers = ef.workers
	return opts, nil
}

// parseBaseline accepts a duration (2m), a fraction in (0, 1) or "all".
func parseBaseline(s string) (engine.Baseline, error) {
	if s == "all" {
		return engine.BaselineAll(), nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return engine.Baseline{}, fmt.Errorf("--baseline %q: must be positive", s)
		}
		return engine.BaselineSpan(d), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f >= 1 {
		return engine.Baseline{}, fmt.Errorf("--baseline %q: want a duration (2m), a fraction between 0 and 1 (0.5) or all", s)
	}
	return engine.BaselineShare(f), nil
}

func parseDurations(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, p := range splitList(s) {
		d, err := time.ParseDuration(p)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("%q is not a positive duration such as 10s", p)
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("give at least one size, e.g. 10s,60s")
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// analyse runs the engine on the capture and entity log named by pos,
// with progress and warnings on stderr.
func analyse(ctx context.Context, ef *engineFlags, pos []string, stderr io.Writer) (*engine.Result, error) {
	opts, err := ef.options()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errUsage, err)
	}
	rep := newReporter(stderr)
	defer rep.clear()
	return engine.Run(ctx, inputs(pos[0], pos[1]), opts, rep.event)
}

// inputs names the capture and the entity log.
func inputs(capturePath, entitiesPath string) engine.Inputs {
	return engine.Inputs{Capture: engine.FileSource(capturePath), Entities: engine.FileSource(entitiesPath)}
}
