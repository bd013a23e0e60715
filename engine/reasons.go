package engine

import (
	"fmt"
	"math"
	"strings"

	"github.com/mimir-tui/mimir-tui/engine/stats"
	"github.com/mimir-tui/mimir-tui/loaders/units"
)

// Reason codes: stable, listed in the README; analyze's output and the
// explorer show them.
const (
	ReasonNewPair          = "new-pair"
	ReasonSensitiveOutside = "sensitive-outside"
	ReasonOutside          = "outside-above-baseline"
	ReasonNewInitiator     = "new-initiator"
	ReasonBytes            = "bytes-above-baseline"
	ReasonConnections      = "new-connections"
	ReasonDNSTunnel        = "dns-tunnel"
	ReasonFanOut           = "fan-out"
	ReasonUnknown          = "unknown-address"
	ReasonStructure        = "structure"
	ReasonNewPort          = "new-port"
	ReasonBeacon           = "beacon"
)

// reasonZ is how many IQRs from its baseline median a value must be for an
// edge to be flagged for it.
const reasonZ = 3

// reasonRule finds one kind of evidence on a service edge.
type reasonRule struct {
	code string
	find func(x *explainCtx, p servicePair) (Reason, bool)
}

// reasonRules are every kind of evidence, in the order an edge lists them.
var reasonRules = []reasonRule{
	{ReasonNewPair, newPairReason},
	{ReasonSensitiveOutside, sensitiveOutsideReason},
	{ReasonOutside, outsideReason},
	{ReasonUnknown, unknownReason},
	{ReasonBytes, bytesReason},
	{ReasonNewInitiator, newInitiatorReason},
	{ReasonConnections, connectionsReason},
	{ReasonDNSTunnel, dnsReason},
	{ReasonFanOut, fanOutReason},
	{ReasonNewPort, newPortReason},
	{ReasonBeacon, beaconReason},
	{ReasonStructure, structureReason},
}

// ReasonCodes lists the stable reason codes.
func ReasonCodes() []string {
	out := make([]string, len(reasonRules))
	for i, r := range reasonRules {
		out[i] = r.code
	}
	return out
}

func newPairReason(x *explainCtx, p servicePair) (Reason, bool) {
	e := x.f.edges[p]
	if x.view.knows(p) || e.bytes <= 0 {
		return Reason{}, false
	}
	return Reason{Code: ReasonNewPair, Text: fmt.Sprintf("service pair never seen in the baseline; %s in %s", units.Bytes(e.bytes), plural(e.packets, "packet"))}, true
}

func sensitiveOutsideReason(x *explainCtx, p servicePair) (Reason, bool) {
	e := x.f.edges[p]
	if !x.sensitive[p.src] || p.dst != Outside || e.bytes <= 0 {
		return Reason{}, false
	}
	return Reason{Code: ReasonSensitiveOutside, Text: fmt.Sprintf("sensitive service sends %s to outside", units.Bytes(e.bytes))}, true
}

// outsideReason: a service that is not sensitive talks to outside more
// than in the baseline (bytes, connections or distinct addresses).
func outsideReason(x *explainCtx, p servicePair) (Reason, bool) {
	if p.dst != Outside || x.sensitive[p.src] {
		return Reason{}, false
	}
	best, bestZ := featureKey{}, 0.0
	for _, name := range []string{famOutsideBytes, famOutsideConns, famOutsidePeers} {
		k := featureKey{fam: fam(name), a: p.src}
		if z := x.z(k); z > bestZ {
			best, bestZ = k, z
		}
	}
	if bestZ < reasonZ {
		return Reason{}, false
	}
	what := map[string]string{famOutsideBytes: "sent %s to outside", famOutsideConns: "opened %s connections to outside", famOutsidePeers: "talked to %s outside addresses"}
	return Reason{Code: ReasonOutside, Z: bestZ, Text: fmt.Sprintf(p.src+" "+what[families[best.fam].name]+", %.1f IQR above its baseline median %s",
		x.format(best, x.value(best)), bestZ, x.format(best, x.median(best)))}, true
}

func unknownReason(x *explainCtx, p servicePair) (Reason, bool) {
	if p.src != Unknown && p.dst != Unknown {
		return Reason{}, false
	}
	return Reason{Code: ReasonUnknown, Text: fmt.Sprintf("%s with in-cluster addresses no entity held", units.Bytes(x.f.edges[p].bytes))}, true
}

func bytesReason(x *explainCtx, p servicePair) (Reason, bool) {
	k := featureKey{fam: fam(famPairBytes), a: p.src, b: p.dst}
	z := x.z(k)
	if z < reasonZ {
		return Reason{}, false
	}
	return Reason{Code: ReasonBytes, Z: z, Text: fmt.Sprintf("%s, %.1f IQR above its baseline median %s",
		units.Bytes(x.f.edges[p].bytes), z, units.Bytes(x.median(k)))}, true
}

