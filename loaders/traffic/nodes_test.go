package traffic_test

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/traffic"
)

// The node fixtures (testdata/captures/src/make-nodes.sh): two pods on a
// node's bridge, captured at the same time on the bridge and with
// tcpdump -i any on the node (Linux cooked v2, and v1), which sees every
// pod-to-pod packet three times (sender's veth, bridge, receiver's veth),
// with real retransmissions (an IPv6 one identical to its original, 80 µs
// later) and identical datagrams. The two-node fixtures
// (src/gen/twonode.go) spread the bridge's packets over two nodes joined
// by VXLAN, each captured with tcpdump -i any, node b's clock 3.75 ms
// ahead.
const captures = "../../testdata/captures/"

// analysis are the options the engine reads captures with.
var analysis = capture.Options{Inner: true, Dedup: true}

// readAll reads captures merged into windows of the given sizes, and
// counts the kept packets by key.
func readAll(t *testing.T, opts capture.Options, sizes []time.Duration, files ...string) ([][]*traffic.Window, map[uint64]int, *capture.Merged) {
	t.Helper()
	var ins []capture.Input
	for _, f := range files {
		ins = append(ins, capture.Input{Path: captures + f})
	}
	m, err := capture.OpenAll(ins, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	a := traffic.New(traffic.Config{Sizes: sizes})
	out := make([][]*traffic.Window, len(sizes))
	emit := func(i int, w *traffic.Window) { out[i] = append(out[i], w) }
	keys := map[uint64]int{}
	readEach(t, m, func(p *capture.Packet) {
		keys[capture.Key(p)]++
		a.Add(p)
		a.Drain(emit)
	})
	a.Finish(emit)
	delete(keys, 0) // frames without IP
	return out, keys, m
}

// errorsAgainst counts, key by key, the copies kept beyond the truth, the
// genuine packets missing, and the packets whose key the truth does not
// hold at all (extra).
func errorsAgainst(truth, got map[uint64]int) (missed, lost, extra int) {
	for k, n := range got {
		if w, ok := truth[k]; ok {
			missed += max(0, n-w)
		} else {
			extra += n
		}
	}
	for k, n := range truth {
		lost += max(0, n-got[k])
	}
	return missed, lost, extra
}

// pairTotals sums a series of windows per directed pair.
func pairTotals(ws []*traffic.Window) map[[2]netip.Addr][2]uint64 {
	out := map[[2]netip.Addr][2]uint64{}
	for _, w := range ws {
		for _, p := range w.Pairs {
			c := out[[2]netip.Addr{p.Src, p.Dst}]
			out[[2]netip.Addr{p.Src, p.Dst}] = [2]uint64{c[0] + p.Frames, c[1] + p.Bytes}
		}
	}
	return out
}

// TestAnyEqualsBridge: tcpdump -i any on the node, deduplicated, gives
// the bridge capture's per-pair frames and bytes, exactly; it also holds
// the node's own packets sent on the pods' veths, which never cross the
// bridge (3, from link-local addresses), and nothing else. Linux cooked
// v1 does not say the interface, so there identical packets within the
// span collapse: 4 genuine packets of 87 are lost (tshark -r
// node-bridge.pcap.gz: of the three identical IPv6 datagrams to port 9999,
// frames 85, 87 and 89, two; of their three ICMPv6 errors, identical too,
// frames 86, 88 and 90, two). The IPv6 retransmission (frame 53 of frame
// 50, 80 µs later, with the same TCP timestamp value) differs from its
// original in its timestamp echo reply, and is kept either way.
func TestAnyEqualsBridge(t *testing.T) {
	sizes := []time.Duration{time.Minute}
	bridge, truth, _ := readAll(t, analysis, sizes, "node-bridge.pcap.gz")
	want := pairTotals(bridge[0])
	for _, c := range []struct {
		file string
		lost int
	}{
		{"node-any.pcap.gz", 0},
		{"node-any-sll.pcap.gz", 4},
	} {
		ws, kept, m := readAll(t, analysis, sizes, c.file)
		got := pairTotals(ws[0])
		missed, lost, extra := errorsAgainst(truth, kept)
		var lostFrames uint64
		for pair, w := range want {
			g := got[pair]
			lostFrames += w[0] - g[0]
			if c.lost == 0 && g != w {
				t.Errorf("%s: %v -> %v: %d frames %d bytes; the bridge %d frames %d bytes", c.file, pair[0], pair[1], g[0], g[1], w[0], w[1])
			}
		}
		for pair := range got {
			if _, ok := want[pair]; !ok && !pair[0].IsLinkLocalUnicast() {
				t.Errorf("%s: %v -> %v, which the bridge did not see, is not the node's own", c.file, pair[0], pair[1])
			}
		}
		st := m.Stats()
		t.Logf("%s: %d frames, %d dropped as copies; against the bridge: %d copies kept, %d genuine packets lost, %d of the node's own", c.file, st.Packets, st.Duplicates, missed, lost, extra)
		if missed != 0 || lost != c.lost || lostFrames != uint64(c.lost) || extra != 3 {
			t.Errorf("%s: %d copies kept, %d genuine packets lost (%d frames), %d packets the bridge did not see; want 0, %d, 3", c.file, missed, lost, lostFrames, extra, c.lost)
		}
	}
}

// TestTwoNodesEqualBridge: the two node captures together, with tunnels
// opened, clocks corrected and copies dropped, give the bridge capture's
// per-window, per-pair frames and bytes, exactly, for several window
// sizes; every genuine packet kept once.
func TestTwoNodesEqualBridge(t *testing.T) {
	sizes := []time.Duration{10 * time.Second, time.Second, 250 * time.Millisecond, 7 * time.Second}
	want, truth, _ := readAll(t, analysis, sizes, "node-bridge.pcap.gz")
	got, kept, m := readAll(t, analysis, sizes, "twonode-a.pcap.gz", "twonode-b.pcap.gz")
	for i, size := range sizes {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("size %v: %d windows, the bridge %d", size, len(got[i]), len(want[i]))
		}
		for j, w := range want[i] {
			g := got[i][j]
			if g.Start != w.Start || g.Packets != w.Packets || g.Bytes != w.Bytes || !slices.EqualFunc(g.Pairs, w.Pairs, samePair) {
				t.Errorf("size %v window %d: %d frames %d bytes %v; the bridge %d frames %d bytes %v", size, j, g.Packets, g.Bytes, g.Pairs, w.Packets, w.Bytes, w.Pairs)
			}
		}
	}
	missed, lost, extra := errorsAgainst(truth, kept)
	st := m.Stats()
	t.Logf("two nodes: %d frames, %d dropped as copies; %d copies kept, %d genuine packets lost; node b's clock %v", st.Packets, st.Duplicates, missed, lost, m.Inputs()[1].Clock)
	if missed != 0 || lost != 0 || extra != 0 {
		t.Errorf("%d copies kept, %d genuine packets lost, %d unknown; want none", missed, lost, extra)
	}
}

