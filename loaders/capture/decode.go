package capture

import (
	"encoding/binary"
	"net/netip"
)

// Decoding is hand-written rather than done with gopacket's
// DecodingLayerParser: it fills only the fields a Packet has, allocates
// nothing, and is several times faster (BenchmarkDecodeHandwritten against
// BenchmarkDecodeLayerParser in bench_test.go). TestDecodeMatchesGopacket
// checks it against gopacket's layers on every fixture.

// status says what the decoder met in a frame besides its addresses: what
// went wrong (low bits), why an IP header stayed hidden (hiddenShift) and
// which encapsulations it crossed (encapShift). Zero is the common case,
// so the reader counts nothing more for most frames.
type status uint32

const (
	statusMalformed status = 1 << iota // a header that makes no sense
	statusSnapped                      // the snap length cut a needed header
)

// Ethernet types and address families the decoder follows.
const (
	etherIPv4  = 0x0800
	etherIPv6  = 0x86dd
	etherVLAN  = 0x8100 // 802.1Q
	etherQinQ  = 0x88a8 // 802.1ad
	etherQinQ2 = 0x9100 // pre-standard QinQ

	ipProtoHopByHop = 0
	ipProtoRouting  = 43
	ipProtoFragment = 44
	ipProtoAH       = 51
	ipProtoDestOpts = 60

	// maxExtHeaders bounds the IPv6 extension header chain, which a
	// hostile frame could otherwise make as long as the frame.
	maxExtHeaders = 16
)

func be16(b []byte) uint16 { return binary.BigEndian.Uint16(b) }

// short is the status of a frame that ends before a header the decoder
// needs: cut by the snap length, or malformed when it was captured whole.
func short(p *Packet) status {
	if p.CaptureLen < p.WireLen {
		return statusSnapped
	}
	return statusMalformed
}

// decode fills p's network and transport fields from the frame b. The
// framing fields (Timestamp, lengths, LinkType) are already set and the
// others are zero.
func decode(p *Packet, b []byte) status {
	switch p.LinkType {
	case LinkEthernet:
		if len(b) < 14 {
			return short(p)
		}
		return decodeEther(p, be16(b[12:14]), b[14:])
	case LinkLinuxSLL:
		// packet type, ARPHRD type, address length, 8 address bytes, protocol
		if len(b) < 16 {
			return short(p)
		}
		return decodeEther(p, be16(b[14:16]), b[16:])
	case LinkLinuxSLL2:
		// protocol, reserved, interface index, ARPHRD type, packet type,
		// address length, 8 address bytes
		if len(b) < 20 {
			return short(p)
		}
		p.ifindex = binary.BigEndian.Uint32(b[4:8])
		return decodeEther(p, be16(b[0:2]), b[20:])
	case LinkRaw, linkRawBSD12, linkRawBSD14:
		if len(b) < 1 {
			return short(p)
		}
		switch b[0] >> 4 {
		case 4:
			return decodeIPv4(p, b)
		case 6:
			return decodeIPv6(p, b)
		}
		return statusMalformed
	case LinkIPv4:
		return decodeIPv4(p, b)
	case LinkIPv6:
		return decodeIPv6(p, b)
	case LinkNull:
		// The address family, in the byte order of the host that
		// captured: a value with high bits set is the other order.
		if len(b) < 4 {
			return short(p)
		}
		fam := binary.LittleEndian.Uint32(b)
		if fam&0xffff0000 != 0 {
			fam = binary.BigEndian.Uint32(b)
		}
		return decodeFamily(p, fam, b[4:])
	case LinkLoop:
		if len(b) < 4 {
			return short(p)
		}
		return decodeFamily(p, binary.BigEndian.Uint32(b), b[4:])
	case LinkPPP, LinkPPPHDLC, LinkCHDLC:
		return decodePPPLink(p, b)
	}
	return hidden(hiddenLinkType)
}

// decodeFamily decodes the payload of a loopback frame by its BSD address
// family: AF_INET is 2 everywhere, AF_INET6 differs between systems
// (Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30).
func decodeFamily(p *Packet, fam uint32, b []byte) status {
	switch fam {
	case 2:
		return decodeIPv4(p, b)
	case 10, 24, 28, 30:
		return decodeIPv6(p, b)
	}
	return 0
}

// decodeEther decodes the payload b of Ethernet type et. IP directly is
// the fast path; tags and encapsulations take decodeEncap.
func decodeEther(p *Packet, et uint16, b []byte) status {
	switch et {
	case etherIPv4:
		return decodeIPv4(p, b)
	case etherIPv6:
		return decodeIPv6(p, b)
	}
	return decodeEncap(p, et, b)
}