// newInitiation reports whether p carries client traffic although the
// baseline saw none along it.
func (x *explainCtx) newInitiation(p servicePair) bool {
	return x.f.edges[p].client > 0 && !x.view.called(p)
}

func newInitiatorReason(x *explainCtx, p servicePair) (Reason, bool) {
	if !x.newInitiation(p) {
		return Reason{}, false
	}
	e := x.f.edges[p]
	opened := ""
	if e.conns > 0 {
		opened = fmt.Sprintf(" over %s", plural(e.conns, "new connection"))
	}
	return Reason{Code: ReasonNewInitiator, Text: fmt.Sprintf("%s sent %s to %s as a client%s; in the baseline it never called %s",
		p.src, units.Bytes(e.client), p.dst, opened, p.dst)}, true
}

// connectionsReason: more connections than in the baseline along a pair
// that already carried requests (a new initiator says more).
func connectionsReason(x *explainCtx, p servicePair) (Reason, bool) {
	k := featureKey{fam: fam(famPairConns), a: p.src, b: p.dst}
	e := x.f.edges[p]
	z := x.z(k)
	if x.newInitiation(p) || z < reasonZ || e.conns <= 0 {
		return Reason{}, false
	}
	return Reason{Code: ReasonConnections, Z: z, Text: fmt.Sprintf("%s opened %s connections, %.1f IQR above its baseline median %s",
		p.src, humanCount(e.conns), z, humanCount(x.median(k)))}, true
}

// dnsReason: DNS from p.src that looks like tunnelling (p.dst is a cluster
// DNS service), or a cluster DNS forwarding more than usual to outside.
func dnsReason(x *explainCtx, p servicePair) (Reason, bool) {
	if x.dns[p.src] && p.dst == Outside {
		k := featureKey{fam: fam(famDNSOutBytes)}
		if z := x.z(k); z >= reasonZ {
			return Reason{Code: ReasonDNSTunnel, Z: z, Text: fmt.Sprintf("%s forwarded %s of DNS to outside, %.1f IQR above its baseline median %s",
				p.src, units.Bytes(x.value(k)), z, units.Bytes(x.median(k)))}, true
		}
		return Reason{}, false
	}
	if !x.dns[p.dst] {
		return Reason{}, false
	}
	var z float64
	for _, name := range []string{famDNSNamesPerDom, famDNSMaxNameLen, famDNSEntropy} {
		z = math.Max(z, x.z(featureKey{fam: fam(name), a: p.src}))
	}
	newDomain := x.newDomainFrom(p.src)
	top := x.topDomain(p.src)
	if (z < reasonZ && newDomain == "") || top == nil {
		return Reason{}, false
	}
	names := featureKey{fam: fam(famDNSNamesPerDom), a: p.src}
	text := fmt.Sprintf("%s distinct names under %s (baseline median %s)", humanCount(top.names), top.domain, humanCount(x.median(names)))
	if top.queries > 0 {
		text += fmt.Sprintf(", longest %.0f chars, entropy %.1f bits/char", top.maxNameLen, top.entropySum/top.queries)
	}
	if !x.view.queried(top.domain) {
		text += ", domain never queried in the baseline"
	}
	if len(top.examples) > 0 {
		text += ", e.g. " + top.examples[0]
	}
	return Reason{Code: ReasonDNSTunnel, Z: z, Text: text}, true
}

func fanOutReason(x *explainCtx, p servicePair) (Reason, bool) {
	k := featureKey{fam: fam(famFanOut), a: p.src}
	z := x.z(k)
	if z < reasonZ {
		return Reason{}, false
	}
	// Only the edges the fan-out went along, not every edge of the pod.
	n := x.fanTo(p.src, p.dst)
	if n <= max(2, x.median(k)) {
		return Reason{}, false
	}
	return Reason{Code: ReasonFanOut, Z: z, Text: fmt.Sprintf("a pod of %s opened connections to %s address:port pairs (%s of them here; baseline median %s)",
		p.src, humanCount(x.value(k)), humanCount(n), humanCount(x.median(k)))}, true
}

