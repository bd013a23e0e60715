package traffic

import (
	"fmt"
	"slices"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
)

// Config says how to cut and aggregate the packets.
type Config struct {
	// Sizes are the window sizes, aggregated in the same pass. Each must
	// be positive; none given means 10s.
	Sizes []time.Duration
	// Tagger, if set, tags each address; tags become part of the pair key
	// (an entity instance per IP).
	Tagger Tagger
	// Details also collects Endpoints and DNS (the engine needs them; per-
	// pair counts do not).
	Details bool
	// ReorderSlack is how long after a window's end packets may still
	// arrive for it: a window is emitted once a packet that much later
	// than its end has been seen. 0 means DefaultReorderSlack; a negative
	// value means none.
	ReorderSlack time.Duration
	// MaxSpan is how far from the first packet (either way) a packet may
	// be; packets beyond it are dropped and counted (Stats.OutOfSpan). It
	// keeps one packet with a garbage timestamp from creating millions of
	// empty windows. 0 means DefaultMaxSpan.
	MaxSpan time.Duration
}

// DefaultMaxSpan is the default Config.MaxSpan.
const DefaultMaxSpan = 31 * 24 * time.Hour

// DefaultSize is the window size used when Config.Sizes is empty.
const DefaultSize = 10 * time.Second

// Stats counts what the Aggregator did. Slices are indexed like
// Config.Sizes.
type Stats struct {
	Packets   uint64   // packets given to Add
	Late      []uint64 // packets that arrived for an already emitted window, dropped
	Windows   []uint64 // windows emitted
	OutOfSpan uint64   // packets further than MaxSpan from the first one, dropped
}

// Aggregator cuts packets into windows of one or more sizes and aggregates
// each window per directed IP pair. It is not safe for concurrent use.
type Aggregator struct {
	cfg     Config
	series  []series
	started bool
	done    bool
	t0      int64
	maxTs   int64
	maxSpan uint64
	stats   Stats

	pool []*acc // emitted accumulators, for reuse of their maps
	det  details
}

// DefaultReorderSlack is how late a packet may arrive for its window by
// default. Captures merged from several interfaces or written by several
// threads are out of order by microseconds to milliseconds (the shop-demo
// capture by 64 µs); 5 s leaves a wide margin and still lets windows be
// analysed while the capture streams in.
const DefaultReorderSlack = 5 * time.Second

// series is the state of one window size.
type series struct {
	size, slack int64
	next        int64  // index of the first window not yet emitted
	emitted     bool   // some window was emitted, so next only grows
	open        []*acc // windows holding packets, by index
	cur         *acc   // the window of the previous packet
	sealAt      int64  // max timestamp at which window next is sealed
	pairCap     int    // pairs in the last emitted window: the next one's capacity
}

// New returns an Aggregator for cfg. It panics if a size is not positive.
func New(cfg Config) *Aggregator {
	if len(cfg.Sizes) == 0 {
		cfg.Sizes = []time.Duration{DefaultSize}
	}
	a := &Aggregator{cfg: cfg, series: make([]series, len(cfg.Sizes))}
	a.maxSpan = uint64(cfg.MaxSpan)
	if cfg.MaxSpan <= 0 {
		a.maxSpan = uint64(DefaultMaxSpan)
	}
	for i, d := range cfg.Sizes {
		if d <= 0 {
			panic(fmt.Sprintf("traffic: window size %v is not positive", d))
		}
		s := &a.series[i]
		s.size = int64(d)
		switch {
		case cfg.ReorderSlack > 0:
			s.slack = int64(cfg.ReorderSlack)
		case cfg.ReorderSlack == 0:
			s.slack = int64(DefaultReorderSlack)
		}
	}
	a.stats.Late = make([]uint64, len(cfg.Sizes))
	a.stats.Windows = make([]uint64, len(cfg.Sizes))
	if cfg.Details {
		a.det.init()
	}
	return a
}

