package entities

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mimir-tui/mimir-tui/testdata/shared"
)

// Paths of the project's own data (always present) and of the original
// MIMIR logs (outside the repository, no licence: used in place, never
// copied).
const (
	shopDir     = "../../testdata/shop-demo"
	fixtureDir  = "../../testdata/entities"
	mk5Log      = "original-mimir/wordpress_auto_v3_mk5_cluster_creation_log.txt"
	exampleLog  = "original-mimir/wordpress_example_final_cluster_creation_log.txt"
	never       = int64(math.MaxInt64)
	testStartNs = int64(1_700_000_000_000_000_000)
)

// oracle returns the path of rel in ../shared when it exists; otherwise it
// skips the test, or fails it when MIMIR_REQUIRE_ORACLES=1 (as CI sets).
func oracle(t testing.TB, rel string) string {
	t.Helper()
	return shared.Path(t, rel)
}

func fixture(name string) string { return filepath.Join(fixtureDir, name) }

func mustLoad(t testing.TB, path string) *Log {
	t.Helper()
	l, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	return l
}

func mustBuild(t testing.TB, l *Log, opts Options) *Timeline {
	t.Helper()
	tl, err := Build(l, opts)
	if err != nil {
		t.Fatalf("Build(%s): %v", l.Name, err)
	}
	return tl
}

func mustParse(t testing.TB, data, name string) *Log {
	t.Helper()
	l, err := Parse(strings.NewReader(data), name)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return l
}

// byName finds the instances of an entity name, in ID order.
func byName(tl *Timeline, name string) []Instance {
	var out []Instance
	for _, in := range tl.Instances() {
		if in.Name == name {
			out = append(out, in)
		}
	}
	return out
}

func one(t testing.TB, tl *Timeline, name string) Instance {
	t.Helper()
	ins := byName(tl, name)
	if len(ins) != 1 {
		t.Fatalf("instances named %q: got %d, want 1", name, len(ins))
	}
	return ins[0]
}

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

// shopMeta is the part of testdata/shop-demo/metadata.json the tests use:
// what the capture's generator recorded about its cluster.
type shopMeta struct {
	CaptureStartEpoch float64 `json:"capture_start_epoch"`
	IPPlan            struct {
		PodCIDR     string `json:"pod_cidr"`
		ServiceCIDR string `json:"service_cidr"`
		Pods        map[string]struct {
			IP         string   `json:"ip"`
			Namespace  string   `json:"namespace"`
			Owner      string   `json:"owner"`
			AddedRel   float64  `json:"added_rel"`
			DeletedRel *float64 `json:"deleted_rel"`
		} `json:"pods"`
		Services map[string]struct {
			ClusterIP string `json:"cluster_ip"`
			Namespace string `json:"namespace"`
		} `json:"services"`
	} `json:"ip_plan"`
}

func loadShopMeta(t testing.TB) *shopMeta {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(shopDir, "metadata.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m shopMeta
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// startNs is the capture start of the metadata in Unix ns, rounded to the
// microsecond the float holds.
func (m *shopMeta) startNs() int64 {
	return int64(math.Round(m.CaptureStartEpoch*1e6)) * 1e3
}

// pent is one entry of a synthetic MIMIR pickle.
type pent struct {
	name, ip, sign, ns, kind, labels, status string
}

// pkey is one key of a synthetic MIMIR pickle.
type pkey struct {
	secs    string // the key literal: "10" or "2.5"
	entries []pent
}

// mimirPickle writes a MIMIR log as Python 2 does with protocol 0
// (S'…' strings, no memo), the format of the original logs.
func mimirPickle(keys ...pkey) []byte {
	var b bytes.Buffer
	b.WriteString("(dp0\n")
	for _, k := range keys {
		if strings.Contains(k.secs, ".") {
			fmt.Fprintf(&b, "F%s\n", k.secs)
		} else {
			fmt.Fprintf(&b, "I%s\n", k.secs)
		}
		b.WriteString("(d")
		for _, e := range k.entries {
			fmt.Fprintf(&b, "S'%s'\n(", e.name)
			for _, f := range []string{e.ip, e.sign, e.ns, e.kind, e.labels, e.status} {
				fmt.Fprintf(&b, "S'%s'\n", f)
			}
			b.WriteString("ts")
		}
		b.WriteString("s")
	}
	b.WriteString(".")
	return b.Bytes()
}

// pod and svc make pickle entries.
func pod(name, ip, sign, labels, status string) pent {
	return pent{name, ip, sign, "default", "pod", labels, status}
}

func svc(name, ip, selector string) pent {
	return pent{name, ip, "+", "default", "svc", selector, ip}
}

// evs renders events as "secs op name ip" lines for comparison.
func evs(l *Log) []string {
	var out []string
	for _, e := range l.Events {
		ip := "-"
		if e.Entity.IP.IsValid() {
			ip = e.Entity.IP.String()
		}
		out = append(out, fmt.Sprintf("%s %s %s %s", strconv.FormatFloat(float64(e.At)/1e9, 'f', -1, 64), e.Op, e.Entity.Name, ip))
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
