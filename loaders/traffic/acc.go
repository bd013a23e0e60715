package traffic

import (
	"math"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
)

// pairKey identifies a directed pair in a window's map. Addresses are kept
// as plain bytes (with the IP version, so an IPv4 address and its
// IPv4-mapped IPv6 form stay apart): such a key hashes as one block of
// memory, faster than a key holding netip.Addr values.
type pairKey struct {
	src, dst   [16]byte
	stag, dtag int32
	fam        uint8
}

// acc accumulates one window of one size.
type acc struct {
	index      int64
	start, end int64
	packets    uint64
	bytes      uint64

	pairs   []Pair
	pairIdx map[pairKey]int32
	// The previous packet's pair: traffic comes in bursts, so this often
	// saves the map lookup.
	lastKey pairKey
	last    int32

	// With Config.Details.
	eps   []Endpoint
	epIdx map[endpointKey]int32
	dns   []DNSGroup
	dnsX  []dnsExtra
	dnIdx map[dnsKey]int32

	flows        []Flow
	flowIdx      map[flowKey]int32
	flowsDropped uint64
	lastFlowKey  flowKey
	lastFlow     int32
}

// pair returns the Pair of key k in w, adding it if new. p gives its
// addresses.
func (w *acc) pair(k pairKey, p *capture.Packet) *Pair {
	if w.last >= 0 && w.lastKey == k {
		return &w.pairs[w.last]
	}
	i, ok := w.pairIdx[k]
	if !ok {
		i = int32(len(w.pairs))
		w.pairs = append(w.pairs, Pair{
			Src: p.Src, Dst: p.Dst, SrcTag: k.stag, DstTag: k.dtag,
			First: math.MaxInt64, Last: math.MinInt64,
		})
		w.pairIdx[k] = i
	}
	w.lastKey, w.last = k, i
	return &w.pairs[i]
}

// reset readies an emitted accumulator for reuse; the slices were handed
// to the emitted Window, the maps are kept.
func (w *acc) reset() {
	w.packets, w.bytes = 0, 0
	w.pairs = nil
	// A cleared map keeps its memory: after a window with very many pairs
	// (a scan), start afresh so memory follows the traffic down again.
	if len(w.pairIdx) > 1<<14 {
		w.pairIdx = make(map[pairKey]int32)
	} else {
		clear(w.pairIdx)
	}
	w.last = -1
	w.eps, w.dns, w.dnsX = nil, nil, nil
	if len(w.epIdx) > 1<<14 {
		w.epIdx = nil
	} else if w.epIdx != nil {
		clear(w.epIdx)
	}
	if len(w.dnIdx) > 1<<14 {
		w.dnIdx = nil
	} else if w.dnIdx != nil {
		clear(w.dnIdx)
	}
	w.resetFlows()
}
