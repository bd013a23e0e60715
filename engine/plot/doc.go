// Package plot draws mimir-tui's evaluation figures as PNG or SVG with
// gonum.org/v1/plot: ROC curves of several detectors on one chart, and
// window scores over time with the alert threshold and the attack
// intervals shaded.
//
// Numbers gonum/plot cannot draw (NaN, ±Inf, and magnitudes beyond 1e100,
// whose axis width overflows its tick search) are dropped before they reach
// it; a series is broken into separate line segments where values are
// missing, so gaps stay visible instead of being bridged. Degenerate input
// (nothing to draw, one point, all values equal) gives a valid, mostly
// empty chart rather than an error.
package plot
