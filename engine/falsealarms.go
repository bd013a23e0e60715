package engine

import (
	"fmt"
	"math"
	"time"

	"github.com/mimir-tui/mimir-tui/engine/stats"
)

// DefaultFalseAlarms is the false-alarm rate (windows per day, over all
// window sizes) the default threshold is set for when the baseline is long
// enough to fit the benign scores' tail.
const DefaultFalseAlarms = 1.0

// thresholdLevel is the coverage of the threshold intervals train reports.
const thresholdLevel = 0.8

// windowsPerDay is how many windows of size d a day holds.
func windowsPerDay(d time.Duration) float64 { return float64(24*time.Hour) / float64(d) }

// FalseAlarmsPerDay is the expected number of benign windows a day that
// score above th in this size's series: the benign score tail's
// exceedance times the windows a day holds. NaN when the model has no
// benign scores.
func (sm *SizeModel) FalseAlarmsPerDay(th float64) float64 {
	if sm.BenignTail == nil || sm.BenignTail.N == 0 {
		return math.NaN()
	}
	return sm.BenignTail.Exceedance(th) * windowsPerDay(sm.Size())
}

// RateThreshold is the threshold at which this size's series expects
// perDay/sizes false alarms a day (the rate is shared evenly by the
// window sizes), from the fitted tail of its benign scores; ok is false
// when the baseline had too few windows to fit one.
func (sm *SizeModel) RateThreshold(perDay float64, sizes int) (th float64, ok bool) {
	t := sm.BenignTail
	if t == nil || t.Peaks == 0 || !(perDay > 0) {
		return math.NaN(), false
	}
	q := perDay / float64(max(sizes, 1)) / windowsPerDay(sm.Size())
	if q >= 1 {
		return math.Inf(-1), true
	}
	th = t.Quantile(q)
	return th, !math.IsNaN(th)
}

// RateThresholdInterval is an 80 % interval of RateThreshold: how far
// the threshold could be from the one a much longer baseline would give.
func (sm *SizeModel) RateThresholdInterval(perDay float64, sizes int) (lo, hi float64) {
	t := sm.BenignTail
	if t == nil || t.Peaks == 0 || !(perDay > 0) {
		return math.NaN(), math.NaN()
	}
	q := perDay / float64(max(sizes, 1)) / windowsPerDay(sm.Size())
	return t.QuantileInterval(q, thresholdLevel)
}

// defaultThreshold picks the size's threshold in force: the one for
// perDay false alarms when the benign tail could be fitted, else the
// injection-F1 threshold; basis says which, and why.
func (sm *SizeModel) defaultThreshold(perDay float64, sizes int) (th float64, basis string) {
	if rate, ok := sm.RateThreshold(perDay, sizes); ok {
		return rate, formatRate(perDay) + " false alarms a day"
	}
	n := 0
	if sm.BenignTail != nil {
		n = sm.BenignTail.N
	}
	return sm.F1Threshold, fmt.Sprintf("injection F1: %d baseline windows are too few to set it by false-alarm rate (%d needed, %v)",
		n, stats.MinTailScores, time.Duration(stats.MinTailScores)*sm.Size())
}
