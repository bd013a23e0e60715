package tui

import (
	"math"
	"strings"

	"github.com/guptarohit/asciigraph"
)

// plotOffset is asciigraph's Offset: columns between the label and the
// axis. With labels of axisWidth cells the plot's first data column is at
// plotLeft.
const (
	plotOffset = 3
	plotLeft   = plotOffset + axisWidth
)

// sanitize makes xs safe for asciigraph, which panics on an empty series
// and misbehaves on infinite or all-NaN data: ±Inf are clipped to the
// finite range, NaN stays (a gap in the line), a single point is
// duplicated. ok is false when no finite value is left to plot.
func sanitize(xs []float64) (out []float64, ok bool) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	if lo > hi {
		return nil, false
	}
	out = make([]float64, len(xs), max(len(xs), 2))
	for i, x := range xs {
		switch {
		case math.IsInf(x, 1):
			out[i] = hi
		case math.IsInf(x, -1):
			out[i] = lo
		default:
			out[i] = x
		}
	}
	if len(out) == 1 {
		out = append(out, out[0])
	}
	return out, true
}

// plotSpec is a chart to draw: one value per bucket, the buckets spread
// over cols columns (as geometry spreads them), height lines tall, with an
// optional threshold line.
type plotSpec struct {
	values    []float64
	cols      int
	height    int
	threshold float64 // NaN for none
	label     func(float64) string
}

// plotResult is a drawn chart: plain-text lines, each exactly plotLeft +
// columns wide, and the line the threshold is drawn on (-1 if none).
type plotResult struct {
	lines []string
	cols  int
	thRow int
}

// drawPlot draws spec with asciigraph. Bounds are chosen so the chart has
// exactly spec.height lines whatever the data (asciigraph's own rounding
// otherwise gives one more or one fewer), which keeps the layout stable.
func drawPlot(spec plotSpec) (plotResult, bool) {
	if spec.height < 3 || len(spec.values) == 0 {
		return plotResult{}, false
	}
	spread := geometry(len(spec.values), max(spec.cols, len(spec.values)))
	cols := spread.columns()
	xs := make([]float64, cols)
	for c := range xs {
		xs[c] = spec.values[spread.bucketAt(c)]
	}
	xs, ok := sanitize(xs)
	if !ok {
		return plotResult{}, false
	}
	th := spec.threshold
	hasTh := !math.IsNaN(th) && !math.IsInf(th, 0)
	rows := spec.height - 1
	lower, upper, s, a := plotBounds(xs, th, hasTh, rows)

	// The first point is drawn on the axis column; repeating it makes
	// bucket b land on data column b.
	series := append([]float64{xs[0]}, xs...)
	data := [][]float64{series}
	// A label a floating-point hair from zero ("-1e-16") reads 0.
	label := func(v float64) string {
		if math.Abs(v) < s*1e-6 {
			v = 0
		}
		return spec.label(v)
	}
	opts := []asciigraph.Option{
		asciigraph.Height(rows), asciigraph.LowerBound(lower), asciigraph.UpperBound(upper),
		asciigraph.Offset(plotOffset), asciigraph.YAxisValueFormatter(label),
	}
	thRow := -1
	if hasTh {
		line := make([]float64, len(series))
		for i := range line {
			line[i] = th
		}
		// The threshold first, so the score is drawn over it where they
		// cross; dashed so it is told apart without colour.
		data = [][]float64{line, series}
		opts = append(opts, asciigraph.SeriesChars(asciigraph.CharSet{Horizontal: "┄", StartCap: "┄", EndCap: "┄"}, asciigraph.DefaultCharSet))
		thRow = rows - int(a)
	}
	out := asciigraph.PlotMany(data, opts...)
	lines := strings.Split(out, "\n")
	width := plotLeft + cols
	for i := range lines {
		// A single column was drawn as two points: keep the width asked.
		if r := []rune(lines[i]); len(r) > width {
			lines[i] = string(r[:width])
		}
		lines[i] = padRight(lines[i], width)
	}
	for len(lines) < spec.height {
		lines = append(lines, strings.Repeat(" ", width))
	}
	lines = lines[:spec.height]
	return plotResult{lines: lines, cols: cols, thRow: thRow}, true
}

