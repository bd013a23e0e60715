package traffic_test

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/traffic"
)

// query builds a DNS message for name, type qtype; flags 0x0100 is a
// query, 0x8183 an NXDOMAIN response.
func query(name string, qtype, flags uint16) []byte {
	b := []byte{0x12, 0x34}
	b = binary.BigEndian.AppendUint16(b, flags)
	b = append(b, 0, 1, 0, 0, 0, 0, 0, 0)
	for _, l := range strings.Split(name, ".") {
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	b = append(b, 0)
	b = binary.BigEndian.AppendUint16(b, qtype)
	return binary.BigEndian.AppendUint16(b, 1)
}

func udp(p *capture.Packet, sport, dport uint16, payload []byte) *capture.Packet {
	p.Protocol, p.HasTransport, p.SrcPort, p.DstPort, p.Payload = capture.ProtoUDP, true, sport, dport, payload
	return p
}

// TestDetails checks endpoints and DNS groups of one window. Expected
// values by hand:
//
//   - Names: "agvsbg8.t.example.com" (21 characters; ParseDNS lowers
//     case) and twice "abcd.t.example.com" (18): 2 distinct, length sum
//     21+18+18 = 57, longest 21.
//   - Entropy of the labels left of example.com, dots left out: "agvsbg8t"
//     has g twice and six characters once: -(2/8·log2(2/8) + 6·1/8·log2(1/8))
//     = 0.5 + 2.25 = 2.75 bits; "abcdt" has five distinct characters:
//     log2(5) = 2.3219 bits. Sum 2.75 + 2·log2(5), max 2.75.
//   - Unusual types: the TXT query. NXDOMAIN: the one response, which
//     goes to the group of the query (client to server).
//   - Endpoints: 10.0.0.5 -> 10.0.0.53 UDP port 53 three times (the
//     response, to port 40000 from 53, is not an initiation), the TCP SYN
//     to port 53, and the ICMP echo request to 10.0.0.9 (port 0).
func TestDetails(t *testing.T) {
	tcpDNS := query("db.shop.svc.cluster.local", 1, 0x0100)
	tcpDNS = append(binary.BigEndian.AppendUint16(nil, uint16(len(tcpDNS))), tcpDNS...)
	later := udp(pkt(0, "10.0.0.5", "10.0.0.53", 60), 40000, 53, query("frag.example.org", 1, 0x0100))
	later.Fragment = capture.LaterFragment
	echo := pkt(0, "10.0.0.5", "10.0.0.9", 98)
	echo.Protocol, echo.HasTransport, echo.SrcPort = capture.ProtoICMP, true, 8
	pk := []*capture.Packet{
		udp(pkt(0, "10.0.0.5", "10.0.0.53", 100), 40000, 53, query("aGVsbG8.t.example.com", 16, 0x0100)),
		udp(pkt(0, "10.0.0.5", "10.0.0.53", 90), 40000, 53, query("abcd.t.example.com", 1, 0x0100)),
		udp(pkt(0, "10.0.0.5", "10.0.0.53", 90), 40001, 53, query("abcd.t.example.com", 1, 0x0100)),
		udp(pkt(0, "10.0.0.53", "10.0.0.5", 120), 53, 40000, query("abcd.t.example.com", 1, 0x8183)),
		tcp(pkt(0, "10.0.0.5", "10.0.0.53", 74), 41000, 53, capture.TCPSyn),
		func() *capture.Packet {
			p := tcp(pkt(0, "10.0.0.5", "10.0.0.53", 120), 41000, 53, capture.TCPPsh|capture.TCPAck)
			p.Payload = tcpDNS
			return p
		}(),
		later,
		echo,
	}
	out, _ := collect(traffic.Config{Sizes: []time.Duration{time.Minute}, Details: true}, pk...)
	w := out[0][0]

	type ep struct {
		dst   string
		proto uint8
		port  uint16
		count uint32
	}
	var eps []ep
	for _, e := range w.Endpoints {
		if e.Src != ip("10.0.0.5") {
			t.Errorf("endpoint from %v", e.Src)
		}
		eps = append(eps, ep{e.Dst.String(), e.Protocol, e.Port, e.Count})
	}
	wantEps := []ep{{"10.0.0.9", capture.ProtoICMP, 0, 1}, {"10.0.0.53", capture.ProtoTCP, 53, 1}, {"10.0.0.53", capture.ProtoUDP, 53, 3}}
	if !slices.Equal(eps, wantEps) {
		t.Errorf("endpoints %+v, want %+v", eps, wantEps)
	}

	if len(w.DNS) != 2 {
		t.Fatalf("%d DNS groups, want 2: %+v", len(w.DNS), w.DNS)
	}
	cl, ex := w.DNS[0], w.DNS[1]
	if cl.Domain != "cluster.local" || cl.Queries != 1 || cl.Names != 1 || cl.Bytes != 120 || cl.UnusualTypes != 0 {
		t.Errorf("TCP group %+v: want cluster.local, 1 query, 1 name, 120 bytes", cl)
	}
	if ex.Src != ip("10.0.0.5") || ex.Dst != ip("10.0.0.53") || ex.Domain != "example.com" {
		t.Errorf("group %v -> %v %q, want 10.0.0.5 -> 10.0.0.53 example.com", ex.Src, ex.Dst, ex.Domain)
	}
	wantEntropy := 2.75 + 2*math.Log2(5)
	if ex.Queries != 3 || ex.Responses != 1 || ex.Names != 2 || ex.NameLenSum != 57 || ex.MaxNameLen != 21 ||
		!approx(ex.EntropySum, wantEntropy) || !approx(ex.MaxEntropy, 2.75) || ex.UnusualTypes != 1 || ex.NXDomain != 1 || ex.Bytes != 400 {
		t.Errorf("group %+v:\nwant 3 queries, 1 response, 2 names, length sum 57, max 21, entropy sum %v max 2.75, 1 unusual, 1 NXDOMAIN, 400 bytes", ex, wantEntropy)
	}
	if !slices.Equal(ex.Examples, []string{"agvsbg8.t.example.com", "abcd.t.example.com"}) {
		t.Errorf("examples %q", ex.Examples)
	}
}

// TestNameCap: a DNS tunnel's stream of new names stops being tracked at
// NameCap; Names is then a lower bound and memory stays bounded.
func TestNameCap(t *testing.T) {
	var pk []*capture.Packet
	for i := range traffic.NameCap + 100 {
		name := strings.Repeat("x", 1+i%50) + "." + string(rune('a'+i%26)) + itoa(i) + ".tunnel.example.net"
		pk = append(pk, udp(pkt(time.Duration(i)*time.Millisecond, "10.0.0.5", "10.0.0.53", 100), 40000, 53, query(name, 16, 0x0100)))
	}
	out, _ := collect(traffic.Config{Sizes: []time.Duration{time.Hour}, Details: true}, pk...)
	g := out[0][0].DNS[0]
	if g.Names != traffic.NameCap || g.Queries != traffic.NameCap+100 || len(g.Examples) != traffic.MaxExamples {
		t.Errorf("names %d queries %d examples %d; want %d, %d, %d", g.Names, g.Queries, len(g.Examples), traffic.NameCap, traffic.NameCap+100, traffic.MaxExamples)
	}
}

func itoa(i int) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		if i /= 10; i == 0 {
			return string(b)
		}
	}
}
