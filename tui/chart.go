package tui

import (
	"fmt"
	"math"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mimir-tui/mimir-tui/engine"
)

// metric is what the chart plots.
type metric int

const (
	metricScore metric = iota
	metricIde
	metricBytes
	metricPackets
	metricFeature
)

// value of window w for the metric (NaN when it has none).
func (m metric) value(w *engine.WindowResult, feature int) float64 {
	if w == nil {
		return math.NaN()
	}
	switch m {
	case metricScore:
		return w.Score
	case metricIde:
		return w.IdeScore
	case metricBytes:
		return float64(w.Bytes)
	case metricPackets:
		return float64(w.Packets)
	case metricFeature:
		if feature >= 0 && feature < len(w.Values) {
			return w.Values[feature]
		}
	}
	return math.NaN()
}

// aggKey identifies a bucket aggregation: it changes with the data, the
// metric or the width, not with the threshold or the cursor.
type aggKey struct {
	sd      *seriesData
	version uint64
	metric  metric
	feature int
	cols    int
}

type aggregate struct {
	key      aggKey
	geom     bucketGeom
	vals     []float64 // metric max per bucket
	arg      []int     // window of that max
	maxScore []float64 // score max per bucket: the bucket alerts iff maxScore >= th
	baseline []bool    // the bucket holds a baseline window
	analysed []bool    // the bucket holds an analysed window
	churn    []string  // the bucket's changes of the application: + − ± ↻, or ""
	hasChurn bool
	learned  []bool // the bucket has pairs of new workloads learned
	hasLearn bool
	// partial: the bucket holds a partial window (the capture ends in
	// it); partialScore is the score max of those that can alert (NaN).
	partial      []bool
	partialScore []float64
	hasPartial   bool
}

// renderKey identifies a rendered chart.
type renderKey struct {
	agg       aggKey
	height    int
	width     int
	threshold float64
	cursor    int // cursor bucket
	cursorWin int // for the label under the chart
	theme     int
	search    *searchState
	searchVer uint64
}

// chartPane is the timeline: a chart of the chosen metric over the windows
// of the current size, the threshold line, and a marker strip (▲ alert,
// △ a partial window alerts, ░ baseline, ◌ partial, · analysed, ^ cursor).
type chartPane struct {
	sh            *shared
	width, height int
	metric        metric
	feature       int

	agg      aggregate
	rendered string
	rkey     renderKey
}

func newChartPane(sh *shared) *chartPane {
	return &chartPane{sh: sh, feature: -1}
}

func (c *chartPane) SetSize(w, h int) { c.width, c.height = w, h }

// plotHeight is the chart's line count: the pane less the title, the
// strips of marks under it and the caret line.
func (c *chartPane) plotHeight() int { return c.height - 2 - c.strips() }

// strips counts the strips of marks: alerts, and the application's changes
// and the search's matches when there are any.
func (c *chartPane) strips() int {
	n := 1
	if c.agg.hasChurn {
		n++
	}
	if c.agg.hasLearn {
		n++
	}
	if c.sh.search != nil {
		n++
	}
	return n
}

// plotCols is how many data columns fit.
func (c *chartPane) plotCols() int { return max(c.width-plotLeft-1, 1) }

// Keys is the chart's own key help.
func (c *chartPane) Keys() []key.Binding {
	k := c.sh.keys
	return []key.Binding{k.PagePrev, k.PageNext, k.Size, k.Metric, k.Feature}
}

// Update handles the chart's keys: metric cycling. (Cursor keys are
// navigation, handled by the root; the feature picker is a pane of its own.)
func (c *chartPane) Update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(tea.KeyPressMsg); ok && key.Matches(msg, c.sh.keys.Metric) {
		c.cycleMetric()
	}
	return nil
}

func (c *chartPane) cycleMetric() {
	switch c.metric {
	case metricScore:
		c.metric = metricIde
	case metricIde:
		c.metric = metricBytes
	case metricBytes:
		c.metric = metricPackets
	case metricPackets:
		if c.feature >= 0 {
			c.metric = metricFeature
		} else {
			c.metric = metricScore
		}
	default:
		c.metric = metricScore
	}
}

func (c *chartPane) setFeature(f int) {
	c.feature = f
	c.metric = metricFeature
}

// metricName names what is plotted.
func (c *chartPane) metricName(sd *seriesData) string {
	switch c.metric {
	case metricIde:
		return "Ide score"
	case metricBytes:
		return "bytes"
	case metricPackets:
		return "packets"
	case metricFeature:
		if sd != nil && c.feature >= 0 && c.feature < len(sd.info.Features) {
			return "feature " + sd.info.Features[c.feature].Name
		}
		return "feature"
	}
	return "score"
}

