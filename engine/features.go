package engine

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/mimir-tui/mimir-tui/engine/graph"
)

// Feature families. Each family is one or more columns, named
// family, family[service] or family[a->b] / family[a,b].
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
	famMaxFineScore   = "max_fine_score" // second stage of a coarse series
)

// familyDoc describes each family; %s is the service or pair.
var familyDoc = map[string]string{
	famVIPBypass:      "VIP bypass: |Σ(pod→VIP − pod→pod bytes)| / Σ pod→pod bytes over (pod, service) keys",
	famReciprocity:    "weighted reciprocity of %s traffic: Σ min(w_ij, w_ji) / Σ w_ij",
	famEdgeCV:         "coefficient of variation of the edge bytes from the pods of %s",
	famHarmonic:       "harmonic centrality of %s on the service graph (incoming paths, length = total/bytes)",
	famCurrentFlowCV:  "std/mean over the pods of %s of current-flow betweenness from the sensitive pods to outside",
	famOutsideBytes:   "bytes from %s to outside the cluster",
	famOutsideConns:   "connections %s opened to outside the cluster",
	famOutsidePeers:   "distinct outside addresses %s talked to",
	famPairBytes:      "bytes on the service edge %s",
	famPairConns:      "connections opened on the service edge %s",
	famNewPairs:       "service pairs never seen in the baseline",
	famNewPairBytes:   "bytes on service pairs never seen in the baseline",
	famDNSQueries:     "DNS queries sent by %s",
	famDNSBytes:       "bytes %s sent to the cluster DNS",
	famDNSNameLen:     "mean DNS query-name length of %s",
	famDNSMaxNameLen:  "longest DNS query name of %s",
	famDNSEntropy:     "mean entropy (bits/char) of the subdomain part of %s's DNS query names",
	famDNSNamesPerDom: "most distinct DNS names %s asked under one registered domain",
	famDNSNewDomains:  "registered domains queried that were never queried in the baseline",
	famNewInitiations: "bytes sent as a client along service pairs on which the baseline saw no client traffic (a database calling out, say)",
	famDNSOutBytes:    "DNS bytes leaving the cluster",
	famFanOut:         "most distinct address:port endpoints one pod of %s opened connections to",
	famUnknownBytes:   "bytes to or from in-cluster addresses no entity held",
	famMaxFineScore:   "highest score of the finer windows inside this window",
}

// logFamilies are volumes and counts, scaled as log(1+x) so a robust z
// measures ratios rather than raw differences.
var logFamilies = map[string]bool{
	famOutsideBytes: true, famOutsideConns: true, famOutsidePeers: true,
	famPairBytes: true, famPairConns: true, famNewPairs: true, famNewPairBytes: true,
	famDNSQueries: true, famDNSBytes: true, famDNSNamesPerDom: true, famDNSNewDomains: true, famNewInitiations: true,
	famDNSOutBytes: true, famFanOut: true, famUnknownBytes: true,
}

// iqrFloor is the smallest spread a family's robust z divides by. A
// baseline in which a feature barely moved (or did not move: method.md's
// "IQR 0 -> 1") must not turn small, harmless changes into z = 100; the
// floors are in the family's own units (log units for logFamilies).
var iqrFloor = map[string]float64{
	famVIPBypass:     0.05,
	famReciprocity:   0.05,
	famEdgeCV:        0.1,
	famHarmonic:      0.05,
	famCurrentFlowCV: 0.1,
	famDNSNameLen:    2,
	famDNSMaxNameLen: 2,
	famDNSEntropy:    0.25,
}

// logIQRFloor is the floor of the logFamilies: half a unit of log(1+x),
// a change by a factor of about 1.6.
const logIQRFloor = 0.5

// missingFamilies are ratios and means that are undefined, not zero, when
// there is nothing to measure (no traffic between two services, no DNS
// query): they are NaN, and a missing value scores z = 0 (method.md §6).
var missingFamilies = map[string]bool{
	famReciprocity: true, famEdgeCV: true, famCurrentFlowCV: true,
	famDNSNameLen: true, famDNSMaxNameLen: true, famDNSEntropy: true,
}

// column is one feature.
type column struct {
	FeatureInfo
	log      bool   // scaled as log(1+x)
	a, b     string // the service (a) or pair (a, b) it is about
	baseline bool   // depends on what the baseline saw (computed at scoring time)
}

// featureSet is the fixed list of columns for a run and the code that
// fills them for a window.
type featureSet struct {
	cols      []column
	index     map[string]int
	services  []string // scored services, sorted, then "outside"
	svcIdx    map[string]int
	sensitive map[string]bool

	// first column of each per-service or per-pair family.
	at map[string]int
}

