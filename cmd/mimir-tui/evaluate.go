package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/plot"
	"github.com/mimir-tui/mimir-tui/engine/safefile"
)

func runEvaluate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("evaluate", "usage: mimir-tui evaluate [flags] CAPTURE... ENTITIES\n\nThe injection experiment: trains on the baseline, injects synthetic attacks\n(every path and rate) into the windows after it with a seed of its own, and\nreports ROC, AUC, F1 at the training threshold and confusion matrices per\nmethod (model, Ide & Kashima, allow-list), per rate and per attack path.", stderr)
	var ef engineFlags
	ef.register(fs, true)
	format := fs.String("format", "text", "output format: text or json")
	out := fs.String("o", "", "write to this file (atomically) instead of standard output")
	plotDir := fs.String("plot-dir", "", "write ROC and score-over-time plots into this directory")
	plotFormat := fs.String("plot-format", "png", "plot format: png or svg")
	force := fs.Bool("force", false, "replace an existing -o file")
	truthPath := fs.String("ground-truth", "", `known real attacks in the capture ({"attacks":[{"start":…,"end":…}]}): scored on their own, left out of the injection test`)
	pos, err := parseCaptureArgs(fs, args)
	if err != nil {
		return err
	}
	if err := oneOf("format", *format, "text", "json"); err != nil {
		return err
	}
	if err := oneOf("plot-format", *plotFormat, "png", "svg"); err != nil {
		return err
	}
	if err := checkOutput(*out, *force); err != nil {
		return err
	}
	opts, err := ef.options()
	if err != nil {
		return err
	}
	truth, err := readTruth(*truthPath)
	if err != nil {
		return err
	}
	in, err := ef.inputs(pos)
	if err != nil {
		return err
	}
	rep := newReporter(stderr)
	ev, _, err := engine.Evaluate(ctx, in, opts, truth, rep.event)
	rep.clear()
	if err != nil {
		return notWritten(adviseError(err), *out, *plotDir)
	}
	err = writeOutput(*out, *force, stdout, func(w io.Writer) error { return encodeEvaluation(w, ev, *format) })
	if err != nil {
		return notWritten(err, *out, *plotDir)
	}
	if *plotDir != "" {
		files, err := writePlots(*plotDir, *plotFormat, ev)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %d plots to %s\n", len(files), *plotDir)
	}
	return nil
}

// encodeEvaluation writes the evaluation as text or indented JSON.
func encodeEvaluation(w io.Writer, ev *engine.Evaluation, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", " ")
		return enc.Encode(ev)
	}
	writeEvaluation(w, ev)
	return nil
}

// readTruth reads the --ground-truth file, if one is named.
func readTruth(path string) ([]engine.Attack, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--ground-truth: %w", err)
	}
	defer f.Close()
	return engine.ReadGroundTruth(f, path)
}

func writeEvaluation(w io.Writer, ev *engine.Evaluation) {
	fmt.Fprintf(w, "evaluation of %s (%s, seed %d)\n", ev.Capture, ev.Source, ev.Seed)
	for _, c := range ev.Caveats {
		fmt.Fprintf(w, "\n!! %s\n", c)
	}
	fmt.Fprintf(w, "\n%d attack templates × rates %v MB/min, injected after the baseline with a seed of their own\n", len(ev.Templates), ev.Rates)
	for _, se := range ev.Sizes {
		fmt.Fprintf(w, "\n== %gs windows: %d clean test windows %s\n", se.SizeSeconds, len(se.TestWindows), windowList(se.TestWindows))
		if len(se.TestWindows) == 0 {
			fmt.Fprintf(w, "no clean %gs test window: no complete window after the baseline is free of known attacks, so nothing was injected; the injection figures are undefined (—). Use a longer capture or a shorter baseline.\n", se.SizeSeconds)
		} else {
			writeInjected(w, se)
		}
		writeReal(w, se)
	}
}

// windowList shows window numbers compactly: "(windows 13–19, 22)".
func windowList(ws []int) string {
	if len(ws) == 0 {
		return ""
	}
	var parts []string
	for i := 0; i < len(ws); {
		j := i
		for j+1 < len(ws) && ws[j+1] == ws[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d–%d", ws[i], ws[j]))
		} else {
			parts = append(parts, strconv.Itoa(ws[i]))
		}
		i = j + 1
	}
	return "(windows " + strings.Join(parts, ", ") + ")"
}

