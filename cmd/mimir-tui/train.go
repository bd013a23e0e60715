package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/mimir-tui/mimir-tui/engine"
)

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train", "usage: mimir-tui train [flags] -o model.json CAPTURE ENTITIES\n\nLearns scaling, the allow-list, the Ide node list, the LASSO weights and the\nthreshold from a benign capture (all of it is the baseline).", stderr)
	var ef engineFlags
	ef.register(fs, false)
	out := fs.String("o", "", "write the model to this file (required)")
	force := fs.Bool("force", false, "replace an existing model file")
	pos, err := parsePositionals(fs, args, "CAPTURE ENTITIES")
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
	m.Trained.Capture, m.Trained.Entities = pos[0], pos[1]
	if err := engine.WriteModel(*out, m, *force); err != nil {
		if errors.Is(err, os.ErrExist) {
			return checkOutput(*out, *force)
		}
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "model written to %s (%s; sensitive: %v)\n", *out, res.Source, m.Sensitive)
	fmt.Fprintln(tw, "size\tbaseline windows\ttraining rows\tattacked\tnon-zero weights\talpha\ttraining AUC\tF1\tthreshold\tIde AUC\tIde threshold")
	for _, sm := range m.Sizes {
		t := sm.Training
		fmt.Fprintf(tw, "%gs\t%d\t%d\t%d\t%d\t%.3g\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\n", sm.SizeSeconds, sm.BaselineWindows,
			t.Rows, t.Attacked, t.NonZero, t.Alpha, t.AUC, t.F1, sm.Threshold, t.IdeAUC, sm.IdeThreshold)
	}
	return tw.Flush()
}