func samePair(a, b traffic.Pair) bool {
	return a.Src == b.Src && a.Dst == b.Dst && a.Frames == b.Frames && a.Bytes == b.Bytes
}

// TestOuterCountsTunnels: without Inner, the two node captures count the
// tunnel between the nodes as traffic of its own (tshark's view), and
// without Dedup every copy counts.
func TestOuterCountsTunnels(t *testing.T) {
	ws, _, _ := readAll(t, capture.Options{}, []time.Duration{time.Minute}, "twonode-a.pcap.gz", "twonode-b.pcap.gz")
	got := pairTotals(ws[0])
	nodes := [2]netip.Addr{netip.MustParseAddr("192.168.50.1"), netip.MustParseAddr("192.168.50.2")}
	var frames uint64
	for _, w := range ws[0] {
		frames += w.Packets
	}
	// Pod-to-pod IP packets in node-bridge.pcap.gz, 40 from pod A and 41
	// from pod B (tshark -Y 'eth.src==02:00:00:00:01:0a &&
	// eth.dst==02:00:00:00:01:0b && (ip or ipv6)', and the reverse), each
	// on both nodes' uplinks: counted twice, as node-to-node traffic.
	back := [2]netip.Addr{nodes[1], nodes[0]}
	if got[nodes][0] != 2*40 || got[back][0] != 2*41 || frames != 333 {
		t.Errorf("node to node %d and %d frames, %d in all; want 80, 82 and all 333", got[nodes][0], got[back][0], frames)
	}
}
