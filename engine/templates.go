package engine

import (
	"slices"
	"strings"
)

// Template is one synthetic attack.
type Template struct {
	Kind string `json:"kind"`
	// Path is the chain of services the data takes (exfil: sensitive … outside;
	// dns-tunnel: source, DNS service, outside; scan: the scanning service).
	Path []string `json:"path"`
	// ViaVIP marks hops (Path[i] → Path[i+1]) that go through the
	// destination's service VIP instead of straight to a pod.
	ViaVIP []bool `json:"via_vip,omitempty"`
	// Targets, for a scan, limits it to the pods and VIPs of these services
	// (empty: every pod).
	Targets []string `json:"targets,omitempty"`
}

// Name is how the template is reported, e.g. "shop-db -> catalogue_VIP -> outside".
func (t Template) Name() string {
	switch t.Kind {
	case AttackDNSTunnel:
		return "dns-tunnel " + t.Path[0] + " -> " + strings.Join(t.Path[1:], " -> ")
	case AttackScan:
		if len(t.Targets) > 0 {
			return "scan from " + t.Path[0] + " of its known peers"
		}
		return "scan from " + t.Path[0]
	case AttackProbe:
		return "admin-port probe from " + t.Path[0] + " of its known peers"
	case AttackBeacon:
		return "beacon from " + t.Path[0] + " to outside"
	}
	var b strings.Builder
	for i, s := range t.Path {
		if i > 0 {
			b.WriteString(" -> ")
		}
		b.WriteString(s)
		if i > 0 && i < len(t.ViaVIP)+1 && t.ViaVIP[i-1] {
			b.WriteString("_VIP")
		}
	}
	return b.String()
}

// policyAllows reports whether service a may talk to b under p (nil: all).
func policyAllows(p *Policy, dns map[string]bool, a, b string) bool {
	if dns[a] {
		return b == Outside // the DNS pod may only reach outside
	}
	if p == nil || p.Allow == nil {
		return true
	}
	for _, d := range p.Allow[a] {
		if d == b || (d == "*" && b != Outside) {
			return true
		}
	}
	return false
}

// Topology is what the enumeration of synthetic attacks knows of an
// application.
type Topology struct {
	Services  []string
	Sensitive []string
	DNS       map[string]bool // cluster DNS services
	VIPs      map[string]bool // services with a ClusterIP
	// Peers maps a service to the services it opened connections to in
	// the baseline, for attacks that hide in known edges.
	Peers map[string][]string
	// Resolvers are the services that queried the cluster DNS in the
	// baseline, where a DNS tunnel hides best.
	Resolvers []string
	Policy    *Policy
	MaxHops   int
	MaxPaths  int // per sensitive service
}

// Templates enumerates the synthetic attacks for an application, in a
// deterministic order:
//
//   - exfiltration: simple paths from each sensitive service to outside
//     over the allowed-communication graph (every service may reach every
//     other and outside unless t.Policy restricts it; the DNS service may
//     only reach outside), shortest first, then by service names, each in
//     its direct and via-VIP variants, at most MaxHops hops and MaxPaths
//     paths per sensitive service;
//   - DNS tunnels through the cluster DNS from each sensitive service and
//     from up to two services that resolve names in the baseline;
//   - scans from every service, of all pods, and of only the services it
//     already talks to (a scan that opens no new service pair).
//
// The variants that stay on known edges matter: a model trained only on
// attacks that open new service pairs learns to watch new pairs alone.
func Templates(t Topology) []Template {
	svcs := slices.Clone(t.Services)
	slices.Sort(svcs)
	svcs = slices.DeleteFunc(svcs, func(s string) bool { return s == Outside || s == Unknown })
	var out []Template
	for _, src := range t.Sensitive {
		if slices.Contains(svcs, src) {
			out = append(out, exfilTemplates(t, svcs, src)...)
		}
	}
	out = append(out, tunnelTemplates(t, svcs)...)
	out = append(out, scanTemplates(t, svcs)...)
	return append(out, beaconTemplates(t, svcs)...)
}