// newFeatureSet lays out the columns for the given services (outside is
// added) and sensitive services.
func newFeatureSet(services []string, sensitive []string) *featureSet {
	svcs := slices.Clone(services)
	svcs = slices.DeleteFunc(svcs, func(s string) bool { return s == Outside || s == Unknown })
	sort.Strings(svcs)
	svcs = slices.Compact(svcs)
	svcs = append(svcs, Outside)
	fs := &featureSet{
		index:     make(map[string]int),
		services:  svcs,
		svcIdx:    make(map[string]int),
		sensitive: make(map[string]bool),
		at:        make(map[string]int),
	}
	for i, s := range svcs {
		fs.svcIdx[s] = i
	}
	for _, s := range sensitive {
		fs.sensitive[s] = true
	}
	inside := svcs[:len(svcs)-1]
	fs.add(famVIPBypass, "", "")
	fs.family(famReciprocity)
	for i, a := range svcs {
		for _, b := range svcs[i:] {
			fs.add(famReciprocity, a, b)
		}
	}
	fs.family(famEdgeCV)
	for _, a := range svcs {
		for _, b := range svcs {
			fs.add(famEdgeCV, a, b)
		}
	}
	for _, fam := range []string{famHarmonic} {
		fs.family(fam)
		for _, s := range svcs {
			fs.add(fam, s, "")
		}
	}
	for _, fam := range []string{famCurrentFlowCV, famOutsideBytes, famOutsideConns, famOutsidePeers,
		famDNSQueries, famDNSBytes, famDNSNameLen, famDNSMaxNameLen, famDNSEntropy, famDNSNamesPerDom, famFanOut} {
		fs.family(fam)
		for _, s := range inside {
			fs.add(fam, s, "")
		}
	}
	for _, fam := range []string{famPairBytes, famPairConns} {
		fs.family(fam)
		for _, a := range svcs {
			for _, b := range svcs {
				fs.add(fam, a, b)
			}
		}
	}
	for _, fam := range []string{famDNSOutBytes, famUnknownBytes, famNewPairs, famNewPairBytes, famDNSNewDomains, famNewInitiations} {
		fs.add(fam, "", "")
	}
	return fs
}

// check verifies that a model's column names start with exactly the
// base columns fs lays out; anything else means the model is not ours.
func (fs *featureSet) check(names []string) error {
	if len(names) < len(fs.cols) {
		return fmt.Errorf("model has %d features, its services imply at least %d: the model file is damaged or from another version; retrain it", len(names), len(fs.cols))
	}
	for i, c := range fs.cols {
		if names[i] != c.Name {
			return fmt.Errorf("model feature %d is %q, expected %q: the model file is damaged or from another version; retrain it", i, names[i], c.Name)
		}
	}
	return nil
}

func (fs *featureSet) family(fam string) { fs.at[fam] = len(fs.cols) }

func (fs *featureSet) add(fam, a, b string) {
	name := fam
	target := ""
	switch {
	case a != "" && b != "" && (fam == famReciprocity):
		name = fmt.Sprintf("%s[%s,%s]", fam, a, b)
		target = a + " ↔ " + b
	case a != "" && b != "":
		name = fmt.Sprintf("%s[%s->%s]", fam, a, b)
		target = a + " → " + b
	case a != "":
		name = fmt.Sprintf("%s[%s]", fam, a)
		target = a
	}
	desc := familyDoc[fam]
	if strings.Contains(desc, "%s") {
		desc = fmt.Sprintf(desc, target)
	}
	if fam == famEdgeCV && b != "" {
		desc = fmt.Sprintf("coefficient of variation of the edge bytes from the pods of %s to the pods/VIP of %s", a, b)
	}
	if logFamilies[fam] {
		desc += " (scaled as log(1+x))"
	}
	c := column{
		FeatureInfo: FeatureInfo{Name: name, Family: fam, Description: desc},
		log:         logFamilies[fam],
		a:           a,
		b:           b,
		baseline:    fam == famNewPairs || fam == famNewPairBytes || fam == famDNSNewDomains || fam == famNewInitiations,
	}
	fs.index[name] = len(fs.cols)
	fs.cols = append(fs.cols, c)
}

func (fs *featureSet) infos() []FeatureInfo {
	out := make([]FeatureInfo, len(fs.cols))
	for i, c := range fs.cols {
		out[i] = c.FeatureInfo
	}
	return out
}

// svc returns the index of service s in fs.services, or -1 when it is
// not scored (a service the model never saw).
func (fs *featureSet) svc(s string) int {
	if i, ok := fs.svcIdx[s]; ok {
		return i
	}
	return -1
}

