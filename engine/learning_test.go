package engine

import (
	"testing"
	"time"
)

// The learning rule, one case per clause of the issue: a new workload's
// pairs with existing services are learned during its period; its edges
// to a sensitive service or outside, pairs after the period, and pairs
// between workloads that existed before are not.
func TestLearnable(t *testing.T) {
	const at = int64(100e9)
	l := newLearning(map[string]int64{"recommender": at, "batch": at}, 5*time.Minute, map[string]bool{"shop-db": true})
	sec := func(s float64) int64 { return at + int64(s*1e9) }
	cases := []struct {
		name       string
		p          servicePair
		start, end int64
		want       string // the workload, "" when not learnable
	}{
		{"caller of the new workload", servicePair{"front-end", "recommender"}, sec(10), sec(20), "recommender"},
		{"the new workload calls", servicePair{"recommender", "catalogue"}, sec(10), sec(20), "recommender"},
		{"two new workloads", servicePair{"recommender", "batch"}, sec(10), sec(20), "recommender"},
		{"window straddling its appearance", servicePair{"recommender", "user"}, sec(-5), sec(5), "recommender"},
		{"to a sensitive service", servicePair{"recommender", "shop-db"}, sec(10), sec(20), ""},
		{"from a sensitive service", servicePair{"shop-db", "recommender"}, sec(10), sec(20), ""},
		{"to outside", servicePair{"recommender", Outside}, sec(10), sec(20), ""},
		{"to an unknown address", servicePair{"recommender", Unknown}, sec(10), sec(20), ""},
		{"after the period", servicePair{"recommender", "catalogue"}, sec(300), sec(310), ""},
		{"before it appeared", servicePair{"recommender", "catalogue"}, sec(-20), sec(-10), ""},
		{"between existing workloads", servicePair{"front-end", "catalogue"}, sec(10), sec(20), ""},
	}
	for _, c := range cases {
		w, ok := l.learnable(c.p, c.start, c.end)
		if ok != (c.want != "") || w != c.want {
			t.Errorf("%s: %q %v, want %q", c.name, w, ok, c.want)
		}
	}
	if newLearning(nil, time.Minute, nil) != nil || newLearning(map[string]int64{"x": 1}, 0, nil) != nil {
		t.Error("no workloads, or learning off, still learns")
	}
}

// Each learned pair is reported once, in the first window that shows it,
// and is known from then on; an unlearnable new pair stays unknown.
func TestLearningReportsOnce(t *testing.T) {
	const at = int64(0)
	l := newLearning(map[string]int64{"recommender": at}, time.Minute, map[string]bool{"shop-db": true})
	bv := newBaselineView()
	bv.allow[servicePair{"front-end", "catalogue"}] = true
	edges := map[servicePair]*edgeStat{
		{"front-end", "recommender"}: {bytes: 500, client: 500, conns: 1},
		{"recommender", "shop-db"}:   {bytes: 300, client: 300},
		{"front-end", "catalogue"}:   {bytes: 900},
	}
	var reported []string
	learned := newBaselineView()
	for w := range 3 {
		win := &window{index: w, start: int64(w) * 10e9, end: int64(w+1) * 10e9}
		for _, lp := range l.observe(&featurized{win: win, edges: edges}, bv, learned) {
			reported = append(reported, lp.Pair)
		}
	}
	if len(reported) != 1 || reported[0] != "front-end -> recommender" {
		t.Fatalf("reported %v, want front-end -> recommender once", reported)
	}
	v := *bv
	v.learned = learned
	if !v.knows(servicePair{"front-end", "recommender"}) || !v.called(servicePair{"front-end", "recommender"}) {
		t.Error("the learned pair is not known after learning")
	}
	if v.knows(servicePair{"recommender", "shop-db"}) {
		t.Error("the new workload's edge to the sensitive service was learned")
	}
	if bv.knows(servicePair{"front-end", "recommender"}) {
		t.Error("learning changed the model's own baseline view")
	}
}
