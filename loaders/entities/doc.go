// Package entities loads logs of which IP belonged to which pod or service
// over time, and answers "which entity held IP x at time t".
//
// Formats are detected from the content: the original MIMIR cluster-creation
// log (a Python pickle, protocols 0–2, S'…' or V'…' strings), mimir-tui's
// JSON Lines events, and kubectl JSON (a `kubectl get pods,svc -A -o json`
// List, or the stream of `kubectl get … --watch --output-watch-events -o
// json`). A Timeline built from a Log resolves addresses in O(log n), handles
// IP reuse and pod churn, resolves pods to their service and classifies
// infrastructure.
package entities
