package main

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net/netip"
	"testing"
)

// xorMapper moves 10.x.y.z addresses by XORing k into the third byte and
// flips the last bit of every MAC.
type xorMapper struct{ k uint32 }

func (m xorMapper) addr(a uint32) uint32 {
	if a>>24 == 10 {
		return a ^ m.k<<8
	}
	return a
}
func (m xorMapper) mac(b []byte) { b[5] ^= 1 }

func ip4(s string) uint32 { return addrU32(netip.MustParseAddr(s)) }

// ipv4 builds an IPv4 datagram with a correct header checksum around seg,
// filling seg's TCP/UDP checksum (at csumAt, -1 for none) correctly.
func ipv4(src, dst uint32, proto byte, seg []byte, csumAt int) []byte {
	p := make([]byte, 20, 20+len(seg))
	p[0], p[8], p[9] = 0x45, 64, proto
	binary.BigEndian.PutUint16(p[2:], uint16(20+len(seg)))
	binary.BigEndian.PutUint32(p[12:], src)
	binary.BigEndian.PutUint32(p[16:], dst)
	p = append(p, seg...)
	if csumAt >= 0 {
		s := p[20:]
		be16put(s[csumAt:], 0)
		be16put(s[csumAt:], checksum(pseudo(p), s))
	}
	be16put(p[10:], checksum(p[:20]))
	return p
}

// pseudo is the TCP/UDP pseudo-header of datagram p.
func pseudo(p []byte) []byte {
	h := make([]byte, 12)
	copy(h, p[12:20])
	h[9] = p[9]
	binary.BigEndian.PutUint16(h[10:], uint16(len(p)-20))
	return h
}

func ether(payload []byte) []byte {
	f := []byte{0x7a, 0xf5, 0x39, 0x63, 0x04, 0x8d, 0x8e, 0x14, 0x96, 0x83, 0x61, 0x2a, 0x08, 0x00}
	return append(f, payload...)
}

// dnsResponse answers catalogue.default.svc.cluster.local with two A
// records (one through a compression pointer), one AAAA whose bytes look
// like 10.x addresses, and an EDNS OPT record.
func dnsResponse() []byte {
	m := []byte{0x12, 0x34, 0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 1}
	for _, l := range []string{"catalogue", "default", "svc", "cluster", "local"} {
		m = append(m, byte(len(l)))
		m = append(m, l...)
	}
	m = append(m, 0, 0, 1, 0, 1)
	m = append(m, 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 10, 244, 0, 13)
	m = append(m, 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 10, 244, 0, 17)
	m = append(m, 0xc0, 0x0c, 0, 28, 0, 1, 0, 0, 0, 5, 0, 16, 10, 244, 0, 13, 10, 244, 0, 17, 0, 0, 0, 0, 0, 0, 0, 1)
	return append(m, 0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0)
}

func udp(sport, dport uint16, payload []byte) []byte {
	u := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(u[0:], sport)
	binary.BigEndian.PutUint16(u[2:], dport)
	binary.BigEndian.PutUint16(u[4:], uint16(8+len(payload)))
	return append(u, payload...)
}

// The DNS rewrite maps exactly the A records: cited addresses of a kube-dns
// answer, copy 3.
func TestRewriteDNSMapsARecordsOnly(t *testing.T) {
	msg := dnsResponse()
	orig := append([]byte(nil), msg...)
	rewriteDNS(msg, xorMapper{3})
	a1, a2 := len(orig)-11-28-16-4, len(orig)-11-28-4
	for _, c := range []struct {
		off  int
		want string
	}{{a1, "10.244.3.13"}, {a2, "10.244.3.17"}} {
		if got := netip.AddrFrom4([4]byte(msg[c.off : c.off+4])); got.String() != c.want {
			t.Errorf("A record at %d: %v, want %s", c.off, got, c.want)
		}
	}
	for i := range msg {
		if (i < a1 || i >= a1+4) && (i < a2 || i >= a2+4) && msg[i] != orig[i] {
			t.Fatalf("byte %d changed (%#x -> %#x); only the A records' data may", i, orig[i], msg[i])
		}
	}
	// Cut short anywhere: no panic, and whole A records before the cut are mapped.
	for n := range len(orig) {
		cut := append([]byte(nil), orig[:n]...)
		rewriteDNS(cut, xorMapper{3})
		if n >= a1+4 && cut[a1+2] != 3 {
			t.Fatalf("cut at %d: the first A record was not mapped", n)
		}
	}
}

// residual is the checksum over data that includes its checksum field: 0
// when the field is right. 0 and 0xffff are the same one's-complement value.
func residual(parts ...[]byte) uint16 {
	if r := checksum(parts...); r != 0xffff {
		return r
	}
	return 0
}