// plotBounds chooses the bounds of rows+1 lines, one row step s apart.
// The lower bound is a whole number a of steps below an anchor (the
// threshold, else 0), so the threshold falls exactly on a row with its
// value as the label, and asciigraph's rounding of lower/s and upper/s
// differs by exactly rows. s is chosen so that one step of slack still
// covers the highest value.
func plotBounds(xs []float64, th float64, hasTh bool, rows int) (lower, upper, s, a float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		if !math.IsNaN(x) {
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	if hasTh {
		lo, hi = min(lo, th), max(hi, th)
	}
	if hi == lo {
		if lo == 0 {
			hi = 1
		} else {
			lo, hi = lo-math.Abs(lo)/2, hi+math.Abs(hi)/2
		}
	}
	s = (hi - lo) / float64(rows-1)
	anchor := 0.0
	if hasTh {
		anchor = th
	}
	a = math.Ceil((anchor - lo) / s)
	lower = anchor - a*s
	return lower, lower + float64(rows)*s, s, a
}

// bucketGeom maps n windows to cols chart columns through nb buckets: a
// bucket is one column or more when there are fewer windows than columns,
// one window or more (its max is plotted, so no peak hides) when there are
// more. Both spread evenly — bucket b holds windows [b·n/nb, (b+1)·n/nb)
// and columns [b·cols/nb, (b+1)·cols/nb) — so the chart uses the whole
// width. wpb is the most windows a bucket holds.
type bucketGeom struct {
	n, nb, cols, wpb int
}

// geometry fits n windows into cols columns.
func geometry(n, cols int) bucketGeom {
	cols = max(cols, 1)
	if n <= 0 {
		return bucketGeom{wpb: 1}
	}
	nb := min(n, cols)
	return bucketGeom{n: n, nb: nb, cols: cols, wpb: (n + nb - 1) / nb}
}

// spreadIndex is the bucket of item i of total spread over nb buckets:
// the last b with b·total/nb ≤ i.
func spreadIndex(i, total, nb int) int {
	if total <= 0 {
		return 0
	}
	return ((i+1)*nb - 1) / total
}

func (g bucketGeom) bucketOf(window int) int { return spreadIndex(window, g.n, g.nb) }

// bucketAt is the bucket drawn in column col.
func (g bucketGeom) bucketAt(col int) int { return spreadIndex(col, g.cols, g.nb) }

// columns is how many columns the buckets take: all of them, when there
// is a window.
func (g bucketGeom) columns() int {
	if g.nb == 0 {
		return 0
	}
	return g.cols
}

// colStart is bucket b's first column; bucket b is drawn in columns
// [colStart(b), colStart(b+1)).
func (g bucketGeom) colStart(b int) int { return b * g.cols / max(g.nb, 1) }

// width is how many columns bucket b takes.
func (g bucketGeom) width(b int) int { return g.colStart(b+1) - g.colStart(b) }

// colOf is the column that marks bucket b (its middle column).
func (g bucketGeom) colOf(b int) int { return g.colStart(b) + g.width(b)/2 }

// windows returns the windows [lo, hi) of bucket b.
func (g bucketGeom) windows(b int) (int, int) {
	return b * g.n / max(g.nb, 1), min((b+1)*g.n/max(g.nb, 1), g.n)
}

// bucketMax returns, per bucket, the max of value over its windows (NaN
// when none has a value) and the window holding it (the bucket's first
// window when none has).
func bucketMax(g bucketGeom, value func(i int) float64) ([]float64, []int) {
	vals := make([]float64, g.nb)
	arg := make([]int, g.nb)
	for b := range g.nb {
		lo, hi := g.windows(b)
		best, at := math.NaN(), lo
		for i := lo; i < hi; i++ {
			v := value(i)
			if math.IsNaN(v) {
				continue
			}
			if math.IsNaN(best) || v > best {
				best, at = v, i
			}
		}
		vals[b], arg[b] = best, at
	}
	return vals, arg
}
