package tui

import (
	"math"
	"slices"
	"sort"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
)

// seriesData is what the explorer knows of one window size.
type seriesData struct {
	size    time.Duration
	info    engine.SeriesInfo
	hasInfo bool
	// windows[i] is window i, nil until it is analysed.
	windows []*engine.WindowResult
	version uint64

	stats    scoreStats
	statsVer uint64
}

// scoreStats are derived from the scores once per data change, so that
// per-threshold questions cost O(log n).
type scoreStats struct {
	sorted         []float64 // finite scores of the windows that can alert, ascending
	lo, hi         float64   // finite range of every score (the chart's); NaN when there is none
	posInf, negInf int       // infinite scores of windows that can alert, kept out of sorted
}

func (s *seriesData) scoreStats() *scoreStats {
	if s.statsVer == s.version && s.stats.sorted != nil {
		return &s.stats
	}
	sorted := s.stats.sorted[:0]
	s.stats.posInf, s.stats.negInf = 0, 0
	s.stats.lo, s.stats.hi = math.NaN(), math.NaN()
	for _, w := range s.windows {
		if w == nil || math.IsNaN(w.Score) {
			continue
		}
		if !math.IsInf(w.Score, 0) {
			s.stats.lo = nanMin(s.stats.lo, w.Score)
			s.stats.hi = nanMax(s.stats.hi, w.Score)
		}
		switch {
		case !w.Alertable():
		case math.IsInf(w.Score, 1):
			s.stats.posInf++
		case math.IsInf(w.Score, -1):
			s.stats.negInf++
		default:
			sorted = append(sorted, w.Score)
		}
	}
	slices.Sort(sorted)
	s.stats.sorted = sorted
	if s.stats.sorted == nil {
		s.stats.sorted = []float64{}
	}
	s.statsVer = s.version
	return &s.stats
}

// alertCount is the number of windows that alert at th: the fast form of
// counting WindowResult.Alert (a binary search over the sorted scores of
// the windows that can alert), property-tested against it.
func (s *seriesData) alertCount(th float64) int {
	if math.IsNaN(th) {
		return 0
	}
	st := s.scoreStats()
	n := len(st.sorted) - sort.SearchFloat64s(st.sorted, th) + st.posInf
	if math.IsInf(th, -1) {
		n += st.negInf
	}
	return n
}

func (s *seriesData) window(i int) *engine.WindowResult {
	if i < 0 || i >= len(s.windows) {
		return nil
	}
	return s.windows[i]
}

// dataset accumulates a run's events.
type dataset struct {
	inputs    *engine.InputsReady
	source    string
	series    []*seriesData
	progress  engine.Progress
	stepSince time.Duration // Elapsed when progress.Step began
	warnings  []engine.Warning
	done      bool
	err       error
	result    *engine.Result
	version   uint64 // bumped on every change that affects views
	modelSeen bool
}

// seriesFor returns the series of size d, creating it.
func (d *dataset) seriesFor(size time.Duration) *seriesData {
	for _, s := range d.series {
		if s.size == size {
			return s
		}
	}
	s := &seriesData{size: size}
	d.series = append(d.series, s)
	return s
}

// apply records one engine event.
func (d *dataset) apply(ev engine.Event) {
	switch ev := ev.(type) {
	case *engine.Progress:
		// A new step of a long phase starts its own clock (for its ETA).
		if ev.Step != d.progress.Step {
			d.stepSince = ev.Elapsed
		}
		// Packets, bytes and time are counts so far: a message that
		// leaves them out (a phase change) must not make them go back.
		p := *ev
		p.Packets = max(p.Packets, d.progress.Packets)
		p.Bytes = max(p.Bytes, d.progress.Bytes)
		p.ReadBytes = max(p.ReadBytes, d.progress.ReadBytes)
		p.Elapsed = max(p.Elapsed, d.progress.Elapsed)
		if p.TotalBytes == 0 {
			p.TotalBytes = d.progress.TotalBytes
		}
		d.progress = p
	case *engine.InputsReady:
		in := *ev
		d.inputs = &in
		for _, size := range ev.Sizes {
			d.seriesFor(size)
		}
	case *engine.ModelReady:
		d.source = ev.Source
		d.modelSeen = true
		for _, info := range ev.Series {
			s := d.seriesFor(info.Size)
			s.info = info
			s.hasInfo = true
			s.version++
		}
	case *engine.WindowDone:
		w := ev.Window
		if w == nil || w.Index < 0 {
			return
		}
		s := d.seriesFor(w.Size)
		for len(s.windows) <= w.Index {
			s.windows = append(s.windows, nil)
		}
		s.windows[w.Index] = w
		s.version++
	case *engine.Warning:
		d.addWarning(*ev)
	}
	d.version++
}

