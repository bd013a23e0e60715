// Package themes defines mimir-tui's colour palettes as semantic roles.
//
// A Theme says what a colour means (foreground, muted text, accent, alert,
// OK, baseline, warning, border, selection), never where it is used: the
// user interface builds its styles from a Theme in one place. Every palette
// is designed so that nothing essential depends on colour alone: the UI
// pairs each role with a glyph or a text marker.
//
// The palettes are dark, light, high-contrast, colour-blind-safe (the
// Okabe–Ito colours) and mono, the palette used when NO_COLOR is set, which
// has no colour at all.
package themes
