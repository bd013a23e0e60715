package capture

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// refDedup is the rule of Dedup written plainly: every group kept for
// ever, places in a map. Dedup's table must decide the same.
type refDedup struct {
	span   int64
	groups map[uint64]*refGroup
}

type refGroup struct {
	last   int64
	counts map[uint32]int
	most   int
}

func (r *refDedup) duplicate(p *Packet) bool {
	if p.IPVersion == 0 {
		return false
	}
	k, ts := Key(p), p.Timestamp
	g := r.groups[k]
	if g == nil || ts-g.last > r.span || g.last-ts > r.span {
		g = &refGroup{last: ts, counts: map[uint32]int{}}
		r.groups[k] = g
	}
	g.last = max(g.last, ts)
	pl := placeOf(p)
	if _, known := g.counts[pl]; pl == 0 || !known && len(g.counts) == maxPlaces {
		if g.most == 0 {
			g.most = 1
			return false
		}
		return true
	}
	g.counts[pl]++
	if g.counts[pl] > g.most {
		g.most = g.counts[pl]
		return false
	}
	return true
}

// place is where a stream's packet is captured.
type place struct {
	input   int
	kind    int // onSLL2, onEthernet, onVXLAN, onSLL
	ifindex uint32
	delay   time.Duration
}

// sight is one capture of a genuine packet.
type sight struct {
	at      int64
	genuine int // index of the genuine packet
	link    LinkType
	data    []byte
	input   int
}

// stream is a random traffic of genuine packets, each captured at the
// places of its path, with retransmissions: IPv4 ones with a new ID, IPv6
// ones identical to the original when they come within the same
// millisecond (TCP timestamps tick in milliseconds).
type stream struct {
	sights  []sight
	genuine int
	pairs   map[int]int // genuine packet -> its flow
}

// genStream makes a stream of n genuine packets; cooked makes some paths
// Linux cooked v1 captures, which do not say their interface.
func genStream(rng *rand.Rand, n int, cooked bool) *stream {
	s := &stream{pairs: map[int]int{}}
	paths := randomPaths(rng, cooked)
	type sent struct {
		k    pkt
		path int
		at   int64
	}
	var done []sent
	t := int64(time.Hour)
	for g := range n {
		t += int64(rng.ExpFloat64() * float64(50*time.Microsecond))
		var cur sent
		if len(done) > 0 && rng.IntN(8) == 0 {
			// A retransmission of a recent packet.
			cur = done[len(done)-1-rng.IntN(min(len(done), 20))]
			gap := []time.Duration{80 * time.Microsecond, 2 * time.Millisecond, 210 * time.Millisecond}[rng.IntN(3)]
			cur.at += int64(gap)
			if !cur.k.v6 {
				cur.k.id++
			} else if gap >= time.Millisecond {
				cur.k.tsval++
			}
		} else {
			flow := rng.IntN(12)
			cur = sent{k: pkt{v6: flow%3 == 0, sport: uint16(30000 + flow), seq: rng.Uint32(), ack: rng.Uint32(), id: uint16(rng.IntN(4) * rng.IntN(60000)), tsval: uint32(t / 1e6), window: 500}, path: flow % len(paths), at: t}
			if flow%4 == 1 {
				cur.k.proto, cur.k.payload = ProtoUDP, string(rune('a'+rng.IntN(3)))
			}
		}
		done = append(done, cur)
		ip := cur.k.ip()
		for _, pl := range paths[cur.path] {
			link, data := wrap(ip, pl.kind, pl.ifindex)
			s.sights = append(s.sights, sight{at: cur.at + int64(pl.delay), genuine: g, link: link, data: data, input: pl.input})
		}
		s.pairs[g] = int(cur.k.sport)
	}
	s.genuine = n
	slices.SortStableFunc(s.sights, func(a, b sight) int { return int(a.at - b.at) })
	return s
}

// randomPaths: where flows are captured. Every path starts at its
// sender; some cross to another node, in VXLAN or not. No path passes
// one place twice (a loop, or a switch port mirroring both directions):
// the rule cannot tell such copies from genuine packets.
func randomPaths(rng *rand.Rand, cooked bool) [][]place {
	us := time.Microsecond
	veth := onSLL2
	if cooked {
		veth = onSLL
	}
	return [][]place{
		{{0, veth, 5, 0}, {0, veth, 3, 2 * us}, {0, veth, 7, 4 * us}},                                    // two pods on one node, tcpdump -i any
		{{0, veth, 5, 0}, {0, onVXLAN, 2, 10 * us}, {1, onVXLAN, 2, 150 * us}, {1, onSLL2, 7, 170 * us}}, // across an overlay
		{{1, onEthernet, 0, 0}, {2, onEthernet, 0, 300 * us}},                                            // two bridge captures
		{{2, onSLL2, 9, 0}}, // seen once
		{{0, onSLL2, 5, 0}, {1, onSLL2, 7, time.Duration(rng.IntN(900)) * us}, {2, onSLL2, 4, 1000 * us}}, // three nodes
		{{0, veth, 11, 0}, {0, veth, 3, 1 * us}, {1, onSLL2, 12, 100 * us}, {1, onSLL2, 3, 101 * us}},     // routed, no overlay
	}
}

