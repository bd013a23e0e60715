package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/export"
)

// windowRecord is one line of `analyze` output (README: "analyze output").
type windowRecord struct {
	Window         int                  `json:"window"`
	SizeSeconds    float64              `json:"size_s"`
	Start          string               `json:"start"`
	End            string               `json:"end"`
	Partial        bool                 `json:"partial"`
	Coverage       float64              `json:"coverage"`
	Baseline       bool                 `json:"baseline"`
	Packets        uint64               `json:"packets"`
	Bytes          uint64               `json:"bytes"`
	Score          float64              `json:"score"`
	Threshold      float64              `json:"threshold"`
	Alert          bool                 `json:"alert"`
	IdeScore       *float64             `json:"ide_score"`
	AllowlistAlert bool                 `json:"allowlist_alert"`
	Contributions  []contributionRecord `json:"contributions"`
	FlaggedEdges   []engine.FlaggedEdge `json:"flagged_edges"`
	// Learned are a new workload's pairs taken into the baseline in this
	// window instead of flagged: a change, reported once.
	Learned []engine.LearnedPair `json:"learned,omitempty"`
	// Suppressed: the window lies in an interval judged a false positive
	// (--suppress); it does not alert.
	Suppressed bool `json:"suppressed,omitempty"`
}

type contributionRecord struct {
	Feature      string   `json:"feature"`
	Key          string   `json:"key,omitempty"`
	Value        *float64 `json:"value"` // null: undefined in this window (missing)
	Z            float64  `json:"z"`
	Weight       float64  `json:"weight"`
	Contribution float64  `json:"contribution"`
	Median       float64  `json:"baseline_median"`
}

func newWindowRecord(w *engine.WindowResult, th float64) windowRecord {
	r := windowRecord{
		Window:         w.Index,
		SizeSeconds:    w.Size.Seconds(),
		Start:          w.Start.Format(time.RFC3339Nano),
		End:            w.End.Format(time.RFC3339Nano),
		Partial:        w.Partial,
		Coverage:       w.Coverage,
		Baseline:       w.Baseline,
		Packets:        w.Packets,
		Bytes:          w.Bytes,
		Score:          w.Score,
		Threshold:      th,
		Alert:          w.Alert(th),
		AllowlistAlert: w.AllowlistAlert,
		Contributions:  []contributionRecord{},
		FlaggedEdges:   []engine.FlaggedEdge{},
		Learned:        w.Learned,
		Suppressed:     w.Suppressed,
	}
	if !math.IsNaN(w.IdeScore) {
		x := w.IdeScore
		r.IdeScore = &x
	}
	for _, c := range w.Contributions {
		cr := contributionRecord{Feature: c.Name, Key: c.Key, Z: c.Z, Weight: c.Weight, Contribution: c.Contrib, Median: c.Median}
		if !math.IsNaN(c.Value) {
			v := c.Value
			cr.Value = &v
		}
		r.Contributions = append(r.Contributions, cr)
	}
	// Flagged edges are the explanation of an alert.
	if r.Alert && w.Flagged != nil {
		r.FlaggedEdges = w.Flagged
	}
	return r
}

var csvHeader = []string{"window", "size_s", "start", "end", "partial", "baseline", "packets", "bytes",
	"score", "threshold", "alert", "ide_score", "allowlist_alert", "top_feature", "top_contribution", "flagged_edges", "learned"}

func (r windowRecord) csv() []string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }
	ide := ""
	if r.IdeScore != nil {
		ide = f(*r.IdeScore)
	}
	top, topC := "", ""
	if len(r.Contributions) > 0 {
		top, topC = r.Contributions[0].Feature, f(r.Contributions[0].Contribution)
	}
	var edges, learned []string
	for _, e := range r.FlaggedEdges {
		edges = append(edges, e.Src+" -> "+e.Dst)
	}
	for _, l := range r.Learned {
		learned = append(learned, l.Pair)
	}
	return []string{strconv.Itoa(r.Window), f(r.SizeSeconds), r.Start, r.End, strconv.FormatBool(r.Partial),
		strconv.FormatBool(r.Baseline), strconv.FormatUint(r.Packets, 10), strconv.FormatUint(r.Bytes, 10),
		f(r.Score), f(r.Threshold), strconv.FormatBool(r.Alert), ide, strconv.FormatBool(r.AllowlistAlert),
		top, topC, strings.Join(edges, "; "), strings.Join(learned, "; ")}
}

