package capture

import (
	"net/netip"
	"slices"
)

// matcher collects, for each pair of inputs, the time differences of the
// packets seen in both: the first sighting of each key, and for every
// later sighting in another input within the bound, the difference.
type matcher struct {
	bound int64
	start int64 // the first packet's timestamp
	first map[uint64]sighting
	pairs map[[2]int]*pairSamples
	per   []int // samples involving each input
}

type sighting struct {
	input int
	ts    int64
}

// pairSamples are the differences ts_j - ts_i of inputs i < j, per flow
// (unordered address pair) and direction: a flow's two directions cross
// in opposite ways, so the mean of their medians leaves the transit time
// out.
type pairSamples struct {
	flows map[[2]netip.Addr]*[2][]int64
	n     int
}

// maxSamples bounds the samples kept per pair of inputs.
const maxSamples = 1 << 16

func newMatcher(inputs int, bound int64) *matcher {
	return &matcher{bound: bound, first: make(map[uint64]sighting), pairs: make(map[[2]int]*pairSamples), per: make([]int, inputs)}
}

// add notes a packet.
func (mt *matcher) add(p *Packet) {
	k := Key(p)
	if k == 0 {
		return
	}
	s, ok := mt.first[k]
	if !ok || p.Timestamp-s.ts > mt.bound || s.ts-p.Timestamp > mt.bound {
		mt.first[k] = sighting{p.Input, p.Timestamp}
		return
	}
	if s.input == p.Input {
		return
	}
	i, j, d := s.input, p.Input, p.Timestamp-s.ts
	if i > j {
		i, j, d = j, i, -d
	}
	ps := mt.pairs[[2]int{i, j}]
	if ps == nil {
		ps = &pairSamples{flows: make(map[[2]netip.Addr]*[2][]int64)}
		mt.pairs[[2]int{i, j}] = ps
	}
	if ps.n >= maxSamples {
		return
	}
	flow, dir := [2]netip.Addr{p.Src, p.Dst}, 0
	if p.Dst.Less(p.Src) {
		flow, dir = [2]netip.Addr{p.Dst, p.Src}, 1
	}
	f := ps.flows[flow]
	if f == nil {
		f = new([2][]int64)
		ps.flows[flow] = f
	}
	f[dir] = append(f[dir], d)
	ps.n++
	mt.per[i]++
	mt.per[j]++
}

// count is the samples of inputs i and j.
func (mt *matcher) count(i, j int) int {
	if i > j {
		i, j = j, i
	}
	if ps := mt.pairs[[2]int{i, j}]; ps != nil {
		return ps.n
	}
	return 0
}

// most is the largest sample count of input j with any other input.
func (mt *matcher) most(j int) int {
	n := 0
	for i := range mt.per {
		if i != j {
			n = max(n, mt.count(i, j))
		}
	}
	return n
}

// enough reports whether every input whose offset is to be estimated, or
// checked, has enough samples.
func (mt *matcher) enough(ins []*mergeInput) bool {
	for i, in := range ins {
		if (in.clock.Source == "" || in.clock.Source == ClockGiven) && mt.per[i] < enoughMatches {
			return false
		}
	}
	return true
}

// estimate is the offset of input j's clock against input i's (both as
// read, with their applied offsets): the median over flows seen both ways
// of the mean of the two directions' medians; without such a flow, the
// median of all differences (oneWay).
func (mt *matcher) estimate(i, j int) (d int64, oneWay bool) {
	sign := int64(1)
	if i > j {
		i, j, sign = j, i, -1
	}
	ps := mt.pairs[[2]int{i, j}]
	var both, all []int64
	for _, f := range ps.flows {
		all = append(append(all, f[0]...), f[1]...)
		if len(f[0]) > 0 && len(f[1]) > 0 {
			both = append(both, (median(f[0])+median(f[1]))/2)
		}
	}
	if len(both) > 0 {
		return sign * median(both), false
	}
	return sign * median(all), true
}

// median sorts xs and returns its median (the lower one of an even count
// averaged with the upper).
func median(xs []int64) int64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
