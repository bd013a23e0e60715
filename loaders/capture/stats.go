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

	// Truncated says where a capture that ends inside a record was cut
	// short; nil when it ends cleanly. Every packet before the cut was
	// read. (With Options.Strict the cut is an error instead.)
	Truncated *Truncation
	// Concatenated counts capture file headers met where a record was
	// expected: files joined with cat. Each part is read with its own
	// header. ConcatenatedAt is the offset of the first such header.
	Concatenated   uint64
	ConcatenatedAt int64
	// Encapsulations counts the frames decoded through each encapsulation
	// (PPPoE, MPLS, 802.1ah PBB, VN-Tag, MACsec, NSH; with Options.Inner
	// the overlays VXLAN, Geneve and IP in IP), those seen only.
	Encapsulations []Count
	// Duplicates counts the frames a Merged read with Options.Dedup did
	// not return: copies of a packet read before them (Dedup).
	Duplicates uint64
	// Undecoded counts, by reason, frames whose IP header (if they have
	// one) the decoder cannot reach: frames of a link type it does not
	// decode, encrypted MACsec, an MPLS payload that is not IP. They are
	// among NonIP and count in no IP pair.
	Undecoded []Undecoded
}

// Truncation describes where a capture was cut short.
type Truncation struct {
	Packets uint64 `json:"packets_read"` // whole packets read before the cut
	// Offset is where the incomplete record (or the damaged part of a cut
	// gzip stream) starts: in the decompressed stream when Decompressed.
	Offset       int64  `json:"offset"`
	Decompressed bool   `json:"offset_is_decompressed"`
	Message      string `json:"message"` // the file, the offset and what happened, for the user
}

// SkipReason counts skipped records with one cause.
type SkipReason struct {
	Reason string
	Count  uint64
	// BadRecord: the record's own fields cannot be right (a timestamp's
	// fraction of a second that is a second or more, an impossible
	// original length).
	BadRecord bool
}

// Count is a number of frames with one property.
type Count struct {
	What   string `json:"what"`
	Frames uint64 `json:"frames"`
}

// Undecoded counts frames whose IP header stays hidden for one reason.
type Undecoded struct {
	What   string `json:"what"` // "encrypted MACsec", "IEEE 802.11 Wireless LAN (105)"
	Why    string `json:"why"`  // why they count in no IP pair
	Frames uint64 `json:"frames"`
}

// skip causes, indexes into Reader.skips.
const (
	skipNoInterface = iota
	skipBadInterface
	skipBlockShort
	skipTooLarge
	skipSimplePacket
	skipBadMicro
	skipBadNano
	skipBadLength
	numSkips
)

// firstBadSkip is the first cause that is a bad record: fields that
// cannot be right rather than a record the reader cannot place.
const firstBadSkip = skipBadMicro

var skipText = [numSkips]string{
	skipNoInterface:  "packet block for an interface the section does not define",
	skipBadInterface: "packet on an interface with an unusable timestamp resolution",
	skipBlockShort:   "packet block shorter than the packet it says it holds",
	skipTooLarge:     fmt.Sprintf("packet larger than %d bytes", maxPacket),
	skipSimplePacket: "simple packet block (it carries no timestamp, so it has no window)",
	skipBadMicro:     "microseconds field of 1 000 000 or more",
	skipBadNano:      "nanoseconds field of 1 000 000 000 or more",
	skipBadLength:    fmt.Sprintf("original length above %d KiB and far above the snap length", maxPacket>>10),
}

// Some BSDs wrote their DLT_RAW value (12 or 14) into pcap files instead of
// LINKTYPE_RAW; libpcap and Wireshark read both as raw IP.
const (
	linkRawBSD12 LinkType = 12
	linkRawBSD14 LinkType = 14
)
