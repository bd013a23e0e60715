package traffic_test

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/traffic"
)

const sec = int64(time.Second)

// t0 is an arbitrary first-packet time: 2026-11-24 12:00:00.25 UTC.
const t0 = 1795521600*sec + 250_000_000

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

// pkt is an IP packet of wire length n at t0+at.
func pkt(at time.Duration, src, dst string, n uint32) *capture.Packet {
	p := &capture.Packet{Timestamp: t0 + int64(at), WireLen: n, CaptureLen: n, LinkType: capture.LinkEthernet}
	p.Src, p.Dst = ip(src), ip(dst)
	p.IPVersion = 4
	if p.Src.Is6() {
		p.IPVersion = 6
	}
	return p
}

func tcp(p *capture.Packet, sport, dport uint16, flags uint8) *capture.Packet {
	p.Protocol, p.HasTransport, p.SrcPort, p.DstPort, p.TCPFlags = capture.ProtoTCP, true, sport, dport, flags
	return p
}

// collect runs packets through an Aggregator, draining after each, and
// returns the windows per size in emission order.
func collect(cfg traffic.Config, pkts ...*capture.Packet) ([][]*traffic.Window, *traffic.Aggregator) {
	a := traffic.New(cfg)
	out := make([][]*traffic.Window, max(len(cfg.Sizes), 1))
	emit := func(i int, w *traffic.Window) { out[i] = append(out[i], w) }
	for _, p := range pkts {
		a.Add(p)
		a.Drain(emit)
	}
	a.Finish(emit)
	return out, a
}

type pairCount struct {
	src, dst      string
	frames, bytes uint64
}

func pairsOf(w *traffic.Window) []pairCount {
	var out []pairCount
	for _, p := range w.Pairs {
		out = append(out, pairCount{p.Src.String(), p.Dst.String(), p.Frames, p.Bytes})
	}
	return out
}

func equalPairs(a, b []pairCount) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestWindows follows packets through 10 s windows anchored at t0, with
// a reorder slack of 10 s:
//
//	t0+0    window 0
//	t0+3s   window 0
//	t0-1s   window -1 (before t0, nothing emitted yet)
//	t0+25s  window 2: windows -1 (end t0, sealed at t0+10s) and 0 (end
//	        t0+10s, sealed at t0+20s) are emitted
//	t0+5s   window 0 again: Late
//	t0+19s  window 1 (sealed at t0+30s, not yet emitted)
//
// Finish emits window 1 and window 2, which is Partial.
func TestWindows(t *testing.T) {
	var late, emitted []int
	a := traffic.New(traffic.Config{Sizes: []time.Duration{10 * time.Second}, ReorderSlack: 10 * time.Second})
	var ws []*traffic.Window
	emit := func(_ int, w *traffic.Window) { ws = append(ws, w); emitted = append(emitted, w.Index) }
	for i, p := range []*capture.Packet{
		pkt(0, "10.0.0.1", "10.0.0.2", 100),
		pkt(3*time.Second, "10.0.0.2", "10.0.0.1", 60),
		pkt(-time.Second, "10.0.0.1", "10.0.0.2", 70),
		pkt(25*time.Second, "10.0.0.1", "10.0.0.3", 80),
		pkt(5*time.Second, "10.0.0.1", "10.0.0.2", 90),
		pkt(19*time.Second, "10.0.0.1", "10.0.0.2", 110),
	} {
		before := a.Stats().Late[0]
		a.Add(p)
		if a.Stats().Late[0] > before {
			late = append(late, i)
		}
		a.Drain(emit)
	}
	if len(emitted) != 2 || emitted[0] != -1 || emitted[1] != 0 {
		t.Fatalf("drained windows %v, want [-1 0]", emitted)
	}
	a.Finish(emit)
	if len(late) != 1 || late[0] != 4 {
		t.Errorf("late packets %v, want [4]", late)
	}
	want := []struct {
		index      int
		start      int64
		partial    bool
		pkts, byts uint64
		pairs      []pairCount
	}{
		{-1, t0 - 10*sec, false, 1, 70, []pairCount{{"10.0.0.1", "10.0.0.2", 1, 70}}},
		{0, t0, false, 2, 160, []pairCount{{"10.0.0.1", "10.0.0.2", 1, 100}, {"10.0.0.2", "10.0.0.1", 1, 60}}},
		{1, t0 + 10*sec, false, 1, 110, []pairCount{{"10.0.0.1", "10.0.0.2", 1, 110}}},
		{2, t0 + 20*sec, true, 1, 80, []pairCount{{"10.0.0.1", "10.0.0.3", 1, 80}}},
	}
	if len(ws) != len(want) {
		t.Fatalf("%d windows, want %d", len(ws), len(want))
	}
	for i, w := range ws {
		tw := want[i]
		if w.Index != tw.index || w.Start != tw.start || w.End != tw.start+10*sec || w.Partial != tw.partial || w.Packets != tw.pkts || w.Bytes != tw.byts || !equalPairs(pairsOf(w), tw.pairs) {
			t.Errorf("window %d: index %d start %d end %d partial %v packets %d bytes %d pairs %v; want %+v",
				i, w.Index, w.Start, w.End, w.Partial, w.Packets, w.Bytes, pairsOf(w), tw)
		}
	}
	if s := a.Stats(); s.Windows[0] != 4 || s.Packets != 6 {
		t.Errorf("stats %+v: want 4 windows, 6 packets", s)
	}
	if got := ws[1].StartTime(); !got.Equal(time.Unix(0, t0).UTC()) || got.Location() != time.UTC {
		t.Errorf("StartTime %v", got)
	}
}

