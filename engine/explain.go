package engine

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"slices"

	"github.com/mimir-tui/mimir-tui/loaders/units"
)

// reasonZ is how many IQRs above its baseline median a value must be for
// an edge to be flagged for it.
const reasonZ = 3

// maxFlagged bounds the flagged edges listed per window.
const maxFlagged = 25

// minShare is the share of a window's positive score contributions an
// edge needs, when no reason flags it, to be listed.
const minShare = 0.05

// initiating keeps, of two opposite pairs that are both in pairs, the
// one that carries the requests: its source opened the connections, or
// sent as the client (the higher port), or asked the cluster DNS. The
// analyst sees "shop-db -> kube-dns", not the answers coming back.
func (s *seriesState) initiating(f *featurized, pairs []servicePair) []servicePair {
	in := make(map[servicePair]bool, len(pairs))
	for _, p := range pairs {
		in[p] = true
	}
	out := pairs[:0:0]
	for _, p := range pairs {
		rev := servicePair{p.dst, p.src}
		if p.src == p.dst || !in[rev] || s.requests(f, p, rev) {
			out = append(out, p)
		}
	}
	return out
}

// requests reports whether p rather than its reverse carries the requests.
func (s *seriesState) requests(f *featurized, p, rev servicePair) bool {
	a, b := f.edges[p], f.edges[rev]
	switch {
	case a.conns != b.conns:
		return a.conns > b.conns
	case a.client != b.client:
		return a.client > b.client
	case s.a.dnsSvcs[p.dst] != s.a.dnsSvcs[rev.dst]:
		return s.a.dnsSvcs[p.dst]
	case a.bytes != b.bytes:
		return a.bytes > b.bytes
	}
	return p.src < rev.src
}

// edgeDetail gathers the pods and addresses behind a service edge.
type edgeDetail struct {
	srcPods, dstPods map[string]bool
	srcIPs, dstIPs   map[netip.Addr]bool
}

func (s *seriesState) details(win *window) map[servicePair]*edgeDetail {
	out := make(map[servicePair]*edgeDetail)
	for k := range win.edges {
		nu, nv := &win.nodes[k.u], &win.nodes[k.v]
		p := servicePair{nu.service, nv.service}
		d := out[p]
		if d == nil {
			d = &edgeDetail{srcPods: map[string]bool{}, dstPods: map[string]bool{}, srcIPs: map[netip.Addr]bool{}, dstIPs: map[netip.Addr]bool{}}
			out[p] = d
		}
		addEnd := func(n *node, pods map[string]bool, ips map[netip.Addr]bool) {
			if n.kind == kindOutside {
				for _, ip := range win.extPeers(k) {
					ips[ip] = true
				}
				return
			}
			pods[n.name] = true
			for _, ip := range n.ips {
				ips[ip] = true
			}
		}
		addEnd(nu, d.srcPods, d.srcIPs)
		addEnd(nv, d.dstPods, d.dstIPs)
	}
	return out
}

