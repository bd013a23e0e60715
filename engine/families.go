package engine

import (
	"fmt"
	"strings"
)

// famID indexes families.
type famID uint8

// scope says what one feature of a family is about.
type scope uint8

const (
	scopeGlobal  scope = iota // one value per window
	scopeService              // one per service inside the cluster
	scopeNode                 // one per service-graph node, outside included
	scopePair                 // one per ordered service pair a -> b
	scopeUPair                // one per unordered service pair {a, b}, a ≤ b
)

// aggregate is a way a keyed family enters the model: the model sees a
// fixed number of inputs per family, whatever the number of services, so
// training cost does not grow with the square of the services and a model
// trained on attacks from some services recognises them from any other.
type aggregate uint8

const (
	aggMax       aggregate = 1 << iota // max_z[f]: the largest robust z among the family's features
	aggMin                             // min_z[f]: the smallest (for ratios, where a drop is news)
	aggExcess                          // excess_z[f]: Σ max(0, z − reasonZ), several edges standing out at once
	aggSensitive                       // sens_z[f]: the largest z among the features about a sensitive service (as the source)
)

// family is one row of the feature table: everything the engine knows
// about a family of features except how its values are measured, which is
// its extract function reading the window's measures (measures.go).
// Adding a family is one row here and, if it needs a new measure, one
// field in the measures.
type family struct {
	name  string
	scope scope
	// doc describes one feature; %s is its service or pair.
	doc string
	// log scales the values as log(1+x): volumes and counts, so that a z
	// measures ratios rather than raw differences.
	log bool
	// floor is the smallest spread the robust z divides by, in the
	// family's own (transformed) units: a baseline in which a feature
	// barely moved must not turn small changes into z = 100.
	floor float64
	// missing: the value is undefined (NaN), not 0, when there is nothing
	// to measure (a ratio without traffic); a missing value scores z = 0.
	missing bool
	// baseline: the value compares the window with what the baseline saw,
	// so it is computed when the window is scored.
	baseline bool
	// aggs are the model inputs of a keyed family.
	aggs aggregate
	// extract emits the family's values from a window's measures; nil
	// for baseline families (see baselineValue).
	extract func(m *measures, emit emitFunc)
	// edges says which service edges carry a contribution of feature k,
	// with relative weights; nil for a family no edge can show evidence
	// of (it has no reasons).
	edges func(x *explainCtx, k featureKey) []edgeShare
	// reasons are the codes of the evidence (reasons.go) an edge can show
	// for this family. An edge is flagged only for reasons, and ranked by
	// the contributions of the families whose reasons it shows.
	reasons []string
}

// emitFunc records the value of a family's feature about a (and b).
type emitFunc func(a, b string, x float64)

// logIQRFloor is the IQR floor of log-scaled families: half a unit of
// log(1+x), a change by a factor of about 1.6.
const logIQRFloor = 0.5

// Family names: model files and the README's feature names use them.
const (
	famVIPBypass      = "vip_bypass"
	famReciprocity    = "reciprocity"
	famEdgeCV         = "edge_cv"
	famHarmonic       = "harmonic"
	famCurrentFlowCV  = "cfb_cv"
	famOutsideBytes   = "outside_bytes"
	famOutsideConns   = "outside_conns"
	famOutsidePeers   = "outside_peers"
	famPairBytes      = "bytes"
	famPairConns      = "conns"
	famNewPairs       = "new_pairs"
	famNewPairBytes   = "new_pair_bytes"
	famDNSQueries     = "dns_queries"
	famDNSBytes       = "dns_bytes"
	famDNSNameLen     = "dns_name_len"
	famDNSMaxNameLen  = "dns_max_name_len"
	famDNSEntropy     = "dns_entropy"
	famDNSNamesPerDom = "dns_names_per_domain"
	famDNSNewDomains  = "dns_new_domains"
	famNewInitiations = "new_initiations"
	famDNSOutBytes    = "dns_out_bytes"
	famFanOut         = "fanout"
	famUnknownBytes   = "unknown_bytes"
	famNewPorts       = "new_ports"
	famNewBeacons     = "new_beacons"
)

