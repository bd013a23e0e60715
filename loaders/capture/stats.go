package capture

import "fmt"

// Capture file formats.
const (
	FormatPcap   = "pcap"
	FormatPcapng = "pcapng"
)

// Stats describes what a Reader has read so far.
type Stats struct {
	Format     string     // FormatPcap or FormatPcapng
	Compressed bool       // the input was gzip-compressed
	LinkTypes  []LinkType // link types of the interfaces defined so far, distinct, in file order
	Interfaces int        // interfaces defined (1 for pcap; every IDB of every section for pcapng)

	Packets   uint64 // frames returned by Next
	Bytes     uint64 // their original wire length (frame.len), summed
	IPPackets uint64 // frames with an IPv4 or IPv6 header (Packet.IPVersion != 0)
	NonIP     uint64 // the other frames (ARP, LLDP, unknown link types, frames too short to decode)

	// Skipped counts records that are not returned by Next although reading
	// went on past them; SkipReasons says why.
	Skipped     uint64
	SkipReasons []SkipReason

	// Malformed counts frames with a header that cannot be decoded (a bad
	// IP header length, a TCP data offset below 20, a header cut short
	// although the frame was captured whole). They are still returned.
	Malformed uint64
	// Snapped counts frames the capture's snap length cut inside a header
	// the decoder needed (transport ports, say). They are still returned.
	Snapped uint64
	// UnknownBlocks counts pcapng blocks of types the reader skips
	// (custom blocks, newer block types).
	UnknownBlocks uint64

	OutOfOrder  uint64 // frames whose timestamp is earlier than the latest one before them
	First, Last int64  // earliest and latest timestamp, Unix ns (0 before the first packet)
	FirstInFile int64  // timestamp of the first packet in file order, Unix ns
}

// SkipReason counts skipped records with one cause.
type SkipReason struct {
	Reason string
	Count  uint64
}

// skip causes, indexes into Reader.skips.
const (
	skipNoInterface = iota
	skipBadInterface
	skipBlockShort
	skipTooLarge
	skipSimplePacket
	numSkips
)

var skipText = [numSkips]string{
	skipNoInterface:  "packet block for an interface the section does not define",
	skipBadInterface: "packet on an interface with an unusable timestamp resolution",
	skipBlockShort:   "packet block shorter than the packet it says it holds",
	skipTooLarge:     fmt.Sprintf("packet larger than %d bytes", maxPacket),
	skipSimplePacket: "simple packet block (it carries no timestamp, so it has no window)",
}

// String names the link type as tshark's capinfos does, with its number.
func (l LinkType) String() string {
	name := ""
	switch l {
	case LinkNull:
		name = "BSD loopback"
	case LinkEthernet:
		name = "Ethernet"
	case LinkRaw, linkRawBSD12, linkRawBSD14:
		name = "Raw IP"
	case LinkLoop:
		name = "OpenBSD loopback"
	case LinkLinuxSLL:
		name = "Linux cooked-mode capture v1"
	case LinkIPv4:
		name = "Raw IPv4"
	case LinkIPv6:
		name = "Raw IPv6"
	case LinkLinuxSLL2:
		name = "Linux cooked-mode capture v2"
	default:
		return fmt.Sprintf("link type %d (not decoded)", uint16(l))
	}
	return fmt.Sprintf("%s (%d)", name, uint16(l))
}

// Supported reports whether the decoder finds IP headers in frames of this
// link type.
func (l LinkType) Supported() bool {
	switch l {
	case LinkNull, LinkEthernet, LinkRaw, linkRawBSD12, linkRawBSD14, LinkLoop,
		LinkLinuxSLL, LinkIPv4, LinkIPv6, LinkLinuxSLL2:
		return true
	}
	return false
}

// Some BSDs wrote their DLT_RAW value (12 or 14) into pcap files instead of
// LINKTYPE_RAW; libpcap and Wireshark read both as raw IP.
const (
	linkRawBSD12 LinkType = 12
	linkRawBSD14 LinkType = 14
)