// The incremental updates agree with recomputing every checksum (the
// rule): a right checksum stays right, a wrong one stays wrong by the same
// amount, for TCP, UDP with DNS, and ICMP errors quoting a DNS answer.
func TestIncrementalChecksumsMatchRecomputation(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	addr := func() uint32 { return ip4("10.244.0.0") | rng.Uint32N(1<<16) }
	for i := range 2000 {
		var p []byte
		switch i % 3 {
		case 0:
			seg := make([]byte, 20+rng.IntN(50))
			for j := range seg {
				seg[j] = byte(rng.Uint32())
			}
			seg[12] = 5 << 4
			p = ipv4(addr(), addr(), 6, seg, 16)
		case 1:
			p = ipv4(addr(), addr(), 17, udp(53, uint16(rng.Uint32()), dnsResponse()[:40+rng.IntN(60)]), 6)
		case 2:
			inner := ipv4(addr(), addr(), 17, udp(53, 40133, dnsResponse()), 6)
			icmp := append([]byte{3, 3, 0, 0, 0, 0, 0, 0}, inner[:28+rng.IntN(len(inner)-28)]...)
			be16put(icmp[2:], checksum(icmp))
			p = ipv4(addr(), addr(), 1, icmp, -1)
		}
		bad := rng.IntN(2) == 0
		if bad { // a partial checksum, as checksum offload leaves it
			p[20+map[byte]int{6: 16, 17: 6, 1: 2}[p[9]]] ^= byte(rng.Uint32() | 1)
		}
		before := residual(pseudoIf(p), p[20:])
		f := ether(append([]byte(nil), p...))
		if err := rewriteFrame(f, xorMapper{uint32(1 + rng.IntN(255))}); err != nil {
			t.Fatal(err)
		}
		q := f[14:]
		if residual(q[:20]) != 0 {
			t.Fatalf("case %d: IPv4 header checksum wrong after the rewrite", i)
		}
		if after := residual(pseudoIf(q), q[20:]); after != before {
			t.Fatalf("case %d (proto %d, bad %v): residual %#x before, %#x after", i, p[9], bad, before, after)
		}
		if q[9] == 1 && residual(q[28:48]) != 0 {
			t.Fatalf("case %d: quoted IPv4 header checksum wrong after the rewrite", i)
		}
	}
}

// pseudoIf is the pseudo-header for TCP and UDP; ICMP has none.
func pseudoIf(p []byte) []byte {
	if p[9] == 1 {
		return nil
	}
	return pseudo(p)
}

// A UDP checksum of 0 means "none" and stays 0.
func TestRewriteKeepsAbsentUDPChecksum(t *testing.T) {
	p := ipv4(ip4("10.244.0.9"), ip4("10.244.0.22"), 17, udp(53, 999, dnsResponse()), -1)
	f := ether(p)
	rewriteFrame(f, xorMapper{5})
	if c := be16(f[14+20+6:]); c != 0 {
		t.Errorf("UDP checksum %#x, want 0 (none)", c)
	}
	if got := u32addr(be32(f[14+12:])).String(); got != "10.244.5.9" {
		t.Errorf("source %s, want 10.244.5.9", got)
	}
}

// ARP's addresses are mapped (values from the benign capture, copy 1);
// the all-zero target MAC stays.
func TestRewriteARP(t *testing.T) {
	f := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x3b, 0x49, 0x03, 0x64, 0x08, 0x06,
		0, 1, 8, 0, 6, 4, 0, 1, 0x02, 0x00, 0x3b, 0x49, 0x03, 0x64, 10, 244, 0, 18, 0, 0, 0, 0, 0, 0, 10, 244, 0, 12}
	c := &copyPlan{k: 1, podNet: ip4("10.244.0.0"), podMask: 0xffffff00, slot: ip4("10.244.1.0")}
	if err := rewriteFrame(f, c); err != nil {
		t.Fatal(err)
	}
	want := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x3a, 0x49, 0x03, 0x64, 0x08, 0x06,
		0, 1, 8, 0, 6, 4, 0, 1, 0x02, 0x00, 0x3a, 0x49, 0x03, 0x64, 10, 244, 1, 18, 0, 0, 0, 0, 0, 0, 10, 244, 1, 12}
	if string(f) != string(want) {
		t.Errorf("ARP after the rewrite\n% x\nwant\n% x", f, want)
	}
}

// VLAN tags are stepped over; IPv6 is refused.
func TestRewriteVLANAndIPv6(t *testing.T) {
	p := ipv4(ip4("10.244.0.9"), ip4("203.0.113.10"), 17, udp(1, 2, nil), 6)
	f := append([]byte{1, 2, 3, 4, 5, 6, 2, 2, 3, 4, 5, 6, 0x81, 0x00, 0, 7, 0x08, 0x00}, p...)
	if err := rewriteFrame(f, xorMapper{2}); err != nil {
		t.Fatal(err)
	}
	if got := u32addr(be32(f[18+12:])).String(); got != "10.244.2.9" {
		t.Errorf("tagged frame's source %s, want 10.244.2.9", got)
	}
	v6 := []byte{1, 2, 3, 4, 5, 6, 2, 2, 3, 4, 5, 6, 0x86, 0xdd, 0x60, 0, 0, 0}
	if err := rewriteFrame(v6, xorMapper{2}); !errors.Is(err, errIPv6) {
		t.Errorf("IPv6 frame: %v, want errIPv6", err)
	}
}

// No frame, however cut or garbled, makes the rewrite panic.
func TestRewriteNeverPanics(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	inner := ipv4(ip4("10.244.0.9"), ip4("10.244.0.22"), 17, udp(53, 40133, dnsResponse()), 6)
	icmp := append([]byte{3, 3, 0, 0, 0, 0, 0, 0}, inner...)
	seeds := [][]byte{ether(ipv4(ip4("10.244.0.22"), ip4("10.244.0.9"), 1, icmp, -1)), ether(inner)}
	for _, s := range seeds {
		for n := range len(s) + 1 {
			rewriteFrame(append([]byte(nil), s[:n]...), xorMapper{1})
		}
		for range 3000 {
			g := append([]byte(nil), s...)
			for range 1 + rng.IntN(4) {
				g[rng.IntN(len(g))] = byte(rng.Uint32())
			}
			rewriteFrame(g[:rng.IntN(len(g)+1)], xorMapper{1})
		}
	}
}
