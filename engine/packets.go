package engine

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/mimir-tui/mimir-tui/engine/safefile"
	"github.com/mimir-tui/mimir-tui/loaders/capture"
)

// PacketSelection names the packets of a time range between two groups of
// addresses, in either direction: an edge's, or an interval's.
type PacketSelection struct {
	From, To time.Time // [From, To)
	A, B     []netip.Addr
}

// EdgeSelection selects the packets of a flagged edge — between its
// source's and its destination's addresses (the real outside ones for
// outside) — from from to to.
func EdgeSelection(fe *FlaggedEdge, from, to time.Time) PacketSelection {
	return PacketSelection{From: from, To: to, A: parseAddrs(fe.SrcIPs), B: parseAddrs(fe.DstIPs)}
}

func parseAddrs(ss []string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// match reports whether p is selected.
func (s PacketSelection) match(p *capture.Packet) bool {
	if p.IPVersion == 0 || p.Timestamp < s.From.UnixNano() || p.Timestamp >= s.To.UnixNano() {
		return false
	}
	in := func(x netip.Addr, set []netip.Addr) bool {
		for _, a := range set {
			if a == x {
				return true
			}
		}
		return false
	}
	return (in(p.Src, s.A) && in(p.Dst, s.B)) || (in(p.Src, s.B) && in(p.Dst, s.A))
}

// WiresharkFilter is the display filter that shows the same packets in
// Wireshark (times as epoch seconds, which do not depend on its time zone).
func (s PacketSelection) WiresharkFilter() string {
	side := func(addrs []netip.Addr) string {
		var parts []string
		for _, a := range addrs {
			field := "ip.addr"
			if a.Is6() && !a.Is4In6() {
				field = "ipv6.addr"
			}
			parts = append(parts, field+"=="+a.Unmap().String())
		}
		if len(parts) == 1 {
			return parts[0]
		}
		return "(" + strings.Join(parts, " || ") + ")"
	}
	return fmt.Sprintf("%s && %s && frame.time_epoch >= %s && frame.time_epoch < %s",
		side(s.A), side(s.B), epoch(s.From), epoch(s.To))
}

func epoch(t time.Time) string {
	return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond())
}

// ExportPackets writes the selected packets of the capture src to path as
// pcapng; see Inputs.ExportPackets.
func ExportPackets(ctx context.Context, src Source, sel PacketSelection, path string) (int, error) {
	return Inputs{Capture: src}.ExportPackets(ctx, sel, path)
}

// ExportPackets writes the selected packets of the captures to path as
// pcapng, read as the analysis reads them (merged, overlays opened to
// match pod addresses, each packet once), atomically and never over an
// existing file, and returns how many it wrote.
func (in Inputs) ExportPackets(ctx context.Context, sel PacketSelection, path string) (int, error) {
	if len(sel.A) == 0 || len(sel.B) == 0 {
		return 0, fmt.Errorf("no addresses to select packets by")
	}
	srcs := in.captures()
	m, first, done, err := openCaptures(ctx, srcs, Options{})
	if err != nil {
		return 0, err
	}
	defer done()
	f, err := safefile.Create(path, false)
	if err != nil {
		return 0, err
	}
	defer f.Abort()
	n, err := capture.Extract(ctx, &prepended{first: &first, m: m}, sel.match, f)
	if err != nil {
		return 0, err
	}
	return n, f.Commit()
}

// prepended reads first, then the rest of m.
type prepended struct {
	first *capture.Packet
	m     *capture.Merged
}

func (p *prepended) Next(pkt *capture.Packet) error {
	if p.first != nil {
		*pkt, p.first = *p.first, nil
		return nil
	}
	return p.m.Next(pkt)
}
