package check

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/entities"
)

// ResolutionReport says how much in-cluster traffic resolves to entities.
type ResolutionReport struct {
	IPBytes        uint64  `json:"ip_bytes"`
	KnownBytes     uint64  `json:"known_bytes"` // frames with an end the log knew at the time
	InClusterBytes uint64  `json:"in_cluster_bytes"`
	ResolvedBytes  uint64  `json:"resolved_bytes"`
	Share          float64 `json:"resolved_share"`
	// KnownElsewhenBytes are unresolved bytes of addresses the log knows at
	// other times: a sign that the log is offset from the capture.
	KnownElsewhenBytes uint64   `json:"known_at_other_times_bytes"`
	OffsetHint         string   `json:"offset_hint,omitempty"`
	TopUnresolved      []Talker `json:"top_unresolved_in_cluster"`
	TopOutside         []Talker `json:"top_outside"`
}

// Talker is one address and its traffic.
type Talker struct {
	IP      string   `json:"ip"`
	Bytes   uint64   `json:"bytes"`
	Packets uint64   `json:"packets"`
	Peers   []string `json:"peers"` // the entities (or addresses) it talked with, busiest first
}

type talker struct {
	bytes, packets uint64
	peers          map[string]uint64
	// offsets to the nearest interval of the address in the log, for
	// addresses the log knows at other times.
	offsets []int64
}

// tally measures, frame by frame, how the log resolves the capture.
type tally struct {
	tl         *entities.Timeline
	known      map[netip.Addr][][2]int64 // where the log knows each address
	unresolved map[netip.Addr]*talker
	outside    map[netip.Addr]*talker
	ev         Evidence
}

func newTally(tl *entities.Timeline) *tally {
	t := &tally{tl: tl, known: make(map[netip.Addr][][2]int64), unresolved: make(map[netip.Addr]*talker), outside: make(map[netip.Addr]*talker)}
	for _, in := range tl.Instances() {
		if in.IP.IsValid() {
			t.known[in.IP] = append(t.known[in.IP], [2]int64{in.From, in.To})
		}
	}
	return t
}

// Count adds the wire bytes of IP traffic between two ends to the
// evidence. known says whether the log held an end's address at the time,
// in whether the end is in the cluster (an entity, or an address in the
// cluster's ranges). A frame is in-cluster traffic when either end is in
// the cluster, and resolved when every in-cluster end is known. check.Run
// counts each frame so; the engine can count each pair of a window the
// same way (an end is known when its traffic.Pair tag is not NoTag).
func (e *Evidence) Count(bytes uint64, srcKnown, srcIn, dstKnown, dstIn bool) {
	e.IPBytes += bytes
	if srcKnown || dstKnown {
		e.KnownBytes += bytes
	}
	if srcIn || dstIn {
		e.InClusterBytes += bytes
		if (srcKnown || !srcIn) && (dstKnown || !dstIn) {
			e.ResolvedBytes += bytes
		}
	}
}

// add counts one frame, and its ends among the unresolved in-cluster
// addresses and the outside talkers.
func (t *tally) add(p *capture.Packet) {
	if p.IPVersion == 0 {
		return
	}
	bytes := uint64(p.WireLen)
	srcKnown, dstKnown := t.tl.Lookup(p.Src, p.Timestamp) != nil, t.tl.Lookup(p.Dst, p.Timestamp) != nil
	srcIn, dstIn := srcKnown || t.tl.InCluster(p.Src), dstKnown || t.tl.InCluster(p.Dst)
	t.ev.Count(bytes, srcKnown, srcIn, dstKnown, dstIn)
	t.end(p.Src, p.Dst, srcKnown, srcIn, dstIn, p.Timestamp, bytes)
	t.end(p.Dst, p.Src, dstKnown, dstIn, srcIn, p.Timestamp, bytes)
}

// end notes one end of a frame: an in-cluster address the log does not
// know (and whether it knows it at other times), or an outside address
// talking with the cluster.
func (t *tally) end(ip, peer netip.Addr, known, in, peerIn bool, ts int64, bytes uint64) {
	switch {
	case known:
	case in:
		tk := t.note(t.unresolved, ip, peer, ts, bytes)
		if off, ok := nearest(t.known[ip], ts); ok {
			t.ev.KnownElsewhenBytes += bytes
			if len(tk.offsets) < 1000 {
				tk.offsets = append(tk.offsets, off)
			}
		}
	case peerIn:
		t.note(t.outside, ip, peer, ts, bytes)
	}
}

func (t *tally) note(m map[netip.Addr]*talker, ip, peer netip.Addr, ts int64, n uint64) *talker {
	tk := m[ip]
	if tk == nil {
		tk = &talker{peers: make(map[string]uint64)}
		m[ip] = tk
	}
	tk.bytes += n
	tk.packets++
	name := peer.String()
	if in := t.tl.Lookup(peer, ts); in != nil {
		name = in.Name
	}
	tk.peers[name] += n
	return tk
}

// report finishes the measure: share, top talkers, offset hint.
func (t *tally) report(n int) ResolutionReport {
	ev := &t.ev
	res := ResolutionReport{IPBytes: ev.IPBytes, KnownBytes: ev.KnownBytes, InClusterBytes: ev.InClusterBytes,
		ResolvedBytes: ev.ResolvedBytes, Share: ev.share(), KnownElsewhenBytes: ev.KnownElsewhenBytes}
	res.TopUnresolved = top(t.unresolved, n)
	res.TopOutside = top(t.outside, n)
	var offsets []int64
	for _, tk := range t.unresolved {
		offsets = append(offsets, tk.offsets...)
	}
	if len(offsets) > 0 {
		slices.Sort(offsets)
		med := time.Duration(offsets[len(offsets)/2]).Round(time.Second)
		when := fmt.Sprintf("%v later", med)
		if med < 0 {
			when = fmt.Sprintf("%v earlier", -med)
		}
		res.OffsetHint = fmt.Sprintf("the log knows these addresses at other times (typically %s than the traffic): it looks shifted; check the clocks, or the offset of a relative (pickle) log", when)
	}
	ev.OffsetHint = res.OffsetHint
	return res
}

// nearest returns the signed distance from ts to the nearest of the
// intervals in which the log knows an address (positive: the log has it
// later), if any.
func nearest(spans [][2]int64, ts int64) (int64, bool) {
	best, found := int64(math.MaxInt64), false
	for _, sp := range spans {
		var d int64
		switch {
		case ts < sp[0]:
			d = sp[0] - ts
		case ts >= sp[1]:
			d = -(ts - sp[1] + 1)
		default:
			return 0, true
		}
		if abs(d) < abs(best) {
			best, found = d, true
		}
	}
	return best, found
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func top(m map[netip.Addr]*talker, n int) []Talker {
	out := make([]Talker, 0, len(m))
	for ip, t := range m {
		tk := Talker{IP: ip.String(), Bytes: t.bytes, Packets: t.packets}
		type peer struct {
			name  string
			bytes uint64
		}
		var ps []peer
		for p, b := range t.peers {
			ps = append(ps, peer{p, b})
		}
		slices.SortFunc(ps, func(a, b peer) int {
			return cmp.Or(cmp.Compare(b.bytes, a.bytes), cmp.Compare(a.name, b.name))
		})
		for i, p := range ps {
			if i == 3 {
				tk.Peers = append(tk.Peers, fmt.Sprintf("+%d more", len(ps)-3))
				break
			}
			tk.Peers = append(tk.Peers, p.name)
		}
		out = append(out, tk)
	}
	slices.SortFunc(out, func(a, b Talker) int { return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(a.IP, b.IP)) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}
