package entities

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

func rfc(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UnixNano()
}

// TestKubectlListEdge checks testdata/entities/kubectl-list-edge.json, a
// dual-stack cluster listed at 10:00. Expected values are read off the
// fixture's fields, as the comments say.
func TestKubectlListEdge(t *testing.T) {
	l := mustLoad(t, fixture("kubectl-list-edge.json"))
	if l.Format != FormatKubectlList || l.Relative {
		t.Fatalf("format %s relative %v", l.Format, l.Relative)
	}
	tl := mustBuild(t, l, Options{})
	tests := []struct {
		name     string
		ip       string
		extra    []string
		from, to int64
		service  string
		infra    bool
		dns      bool
	}{
		// etcd (startTime 09:00:05) and kube-proxy share the node's
		// addresses with hostNetwork: one group, named after the IPv4.
		{"node-172.18.0.2", "172.18.0.2", []string{"fc00:f853:ccd:e793::2"}, rfc("2026-03-02T09:00:05Z"), never, "node-172.18.0.2", true, false},
		{"coredns-7db6d8ff4d-bn2qf", "10.244.0.3", []string{"fd00:10:244::3"}, rfc("2026-03-02T09:00:30Z"), never, "kube-dns", false, true},
		// db and db-read both select app=db (one key each): the smaller
		// name wins, even though db is headless.
		{"db-0", "10.244.0.5", []string{"fd00:10:244::5"}, rfc("2026-03-02T09:10:00Z"), never, "db", false, false},
		// web (app=web) and web-frontend (app=web,tier=frontend) match: the
		// selector with more keys wins.
		{"web-5d8f7c9b6d-q2x8z", "10.244.0.7", []string{"fd00:10:244::7"}, rfc("2026-03-02T09:10:05Z"), never, "web-frontend", false, false},
		// Terminating: deleted at its deletionTimestamp.
		{"web-5d8f7c9b6d-zz9xw", "10.244.0.8", []string{"fd00:10:244::8"}, rfc("2026-03-02T09:10:05Z"), rfc("2026-03-02T10:00:25Z"), "web-frontend", false, false},
		// Succeeded Job pod: gone at its container's finishedAt; its
		// service is the CronJob's name (Job report-29540714 without the
		// scheduled minute).
		{"report-29540714-4kz8n", "10.244.0.9", []string{"fd00:10:244::9"}, rfc("2026-03-02T09:14:00Z"), rfc("2026-03-02T09:14:07Z"), "report", false, false},
		{"debug", "10.244.0.11", []string{"fd00:10:244::b"}, rfc("2026-03-02T09:30:00Z"), never, "debug", false, false},
		{"kubernetes", "10.96.0.1", []string{"fd00:10:96::1"}, rfc("2026-03-02T09:00:10Z"), never, "kubernetes", true, false},
		{"kube-dns", "10.96.0.10", []string{"fd00:10:96::a"}, rfc("2026-03-02T09:00:11Z"), never, "kube-dns", false, true},
		{"db-read", "10.96.7.7", nil, rfc("2026-03-02T09:09:58Z"), never, "db-read", false, false},
		{"web", "10.96.12.80", nil, rfc("2026-03-02T09:10:01Z"), never, "web", false, false},
		{"web-frontend", "10.96.40.7", nil, rfc("2026-03-02T09:10:01Z"), never, "web-frontend", false, false},
	}
	if n := len(tl.Instances()); n != len(tests) {
		// 16 items: the pending pod, the headless db and the ExternalName
		// service have no address, and etcd + kube-proxy are one group.
		t.Errorf("%d instances, want %d", n, len(tests))
	}
	for _, tc := range tests {
		in := one(t, tl, tc.name)
		var extra []netip.Addr
		for _, s := range tc.extra {
			extra = append(extra, addr(s))
		}
		if in.IP != addr(tc.ip) || !slices.Equal(in.ExtraIPs, extra) || in.From != tc.from || in.To != tc.to ||
			in.Service != tc.service || in.Infra != tc.infra || in.DNS != tc.dns {
			t.Errorf("%s: got ip %s %v [%d, %d) service %q infra %v dns %v; want %s %v [%d, %d) %q %v %v",
				tc.name, in.IP, in.ExtraIPs, in.From, in.To, in.Service, in.Infra, in.DNS, tc.ip, extra, tc.from, tc.to, tc.service, tc.infra, tc.dns)
		}
		for _, a := range in.Addrs() {
			if got := tl.Lookup(a, tc.from); got == nil || got.ID != in.ID {
				t.Errorf("Lookup(%s, from) = %v, want %s", a, got, tc.name)
			}
		}
	}
	g := one(t, tl, "node-172.18.0.2")
	if !slices.Equal(g.Members, []string{"etcd-edge-control-plane", "kube-proxy-x7k2p"}) || g.Namespace != "kube-system" {
		t.Errorf("group members %v namespace %q", g.Members, g.Namespace)
	}
	// Services: the log's 7 plus 3 derived (debug, report, the node group).
	want := map[string]bool{"kubernetes": false, "kube-dns": false, "db": false, "db-read": false, "web": false, "web-frontend": false, "ext-payments": false, "debug": true, "report": true, "node-172.18.0.2": true}
	got := make(map[string]bool)
	for _, s := range tl.Services() {
		got[s.Name] = s.Derived
	}
	if !mapsEqualBool(got, want) {
		t.Errorf("services (name: derived) %v, want %v", got, want)
	}
	// Pods 10.244.0.3-11 share /28 → /24; their IPv6 share more than /64
	// → /64; services 10.96.0.1 … 10.96.40.7 share 10.96.0.0/18 (third
	// octets 0 to 40 agree in their top 2 bits); IPv6 services /64.
	wantP := []string{"10.96.0.0/18", "10.244.0.0/24", "fd00:10:96::/64", "fd00:10:244::/64"}
	var gotP []string
	for _, p := range tl.Prefixes() {
		gotP = append(gotP, p.String())
	}
	if !slices.Equal(gotP, wantP) {
		t.Errorf("prefixes %v, want %v", gotP, wantP)
	}
}