// beaconTemplates are beacons from the services that already call outside
// (where a beacon hides best) and from the sensitive ones; from the first
// two services when none calls outside.
func beaconTemplates(t Topology, svcs []string) []Template {
	var from []string
	for _, s := range svcs {
		if !t.DNS[s] && (slices.Contains(t.Peers[s], Outside) || slices.Contains(t.Sensitive, s)) {
			from = append(from, s)
		}
	}
	for _, s := range svcs {
		if len(from) >= 2 {
			break
		}
		if !t.DNS[s] && !slices.Contains(from, s) {
			from = append(from, s)
		}
	}
	var out []Template
	for _, s := range from {
		out = append(out, Template{Kind: AttackBeacon, Path: []string{s, Outside}})
	}
	return out
}

// exfilTemplates are the paths from src to outside, shortest first, each
// directly and through the VIPs.
func exfilTemplates(t Topology, svcs []string, src string) []Template {
	var out []Template
	for _, path := range attackPaths(t, svcs, src) {
		hops := len(path) - 1
		out = append(out, Template{Kind: AttackExfil, Path: path, ViaVIP: make([]bool, hops)})
		// The VIP variant: every inner hop through the destination's VIP.
		via := make([]bool, hops)
		any := false
		for i := 0; i < hops-1; i++ {
			if t.VIPs[path[i+1]] {
				via[i], any = true, true
			}
		}
		if any {
			out = append(out, Template{Kind: AttackExfil, Path: path, ViaVIP: via})
		}
	}
	return out
}

// attackPaths enumerates simple paths from src to outside breadth-first
// (shortest first; within a length, services in sorted order), at most
// t.MaxPaths of at most t.MaxHops hops. It stops as soon as it has enough:
// on a large cluster the next length alone would be millions of paths.
func attackPaths(t Topology, svcs []string, src string) [][]string {
	var paths [][]string
	frontier := [][]string{{src}}
	for hops := 1; hops <= t.MaxHops && len(paths) < t.MaxPaths; hops++ {
		var next [][]string
		for _, path := range frontier {
			last := path[len(path)-1]
			if policyAllows(t.Policy, t.DNS, last, Outside) {
				if paths = append(paths, append(slices.Clone(path), Outside)); len(paths) == t.MaxPaths {
					return paths
				}
			}
			for _, s := range svcs {
				if !slices.Contains(path, s) && policyAllows(t.Policy, t.DNS, last, s) {
					next = append(next, append(slices.Clone(path), s))
				}
			}
		}
		frontier = next
	}
	return paths
}

// tunnelTemplates are DNS tunnels through the cluster DNS from each
// sensitive service and up to two services that resolve names.
func tunnelTemplates(t Topology, svcs []string) []Template {
	var dnsSvc string
	for _, s := range svcs {
		if t.DNS[s] {
			dnsSvc = s
			break
		}
	}
	if dnsSvc == "" {
		return nil
	}
	tunnels := slices.Clone(t.Sensitive)
	resolvers := sortedCopy(t.Resolvers)
	extra := 0
	for _, s := range append(resolvers, svcs...) {
		if extra == 2 {
			break
		}
		if !t.DNS[s] && slices.Contains(svcs, s) && !slices.Contains(tunnels, s) {
			tunnels = append(tunnels, s)
			extra++
		}
	}
	var out []Template
	for _, s := range tunnels {
		if slices.Contains(svcs, s) {
			out = append(out, Template{Kind: AttackDNSTunnel, Path: []string{s, dnsSvc, Outside}})
		}
	}
	return out
}

// scanTemplates are scans from every service but the DNS, of all pods and
// of only the services it already talks to, and probes of a few admin
// ports of those.
func scanTemplates(t Topology, svcs []string) []Template {
	var out []Template
	for _, s := range svcs {
		if t.DNS[s] {
			continue
		}
		out = append(out, Template{Kind: AttackScan, Path: []string{s}})
		var known []string
		for _, peer := range t.Peers[s] {
			if peer != s && peer != Outside && peer != Unknown && slices.Contains(svcs, peer) {
				known = append(known, peer)
			}
		}
		slices.Sort(known)
		if known = slices.Compact(known); len(known) > 0 {
			out = append(out, Template{Kind: AttackScan, Path: []string{s}, Targets: known},
				Template{Kind: AttackProbe, Path: []string{s}, Targets: known})
		}
	}
	return out
}
