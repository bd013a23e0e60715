// Package units formats quantities the way every part of mimir-tui prints
// them: byte counts in SI units, as tshark's statistics do (1 kB = 1000 B).
package units

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Bytes formats b with SI units: "512 B", "80.1 kB", "3.8 MB". NaN is "—".
func Bytes(b float64) string {
	if math.IsNaN(b) {
		return "—"
	}
	names := []string{"B", "kB", "MB", "GB", "TB", "PB"}
	i := 0
	// 999.95 rounds to "1000.0" at one decimal: move up a unit first.
	for math.Abs(b) >= 999.95 && i < len(names)-1 {
		b /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f B", b)
	}
	return fmt.Sprintf("%.1f %s", b, names[i])
}

// ParseBytes reads a byte count: a number, optionally with a unit — SI
// (kB, MB, GB, TB: powers of 1000) or binary (KiB, MiB, GiB, TiB: powers
// of 1024) — case-insensitive, with or without a space ("4GB", "512 MiB").
func ParseBytes(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := s, ""
	if i >= 0 {
		num, unit = s[:i], strings.ToLower(strings.TrimSpace(s[i:]))
	}
	x, err := strconv.ParseFloat(num, 64)
	if err != nil || x < 0 || math.IsInf(x, 0) {
		return 0, fmt.Errorf("%q is not a byte count such as 4GB or 512MiB", s)
	}
	mult, ok := map[string]float64{"": 1, "b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}[unit]
	if !ok {
		return 0, fmt.Errorf("%q: unknown unit %q; use kB, MB, GB, TB or KiB, MiB, GiB, TiB", s, unit)
	}
	if v := x * mult; v < math.MaxUint64 {
		return uint64(v), nil
	}
	return 0, fmt.Errorf("%q is too large", s)
}

// ParseRate reads a rate of events as a count per period and returns it
// per day: "1/day", "2/week", "0.5/h", "3 per hour", "10/d". The periods
// are s, min, h, day and week (and their usual spellings).
func ParseRate(s string) (float64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	num, per, ok := strings.Cut(t, "/")
	if !ok {
		num, per, ok = strings.Cut(t, " per ")
	}
	if !ok {
		return 0, fmt.Errorf("%q is not a rate such as 1/day, 2/week or 0.5/h", s)
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || x < 0 || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, fmt.Errorf("%q: %q is not a count; write e.g. 1/day", s, strings.TrimSpace(num))
	}
	days, ok := map[string]float64{
		"s": 1.0 / 86400, "sec": 1.0 / 86400, "second": 1.0 / 86400,
		"min": 1.0 / 1440, "minute": 1.0 / 1440, "m": 1.0 / 1440,
		"h": 1.0 / 24, "hr": 1.0 / 24, "hour": 1.0 / 24,
		"d": 1, "day": 1, "w": 7, "wk": 7, "week": 7,
	}[strings.TrimSuffix(strings.TrimSpace(per), "s")]
	if !ok && strings.TrimSpace(per) == "s" {
		days, ok = 1.0/86400, true
	}
	if !ok {
		return 0, fmt.Errorf("%q: unknown period %q; use s, min, h, day or week", s, strings.TrimSpace(per))
	}
	return x / days, nil
}
