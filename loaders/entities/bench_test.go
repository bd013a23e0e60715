package entities

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
)

// query is one (address, time) a packet would ask about.
type query struct {
	ip netip.Addr
	ts int64
}

// queries draws n lookups like a capture's: mostly known addresses (pods,
// services), some outside ones, at times over [from, to).
func queries(tl *Timeline, from, to int64, n int) []query {
	rng := rand.New(rand.NewPCG(7, 7))
	var known []netip.Addr
	for _, in := range tl.Instances() {
		known = append(known, in.Addrs()...)
	}
	qs := make([]query, n)
	for i := range qs {
		ip := netip.AddrFrom4([4]byte{203, 0, 113, byte(rng.IntN(256))}) // outside
		if rng.IntN(10) < 8 {
			ip = known[rng.IntN(len(known))]
		}
		qs[i] = query{ip, from + rng.Int64N(to-from)}
	}
	return qs
}

func benchTag(b *testing.B, tl *Timeline, qs []query) {
	b.ReportAllocs()
	b.ResetTimer()
	hits := 0
	for i := 0; i < b.N; i++ {
		q := &qs[i%len(qs)]
		if tl.Tag(q.ip, q.ts) != NoTag {
			hits++
		}
	}
	b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
}

// synthetic10k is a log of 10000 pods and 100 services over an hour: pods
// come and go (half of them live up to 3 minutes), and the addresses of
// deleted pods are handed to new ones, as a CNI's allocator does.
func synthetic10k() *Log {
	rng := rand.New(rand.NewPCG(10, 10000))
	l := &Log{Name: "synthetic-10k", Format: FormatJSONL}
	const hour = int64(3600e9)
	for s := 0; s < 100; s++ {
		l.Events = append(l.Events, Event{At: 0, Op: Add, Entity: Entity{Kind: Service, Name: fmt.Sprintf("svc-%d", s), Namespace: "default",
			IP: netip.AddrFrom4([4]byte{10, 96, byte(s / 256), byte(s)}), Labels: map[string]string{"app": fmt.Sprintf("app-%d", s)}}})
	}
	type end struct {
		at   int64
		pod  Entity
		addr int
	}
	var pending []end // deletions not yet due, unsorted (few)
	var free []int
	next := 0
	for p := 0; p < 10000; p++ {
		from := int64(p) * hour / 10000
		for i := 0; i < len(pending); {
			if pending[i].at <= from {
				l.Events = append(l.Events, Event{At: pending[i].at, Op: Delete, Entity: pending[i].pod})
				free = append(free, pending[i].addr)
				pending[i] = pending[len(pending)-1]
				pending = pending[:len(pending)-1]
				continue
			}
			i++
		}
		a := next
		if len(free) > 0 {
			a, free = free[len(free)-1], free[:len(free)-1]
		} else {
			next++
		}
		e := Entity{Kind: Pod, Name: fmt.Sprintf("app-%d-7d8f6b9c5d-%05d", p%100, p), Namespace: "default",
			IP: netip.AddrFrom4([4]byte{10, 244, byte(a / 256), byte(a)}), Labels: map[string]string{"app": fmt.Sprintf("app-%d", p%100)}}
		l.Events = append(l.Events, Event{At: from, Op: Add, Entity: e})
		if rng.IntN(2) == 0 {
			pending = append(pending, end{from + 1 + rng.Int64N(180e9), e, a})
		}
	}
	slices.SortStableFunc(l.Events, func(a, b Event) int { return cmp.Compare(a.At, b.At) })
	return l
}

func TestSynthetic10k(t *testing.T) {
	tl := mustBuild(t, synthetic10k(), Options{})
	pods, reused := 0, 0
	seen := make(map[netip.Addr]bool)
	for _, in := range tl.Instances() {
		if in.Kind == Pod {
			pods++
			if seen[in.IP] {
				reused++
			}
			seen[in.IP] = true
		}
		if in.Members != nil {
			t.Fatalf("group %s: the allocator never double-assigns", in.Name)
		}
	}
	if pods != 10000 || reused == 0 {
		t.Errorf("%d pod instances (%d on reused addresses), want 10000 with reuse", pods, reused)
	}
	checkTimeline(t, tl)
}

func BenchmarkTag(b *testing.B) {
	b.Run("shop-demo", func(b *testing.B) {
		l := mustLoad(b, shopDir+"/entities.jsonl")
		tl := mustBuild(b, l, Options{})
		first, last := tl.Span()
		benchTag(b, tl, queries(tl, first, last+240e9, 1<<16))
	})
	b.Run("wordpress-mk5", func(b *testing.B) {
		l := mustLoad(b, oracle(b, mk5Log))
		tl := mustBuild(b, l, Options{Start: testStartNs})
		benchTag(b, tl, queries(tl, testStartNs, testStartNs+10800e9, 1<<16))
	})
	b.Run("synthetic-10k", func(b *testing.B) {
		tl := mustBuild(b, synthetic10k(), Options{})
		benchTag(b, tl, queries(tl, 0, 3600e9, 1<<16))
	})
}

func BenchmarkBuild(b *testing.B) {
	l := synthetic10k()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Build(l, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadPickle(b *testing.B) {
	path := oracle(b, mk5Log)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
}
