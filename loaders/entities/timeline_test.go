package entities

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestBaseName uses real pod names: those of the original MIMIR wordpress
// logs and of the shop demo, plus kubectl's shapes.
func TestBaseName(t *testing.T) {
	tests := []struct {
		name   string
		labels map[string]string
		want   string
	}{
		// Deployments: name-<pod-template-hash>-<5 chars>. The wordpress
		// logs carry the old numeric label (4290830601), which does not
		// match the encoded name part: the shape decides.
		{"kube-dns-86f4d74b45-8s29w", map[string]string{"pod-template-hash": "4290830601"}, "kube-dns"},
		{"wwwppp-wordpress-65d5d74697-xnwx2", nil, "wwwppp-wordpress"},
		{"metrics-server-85c979995f-cmzgm", nil, "metrics-server"},
		{"kubernetes-dashboard-5498ccf677-m4l8h", nil, "kubernetes-dashboard"},
		{"tiller-deploy-78c6868dd6-gbqfk", nil, "tiller-deploy"},
		{"user-88wfls27w-fpvc9", map[string]string{"pod-template-hash": "88wfls27w"}, "user"},
		{"front-end-9tp97rxbc-56zrt", nil, "front-end"},
		{"kube-dns-njkj9fmtwz-kgw24", nil, "kube-dns"},
		// DaemonSets (and Jobs): name-<5 chars>.
		{"heapster-zsfs9", nil, "heapster"},
		{"influxdb-grafana-22c8h", nil, "influxdb-grafana"},
		{"kube-proxy-xmz69", nil, "kube-proxy"},
		// StatefulSets: name-<ordinal>.
		{"shop-db-0", nil, "shop-db"},
		{"my-release-pxc-6", nil, "my-release-pxc"},
		// CronJob: name-<scheduled minute>-<5 chars>.
		{"report-29540714-4kz8n", nil, "report"},
		// Nothing generated: kept. "minikube" and "provisioner" hold
		// vowels, so they are no generated suffix.
		{"kube-scheduler-minikube", nil, "kube-scheduler-minikube"},
		{"storage-provisioner", nil, "storage-provisioner"},
		{"debug", nil, "debug"},
		{"nginx-proxy", nil, "nginx-proxy"},
		// A 5-char suffix after a short word keeps the word: "v2" is too
		// short for a ReplicaSet hash.
		{"app-v2-x7k2p", nil, "app-v2"},
		// Never empty.
		{"0", nil, "0"},
		{"-0", nil, "-0"},
	}
	for _, tc := range tests {
		if got := BaseName(tc.name, tc.labels); got != tc.want {
			t.Errorf("BaseName(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestServiceFor covers the resolution order and its tie-breaks, with the
// selectors of the wordpress logs.
func TestServiceFor(t *testing.T) {
	byNS := map[string][]svcSelector{
		"default": {
			{"my-release-pxc-repl", map[string]string{"app": "my-release-pxc", "release": "my-release"}},
			{"my-release-pxc", map[string]string{"app": "my-release-pxc", "release": "my-release"}},
			{"wwwppp-wordpress", map[string]string{"app": "wwwppp-wordpress"}},
			{"kubernetes", nil},
			{"web", map[string]string{"app": "web"}},
			{"web-frontend", map[string]string{"app": "web", "tier": "frontend"}},
		},
		"kube-system": {
			{"monitoring-influxdb", map[string]string{"addonmanager.kubernetes.io/mode": "Reconcile", "k8s-app": "influx-grafana"}},
			{"monitoring-grafana", map[string]string{"addonmanager.kubernetes.io/mode": "Reconcile", "k8s-app": "influx-grafana"}},
		},
	}
	pxc := map[string]string{"app": "my-release-pxc", "release": "my-release", "statefulset.kubernetes.io/pod-name": "my-release-pxc-1"}
	tests := []struct {
		why string
		e   Entity
		// want is the expected service.
		want string
	}{
		{"explicit owner wins over a matching selector", Entity{Name: "web-1", Namespace: "default", Owner: "other", Labels: map[string]string{"app": "web"}}, "other"},
		{"equal key counts: smallest name (my-release-pxc < my-release-pxc-repl)", Entity{Name: "my-release-pxc-1", Namespace: "default", Labels: pxc}, "my-release-pxc"},
		{"equal key counts: smallest name (monitoring-grafana < monitoring-influxdb)", Entity{Name: "influxdb-grafana-22c8h", Namespace: "kube-system", Labels: map[string]string{"addonmanager.kubernetes.io/mode": "Reconcile", "k8s-app": "influx-grafana"}}, "monitoring-grafana"},
		{"more selector keys win", Entity{Name: "web-5d8f7c9b6d-q2x8z", Namespace: "default", Labels: map[string]string{"app": "web", "tier": "frontend"}}, "web-frontend"},
		{"subset, not equality", Entity{Name: "wwwppp-wordpress-65d5d74697-7fq6l", Namespace: "default", Labels: map[string]string{"app": "wwwppp-wordpress", "release": "wwwppp", "chart": "wordpress-5.7.1"}}, "wwwppp-wordpress"},
		{"other namespace's selectors do not apply", Entity{Name: "my-release-pxc-1", Namespace: "other", Labels: pxc}, "my-release-pxc"},
		{"an empty selector matches nothing (kubernetes)", Entity{Name: "etcd-minikube", Namespace: "default"}, "etcd-minikube"},
		{"controller before the name", Entity{Name: "report-29540714-4kz8n", Namespace: "default", Controller: "nightly-report"}, "nightly-report"},
		{"name without generated parts", Entity{Name: "kube-dns-86f4d74b45-8s29w", Namespace: "kube-system", Labels: map[string]string{"k8s-app": "kube-dns"}}, "kube-dns"},
	}
	for _, tc := range tests {
		r := &resolver{byNS: byNS}
		if got, err := r.serviceFor(&tc.e); err != nil || got != tc.want {
			t.Errorf("%s: serviceFor(%s) = %q, want %q", tc.why, tc.e.Name, got, tc.want)
		}
	}
}

func TestDNSAndInfra(t *testing.T) {
	tests := []struct {
		e          Entity
		service    string
		dns, infra bool
	}{
		{Entity{Kind: Service, Name: "kube-dns", Namespace: "kube-system", Labels: map[string]string{"k8s-app": "kube-dns"}}, "kube-dns", true, false},
		{Entity{Kind: Pod, Name: "coredns-7db6d8ff4d-bn2qf", Namespace: "kube-system", Labels: map[string]string{"k8s-app": "kube-dns"}}, "kube-dns", true, false},
		{Entity{Kind: Pod, Name: "coredns-5d78c9869d-abcde", Namespace: "kube-system", Labels: map[string]string{"app.kubernetes.io/name": "coredns"}}, "coredns", true, false},
		{Entity{Kind: Pod, Name: "dns-1", Namespace: "kube-system"}, "coredns", true, false}, // by its service
		{Entity{Kind: Pod, Name: "heapster-zsfs9", Namespace: "kube-system"}, "heapster", false, true},
		{Entity{Kind: Service, Name: "kubernetes", Namespace: "default"}, "kubernetes", false, true},
		{Entity{Kind: Pod, Name: "web-0", Namespace: "default", HostNetwork: true}, "web", false, true},
		{Entity{Kind: Pod, Name: "shop-db-0", Namespace: "default"}, "shop-db", false, false},
	}
	for _, tc := range tests {
		dns := isDNS(&tc.e, tc.service)
		if infra := isInfra(&tc.e, dns); dns != tc.dns || infra != tc.infra {
			t.Errorf("%s/%s: dns %v infra %v, want %v %v", tc.e.Namespace, tc.e.Name, dns, infra, tc.dns, tc.infra)
		}
	}
}

func TestCommonPrefixes(t *testing.T) {
	tests := []struct {
		addrs []string
		want  []string
	}{
		// Shop-demo pods: 10.244.0.8 = …00001000, .29 = …00011101: common
		// /27, widened to /24.
		{[]string{"10.244.0.8", "10.244.0.29", "10.244.0.17"}, []string{"10.244.0.0/24"}},
		// Shop-demo services: third octets 0 and 254 differ in the first
		// bit: /16.
		{[]string{"10.96.0.10", "10.96.143.8", "10.96.254.45", "10.96.97.130"}, []string{"10.96.0.0/16"}},
		// Wordpress services: second octets 96 (0110 0000) to 111 (0110
		// 1111): /12, kubeadm's default service range.
		{[]string{"10.96.0.1", "10.111.200.108", "10.102.10.157", "10.99.255.138"}, []string{"10.96.0.0/12"}},
		// One address: its /24.
		{[]string{"172.17.0.5"}, []string{"172.17.0.0/24"}},
		// Common prefix /0 (10 = 00001010, 172 = 10101100): shorter than /8,
		// so grouped by /16.
		{[]string{"10.244.1.5", "172.17.0.2", "10.244.0.9"}, []string{"10.244.0.0/16", "172.17.0.0/16"}},
		// IPv6: common /120 widened to /64.
		{[]string{"fd00:10:244::3", "fd00:10:244::b"}, []string{"fd00:10:244::/64"}},
		// IPv6 sharing only 8 bits (fd…, fc…: 11111101, 11111100 share 7):
		// shorter than /32, so grouped by /48.
		{[]string{"fd00:10:244::3", "fc00:f853:ccd:e793::2"}, []string{"fc00:f853:ccd::/48", "fd00:10:244::/48"}},
	}
	for _, tc := range tests {
		var as []netip.Addr
		for _, s := range tc.addrs {
			as = append(as, addr(s))
		}
		var got []string
		for _, p := range commonPrefixes(as) {
			got = append(got, p.String())
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("commonPrefixes(%v) = %v, want %v", tc.addrs, got, tc.want)
		}
	}
}

func TestOptionsCIDRs(t *testing.T) {
	l := mustLoad(t, shopDir+"/entities.jsonl")
	given := []netip.Prefix{netip.MustParsePrefix("10.244.0.77/16"), netip.MustParsePrefix("10.244.3.0/24")}
	tl := mustBuild(t, l, Options{ClusterCIDRs: given})
	// Masked, and the /24 inside the /16 dropped.
	if got := tl.Prefixes(); !slices.Equal(got, []netip.Prefix{netip.MustParsePrefix("10.244.0.0/16")}) {
		t.Errorf("prefixes %v, want [10.244.0.0/16]", got)
	}
	for _, c := range []struct {
		ip string
		in bool
	}{{"10.244.200.1", true}, {"10.96.0.10", false}, {"::ffff:10.244.0.1", true}, {"203.0.113.10", false}} {
		if got := tl.InCluster(addr(c.ip)); got != c.in {
			t.Errorf("InCluster(%s) = %v, want %v", c.ip, got, c.in)
		}
	}
}

// jsonlLog builds a JSON Lines log from "secs op kind name ip [k=v]" lines.
func jsonlLog(t *testing.T, lines ...string) *Log {
	t.Helper()
	var b strings.Builder
	base := time.Unix(0, testStartNs).UTC()
	for _, l := range lines {
		f := strings.Fields(l)
		var secs float64
		fmt.Sscan(f[0], &secs)
		ts := base.Add(time.Duration(secs * 1e9)).Format(time.RFC3339Nano)
		labels := ""
		if len(f) > 5 {
			k, v, _ := strings.Cut(f[5], "=")
			labels = fmt.Sprintf(`, "labels": {%q: %q}`, k, v)
		}
		fmt.Fprintf(&b, `{"ts": %q, "op": %q, "kind": %q, "name": %q, "namespace": "default", "ip": %q%s}`+"\n", ts, f[1], f[2], f[3], f[4], labels)
	}
	return mustParse(t, b.String(), "t.jsonl")
}

func at(secs float64) int64 { return testStartNs + int64(secs*1e9) }

// TestIntervals checks [add, delete), IP reuse and the overlap rules.
func TestIntervals(t *testing.T) {
	l := jsonlLog(t,
		"0 add pod a 10.0.0.1",
		"10 delete pod a 10.0.0.1",
		"10 add pod b 10.0.0.1", // reuse at the very instant a goes
		"20 add pod b 10.0.0.1", // repeated add: same instance
		"30 add pod b 10.0.0.2", // new address: new instance
		// Two pods on one address at once: a host-network group over
		// [40, 60).
		"40 add pod n1 10.0.9.9",
		"45 add pod n2 10.0.9.9",
		"50 delete pod n1 10.0.9.9",
		"60 delete pod n2 10.0.9.9",
		// A service and a pod overlapping: the later one from its start.
		"0 add service s 10.96.0.5",
		"5 add pod p 10.96.0.5",
		"8 delete pod p 10.96.0.5",
		"9 delete pod zz 10.0.0.99", // delete of an unknown entity: ignored
	)
	tl := mustBuild(t, l, Options{})
	tests := []struct {
		ip   string
		secs float64
		want string // name, or "" for none
	}{
		{"10.0.0.1", -1, ""},
		{"10.0.0.1", 0, "a"},
		{"10.0.0.1", 9.999, "a"},
		{"10.0.0.1", 10, "b"},
		{"10.0.0.1", 29.999, "b"},
		{"10.0.0.1", 30, ""},
		{"10.0.0.2", 30, "b"},
		{"10.0.0.2", 1e6, "b"},
		{"10.0.9.9", 39, ""},
		{"10.0.9.9", 40, "node-10.0.9.9"},
		{"10.0.9.9", 55, "node-10.0.9.9"},
		{"10.0.9.9", 60, ""},
		{"10.96.0.5", 4, "s"},
		{"10.96.0.5", 5, "p"},
		{"10.96.0.5", 8, ""}, // s lost the address to p
		{"10.0.0.99", 9, ""},
		{"::ffff:10.0.0.1", 0, "a"},
		{"fe80::1", 0, ""},
	}
	for _, tc := range tests {
		got := ""
		if in := tl.Lookup(addr(tc.ip), at(tc.secs)); in != nil {
			got = in.Name
		}
		if got != tc.want {
			t.Errorf("Lookup(%s, %gs) = %q, want %q", tc.ip, tc.secs, got, tc.want)
		}
		if id := tl.Tag(addr(tc.ip), at(tc.secs)); (id == NoTag) != (tc.want == "") {
			t.Errorf("Tag(%s, %gs) = %d", tc.ip, tc.secs, id)
		}
	}
	if bs := byName(tl, "b"); len(bs) != 2 || bs[0].From != at(10) || bs[0].To != at(30) || bs[1].From != at(30) || bs[1].To != never {
		t.Errorf("b instances %+v, want [10s, 30s) and [30s, never)", bs)
	}
	g := one(t, tl, "node-10.0.9.9")
	if !g.Infra || !g.HostNetwork || !slices.Equal(g.Members, []string{"n1", "n2"}) || g.From != at(40) || g.To != at(60) || g.Service != "node-10.0.9.9" {
		t.Errorf("group %+v", g)
	}
	if len(byName(tl, "n1")) != 0 {
		t.Error("n1 is in the group, it must not be an instance of its own")
	}
	if first, last := tl.Span(); first != at(0) || last != at(60) {
		t.Errorf("Span = %d, %d; want %d, %d", first, last, at(0), at(60))
	}
	for i, in := range tl.Instances() {
		if in.ID != int32(i) || tl.Instance(int32(i)).Name != in.Name {
			t.Errorf("instance %d has ID %d", i, in.ID)
		}
		if i > 0 && in.From < tl.Instances()[i-1].From {
			t.Errorf("instances not in start order at %d", i)
		}
	}
	if tl.Instance(-1) != nil || tl.Instance(int32(len(tl.Instances()))) != nil {
		t.Error("Instance out of range must be nil")
	}
}

func TestBuildRelative(t *testing.T) {
	l := mustLoad(t, shopDir+"/cluster_creation_log.pickle")
	if _, err := Build(l, Options{}); err == nil || !strings.Contains(err.Error(), "Options.Start") {
		t.Errorf("Build of a relative log without Start: %v, want an error asking for Options.Start", err)
	}
	// Second 0 = Start + Offset: the pod added at key 60 starts at
	// Start + 60 s - 1.5 s.
	tl := mustBuild(t, l, Options{Start: testStartNs, Offset: -1500 * time.Millisecond})
	if in := one(t, tl, "front-end-9tp97rxbc-56zrt"); in.From != testStartNs+58_500_000_000 {
		t.Errorf("From = %d, want %d", in.From, testStartNs+58_500_000_000)
	}
	// An absolute log moves by Offset; Start is ignored.
	j := mustLoad(t, shopDir+"/entities.jsonl")
	a := mustBuild(t, j, Options{})
	b := mustBuild(t, j, Options{Start: 12345, Offset: 2 * time.Second})
	for i := range a.Instances() {
		if b.Instances()[i].From != a.Instances()[i].From+2e9 {
			t.Fatalf("instance %d: From %d, want %d", i, b.Instances()[i].From, a.Instances()[i].From+2e9)
		}
	}
}

// TestTagMatchesScan compares Tag with a linear scan of the instances on
// random logs of pods that come, go and reuse addresses.
func TestTagMatchesScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var lines []string
	live := make(map[string]string) // address → pod
	for i := 0; i < 3000; i++ {
		ip := fmt.Sprintf("10.1.%d.%d", rng.IntN(2), rng.IntN(40))
		secs := float64(i) * 0.5
		if p, ok := live[ip]; ok {
			lines = append(lines, fmt.Sprintf("%g delete pod %s %s", secs, p, ip))
			delete(live, ip)
		} else {
			p := fmt.Sprintf("p%d", i)
			lines = append(lines, fmt.Sprintf("%g add pod %s %s", secs, p, ip))
			live[ip] = p
		}
	}
	tl := mustBuild(t, jsonlLog(t, lines...), Options{})
	for i := 0; i < 20000; i++ {
		ip := addr(fmt.Sprintf("10.1.%d.%d", rng.IntN(2), rng.IntN(42)))
		ts := at(rng.Float64()*1600 - 50)
		want := NoTag
		for _, in := range tl.Instances() {
			if in.IP == ip && in.From <= ts && ts < in.To {
				want = in.ID
			}
		}
		if got := tl.Tag(ip, ts); got != want {
			t.Fatalf("Tag(%s, %d) = %d, want %d", ip, ts, got, want)
		}
	}
}

func TestTagAllocs(t *testing.T) {
	tl := mustBuild(t, mustLoad(t, shopDir+"/entities.jsonl"), Options{})
	ip4, ip6 := addr("10.244.0.26"), addr("fd00::1")
	ts := rfc("2026-11-24T12:26:00Z")
	if n := testing.AllocsPerRun(100, func() {
		tl.Tag(ip4, ts)
		tl.Tag(ip6, ts)
		tl.Lookup(ip4, ts)
	}); n != 0 {
		t.Errorf("Tag allocates %v times per call, want 0", n)
	}
}

// TestBuildHandMade builds a Log made in code, as a caller may: events
// out of order, an IPv4-mapped address, repeated extra addresses.
func TestBuildHandMade(t *testing.T) {
	p := Entity{Kind: Pod, Name: "web-0", Namespace: "default", IP: addr("::ffff:10.0.0.7"),
		ExtraIPs: []netip.Addr{addr("fd00::7"), addr("fd00::7"), addr("10.0.0.7"), {}}}
	l := &Log{Name: "hand", Events: []Event{
		{At: at(50), Op: Delete, Entity: p},
		{At: at(10), Op: Add, Entity: p},
	}}
	tl := mustBuild(t, l, Options{})
	in := one(t, tl, "web-0")
	// One instance over [10 s, 50 s) on 10.0.0.7 and fd00::7: not a group
	// of the pod with itself.
	if in.Members != nil || in.IP != addr("10.0.0.7") || !slices.Equal(in.ExtraIPs, []netip.Addr{addr("fd00::7")}) || in.From != at(10) || in.To != at(50) {
		t.Errorf("instance %+v", in)
	}
	if got := tl.Lookup(addr("fd00::7"), at(20)); got == nil || got.Name != "web-0" {
		t.Errorf("Lookup(fd00::7) = %v", got)
	}
	if l.Events[0].At != at(50) {
		t.Error("Build reordered the caller's events")
	}
}