// Stats returns the counts so far.
func (a *Aggregator) Stats() Stats {
	s := a.stats
	s.Late = slices.Clone(a.stats.Late)
	s.Windows = slices.Clone(a.stats.Windows)
	return s
}

// Start returns t0, the timestamp (Unix ns) of the first packet added,
// where windows are anchored; ok is false before the first packet.
func (a *Aggregator) Start() (t0 int64, ok bool) { return a.t0, a.started }

// floorDiv is a/b rounded towards minus infinity (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// Add aggregates one packet. The packet is not retained: its Payload may
// be reused as soon as Add returns.
func (a *Aggregator) Add(p *capture.Packet) {
	a.stats.Packets++
	ts := p.Timestamp
	if !a.started {
		a.started = true
		a.t0, a.maxTs = ts, ts
		for i := range a.series {
			s := &a.series[i]
			s.sealAt = a.t0 + s.size + s.slack
		}
	}
	if (ts > a.t0 && uint64(ts)-uint64(a.t0) > a.maxSpan) || (ts < a.t0 && uint64(a.t0)-uint64(ts) > a.maxSpan) {
		a.stats.OutOfSpan++
		return
	}
	if a.done {
		for i := range a.stats.Late {
			a.stats.Late[i]++
		}
		return
	}
	if ts > a.maxTs {
		a.maxTs = ts
	}
	var k pairKey
	if p.IPVersion != 0 {
		k = a.key(p)
	}
	for i := range a.series {
		s := &a.series[i]
		w := s.cur
		if w == nil || ts < w.start || ts >= w.end {
			if w = a.window(s, ts); w == nil {
				a.stats.Late[i]++
				continue
			}
		}
		w.packets++
		w.bytes += uint64(p.WireLen)
		if p.IPVersion == 0 {
			continue
		}
		pr := w.pair(k, p)
		pr.Frames++
		pr.Bytes += uint64(p.WireLen)
		if ts < pr.First {
			pr.First = ts
		}
		if ts > pr.Last {
			pr.Last = ts
		}
		if p.Protocol == capture.ProtoTCP && p.HasTransport && p.Fragment != capture.LaterFragment &&
			p.TCPFlags&(capture.TCPSyn|capture.TCPAck) == capture.TCPSyn {
			pr.Conns++
		}
		if p.HasTransport && p.Fragment != capture.LaterFragment && p.SrcPort > p.DstPort &&
			(p.Protocol == capture.ProtoTCP || p.Protocol == capture.ProtoUDP) {
			pr.ClientBytes += uint64(p.WireLen)
		}
		if a.cfg.Details {
			a.det.add(w, k, p, i == 0)
		}
	}
}

// key makes the pair key of an IP packet, tagging its addresses.
func (a *Aggregator) key(p *capture.Packet) pairKey {
	k := pairKey{src: p.Src.As16(), dst: p.Dst.As16(), fam: p.IPVersion, stag: NoTag, dtag: NoTag}
	if a.cfg.Tagger != nil {
		k.stag = a.cfg.Tagger.Tag(p.Src, p.Timestamp)
		k.dtag = a.cfg.Tagger.Tag(p.Dst, p.Timestamp)
	}
	return k
}

// window finds or opens the accumulator of the window holding ts; nil when
// that window was already emitted.
func (a *Aggregator) window(s *series, ts int64) *acc {
	idx := floorDiv(ts-a.t0, s.size)
	if idx < s.next {
		if s.emitted {
			return nil
		}
		// A packet before every window so far (earlier than t0): the
		// first window to emit moves back.
		s.next = idx
		s.sealAt = a.t0 + (idx+1)*s.size + s.slack
	}
	i, found := slices.BinarySearchFunc(s.open, idx, func(w *acc, idx int64) int {
		switch {
		case w.index < idx:
			return -1
		case w.index > idx:
			return 1
		}
		return 0
	})
	if found {
		s.cur = s.open[i]
		return s.cur
	}
	w := a.newAcc(s, idx)
	s.open = slices.Insert(s.open, i, w)
	s.cur = w
	return w
}

