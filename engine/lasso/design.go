package lasso

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
)

// design is a training set prepared for coordinate descent: X and y
// centred over the chosen rows. Constant columns are exactly zero: centring
// by a rounded mean would leave ±1 ulp noise that the solver could fit.
type design struct {
	n, p  int
	xmean []float64 // column means (the centring offsets)
	ymean float64
	xty   []float64 // Xcᵀyc
	yy    float64   // ‖yc‖²
	norm  []float64 // ‖x_j‖², 0 for constant columns (never updated)

	// gram is XcᵀXc (p×p, row-major) when there are more rows than
	// features, as with scikit-learn's precompute="auto": a sweep then
	// costs p² instead of n·p.
	gram []float64
	// Otherwise xt holds the centred columns (p×n, column j at
	// xt[j*n:(j+1)*n]) and yc the centred targets, and the solver updates a
	// residual vector.
	xt, yc []float64
}

// span is the half-open range of rows [lo, hi).
type span struct{ lo, hi int }

// validate checks X and y and returns the number of features.
func validate(X [][]float64, y []float64) (int, error) {
	if len(X) == 0 {
		return 0, fmt.Errorf("lasso: no rows to fit: give at least one row of features")
	}
	if len(X) != len(y) {
		return 0, fmt.Errorf("lasso: %d rows of features but %d targets: give one target per row", len(X), len(y))
	}
	p := len(X[0])
	for i, row := range X {
		if len(row) != p {
			return 0, fmt.Errorf("lasso: row %d has %d features, row 0 has %d: every row needs the same columns", i, len(row), p)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, fmt.Errorf("lasso: row %d, feature %d is %v: replace missing or infinite values before fitting (stats.Robust.Z maps them to finite z-scores)", i, j, v)
			}
		}
		if math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			return 0, fmt.Errorf("lasso: target %d is %v: every target must be a finite number", i, y[i])
		}
	}
	return p, nil
}

// newDesign centres the rows of X and y in spans, with the Gram matrix when
// there are more rows than features. X and y must have passed validate.
func newDesign(X [][]float64, y []float64, spans ...span) *design {
	n := 0
	for _, s := range spans {
		n += s.hi - s.lo
	}
	if n <= len(X[0]) {
		return residualDesign(X, y, spans...)
	}
	shift, yshift := means(X, y, spans...)
	ms := make([]*moments, len(spans))
	for i, s := range spans {
		ms[i] = newMoments(X, y, s, shift, yshift)
	}
	return gramDesign(ms, shift, yshift)
}

// means returns the column means of X and the mean of y over spans.
func means(X [][]float64, y []float64, spans ...span) ([]float64, float64) {
	m := make([]float64, len(X[0]))
	var my float64
	n := 0
	for _, s := range spans {
		for i := s.lo; i < s.hi; i++ {
			floats.Add(m, X[i])
			my += y[i]
		}
		n += s.hi - s.lo
	}
	floats.Scale(1/float64(n), m)
	return m, my / float64(n)
}

// residualDesign stores the centred columns for residual sweeps.
func residualDesign(X [][]float64, y []float64, spans ...span) *design {
	p := len(X[0])
	n := 0
	for _, s := range spans {
		n += s.hi - s.lo
	}
	d := &design{
		n: n, p: p,
		xt:    make([]float64, p*n),
		xmean: make([]float64, p),
		yc:    make([]float64, n),
		xty:   make([]float64, p),
		norm:  make([]float64, p),
	}
	k := 0
	for _, s := range spans {
		for i := s.lo; i < s.hi; i++ {
			d.ymean += y[i]
			d.yc[k] = y[i]
			for j, v := range X[i] {
				d.xt[j*n+k] = v
			}
			k++
		}
	}
	d.ymean /= float64(n)
	if floats.Min(d.yc) == floats.Max(d.yc) {
		clear(d.yc)
	} else {
		floats.AddConst(-d.ymean, d.yc)
	}
	d.yy = floats.Dot(d.yc, d.yc)
	for j := 0; j < p; j++ {
		col := d.xt[j*n : (j+1)*n]
		if floats.Min(col) == floats.Max(col) {
			d.xmean[j] = col[0]
			clear(col)
			continue
		}
		m := floats.Sum(col) / float64(n)
		d.xmean[j] = m
		floats.AddConst(-m, col)
		d.norm[j] = floats.Dot(col, col)
		d.xty[j] = floats.Dot(col, d.yc)
	}
	return d
}