// run decides each sight of a stream with decide, and counts the genuine
// packets kept, dropped (all of its sights dropped) and kept twice.
func (s *stream) run(decide func(*Packet) bool) (decisions []bool, missed, lost int) {
	kept := make([]int, s.genuine)
	for _, sg := range s.sights {
		p := decoded(sg.link, sg.data)
		p.Input, p.Timestamp = sg.input, sg.at
		dup := decide(p)
		decisions = append(decisions, dup)
		if !dup {
			kept[sg.genuine]++
		}
	}
	for _, k := range kept {
		switch {
		case k == 0:
			lost++
		case k > 1:
			missed += k - 1
		}
	}
	return decisions, missed, lost
}

// TestDedupMatchesRule: on random streams (many groups, several table
// sizes and generations) Dedup decides every packet as the plain rule
// does; and on captures that say their interfaces, it keeps every genuine
// packet once: no copy kept, no genuine packet (retransmissions
// identical to their original among them) dropped.
func TestDedupMatchesRule(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 1))
		s := genStream(rng, 3000+int(seed)*500, false)
		d := NewDedup(0)
		ref := &refDedup{span: int64(DefaultDedupSpan), groups: map[uint64]*refGroup{}}
		fast, missed, lost := s.run(d.Duplicate)
		want, _, _ := s.run(ref.duplicate)
		if !slices.Equal(fast, want) {
			i := 0
			for fast[i] == want[i] {
				i++
			}
			t.Fatalf("seed %d: sight %d of %d: Dedup says duplicate %v, the rule %v", seed, i, len(fast), fast[i], want[i])
		}
		if missed != 0 || lost != 0 || d.Forgotten() != 0 {
			t.Errorf("seed %d: %d copies kept, %d genuine packets lost, %d forgotten; want none", seed, missed, lost, d.Forgotten())
		}
	}
}

// TestDedupCookedErrors measures the errors where captures do not say
// their interface (Linux cooked v1): identical packets within the span on
// one node collapse. It checks that only those are lost, and logs the
// rates.
func TestDedupCookedErrors(t *testing.T) {
	var sights, genuine, missed, lost int
	for seed := range uint64(10) {
		rng := rand.New(rand.NewPCG(seed, 2))
		s := genStream(rng, 5000, true)
		_, m, l := s.run(NewDedup(0).Duplicate)
		sights, genuine, missed, lost = sights+len(s.sights), genuine+s.genuine, missed+m, lost+l
	}
	t.Logf("linux cooked v1: %d sights of %d genuine packets: %d copies kept (%.3f%%), %d genuine packets lost (%.3f%%)",
		sights, genuine, missed, 100*float64(missed)/float64(genuine), lost, 100*float64(lost)/float64(genuine))
	if missed != 0 || lost == 0 || lost > genuine/100 {
		t.Errorf("%d copies kept, %d genuine lost of %d: want none kept, and a few (identical retransmissions within the span) lost", missed, lost, genuine)
	}
}

// TestDedupForgets: more packets within one span than the table holds:
// it forgets early, says how often, and its memory stays bounded.
func TestDedupForgets(t *testing.T) {
	d := NewDedup(0)
	n := maxDedupSlots
	for i := range n {
		link, data := wrap(pkt{id: uint16(i), seq: uint32(i)}.ip(), onEthernet, 0)
		p := decoded(link, data)
		p.Timestamp = int64(time.Hour) + int64(i)
		d.Duplicate(p)
	}
	if d.Forgotten() == 0 || len(d.cur.slots) > maxDedupSlots || len(d.prev.slots) > maxDedupSlots {
		t.Errorf("%d forgotten, tables of %d and %d slots: want forgetting and at most %d slots", d.Forgotten(), len(d.cur.slots), len(d.prev.slots), maxDedupSlots)
	}
}

// TestDedupAllocs: once its table has grown, deduplication allocates
// nothing per packet.
func TestDedupAllocs(t *testing.T) {
	d := NewDedup(0)
	link, data := wrap(pkt{v6: true, seq: 1, payload: "x"}.ip(), onSLL2, 4)
	p := decoded(link, data)
	ts := int64(time.Hour)
	allocs := testing.AllocsPerRun(10000, func() {
		ts += int64(time.Millisecond)
		p.Timestamp = ts
		d.Duplicate(p)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per packet", allocs)
	}
}