func decodeIPv4(p *Packet, b []byte) status {
	if len(b) < 20 {
		return short(p)
	}
	if b[0]>>4 != 4 {
		return statusMalformed
	}
	ihl := int(b[0]&0x0f) * 4
	total := int(be16(b[2:4]))
	// Like Wireshark, take no addresses from a header whose lengths are
	// impossible. A total length of 0 is what TCP segmentation offload
	// leaves in captures taken on the sending host.
	if ihl < 20 || (total != 0 && total < ihl) {
		return statusMalformed
	}
	p.IPVersion = 4
	p.Src = netip.AddrFrom4([4]byte(b[12:16]))
	p.Dst = netip.AddrFrom4([4]byte(b[16:20]))
	p.Protocol = b[9]
	if total != 0 && total < len(b) {
		b = b[:total] // drop Ethernet padding
	}
	p.ip = b
	switch frag := be16(b[6:8]); {
	case frag&0x1fff != 0:
		p.Fragment = LaterFragment
		return 0
	case frag&0x2000 != 0:
		p.Fragment = FirstFragment
	}
	if ihl > len(b) {
		return short(p)
	}
	t := b[ihl:]
	proto := p.Protocol
	if proto == ipProtoAH {
		if len(t) < 2 {
			return short(p)
		}
		n := (int(t[1]) + 2) * 4
		if n > len(t) {
			return short(p)
		}
		proto, t = t[0], t[n:]
	}
	p.l4 = len(b) - len(t)
	return decodeTransport(p, proto, t)
}

func decodeIPv6(p *Packet, b []byte) status {
	if len(b) < 40 {
		return short(p)
	}
	if b[0]>>4 != 6 {
		return statusMalformed
	}
	p.IPVersion = 6
	p.Src = netip.AddrFrom16([16]byte(b[8:24]))
	p.Dst = netip.AddrFrom16([16]byte(b[24:40]))
	// A payload length of 0 is a jumbogram or segmentation offload: the
	// frame's own length is all there is to go by.
	if n := 40 + int(be16(b[4:6])); n > 40 && n < len(b) {
		b = b[:n]
	}
	p.ip = b
	nh, t := b[6], b[40:]
	for range maxExtHeaders {
		var n int
		switch nh {
		case ipProtoHopByHop, ipProtoRouting, ipProtoDestOpts:
			if len(t) < 2 {
				p.Protocol = nh
				return short(p)
			}
			n = (int(t[1]) + 1) * 8
		case ipProtoAH:
			if len(t) < 2 {
				p.Protocol = nh
				return short(p)
			}
			n = (int(t[1]) + 2) * 4
		case ipProtoFragment:
			if len(t) < 8 {
				p.Protocol = nh
				return short(p)
			}
			frag := be16(t[2:4])
			if frag>>3 != 0 {
				p.Protocol = t[0]
				p.Fragment = LaterFragment
				p.l4 = len(b) - len(t) + 8 // after the fragment header
				return 0
			}
			if frag&1 != 0 {
				p.Fragment = FirstFragment
			}
			n = 8
		default:
			p.l4 = len(b) - len(t)
			return decodeTransport(p, nh, t)
		}
		if n > len(t) {
			p.Protocol = nh
			return short(p)
		}
		nh, t = t[0], t[n:]
	}
	p.Protocol = nh
	return statusMalformed
}

func decodeTransport(p *Packet, proto uint8, t []byte) status {
	p.Protocol = proto
	switch proto {
	case ProtoTCP:
		if len(t) < 20 {
			return short(p)
		}
		p.SrcPort, p.DstPort = be16(t[0:2]), be16(t[2:4])
		p.TCPFlags = t[13]
		p.HasTransport = true
		off := int(t[12]>>4) * 4
		if off < 20 {
			return statusMalformed
		}
		if off > len(t) {
			return short(p)
		}
		p.Payload = t[off:]
	case ProtoUDP:
		if len(t) < 8 {
			return short(p)
		}
		p.SrcPort, p.DstPort = be16(t[0:2]), be16(t[2:4])
		p.HasTransport = true
		pl := t[8:]
		if n := int(be16(t[4:6])); n >= 8 && n-8 < len(pl) {
			pl = pl[:n-8]
		}
		p.Payload = pl
	case ProtoICMP, ProtoICMPv6:
		if len(t) < 8 {
			return short(p)
		}
		p.SrcPort, p.DstPort = uint16(t[0]), uint16(t[1])
		p.HasTransport = true
		p.Payload = t[8:]
	}
	return 0
}
