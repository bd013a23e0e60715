package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"net/netip"
	"os"
	"path/filepath"
	"slices"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/entities"
)

// maxSourceBytes bounds a source's frames, which are held in memory (the
// output is streamed; the source is replayed from memory).
const maxSourceBytes = 2 << 30

// packet is one frame of a source: frames[off:off+capLen].
type packet struct {
	ts      int64 // Unix ns, as loaders/capture reads it
	off     int
	capLen  uint32
	wireLen uint32
}

// source is a scenario directory loaded into memory.
type source struct {
	dir, name    string
	capturePath  string
	frames       []byte
	pkts         []packet
	first, last  int64 // earliest and latest timestamp
	captureStart int64 // metadata's capture_start_epoch, else first
	snaplen      uint32
	shift        int64 // added to this source's times to reach the output's time base

	events     []entities.Event // absolute times, sorted
	podService map[string]string
	services   map[string]bool // names pods resolve to, and service objects
	podNet     uint32          // pod range of the log's pod addresses
	podMask    uint32
	svcIPs     []uint32        // service addresses: the log's, and the wire's inside their range
	stays      map[uint32]bool // wire addresses that are neither: shared by every copy
	macs       map[[6]byte]bool
	truth      map[string]any // ground_truth.json; nil when absent
}

func (s *source) podPrefix() netip.Prefix {
	return netip.PrefixFrom(u32addr(s.podNet), bits.OnesCount32(s.podMask))
}

// captureNames are the capture files a scenario directory may hold.
var captureNames = []string{"capture.pcapng.gz", "capture.pcapng", "capture.pcap.gz", "capture.pcap"}

// loadSource reads a scenario directory: capture, entities.jsonl, and
// metadata.json and ground_truth.json when present.
func loadSource(dir string) (*source, error) {
	s := &source{dir: dir, name: filepath.Base(filepath.Clean(dir))}
	for _, n := range captureNames {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			s.capturePath = filepath.Join(dir, n)
			break
		}
	}
	if s.capturePath == "" {
		return nil, fmt.Errorf("%s holds none of %v: give a scenario directory such as testdata/scenarios/benign", dir, captureNames)
	}
	if err := s.readFrames(); err != nil {
		return nil, err
	}
	if err := s.readTimes(); err != nil {
		return nil, err
	}
	if err := s.readEntities(filepath.Join(dir, "entities.jsonl")); err != nil {
		return nil, err
	}
	if err := s.scanAddresses(); err != nil {
		return nil, err
	}
	return s, s.readJSON()
}

// readFrames loads every frame with pcapgo (loaders/capture hands out
// decoded packets, not frames).
func (s *source) readFrames() error {
	f, err := os.Open(s.capturePath)
	if err != nil {
		return fmt.Errorf("opening source capture: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	var r io.Reader = br
	if m, _ := br.Peek(2); len(m) == 2 && m[0] == 0x1f && m[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("%s: %w; check it with gzip -t", s.capturePath, err)
		}
		defer gz.Close()
		r = gz
	}
	next, check, err := frameReader(bufio.NewReaderSize(r, 1<<16), s)
	if err != nil {
		return fmt.Errorf("%s: %w", s.capturePath, err)
	}
	for {
		data, ci, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: packet %d: %w; repair the capture (editcap IN OUT) first", s.capturePath, len(s.pkts)+1, err)
		}
		if len(s.frames)+len(data) > maxSourceBytes {
			return fmt.Errorf("%s: more than %d MiB of frames; sources are held in memory: use a smaller source", s.capturePath, maxSourceBytes>>20)
		}
		s.pkts = append(s.pkts, packet{off: len(s.frames), capLen: uint32(len(data)), wireLen: uint32(ci.Length)})
		s.frames = append(s.frames, data...)
	}
	if len(s.pkts) == 0 {
		return fmt.Errorf("%s holds no packets", s.capturePath)
	}
	return check()
}

