package main

import (
	"bytes"
	"encoding/binary"
	"path/filepath"

	"github.com/gopacket/gopacket/layers"
)

// The encapsulation fixtures wrap a few small real frames of eth-micro.pcap
// (IPv4 and IPv6, TCP, UDP, ICMP, and ARP where the encapsulation can carry
// it) in headers that hide the IP header behind something other than a
// VLAN tag. Each file is a few kilobytes.

// small picks every third frame of at most 200 bytes: ICMP, ICMPv6 with
// hop-by-hop options, ARP, TCP over both versions and DNS over UDP.
func small(frames []frame) []frame {
	var out []frame
	for i, f := range frames {
		if len(f.data) <= 200 && i%3 == 0 {
			out = append(out, f)
		}
	}
	return out
}

func be16b(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

// mplsEncap: an MPLS label stack (one label, or two with the bottom-of-stack
// bit on the second), unicast 0x8847 or multicast 0x8848 in turn, then the
// IP packet. Frames without IP travel as an Ethernet pseudowire with a
// control word (first nibble 0), which tshark dissects as Ethernet.
func mplsEncap(i int, eth []byte) []byte {
	label := func(v uint32, bottom bool) []byte {
		l := v<<12 | 64 // TTL 64
		if bottom {
			l |= 1 << 8
		}
		return binary.BigEndian.AppendUint32(nil, l)
	}
	typ := uint16(0x8847)
	if i%4 == 3 {
		typ = 0x8848
	}
	stack := label(1000+uint32(i), true)
	if i%2 == 1 {
		stack = cat(label(16, false), label(2000+uint32(i), true))
	}
	ip, _ := ipOf(eth)
	if ip == nil {
		return cat(macB, macA, be16b(typ), stack, []byte{0, 0, 0, 0}, eth)
	}
	return cat(eth[:12], be16b(typ), stack, ip)
}

// pppoeEncap: a PPPoE session header and the PPP protocol (0x0021 IPv4,
// 0x0057 IPv6). ARP cannot cross PPP: those frames become LCP echo
// requests (protocol 0xc021), control traffic without IP.
func pppoeEncap(i int, eth []byte) []byte {
	ip, v := ipOf(eth)
	proto, payload := uint16(0xc021), []byte{9, byte(i), 0, 8, 0, 0, 0, 0}
	switch v {
	case 4:
		proto, payload = 0x0021, ip
	case 6:
		proto, payload = 0x0057, ip
	}
	h := cat([]byte{0x11, 0x00}, be16b(0x1234), be16b(uint16(2+len(payload))))
	return cat(eth[:12], be16b(0x8864), h, be16b(proto), payload)
}

// pbbEncap: 802.1ah provider backbone bridging. Backbone addresses, a
// B-TAG (802.1ad, VLAN 10), the I-TAG with service identifier 0x010203,
// then the customer's whole Ethernet frame; every other one keeps a
// customer VLAN tag 20.
func pbbEncap(i int, eth []byte) []byte {
	inner := eth
	if i%2 == 1 {
		inner = cat(eth[:12], []byte{0x81, 0x00, 0x00, 20}, eth[12:])
	}
	bmacA := []byte{2, 0, 0, 0, 0xbb, 0x0a}
	bmacB := []byte{2, 0, 0, 0, 0xbb, 0x0b}
	return cat(bmacB, bmacA, []byte{0x88, 0xa8, 0x00, 10}, be16b(0x88e7), []byte{0x00, 0x01, 0x02, 0x03}, inner)
}

// vntagEncap: Cisco VN-Tag (0x8926, 4 bytes of tag) before the frame's
// own type.
func vntagEncap(i int, eth []byte) []byte {
	tag := []byte{0x80 | byte(i&0x3f), 0x01, 0x00, 0x02}
	return cat(eth[:12], be16b(0x8926), tag, eth[12:])
}

// macsecEncap: IEEE 802.1AE MACsec. Integrity-only frames (TCI: version 0,
// E and C clear) carry the frame's own type and payload in clear, then a
// 16-byte ICV; every other one has an explicit SCI (SC bit, 8 bytes).
// Every fifth frame is encrypted (E and C set): its payload is not IP to
// anyone without the key.
func macsecEncap(i int, eth []byte) []byte {
	tci := byte(0x00)
	var sci []byte
	if i%2 == 1 {
		tci |= 0x20
		sci = cat(macA, []byte{0, 1})
	}
	body := eth[12:]
	if i%5 == 4 {
		tci |= 0x0c
		body = bytes.Repeat([]byte{0x5a}, len(body))
	}
	pn := binary.BigEndian.AppendUint32(nil, uint32(i+1))
	icv := bytes.Repeat([]byte{0xc1}, 16)
	return cat(eth[:12], be16b(0x88e5), []byte{tci, 0}, pn, sci, body, icv)
}

// nshEncap: network service header (RFC 8300). MD type 2 without
// metadata (2 words) or MD type 1 with its 16 bytes of context (6 words);
// the next protocol is IPv4 (1), IPv6 (2) or, for every third frame and
// for frames without IP, the whole Ethernet frame (3).
func nshEncap(i int, eth []byte) []byte {
	ip, v := ipOf(eth)
	next, payload := byte(3), eth
	if ip != nil && i%3 != 2 {
		next, payload = byte(v/2-1), ip // 4 -> 1, 6 -> 2
	}
	md, words, ctx := byte(2), byte(2), []byte(nil)
	if i%2 == 1 {
		md, words, ctx = 1, 6, bytes.Repeat([]byte{0xcc}, 16)
	}
	base := []byte{0x0f, 0xc0 | words, md, next} // TTL 63
	sph := []byte{0x00, 0x00, 0x2a, 0xff}        // service path 42, index 255
	return cat(macB, macA, be16b(0x894f), base, sph, ctx, payload)
}

// pppEncap: link type 9, PPP with HDLC-like framing (address 0xff,
// control 0x03) then the protocol; every third frame leaves the address
// and control bytes out, as negotiated address-and-control-field
// compression allows. Frames without IP are dropped.
func pppEncap(i int, eth []byte) []byte {
	ip, v := ipOf(eth)
	if ip == nil {
		return nil
	}
	proto := uint16(0x0021)
	if v == 6 {
		proto = 0x0057
	}
	if i%3 == 2 {
		return cat(be16b(proto), ip)
	}
	return cat([]byte{0xff, 0x03}, be16b(proto), ip)
}

// pppHDLCEncap: link type 50, PPP in HDLC-like framing, and Cisco HDLC
// (address 0x0f, an Ethernet type) on every third frame, which the link
// type also covers.
func pppHDLCEncap(i int, eth []byte) []byte {
	ip, _ := ipOf(eth)
	if ip == nil {
		return nil
	}
	if i%3 == 2 {
		return cat([]byte{0x0f, 0x00}, eth[12:14], ip)
	}
	return pppEncap(0, eth)
}

// chdlcEncap: link type 104, Cisco HDLC: address 0x0f (unicast) or 0x8f
// (broadcast, every fourth frame), control 0, the Ethernet type. ARP
// does not cross it: those frames are dropped.
func chdlcEncap(i int, eth []byte) []byte {
	ip, _ := ipOf(eth)
	if ip == nil {
		return nil
	}
	addr := byte(0x0f)
	if i%4 == 3 {
		addr = 0x8f
	}
	return cat([]byte{addr, 0x00}, eth[12:14], ip)
}

// writeEncapsulations writes the encapsulation fixtures: the picked frames
// through each encapsulation (a header function), as nanosecond pcaps.
func writeEncapsulations(dir string, frames []frame) {
	eth, picked := layers.LinkTypeEthernet, small(frames)
	writeLinkType(filepath.Join(dir, "mpls.pcap"), eth, picked, mplsEncap)
	writeLinkType(filepath.Join(dir, "pppoe.pcap"), eth, picked, pppoeEncap)
	writeLinkType(filepath.Join(dir, "pbb.pcap"), eth, picked, pbbEncap)
	writeLinkType(filepath.Join(dir, "vntag.pcap"), eth, picked, vntagEncap)
	writeLinkType(filepath.Join(dir, "macsec.pcap"), eth, picked, macsecEncap)
	writeLinkType(filepath.Join(dir, "nsh.pcap"), eth, picked, nshEncap)
	writeLinkType(filepath.Join(dir, "ppp.pcap"), layers.LinkTypePPP, picked, pppEncap)
	writeLinkType(filepath.Join(dir, "ppp-hdlc.pcap"), layers.LinkType(50), picked, pppHDLCEncap)
	writeLinkType(filepath.Join(dir, "chdlc.pcap"), layers.LinkType(104), picked, chdlcEncap)
}
