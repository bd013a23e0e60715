package traffic_test

import (
	"encoding/json"
	"io"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
)

// The two-node scenario (testdata/scenarios/two-node, made by
// testdata/scenarios/gen, checked by verify_nodes.py): a shop on two
// nodes joined by VXLAN on udp/8472, tcpdump -i any on each node (node
// b's timestamps shifted by +37.5 ms), and tcpdump -i eth0 in every pod,
// the ground truth.
const twoNode = "../../testdata/scenarios/two-node/"

// scenarioMeta is what the test needs of metadata.json.
type scenarioMeta struct {
	Start  float64 `json:"capture_start_epoch"`
	IPPlan struct {
		Pods map[string]struct {
			IP      string `json:"ip"`
			Capture string `json:"capture"`
		} `json:"pods"`
	} `json:"ip_plan"`
	Clock struct {
		NodeB float64 `json:"node-b_offset_s"`
	} `json:"clock"`
}

// cell is a directed pair in a 10 s window from capture_start_epoch.
type cell struct {
	window   int64
	src, dst netip.Addr
}

// tally counts the bytes (as capture.Options.Inner counts them) and keys
// of IP packets per cell.
type tally struct {
	t0    int64
	bytes map[cell]uint64
	keys  map[uint64]int
}

func newTally(t0 int64) *tally {
	return &tally{t0: t0, bytes: map[cell]uint64{}, keys: map[uint64]int{}}
}

func (t *tally) add(p *capture.Packet) {
	if p.IPVersion == 0 {
		return
	}
	c := cell{int64(math.Floor(float64(p.Timestamp-t.t0) / float64(10*time.Second))), p.Src, p.Dst}
	t.bytes[c] += uint64(p.WireLen)
	t.keys[capture.Key(p)]++
}

// readEach calls f with every packet of r.
func readEach(t *testing.T, r interface{ Next(*capture.Packet) error }, f func(*capture.Packet)) {
	t.Helper()
	var p capture.Packet
	for {
		err := r.Next(&p)
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		f(&p)
	}
}

// podTruth is the ground truth: from each pod's own capture, the IP
// packets it sent and those it received from outside the pods.
func podTruth(t *testing.T, meta *scenarioMeta, t0 int64) *tally {
	pods := map[netip.Addr]bool{}
	for _, p := range meta.IPPlan.Pods {
		pods[netip.MustParseAddr(p.IP)] = true
	}
	truth := newTally(t0)
	for _, pod := range meta.IPPlan.Pods {
		r, err := capture.OpenWith(filepath.Join(twoNode, pod.Capture), capture.Options{Inner: true})
		if err != nil {
			t.Fatal(err)
		}
		own := netip.MustParseAddr(pod.IP)
		readEach(t, r, func(p *capture.Packet) {
			if p.IPVersion != 0 && (p.Src == own || !pods[p.Src]) {
				truth.add(p)
			}
		})
		r.Close()
	}
	return truth
}

