package themes

import (
	"image/color"
	"math"
	"testing"
)

// luminance is the WCAG 2.1 relative luminance of c
// (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance).
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is the WCAG 2.1 contrast ratio (L1 + 0.05) / (L2 + 0.05).
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func TestContrastFormula(t *testing.T) {
	// Reference values: white on black is 21:1 (the maximum, WCAG 2.1
	// Understanding 1.4.3); #777777 on white is 4.48:1, the classic example
	// of a grey that just fails AA (WebAIM contrast checker).
	for _, tc := range []struct {
		a, b string
		want float64
	}{
		{"#ffffff", "#000000", 21},
		{"#777777", "#ffffff", 4.48},
		{"#000000", "#000000", 1},
	} {
		if got := contrast(hex(tc.a), hex(tc.b)); math.Abs(got-tc.want) > 0.01 {
			t.Errorf("contrast(%s, %s) = %.3f, want %.2f", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestContrast checks every colour theme against WCAG 2.1: body text at
// least 4.5:1 (success criterion 1.4.3, AA; 7:1 AAA for high-contrast),
// signal colours at least 3:1 (1.4.11, non-text contrast), selected text at
// least 4.5:1 on its selection.
func TestContrast(t *testing.T) {
	for _, th := range All() {
		if th.NoColor {
			continue
		}
		bodyMin := 4.5
		if th.Name == "high-contrast" {
			bodyMin = 7
		}
		check := func(role string, c color.Color, bg color.Color, min float64) {
			if got := contrast(c, bg); got < min {
				t.Errorf("%s: %s contrast %.2f < %.1f", th.Name, role, got, min)
			}
		}
		check("Fg", th.Fg, th.Background, bodyMin)
		check("Muted", th.Muted, th.Background, 3)
		for role, c := range map[string]color.Color{
			"Accent": th.Accent, "Alert": th.Alert, "OK": th.OK,
			"Baseline": th.Baseline, "Warning": th.Warning,
		} {
			check(role, c, th.Background, 3)
		}
		check("SelectionFg", th.SelectionFg, th.Selection, 4.5)
	}
}

func TestMonoHasNoColour(t *testing.T) {
	m := Mono()
	if !m.NoColor {
		t.Fatal("mono theme must set NoColor")
	}
	for role, c := range map[string]color.Color{
		"Background": m.Background, "Fg": m.Fg, "Muted": m.Muted, "Accent": m.Accent,
		"Alert": m.Alert, "OK": m.OK, "Baseline": m.Baseline, "Warning": m.Warning,
		"Border": m.Border, "Selection": m.Selection, "SelectionFg": m.SelectionFg,
	} {
		if c != nil {
			t.Errorf("mono %s = %v, want nil", role, c)
		}
	}
}

// TestColorBlindIsOkabeIto checks that the signal roles of the colour-blind
// theme are Okabe–Ito colours (values from Wong 2011, Nature Methods 8:441).
func TestColorBlindIsOkabeIto(t *testing.T) {
	okabe := map[string]bool{
		"#e69f00": true, "#56b4e9": true, "#009e73": true, "#f0e442": true,
		"#0072b2": true, "#d55e00": true, "#cc79a7": true, "#000000": true,
	}
	th := ColorBlind()
	for role, c := range map[string]color.Color{
		"Accent": th.Accent, "Alert": th.Alert, "OK": th.OK, "Baseline": th.Baseline,
		"Warning": th.Warning, "Border": th.Border, "Selection": th.Selection,
	} {
		r, g, b, _ := c.RGBA()
		s := "#" + hex2(r>>8) + hex2(g>>8) + hex2(b>>8)
		if !okabe[s] {
			t.Errorf("colorblind %s = %s, not an Okabe–Ito colour", role, s)
		}
	}
}

func hex2(v uint32) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[v>>4], digits[v&15]})
}

// Machado, Oliveira & Fernandes 2009 ("A physiologically-based model for
// simulation of color vision deficiency", IEEE TVCG 15(6)), severity 1.0,
// applied to linear RGB.
var cvd = map[string][3][3]float64{
	"protanopia": {
		{0.152286, 1.052583, -0.204868},
		{0.114503, 0.786281, 0.099216},
		{-0.003882, -0.048116, 1.051998},
	},
	"deuteranopia": {
		{0.367322, 0.860646, -0.227968},
		{0.280085, 0.672501, 0.047413},
		{-0.011820, 0.042940, 0.968881},
	},
	"tritanopia": {
		{1.255528, -0.076749, -0.178779},
		{-0.078411, 0.930809, 0.147602},
		{0.004733, 0.691367, 0.303900},
	},
}

func simulate(m [3][3]float64, c color.Color) [3]float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	in := [3]float64{lin(r), lin(g), lin(b)}
	var out [3]float64
	for i := range 3 {
		for j := range 3 {
			out[i] += m[i][j] * in[j]
		}
		out[i] = math.Max(0, math.Min(1, out[i]))
	}
	return out
}

// TestColorBlindAlertVsOK checks that alert and OK stay apart under the
// three dichromacies for the colour-blind theme: their simulated colours
// differ by at least 0.15 in linear RGB (Euclidean distance; black to white
// is √3 ≈ 1.73).
func TestColorBlindAlertVsOK(t *testing.T) {
	dist := func(a, b [3]float64) float64 {
		return math.Sqrt((a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) + (a[2]-b[2])*(a[2]-b[2]))
	}
	cb := ColorBlind()
	for name, m := range cvd {
		d := dist(simulate(m, cb.Alert), simulate(m, cb.OK))
		if d < 0.15 {
			t.Errorf("colorblind theme under %s: alert and OK %.3f apart, want ≥ 0.15", name, d)
		}
	}
}

func TestByName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"dark", "dark"}, {"Light", "light"}, {"hc", "high-contrast"},
		{"high-contrast", "high-contrast"}, {"okabe-ito", "colorblind"},
		{"colourblind", "colorblind"}, {"mono", "mono"}, {"none", "mono"},
	} {
		th, err := ByName(tc.in)
		if err != nil || th.Name != tc.want {
			t.Errorf("ByName(%q) = %q, %v; want %q", tc.in, th.Name, err, tc.want)
		}
	}
	if _, err := ByName("solarized"); err == nil {
		t.Error("ByName(solarized) succeeded, want an error listing the themes")
	}
}

func TestNextCyclesColourThemes(t *testing.T) {
	// dark → light → high-contrast → colorblind → dark: mono is skipped.
	name := "dark"
	var seen []string
	for range 4 {
		name = Next(name).Name
		seen = append(seen, name)
	}
	want := []string{"light", "high-contrast", "colorblind", "dark"}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("cycle = %v, want %v", seen, want)
		}
	}
	if got := Next("mono").Name; got != "dark" {
		t.Errorf("Next(mono) = %s, want dark", got)
	}
}
