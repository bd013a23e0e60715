package stats

import (
	"fmt"
	"math"
	"slices"
)

// Tail is the upper tail of a score distribution by peaks over threshold
// (Pickands 1975; Siffer et al., KDD 2017, "Anomaly Detection in Streams
// with Extreme Value Theory"): above Threshold the scores' excesses follow
// a generalised Pareto distribution with Scale σ and Shape γ, and Peaks of
// the N scores lie above it.
type Tail struct {
	Threshold float64 `json:"threshold"`
	Scale     float64 `json:"scale"`
	Shape     float64 `json:"shape"`
	Peaks     int     `json:"peaks"`
	N         int     `json:"n"`
	// Sorted are the scores themselves in increasing order: below
	// Threshold the empirical distribution is the estimate.
	Sorted []float64 `json:"scores"`
}

// MinTailScores is the fewest scores FitTail fits a tail to: the top
// tenth must hold enough peaks for the fit to mean something (Siffer et
// al. calibrate on about a thousand; fewer than a hundred leave fewer than
// ten peaks).
const MinTailScores = 100

// FitTail fits the tail of scores (NaN ignored): the initial threshold
// leaves the top tenth of the scores, at least five, as peaks, whose
// excesses get a generalised Pareto fit by maximum likelihood (Grimshaw's
// profile over θ = γ/σ, searched on a grid and refined by golden section).
func FitTail(scores []float64) (Tail, error) {
	v := withoutNaN(scores)
	slices.Sort(v)
	n := len(v)
	if n < MinTailScores {
		return Tail{N: n, Sorted: v}, fmt.Errorf("evt: %d scores, at least %d are needed to fit a tail", n, MinTailScores)
	}
	nt := max(5, int(math.Ceil(0.1*float64(n))))
	u := v[n-nt-1]
	var y []float64
	for _, x := range v[n-nt:] {
		if x > u {
			y = append(y, x-u)
		}
	}
	t := Tail{Threshold: u, N: n, Peaks: len(y), Sorted: v}
	if len(y) < 2 {
		return t, fmt.Errorf("evt: the top %d scores are equal; the tail has no spread", nt)
	}
	t.Shape, t.Scale = fitGPD(y)
	return t, nil
}

// fitGPD returns the maximum-likelihood shape and scale of excesses y > 0.
func fitGPD(y []float64) (shape, scale float64) {
	mean, ymax := 0.0, 0.0
	for _, x := range y {
		mean += x
		ymax = math.Max(ymax, x)
	}
	mean /= float64(len(y))
	// θ < 0 needs 1 + θ·y > 0 for every excess.
	lo := -1 / ymax * (1 - 1e-9)
	best, bestL := 0.0, profileGPD(y, 0)
	var grid []float64
	for k := -6.0; k <= 3; k += 0.25 {
		grid = append(grid, math.Pow(10, k)/mean)
		if th := -math.Pow(10, k) / mean; th > lo {
			grid = append(grid, th)
		}
	}
	grid = append(grid, lo)
	slices.Sort(grid)
	at := -1
	for i, th := range grid {
		if l := profileGPD(y, th); l > bestL {
			best, bestL, at = th, l, i
		}
	}
	if at >= 0 {
		a, b := grid[max(at-1, 0)], grid[min(at+1, len(grid)-1)]
		best = goldenMax(func(th float64) float64 { return profileGPD(y, th) }, a, b, best)
	}
	return gpdParams(y, best)
}

// gpdParams are γ and σ at θ: γ = mean log(1 + θy), σ = γ/θ (the
// exponential when θ = 0).
func gpdParams(y []float64, theta float64) (shape, scale float64) {
	var s, m float64
	for _, x := range y {
		s += math.Log1p(theta * x)
		m += x
	}
	if theta == 0 {
		return 0, m / float64(len(y))
	}
	shape = s / float64(len(y))
	return shape, shape / theta
}

// minShape bounds the fitted shape from below: for γ < −1 the likelihood
// grows without bound as the tail's end nears the largest peak, and below
// −0.5 the estimator loses its usual properties (Smith 1985), so few peaks
// would otherwise "prove" the largest benign score is the end of the world.
const minShape = -0.5

// profileGPD is the GPD log-likelihood of y maximised over σ at θ.
func profileGPD(y []float64, theta float64) float64 {
	n := float64(len(y))
	shape, scale := gpdParams(y, theta)
	if !(scale > 0) || shape < minShape {
		return math.Inf(-1)
	}
	if theta == 0 {
		return -n*math.Log(scale) - n
	}
	return -n*math.Log(scale) - n*(1+shape)
}

