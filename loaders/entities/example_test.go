package entities_test

import (
	"fmt"
	"log"
	"net/netip"
	"strings"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/entities"
)

// A JSON Lines log: a service, a pod that is replaced, and the new pod
// taking over the old one's address.
const jsonl = `{"ts": "2026-11-24T12:00:00Z", "op": "add", "kind": "service", "name": "shop-db", "namespace": "default", "ip": "10.96.143.8", "labels": {"name": "shop-db"}}
{"ts": "2026-11-24T12:00:01Z", "op": "add", "kind": "pod", "name": "shop-db-0", "namespace": "default", "ip": "10.244.0.9", "labels": {"name": "shop-db"}}
{"ts": "2026-11-24T12:05:00Z", "op": "delete", "kind": "pod", "name": "shop-db-0", "namespace": "default", "ip": "10.244.0.9"}
{"ts": "2026-11-24T12:05:02Z", "op": "add", "kind": "pod", "name": "cache-7d8f6b9c5d-x2x9z", "namespace": "default", "ip": "10.244.0.9"}
`

func ExampleParse() {
	l, err := entities.Parse(strings.NewReader(jsonl), "entities.jsonl")
	if err != nil {
		log.Fatal(err)
	}
	tl, err := entities.Build(l, entities.Options{})
	if err != nil {
		log.Fatal(err)
	}
	ip := netip.MustParseAddr("10.244.0.9")
	for _, at := range []string{"12:03:00", "12:05:01", "12:06:00"} {
		ts, _ := time.Parse(time.RFC3339, "2026-11-24T"+at+"Z")
		if in := tl.Lookup(ip, ts.UnixNano()); in != nil {
			fmt.Printf("%s at %s: %s (service %s)\n", ip, at, in.Name, in.Service)
		} else {
			fmt.Printf("%s at %s: nobody\n", ip, at)
		}
	}
	fmt.Println(l.Format, tl.Prefixes())
	// Output:
	// 10.244.0.9 at 12:03:00: shop-db-0 (service shop-db)
	// 10.244.0.9 at 12:05:01: nobody
	// 10.244.0.9 at 12:06:00: cache-7d8f6b9c5d-x2x9z (service cache)
	// jsonl [10.96.143.0/24 10.244.0.0/24]
}

func ExampleDetect() {
	for _, head := range []string{
		"(dp0\nI0\n(dp1\nS'carts'\n",
		`{"ts": "2026-11-24T12:00:00Z", "op": "add"}`,
		"{\n    \"apiVersion\": \"v1\",\n    \"items\": [",
		"{\n    \"object\": {\n        \"kind\": \"Pod\"",
	} {
		f, err := entities.Detect([]byte(head))
		fmt.Println(f, err)
	}
	// Output:
	// mimir-pickle <nil>
	// jsonl <nil>
	// kubectl-list <nil>
	// kubectl-watch <nil>
}

// A MIMIR pickle counts seconds from its start: bind second 0 to the
// capture's first packet.
func ExampleBuild() {
	l, err := entities.Load("../../testdata/shop-demo/cluster_creation_log.pickle")
	if err != nil {
		log.Fatal(err)
	}
	first := time.Date(2026, 11, 24, 12, 25, 58, 0, time.UTC).UnixNano()
	tl, err := entities.Build(l, entities.Options{Start: first})
	if err != nil {
		log.Fatal(err)
	}
	for _, in := range tl.Instances() {
		if in.From > first || in.To != 1<<63-1 {
			to := "-"
			if in.To != 1<<63-1 {
				to = fmt.Sprintf("+%ds", (in.To-first)/1e9)
			}
			fmt.Printf("%s: +%ds to %s\n", in.Name, (in.From-first)/1e9, to)
		}
	}
	// Output:
	// front-end-9tp97rxbc-sfqtf: +0s to +67s
	// front-end-9tp97rxbc-56zrt: +60s to -
	// carts-q6g78qbcct-z9ftz: +100s to -
}

func ExampleTimeline_Tag() {
	l, _ := entities.Parse(strings.NewReader(jsonl), "entities.jsonl")
	tl, _ := entities.Build(l, entities.Options{})
	ts := time.Date(2026, 11, 24, 12, 1, 0, 0, time.UTC).UnixNano()
	for _, s := range []string{"10.96.143.8", "10.244.0.9", "203.0.113.10", "10.244.0.77"} {
		ip := netip.MustParseAddr(s)
		id := tl.Tag(ip, ts)
		name := "-"
		if in := tl.Instance(id); in != nil {
			name = in.Kind.String() + " " + in.Name
		}
		fmt.Printf("%-13s tag %2d  %-20s in cluster: %v\n", s, id, name, tl.InCluster(ip))
	}
	// Output:
	// 10.96.143.8   tag  0  service shop-db      in cluster: true
	// 10.244.0.9    tag  1  pod shop-db-0        in cluster: true
	// 203.0.113.10  tag -1  -                    in cluster: false
	// 10.244.0.77   tag -1  -                    in cluster: true
}
