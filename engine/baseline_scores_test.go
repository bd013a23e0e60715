package engine

import (
	"context"
	"testing"
)

// TestBaselineScoredAsTrained: in baseline mode the scorer scores each
// baseline window out of fold exactly as training scored it (the scores
// the benign tail and the false-alarm threshold are fitted to), so a
// threshold set on the training scores means the same on the run's.
func TestBaselineScoredAsTrained(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: training takes seconds")
	}
	opts := DefaultOptions()
	opts.Baseline = BaselineAll()
	opts.Sensitive = []string{"shop-db"}
	res, a, err := run(context.Background(), scenarioInputs("benign"), opts, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	for si, s := range res.Series {
		var scored []float64
		for _, w := range s.Windows {
			if w.Baseline {
				scored = append(scored, w.Score)
			}
		}
		trained := a.trained.baseScores[si]
		if len(scored) != len(trained) || len(scored) == 0 {
			t.Fatalf("%v: %d baseline windows scored, %d trained", s.Size, len(scored), len(trained))
		}
		for i := range scored {
			if scored[i] != trained[i] {
				t.Errorf("%v baseline window %d: scored %v, trained %v", s.Size, i, scored[i], trained[i])
			}
		}
	}
}
