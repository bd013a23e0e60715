package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// scenarioDir holds real captures of a shop application made for these
// tests (testdata/scenarios/README.md): a benign one and one per attack
// the tool must catch, each at a few KB/s.
const scenarioDir = "../testdata/scenarios"

func scenarioInputs(name string) Inputs {
	dir := filepath.Join(scenarioDir, name)
	return Inputs{
		Capture:  FileSource(filepath.Join(dir, "capture.pcapng.gz")),
		Entities: FileSource(filepath.Join(dir, "entities.jsonl")),
	}
}

// TestScenarios trains a model on the benign capture only, as an analyst
// would, and scores four other captures of the same application: direct
// exfiltration from the database, exfiltration staged through another
// service, DNS tunnelling through the cluster DNS, and a port scan from a
// compromised pod. Every window that overlaps an attack for at least half
// its length must alert, and at most one window per capture that does not
// overlap an attack may.
func TestScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: scoring five captures takes a few seconds")
	}
	opts := DefaultOptions()
	opts.Baseline = BaselineAll()
	opts.Sensitive = []string{"shop-db"}
	trained, err := Run(context.Background(), scenarioInputs("benign"), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"benign", "direct-exfil", "multi-hop", "dns-tunnel", "port-scan"} {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(filepath.Join(scenarioDir, name, "ground_truth.json"))
			if err != nil {
				t.Fatal(err)
			}
			truth, err := ReadGroundTruth(f, name)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			mopts := DefaultOptions()
			mopts.Baseline = BaselineModel(trained.Model)
			res, err := Run(context.Background(), scenarioInputs(name), mopts, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range res.Series {
				var missed, false_ []int
				for i := range s.Windows {
					w := &s.Windows[i]
					var overlap int64
					for _, at := range truth {
						overlap += max(0, min(at.End.UnixNano(), w.End.UnixNano())-max(at.Start.UnixNano(), w.Start.UnixNano()))
					}
					alert := w.Alert(s.Threshold)
					switch {
					case overlap*2 >= int64(s.Size) && !alert:
						missed = append(missed, w.Index)
					case overlap == 0 && alert:
						false_ = append(false_, w.Index)
					}
				}
				if len(missed) > 0 {
					t.Errorf("%v: attacked windows %v do not alert", s.Size, missed)
				}
				if len(false_) > 1 {
					t.Errorf("%v: %d windows without attack alert: %v", s.Size, len(false_), false_)
				}
			}
		})
	}
}
