package capture

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"slices"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/follow"
)

// Limits on what the reader takes from a file. Lengths come from the file,
// so they are checked before anything is allocated for them.
const (
	// maxPacket is libpcap's MAXIMUM_SNAPLEN: the longest frame tcpdump
	// and Wireshark read from a pcap file whose header does not declare a
	// longer snap length.
	maxPacket = 262144
	// maxRecord is the largest record (pcap record, pcapng block) held in
	// memory at once; bigger pcapng packet blocks are skipped, bigger pcap
	// records end the read as corrupt.
	maxRecord = 16 << 20
)

// Reader reads packets from a capture in one streaming pass. Its memory is
// one read buffer (256 KiB, more only for a record larger than that) and a
// few bytes per interface, however long the capture.
type Reader struct {
	name string
	opts Options
	in   *input

	closer io.Closer     // the file Open opened; nil otherwise
	gz     *gzip.Reader  // non-nil for a gzip-compressed input
	raw    *countReader  // bytes taken from the underlying reader
	rawBuf *bufio.Reader // read ahead from raw, not yet decompressed

	format string
	be     bool // big-endian (pcap: the file; pcapng: the current section)

	// pcap
	nano      bool     // nanosecond timestamps
	link      LinkType // the file's link type
	capLimit  uint32   // longest record accepted
	extra     int      // record header bytes after the standard 16 (modified pcap)
	fracLimit uint32   // 1e6 or 1e9: a larger fraction of a second is a bad record
	maxWire   uint32   // a larger original length is a bad record

	// pcapng
	ifaces []iface // interfaces of the current section

	stats  Stats
	skips  [numSkips]uint64
	encaps [numEncaps]uint64
	hidden [numHidden]uint64
	links  []Count // frames of link types the decoder does not decode, by type
	maxTs  int64
	havePk bool
	err    error // sticky: io.EOF or an *Error
}

// Options say how a Reader treats input that is damaged but readable.
type Options struct {
	// Strict makes a capture that ends inside a record (a capture tool
	// killed mid-write, a copy or a gzip stream cut short) an error
	// wrapping ErrTruncated. By default such a capture is read up to its
	// last whole packet, Next then returns io.EOF and Stats.Truncated
	// says where it was cut.
	Strict bool
	// Inner opens overlay tunnels (VXLAN on UDP ports 4789 and 8472,
	// Geneve on 6081, IP in IP: protocols 4 and 41) and decodes each frame
	// as the packet inside, so that pod-to-pod traffic between nodes is
	// attributed to the pods; and it counts a frame's length as the
	// analysed IP packet's on an Ethernet link (Packet.WireLen: its IP
	// length and 14 bytes), so that the same packet has the same length
	// whether it was captured on a bridge, with tcpdump -i any (Linux
	// cooked headers), behind a VLAN tag or inside a tunnel. Only whole datagrams are opened: the fragments of a tunnel
	// datagram count by their outer header. Without Inner, frames count
	// as tshark counts them: by the outermost IP header, with their
	// length on the wire. Stats.Bytes is the length on the wire either way.
	Inner bool

	// For OpenAll only (a single Reader ignores them):

	// Dedup drops the packets that are copies of a packet already read
	// (the same IP packet seen on another interface or in another
	// capture); see Dedup for the rule.
	Dedup bool
	// DedupSpan is how far apart in time copies of one packet may be; 0
	// means DefaultDedupSpan.
	DedupSpan time.Duration
	// MaxClockOffset bounds the clock offset estimated between captures;
	// 0 means DefaultMaxClockOffset.
	MaxClockOffset time.Duration
	// Stall is, for captures that are followed while they are written
	// (loaders/follow), how long one that has nothing new may hold the
	// merge back: the others' packets wait for its next one that long,
	// then go ahead (its later packets may then come out of order, which
	// the analysis' reorder slack absorbs). 0 waits for ever.
	Stall time.Duration
}

// iface is a pcapng interface: how to read its packets.
type iface struct {
	link    LinkType
	units   uint64 // timestamp ticks per second
	mult    uint64 // 1e9/units when that is exact, else 0
	offset  int64  // if_tsoffset, in ns
	maxWire uint32 // a larger original length is a bad record
	bad     bool   // unusable timestamp resolution or offset: its packets are skipped
}

// Open opens a capture file with the default Options; "-" reads standard
// input. A gzip-compressed file is recognised by its first bytes, whatever
// its name.
func Open(path string) (*Reader, error) { return OpenWith(path, Options{}) }

