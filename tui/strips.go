package tui

import (
	"math"
	"strings"

	"github.com/mimir-tui/mimir-tui/engine"
)

// The strips under the chart: one line of marks per bucket each — the
// alerts, the application's changes, the new workloads' pairs learned, the
// search's matches.

// alertMaxima is, per bucket, the highest score among the windows that can
// alert: the strip's ▲ is the alert rule for a bucket when it reaches the
// threshold.
func alertMaxima(sd *seriesData, g bucketGeom) []float64 {
	m, _ := bucketMax(g, func(i int) float64 {
		if w := sd.windows[i]; w != nil && w.Alertable() {
			return w.Score
		}
		return math.NaN()
	})
	return m
}

// alerts reports whether a window of bucket bk alerts at th: the fast
// form of asking WindowResult.Alert of each, property-tested against it.
func (a *aggregate) alerts(bk int, th float64) bool {
	return !math.IsNaN(a.maxScore[bk]) && a.maxScore[bk] >= th
}

// strip is the marker line: ▲ where a bucket alerts at th (△ where a
// partial window of it does), ░ baseline, ◌ a partial window (the capture
// ends in it), · analysed, blank not yet analysed. Glyphs, so no colour is
// needed.
func (c *chartPane) strip(a *aggregate, th float64) string {
	st := c.sh.styles
	var b strings.Builder
	b.WriteString(st.Muted.Render(padLeft("alerts", plotLeft-1) + " "))
	glyph := func(bk int) (string, int) {
		switch {
		case a.alerts(bk, th) && a.partialScore[bk] >= th:
			return "△", 4
		case a.alerts(bk, th):
			return "▲", 0
		case a.baseline[bk]:
			return "░", 1
		case a.partial[bk]:
			return "◌", 2
		case a.analysed[bk]:
			return "·", 2
		}
		return " ", 3
	}
	styles := []func(...string) string{st.Alert.Render, st.Baseline.Render, st.Muted.Render, st.Text.Render, st.Alert.Render}
	// Runs of one glyph are rendered together: one style call per run.
	var run strings.Builder
	runKind := -1
	flush := func() {
		if run.Len() > 0 {
			b.WriteString(styles[runKind](run.String()))
			run.Reset()
		}
	}
	for bk := range a.geom.nb {
		g, kind := glyph(bk)
		if kind != runKind {
			flush()
			runKind = kind
		}
		for range a.geom.width(bk) {
			run.WriteString(g)
		}
	}
	flush()
	return b.String()
}

// churnGlyph marks a bucket's changes of the application: ↻ an address
// reused, ± pods or services both added and deleted, + added, − deleted.
func churnGlyph(churn []engine.Change) string {
	add, del := false, false
	for _, c := range churn {
		if c.ReusedFrom != "" {
			return "↻"
		}
		add = add || c.Op == "add"
		del = del || c.Op == "delete"
	}
	switch {
	case add && del:
		return "±"
	case add:
		return "+"
	case del:
		return "−"
	}
	return ""
}

// markStrip draws a strip of marks under the chart: a label, then per
// bucket its glyph ("" for none) over the bucket's columns, in one style.
func (c *chartPane) markStrip(label string, a *aggregate, glyph func(b int) string, style func(...string) string) string {
	st := c.sh.styles
	var b strings.Builder
	for bk := range a.geom.nb {
		g := glyph(bk)
		if g == "" {
			g = " "
		}
		for range a.geom.width(bk) {
			b.WriteString(g)
		}
	}
	return st.Muted.Render(padLeft(label, plotLeft-1)+" ") + style(b.String())
}

// churnStrip marks the pods and services added and deleted, and the
// addresses reused.
func (c *chartPane) churnStrip(a *aggregate) string {
	return c.markStrip("changes", a, func(b int) string { return a.churn[b] }, c.sh.styles.Warning.Render)
}

// learnedStrip marks where pairs of new workloads were learned instead of
// alarmed.
func (c *chartPane) learnedStrip(a *aggregate) string {
	return c.markStrip("learned", a, func(b int) string {
		if a.learned[b] {
			return "◇"
		}
		return ""
	}, c.sh.styles.Baseline.Render)
}

// searchStrip marks the buckets where the search matches.
func (c *chartPane) searchStrip(a *aggregate, s *searchState) string {
	hits := s.hits(a.geom)
	return c.markStrip("search", a, func(b int) string {
		if hits[b] {
			return "◆"
		}
		return ""
	}, c.sh.styles.Accent.Render)
}
