package check

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/units"
)

// WriteText writes the report for a person: what the inputs hold, then
// the findings, most severe first, then the verdict.
func (rep *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	rep.writeCapture(&b)
	rep.writeEntities(&b)
	r := &rep.Resolution
	fmt.Fprintf(&b, "resolution %.1f%% of in-cluster bytes resolve to known entities (%s of %s)\n", r.Share*100, units.Bytes(float64(r.ResolvedBytes)), units.Bytes(float64(r.InClusterBytes)))
	talkers := func(title string, ts []Talker) {
		if len(ts) == 0 {
			fmt.Fprintf(&b, "  %s: none\n", title)
			return
		}
		fmt.Fprintf(&b, "  %s:\n", title)
		for _, t := range ts {
			fmt.Fprintf(&b, "    %-40s %10s %7d pkts  with %s\n", t.IP, units.Bytes(float64(t.Bytes)), t.Packets, strings.Join(t.Peers, ", "))
		}
	}
	talkers("top unresolved in-cluster addresses", r.TopUnresolved)
	talkers("top outside talkers", r.TopOutside)
	for _, f := range rep.Findings {
		fmt.Fprintf(&b, "%-10s %s\n", f.Severity, f.Message)
	}
	switch rep.Verdict {
	case VerdictOK:
		fmt.Fprintln(&b, "OK         the inputs look consistent")
	case VerdictWarnings:
		fmt.Fprintln(&b, "usable     with the warnings above")
	default:
		fmt.Fprintln(&b, "NOT OK     the inputs do not fit together: see the errors above")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeCapture writes each capture, with its node, clock and copies, and
// when there are several, what they hold together.
func (rep *Report) writeCapture(b *strings.Builder) {
	caps := rep.Captures
	if len(caps) == 0 {
		caps = []CaptureReport{rep.Capture}
	}
	for i := range caps {
		writeOneCapture(b, &caps[i], len(caps) > 1)
	}
	if len(caps) > 1 {
		c := &rep.Capture
		fmt.Fprintf(b, "captures   %d together: %d packets (%d IP, %d other), %d dropped as copies; %s → %s (%v)\n", len(caps),
			c.Packets, c.IPPackets, c.NonIP, c.Duplicates, c.First.Format(time.RFC3339Nano), c.Last.Format(time.RFC3339Nano), c.Duration.Round(time.Millisecond))
	}
	var ws []string
	for _, wc := range rep.Windows {
		ws = append(ws, fmt.Sprintf("%d × %gs (last partial)", wc.Windows, wc.SizeSeconds))
	}
	fmt.Fprintf(b, "windows    %s\n", strings.Join(ws, ", "))
}

// writeOneCapture writes what a capture holds; several says whether it is
// one of several, whose clocks matter.
func writeOneCapture(b *strings.Builder, c *CaptureReport, several bool) {
	fmt.Fprintf(b, "capture    %s\n", c.Name)
	if c.Node != "" {
		clock := ""
		if c.Clock != nil && (several || c.Clock.Source != capture.ClockReference) {
			clock = "; clock: " + c.Clock.String()
		}
		fmt.Fprintf(b, "  node     %s%s\n", c.Node, clock)
	}
	format := c.Format
	if c.Compressed {
		format += ", gzip-compressed"
	}
	fmt.Fprintf(b, "  format   %s; link types %s; %d interface(s)\n", format, strings.Join(c.LinkTypes, ", "), c.Interfaces)
	fmt.Fprintf(b, "  packets  %d (%d IP, %d other), %s on the wire\n", c.Packets, c.IPPackets, c.NonIP, units.Bytes(float64(c.Bytes)))
	if c.Duplicates > 0 {
		fmt.Fprintf(b, "  copies   %d dropped: the same IP packet seen before, on another interface or in another capture\n", c.Duplicates)
	}
	if len(c.Encapsulations) > 0 {
		var es []string
		for _, e := range c.Encapsulations {
			es = append(es, fmt.Sprintf("%s %d", e.What, e.Frames))
		}
		fmt.Fprintf(b, "  inside   %s (frames decoded through each encapsulation)\n", strings.Join(es, ", "))
	}
	fmt.Fprintf(b, "  time     %s → %s (%v)\n", c.First.Format(time.RFC3339Nano), c.Last.Format(time.RFC3339Nano), c.Duration.Round(time.Millisecond))
	fmt.Fprintf(b, "  quality  %d out of order, %d malformed, %d skipped\n", c.OutOfOrder, c.Malformed, c.Skipped)
	if t := c.Truncated; t != nil {
		where := "offset"
		if t.Decompressed {
			where = "decompressed offset"
		}
		fmt.Fprintf(b, "  cut      short at %s %d: the %d whole packets before it were read\n", where, t.Offset, t.Packets)
	}
}

func (rep *Report) writeEntities(b *strings.Builder) {
	e := &rep.Entities
	fmt.Fprintf(b, "entities   %s\n", e.Name)
	rel := ""
	if e.Relative {
		rel = " (relative times: second 0 = the capture's first packet)"
	}
	fmt.Fprintf(b, "  format   %s%s; %d events\n", e.Format, rel, e.Events)
	fmt.Fprintf(b, "  pods     %d; services %d: %s\n", e.Pods, e.Services, strings.Join(e.ServiceList, ", "))
	if len(e.DNS) > 0 || len(e.Infra) > 0 {
		fmt.Fprintf(b, "  roles    DNS: %s; infrastructure (not scored): %s\n", orNone(e.DNS), orNone(e.Infra))
	}
	fmt.Fprintf(b, "  time     %s → %s\n", e.First.Format(time.RFC3339Nano), e.Last.Format(time.RFC3339Nano))
	how := "given"
	if e.Inferred {
		how = "inferred from the log"
	}
	fmt.Fprintf(b, "  ranges   %s (%s)\n", strings.Join(e.Prefixes, ", "), how)
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
