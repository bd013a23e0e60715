package engine

import (
	"fmt"
	"math"
	"strings"

	"github.com/mimir-tui/mimir-tui/engine/stats"
)

// Why a figure is undefined: the causes Metrics.Undefined lists.
const (
	whyNoWindow   = "no test window"
	whyNoClean    = "no clean test window"
	whyNoAttacked = "no attacked window"
	whyNoAlert    = "no window alerts at the threshold, so precision is undefined"
	// whyNoIdeThreshold: training scores the Ide & Kashima method on
	// each synthetic copy of the baseline, and a copy of fewer than
	// MinIdeHistory+1 windows gives it no score to choose a threshold by.
	whyNoIdeThreshold = "no Ide & Kashima threshold: no training window had the earlier windows its score needs"
)

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func filterRows(rows []evalRow, keep func(evalRow) bool) []evalRow {
	var out []evalRow
	for _, r := range rows {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// labelled is one method's scores of a set of windows with their truth;
// the windows without a score (Ide & Kashima without history) are
// counted apart.
type labelled struct {
	scores   []float64
	labels   []bool
	unscored int
}

func (l *labelled) add(score float64, attacked bool) {
	if math.IsNaN(score) {
		l.unscored++
		return
	}
	l.scores = append(l.scores, score)
	l.labels = append(l.labels, attacked)
}

// metricsOf measures the scores pick takes of rows against their labels
// at threshold th; thWhy says why th may be undefined.
func metricsOf(rows []evalRow, pick func(evalRow) float64, th float64, thWhy string, withROC bool) Metrics {
	var l labelled
	for _, r := range rows {
		l.add(pick(r), r.attacked)
	}
	return l.metrics(th, thWhy, withROC)
}

// metrics measures the scores against the labels at threshold th.
func (l *labelled) metrics(th float64, thWhy string, withROC bool) Metrics {
	scores, labels := l.scores, l.labels
	m := Metrics{Windows: len(scores), Threshold: Float(th)}
	m.Attacked = countTrue(labels)
	c := stats.ConfusionAt(scores, labels, th)
	m.Confusion = c
	m.AUC = Float(stats.AUC(scores, labels))
	m.F1, m.Precision, m.Recall, m.FPR = defined(c.F1(), 2*c.TP+c.FP+c.FN), defined(c.Precision(), c.TP+c.FP),
		defined(c.Recall(), c.TP+c.FN), defined(c.FPR(), c.FP+c.TN)
	m.Undefined = undefinedWhy(&m, l.unscored, thWhy)
	if withROC {
		m.ROC = stats.ROC(scores, labels)
	}
	return m
}

// undefinedWhy says why the figures of m that are undefined (NaN) are,
// cause after cause, "" when every one is defined: each undefined figure
// has its cause here. unscored counts the windows left out for want of a
// score; thWhy says why the threshold may be undefined.
func undefinedWhy(m *Metrics, unscored int, thWhy string) string {
	var why []string
	switch {
	case m.Windows == 0 && unscored > 0:
		why = append(why, fmt.Sprintf("%s with a score (%d without: the Ide & Kashima score needs %d earlier windows)", whyNoWindow, unscored, MinIdeHistory))
	case m.Windows == 0:
		why = append(why, whyNoWindow)
	case m.Attacked == m.Windows:
		why = append(why, whyNoClean)
	case m.Attacked == 0:
		why = append(why, whyNoAttacked)
	}
	if math.IsNaN(float64(m.Threshold)) {
		if thWhy == "" {
			thWhy = "no threshold"
		}
		why = append(why, thWhy)
	}
	if m.Windows > 0 && math.IsNaN(float64(m.Precision)) {
		why = append(why, whyNoAlert)
	}
	return strings.Join(why, "; ")
}

// defined is x, or NaN when its denominator n is 0.
func defined(x float64, n int) Float {
	if n == 0 {
		return Float(math.NaN())
	}
	return Float(x)
}

// realMetrics measures a method on the capture's own windows after the
// baseline against the ground truth.
func realMetrics(ws []WindowResult, truth []Attack, method string, th float64, thWhy string) Metrics {
	var l labelled
	for i := range ws {
		w := &ws[i]
		if !w.Alertable() {
			continue
		}
		s := w.Score
		switch method {
		case MethodIde:
			s = w.IdeScore
		case MethodAllowlist:
			s = b2f(w.AllowlistAlert)
		}
		l.add(s, attackedIn(truth, w.Start, w.End))
	}
	return l.metrics(th, thWhy, true)
}
