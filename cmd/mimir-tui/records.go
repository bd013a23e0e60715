package main

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"slices"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/export"
	"github.com/mimir-tui/mimir-tui/engine/safefile"
)

// recordSink writes analyze's records as the engine scores the windows,
// so that memory does not grow with the capture: in time order (finest
// size first within the same start), holding back only the finer windows
// a coarser one that starts with them has not yet caught up with.
type recordSink struct {
	file *safefile.File // nil for standard output
	// live, for a followed run, writes each record as it is scored and
	// flushes it; out is then the file written in place, if any.
	live bool
	out  *os.File
	bw   *bufio.Writer
	enc  *json.Encoder
	cw   *csv.Writer

	thresholds map[time.Duration]float64
	next       map[time.Duration]time.Time // where each size's next window starts
	pending    []*engine.WindowResult
	mergers    map[time.Duration]*export.Merger // with --export-intervals
	sizes      []time.Duration
	err        error // the first write error
}

// newRecordSink writes to path (atomically; an existing file only with
// force) or, for "", to stdout, in format jsonl or csv. A live sink (a
// followed run) writes each record as soon as it comes, flushed, and
// writes path in place, so that an interruption, its usual end, leaves
// every record written whole.
func newRecordSink(path string, force bool, stdout io.Writer, format string, intervals, live bool) (*recordSink, error) {
	s := &recordSink{thresholds: map[time.Duration]float64{}, next: map[time.Duration]time.Time{}, live: live}
	dst := stdout
	switch {
	case path != "" && live:
		f, err := createInPlace(path, force)
		if err != nil {
			return nil, err
		}
		s.out, dst = f, f
	case path != "":
		f, err := safefile.Create(path, force)
		if err != nil {
			return nil, err
		}
		s.file, dst = f, f
	}
	s.bw = bufio.NewWriterSize(dst, 256<<10)
	if format == "csv" {
		s.cw = csv.NewWriter(s.bw)
		s.err = s.cw.Write(csvHeader)
	} else {
		s.enc = json.NewEncoder(s.bw)
		s.enc.SetEscapeHTML(false) // keep "a -> b" readable
	}
	if intervals {
		s.mergers = map[time.Duration]*export.Merger{}
	}
	return s, nil
}

// event takes the engine's events (as its emit callback).
func (s *recordSink) event(ev engine.Event) {
	switch ev := ev.(type) {
	case *engine.InputsReady:
		s.sizes = ev.Sizes
		for _, size := range ev.Sizes {
			s.next[size] = ev.Start
		}
	case *engine.ModelReady:
		for _, si := range ev.Series {
			s.thresholds[si.Size] = si.Threshold
			if s.mergers != nil {
				s.mergers[si.Size] = export.NewMerger(si.Size, si.Threshold)
			}
		}
	case *engine.WindowDone:
		w := ev.Window
		if m := s.mergers[w.Size]; m != nil {
			m.Add(w)
		}
		if s.live {
			s.write(w)
			s.flushOut()
			return
		}
		s.pending = append(s.pending, w)
		s.next[w.Size] = w.End
		s.flush(false)
	}
}

// flushOut pushes what is written to the output, whole records only.
func (s *recordSink) flushOut() {
	if s.cw != nil {
		s.cw.Flush()
		s.err = cmp.Or(s.err, s.cw.Error())
	}
	s.err = cmp.Or(s.err, s.bw.Flush())
}

// createInPlace creates path to be written as it goes; an existing file
// is replaced only with force.
func createInPlace(path string, force bool) (*os.File, error) {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if errors.Is(err, os.ErrExist) {
		return nil, checkOutput(path, false) // it came since it was checked
	}
	return f, err
}

// flush writes the pending windows that start before every size's next
// window (all of them when final).
func (s *recordSink) flush(final bool) {
	var mark time.Time
	for i, size := range s.sizes {
		if n := s.next[size]; i == 0 || n.Before(mark) {
			mark = n
		}
	}
	slices.SortStableFunc(s.pending, func(a, b *engine.WindowResult) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Size, b.Size))
	})
	n := 0
	for n < len(s.pending) && (final || s.pending[n].Start.Before(mark)) {
		s.write(s.pending[n])
		n++
	}
	s.pending = slices.Delete(s.pending, 0, n)
}

func (s *recordSink) write(w *engine.WindowResult) {
	if s.err != nil {
		return
	}
	r := newWindowRecord(w, s.thresholds[w.Size])
	if s.cw != nil {
		s.err = s.cw.Write(r.csv())
		return
	}
	s.err = s.enc.Encode(r)
}

// close writes what is held back and puts the file in place.
func (s *recordSink) close() error {
	s.flush(true)
	s.flushOut()
	if s.err != nil {
		s.abort()
		return s.err
	}
	if s.out != nil {
		return s.out.Close()
	}
	if s.file != nil {
		return s.file.Commit()
	}
	return nil
}

// abort drops a file being written atomically; standard output, and a
// file written in place, keep what they got.
func (s *recordSink) abort() {
	if s.file != nil {
		s.file.Abort()
	}
	if s.out != nil {
		s.out.Close()
	}
}

// intervals are the flagged intervals of every size, finest first.
func (s *recordSink) intervals() []export.Interval {
	var out []export.Interval
	for _, size := range s.sizes {
		if m := s.mergers[size]; m != nil {
			out = append(out, m.Intervals()...)
		}
	}
	return out
}