// perService returns the column of family fam for service s, or -1.
func (fs *featureSet) perService(fam, s string) int {
	i := fs.svc(s)
	if i < 0 || (s == Outside && fam != famHarmonic) {
		return -1
	}
	return fs.at[fam] + i
}

// perPair returns the column of an ordered-pair family for a -> b, or -1.
func (fs *featureSet) perPair(fam, a, b string) int {
	i, j := fs.svc(a), fs.svc(b)
	if i < 0 || j < 0 {
		return -1
	}
	return fs.at[fam] + i*len(fs.services) + j
}

// reciprocityCol returns the column of reciprocity[a,b] (order-free), or -1.
func (fs *featureSet) reciprocityCol(a, b string) int {
	i, j := fs.svc(a), fs.svc(b)
	if i < 0 || j < 0 {
		return -1
	}
	if i > j {
		i, j = j, i
	}
	n := len(fs.services)
	// Row i of the upper triangle (with diagonal) starts after
	// Σ_{r<i} (n-r) = i*n - i*(i-1)/2 entries.
	return fs.at[famReciprocity] + i*n - i*(i-1)/2 + (j - i)
}

// floorIQR raises each column's IQR to its family's floor.
func (fs *featureSet) floorIQR(iqr []float64) {
	for j := range fs.cols {
		if j >= len(iqr) {
			return
		}
		c := &fs.cols[j]
		floor := iqrFloor[c.Family]
		if c.log {
			floor = logIQRFloor
		}
		iqr[j] = math.Max(iqr[j], floor)
	}
}

