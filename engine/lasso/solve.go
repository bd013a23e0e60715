package lasso

import (
	"context"
	"math"

	"gonum.org/v1/gonum/floats"
)

// soft is the soft-thresholding operator sign(x)·max(|x| − t, 0).
func soft(x, t float64) float64 {
	switch {
	case x > t:
		return x - t
	case x < -t:
		return x + t
	}
	return 0
}

// result is how one coordinate-descent fit ended.
type result struct {
	iter      int
	gap       float64 // duality gap of the (1/(2n)) objective
	converged bool
}

// dualityGap returns the gap between the primal objective
// ½‖R‖² + an·‖w‖₁ and the value of the dual at the rescaled residual,
// given the largest |x_jᵀR|, ‖R‖², Rᵀy and ‖w‖₁ (scikit-learn's _cd_fast,
// with an = α·n).
func dualityGap(an, dualNorm, rNorm2, rDotY, l1 float64) float64 {
	c, gap := 1.0, rNorm2
	if dualNorm > an {
		c = an / dualNorm
		gap = 0.5 * (rNorm2 + rNorm2*c*c)
	}
	return gap + an*l1 - c*rDotY
}

// solve minimises (1/(2n))‖yc − Xc·w‖² + α‖w‖₁ by cyclic coordinate
// descent, starting from w (a warm start) and leaving the solution in it.
// After a sweep whose largest coefficient change is below tol relative to
// the largest coefficient, it computes the duality gap and stops when the
// gap is below tol·‖yc‖², as scikit-learn does.
//
// It stops early, leaving the last iterate in w, when ctx is cancelled
// (checked every sweep; a sweep costs p² or n·p).
func (d *design) solve(ctx context.Context, alpha float64, w []float64, tol float64, maxIter int) result {
	if d.yy == 0 || d.p == 0 {
		// Nothing to explain: w = 0 is the exact solution.
		clear(w)
		return result{converged: true}
	}
	an := alpha * float64(d.n)
	gapTol := tol * d.yy
	if d.gram != nil {
		return d.solveGram(ctx, an, w, tol, gapTol, maxIter)
	}
	return d.solveResidual(ctx, an, w, tol, gapTol, maxIter)
}

// solveGram runs the sweeps on the Gram matrix, keeping H = XᵀX·w, so a
// coordinate update costs p instead of n (scikit-learn's
// enet_coordinate_descent_gram).
func (d *design) solveGram(ctx context.Context, an float64, w []float64, tol, gapTol float64, maxIter int) result {
	p, g := d.p, d.gram
	h := make([]float64, p)
	for j, wj := range w {
		if wj != 0 {
			floats.AddScaled(h, wj, g[j*p:(j+1)*p])
		}
	}
	var gap float64
	for it := 0; it < maxIter && ctx.Err() == nil; it++ {
		var wMax, dwMax float64
		for j := 0; j < p; j++ {
			qjj := d.norm[j]
			if qjj == 0 {
				continue
			}
			old := w[j]
			nw := soft(d.xty[j]-h[j]+qjj*old, an) / qjj
			if nw != old {
				floats.AddScaled(h, nw-old, g[j*p:(j+1)*p])
				w[j] = nw
			}
			dwMax = math.Max(dwMax, math.Abs(nw-old))
			wMax = math.Max(wMax, math.Abs(nw))
		}
		if wMax == 0 || dwMax/wMax < tol || it == maxIter-1 {
			var dual, wq, wh, l1 float64
			for j := 0; j < p; j++ {
				dual = math.Max(dual, math.Abs(d.xty[j]-h[j]))
				wq += w[j] * d.xty[j]
				wh += w[j] * h[j]
				l1 += math.Abs(w[j])
			}
			// ‖R‖² = yᵀy − 2wᵀXᵀy + wᵀXᵀXw and Rᵀy = yᵀy − wᵀXᵀy.
			gap = dualityGap(an, dual, d.yy+wh-2*wq, d.yy-wq, l1)
			if gap < gapTol {
				return result{iter: it + 1, gap: gap / float64(d.n), converged: true}
			}
		}
	}
	return result{iter: maxIter, gap: gap / float64(d.n)}
}

// solveResidual runs the sweeps on the residual R = yc − Xc·w (scikit-learn's
// enet_coordinate_descent), for designs with more features than rows.
func (d *design) solveResidual(ctx context.Context, an float64, w []float64, tol, gapTol float64, maxIter int) result {
	n, p := d.n, d.p
	r := make([]float64, n)
	copy(r, d.yc)
	for j, wj := range w {
		if wj != 0 {
			floats.AddScaled(r, -wj, d.xt[j*n:(j+1)*n])
		}
	}
	var gap float64
	for it := 0; it < maxIter && ctx.Err() == nil; it++ {
		var wMax, dwMax float64
		for j := 0; j < p; j++ {
			nj := d.norm[j]
			if nj == 0 {
				continue
			}
			xj := d.xt[j*n : (j+1)*n]
			old := w[j]
			nw := soft(floats.Dot(xj, r)+nj*old, an) / nj
			if nw != old {
				floats.AddScaled(r, old-nw, xj)
				w[j] = nw
			}
			dwMax = math.Max(dwMax, math.Abs(nw-old))
			wMax = math.Max(wMax, math.Abs(nw))
		}
		if wMax == 0 || dwMax/wMax < tol || it == maxIter-1 {
			var dual, l1 float64
			for j := 0; j < p; j++ {
				dual = math.Max(dual, math.Abs(floats.Dot(d.xt[j*n:(j+1)*n], r)))
				l1 += math.Abs(w[j])
			}
			gap = dualityGap(an, dual, floats.Dot(r, r), floats.Dot(r, d.yc), l1)
			if gap < gapTol {
				return result{iter: it + 1, gap: gap / float64(d.n), converged: true}
			}
		}
	}
	return result{iter: maxIter, gap: gap / float64(d.n)}
}
