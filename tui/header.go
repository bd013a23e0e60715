package tui

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/units"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mimir-tui/mimir-tui/engine"
)

// headerPane shows what is being analysed, the run's progress (a bar with
// packets, bytes, windows, rate and ETA) and the alert summary at the
// current threshold.
type headerPane struct {
	sh     *shared
	title  string
	inputs []string // the input paths, shortened to fit
	demo   bool
	follow bool // the run follows inputs still being written
	width  int
	bar    progress.Model
	// clock gives the wall time since the run started and a spinner
	// frame (-1 when not running under a program).
	clock func() (time.Duration, int)
	// hint says how the user changes a setting ("--sensitive"), or "".
	hint func(engine.Setting) string
}

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

func newHeaderPane(sh *shared, cfg Config) *headerPane {
	h := &headerPane{sh: sh, title: cfg.Title, demo: cfg.Demo, follow: cfg.Follow, hint: cfg.SettingHint}
	for _, p := range cfg.Paths {
		h.inputs = append(h.inputs, homeRelative(p, cfg.Env("HOME")))
	}
	if len(h.inputs) > 0 {
		h.title = strings.Join(h.inputs, " + ")
	}
	h.restyle()
	return h
}

// restyle rebuilds the progress bar with the theme's colours.
func (h *headerPane) restyle() {
	st := h.sh.styles
	opts := []progress.Option{progress.WithoutPercentage(), progress.WithFillCharacters('█', '░')}
	if st.BarFull != nil {
		opts = append(opts, progress.WithColors(st.BarFull))
	}
	h.bar = progress.New(opts...)
	if st.BarEmpty != nil {
		h.bar.EmptyColor = st.BarEmpty
	} else {
		h.bar.FullColor, h.bar.EmptyColor = nil, nil
	}
	h.SetSize(h.width, 0)
}

func (h *headerPane) SetSize(w, _ int) {
	h.width = w
	h.bar.SetWidth(min(30, max(10, w/5)))
}

func (h *headerPane) Update(tea.Msg) tea.Cmd { return nil }
func (h *headerPane) Keys() []key.Binding    { return nil }

func (h *headerPane) View() string {
	lines := h.lines(false)
	for i, l := range lines {
		lines[i] = truncateStyled(l, h.width)
	}
	return strings.Join(lines, "\n")
}

// lines are the header's lines, not cut to the width; whole, the input
// paths are not shortened and every warning is listed (i shows them).
func (h *headerPane) lines(whole bool) []string {
	st := h.sh.styles
	d := h.sh.data
	sep := st.Border.Render(" · ")

	// Line 1: what is analysed.
	parts := []string{st.Title.Render("mimir-tui")}
	if h.demo {
		parts[0] += " " + st.Demo.Render(" DEMO ")
	}
	title := h.fitTitle()
	if whole {
		title = h.title
	}
	if title != "" {
		parts = append(parts, st.Text.Render(title))
	}
	if d.source != "" {
		parts = append(parts, st.Muted.Render(d.source))
	}
	if d.inputs != nil && len(d.inputs.Sensitive) > 0 {
		s := "sensitive " + strings.Join(d.inputs.Sensitive, ",")
		if d.inputs.SensitiveGuessed {
			s += " (guessed" + h.setWith(engine.SettingSensitive) + ")"
		}
		parts = append(parts, st.Muted.Render(s))
	}
	if sd := h.sh.current(); sd != nil {
		parts = append(parts, st.Accent.Render(fmtSize(sd.size)+" windows"))
	}
	lines := []string{strings.Join(parts, sep)}

	// Line 2: progress, or how the run ended.
	lines = append(lines, h.progressLine())

	// Line 3: alerts at the current threshold.
	if line := h.alertLine(); line != "" {
		lines = append(lines, line)
	}
	return append(lines, h.warningLines(whole)...)
}

// warningLines are the last line: a warning that makes the results
// meaningless, else the latest one; whole, every warning.
func (h *headerPane) warningLines(whole bool) []string {
	st := h.sh.styles
	d := h.sh.data
	n := len(d.warnings)
	switch w, severe := d.severe(); {
	case n == 0:
		return nil
	case whole:
		var out []string
		for _, w := range d.warnings {
			if w.Severe {
				out = append(out, st.Alert.Render("!! "+w.Message+h.setWith(w.Setting)))
			} else {
				out = append(out, st.Warning.Render("! "+w.Message+h.setWith(w.Setting)))
			}
		}
		return out
	case severe:
		return []string{st.Alert.Render("!! " + w.Message + h.setWith(w.Setting))}
	}
	w := d.warnings[n-1]
	return []string{st.Warning.Render("! " + plural(n, "warning") + ": " + w.Message + h.setWith(w.Setting))}
}

