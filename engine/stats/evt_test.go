package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

// gpdSample draws n excesses of a generalised Pareto distribution by its
// inverse CDF: y = σ/γ·((1−U)^(−γ) − 1), or −σ·log(1−U) when γ = 0.
func gpdSample(n int, shape, scale float64, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]float64, n)
	for i := range out {
		u := rng.Float64()
		if shape == 0 {
			out[i] = -scale * math.Log1p(-u)
		} else {
			out[i] = scale / shape * (math.Pow(1-u, -shape) - 1)
		}
	}
	return out
}

// The maximum-likelihood fit recovers the parameters of large samples
// (the estimator's standard errors at n = 20000 are about 0.01 for γ and
// 1 % for σ; Coles 2001, §4.3.1).
func TestFitGPDRecoversParameters(t *testing.T) {
	for _, c := range []struct{ shape, scale float64 }{
		{0, 1}, {0.25, 2}, {-0.2, 0.5}, {0.5, 1}, {-0.4, 3},
	} {
		y := gpdSample(20000, c.shape, c.scale, 7)
		shape, scale := fitGPD(y)
		if math.Abs(shape-c.shape) > 0.04 || math.Abs(scale/c.scale-1) > 0.05 {
			t.Errorf("GPD(γ=%v, σ=%v): fitted γ=%.4f σ=%.4f", c.shape, c.scale, shape, scale)
		}
	}
}

// The fit is a maximum: moving θ either way lowers the profile likelihood.
func TestFitGPDIsAMaximum(t *testing.T) {
	for seed := range uint64(20) {
		y := gpdSample(40, 0.1*float64(seed%5)-0.2, 1, seed)
		shape, scale := fitGPD(y)
		theta := shape / scale
		best := profileGPD(y, theta)
		for _, d := range []float64{1e-3, -1e-3} {
			if l := profileGPD(y, theta+d); l > best+1e-9 {
				t.Errorf("seed %d: θ=%v has likelihood %v, θ+%v has %v", seed, theta, best, d, l)
			}
		}
	}
}

// Quantile and Exceedance are inverse to each other in the tail, and the
// tail's quantiles follow the true ones of a large sample.
func TestTailQuantileExceedance(t *testing.T) {
	scores := gpdSample(50000, 0.2, 1, 3)
	tail, err := FitTail(scores)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []float64{1e-2, 1e-3, 1e-4, 1e-6} {
		z := tail.Quantile(q)
		if got := tail.Exceedance(z); math.Abs(got/q-1) > 1e-6 {
			t.Errorf("Exceedance(Quantile(%g)) = %g", q, got)
		}
		want := 1 / 0.2 * (math.Pow(q, -0.2) - 1) // the sample's own law
		if q >= 1e-4 && math.Abs(z/want-1) > 0.1 {
			t.Errorf("Quantile(%g) = %.3f, the distribution's is %.3f", q, z, want)
		}
	}
	if e := tail.Exceedance(tail.Sorted[0] - 1); e != 1 {
		t.Errorf("below every score the exceedance is %v, want 1", e)
	}
}

// Too few scores, or a flat top, give an error and no fitted tail, never
// a made-up threshold.
func TestFitTailRefusesWhatItCannotFit(t *testing.T) {
	if tail, err := FitTail([]float64{1, 2, 3, 4}); err == nil || !math.IsNaN(tail.Quantile(0.01)) {
		t.Errorf("4 scores: err %v, quantile %v", err, tail.Quantile(0.01))
	}
	flat := make([]float64, 30)
	if tail, err := FitTail(flat); err == nil || !math.IsNaN(tail.Quantile(0.01)) {
		t.Errorf("constant scores: err %v, quantile %v", err, tail.Quantile(0.01))
	}
}

// The interval holds the point estimate, narrows with data, and at 80 %
// covers the true quantile in about 80 % of samples.
func TestTailQuantileInterval(t *testing.T) {
	const q = 1e-3
	truth := 1 / 0.1 * (math.Pow(q, -0.1) - 1)
	small, _ := FitTail(gpdSample(300, 0.1, 1, 5))
	large, _ := FitTail(gpdSample(30000, 0.1, 1, 5))
	slo, shi := small.QuantileInterval(q, 0.8)
	llo, lhi := large.QuantileInterval(q, 0.8)
	if z := large.Quantile(q); z < llo || z > lhi {
		t.Errorf("estimate %v outside its interval [%v, %v]", z, llo, lhi)
	}
	if shi-slo <= lhi-llo {
		t.Errorf("300 scores give [%v, %v], 30000 give [%v, %v]: want a wider interval from less data", slo, shi, llo, lhi)
	}
	covered := 0
	const trials = 200
	for seed := range uint64(trials) {
		tail, _ := FitTail(gpdSample(3000, 0.1, 1, 100+seed))
		if lo, hi := tail.QuantileInterval(q, 0.8); lo <= truth && truth <= hi {
			covered++
		}
	}
	if c := float64(covered) / trials; c < 0.65 || c > 0.95 {
		t.Errorf("the 80%% interval covered the true quantile in %.0f%% of %d samples", 100*c, trials)
	}
}

func TestNormalQuantile(t *testing.T) {
	// Φ⁻¹ values from Abramowitz & Stegun, table 26.5.
	for _, c := range []struct{ p, want float64 }{
		{0.5, 0}, {0.9, 1.2815515655}, {0.975, 1.9599639845}, {0.01, -2.3263478740}, {0.999, 3.0902323062},
	} {
		if got := normalQuantile(c.p); math.Abs(got-c.want) > 1e-8 {
			t.Errorf("normalQuantile(%v) = %.10f, want %.10f", c.p, got, c.want)
		}
	}
}
