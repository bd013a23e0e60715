package tui

import (
	"math"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/units"
)

func TestHumanBytes(t *testing.T) {
	// SI units, as the engine's reason texts ("81.2 kB"); 999.95 kB rounds
	// to 1.0 MB rather than "1000.0 kB".
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0, "0 B"}, {999, "999 B"}, {1000, "1.0 kB"}, {81234, "81.2 kB"},
		{999950, "1.0 MB"}, {15.04e6, "15.0 MB"}, {2.5e12, "2.5 TB"}, {math.NaN(), "—"},
	} {
		if got := units.Bytes(tc.in); got != tc.want {
			t.Errorf("units.Bytes(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestHumanCount(t *testing.T) {
	for _, tc := range []struct {
		in   uint64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {17454, "17,454"}, {1234567, "1,234,567"}} {
		if got := humanCount(tc.in); got != tc.want {
			t.Errorf("humanCount(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCompact(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0, "0"}, {0.052, "0.05"}, {3.976, "3.98"}, {-0.92, "-0.92"}, {12.34, "12.3"},
		{256, "256"}, {12345, "12.3k"}, {2.5e6, "2.5M"}, {3e9, "3G"},
		// Small numbers for people: no exponent (issue 7: "no 4e-03").
		{0.004, "0.004"}, {-0.0042, "-0.004"}, {0.0004, "<0.001"}, {-1e-16, "-<0.001"},
		{math.Inf(1), "+∞"}, {math.NaN(), "—"},
	} {
		if got := compact(tc.in); got != tc.want {
			t.Errorf("compact(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestFmtContrib: contributions read with their sign, never as an
// exponent or "-0.00" (issue 7).
func TestFmtContrib(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0.3412, "+0.34"}, {-0.2, "-0.20"}, {0.004, "+0.004"}, {-0.0049, "-0.005"},
		{-0.0001, "-<0.001"}, {1e-9, "+<0.001"}, {0, "0"}, {math.NaN(), "—"},
	} {
		if got := fmtContrib(tc.in); got != tc.want {
			t.Errorf("fmtContrib(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestFmtScore: scores and thresholds in fixed notation.
func TestFmtScore(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0.446, "0.446"}, {-0.0612, "-0.061"}, {0.0004, "<0.001"}, {1234.5, "1234"}, {math.NaN(), "—"},
	} {
		if got := fmtScore(tc.in); got != tc.want {
			t.Errorf("fmtScore(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFmtRel(t *testing.T) {
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{
		{0, "+0:00"}, {140 * time.Second, "+2:20"}, {250 * time.Second, "+4:10"},
		{3723 * time.Second, "+1:02:03"}, {-5 * time.Second, "-0:05"},
	} {
		if got := fmtRel(tc.in); got != tc.want {
			t.Errorf("fmtRel(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNiceStep(t *testing.T) {
	// Rounds up to 1, 2 or 5 × 10^k: (4.07 - -0.06)/50 = 0.0826 → 0.1.
	for _, tc := range []struct{ in, want float64 }{
		{0.0826, 0.1}, {0.1, 0.1}, {0.11, 0.2}, {0.3, 0.5}, {7, 10}, {0, 0.1}, {math.NaN(), 0.1},
	} {
		if got := niceStep(tc.in); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("niceStep(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestFmtSize(t *testing.T) {
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{{10 * time.Second, "10s"}, {time.Minute, "1m"}, {90 * time.Second, "1m30s"}, {time.Hour, "1h"}} {
		if got := fmtSize(tc.in); got != tc.want {
			t.Errorf("fmtSize(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestAxisBytes(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0, "     0B"}, {999, "   999B"}, {80000, " 80.0kB"}, {160000, "  160kB"},
		{1234567, " 1.23MB"}, {-5000, "-5.00kB"}, {math.NaN(), "      —"},
	} {
		if got := axisBytes(tc.in); got != tc.want {
			t.Errorf("axisBytes(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestPlural: counts agree in number (issue 7: "1 edge").
func TestPlural(t *testing.T) {
	for _, tc := range []struct {
		n    int
		noun string
		want string
	}{
		{1, "edge", "1 edge"}, {0, "edge", "0 edges"}, {36, "edge", "36 edges"}, {17454, "packet", "17,454 packets"},
		{1, "DNS query", "1 DNS query"}, {2, "DNS query", "2 DNS queries"}, {2, "day", "2 days"}, {2, "key", "2 keys"},
	} {
		if got := plural(tc.n, tc.noun); got != tc.want {
			t.Errorf("plural(%d, %q) = %q, want %q", tc.n, tc.noun, got, tc.want)
		}
	}
}