func (d *dataset) addWarning(w engine.Warning) {
	if !slices.Contains(d.warnings, w) {
		d.warnings = append(d.warnings, w)
	}
}

// severe returns the first warning that makes the results meaningless.
func (d *dataset) severe() (engine.Warning, bool) {
	for _, w := range d.warnings {
		if w.Severe {
			return w, true
		}
	}
	return engine.Warning{}, false
}

// finish records the end of the run. Every window arrived as an event;
// the result adds the final thresholds and features.
func (d *dataset) finish(res *engine.Result, err error) {
	d.done = true
	d.err = err
	d.result = res
	d.version++
	if res == nil {
		return
	}
	if d.inputs == nil {
		in := res.Inputs
		d.inputs = &in
	}
	if res.Source != "" {
		d.source = res.Source
	}
	for _, w := range res.Warnings {
		d.addWarning(w)
	}
	for i := range res.Series {
		rs := &res.Series[i]
		s := d.seriesFor(rs.Size)
		if !s.hasInfo {
			s.info = engine.SeriesInfo{Size: rs.Size}
			s.hasInfo = true
		}
		s.info.Features = rs.Features
		s.info.Threshold = rs.Threshold
		s.info.ThresholdTrained = rs.ThresholdTrained
		s.version++
	}
}

// Timeline implementation (Page is added by the model, which knows the
// chart's width).

func (d *dataset) NumSizes() int { return len(d.series) }

func (d *dataset) Size(s int) time.Duration {
	if s < 0 || s >= len(d.series) {
		return 0
	}
	return d.series[s].size
}

func (d *dataset) Len(s int) int {
	if s < 0 || s >= len(d.series) {
		return 0
	}
	return len(d.series[s].windows)
}

func (d *dataset) Score(s, i int) float64 {
	if s < 0 || s >= len(d.series) {
		return math.NaN()
	}
	w := d.series[s].window(i)
	if w == nil {
		return math.NaN()
	}
	return w.Score
}

// Alert is the alert rule for window i of size s.
func (d *dataset) Alert(s, i int, th float64) bool {
	if s < 0 || s >= len(d.series) {
		return false
	}
	w := d.series[s].window(i)
	return w != nil && w.Alert(th)
}

func nanMin(a, b float64) float64 {
	if math.IsNaN(a) || b < a {
		return b
	}
	return a
}

func nanMax(a, b float64) float64 {
	if math.IsNaN(a) || b > a {
		return b
	}
	return a
}

func (d *dataset) ModelThreshold(s int) float64 {
	if s < 0 || s >= len(d.series) || !d.series[s].hasInfo {
		return math.NaN()
	}
	return d.series[s].info.Threshold
}

// Step is the threshold step of size s: a fiftieth of the score range,
// rounded up to 1, 2 or 5 times a power of ten (0.1 before any score).
func (d *dataset) Step(s int) float64 {
	if s < 0 || s >= len(d.series) {
		return 0.1
	}
	st := d.series[s].scoreStats()
	if math.IsNaN(st.lo) || st.hi == st.lo {
		return 0.1
	}
	return niceStep((st.hi - st.lo) / 50)
}

// timeline adds the chart's page size and the search's marks to a
// dataset.
type timeline struct {
	*dataset
	page func(s int) int
	mark func(s, i, dir int) (int, bool)
}

func (t timeline) Mark(s, i, dir int) (int, bool) {
	if t.mark == nil {
		return i, false
	}
	return t.mark(s, i, dir)
}

func (t timeline) Page(s int) int {
	if t.page == nil {
		return 10
	}
	return t.page(s)
}

// runs counts the runs of consecutive alerting windows at th: the number
// of intervals an export would write. O(windows).
func (s *seriesData) runs(th float64) int {
	n := 0
	in := false
	for _, w := range s.windows {
		a := w != nil && w.Alert(th)
		if a && !in {
			n++
		}
		in = a
	}
	return n
}

// engineSeries returns a copy of the windows of size s so far as an
// engine.Series (without their details), for export.
func (d *dataset) engineSeries(s int) *engine.Series {
	if s < 0 || s >= len(d.series) {
		return nil
	}
	sd := d.series[s]
	out := &engine.Series{Size: sd.size, Features: sd.info.Features,
		Threshold: sd.info.Threshold, ThresholdTrained: sd.info.ThresholdTrained}
	out.Windows = make([]engine.WindowResult, 0, len(sd.windows))
	for _, w := range sd.windows {
		if w != nil {
			out.Windows = append(out.Windows, *w)
		}
	}
	return out
}