// metric formats a measure with three decimals, "—" when undefined.
func metric(x engine.Float) string {
	if undefined(x) {
		return "—"
	}
	return strconv.FormatFloat(float64(x), 'f', 3, 64)
}

// writeInjected writes the injection experiment of one window size.
func writeInjected(w io.Writer, se engine.SizeEval) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "method\tAUC\tF1\tprecision\trecall\tFPR\tTP\tFP\tTN\tFN\tthreshold\t")
	var note undefinedNote
	for _, me := range se.Methods {
		m := me.Overall
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t\n", me.Method, metric(m.AUC), metric(m.F1), metric(m.Precision), metric(m.Recall), metric(m.FPR),
			m.Confusion.TP, m.Confusion.FP, m.Confusion.TN, m.Confusion.FN, metric(m.Threshold))
		note.add(me.Method, "", m, m.AUC, m.F1, m.Precision, m.Recall, m.FPR, m.Threshold)
	}
	tw.Flush()
	note.write(w, 0, "")

	fmt.Fprintln(w, "\nby rate (AUC / F1 at the training threshold):")
	note = undefinedNote{}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "MB/min")
	for _, me := range se.Methods {
		fmt.Fprintf(tw, "\t%s", me.Method)
	}
	fmt.Fprintln(tw)
	for i := range se.Methods[0].ByRate {
		rate := se.Methods[0].ByRate[i].Rate
		fmt.Fprintf(tw, "%g", rate)
		for _, me := range se.Methods {
			g := me.ByRate[i]
			fmt.Fprintf(tw, "\t%s / %s", metric(g.AUC), metric(g.F1))
			note.add(me.Method, fmt.Sprintf("%g MB/min", rate), g.Metrics, g.AUC, g.F1)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	note.write(w, len(se.Methods[0].ByRate), "rates")
	writeByPath(w, se)
}

// writeByPath writes the injection experiment of one window size per
// attack path.
func writeByPath(w io.Writer, se engine.SizeEval) {
	fmt.Fprintln(w, "\nby attack path (all rates; AUC / F1, and the model's confusion TP FP TN FN):")
	var note undefinedNote
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "path")
	for _, me := range se.Methods {
		fmt.Fprintf(tw, "\t%s", me.Method)
	}
	fmt.Fprintln(tw, "\tmodel TP FP TN FN")
	for i := range se.Methods[0].ByPath {
		path := se.Methods[0].ByPath[i].Path
		fmt.Fprint(tw, path)
		for _, me := range se.Methods {
			g := me.ByPath[i]
			fmt.Fprintf(tw, "\t%s / %s", metric(g.AUC), metric(g.F1))
			note.add(me.Method, path, g.Metrics, g.AUC, g.F1)
		}
		c := se.Methods[0].ByPath[i].Confusion
		fmt.Fprintf(tw, "\t%d %d %d %d\n", c.TP, c.FP, c.TN, c.FN)
	}
	tw.Flush()
	note.write(w, len(se.Methods[0].ByPath), "paths")
}

// writeReal writes the scores of the capture's own windows against the
// ground truth, when there is one.
func writeReal(w io.Writer, se engine.SizeEval) {
	if se.Methods[0].Real == nil {
		return
	}
	fmt.Fprintln(w, "\nreal attacks in the capture (ground truth), windows after the baseline:")
	var note undefinedNote
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "method\twindows\tattacked\tAUC\tF1\tTP\tFP\tTN\tFN\t")
	for _, me := range se.Methods {
		m := me.Real
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%d\t%d\t%d\t%d\t\n", me.Method, m.Windows, m.Attacked, metric(m.AUC), metric(m.F1),
			m.Confusion.TP, m.Confusion.FP, m.Confusion.TN, m.Confusion.FN)
		note.add(me.Method, "", *m, m.AUC, m.F1)
	}
	tw.Flush()
	note.write(w, 0, "")
}

// undefinedNote is the footnote of one table: why its "—" cells are
// undefined, one line per reason, naming the methods (and rows) it
// applies to.
type undefinedNote struct {
	reasons []string
	// at lists, per reason, the methods in order of appearance and,
	// per method, the rows ("" for a table of one row per method).
	at map[string]*noteRows
}

type noteRows struct {
	methods []string
	rows    map[string][]string
}

