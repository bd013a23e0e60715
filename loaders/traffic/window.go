package traffic

import (
	"net/netip"
	"time"
)

// NoTag is the tag of an address a Tagger does not know.
const NoTag int32 = -1

// A Tagger labels an address at an instant, typically with the entity (pod
// or service instance) that held it then. Tags become part of the pair key,
// so an IP reused by a new pod inside one window yields two pairs.
type Tagger interface {
	Tag(ip netip.Addr, ts int64) int32
}

// Window is one time window of one window size, after aggregation.
type Window struct {
	Index   int   // 0 for the window that starts at t0
	Start   int64 // Unix ns, inclusive
	End     int64 // Unix ns, exclusive
	Partial bool  // the capture ended inside this window

	Packets uint64 // all frames, IP or not
	Bytes   uint64 // wire bytes of all frames

	Pairs     []Pair     // per directed IP pair, sorted by (Src, Dst, SrcTag, DstTag)
	Endpoints []Endpoint // connection initiations per (Src, Dst, Protocol, Port); only with Config.Details
	DNS       []DNSGroup // DNS queries per (Src, Dst, Domain); only with Config.Details
	// Flows per transport conversation direction, largest first, at most
	// MaxFlows; only with Config.Details and in windows of the first size
	// (the finest, in the engine). FlowsDropped counts the flows beyond.
	Flows        []Flow
	FlowsDropped uint64
}

// StartTime and EndTime return the window bounds as time.Time in UTC.
func (w *Window) StartTime() time.Time { return time.Unix(0, w.Start).UTC() }
func (w *Window) EndTime() time.Time   { return time.Unix(0, w.End).UTC() }

// Pair is the traffic of one directed IP pair in one window.
type Pair struct {
	Src, Dst       netip.Addr
	SrcTag, DstTag int32 // NoTag without a Tagger
	Frames         uint64
	Bytes          uint64 // wire bytes (frame.len)
	Conns          uint32 // connection initiations: TCP SYN without ACK
	// ClientBytes are the wire bytes of the TCP and UDP frames sent from
	// the client side of their conversation, taken to be the side with the
	// higher port (servers listen on the lower, ephemeral ports are high).
	// It tells requests from responses in every window of a long-lived
	// connection, not only in the one that holds its SYN.
	ClientBytes uint64
	First, Last int64 // Unix ns of the first and last frame in the window
}

// Endpoint counts the initiations from Src towards one service endpoint
// Dst:Port. It is what fan-out (scans, lateral movement) is measured on.
// What counts as an initiation: a TCP SYN without ACK; a UDP datagram whose
// destination port is the well-known side (lower than the source port, or
// 53); an ICMP/ICMPv6 echo request (Port 0). Later fragments never count.
type Endpoint struct {
	Src, Dst       netip.Addr
	SrcTag, DstTag int32
	Protocol       uint8
	Port           uint16
	Count          uint32
}

// DNSGroup summarises the DNS queries from Src to Dst for one registered
// domain (eTLD+1 of the query name) in one window.
type DNSGroup struct {
	Src, Dst       netip.Addr
	SrcTag, DstTag int32
	Domain         string  // registered domain, lower case, no trailing dot
	Queries        uint32  // query messages (QR=0)
	Responses      uint32  // response messages (QR=1), counted on the reverse pair's group
	Names          uint32  // distinct query names (exact up to NameCap, a lower bound beyond)
	NameLenSum     uint64  // sum of query-name lengths over queries
	MaxNameLen     uint16  // longest query name
	EntropySum     float64 // sum over queries of the Shannon entropy (bits/char) of the name's labels left of Domain
	MaxEntropy     float64
	UnusualTypes   uint32 // queries of type TXT, NULL, ANY or unknown
	NXDomain       uint32 // responses with rcode NXDOMAIN
	Bytes          uint64 // wire bytes of the DNS messages in this group
	Examples       []string
}

// NameCap bounds the distinct names tracked per DNSGroup so memory stays
// bounded under a DNS tunnel; Names is a lower bound beyond it.
const NameCap = 4096

// MaxExamples is how many example query names a DNSGroup keeps (the
// longest): the evidence an analyst reads of a suspected tunnel.
const MaxExamples = 10
