package tui

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name string
		in   []float64
		want []float64 // NaN compares equal to NaN here
		ok   bool
	}{
		{"empty", nil, nil, false},
		{"all NaN", []float64{nan, nan}, nil, false},
		{"only infinities", []float64{inf, -inf}, nil, false},
		{"single point is duplicated", []float64{3}, []float64{3, 3}, true},
		// ±Inf are clipped to the finite range [1, 4]; NaN stays a gap.
		{"clip and keep gaps", []float64{1, inf, nan, -inf, 4}, []float64{1, 4, nan, 1, 4}, true},
		{"single finite among NaN", []float64{nan, 2}, []float64{nan, 2}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := sanitize(tc.in)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("sanitize(%v) = %v, want %v", tc.in, got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] && !(math.IsNaN(got[i]) && math.IsNaN(tc.want[i])) {
					t.Fatalf("sanitize(%v) = %v, want %v", tc.in, got, tc.want)
				}
			}
		})
	}
}

func TestGeometry(t *testing.T) {
	tests := []struct {
		n, cols          int
		wpb, nb, use     int
		widths           []int // of the first buckets
		lastLo, lastHi   int   // the last bucket's windows
		bucketOfLastWin  int
		bucketAtLastCol  int
		firstWindowsOfB1 int
	}{
		// 24 windows in 69 columns (the demo at 80×24): 69/24 = 2.875, so
		// 2 or 3 columns each, all 69 used (not 48, the plot ending at
		// column 58 of 80).
		{24, 69, 1, 24, 69, []int{2, 3, 3, 3, 3}, 23, 24, 23, 23, 1},
		// 25 windows in 109 columns: 4 or 5 columns each, all 109 used.
		{25, 109, 1, 25, 109, []int{4, 4, 5, 4, 4}, 24, 25, 24, 24, 1},
		// As many windows as columns: one each.
		{109, 109, 1, 109, 109, []int{1, 1, 1}, 108, 109, 108, 108, 1},
		// 100 000 windows in 109 columns: 917 or 918 windows per column
		// (100000/109 = 917.4), all 109 columns.
		{100000, 109, 918, 109, 109, []int{1, 1, 1}, 99082, 100000, 108, 108, 917},
		// 110 windows in 109 columns: one or two per column, all 109
		// (not 55 columns of two).
		{110, 109, 2, 109, 109, []int{1, 1, 1}, 108, 110, 108, 108, 1},
		{0, 80, 1, 0, 0, nil, 0, 0, 0, 0, 0},
	}
	for _, tc := range tests {
		g := geometry(tc.n, tc.cols)
		if g.wpb != tc.wpb || g.nb != tc.nb || g.columns() != tc.use {
			t.Errorf("geometry(%d, %d) = %+v (%d columns), want wpb %d nb %d (%d columns)",
				tc.n, tc.cols, g, g.columns(), tc.wpb, tc.nb, tc.use)
		}
		for b, w := range tc.widths {
			if g.width(b) != w {
				t.Errorf("geometry(%d, %d): bucket %d is %d columns wide, want %d", tc.n, tc.cols, b, g.width(b), w)
			}
		}
		if tc.n == 0 {
			continue
		}
		lo, hi := g.windows(g.nb - 1)
		_, b1 := g.windows(0)
		if lo != tc.lastLo || hi != tc.lastHi || g.bucketOf(tc.n-1) != tc.bucketOfLastWin || g.bucketAt(tc.cols-1) != tc.bucketAtLastCol || b1 != tc.firstWindowsOfB1 {
			t.Errorf("geometry(%d, %d): last bucket [%d, %d), window %d in bucket %d, column %d shows bucket %d, bucket 0 ends at %d",
				tc.n, tc.cols, lo, hi, tc.n-1, g.bucketOf(tc.n-1), tc.cols-1, g.bucketAt(tc.cols-1), b1)
		}
	}
}

