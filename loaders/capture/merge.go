package capture

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Input is one capture of a merged read.
type Input struct {
	// Name is shown in messages; it defaults to Path.
	Name string
	// Path is the file to open when R is nil; "-" is standard input.
	Path string
	// R is read instead of Path. Merged does not close it.
	R io.Reader
	// Node labels the capture, e.g. the node it was taken on; it defaults
	// to Name's base name without its extensions ("node-a.pcap.gz" is
	// "node-a").
	Node string
	// Offset, when set, is how far this capture's clock runs ahead of
	// the reference clock (the first input's, unless it has an Offset
	// too): its timestamps are moved back by it. When nil the offset is
	// estimated from the packets this capture has in common with the
	// others.
	Offset *time.Duration
}

// InputStats is what a Merged read found in one of its inputs.
type InputStats struct {
	Name, Node string
	// Stats are the input's own counts; their timestamps are the
	// capture's, not corrected.
	Stats Stats
	// Duplicates counts this input's packets dropped as copies of
	// packets read before them (with Options.Dedup).
	Duplicates uint64
	Clock      Clock
}

// Merged reads several captures as one, in timestamp order, while they
// stream: its memory is one read buffer and one packet per input, the
// deduplication table and, while clock offsets are estimated, a bounded
// prefix of each input. Its methods are those of Reader. Packets come
// with Packet.Input set, their timestamps corrected by their input's
// clock offset, and, with Options.Dedup, without the copies.
type Merged struct {
	opts  Options
	ins   []*mergeInput
	prime bool // no head has been read yet
	last  int  // the input whose head Next returned last; -1 for none
	dedup *Dedup
	err   error
	first int64 // timestamp of the first packet returned
	seen  bool  // a packet was returned
}

// mergeInput is one input of a Merged read.
type mergeInput struct {
	name, node string
	rd         *Reader
	closer     io.Closer // a file Merged opened
	head       Packet    // the input's next packet, when live
	live       bool
	clock      Clock
	dups       uint64
}

// OpenAll opens captures to be read as one. Each input's format is
// recognised from its content (pcap, pcapng, either gzip-compressed);
// one that is none gives an *Error naming it. With several inputs whose
// offsets are not all given, clock offsets are estimated first from a
// bounded prefix of each input (EstimatePrefix bytes), which is read
// again by the merge. Options apply to every input.
func OpenAll(inputs []Input, opts Options) (*Merged, error) {
	if len(inputs) == 0 {
		return nil, errors.New("no capture to read: give at least one")
	}
	m := &Merged{opts: opts, prime: true, last: -1}
	srcs, err := m.open(inputs)
	if err != nil {
		m.Close()
		return nil, err
	}
	m.setClocks(inputs, srcs)
	for i, in := range m.ins {
		rd, err := NewReaderWith(srcs[i], in.name, opts)
		if err != nil {
			m.Close()
			return nil, err
		}
		in.rd = rd
	}
	if opts.Dedup {
		m.dedup = NewDedup(opts.DedupSpan)
	}
	return m, nil
}

// open names the inputs and opens their files.
func (m *Merged) open(inputs []Input) ([]io.Reader, error) {
	srcs := make([]io.Reader, len(inputs))
	for i, in := range inputs {
		mi := &mergeInput{name: in.Name, node: in.Node}
		if mi.name == "" {
			mi.name = in.Path
		}
		m.ins = append(m.ins, mi)
		switch {
		case in.R != nil:
			srcs[i] = in.R
		case in.Path == "-":
			srcs[i] = os.Stdin
			if mi.name == "-" {
				mi.name = "stdin"
			}
		case in.Path != "":
			f, err := os.Open(in.Path)
			if err != nil {
				return nil, fmt.Errorf("opening capture: %w", err)
			}
			mi.closer, srcs[i] = f, f
		default:
			return nil, fmt.Errorf("capture %d has neither a path nor a reader", i+1)
		}
		if mi.node == "" {
			mi.node = NodeName(mi.name)
		}
	}
	return srcs, nil
}

