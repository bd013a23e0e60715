// Package capture reads packet captures in one streaming pass.
//
// It reads pcap (micro- and nanosecond timestamps, either byte order, and
// the "modified" pcap of Kuznetzov's patches) and pcapng (several sections
// and interfaces, each interface with its own link type, timestamp
// resolution and offset; blocks of unknown types are skipped), either of
// them gzip-compressed (detected by magic bytes, not by file name), from a
// file or from standard input ("-").
//
// Each frame is decoded into a Packet: timestamp, original wire length
// (what tshark calls frame.len), IPv4/IPv6 addresses, transport protocol,
// ports, TCP flags and transport payload. The link types decoded are
// Ethernet, Linux cooked capture v1 and v2, raw IP (101, 228, 229), BSD
// loopback (0, 108), PPP (9), PPP in HDLC-like framing (50) and Cisco
// HDLC (104). Inside Ethernet the decoder follows 802.1Q, 802.1ad and
// 0x9100 VLAN tags, 802.3 LLC/SNAP, PPPoE sessions, MPLS label stacks,
// 802.1ah PBB, VN-Tag, unencrypted MACsec and NSH to the IP header, as
// tshark does (TestOracleTshark in loaders/traffic); frames whose IP
// header stays out of reach (encrypted MACsec, a link type not decoded)
// are counted by reason in Stats.Undecoded. IPv6 extension headers
// (hop-by-hop, routing, destination options, fragment, AH) are followed
// to the transport header. ParseDNS reads DNS messages from transport
// payloads.
//
// The framing is this package's own rather than gopacket's pcapgo, which
// it is tested against (TestFramingMatchesPcapgo): it gives errors with
// the offset of the damaged record, keeps reading past records it can
// step over (counting them in Stats), computes binary (2^-n) pcapng
// resolutions exactly where pcapgo drifts by up to 0.7 ms, and frames a
// record where it lies in the read buffer, in half the CPU time of
// pcapgo's zero-copy reader (BenchmarkFramingPcap against
// BenchmarkFramingPcapgoPcap, and the same for pcapng). Decoding is
// hand-written for the same reason, about eight times faster than
// gopacket's DecodingLayerParser (BenchmarkDecodeHandwritten against
// BenchmarkDecodeLayerParser), and checked against gopacket's layers
// (TestDecodeMatchesGopacket).
//
// Reading allocates nothing per packet: the Packet and its Payload alias
// the reader's buffer until the next call to Next. Memory is one read
// buffer (256 KiB, larger only for a larger record, at most 16 MiB),
// however long the capture.
//
// Bad input never panics: a capture that cannot be read on gives an
// *Error with the file, the offset and what to do; records that can be
// stepped over are skipped and counted (Stats.Skipped), among them records
// whose fields cannot be right; frames whose headers cannot be decoded are
// returned with what could be decoded and counted (Stats.Malformed,
// Stats.Snapped). The input policy is decided here, once, for every
// caller: a capture cut short (a capture tool killed mid-record, a gzip
// stream cut short) is read up to its last whole packet and the cut
// recorded (Stats.Truncated), unless Options.Strict makes it an error;
// capture files joined with cat are read part by part (Stats.Concatenated).
// Stats.Warnings turns all of this into the messages a user is shown.
//
// Overlays. With Options.Inner the decoder opens the tunnels of cluster
// networks (VXLAN on UDP 4789 and 8472, Geneve on 6081, IP in IP:
// protocols 4 and 41) and a frame counts by the packet inside, its length
// that packet's as an Ethernet frame (14 bytes and its IP length), so
// that the same packet counts the same on a pod's veth, with tcpdump -i
// any, on a bridge or inside the tunnel on the underlay. Without it,
// frames count as tshark counts them, by the outermost IP header.
//
// Several captures. OpenAll reads captures (one per node, say) as one
// stream in timestamp order (a k-way merge that keeps each input's own
// order; memory one packet and one buffer per input). Node clocks differ:
// the offset of each capture's clock to the first one's is estimated from
// the packets seen in both (Key; the median over flows of the mean of the
// two directions' median time differences, so the transit time cancels)
// in a bounded prefix of each input, which the merge then reads again; or
// it is given (Input.Offset). With Options.Dedup, the copies of a packet
// seen on several interfaces or in several captures are dropped: Dedup is
// the one rule, and Key what it compares. Merged.Inputs reports each
// capture's counts, node, clock and copies.
package capture
