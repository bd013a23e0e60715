package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// readBoth reads data with the default (lenient) and the strict options
// and returns the packets each read, the lenient reader's Stats and the
// strict reader's final error (nil at a clean end).
func readBoth(t *testing.T, data []byte) (lenient, strict int, st Stats, strictErr error) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), "x.pcap")
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	lenient, err = readCount(r)
	if err != nil {
		t.Fatalf("lenient read: %v", err)
	}
	var p Packet
	if err := r.Next(&p); err != io.EOF {
		t.Errorf("lenient Next after the end: %v, want io.EOF again", err)
	}
	rs, err := NewReaderWith(bytes.NewReader(data), "x.pcap", Options{Strict: true})
	if err != nil {
		t.Fatalf("NewReaderWith: %v", err)
	}
	strict, strictErr = readCount(rs)
	return lenient, strict, r.Stats(), strictErr
}

// TestTruncated: a capture cut short is read up to its last whole packet
// and the cut recorded (packets, offset, whether the offset is in the
// decompressed stream); Strict makes it an error wrapping ErrTruncated at
// the same offset. A gzip stream cut short is such a cut, not an I/O
// failure. Offsets by hand: pcap records of 16 + 60 bytes after the
// 24-byte header start at 24, 100, 176; pcapng (SHB 28, IDB 20, EPBs of
// 92) packets at 48, 140, 232.
func TestTruncated(t *testing.T) {
	frame := udpFrame(nil) // 60 bytes
	pc := newPcap(LinkEthernet, 65535)
	for i := range 3 {
		pc.record(uint32(i+1), 0, frame, 60, 60)
	}
	pcapBytes := pc.Bytes() // 252 bytes
	ng := newNg()
	ng.idb(LinkEthernet, 0)
	for i := range 3 {
		ng.epb(0, uint64(i+1)*1e6, frame, 60)
	}
	ngBytes := ng.Bytes() // 324 bytes
	// The whole pcap compressed, and its gzip stream cut: the deflate data
	// of 252 bytes of little entropy is short, so cutting 12 bytes takes
	// the 8-byte trailer and the end of the data.
	gzPcap := gz(pcapBytes)
	tests := []struct {
		name         string
		data         []byte
		packets      int
		offset       int64
		decompressed bool
		msg          string
	}{
		{"pcap record cut", pcapBytes[:200], 2, 176, false, "pcap record of 60 bytes starting here is incomplete"},
		{"pcap record header cut", pcapBytes[:180], 2, 176, false, "pcap record header"},
		{"pcap first record cut", pcapBytes[:50], 0, 24, false, "no packet was read before it"},
		{"pcapng block cut", ngBytes[:300], 2, 232, false, "pcapng block of 92 bytes"},
		{"pcapng block header cut", ngBytes[:236], 2, 232, false, "pcapng block header"},
		{"gzip cut in the data", gzPcap[:len(gzPcap)-12], -1, -1, true, "the gzip stream ends early"},
		{"gzip trailer cut", gzPcap[:len(gzPcap)-4], 3, 252, true, "the gzip stream ends early, between two records"},
		{"gzip pcapng cut in the data", gz(ngBytes[:300]), 2, 232, true, "pcapng block of 92 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, ns, st, serr := readBoth(t, tt.data)
			tr := st.Truncated
			if tr == nil {
				t.Fatalf("read %d packets, no truncation recorded", n)
			}
			if tt.packets >= 0 && (n != tt.packets || tr.Packets != uint64(n)) {
				t.Errorf("read %d packets, truncation says %d; want %d", n, tr.Packets, tt.packets)
			}
			if tt.offset >= 0 && tr.Offset != tt.offset {
				t.Errorf("offset %d, want %d", tr.Offset, tt.offset)
			}
			if tr.Decompressed != tt.decompressed || !strings.Contains(tr.Message, tt.msg) || !strings.HasPrefix(tr.Message, "x.pcap: offset ") {
				t.Errorf("decompressed %v, message %q; want %v and %q", tr.Decompressed, tr.Message, tt.decompressed, tt.msg)
			}
			var e *Error
			if !errors.Is(serr, ErrTruncated) || !errors.As(serr, &e) || e.Offset != tr.Offset || ns != n || serr.Error() != tr.Message {
				t.Errorf("strict: %d packets, error %v; want %d packets and the same cut as an error", ns, serr, n)
			}
			if w := st.Warnings(); len(w) != 1 || w[0].Kind != WarnTruncated || w[0].Message != tr.Message || w[0].Count != uint64(n) {
				t.Errorf("warnings %+v, want the truncation alone", w)
			}
		})
	}
}

