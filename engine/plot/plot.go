package plot

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/mimir-tui/mimir-tui/engine/stats"
)

// Figure sizes. PNG is rendered at gonum's default 96 dots per inch, so the
// ROC chart is about 450 pixels square and the score chart 900×380.
const (
	rocSize     = 12 * vg.Centimeter
	scoresWidth = 24 * vg.Centimeter
	scoresHigh  = 10 * vg.Centimeter
)

// Curve is one detector's ROC curve for the ROC chart.
type Curve struct {
	Name   string
	Points []stats.Point
	AUC    float64 // shown in the legend; NaN shows "n/a"
}

// Series is one score series for the score chart.
type Series struct {
	Name   string
	Values []float64 // one per time; NaN for "no score"
}

// checkFormat returns the canonical format name or a helpful error.
func checkFormat(format string) (string, error) {
	f := strings.ToLower(strings.TrimPrefix(format, "."))
	if f != "png" && f != "svg" {
		return "", fmt.Errorf("plot: format %q is not supported: use png or svg", format)
	}
	return f, nil
}

// maxAbs bounds the values drawn: gonum/plot's tick search does not end
// on an axis whose width overflows float64, so values beyond it are
// treated like infinities. Scores of z-scores clipped to ±100 never come
// near it.
const maxAbs = 1e100

// finite reports whether every v can be drawn: not NaN and within ±maxAbs.
func finite(v ...float64) bool {
	for _, f := range v {
		if !(math.Abs(f) <= maxAbs) {
			return false
		}
	}
	return true
}

// ROC draws ROC curves (false-positive rate across, true-positive rate up)
// on one chart with the chance diagonal, each curve labelled
// "name (AUC 0.93)" in the legend, and writes it to w as format ("png" or
// "svg"). Points with a non-finite rate are skipped; a curve with a single
// point is drawn as a dot.
func ROC(w io.Writer, format, title string, curves []Curve) error {
	format, err := checkFormat(format)
	if err != nil {
		return err
	}
	p := gplot.New()
	p.Title.Text = title
	p.X.Label.Text = "false-positive rate"
	p.Y.Label.Text = "true-positive rate"
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.Legend.Top, p.Legend.Left = false, false
	p.Add(plotter.NewGrid())

	diag, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return fmt.Errorf("plot: diagonal: %w", err)
	}
	diag.Color = color.Gray{Y: 150}
	diag.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(diag)
	p.Legend.Add("chance (AUC 0.50)", diag)

	for i, c := range curves {
		var xys plotter.XYs
		for _, pt := range c.Points {
			if finite(pt.FPR, pt.TPR) {
				xys = append(xys, plotter.XY{X: pt.FPR, Y: pt.TPR})
			}
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return fmt.Errorf("plot: curve %q: %w", c.Name, err)
		}
		line.Color = plotutil.Color(i)
		line.Width = vg.Points(1.5)
		p.Add(line)
		if len(xys) == 1 {
			if err := addDots(p, xys, line.Color); err != nil {
				return fmt.Errorf("plot: curve %q: %w", c.Name, err)
			}
		}
		auc := "n/a"
		if finite(c.AUC) {
			auc = fmt.Sprintf("%.2f", c.AUC)
		}
		p.Legend.Add(fmt.Sprintf("%s (AUC %s)", c.Name, auc), line)
	}
	// gonum widens the axes to fit the data; rates outside [0, 1] (bad
	// input) must not shrink the unit square, so pin it again.
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	return render(w, p, rocSize, rocSize, format)
}

