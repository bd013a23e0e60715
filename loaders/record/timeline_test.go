package record

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/entities"
)

// checkChurnTimeline parses the churn's log with package entities and
// looks its addresses up at times between the steps: each must name the
// pod (and the service it resolves to) that held it then, or nobody.
func checkChurnTimeline(t *testing.T, log string) {
	t.Helper()
	l, err := entities.Parse(strings.NewReader(log), "churn.jsonl")
	if err != nil {
		t.Fatalf("the recorded log does not parse: %v", err)
	}
	tl, err := entities.Build(l, entities.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ip      string
		at      time.Duration
		name    string // "" for nobody
		service string
	}{
		{"10.244.0.5", 15 * time.Second, "catalogue-6d8f9c7b5-x7k2p", "catalogue"},
		{"10.244.0.5", 25 * time.Second, "", ""},
		{"10.244.0.7", 25 * time.Second, "catalogue-6d8f9c7b5-x7k2p", "catalogue"},
		{"10.244.0.7", 85 * time.Second, "catalogue-6d8f9c7b5-z9w8v", "catalogue"},
		{"10.244.0.6", 5 * time.Second, "", ""},
		{"10.244.0.6", 15 * time.Second, "orders-0", "orders"},
		{"10.244.0.6", 35 * time.Second, "", ""},
		{"10.244.0.6", 45 * time.Second, "front-end-7f9c6d5b8-m2n4q", "front-end"},
		{"10.244.0.6", 105 * time.Second, "", ""},
		{"10.244.0.11", 95 * time.Second, "", ""},
		{"10.244.0.11", 105 * time.Second, "payment-5b6c7d8f9-k4j5h", "payment"},
		{"10.96.0.20", 55 * time.Second, "carts", "carts"},
		{"10.96.0.20", 65 * time.Second, "", ""},
		{"10.244.0.8", 65 * time.Second, "backup-8c2z4", "backup"},
		{"10.244.0.8", 75 * time.Second, "", ""},
		{"fd00::9", 50 * time.Second, "db-0", "db"},
		{"192.168.1.10", 50 * time.Second, "kube-proxy-q9w7z", "kube-proxy"},
		{"10.96.0.10", 120 * time.Second, "catalogue", "catalogue"},
	}
	for _, tc := range tests {
		in := tl.Lookup(netip.MustParseAddr(tc.ip), t0.Add(tc.at).UnixNano())
		var name, service string
		if in != nil {
			name, service = in.Name, in.Service
		}
		if name != tc.name || service != tc.service {
			t.Errorf("%s at +%s: %q (service %q), want %q (service %q)", tc.ip, tc.at, name, service, tc.name, tc.service)
		}
	}
}
