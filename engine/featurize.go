package engine

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/mimir-tui/mimir-tui/engine/graph"
)

// featurizer computes everything about a window that depends on the window
// alone. It is immutable and shared by the workers.
type featurizer struct {
	sensitive map[string]bool
	dns       map[string]bool // cluster DNS services
	// ideOrder is the service list of the Ide & Kashima activity vector:
	// services, not pod names, so a model carries to another capture.
	ideOrder []string
}

func newFeaturizer(services, sensitive []string, dns map[string]bool) *featurizer {
	fz := &featurizer{sensitive: make(map[string]bool), dns: dns, ideOrder: withOutside(services)}
	for _, s := range sensitive {
		fz.sensitive[s] = true
	}
	return fz
}

// withOutside returns the scored services, sorted, then outside.
func withOutside(services []string) []string {
	out := sortedCopy(services)
	out = deleteNames(out, Outside, Unknown)
	return append(out, Outside)
}

func deleteNames(s []string, names ...string) []string {
	out := s[:0]
	for _, x := range s {
		keep := x != ""
		for _, n := range names {
			keep = keep && x != n
		}
		if keep {
			out = append(out, x)
		}
	}
	return out
}

// featurized is a window with the features that depend on it alone.
type featurized struct {
	win *window
	// edges is the window's service graph.
	edges map[servicePair]*edgeStat
	// values holds the raw value of every feature the window shows, but
	// the baseline families, which are computed when it is scored.
	values map[featureKey]float64
	// activity is the Ide & Kashima activity vector over ideOrder.
	activity []float64
	// beacons are the beacons alive at the window's end (beacon.go): they
	// depend on the windows before, so the stream that scores the window
	// in order sets them on its own copy.
	beacons []beaconHit
}

// featurize computes the window-only features of win.
func (fz *featurizer) featurize(win *window) *featurized {
	m := measure(win, fz.sensitive)
	f := &featurized{win: win, edges: m.edges, values: make(map[featureKey]float64, 4*len(m.edges)+16)}
	for id := range families {
		fam := &families[id]
		if fam.extract == nil {
			continue
		}
		fam.extract(m, func(a, b string, x float64) {
			f.values[featureKey{fam: famID(id), a: a, b: b}] = x
		})
	}
	f.activity = fz.activity(win)
	return f
}

// activity is the principal eigenvector of the service graph's symmetric
// byte adjacency over the featurizer's service list.
func (fz *featurizer) activity(win *window) []float64 {
	if len(win.edges) == 0 {
		return make([]float64, len(fz.ideOrder))
	}
	sg := win.podGraph().Collapse(func(id int) string { return win.nodes[id].service })
	return graph.Activity(sg, fz.ideOrder)
}

// baselineView is what the scoring of a window may know of the baseline:
// the service pairs it saw, the pairs on which it saw client traffic, the
// DNS domains it saw queried and its feature statistics. For a baseline
// window these come from the other folds of the baseline, so that its
// score is as honest as a later window's.
type baselineView struct {
	allow     map[servicePair]bool
	initiated map[servicePair]bool
	domains   map[string]bool
	ports     map[servicePort]bool // the ports connections were opened to, per service pair
	beacons   map[beaconID]bool    // beacons (beacon.go) the baseline showed
	scaler    *scaler
	// learned, when set, is what the analysis learned since the baseline
	// (new workloads in their learning period, learning.go): known too.
	learned *baselineView
}

// knows reports whether the baseline saw traffic on pair p.
func (bv *baselineView) knows(p servicePair) bool {
	return bv.allow[p] || (bv.learned != nil && bv.learned.allow[p])
}

// called reports whether the baseline saw a client call along p.
func (bv *baselineView) called(p servicePair) bool {
	return bv.initiated[p] || (bv.learned != nil && bv.learned.initiated[p])
}

// queried reports whether the baseline saw the registered domain queried.
func (bv *baselineView) queried(domain string) bool {
	return bv.domains[domain] || (bv.learned != nil && bv.learned.domains[domain])
}

// knownBeacon reports whether the baseline showed beacon b.
func (bv *baselineView) knownBeacon(b beaconID) bool {
	return bv.beacons[b] || (bv.learned != nil && bv.learned.beacons[b])
}

