package engine

import (
	"fmt"
	"io"
	"strings"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/check"
)

// captures lists the run's packet captures: Captures, or Capture alone.
func (in Inputs) captures() []Source {
	if len(in.Captures) > 0 {
		return in.Captures
	}
	return []Source{in.Capture}
}

// captureNames joins the captures' names for messages.
func captureNames(srcs []Source) string {
	names := make([]string, len(srcs))
	for i, s := range srcs {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}

// captureBytes is the captures' total size (0 when one is unknown).
func captureBytes(srcs []Source) int64 {
	var n int64
	for _, s := range srcs {
		if s.Size <= 0 {
			return 0
		}
		n += s.Size
	}
	return n
}

// captureOptions are how the analysis reads captures: overlays opened so
// that pod traffic between nodes is the pods', and every IP packet counted
// once however many interfaces and captures saw it (capture.Key, the one
// rule of what a copy is).
func captureOptions(strict bool) capture.Options {
	return capture.Options{Strict: strict, Inner: true, Dedup: true}
}

// openCaptures opens the captures as one stream, in timestamp order with
// their clocks aligned and copies dropped, and reads its first packet,
// whose timestamp anchors the windows and a relative entity log. A
// capture cut short is read up to its last whole packet, unless strict.
func openCaptures(srcs []Source, strict bool) (*capture.Merged, capture.Packet, func(), error) {
	var first capture.Packet
	var closers []io.Closer
	closeAll := func() {
		for _, c := range closers {
			c.Close()
		}
	}
	inputs := make([]capture.Input, len(srcs))
	for i, src := range srcs {
		rc, err := src.Open()
		if err != nil {
			closeAll()
			return nil, first, nil, fmt.Errorf("open capture %s: %w", src.Name, err)
		}
		closers = append(closers, rc)
		inputs[i] = capture.Input{Name: src.Name, R: rc, Node: src.Node, Offset: src.ClockOffset}
	}
	m, err := capture.OpenAll(inputs, captureOptions(strict))
	if err != nil {
		closeAll()
		return nil, first, nil, err
	}
	done := func() { m.Close(); closeAll() }
	if err := m.Next(&first); err != nil {
		done()
		if err == io.EOF {
			return nil, first, nil, check.NoPackets(captureNames(srcs), m.Stats())
		}
		return nil, first, nil, settingErrIf(err, capture.ErrTruncated, SettingStrict, "read capture")
	}
	// The first packet's payload aliases a reader's buffer; the
	// aggregator only needs it before the next read, which holds.
	return m, first, done, nil
}

// captureSummaries describes each capture of a merged read.
func captureSummaries(m *capture.Merged) []CaptureSummary {
	var out []CaptureSummary
	for _, in := range m.Inputs() {
		cs := captureSummary(in.Name, in.Stats)
		cs.Node, cs.Packets, cs.Duplicates = in.Node, in.Stats.Packets, in.Duplicates
		cs.ClockOffset, cs.ClockSource = in.Clock.Offset, string(in.Clock.Source)
		out = append(out, cs)
	}
	return out
}

// captureWarnings turns the merged read's warnings into the run's, with
// the setting that addresses each.
func captureWarnings(m *capture.Merged) []Warning {
	var out []Warning
	for _, w := range m.Warnings() {
		set := SettingNone
		switch w.Kind {
		case capture.WarnTruncated:
			set = SettingStrict
		case capture.WarnClock:
			set = SettingClockOffset
		}
		out = append(out, Warning{Message: w.Message, Setting: set})
	}
	return out
}
