package capture

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readCount reads r to its end and returns the packets read and the error
// that ended the read (nil for io.EOF).
func readCount(r *Reader) (int, error) {
	var p Packet
	for n := 0; ; n++ {
		err := r.Next(&p)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// TestBadInput: every kind of bad input gives an *Error naming the file,
// the offset and what to do; never a panic, never a hang. The reader is
// strict, so that a capture cut short is an error too (TestTruncated
// reads the same captures leniently).
func TestBadInput(t *testing.T) {
	frame := udpFrame(nil) // 60 bytes
	good := newPcap(LinkEthernet, 65535)
	good.record(1, 0, frame, 60, 60)
	good.record(2, 0, frame, 60, 60)
	goodBytes := good.Bytes()

	absurd := newPcap(LinkEthernet, 65535)
	absurd.record(1, 0, frame, 60, 60)
	absurd.record(2, 0, nil, 0x7fffffff, 60) // record header at 24+16+60 = 100

	ver := bytes.Clone(goodBytes)
	ver[4] = 3

	// pcapng: a second EPB whose trailing length is wrong. The SHB is 28
	// bytes, the IDB 20, the first EPB 12+20+60 = 92: the second starts
	// at 140.
	ng := newNg()
	ng.idb(LinkEthernet, 0)
	ng.epb(0, 1e6, frame, 60)
	ng.epb(0, 2e6, frame, 60)
	badTrailer := bytes.Clone(ng.Bytes())
	badTrailer[len(badTrailer)-1] = 0x77
	badLength := bytes.Clone(ng.Bytes())
	badLength[140+4] = 0x5e // block length 94: not a multiple of 4

	gzGood := gz(goodBytes)
	tests := []struct {
		name   string
		data   []byte
		open   bool  // the error comes from NewReader
		n      int   // packets read before the error
		is     error // errors.Is target
		offset int64
		msg    string // in the message
	}{
		{"empty", nil, true, 0, ErrFormat, 0, "empty"},
		{"three bytes", []byte{0xd4, 0xc3, 0xb2}, true, 0, ErrFormat, 0, "3 bytes"},
		{"garbage", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), true, 0, ErrFormat, 0, "no pcap or pcapng magic"},
		{"bzip2", []byte("BZh91AY&SY......"), true, 0, ErrFormat, 0, "bunzip2"},
		{"zstd", []byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0}, true, 0, ErrFormat, 0, "zstd -d"},
		{"pcap header cut", goodBytes[:20], true, 0, ErrTruncated, 0, "incomplete"},
		{"pcap version 3", ver, true, 0, ErrFormat, 4, "version 3.4"},
		// The last record is cut: 24 + 76 + 30 bytes. Offset: the
		// second record's header at 24 + 16 + 60 = 100.
		{"truncated last packet", goodBytes[:130], false, 1, ErrTruncated, 100, "the 1 packet before it was read"},
		{"truncated record header", goodBytes[:108], false, 1, ErrTruncated, 100, "pcap record header"},
		{"absurd captured length", absurd.Bytes(), false, 1, ErrCorrupt, 100, "2147483647 captured bytes"},
		{"pcapng bad trailer", badTrailer, false, 1, ErrCorrupt, 140, "trailing length"},
		{"pcapng bad length", badLength, false, 1, ErrCorrupt, 140, "not a multiple of 4"},
		{"pcapng cut", ng.Bytes()[:200], false, 1, ErrTruncated, 140, "incomplete"},
		{"pcapng bad byte order", append(append([]byte{}, ng.Bytes()[:8]...), 1, 2, 3, 4), true, 0, ErrCorrupt, 8, "byte-order magic"},
		{"gzip cut", gzGood[:len(gzGood)-12], false, -1, ErrTruncated, -1, "gzip stream ends early"},
		{"gzip header only", gzGood[:5], true, 0, ErrFormat, 0, "gzip header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReaderWith(bytes.NewReader(tt.data), "x.pcap", Options{Strict: true})
			n := 0
			if err == nil {
				if tt.open {
					t.Fatal("NewReader succeeded, want an error")
				}
				n, err = readCount(r)
			} else if !tt.open {
				t.Fatalf("NewReader: %v", err)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T), want an *Error", err, err)
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
			if tt.n >= 0 && n != tt.n {
				t.Errorf("read %d packets before the error, want %d", n, tt.n)
			}
			if tt.offset >= 0 && e.Offset != tt.offset {
				t.Errorf("offset %d, want %d (%v)", e.Offset, tt.offset, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, fmt.Sprintf("x.pcap: offset %d", e.Offset)) || !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q: want the file, the offset and %q", msg, tt.msg)
			}
			if r != nil {
				// The error is sticky.
				var p Packet
				if err2 := r.Next(&p); err2 != err {
					t.Errorf("next call returned %v, want the same error", err2)
				}
			}
		})
	}
}

