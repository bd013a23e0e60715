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
	"github.com/mimir-tui/mimir-tui/loaders/units"
)

// engineFlags are the analysis flags shared by analyze, train, evaluate
// and the explorer.
type engineFlags struct {
	windows        string
	baseline       string
	model          string
	sensitive      string
	threshold      string
	falseAlarms    string
	learning       string
	entitiesOffset time.Duration
	seed           int64
	clusterCIDRs   string
	includeInfra   bool
	policy         string
	rates          string
	ideHistory     int
	reorderSlack   time.Duration
	workers        int
	strict         bool
	memoryLimit    string
	captures       captureFlags

	fs *flag.FlagSet // to tell a flag given from its default
}

// register adds the flags to fs. train has no --model and takes the
// whole capture as its baseline by default.
func (ef *engineFlags) register(fs *flag.FlagSet, withModel bool) {
	ef.fs = fs
	fs.StringVar(&ef.windows, "window", "", "window sizes, comma-separated (default: the model's with --model, else 10s,60s)")
	baseline := "2m"
	if !withModel {
		baseline = "all"
	}
	fs.StringVar(&ef.baseline, "baseline", baseline, "benign baseline at the capture's start: a duration (2m), a fraction (0.5) or all")
	if withModel {
		fs.StringVar(&ef.model, "model", "", "score with a model from 'mimir-tui train' instead of a baseline")
	}
	fs.StringVar(&ef.sensitive, "sensitive", "", "sensitive services, comma-separated (default: guessed from names and labels, and shown)")
	fs.StringVar(&ef.threshold, "threshold", "", "alert threshold for every window size (default: the model's, for 1 false alarm a day when its baseline allows)")
	fs.StringVar(&ef.falseAlarms, "false-alarms", "", "set the thresholds for this many benign windows alerting, e.g. 1/day, 2/week, 0.5/h (from the benign scores' fitted tail)")
	fs.DurationVar(&ef.entitiesOffset, "entities-offset", 0, "a relative (pickle) entity log's second 0 is the capture's first packet plus this")
	fs.StringVar(&ef.learning, "learning", "5m", "how long a workload that appears during the capture is learned rather than alerted on (its pairs to sensitive services and outside alert at once); off to alert on it at once")
	fs.Int64Var(&ef.seed, "seed", 1, "seed of the synthetic attack injection")
	fs.StringVar(&ef.clusterCIDRs, "cluster-cidr", "", "the cluster's address ranges, comma-separated (default: inferred from the entity log)")
	fs.BoolVar(&ef.includeInfra, "include-infra", false, "score infrastructure (kube-system, host-network pods) too")
	fs.StringVar(&ef.policy, "policy", "", `JSON file restricting which services may talk, for attack paths: {"allow":{"front-end":["catalogue","outside"]}}`)
	fs.StringVar(&ef.rates, "rates", "", "synthetic exfiltration rates in MB/min, comma-separated (default 10,1,0.1,0.05,0.01)")
	fs.IntVar(&ef.ideHistory, "ide-history", 10, "earlier windows the Ide & Kashima typical pattern is learned from")
	fs.DurationVar(&ef.reorderSlack, "reorder-slack", 0, "how long after a window's end out-of-order packets may arrive (default 5s)")
	fs.IntVar(&ef.workers, "workers", 0, "parallel workers (default: all cores)")
	fs.BoolVar(&ef.strict, "strict", false, "a capture cut short (a killed capture tool, a cut gzip stream) is an error, not a warning")
	ef.captures.register(fs)
	fs.StringVar(&ef.memoryLimit, "memory-limit", "75%", "memory budget: a share of the machine's memory, a size such as 4GB, or 0 for none; a run that needs more stops with an error")
}

