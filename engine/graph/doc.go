// Package graph holds the directed, weighted window graphs of mimir-tui and
// the graph metrics computed on them (method.md §4–6).
//
// A [Graph] has named nodes with stable IDs 0..n-1 in insertion order and
// directed edges carrying bytes and packets. It is built by [New], [Graph.Node]
// and [Graph.Add], collapsed from pods to services by [Graph.Collapse], and
// handed to gonum algorithms through [Graph.Simple].
//
// The metrics are:
//
//   - [HarmonicIncoming]: harmonic centrality over incoming shortest paths,
//     edge length = window bytes / edge bytes; exact up to 64 nodes,
//     estimated from 64 sampled sources and each node's exact neighbourhood
//     above.
//   - [CurrentFlowSubset]: current-flow subset betweenness (Brandes and
//     Fleischer 2005) on the undirected conductance graph; with one target,
//     solved piece by piece around it.
//   - [WeightedReciprocity], [GroupReciprocity] (all group pairs in one pass)
//     and [CV]: the pairwise reciprocity and coefficient of variation
//     features.
//   - [Components] and [LargestComponent]: weakly connected components.
//   - [Activity], [PrincipalEigenvector], [TypicalPattern] and [IdeScore]: the
//     eigenspace baseline of Ide and Kashima (2004); principal eigenvectors
//     of more than 64 non-zero rows by the Lanczos method on the non-zero
//     entries.
//
// Each metric is near-linear in the edges of a large window graph, so that
// training grows linearly with a cluster (issue 11); the exact dense or
// all-pairs methods are kept for graphs of up to 64 nodes, where the
// results are unchanged. BenchmarkScale* measure them on 101, 301 and
// 1 301 nodes.
//
// Weights are sanitised on the way in: NaN, infinite and negative byte or
// packet counts are treated as 0, so no such value reaches gonum.
//
// Node IDs passed to methods and functions must be in range [0, Len()); an
// out-of-range ID is a programming error and panics with a message naming
// the call, as slice indexing would.
package graph
