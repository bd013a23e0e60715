package main

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/mimir-tui/mimir-tui/loaders/entities"
)

func ev(op entities.Op, name, ip string) entities.Event {
	e := entities.Event{Op: op, Entity: entities.Entity{Kind: entities.Pod, Name: name, Namespace: "default"}}
	if ip != "" {
		e.Entity.IP = netip.MustParseAddr(ip)
	}
	return e
}

// The replay writes changes only, and an add that takes a live entity's
// address deletes that entity first.
func TestReplayWritesChangesOnly(t *testing.T) {
	const add, del = entities.Add, entities.Delete
	for _, tc := range []struct {
		name string
		in   []entities.Event
		want string // the events written, in order
	}{
		{"add, repeated add, delete, repeated delete",
			[]entities.Event{ev(add, "a", "10.0.0.1"), ev(add, "a", "10.0.0.1"), ev(del, "a", "10.0.0.1"), ev(del, "a", "10.0.0.1")},
			"add a 10.0.0.1; delete a 10.0.0.1"},
		{"a later pod keeps the address until the earlier one comes back",
			[]entities.Event{ev(add, "b", "10.0.0.1"), ev(add, "a", "10.0.0.1")},
			"add b 10.0.0.1; delete b 10.0.0.1; add a 10.0.0.1"},
		{"a new address is written",
			[]entities.Event{ev(add, "a", "10.0.0.1"), ev(add, "a", "10.0.0.2"), ev(add, "b", "10.0.0.1")},
			"add a 10.0.0.1; add a 10.0.0.2; add b 10.0.0.1"},
		{"entities without an address",
			[]entities.Event{ev(add, "a", ""), ev(add, "b", ""), ev(add, "a", "")},
			"add a invalid IP; add b invalid IP"},
	} {
		r := newReplay()
		var got []string
		for _, e := range tc.in {
			for _, o := range r.step(e, nil) {
				got = append(got, fmt.Sprintf("%s %s %v", o.Op, o.Entity.Name, o.Entity.IP))
			}
		}
		if s := strings.Join(got, "; "); s != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, s, tc.want)
		}
	}
}

// Events before the first packet move into the gap before a later
// repetition, those after the last packet into the gap after all but the
// last: first packet 100, last 400, period 500 (gap 200), 3 repetitions.
func TestEventTimeKeepsRepetitionsApart(t *testing.T) {
	b := &build{t0: 100, tl: 400, period: 500, gap: 200, reps: 3}
	for _, tc := range []struct {
		u    int64
		r    int
		want int64
	}{
		{-50, 0, -50}, // the source's own setup stays in the first repetition
		{250, 0, 250},
		{480, 0, 450}, // after the last packet: a quarter of the gap after it
		{-50, 1, 500}, // before the first packet: half the gap before it
		{30, 1, 530},
		{250, 1, 750},
		{480, 2, 1480}, // the last repetition keeps its tail
	} {
		if got := b.eventTime(tc.u, tc.r); got != tc.want {
			t.Errorf("eventTime(%d, %d) = %d, want %d", tc.u, tc.r, got, tc.want)
		}
	}
}