// OpenWith is Open with options.
func OpenWith(path string, opts Options) (*Reader, error) {
	if path == "-" {
		return NewReaderWith(os.Stdin, "stdin", opts)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening capture: %w", err)
	}
	r, err := NewReaderWith(f, path, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// NewReader reads a capture from r with the default Options; name is used
// in messages. The capture header is read before NewReader returns.
func NewReader(r io.Reader, name string) (*Reader, error) {
	return NewReaderWith(r, name, Options{})
}

// NewReaderWith is NewReader with options.
func NewReaderWith(r io.Reader, name string, opts Options) (*Reader, error) {
	rd := &Reader{name: name, opts: opts, raw: &countReader{r: r}, maxTs: minInt64}
	rd.rawBuf = bufio.NewReaderSize(rd.raw, 64<<10)
	var src io.Reader = rd.rawBuf
	magic, err := rd.peekStart(2)
	if err != nil {
		return nil, err
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		if follow.Following(r) {
			return nil, &Error{File: name, Err: fmt.Errorf("%w: capture uncompressed (tcpdump -U -w FILE), or read the finished capture whole", ErrFollowCompressed)}
		}
		gz, err := gzip.NewReader(rd.rawBuf)
		if err != nil {
			return nil, &Error{File: name, Err: fmt.Errorf("%w: gzip header: %v; check the file with gzip -t", ErrFormat, err)}
		}
		rd.gz = gz
		rd.stats.Compressed = true
		src = gz
	}
	rd.in = newInput(src)
	for {
		err := rd.readHeader()
		if !errors.Is(err, follow.ErrNoData) {
			if err != nil {
				return nil, err
			}
			return rd, nil
		}
		// A followed capture whose header is not all written yet.
		if err := follow.Wait(err); err != nil {
			return nil, err
		}
	}
}

// peekStart returns the first n bytes of the input (fewer when it is
// shorter), waiting for a followed input to have them.
func (r *Reader) peekStart(n int) ([]byte, error) {
	for {
		b, err := r.rawBuf.Peek(n)
		if !errors.Is(err, follow.ErrNoData) {
			return b, nil // a short or failing input is said by the header's read
		}
		if err := follow.Wait(err); err != nil {
			return nil, err
		}
	}
}

// Close closes the file opened by Open. It does not close the io.Reader
// given to NewReader.
func (r *Reader) Close() error {
	var err error
	if r.gz != nil {
		err = r.gz.Close()
	}
	if r.closer != nil {
		if cerr := r.closer.Close(); err == nil {
			err = cerr
		}
		r.closer = nil
	}
	return err
}

// Offset is how many input bytes have been consumed: compressed bytes for
// a gzip-compressed input, so it can be compared with the file size to
// show progress.
func (r *Reader) Offset() int64 {
	if r.gz != nil {
		return r.raw.n - int64(r.rawBuf.Buffered())
	}
	return r.in.offset()
}

// Stats returns the counts so far. It may be called at any time.
func (r *Reader) Stats() Stats {
	s := r.stats
	s.LinkTypes = slices.Clone(r.stats.LinkTypes)
	if t := r.stats.Truncated; t != nil {
		c := *t
		s.Truncated = &c
	}
	s.SkipReasons = nil
	for i, n := range r.skips {
		if n > 0 {
			s.SkipReasons = append(s.SkipReasons, SkipReason{Reason: skipText[i], Count: n, BadRecord: i >= firstBadSkip})
		}
	}
	for i, n := range r.encaps {
		if n > 0 {
			s.Encapsulations = append(s.Encapsulations, Count{What: encapNames[i], Frames: n})
		}
	}
	for _, l := range r.links {
		s.Undecoded = append(s.Undecoded, Undecoded{What: l.What, Why: "mimir-tui does not decode this link type", Frames: l.Frames})
	}
	for i, n := range r.hidden {
		if n > 0 {
			s.Undecoded = append(s.Undecoded, Undecoded{What: hiddenText[i][0], Why: hiddenText[i][1], Frames: n})
		}
	}
	return s
}

// Next reads the next packet into p. It returns io.EOF at the clean end of
// the capture and an *Error otherwise; after an error every later call
// returns the same error. p.Payload aliases the reader's buffer and is
// valid only until the next call.
//
// A frame whose headers cannot be decoded is not an error: p carries what
// could be decoded and Stats counts it as Malformed or Snapped.
func (r *Reader) Next(p *Packet) error {
	if r.err != nil {
		return r.err
	}
	data, err := r.readFrame(p)
	if err != nil {
		if errors.Is(err, follow.ErrNoData) {
			return err // not sticky: the next call reads on from here
		}
		r.err = r.end(err)
		return r.err
	}
	wire := p.WireLen
	st := decode(p, data)
	if r.opts.Inner {
		st |= inner(p, data)
	}
	p.Frame = data
	s := &r.stats
	s.Packets++
	s.Bytes += uint64(wire)
	if p.IPVersion != 0 {
		s.IPPackets++
	} else {
		s.NonIP++
	}
	if st != 0 {
		r.count(st, p.LinkType)
	}
	ts := p.Timestamp
	if !r.havePk {
		r.havePk = true
		s.FirstInFile, s.First, s.Last = ts, ts, ts
	} else {
		if ts < r.maxTs {
			s.OutOfOrder++
		}
		if ts < s.First {
			s.First = ts
		}
		if ts > s.Last {
			s.Last = ts
		}
	}
	if ts > r.maxTs {
		r.maxTs = ts
	}
	return nil
}

const minInt64 = -1 << 63

// end decides how a read that failed with err ends: the input policy,
// decided here for every caller. A capture cut short inside a record is
// read up to its last whole packet and the cut recorded (io.EOF), unless
// the options are strict; anything else is returned as it is.
func (r *Reader) end(err error) error {
	var e *Error
	if r.opts.Strict || !errors.Is(err, ErrTruncated) || !errors.As(err, &e) {
		return err
	}
	r.stats.Truncated = &Truncation{Packets: r.stats.Packets, Offset: e.Offset, Decompressed: e.Decompressed, Message: e.Error()}
	return io.EOF
}

// count counts what decoding a frame met besides its addresses.
func (r *Reader) count(st status, link LinkType) {
	s := &r.stats
	if st&statusMalformed != 0 {
		s.Malformed++
	}
	if st&statusSnapped != 0 {
		s.Snapped++
	}
	switch h := st.hiddenReason(); h {
	case hiddenNone:
	case hiddenLinkType:
		r.countLink(link)
	default:
		r.hidden[h]++
	}
	for e := st.encaps(); e != 0; e &= e - 1 {
		r.encaps[bits.TrailingZeros16(e)]++
	}
}

// countLink counts a frame of a link type the decoder does not decode.
func (r *Reader) countLink(link LinkType) {
	what := link.String()
	for i := range r.links {
		if r.links[i].What == what {
			r.links[i].Frames++
			return
		}
	}
	r.links = append(r.links, Count{What: what, Frames: 1})
}

// errSwitched tells readFrame that the capture went on in the other format
// (pcapng after pcap, or the reverse: files joined with cat).
var errSwitched = errors.New("capture format switched")

// readFrame reads the next record, sets p's framing fields and returns the
// frame's bytes.
func (r *Reader) readFrame(p *Packet) ([]byte, error) {
	for {
		var data []byte
		var err error
		if r.format == FormatPcap {
			data, err = r.nextPcap(p)
		} else {
			data, err = r.nextPcapng(p)
		}
		if err != errSwitched {
			return data, err
		}
	}
}

// errAt makes the *Error for a problem at offset off.
func (r *Reader) errAt(off int64, err error) *Error {
	return &Error{File: r.name, Offset: off, Decompressed: r.gz != nil, Err: err}
}

// readSoFar says how many packets were read, for error messages.
func (r *Reader) readSoFar() string {
	switch n := r.stats.Packets; n {
	case 0:
		return "no packet was read before it"
	case 1:
		return "the 1 packet before it was read"
	default:
		return fmt.Sprintf("the %d packets before it were read", n)
	}
}

// readErr turns an error of input.peek or input.skip inside the record that
// starts at off into an *Error.
func (r *Reader) readErr(off int64, what string, err error) error {
	if errors.Is(err, follow.ErrNoData) {
		return err // a followed capture goes on: nothing is wrong
	}
	var se srcError
	if errors.As(err, &se) {
		if r.gz != nil && errors.Is(se.err, io.ErrUnexpectedEOF) {
			where := "inside the " + what + " starting here ("
			if r.in.w == r.in.r {
				where = "between two records (what followed, and the stream's checksum, are lost; "
			}
			return r.errAt(off, fmt.Errorf("%w: the gzip stream ends early, %swas the file cut short while it was written or copied? gzip -t says so too); %s", ErrTruncated, where, r.readSoFar()))
		}
		hint := "the device or pipe failed"
		if r.gz != nil {
			hint = "the gzip stream is damaged (check it with gzip -t); the packets before this offset were read"
		}
		return r.errAt(off, fmt.Errorf("reading %s: %w: %s", what, se.err, hint))
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return r.errAt(off, fmt.Errorf("%w: the %s starting here is incomplete (was the capture tool killed, or the copy cut short?); %s", ErrTruncated, what, r.readSoFar()))
	}
	return r.errAt(off, fmt.Errorf("%w: %s: %v", ErrCorrupt, what, err))
}

// readHeader detects the format and reads the file header (pcap) or the
// first section header (pcapng).
func (r *Reader) readHeader() error {
	head, err := r.in.peek(4)
	if err != nil {
		if err == io.EOF {
			return r.errAt(0, fmt.Errorf("%w: the input is empty", ErrFormat))
		}
		if err == io.ErrUnexpectedEOF {
			return r.errAt(0, fmt.Errorf("%w: the input is only %d bytes long", ErrFormat, r.in.w-r.in.r))
		}
		return r.readErr(0, "file header", err)
	}
	if [4]byte(head) == shbMagic {
		r.format = FormatPcapng
		r.stats.Format = FormatPcapng
		return r.readSectionStart()
	}
	be, ok := pcapMagic([4]byte(head))
	if !ok {
		r.in.peek(sniffLen) // more of the start, if there is more, to say what it is
		return r.errAt(0, fmt.Errorf("%w: %s", ErrFormat, describeMagic(r.in.buf[r.in.r:min(r.in.w, r.in.r+sniffLen)])))
	}
	r.be = be
	r.format = FormatPcap
	r.stats.Format = FormatPcap
	return r.readPcapHeader(0)
}

// sniffLen is how much of a file that is not a capture describeMagic
// looks at.
const sniffLen = 256

// describeMagic says what a file that is not a capture seems to be, and
// what to do about it; b is its start.
func describeMagic(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("BZh")):
		return "the file is bzip2-compressed: decompress it (bunzip2 -k) or recompress it with gzip"
	case bytes.HasPrefix(b, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return "the file is zstd-compressed: decompress it (zstd -d) or recompress it with gzip"
	case bytes.HasPrefix(b, []byte{0xfd, '7', 'z', 'X'}):
		return "the file is xz-compressed: decompress it (xz -dk) or recompress it with gzip"
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return "the file is a zip archive: extract the capture from it first"
	case bytes.HasPrefix(b, []byte("snoo")):
		return "the file is a Sun snoop capture: convert it with editcap -F pcapng IN OUT"
	}
	if what := describeText(b); what != "" {
		return what
	}
	return fmt.Sprintf("it starts with % x, which is no pcap or pcapng magic number; if Wireshark opens it, convert it with editcap -F pcapng IN OUT", b)
}

// describeText recognises the text and pickle files that are given as a
// capture by mistake, the entity logs among them; "" for anything else.
func describeText(b []byte) string {
	const misplaced = ": captures come first and the entity log last (mimir-tui [flags] CAPTURE... ENTITIES)"
	t := bytes.TrimLeft(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case len(b) >= 2 && b[0] == 0x80 && b[1] >= 2 && b[1] <= 5:
		return "it is a Python pickle, such as the original MIMIR's entity log, not a capture" + misplaced
	case len(t) > 0 && (t[0] == '{' || t[0] == '['):
		return "it is JSON text, such as an entity log, not a capture" + misplaced
	case bytes.HasPrefix(t, []byte("apiVersion:")) || bytes.HasPrefix(t, []byte("kind:")) || bytes.HasPrefix(t, []byte("---")):
		return "it is YAML text, such as a kubectl listing, not a capture" + misplaced
	case len(t) > 0 && printable(b):
		return "it is text, with no pcap or pcapng magic number, not a capture" + misplaced
	}
	return ""
}

// printable reports whether b looks like text: no control characters but
// white space.
func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return true
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.n += int64(n)
	}
	return n, err
}

// addLinkType records a link type in Stats.LinkTypes.
func (r *Reader) addLinkType(l LinkType) {
	r.stats.Interfaces++
	if !slices.Contains(r.stats.LinkTypes, l) {
		r.stats.LinkTypes = append(r.stats.LinkTypes, l)
	}
}