// TestAbsurdSnaplen: the header's snap length is not trusted (tcpdump does
// not trust it either): 0 or 4 GiB, the records are read.
func TestAbsurdSnaplen(t *testing.T) {
	for _, snap := range []uint32{0, 1, 0xffffffff} {
		f := newPcap(LinkEthernet, snap)
		f.record(1, 0, udpFrame(nil), 60, 60)
		f.record(1, 5, udpFrame(make([]byte, 100)), 142, 142)
		r, err := NewReader(bytes.NewReader(f.Bytes()), "x.pcap")
		if err != nil {
			t.Fatal(err)
		}
		if n, err := readCount(r); n != 2 || err != nil {
			t.Errorf("snaplen %d: %d packets, %v; want 2, nil", snap, n, err)
		}
	}
}

// TestSkipped: records that can be stepped over are skipped, counted with
// their reason, and the packets after them are read.
func TestSkipped(t *testing.T) {
	frame := udpFrame(nil)
	ng := newNg()
	ng.idb(LinkEthernet, 0)
	ng.epb(0, 1e6, frame, 60)
	ng.epb(3, 2e6, frame, 60) // no interface 3
	ng.block(blockSPB, append(le32(60), frame...))
	// An EPB whose captured length (1000) exceeds the block.
	body := append(le32(0), le32(0)...)
	body = append(body, le32(3e6)...)
	body = append(body, le32(1000)...)
	body = append(body, le32(1000)...)
	ng.block(blockEPB, append(body, frame...))
	ng.idb(LinkEthernet, 30) // 10^-30 s: no capture tool has that
	ng.epb(1, 4e6, frame, 60)
	ng.block(0x12345678, []byte("unknown")) // an unknown block
	ng.epb(0, 5e6, frame, 60)
	r, err := NewReader(bytes.NewReader(ng.Bytes()), "x.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	n, err := readCount(r)
	if n != 2 || err != nil {
		t.Fatalf("%d packets, %v; want 2, nil", n, err)
	}
	s := r.Stats()
	want := map[string]uint64{
		skipText[skipNoInterface]:  1,
		skipText[skipSimplePacket]: 1,
		skipText[skipBlockShort]:   1,
		skipText[skipBadInterface]: 1,
	}
	if s.Skipped != 4 || len(s.SkipReasons) != len(want) || s.UnknownBlocks != 1 {
		t.Fatalf("skipped %d %v, unknown blocks %d; want 4 %v, 1", s.Skipped, s.SkipReasons, s.UnknownBlocks, want)
	}
	for _, sr := range s.SkipReasons {
		if want[sr.Reason] != sr.Count {
			t.Errorf("%q: %d, want %d", sr.Reason, sr.Count, want[sr.Reason])
		}
	}
}

// TestTimestampResolution checks timestamp conversion for the pcapng
// resolutions by hand:
//   - 10^-6 (default): 1 500 000 ticks = 1.5 s.
//   - 10^-3: 1500 ticks = 1.5 s.
//   - 2^-20: 1.5 * 2^20 = 1 572 864 ticks = 1.5 s exactly; 1 tick =
//     1e9/2^20 = 953.674... ns, rounded down to 953.
//   - 10^-12: 1 500 000 000 001 ticks = 1.5 s (the picosecond is dropped).
//   - if_tsoffset -10 s: 1.5 s - 10 s = -8.5 s.
func TestTimestampResolution(t *testing.T) {
	tests := []struct {
		f     iface
		ticks uint64
		ns    int64
	}{
		{iface{units: 1e6, mult: 1000}, 1_500_000, 1_500_000_000},
		{iface{units: 1e3, mult: 1e6}, 1500, 1_500_000_000},
		{iface{units: 1 << 20}, 1_572_864, 1_500_000_000},
		{iface{units: 1 << 20}, 1, 953},
		{iface{units: 1e12}, 1_500_000_000_001, 1_500_000_000},
		{iface{units: 1e6, mult: 1000, offset: -10e9}, 1_500_000, -8_500_000_000},
	}
	for _, tt := range tests {
		if got := tt.f.ns(tt.ticks); got != tt.ns {
			t.Errorf("%+v: %d ticks = %d ns, want %d", tt.f, tt.ticks, got, tt.ns)
		}
	}
	// Through the reader: the IDB's option sets the units.
	ng := newNg()
	ng.idb(LinkEthernet, 0x94) // 2^-20
	ng.epb(0, 1_572_864, udpFrame(nil), 60)
	r, err := NewReader(bytes.NewReader(ng.Bytes()), "x.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	var p Packet
	if err := r.Next(&p); err != nil || p.Timestamp != 1_500_000_000 {
		t.Errorf("2^-20 s packet: %d, %v; want 1500000000", p.Timestamp, err)
	}
}

// TestGzipByMagic: compression is recognised by content, not by name.
func TestGzipByMagic(t *testing.T) {
	b, err := os.ReadFile(fixture("eth-micro.pcap.gz"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "no-extension")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// 102 packets: `capinfos -c testdata/captures/eth-micro.pcap.gz`.
	if n, err := readCount(r); n != 102 || err != nil || !r.Stats().Compressed {
		t.Errorf("%d packets, %v, compressed %v; want 102, nil, true", n, err, r.Stats().Compressed)
	}
	if r.Offset() != int64(len(b)) {
		t.Errorf("Offset %d at the end, want the compressed size %d", r.Offset(), len(b))
	}
}

// TestStdin: "-" reads standard input.
func TestStdin(t *testing.T) {
	b, err := os.ReadFile(fixture("multi.pcapng.gz"))
	if err != nil {
		t.Fatal(err)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		// Small writes: the reader must gather records across reads.
		for len(b) > 0 {
			n := min(len(b), 777)
			pw.Write(b[:n])
			b = b[n:]
		}
		pw.Close()
	}()
	old := os.Stdin
	os.Stdin = pr
	defer func() { os.Stdin = old }()
	r, err := Open("-")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// 204 packets: `capinfos -c testdata/captures/multi.pcapng.gz`.
	if n, err := readCount(r); n != 204 || err != nil {
		t.Errorf("%d packets, %v; want 204, nil", n, err)
	}
}

// TestNextAllocs: reading a packet allocates nothing once the reader is
// set up.
func TestNextAllocs(t *testing.T) {
	f := newPcap(LinkEthernet, 65535)
	for i := range 5000 {
		f.record(uint32(i), 0, udpFrame(make([]byte, i%200)), uint32(60+i%200-min(i%200, 18)), uint32(60+i%200-min(i%200, 18)))
	}
	r, err := NewReader(bytes.NewReader(f.Bytes()), "x.pcap")
	if err != nil {
		t.Fatal(err)
	}
	var p Packet
	allocs := testing.AllocsPerRun(4000, func() {
		if err := r.Next(&p); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per packet, want 0", allocs)
	}
}

// slowReader returns one byte per Read, and sometimes nothing.
type slowReader struct {
	b []byte
	i int
}

func (s *slowReader) Read(p []byte) (int, error) {
	s.i++
	if s.i%3 == 0 {
		return 0, nil
	}
	if len(s.b) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = s.b[0]
	s.b = s.b[1:]
	return 1, nil
}

// TestSlowReader: a reader that returns a byte at a time, or nothing,
// gives the same packets.
func TestSlowReader(t *testing.T) {
	b, err := os.ReadFile(fixture("ngopts.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(&slowReader{b: b}, "slow")
	if err != nil {
		t.Fatal(err)
	}
	// 102 packets: `capinfos -c testdata/captures/ngopts.pcapng` says 103
	// records, one of them the custom block.
	if n, err := readCount(r); n != 102 || err != nil {
		t.Errorf("%d packets, %v; want 102, nil", n, err)
	}
}
