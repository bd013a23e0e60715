package record

import (
	"maps"
	"net/netip"
	"slices"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/entities"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
)

// rec is one entity as a line of the log describes it: every field but
// "ts" and "op", in the order they are written.
type rec struct {
	Kind        string            `json:"kind"`
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace"`
	IP          string            `json:"ip"`
	IPs         []string          `json:"ips,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Controller  string            `json:"controller,omitempty"`
	HostNetwork bool              `json:"host_network,omitempty"`
	Status      string            `json:"status,omitempty"`
	Created     string            `json:"created,omitempty"`
	Started     string            `json:"started,omitempty"`
	Deleted     string            `json:"deleted,omitempty"`
}

// key identifies an object of the cluster.
type key struct {
	kind     entities.Kind
	ns, name string
}

func (r *rec) key() key {
	k := key{kind: entities.Pod, ns: r.Namespace, name: r.Name}
	if r.Kind == entities.Service.String() {
		k.kind = entities.Service
	}
	return k
}

// addrs returns the entity's addresses, IP first.
func (r *rec) addrs() []string {
	if len(r.IPs) > 0 {
		return r.IPs
	}
	if r.IP != "" {
		return []string{r.IP}
	}
	return nil
}

// same reports whether two records of one object describe the same
// entity for the timeline: addresses and what the pod resolves by. Status
// and the object timestamps are informational and do not count.
func same(a, b *rec) bool {
	return a.IP == b.IP && slices.Equal(a.IPs, b.IPs) && maps.Equal(a.Labels, b.Labels) &&
		a.Controller == b.Controller && a.HostNetwork == b.HostNetwork
}

// setAddrs fills IP and IPs from the addresses an object lists (primary
// first, repeated in the list of all): unparsable ones and "None" are no
// address (the API server validates them, so this is a headless service
// or a pod without an address yet); IPs is written only for dual-stack.
func (r *rec) setAddrs(ss []string) {
	var all []string
	for _, s := range ss {
		a, err := netip.ParseAddr(s)
		if err != nil {
			continue
		}
		if t := a.Unmap().WithZone("").String(); !slices.Contains(all, t) {
			all = append(all, t)
		}
	}
	r.IP, r.IPs = "", nil
	if len(all) > 0 {
		r.IP = all[0]
	}
	if len(all) > 1 {
		r.IPs = all
	}
}

// stamp formats an object timestamp ("" when unset).
func stamp(t *metav1.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// podRec describes a pod; live is false when it holds no address: none
// assigned yet, or released because the pod ran to completion (phase
// Succeeded or Failed).
func podRec(p *corev1.Pod) (r rec, live bool) {
	r = rec{Kind: entities.Pod.String(), Name: p.Name, Namespace: p.Namespace, Labels: p.Labels,
		HostNetwork: p.Spec.HostNetwork, Status: string(p.Status.Phase),
		Created: stamp(&p.CreationTimestamp), Started: stamp(p.Status.StartTime), Deleted: stamp(p.DeletionTimestamp)}
	refs := make([]entities.OwnerRef, len(p.OwnerReferences))
	for i, o := range p.OwnerReferences {
		refs[i] = entities.OwnerRef{Kind: o.Kind, Name: o.Name, Controller: o.Controller != nil && *o.Controller}
	}
	r.Controller = entities.ControllerName(refs, p.Labels)
	ips := []string{p.Status.PodIP}
	for _, a := range p.Status.PodIPs {
		ips = append(ips, a.IP)
	}
	r.setAddrs(ips)
	done := p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed
	return r, r.IP != "" && !done
}

// serviceRec describes a service: always live, headless (ip "") when it
// has no ClusterIP; its labels are its selector.
func serviceRec(s *corev1.Service) rec {
	r := rec{Kind: entities.Service.String(), Name: s.Name, Namespace: s.Namespace, Labels: s.Spec.Selector,
		Created: stamp(&s.CreationTimestamp), Deleted: stamp(s.DeletionTimestamp)}
	r.setAddrs(append([]string{s.Spec.ClusterIP}, s.Spec.ClusterIPs...))
	return r
}

// describe describes an informer's object, unwrapping a tombstone; ok is
// false for anything else.
func describe(obj any) (r rec, live, ok bool) {
	switch o := obj.(type) {
	case *corev1.Pod:
		r, live = podRec(o)
		return r, live, true
	case *corev1.Service:
		return serviceRec(o), true, true
	case cache.DeletedFinalStateUnknown:
		return describe(o.Obj)
	}
	return rec{}, false, false
}

// slim keeps only the fields describe reads, so the informers' caches
// stay small on a large cluster.
func slim(obj any) (any, error) {
	switch o := obj.(type) {
	case *corev1.Pod:
		return &corev1.Pod{ObjectMeta: slimMeta(&o.ObjectMeta),
			Spec: corev1.PodSpec{HostNetwork: o.Spec.HostNetwork},
			Status: corev1.PodStatus{Phase: o.Status.Phase, PodIP: o.Status.PodIP, PodIPs: o.Status.PodIPs,
				StartTime: o.Status.StartTime}}, nil
	case *corev1.Service:
		return &corev1.Service{ObjectMeta: slimMeta(&o.ObjectMeta),
			Spec: corev1.ServiceSpec{ClusterIP: o.Spec.ClusterIP, ClusterIPs: o.Spec.ClusterIPs, Selector: o.Spec.Selector}}, nil
	}
	return obj, nil
}

func slimMeta(m *metav1.ObjectMeta) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, UID: m.UID, ResourceVersion: m.ResourceVersion,
		Labels: m.Labels, OwnerReferences: m.OwnerReferences,
		CreationTimestamp: m.CreationTimestamp, DeletionTimestamp: m.DeletionTimestamp}
}
