package capture

import (
	"encoding/binary"
	"testing"
	"time"
)

// pkt describes an IP packet for the deduplication tests; build makes it.
type pkt struct {
	v6       bool
	proto    byte   // 6 TCP (default), 17 UDP, 1/58 ICMP
	id       uint16 // IPv4 identification
	ttl      byte   // 64 when 0
	tos      byte
	flow     uint32 // IPv6 flow label
	frag     uint16 // IPv4 fragment field; IPv6: a fragment header with this offset field
	fragID   uint32 // IPv6 fragment header identification
	seq, ack uint32
	flags    byte   // TCP flags; ACK when 0
	window   uint16 // TCP window
	tsval    uint32 // TCP timestamp option
	csum     uint16 // transport checksum
	ipsum    uint16 // IPv4 header checksum
	sport    uint16
	payload  string
}

// ip builds the IP packet: 10.0.0.1 -> 10.0.0.2 or fd00::1 -> fd00::2.
func (k pkt) ip() []byte {
	proto := k.proto
	if proto == 0 {
		proto = ProtoTCP
	}
	sport := k.sport
	if sport == 0 {
		sport = 40000
	}
	var t []byte
	switch proto {
	case ProtoTCP:
		t = make([]byte, 32) // 20 + NOP NOP timestamps
		binary.BigEndian.PutUint16(t[0:], sport)
		binary.BigEndian.PutUint16(t[2:], 443)
		binary.BigEndian.PutUint32(t[4:], k.seq)
		binary.BigEndian.PutUint32(t[8:], k.ack)
		t[12] = 8 << 4
		t[13] = k.flags
		if t[13] == 0 {
			t[13] = TCPAck
		}
		binary.BigEndian.PutUint16(t[14:], k.window)
		binary.BigEndian.PutUint16(t[16:], k.csum)
		t[20], t[21], t[22], t[23] = 1, 1, 8, 10
		binary.BigEndian.PutUint32(t[24:], k.tsval)
	case ProtoUDP:
		t = make([]byte, 8)
		binary.BigEndian.PutUint16(t[0:], sport)
		binary.BigEndian.PutUint16(t[2:], 53)
		binary.BigEndian.PutUint16(t[4:], uint16(8+len(k.payload)))
		binary.BigEndian.PutUint16(t[6:], k.csum)
	default:
		t = []byte{8, 0, 0, 0, 0, 7, 0, 0}
		binary.BigEndian.PutUint16(t[2:], k.csum)
		binary.BigEndian.PutUint16(t[6:], uint16(k.seq))
	}
	t = append(t, k.payload...)
	ttl := k.ttl
	if ttl == 0 {
		ttl = 64
	}
	if k.v6 {
		nh := proto
		if k.frag != 0 || k.fragID != 0 {
			fh := []byte{proto, 0, 0, 0, 0, 0, 0, 0}
			binary.BigEndian.PutUint16(fh[2:], k.frag)
			binary.BigEndian.PutUint32(fh[4:], k.fragID)
			t, nh = append(fh, t...), 44
		}
		h := ip6(nh, len(t))
		h[0] |= k.tos >> 4
		h[1] = k.tos<<4 | byte(k.flow>>16)&0x0f
		binary.BigEndian.PutUint16(h[2:], uint16(k.flow))
		h[7] = ttl
		return frame(h, t)
	}
	h := ip4(proto, k.frag, 20+len(t))
	binary.BigEndian.PutUint16(h[4:], k.id)
	h[1], h[8] = k.tos, ttl
	binary.BigEndian.PutUint16(h[10:], k.ipsum)
	return frame(h, t)
}

// Link headers a packet is captured with.
const (
	onEthernet = iota
	onSLL2
	onSLL
	onVLAN
	onVXLAN // in VXLAN between two nodes, on Ethernet
	onPadded
)

// wrap puts an IP packet in a frame of the given kind; ifindex is a
// Linux cooked v2 frame's interface.
func wrap(ip []byte, kind int, ifindex uint32) (LinkType, []byte) {
	et := ethIPv4
	if ip[0]>>4 == 6 {
		et = ethIPv6
	}
	switch kind {
	case onSLL2:
		h := []byte{et[12], et[13], 0, 0, 0, 0, 0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0}
		binary.BigEndian.PutUint32(h[4:], ifindex)
		return LinkLinuxSLL2, frame(h, ip)
	case onSLL:
		return LinkLinuxSLL, frame([]byte{0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, et[12], et[13]}, ip)
	case onVLAN:
		return LinkEthernet, frame(et[:12], []byte{0x81, 0, 0, 9}, et[12:], ip)
	case onVXLAN:
		return LinkEthernet, frame(ethIPv4, outer4(17, udpTo(8472, frame(vxlanHdr, et, ip))))
	case onPadded:
		return LinkEthernet, frame(et, ip, make([]byte, 6))
	}
	return LinkEthernet, frame(et, ip)
}

// decoded is the packet of a frame as a Merged read gives it (tunnels
// opened).
func decoded(link LinkType, data []byte) *Packet {
	p := &Packet{LinkType: link, CaptureLen: uint32(len(data)), WireLen: uint32(len(data))}
	decode(p, data)
	inner(p, data)
	return p
}

