package capture_test

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net/netip"
	"os"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
)

// Read a capture packet by packet. The Packet is reused: its Payload is
// valid until the next call to Next.
func ExampleOpen() {
	r, err := capture.Open("../../testdata/captures/eth-micro.pcap.gz")
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	var p capture.Packet
	for {
		err := r.Next(&p)
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err) // an *Error: file, offset and what to do
		}
		if p.Protocol == capture.ProtoTCP && p.TCPFlags&capture.TCPSyn != 0 && p.TCPFlags&capture.TCPAck == 0 {
			fmt.Printf("SYN %v -> %v, %d bytes on the wire\n", netip.AddrPortFrom(p.Src, p.SrcPort), netip.AddrPortFrom(p.Dst, p.DstPort), p.WireLen)
		}
	}
	s := r.Stats()
	fmt.Printf("%s, gzip %v, %v: %d packets (%d IP), %d bytes\n", s.Format, s.Compressed, s.LinkTypes, s.Packets, s.IPPackets, s.Bytes)
	// Output:
	// SYN 10.99.0.1:53998 -> 10.99.0.2:8000, 74 bytes on the wire
	// SYN 10.99.0.1:54006 -> 10.99.0.2:8000, 74 bytes on the wire
	// SYN [fd99::1]:47288 -> [fd99::2]:8000, 94 bytes on the wire
	// SYN 10.99.0.1:34299 -> 10.99.0.2:53, 74 bytes on the wire
	// SYN 10.99.0.1:49860 -> 10.99.0.2:9, 74 bytes on the wire
	// pcap, gzip true, [Ethernet (1)]: 102 packets (100 IP), 36589 bytes
}

// A capture cut short (here, its last 20 bytes lost) is read up to its
// last whole packet; Stats says where it was cut and Warnings says it to
// the user. With Options{Strict: true} the cut is Next's error instead.
// The file is 38245 bytes; its last record (16 + 54 bytes) starts at 38175.
func ExampleStats_Warnings() {
	b, err := os.ReadFile("../../testdata/captures/eth-micro.pcap")
	if err != nil {
		log.Fatal(err)
	}
	r, err := capture.NewReader(bytes.NewReader(b[:len(b)-20]), "cut.pcap")
	if err != nil {
		log.Fatal(err)
	}
	var p capture.Packet
	for r.Next(&p) == nil {
	}
	s := r.Stats()
	fmt.Printf("%d packets; cut at offset %d\n", s.Packets, s.Truncated.Offset)
	for _, w := range s.Warnings() {
		fmt.Printf("%s: %s\n", w.Kind, w.Message)
	}
	// Output:
	// 101 packets; cut at offset 38175
	// truncated: cut.pcap: offset 38175: capture cut short: the pcap record of 54 bytes starting here is incomplete (was the capture tool killed, or the copy cut short?); the 101 packets before it were read
}

// Read the captures of two nodes as one: in time order, node b's clock
// offset estimated from the packets both saw and corrected, the VXLAN
// tunnel between the nodes opened, and the copies of each packet (on the
// pod's veth, the bridge, the tunnel, the other node) counted once.
func ExampleOpenAll() {
	m, err := capture.OpenAll([]capture.Input{
		{Path: "../../testdata/captures/twonode-a.pcap.gz", Node: "node-a"},
		{Path: "../../testdata/captures/twonode-b.pcap.gz", Node: "node-b"},
	}, capture.Options{Inner: true, Dedup: true})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	var p capture.Packet
	kept := 0
	for m.Next(&p) == nil {
		kept++
	}
	for _, in := range m.Inputs() {
		fmt.Printf("%s: %d frames, %d copies dropped, clock %v\n", in.Node, in.Stats.Packets, in.Duplicates, in.Clock.Offset.Round(10*time.Microsecond))
	}
	fmt.Printf("%d packets kept\n", kept)
	// Output:
	// node-a: 168 frames, 122 copies dropped, clock 0s
	// node-b: 165 frames, 121 copies dropped, clock 3.76ms
	// 90 packets kept
}