// add notes m's reason for row of method when a figure the table shows
// of it is undefined.
func (n *undefinedNote) add(method, row string, m engine.Metrics, shown ...engine.Float) {
	if !slices.ContainsFunc(shown, undefined) {
		return
	}
	why := m.Undefined
	if why == "" {
		why = "undefined on these windows" // the engine gives a reason for each; never show a bare "—"
	}
	if n.at == nil {
		n.at = make(map[string]*noteRows)
	}
	r := n.at[why]
	if r == nil {
		r = &noteRows{rows: make(map[string][]string)}
		n.at[why] = r
		n.reasons = append(n.reasons, why)
	}
	if _, ok := r.rows[method]; !ok {
		r.methods = append(r.methods, method)
	}
	if row != "" {
		r.rows[method] = append(r.rows[method], row)
	} else {
		r.rows[method] = nil
	}
}

// write writes the footnote; a table of total rows per method names
// them what ("rates", "paths"): every one, a few by name, or a count.
func (n *undefinedNote) write(w io.Writer, total int, what string) {
	for _, why := range n.reasons {
		r := n.at[why]
		var parts []string
		for _, method := range r.methods {
			rows := r.rows[method]
			switch {
			case len(rows) == 0:
				parts = append(parts, method)
			case len(rows) == total:
				parts = append(parts, fmt.Sprintf("%s (every %s)", method, strings.TrimSuffix(what, "s")))
			case len(rows) <= 3:
				parts = append(parts, fmt.Sprintf("%s (%s)", method, strings.Join(rows, "; ")))
			default:
				parts = append(parts, fmt.Sprintf("%s (%d of %d %s)", method, len(rows), total, what))
			}
		}
		fmt.Fprintf(w, "— undefined for %s: %s\n", strings.Join(parts, ", "), why)
	}
}

// undefined reports whether a figure shows as "—".
func undefined(x engine.Float) bool { return math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) }

// writePlots writes, per window size, the ROC of every method and the
// score over time of the real windows.
func writePlots(dir, format string, ev *engine.Evaluation) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("--plot-dir: %w", err)
	}
	var files []string
	write := func(name string, draw func(io.Writer) error) error {
		var buf bytes.Buffer
		if err := draw(&buf); err != nil {
			return fmt.Errorf("plot %s: %w", name, err)
		}
		path := filepath.Join(dir, name)
		if err := safefile.Write(path, buf.Bytes(), true); err != nil {
			return err
		}
		files = append(files, path)
		return nil
	}
	for _, se := range ev.Sizes {
		// One ROC plot for the injected attacks, one for the real ones.
		for _, r := range []struct {
			file, what string
			of         func(engine.MethodEval) *engine.Metrics
		}{
			{"roc", "injected attacks", func(me engine.MethodEval) *engine.Metrics { return &me.Overall }},
			{"roc-real", "real attacks (ground truth)", func(me engine.MethodEval) *engine.Metrics { return me.Real }},
		} {
			var curves []plot.Curve
			for _, me := range se.Methods {
				if m := r.of(me); m != nil {
					curves = append(curves, plot.Curve{Name: me.Method, Points: m.ROC, AUC: float64(m.AUC)})
				}
			}
			if len(curves) == 0 {
				continue
			}
			title := fmt.Sprintf("ROC, %s, %gs windows", r.what, se.SizeSeconds)
			if err := write(fmt.Sprintf("%s-%gs.%s", r.file, se.SizeSeconds, format), func(w io.Writer) error {
				return plot.ROC(w, format, title, curves)
			}); err != nil {
				return files, err
			}
		}
		var times, scores []float64
		var shaded [][2]float64
		// Each window's score is drawn at its middle.
		for _, tp := range se.Timeline {
			times = append(times, tp.Seconds+se.SizeSeconds/2)
			scores = append(scores, float64(tp.Score))
		}
		for _, at := range ev.Attacks {
			if len(se.Timeline) > 0 {
				t0 := se.Timeline[0].Start
				shaded = append(shaded, [2]float64{at.Start.Sub(t0).Seconds(), at.End.Sub(t0).Seconds()})
			}
		}
		th := float64(se.Methods[0].Overall.Threshold)
		title := fmt.Sprintf("model score over time, %gs windows (threshold %.3f)", se.SizeSeconds, th)
		if err := write(fmt.Sprintf("scores-%gs.%s", se.SizeSeconds, format), func(w io.Writer) error {
			return plot.Scores(w, format, title, times, []plot.Series{{Name: "model score", Values: scores}}, th, shaded)
		}); err != nil {
			return files, err
		}
	}
	return files, nil
}