// newPortReason: the source opened connections to ports of the
// destination that it never used with it in the baseline, although it
// talked to it.
func newPortReason(x *explainCtx, p servicePair) (Reason, bool) {
	ports := x.newPorts(p)
	if len(ports) == 0 {
		return Reason{}, false
	}
	var names []string
	var conns uint32
	for _, k := range ports {
		names = append(names, fmt.Sprintf("%s/%d", protocolName(k.proto), k.port))
		conns += x.windowPorts()[k]
	}
	return Reason{Code: ReasonNewPort, Text: fmt.Sprintf("%s opened %s to %s on %s, %s it never used with %s in the baseline",
		p.src, plural(float64(conns), "connection"), p.dst, strings.Join(names, ", "), pluralWord(len(ports), "a port", "ports"), p.dst)}, true
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// minStructureBytes is the traffic a pair needs, both ways, for a change
// of its ratios to be evidence rather than the noise of a few packets.
const minStructureBytes = 1000

// structureZ is how far from its baseline median a ratio must be to be
// evidence: ratios of a few windows' traffic vary more than volumes, and
// their IQR floors are small, so 3 IQR is common in benign windows.
const structureZ = 2 * reasonZ

// structureReason: the pair's reciprocity or the spread of its pod edges
// is far from the baseline's.
func structureReason(x *explainCtx, p servicePair) (Reason, bool) {
	if p.src == p.dst {
		return Reason{}, false
	}
	var both float64
	for _, q := range []servicePair{p, {p.dst, p.src}} {
		if e := x.f.edges[q]; e != nil {
			both += e.bytes
		}
	}
	if both < minStructureBytes {
		return Reason{}, false
	}
	up := unordered(p.src, p.dst)
	var out Reason
	for _, k := range []featureKey{{fam: fam(famReciprocity), a: up.src, b: up.dst}, {fam: fam(famEdgeCV), a: p.src, b: p.dst}} {
		z := x.z(k)
		if math.Abs(z) < structureZ || math.Abs(z) <= math.Abs(out.Z) {
			continue
		}
		what := "reciprocity of " + up.src + " ↔ " + up.dst
		if families[k.fam].name == famEdgeCV {
			what = "coefficient of variation of the pod edges " + p.src + " → " + p.dst
		}
		out = Reason{Code: ReasonStructure, Z: z, Text: fmt.Sprintf("%s is %.2f, baseline median %.2f (%+.1f IQR)", what, x.value(k), x.median(k), z)}
	}
	if r, ok := centralityReason(x, p); ok && (out.Code == "" || math.Abs(r.Z) > math.Abs(out.Z)) {
		out = r
	}
	return out, out.Code != ""
}

// centralityReason: the paths into p.dst carry more of the window's bytes
// than in the baseline (its harmonic centrality is at least reasonZ above
// its median), and p, at least 1 kB and above its own baseline median,
// is one of them. A slow exfiltration through a known destination moves
// the destination's centrality before any one edge's volume stands out.
func centralityReason(x *explainCtx, p servicePair) (Reason, bool) {
	k := featureKey{fam: fam(famHarmonic), a: p.dst}
	z := x.z(k)
	e := x.f.edges[p]
	bytes := featureKey{fam: fam(famPairBytes), a: p.src, b: p.dst}
	if z < reasonZ || e == nil || e.bytes < minStructureBytes || x.z(bytes) <= 0 {
		return Reason{}, false
	}
	return Reason{Code: ReasonStructure, Z: z, Text: fmt.Sprintf("harmonic centrality of %s is %.3g, baseline median %.3g (%+.1f IQR); %s → %s carries %s of the bytes into it (baseline median %s)",
		p.dst, x.value(k), x.median(k), z, p.src, p.dst, units.Bytes(e.bytes), units.Bytes(x.median(bytes)))}, true
}

// newDomainFrom returns a registered domain that service a queried and
// the baseline never saw, or "".
func (x *explainCtx) newDomainFrom(a string) string {
	win := x.f.win
	for i := range win.dns {
		d := &win.dns[i]
		if win.nodes[d.src].service == a && !x.view.queried(d.domain) {
			return d.domain
		}
	}
	return ""
}

// topDomain is the domain under which service a asked the most names.
func (x *explainCtx) topDomain(a string) *dnsStat {
	var top *dnsStat
	win := x.f.win
	for i := range win.dns {
		d := &win.dns[i]
		if win.nodes[d.src].service == a && (top == nil || d.names > top.names) {
			top = d
		}
	}
	return top
}

// format renders a value of feature k in its family's units.
func (x *explainCtx) format(k featureKey, v float64) string {
	if families[k.fam].name == famOutsideBytes {
		return units.Bytes(v)
	}
	return humanCount(v)
}

// humanCount formats a count that may be fractional after averaging.
func humanCount(x float64) string {
	if x == math.Trunc(x) {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.1f", x)
}

// plural formats a count with its noun, "1 new connection", "3 new connections".
func plural(n float64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return humanCount(n) + " " + noun + "s"
}

// beaconReason: a pod of p.src connects to an outside address at regular
// intervals with regular sizes, a beacon the baseline never showed.
func beaconReason(x *explainCtx, p servicePair) (Reason, bool) {
	b := x.newBeacon(p)
	if b == nil {
		return Reason{}, false
	}
	size := stats.Median(sizesOf(b.conns))
	return Reason{Code: ReasonBeacon, Text: fmt.Sprintf("%s opened %d connections of about %s to %s %s/%d every %.1f s ± %.0f %% (regularity %.2f); the baseline showed no such beacon",
		b.pod, len(b.conns), units.Bytes(size), b.id.dst, protocolName(b.id.proto), b.id.port, b.interval, 100*b.jitter, b.score)}, true
}

func sizesOf(conns []beaconConn) []float64 {
	out := make([]float64, len(conns))
	for i, c := range conns {
		out[i] = c.bytes
	}
	return out
}
