package synth_test

import (
	"fmt"

	"github.com/mimir-tui/mimir-tui/tui/synth"
)

func ExampleShop() {
	res := synth.Shop().Result()
	s := res.Series[0]
	for _, w := range s.Windows {
		if w.Alert(s.Threshold) {
			e := w.Flagged[0]
			fmt.Printf("window %d %s: %s -> %s\n", w.Index, w.Start.Format("15:04:05"), e.Src, e.Dst)
		}
	}
	// Output:
	// window 14 12:28:18: shop-db -> outside
	// window 15 12:28:28: shop-db -> outside
	// window 16 12:28:38: shop-db -> outside
	// window 17 12:28:48: shop-db -> outside
	// window 18 12:28:58: shop-db -> outside
	// window 19 12:29:08: shop-db -> outside
	// window 20 12:29:18: shop-db -> outside
}
