package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// minGap is the least silence between repetitions.
const minGap = int64(time.Second)

// build is a planned output: which source each copy replays, and how the
// repetitions follow each other.
type build struct {
	opts     options
	base     *source
	sources  []*source // sources with at least one copy, base first when it has one
	plans    []*copyPlan
	copiesOf map[*source][]*copyPlan
	program  []item // one repetition's frames in output order

	t0, tl  int64 // first and last timestamp of repetition 0
	period  int64 // repetition r is shifted by r·period
	gap     int64 // period minus repetition 0's span
	reps    int
	packets int64 // frames in the output

	entityEvents int // lines of the output's entity log, once written
}

// item is one frame of the program: packet idx of sources[src].
type item struct {
	src uint16
	idx uint32
}

// newBuild loads the sources and plans the output.
func newBuild(o options) (*build, error) {
	base, err := loadSource(o.src)
	if err != nil {
		return nil, err
	}
	b := &build{opts: o, base: base, copiesOf: map[*source][]*copyPlan{}}
	srcOf := make([]*source, o.copies)
	for k := range srcOf {
		srcOf[k] = base
	}
	loaded := map[string]*source{cleanAbs(o.src): base}
	for _, a := range o.attacks {
		dir := a.dir(o.src)
		s := loaded[cleanAbs(dir)]
		if s == nil {
			if s, err = loadSource(dir); err != nil {
				return nil, err
			}
			loaded[cleanAbs(dir)] = s
		}
		srcOf[a.copy] = s
	}
	if b.plans, err = makePlans(srcOf); err != nil {
		return nil, err
	}
	for _, c := range b.plans {
		if b.copiesOf[c.src] == nil {
			b.sources = append(b.sources, c.src)
		}
		b.copiesOf[c.src] = append(b.copiesOf[c.src], c)
	}
	b.schedule()
	return b, nil
}

func cleanAbs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	return a
}

// schedule aligns every source's first packet with the base's, merges
// the sources' frames into one repetition's program, and spaces the
// repetitions: the period is the span plus at least minGap, rounded up to
// a multiple of -align so that every repetition starts on a window
// boundary of the first one.
func (b *build) schedule() {
	b.t0, b.tl = b.base.first, b.base.first
	cut := int64(math.MaxInt64)
	for _, s := range b.sources {
		s.shift = b.base.first - s.first
		b.tl = max(b.tl, s.last+s.shift)
		cut = min(cut, s.last+s.shift)
	}
	b.program = merge(b.sources)
	if b.opts.trim {
		b.program = slices.DeleteFunc(b.program, func(it item) bool {
			s := b.sources[it.src]
			return s.pkts[it.idx].ts+s.shift > cut
		})
		b.tl = cut
	}
	b.period = b.tl - b.t0 + minGap
	if a := int64(b.opts.align); a > 0 {
		b.period = (b.period + a - 1) / a * a
	}
	b.gap = b.period - (b.tl - b.t0)
	b.reps = max(b.opts.repeat, 1)
	if d := int64(b.opts.duration); d > 0 {
		b.reps = int((d + b.period - 1) / b.period)
	}
	for _, it := range b.program {
		b.packets += int64(len(b.copiesOf[b.sources[it.src]]))
	}
	b.packets *= int64(b.reps)
}

// merge interleaves the sources' frames by shifted timestamp, keeping
// each source's own order (captures are not always strictly ordered) and
// taking earlier sources first on ties.
func merge(srcs []*source) []item {
	pos := make([]int, len(srcs))
	var out []item
	for {
		best := -1
		for i, s := range srcs {
			if pos[i] == len(s.pkts) {
				continue
			}
			if best < 0 || s.pkts[pos[i]].ts+s.shift < srcs[best].pkts[pos[best]].ts+srcs[best].shift {
				best = i
			}
		}
		if best < 0 {
			return out
		}
		out = append(out, item{uint16(best), uint32(pos[best])})
		pos[best]++
	}
}

// outputSize is the exact size of the uncompressed capture.
func (b *build) outputSize() int64 {
	var n int64
	for _, it := range b.program {
		s := b.sources[it.src]
		n += recordSize(b.opts.format, s.pkts[it.idx].capLen) * int64(len(b.copiesOf[s]))
	}
	n *= int64(b.reps)
	if b.opts.format == "pcap" {
		return n + 24
	}
	return n + ngHeaderSize
}

// recordSize is the size of one frame's record: pcap's 16-byte header, or
// pcapng's enhanced packet block (32 bytes and the frame padded to 4).
func recordSize(format string, capLen uint32) int64 {
	if format == "pcap" {
		return 16 + int64(capLen)
	}
	return 32 + int64(capLen+3)/4*4
}

// describe prints what will be written, with the size, before anything is.
func (b *build) describe(w io.Writer, captureName string) {
	size := b.outputSize()
	span := time.Duration(int64(b.reps-1)*b.period + b.tl - b.t0)
	fmt.Fprintf(w, "scale: %d copies of %s", len(b.plans), b.base.name)
	for _, c := range b.plans {
		if c.src != b.base {
			fmt.Fprintf(w, " (copy %d: %s)", c.k, c.src.name)
		}
	}
	fmt.Fprintf(w, ", %d repetition(s) every %v: %v of traffic\n", b.reps, time.Duration(b.period), span.Round(time.Second))
	fmt.Fprintf(w, "scale: writing %s: %d packets, %s uncompressed", captureName, b.packets, mib(size))
	if b.opts.gzip {
		// Measured on benign: 28 % for one copy, 11 % for 64, whose
		// consecutive copies of a frame differ in a few bytes.
		fmt.Fprintf(w, "; gzip makes that about %s or less", mib(size*3/10))
	}
	fmt.Fprintln(w)
}

func mib(n int64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// attackSpec is one -attack SCENARIO:COPY.
type attackSpec struct {
	scenario string
	copy     int
}

// dir is the scenario's directory: the argument itself when it is a
// directory, else the sibling of the base scenario with that name.
func (a attackSpec) dir(base string) string {
	if st, err := os.Stat(a.scenario); err == nil && st.IsDir() {
		return a.scenario
	}
	return filepath.Join(filepath.Dir(filepath.Clean(base)), a.scenario)
}
