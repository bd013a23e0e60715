package engine

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/testdata"
)

// shopDemo runs the engine on the embedded shop-demo capture (a real
// capture with one direct exfiltration, testdata/shop-demo/README.md).
func shopDemo(t testing.TB, opts Options) *Result {
	t.Helper()
	in := Inputs{
		Capture:  BytesSource(testdata.ShopCaptureName, testdata.ShopCapture),
		Entities: BytesSource(testdata.ShopEntitiesName, testdata.ShopEntities),
	}
	res, err := Run(context.Background(), in, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func shopTruth(t testing.TB) []Attack {
	t.Helper()
	truth, err := ReadGroundTruth(bytes.NewReader(testdata.ShopGroundTruth), "ground_truth.json")
	if err != nil {
		t.Fatal(err)
	}
	return truth
}

// TestShopDemoDetection is the acceptance check: with the first
// 120 s as baseline and shop-db sensitive, the windows of the real
// exfiltration (140–201 s after capture start, ground_truth.json) alert
// and at most one benign window after the baseline does.
func TestShopDemoDetection(t *testing.T) {
	opts := DefaultOptions()
	opts.Baseline = BaselineSpan(120 * time.Second)
	opts.Sensitive = []string{"shop-db"}
	res := shopDemo(t, opts)
	truth := shopTruth(t)
	for _, s := range res.Series {
		var missed, falseAlarms []int
		for i := range s.Windows {
			w := &s.Windows[i]
			attacked := false
			for _, at := range truth {
				attacked = attacked || (at.Start.Before(w.End) && !at.End.Before(w.Start))
			}
			alert := w.Alert(s.Threshold)
			if testing.Verbose() {
				top := ""
				if len(w.Contributions) > 0 {
					top = w.Contributions[0].Name
				}
				t.Logf("%v #%2d base=%-5v attacked=%-5v score=%7.3f th=%.3f alert=%-5v ide=%.3f allow=%v top=%s flagged=%d",
					s.Size, w.Index, w.Baseline, attacked, w.Score, s.Threshold, alert, w.IdeScore, w.AllowlistAlert, top, len(w.Flagged))
			}
			switch {
			case attacked && !alert && !w.Baseline:
				missed = append(missed, w.Index)
			case !attacked && alert && !w.Baseline:
				falseAlarms = append(falseAlarms, w.Index)
			}
		}
		if len(missed) > 0 {
			t.Errorf("%v: attack windows %v do not alert", s.Size, missed)
		}
		if len(falseAlarms) > 1 {
			t.Errorf("%v: %d benign windows after the baseline alert (%v), want at most 1", s.Size, len(falseAlarms), falseAlarms)
		}
	}
	if os.Getenv("MIMIR_DUMP") != "" {
		t.Logf("model: %+v", res.Model.Sizes[0].Training)
	}
}
