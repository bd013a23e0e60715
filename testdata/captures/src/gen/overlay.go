package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"log"
	"path/filepath"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// The overlay fixtures: cluster networks wrap pod-to-pod traffic between
// nodes in a tunnel whose outer addresses are the nodes'. vxlan.pcap,
// geneve.pcap and ipip.pcap wrap the small frames of eth-micro.pcap as
// the encapsulation fixtures do; twonode-a and twonode-b spread the real
// pod-to-pod traffic of node-bridge.pcap.gz over two nodes joined by
// VXLAN, as `tcpdump -i any` on each node would capture it.

// Underlay addresses of the two nodes.
var (
	nodeA4 = []byte{192, 168, 50, 1}
	nodeB4 = []byte{192, 168, 50, 2}
	nodeA6 = []byte{0xfd, 0, 0, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}
	nodeB6 = []byte{0xfd, 0, 0, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}
	macNA  = []byte{2, 0, 0, 0, 0x50, 1}
	macNB  = []byte{2, 0, 0, 0, 0x50, 2}
)

// udpOver is a UDP datagram from sport to dport over IPv4 (ID id, don't
// fragment) or IPv6 between the nodes, in an Ethernet frame. The UDP
// checksum is left 0, as Linux leaves it on VXLAN over IPv4.
func udpOver(v6 bool, id uint16, sport, dport uint16, payload []byte) []byte {
	u := make([]byte, 8)
	binary.BigEndian.PutUint16(u[0:], sport)
	binary.BigEndian.PutUint16(u[2:], dport)
	binary.BigEndian.PutUint16(u[4:], uint16(8+len(payload)))
	return ipOver(v6, id, 17, cat(u, payload))
}

// ipOver is an IP packet of protocol proto between the nodes, in an
// Ethernet frame.
func ipOver(v6 bool, id uint16, proto byte, payload []byte) []byte {
	if v6 {
		h := ipv6(nodeA6, nodeB6, proto, payload)
		return cat(macNB, macNA, be16b(0x86dd), h)
	}
	h := ipv4(nodeA4, nodeB4, proto, 0x4000, nil, payload)
	binary.BigEndian.PutUint16(h[4:], id)
	return cat(macNB, macNA, be16b(0x0800), h)
}

// vxlanEncap: VXLAN (flags 0x08: the VNI is valid; VNI 1), UDP port 4789,
// every other frame 8472 (the Linux default, flannel's), over IPv4.
func vxlanEncap(i int, eth []byte) []byte {
	port := uint16(4789)
	if i%2 == 1 {
		port = 8472
	}
	return udpOver(false, uint16(0x4000+i), uint16(40000+i), port, cat([]byte{0x08, 0, 0, 0, 0, 0, 1, 0}, eth))
}

// geneveEncap: Geneve on UDP 6081 over IPv6, carrying the Ethernet frame
// (protocol 0x6558), every other one with an 8-byte option (class 0x0102,
// type 0x80); every third IP frame is carried as IP (protocol 0x0800 or
// 0x86dd) without its Ethernet header.
func geneveEncap(i int, eth []byte) []byte {
	h := []byte{0, 0, 0x65, 0x58, 0, 0, 2, 0}
	var opt []byte
	if i%2 == 1 {
		h[0] = 2
		opt = []byte{0x01, 0x02, 0x80, 1, 0xde, 0xad, 0xbe, 0xef}
	}
	payload := eth
	if ip, v := ipOf(eth); ip != nil && i%3 == 2 {
		binary.BigEndian.PutUint16(h[2:], map[int]uint16{4: 0x0800, 6: 0x86dd}[v])
		payload = ip
	}
	return udpOver(true, 0, uint16(50000+i), 6081, cat(h, opt, payload))
}

// ipipEncap: IP in IP, the IP packet after the outer header, protocol 4
// for IPv4 and 41 for IPv6; the outer header is IPv4, every fourth one
// IPv6. IP in IP carries no ARP: those frames are left out.
func ipipEncap(i int, eth []byte) []byte {
	ip, v := ipOf(eth)
	if ip == nil {
		return nil
	}
	proto := byte(4)
	if v == 6 {
		proto = 41
	}
	return ipOver(i%4 == 3, uint16(0x6000+i), proto, ip)
}

// writeOverlays writes vxlan.pcap, geneve.pcap and ipip.pcap.
func writeOverlays(dir string, frames []frame) {
	eth, picked := layers.LinkTypeEthernet, small(frames)
	writeLinkType(filepath.Join(dir, "vxlan.pcap"), eth, picked, vxlanEncap)
	writeLinkType(filepath.Join(dir, "geneve.pcap"), eth, picked, geneveEncap)
	writeLinkType(filepath.Join(dir, "ipip.pcap"), eth, picked, ipipEncap)
}

// sll2 is a Linux cooked v2 header: protocol, interface index, ARPHRD
// Ethernet, packet type (0 to this host, 4 sent by it), the link-layer
// address.
func sll2(proto uint16, ifindex uint32, pkttype byte, mac []byte) []byte {
	h := make([]byte, 20)
	binary.BigEndian.PutUint16(h[0:], proto)
	binary.BigEndian.PutUint32(h[4:], ifindex)
	binary.BigEndian.PutUint16(h[8:], 1)
	h[10], h[11] = pkttype, 6
	copy(h[12:], mac)
	return h
}

// pcapBuf is a nanosecond pcap of Linux cooked v2 frames being written.
type pcapBuf struct {
	b bytes.Buffer
	w *pcapgo.Writer
}

func newSLL2Pcap() *pcapBuf {
	p := &pcapBuf{}
	p.w = pcapgo.NewWriterNanos(&p.b)
	if err := p.w.WriteFileHeader(262144, layers.LinkType(276)); err != nil {
		log.Fatal(err)
	}
	return p
}

// add writes a frame at t, wire bytes longer than captured by extra.
func (p *pcapBuf) add(t time.Time, data []byte, extra int) {
	ci := gopacket.CaptureInfo{Timestamp: t, CaptureLength: len(data), Length: len(data) + extra}
	if err := p.w.WritePacket(ci, data); err != nil {
		log.Fatal(err)
	}
}

func (p *pcapBuf) writeGz(path string) {
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	zw.Write(p.b.Bytes())
	zw.Close()
	write(path, out.Bytes())
}
