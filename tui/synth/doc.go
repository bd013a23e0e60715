// Package synth produces synthetic but realistic analysis runs for testing
// and benchmarking the explorer without the engine: a small shop
// application with a benign baseline and a database exfiltration burst
// (shop-db -> outside), and long stress runs of any number of windows.
//
// A Scenario's Run method has the shape of engine.Run with its inputs and
// options bound, so it can stand in for the engine wherever a runner is
// injected. It streams the same events the engine does (progress, inputs,
// model, windows in index order per size with sizes interleaved,
// warnings) and returns the same Result. Everything is deterministic for a
// given seed, including the progress figures, so views built from a
// synthetic run can be golden-tested.
package synth
