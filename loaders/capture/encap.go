package capture

// Encapsulations that hide the IP header behind something other than a
// plain Ethernet type. Each is followed to the IP header inside, as tshark
// does, so that its frames count by their inner addresses; what cannot be
// followed (encrypted MACsec, an MPLS payload that is neither IP nor an
// Ethernet pseudowire, an unknown link type) is counted by reason so that
// the user is told, never dropped silently.

// More Ethernet types the decoder follows.
const (
	etherPPPoE     = 0x8864 // PPPoE session stage
	etherMPLS      = 0x8847 // MPLS unicast
	etherMPLSMulti = 0x8848 // MPLS multicast
	etherPBB       = 0x88e7 // 802.1ah provider backbone bridging (I-TAG)
	etherVNTag     = 0x8926 // Cisco VN-Tag
	etherMACsec    = 0x88e5 // 802.1AE MACsec
	etherNSH       = 0x894f // network service header (RFC 8300)

	// maxHeaders bounds the tags and encapsulations followed in one frame,
	// which a hostile frame could otherwise nest as deep as it is long.
	maxHeaders = 32
)

// encap is an encapsulation the decoder crosses, a bit of status above
// encapShift.
type encap uint8

const (
	encapPPPoE encap = iota
	encapMPLS
	encapPBB
	encapVNTag
	encapMACsec
	encapNSH
	encapVXLAN  // overlays, followed with Options.Inner only (overlay.go)
	encapGeneve //
	encapIPIP   //
	numEncaps
)

var encapNames = [numEncaps]string{
	encapPPPoE:  "PPPoE",
	encapMPLS:   "MPLS",
	encapPBB:    "802.1ah PBB",
	encapVNTag:  "VN-Tag",
	encapMACsec: "MACsec",
	encapNSH:    "NSH",
	encapVXLAN:  "VXLAN",
	encapGeneve: "Geneve",
	encapIPIP:   "IP in IP",
}

// Why a frame's IP header, if it has one, stayed out of reach: a 4-bit
// code of status above hiddenShift.
const (
	hiddenNone = iota
	hiddenLinkType
	hiddenMACsec
	hiddenMPLS
	hiddenNSH
	hiddenPPP
	numHidden
)

// hiddenText describes the frames of each reason, for Stats.Undecoded:
// what they are and why they count in no IP pair.
var hiddenText = [numHidden][2]string{
	hiddenMACsec: {"encrypted MACsec", "their IP headers cannot be read without the key (capture where MACsec ends, or before it begins)"},
	hiddenMPLS:   {"MPLS", "after the label stack they carry neither IP nor an Ethernet pseudowire with a control word"},
	hiddenNSH:    {"NSH", "their next protocol is none of IPv4, IPv6, Ethernet, NSH or MPLS"},
	hiddenPPP:    {"PPP", "they carry a network protocol other than IP or MPLS (compressed TCP/IP, say)"},
}

const (
	hiddenShift = 4
	encapShift  = 8

	// statusEnd ends decodeEncap without IP and without anything to
	// count (a PPP control protocol); it never leaves the decoder.
	statusEnd status = 1 << 3
)

func hidden(reason int) status { return status(reason) << hiddenShift }

func crossed(e encap) status { return 1 << (encapShift + status(e)) }

func (s status) hiddenReason() int { return int(s>>hiddenShift) & 0xf }

func (s status) encaps() uint16 { return uint16(s >> encapShift) }

// decodeEncap follows VLAN tags, LLC/SNAP and the encapsulations above
// from Ethernet type et with payload b down to an IP header.
func decodeEncap(p *Packet, et uint16, b []byte) status {
	var seen status
	for range maxHeaders {
		var st status
		switch et {
		case etherIPv4:
			return seen | decodeIPv4(p, b)
		case etherIPv6:
			return seen | decodeIPv6(p, b)
		case etherVLAN, etherQinQ, etherQinQ2:
			et, b, st = tagged(p, b, 2)
		case etherVNTag:
			seen |= crossed(encapVNTag)
			et, b, st = tagged(p, b, 4)
		case etherPBB:
			// I-TAG, then the customer's addresses and type.
			seen |= crossed(encapPBB)
			et, b, st = tagged(p, b, 16)
		case etherPPPoE:
			// Version and type, code, session ID, length; then PPP.
			seen |= crossed(encapPPPoE)
			if len(b) < 6 {
				return seen | short(p)
			}
			et, b, st = pppProtocol(p, b[6:])
		case etherMPLS, etherMPLSMulti:
			seen |= crossed(encapMPLS)
			et, b, st = mplsPayload(p, b)
		case etherMACsec:
			seen |= crossed(encapMACsec)
			et, b, st = macsecPayload(p, b)
		case etherNSH:
			seen |= crossed(encapNSH)
			et, b, st = nshPayload(p, b)
		default:
			// An 802.3 frame, whose type field is a length, with an
			// 802.2 LLC/SNAP header that carries an Ethernet type.
			if et >= 0x0600 || len(b) < 8 || b[0] != 0xaa || b[1] != 0xaa || b[2] != 0x03 || b[3]|b[4]|b[5] != 0 {
				return seen
			}
			et, b = be16(b[6:8]), b[8:]
		}
		if st != 0 {
			return seen | st&^statusEnd
		}
	}
	return seen | statusMalformed
}