// fitTitle is the title, the input paths shortened to leave room for the
// rest of the line, as little as tells them apart.
func (h *headerPane) fitTitle() string {
	if len(h.inputs) == 0 {
		return h.title
	}
	room := h.width - 40
	return strings.Join(shortenPaths(h.inputs, max(room, 20)), " + ")
}

// setWith is "; set with --flag" for a setting the user can change, or "".
func (h *headerPane) setWith(s engine.Setting) string {
	if s == engine.SettingNone {
		return ""
	}
	if how := h.hint(s); how != "" {
		return "; set with " + how
	}
	return ""
}

func (h *headerPane) progressLine() string {
	st := h.sh.styles
	d := h.sh.data
	p := d.progress
	sep := st.Border.Render(" · ")
	stats := []string{
		humanCount(p.Packets) + " packets",
		units.Bytes(float64(p.Bytes)),
	}
	if d.done && d.err == nil {
		stats = append(stats, windowCount(d.series))
		if p.Elapsed > 0 {
			stats = append(stats, "in "+fmtDuration(p.Elapsed))
		}
		return st.OK.Render("✓ analysed") + " " + st.Muted.Render(strings.Join(stats, " · "))
	}
	phase := p.Phase.String()
	if p.Phase < engine.PhaseOpening || p.Phase > engine.PhaseDone {
		phase = "working"
	}
	if p.Phase == engine.PhaseTraining {
		// Training reports what it does and how far, not the input read.
		line := h.spinner() + st.Accent.Render(padRight(phase, 9)) + " "
		switch {
		case p.Total > 0 && p.Done >= p.Total:
			// The step is done and the next has not said what it is.
			return line + st.Text.Render(p.Step) + st.Muted.Render(" · done; starting the next step") + h.since(sep)
		case p.Total > 0:
			frac := math.Min(1, float64(p.Done)/float64(p.Total))
			line += h.bar.ViewAs(frac) + " " + st.Muted.Render(fmt.Sprintf("%3.0f%%", frac*100)) + " "
		}
		return line + st.Text.Render(p.Step) + st.Muted.Render(stepETA(p, d.stepSince)) + h.since(sep)
	}
	if h.follow && p.Phase != engine.PhaseOpening {
		return h.followLine(stats, sep)
	}
	frac := 0.0
	if p.TotalBytes > 0 {
		frac = math.Min(1, float64(p.ReadBytes)/float64(p.TotalBytes))
	}
	all := ""
	if len(d.series) > 1 {
		all = " (all sizes)"
	}
	stats = append(stats, humanCount(uint64(max(p.Analysed, 0)))+"/"+humanCount(uint64(max(p.Windows, 0)))+" windows"+all)
	if p.Elapsed > 0 {
		stats = append(stats, compact(float64(p.Packets)/p.Elapsed.Seconds())+" pkt/s")
	}
	eta := "ETA —"
	if p.TotalBytes > 0 && p.ReadBytes > 0 && p.Elapsed > 0 && p.ReadBytes <= p.TotalBytes {
		left := time.Duration(float64(p.Elapsed) * float64(p.TotalBytes-p.ReadBytes) / float64(p.ReadBytes))
		eta = "ETA " + fmtDuration(left)
	}
	stats = append(stats, eta)
	return h.spinner() + st.Accent.Render(padRight(phase, 9)) + " " + h.bar.ViewAs(frac) + " " +
		st.Muted.Render(fmt.Sprintf("%3.0f%%", frac*100)) + sep + st.Text.Render(strings.Join(stats, " · ")) + h.since(sep)
}

// followLine is a followed run's progress: its inputs have no size to
// reach, so it tells what was read, how recent the newest scored window
// is, and whether the cursor follows it.
func (h *headerPane) followLine(stats []string, sep string) string {
	st := h.sh.styles
	p := h.sh.data.progress
	stats = append(stats, humanCount(uint64(max(p.Analysed, 0)))+" windows")
	if sd := h.sh.current(); sd != nil && len(sd.windows) > 0 {
		if w := sd.windows[len(sd.windows)-1]; w != nil {
			stats = append(stats, "newest to "+w.End.UTC().Format("15:04:05"))
		}
	}
	tail := "on the newest window"
	if !h.sh.nav.Tail {
		tail = "cursor held; " + h.sh.keys.Last.Help().Key + " follows the newest"
	}
	return h.spinner() + st.Accent.Render(padRight("following", 9)) + " " +
		st.Text.Render(strings.Join(stats, " · ")) + sep + st.Muted.Render(tail) + h.since(sep)
}

