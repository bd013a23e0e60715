package traffic_test

import (
	"io"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/traffic"
)

// TestFlows: on the shop demo, every frame with a transport header is in
// exactly one flow of its 10 s window: per window, the flows' frames and
// bytes add up to those frames, counted independently here; a flow's
// ends are its pair's; only the first size has flows.
func TestFlows(t *testing.T) {
	const path = "../../testdata/shop-demo/capture.pcapng.gz"
	out, _, _ := aggregate(t, path, traffic.Config{Sizes: []time.Duration{10 * time.Second, time.Minute}, Details: true}, capture.Options{})
	rd, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	type tally struct{ frames, bytes uint64 }
	want := map[int]tally{}
	var p capture.Packet
	var t0 int64
	for n := 0; ; n++ {
		if err := rd.Next(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t0 = p.Timestamp
		}
		if p.IPVersion != 0 && p.HasTransport && p.Fragment != capture.LaterFragment {
			w := want[int((p.Timestamp-t0)/int64(10*time.Second))]
			w.frames++
			w.bytes += uint64(p.WireLen)
			want[int((p.Timestamp-t0)/int64(10*time.Second))] = w
		}
	}
	for _, w := range out[0] {
		var got tally
		for _, f := range w.Flows {
			got.frames += uint64(f.Frames)
			got.bytes += f.Bytes
			if f.First < w.Start || f.Last >= w.End || f.First > f.Last {
				t.Fatalf("window %d: flow %v:%d -> %v:%d spans %d–%d, outside the window", w.Index, f.Src, f.SrcPort, f.Dst, f.DstPort, f.First, f.Last)
			}
		}
		if got != want[w.Index] || w.FlowsDropped != 0 {
			t.Errorf("window %d: flows hold %+v (dropped %d), the frames with a transport header %+v", w.Index, got, w.FlowsDropped, want[w.Index])
		}
	}
	for _, w := range out[1] {
		if len(w.Flows) != 0 {
			t.Errorf("60 s window %d has flows", w.Index)
		}
	}
}