// TestEmptyWindows: windows between two packets 35 s apart are emitted,
// empty; with two sizes, each in index order.
func TestEmptyWindows(t *testing.T) {
	out, _ := collect(traffic.Config{Sizes: []time.Duration{10 * time.Second, 7 * time.Second}},
		pkt(0, "10.0.0.1", "10.0.0.2", 100),
		pkt(35*time.Second, "10.0.0.1", "10.0.0.2", 100))
	// 10 s: windows 0..3 (35/10 = 3.5); 7 s: windows 0..5 (35/7 = 5).
	for i, n := range []int{4, 6} {
		if len(out[i]) != n {
			t.Fatalf("size %d: %d windows, want %d", i, len(out[i]), n)
		}
		for k, w := range out[i] {
			empty := k != 0 && k != n-1
			if w.Index != k || (len(w.Pairs) == 0) != empty || (w.Packets == 0) != empty || w.Partial != (k == n-1) {
				t.Errorf("size %d window %d: index %d, %d pairs, %d packets, partial %v", i, k, w.Index, len(w.Pairs), w.Packets, w.Partial)
			}
		}
	}
}

// TestReorderSlack: a negative slack emits a window as soon as a later
// packet is seen, so one packet out of order is late; a slack of 1 min
// keeps it.
func TestReorderSlack(t *testing.T) {
	pk := []*capture.Packet{
		pkt(0, "10.0.0.1", "10.0.0.2", 100),
		pkt(11*time.Second, "10.0.0.1", "10.0.0.2", 100),
		pkt(9*time.Second, "10.0.0.1", "10.0.0.2", 100),
	}
	for _, tt := range []struct {
		slack time.Duration
		late  uint64
	}{{-1, 1}, {time.Minute, 0}, {0, 0}} {
		_, a := collect(traffic.Config{Sizes: []time.Duration{10 * time.Second}, ReorderSlack: tt.slack}, pk...)
		if got := a.Stats().Late[0]; got != tt.late {
			t.Errorf("slack %v: %d late, want %d", tt.slack, got, tt.late)
		}
	}
}

