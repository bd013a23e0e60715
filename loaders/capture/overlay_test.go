package capture

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
)

// outer4 is an IPv4 header between two nodes, 192.0.2.1 -> 192.0.2.2, of
// protocol proto around payload.
func outer4(proto byte, payload []byte) []byte {
	h := []byte{0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0, 64, proto, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2}
	binary.BigEndian.PutUint16(h[2:], uint16(20+len(payload)))
	return frame(h, payload)
}

// outer6 is an IPv6 header between two nodes, 2001:db8::1 -> 2001:db8::2.
func outer6(nh byte, payload []byte) []byte {
	h := make([]byte, 40)
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:], uint16(len(payload)))
	h[6], h[7] = nh, 64
	copy(h[8:], netip.MustParseAddr("2001:db8::1").AsSlice())
	copy(h[24:], netip.MustParseAddr("2001:db8::2").AsSlice())
	return frame(h, payload)
}

// udpTo is a UDP header to port dport around payload.
func udpTo(dport uint16, payload []byte) []byte {
	u := []byte{0xa0, 0x00, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint16(u[2:], dport)
	binary.BigEndian.PutUint16(u[4:], uint16(8+len(payload)))
	return frame(u, payload)
}

var (
	vxlanHdr  = []byte{0x08, 0, 0, 0, 0, 0, 1, 0}
	geneveTEB = []byte{0, 0, 0x65, 0x58, 0, 0, 2, 0}
	node4a    = netip.MustParseAddr("192.0.2.1")
	node4b    = netip.MustParseAddr("192.0.2.2")
)

// innerCase is a frame, decoded with Options.Inner, and what it gives:
// the fields, the length counted and the encapsulations crossed.
type innerCase struct {
	name string
	link LinkType
	data []byte
	want want
	len  int // WireLen after inner
}

// TestInner: each overlay is opened to the packet inside (before, all of
// them counted by their outer, node-to-node, header); what holds no IP
// inside counts by its outer header; the length counted is the analysed
// packet's on an Ethernet link. Header layouts: VXLAN RFC 7348, Geneve
// RFC 8926, IP in IP RFC 2003 and 4213.
func TestInner(t *testing.T) {
	for _, tt := range innerCases() {
		t.Run(tt.name, func(t *testing.T) {
			p := Packet{LinkType: tt.link, CaptureLen: uint32(len(tt.data)), WireLen: uint32(len(tt.data))}
			st := decode(&p, tt.data)
			st |= inner(&p, tt.data)
			got := want{p.IPVersion, p.Src, p.Dst, p.Protocol, p.Fragment, p.HasTransport, p.SrcPort, p.DstPort, p.TCPFlags, len(p.Payload), st}
			if got != tt.want || int(p.WireLen) != tt.len {
				t.Errorf("got  %+v, length %d\nwant %+v, length %d", got, p.WireLen, tt.want, tt.len)
			}
		})
	}
}

// innerCases are the frames of TestInner and what they give; the fuzz
// corpus holds them too.
func innerCases() []innerCase {
	v4 := frame(ip4(6, 0, 40), tcpSyn) // 40 bytes: 54 on Ethernet
	v6 := frame(ip6(6, 20), tcpSyn)    // 60 bytes: 74 on Ethernet
	eth4, eth6 := frame(ethIPv4, v4), frame(ethIPv6, v6)
	arp := frame(ethIPv4[:12], []byte{0x08, 0x06}, make([]byte, 28))
	in := func(e encap) status { return crossed(e) }
	outerUDP := func(dport uint16) want {
		return want{4, node4a, node4b, ProtoUDP, NotFragment, true, 0xa000, dport, 0, 8 + 42, 0}
	}
	vlan := []byte{0x81, 0, 0, 5, 0x08, 0}
	tests := []innerCase{
		{"vxlan 4789", LinkEthernet, frame(ethIPv4, outer4(17, udpTo(4789, frame(vxlanHdr, eth4)))), with(tcp4, in(encapVXLAN)), 54},
		{"vxlan 8472 ipv6 inside", LinkEthernet, frame(ethIPv4, outer4(17, udpTo(8472, frame(vxlanHdr, eth6)))), with(tcp6, in(encapVXLAN)), 74},
		{"vxlan over ipv6", LinkEthernet, frame(ethIPv6, outer6(17, udpTo(4789, frame(vxlanHdr, eth4)))), with(tcp4, in(encapVXLAN)), 54},
		{"vxlan without the I flag", LinkEthernet, frame(ethIPv4, outer4(17, udpTo(4789, frame([]byte{0, 0, 0, 0, 0, 0, 1, 0}, eth4)))), want{4, node4a, node4b, ProtoUDP, NotFragment, true, 0xa000, 4789, 0, 62, 0}, 104},
		{"vxlan carrying arp", LinkEthernet, frame(ethIPv4, outer4(17, udpTo(4789, frame(vxlanHdr, arp)))), outerUDP(4789), 92},
		{"vxlan inner frame cut", LinkEthernet, frame(ethIPv4, outer4(17, udpTo(4789, frame(vxlanHdr, ethIPv4[:10])))), want{4, node4a, node4b, ProtoUDP, NotFragment, true, 0xa000, 4789, 0, 18, 0}, 60},
		{"vxlan inner vlan", LinkEthernet, frame(ethIPv4, outer4(17, udpTo(4789, frame(vxlanHdr, ethIPv4[:12], vlan, v4)))), with(tcp4, in(encapVXLAN)), 54},
		{"geneve ethernet", LinkEthernet, frame(ethIPv4, outer4(17, udpTo(6081, frame(geneveTEB, eth4)))), with(tcp4, in(encapGeneve)), 54},
		{"geneve option", LinkEthernet, frame(ethIPv4, outer4(17, udpTo(6081, frame([]byte{2, 0, 0x65, 0x58, 0, 0, 2, 0}, make([]byte, 8), eth6)))), with(tcp6, in(encapGeneve)), 74},
		{"geneve ipv4", LinkEthernet, frame(ethIPv6, outer6(17, udpTo(6081, frame([]byte{0, 0, 0x08, 0x00, 0, 0, 2, 0}, v4)))), with(tcp4, in(encapGeneve)), 54},
		{"geneve version 1", LinkEthernet, frame(ethIPv4, outer4(17, udpTo(6081, frame([]byte{0x40, 0, 0x65, 0x58, 0, 0, 2, 0}, eth4)))), want{4, node4a, node4b, ProtoUDP, NotFragment, true, 0xa000, 6081, 0, 62, 0}, 104},
		{"geneve options longer than the frame", LinkEthernet, frame(ethIPv4, outer4(17, udpTo(6081, frame([]byte{0x3f, 0, 0x65, 0x58, 0, 0, 2, 0}, eth4)))), want{4, node4a, node4b, ProtoUDP, NotFragment, true, 0xa000, 6081, 0, 62, 0}, 104},
		{"ip in ip", LinkEthernet, frame(ethIPv4, outer4(4, v4)), with(tcp4, in(encapIPIP)), 54},
		{"ipv6 in ipv4", LinkEthernet, frame(ethIPv4, outer4(41, v6)), with(tcp6, in(encapIPIP)), 74},
		{"ipv4 in ipv6", LinkEthernet, frame(ethIPv6, outer6(4, v4)), with(tcp4, in(encapIPIP)), 54},
		{"ip in ip fragment", LinkEthernet, frame(ethIPv4, []byte{0x45, 0, 0, 60, 0, 1, 0x20, 0, 64, 4, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2}, v4), want{4, node4a, node4b, 4, FirstFragment, false, 0, 0, 0, 0, 0}, 74},
		{"vxlan in ip in ip", LinkEthernet, frame(ethIPv4, outer4(4, outer4(17, udpTo(4789, frame(vxlanHdr, eth4))))), with(tcp4, in(encapVXLAN)|in(encapIPIP)), 54},
		{"five tunnels deep: four opened", LinkRaw, outer4(4, outer4(4, outer4(4, outer4(4, outer4(4, v4))))), want{4, node4a, node4b, 4, NotFragment, false, 0, 0, 0, 0, in(encapIPIP)}, 74},
		// Link headers count as Ethernet's 14 bytes.
		{"sll v2", LinkLinuxSLL2, frame([]byte{0x08, 0, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0}, v4), tcp4, 54},
		{"sll v1", LinkLinuxSLL, frame([]byte{0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0}, v4), tcp4, 54},
		{"vlan tag", LinkEthernet, frame(ethIPv4[:12], vlan, v4), tcp4, 54},
		{"raw ip", LinkRaw, v6, tcp6, 74},
		{"sll v2 vxlan", LinkLinuxSLL2, frame([]byte{0x08, 0, 0, 0, 0, 0, 0, 2, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0}, outer4(17, udpTo(8472, frame(vxlanHdr, eth6)))), with(tcp6, in(encapVXLAN)), 74},
		{"arp", LinkEthernet, arp, want{}, 42},
		{"arp on linux cooked v2", LinkLinuxSLL2, frame([]byte{0x08, 0x06, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0}, make([]byte, 28)), want{}, 42},
		{"arp on linux cooked v1", LinkLinuxSLL, frame([]byte{0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x06}, make([]byte, 28)), want{}, 42},
		// Trailers count as nothing: the IP length does.
		{"ethernet padding", LinkEthernet, frame(ethIPv4, ip4(17, 0, 32), udp53, make([]byte, 14)), want{4, a4, b4, ProtoUDP, NotFragment, true, 5000, 53, 0, 4, 0}, 46},
		{"ip length 0 (segmentation offload)", LinkEthernet, frame(ethIPv4, ip4(6, 0, 0), tcpSyn, make([]byte, 100)), want{4, a4, b4, ProtoTCP, NotFragment, true, 40000, 443, TCPSyn, 100, 0}, 154},
		{"ip length beyond the frame", LinkEthernet, frame(ethIPv4, ip4(6, 0, 9000), tcpSyn), want{4, a4, b4, ProtoTCP, NotFragment, true, 40000, 443, TCPSyn, 0, 0}, 54},
	}
	return tests
}

// TestInnerOff: without Options.Inner a tunnel counts by its outer header
// and its whole length, as tshark counts it (TestOracleTshark); with it,
// by the packet inside, and the reader counts the tunnels it opened.
func TestInnerOff(t *testing.T) {
	eth4 := frame(ethIPv4, ip4(6, 0, 40), tcpSyn)
	data := frame(ethIPv4, outer4(17, udpTo(4789, frame(vxlanHdr, eth4))))
	pc := newPcap(LinkEthernet, 262144)
	pc.record(1, 0, data, uint32(len(data)), uint32(len(data)))
	for _, inner := range []bool{false, true} {
		r, err := NewReaderWith(bytes.NewReader(pc.Bytes()), "vxlan.pcap", Options{Inner: inner})
		if err != nil {
			t.Fatal(err)
		}
		var p Packet
		if err := r.Next(&p); err != nil {
			t.Fatal(err)
		}
		st := r.Stats()
		wantSrc, wantLen, wantEncaps := node4a, len(data), 0
		if inner {
			wantSrc, wantLen, wantEncaps = a4, 54, 1
		}
		if p.Src != wantSrc || int(p.WireLen) != wantLen || len(st.Encapsulations) != wantEncaps || st.Bytes != uint64(len(data)) {
			t.Errorf("inner %v: source %v, length %d, encapsulations %v, stats bytes %d; want %v, %d, %d encapsulation, %d", inner, p.Src, p.WireLen, st.Encapsulations, st.Bytes, wantSrc, wantLen, wantEncaps, len(data))
		}
	}
}

// TestInnerAllocs: opening tunnels allocates nothing.
func TestInnerAllocs(t *testing.T) {
	eth6 := frame(ethIPv6, ip6(6, 20), tcpSyn)
	data := frame(ethIPv4, outer4(17, udpTo(8472, frame(vxlanHdr, eth6))))
	var p Packet
	allocs := testing.AllocsPerRun(1000, func() {
		p = Packet{LinkType: LinkEthernet, CaptureLen: uint32(len(data)), WireLen: uint32(len(data))}
		decode(&p, data)
		inner(&p, data)
	})
	if allocs != 0 || p.Src != a6 {
		t.Errorf("%v allocations per frame (source %v)", allocs, p.Src)
	}
}