func mapsEqualBool(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestKubectlWatchEdge checks testdata/entities/kubectl-watch-edge.json.
func TestKubectlWatchEdge(t *testing.T) {
	l := mustLoad(t, fixture("kubectl-watch-edge.json"))
	want := []string{
		// Service ADDED: creationTimestamp 11:00:00.
		"1772449200 add api 10.96.5.5",
		// The pod's address appears in record 3: its latest condition
		// (PodReadyToStartContainers) changed at 11:00:03. Record 4 only
		// adds a label: no event.
		"1772449203 add api-6b9f7d8c5d-k2m4n 10.244.1.20",
		// DELETED without a deletionTimestamp: the latest timestamp in the
		// object, the container's finishedAt 11:05:02.
		"1772449502 delete api-6b9f7d8c5d-k2m4n 10.244.1.20",
		// The address is reused by a new pod, ADDED with it: startTime.
		"1772449510 add api-6b9f7d8c5d-w8x2q 10.244.1.20",
		"1772449560 add batch-7q2zx 10.244.1.30",
		// MODIFIED to Failed: gone at finishedAt 11:06:40.
		"1772449600 delete batch-7q2zx 10.244.1.30",
		// Service DELETED: deletionTimestamp 11:10:00.
		"1772449800 delete api 10.96.5.5",
	}
	if got := evs(l); !slices.Equal(got, want) {
		t.Fatalf("events:\n got %q\nwant %q", got, want)
	}
	tl := mustBuild(t, l, Options{})
	reuse := addr("10.244.1.20")
	for _, c := range []struct {
		at   string
		want string
	}{
		{"2026-03-02T11:00:02Z", ""},
		{"2026-03-02T11:00:03Z", "api-6b9f7d8c5d-k2m4n"},
		{"2026-03-02T11:05:01Z", "api-6b9f7d8c5d-k2m4n"},
		{"2026-03-02T11:05:05Z", ""},
		{"2026-03-02T11:05:10Z", "api-6b9f7d8c5d-w8x2q"},
		{"2030-01-01T00:00:00Z", "api-6b9f7d8c5d-w8x2q"},
	} {
		got := ""
		if in := tl.Lookup(reuse, rfc(c.at)); in != nil {
			got = in.Name
		}
		if got != c.want {
			t.Errorf("Lookup(%s, %s) = %q, want %q", reuse, c.at, got, c.want)
		}
	}
	if s := one(t, tl, "batch-7q2zx").Service; s != "batch" {
		t.Errorf("batch pod service %q, want batch (its Job)", s)
	}
}

func TestKubectlBareObjects(t *testing.T) {
	// kubectl get -w -o json without --output-watch-events: bare objects,
	// read like List items.
	const stream = `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a-0", "namespace": "x", "creationTimestamp": "2026-01-01T00:00:00Z"}, "status": {"podIP": "10.0.0.5", "startTime": "2026-01-01T00:00:01Z"}}
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a-0", "namespace": "x", "creationTimestamp": "2026-01-01T00:00:00Z", "deletionTimestamp": "2026-01-01T00:01:00Z"}, "status": {"podIP": "10.0.0.5", "startTime": "2026-01-01T00:00:01Z"}}`
	l := mustParse(t, stream, "bare.json")
	if l.Format != FormatKubectlWatch {
		t.Fatalf("format %s", l.Format)
	}
	tl := mustBuild(t, l, Options{})
	in := one(t, tl, "a-0")
	if in.From != rfc("2026-01-01T00:00:01Z") || in.To != rfc("2026-01-01T00:01:00Z") || in.Service != "a" {
		t.Errorf("a-0: [%d, %d) %q", in.From, in.To, in.Service)
	}
}

func TestKubectlErrors(t *testing.T) {
	pod := func(meta, status string) string {
		return `{"kind": "Pod", "metadata": {"name": "p", "namespace": "n"` + meta + `}, "status": {"podIP": "10.0.0.1"` + status + `}}`
	}
	list := func(items ...string) string {
		return "{\n\"apiVersion\": \"v1\",\n\"items\": [\n" + strings.Join(items, ",\n") + "\n], \"kind\": \"List\"}"
	}
	watch := func(typ, obj string) string { return `{"type": "` + typ + `", "object": ` + obj + "}\n" }
	good := pod(`, "creationTimestamp": "2026-01-01T00:00:00Z"`, "")
	tests := []struct {
		name, data, want string
	}{
		{"list: bad time", list(good, pod(`, "creationTimestamp": "yesterday"`, "")), `k.json:5: record 2 (Pod n/p): field "metadata.creationTimestamp": "yesterday" is not an RFC 3339 time`},
		{"list: no time", list(pod("", "")), `record 1 (Pod n/p): field "metadata.creationTimestamp": is missing`},
		{"list: bad ip", list(pod(`, "creationTimestamp": "2026-01-01T00:00:00Z"`, `, "podIPs": [{"ip": "nope"}]`)), `field "status.podIP": "nope" is not an IP address`},
		{"list: type mismatch", list(`{"kind": "Pod", "metadata": {"name": 5}}`), `field "metadata.name": is a JSON number, want a string`},
		{"list: no name", list(`{"kind": "Service", "metadata": {}}`), `field "metadata.name": is missing`},
		{"list: items not array", `{"items": {"a": 1}}`, `field "items": is not an array`},
		{"list: truncated", list(good)[:60], "k.json:4: the JSON ends early"},
		{"list: syntax", "{\"items\": [\n{\"kind\": \"Pod\",,}]}", "k.json:2: invalid character ','"},
		{"list: no items", `{"kind": "List", "metadata": {}}`, `field "items": is missing`},
		{"watch: unknown type", watch("ADDED", good) + watch("CHANGED", good), `k.json:2: record 2: field "type": is "CHANGED"`},
		{"watch: no object", watch("ADDED", good) + `{"type": "ADDED"}`, `record 2: field "object": is missing`},
		{"watch: truncated", watch("ADDED", good) + `{"type": "ADDED", "object": {"kind": `, "k.json:2: record 2: the JSON ends early"},
		{"watch: not an object", watch("ADDED", good) + `[1]`, "k.json:2: record 2: want a watch event"},
		{"watch: bad deletion", watch("ADDED", good) + watch("DELETED", pod(`, "deletionTimestamp": "soon"`, "")), `field "metadata.deletionTimestamp": "soon" is not`},
		{"watch: deletion undatable", watch("ADDED", good) + watch("DELETED", pod("", "")), "holds no other timestamp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.data), "k.json")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error %T is not a *ParseError", err)
			}
		})
	}
}

func TestBaseNameOfController(t *testing.T) {
	// ControllerName, on the ownerReferences shapes kubectl prints.
	hash := map[string]string{"pod-template-hash": "86f4d74b45"}
	tests := []struct {
		name   string
		refs   []OwnerRef
		labels map[string]string
		want   string
	}{
		{"ReplicaSet", []OwnerRef{{"ReplicaSet", "kube-dns-86f4d74b45", true}}, hash, "kube-dns"},
		{"ReplicaSet, hash by its shape", []OwnerRef{{"ReplicaSet", "kube-dns-86f4d74b45", true}}, nil, "kube-dns"},
		{"StatefulSet", []OwnerRef{{"StatefulSet", "my-release-pxc", true}}, nil, "my-release-pxc"},
		{"CronJob's Job", []OwnerRef{{"Job", "backup-29000000", true}}, nil, "backup"},
		{"the controller among owners", []OwnerRef{{"Node", "n1", false}, {"DaemonSet", "agent", true}}, nil, "agent"},
		{"no owner", nil, hash, ""},
	}
	for _, tc := range tests {
		if got := ControllerName(tc.refs, tc.labels); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