// stepETA is " · ETA 12s" for a step that has done part of its work, from
// the time it has taken so far; "" before it can be told.
func stepETA(p engine.Progress, since time.Duration) string {
	left, ok := p.StepLeft(since)
	switch {
	case !ok:
		return ""
	case left < time.Second:
		return " · almost done"
	}
	return " · ETA " + fmtDuration(left)
}

// spinner is the running frame, or "" outside a program.
func (h *headerPane) spinner() string {
	if h.clock != nil {
		if _, frame := h.clock(); frame >= 0 {
			return h.sh.styles.Accent.Render(spinner[frame%len(spinner)]) + " "
		}
	}
	return ""
}

// since is how long the run has taken so far, or "" outside a program.
func (h *headerPane) since(sep string) string {
	if h.clock != nil {
		if since, frame := h.clock(); frame >= 0 {
			return sep + h.sh.styles.Text.Render(fmtDuration(since.Truncate(time.Second))+" so far")
		}
	}
	return ""
}

func (h *headerPane) alertLine() string {
	st := h.sh.styles
	sd := h.sh.current()
	if sd == nil || !sd.hasInfo {
		return ""
	}
	sum := h.sh.summary
	th := h.sh.threshold()
	model := h.sh.data.ModelThreshold(h.sh.nav.Size)
	thText := "threshold " + fmtScore(th)
	if !math.IsNaN(model) && th != model {
		thText += " (model " + fmtScore(model) + ")"
	}
	alerts := "▲ " + humanCount(uint64(sum.alerts)) + " of " + humanCount(uint64(sum.windows)) + " windows alert"
	if sum.windows == 1 {
		alerts = "▲ " + humanCount(uint64(sum.alerts)) + " of 1 window alerts"
	}
	style := st.OK
	if sum.alerts > 0 {
		style = st.Alert
	}
	ivs := plural(sum.intervals, "interval")
	line := style.Render(alerts) + st.Border.Render(" · ") + st.Warning.Render(thText) +
		st.Border.Render(" · ") + st.Muted.Render(ivs)
	if cost := thresholdCost(sd.info, th); cost != "" {
		line += st.Border.Render(" · ") + st.Muted.Render(cost)
	}
	return line
}

// thresholdCost says what a threshold costs: the benign windows a day the
// model expects above it, from the fitted tail of its benign scores; with
// too few of them to fit one, how many baseline windows score above it
// (a short baseline cannot tell "rare" from "never").
func thresholdCost(info engine.SeriesInfo, th float64) string {
	t := info.BenignTail
	switch {
	case t == nil || t.N == 0 || math.IsNaN(th):
		return ""
	case t.Peaks > 0:
		return "≈ " + compact(info.FalseAlarmsPerDay(th)) + " false alarms a day"
	}
	above := len(t.Sorted) - sort.SearchFloat64s(t.Sorted, th)
	return fmt.Sprintf("%d of %s score above it", above, plural(t.N, "baseline window"))
}

// truncateStyled cuts a styled line to w cells.
func truncateStyled(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return ansi.Truncate(s, w, "…")
}

func timeDuration(n int) time.Duration { return time.Duration(n) }

// openInfo shows in full what the screen cuts to its width: the header's
// lines (the input paths whole, every warning), how the model set its
// threshold, and the last message.
func (m *Model) openInfo() {
	var lines []string
	for _, l := range m.header.lines(true) {
		lines = append(lines, ansi.Strip(l))
	}
	if sd := m.sh.current(); sd != nil && sd.info.ThresholdBasis != "" {
		lines = append(lines, "", "the model's threshold "+fmtScore(sd.info.Threshold)+" is set for "+sd.info.ThresholdBasis)
	}
	var copies []copyable
	for _, p := range m.header.inputs {
		copies = append(copies, copyable{"input", p})
	}
	if m.lastStatus != "" {
		lines = append(lines, "", "last message: "+m.lastStatus)
		copies = append(copies, copyable{"last message", m.lastStatus})
	}
	p := newPopupPane(m.sh, "header and last message", strings.Join(lines, "\n"), copies)
	p.whole = true
	m.push(p)
}

// windowCount says how many windows there are of each size, as the alert
// line counts them: "24 + 4 windows (10s, 60s)", "24 windows (10s)".
func windowCount(series []*seriesData) string {
	counts, sizes := make([]string, len(series)), make([]string, len(series))
	total := 0
	for i, s := range series {
		counts[i], sizes[i] = humanCount(uint64(len(s.windows))), fmtSize(s.size)
		total += len(s.windows)
	}
	noun := "windows"
	if total == 1 {
		noun = "window"
	}
	if len(series) == 0 {
		return "0 windows"
	}
	return strings.Join(counts, " + ") + " " + noun + " (" + strings.Join(sizes, ", ") + ")"
}
