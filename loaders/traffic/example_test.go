package traffic_test

import (
	"fmt"
	"io"
	"log"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/traffic"
)

// Cut a capture into 2-second windows and print each window's busiest
// directed pair. Windows come out in time order as soon as they are
// sealed (Drain), the rest at the end (Finish).
func ExampleAggregator() {
	r, err := capture.Open("../../testdata/captures/eth-micro.pcap")
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	a := traffic.New(traffic.Config{Sizes: []time.Duration{2 * time.Second}})
	show := func(_ int, w *traffic.Window) {
		var top traffic.Pair
		for _, p := range w.Pairs {
			if p.Bytes > top.Bytes {
				top = p
			}
		}
		fmt.Printf("window %d (partial %v): %d frames; top %v -> %v, %d bytes\n", w.Index, w.Partial, w.Packets, top.Src, top.Dst, top.Bytes)
	}
	var p capture.Packet
	for {
		if err := r.Next(&p); err == io.EOF {
			break
		} else if err != nil {
			log.Fatal(err)
		}
		a.Add(&p)
		a.Drain(show)
	}
	a.Finish(show)
	// Output:
	// window 0 (partial false): 12 frames; top fe80::ff:fe00:a -> ff02::16, 220 bytes
	// window 1 (partial false): 32 frames; top fd99::2 -> fd99::1, 6710 bytes
	// window 2 (partial false): 56 frames; top 10.99.0.2 -> 10.99.0.1, 6050 bytes
	// window 3 (partial true): 2 frames; top 10.99.0.1 -> 10.99.0.2, 74 bytes
}
