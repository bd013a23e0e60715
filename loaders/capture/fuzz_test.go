package capture

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
)

// FuzzReader: any bytes give packets, io.EOF or an *Error; never a panic,
// never a hang, and memory bounded by the largest record accepted. The
// strict reader reads the same packets and fails with ErrTruncated exactly
// where the lenient one records a cut. Each frame decodes with tunnels
// opened and deduplicates too.
func FuzzReader(f *testing.F) {
	for _, path := range allFixtures(f) {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		// The fuzzer works best on small inputs: the file's start.
		f.Add(b[:min(len(b), 2048)])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), "fuzz")
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("NewReader: %v is not an *Error", err)
			}
			return
		}
		var p Packet
		d := NewDedup(0)
		// Every record is at least 12 bytes, so a 1 MB input has fewer
		// than 100 000; the bound only guards the test itself.
		for range 1 << 20 {
			err := r.Next(&p)
			if err == io.EOF {
				break
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Offset < 0 {
					t.Fatalf("Next: %v is not an *Error with an offset", err)
				}
				break
			}
			if p.IPVersion != 0 && p.IPVersion != 4 && p.IPVersion != 6 {
				t.Fatalf("IP version %d", p.IPVersion)
			}
			if p.HasTransport && p.IPVersion == 0 {
				t.Fatal("transport without IP")
			}
			if len(p.Payload) > int(p.CaptureLen) {
				t.Fatalf("payload of %d bytes in a frame of %d", len(p.Payload), p.CaptureLen)
			}
			checkInner(t, &p, d)
		}
		checkStats(t, r)
		checkStrict(t, data, r.Stats())
	})
}

// checkInner decodes a frame again with its tunnels opened, as
// Options.Inner does: at most an Ethernet header longer than on the wire;
// a key for every IP packet and for nothing else; deduplicated without a
// panic.
func checkInner(t *testing.T, p *Packet, d *Dedup) {
	q := Packet{Timestamp: p.Timestamp, WireLen: p.WireLen, CaptureLen: p.CaptureLen, Interface: p.Interface, LinkType: p.LinkType}
	decode(&q, p.Frame)
	inner(&q, p.Frame)
	if q.WireLen > p.WireLen+ethernetHeader {
		t.Fatalf("%d bytes with tunnels opened, %d on the wire", q.WireLen, p.WireLen)
	}
	if (Key(&q) == 0) != (q.IPVersion == 0) {
		t.Fatalf("key %x for IP version %d", Key(&q), q.IPVersion)
	}
	d.Duplicate(&q)
}

// FuzzMerge: any bytes, read as two captures (themselves twice; or them
// and a fixture) with tunnels opened, clocks estimated and copies
// dropped, give every frame of both, each kept or counted as a copy; an
// error names one of them; never a panic or a hang.
func FuzzMerge(f *testing.F) {
	for _, name := range []string{"twonode-a.pcap.gz", "node-any.pcap.gz", "vxlan.pcap", "eth-micro.pcap"} {
		b, err := os.ReadFile(fixture(name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), 4096)], false)
	}
	other, err := os.ReadFile(fixture("twonode-b.pcap.gz"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, withFixture bool) {
		second := data
		if withFixture {
			second = other
		}
		m, err := OpenAll([]Input{{Name: "a", R: bytes.NewReader(data)}, {Name: "b", R: bytes.NewReader(second)}}, Options{Inner: true, Dedup: true})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || (e.File != "a" && e.File != "b") {
				t.Fatalf("OpenAll: %v is not an *Error naming a capture", err)
			}
			return
		}
		var p Packet
		var kept uint64
		for err = m.Next(&p); err == nil; err = m.Next(&p) {
			kept++
		}
		// An error ends the read with the other capture's next frame
		// read but not returned.
		ms := m.Stats()
		if err == io.EOF && kept+ms.Duplicates != ms.Packets || kept+ms.Duplicates > ms.Packets {
			t.Fatalf("%d frames read, %d kept, %d copies, %v", ms.Packets, kept, ms.Duplicates, err)
		}
		for _, in := range m.Inputs() {
			if in.Clock.Source == "" || in.Clock.Offset > DefaultMaxClockOffset || in.Clock.Offset < -DefaultMaxClockOffset {
				t.Fatalf("%s: clock %+v", in.Name, in.Clock)
			}
		}
	})
}