// explain lists the edges that drive a window's score, with reasons in
// numbers, strongest first (method.md §8).
func (s *seriesState) explain(f *featurized, bv *baselineView, v vector, r *WindowResult) []FlaggedEdge {
	fs := s.layout.fs
	win := f.win
	weight := make(map[servicePair]float64)
	spread := func(pairs []servicePair, amount float64) {
		pairs = s.initiating(f, pairs)
		var total float64
		for _, p := range pairs {
			total += f.edges[p].bytes + 1
		}
		for _, p := range pairs {
			weight[p] += amount * (f.edges[p].bytes + 1) / total
		}
	}
	all := make([]servicePair, 0, len(f.edges))
	for p := range f.edges {
		all = append(all, p)
	}
	slices.SortFunc(all, func(a, b servicePair) int { return cmp.Or(cmp.Compare(a.src, b.src), cmp.Compare(a.dst, b.dst)) })
	present := func(pred func(p servicePair) bool) []servicePair {
		var out []servicePair
		for _, p := range all {
			if pred(p) {
				out = append(out, p)
			}
		}
		return out
	}
	var attribute func(col int, amount float64)
	attribute = func(col int, amount float64) {
		nb := len(fs.cols)
		if col >= nb {
			d := col - nb
			if d < len(s.layout.derived) {
				attribute(v.argmax[d], amount)
			} else {
				spread(present(func(p servicePair) bool { return len(s.reasons(f, bv, v, p)) > 0 }), amount)
			}
			return
		}
		c := &fs.cols[col]
		a, b := c.a, c.b
		var pairs []servicePair
		switch c.Family {
		case famPairBytes, famPairConns, famEdgeCV:
			pairs = present(func(p servicePair) bool { return p.src == a && p.dst == b })
		case famReciprocity:
			pairs = present(func(p servicePair) bool { return (p.src == a && p.dst == b) || (p.src == b && p.dst == a) })
		case famOutsideBytes, famOutsideConns, famOutsidePeers:
			pairs = present(func(p servicePair) bool { return p.src == a && p.dst == Outside })
		case famDNSQueries, famDNSBytes, famDNSNameLen, famDNSMaxNameLen, famDNSEntropy, famDNSNamesPerDom:
			pairs = present(func(p servicePair) bool { return p.src == a && s.a.dnsSvcs[p.dst] })
		case famDNSOutBytes:
			pairs = present(func(p servicePair) bool { return s.a.dnsSvcs[p.src] && p.dst == Outside })
		case famFanOut:
			pairs = present(func(p servicePair) bool { return p.src == a && s.fanTo(win, a, p.dst) > 0 })
		case famHarmonic:
			pairs = present(func(p servicePair) bool { return p.dst == a && p.src != a })
		case famCurrentFlowCV:
			pairs = present(func(p servicePair) bool { return p.src == a || p.dst == a })
		case famNewPairs, famNewPairBytes:
			pairs = present(func(p servicePair) bool { return !bv.allow[p] })
		case famNewInitiations:
			pairs = present(func(p servicePair) bool { return f.edges[p].client > 0 && !bv.initiated[p] })
		case famDNSNewDomains:
			pairs = present(func(p servicePair) bool { return s.a.dnsSvcs[p.dst] && s.newDomainFrom(win, bv, p.src) != "" })
		case famUnknownBytes:
			pairs = present(func(p servicePair) bool { return p.src == Unknown || p.dst == Unknown })
		}
		if len(pairs) > 0 {
			spread(pairs, amount)
		}
	}
	var positive float64
	for _, c := range r.Contributions {
		if c.Contrib > 0 {
			attribute(c.Feature, c.Contrib)
			positive += c.Contrib
		}
	}
	// An edge is flagged for its reasons, or for carrying a real share of
	// the score, not for crumbs of it.
	minWeight := math.Max(1e-12, minShare*positive)

	var out []FlaggedEdge
	for _, p := range all {
		e := f.edges[p]
		reasons := s.reasons(f, bv, v, p)
		if len(reasons) == 0 && weight[p] < minWeight {
			continue
		}
		fe := FlaggedEdge{
			Src: p.src, Dst: p.dst,
			Bytes: uint64(e.bytes), Packets: uint64(e.packets),
			Reasons: reasons,
			Weight:  weight[p],
		}
		if col := fs.perPair(famPairBytes, p.src, p.dst); col >= 0 {
			fe.Baseline = fs.cols[col].untransform(bv.scaler.Median[col])
		}
		out = append(out, fe)
	}
	// all is sorted by name, so equal keys keep that order.
	slices.SortStableFunc(out, func(a, b FlaggedEdge) int {
		return cmp.Or(cmp.Compare(b.Weight, a.Weight), cmp.Compare(len(b.Reasons), len(a.Reasons)), cmp.Compare(b.Bytes, a.Bytes))
	})
	if len(out) > maxFlagged {
		out = out[:maxFlagged]
	}
	// The pods and addresses behind the edges, for the listed ones only.
	details := s.details(win)
	for i := range out {
		fe := &out[i]
		fe.SrcPods, fe.DstPods, fe.SrcIPs, fe.DstIPs = []string{}, []string{}, []string{}, []string{}
		if d := details[servicePair{fe.Src, fe.Dst}]; d != nil {
			fe.SrcPods, fe.DstPods = sortedKeys(d.srcPods), sortedKeys(d.dstPods)
			fe.SrcIPs, fe.DstIPs = sortedAddrs(d.srcIPs), sortedAddrs(d.dstIPs)
		}
	}
	return out
}

// fanTo is how many endpoints the pods of service a opened towards service b.
func (s *seriesState) fanTo(win *window, a, b string) float64 {
	var n float64
	for id, f := range win.fan {
		if win.nodes[id].service == a {
			n += f.byService[b]
		}
	}
	return n
}

// newDomainFrom returns a registered domain that service a queried and
// the baseline never saw, or "".
func (s *seriesState) newDomainFrom(win *window, bv *baselineView, a string) string {
	for i := range win.dns {
		d := &win.dns[i]
		if win.nodes[d.src].service == a && !bv.domains[d.domain] {
			return d.domain
		}
	}
	return ""
}

