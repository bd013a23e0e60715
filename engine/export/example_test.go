package export_test

import (
	"fmt"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/export"
)

func ExampleIntervals() {
	t0 := time.Date(2026, 11, 24, 12, 25, 58, 0, time.UTC)
	s := &engine.Series{Size: time.Minute}
	for i, score := range []float64{0.2, 1.7, 2.4, 0.3} {
		w := engine.WindowResult{Index: i, Score: score,
			Start: t0.Add(time.Duration(i) * time.Minute), End: t0.Add(time.Duration(i+1) * time.Minute)}
		if score > 1 {
			w.Flagged = []engine.FlaggedEdge{{Src: "shop-db", Dst: "outside"}}
		}
		s.Windows = append(s.Windows, w)
	}
	for _, iv := range export.Intervals(s, 1.0) {
		fmt.Printf("windows %d-%d, %s to %s, peak %.1f at %d, %v\n",
			iv.FirstWindow, iv.LastWindow, iv.Start.Format("15:04:05"), iv.End.Format("15:04:05"),
			iv.PeakScore, iv.PeakWindow, iv.Edges)
	}
	// Output:
	// windows 1-2, 12:26:58 to 12:28:58, peak 2.4 at 2, [shop-db -> outside]
}
