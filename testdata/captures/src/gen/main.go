// Command gen writes the hand-built capture fixtures of testdata/captures:
// link types and formats that a real capture on this machine cannot give
// (BSD loopback, raw IP, VLAN tags, big-endian pcap, pcapng with several
// timestamp resolutions, offsets, sections and unknown blocks, IPv6
// extension headers, malformed frames). Where it can, it re-encapsulates
// the real frames of eth-micro.pcap, so the traffic itself stays real.
//
// Run from the repository root: go run ./testdata/captures/src/gen testdata/captures
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

type frame struct {
	ci   gopacket.CaptureInfo
	data []byte
}

func main() {
	log.SetFlags(0)
	if len(os.Args) != 2 {
		log.Fatal("usage: gen OUTDIR")
	}
	dir := os.Args[1]
	frames := readPcap(filepath.Join(dir, "eth-micro.pcap"))

	writeBigEndian(filepath.Join(dir, "be-micro.pcap"), frames)
	writeLinkType(filepath.Join(dir, "null.pcap"), layers.LinkTypeNull, frames, nullHeader)
	writeLinkType(filepath.Join(dir, "loop.pcap"), layers.LinkTypeLoop, frames, loopHeader)
	writeLinkType(filepath.Join(dir, "raw.pcap"), layers.LinkTypeRaw, frames, rawHeader(0))
	writeLinkType(filepath.Join(dir, "raw-ipv4.pcap"), layers.LinkTypeIPv4, frames, rawHeader(4))
	writeLinkType(filepath.Join(dir, "raw-ipv6.pcap"), layers.LinkType(229), frames, rawHeader(6))
	writeVLAN(filepath.Join(dir, "vlan.pcap"), frames)
	writeHeaders(filepath.Join(dir, "headers.pcap"))
	writeNg(filepath.Join(dir, "ngopts.pcapng"), frames)
	writeEncapsulations(dir, frames)
	writeOverlays(dir, frames)
	writeTwoNode(dir)
}

// readPcap reads a pcap, gzip-compressed when its name ends in .gz.
func readPcap(path string) []frame {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	var src io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		if src, err = gzip.NewReader(f); err != nil {
			log.Fatal(err)
		}
	}
	r, err := pcapgo.NewReader(src)
	if err != nil {
		log.Fatal(err)
	}
	var out []frame
	for {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			return out
		}
		if err != nil {
			log.Fatal(err)
		}
		out = append(out, frame{ci, data})
	}
}

// ipOf returns the IP packet of an untagged Ethernet frame and its
// version, or nil.
func ipOf(eth []byte) ([]byte, int) {
	if len(eth) < 15 {
		return nil, 0
	}
	switch binary.BigEndian.Uint16(eth[12:14]) {
	case 0x0800:
		return eth[14:], 4
	case 0x86dd:
		return eth[14:], 6
	}
	return nil, 0
}

// writeBigEndian writes frames as a big-endian microsecond pcap, which
// pcapgo cannot write: header and record fields byte-swapped.
func writeBigEndian(path string, frames []frame) {
	var b bytes.Buffer
	be := binary.BigEndian
	h := make([]byte, 24)
	be.PutUint32(h[0:], 0xa1b2c3d4)
	be.PutUint16(h[4:], 2)
	be.PutUint16(h[6:], 4)
	be.PutUint32(h[16:], 262144)
	be.PutUint32(h[20:], 1)
	b.Write(h)
	for _, f := range frames {
		r := make([]byte, 16)
		be.PutUint32(r[0:], uint32(f.ci.Timestamp.Unix()))
		be.PutUint32(r[4:], uint32(f.ci.Timestamp.Nanosecond()/1000))
		be.PutUint32(r[8:], uint32(len(f.data)))
		be.PutUint32(r[12:], uint32(f.ci.Length))
		b.Write(r)
		b.Write(f.data)
	}
	write(path, b.Bytes())
}

// A header function turns an Ethernet frame into a frame of another link
// type; nil drops it.
type header func(i int, eth []byte) []byte

// nullHeader: BSD loopback, the family in the capturing host's byte order.
// Every third frame is written as by a big-endian host, which readers
// recognise by the value; IPv6 uses the Darwin, FreeBSD and BSD values.
func nullHeader(i int, eth []byte) []byte {
	ip, v := ipOf(eth)
	if ip == nil {
		return nil
	}
	fam := uint32(2)
	if v == 6 {
		fam = []uint32{30, 28, 24}[i%3]
	}
	h := make([]byte, 4)
	if i%3 == 2 {
		binary.BigEndian.PutUint32(h, fam)
	} else {
		binary.LittleEndian.PutUint32(h, fam)
	}
	return append(h, ip...)
}

