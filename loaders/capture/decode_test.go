package capture

import (
	"encoding/binary"
	"io"
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// TestDecodeMatchesGopacket decodes every frame of every fixture with
// gopacket's layers too and compares addresses, protocol and ports.
// The frames where the two decoders are known to differ are listed with
// the reason; tshark, the oracle for addresses (TestOracleTshark in
// loaders/traffic), agrees with ours on all of them.
func TestDecodeMatchesGopacket(t *testing.T) {
	type frameID struct {
		file string
		n    int
	}
	// headers.pcap frames, numbered from 0 in the order of
	// testdata/captures/src/gen/main.go.
	known := map[frameID]string{
		{"headers.pcap", 7}: "17 extension headers: we stop after 16 (malformed), gopacket goes on",
	}
	// gopacket has no decoder for these; TestOracleTshark checks them
	// against tshark.
	noGopacket := map[string]string{
		"chdlc.pcap":    "Cisco HDLC",
		"ppp-hdlc.pcap": "link type 50 (PPP in HDLC-like framing)",
		"macsec.pcap":   "MACsec",
		"nsh.pcap":      "NSH",
		"pbb.pcap":      "802.1ah I-TAG",
		"vntag.pcap":    "VN-Tag",
	}
	for _, path := range allFixtures(t) {
		name := filepath.Base(path)
		if what, ok := noGopacket[name]; ok {
			t.Logf("%s: gopacket does not decode %s", name, what)
			continue
		}
		t.Run(name, func(t *testing.T) {
			r, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			for n := 0; ; n++ {
				var p Packet
				data, err := r.readFrame(&p)
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				decode(&p, data)
				if why, ok := known[frameID{name, n}]; ok {
					t.Logf("frame %d: %s", n, why)
					continue
				}
				if name == "vlan.pcap" && n%3 == 2 {
					continue // 0x9100 tags: gopacket does not know them
				}
				var first gopacket.Decoder = layers.LinkType(p.LinkType)
				switch p.LinkType {
				case LinkIPv4:
					first = layers.LayerTypeIPv4
				case LinkIPv6:
					first = layers.LayerTypeIPv6
				}
				g := gopacket.NewPacket(data, first, gopacket.NoCopy)
				var src, dst netip.Addr
				var proto uint8
				netIdx := -1
				for i, l := range g.Layers() {
					switch l := l.(type) {
					case *layers.IPv4:
						src, _ = netip.AddrFromSlice(l.SrcIP.To4())
						dst, _ = netip.AddrFromSlice(l.DstIP.To4())
						proto = uint8(l.Protocol)
					case *layers.IPv6:
						src, _ = netip.AddrFromSlice(l.SrcIP)
						dst, _ = netip.AddrFromSlice(l.DstIP)
						proto = uint8(l.NextHeader)
					default:
						continue
					}
					netIdx = i
					break
				}
				if src != p.Src || dst != p.Dst {
					t.Errorf("frame %d: ours %v -> %v, gopacket %v -> %v", n, p.Src, p.Dst, src, dst)
				}
				// Our Protocol is the one after AH and IPv6 extension
				// headers: walk gopacket's layers past them.
			walk:
				for i := netIdx + 1; netIdx >= 0 && i < len(g.Layers()); i++ {
					switch l := g.Layers()[i].(type) {
					case *layers.IPv6HopByHop:
						proto = uint8(l.NextHeader)
					case *layers.IPv6Routing:
						proto = uint8(l.NextHeader)
					case *layers.IPv6Destination:
						proto = uint8(l.NextHeader)
					case *layers.IPSecAH:
						proto = uint8(l.NextHeader)
					case *layers.IPv6Fragment:
						proto = uint8(l.NextHeader)
						if l.FragmentOffset != 0 {
							break walk
						}
					case *layers.TCP:
						proto = ProtoTCP
						break walk
					case *layers.UDP:
						proto = ProtoUDP
						break walk
					case *layers.ICMPv4:
						proto = ProtoICMP
						break walk
					case *layers.ICMPv6:
						proto = ProtoICMPv6
						break walk
					case *layers.IPv4:
						proto = 4
						break walk
					case *layers.IPv6:
						proto = 41
						break walk
					default:
						break walk
					}
				}
				if src.IsValid() && proto != p.Protocol {
					t.Errorf("frame %d: protocol %d, gopacket %d", n, p.Protocol, proto)
				}
				var sport, dport uint16
				switch l := g.TransportLayer().(type) {
				case *layers.TCP:
					sport, dport = uint16(l.SrcPort), uint16(l.DstPort)
				case *layers.UDP:
					sport, dport = uint16(l.SrcPort), uint16(l.DstPort)
				}
				if (p.Protocol == ProtoTCP || p.Protocol == ProtoUDP) && g.TransportLayer() != nil && p.Fragment != LaterFragment && (sport != p.SrcPort || dport != p.DstPort) {
					t.Errorf("frame %d: ports %d -> %d, gopacket %d -> %d", n, p.SrcPort, p.DstPort, sport, dport)
				}
			}
		})
	}
}

// frame assembles byte slices.
func frame(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

var (
	ethIPv4 = []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00}
	ethIPv6 = []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd}
)