// TestGeometrySpread: at any size every window and every column belongs
// to exactly the bucket that claims it, the buckets take the whole width,
// and widths and window counts differ by at most one between buckets.
func TestGeometrySpread(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 500 {
		n, cols := 1+rng.IntN(3000), 1+rng.IntN(400)
		g := geometry(n, cols)
		if g.colStart(g.nb) != cols || g.columns() != cols {
			t.Fatalf("geometry(%d, %d): the buckets end at column %d", n, cols, g.colStart(g.nb))
		}
		minW, maxW, minN, maxN := cols, 0, n, 0
		for b := range g.nb {
			lo, hi := g.windows(b)
			for i := lo; i < hi; i++ {
				if g.bucketOf(i) != b {
					t.Fatalf("geometry(%d, %d): window %d of bucket %d maps to %d", n, cols, i, b, g.bucketOf(i))
				}
			}
			for c := g.colStart(b); c < g.colStart(b+1); c++ {
				if g.bucketAt(c) != b {
					t.Fatalf("geometry(%d, %d): column %d of bucket %d shows %d", n, cols, c, b, g.bucketAt(c))
				}
			}
			if c := g.colOf(b); c < g.colStart(b) || c >= g.colStart(b+1) {
				t.Fatalf("geometry(%d, %d): bucket %d marked at column %d, outside it", n, cols, b, c)
			}
			minW, maxW = min(minW, g.width(b)), max(maxW, g.width(b))
			minN, maxN = min(minN, hi-lo), max(maxN, hi-lo)
		}
		if _, hi := g.windows(g.nb - 1); hi != n || maxW-minW > 1 || maxN-minN > 1 || minW < 1 || minN < 1 || maxN > g.wpb {
			t.Fatalf("geometry(%d, %d): widths %d–%d, windows %d–%d (wpb %d), last window %d", n, cols, minW, maxW, minN, maxN, g.wpb, hi)
		}
	}
}

func TestBucketMaxKeepsPeaks(t *testing.T) {
	// One spike in 100 000 windows survives downsampling to 109 columns,
	// at the column of its bucket, and a click there finds it.
	n := 100000
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = float64(i%7) / 10
	}
	vals[61234] = 42
	vals[500] = math.NaN()
	g := geometry(n, 109)
	maxes, arg := bucketMax(g, func(i int) float64 { return vals[i] })
	b := g.bucketOf(61234) // 61234 / 918 = 66
	if b != 66 || maxes[b] != 42 || arg[b] != 61234 {
		t.Errorf("bucket %d: max %v at %d, want bucket 66 max 42 at 61234", b, maxes[b], arg[b])
	}
	for i, m := range maxes {
		if i != b && m != 0.6 {
			t.Fatalf("bucket %d max = %v, want 0.6 (the largest of i%%7/10)", i, m)
		}
	}
}

func TestBucketMaxAllNaN(t *testing.T) {
	g := geometry(4, 2) // 2 windows per bucket
	vals := []float64{math.NaN(), math.NaN(), 1, math.NaN()}
	maxes, arg := bucketMax(g, func(i int) float64 { return vals[i] })
	if !math.IsNaN(maxes[0]) || arg[0] != 0 || maxes[1] != 1 || arg[1] != 2 {
		t.Errorf("bucketMax = %v %v, want [NaN 1] [0 2]", maxes, arg)
	}
}

