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
	res        ResolutionReport
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

// add counts one frame. A frame is in-cluster traffic when either end is
// ours; it is resolved when every in-cluster end is a known entity.
func (t *tally) add(p *capture.Packet) {
	if p.IPVersion == 0 {
		return
	}
	res := &t.res
	bytes := uint64(p.WireLen)
	res.IPBytes += bytes
	ours, resolved, known := false, true, false
	for _, end := range [2][2]netip.Addr{{p.Src, p.Dst}, {p.Dst, p.Src}} {
		ip, peer := end[0], end[1]
		switch {
		case t.tl.Lookup(ip, p.Timestamp) != nil:
			ours, known = true, true
		case t.tl.InCluster(ip):
			ours, resolved = true, false
			tk := t.note(t.unresolved, ip, peer, p.Timestamp, bytes)
			if off, ok := nearest(t.known[ip], p.Timestamp); ok {
				res.KnownElsewhenBytes += bytes
				if len(tk.offsets) < 1000 {
					tk.offsets = append(tk.offsets, off)
				}
			}
		case t.tl.InCluster(peer) || t.tl.Lookup(peer, p.Timestamp) != nil:
			t.note(t.outside, ip, peer, p.Timestamp, bytes)
		}
	}
	if known {
		res.KnownBytes += bytes
	}
	if ours {
		res.InClusterBytes += bytes
		if resolved {
			res.ResolvedBytes += bytes
		}
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
	res := t.res
	if res.InClusterBytes > 0 {
		res.Share = float64(res.ResolvedBytes) / float64(res.InClusterBytes)
	}
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
