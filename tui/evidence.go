package tui

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/units"

	"github.com/mimir-tui/mimir-tui/engine"
)

// evidenceRows show what a flagged edge's reasons rest on: its flows (who
// opened each), the connections its source opened, the DNS names of a
// suspected tunnel, the address:port targets of a fan-out, a beacon's
// check-ins. (A new kind of evidence is one more block here.)
func evidenceRows(ev *engine.Evidence, width int, st *Styles) []row {
	if ev == nil {
		return nil
	}
	var rows []row
	if len(ev.Flows) > 0 {
		rows = append(rows, flowRows("flows", "both directions, largest first", ev.Flows, ev.MoreFlows, width, st)...)
	}
	if len(ev.Opened) > 0 {
		rows = append(rows, flowRows("connections opened by the source", "along this edge", ev.Opened, ev.MoreOpened, width, st)...)
	}
	if len(ev.DNSNames) > 0 {
		rows = append(rows, dnsRows(ev.DNSNames, st)...)
	}
	if len(ev.Targets) > 0 {
		rows = append(rows, targetRows(ev.Targets, ev.MoreTargets, st)...)
	}
	if ev.Beacon != nil {
		rows = append(rows, beaconRows(ev.Beacon, st)...)
	}
	return rows
}

// beaconRows show a beacon: where it calls, how regularly (the median
// interval, its jitter, the histogram of the intervals) and how much each
// check-in sends.
func beaconRows(b *engine.BeaconEvidence, st *Styles) []row {
	head := fmt.Sprintf("%s → %s: %d check-ins every %s (jitter %s) from %s to %s UTC",
		b.Pod, b.Destination, b.Count, fmtSeconds(b.Interval), compact(b.Jitter),
		b.First.UTC().Format("15:04:05"), b.Last.UTC().Format("15:04:05"))
	rows := []row{{skip: true},
		{text: st.PaneTitle.Render("beacon") + st.Muted.Render(fmt.Sprintf(" · regularity %s (1 − jitter)", compact(b.Score))), skip: true},
		{text: "  " + st.Text.Render(head), copy: []copyable{{"beacon destination", b.Destination}, {"pod", b.Pod}}}}
	most := 0
	for _, bin := range b.Histogram {
		most = max(most, bin.Count)
	}
	for _, bin := range b.Histogram {
		bar := strings.Repeat("█", (bin.Count*24+most-1)/max(most, 1))
		rows = append(rows, row{text: "  " + st.Muted.Render(fmt.Sprintf("%9s–%-9s", fmtSeconds(bin.From), fmtSeconds(bin.To))) +
			st.Accent.Render(bar) + st.Muted.Render(fmt.Sprintf(" %d", bin.Count)),
			full: fmt.Sprintf("%s between %s and %s", plural(bin.Count, "interval"), fmtSeconds(bin.From), fmtSeconds(bin.To))})
	}
	if len(b.Sizes) > 0 {
		sizes := make([]string, len(b.Sizes))
		for i, x := range b.Sizes {
			sizes[i] = units.Bytes(x)
		}
		text := "bytes sent per check-in: " + strings.Join(sizes, " ")
		rows = append(rows, row{text: "  " + st.Muted.Render(text), full: text})
	}
	return rows
}

// fmtSeconds is a duration in seconds for people: "12.5 s", "4m10s".
func fmtSeconds(s float64) string {
	d := time.Duration(s * float64(time.Second))
	if d < time.Minute {
		return compact(s) + " s"
	}
	return fmtDuration(d.Round(time.Second))
}

// endpoint is "10.244.0.9:49156", "[2001:db8::1]:443", or the address
// alone for a protocol without ports.
func endpoint(ip string, port uint16, proto string) string {
	if port == 0 && proto != "tcp" && proto != "udp" {
		return ip
	}
	if a, err := netip.ParseAddr(ip); err == nil && a.Is6() && !a.Is4In6() {
		return "[" + ip + "]:" + strconv.Itoa(int(port))
	}
	return ip + ":" + strconv.Itoa(int(port))
}

// opener says who opened a flow's connection: a pod (or outside), or "—"
// when the window does not show it opened (it was opened earlier, or its
// first packets were not captured).
func opener(f engine.FlowInfo) string {
	switch f.Initiator {
	case "src":
		return f.Src
	case "dst":
		return f.Dst
	}
	return "—"
}

