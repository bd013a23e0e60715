package entities

import (
	"net/netip"
	"slices"
	"testing"
)

// The original MIMIR logs (../shared/original-mimir, not in the
// repository). Expected counts come from reading the pickles with Python
// (pickle.load(f, encoding='latin1')) and counting by hand-written rules
// independent of this package: services with an address, pods not on the
// shared node address, and one group for the node address 10.0.2.15.
func TestWordpressLogs(t *testing.T) {
	tests := []struct {
		file      string
		instances int // services with an IP + pods off the node IP + 1 group
		services  int // service objects (one headless)
		proxy     string
		wordpress int // wwwppp-wordpress pod instances
	}{
		{mk5Log, 10 + 24 + 1, 11, "kube-proxy-xmz69", 11},
		{exampleLog, 10 + 23 + 1, 11, "kube-proxy-bv2rc", 10},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			l := mustLoad(t, oracle(t, tc.file))
			if l.Format != FormatPickle || !l.Relative {
				t.Fatalf("format %s relative %v", l.Format, l.Relative)
			}
			tl := mustBuild(t, l, Options{Start: testStartNs})
			if n := len(tl.Instances()); n != tc.instances {
				t.Errorf("%d instances, want %d", n, tc.instances)
			}
			logged, headless := 0, 0
			for _, s := range tl.Services() {
				if s.Derived {
					continue
				}
				logged++
				if len(s.ClusterIPs) == 0 {
					headless++
					// my-release-pxc-repl: ('None', '+', 'default', 'svc',
					// 'app=my-release-pxc,release=my-release', 'None').
					if s.Name != "my-release-pxc-repl" || s.Selector["app"] != "my-release-pxc" {
						t.Errorf("headless service %+v", s)
					}
				}
				if s.Name == "wwwppp-wordpress" && s.Pods != tc.wordpress {
					t.Errorf("wwwppp-wordpress has %d pods, want %d", s.Pods, tc.wordpress)
				}
			}
			if logged != tc.services || headless != 1 {
				t.Errorf("%d services (%d headless), want %d (1)", logged, headless, tc.services)
			}
			if len(byName(tl, "my-release-pxc-repl")) != 0 {
				t.Error("the headless service must not be an instance (it has no address)")
			}
			// Seven kube-system pods on 10.0.2.15 at key 0: one group.
			g := tl.Lookup(netip.MustParseAddr("10.0.2.15"), testStartNs)
			want := []string{"etcd-minikube", "kube-addon-manager-minikube", "kube-apiserver-minikube", "kube-controller-manager-minikube", tc.proxy, "kube-scheduler-minikube", "storage-provisioner"}
			if g == nil || g.Name != "node-10.0.2.15" || !slices.Equal(g.Members, want) || !g.Infra || g.Namespace != "kube-system" || g.To != never {
				t.Errorf("10.0.2.15 resolves to %+v, want the group of %v", g, want)
			}
			// Pods 172.17.0.2-26 (common /27) → /24; services 10.96.0.1 …
			// 10.111.200.108 → /12.
			wantP := []netip.Prefix{netip.MustParsePrefix("10.96.0.0/12"), netip.MustParsePrefix("172.17.0.0/24")}
			if got := tl.Prefixes(); !slices.Equal(got, wantP) {
				t.Errorf("prefixes %v, want %v", got, wantP)
			}
			dns := one(t, tl, "kube-dns")
			if !dns.DNS || dns.Infra || dns.Kind != Service {
				t.Errorf("kube-dns service: %+v", dns)
			}
		})
	}
}

// TestWordpressChurn follows pod …-xnwx2 of the mk5 log: added at key
// 7986, listed again at 8018 and as Terminating at 9541-9546, absent from
// the full listing at 10001, so live over [7986 s, 10001 s).
func TestWordpressChurn(t *testing.T) {
	l := mustLoad(t, oracle(t, mk5Log))
	tl := mustBuild(t, l, Options{Start: testStartNs})
	in := one(t, tl, "wwwppp-wordpress-65d5d74697-xnwx2")
	if in.From != testStartNs+7986e9 || in.To != testStartNs+10001e9 || in.IP != addr("172.17.0.26") || in.Service != "wwwppp-wordpress" {
		t.Errorf("xnwx2: %s [%d, %d) service %s; want 172.17.0.26 [Start+7986 s, Start+10001 s) wwwppp-wordpress", in.IP, in.From-testStartNs, in.To-testStartNs, in.Service)
	}
	ip := addr("172.17.0.26")
	for _, c := range []struct {
		secs int64
		live bool
	}{{7985, false}, {7986, true}, {9546, true}, {10000, true}, {10001, false}, {10798, false}} {
		if got := tl.Lookup(ip, testStartNs+c.secs*1e9) != nil; got != c.live {
			t.Errorf("172.17.0.26 at %d s: live %v, want %v", c.secs, got, c.live)
		}
	}
	// Every entity of key 0 is added once (41; the listings at 1, 1001, …
	// repeat them), plus xnwx2's add at 7986 and its deletion at 10001.
	if len(l.Events) != 43 {
		t.Errorf("%d events, want 41 + 2", len(l.Events))
	}
}