func (a *Aggregator) newAcc(s *series, idx int64) *acc {
	var w *acc
	if n := len(a.pool); n > 0 {
		w, a.pool = a.pool[n-1], a.pool[:n-1]
	} else {
		w = &acc{pairIdx: make(map[pairKey]int32)}
	}
	w.index = idx
	w.start = a.t0 + idx*s.size
	w.end = w.start + s.size
	w.pairs = make([]Pair, 0, s.pairCap)
	w.last, w.lastFlow = -1, -1
	return w
}

// Drain emits the windows the packets have sealed: Seal at the latest
// timestamp seen.
func (a *Aggregator) Drain(emit func(size int, w *Window)) { a.Seal(a.maxTs, emit) }

// Seal emits the windows that are sealed at clock (Unix ns): those whose
// end plus the reorder slack is at or before it, for each size in
// Config.Sizes order, in index order, empty windows included. It is the
// one rule of when a window is complete, whether the clock is the latest
// packet's timestamp (Drain) or the clock of a capture that is followed
// while it is written and has been quiet (its windows still close on
// time). Packets that arrive later for a sealed window are Late. emit
// owns the Window it is given.
func (a *Aggregator) Seal(clock int64, emit func(size int, w *Window)) {
	if !a.started || a.done {
		return
	}
	// Beyond MaxSpan no packet is taken, so no window is made either.
	if limit := a.t0 + int64(a.maxSpan); clock > limit && limit > a.t0 {
		clock = limit
	}
	for i := range a.series {
		s := &a.series[i]
		for clock >= s.sealAt {
			a.emit(i, s, false, emit)
		}
	}
}

// Finish emits every window not emitted yet, up to the one holding the
// latest packet, which is Partial. Packets added after Finish are Late.
func (a *Aggregator) Finish(emit func(size int, w *Window)) {
	if !a.started || a.done {
		a.done = true
		return
	}
	for i := range a.series {
		s := &a.series[i]
		last := floorDiv(a.maxTs-a.t0, s.size)
		for s.next <= last {
			a.emit(i, s, s.next == last, emit)
		}
	}
	a.done = true
}

// emit emits window s.next of series i.
func (a *Aggregator) emit(i int, s *series, partial bool, emit func(int, *Window)) {
	idx := s.next
	w := &Window{
		Index:   int(idx),
		Start:   a.t0 + idx*s.size,
		Partial: partial,
	}
	w.End = w.Start + s.size
	if len(s.open) > 0 && s.open[0].index == idx {
		ac := s.open[0]
		s.open = slices.Delete(s.open, 0, 1)
		if s.cur == ac {
			s.cur = nil
		}
		w.Packets, w.Bytes = ac.packets, ac.bytes
		w.Pairs = ac.pairs
		slices.SortFunc(w.Pairs, comparePairs)
		s.pairCap = len(w.Pairs)
		if a.cfg.Details {
			a.det.finish(ac, w)
		}
		ac.reset()
		a.pool = append(a.pool, ac)
	}
	s.next++
	s.emitted = true
	s.sealAt = a.t0 + (s.next+1)*s.size + s.slack
	a.stats.Windows[i]++
	emit(i, w)
}

func comparePairs(x, y Pair) int {
	if c := x.Src.Compare(y.Src); c != 0 {
		return c
	}
	if c := x.Dst.Compare(y.Dst); c != 0 {
		return c
	}
	if x.SrcTag != y.SrcTag {
		if x.SrcTag < y.SrcTag {
			return -1
		}
		return 1
	}
	if x.DstTag != y.DstTag {
		if x.DstTag < y.DstTag {
			return -1
		}
		return 1
	}
	return 0
}