// ip4 is an IPv4 header 10.0.0.1 -> 10.0.0.2 with protocol proto, fragment
// field frag and total length total.
func ip4(proto byte, frag uint16, total int) []byte {
	h := []byte{0x45, 0, 0, 0, 0, 1, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2}
	binary.BigEndian.PutUint16(h[2:], uint16(total))
	binary.BigEndian.PutUint16(h[6:], frag)
	return h
}

// ip6 is an IPv6 header fd00::1 -> fd00::2 with next header nh and
// payload length plen.
func ip6(nh byte, plen int) []byte {
	h := make([]byte, 40)
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:], uint16(plen))
	h[6] = nh
	h[8], h[23] = 0xfd, 1
	h[24], h[39] = 0xfd, 2
	return h
}

var (
	tcpSyn = []byte{0x9c, 0x40, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0} // 40000 -> 443, SYN
	udp53  = []byte{0x13, 0x88, 0x00, 0x35, 0x00, 0x0c, 0, 0, 'a', 'b', 'c', 'd'}                       // 5000 -> 53, 4 bytes
	echo4  = []byte{8, 0, 0, 0, 0, 1, 0, 1}
)

// want is what decoding a frame should give.
type want struct {
	ver        uint8
	src, dst   netip.Addr
	proto      uint8
	frag       Fragment
	transport  bool
	sport      uint16
	dport      uint16
	flags      uint8
	payloadLen int
	st         status
}

// decodeCase is a frame of a link type and what decoding it gives.
type decodeCase struct {
	name    string
	link    LinkType
	data    []byte
	wirelen int // 0: len(data)
	want    want
}

var (
	a4, b4 = netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	a6, b6 = netip.MustParseAddr("fd00::1"), netip.MustParseAddr("fd00::2")
	tcp4   = want{4, a4, b4, ProtoTCP, NotFragment, true, 40000, 443, TCPSyn, 0, 0}
	tcp6   = want{6, a6, b6, ProtoTCP, NotFragment, true, 40000, 443, TCPSyn, 0, 0}
)