// aggregateFor returns the bucket aggregation of series sd, recomputing it
// (O(windows)) only when the data, metric or width changed.
func (c *chartPane) aggregateFor(sd *seriesData) *aggregate {
	k := aggKey{sd: sd, version: sd.version, metric: c.metric, feature: c.feature, cols: c.plotCols()}
	if c.agg.key == k && c.agg.vals != nil {
		return &c.agg
	}
	g := geometry(len(sd.windows), k.cols)
	a := aggregate{key: k, geom: g}
	a.vals, a.arg = bucketMax(g, func(i int) float64 { return c.metric.value(sd.windows[i], c.feature) })
	a.maxScore = alertMaxima(sd, g)
	a.partialScore, _ = bucketMax(g, func(i int) float64 {
		if w := sd.windows[i]; w != nil && w.Partial && w.Alertable() {
			return w.Score
		}
		return math.NaN()
	})
	a.partial = make([]bool, g.nb)
	a.baseline = make([]bool, g.nb)
	a.analysed = make([]bool, g.nb)
	a.churn = make([]string, g.nb)
	a.learned = make([]bool, g.nb)
	for b := range g.nb {
		lo, hi := g.windows(b)
		var churn []engine.Change
		for i := lo; i < hi; i++ {
			if w := sd.windows[i]; w != nil {
				a.analysed[b] = true
				a.baseline[b] = a.baseline[b] || w.Baseline
				a.learned[b] = a.learned[b] || len(w.Learned) > 0
				a.partial[b] = a.partial[b] || w.Partial
				churn = append(churn, w.Churn...)
			}
		}
		a.churn[b] = churnGlyph(churn)
		a.hasChurn = a.hasChurn || a.churn[b] != ""
		a.hasLearn = a.hasLearn || a.learned[b]
		a.hasPartial = a.hasPartial || a.partial[b]
	}
	c.agg = a
	return &c.agg
}

// page is the number of windows a page move jumps: ten chart columns'
// worth (10 windows when every window has its own column).
func (c *chartPane) page(sd *seriesData) int {
	if sd == nil {
		return 10
	}
	return geometry(len(sd.windows), c.plotCols()).wpb * 10
}

// windowAt maps a position in the pane to a window: the column's bucket,
// and in it the window with the plotted maximum (a click on a peak lands
// on the peak). ok is false outside the plot and the strip.
func (c *chartPane) windowAt(x, y int) (int, bool) {
	sd := c.sh.current()
	if sd == nil || len(sd.windows) == 0 {
		return 0, false
	}
	if y < 1 || y >= c.height {
		return 0, false
	}
	a := c.aggregateFor(sd)
	col := x - plotLeft
	if col < 0 || col >= a.geom.columns() {
		return 0, false
	}
	return a.arg[a.geom.bucketAt(col)], true
}

// View renders the chart. The result is cached until the data, the size,
// the threshold, the theme or the cursor's bucket change.
func (c *chartPane) View() string {
	sd := c.sh.current()
	st := c.sh.styles
	if sd != nil && len(sd.windows) > 0 {
		c.aggregateFor(sd) // the strips it finds set the plot's height
	}
	if sd == nil || len(sd.windows) == 0 || c.plotHeight() < 3 {
		title := c.title(sd, math.NaN())
		lines := []string{title, st.Muted.Render("  waiting for the first analysed window…")}
		return c.frame(lines)
	}
	th := c.sh.threshold()
	a := c.aggregateFor(sd)
	cur := c.sh.cursor()
	k := renderKey{agg: a.key, height: c.height, width: c.width, threshold: th,
		cursor: a.geom.bucketOf(cur), cursorWin: cur, theme: c.sh.themeGen, search: c.sh.search}
	if s := c.sh.search; s != nil {
		s.refresh(c.sh.index, sd.size)
		k.searchVer = s.version
	}
	if k == c.rkey && c.rendered != "" {
		return c.rendered
	}
	c.rkey = k
	c.rendered = c.render(sd, a, th, cur)
	return c.rendered
}

func (c *chartPane) frame(lines []string) string {
	for len(lines) < c.height {
		lines = append(lines, "")
	}
	return strings.Join(lines[:c.height], "\n")
}

func (c *chartPane) title(sd *seriesData, th float64) string {
	st := c.sh.styles
	name := c.metricName(sd)
	size := ""
	if sd != nil {
		size = fmtSize(sd.size) + " windows"
	}
	parts := []string{st.Accent.Render(name), st.Muted.Render(size)}
	if c.metric == metricScore && !math.IsNaN(th) {
		parts = append(parts, st.Warning.Render("┄ threshold "+fmtScore(th)))
	}
	legend := st.Alert.Render("▲") + st.Muted.Render(" alert ") + st.Baseline.Render("░") +
		st.Muted.Render(" baseline ") + st.Cursor.Render("^") + st.Muted.Render(" cursor")
	if c.agg.hasChurn && c.agg.key.sd == sd {
		legend += " " + st.Warning.Render("±") + st.Muted.Render(" changes")
	}
	if c.agg.hasLearn && c.agg.key.sd == sd {
		legend += " " + st.Baseline.Render("◇") + st.Muted.Render(" learned")
	}
	if c.agg.hasPartial && c.agg.key.sd == sd {
		legend += " " + st.Muted.Render("◌ partial")
	}
	if c.sh.search != nil {
		legend += " " + st.Accent.Render("◆") + st.Muted.Render(" match")
	}
	parts = append(parts, legend)
	sep := st.Border.Render(" · ")
	line := strings.Join(parts, sep)
	return truncateStyled(line, c.width)
}