// NodeName is the node label of a capture named name: its base name
// without the extensions of captures and compression ("captures/node-a.pcap.gz"
// is "node-a").
func NodeName(name string) string {
	base := filepath.Base(name)
	for {
		ext := strings.ToLower(filepath.Ext(base))
		switch ext {
		case ".gz", ".pcap", ".pcapng", ".cap", ".dmp":
			base = strings.TrimSuffix(base, filepath.Ext(base))
			continue
		}
		break
	}
	if base == "" || base == "." {
		return name
	}
	return base
}

// Close closes the files OpenAll opened (not the readers it was given).
func (m *Merged) Close() error {
	var errs []error
	for _, in := range m.ins {
		if in.rd != nil {
			errs = append(errs, in.rd.Close())
		}
		if in.closer != nil {
			errs = append(errs, in.closer.Close())
			in.closer = nil
		}
	}
	return errors.Join(errs...)
}

// Next reads the next packet in timestamp order into p: the earliest of
// the inputs' next packets (by corrected timestamp; the first input on a
// tie), so the packets of one input keep that input's order. It returns
// io.EOF once every input has ended, and an input's error (an *Error
// naming it) as soon as it meets one; the error is then sticky. Like
// Reader.Next, p.Payload is valid only until the next call.
func (m *Merged) Next(p *Packet) error {
	for m.err == nil {
		if err := m.refill(); err != nil {
			m.err = err
			break
		}
		i := m.earliest()
		if i < 0 {
			m.err = io.EOF
			break
		}
		m.last = i
		in := m.ins[i]
		*p = in.head
		if m.dedup != nil && m.dedup.Duplicate(p) {
			in.dups++
			continue
		}
		if !m.seen {
			m.seen, m.first = true, p.Timestamp
		}
		return nil
	}
	return m.err
}

// refill reads the next packet of the input whose packet was returned
// last, or of every input before the first packet.
func (m *Merged) refill() error {
	if m.prime {
		m.prime = false
		for i := range m.ins {
			if err := m.advance(i); err != nil {
				return err
			}
		}
		return nil
	}
	if m.last >= 0 {
		return m.advance(m.last)
	}
	return nil
}

// advance reads input i's next packet into its head.
func (m *Merged) advance(i int) error {
	in := m.ins[i]
	if in.rd == nil {
		return nil // an input left out (clock estimation only)
	}
	err := in.rd.Next(&in.head)
	if err == io.EOF {
		in.live = false
		return nil
	}
	if err != nil {
		in.live = false
		return err
	}
	in.live = true
	in.head.Input = i
	in.head.Timestamp -= in.clock.Offset.Nanoseconds()
	return nil
}

// earliest returns the input with the earliest head, or -1 when all have
// ended. Inputs are few (one per node), so a scan beats a heap.
func (m *Merged) earliest() int {
	best := -1
	for i, in := range m.ins {
		if in.live && (best < 0 || in.head.Timestamp < m.ins[best].head.Timestamp) {
			best = i
		}
	}
	return best
}

// Offset is how many input bytes have been consumed, over all inputs
// (compressed bytes for a gzip-compressed one): compare it with the sum
// of the file sizes to show progress.
func (m *Merged) Offset() int64 {
	var n int64
	for _, in := range m.ins {
		if in.rd != nil {
			n += in.rd.Offset()
		}
	}
	return n
}

// Inputs returns what each input holds so far, in the order given to
// OpenAll.
func (m *Merged) Inputs() []InputStats {
	out := make([]InputStats, len(m.ins))
	for i, in := range m.ins {
		out[i] = InputStats{Name: in.name, Node: in.node, Duplicates: in.dups, Clock: in.clock}
		if in.rd != nil {
			out[i].Stats = in.rd.Stats()
		}
	}
	return out
}

// Dedup returns the deduplication of the read, nil without Options.Dedup.
func (m *Merged) Dedup() *Dedup { return m.dedup }
