package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// jumpSpan is what a typed time is resolved against: the capture's first
// window start, the window size, and how many windows there are.
type jumpSpan struct {
	start time.Time
	size  time.Duration
	n     int
}

// parseJump resolves what was typed at the go-to prompt to a window:
//
//	17                        window 17
//	+3:10, +1:02:03, +190s    that long after the capture's start (+3m10s, +90s, +90 too;
//	                          seconds, and minutes after hours, under 60)
//	12:29:40, 12:29           that time of day (UTC, as the screen shows times), the first
//	                          moment at or after the capture's start
//	2026-11-24T12:29:40Z      an RFC 3339 time (also "2026-11-24 12:29:40", UTC)
//
// A time outside the capture is an error that says its range.
func parseJump(text string, sp jumpSpan) (int, error) {
	s := strings.TrimSpace(text)
	if s == "" {
		return 0, fmt.Errorf("go to: type a time (12:29:40), an offset (+3:10) or a window number")
	}
	if sp.n <= 0 || sp.size <= 0 {
		return 0, fmt.Errorf("go to: no window is analysed yet")
	}
	// "+100" is an offset (100 s), not window 100.
	if v, err := strconv.Atoi(s); err == nil && !strings.HasPrefix(s, "+") {
		if v < 0 || v >= sp.n {
			return 0, fmt.Errorf("go to: there is no window %d: they are numbered 0 to %d", v, sp.n-1)
		}
		return v, nil
	}
	t, err := jumpTime(s, sp.start)
	if err != nil {
		return 0, err
	}
	if t.Before(sp.start) && sp.start.Sub(t) < time.Second {
		t = sp.start // the start as the screen shows it, to the second
	}
	end := sp.start.Add(time.Duration(sp.n) * sp.size)
	if t.Before(sp.start) || !t.Before(end) {
		return 0, fmt.Errorf("go to: %s is outside the capture, %s to %s UTC (+0:00 to %s)", s,
			sp.start.UTC().Format("2006-01-02 15:04:05"), end.UTC().Format("15:04:05"), fmtRel(end.Sub(sp.start)))
	}
	return int(t.Sub(sp.start) / sp.size), nil
}

// jumpTime reads an offset, a time of day or a date and time.
func jumpTime(s string, start time.Time) (time.Time, error) {
	if rest, ok := strings.CutPrefix(s, "+"); ok {
		d, err := parseOffset(rest)
		if err != nil {
			return time.Time{}, fmt.Errorf("go to: %q: %w", s, err)
		}
		return start.Add(d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"15:04:05.999999999", "15:04"} {
		if tod, err := time.Parse(layout, s); err == nil {
			y, mo, d := start.UTC().Date()
			t := time.Date(y, mo, d, tod.Hour(), tod.Minute(), tod.Second(), tod.Nanosecond(), time.UTC)
			if t.Before(start.UTC().Truncate(time.Second)) {
				t = t.AddDate(0, 0, 1)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("go to: %q is not a time: type 12:29:40 (UTC), +3:10 (after the start), 2026-11-24T12:29:40Z or a window number", s)
}

// parseOffset reads "3:10", "1:02:03", "190s", "3m10s", "90". In m:ss
// and h:mm:ss the seconds, and the minutes after hours, are under 60.
func parseOffset(s string) (time.Duration, error) {
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return d, nil
	}
	parts := strings.Split(s, ":")
	if len(parts) > 3 {
		return 0, fmt.Errorf("an offset is m:ss, h:mm:ss or a duration like 3m10s")
	}
	names := []string{"seconds", "minutes"}
	var total float64
	for i, p := range parts {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || v < 0 || math.IsInf(v, 0) {
			return 0, fmt.Errorf("an offset is m:ss, h:mm:ss or a duration like 3m10s")
		}
		// The fields after the first count in sixty.
		if from := len(parts) - 1 - i; i > 0 && v >= 60 {
			return 0, fmt.Errorf("%s %s: %s are 0 to 59 in m:ss and h:mm:ss (or type a duration like 3m10s)", names[from], p, names[from])
		}
		total = total*60 + v
	}
	return time.Duration(total * float64(time.Second)), nil
}

// jumpTo goes to what was typed at the go-to prompt.
func (m *Model) jumpTo(text string) {
	sd := m.sh.current()
	sp := jumpSpan{n: m.sh.data.Len(m.sh.nav.Size)}
	if sd != nil {
		sp.size = sd.size
		if in := m.sh.data.inputs; in != nil {
			sp.start = in.Start
		} else if w := sd.window(0); w != nil {
			sp.start = w.Start
		}
	}
	i, err := parseJump(text, sp)
	if err != nil {
		m.setStatus(err.Error(), false)
		return
	}
	m.navigate(Op{Action: ActGoto, Arg: i})
	m.setStatus(fmt.Sprintf("window %d: %s", i, text), true)
}

// parseThreshold reads a typed threshold.
func parseThreshold(text string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("threshold: %q is not a number; type e.g. 1.5", text)
	}
	return v, nil
}