// families is the feature table (method.md §5 and this project's own
// families, README "How it works").
var families = []family{
	{name: famVIPBypass, scope: scopeGlobal, floor: 0.05,
		doc:     "VIP bypass: |Σ(pod→VIP − pod→pod bytes)| / Σ pod→pod bytes over (pod, service) keys",
		extract: func(m *measures, emit emitFunc) { emitIf(emit, "", "", m.vipBypass, m.hasPodPod) }},
	{name: famReciprocity, scope: scopeUPair, floor: 0.05, missing: true, aggs: aggMax | aggMin,
		doc:     "weighted reciprocity of %s traffic: Σ min(w_ij, w_ji) / Σ w_ij",
		extract: extractReciprocity, edges: pairEdgesBoth, reasons: []string{ReasonStructure}},
	{name: famEdgeCV, scope: scopePair, floor: 0.1, missing: true, aggs: aggMax | aggMin,
		doc:     "coefficient of variation of the edge bytes from the pods of %s",
		extract: extractEdgeCV, edges: pairEdge, reasons: []string{ReasonStructure}},
	{name: famHarmonic, scope: scopeNode, floor: 0.05, aggs: aggMax | aggMin,
		doc:     "harmonic centrality of %s on the service graph (incoming paths, length = total/bytes)",
		extract: extractHarmonic, edges: edgesInto, reasons: []string{ReasonStructure}},
	{name: famCurrentFlowCV, scope: scopeService, floor: 0.1, missing: true, aggs: aggMax | aggMin,
		doc:     "std/mean over the pods of %s of current-flow betweenness from the sensitive pods to outside",
		extract: extractCurrentFlow},
	{name: famOutsideBytes, scope: scopeService, log: true, aggs: aggMax | aggExcess | aggSensitive,
		doc:     "bytes from %s to outside the cluster",
		extract: func(m *measures, emit emitFunc) { emitMap(emit, m.outsideBytes) }, edges: edgeToOutside, reasons: outsideReasons},
	{name: famOutsideConns, scope: scopeService, log: true, aggs: aggMax,
		doc:     "connections %s opened to outside the cluster",
		extract: func(m *measures, emit emitFunc) { emitMap(emit, m.outsideConns) }, edges: edgeToOutside, reasons: outsideReasons},
	{name: famOutsidePeers, scope: scopeService, log: true, aggs: aggMax,
		doc:     "distinct outside addresses %s talked to",
		extract: func(m *measures, emit emitFunc) { emitMap(emit, m.outsidePeers) }, edges: edgeToOutside, reasons: outsideReasons},
	{name: famPairBytes, scope: scopePair, log: true, aggs: aggMax | aggExcess | aggSensitive,
		doc:     "bytes on the service edge %s",
		extract: func(m *measures, emit emitFunc) { emitPairs(emit, m, func(e *edgeStat) float64 { return e.bytes }) },
		edges:   pairEdge, reasons: []string{ReasonBytes}},
	{name: famPairConns, scope: scopePair, log: true, aggs: aggMax | aggExcess | aggSensitive,
		doc:     "connections opened on the service edge %s",
		extract: func(m *measures, emit emitFunc) { emitPairs(emit, m, func(e *edgeStat) float64 { return e.conns }) },
		edges:   pairEdge, reasons: []string{ReasonConnections}},
	{name: famNewPairs, scope: scopeGlobal, log: true, baseline: true,
		doc: "service pairs never seen in the baseline", edges: newPairEdges, reasons: []string{ReasonNewPair}},
	{name: famNewPairBytes, scope: scopeGlobal, log: true, baseline: true,
		doc: "bytes on service pairs never seen in the baseline", edges: newPairEdges, reasons: []string{ReasonNewPair}},
	{name: famDNSQueries, scope: scopeService, log: true, aggs: aggMax,
		doc:     "DNS queries sent by %s",
		extract: func(m *measures, emit emitFunc) { emitDNS(emit, m, func(d *dnsAgg) float64 { return d.queries }) },
		edges:   edgesToDNS, reasons: []string{ReasonDNSTunnel}},
	{name: famDNSBytes, scope: scopeService, log: true, aggs: aggMax | aggSensitive,
		doc:     "bytes %s sent to the cluster DNS",
		extract: func(m *measures, emit emitFunc) { emitMap(emit, m.dnsBytes) }, edges: edgesToDNS, reasons: []string{ReasonDNSTunnel}},
	{name: famDNSNameLen, scope: scopeService, floor: 2, missing: true, aggs: aggMax,
		doc:     "mean DNS query-name length of %s",
		extract: func(m *measures, emit emitFunc) { emitDNS(emit, m, (*dnsAgg).meanLen) }, edges: edgesToDNS, reasons: []string{ReasonDNSTunnel}},
	{name: famDNSMaxNameLen, scope: scopeService, floor: 2, missing: true, aggs: aggMax,
		doc:     "longest DNS query name of %s",
		extract: func(m *measures, emit emitFunc) { emitDNS(emit, m, func(d *dnsAgg) float64 { return d.maxLen }) },
		edges:   edgesToDNS, reasons: []string{ReasonDNSTunnel}},
	{name: famDNSEntropy, scope: scopeService, floor: 0.25, missing: true, aggs: aggMax,
		doc:     "mean entropy (bits/char) of the subdomain part of %s's DNS query names",
		extract: func(m *measures, emit emitFunc) { emitDNS(emit, m, (*dnsAgg).meanEntropy) }, edges: edgesToDNS, reasons: []string{ReasonDNSTunnel}},
	{name: famDNSNamesPerDom, scope: scopeService, log: true, aggs: aggMax | aggSensitive,
		doc:     "most distinct DNS names %s asked under one registered domain",
		extract: func(m *measures, emit emitFunc) { emitDNS(emit, m, func(d *dnsAgg) float64 { return d.maxNames }) },
		edges:   edgesToDNS, reasons: []string{ReasonDNSTunnel}},
	{name: famDNSNewDomains, scope: scopeGlobal, log: true, baseline: true,
		doc: "registered domains queried that were never queried in the baseline", edges: newDomainEdges, reasons: []string{ReasonDNSTunnel}},
	{name: famNewInitiations, scope: scopeGlobal, log: true, baseline: true,
		doc:   "bytes sent as a client along service pairs on which the baseline saw no client traffic (a database calling out, say)",
		edges: newInitiationEdges, reasons: []string{ReasonNewInitiator}},
	{name: famDNSOutBytes, scope: scopeGlobal, log: true,
		doc:     "DNS bytes leaving the cluster",
		extract: func(m *measures, emit emitFunc) { emit("", "", m.dnsOut) }, edges: dnsOutEdges, reasons: []string{ReasonDNSTunnel}},
	{name: famFanOut, scope: scopeService, log: true, aggs: aggMax,
		doc:     "most distinct address:port endpoints one pod of %s opened connections to",
		extract: func(m *measures, emit emitFunc) { emitMap(emit, m.fanOut) }, edges: fanOutEdges, reasons: []string{ReasonFanOut}},
	{name: famNewPorts, scope: scopeGlobal, log: true, baseline: true,
		doc:   "service ports never used in the baseline between two services that talked there (an admin, metrics or debug port of a known peer)",
		edges: newPortEdges, reasons: []string{ReasonNewPort}},
	{name: famNewBeacons, scope: scopeGlobal, log: true, baseline: true,
		doc:   "pods connecting to an outside address:port at regular intervals with regular sizes, over a history longer than a window, that the baseline never showed (a command-and-control beacon)",
		edges: beaconEdges, reasons: []string{ReasonBeacon}},
	{name: famUnknownBytes, scope: scopeGlobal, log: true,
		doc:     "bytes to or from in-cluster addresses no entity held",
		extract: func(m *measures, emit emitFunc) { emit("", "", m.unknownBytes) }, edges: unknownEdges, reasons: []string{ReasonUnknown}},
}