// given reports whether the flag was set on the command line.
func (ef *engineFlags) given(name string) bool {
	found := false
	ef.fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// options turns the flags into engine options. Every error is a usage
// error naming its flag. Values that parse but that the engine cannot use
// (a negative --workers, --threshold NaN) are the engine's to refuse: its
// *engine.SettingError becomes a usage error through adviseError.
func (ef *engineFlags) options() (engine.Options, error) {
	opts := engine.DefaultOptions()
	var err error
	// Without --window the engine takes the model's sizes, or its defaults.
	opts.Sizes = nil
	if ef.given("window") {
		sizes, err := parseDurations(ef.windows)
		if err != nil {
			return opts, usagef("--window: %v", err)
		}
		opts.Sizes = sizes
	}
	if ef.model != "" {
		m, err := engine.LoadModel(ef.model)
		if err != nil {
			return opts, usagef("--model: %v", err)
		}
		opts.Baseline = engine.BaselineModel(m)
	} else if opts.Baseline, err = parseBaseline(ef.baseline); err != nil {
		return opts, err
	}
	opts.Sensitive = splitList(ef.sensitive)
	if opts.Threshold, err = parseThreshold(ef.threshold); err != nil {
		return opts, err
	}
	if ef.falseAlarms != "" {
		if opts.FalseAlarms, err = units.ParseRate(ef.falseAlarms); err != nil {
			return opts, usagef("--false-alarms: %v", err)
		}
		if opts.FalseAlarms == 0 {
			return opts, usagef("--false-alarms %s: a rate of 0 has no threshold; give e.g. 1/week", ef.falseAlarms)
		}
	}
	if opts.Learning, err = parseLearning(ef.learning); err != nil {
		return opts, err
	}
	opts.EntitiesOffset = ef.entitiesOffset
	opts.Seed = ef.seed
	if opts.ClusterCIDRs, err = parseCIDRs(ef.clusterCIDRs); err != nil {
		return opts, err
	}
	opts.IncludeInfra = ef.includeInfra
	if opts.Policy, err = readPolicy(ef.policy); err != nil {
		return opts, err
	}
	for _, s := range splitList(ef.rates) {
		r, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return opts, usagef("--rates %q: want positive numbers (MB/min) such as 1,0.1", ef.rates)
		}
		opts.Rates = append(opts.Rates, r)
	}
	// The engine reads 0 as "the default"; on the command line the
	// default is already written out, so an explicit 0 is a mistake.
	if ef.ideHistory == 0 && ef.given("ide-history") {
		return opts, usagef("--ide-history: 0 earlier windows leave the Ide & Kashima pattern nothing to learn from; give at least %d, e.g. --ide-history 10 (the default)", engine.MinIdeHistory)
	}
	opts.IdeHistory = ef.ideHistory
	opts.ReorderSlack = ef.reorderSlack
	opts.Workers = ef.workers
	opts.Strict = ef.strict
	if opts.MemoryLimit, err = parseMemoryLimit(ef.memoryLimit); err != nil {
		return opts, err
	}
	// Refused here, before any input is read or the explorer opens.
	return opts, adviseError(opts.Check())
}

// parseThreshold accepts an empty string (the trained threshold) or a
// number; the engine refuses numbers it cannot use (NaN, ±Inf).
func parseThreshold(s string) (*float64, error) {
	if s == "" {
		return nil, nil
	}
	th, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, usagef("--threshold %q: want a number such as --threshold 0.5", s)
	}
	return &th, nil
}

// parseLearning reads --learning: a duration, or off (also 0).
func parseLearning(s string) (time.Duration, error) {
	if s == "off" || s == "0" {
		return -1, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, usagef("--learning %q: want a duration such as 5m, or off", s)
	}
	return d, nil
}

// parseCIDRs reads --cluster-cidr.
func parseCIDRs(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, c := range splitList(s) {
		p, err := netip.ParsePrefix(c)
		if err != nil {
			return nil, usagef("--cluster-cidr %q: want a CIDR such as 10.244.0.0/16", c)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// readPolicy reads the --policy file, if one is named.
func readPolicy(path string) (*engine.Policy, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("--policy: %v", err)
	}
	var p engine.Policy
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, usagef("--policy %s: %v; want {\"allow\":{\"service\":[\"other\",\"outside\"]}}", path, err)
	}
	return &p, nil
}

// parseBaseline accepts a duration (2m), a fraction in (0, 1) or "all".
func parseBaseline(s string) (engine.Baseline, error) {
	if s == "all" {
		return engine.BaselineAll(), nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return engine.Baseline{}, usagef("--baseline %q: want a positive duration such as --baseline 2m", s)
		}
		return engine.BaselineSpan(d), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f >= 1 {
		return engine.Baseline{}, usagef("--baseline %q: want a duration (2m), a fraction between 0 and 1 (0.5) or all", s)
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
		return nil, err
	}
	rep := newReporter(stderr)
	defer rep.clear()
	in, err := ef.inputs(pos)
	if err != nil {
		return nil, err
	}
	res, err := runEngine(ctx, in, opts, rep.event)
	return res, adviseError(err)
}

// runEngine is engine.Run; tests replace it to see the options a command
// passes to the engine.
var runEngine = engine.Run

// inputs names the captures (all of pos but the last) and the entity log
// (the last), with the nodes and clock offsets the flags give.
func (ef *engineFlags) inputs(pos []string) (engine.Inputs, error) {
	caps, ents := pos[:len(pos)-1], pos[len(pos)-1]
	cins, err := ef.captures.inputs(caps)
	if err != nil {
		return engine.Inputs{}, err
	}
	in := engine.Inputs{Entities: engine.FileSource(ents)}
	for _, ci := range cins {
		src := engine.FileSource(ci.Path)
		src.Node, src.ClockOffset = ci.Node, ci.Offset
		in.Captures = append(in.Captures, src)
	}
	in.Capture = in.Captures[0]
	return in, nil
}