// loopHeader: OpenBSD loopback, the family in network byte order
// (AF_INET6 is 24 on OpenBSD).
func loopHeader(_ int, eth []byte) []byte {
	ip, v := ipOf(eth)
	if ip == nil {
		return nil
	}
	fam := uint32(2)
	if v == 6 {
		fam = 24
	}
	return append(binary.BigEndian.AppendUint32(nil, fam), ip...)
}

// rawHeader: the IP packet alone; version 4 or 6 keeps only that version.
func rawHeader(version int) header {
	return func(_ int, eth []byte) []byte {
		ip, v := ipOf(eth)
		if ip == nil || (version != 0 && v != version) {
			return nil
		}
		return bytes.Clone(ip)
	}
}

func writeLinkType(path string, lt layers.LinkType, frames []frame, h header) {
	var b bytes.Buffer
	w := pcapgo.NewWriterNanos(&b)
	if err := w.WriteFileHeader(262144, lt); err != nil {
		log.Fatal(err)
	}
	for i, f := range frames {
		data := h(i, f.data)
		if data == nil {
			continue
		}
		ci := f.ci
		ci.Length -= len(f.data) - len(data)
		ci.CaptureLength = len(data)
		if err := w.WritePacket(ci, data); err != nil {
			log.Fatal(err)
		}
	}
	write(path, b.Bytes())
}

// writeVLAN tags every frame: 802.1Q VLAN 100; QinQ as 802.1ad 200 over
// 802.1Q 300; the pre-standard 0x9100 over 802.1Q; in turn.
func writeVLAN(path string, frames []frame) {
	var b bytes.Buffer
	w := pcapgo.NewWriter(&b)
	if err := w.WriteFileHeader(262144, layers.LinkTypeEthernet); err != nil {
		log.Fatal(err)
	}
	for i, f := range frames {
		var tags []byte
		switch i % 3 {
		case 0:
			tags = []byte{0x81, 0x00, 0x00, 100}
		case 1:
			tags = []byte{0x88, 0xa8, 0x00, 200, 0x81, 0x00, 0x01, 0x2c}
		case 2:
			tags = []byte{0x91, 0x00, 0x00, 7, 0x81, 0x00, 0x00, 8}
		}
		data := append(append(bytes.Clone(f.data[:12]), tags...), f.data[12:]...)
		ci := f.ci
		ci.CaptureLength = len(data)
		ci.Length += len(tags)
		if err := w.WritePacket(ci, data); err != nil {
			log.Fatal(err)
		}
	}
	write(path, b.Bytes())
}

func write(path string, b []byte) {
	if err := os.WriteFile(path, b, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Println("wrote", path, len(b), "bytes")
}

// Hand-made headers.

var (
	macA = []byte{2, 0, 0, 0, 0, 0x0a}
	macB = []byte{2, 0, 0, 0, 0, 0x0b}
	v4a  = []byte{10, 99, 0, 1}
	v4b  = []byte{10, 99, 0, 2}
	v4c  = []byte{192, 0, 2, 33}
	v6a  = []byte{0xfd, 0x99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}
	v6b  = []byte{0xfd, 0x99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}
	v6c  = []byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x33}
)

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func ether(typ uint16, payload []byte) []byte {
	return cat(macB, macA, binary.BigEndian.AppendUint16(nil, typ), payload)
}

// ipv4 builds an IPv4 header (options padded by the caller) and payload.
func ipv4(src, dst []byte, proto byte, frag uint16, opts, payload []byte) []byte {
	ihl := 20 + len(opts)
	h := make([]byte, 20)
	h[0] = 0x40 | byte(ihl/4)
	binary.BigEndian.PutUint16(h[2:], uint16(ihl+len(payload)))
	binary.BigEndian.PutUint16(h[4:], 0x1234)
	binary.BigEndian.PutUint16(h[6:], frag)
	h[8] = 64
	h[9] = proto
	copy(h[12:], src)
	copy(h[16:], dst)
	return cat(h, opts, payload)
}

func ipv6(src, dst []byte, nh byte, payload []byte) []byte {
	h := make([]byte, 40)
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:], uint16(len(payload)))
	h[6] = nh
	h[7] = 64
	copy(h[8:], src)
	copy(h[24:], dst)
	return cat(h, payload)
}

