package tui

import (
	"math"
	"time"

	"github.com/mimir-tui/mimir-tui/engine/export"
)

// A verdict outlives the alert it was given on: judged a false positive,
// an interval is folded into the baseline and the rescored run no longer
// flags it; a raised threshold clears a confirmed one. Such an interval is
// still listed (marked) and still takes a verdict, so that a verdict can
// be read and changed afterwards.

// indexAt is the index of the window of s that starts at t, if it is in
// memory. Windows are anchored at the first one, a size apart.
func (s *seriesData) indexAt(t time.Time) (int, bool) {
	for _, w := range s.windows {
		if w == nil {
			continue
		}
		d := t.Sub(w.Start)
		if d < 0 || d%s.size != 0 {
			return 0, false
		}
		i := w.Index + int(d/s.size)
		x := s.window(i)
		return i, x != nil && x.Start.Equal(t)
	}
	return 0, false
}

// verdictInterval is the interval a verdict of sd's window size names,
// over the windows in memory, whether or not they alert; folded reports
// whether the run folded its windows into the baseline (judged false
// positives). Its edges and services are not known: they are those of
// flagged windows.
func verdictInterval(sd *seriesData, v export.Verdict) (iv export.Interval, folded, ok bool) {
	if sd == nil || v.SizeSeconds != sd.size.Seconds() {
		return iv, false, false
	}
	lo, ok := sd.indexAt(v.Start)
	if !ok {
		return iv, false, false
	}
	iv = export.Interval{Start: v.Start, End: v.End, FirstWindow: lo, LastWindow: lo, PeakWindow: lo,
		PeakScore: math.NaN(), SizeSeconds: v.SizeSeconds}
	for i := lo; ; i++ {
		w := sd.window(i)
		if w == nil || w.End.After(v.End) {
			break
		}
		iv.LastWindow = i
		iv.Windows++
		if math.IsNaN(iv.PeakScore) || w.Score > iv.PeakScore {
			iv.PeakScore, iv.PeakWindow = w.Score, i
		}
		folded = folded || w.Suppressed
		iv.Partial = iv.Partial || w.Partial
	}
	return iv, folded, iv.Windows > 0
}

// judgedRows are the intervals of sd's size that carry a verdict but do
// not alert at the threshold: those listed does not overlap.
func judgedRows(sd *seriesData, b *verdictBook, listed []alertRow) []alertRow {
	var out []alertRow
	for _, v := range b.v.Verdicts {
		iv, folded, ok := verdictInterval(sd, v)
		if !ok || overlapsListed(iv, listed) {
			continue
		}
		out = append(out, alertRow{iv: iv, judged: true, folded: folded})
	}
	return out
}

func overlapsListed(iv export.Interval, listed []alertRow) bool {
	for _, r := range listed {
		if r.learned == nil && r.iv.Start.Before(iv.End) && iv.Start.Before(r.iv.End) {
			return true
		}
	}
	return false
}

// judgedInterval is the interval carrying a verdict that the cursor
// window is in, when it does not alert, or nil.
func (s *shared) judgedInterval() *export.Interval {
	sd, w := s.current(), s.slimCursor()
	if w == nil {
		return nil
	}
	for _, v := range s.verdicts.v.Verdicts {
		if v.Start.After(w.Start) || w.End.After(v.End) {
			continue
		}
		if iv, _, ok := verdictInterval(sd, v); ok {
			return &iv
		}
	}
	return nil
}
