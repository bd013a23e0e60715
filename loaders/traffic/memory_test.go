package traffic

import (
	"net/netip"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
)

// TestMemoryFlat feeds 500 000 packets over 50 000 one-second windows (a
// 14-hour capture, slightly out of order) and checks that the aggregator
// holds only the windows within the reorder slack, however many packets
// and windows went through: memory follows windows × pairs in flight,
// not the capture's length.
func TestMemoryFlat(t *testing.T) {
	a := New(Config{Sizes: []time.Duration{time.Second, 10 * time.Second}})
	var p capture.Packet
	p.IPVersion = 4
	p.WireLen = 100
	const t0 = int64(1_700_000_000) * 1e9
	maxOpen, maxPool := 0, 0
	windows := 0
	for i := range 500_000 {
		ts := t0 + int64(i)*int64(100*time.Millisecond)
		if i%7 == 3 {
			ts -= int64(time.Second) // out of order, within the 5 s slack
		}
		p.Timestamp = ts
		p.Src = netip.AddrFrom4([4]byte{10, 0, byte(i % 5), 1})
		p.Dst = netip.AddrFrom4([4]byte{10, 0, 0, byte(i % 3)})
		a.Add(&p)
		a.Drain(func(int, *Window) { windows++ })
		for j := range a.series {
			maxOpen = max(maxOpen, len(a.series[j].open))
		}
		maxPool = max(maxPool, len(a.pool))
	}
	a.Finish(func(int, *Window) { windows++ })
	// With the default 5 s slack, 1 s windows: at most the current window
	// and the five before it are open; 10 s windows: two. The pool holds
	// the accumulators freed since, at most as many.
	if maxOpen > 6 || maxPool > 12 {
		t.Errorf("up to %d open windows and %d pooled accumulators per size; want at most 6 and 12", maxOpen, maxPool)
	}
	// The last packet is at t0 + 49 999.9 s: windows 0..49 999 of 1 s and
	// 0..4 999 of 10 s; packet 3, at t0 - 0.7 s, opens window -1 of each.
	// 50 001 + 5 001 = 55 002.
	if windows != 55_002 {
		t.Errorf("%d windows emitted, want 55002", windows)
	}
	if s := a.Stats(); s.Late[0] != 0 || s.Late[1] != 0 {
		t.Errorf("late packets %v, want none", s.Late)
	}
}