// moments are the sums over a block of rows of x' = x − shift and
// y' = y − yshift, from which the centred Gram matrix of any union of blocks
// follows without another pass over the rows: cross-validation sums k−1 of
// k fold blocks instead of recomputing n·p² per fold. Shifting by the mean
// of all rows keeps the centring correction n·m·mᵀ small, so it cancels
// nothing significant.
type moments struct {
	n      int
	sx     []float64 // Σ x'
	sy     float64   // Σ y'
	xx     []float64 // Σ x'x'ᵀ, upper triangle of p×p
	xy     []float64 // Σ y'·x'
	yy     float64   // Σ y'²
	lo, hi []float64 // raw column minimum and maximum
	ylo    float64
	yhi    float64
}

func newMoments(X [][]float64, y []float64, s span, shift []float64, yshift float64) *moments {
	p := len(shift)
	m := &moments{
		sx: make([]float64, p), xx: make([]float64, p*p), xy: make([]float64, p),
		lo: make([]float64, p), hi: make([]float64, p),
		ylo: math.Inf(1), yhi: math.Inf(-1),
	}
	for j := range p {
		m.lo[j], m.hi[j] = math.Inf(1), math.Inf(-1)
	}
	row := make([]float64, p)
	for i := s.lo; i < s.hi; i++ {
		m.n++
		for j, v := range X[i] {
			row[j] = v - shift[j]
			m.lo[j] = math.Min(m.lo[j], v)
			m.hi[j] = math.Max(m.hi[j], v)
		}
		yv := y[i] - yshift
		m.ylo, m.yhi = math.Min(m.ylo, y[i]), math.Max(m.yhi, y[i])
		floats.Add(m.sx, row)
		m.sy += yv
		m.yy += yv * yv
		floats.AddScaled(m.xy, yv, row)
		// Rank-one update of the upper triangle: on one core this beats
		// gonum's Dsyrk and Dgemm for these shapes.
		for j, v := range row {
			if v != 0 {
				floats.AddScaled(m.xx[j*p+j:(j+1)*p], v, row[j:])
			}
		}
	}
	return m
}

// gramDesign builds the centred design of the union of blocks ms, all
// computed with the same shifts, summing them in order.
func gramDesign(ms []*moments, shift []float64, yshift float64) *design {
	p := len(shift)
	sum := &moments{
		sx: make([]float64, p), xx: make([]float64, p*p), xy: make([]float64, p),
		lo: make([]float64, p), hi: make([]float64, p),
		ylo: math.Inf(1), yhi: math.Inf(-1),
	}
	for j := range p {
		sum.lo[j], sum.hi[j] = math.Inf(1), math.Inf(-1)
	}
	for _, m := range ms {
		sum.n += m.n
		floats.Add(sum.sx, m.sx)
		sum.sy += m.sy
		floats.Add(sum.xx, m.xx)
		floats.Add(sum.xy, m.xy)
		sum.yy += m.yy
		for j := range p {
			sum.lo[j] = math.Min(sum.lo[j], m.lo[j])
			sum.hi[j] = math.Max(sum.hi[j], m.hi[j])
		}
		sum.ylo, sum.yhi = math.Min(sum.ylo, m.ylo), math.Max(sum.yhi, m.yhi)
	}
	n := float64(sum.n)
	d := &design{
		n: sum.n, p: p,
		xmean: make([]float64, p),
		xty:   make([]float64, p),
		norm:  make([]float64, p),
		gram:  make([]float64, p*p),
	}
	mx := make([]float64, p)
	for j := range p {
		mx[j] = sum.sx[j] / n
	}
	my := sum.sy / n
	d.ymean = yshift + my
	yConst := sum.ylo == sum.yhi
	if !yConst {
		d.yy = math.Max(0, sum.yy-n*my*my)
	}
	for i := range p {
		if sum.lo[i] == sum.hi[i] {
			d.xmean[i] = sum.lo[i] // exact; row and column i stay 0
			continue
		}
		d.xmean[i] = shift[i] + mx[i]
		if !yConst {
			d.xty[i] = sum.xy[i] - n*mx[i]*my
		}
		for j := i; j < p; j++ {
			if sum.lo[j] == sum.hi[j] {
				continue
			}
			g := sum.xx[i*p+j] - n*mx[i]*mx[j]
			d.gram[i*p+j], d.gram[j*p+i] = g, g
		}
		d.norm[i] = math.Max(0, d.gram[i*p+i])
		d.gram[i*p+i] = d.norm[i]
	}
	return d
}

// alphaMax returns max_j |x_jᵀ(y − ȳ)|/n, the smallest alpha at which every
// coefficient is 0.
func (d *design) alphaMax() float64 {
	var m float64
	for _, v := range d.xty {
		m = math.Max(m, math.Abs(v))
	}
	return m / float64(d.n)
}

// intercept returns ȳ − x̄ᵀw, the intercept of the uncentred data.
func (d *design) intercept(w []float64) float64 {
	return d.ymean - floats.Dot(d.xmean, w)
}
