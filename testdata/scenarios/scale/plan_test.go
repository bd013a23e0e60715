package main

import (
	"strings"
	"testing"
)

// plansFor plans n copies of one source.
func plansFor(t *testing.T, s *source, n int) ([]*copyPlan, error) {
	t.Helper()
	srcOf := make([]*source, n)
	for i := range srcOf {
		srcOf[i] = s
	}
	return makePlans(srcOf)
}

// benignPlans plans n copies of the benign scenario.
func benignPlans(t *testing.T, n int) (*source, []*copyPlan) {
	t.Helper()
	s, err := loadSource(benignDir)
	if err != nil {
		t.Fatal(err)
	}
	plans, err := plansFor(t, s, n)
	if err != nil {
		t.Fatal(err)
	}
	return s, plans
}

// Copy 3 of benign: names and addresses cited from its entities.jsonl.
func TestCopyPlanRenamesBenign(t *testing.T) {
	_, plans := benignPlans(t, 4)
	c0, c := plans[0], plans[3]
	for _, tc := range []struct{ what, got, want string }{
		{"service", c.service("catalogue"), "catalogue-k3"},
		{"pod", c.pod("catalogue-k28qrjdrsm-jf29z"), "catalogue-k3-k28qrjdrsm-jf29z"},
		{"pod", c.pod("shop-db-0"), "shop-db-k3-0"},
		{"pod", c.pod("kube-dns-zkmt58jnsd-ljhds"), "kube-dns-k3-zkmt58jnsd-ljhds"},
		{"namespace", c.namespace("default"), "default-k3"},
		{"namespace", c.namespace("loadtest"), "loadtest-k3"},
		{"namespace", c.namespace("kube-system"), "kube-system"},
		{"pod ip", c.ip("10.244.0.13"), "10.244.3.13"},
		{"gateway", c.ip("10.244.0.1"), "10.244.3.1"},
		{"attacker", c.ip("203.0.113.10"), "203.0.113.10"},
		{"payment api", c.ip("198.51.100.20"), "198.51.100.20"},
		{"copy 0 pod", c0.pod("shop-db-0"), "shop-db-0"},
		{"copy 0 service ip", c0.ip("10.96.0.10"), "10.96.0.10"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %s, want %s", tc.what, tc.got, tc.want)
		}
	}
	if got := c.ip("10.96.0.10"); got == "10.96.0.10" || !strings.HasPrefix(got, "10.96.") {
		t.Errorf("copy 3's kube-dns ClusterIP %s: want another address in 10.96.0.0/16", got)
	}
}

// 64 copies of benign share no pod address, service address or unicast
// MAC, and none takes an address that every copy shares.
func TestCopiesAreDisjoint(t *testing.T) {
	s, plans := benignPlans(t, 64)
	owner := map[uint32]int{}
	for _, c := range plans {
		addrs := append([]uint32(nil), s.svcIPs...)
		for h := range uint32(256) {
			addrs = append(addrs, s.podNet|h)
		}
		for _, a := range addrs {
			m := c.addr(a)
			if s.stays[m] {
				t.Fatalf("copy %d maps %v onto shared address %v", c.k, u32addr(a), u32addr(m))
			}
			if k, ok := owner[m]; ok && k != c.k {
				t.Fatalf("copies %d and %d both use %v", k, c.k, u32addr(m))
			}
			owner[m] = c.k
		}
	}
	if len(owner) != 64*(256+len(s.svcIPs)) {
		t.Errorf("%d distinct addresses, want %d", len(owner), 64*(256+len(s.svcIPs)))
	}
}

// synthetic is a source with pods in pods/24, the given service
// addresses, one outside host and two MACs.
func synthetic(pods string, svcs ...string) *source {
	s := &source{dir: "synthetic", podNet: ip4(pods), podMask: 0xffffff00,
		stays: map[uint32]bool{ip4("203.0.113.10"): true},
		macs:  map[[6]byte]bool{{0x02, 0, 0, 0, 0, 1}: true, {0x02, 0x10, 0x20, 0, 0, 2}: true}}
	for _, a := range svcs {
		s.svcIPs = append(s.svcIPs, ip4(a))
	}
	return s
}

// Layouts that cannot be disjoint are refused, saying how many fit.
func TestPlanLimits(t *testing.T) {
	macClash := synthetic("10.244.0.0", "10.96.0.10")
	macClash.macs = map[[6]byte]bool{{0x02, 0, 0, 0, 0, 1}: true, {0x02, 0, 1, 0, 0, 1}: true}
	inSlots := synthetic("10.244.0.0", "10.96.0.10")
	inSlots.stays[ip4("10.244.5.7")] = true
	for _, tc := range []struct {
		name   string
		src    *source
		copies int
		want   string
	}{
		// 10.244.0.0 + 3072 × 256 is 11.0.0.0.
		{"pods leave 10/8", synthetic("10.244.0.0", "10.96.0.10"), 3073, "at most 3072 fit"},
		{"pods reach the service range", synthetic("10.95.0.0", "10.96.0.10", "10.96.200.1"), 257, "overlap the service range 10.96.0.0/16"},
		{"service /24 full", synthetic("10.244.0.0", "10.96.0.10", "10.96.0.200"), 128, "no free address left"},
		{"shared address in a copy's range", inSlots, 8, "10.244.5.7"},
		{"MACs clash", macClash, 2, "MAC address"},
	} {
		_, err := plansFor(t, tc.src, tc.copies)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	if _, err := plansFor(t, synthetic("10.244.0.0", "10.96.0.10", "10.96.200.1"), 3072); err != nil {
		t.Errorf("3072 copies: %v", err)
	}
}