// checkStats checks the invariants of a reader's counts.
func checkStats(t *testing.T, r *Reader) {
	s := r.Stats()
	if s.IPPackets+s.NonIP != s.Packets {
		t.Fatalf("IP %d + non-IP %d != packets %d", s.IPPackets, s.NonIP, s.Packets)
	}
	var undecoded uint64
	for _, u := range s.Undecoded {
		undecoded += u.Frames
	}
	if undecoded > s.NonIP {
		t.Fatalf("%d undecoded frames, more than the %d without IP", undecoded, s.NonIP)
	}
	if r.Offset() < 0 {
		t.Fatalf("offset %d", r.Offset())
	}
	if tr := s.Truncated; tr != nil && (tr.Packets != s.Packets || tr.Offset < 0) {
		t.Fatalf("truncation %+v after %d packets", tr, s.Packets)
	}
	for _, w := range s.Warnings() {
		if w.Message == "" || w.Kind == "" {
			t.Fatalf("empty warning %+v", w)
		}
	}
}

// checkStrict reads data strictly: the same packets as the lenient read
// that gave s, then ErrTruncated at the offset where s says it was cut.
func checkStrict(t *testing.T, data []byte, s Stats) {
	r, err := NewReaderWith(bytes.NewReader(data), "fuzz", Options{Strict: true})
	if err != nil {
		t.Fatalf("strict NewReader failed where the lenient one did not: %v", err)
	}
	var p Packet
	var n uint64
	for {
		err = r.Next(&p)
		if err != nil {
			break
		}
		n++
	}
	var e *Error
	switch {
	case n != s.Packets:
		t.Fatalf("strict read %d packets, lenient %d", n, s.Packets)
	case s.Truncated == nil && errors.Is(err, ErrTruncated):
		t.Fatalf("strict: %v; lenient recorded no cut", err)
	case s.Truncated != nil && (!errors.As(err, &e) || !errors.Is(err, ErrTruncated) || e.Offset != s.Truncated.Offset):
		t.Fatalf("strict: %v; lenient recorded a cut at %d", err, s.Truncated.Offset)
	}
}

// FuzzParseDNS: any bytes parse or give an error; names stay within 255
// bytes and the kept questions and answers within their bounds.
func FuzzParseDNS(f *testing.F) {
	f.Add(dnsMsg(2, 0x8180, 1, 2, name("db.shop.svc.cluster.local"), u16s(1, 1), rr(5, []byte{1, 'x', 0xc0, 12}), rr(1, []byte{10, 0, 0, 7})))
	f.Add(dnsMsg(4, 0x0100, 2, 0, name("example.org"), u16s(16, 1), []byte{3, 'w', 'w', 'w', 0xc0, 12}, u16s(28, 1)))
	f.Add(dnsMsg(5, 0x0100, 1, 0, []byte{1, 'a', 0xc0, 12}, u16s(1, 1)))
	f.Add(dnsMsg(1, 0x0100, 1, 0, name("aGVsbG8gd29ybGQgZXhmaWx0cmF0aW9u.t.example.com"), u16s(16, 1)))
	var m DNSMessage
	f.Fuzz(func(t *testing.T, data []byte) {
		ParseDNS(data, &m)
		if len(m.Questions) > MaxDNSQuestions || len(m.AnswerTypes) > MaxDNSAnswers {
			t.Fatalf("%d questions, %d answers kept", len(m.Questions), len(m.AnswerTypes))
		}
		for _, q := range m.Questions {
			if len(q.Name) > maxNameLen {
				t.Fatalf("name of %d bytes", len(q.Name))
			}
		}
	})
}