// TestNotTruncated: a whole capture records no cut, leniently or not, and
// a corrupt one is an error either way (it is not a cut).
func TestNotTruncated(t *testing.T) {
	pc := newPcap(LinkEthernet, 65535)
	pc.record(1, 0, udpFrame(nil), 60, 60)
	for _, data := range [][]byte{pc.Bytes(), gz(pc.Bytes())} {
		n, ns, st, serr := readBoth(t, data)
		if n != 1 || ns != 1 || st.Truncated != nil || serr != nil || len(st.Warnings()) != 0 {
			t.Errorf("%d and %d packets, truncation %+v, strict error %v, warnings %v", n, ns, st.Truncated, serr, st.Warnings())
		}
	}
	bad := gz(pc.Bytes())
	bad[len(bad)-8] ^= 0xff // the CRC
	r, err := NewReader(bytes.NewReader(bad), "x.pcap.gz")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readCount(r); err == nil || errors.Is(err, ErrTruncated) || r.Stats().Truncated != nil {
		t.Errorf("a gzip checksum error: %v; want an error that is no truncation", err)
	}
}

// pcapHeader is a pcap file header: order and magic say byte order and
// precision.
func pcapHeader(order binary.ByteOrder, magic uint32, snaplen uint32, link LinkType) []byte {
	h := make([]byte, 24)
	order.PutUint32(h[0:], magic)
	order.PutUint16(h[4:], 2)
	order.PutUint16(h[6:], 4)
	order.PutUint32(h[16:], snaplen)
	order.PutUint32(h[20:], uint32(link))
	return h
}

func pcapRecord(order binary.ByteOrder, sec, frac uint32, data []byte, wirelen uint32) []byte {
	r := make([]byte, 16)
	order.PutUint32(r[0:], sec)
	order.PutUint32(r[4:], frac)
	order.PutUint32(r[8:], uint32(len(data)))
	order.PutUint32(r[12:], wirelen)
	return append(r, data...)
}