// TestSealByClock: with no packet after them, windows are sealed once
// a clock passes their end plus the reorder slack (a followed capture
// that has gone quiet), not before; a packet that arrives later for a
// sealed window is late; a clock beyond MaxSpan makes no window past it.
func TestSealByClock(t *testing.T) {
	cfg := traffic.Config{Sizes: []time.Duration{10 * time.Second, time.Minute}, ReorderSlack: 5 * time.Second}
	a := traffic.New(cfg)
	var got []string
	emit := func(i int, w *traffic.Window) {
		got = append(got, fmt.Sprintf("%v#%d:%d", cfg.Sizes[i], w.Index, w.Packets))
	}
	a.Add(pkt(0, "10.0.0.1", "10.0.0.2", 100))
	a.Add(pkt(2*time.Second, "10.0.0.1", "10.0.0.2", 100))
	for _, step := range []struct {
		clock time.Duration
		want  []string
	}{
		{14999 * time.Millisecond, nil},         // window 0 ends at 10 s, + 5 s slack
		{15 * time.Second, []string{"10s#0:2"}}, // sealed at its end plus the slack
		{34 * time.Second, []string{"10s#1:0"}}, // empty windows too, in order
		{65 * time.Second, []string{"10s#2:0", "10s#3:0", "10s#4:0", "10s#5:0", "1m0s#0:2"}},
		{65 * time.Second, nil}, // sealed once
	} {
		got = nil
		a.Seal(t0+int64(step.clock), emit)
		if !slices.Equal(got, step.want) {
			t.Errorf("clock +%v: sealed %v, want %v", step.clock, got, step.want)
		}
	}
	a.Add(pkt(59*time.Second, "10.0.0.1", "10.0.0.2", 100))
	if late := a.Stats().Late; late[0] != 1 || late[1] != 1 {
		t.Errorf("late %v, want the packet late for both sealed windows", late)
	}
	got = nil
	a.Seal(t0+int64(400*24*time.Hour), func(i int, _ *traffic.Window) {
		if i == 0 {
			got = append(got, "")
		}
	})
	if n := len(got); n < 267_000 || n > 268_000 {
		t.Errorf("a clock a year ahead sealed %d windows, want those of the 31-day span only", n)
	}
}

// TestOutOfSpan: a packet a year after the first is dropped, not turned
// into 3 million empty windows.
func TestOutOfSpan(t *testing.T) {
	out, a := collect(traffic.Config{Sizes: []time.Duration{10 * time.Second}},
		pkt(0, "10.0.0.1", "10.0.0.2", 100),
		pkt(365*24*time.Hour, "10.0.0.1", "10.0.0.2", 100),
		pkt(-365*24*time.Hour, "10.0.0.1", "10.0.0.2", 100),
		pkt(time.Second, "10.0.0.1", "10.0.0.2", 100))
	if len(out[0]) != 1 || a.Stats().OutOfSpan != 2 || out[0][0].Pairs[0].Frames != 2 {
		t.Errorf("%d windows, %d out of span; want 1 window of 2 frames, 2 out of span", len(out[0]), a.Stats().OutOfSpan)
	}
}

// TestPairOrder: pairs sorted by source then destination in address
// order (IPv4 before IPv6, numeric not textual), then by tags.
func TestPairOrder(t *testing.T) {
	out, _ := collect(traffic.Config{Sizes: []time.Duration{time.Minute}},
		pkt(0, "fd00::1", "10.0.0.1", 1),
		pkt(0, "10.0.0.10", "10.0.0.1", 1),
		pkt(0, "10.0.0.9", "10.0.0.10", 1),
		pkt(0, "10.0.0.9", "10.0.0.2", 1),
		pkt(0, "::ffff:10.0.0.9", "10.0.0.2", 1))
	var got []string
	for _, p := range out[0][0].Pairs {
		got = append(got, p.Src.String()+">"+p.Dst.String())
	}
	want := []string{"10.0.0.9>10.0.0.2", "10.0.0.9>10.0.0.10", "10.0.0.10>10.0.0.1", "::ffff:10.0.0.9>10.0.0.2", "fd00::1>10.0.0.1"}
	if len(got) != len(want) {
		t.Fatalf("pairs %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("pairs %v, want %v", got, want)
		}
	}
}