// tagged steps over a tag of n bytes followed by an Ethernet type.
func tagged(p *Packet, b []byte, n int) (uint16, []byte, status) {
	if len(b) < n+2 {
		return 0, nil, short(p)
	}
	return be16(b[n : n+2]), b[n+2:], 0
}

// pppProtocol reads a PPP protocol field (one byte when it is odd, as
// protocol field compression allows) and maps IPv4, IPv6 and MPLS to their
// Ethernet types. Other network-layer protocols (below 0x4000) are hidden
// IP, or may be; control protocols (LCP, IPCP, …) carry none.
func pppProtocol(p *Packet, b []byte) (uint16, []byte, status) {
	if len(b) < 1 {
		return 0, nil, short(p)
	}
	proto := uint16(b[0])
	if b[0]&1 == 0 {
		if len(b) < 2 {
			return 0, nil, short(p)
		}
		proto = be16(b[0:2])
		b = b[2:]
	} else {
		b = b[1:]
	}
	switch proto {
	case 0x0021:
		return etherIPv4, b, 0
	case 0x0057:
		return etherIPv6, b, 0
	case 0x0281, 0x0283:
		return etherMPLS, b, 0
	}
	if proto < 0x4000 {
		return 0, nil, hidden(hiddenPPP)
	}
	return 0, nil, statusEnd
}

// decodePPPLink decodes link types PPP (9), PPP in HDLC-like framing (50)
// and Cisco HDLC (104): an address byte of 0xff (PPP, with control 0x03;
// left out under address-and-control-field compression) or 0x0f/0x8f
// (Cisco HDLC, with an Ethernet type), then the protocol.
func decodePPPLink(p *Packet, b []byte) status {
	if len(b) < 2 {
		return short(p)
	}
	var et uint16
	var st status
	switch {
	case (b[0] == 0x0f || b[0] == 0x8f) && b[1] == 0x00:
		et, b, st = tagged(p, b, 2)
	case b[0] == 0xff && b[1] == 0x03:
		et, b, st = pppProtocol(p, b[2:])
	default:
		et, b, st = pppProtocol(p, b)
	}
	if st != 0 {
		return st &^ statusEnd
	}
	return decodeEther(p, et, b)
}

// mplsPayload steps over an MPLS label stack to its bottom and tells the
// payload by its first nibble, as tshark does: 4 is IPv4, 6 is IPv6, 0 an
// Ethernet pseudowire with a control word (RFC 4448).
func mplsPayload(p *Packet, b []byte) (uint16, []byte, status) {
	for {
		if len(b) < 4 {
			return 0, nil, short(p)
		}
		bottom := b[2]&1 != 0
		b = b[4:]
		if bottom {
			break
		}
	}
	if len(b) < 1 {
		return 0, nil, short(p)
	}
	switch b[0] >> 4 {
	case 4:
		return etherIPv4, b, 0
	case 6:
		return etherIPv6, b, 0
	case 0:
		return tagged(p, b, 4+12)
	}
	return 0, nil, hidden(hiddenMPLS)
}

// macsecPayload steps over a MACsec SecTAG (TCI and association number,
// short length, packet number, and the secure channel identifier when the
// TCI's SC bit says so) to the protected frame's Ethernet type. An
// encrypted or modified payload (E or C bit) cannot be read; a frame
// captured whole loses its 16-byte ICV.
func macsecPayload(p *Packet, b []byte) (uint16, []byte, status) {
	if len(b) < 6 {
		return 0, nil, short(p)
	}
	tci, n := b[0], 6
	if tci&0x20 != 0 {
		n += 8
	}
	if tci&0x0c != 0 {
		return 0, nil, hidden(hiddenMACsec)
	}
	if p.CaptureLen >= p.WireLen && len(b) >= n+2+16 {
		b = b[:len(b)-16]
	}
	return tagged(p, b, n)
}

// nshPayload steps over a network service header (RFC 8300): base header
// with its length in 4-byte words and next protocol, service path header,
// context headers.
func nshPayload(p *Packet, b []byte) (uint16, []byte, status) {
	if len(b) < 8 {
		return 0, nil, short(p)
	}
	n := int(b[1]&0x3f) * 4
	if b[0]>>6 != 0 || n < 8 {
		return 0, nil, statusMalformed
	}
	if len(b) < n {
		return 0, nil, short(p)
	}
	next, b := b[3], b[n:]
	switch next {
	case 1:
		return etherIPv4, b, 0
	case 2:
		return etherIPv6, b, 0
	case 3:
		return tagged(p, b, 12)
	case 4:
		return etherNSH, b, 0
	case 5:
		return etherMPLS, b, 0
	}
	return 0, nil, hidden(hiddenNSH)
}