func (c *chartPane) render(sd *seriesData, a *aggregate, th float64, cur int) string {
	st := c.sh.styles
	g := a.geom
	plotTh := math.NaN()
	if c.metric == metricScore {
		plotTh = th
	}
	label := axisLabel
	if c.metric == metricBytes {
		label = axisBytes
	}
	lines := []string{c.title(sd, th)}
	p, ok := drawPlot(plotSpec{values: a.vals, cols: g.columns(), height: c.plotHeight(), threshold: plotTh, label: label})
	curCol := g.colOf(g.bucketOf(cur))
	if !ok {
		msg := "  no " + c.metricName(sd) + " values in these windows"
		if c.metric == metricIde {
			msg += " (the Ide score needs earlier windows to learn from)"
		}
		lines = append(lines, st.Muted.Render(truncate(msg, c.width)))
		for len(lines) < 1+c.plotHeight() {
			lines = append(lines, "")
		}
	} else {
		lines = append(lines, stylePlot(p, curCol, st)...)
	}
	lines = append(lines, c.strip(a, th))
	if a.hasChurn {
		lines = append(lines, c.churnStrip(a))
	}
	if a.hasLearn {
		lines = append(lines, c.learnedStrip(a))
	}
	if s := c.sh.search; s != nil {
		lines = append(lines, c.searchStrip(a, s))
	}
	lines = append(lines, c.caret(sd, g, cur, curCol))
	return c.frame(lines)
}

// stylePlot colours a drawn plot: labels muted, rows above the threshold
// in the alert colour, the threshold row in the warning colour, and a
// dotted cursor column where the plot is blank.
func stylePlot(p plotResult, curCol int, st *Styles) []string {
	out := make([]string, len(p.lines))
	for r, line := range p.lines {
		cells := []rune(line)
		body := st.Text
		switch {
		case p.thRow >= 0 && r < p.thRow:
			body = st.Alert
		case r == p.thRow:
			body = st.Warning
		}
		var b strings.Builder
		b.WriteString(st.Muted.Render(string(cells[:min(plotLeft, len(cells))])))
		data := cells[min(plotLeft, len(cells)):]
		if curCol >= 0 && curCol < len(data) {
			b.WriteString(body.Render(string(data[:curCol])))
			if data[curCol] == ' ' {
				b.WriteString(st.Cursor.Render("┊"))
			} else {
				b.WriteString(st.Cursor.Render(string(data[curCol])))
			}
			b.WriteString(body.Render(string(data[curCol+1:])))
		} else {
			b.WriteString(body.Render(string(data)))
		}
		out[r] = b.String()
	}
	return out
}

// caret is the line under the strip: the cursor's window number on the
// left, ^ under the cursor column with its time, and the time range.
func (c *chartPane) caret(sd *seriesData, g bucketGeom, cur, curCol int) string {
	st := c.sh.styles
	cols := g.columns()
	buf := []rune(strings.Repeat(" ", cols))
	put := func(at int, s string) {
		for i, r := range []rune(s) {
			if at+i >= 0 && at+i < len(buf) {
				buf[at+i] = r
			}
		}
	}
	start := fmtRel(0)
	end := fmtRel(sd.size * timeDuration(g.n))
	var at string
	if w := sd.window(cur); w != nil && c.sh.data.inputs != nil {
		at = fmtRel(w.Start.Sub(c.sh.data.inputs.Start))
	} else {
		at = fmtRel(sd.size * timeDuration(cur))
	}
	label := "^ " + at
	pos := curCol
	if pos+len([]rune(label)) > cols {
		label = at + " ^"
		pos = curCol - len([]rune(label)) + 1
	}
	pos = max(pos, 0)
	// The range's ends, where they do not touch the cursor's label.
	if n := len([]rune(start)); pos > n+1 {
		put(0, start)
	}
	if n := len([]rune(end)); pos+len([]rune(label))+1 < cols-n {
		put(cols-n, end)
	}
	put(pos, label)
	caretAt := pos
	if strings.HasSuffix(label, "^") {
		caretAt = pos + len([]rune(label)) - 1
	}
	prefix := st.Muted.Render(padLeft(fmt.Sprintf("#%d", cur), plotLeft-1) + " ")
	before := string(buf[:min(caretAt, len(buf))])
	after := ""
	if caretAt+1 < len(buf) {
		after = string(buf[caretAt+1:])
	}
	return prefix + st.Muted.Render(before) + st.Cursor.Render("^") + st.Muted.Render(after)
}
