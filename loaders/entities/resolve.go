package entities

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// safeAlphabet is the alphabet Kubernetes uses for generated name parts
// (k8s.io/apimachinery/pkg/util/rand: no vowels, no 0, 1 or 3, so no
// words and no look-alike characters): the 5-character suffix of a pod
// made by a ReplicaSet, DaemonSet or Job, and the encoded
// pod-template-hash of a ReplicaSet.
const safeAlphabet = "bcdfghjklmnpqrstvwxz2456789"

func isSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(safeAlphabet, s[i]) < 0 {
			return false
		}
	}
	return s != ""
}

// isPodSuffix reports the random 5-character suffix of a generated pod
// name.
func isPodSuffix(s string) bool { return len(s) == 5 && isSafe(s) }

// isReplicaSetHash reports an encoded pod-template-hash: the decimal digits
// of a 32-bit FNV hash, each mapped into safeAlphabet, so 6 to 10
// characters in practice (fewer than 6 needs a hash below 100000, one
// chance in 40000), at least one of them a digit.
func isReplicaSetHash(s string) bool {
	return len(s) >= 6 && len(s) <= 10 && isSafe(s) && strings.ContainsAny(s, "2456789")
}

// BaseName strips the parts Kubernetes generates from a pod name, to name
// the pod's workload:
//
//	name-<pod-template-hash>-<5 chars>   Deployment (ReplicaSet) pod → name
//	name-<scheduled time>-<5 chars>      CronJob pod → name
//	name-<5 chars>                       DaemonSet or Job pod → name
//	name-<ordinal>                       StatefulSet pod → name
//
// The hash is recognised by the pod's pod-template-hash label when it
// matches, else by its shape (6-10 characters of the generated-name
// alphabet, with a digit). A name that would become empty is kept.
func BaseName(name string, labels map[string]string) string {
	parts := strings.Split(name, "-")
	if len(parts) < 2 {
		return name
	}
	last := parts[len(parts)-1]
	switch {
	case isPodSuffix(last):
		parts = parts[:len(parts)-1]
		if len(parts) >= 2 {
			prev := parts[len(parts)-1]
			h := labels["pod-template-hash"]
			if (h != "" && prev == h) || isReplicaSetHash(prev) || isDigits(prev) {
				parts = parts[:len(parts)-1]
			}
		}
	case isDigits(last):
		parts = parts[:len(parts)-1]
	}
	if base := strings.Join(parts, "-"); base != "" {
		return base
	}
	return name
}

// selectorMatches reports whether a non-empty selector is a subset of
// labels.
func selectorMatches(sel, labels map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if lv, ok := labels[k]; !ok || lv != v {
			return false
		}
	}
	return true
}

// svcSelector is one selector a service had in the log.
type svcSelector struct {
	name string
	sel  map[string]string
}

// maxSelectorChecks bounds the selector comparisons of one Build: a
// cluster with 5000 services in a namespace and 10000 distinct pod label
// sets needs 5·10⁷; beyond this the input is absurd.
const maxSelectorChecks = 1 << 28

// resolver resolves pods to services. It remembers the selector match of
// each label set, since the pods of a workload share theirs.
type resolver struct {
	byNS   map[string][]svcSelector
	memo   map[string]string
	checks int
}

var errTooManySelectors = fmt.Errorf("%w: too many services times distinct pod label sets to match selectors (over %d comparisons)", ErrTooLarge, maxSelectorChecks)

// serviceFor names the service a pod resolves to (see the package
// documentation for the order and the tie-breaks).
func (r *resolver) serviceFor(e *Entity) (string, error) {
	if e.Owner != "" {
		return e.Owner, nil
	}
	best, err := r.match(e.Namespace, e.Labels)
	if err != nil || best != "" {
		return best, err
	}
	if e.Controller != "" {
		return e.Controller, nil
	}
	return BaseName(e.Name, e.Labels), nil
}

// match returns the service of namespace ns whose non-empty selector is a
// subset of labels: most selector keys, then the smallest name; "" when
// none matches.
func (r *resolver) match(ns string, labels map[string]string) (string, error) {
	svcs := r.byNS[ns]
	if len(svcs) == 0 || len(labels) == 0 {
		return "", nil
	}
	var key strings.Builder
	key.WriteString(ns)
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		key.WriteByte(0)
		key.WriteString(k)
		key.WriteByte(0)
		key.WriteString(labels[k])
	}
	if best, ok := r.memo[key.String()]; ok {
		return best, nil
	}
	r.checks += len(svcs)
	if r.checks > maxSelectorChecks {
		return "", errTooManySelectors
	}
	best, bestKeys := "", 0
	for _, s := range svcs {
		if !selectorMatches(s.sel, labels) {
			continue
		}
		if n := len(s.sel); n > bestKeys || (n == bestKeys && s.name < best) {
			best, bestKeys = s.name, n
		}
	}
	if r.memo == nil {
		r.memo = make(map[string]string)
	}
	r.memo[key.String()] = best
	return best, nil
}

// dnsNames are the names and label values of cluster DNS.
var dnsNames = []string{"kube-dns", "coredns"}

// isDNS reports cluster DNS: an entity named kube-dns or coredns, whose
// labels (a service: its selector) have k8s-app or app.kubernetes.io/name
// equal to kube-dns or coredns, or a pod whose service is one of those.
func isDNS(e *Entity, service string) bool {
	if slices.Contains(dnsNames, e.Name) || slices.Contains(dnsNames, service) {
		return true
	}
	for _, k := range []string{"k8s-app", "app.kubernetes.io/name"} {
		if v, ok := e.Labels[k]; ok && slices.Contains(dnsNames, v) {
			return true
		}
	}
	return false
}

// isInfra reports infrastructure: kube-system entities other than cluster
// DNS, host-network pods, and the API server's service (default/kubernetes).
func isInfra(e *Entity, dns bool) bool {
	return e.HostNetwork || (e.Namespace == "kube-system" && !dns) ||
		(e.Kind == Service && e.Namespace == "default" && e.Name == "kubernetes")
}