// opts8 is a hop-by-hop or destination options header of 8 bytes (PadN).
func opts8(nh byte) []byte { return []byte{nh, 0, 1, 4, 0, 0, 0, 0} }

// routing is a type 0 routing header with one address and no segment left.
func routing(nh byte) []byte { return cat([]byte{nh, 2, 0, 0, 0, 0, 0, 0}, v6c) }

// ah is an authentication header with a 12-byte ICV (24 bytes).
func ah(nh byte) []byte {
	return cat([]byte{nh, 4, 0, 0, 0, 0, 0x10, 0x01, 0, 0, 0, 1}, make([]byte, 12))
}

func fragHdr(nh byte, offset8 uint16, more bool) []byte {
	v := offset8 << 3
	if more {
		v |= 1
	}
	return cat([]byte{nh, 0}, binary.BigEndian.AppendUint16(nil, v), []byte{0, 0, 0x42, 0x42})
}

func udp(sport, dport uint16, payload []byte) []byte {
	h := make([]byte, 8)
	binary.BigEndian.PutUint16(h[0:], sport)
	binary.BigEndian.PutUint16(h[2:], dport)
	binary.BigEndian.PutUint16(h[4:], uint16(8+len(payload)))
	return cat(h, payload)
}

func tcp(sport, dport uint16, flags byte) []byte {
	h := make([]byte, 20)
	binary.BigEndian.PutUint16(h[0:], sport)
	binary.BigEndian.PutUint16(h[2:], dport)
	binary.BigEndian.PutUint32(h[4:], 1000)
	h[12] = 5 << 4
	h[13] = flags
	binary.BigEndian.PutUint16(h[14:], 65535)
	return h
}

func icmpEcho(typ byte, n int) []byte {
	return cat([]byte{typ, 0, 0, 0, 0, 7, 0, 1}, bytes.Repeat([]byte{0xab}, n))
}