// reasons says, with numbers, why edge p of a window stands out.
func (s *seriesState) reasons(f *featurized, bv *baselineView, v vector, p servicePair) []Reason {
	fs := s.layout.fs
	e := f.edges[p]
	var out []Reason
	zOf := func(col int) float64 {
		if col < 0 {
			return 0
		}
		return v.z[col]
	}
	median := func(col int) float64 { return fs.cols[col].untransform(bv.scaler.Median[col]) }
	if !bv.allow[p] && e.bytes > 0 {
		out = append(out, Reason{Code: "new-pair", Text: fmt.Sprintf("service pair never seen in the baseline; %s in %s packets", units.Bytes(e.bytes), humanCount(e.packets))})
	}
	if fs.sensitive[p.src] && p.dst == Outside && e.bytes > 0 {
		out = append(out, Reason{Code: "sensitive-outside", Text: fmt.Sprintf("sensitive service sends %s to outside", units.Bytes(e.bytes))})
	}
	if p.src == Unknown || p.dst == Unknown {
		out = append(out, Reason{Code: "unknown-address", Text: fmt.Sprintf("%s with in-cluster addresses no entity held", units.Bytes(e.bytes))})
	}
	if col := fs.perPair(famPairBytes, p.src, p.dst); col >= 0 && zOf(col) >= reasonZ {
		out = append(out, Reason{Code: "bytes-above-baseline", Z: zOf(col),
			Text: fmt.Sprintf("%s, %.1f IQR above its baseline median %s", units.Bytes(e.bytes), zOf(col), units.Bytes(median(col)))})
	}
	if e.client > 0 && !bv.initiated[p] {
		opened := ""
		if e.conns > 0 {
			opened = fmt.Sprintf(" over %s new connection(s)", humanCount(e.conns))
		}
		out = append(out, Reason{Code: "new-initiator", Text: fmt.Sprintf("%s sent %s to %s as a client%s; in the baseline it never called %s", p.src, units.Bytes(e.client), p.dst, opened, p.dst)})
	} else if col := fs.perPair(famPairConns, p.src, p.dst); col >= 0 && zOf(col) >= reasonZ && e.conns > 0 {
		out = append(out, Reason{Code: "new-connections", Z: zOf(col),
			Text: fmt.Sprintf("%s opened %s connections, %.1f IQR above its baseline median %s", p.src, humanCount(e.conns), zOf(col), humanCount(median(col)))})
	}
	if s.a.dnsSvcs[p.dst] {
		if r, ok := s.dnsReason(f, bv, v, p.src); ok {
			out = append(out, r)
		}
	}
	if col := fs.perService(famFanOut, p.src); col >= 0 && zOf(col) >= reasonZ {
		// Only the edges the fan-out went along, not every edge of the pod.
		if n := s.fanTo(f.win, p.src, p.dst); n > max(2, median(col)) {
			out = append(out, Reason{Code: "fan-out", Z: zOf(col),
				Text: fmt.Sprintf("a pod of %s opened connections to %s address:port pairs (%s of them here; baseline median %s)",
					p.src, humanCount(v.raw[col]), humanCount(n), humanCount(median(col)))})
		}
	}
	return out
}

// dnsReason describes DNS from service a that looks like tunnelling.
func (s *seriesState) dnsReason(f *featurized, bv *baselineView, v vector, a string) (Reason, bool) {
	fs := s.layout.fs
	cols := []int{fs.perService(famDNSNamesPerDom, a), fs.perService(famDNSMaxNameLen, a), fs.perService(famDNSEntropy, a)}
	var z float64
	for _, c := range cols {
		if c >= 0 {
			z = math.Max(z, v.z[c])
		}
	}
	newDomain := s.newDomainFrom(f.win, bv, a)
	if z < reasonZ && newDomain == "" {
		return Reason{}, false
	}
	// The busiest domain of a is what the analyst wants to see.
	var top *dnsStat
	for i := range f.win.dns {
		d := &f.win.dns[i]
		if f.win.nodes[d.src].service == a && (top == nil || d.names > top.names) {
			top = d
		}
	}
	if top == nil {
		return Reason{}, false
	}
	text := fmt.Sprintf("%s distinct names under %s", humanCount(top.names), top.domain)
	if c := cols[0]; c >= 0 {
		text += fmt.Sprintf(" (baseline median %s)", humanCount(fs.cols[c].untransform(bv.scaler.Median[c])))
	}
	if top.queries > 0 {
		text += fmt.Sprintf(", longest %.0f chars, entropy %.1f bits/char", top.maxNameLen, top.entropySum/top.queries)
	}
	if !bv.domains[top.domain] {
		text += ", domain never queried in the baseline"
	}
	if len(top.examples) > 0 {
		text += ", e.g. " + top.examples[0]
	}
	return Reason{Code: "dns-tunnel", Z: z, Text: text}, true
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sortedAddrs(m map[netip.Addr]bool) []string {
	addrs := make([]netip.Addr, 0, len(m))
	for a := range m {
		addrs = append(addrs, a)
	}
	slices.SortFunc(addrs, netip.Addr.Compare)
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.String()
	}
	return out
}

// humanCount formats a count that may be fractional after averaging.
func humanCount(x float64) string {
	if x == math.Trunc(x) {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.1f", x)
}