// TestConcatenated: two capture files joined with cat are read part by
// part, each with its own header, and the join is counted where it lies.
// The first part is always a little-endian microsecond pcap of one
// Ethernet frame at second 1 (24 + 16 + 60 = 100 bytes).
func TestConcatenated(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	eth := udpFrame(nil)
	first := cat(pcapHeader(le, 0xa1b2c3d4, 65535, LinkEthernet), pcapRecord(le, 1, 500000, eth, 60))
	raw := eth[14:] // the IP packet alone
	ng := newNg()
	ng.idb(LinkEthernet, 0)
	ng.epb(0, 3_000_000, eth, 60)
	tests := []struct {
		name   string
		second []byte
		times  []int64 // the packets' timestamps
		links  []LinkType
	}{
		{"pcap + pcap", cat(pcapHeader(le, 0xa1b2c3d4, 65535, LinkEthernet), pcapRecord(le, 2, 0, eth, 60)),
			[]int64{1_500_000_000, 2e9}, []LinkType{LinkEthernet}},
		{"pcap + big-endian nanosecond raw IP", cat(pcapHeader(be, 0xa1b23c4d, 262144, LinkRaw), pcapRecord(be, 2, 7, raw, uint32(len(raw)))),
			[]int64{1_500_000_000, 2_000_000_007}, []LinkType{LinkEthernet, LinkRaw}},
		{"pcap + modified pcap", cat(pcapHeader(le, 0xa1b2cd34, 65535, LinkEthernet), pcapRecord(le, 2, 0, eth, 60)[:16], make([]byte, 8), eth),
			[]int64{1_500_000_000, 2e9}, []LinkType{LinkEthernet}},
		{"pcap + pcapng", ng.Bytes(), []int64{1_500_000_000, 3e9}, []LinkType{LinkEthernet}},
		{"pcap + pcap + pcap", cat(pcapHeader(le, 0xa1b2c3d4, 65535, LinkEthernet), pcapRecord(le, 2, 0, eth, 60), pcapHeader(be, 0xa1b2c3d4, 65535, LinkEthernet), pcapRecord(be, 4, 0, eth, 60)),
			[]int64{1_500_000_000, 2e9, 4e9}, []LinkType{LinkEthernet}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(cat(first, tt.second)), "c.pcap")
			if err != nil {
				t.Fatal(err)
			}
			var times []int64
			for _, p := range readAll(t, r) {
				times = append(times, p.Timestamp)
				if p.IPVersion != 4 {
					t.Errorf("packet at %d: no IPv4 decoded", p.Timestamp)
				}
			}
			st := r.Stats()
			if !slices.Equal(times, tt.times) || !slices.Equal(st.LinkTypes, tt.links) {
				t.Errorf("timestamps %v, link types %v; want %v, %v", times, st.LinkTypes, tt.times, tt.links)
			}
			joins := uint64(len(tt.times) - 1)
			if st.Concatenated != joins || st.ConcatenatedAt != 100 || st.Format != FormatPcap {
				t.Errorf("concatenated %d at %d (format %s), want %d at 100", st.Concatenated, st.ConcatenatedAt, st.Format, joins)
			}
			w := st.Warnings()
			if len(w) != 1 || w[0].Kind != WarnConcatenated || !strings.Contains(w[0].Message, "mergecap -w merged.pcap a.pcap b.pcap") || !strings.Contains(w[0].Message, "at offset 100") {
				t.Errorf("warnings %+v, want the concatenation with mergecap", w)
			}
		})
	}
	// pcapng first, then a pcap.
	r, err := NewReader(bytes.NewReader(cat(ng.Bytes(), first)), "c.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	if ps := readAll(t, r); len(ps) != 2 || ps[1].Timestamp != 1_500_000_000 || r.Stats().Concatenated != 1 || r.Stats().ConcatenatedAt != int64(ng.Len()) {
		t.Errorf("pcapng + pcap: %d packets, stats %+v", len(ps), r.Stats())
	}
}

// TestRecordLike: a record whose timestamp only resembles a file header's
// magic (second 0xa1b2c3d4, in 2055; a low half of b2a1) is a record.
func TestRecordLike(t *testing.T) {
	le := binary.LittleEndian
	eth := udpFrame(nil)
	data := cat(pcapHeader(le, 0xa1b2c3d4, 65535, LinkEthernet), pcapRecord(le, 0xa1b2c3d4, 0, eth, 60), pcapRecord(le, 0xa1b3b2a1, 0, eth, 60))
	r, err := NewReader(bytes.NewReader(data), "x.pcap")
	if err != nil {
		t.Fatal(err)
	}
	if ps := readAll(t, r); len(ps) != 2 || r.Stats().Concatenated != 0 {
		t.Errorf("%d packets, %d joins; want 2, 0", len(ps), r.Stats().Concatenated)
	}
}