func keyOf(k pkt, kind int) uint64 {
	link, data := wrap(k.ip(), kind, 1)
	return Key(decoded(link, data))
}

// TestKeySame: what changes between hops or capture points leaves the
// key as it is.
func TestKeySame(t *testing.T) {
	base4 := pkt{id: 7, seq: 100, ack: 200, window: 500, tsval: 9, payload: "hello"}
	base6 := pkt{v6: true, flow: 0x12345, seq: 100, ack: 200, window: 500, tsval: 9, payload: "hello"}
	udp6 := pkt{v6: true, proto: ProtoUDP, payload: "a query"}
	for _, c := range []struct {
		name string
		a, b pkt
		kb   int // the link of b
	}{
		{"ttl", base4, pkt{id: 7, seq: 100, ack: 200, window: 500, tsval: 9, payload: "hello", ttl: 62}, onEthernet},
		{"hop limit", base6, pkt{v6: true, flow: 0x12345, seq: 100, ack: 200, window: 500, tsval: 9, payload: "hello", ttl: 3}, onEthernet},
		{"tos", base4, pkt{id: 7, seq: 100, ack: 200, window: 500, tsval: 9, payload: "hello", tos: 0xb8}, onEthernet},
		{"traffic class", base6, pkt{v6: true, flow: 0x12345, seq: 100, ack: 200, window: 500, tsval: 9, payload: "hello", tos: 0xb8}, onEthernet},
		{"ip checksum", base4, pkt{id: 7, seq: 100, ack: 200, window: 500, tsval: 9, payload: "hello", ipsum: 0xbeef}, onEthernet},
		{"tcp checksum (offloaded on the sender)", base6, pkt{v6: true, flow: 0x12345, seq: 100, ack: 200, window: 500, tsval: 9, payload: "hello", csum: 0x1234}, onEthernet},
		{"udp checksum", udp6, pkt{v6: true, proto: ProtoUDP, payload: "a query", csum: 0x4321}, onEthernet},
		{"icmp checksum", pkt{proto: ProtoICMP, id: 3}, pkt{proto: ProtoICMP, id: 3, csum: 9}, onEthernet},
		{"ipv4 id set: payload not looked at", base4, pkt{id: 7, seq: 100, ack: 200, window: 500, tsval: 9, payload: "HELLO"}, onEthernet},
		{"linux cooked v2", base6, base6, onSLL2},
		{"linux cooked v1", base4, base4, onSLL},
		{"vlan tag", base4, base4, onVLAN},
		{"ethernet padding", pkt{proto: ProtoUDP}, pkt{proto: ProtoUDP}, onPadded},
		{"inside vxlan", base6, base6, onVXLAN},
	} {
		if ka, kb := keyOf(c.a, onEthernet), keyOf(c.b, c.kb); ka != kb || ka == 0 {
			t.Errorf("%s: keys %x and %x, want the same", c.name, ka, kb)
		}
	}
}

// TestKeyDiffers: what tells packets apart changes the key; a TCP
// retransmission on Linux has a new IPv4 ID, and over IPv6 a new TCP
// timestamp once a millisecond has passed.
func TestKeyDiffers(t *testing.T) {
	base4 := pkt{id: 7, seq: 100, ack: 200, window: 500, tsval: 9, payload: "hello"}
	base6 := pkt{v6: true, flow: 0x12345, seq: 100, ack: 200, window: 500, tsval: 9, payload: "hello"}
	mod := func(k pkt, f func(*pkt)) pkt { f(&k); return k }
	for _, c := range []struct {
		name string
		a, b pkt
	}{
		{"ipv4 id (a retransmission)", base4, mod(base4, func(k *pkt) { k.id = 8 })},
		{"tcp timestamp (an ipv6 retransmission)", base6, mod(base6, func(k *pkt) { k.tsval = 10 })},
		{"sequence", base4, mod(base4, func(k *pkt) { k.seq = 101 })},
		{"acknowledgement", base6, mod(base6, func(k *pkt) { k.ack = 201 })},
		{"flags", base4, mod(base4, func(k *pkt) { k.flags = TCPAck | TCPPsh })},
		{"window", base6, mod(base6, func(k *pkt) { k.window = 501 })},
		{"source port", base6, mod(base6, func(k *pkt) { k.sport = 40001 })},
		{"flow label", base6, mod(base6, func(k *pkt) { k.flow = 0x54321 })},
		{"ipv6 payload (no identification)", base6, mod(base6, func(k *pkt) { k.payload = "HELLO" })},
		{"ipv4 id 0 payload", pkt{proto: ProtoUDP, payload: "query 1"}, pkt{proto: ProtoUDP, payload: "query 2"}},
		{"length", base4, mod(base4, func(k *pkt) { k.payload = "hello!" })},
		{"ipv4 fragment offset", pkt{proto: ProtoUDP, id: 5, frag: 0x2000}, pkt{proto: ProtoUDP, id: 5, frag: 185}},
		{"ipv6 fragment offset", pkt{v6: true, proto: ProtoUDP, frag: 1, fragID: 5}, pkt{v6: true, proto: ProtoUDP, frag: 1480, fragID: 5}},
		{"ipv6 fragment identification", pkt{v6: true, proto: ProtoUDP, frag: 1480, fragID: 5}, pkt{v6: true, proto: ProtoUDP, frag: 1480, fragID: 6}},
		{"icmp sequence", pkt{proto: ProtoICMP, id: 3, seq: 1}, pkt{proto: ProtoICMP, id: 3, seq: 2}},
		{"version", pkt{proto: ProtoUDP}, pkt{v6: true, proto: ProtoUDP}},
	} {
		if ka, kb := keyOf(c.a, onEthernet), keyOf(c.b, onEthernet); ka == kb {
			t.Errorf("%s: the same key %x, want different ones", c.name, ka)
		}
	}
}

