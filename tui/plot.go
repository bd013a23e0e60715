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

// plotSpec is a chart to draw: one value per bucket, each bucket cpw
// columns wide, height lines tall, with an optional threshold line.
type plotSpec struct {
	values    []float64
	cpw       int
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
	cpw := max(spec.cpw, 1)
	cols := len(spec.values) * cpw
	xs := make([]float64, cols)
	for c := range xs {
		xs[c] = spec.values[c/cpw]
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

// bucketGeom maps windows to chart columns: wpb windows per bucket (the
// max of a bucket is plotted, so no peak is hidden), cpw columns per bucket
// (when there are fewer windows than columns), nb buckets.
type bucketGeom struct {
	n, wpb, cpw, nb int
}

// geometry fits n windows into at most cols columns.
func geometry(n, cols int) bucketGeom {
	cols = max(cols, 1)
	if n <= 0 {
		return bucketGeom{wpb: 1, cpw: 1}
	}
	if n <= cols {
		return bucketGeom{n: n, wpb: 1, cpw: cols / n, nb: n}
	}
	wpb := (n + cols - 1) / cols
	return bucketGeom{n: n, wpb: wpb, cpw: 1, nb: (n + wpb - 1) / wpb}
}

func (g bucketGeom) bucketOf(window int) int { return window / g.wpb }
func (g bucketGeom) columns() int            { return g.nb * g.cpw }

// colOf is the column that marks bucket b (its middle column).
func (g bucketGeom) colOf(b int) int { return b*g.cpw + g.cpw/2 }

// windows returns the windows [lo, hi) of bucket b.
func (g bucketGeom) windows(b int) (int, int) {
	return b * g.wpb, min((b+1)*g.wpb, g.n)
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