// TestBadRecords: records whose fields cannot be right are skipped with
// their reason, counted, and warned about; the records around them are
// read. A fraction of a second must stay below 10^6 µs (10^9 ns in a
// nanosecond file); an original length above both 256 KiB and twice the
// snap length is no frame (the largest GSO/BIG TCP super-packet is 512 KiB,
// twice libpcap's default snap length).
func TestBadRecords(t *testing.T) {
	le := binary.LittleEndian
	eth := udpFrame(nil)
	micro := cat(pcapHeader(le, 0xa1b2c3d4, 65535, LinkEthernet),
		pcapRecord(le, 1, 0, eth, 60),
		pcapRecord(le, 2, 1_000_000, eth, 60),  // µs ≥ 10^6
		pcapRecord(le, 3, 999_999, eth, 60),    // fine
		pcapRecord(le, 4, 0, eth, 262145),      // > 256 KiB and > 2 × 65535
		pcapRecord(le, 5, 0, eth, 65535*2),     // fine: 256 KiB is the floor
		pcapRecord(le, 6, 0xffffffff, eth, 60), // µs ≥ 10^6
	)
	nano := cat(pcapHeader(le, 0xa1b23c4d, 262144, LinkEthernet),
		pcapRecord(le, 1, 999_999_999, eth, 60),
		pcapRecord(le, 2, 1_000_000_000, eth, 60), // ns ≥ 10^9
		pcapRecord(le, 3, 0, eth, 524288),         // fine: twice the snap length
		pcapRecord(le, 4, 0, eth, 524289),         // more
	)
	ng := newNg()
	ng.idb(LinkEthernet, 0) // snap length 262144
	ng.epb(0, 1e6, eth, 60)
	ng.epb(0, 2e6, eth, 1<<30)
	tests := []struct {
		name    string
		data    []byte
		packets int
		reasons map[string]uint64
	}{
		{"microseconds", micro, 3, map[string]uint64{skipText[skipBadMicro]: 2, skipText[skipBadLength]: 1}},
		{"nanoseconds", nano, 2, map[string]uint64{skipText[skipBadNano]: 1, skipText[skipBadLength]: 1}},
		{"pcapng", ng.Bytes(), 1, map[string]uint64{skipText[skipBadLength]: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, _, st, serr := readBoth(t, tt.data)
			var total uint64
			for _, c := range tt.reasons {
				total += c
			}
			if n != tt.packets || serr != nil || st.Skipped != total {
				t.Errorf("%d packets, %d skipped, strict error %v; want %d, %d, nil", n, st.Skipped, serr, tt.packets, total)
			}
			for _, sr := range st.SkipReasons {
				if tt.reasons[sr.Reason] != sr.Count || !sr.BadRecord {
					t.Errorf("skip reason %+v, want %d bad records", sr, tt.reasons[sr.Reason])
				}
			}
			w := st.Warnings()
			if len(w) != 1 || w[0].Kind != WarnBadRecords || w[0].Count != total || !strings.Contains(w[0].Message, "cannot be right") {
				t.Errorf("warnings %+v, want one about %d bad records", w, total)
			}
		})
	}
}

// TestUndecodedCounts: frames whose IP stays hidden are counted by
// reason, and decoded encapsulations by name.
func TestUndecodedCounts(t *testing.T) {
	ng := newNg()
	ng.idb(LinkEthernet, 0)
	ng.idb(105, 0) // IEEE 802.11
	ng.idb(LinkPPP, 0)
	mpls := cat(ethIPv4[:12], be16b(etherMPLS), []byte{0x00, 0x3e, 0x81, 64}, ip4(6, 0, 40), tcpSyn)
	encrypted := cat(ethIPv4[:12], be16b(etherMACsec), []byte{0x0c, 0, 0, 0, 0, 1}, make([]byte, 60))
	ng.epb(0, 1e6, mpls, uint32(len(mpls)))
	ng.epb(0, 2e6, mpls, uint32(len(mpls)))
	ng.epb(0, 3e6, encrypted, uint32(len(encrypted)))
	ng.epb(1, 4e6, make([]byte, 40), 40)
	ng.epb(2, 5e6, cat([]byte{0xff, 0x03, 0x00, 0x21}, ip4(6, 0, 40), tcpSyn), 44)
	r, err := NewReader(bytes.NewReader(ng.Bytes()), "x.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, r)
	st := r.Stats()
	wantEnc := []Count{{"MPLS", 2}, {"MACsec", 1}}
	if !slices.Equal(st.Encapsulations, wantEnc) || st.IPPackets != 3 || st.NonIP != 2 {
		t.Errorf("encapsulations %v, %d IP, %d other; want %v, 3, 2", st.Encapsulations, st.IPPackets, st.NonIP, wantEnc)
	}
	want := []string{
		"1 IEEE 802.11 Wireless LAN (105) frames count in no IP pair: mimir-tui does not decode this link type",
		"1 encrypted MACsec frames count in no IP pair: their IP headers cannot be read without the key",
	}
	w := st.Warnings()
	if len(w) != len(want) {
		t.Fatalf("warnings %+v, want %q", w, want)
	}
	for i := range want {
		if w[i].Kind != WarnUndecoded || w[i].Count != 1 || !strings.HasPrefix(w[i].Message, want[i]) {
			t.Errorf("warning %+v, want %q", w[i], want[i])
		}
	}
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
