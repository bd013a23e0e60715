package engine

import (
	"github.com/mimir-tui/mimir-tui/engine/graph"
)

// podGraph builds the scored pod graph of win; node IDs equal win's.
func (win *window) podGraph() *graph.Graph {
	g := graph.New()
	for i := range win.nodes {
		g.Node(win.nodes[i].key)
	}
	for _, k := range sortedEdgeKeys(win.edges) {
		e := win.edges[k]
		g.Add(int(k.u), int(k.v), e.bytes, e.packets)
	}
	return g
}

// graphFeatures fills the harmonic-centrality and current-flow columns.
func (fs *featureSet) graphFeatures(win *window, out []float64) {
	if len(win.edges) == 0 {
		return
	}
	g := win.podGraph()
	var total float64
	for _, e := range win.edges {
		total += e.bytes
	}

	// Harmonic centrality of each service on the service graph, incoming
	// paths, edge length total/bytes (method.md §5).
	sg := g.Collapse(func(id int) string { return win.nodes[id].service })
	h := graph.HarmonicIncoming(sg, total)
	for id, x := range h {
		if c := fs.perService(famHarmonic, sg.Name(id)); c >= 0 {
			out[c] = x
		}
	}

	// Current-flow subset betweenness from the sensitive pods to outside,
	// summarised per service as std/mean over its pods.
	outside, ok := win.nodeIdx[Outside]
	if !ok {
		return
	}
	var sources []int
	for i := range win.nodes {
		if win.nodes[i].kind == kindPod && fs.sensitive[win.nodes[i].service] {
			sources = append(sources, i)
		}
	}
	if len(sources) == 0 {
		return
	}
	cf := graph.CurrentFlowSubset(g, sources, []int{int(outside)})
	perSvc := make(map[string][]float64)
	for i := range win.nodes {
		if win.nodes[i].kind == kindPod {
			perSvc[win.nodes[i].service] = append(perSvc[win.nodes[i].service], cf[i])
		}
	}
	for svc, xs := range perSvc {
		if c := fs.perService(famCurrentFlowCV, svc); c >= 0 {
			out[c] = graph.CV(xs)
		}
	}
}
