package capture

import (
	"fmt"
	"io"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/follow"
)

// Node clocks differ by milliseconds, or more without NTP. The same packet
// leaves one node and arrives at the other: its copies in the two captures
// have the same Key and timestamps that differ by the clock offset plus
// or minus the transit time. The offset is estimated from a bounded
// prefix of the captures, before they are merged, and corrected.

// DefaultMaxClockOffset bounds the clock offsets that are estimated:
// copies of a packet further apart than this are not matched. NTP keeps
// nodes within milliseconds; a larger offset should be given by hand.
const DefaultMaxClockOffset = 2 * time.Second

// MinClockMatches is how many packets two captures must have in common
// for their clock offset to be estimated.
const MinClockMatches = 16

// estimatePrefix is how much of each input (bytes as stored: compressed
// for gzip) is read at most, and held in memory, to estimate clock
// offsets; it is a variable for tests.
var estimatePrefix = 8 << 20

// enoughMatches ends the estimation early, and so does estimateSpan of
// capture time: a capture still being written (followed) is not waited
// for until 8 MiB of it have come.
const (
	enoughMatches = 4096
	estimateSpan  = int64(2 * time.Minute)
)

// ClockSource says where an input's clock offset comes from.
type ClockSource string

const (
	// ClockReference: the input whose clock the others are corrected to
	// (the first, unless offsets are given).
	ClockReference ClockSource = "reference"
	// ClockGiven: set by the user (Input.Offset).
	ClockGiven ClockSource = "given"
	// ClockEstimated: measured from packets seen in this input and
	// another one.
	ClockEstimated ClockSource = "estimated"
	// ClockUnknown: not estimated (too few packets in common with the
	// others); the input's timestamps are taken as they are.
	ClockUnknown ClockSource = "unknown"
)

// Clock is an input's clock offset and how it was found.
type Clock struct {
	// Offset is how far the input's clock runs ahead of the reference:
	// its packets' timestamps were moved back by it.
	Offset time.Duration `json:"offset_ns"`
	Source ClockSource   `json:"source"`
	// Against names the input it was measured against, Matches the
	// packets the two have in common (in the prefix read to estimate).
	Against string `json:"against,omitempty"`
	Matches int    `json:"matches,omitempty"`
	// OneWay: the packets in common all went one way, so the offset
	// includes the transit time (well under a millisecond in a cluster).
	OneWay bool `json:"one_way,omitempty"`
	// Measured is, for a given offset that the packets in common with
	// Against contradict (checkGiven), the offset they measure; 0 else.
	Measured time.Duration `json:"measured_ns,omitempty"`
}

// Contradicted reports whether the packets in common contradict a given
// offset.
func (c Clock) Contradicted() bool { return c.Source == ClockGiven && c.Against != "" }

// setClocks sets each input's clock: given, or estimated from a prefix of
// srcs, which it then replaces by readers that read the prefix again. The
// first input's clock is the reference unless its offset is given, so a
// given offset is always to the first capture's clock. When every offset
// is known, finished captures are still matched, to check the given ones
// (checkGiven); followed captures are not (they have no prefix to read).
func (m *Merged) setClocks(inputs []Input, srcs []io.Reader) {
	known := 0
	for i, in := range inputs {
		switch {
		case in.Offset != nil:
			m.ins[i].clock = Clock{Offset: *in.Offset, Source: ClockGiven}
		case i == 0:
			m.ins[i].clock.Source = ClockReference
		default:
			continue
		}
		known++
	}
	if len(inputs) == 1 || known == len(inputs) && anyFollowed(inputs) {
		return
	}
	rws := make([]*rewinder, len(srcs))
	for i := range srcs {
		rws[i] = &rewinder{src: srcs[i], limit: estimatePrefix}
		srcs[i] = rws[i]
	}
	est := m.matchPrefix(rws)
	for i, rw := range rws {
		rw.replay()
		srcs[i] = rw
	}
	m.checkGiven(est)
	m.solveClocks(est)
}

// checkGiven compares each given offset with what the packets the input
// has in common with another known input say (the residual left after the
// given offsets were applied), and records it when it is off by more than
// GivenClockTolerance: a wrong offset makes copies of packets seen on two
// nodes count twice.
func (m *Merged) checkGiven(mt *matcher) {
	for j, in := range m.ins {
		if in.clock.Source != ClockGiven {
			continue
		}
		// Against an earlier input: the first is the reference, and a
		// disagreement is the later input's to fix.
		bi, bn := -1, 0
		for i, other := range m.ins[:j] {
			if other.clock.Source != "" && mt.count(i, j) > bn {
				bi, bn = i, mt.count(i, j)
			}
		}
		if bn < MinClockMatches {
			continue
		}
		d, _ := mt.estimate(bi, j)
		if r := time.Duration(d); r > GivenClockTolerance || r < -GivenClockTolerance {
			in.clock.Against, in.clock.Matches = m.ins[bi].name, bn
			in.clock.Measured = in.clock.Offset + r
		}
	}
}

// GivenClockTolerance is how far a given clock offset may be from the one
// the packets in common measure before it is reported: well above the
// transit time that a one-way estimate includes, well below the
// deduplication span.
const GivenClockTolerance = 2 * time.Millisecond

