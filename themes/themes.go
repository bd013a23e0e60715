package themes

import (
	"fmt"
	"image/color"
	"strings"
)

// Theme is a palette of semantic colours. A nil colour means "the
// terminal's default"; the mono theme has only nil colours.
type Theme struct {
	Name        string
	Description string

	// Background is the background the palette is designed for. The UI
	// does not paint it; it is used to pick readable selection colours and
	// to check contrast.
	Background color.Color

	Fg       color.Color // body text
	Muted    color.Color // secondary text, axes, labels
	Accent   color.Color // titles, the focused pane, the cursor
	Alert    color.Color // alerting windows, flagged and outside edges
	OK       color.Color // windows below the threshold, success messages
	Baseline color.Color // windows of the benign baseline
	Warning  color.Color // warnings, new edges, the threshold line
	Border   color.Color // separators and rules

	// Selection is the background of a selected row, SelectionFg its text.
	Selection   color.Color
	SelectionFg color.Color

	// NoColor is set for the mono theme: styles must use only text
	// attributes (bold, underline, reverse).
	NoColor bool
}

// hex parses "#rrggbb". It panics on a malformed literal, which can only
// come from this file.
func hex(s string) color.Color {
	var r, g, b uint8
	if _, err := fmt.Sscanf(s, "#%02x%02x%02x", &r, &g, &b); err != nil {
		panic("themes: bad colour literal " + s)
	}
	return color.RGBA{R: r, G: g, B: b, A: 0xff}
}

// Dark is the default palette for dark terminals.
func Dark() Theme {
	return Theme{
		Name:        "dark",
		Description: "for dark terminals (default)",
		Background:  hex("#1c1c1c"),
		Fg:          hex("#d0d0d0"),
		Muted:       hex("#8a8a8a"),
		Accent:      hex("#5fafff"),
		Alert:       hex("#ff5f5f"),
		OK:          hex("#87d787"),
		Baseline:    hex("#8787af"),
		Warning:     hex("#ffd75f"),
		Border:      hex("#585858"),
		Selection:   hex("#3a3a5f"),
		SelectionFg: hex("#ffffff"),
	}
}

// Light is the palette for light terminals.
func Light() Theme {
	return Theme{
		Name:        "light",
		Description: "for light terminals",
		Background:  hex("#ffffff"),
		Fg:          hex("#262626"),
		Muted:       hex("#6c6c6c"),
		Accent:      hex("#005fd7"),
		Alert:       hex("#c00000"),
		OK:          hex("#007a3d"),
		Baseline:    hex("#5f5f87"),
		Warning:     hex("#9a6700"),
		Border:      hex("#a8a8a8"),
		Selection:   hex("#d7e3ff"),
		SelectionFg: hex("#000000"),
	}
}

// HighContrast uses pure, saturated colours on black for low vision and
// washed-out displays.
func HighContrast() Theme {
	return Theme{
		Name:        "high-contrast",
		Description: "maximum contrast on black",
		Background:  hex("#000000"),
		Fg:          hex("#ffffff"),
		Muted:       hex("#d0d0d0"),
		Accent:      hex("#00ffff"),
		Alert:       hex("#ff4040"),
		OK:          hex("#00ff00"),
		Baseline:    hex("#c0c0ff"),
		Warning:     hex("#ffff00"),
		Border:      hex("#ffffff"),
		Selection:   hex("#ffff00"),
		SelectionFg: hex("#000000"),
	}
}

// Okabe–Ito colours (Okabe & Ito 2008, "Color Universal Design"; the
// values are those of Wong 2011, Nature Methods 8:441): distinguishable
// under the common forms of colour-vision deficiency.
var (
	okabeOrange    = hex("#e69f00")
	okabeSkyBlue   = hex("#56b4e9")
	okabeGreen     = hex("#009e73") // bluish green
	okabeYellow    = hex("#f0e442")
	okabeBlue      = hex("#0072b2")
	okabeVermilion = hex("#d55e00")
	okabePurple    = hex("#cc79a7") // reddish purple
)

// ColorBlind uses the Okabe–Ito palette on a dark background: alert is
// vermilion, OK bluish green, baseline reddish purple, accent sky blue,
// warning orange, selection yellow.
func ColorBlind() Theme {
	return Theme{
		Name:        "colorblind",
		Description: "Okabe–Ito colours, safe for colour-vision deficiency",
		Background:  hex("#000000"),
		Fg:          hex("#e4e4e4"),
		Muted:       hex("#a8a8a8"),
		Accent:      okabeSkyBlue,
		Alert:       okabeVermilion,
		OK:          okabeGreen,
		Baseline:    okabePurple,
		Warning:     okabeOrange,
		Border:      okabeBlue,
		Selection:   okabeYellow,
		SelectionFg: hex("#000000"),
	}
}

// Mono has no colours at all; it is chosen when NO_COLOR is set
// (https://no-color.org).
func Mono() Theme {
	return Theme{
		Name:        "mono",
		Description: "no colour (NO_COLOR)",
		NoColor:     true,
	}
}

// All returns every theme, in the order a "next theme" key cycles them.
func All() []Theme {
	return []Theme{Dark(), Light(), HighContrast(), ColorBlind(), Mono()}
}

// Names returns the names of every theme.
func Names() []string {
	all := All()
	names := make([]string, len(all))
	for i, t := range all {
		names[i] = t.Name
	}
	return names
}

// ByName returns the theme called name (case-insensitive; "high-contrast"
// may be written "highcontrast" or "hc", "colorblind" "colourblind" or
// "okabe-ito").
func ByName(name string) (Theme, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "highcontrast", "hc":
		n = "high-contrast"
	case "colourblind", "color-blind", "colour-blind", "okabe-ito", "cb":
		n = "colorblind"
	case "none", "no-color", "nocolor":
		n = "mono"
	}
	for _, t := range All() {
		if t.Name == n {
			return t, nil
		}
	}
	return Theme{}, fmt.Errorf("unknown theme %q: use one of %s", name, strings.Join(Names(), ", "))
}

// Next returns the theme after the one called name, wrapping around. The
// mono theme is skipped unless it is the only one allowed (colour off):
// cycling is for trying colours.
func Next(name string) Theme {
	all := All()
	for i, t := range all {
		if t.Name == name {
			for j := 1; j <= len(all); j++ {
				c := all[(i+j)%len(all)]
				if !c.NoColor {
					return c
				}
			}
		}
	}
	return all[0]
}
