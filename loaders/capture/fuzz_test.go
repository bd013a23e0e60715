package capture

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
)

// FuzzReader: any bytes give packets, io.EOF or an *Error; never a panic,
// never a hang, and memory bounded by the largest record accepted.
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
		}
		s := r.Stats()
		if s.IPPackets+s.NonIP != s.Packets {
			t.Fatalf("IP %d + non-IP %d != packets %d", s.IPPackets, s.NonIP, s.Packets)
		}
		if r.Offset() < 0 {
			t.Fatalf("offset %d", r.Offset())
		}
	})
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
