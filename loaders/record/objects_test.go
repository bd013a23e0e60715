package record

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// TestDescribe: what each kind of object becomes (addresses and
// liveness; the churn test covers the rest of the line).
func TestDescribe(t *testing.T) {
	extName := service("default", "api", "", nil)
	extName.Spec.Type = corev1.ServiceTypeExternalName
	dual := service("default", "web", "10.96.0.5", nil)
	dual.Spec.ClusterIPs = []string{"10.96.0.5", "fd00:96::5"}
	failed := pod("default", "job-x2x9z", "10.244.0.3", nil)
	failed.Status.Phase = corev1.PodFailed
	mapped := pod("default", "m", "::ffff:10.244.0.4", nil)
	tests := []struct {
		name string
		obj  any
		ip   string
		ips  []string
		live bool
	}{
		{"headless service", service("default", "db", "None", nil), "", nil, true},
		{"ExternalName service", extName, "", nil, true},
		{"dual-stack service", dual, "10.96.0.5", []string{"10.96.0.5", "fd00:96::5"}, true},
		{"pending pod", pod("default", "p", "", nil), "", nil, false},
		{"failed pod keeps its IP in status but released it", failed, "10.244.0.3", nil, false},
		{"IPv4-mapped address", mapped, "10.244.0.4", nil, true},
	}
	for _, tc := range tests {
		r, live, ok := describe(tc.obj)
		if !ok || r.IP != tc.ip || !slices.Equal(r.IPs, tc.ips) || live != tc.live {
			t.Errorf("%s: ip %q ips %q live %v (ok %v), want %q %q %v", tc.name, r.IP, r.IPs, live, ok, tc.ip, tc.ips, tc.live)
		}
	}
	if _, _, ok := describe("not an object"); ok {
		t.Error("describe accepted a string")
	}
}