// outsideReasons are the evidence of traffic to outside: from a sensitive
// service at all, from another above its baseline.
var outsideReasons = []string{ReasonSensitiveOutside, ReasonOutside}

// famIndex maps a family name to its row.
var famIndex = func() map[string]famID {
	m := make(map[string]famID, len(families))
	for i := range families {
		f := &families[i]
		if f.log {
			f.floor = logIQRFloor
		}
		m[f.name] = famID(i)
	}
	return m
}()

// fam returns the row of a family known to exist.
func fam(name string) famID {
	id, ok := famIndex[name]
	if !ok {
		panic("engine: no family " + name)
	}
	return id
}

// featureKey names one feature: a family and the service or pair it is
// about ("" where unused).
type featureKey struct {
	fam  famID
	a, b string
}

// Name is the feature's stable name, e.g. "bytes[a->b]",
// "reciprocity[a,b]", "fanout[a]" or "new_pairs".
func (k featureKey) Name() string {
	f := &families[k.fam]
	switch f.scope {
	case scopePair:
		return fmt.Sprintf("%s[%s->%s]", f.name, k.a, k.b)
	case scopeUPair:
		return fmt.Sprintf("%s[%s,%s]", f.name, k.a, k.b)
	case scopeService, scopeNode:
		return fmt.Sprintf("%s[%s]", f.name, k.a)
	}
	return f.name
}

// Describe is the feature's one-line description.
func (k featureKey) Describe() string {
	f := &families[k.fam]
	desc := f.doc
	if strings.Contains(desc, "%s") {
		target := k.a
		switch f.scope {
		case scopePair:
			target = k.a + " → " + k.b
			if f.name == famEdgeCV {
				return fmt.Sprintf("coefficient of variation of the edge bytes from the pods of %s to the pods/VIP of %s", k.a, k.b)
			}
		case scopeUPair:
			target = k.a + " ↔ " + k.b
		}
		desc = fmt.Sprintf(desc, target)
	}
	if f.log {
		desc += " (scaled as log(1+x))"
	}
	return desc
}

// pair returns the service pair a pair feature is about.
func (k featureKey) pair() servicePair { return servicePair{k.a, k.b} }

// parseFeatureKey reads a feature key from its family name and targets,
// as stored in model files.
func parseFeatureKey(name, a, b string) (featureKey, error) {
	id, ok := famIndex[name]
	if !ok {
		return featureKey{}, fmt.Errorf("unknown feature family %q", name)
	}
	k := featureKey{fam: id, a: a, b: b}
	switch families[id].scope {
	case scopeGlobal:
		if a != "" || b != "" {
			return k, fmt.Errorf("feature %s takes no service", name)
		}
	case scopeService, scopeNode:
		if a == "" || b != "" {
			return k, fmt.Errorf("feature %s takes one service", name)
		}
	default:
		if a == "" || b == "" {
			return k, fmt.Errorf("feature %s takes a pair of services", name)
		}
	}
	return k, nil
}

func emitIf(emit emitFunc, a, b string, x float64, ok bool) {
	if ok {
		emit(a, b, x)
	}
}

func emitMap(emit emitFunc, m map[string]float64) {
	for s, x := range m {
		emit(s, "", x)
	}
}
