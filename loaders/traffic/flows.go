package traffic

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
)

// Flow is the traffic of one transport conversation direction (protocol,
// addresses, ports) in one window: what an analyst opens an edge to see.
// For ICMP the ports are the type and code.
type Flow struct {
	Src, Dst         netip.Addr
	SrcTag, DstTag   int32
	Protocol         uint8
	SrcPort, DstPort uint16
	Frames           uint32
	Bytes            uint64 // wire bytes
	First, Last      int64  // Unix ns of the first and last frame in the window
	// Opened: a connection was initiated from Src in this window (a TCP
	// SYN without ACK; for UDP and ICMP see Endpoint).
	Opened bool
}

// MaxFlows bounds the flows a window keeps: a scan of every port of a
// subnet must not hold a flow per probe. Beyond it, flows are counted in
// Window.FlowsDropped.
const MaxFlows = 8192

// flowKey identifies a Flow in a window's map: its pair (by index in the
// window) and ports, a key that hashes fast.
type flowKey struct {
	pair         int32
	proto        uint8
	sport, dport uint16
}

// addFlow counts p in its flow of window w; w.last is p's pair.
func (w *acc) addFlow(p *capture.Packet) {
	if !p.HasTransport || p.Fragment == capture.LaterFragment {
		return
	}
	fk := flowKey{pair: w.last, proto: p.Protocol, sport: p.SrcPort, dport: p.DstPort}
	// Segments of one conversation come in runs: the previous packet's
	// flow saves the map lookup.
	i, ok := w.lastFlow, w.lastFlow >= 0 && w.lastFlowKey == fk
	if !ok {
		i, ok = w.flowIdx[fk]
	}
	if !ok {
		if len(w.flows) >= MaxFlows {
			w.flowsDropped++
			return
		}
		if w.flowIdx == nil {
			w.flowIdx = make(map[flowKey]int32)
		}
		i = int32(len(w.flows))
		pr := &w.pairs[w.last]
		w.flows = append(w.flows, Flow{Src: pr.Src, Dst: pr.Dst, SrcTag: pr.SrcTag, DstTag: pr.DstTag, Protocol: p.Protocol,
			SrcPort: p.SrcPort, DstPort: p.DstPort, First: p.Timestamp, Last: p.Timestamp})
		w.flowIdx[fk] = i
	}
	w.lastFlow, w.lastFlowKey = i, fk
	f := &w.flows[i]
	f.Frames++
	f.Bytes += uint64(p.WireLen)
	f.First, f.Last = min(f.First, p.Timestamp), max(f.Last, p.Timestamp)
	if _, opens := initiation(p); opens {
		f.Opened = true
	}
}

// finishFlows hands the window its flows, largest first.
func (w *acc) finishFlows(win *Window) {
	win.Flows, win.FlowsDropped = w.flows, w.flowsDropped
	slices.SortFunc(win.Flows, func(x, y Flow) int {
		return cmp.Or(cmp.Compare(y.Bytes, x.Bytes), x.Src.Compare(y.Src), x.Dst.Compare(y.Dst),
			cmp.Compare(x.Protocol, y.Protocol), cmp.Compare(x.SrcPort, y.SrcPort), cmp.Compare(x.DstPort, y.DstPort))
	})
}

// resetFlows forgets the window's flows, keeping the map's memory unless
// it grew large.
func (w *acc) resetFlows() {
	w.flows, w.flowsDropped, w.lastFlow = nil, 0, -1
	if len(w.flowIdx) > 1<<12 {
		w.flowIdx = nil
	} else if w.flowIdx != nil {
		clear(w.flowIdx)
	}
}
