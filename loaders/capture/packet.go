package capture

import "net/netip"

// LinkType is a pcap/pcapng link-layer header type (LINKTYPE_* values).
type LinkType uint16

// Link types the decoder understands. Frames of any other link type are
// counted (frames, bytes) but carry no network layer.
const (
	LinkNull      LinkType = 0   // BSD loopback/null
	LinkEthernet  LinkType = 1   // Ethernet (with VLAN tags and the encapsulations of encap.go)
	LinkPPP       LinkType = 9   // PPP
	LinkPPPHDLC   LinkType = 50  // PPP in HDLC-like framing (or Cisco HDLC)
	LinkRaw       LinkType = 101 // raw IPv4/IPv6
	LinkCHDLC     LinkType = 104 // Cisco HDLC
	LinkLoop      LinkType = 108 // OpenBSD loopback
	LinkLinuxSLL  LinkType = 113 // Linux cooked capture v1
	LinkIPv4      LinkType = 228 // raw IPv4
	LinkIPv6      LinkType = 229 // raw IPv6
	LinkLinuxSLL2 LinkType = 276 // Linux cooked capture v2
)

// IP protocol numbers used by the decoder.
const (
	ProtoICMP   uint8 = 1
	ProtoTCP    uint8 = 6
	ProtoUDP    uint8 = 17
	ProtoICMPv6 uint8 = 58
)

// TCP flag bits, as in the TCP header's flags byte.
const (
	TCPFin uint8 = 0x01
	TCPSyn uint8 = 0x02
	TCPRst uint8 = 0x04
	TCPPsh uint8 = 0x08
	TCPAck uint8 = 0x10
	TCPUrg uint8 = 0x20
	TCPEce uint8 = 0x40
	TCPCwr uint8 = 0x80
)

// Fragment says where a frame's IP datagram sits among its fragments.
type Fragment uint8

const (
	NotFragment   Fragment = iota // a whole datagram
	FirstFragment                 // offset 0, more fragments follow: carries the transport header
	LaterFragment                 // offset > 0: no transport header; not counted as a new packet by transport-level statistics
)

// Packet is one decoded frame. Payload aliases the reader's buffer and is
// valid only until the next call to Reader.Next.
type Packet struct {
	// Timestamp is the Unix time in nanoseconds: the capture's own, or,
	// from a Merged read, corrected by its input's clock offset.
	Timestamp int64
	// WireLen is the original length on the wire (tshark's frame.len).
	// With Options.Inner it is the length of the analysed IP packet as a
	// frame on its pod's Ethernet link: its IP length and 14 bytes, which
	// stand for the link and tunnel headers in front of it and any
	// trailer (padding, a MACsec ICV).
	WireLen    uint32
	CaptureLen uint32   // bytes present in the capture
	Interface  uint32   // pcapng interface index (0 for pcap)
	LinkType   LinkType // link type of the frame's interface
	// Input is the index of the capture the packet comes from in a Merged
	// read (0 from a single Reader).
	Input int

	// Network layer. IPVersion is 0 when the frame carries no IP (ARP, LLDP,
	// an unknown link type or a frame too short to decode).
	IPVersion uint8
	Src, Dst  netip.Addr
	Protocol  uint8 // transport protocol, after IPv6 extension headers
	Fragment  Fragment

	// Transport layer, valid when HasTransport is true (TCP, UDP, ICMP and
	// ICMPv6 whose fixed header is in the capture: 20 bytes for TCP, 8 for
	// the others; never for a LaterFragment). For ICMP, SrcPort holds the
	// type and DstPort the code. Payload is what follows the transport
	// header (TCP options skipped), trimmed to the IP and UDP lengths so
	// that Ethernet padding is not part of it; nil when the snap length cut
	// the header.
	HasTransport bool
	SrcPort      uint16
	DstPort      uint16
	TCPFlags     uint8
	Payload      []byte

	// Frame is the whole captured frame (CaptureLen bytes of the link
	// type's framing), aliasing the reader's buffer like Payload.
	Frame []byte

	// What deduplication needs, set by the decoder: the IP packet the
	// addresses come from (header onward, trimmed to its length; nil
	// without IP), the offset of its transport header in it (0 when there
	// is none to read) and the interface index of a Linux cooked v2 frame
	// (0 otherwise). They alias the reader's buffer, as Payload does.
	ip      []byte
	l4      int
	ifindex uint32
}
