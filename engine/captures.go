package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/check"
	"github.com/mimir-tui/mimir-tui/loaders/follow"
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
// rule of what a copy is). A followed capture that is quiet holds the
// others back for the reorder slack at most, which its windows wait for
// anyway.
func captureOptions(opts Options) capture.Options {
	return capture.Options{Strict: opts.Strict, Inner: true, Dedup: true, Stall: opts.reorderSlack()}
}

// openCaptures opens the captures as one stream, in timestamp order with
// their clocks aligned and copies dropped, and reads its first packet,
// whose timestamp anchors the windows and a relative entity log. A
// capture cut short is read up to its last whole packet, unless strict.
// Followed captures are read as they are written, and their first packet
// waited for.
func openCaptures(ctx context.Context, srcs []Source, opts Options) (*capture.Merged, capture.Packet, func(), error) {
	var first capture.Packet
	if err := followedOffsets(srcs, opts.Follow); err != nil {
		return nil, first, nil, err
	}
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
		var r io.ReadCloser = rc
		if opts.Follow {
			r = follow.Open(ctx, rc, follow.Options{Poll: opts.followPoll})
		}
		closers = append(closers, r)
		inputs[i] = capture.Input{Name: src.Name, R: r, Node: src.Node, Offset: src.ClockOffset}
	}
	m, err := capture.OpenAll(inputs, captureOptions(opts))
	if err != nil {
		closeAll()
		return nil, first, nil, ctxErr(ctx, err)
	}
	done := func() { m.Close(); closeAll() }
	if err := firstPacket(ctx, m, &first); err != nil {
		done()
		if err == io.EOF {
			return nil, first, nil, check.NoPackets(captureNames(srcs), m.Stats())
		}
		return nil, first, nil, ctxErr(ctx, settingErrIf(err, capture.ErrTruncated, SettingStrict, "read capture"))
	}
	// The first packet's payload aliases a reader's buffer; the
	// aggregator only needs it before the next read, which holds.
	return m, first, done, nil
}

// firstPacket reads the first packet, waiting for a followed capture to
// have one.
func firstPacket(ctx context.Context, m *capture.Merged, first *capture.Packet) error {
	for {
		err := m.Next(first)
		if !errors.Is(err, follow.ErrNoData) {
			return err
		}
		if err := follow.Wait(err); err != nil {
			return ctxErr(ctx, err)
		}
	}
}

// followedOffsets checks that several followed captures have their clock
// offsets: they cannot be estimated from captures still being written.
// The first capture's clock is the reference unless it has one.
func followedOffsets(srcs []Source, follow bool) error {
	if !follow || len(srcs) < 2 {
		return nil
	}
	var missing []string
	for _, src := range srcs[1:] {
		if src.ClockOffset == nil {
			missing = append(missing, src.Name)
		}
	}
	if len(missing) > 0 {
		return settingErr(SettingClockOffset, "following several captures needs their clock offsets, which cannot be estimated from captures still being written: give the offset of %s to the first capture's clock (e.g. the one check estimates on a finished capture of the same nodes, or 0 with NTP)",
			strings.Join(missing, ", "))
	}
	return nil
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
		out = append(out, Warning{Message: w.Message, Setting: CaptureWarningSetting(w.Kind)})
	}
	return out
}

// CaptureWarningSetting is the setting that addresses a capture warning
// of kind k: --strict for a cut capture, the clock offsets for a clock;
// the commands that read captures without the engine (check,
// conversations) give the same advice.
func CaptureWarningSetting(k capture.WarningKind) Setting {
	switch k {
	case capture.WarnTruncated:
		return SettingStrict
	case capture.WarnClock:
		return SettingClockOffset
	}
	return SettingNone
}