// compute fills out (len(fs.cols)) with the features of win that do not
// depend on the baseline; those columns are left at 0. Undefined ratios and
// means are NaN (missing).
func (fs *featureSet) compute(win *window, out []float64) {
	for j := range out {
		out[j] = 0
		if j < len(fs.cols) && missingFamilies[fs.cols[j].Family] {
			out[j] = math.NaN()
		}
	}
	n := len(win.nodes)
	svcOf := make([]int, n)
	for i := range win.nodes {
		svcOf[i] = fs.svc(win.nodes[i].service)
	}
	keys := sortedEdgeKeys(win.edges)

	// VIP bypass: keys (pod, service) and (service, pod).
	type vipKey struct {
		pod int32
		svc string
		out bool
	}
	vip := make(map[vipKey][2]float64) // [vip bytes, pod-pod bytes]
	for _, k := range keys {
		e := win.edges[k]
		nu, nv := &win.nodes[k.u], &win.nodes[k.v]
		switch {
		case nu.kind == kindPod && nv.kind == kindVIP:
			x := vip[vipKey{k.u, nv.service, true}]
			x[0] += e.bytes
			vip[vipKey{k.u, nv.service, true}] = x
		case nu.kind == kindVIP && nv.kind == kindPod:
			x := vip[vipKey{k.v, nu.service, false}]
			x[0] += e.bytes
			vip[vipKey{k.v, nu.service, false}] = x
		case nu.kind == kindPod && nv.kind == kindPod && k.u != k.v:
			x := vip[vipKey{k.u, nv.service, true}]
			x[1] += e.bytes
			vip[vipKey{k.u, nv.service, true}] = x
			y := vip[vipKey{k.v, nu.service, false}]
			y[1] += e.bytes
			vip[vipKey{k.v, nu.service, false}] = y
		}
	}
	var diff, podpod float64
	for _, x := range vip {
		diff += x[0] - x[1]
		podpod += x[1]
	}
	if podpod > 0 {
		out[fs.index[famVIPBypass]] = math.Abs(diff) / podpod
	}

	// Reciprocity and edge CV in one pass over pod edges.
	ns := len(fs.services)
	recNum := make([]float64, ns*ns)
	recDen := make([]float64, ns*ns)
	cvEdges := make(map[int][]float64)
	for _, k := range keys {
		e := win.edges[k]
		a, b := svcOf[k.u], svcOf[k.v]
		if a < 0 || b < 0 || e.bytes <= 0 {
			continue
		}
		if k.u != k.v {
			lo, hi := min(a, b), max(a, b)
			var back float64
			if r := win.edges[edgeKey{k.v, k.u}]; r != nil {
				back = r.bytes
			}
			recNum[lo*ns+hi] += math.Min(e.bytes, back)
			recDen[lo*ns+hi] += e.bytes
		}
		if nu := &win.nodes[k.u]; nu.kind == kindPod || nu.kind == kindOutside || nu.kind == kindUnknown {
			cvEdges[a*ns+b] = append(cvEdges[a*ns+b], e.bytes)
		}
	}
	for i := 0; i < ns; i++ {
		for j := i; j < ns; j++ {
			if d := recDen[i*ns+j]; d > 0 {
				out[fs.reciprocityCol(fs.services[i], fs.services[j])] = recNum[i*ns+j] / d
			}
		}
	}
	for ab, ws := range cvEdges {
		out[fs.at[famEdgeCV]+ab] = graph.CV(ws)
	}

	// Service-level volumes.
	var unknown float64
	for _, k := range keys {
		e := win.edges[k]
		nu, nv := &win.nodes[k.u], &win.nodes[k.v]
		if nu.kind == kindUnknown || nv.kind == kindUnknown {
			unknown += e.bytes
		}
		a, b := svcOf[k.u], svcOf[k.v]
		if a < 0 || b < 0 {
			continue
		}
		out[fs.at[famPairBytes]+a*ns+b] += e.bytes
		out[fs.at[famPairConns]+a*ns+b] += e.conns
		if nv.kind == kindOutside && nu.kind != kindOutside {
			if c := fs.perService(famOutsideBytes, nu.service); c >= 0 {
				out[c] += e.bytes
				out[fs.perService(famOutsideConns, nu.service)] += e.conns
			}
		}
		if nv.dns && !nu.dns {
			if c := fs.perService(famDNSBytes, nu.service); c >= 0 {
				out[c] += e.bytes
			}
		}
	}
	out[fs.index[famUnknownBytes]] = unknown
	for svc, peers := range win.outsidePeers() {
		if c := fs.perService(famOutsidePeers, svc); c >= 0 {
			out[c] = float64(peers)
		}
	}

	// DNS, per source service.
	type dnsAgg struct{ queries, lenSum, maxLen, entSum, maxNames float64 }
	dns := make(map[string]*dnsAgg)
	for i := range win.dns {
		d := &win.dns[i]
		src := &win.nodes[d.src]
		if src.dns || src.kind == kindOutside {
			continue // the DNS server's own upstream queries
		}
		ag := dns[src.service]
		if ag == nil {
			ag = &dnsAgg{}
			dns[src.service] = ag
		}
		ag.queries += d.queries
		ag.lenSum += d.nameLenSum
		ag.maxLen = math.Max(ag.maxLen, d.maxNameLen)
		ag.entSum += d.entropySum
		ag.maxNames = math.Max(ag.maxNames, d.names)
	}
	for svc, ag := range dns {
		c := fs.perService(famDNSQueries, svc)
		if c < 0 {
			continue
		}
		out[c] = ag.queries
		out[fs.perService(famDNSNamesPerDom, svc)] = ag.maxNames
		if ag.queries > 0 {
			out[fs.perService(famDNSMaxNameLen, svc)] = ag.maxLen
			out[fs.perService(famDNSNameLen, svc)] = ag.lenSum / ag.queries
			out[fs.perService(famDNSEntropy, svc)] = ag.entSum / ag.queries
		}
	}
	out[fs.index[famDNSOutBytes]] = win.dnsOut

	// Fan-out: the busiest single pod of each service.
	for id, f := range win.fan {
		if c := fs.perService(famFanOut, win.nodes[id].service); c >= 0 {
			out[c] = math.Max(out[c], f.endpoints)
		}
	}

	// Graph metrics.
	fs.graphFeatures(win, out)
}

// outsidePeers counts, per service, the distinct outside addresses it
// exchanged traffic with.
func (win *window) outsidePeers() map[string]int {
	peers := make(map[string]map[netip.Addr]bool)
	for k := range win.edges {
		nu, nv := &win.nodes[k.u], &win.nodes[k.v]
		var in *node
		switch {
		case nv.kind == kindOutside && nu.kind != kindOutside:
			in = nu
		case nu.kind == kindOutside && nv.kind != kindOutside:
			in = nv
		default:
			continue
		}
		set := peers[in.service]
		if set == nil {
			set = make(map[netip.Addr]bool)
			peers[in.service] = set
		}
		for _, ip := range win.extPeers(k) {
			set[ip] = true
		}
	}
	out := make(map[string]int, len(peers))
	for s, set := range peers {
		out[s] = len(set)
	}
	return out
}

// transform applies the column's scaling transform to a raw value.
func (c *column) transform(x float64) float64 {
	if c.log {
		return math.Log1p(math.Max(x, 0))
	}
	return x
}

// untransform maps a transformed value (e.g. a median) back to raw units.
func (c *column) untransform(x float64) float64 {
	if c.log {
		return math.Expm1(x)
	}
	return x
}