// Scores draws score series over time (times in seconds, one per value),
// the alert threshold as a horizontal line and the attack intervals
// [from, to] in shaded, and writes the chart to w as format ("png" or
// "svg"). Non-finite times and values are skipped and break the line;
// isolated values are drawn as dots. A non-finite threshold is not drawn,
// nor are intervals that are not finite or not increasing. It returns an
// error when a series has a different length from times.
func Scores(w io.Writer, format, title string, times []float64, series []Series, threshold float64, shaded [][2]float64) error {
	format, err := checkFormat(format)
	if err != nil {
		return err
	}
	for _, s := range series {
		if len(s.Values) != len(times) {
			return fmt.Errorf("plot: series %q has %d values for %d times: give one value per time (NaN where there is none)", s.Name, len(s.Values), len(times))
		}
	}
	p := gplot.New()
	p.Title.Text = title
	p.X.Label.Text = "time (s)"
	p.Y.Label.Text = "score"
	p.Legend.Top, p.Legend.Left = true, false
	p.Add(plotter.NewGrid())
	spans := validSpans(shaded)
	box := scoresBox(times, series, threshold, spans)
	if err := addShading(p, spans, box); err != nil {
		return err
	}
	for k, s := range series {
		if err := addSeries(p, k, s, times); err != nil {
			return fmt.Errorf("plot: series %q: %w", s.Name, err)
		}
	}
	if finite(threshold) {
		th, err := plotter.NewLine(plotter.XYs{{X: box.xMin, Y: threshold}, {X: box.xMax, Y: threshold}})
		if err != nil {
			return fmt.Errorf("plot: threshold: %w", err)
		}
		th.Color = color.Gray{Y: 60}
		th.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		p.Add(th)
		p.Legend.Add(fmt.Sprintf("threshold %.3g", threshold), th)
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = box.xMin, box.xMax, box.yMin, box.yMax
	return render(w, p, scoresWidth, scoresHigh, format)
}

// validSpans keeps the shaded intervals that are finite and not empty.
func validSpans(shaded [][2]float64) [][2]float64 {
	var spans [][2]float64
	for _, iv := range shaded {
		if finite(iv[0], iv[1]) && iv[1] > iv[0] {
			spans = append(spans, iv)
		}
	}
	return spans
}

// box is the plotted area.
type box struct{ xMin, xMax, yMin, yMax float64 }

// scoresBox spans the finite data, the threshold and the shading, with
// headroom for the legend (top right, about one text line per entry) so
// that it does not hide the highest scores.
func scoresBox(times []float64, series []Series, threshold float64, spans [][2]float64) box {
	xr, yr := newRange(), newRange()
	for i, t := range times {
		if !finite(t) {
			continue
		}
		xr.add(t)
		for _, s := range series {
			if finite(s.Values[i]) {
				yr.add(s.Values[i])
			}
		}
	}
	entries := len(series)
	if finite(threshold) {
		yr.add(threshold)
		entries++
	}
	if xr.empty() {
		for _, iv := range spans {
			xr.add(iv[0])
			xr.add(iv[1])
		}
	}
	if len(spans) > 0 {
		entries++
	}
	var b box
	b.xMin, b.xMax = xr.padded(0)
	b.yMin, b.yMax = yr.padded(0.05)
	b.yMax += (b.yMax - b.yMin) * math.Min(0.5, 0.07*float64(entries))
	return b
}

// addShading shades the attack intervals across the chart's height.
func addShading(p *gplot.Plot, spans [][2]float64, b box) error {
	if len(spans) == 0 {
		return nil
	}
	shade := color.NRGBA{R: 220, G: 50, B: 47, A: 45}
	for _, iv := range spans {
		lo, hi := math.Max(iv[0], b.xMin), math.Min(iv[1], b.xMax)
		if hi <= lo {
			continue
		}
		poly, err := plotter.NewPolygon(plotter.XYs{{X: lo, Y: b.yMin}, {X: hi, Y: b.yMin}, {X: hi, Y: b.yMax}, {X: lo, Y: b.yMax}})
		if err != nil {
			return fmt.Errorf("plot: attack interval: %w", err)
		}
		poly.Color = shade
		poly.LineStyle.Width = 0
		p.Add(poly)
	}
	legendShade, err := plotter.NewPolygon(plotter.XYs{{X: b.xMin, Y: b.yMin}})
	if err != nil {
		return fmt.Errorf("plot: legend: %w", err)
	}
	legendShade.Color = shade
	legendShade.LineStyle.Width = 0
	p.Legend.Add("attack", legendShade)
	return nil
}

// addSeries draws series k as lines through its finite runs and dots for
// isolated points, with its legend entry.
func addSeries(p *gplot.Plot, k int, s Series, times []float64) error {
	c := plotutil.Color(k)
	style := plotter.DefaultLineStyle
	style.Color = c
	style.Width = vg.Points(1.2)
	var single, run plotter.XYs
	flush := func() error {
		switch len(run) {
		case 0:
		case 1:
			single = append(single, run[0])
		default:
			l, err := plotter.NewLine(run)
			if err != nil {
				return err
			}
			l.LineStyle = style
			p.Add(l)
		}
		run = nil
		return nil
	}
	for i, t := range times {
		if !finite(t, s.Values[i]) {
			if err := flush(); err != nil {
				return err
			}
			continue
		}
		run = append(run, plotter.XY{X: t, Y: s.Values[i]})
	}
	if err := flush(); err != nil {
		return err
	}
	if err := addDots(p, single, c); err != nil {
		return err
	}
	thumb, err := plotter.NewLine(plotter.XYs{})
	if err != nil {
		return fmt.Errorf("legend: %w", err)
	}
	thumb.LineStyle = style
	p.Legend.Add(s.Name, thumb)
	return nil
}

// addDots draws points as small circles, for values with no neighbour to
// join.
func addDots(p *gplot.Plot, xys plotter.XYs, c color.Color) error {
	if len(xys) == 0 {
		return nil
	}
	s, err := plotter.NewScatter(xys)
	if err != nil {
		return err
	}
	s.GlyphStyle.Color = c
	s.GlyphStyle.Shape = draw.CircleGlyph{}
	s.GlyphStyle.Radius = vg.Points(2.5)
	p.Add(s)
	return nil
}

// render draws p and writes it to w.
func render(w io.Writer, p *gplot.Plot, width, height vg.Length, format string) error {
	wt, err := p.WriterTo(width, height, format)
	if err != nil {
		return fmt.Errorf("plot: render %s: %w", format, err)
	}
	if _, err := wt.WriteTo(w); err != nil {
		return fmt.Errorf("plot: write %s: %w", format, err)
	}
	return nil
}

// span is the range of some finite values.
type span struct{ lo, hi float64 }

func newRange() *span { return &span{lo: math.Inf(1), hi: math.Inf(-1)} }

func (s *span) add(v float64) {
	s.lo = math.Min(s.lo, v)
	s.hi = math.Max(s.hi, v)
}

func (s *span) empty() bool { return s.lo > s.hi }

// padded returns the range widened by frac of its width on each side; an
// empty range is [0, 1] and a single value v is [v−1, v+1] (or v ± |v|/10
// for large values) so that gonum has an axis to draw.
func (s *span) padded(frac float64) (float64, float64) {
	switch {
	case s.empty():
		return 0, 1
	case s.lo == s.hi:
		d := math.Max(1, math.Abs(s.lo)/10)
		return s.lo - d, s.hi + d
	}
	d := (s.hi - s.lo) * frac
	return s.lo - d, s.hi + d
}
