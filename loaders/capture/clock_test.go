package capture

import (
	"bytes"
	"encoding/binary"
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

// shared builds two Ethernet pcaps holding the same UDP packets, a and b
// in turn sending, at the given seconds; b's clock runs skew ahead and
// each packet takes 100 µs to cross.
func shared(skew time.Duration, secs ...float64) (a, b []byte) {
	pa, pb := newPcap(LinkEthernet, 262144), newPcap(LinkEthernet, 262144)
	at := func(f *pcapFile, t float64, fr []byte) {
		ns := int64(t * 1e9)
		f.record(uint32(ns/1e9), uint32(ns%1e9/1e3), fr, uint32(len(fr)), uint32(len(fr)))
	}
	for i, s := range secs {
		fr := udpFrame([]byte{byte(i), byte(i >> 8), 0x55})
		binary.BigEndian.PutUint16(fr[18:], uint16(i+1)) // IPv4 ID
		if i%2 == 1 {
			// from b: the addresses swapped
			copy(fr[26:30], []byte{10, 0, 0, 2})
			copy(fr[30:34], []byte{10, 0, 0, 1})
			at(pb, s+skew.Seconds(), fr)
			at(pa, s+100e-6, fr)
			continue
		}
		at(pa, s, fr)
		at(pb, s+100e-6+skew.Seconds(), fr)
	}
	return pa.Bytes(), pb.Bytes()
}

// TestClockSynthetic: 40 packets both ways: the offset is found exactly
// (the transit time cancels); packets in common only later than the
// first two minutes are not looked at.
func TestClockSynthetic(t *testing.T) {
	var secs []float64
	for i := range 40 {
		secs = append(secs, 1000+float64(i)*0.5)
	}
	a, b := shared(5*time.Millisecond, secs...)
	m, err := OpenAll([]Input{{Name: "a", R: bytes.NewReader(a)}, {Name: "b", R: bytes.NewReader(b)}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c := m.Inputs()[1].Clock; c.Offset != 5*time.Millisecond || c.Matches != 40 || c.OneWay {
		t.Errorf("clock %+v, want +5ms from 40 packets both ways", c)
	}
	// A first packet, then the packets in common three minutes later.
	late := append([]float64{1000}, secs...)
	for i := 1; i < len(late); i++ {
		late[i] += 180
	}
	a, b = shared(5*time.Millisecond, late...)
	m, err = OpenAll([]Input{{Name: "a", R: bytes.NewReader(a)}, {Name: "b", R: bytes.NewReader(b)}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c := m.Inputs()[1].Clock; c.Source != ClockUnknown || c.Matches != 1 {
		t.Errorf("clock %+v, want unknown: one packet in common within two minutes", c)
	}
}
