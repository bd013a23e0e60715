// Package check reports whether captures and an entity log make sense
// together: what each capture holds (its node, span, packets, link types,
// the copies of packets it shares with the others and its clock offset),
// what the log describes, whether they overlap in time, and how much of
// the in-cluster traffic resolves to known pods and services. The
// captures are read as the analysis reads them (capture.OpenAll, tunnels
// opened, copies dropped). It is what `mimir-tui check` prints.
//
// Judge is the one judgement of whether a capture and an entity log fit
// together (they overlap in time; the log resolves the traffic). Run uses
// it, and so can any other reader of the two inputs: it takes counts
// (Evidence), not the inputs, and returns typed findings with a severity;
// an Error finding means results computed from the inputs would mean
// nothing.
package check
