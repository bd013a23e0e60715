package engine

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/entities"
)

// DefaultLearning is how long a workload that appears during the analysis
// is learned rather than alarmed on. Runtime-security products learn a new
// workload's behaviour for a while before they enforce a profile; a few
// minutes cover a release's start-up and first calls.
const DefaultLearning = 5 * time.Minute

// LearnedPair is a service pair of a new workload that the analysis took
// into its baseline during the workload's learning period instead of
// flagging it: reported once, in the first window of the finest size that
// showed it.
type LearnedPair struct {
	Pair     string    `json:"pair"`     // "a -> b"
	Workload string    `json:"workload"` // the new service it belongs to
	Appeared time.Time `json:"appeared"` // when the workload appeared in the entity log
	Until    time.Time `json:"until"`    // the end of its learning period
	Bytes    float64   `json:"bytes"`    // bytes on the pair in that window
}

// newWorkloads finds the services that appear during the analysis of
// m's baseline, and when: those the baseline never saw talk that either
// the model does not know at all or that the entity log adds after its
// first state (a service that exists from the start but was quiet in the
// baseline is established, not new). A workload's time is its first
// instance's add, no earlier than the capture's start t0.
func newWorkloads(tl *entities.Timeline, services []string, m *Model, t0 int64) map[string]int64 {
	talked := make(map[string]bool)
	for _, s := range m.Allowlist {
		if p, ok := parseServicePair(s); ok {
			talked[p.src], talked[p.dst] = true, true
		}
	}
	known := knownServices(m.Services)
	logStart, _ := tl.Span()
	first := make(map[string]int64)
	for _, in := range tl.Instances() {
		if in.Superseded {
			continue // replaced as the followed log grew
		}
		if at, ok := first[in.Service]; !ok || in.From < at {
			first[in.Service] = in.From
		}
	}
	out := make(map[string]int64)
	for _, svc := range services {
		at, ok := first[svc]
		if !ok || svc == Outside || svc == Unknown || talked[svc] {
			continue
		}
		if !known[svc] || at > logStart {
			out[svc] = max(at, t0)
		}
	}
	return out
}

// learning is the state of the learning periods along one stream of
// windows: what it has learned so far, shared by the window sizes (pairs
// are learned once, whichever size sees them first).
type learning struct {
	appeared  map[string]int64 // new workload → when it appeared (Unix ns)
	period    int64
	sensitive map[string]bool
}

func newLearning(workloads map[string]int64, period time.Duration, sensitive map[string]bool) *learning {
	if len(workloads) == 0 || period <= 0 {
		return nil
	}
	return &learning{appeared: workloads, period: int64(period), sensitive: sensitive}
}

// learnable is the rule: a pair may be learned in a window starting at
// start when one side is a workload in its learning period and the other
// side is neither a sensitive service nor outside (those edges of a new
// workload alert at once). A new pair between workloads that existed
// before is never learnable. It returns the workload.
func (l *learning) learnable(p servicePair, start, end int64) (string, bool) {
	for _, side := range [2][2]string{{p.src, p.dst}, {p.dst, p.src}} {
		w, other := side[0], side[1]
		at, ok := l.appeared[w]
		if !ok || end <= at || start >= at+l.period {
			continue
		}
		if other == Outside || other == Unknown || l.sensitive[other] {
			return "", false
		}
		return w, true
	}
	return "", false
}

// observe learns into learned what window f shows of the new workloads
// in their learning period, before f is scored, and returns the pairs
// learned for the first time; bv is the model's view.
func (l *learning) observe(f *featurized, bv, learned *baselineView) []LearnedPair {
	win := f.win
	var out []LearnedPair
	for _, p := range sortedPairs(f.edges) {
		e := f.edges[p]
		if e.bytes <= 0 || bv.allow[p] {
			continue
		}
		w, ok := l.learnable(p, win.start, win.end)
		if !ok {
			continue
		}
		if !learned.allow[p] {
			at := l.appeared[w]
			out = append(out, LearnedPair{Pair: p.String(), Workload: w, Appeared: time.Unix(0, at).UTC(),
				Until: time.Unix(0, at+l.period).UTC(), Bytes: e.bytes})
		}
		learned.allow[p] = true
		if e.client > 0 || e.conns > 0 {
			learned.initiated[p] = true
		}
	}
	for k := range windowPorts(win) {
		if _, ok := l.learnable(k.pair, win.start, win.end); ok {
			learned.ports[k] = true
		}
	}
	for i := range win.dns {
		d := &win.dns[i]
		src := win.nodes[d.src].service
		if at, ok := l.appeared[src]; ok && win.end > at && win.start < at+l.period {
			learned.domains[d.domain] = true
		}
	}
	return out
}

// sortedPairs lists the pairs of m in order, so that reports do not
// depend on map order.
func sortedPairs(m map[servicePair]*edgeStat) []servicePair {
	out := slices.Collect(maps.Keys(m))
	slices.SortFunc(out, func(a, b servicePair) int { return cmp.Or(cmp.Compare(a.src, b.src), cmp.Compare(a.dst, b.dst)) })
	return out
}
