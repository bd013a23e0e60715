package capture

import (
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"
)

// dnsMsg builds a DNS message: header fields, then raw sections.
func dnsMsg(id, flags uint16, qd, an uint16, body ...[]byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, id)
	b = binary.BigEndian.AppendUint16(b, flags)
	b = binary.BigEndian.AppendUint16(b, qd)
	b = binary.BigEndian.AppendUint16(b, an)
	b = append(b, 0, 0, 0, 0)
	for _, x := range body {
		b = append(b, x...)
	}
	return b
}

// name encodes a dotted name as labels.
func name(s string) []byte {
	var b []byte
	if s != "" {
		for _, l := range strings.Split(s, ".") {
			b = append(b, byte(len(l)))
			b = append(b, l...)
		}
	}
	return append(b, 0)
}

func u16s(v ...uint16) []byte {
	var b []byte
	for _, x := range v {
		b = binary.BigEndian.AppendUint16(b, x)
	}
	return b
}

// rr is a resource record with a compressed owner name pointing at 12
// (the first question), type typ, class IN, TTL 60 and rdata.
func rr(typ uint16, rdata []byte) []byte {
	b := append([]byte{0xc0, 12}, u16s(typ, 1, 0, 60, uint16(len(rdata)))...)
	return append(b, rdata...)
}

func TestParseDNS(t *testing.T) {
	long := strings.Repeat(strings.Repeat("a", 63)+".", 4) + "com" // 4*64+3 = 259 > 255
	tests := []struct {
		name     string
		msg      []byte
		err      error
		response bool
		rcode    uint8
		names    []string
		types    []uint16
		answers  []uint16
	}{
		{"query, mixed case", dnsMsg(1, 0x0100, 1, 0, name("WWW.Example.COM"), u16s(1, 1)), nil, false, 0,
			[]string{"www.example.com"}, []uint16{1}, nil},
		{"root", dnsMsg(1, 0x0100, 1, 0, name(""), u16s(2, 1)), nil, false, 0, []string{""}, []uint16{2}, nil},
		// A response: CNAME then A, owner names compressed.
		{"response", dnsMsg(2, 0x8180, 1, 2, name("db.shop.svc.cluster.local"), u16s(1, 1), rr(5, []byte{1, 'x', 0xc0, 12}), rr(1, []byte{10, 0, 0, 7})), nil, true, 0,
			[]string{"db.shop.svc.cluster.local"}, []uint16{1}, []uint16{5, 1}},
		{"nxdomain", dnsMsg(3, 0x8183, 1, 0, name("missing.nx.example"), u16s(1, 1)), nil, true, 3,
			[]string{"missing.nx.example"}, []uint16{1}, nil},
		// The second question is "www" then a pointer to the first
		// question's name at offset 12.
		{"question pointer", dnsMsg(4, 0x0100, 2, 0, name("example.org"), u16s(16, 1), []byte{3, 'w', 'w', 'w', 0xc0, 12}, u16s(28, 1)), nil, false, 0,
			[]string{"example.org", "www.example.org"}, []uint16{16, 28}, nil},
		// A pointer to itself (offset 12): not backwards.
		{"pointer loop", dnsMsg(5, 0x0100, 1, 0, []byte{0xc0, 12}, u16s(1, 1)), ErrDNSName, false, 0, nil, nil, nil},
		// Label "a" at 12, then a pointer back to 12: a cycle through
		// a label, ended by the length limit.
		{"label cycle", dnsMsg(5, 0x0100, 1, 0, []byte{1, 'a', 0xc0, 12}, u16s(1, 1)), ErrDNSTooLong, false, 0, nil, nil, nil},
		{"forward pointer", dnsMsg(6, 0x0100, 1, 0, []byte{0xc0, 40}, u16s(1, 1)), ErrDNSName, false, 0, nil, nil, nil},
		{"too long", dnsMsg(7, 0x0100, 1, 0, name(long), u16s(1, 1)), ErrDNSTooLong, false, 0, nil, nil, nil},
		{"label type 0x40", dnsMsg(8, 0x0100, 1, 0, []byte{0x41, 'a', 0}, u16s(1, 1)), ErrDNSName, false, 0, nil, nil, nil},
		{"short header", []byte{1, 2, 3}, ErrDNSShort, false, 0, nil, nil, nil},
		// Cut inside the answer: the question is kept.
		{"cut answer", dnsMsg(9, 0x8180, 1, 1, name("x.example"), u16s(1, 1), rr(1, []byte{10, 0, 0, 7})[:8]), ErrDNSShort, true, 0,
			[]string{"x.example"}, []uint16{1}, nil},
		{"cut question", dnsMsg(9, 0x0100, 1, 0, name("x.example"), []byte{0}), ErrDNSShort, false, 0, nil, nil, nil},
		// The counts say 1000 answers; there is one.
		{"lying count", dnsMsg(10, 0x8180, 1, 1000, name("x.example"), u16s(1, 1), rr(1, []byte{1, 2, 3, 4})), ErrDNSShort, true, 0,
			[]string{"x.example"}, []uint16{1}, []uint16{1}},
	}
	var m DNSMessage
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ParseDNS(tt.msg, &m)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			var names []string
			var types []uint16
			for _, q := range m.Questions {
				names = append(names, string(q.Name))
				types = append(types, q.Type)
			}
			if m.Response != tt.response || m.RCode != tt.rcode || !slices.Equal(names, tt.names) || !slices.Equal(types, tt.types) || !slices.Equal(m.AnswerTypes, tt.answers) {
				t.Errorf("response %v rcode %d names %q types %v answers %v; want %v %d %q %v %v",
					m.Response, m.RCode, names, types, m.AnswerTypes, tt.response, tt.rcode, tt.names, tt.types, tt.answers)
			}
		})
	}
}

// TestParseDNSBounds: a message claiming 65535 questions keeps
// MaxDNSQuestions of them.
func TestParseDNSBounds(t *testing.T) {
	var body [][]byte
	for range 20 {
		body = append(body, name("q.example"), u16s(1, 1))
	}
	var m DNSMessage
	err := ParseDNS(dnsMsg(1, 0x0100, 20, 0, body...), &m)
	if err != nil || len(m.Questions) != MaxDNSQuestions {
		t.Errorf("%d questions, %v; want %d, nil", len(m.Questions), err, MaxDNSQuestions)
	}
}

// TestParseDNSAllocs: parsing into a DNSMessage that has grown to size
// allocates nothing.
func TestParseDNSAllocs(t *testing.T) {
	msgs := [][]byte{
		dnsMsg(2, 0x8180, 1, 2, name("db.shop.svc.cluster.local"), u16s(1, 1), rr(5, []byte{1, 'x', 0xc0, 12}), rr(1, []byte{10, 0, 0, 7})),
		dnsMsg(1, 0x0100, 1, 0, name("aGVsbG8gd29ybGQ.t.example.com"), u16s(16, 1)),
	}
	var m DNSMessage
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		ParseDNS(msgs[i%2], &m)
		i++
	})
	if allocs != 0 {
		t.Errorf("%v allocations per message, want 0", allocs)
	}
}
