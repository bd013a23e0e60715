package engine

import (
	"context"
	"slices"
	"testing"
)

// A false-positive verdict folds what drove the interval into the
// baseline: the new service's release, alerting in every window with
// learning off, is judged benign once, and the same release no longer
// alerts afterwards; the revised model knows its pairs and, used alone,
// scores the capture without those alerts.
func TestFoldFalsePositive(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: trains a model and scores a capture three times")
	}
	trained := benignModel(t)
	mopts := DefaultOptions()
	mopts.Baseline = BaselineModel(trained)
	mopts.Learning = -1
	before, err := Run(context.Background(), scenarioInputs("new-service"), mopts, nil)
	if err != nil {
		t.Fatal(err)
	}
	fine := &before.Series[0]
	first := slices.IndexFunc(fine.Windows, func(w WindowResult) bool { return w.Alert(fine.Threshold) })
	if first < 0 || len(alerting(fine)) < 5 {
		t.Fatalf("with learning off the release should alert in many windows; it alerts in %v", alerting(fine))
	}
	w := fine.Windows[first]
	mopts.Suppress = []Suppression{{Start: w.Start, End: w.End, Note: "the recommender release"}}
	after, err := Run(context.Background(), scenarioInputs("new-service"), mopts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := alerting(&after.Series[0]); len(got) > 0 {
		t.Errorf("after the verdict on window %d, windows %v still alert", first, got)
	}
	if !after.Series[0].Windows[first].Suppressed {
		t.Errorf("window %d is not marked suppressed", first)
	}
	r := after.Revised
	if r == nil || r.Revision != trained.Revision+1 || len(r.Suppressions) != 1 {
		t.Fatalf("revised model: %+v", r)
	}
	if !slices.Contains(r.Allowlist, "front-end -> recommender") || slices.Contains(trained.Allowlist, "front-end -> recommender") {
		t.Errorf("the revised allow-list lacks the release's pair, or the trained one was changed")
	}
	mopts.Suppress, mopts.Baseline = nil, BaselineModel(r)
	again, err := Run(context.Background(), scenarioInputs("new-service"), mopts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := alerting(&again.Series[0]); len(got) > 0 {
		t.Errorf("scored with the revised model, windows %v alert", got)
	}
}

func alerting(s *Series) []int {
	var out []int
	for i := range s.Windows {
		if s.Windows[i].Alert(s.Threshold) {
			out = append(out, s.Windows[i].Index)
		}
	}
	return out
}