// tagger tags 10.0.0.1 as 1 before t0+5s and 2 from then on (a pod
// replaced by another with the same IP), other addresses not at all.
type tagger struct{}

func (tagger) Tag(a netip.Addr, ts int64) int32 {
	if a != ip("10.0.0.1") {
		return traffic.NoTag
	}
	if ts < t0+5*sec {
		return 1
	}
	return 2
}

func TestTagger(t *testing.T) {
	out, _ := collect(traffic.Config{Sizes: []time.Duration{time.Minute}, Tagger: tagger{}},
		pkt(0, "10.0.0.1", "10.0.0.2", 20),
		pkt(6*time.Second, "10.0.0.1", "10.0.0.2", 10),
		pkt(time.Second, "10.0.0.1", "10.0.0.2", 30),
		pkt(7*time.Second, "10.0.0.2", "10.0.0.1", 40))
	type row struct {
		src, dst   string
		stag, dtag int32
		frames     uint64
		bytes      uint64
		first      int64
		last       int64
	}
	want := []row{
		{"10.0.0.1", "10.0.0.2", 1, traffic.NoTag, 2, 50, t0, t0 + sec},
		{"10.0.0.1", "10.0.0.2", 2, traffic.NoTag, 1, 10, t0 + 6*sec, t0 + 6*sec},
		{"10.0.0.2", "10.0.0.1", traffic.NoTag, 2, 1, 40, t0 + 7*sec, t0 + 7*sec},
	}
	ps := out[0][0].Pairs
	if len(ps) != len(want) {
		t.Fatalf("%d pairs, want %d", len(ps), len(want))
	}
	for i, p := range ps {
		got := row{p.Src.String(), p.Dst.String(), p.SrcTag, p.DstTag, p.Frames, p.Bytes, p.First, p.Last}
		if got != want[i] {
			t.Errorf("pair %d: %+v, want %+v", i, got, want[i])
		}
	}
}

// TestConns: connection initiations are SYNs without ACK, not from a
// later fragment.
func TestConns(t *testing.T) {
	later := tcp(pkt(0, "10.0.0.1", "10.0.0.2", 60), 1000, 80, capture.TCPSyn)
	later.Fragment = capture.LaterFragment
	out, _ := collect(traffic.Config{Sizes: []time.Duration{time.Minute}},
		tcp(pkt(0, "10.0.0.1", "10.0.0.2", 60), 1000, 80, capture.TCPSyn),
		tcp(pkt(0, "10.0.0.2", "10.0.0.1", 60), 80, 1000, capture.TCPSyn|capture.TCPAck),
		tcp(pkt(0, "10.0.0.1", "10.0.0.2", 60), 1001, 80, capture.TCPSyn|capture.TCPEce),
		tcp(pkt(0, "10.0.0.1", "10.0.0.2", 60), 1000, 80, capture.TCPAck),
		later)
	ps := out[0][0].Pairs
	if len(ps) != 2 || ps[0].Conns != 2 || ps[1].Conns != 0 || ps[0].Frames != 4 {
		t.Errorf("pairs %+v: want 10.0.0.1>10.0.0.2 with 4 frames and 2 connections, the reverse with none", ps)
	}
}

// TestNonIP: frames without IP count in the window totals only.
func TestNonIP(t *testing.T) {
	arp := &capture.Packet{Timestamp: t0, WireLen: 42, CaptureLen: 42, LinkType: capture.LinkEthernet}
	out, _ := collect(traffic.Config{}, arp, pkt(time.Second, "10.0.0.1", "10.0.0.2", 100))
	w := out[0][0]
	if w.End-w.Start != int64(traffic.DefaultSize) || w.Packets != 2 || w.Bytes != 142 || len(w.Pairs) != 1 {
		t.Errorf("window %+v: want 10 s, 2 packets, 142 bytes, 1 pair", w)
	}
}

