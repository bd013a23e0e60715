package engine

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/traffic"
)

// Evidence budgets per flagged edge: enough to read, bounded so a scan's
// thousand probes do not bloat every window.
const (
	maxEvidenceFlows   = 32
	maxEvidenceOpened  = 32
	maxEvidenceTargets = 64
	maxEvidenceNames   = 10
)

// evidence gathers the traffic behind the flagged edge p.
func (x *explainCtx) evidence(p servicePair, reasons []Reason) *Evidence {
	win := x.f.win
	ev := &Evidence{}
	var flows []FlowInfo
	for i := range win.flows {
		fl := &win.flows[i]
		a, b := win.nodes[fl.u].service, win.nodes[fl.v].service
		forward := a == p.src && b == p.dst
		if !forward && !(a == p.dst && b == p.src) {
			continue
		}
		fi := x.flowInfo(fl)
		flows = append(flows, fi)
		if forward && fl.f.Opened {
			ev.Opened = append(ev.Opened, fi)
		}
	}
	ev.Flows, ev.MoreFlows = firstN(flows, maxEvidenceFlows)
	ev.Opened, ev.MoreOpened = firstN(ev.Opened, maxEvidenceOpened)
	for _, r := range reasons {
		switch r.Code {
		case ReasonDNSTunnel:
			ev.DNSNames = x.dnsNames(p.src)
		case ReasonFanOut, ReasonNewPort:
			ev.Targets, ev.MoreTargets = x.targets(p)
		case ReasonBeacon:
			ev.Beacon = x.newBeacon(p).evidence()
		}
	}
	if len(ev.Flows) == 0 && len(ev.DNSNames) == 0 && len(ev.Targets) == 0 && ev.Beacon == nil {
		return nil
	}
	return ev
}

func firstN[T any](xs []T, n int) ([]T, int) {
	if len(xs) <= n {
		return xs, 0
	}
	return xs[:n], len(xs) - n
}

// flowInfo describes a window flow, with who opened its connection: this
// direction's source when it sent the opening packet, its destination
// when the reverse flow did.
func (x *explainCtx) flowInfo(fl *winFlow) FlowInfo {
	win := x.f.win
	f := &fl.f
	fi := FlowInfo{
		Protocol: protocolName(f.Protocol), Src: win.nodes[fl.u].name, Dst: win.nodes[fl.v].name,
		SrcIP: f.Src.String(), DstIP: f.Dst.String(), SrcPort: f.SrcPort, DstPort: f.DstPort,
		Bytes: f.Bytes, Packets: f.Frames,
		First: time.Unix(0, f.First).UTC(), Last: time.Unix(0, f.Last).UTC(),
	}
	switch {
	case f.Opened:
		fi.Initiator = "src"
	case x.reverseOpened(fl):
		fi.Initiator = "dst"
	}
	return fi
}

// flowID names a flow direction.
type flowID struct {
	proto        uint8
	src, dst     netip.Addr
	sport, dport uint16
}

// reverseOpened reports whether the flow answering fl opened the
// connection in this window.
func (x *explainCtx) reverseOpened(fl *winFlow) bool {
	if x.opened == nil {
		x.opened = make(map[flowID]bool)
		for i := range x.f.win.flows {
			if f := &x.f.win.flows[i].f; f.Opened {
				x.opened[flowID{f.Protocol, f.Src, f.Dst, f.SrcPort, f.DstPort}] = true
			}
		}
	}
	f := &fl.f
	return x.opened[flowID{f.Protocol, f.Dst, f.Src, f.DstPort, f.SrcPort}]
}

func protocolName(p uint8) string {
	switch p {
	case capture.ProtoTCP:
		return "tcp"
	case capture.ProtoUDP:
		return "udp"
	case capture.ProtoICMP, capture.ProtoICMPv6:
		return "icmp"
	}
	return strconv.Itoa(int(p))
}

// protocolNumber is protocolName's inverse.
func protocolNumber(name string) uint8 {
	switch name {
	case "tcp":
		return capture.ProtoTCP
	case "udp":
		return capture.ProtoUDP
	case "icmp":
		return capture.ProtoICMP
	}
	n, _ := strconv.ParseUint(name, 10, 8)
	return uint8(n)
}

// dnsNames are the longest names service a asked the cluster DNS.
func (x *explainCtx) dnsNames(a string) []DNSName {
	win := x.f.win
	seen := make(map[string]bool)
	var out []DNSName
	for i := range win.dns {
		d := &win.dns[i]
		if win.nodes[d.src].service != a {
			continue
		}
		for _, name := range d.examples {
			if !seen[name] {
				seen[name] = true
				out = append(out, DNSName{Name: name, Length: len(name), Entropy: traffic.NameEntropy(name)})
			}
		}
	}
	slices.SortFunc(out, func(p, q DNSName) int { return cmp.Or(cmp.Compare(q.Length, p.Length), cmp.Compare(p.Name, q.Name)) })
	out, _ = firstN(out, maxEvidenceNames)
	return out
}

// targets are the endpoints the pods of p.src opened connections to on
// p.dst, most used first.
func (x *explainCtx) targets(p servicePair) ([]Target, int) {
	win := x.f.win
	var ts []winTarget
	for _, t := range win.targets {
		if win.nodes[t.u].service == p.src && win.nodes[t.v].service == p.dst {
			ts = append(ts, t)
		}
	}
	// Equal counts in address and port order, by number (:10, :118,
	// :1001), not as text.
	slices.SortFunc(ts, func(a, b winTarget) int {
		return cmp.Or(cmp.Compare(b.count, a.count), a.ip.Compare(b.ip), cmp.Compare(a.port, b.port), cmp.Compare(a.proto, b.proto))
	})
	ts, more := firstN(ts, maxEvidenceTargets)
	out := make([]Target, len(ts))
	for i, t := range ts {
		out[i] = Target{Address: netip.AddrPortFrom(t.ip, t.port).String(), Protocol: protocolName(t.proto),
			Pod: win.nodes[t.v].name, Count: int(t.count)}
	}
	return out, more
}