// TestDrawPlotHeight checks that the chart has exactly the asked number
// of lines whatever the data, and that the threshold lands on a row
// labelled with its value.
func TestDrawPlotHeight(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	label := axisLabel
	for trial := range 300 {
		n := 1 + rng.IntN(150)
		vals := make([]float64, n)
		scale := math.Pow(10, float64(rng.IntN(12)-6))
		offset := (rng.Float64() - 0.5) * scale * 10
		for i := range vals {
			switch rng.IntN(20) {
			case 0:
				vals[i] = math.NaN()
			case 1:
				vals[i] = math.Inf(1)
			default:
				vals[i] = offset + rng.NormFloat64()*scale
			}
		}
		height := 3 + rng.IntN(20)
		th := math.NaN()
		if trial%2 == 0 {
			th = offset + rng.NormFloat64()*scale*2
		}
		p, ok := drawPlot(plotSpec{values: vals, cols: n + rng.IntN(2*n), height: height, threshold: th, label: label})
		if !ok {
			continue
		}
		if len(p.lines) != height {
			t.Fatalf("trial %d: %d lines, want %d", trial, len(p.lines), height)
		}
		for _, l := range p.lines {
			if w := len([]rune(l)); w != plotLeft+p.cols {
				t.Fatalf("trial %d: line width %d, want %d: %q", trial, w, plotLeft+p.cols, l)
			}
		}
		if !math.IsNaN(th) {
			if p.thRow < 0 || p.thRow >= height {
				t.Fatalf("trial %d: threshold row %d outside 0..%d", trial, p.thRow, height-1)
			}
			row := []rune(p.lines[p.thRow])
			// asciigraph writes the label one cell wider than the
			// widest, then a space and the axis.
			if got := strings.TrimSpace(string(row[:plotLeft-1])); got != strings.TrimSpace(axisLabel(th)) {
				t.Fatalf("trial %d: threshold %v drawn on the row labelled %q", trial, th, got)
			}
			if !strings.ContainsRune(string(row[plotLeft:]), '┄') && !strings.ContainsAny(string(row[plotLeft:]), "─╭╮╰╯│") {
				t.Fatalf("trial %d: threshold row has no line: %q", trial, string(row))
			}
		}
	}
}

func TestDrawPlotColumns(t *testing.T) {
	// Bucket b is drawn on data column b. asciigraph draws the segment
	// from point x to x+1 in data column x; with the first point repeated,
	// point x+1 is bucket x, so the segment arriving at bucket b is in
	// column b. A spike in bucket 5 of 10 rises (╭) in column 5 and falls
	// (╮) in column 6, where bucket 6 begins.
	vals := make([]float64, 10)
	vals[5] = 10
	p, ok := drawPlot(plotSpec{values: vals, cols: 10, height: 6, threshold: math.NaN(), label: axisLabel})
	if !ok {
		t.Fatal("no plot")
	}
	var peak []rune
	for _, l := range p.lines {
		if strings.ContainsRune(l, '╭') {
			peak = []rune(l)
		}
	}
	if peak == nil {
		t.Fatalf("no rise drawn:\n%s", strings.Join(p.lines, "\n"))
	}
	var cols []int
	for i, r := range peak[plotLeft:] {
		if r != ' ' {
			cols = append(cols, i)
		}
	}
	if len(cols) != 2 || cols[0] != 5 || peak[plotLeft+5] != '╭' || cols[1] != 6 || peak[plotLeft+6] != '╮' {
		t.Errorf("peak row %q: data cells %v, want ╭ at 5 and ╮ at 6", string(peak), cols)
	}
}

func TestDrawPlotDegenerate(t *testing.T) {
	for _, vals := range [][]float64{
		{5}, {0, 0, 0}, {-3, -3}, {math.NaN(), 1}, {math.Inf(-1), 2, math.Inf(1)}, {1e300, -1e300},
	} {
		p, ok := drawPlot(plotSpec{values: vals, cols: 2 * len(vals), height: 5, threshold: 1, label: axisLabel})
		if !ok || len(p.lines) != 5 {
			t.Errorf("drawPlot(%v): ok %v, %d lines", vals, ok, len(p.lines))
		}
	}
	if _, ok := drawPlot(plotSpec{values: []float64{math.NaN()}, cols: 1, height: 5, threshold: math.NaN(), label: axisLabel}); ok {
		t.Error("drawPlot of only NaN: ok, want no plot")
	}
	if _, ok := drawPlot(plotSpec{values: []float64{1, 2}, cols: 2, height: 2, label: axisLabel}); ok {
		t.Error("drawPlot of height 2: ok, want no plot")
	}
}

func TestAxisLabelWidth(t *testing.T) {
	for _, v := range []float64{0, 1, -1, 0.001234, 12.5, 999, 1234, -98765, 1.5e7, 3e12, 4e16, math.NaN()} {
		if w := len([]rune(axisLabel(v))); w != axisWidth {
			t.Errorf("axisLabel(%v) = %q: %d cells, want %d", v, axisLabel(v), w, axisWidth)
		}
	}
}