func anyFollowed(inputs []Input) bool {
	for _, in := range inputs {
		if follow.Following(in.R) {
			return true
		}
	}
	return false
}

// matchPrefix reads the prefixes, merged with the given offsets applied
// and tunnels opened, and collects the time differences of the packets
// seen in two inputs.
func (m *Merged) matchPrefix(rws []*rewinder) *matcher {
	pre := &Merged{prime: true, last: -1}
	defer pre.Close()
	for i, rw := range rws {
		// An input that cannot be read takes no part; reading it for
		// the merge gives its error.
		rd, _ := NewReaderWith(rw, m.ins[i].name, Options{Inner: true})
		pre.ins = append(pre.ins, &mergeInput{name: m.ins[i].name, rd: rd, clock: m.ins[i].clock})
	}
	bound := m.opts.MaxClockOffset
	if bound <= 0 {
		bound = DefaultMaxClockOffset
	}
	mt := newMatcher(len(rws), int64(bound))
	var p Packet
	for n := 1; pre.Next(&p) == nil; n++ {
		if n == 1 {
			mt.start = p.Timestamp
		}
		if p.Timestamp-mt.start > estimateSpan {
			break
		}
		mt.add(&p)
		if n&1023 == 0 && (mt.enough(m.ins) || anyFull(rws)) {
			break
		}
	}
	return mt
}

func anyFull(rws []*rewinder) bool {
	for _, rw := range rws {
		if rw.full {
			return true
		}
	}
	return false
}

// solveClocks sets the offsets of the inputs not given, from the inputs
// whose offsets are known: each time the unknown input with the most
// packets in common with a known one.
func (m *Merged) solveClocks(mt *matcher) {
	known := make([]bool, len(m.ins))
	for i, in := range m.ins {
		known[i] = in.clock.Source != ""
	}
	applied := make([]time.Duration, len(m.ins))
	for i, in := range m.ins {
		applied[i] = in.clock.Offset
	}
	for {
		bi, bj, bn := -1, -1, 0
		for i := range m.ins {
			for j := range m.ins {
				if known[i] && !known[j] && mt.count(i, j) > bn {
					bi, bj, bn = i, j, mt.count(i, j)
				}
			}
		}
		if bn < MinClockMatches {
			break
		}
		d, oneWay := mt.estimate(bi, bj)
		c := &m.ins[bj].clock
		c.Offset = time.Duration(d) + m.ins[bi].clock.Offset - applied[bi] + applied[bj]
		c.Source, c.Against, c.Matches, c.OneWay = ClockEstimated, m.ins[bi].name, bn, oneWay
		known[bj] = true
	}
	for j, in := range m.ins {
		if !known[j] {
			in.clock.Source = ClockUnknown
			in.clock.Matches = mt.most(j)
		}
	}
}

// String says in words how an input's clock was set, for reports.
func (c Clock) String() string {
	switch c.Source {
	case ClockReference:
		return "reference clock"
	case ClockGiven:
		if c.Contradicted() {
			return fmt.Sprintf("%s (given; the %d packets seen in %s too measure %s)", signed(c.Offset), c.Matches, c.Against, signed(c.Measured))
		}
		return signed(c.Offset) + " (given)"
	case ClockEstimated:
		way := ""
		if c.OneWay {
			way = ", all one way: includes the transit time"
		}
		return fmt.Sprintf("%s (estimated from %d packets seen in %s too%s)", signed(c.Offset), c.Matches, c.Against, way)
	}
	return fmt.Sprintf("not estimated: %d packets in common with the other captures, %d needed; timestamps taken as they are", c.Matches, MinClockMatches)
}

// signed writes a duration with its sign, "+3.75ms" or "-1s".
func signed(d time.Duration) string {
	if d >= 0 {
		return "+" + d.String()
	}
	return d.String()
}

// rewinder records what is read from src, up to limit bytes (then it
// reports the end), so that it can be read again: after replay, Read
// serves the recording, then the rest of src.
type rewinder struct {
	src       io.Reader
	buf       []byte
	limit     int
	full      bool  // the limit was reached
	srcErr    error // src's error while recording (io.EOF at its end)
	replaying bool
	pos       int
}

func (r *rewinder) Read(p []byte) (int, error) {
	if r.replaying {
		if r.pos < len(r.buf) {
			n := copy(p, r.buf[r.pos:])
			r.pos += n
			return n, nil
		}
		r.buf = nil // the recording is no longer needed
		if r.srcErr != nil {
			return 0, r.srcErr
		}
		return r.src.Read(p)
	}
	if r.srcErr != nil {
		return 0, r.srcErr
	}
	room := r.limit - len(r.buf)
	if room <= 0 {
		r.full = true
		return 0, io.EOF
	}
	if len(p) > room {
		p = p[:room]
	}
	n, err := r.src.Read(p)
	r.buf = append(r.buf, p[:n]...)
	if err != nil {
		r.srcErr = err
	}
	return n, err
}

// replay makes Read start again from the beginning.
func (r *rewinder) replay() {
	r.replaying, r.pos = true, 0
}
