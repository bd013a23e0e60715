package capture

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/follow"
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
	// waiting counts the followed inputs that have nothing new.
	waiting int
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
	// A followed input with nothing new is waiting: since when, when it
	// was last tried, and its error (to wait on).
	waiting      bool
	since, tried time.Time
	noData       error
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
	if err := followedClocks(inputs); err != nil {
		return nil, err
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

// followedClocks refuses to estimate clocks from captures that are still
// being written: the estimate reads a prefix of minutes of each, and a
// followed capture has no end to it. The first capture's clock is the
// reference (setClocks), so every other offset must be given.
func followedClocks(inputs []Input) error {
	if len(inputs) < 2 || !anyFollowed(inputs) {
		return nil
	}
	for _, in := range inputs[1:] {
		if in.Offset == nil {
			return errors.New("clock offsets cannot be estimated between captures that are still being written: give every capture's offset to the first one's clock")
		}
	}
	return nil
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
		if w := m.holding(); w != nil {
			return w.noData // not sticky: a followed input has nothing yet
		}
		i := m.earliest()
		if i < 0 {
			if w := m.anyWaiting(); w != nil {
				return w.noData
			}
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
// last, or of every input before the first packet, and tries again the
// followed inputs that had nothing.
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
		i := m.last
		m.last = -1
		if err := m.advance(i); err != nil {
			return err
		}
	}
	return m.retryWaiting()
}

// retryEvery is how often a followed input that has nothing new and no
// longer holds the merge back is tried again.
const retryEvery = 5 * time.Millisecond

// retryWaiting tries the waiting inputs again: those that hold the merge
// at every call, the others every retryEvery.
func (m *Merged) retryWaiting() error {
	if m.waiting == 0 {
		return nil // not following, or nothing to wait for: no clock read
	}
	now := time.Now()
	for i, in := range m.ins {
		if in.waiting && (m.holds(in, now) || now.Sub(in.tried) >= retryEvery) {
			if err := m.advance(i); err != nil {
				return err
			}
		}
	}
	return nil
}

// holds is the rule of a followed input that has nothing new: it holds
// the merge back (its next packet may be earlier than the others') until
// it has been quiet for Options.Stall.
func (m *Merged) holds(in *mergeInput, now time.Time) bool {
	return in.waiting && (m.opts.Stall <= 0 || now.Sub(in.since) < m.opts.Stall)
}

// holding returns a waiting input that holds the merge back, or nil.
func (m *Merged) holding() *mergeInput {
	if m.waiting == 0 {
		return nil
	}
	now := time.Now()
	for _, in := range m.ins {
		if m.holds(in, now) {
			return in
		}
	}
	return nil
}

// anyWaiting returns a waiting input, or nil.
func (m *Merged) anyWaiting() *mergeInput {
	if m.waiting == 0 {
		return nil
	}
	for _, in := range m.ins {
		if in.waiting {
			return in
		}
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
	if errors.Is(err, follow.ErrNoData) {
		now := time.Now()
		if !in.waiting {
			in.waiting, in.since = true, now
			m.waiting++
		}
		in.live, in.tried, in.noData = false, now, err
		return nil
	}
	if in.waiting {
		in.waiting = false
		m.waiting--
	}
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
