package capture

import (
	"io"
	"strings"
	"testing"
	"time"
)

// The two-node fixtures (testdata/captures/src/gen/twonode.go): node b's
// clock runs 3.75 ms ahead of node a's; packets take 180 to 195 µs from
// one node to the other.
const twoNodeSkew = 3750 * time.Microsecond

func twoNode(order ...string) []Input {
	var ins []Input
	for _, n := range order {
		ins = append(ins, Input{Path: fixture("twonode-" + n + ".pcap.gz")})
	}
	return ins
}

// TestClockEstimated: the offset is found within 20 µs (the transit time
// is 180 µs each way), either way round, and given offsets are kept.
func TestClockEstimated(t *testing.T) {
	for _, c := range []struct {
		order []string
		want  time.Duration
	}{
		{[]string{"a", "b"}, twoNodeSkew},
		{[]string{"b", "a"}, -twoNodeSkew},
	} {
		m, err := OpenAll(twoNode(c.order...), Options{})
		if err != nil {
			t.Fatal(err)
		}
		m.Close()
		ins := m.Inputs()
		cl := ins[1].Clock
		if d := cl.Offset - c.want; d < -20*time.Microsecond || d > 20*time.Microsecond || cl.Source != ClockEstimated || cl.OneWay || cl.Matches < 100 || ins[0].Clock.Source != ClockReference {
			t.Errorf("%v: clocks %+v and %+v; want %v", c.order, ins[0].Clock, cl, c.want)
		}
		if !strings.Contains(cl.String(), "estimated from") {
			t.Errorf("clock in words: %q", cl.String())
		}
	}
	given := 3 * time.Millisecond
	ins := twoNode("a", "b")
	ins[1].Offset = &given
	m, err := OpenAll(ins, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	if c := m.Inputs()[1].Clock; c.Source != ClockGiven || c.Offset != given {
		t.Errorf("given offset: %+v", c)
	}
	// Node a's offset given against a reference of its own: node b's is
	// estimated from it.
	ahead := time.Millisecond
	ins = twoNode("a", "b")
	ins[0].Offset = &ahead
	m, err = OpenAll(ins, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	if c := m.Inputs()[1].Clock; c.Source != ClockEstimated || c.Offset-(twoNodeSkew+ahead) > 20*time.Microsecond || (twoNodeSkew+ahead)-c.Offset > 20*time.Microsecond {
		t.Errorf("node b against node a given 1 ms ahead: %+v, want %v", c, twoNodeSkew+ahead)
	}
}

// TestClockCorrected: merged, node b's packets are moved back by the
// estimated offset: the copies of a packet on the two nodes are the
// transit time apart, and with deduplication only the sender's is kept.
func TestClockCorrected(t *testing.T) {
	m, err := OpenAll(twoNode("a", "b"), Options{Inner: true, Dedup: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var p Packet
	last := int64(0)
	for {
		err := m.Next(&p)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.Timestamp < last {
			t.Fatalf("packet at %d after one at %d", p.Timestamp, last)
		}
		last = p.Timestamp
		want := map[string]int{"10.98.0.1": 0, "fd98::1": 0, "10.98.0.2": 1, "fd98::2": 1}
		if in, ok := want[p.Src.String()]; ok && p.Input != in {
			t.Errorf("packet of %v kept from input %d, want %d (its sender's node)", p.Src, p.Input, in)
		}
	}
	// verification: node-bridge.pcap.gz holds 90 frames, each of which one
	// of the two node captures holds once or more.
	st := m.Stats()
	if st.Packets-st.Duplicates != 90 {
		t.Errorf("%d packets kept of %d; want the bridge's 90", st.Packets-st.Duplicates, st.Packets)
	}
}

// TestClockUnknown: captures with nothing in common keep their clocks,
// and the user is told.
func TestClockUnknown(t *testing.T) {
	m, err := OpenAll([]Input{{Path: fixture("eth-micro.pcap")}, {Path: fixture("node-bridge.pcap.gz")}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var p Packet
	for m.Next(&p) == nil {
	}
	c := m.Inputs()[1].Clock
	ws := m.Warnings()
	if c.Source != ClockUnknown || c.Offset != 0 || len(ws) != 1 || ws[0].Kind != WarnClock || !strings.HasPrefix(ws[0].Message, fixture("node-bridge.pcap.gz")+": its clock offset") {
		t.Errorf("clock %+v, warnings %+v", c, ws)
	}
}

// TestClockPrefixBounded: the estimation reads a bounded prefix, which
// the merge then reads again: every packet is read once, however small
// the prefix.
func TestClockPrefixBounded(t *testing.T) {
	defer func(n int) { estimatePrefix = n }(estimatePrefix)
	for _, limit := range []int{30, 4000, 1 << 20} {
		estimatePrefix = limit
		m, err := OpenAll(twoNode("a", "b"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		var p Packet
		n := 0
		for ; m.Next(&p) == nil; n++ {
		}
		m.Close()
		// capinfos: twonode-a 168 packets, twonode-b 165.
		if n != 333 {
			t.Errorf("prefix of %d bytes: %d packets read, want 333", limit, n)
		}
	}
}
