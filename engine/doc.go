// Package engine finds data exfiltration in the traffic of a Kubernetes
// application, window by window.
//
// For each time window (of each window size) it builds the pod and service
// communication graphs, measures their structural invariants and other
// features, scales them against a benign baseline, scores the window with a
// LASSO model trained on the baseline plus synthetically injected attacks,
// and explains every alert as the sum of its features' contributions and a
// list of flagged edges. Two baselines are scored side by side: the Ide &
// Kashima eigenspace score and a service-pair allow-list.
//
// Training produces a Model; scoring is a Scorer built from a Model, the
// entity timeline and the options (NewScorer), immutable, with a Stream
// per capture holding what a window's score depends on of the windows
// before. Run's baseline mode trains on the baseline windows and then
// scores with that model, the path a loaded model takes; Evaluate scores
// its synthetic copies with the same Scorer.
//
// Run streams progress and per-window results through a callback as they are
// computed, so a user interface can show the first windows while the rest
// are analysed. Alerts are a comparison of a stored score with a threshold,
// so a new threshold applies to every window without recomputing anything.
//
// The engine imports no user-interface package.
package engine
