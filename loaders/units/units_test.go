package units

import (
	"fmt"
	"math"
	"testing"
)

func TestBytes(t *testing.T) {
	cases := []struct {
		b    float64
		want string
	}{
		{0, "0 B"},
		{999, "999 B"},
		{999.96, "1.0 kB"}, // would print "1000 B" otherwise
		{1000, "1.0 kB"},
		{80100, "80.1 kB"},
		{999949, "999.9 kB"},
		{999950, "1.0 MB"},
		{3778399, "3.8 MB"}, // the shop-demo capture's data size (capinfos)
		{1.066e9, "1.1 GB"},
		{-2500, "-2.5 kB"},
		{math.NaN(), "—"},
	}
	for _, c := range cases {
		if got := Bytes(c.b); got != c.want {
			t.Errorf("Bytes(%g) = %q, want %q", c.b, got, c.want)
		}
	}
}

func ExampleBytes() {
	// 10.244.0.9 <-> 203.0.113.10 in the shop demo's conv_ip.txt.
	fmt.Println(Bytes(550500))
	// Output: 550.5 kB
}

func TestParseBytes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
	}{
		{"0", 0}, {"4GB", 4e9}, {"4 gb", 4e9}, {"512MiB", 512 << 20}, {"1.5 GiB", 3 << 29}, {"2000", 2000}, {"10kB", 10000},
	} {
		if got, err := ParseBytes(c.in); err != nil || got != c.want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "GB", "-1", "4 XB", "1e400"} {
		if _, err := ParseBytes(bad); err == nil {
			t.Errorf("ParseBytes(%q) accepted", bad)
		}
	}
}

func TestParseRate(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64 // per day
	}{
		{"1/day", 1}, {"2/week", 2.0 / 7}, {"0.5/h", 12}, {"3 per hour", 72}, {"10/d", 10},
		{"1/min", 1440}, {"1/s", 86400}, {"1/hours", 24}, {" 7 / Weeks ", 1}, {"0/day", 0},
	} {
		got, err := ParseRate(c.in)
		if err != nil || math.Abs(got-c.want) > 1e-9*c.want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "1", "day", "x/day", "-1/day", "1/fortnight", "Inf/day"} {
		if _, err := ParseRate(bad); err == nil {
			t.Errorf("ParseRate(%q) accepted", bad)
		}
	}
}
