package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/loaders/units"
)

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train", "usage: mimir-tui train [flags] -o model.json CAPTURE... ENTITIES\n\nLearns scaling, the allow-list, the Ide node list, the LASSO weights and the\nthreshold from a benign capture (all of it is the baseline).", stderr)
	var ef engineFlags
	ef.register(fs, false)
	out := fs.String("o", "", "write the model to this file (required)")
	force := fs.Bool("force", false, "replace an existing model file")
	pos, err := parseCaptureArgs(fs, args)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("-o FILE is required: where to write the model, e.g. mimir-tui train -o model.json CAPTURE ENTITIES")
	}
	if err := checkOutput(*out, *force); err != nil {
		return err
	}
	res, err := analyse(ctx, &ef, pos, stderr)
	if err != nil {
		return notWritten(err, *out)
	}
	m := res.Model
	m.Trained.Capture, m.Trained.Entities = strings.Join(pos[:len(pos)-1], " "), pos[len(pos)-1]
	if err := engine.WriteModel(*out, m, *force); err != nil {
		if errors.Is(err, os.ErrExist) {
			return checkOutput(*out, *force)
		}
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "model written to %s (%s; sensitive: %v)\n", *out, res.Source, m.Sensitive)
	fmt.Fprintln(tw, "size\tbaseline windows\ttraining rows\tattacked\tnon-zero weights\talpha\ttraining AUC\tF1\tF1 threshold\tIde AUC\tIde threshold")
	for _, sm := range m.Sizes {
		t := sm.Training
		fmt.Fprintf(tw, "%gs\t%d\t%d\t%d\t%d\t%.3g\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\n", sm.SizeSeconds, sm.BaselineWindows,
			t.Rows, t.Attacked, t.NonZero, t.Alpha, t.AUC, t.F1, sm.F1Threshold, t.IdeAUC, sm.IdeThreshold)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeThresholds(stdout, m, ef.falseAlarms)
}

// writeThresholds reports each size's thresholds side by side: the
// injection-F1 one, the one for the false-alarm rate (given, or the
// default) with its 80 % interval, and the one in force with its basis
// and the false alarms a day it is expected to cost.
func writeThresholds(w io.Writer, m *engine.Model, rateFlag string) error {
	rate, label := engine.DefaultFalseAlarms, "1/day"
	if rateFlag != "" {
		r, err := units.ParseRate(rateFlag)
		if err != nil {
			return usagef("--false-alarms: %v", err)
		}
		rate, label = r, rateFlag
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\nsize\tinjection-F1 threshold\tthreshold for %s (80%% interval)\tin force\texpected false alarms a day\tbasis\n", label)
	for i := range m.Sizes {
		sm := &m.Sizes[i]
		forRate := "— (baseline too short)"
		if th, ok := sm.RateThreshold(rate, len(m.Sizes)); ok {
			lo, hi := sm.RateThresholdInterval(rate, len(m.Sizes))
			forRate = fmt.Sprintf("%.3f (%.3f – %.3f)", th, lo, hi)
		}
		fmt.Fprintf(tw, "%gs\t%.3f\t%s\t%.3f\t%s\t%s\n", sm.SizeSeconds, sm.F1Threshold, forRate, sm.Threshold,
			perDay(sm, sm.Threshold), sm.ThresholdBasis)
	}
	return tw.Flush()
}

// perDay prints the false alarms a day a threshold costs; from the
// baseline's own windows alone when the tail could not be fitted.
func perDay(sm *engine.SizeModel, th float64) string {
	x := sm.FalseAlarmsPerDay(th)
	switch {
	case math.IsNaN(x):
		return "—"
	case sm.BenignTail.Peaks == 0 && x == 0:
		return fmt.Sprintf("< %.0f (none of %d baseline windows above)", 86400/sm.SizeSeconds/float64(sm.BenignTail.N), sm.BenignTail.N)
	}
	return strconv.FormatFloat(x, 'g', 3, 64)
}