func runDecodeCases(t *testing.T, tests []decodeCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wl := tt.wirelen
			if wl == 0 {
				wl = len(tt.data)
			}
			p := Packet{LinkType: tt.link, CaptureLen: uint32(len(tt.data)), WireLen: uint32(wl)}
			st := decode(&p, tt.data)
			got := want{p.IPVersion, p.Src, p.Dst, p.Protocol, p.Fragment, p.HasTransport, p.SrcPort, p.DstPort, p.TCPFlags, len(p.Payload), st}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	runDecodeCases(t, []decodeCase{
		{"ethernet tcp", LinkEthernet, frame(ethIPv4, ip4(6, 0, 40), tcpSyn), 0, tcp4},
		// 802.1Q, then QinQ (802.1ad over 802.1Q), then 0x9100 over 802.1Q.
		{"vlan", LinkEthernet, frame(ethIPv4[:12], []byte{0x81, 0, 0, 5, 0x08, 0}, ip4(6, 0, 40), tcpSyn), 0, tcp4},
		{"qinq", LinkEthernet, frame(ethIPv4[:12], []byte{0x88, 0xa8, 0, 5, 0x81, 0, 0, 6, 0x08, 0}, ip4(6, 0, 40), tcpSyn), 0, tcp4},
		{"qinq 9100", LinkEthernet, frame(ethIPv4[:12], []byte{0x91, 0, 0, 5, 0x81, 0, 0, 6, 0x08, 0}, ip4(6, 0, 40), tcpSyn), 0, tcp4},
		// Ethernet padding beyond the IP total length is not payload:
		// 14 + 20 + 8 + 4 = 46 bytes padded to 60, UDP payload 4 bytes.
		{"padding", LinkEthernet, frame(ethIPv4, ip4(17, 0, 32), udp53, make([]byte, 14)), 0, want{4, a4, b4, ProtoUDP, NotFragment, true, 5000, 53, 0, 4, 0}},
		{"sll v1", LinkLinuxSLL, frame([]byte{0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0}, ip4(6, 0, 40), tcpSyn), 0, tcp4},
		{"sll v2", LinkLinuxSLL2, frame([]byte{0x08, 0, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0}, ip4(6, 0, 40), tcpSyn), 0, tcp4},
		{"raw v4", LinkRaw, frame(ip4(6, 0, 40), tcpSyn), 0, tcp4},
		{"raw 228", LinkIPv4, frame(ip4(6, 0, 40), tcpSyn), 0, tcp4},
		{"raw v6", LinkRaw, frame(ip6(6, 20), tcpSyn), 0, tcp6},
		{"raw 229", LinkIPv6, frame(ip6(6, 20), tcpSyn), 0, tcp6},
		{"raw bad version", LinkRaw, frame([]byte{0x50}, make([]byte, 39)), 0, want{st: statusMalformed}},
		// BSD null: family 2 little-endian, 2 big-endian, 30 (Darwin IPv6).
		{"null le", LinkNull, frame([]byte{2, 0, 0, 0}, ip4(6, 0, 40), tcpSyn), 0, tcp4},
		{"null be", LinkNull, frame([]byte{0, 0, 0, 2}, ip4(6, 0, 40), tcpSyn), 0, tcp4},
		{"null v6", LinkNull, frame([]byte{30, 0, 0, 0}, ip6(6, 20), tcpSyn), 0, tcp6},
		{"null other family", LinkNull, frame([]byte{7, 0, 0, 0}, ip4(6, 0, 40), tcpSyn), 0, want{}},
		{"loop", LinkLoop, frame([]byte{0, 0, 0, 24}, ip6(6, 20), tcpSyn), 0, tcp6},
		{"arp", LinkEthernet, frame(ethIPv4[:12], []byte{0x08, 0x06}, make([]byte, 28)), 0, want{}},
		{"unknown link type", LinkType(147), frame(ip4(6, 0, 40), tcpSyn), 0, want{st: hidden(hiddenLinkType)}},
		// ICMP: type in SrcPort, code in DstPort.
		{"icmp echo", LinkRaw, frame(ip4(1, 0, 28), echo4), 0, want{4, a4, b4, ProtoICMP, NotFragment, true, 8, 0, 0, 0, 0}},
		// Fragments: MF set at offset 0 is the first; offset 185 (1480
		// bytes) is a later one without transport header.
		{"first fragment", LinkRaw, frame(ip4(17, 0x2000, 32), udp53), 0, want{4, a4, b4, ProtoUDP, FirstFragment, true, 5000, 53, 0, 4, 0}},
		{"later fragment", LinkRaw, frame(ip4(17, 185, 32), udp53), 0, want{4, a4, b4, ProtoUDP, LaterFragment, false, 0, 0, 0, 0, 0}},
		// IPv6 extension headers: hop-by-hop (8), routing (8), destination
		// options (8), AH (payload length 1: (1+2)*4 = 12 bytes), then TCP.
		{"ipv6 ext chain", LinkRaw, frame(ip6(0, 56), []byte{43, 0, 1, 4, 0, 0, 0, 0}, []byte{60, 0, 0, 0, 0, 0, 0, 0}, []byte{51, 0, 1, 4, 0, 0, 0, 0}, []byte{6, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1}, tcpSyn), 0,
			tcp6},
		{"ipv6 first fragment", LinkRaw, frame(ip6(44, 20), []byte{17, 0, 0, 1, 0, 0, 0, 9}, udp53), 0, want{6, a6, b6, ProtoUDP, FirstFragment, true, 5000, 53, 0, 4, 0}},
		{"ipv6 later fragment", LinkRaw, frame(ip6(44, 20), []byte{17, 0, 0x05, 0xc8, 0, 0, 0, 9}, udp53), 0, want{6, a6, b6, ProtoUDP, LaterFragment, false, 0, 0, 0, 0, 0}},
		{"ipv4 ah", LinkRaw, frame(ip4(51, 0, 52), []byte{6, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1}, tcpSyn), 0, tcp4},
		// Cut by the snap length inside TCP: addresses, no ports.
		{"snapped tcp", LinkRaw, frame(ip4(6, 0, 40), tcpSyn[:10]), 100, want{4, a4, b4, ProtoTCP, NotFragment, false, 0, 0, 0, 0, statusSnapped}},
		{"short tcp", LinkRaw, frame(ip4(6, 0, 30), tcpSyn[:10]), 0, want{4, a4, b4, ProtoTCP, NotFragment, false, 0, 0, 0, 0, statusMalformed}},
		{"snapped ethernet", LinkEthernet, ethIPv4[:10], 60, want{st: statusSnapped}},
		{"ihl 3", LinkRaw, frame([]byte{0x43}, ip4(6, 0, 40)[1:], tcpSyn), 0, want{st: statusMalformed}},
	})
}

// TestDecodeAllocs: decoding allocates nothing, through IPv6 extension
// headers or through encapsulations (MPLS, an Ethernet pseudowire, then
// Ethernet again).
func TestDecodeAllocs(t *testing.T) {
	for _, data := range [][]byte{
		frame(ethIPv6, ip6(0, 28), []byte{6, 0, 1, 4, 0, 0, 0, 0}, tcpSyn),
		frame(ethIPv4[:12], be16b(etherMPLS), []byte{0x00, 0x3e, 0x81, 64}, []byte{0, 0, 0, 7}, ethIPv4, ip4(6, 0, 40), tcpSyn),
	} {
		var p Packet
		allocs := testing.AllocsPerRun(1000, func() {
			p = Packet{LinkType: LinkEthernet, CaptureLen: uint32(len(data)), WireLen: uint32(len(data))}
			decode(&p, data)
		})
		if allocs != 0 || p.DstPort != 443 {
			t.Errorf("%v allocations per frame (port %d)", allocs, p.DstPort)
		}
	}
}
