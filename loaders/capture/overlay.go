package capture

// Overlays. A cluster network wraps pod-to-pod traffic between nodes in a
// tunnel whose outer addresses are the nodes'. tshark, and this package by
// default, count such a frame by its outermost IP header; with
// Options.Inner the tunnel is opened and the frame counts by the packet
// inside, as its pod sent it, so that it is attributed to the pods and is
// the same IP packet as its copy captured on the pod's veth.

// Overlay ports and protocols (IANA, and Linux's VXLAN default).
const (
	portVXLAN      = 4789 // RFC 7348
	portVXLANLinux = 8472 // the Linux kernel's default, flannel's
	portGeneve     = 6081 // RFC 8926
	protoIPIP      = 4    // IPv4 inside IP (Calico's IP-in-IP)
	protoIPv6inIP  = 41   // IPv6 inside IP (6in4, SIT)
	etherTEB       = 0x6558
	// maxTunnels bounds the tunnels opened in one frame: a hostile frame
	// could otherwise nest them as deep as it is long.
	maxTunnels = 4
	// ethernetHeader is what the link and tunnel headers in front of the
	// analysed IP header, and the trailers after it, count as with
	// Options.Inner.
	ethernetHeader = 14
)

// inner opens the tunnels of a decoded frame, innermost last, and gives p
// the fields of the IP packet inside; frame is the frame p was decoded
// from. A tunnel whose content holds no IP header (an ARP inside VXLAN, a
// damaged inner frame) leaves p as it is: the frame counts by its outer
// header. Then WireLen becomes the analysed packet's length as a frame on
// an Ethernet link (ethernetLength). It returns what decoding the inner
// frames met.
func inner(p *Packet, frame []byte) status {
	var st status
	for range maxTunnels {
		et, b, e, ok := tunnel(p)
		if !ok {
			break
		}
		q := Packet{Timestamp: p.Timestamp, WireLen: p.WireLen, CaptureLen: p.CaptureLen,
			Interface: p.Interface, LinkType: p.LinkType, Input: p.Input, Frame: p.Frame, ifindex: p.ifindex}
		var s status
		if et == etherTEB {
			if len(b) < 14 {
				break
			}
			s = decodeEther(&q, be16(b[12:14]), b[14:])
		} else {
			s = decodeEther(&q, et, b)
		}
		if q.IPVersion == 0 {
			break
		}
		*p = q
		st |= s | crossed(e)
	}
	p.WireLen = ethernetLength(p, frame)
	return st
}

// ethernetLength is the length of p's IP packet as an Ethernet frame: 14
// bytes and the IP length (what follows the IP header's start on the wire
// when the IP length says 0, as segmentation offload leaves it, or more
// than there is). Link and tunnel headers, and trailers (Ethernet padding,
// a MACsec ICV), count as Ethernet's header. A frame without IP keeps its
// length, but for a Linux cooked header, which counts as Ethernet's.
func ethernetLength(p *Packet, frame []byte) uint32 {
	if p.ip == nil {
		return cookedAsEthernet(p)
	}
	// p.ip is a slice of frame: the difference of their capacities is
	// where the IP header starts.
	off := cap(frame) - cap(p.ip)
	if p.ip == nil || off < 0 || off > len(frame) || uint32(off) > p.WireLen {
		return p.WireLen
	}
	n := p.WireLen - uint32(off)
	var l uint32
	if p.IPVersion == 4 {
		l = uint32(be16(p.ip[2:4]))
	} else if be16(p.ip[4:6]) != 0 {
		l = 40 + uint32(be16(p.ip[4:6]))
	}
	if l != 0 && l < n {
		n = l
	}
	return n + ethernetHeader
}

// cookedAsEthernet is the length of a frame without IP as an Ethernet
// frame: a Linux cooked header counts as Ethernet's 14 bytes (ARP, say,
// seen with tcpdump -i any and on a bridge).
func cookedAsEthernet(p *Packet) uint32 {
	h := uint32(0)
	switch p.LinkType {
	case LinkLinuxSLL:
		h = 16
	case LinkLinuxSLL2:
		h = 20
	}
	if h == 0 || p.WireLen < h {
		return p.WireLen
	}
	return p.WireLen - h + ethernetHeader
}

// tunnel says whether p is a whole overlay datagram, and gives the type
// of what it carries (an Ethernet type, or etherTEB for an Ethernet frame)
// and where that starts.
func tunnel(p *Packet) (et uint16, b []byte, e encap, ok bool) {
	if p.Fragment != NotFragment || p.IPVersion == 0 {
		return 0, nil, 0, false
	}
	switch p.Protocol {
	case ProtoUDP:
		if !p.HasTransport {
			return 0, nil, 0, false
		}
		switch p.DstPort {
		case portVXLAN, portVXLANLinux:
			// Flags (the I bit says the VNI is valid), 3 reserved bytes,
			// VNI, 1 reserved byte; then an Ethernet frame.
			if len(p.Payload) < 8 || p.Payload[0]&0x08 == 0 {
				return 0, nil, 0, false
			}
			return etherTEB, p.Payload[8:], encapVXLAN, true
		case portGeneve:
			return geneve(p.Payload)
		}
	case protoIPIP, protoIPv6inIP:
		if p.l4 <= 0 || p.l4 > len(p.ip) {
			return 0, nil, 0, false
		}
		et = etherIPv4
		if p.Protocol == protoIPv6inIP {
			et = etherIPv6
		}
		return et, p.ip[p.l4:], encapIPIP, true
	}
	return 0, nil, 0, false
}

// geneve reads a Geneve header: version (0) and options length in 4-byte
// words, flags, protocol type (an Ethernet type; 0x6558 for Ethernet),
// VNI and a reserved byte, then the options.
func geneve(b []byte) (uint16, []byte, encap, bool) {
	if len(b) < 8 || b[0]>>6 != 0 {
		return 0, nil, 0, false
	}
	n := 8 + int(b[0]&0x3f)*4
	if len(b) < n {
		return 0, nil, 0, false
	}
	switch et := be16(b[2:4]); et {
	case etherTEB, etherIPv4, etherIPv6:
		return et, b[n:], encapGeneve, true
	}
	return 0, nil, 0, false
}
