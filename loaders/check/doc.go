// Package check reports whether a capture and an entity log make sense
// together: what the capture holds, what the log describes, whether they
// overlap in time, and how much of the in-cluster traffic resolves to
// known pods and services. It is what `mimir-tui check` prints.
package check