// flowTimes is "12:29:00.503–.085" within a second, else
// "12:29:00.503–12:29:09.085".
func flowTimes(f engine.FlowInfo) string {
	first, last := f.First.UTC(), f.Last.UTC()
	if first.Truncate(time.Second).Equal(last.Truncate(time.Second)) {
		return first.Format("15:04:05.000") + "–" + last.Format(".000")
	}
	return first.Format("15:04:05.000") + "–" + last.Format("15:04:05.000")
}

// flowColumns fit a flow table: endpoints, bytes, packets, and — when
// there is room — who opened it and its first and last packet.
type flowColumns struct {
	ep        int
	by, times bool
}

func newFlowColumns(width int) flowColumns {
	return flowColumns{ep: 21, by: width >= 82, times: width >= 110}
}

func (c flowColumns) line(proto, src, dst, bytes, pkts, by, times string) string {
	s := fit(proto, 5) + " " + fit(src, c.ep) + " → " + fit(dst, c.ep) + " " + padLeft(bytes, 8) + " " + padLeft(pkts, 5)
	if c.by {
		s += "  " + fit(by, 12)
	}
	if c.times {
		s += " " + times
	}
	return s
}

func flowRows(title, about string, flows []engine.FlowInfo, more, width int, st *Styles) []row {
	c := newFlowColumns(width)
	rows := []row{{skip: true},
		{text: st.PaneTitle.Render(title) + st.Muted.Render(fmt.Sprintf(" · %s · %s", plural(len(flows)+more, "flow"), about)), skip: true},
		{text: st.Muted.Render("  " + c.line("proto", "source", "destination", "bytes", "pkts", "opened by", "first–last packet")), skip: true}}
	for _, f := range flows {
		src, dst := endpoint(f.SrcIP, f.SrcPort, f.Protocol), endpoint(f.DstIP, f.DstPort, f.Protocol)
		text := "  " + c.line(f.Protocol, src, dst, units.Bytes(float64(f.Bytes)), strconv.Itoa(int(f.Packets)), opener(f), flowTimes(f))
		by := "opened by " + opener(f)
		if f.Initiator == "" {
			by = "opened before this window (or its first packets were not captured)"
		}
		full := fmt.Sprintf("%s %s (%s) → %s (%s)\n%s in %s\nfirst %s, last %s UTC\n%s",
			f.Protocol, src, f.Src, dst, f.Dst, units.Bytes(float64(f.Bytes)), plural(int(f.Packets), "packet"),
			f.First.UTC().Format("2006-01-02 15:04:05.000000"), f.Last.UTC().Format("15:04:05.000000"), by)
		rows = append(rows, row{text: st.Text.Render(text), full: full, copy: []copyable{
			{"source", src}, {"destination", dst}, {"source IP", f.SrcIP}, {"destination IP", f.DstIP}}})
	}
	if more > 0 {
		rows = append(rows, row{text: st.Muted.Render(fmt.Sprintf("  … %s (the engine keeps the largest)", plural(more, "more flow"))), skip: true})
	}
	return rows
}

// dnsRows list a suspected tunnel's query names with their length and
// the entropy of their subdomain part.
func dnsRows(names []engine.DNSName, st *Styles) []row {
	rows := []row{{skip: true}, {text: st.PaneTitle.Render("DNS names asked") + st.Muted.Render(" · longest first · length · entropy (bits per character)"), skip: true}}
	for _, n := range names {
		facts := fmt.Sprintf("%3d  %.2f  ", n.Length, n.Entropy)
		rows = append(rows, row{text: "  " + st.Muted.Render(facts) + st.Text.Render(n.Name),
			full: fmt.Sprintf("%s\n%d characters, entropy %.2f bits per character", n.Name, n.Length, n.Entropy),
			copy: []copyable{{"DNS name", n.Name}}})
	}
	return rows
}

// targetRows list a fan-out's endpoints.
func targetRows(ts []engine.Target, more int, st *Styles) []row {
	rows := []row{{skip: true}, {text: st.PaneTitle.Render("targets") + st.Muted.Render(fmt.Sprintf(" · %s the source opened connections to · most used first", plural(len(ts)+more, "endpoint"))), skip: true}}
	for _, t := range ts {
		text := fmt.Sprintf("  %-5s %-23s %4d× %s", t.Protocol, t.Address, t.Count, t.Pod)
		rows = append(rows, row{text: st.Text.Render(text), copy: []copyable{{"target", t.Address}}})
	}
	if more > 0 {
		rows = append(rows, row{text: st.Muted.Render(fmt.Sprintf("  … %d more", more)), skip: true})
	}
	return rows
}