// dnsQuery builds a query for name with type qtype.
func dnsQuery(name string, qtype uint16) []byte {
	b := []byte{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}
	for _, l := range bytes.Split([]byte(name), []byte(".")) {
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	b = append(b, 0)
	b = binary.BigEndian.AppendUint16(b, qtype)
	return binary.BigEndian.AppendUint16(b, 1)
}

// writeHeaders writes Ethernet frames with IPv6 extension header chains,
// IPv4 options and AH, an ICMP error and tunnels (inner addresses after
// the outer ones), fragments, and malformed or snapped frames.
func writeHeaders(path string) {
	type pkt struct {
		data   []byte
		caplen int // 0: whole
	}
	p6 := func(nh byte, payload []byte) []byte { return ether(0x86dd, ipv6(v6a, v6b, nh, payload)) }
	p4 := func(proto byte, frag uint16, opts, payload []byte) []byte {
		return ether(0x0800, ipv4(v4a, v4b, proto, frag, opts, payload))
	}
	echo := icmpEcho(128, 64)
	long := make([]byte, 0, 17*8)
	for range 16 {
		long = append(long, opts8(60)...)
	}
	long = append(long, opts8(58)...)
	inner4 := ipv4(v4b, v4c, 17, 0, nil, udp(33000, 53, nil))
	pkts := []pkt{
		{data: p6(0, cat(opts8(17), udp(5353, 53, dnsQuery("x.example.org", 1))))},      // hop-by-hop, UDP DNS
		{data: p6(60, cat(opts8(43), routing(6), tcp(40000, 443, 0x02)))},               // dest opts, routing, TCP SYN
		{data: p6(51, cat(ah(6), tcp(443, 40000, 0x12)))},                               // AH, TCP SYN+ACK
		{data: p6(0, cat(opts8(44), fragHdr(58, 0, true), echo[:48]))},                  // first fragment of an echo
		{data: p6(44, cat(fragHdr(58, 6, false), echo[48:]))},                           // its later fragment
		{data: p6(0, cat(opts8(60), opts8(44), fragHdr(17, 0, false), udp(1, 2, nil)))}, // atomic fragment
		{data: p6(59, nil)},                              // no next header
		{data: p6(60, long)},                             // 17 extension headers
		{data: ether(0x86dd, ipv6(v6b, v6a, 4, inner4))}, // IPv4 in IPv6
		{data: p4(17, 0, []byte{1, 1, 1, 0}, udp(5353, 53, dnsQuery("y.example.org", 16)))},            // IPv4 options
		{data: p4(51, 0, nil, cat(ah(6), tcp(40001, 22, 0x02)))},                                       // IPv4 AH
		{data: p4(1, 0, nil, cat([]byte{3, 3, 0, 0, 0, 0, 0, 0}, inner4))},                             // ICMP error
		{data: ether(0x0800, ipv4(v4b, v4a, 41, 0, nil, ipv6(v6c, v6a, 58, icmpEcho(128, 8))))},        // IPv6 in IPv4
		{data: p4(17, 0x2000, nil, udp(7, 7, make([]byte, 24)))},                                       // IPv4 first fragment
		{data: p4(17, 4, nil, make([]byte, 16))},                                                       // later fragment
		{data: ether(0x0800, append([]byte{0x43}, ipv4(v4a, v4b, 17, 0, nil, udp(1, 2, nil))[1:]...))}, // IHL 3
		{data: func() []byte { // total length 12, less than the header
			b := p4(17, 0, nil, udp(1, 2, nil))
			binary.BigEndian.PutUint16(b[16:], 12)
			return b
		}()},
		{data: p4(6, 0, nil, tcp(1, 2, 0x02)), caplen: 14 + 20 + 10}, // snapped inside TCP
		{data: p6(6, tcp(1, 2, 0x02)), caplen: 14 + 20},              // snapped inside the IPv6 header
		{data: make([]byte, 10)},                                     // runt frame
		{data: cat(macB, macA, []byte{0, 38, 0xaa, 0xaa, 3, 0, 0, 0, 0x08, 0x00}, ipv4(v4a, v4b, 17, 0, nil, udp(1, 2, nil)))}, // 802.3 + SNAP
		{data: p6(6, func() []byte { t := tcp(5, 6, 0x02); t[12] = 2 << 4; return t }())},                                      // TCP data offset 8
	}
	var b bytes.Buffer
	w := pcapgo.NewWriterNanos(&b)
	if err := w.WriteFileHeader(262144, layers.LinkTypeEthernet); err != nil {
		log.Fatal(err)
	}
	t := time.Unix(1795528700, 123456789)
	for _, p := range pkts {
		data := p.data
		if p.caplen > 0 {
			data = data[:p.caplen]
		}
		ci := gopacket.CaptureInfo{Timestamp: t, CaptureLength: len(data), Length: len(p.data)}
		if err := w.WritePacket(ci, data); err != nil {
			log.Fatal(err)
		}
		t = t.Add(137 * time.Millisecond)
	}
	write(path, b.Bytes())
}

// A small pcapng writer: pcapgo's NgWriter has one section, no unknown
// blocks, no timestamp offsets and no big-endian output.
type ngWriter struct {
	b  bytes.Buffer
	bo interface {
		binary.ByteOrder
		binary.AppendByteOrder
	}
}

func (w *ngWriter) block(typ uint32, body []byte) {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	n := uint32(12 + len(body))
	w.b.Write(w.bo.AppendUint32(nil, typ))
	w.b.Write(w.bo.AppendUint32(nil, n))
	w.b.Write(body)
	w.b.Write(w.bo.AppendUint32(nil, n))
}

func (w *ngWriter) opt(code uint16, val []byte) []byte {
	b := w.bo.AppendUint16(nil, code)
	b = w.bo.AppendUint16(b, uint16(len(val)))
	b = append(b, val...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func (w *ngWriter) shb(app string) {
	b := w.bo.AppendUint32(nil, 0x1a2b3c4d)
	b = w.bo.AppendUint16(b, 1)
	b = w.bo.AppendUint16(b, 0)
	b = w.bo.AppendUint64(b, 0xffffffffffffffff)
	b = append(b, w.opt(4, []byte(app))...)
	b = append(b, w.opt(0, nil)...)
	w.block(0x0a0d0d0a, b)
}

func (w *ngWriter) idb(lt uint16, opts ...[]byte) {
	b := w.bo.AppendUint16(nil, lt)
	b = w.bo.AppendUint16(b, 0)
	b = w.bo.AppendUint32(b, 262144)
	for _, o := range opts {
		b = append(b, o...)
	}
	if len(opts) > 0 {
		b = append(b, w.opt(0, nil)...)
	}
	w.block(1, b)
}

// epb writes an enhanced packet block; ticks is the timestamp in the
// interface's units.
func (w *ngWriter) epb(iface uint32, ticks uint64, data []byte, wirelen int, opts ...[]byte) {
	b := w.bo.AppendUint32(nil, iface)
	b = w.bo.AppendUint32(b, uint32(ticks>>32))
	b = w.bo.AppendUint32(b, uint32(ticks))
	b = w.bo.AppendUint32(b, uint32(len(data)))
	b = w.bo.AppendUint32(b, uint32(wirelen))
	b = append(b, data...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	for _, o := range opts {
		b = append(b, o...)
	}
	if len(opts) > 0 {
		b = append(b, w.opt(0, nil)...)
	}
	w.block(6, b)
}

// opb writes an obsolete packet block (type 2).
func (w *ngWriter) opb(iface uint16, ticks uint64, data []byte, wirelen int) {
	b := w.bo.AppendUint16(nil, iface)
	b = w.bo.AppendUint16(b, 0)
	b = w.bo.AppendUint32(b, uint32(ticks>>32))
	b = w.bo.AppendUint32(b, uint32(ticks))
	b = w.bo.AppendUint32(b, uint32(len(data)))
	b = w.bo.AppendUint32(b, uint32(wirelen))
	w.block(2, append(b, data...))
}

// writeNg writes a pcapng of two sections. The first (little-endian) has
// four interfaces: Ethernet in microseconds (if_tsresol 6), raw IPv4 in
// 2^-20 s (if_tsresol 0x94), Ethernet in nanoseconds with an if_tsoffset
// of 1 000 000 000 s (ticks count from 2001-09-09), and Linux SLL with no
// resolution option (microseconds); a name resolution block, a custom
// block, a block of an unassigned type, an obsolete packet block and an
// interface statistics block lie between the packets. The second section
// is big-endian, with one Ethernet interface in milliseconds.
func writeNg(path string, frames []frame) {
	w := &ngWriter{bo: binary.LittleEndian}
	w.shb("mimir-tui fixture generator")
	w.idb(1, w.opt(9, []byte{6}))
	w.idb(228, w.opt(9, []byte{0x94}))
	const offset = 1_000_000_000
	w.idb(1, w.opt(9, []byte{9}), w.opt(14, w.bo.AppendUint64(nil, offset)))
	w.idb(113)
	nrb := cat(w.bo.AppendUint16(nil, 1), w.bo.AppendUint16(nil, 13), v4b, []byte("db.local\x00"))
	nrb = append(nrb, 0, 0, 0) // pad the record to 4 bytes
	nrb = append(nrb, 0, 0, 0, 0)
	w.block(4, nrb)
	half := len(frames) / 2
	for i, f := range frames[:half] {
		ts := f.ci.Timestamp
		switch i % 5 {
		case 0:
			w.epb(0, uint64(ts.UnixMicro()), f.data, f.ci.Length)
		case 1:
			ip, v := ipOf(f.data)
			if v != 4 {
				w.epb(0, uint64(ts.UnixMicro()), f.data, f.ci.Length, w.opt(1, []byte("a comment")))
				continue
			}
			// 2^-20 s ticks, rounded down.
			ticks := uint64(ts.Unix())<<20 | uint64(ts.Nanosecond())*(1<<20)/1e9
			w.epb(1, ticks, ip, f.ci.Length-14)
		case 2:
			w.epb(2, uint64(ts.UnixNano()-offset*1e9), f.data, f.ci.Length, w.opt(2, w.bo.AppendUint32(nil, 1)))
		case 3:
			// Linux cooked v1: packet type, ARPHRD_ETHER, address length,
			// address padded to 8, protocol.
			sll := cat([]byte{0, 0, 0, 1, 0, 6}, f.data[6:12], []byte{0, 0}, f.data[12:14], f.data[14:])
			w.epb(3, uint64(ts.UnixMicro()), sll, f.ci.Length+2)
		case 4:
			w.opb(0, uint64(ts.UnixMicro()), f.data, f.ci.Length)
		}
		if i == 10 {
			w.block(0x00000bad, cat(w.bo.AppendUint32(nil, 32473), []byte("custom data!")))
			w.block(0x00000042, []byte("a block of an unassigned type"))
		}
	}
	isb := cat(w.bo.AppendUint32(nil, 0), w.bo.AppendUint32(nil, 0), w.bo.AppendUint32(nil, 0))
	w.block(5, isb)

	be := &ngWriter{bo: binary.BigEndian}
	be.shb("mimir-tui fixture generator, big-endian section")
	be.idb(1, be.opt(9, []byte{3}))
	for _, f := range frames[half:] {
		be.epb(0, uint64(f.ci.Timestamp.UnixMilli()), f.data, f.ci.Length)
	}
	write(path, append(w.b.Bytes(), be.b.Bytes()...))
}
