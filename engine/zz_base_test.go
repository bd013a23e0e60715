package engine

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

func TestZZBaseScores(t *testing.T) {
	opts := DefaultOptions()
	opts.Baseline = BaselineAll()
	opts.Sensitive = []string{"shop-db"}
	_, p, err := run(context.Background(), scenarioInputs("benign"), opts, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	for si, sc := range p.trained.baseScores {
		s := slices.Clone(sc)
		slices.Sort(s)
		fmt.Printf("size %d n=%d: %.3f\n", si, len(s), s)
	}
}