// sightingCase is a packet at a place and time, in a rule test.
type sightingCase struct {
	k       pkt
	input   int
	kind    int
	ifindex uint32
	at      time.Duration
	keep    bool
}

// TestDuplicateRule: the rule, case by case.
func TestDuplicateRule(t *testing.T) {
	a := pkt{id: 1, seq: 10}
	a6 := pkt{v6: true, seq: 10, tsval: 5}
	retx := pkt{id: 2, seq: 10}
	ms := time.Millisecond
	for _, c := range []struct {
		name string
		seen []sightingCase
	}{
		{"tcpdump -i any: veth, bridge, veth", []sightingCase{{a, 0, onSLL2, 5, 0, true}, {a, 0, onSLL2, 3, 0, false}, {a, 0, onSLL2, 7, 0, false}}},
		{"sender's node and receiver's node", []sightingCase{{a, 0, onEthernet, 0, 0, true}, {a, 1, onEthernet, 0, ms / 2, false}}},
		{"tunnel on the underlay and veth", []sightingCase{{a6, 0, onSLL2, 5, 0, true}, {a6, 0, onVXLAN, 0, ms / 100, false}, {a6, 1, onVXLAN, 0, ms / 5, false}, {a6, 1, onSLL2, 7, ms / 4, false}}},
		{"a retransmission with a new id", []sightingCase{{a, 0, onSLL2, 5, 0, true}, {a, 0, onSLL2, 3, 0, false}, {retx, 0, onSLL2, 5, ms, true}, {retx, 0, onSLL2, 3, ms, false}}},
		{"identical ipv6 packets on one interface", []sightingCase{{a6, 0, onEthernet, 0, 0, true}, {a6, 0, onEthernet, 0, ms / 10, true}, {a6, 0, onEthernet, 0, ms / 5, true}}},
		{"identical packets interleaved over two places", []sightingCase{{a6, 0, onSLL2, 5, 0, true}, {a6, 0, onSLL2, 5, ms / 10, true}, {a6, 1, onSLL2, 2, ms / 5, false}, {a6, 1, onSLL2, 2, ms / 4, false}, {a6, 1, onSLL2, 2, ms / 3, true}}},
		{"linux cooked v1 cannot tell", []sightingCase{{a6, 0, onSLL, 0, 0, true}, {a6, 0, onSLL, 0, ms / 10, false}, {a6, 1, onSLL2, 2, ms / 5, false}}},
		{"further apart than the span", []sightingCase{{a, 0, onSLL2, 5, 0, true}, {a, 1, onSLL2, 5, 21 * ms, true}}},
		{"a chain of copies within the span of each other", []sightingCase{{a, 0, onSLL2, 5, 0, true}, {a, 1, onSLL2, 5, 15 * ms, false}, {a, 2, onSLL2, 5, 30 * ms, false}}},
		{"out of order within the span", []sightingCase{{a, 0, onSLL2, 5, 10 * ms, true}, {a, 1, onSLL2, 5, 0, false}}},
		{"five places: the fifth counts as a copy", []sightingCase{{a, 0, onSLL2, 1, 0, true}, {a, 0, onSLL2, 2, 0, false}, {a, 0, onSLL2, 3, 0, false}, {a, 0, onSLL2, 4, 0, false}, {a, 0, onSLL2, 5, 0, false}, {a, 0, onSLL2, 6, 0, false}}},
	} {
		d := NewDedup(0)
		for i, s := range c.seen {
			link, data := wrap(s.k.ip(), s.kind, s.ifindex)
			p := decoded(link, data)
			p.Input, p.Timestamp = s.input, int64(time.Hour+s.at)
			if dup := d.Duplicate(p); dup == s.keep {
				t.Errorf("%s: packet %d kept %v, want %v", c.name, i, !dup, s.keep)
			}
		}
	}
}

// TestDuplicateNotIP: frames without IP are never copies.
func TestDuplicateNotIP(t *testing.T) {
	d := NewDedup(0)
	arp := frame(ethIPv4[:12], []byte{0x08, 0x06}, make([]byte, 28))
	for range 3 {
		if d.Duplicate(decoded(LinkEthernet, arp)) {
			t.Fatal("an ARP frame was taken for a copy")
		}
	}
}
