package capture

import (
	"bytes"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// pcapAt builds an Ethernet pcap of UDP frames at the given microseconds
// after second 100; the UDP payload says which (input, n).
func pcapAt(input byte, usecs ...uint32) []byte {
	f := newPcap(LinkEthernet, 262144)
	for n, us := range usecs {
		fr := udpFrame([]byte{input, byte(n)})
		f.record(100+us/1e6, us%1e6, fr, uint32(len(fr)), uint32(len(fr)))
	}
	return f.Bytes()
}

// readMerged reads every packet of m: its input, its number in the input
// and its timestamp.
func readMerged(t *testing.T, m *Merged) [][3]int64 {
	t.Helper()
	var out [][3]int64
	var p Packet
	for {
		err := m.Next(&p)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if int(p.Payload[0]) != p.Input {
			t.Fatalf("packet of input %d says it is from %d", p.Input, p.Payload[0])
		}
		out = append(out, [3]int64{int64(p.Input), int64(p.Payload[1]), p.Timestamp/1000 - 100e6})
	}
}

// TestMergeOrder: packets come in timestamp order across inputs, each
// input's packets in its own order (its out-of-order packet stays where
// it is), ties to the first input.
func TestMergeOrder(t *testing.T) {
	a := pcapAt(0, 10, 30, 20, 50)
	b := pcapAt(1, 5, 30, 40, 60)
	one := time.Duration(0)
	m, err := OpenAll([]Input{{Name: "a.pcap", R: bytes.NewReader(a), Offset: &one}, {Name: "b.pcap", R: bytes.NewReader(b), Offset: &one}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := readMerged(t, m)
	want := [][3]int64{{1, 0, 5}, {0, 0, 10}, {0, 1, 30}, {0, 2, 20}, {1, 1, 30}, {1, 2, 40}, {0, 3, 50}, {1, 3, 60}}
	if !slices.Equal(got, want) {
		t.Errorf("merged (input, n, µs):\n got %v\nwant %v", got, want)
	}
	st := m.Stats()
	if st.Packets != 8 || st.OutOfOrder != 1 || st.First != 100e9+5e3 || st.Last != 100e9+60e3 || st.FirstInFile != 100e9+5e3 || st.Format != FormatPcap {
		t.Errorf("stats %+v", st)
	}
}

// TestMergeOffsets: given offsets move an input's packets; Offset is the
// bytes read of all inputs.
func TestMergeOffsets(t *testing.T) {
	a, b := pcapAt(0, 10, 20), pcapAt(1, 10, 20)
	ahead := 15 * time.Microsecond
	zero := time.Duration(0)
	m, err := OpenAll([]Input{{R: bytes.NewReader(a), Name: "a", Offset: &zero}, {R: bytes.NewReader(b), Name: "b", Offset: &ahead}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := readMerged(t, m)
	want := [][3]int64{{1, 0, -5}, {1, 1, 5}, {0, 0, 10}, {0, 1, 20}}
	if !slices.Equal(got, want) || m.Offset() != int64(len(a)+len(b)) {
		t.Errorf("merged %v, offset %d; want %v, %d", got, m.Offset(), want, len(a)+len(b))
	}
	ins := m.Inputs()
	if ins[1].Clock.Source != ClockGiven || ins[1].Clock.Offset != ahead || ins[1].Stats.First != 100e9+10e3 || ins[1].Node != "b" {
		t.Errorf("input b: %+v", ins[1])
	}
}

// TestMergeOneInput: one input reads as a Reader does.
func TestMergeOneInput(t *testing.T) {
	path := fixture("multi.pcapng.gz")
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	want := readAll(t, r)
	m, err := OpenAll([]Input{{Path: path}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var p Packet
	n := 0
	for ; m.Next(&p) == nil; n++ {
		if p.Timestamp != want[n].Timestamp || p.Src != want[n].Src || p.WireLen != want[n].WireLen {
			t.Fatalf("packet %d: %v %v %d; the reader %v %v %d", n, p.Timestamp, p.Src, p.WireLen, want[n].Timestamp, want[n].Src, want[n].WireLen)
		}
	}
	rs, ms := r.Stats(), m.Stats()
	if n != len(want) || ms.Packets != rs.Packets || ms.First != rs.First || ms.OutOfOrder != rs.OutOfOrder || !slices.Equal(ms.LinkTypes, rs.LinkTypes) || m.Inputs()[0].Clock.Source != ClockReference || m.Inputs()[0].Node != "multi" {
		t.Errorf("%d packets, stats %+v; the reader %d, %+v", n, ms, len(want), rs)
	}
}

// TestMergeSameCaptureTwice: a capture given twice is, deduplicated, the
// capture once, and its clock offset against itself is 0.
func TestMergeSameCaptureTwice(t *testing.T) {
	path := fixture("eth-micro.pcap")
	m, err := OpenAll([]Input{{Path: path, Node: "one"}, {Path: path, Node: "two"}}, Options{Dedup: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var p Packet
	var n, bytes uint64
	for m.Next(&p) == nil {
		n++
		bytes += uint64(p.WireLen)
	}
	st, ins := m.Stats(), m.Inputs()
	// capinfos eth-micro.pcap: 102 packets, 100 of them IP (ARP twice).
	if n != 104 || st.Packets != 204 || st.Duplicates != 100 || ins[1].Duplicates != 100 || ins[0].Duplicates != 0 {
		t.Errorf("%d packets kept of %d, %d duplicates (%d, %d); want 104 (100 IP once, 2 ARP twice) of 204", n, st.Packets, st.Duplicates, ins[0].Duplicates, ins[1].Duplicates)
	}
	if c := ins[1].Clock; c.Source != ClockEstimated || c.Offset != 0 || c.Matches < MinClockMatches || c.Against != path || ins[0].Clock.Source != ClockReference {
		t.Errorf("clocks %+v, %+v", ins[0].Clock, c)
	}
}

// TestMergeMisplacedFile: an entity log given as a capture is named and
// said to be one.
func TestMergeMisplacedFile(t *testing.T) {
	for _, c := range []struct {
		name, data, want string
	}{
		{"entities.jsonl", `{"ts":"2026-11-24T10:00:00Z","event":"add","kind":"pod"}` + "\n", "JSON text, such as an entity log"},
		{"pods.yaml", "apiVersion: v1\nkind: List\n", "YAML text, such as a kubectl listing"},
		{"log.pickle", "\x80\x04\x95\x10\x00\x00", "Python pickle"},
	} {
		_, err := OpenAll([]Input{{Path: fixture("eth-micro.pcap")}, {Name: c.name, R: strings.NewReader(c.data)}}, Options{})
		var e *Error
		if !errors.As(err, &e) || e.File != c.name || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "captures come first") {
			t.Errorf("%s: %v; want an *Error naming it and saying %q", c.name, err, c.want)
		}
	}
	if _, err := OpenAll(nil, Options{}); err == nil {
		t.Error("no input: no error")
	}
	if _, err := OpenAll([]Input{{Path: "no/such.pcap"}}, Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}

// TestMergeInputError: a capture damaged in the middle ends the read with
// its error, naming it.
func TestMergeInputError(t *testing.T) {
	good := pcapAt(0, 10, 20, 30)
	bad := pcapAt(1, 15, 25)
	bad = append(bad[:len(bad)-10], 0xff, 0xff, 0xff, 0x7f)
	zero := time.Duration(0)
	m, err := OpenAll([]Input{{Name: "good", R: bytes.NewReader(good), Offset: &zero}, {Name: "bad", R: bytes.NewReader(bad), Offset: &zero}}, Options{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	var p Packet
	for err == nil {
		err = m.Next(&p)
	}
	var e *Error
	if !errors.As(err, &e) || e.File != "bad" || m.Next(&p) != err {
		t.Errorf("error %v: want a sticky *Error naming bad", err)
	}
}

// TestNodeName: the node label from a file name.
func TestNodeName(t *testing.T) {
	for name, want := range map[string]string{
		"captures/node-a.pcap.gz": "node-a",
		"worker-1.pcapng":         "worker-1",
		"dump.cap":                "dump",
		"stdin":                   "stdin",
		"node.b.pcap":             "node.b",
	} {
		if got := NodeName(name); got != want {
			t.Errorf("NodeName(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestRewinder: the recorded prefix is read again exactly, then the rest;
// the limit ends the recording; an error of the source comes back after
// the prefix.
func TestRewinder(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 1000)
	rw := &rewinder{src: iotest.HalfReader(bytes.NewReader(data)), limit: 3000}
	first, err := io.ReadAll(rw)
	if err != nil || !bytes.Equal(first, data[:3000]) || !rw.full {
		t.Fatalf("recording: %d bytes, %v, full %v", len(first), err, rw.full)
	}
	rw.replay()
	all, err := io.ReadAll(iotest.OneByteReader(rw))
	if err != nil || !bytes.Equal(all, data) || rw.buf != nil {
		t.Errorf("replay: %d bytes, %v; want %d", len(all), err, len(data))
	}
	rw = &rewinder{src: iotest.TimeoutReader(bytes.NewReader(data)), limit: 1 << 20}
	if _, err := io.ReadAll(rw); err == nil {
		t.Fatal("no error from the source")
	}
	rw.replay()
	got, err := io.ReadAll(rw)
	if !errors.Is(err, iotest.ErrTimeout) || len(got) == 0 {
		t.Errorf("after the prefix: %d bytes, %v; want the source's error", len(got), err)
	}
}
