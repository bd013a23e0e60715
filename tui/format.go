package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// humanCount formats n with thousands separators ("17,454").
func humanCount(n uint64) string {
	s := strconv.FormatUint(n, 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// compact formats v in at most about 6 characters ("12.3k", "0.052").
func compact(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case math.IsInf(v, 1):
		return "+∞"
	case math.IsInf(v, -1):
		return "-∞"
	}
	a := math.Abs(v)
	switch {
	case a == 0:
		return "0"
	case a >= 1e15:
		return fmt.Sprintf("%.1e", v)
	case a >= 1e12:
		return trimZero(fmt.Sprintf("%.1f", v/1e12)) + "T"
	case a >= 1e9:
		return trimZero(fmt.Sprintf("%.1f", v/1e9)) + "G"
	case a >= 1e6:
		return trimZero(fmt.Sprintf("%.1f", v/1e6)) + "M"
	case a >= 1e4:
		return trimZero(fmt.Sprintf("%.1f", v/1e3)) + "k"
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 0.01:
		return fmt.Sprintf("%.2f", v)
	case a >= 0.0005:
		return fmt.Sprintf("%.3f", v)
	case v < 0:
		return "-<0.001"
	default:
		return "<0.001"
	}
}

// fmtContrib shows a contribution with its sign, for people: "+0.34",
// "-0.004", "+<0.001" — never an exponent, never "-0.00".
func fmtContrib(c float64) string {
	a := math.Abs(c)
	sign := "+"
	if c < 0 {
		sign = "-"
	}
	switch {
	case math.IsNaN(c) || math.IsInf(c, 0):
		return compact(c)
	case c == 0:
		return "0"
	case a >= 0.005:
		return sign + strconv.FormatFloat(a, 'f', 2, 64)
	case a >= 0.0005:
		return sign + strconv.FormatFloat(a, 'f', 3, 64)
	}
	return sign + "<0.001"
}

// ansiWidth is the width of a styled string in cells.
func ansiWidth(s string) int { return ansi.StringWidth(s) }

func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }

// axisWidth is the width of every y-axis label, so the plot's left edge
// does not move as the data changes.
const axisWidth = 7

// axisLabel right-aligns compact(v) in axisWidth columns.
func axisLabel(v float64) string {
	s := compact(v)
	if n := len([]rune(s)); n < axisWidth {
		s = strings.Repeat(" ", axisWidth-n) + s
	} else if n > axisWidth {
		s = string([]rune(s)[:axisWidth])
	}
	return s
}

// fmtScore formats a score or threshold.
func fmtScore(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case math.IsInf(v, 0):
		return compact(v)
	case math.Abs(v) >= 1000:
		return compact(v)
	case v != 0 && math.Abs(v) < 0.0005:
		return compact(v)
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

// fmtRel formats an offset from the capture start as "+m:ss" or "+h:mm:ss".
func fmtRel(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	s := int64(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%s%d:%02d:%02d", sign, s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%s%d:%02d", sign, s/60, s%60)
}

// fmtSize formats a window size ("10s", "1m", "1h30m").
func fmtSize(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// fmtDuration formats an elapsed time or ETA ("1.2s", "3m04s").
func fmtDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "—"
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// niceStep rounds x up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 0) {
		return 0.1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// truncate cuts s to w display cells with an ellipsis.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return ansi.Truncate(s, w, "…")
}

// padRight pads s with spaces to w display cells.
func padRight(s string, w int) string {
	n := ansi.StringWidth(s)
	if n >= w {
		return s
	}
	return s + strings.Repeat(" ", w-n)
}

// padLeft right-aligns s in w cells.
func padLeft(s string, w int) string {
	n := ansi.StringWidth(s)
	if n >= w {
		return s
	}
	return strings.Repeat(" ", w-n) + s
}

// fit truncates or pads s to exactly w cells.
func fit(s string, w int) string { return padRight(truncate(s, w), w) }

// axisBytes is humanBytes squeezed into axisWidth cells ("160kB", "1.23MB").
func axisBytes(b float64) string {
	if math.IsNaN(b) {
		return padLeft("—", axisWidth)
	}
	units := []string{"B", "kB", "MB", "GB", "TB", "PB"}
	i := 0
	for math.Abs(b) >= 999.5 && i < len(units)-1 {
		b /= 1000
		i++
	}
	var s string
	switch a := math.Abs(b); {
	case i == 0 || a >= 99.95:
		s = fmt.Sprintf("%.0f%s", b, units[i])
	case a >= 9.995:
		s = fmt.Sprintf("%.1f%s", b, units[i])
	default:
		s = fmt.Sprintf("%.2f%s", b, units[i])
	}
	return padLeft(truncate(s, axisWidth), axisWidth)
}

// plural is "1 interval", "2 intervals", "17,454 packets", "2 DNS
// queries".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	count := humanCount(uint64(max(n, 0)))
	if n < 0 {
		count = strconv.Itoa(n)
	}
	if strings.HasSuffix(noun, "y") && !strings.HasSuffix(noun, "ay") && !strings.HasSuffix(noun, "ey") {
		return count + " " + strings.TrimSuffix(noun, "y") + "ies"
	}
	return count + " " + noun + "s"
}