func runAnalyze(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("analyze", "usage: mimir-tui analyze [flags] CAPTURE... ENTITIES\n\nScores every window of every size; one JSON object per window and size.\nWith --follow, reads the capture and the entity log while they are written and\nwrites each window's line as soon as it is scored, until interrupted.", stderr)
	var ef engineFlags
	ef.register(fs, true)
	format := fs.String("format", "jsonl", "output format: jsonl or csv")
	out := fs.String("o", "", "write to this file (atomically; with --follow, line by line) instead of standard output")
	intervals := fs.String("export-intervals", "", "also write the flagged intervals to FILE.json or FILE.csv")
	suppress := fs.String("suppress", "", "a verdicts file (the explorer's CAPTURE.verdicts.json): fold what drove the intervals judged false positives into the baseline, so the same benign behaviour does not alert again")
	saveModel := fs.String("save-model", "", "with --suppress, write the revised model here (default: beside --model, as NAME.rN.json)")
	force := fs.Bool("force", false, "replace existing output files (-o, --export-intervals, --save-model)")
	var ff followFlags
	ff.register(fs)
	pos, err := parseCaptureArgs(fs, args)
	if err != nil {
		return err
	}
	if err := oneOf("format", *format, "jsonl", "csv"); err != nil {
		return err
	}
	for _, p := range []string{*out, *intervals} {
		if err := checkOutput(p, *force); err != nil {
			return err
		}
	}
	opts, err := ef.options()
	if err != nil {
		return err
	}
	if err := ff.apply(&opts); err != nil {
		return err
	}
	if opts.Suppress, err = readSuppressions(*suppress); err != nil {
		return err
	}
	modelOut := revisedModelPath(*saveModel, ef.model, opts)
	if opts.Follow {
		if *saveModel != "" {
			return usagef("--save-model: a followed run ends when it is interrupted, before a revised model exists; revise the model with analyze --suppress on a finished capture")
		}
		modelOut = ""
	}
	if err := checkOutput(modelOut, *force); err != nil {
		return err
	}
	// Records go out as the windows are scored: memory does not grow with
	// the capture. Followed, each is written and flushed at once.
	opts.Streaming = true
	sink, err := newRecordSink(*out, *force, stdout, *format, *intervals != "", opts.Follow)
	if err != nil {
		return notWritten(err, *out, *intervals)
	}
	in, err := ef.inputs(pos)
	if err != nil {
		return err
	}
	rep := newReporter(stderr)
	res, err := runEngine(ctx, in, opts, func(ev engine.Event) {
		rep.event(ev)
		sink.event(ev)
	})
	rep.clear()
	if err != nil && opts.Follow && ctx.Err() != nil {
		// Ctrl-C is how a followed run ends: what it wrote stays.
		return endFollowed(err, sink, *intervals, *force, stderr)
	}
	if err != nil {
		sink.abort()
		return notWritten(adviseError(err), *out, *intervals)
	}
	if modelOut != "" && res.Revised != nil {
		if err := engine.WriteModel(modelOut, res.Revised, *force); err != nil {
			return notWritten(fmt.Errorf("--save-model: %w", err), modelOut)
		}
		fmt.Fprintf(stderr, "folded what drove %s into revision %d of the model: %s\n",
			countOf(len(opts.Suppress), "false-positive interval"), res.Revised.Revision, modelOut)
	}
	if err := sink.close(); err != nil {
		return notWritten(err, *out, *intervals)
	}
	return writeIntervals(sink, *intervals, *force, stderr)
}

// writeIntervals writes the flagged intervals of the windows written to
// path (none for ""), and says so.
func writeIntervals(sink *recordSink, path string, force bool, stderr io.Writer) error {
	if path == "" {
		return nil
	}
	ivs := sink.intervals()
	if err := export.Write(path, ivs, force); err != nil {
		return notWritten(fmt.Errorf("--export-intervals: %w", err), path)
	}
	fmt.Fprintf(stderr, "wrote %d flagged intervals to %s\n", len(ivs), path)
	return nil
}

// endFollowed ends a followed run that was interrupted (its usual end):
// the records written are whole lines and stay, and the flagged intervals
// of the windows scored are written; the interruption is still the
// run's result (exit status 130 or 143).
func endFollowed(interrupted error, sink *recordSink, intervals string, force bool, stderr io.Writer) error {
	if err := sink.close(); err != nil {
		return notWritten(err, intervals)
	}
	if err := writeIntervals(sink, intervals, force, stderr); err != nil {
		return err
	}
	return interrupted
}

// readSuppressions reads the intervals judged false positives from a
// verdicts file; "" is none.
func readSuppressions(path string) ([]engine.Suppression, error) {
	if path == "" {
		return nil, nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil, usagef("--suppress: %v", err)
	}
	v, err := export.ReadVerdicts(path)
	if err != nil {
		return nil, usagef("--suppress: %v", err)
	}
	out := v.FalsePositives()
	if len(out) == 0 {
		return nil, usagef("--suppress %s: no interval is marked %s; mark one in the explorer, or leave --suppress out", path, export.FalsePositive)
	}
	return out, nil
}

// revisedModelPath is where analyze --suppress writes the revised model:
// --save-model, else beside --model as NAME.rN.json; "" without
// suppressions, or without a model file to name it after.
func revisedModelPath(saveModel, model string, opts engine.Options) string {
	if len(opts.Suppress) == 0 {
		return ""
	}
	if saveModel != "" || model == "" {
		return saveModel
	}
	m := opts.Baseline.Model()
	return fmt.Sprintf("%s.r%d.json", strings.TrimSuffix(model, ".json"), m.Revision+1)
}

// countOf is "1 noun" or "n nouns".
func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