// frameReader opens a pcap or pcapng stream. check, called at the end,
// refuses link types other than Ethernet.
func frameReader(r *bufio.Reader, s *source) (next func() ([]byte, gopacket.CaptureInfo, error), check func() error, err error) {
	notEth := func(l layers.LinkType) error {
		return fmt.Errorf("%s: link type %v: only Ethernet frames are rewritten", s.capturePath, l)
	}
	if m, _ := r.Peek(4); len(m) == 4 && [4]byte(m) == [4]byte{0x0a, 0x0d, 0x0d, 0x0a} {
		ng, err := pcapgo.NewNgReader(r, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			return nil, nil, err
		}
		check = func() error {
			for i := range ng.NInterfaces() {
				in, _ := ng.Interface(i)
				if in.LinkType != layers.LinkTypeEthernet {
					return notEth(in.LinkType)
				}
				s.snaplen = max(s.snaplen, in.SnapLength)
			}
			return nil
		}
		return ng.ReadPacketData, check, nil
	}
	pr, err := pcapgo.NewReader(r)
	if err != nil {
		return nil, nil, err
	}
	check = func() error {
		if pr.LinkType() != layers.LinkTypeEthernet {
			return notEth(pr.LinkType())
		}
		s.snaplen = max(s.snaplen, pr.Snaplen())
		return nil
	}
	return pr.ReadPacketData, check, nil
}

// readTimes takes the timestamps from loaders/capture, the project's own
// reader, which is exact for every pcapng resolution, and checks that it
// sees the same frames.
func (s *source) readTimes() error {
	r, err := capture.Open(s.capturePath)
	if err != nil {
		return err
	}
	defer r.Close()
	var p capture.Packet
	s.first, s.last = math.MaxInt64, math.MinInt64
	for i := 0; ; i++ {
		err := r.Next(&p)
		if err == io.EOF {
			if i != len(s.pkts) {
				return fmt.Errorf("%s: loaders/capture reads %d packets, pcapgo %d; repair the capture (editcap IN OUT) first", s.capturePath, i, len(s.pkts))
			}
			return nil
		}
		if err != nil {
			return err
		}
		if i >= len(s.pkts) || s.pkts[i].capLen != p.CaptureLen || s.pkts[i].wireLen != p.WireLen {
			return fmt.Errorf("%s: packet %d: loaders/capture and pcapgo disagree on its length; repair the capture (editcap IN OUT) first", s.capturePath, i+1)
		}
		s.pkts[i].ts = p.Timestamp
		s.first, s.last = min(s.first, p.Timestamp), max(s.last, p.Timestamp)
	}
}

// readJSON reads metadata.json's capture start and ground_truth.json, both
// optional.
func (s *source) readJSON() error {
	s.captureStart = s.first
	var meta struct {
		Start *float64 `json:"capture_start_epoch"`
	}
	if err := readJSONFile(filepath.Join(s.dir, "metadata.json"), &meta); err != nil {
		return err
	}
	if meta.Start != nil {
		s.captureStart = int64(math.Round(*meta.Start * 1e9))
	}
	return readJSONFile(filepath.Join(s.dir, "ground_truth.json"), &s.truth)
}

// readJSONFile decodes path into v; a missing file leaves v alone.
func readJSONFile(path string, v any) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	d := json.NewDecoder(f)
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("%s: %w; fix or remove the file", path, err)
	}
	return nil
}

// recorder is a mapper that changes nothing and notes every address.
type recorder struct {
	addrs map[uint32]bool
	macs  map[[6]byte]bool
}

func (r *recorder) addr(a uint32) uint32 { r.addrs[a] = true; return a }
func (r *recorder) mac(m []byte)         { r.macs[[6]byte(m)] = true }

// scanAddresses notes the addresses on the wire (also inside ARP, quoted
// ICMP datagrams and DNS answers) and sorts them into service addresses
// and addresses that stay; it refuses IPv6.
func (s *source) scanAddresses() error {
	rec := &recorder{addrs: map[uint32]bool{}, macs: map[[6]byte]bool{}}
	scratch := make([]byte, 0, 1<<16)
	for i, p := range s.pkts {
		scratch = append(scratch[:0], s.frames[p.off:p.off+int(p.capLen)]...)
		if err := rewriteFrame(scratch, rec); err != nil {
			return fmt.Errorf("%s: packet %d: %w", s.capturePath, i+1, err)
		}
	}
	s.macs = rec.macs
	var svcNet netip.Prefix
	if len(s.svcIPs) > 0 {
		svcNet, _ = covering(s.svcIPs)
	}
	known := make(map[uint32]bool)
	for _, a := range s.svcIPs {
		known[a] = true
	}
	s.stays = make(map[uint32]bool)
	for a := range rec.addrs {
		switch {
		case a&s.podMask == s.podNet || known[a]:
		case svcNet.IsValid() && svcNet.Contains(u32addr(a)):
			s.svcIPs = append(s.svcIPs, a) // dialled but not in the log
			known[a] = true
		default:
			s.stays[a] = true
		}
	}
	slices.Sort(s.svcIPs)
	return nil
}