// TestConversationTotals checks one window spanning the whole fixture
// against tshark's conversation statistics:
// `tshark -r testdata/captures/eth-micro.pcap -q -z conv,ip` prints
// 10.99.0.1 <-> 10.99.0.2 with "->" 31 frames, 8421 bytes (IPv4
// fragments included, one frame each), and `-z conv,ipv6` prints
// fe80::ff:fe00:a <-> ff02::16 "->" 2 frames 220 bytes and
// fd99::1 <-> ff02::1:ff00:2 "->" 1 frame 86 bytes.
//
// For fd99::1 <-> fd99::2, conv,ipv6 says 10 and 11 frames: its IPv6 tap
// leaves out the 8 non-final fragments of the four 3000-byte pings (frames
// 33, 34, 36, 37, ... in tshark's numbering), where the IPv4 tap counts
// every fragment. Per frame, as frame.len counts them,
// `tshark -r eth-micro.pcap -Y "ipv6.src==fd99::1 && ipv6.dst==fd99::2"
// -T fields -e frame.len` gives 14 frames, 7236 bytes, and the reverse 15
// frames, 7424 bytes.
func TestConversationTotals(t *testing.T) {
	out, _, _ := aggregate(t, "../../testdata/captures/eth-micro.pcap", traffic.Config{Sizes: []time.Duration{time.Minute}}, capture.Options{})
	if len(out[0]) != 1 {
		t.Fatalf("%d windows, want 1", len(out[0]))
	}
	got := map[pairID]counts{}
	for _, p := range out[0][0].Pairs {
		got[pairID{p.Src, p.Dst}] = counts{p.Frames, p.Bytes}
	}
	for _, tt := range []struct {
		src, dst string
		c        counts
	}{
		{"10.99.0.1", "10.99.0.2", counts{31, 8421}},
		{"fd99::1", "fd99::2", counts{14, 7236}},
		{"fd99::2", "fd99::1", counts{15, 7424}},
		{"fe80::ff:fe00:a", "ff02::16", counts{2, 220}},
		{"fd99::1", "ff02::1:ff00:2", counts{1, 86}},
	} {
		if c := got[pairID{ip(tt.src), ip(tt.dst)}]; c != tt.c {
			t.Errorf("%s -> %s: %+v, tshark %+v", tt.src, tt.dst, c, tt.c)
		}
	}
}

// TestAddAllocs: once its windows and pairs exist, adding packets and
// draining allocates nothing.
func TestAddAllocs(t *testing.T) {
	a := traffic.New(traffic.Config{Sizes: []time.Duration{10 * time.Second}})
	pk := []*capture.Packet{
		tcp(pkt(0, "10.0.0.1", "10.0.0.2", 100), 1, 2, capture.TCPAck),
		tcp(pkt(0, "10.0.0.2", "10.0.0.1", 100), 2, 1, capture.TCPAck),
		pkt(0, "fd00::1", "fd00::2", 100),
	}
	emit := func(int, *traffic.Window) {}
	for _, p := range pk {
		a.Add(p)
	}
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		p := pk[i%len(pk)]
		p.Timestamp = t0 + int64(i)*1000 // stays in window 0
		a.Add(p)
		a.Drain(emit)
		i++
	})
	if allocs != 0 {
		t.Errorf("%v allocations per packet, want 0", allocs)
	}
}

// TestRegisteredDomain: registered domains, with why.
func TestRegisteredDomain(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"www.example.co.uk", "example.co.uk"},                // co.uk is a public suffix
		{"catalogue.shop.svc.cluster.local", "cluster.local"}, // "local" is not listed: the default rule "*" makes it the suffix
		{"a.b.example.com", "example.com"},
		{"com", "com"},                    // itself a suffix: EffectiveTLDPlusOne fails, the last two labels are one
		{"x..example.com", "example.com"}, // an empty label: publicsuffix fails, last two labels
		{"", ""},
	} {
		if got := traffic.RegisteredDomain(tt.name); got != tt.want {
			t.Errorf("RegisteredDomain(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// approx compares floats computed two ways.
func approx(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