// goldenMax refines a maximum of f in [a, b] starting from a known good x.
func goldenMax(f func(float64) float64, a, b, x float64) float64 {
	const g = 0.6180339887498949
	best, bestF := x, f(x)
	for range 80 {
		c, d := b-g*(b-a), a+g*(b-a)
		if f(c) > f(d) {
			b = d
		} else {
			a = c
		}
		if m := (a + b) / 2; f(m) > bestF {
			best, bestF = m, f(m)
		}
	}
	return best
}

// Exceedance is the estimated probability that a score exceeds x:
// empirical below the tail's threshold, the fitted tail above it (0 beyond
// a bounded tail's end).
func (t Tail) Exceedance(x float64) float64 {
	if t.N == 0 {
		return math.NaN()
	}
	if t.Peaks == 0 || x <= t.Threshold {
		i, _ := slices.BinarySearch(t.Sorted, math.Nextafter(x, math.Inf(1)))
		return float64(t.N-i) / float64(t.N)
	}
	z := (x - t.Threshold) / t.Scale
	frac := float64(t.Peaks) / float64(t.N)
	if t.Shape == 0 {
		return frac * math.Exp(-z)
	}
	base := 1 + t.Shape*z
	if base <= 0 {
		return 0
	}
	return frac * math.Pow(base, -1/t.Shape)
}

// Quantile is the score exceeded with probability q: z_q of Siffer et
// al.'s equation (1), u + σ/γ·((q·N/Peaks)^(−γ) − 1); NaN without a
// fitted tail. Within the empirical part it is the order statistic.
func (t Tail) Quantile(q float64) float64 {
	if t.Peaks == 0 || !(q > 0 && q < 1) {
		return math.NaN()
	}
	r := q * float64(t.N) / float64(t.Peaks)
	if r >= 1 {
		return QuantileSorted(t.Sorted, 1-q)
	}
	if t.Shape == 0 {
		return t.Threshold - t.Scale*math.Log(r)
	}
	return t.Threshold + t.Scale/t.Shape*(math.Pow(r, -t.Shape)-1)
}

// QuantileInterval is an approximate interval of Quantile(q) at the given
// coverage (e.g. 0.8) by the delta method (Coles 2001, §4.3.3) with the
// asymptotic covariance of the GPD estimates (Smith 1987): Var γ ≈
// (1+γ)²/k, Var σ ≈ 2σ²(1+γ)/k, Cov ≈ −σ(1+γ)/k for k peaks. It is wide
// when the tail rests on few peaks or q lies far beyond 1/N.
func (t Tail) QuantileInterval(q, coverage float64) (lo, hi float64) {
	z := t.Quantile(q)
	r := q * float64(t.N) / float64(t.Peaks)
	if math.IsNaN(z) || r >= 1 {
		return z, z
	}
	g, s, k := t.Shape, t.Scale, float64(t.Peaks)
	var dS, dG float64 // ∂z/∂σ, ∂z/∂γ
	if g == 0 {
		dS, dG = -math.Log(r), s*math.Log(r)*math.Log(r)/2
	} else {
		p := math.Pow(r, -g)
		dS = (p - 1) / g
		dG = -s/(g*g)*(p-1) - s/g*p*math.Log(r)
	}
	vG, vS, cov := (1+g)*(1+g)/k, 2*s*s*(1+g)/k, -s*(1+g)/k
	se := math.Sqrt(math.Max(0, dS*dS*vS+dG*dG*vG+2*dS*dG*cov))
	w := normalQuantile(0.5+coverage/2) * se
	return z - w, z + w
}

// normalQuantile is the standard normal quantile (Acklam's rational
// approximation, relative error below 1.2e-9).
func normalQuantile(p float64) float64 {
	a := []float64{-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00}
	b := []float64{-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01}
	c := []float64{-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00}
	d := []float64{7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00}
	const pl = 0.02425
	switch {
	case p < pl:
		q := math.Sqrt(-2 * math.Log(p))
		return (((((c[0]*q+c[1])*q+c[2])*q+c[3])*q+c[4])*q + c[5]) / ((((d[0]*q+d[1])*q+d[2])*q+d[3])*q + 1)
	case p <= 1-pl:
		q := p - 0.5
		r := q * q
		return (((((a[0]*r+a[1])*r+a[2])*r+a[3])*r+a[4])*r + a[5]) * q / (((((b[0]*r+b[1])*r+b[2])*r+b[3])*r+b[4])*r + 1)
	default:
		return -normalQuantile(1 - p)
	}
}
