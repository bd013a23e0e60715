package engine

import (
	"cmp"
	"slices"
)

// maxPorts bounds the ports a window lists.
const maxPorts = 64

// podEdges lists the window's pod graph, infrastructure included, busiest
// first.
func podEdges(win *window) []PodEdge {
	var out []PodEdge
	add := func(m map[edgeKey]*edgeStat, infra bool) {
		for k, e := range m {
			nu, nv := &win.nodes[k.u], &win.nodes[k.v]
			pe := PodEdge{Src: nu.name, Dst: nv.name, SrcService: nu.service, DstService: nv.service,
				SrcIPs: nodeAddrs(win, k, nu), DstIPs: nodeAddrs(win, k, nv),
				Bytes: uint64(e.bytes), Packets: uint64(e.packets), Infra: infra}
			out = append(out, pe)
		}
	}
	add(win.edges, false)
	add(win.infraEdges, true)
	slices.SortFunc(out, func(a, b PodEdge) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(a.Src, b.Src), cmp.Compare(a.Dst, b.Dst))
	})
	return out
}

// nodeAddrs are a node's addresses on edge k: outside's real ones for
// outside.
func nodeAddrs(win *window, k edgeKey, n *node) []string {
	ips := n.ips
	if n.kind == kindOutside {
		ips = win.extPeers(k)
	}
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = ip.String()
	}
	return out
}

// domainUses lists the registered domains the window's pods asked.
func domainUses(win *window) []DomainUse {
	byDomain := make(map[string]*DomainUse)
	for i := range win.dns {
		d := &win.dns[i]
		u := byDomain[d.domain]
		if u == nil {
			u = &DomainUse{Domain: d.domain}
			byDomain[d.domain] = u
		}
		u.Queries += uint64(d.queries)
		u.Names = max(u.Names, uint64(d.names))
		if svc := win.nodes[d.src].service; !slices.Contains(u.Services, svc) {
			u.Services = append(u.Services, svc)
		}
	}
	out := make([]DomainUse, 0, len(byDomain))
	for _, u := range byDomain {
		slices.Sort(u.Services)
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b DomainUse) int {
		return cmp.Or(cmp.Compare(b.Queries, a.Queries), cmp.Compare(a.Domain, b.Domain))
	})
	return out
}

// portUses lists the window's busiest service ports.
func portUses(win *window) []PortUse {
	type key struct {
		proto uint8
		port  uint16
	}
	opened := make(map[flowID]bool)
	for i := range win.flows {
		if f := &win.flows[i].f; f.Opened {
			opened[flowID{f.Protocol, f.Src, f.Dst, f.SrcPort, f.DstPort}] = true
		}
	}
	uses := make(map[key]*PortUse)
	for i := range win.flows {
		f := &win.flows[i].f
		port := min(f.SrcPort, f.DstPort)
		switch {
		case f.Opened:
			port = f.DstPort
		case opened[flowID{f.Protocol, f.Dst, f.Src, f.DstPort, f.SrcPort}]:
			port = f.SrcPort
		}
		k := key{f.Protocol, port}
		u := uses[k]
		if u == nil {
			u = &PortUse{Protocol: protocolName(f.Protocol), Port: port}
			uses[k] = u
		}
		u.Bytes += f.Bytes
		u.Flows++
	}
	out := make([]PortUse, 0, len(uses))
	for _, u := range uses {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b PortUse) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.Port, b.Port))
	})
	out, _ = firstN(out, maxPorts)
	return out
}
