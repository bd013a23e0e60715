package tui

import (
	"math"

	tea "charm.land/bubbletea/v2"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/export"
)

// shared is the state every pane reads.
type shared struct {
	data     *dataset
	nav      Nav
	tl       timeline
	styles   *Styles
	keys     *KeyMap
	themeGen int
	summary  alertSummary
	// store keeps every window's details on disk; cache holds those of
	// the windows shown lately.
	store *detailStore
	cache *detailCache
	// index finds the windows a service, pod, address, port or domain
	// appears in; search is the active search, if any.
	index  *searchIndex
	search *searchState
	// verdicts are the analyst's verdicts on flagged intervals.
	verdicts *verdictBook
	// intents are what the components ask of the root (close an overlay,
	// go to a window, open an edge…), handled at once after the message
	// that caused them: as commands they would run later, and a key typed
	// quickly would reach the layer that was about to close.
	intents []tea.Msg
}

// post asks the root for something; it is handled before the next
// message.
func (s *shared) post(msg tea.Msg) tea.Cmd {
	s.intents = append(s.intents, msg)
	return nil
}

// alertSummary is the header's alert count, recomputed when the data, the
// size or the threshold change.
type alertSummary struct {
	version                    uint64
	size                       int
	th                         float64
	alerts, windows, intervals int
}

func (s *shared) current() *seriesData {
	if s.nav.Size < 0 || s.nav.Size >= len(s.data.series) {
		return nil
	}
	return s.data.series[s.nav.Size]
}

func (s *shared) cursor() int { return s.nav.Window(s.tl) }

func (s *shared) threshold() float64 { return s.nav.Th(s.tl, s.nav.Size) }

// slimCursor is the cursor window as held in memory (without details).
func (s *shared) slimCursor() *engine.WindowResult {
	sd := s.current()
	if sd == nil {
		return nil
	}
	return sd.window(s.cursor())
}

// window is the cursor window, with its details once they are loaded
// (see loading).
func (s *shared) window() *engine.WindowResult {
	w := s.slimCursor()
	if w == nil {
		return nil
	}
	if full, ok := s.cache.loaded[windowKey{w.Size, w.Index}]; ok {
		return full
	}
	return w
}

// loading reports whether the cursor window's details are still being
// read from the detail store.
func (s *shared) loading() bool {
	w := s.slimCursor()
	if w == nil {
		return false
	}
	_, ok := s.cache.loaded[windowKey{w.Size, w.Index}]
	return !ok
}

// updateSummary recomputes the alert count when the data, the size or
// the threshold changed.
func (s *shared) updateSummary() {
	sd := s.current()
	if sd == nil {
		return
	}
	th := s.threshold()
	sum := &s.summary
	if sum.version != sd.version || sum.size != s.nav.Size || !(sum.th == th || (math.IsNaN(sum.th) && math.IsNaN(th))) {
		*sum = alertSummary{version: sd.version, size: s.nav.Size, th: th,
			alerts: sd.alertCount(th), windows: len(sd.windows), intervals: sd.runs(th)}
	}
}

// runAround is the run of consecutive windows of sd that alert at th
// around window i: [lo, hi], ok false when window i does not alert.
func runAround(sd *seriesData, i int, th float64) (lo, hi int, ok bool) {
	alerts := func(j int) bool { w := sd.window(j); return w != nil && w.Alert(th) }
	if sd == nil || !alerts(i) {
		return 0, 0, false
	}
	lo, hi = i, i
	for alerts(lo - 1) {
		lo--
	}
	for alerts(hi + 1) {
		hi++
	}
	return lo, hi, true
}

// cursorInterval is the flagged interval the cursor window is in, built by
// the export's merger from the windows in memory (without the edges and
// services, which need the windows' details); else the interval carrying a
// verdict it is in (judgedInterval); or nil.
func (s *shared) cursorInterval() *export.Interval {
	sd := s.current()
	th := s.threshold()
	lo, hi, ok := runAround(sd, s.cursor(), th)
	if !ok {
		return s.judgedInterval()
	}
	mg := export.NewMerger(sd.size, th)
	for j := lo; j <= hi; j++ {
		mg.Add(sd.windows[j])
	}
	ivs := mg.Intervals()
	if len(ivs) != 1 {
		return nil
	}
	return &ivs[0]
}