// usedPort reports whether the baseline saw connections opened to k.
func (bv *baselineView) usedPort(k servicePort) bool {
	return bv.ports[k] || (bv.learned != nil && bv.learned.ports[k])
}

// servicePort is a port connections were opened to along a service pair.
type servicePort struct {
	pair  servicePair
	proto uint8
	port  uint16
}

func (sp servicePort) String() string {
	return fmt.Sprintf("%s %s/%d", sp.pair, protocolName(sp.proto), sp.port)
}

// parseServicePort reads "a -> b tcp/8080".
func parseServicePort(s string) (servicePort, bool) {
	i := strings.LastIndexByte(s, ' ')
	if i < 0 {
		return servicePort{}, false
	}
	pair, ok := parseServicePair(s[:i])
	proto, port, ok2 := strings.Cut(s[i+1:], "/")
	n, err := strconv.ParseUint(port, 10, 16)
	if !ok || !ok2 || err != nil {
		return servicePort{}, false
	}
	return servicePort{pair: pair, proto: protocolNumber(proto), port: uint16(n)}, true
}

func newBaselineView() *baselineView {
	return &baselineView{allow: map[servicePair]bool{}, initiated: map[servicePair]bool{}, domains: map[string]bool{},
		ports: map[servicePort]bool{}, beacons: map[beaconID]bool{}}
}

// windowPorts lists the service ports connections were opened to in win.
func windowPorts(win *window) map[servicePort]uint32 {
	out := make(map[servicePort]uint32)
	for _, t := range win.targets {
		k := servicePort{servicePair{win.nodes[t.u].service, win.nodes[t.v].service}, t.proto, t.port}
		out[k] += t.count
	}
	return out
}

// learn adds what window f shows to the view's sets.
func (bv *baselineView) learn(f *featurized) {
	for p, e := range f.edges {
		if e.bytes > 0 {
			bv.allow[p] = true
			if e.client > 0 || e.conns > 0 {
				bv.initiated[p] = true
			}
		}
	}
	for i := range f.win.dns {
		if d := &f.win.dns[i]; !f.win.nodes[d.src].dns {
			bv.domains[d.domain] = true
		}
	}
	for k := range windowPorts(f.win) {
		bv.ports[k] = true
	}
	for _, b := range f.beacons {
		bv.beacons[b.id] = true
	}
}

// baselineValues computes the features of f that compare it with the
// baseline bv: new service pairs and their bytes, client traffic along
// pairs that never saw any, and DNS domains never queried.
func baselineValues(f *featurized, bv *baselineView) map[featureKey]float64 {
	var pairs, bytes, initiations float64
	for p, e := range f.edges {
		if !bv.knows(p) && e.bytes > 0 {
			pairs++
			bytes += e.bytes
		}
		if e.client > 0 && !bv.called(p) {
			initiations += e.client
		}
	}
	seen := make(map[string]bool)
	for i := range f.win.dns {
		d := &f.win.dns[i]
		if !bv.queried(d.domain) && !f.win.nodes[d.src].dns {
			seen[d.domain] = true
		}
	}
	var ports, beacons float64
	for k := range windowPorts(f.win) {
		if bv.newPort(k) {
			ports++
		}
	}
	for _, b := range f.beacons {
		if !bv.knownBeacon(b.id) {
			beacons++
		}
	}
	return map[featureKey]float64{
		{fam: fam(famNewPairs)}:       pairs,
		{fam: fam(famNewPairBytes)}:   bytes,
		{fam: fam(famNewInitiations)}: initiations,
		{fam: fam(famDNSNewDomains)}:  float64(len(seen)),
		{fam: fam(famNewPorts)}:       ports,
		{fam: fam(famNewBeacons)}:     beacons,
	}
}

// newPort reports whether k is a port the baseline never saw used along a
// pair on which it saw connections opened (a new pair says more).
func (bv *baselineView) newPort(k servicePort) bool {
	return bv.called(k.pair) && !bv.usedPort(k)
}

// transform applies family f's scaling to a raw value.
func (f *family) transform(x float64) float64 {
	if f.log {
		return math.Log1p(math.Max(x, 0))
	}
	return x
}

// untransform maps a transformed value (a median, say) back to raw units.
func (f *family) untransform(x float64) float64 {
	if f.log {
		return math.Expm1(x)
	}
	return x
}