// TestTwoNodeScenario: the two node captures together, read as the
// analysis reads them (tunnels opened, node b's clock offset estimated
// and corrected, copies dropped), give the pods' own captures' per-window
// per-pair bytes in every cell; no copy is kept, no genuine packet lost;
// the offset is found within 50 µs.
func TestTwoNodeScenario(t *testing.T) {
	b, err := os.ReadFile(twoNode + "metadata.json")
	if err != nil {
		t.Fatal(err)
	}
	var meta scenarioMeta
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	t0 := int64(math.Round(meta.Start*1e6)) * 1e3
	truth := podTruth(t, &meta, t0)
	m, err := capture.OpenAll([]capture.Input{{Path: twoNode + "node-a.pcap.gz"}, {Path: twoNode + "node-b.pcap.gz"}}, analysis)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	got := newTally(t0)
	readEach(t, m, got.add)
	differ := 0
	for c, n := range truth.bytes {
		if got.bytes[c] != n {
			differ++
			if differ <= 5 {
				t.Errorf("window %d %v -> %v: %d bytes, the pods' captures %d", c.window, c.src, c.dst, got.bytes[c], n)
			}
		}
	}
	for c, n := range got.bytes {
		if _, ok := truth.bytes[c]; !ok {
			differ++
			t.Errorf("window %d %v -> %v: %d bytes the pods' captures do not hold", c.window, c.src, c.dst, n)
		}
	}
	missed, lost, extra := errorsAgainst(truth.keys, got.keys)
	st, clock := m.Stats(), m.Inputs()[1].Clock
	genuine := 0
	for _, n := range truth.keys {
		genuine += n
	}
	t.Logf("two-node scenario: %d frames (%d IP), %d dropped as copies; %d genuine packets: %d copies kept, %d lost, %d unknown; %d of %d cells differ; node b's clock %v (true +%v)",
		st.Packets, st.IPPackets, st.Duplicates, genuine, missed, lost, extra, differ, len(truth.bytes), clock, time.Duration(meta.Clock.NodeB*1e9))
	if d := clock.Offset - time.Duration(meta.Clock.NodeB*1e9); d < -50*time.Microsecond || d > 50*time.Microsecond {
		t.Errorf("node b's clock %v, want %v", clock, meta.Clock.NodeB)
	}
	if missed != 0 || lost != 0 || extra != 0 || differ != 0 {
		t.Errorf("%d copies kept, %d genuine packets lost, %d unknown, %d cells differ: want none", missed, lost, extra, differ)
	}
}

// TestTwoNodeScenarioClock: node b's clock is 37.5 ms ahead, more than
// the deduplication span. A given offset is to the first capture's clock,
// which stays the reference when only node b's is given; a given offset
// that the packets in common contradict is said in a warning, with the
// offset they measure; and taken wrongly, the copies of every packet that
// crosses the nodes are kept twice: 10 165 genuine packets
// (verification.txt), 2 831 + 3 432 from node to node, 118 + 113 to or from
// outside through node a.
func TestTwoNodeScenarioClock(t *testing.T) {
	const genuine, twice = 10165, 10165 + 2831 + 3432 + 118 + 113
	ms := func(f float64) *time.Duration { d := time.Duration(f * float64(time.Millisecond)); return &d }
	tests := []struct {
		name         string
		a, b         *time.Duration
		kept         int
		contradicted bool
	}{
		{"both taken as they are", ms(0), ms(0), twice, true},
		{"node b's given alone, wrong", nil, ms(10), twice, true},
		{"node b's given alone, right", nil, ms(37.5), genuine, false},
		{"both given, right", ms(0), ms(37.5), genuine, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := capture.OpenAll([]capture.Input{{Path: twoNode + "node-a.pcap.gz", Offset: tc.a}, {Path: twoNode + "node-b.pcap.gz", Offset: tc.b}}, analysis)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			got := newTally(0)
			readEach(t, m, got.add)
			kept := 0
			for _, n := range got.keys {
				kept += n
			}
			if kept != tc.kept {
				t.Errorf("%d IP packets kept, want %d", kept, tc.kept)
			}
			a, b := m.Inputs()[0].Clock, m.Inputs()[1].Clock
			t.Logf("node a %v; node b %v", a, b)
			if tc.a == nil && a.Source != capture.ClockReference {
				t.Errorf("node a's clock %v, want the reference", a)
			}
			if b.Source != capture.ClockGiven || b.Offset != *tc.b {
				t.Errorf("node b's clock %v, want %v given", b, *tc.b)
			}
			if b.Contradicted() != tc.contradicted {
				t.Errorf("node b's given offset contradicted: %v, want %v", b.Contradicted(), tc.contradicted)
			}
			if d := b.Measured - 37500*time.Microsecond; tc.contradicted && (d < -50*time.Microsecond || d > 50*time.Microsecond) {
				t.Errorf("the packets in common measure %v, want +37.5ms", b.Measured)
			}
			warned := slices.ContainsFunc(m.Warnings(), func(w capture.Warning) bool {
				return w.Kind == capture.WarnClock && strings.Contains(w.Message, "measure +37.5")
			})
			if warned != tc.contradicted {
				t.Errorf("warned of the given offset: %v, want %v (%v)", warned, tc.contradicted, m.Warnings())
			}
		})
	}
}
