package check

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/testdata"
)

func shopCheck(t *testing.T, entities []byte, name string, opts Options) *Report {
	t.Helper()
	rep, err := Run(context.Background(), []capture.Input{{Name: testdata.ShopCaptureName, R: bytes.NewReader(testdata.ShopCapture)}},
		bytes.NewReader(entities), name, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestShopDemo checks the report against the values the shop-demo
// dataset documents (testdata/shop-demo/README.md and verification.txt:
// capinfos and tshark -z conv,ip output).
func TestShopDemo(t *testing.T) {
	pickle, err := os.ReadFile("../../testdata/shop-demo/cluster_creation_log.pickle")
	if err != nil {
		t.Fatal(err)
	}
	for _, log := range []struct {
		name string
		data []byte
	}{
		{"entities.jsonl", testdata.ShopEntities},
		{"cluster_creation_log.pickle", pickle},
	} {
		rep := shopCheck(t, log.data, log.name, Options{})
		c := rep.Capture
		// capinfos: "Number of packets: 17454", "Data size: 3778399 bytes",
		// "Capture duration: 237.949359827 seconds", encapsulation Ethernet.
		if c.Packets != 17454 || c.Bytes != 3778399 || c.Duration != 237949359827 || c.Format != "pcapng" || !c.Compressed {
			t.Errorf("%s: capture %+v", log.name, c)
		}
		// verification.txt: "16986 IPv4 (rest ARP etc.)".
		if c.IPPackets != 16986 || c.NonIP != 468 {
			t.Errorf("%s: %d IP and %d other packets, want 16986 and 468", log.name, c.IPPackets, c.NonIP)
		}
		// 237.9 s: 24 windows of 10 s, 4 of 60 s.
		if len(rep.Windows) != 2 || rep.Windows[0].Windows != 24 || rep.Windows[1].Windows != 4 {
			t.Errorf("%s: windows %+v", log.name, rep.Windows)
		}
		// The issue: 100 % of in-cluster bytes resolve with either log.
		if r := rep.Resolution; r.Share != 1 || r.InClusterBytes == 0 || len(r.TopUnresolved) != 0 {
			t.Errorf("%s: resolution %+v", log.name, r)
		}
		// conv_ip.txt: 10.244.0.9 <-> 203.0.113.10, 668 frames.
		if o := rep.Resolution.TopOutside; len(o) == 0 || o[0].IP != "203.0.113.10" || o[0].Packets != 668 || o[0].Peers[0] != "shop-db-0" {
			t.Errorf("%s: top outside talkers %+v", log.name, o)
		}
		if len(rep.Findings) != 0 || rep.Verdict != VerdictOK {
			t.Errorf("%s: verdict %s, findings %+v", log.name, rep.Verdict, rep.Findings)
		}
		var text bytes.Buffer
		if err := rep.WriteText(&text); err != nil || !strings.Contains(text.String(), "100.0% of in-cluster bytes") {
			t.Errorf("%s: text report %q (%v)", log.name, text.String(), err)
		}
	}
}

func TestShiftedLogWarns(t *testing.T) {
	pickle, err := os.ReadFile("../../testdata/shop-demo/cluster_creation_log.pickle")
	if err != nil {
		t.Fatal(err)
	}
	rep := shopCheck(t, pickle, "cluster_creation_log.pickle", Options{EntitiesOffset: 30 * time.Second})
	if f := rep.Findings; rep.Resolution.Share >= 0.95 || len(f) != 1 || f[0].Code != CodeLowResolution || !strings.Contains(f[0].Message, "looks shifted") || f[0].Setting != "entities-offset" || rep.Verdict != VerdictWarnings {
		t.Errorf("a log shifted by 30 s: share %.3f, verdict %s, findings %+v", rep.Resolution.Share, rep.Verdict, f)
	}
}

func TestDisjointLogWarns(t *testing.T) {
	// The same log, a day later: nothing overlaps.
	later := bytes.ReplaceAll(testdata.ShopEntities, []byte("2026-11-24T"), []byte("2026-11-25T"))
	rep := shopCheck(t, later, "later.jsonl", Options{})
	if f := rep.Findings; len(f) != 1 || f[0].Code != CodeNoOverlap || f[0].Severity != Error || !strings.Contains(f[0].Message, "do not overlap") || rep.Verdict != VerdictFail {
		t.Errorf("verdict %s, findings %+v; want a failure saying the inputs do not overlap", rep.Verdict, f)
	}
	if rep.Resolution.Share != 0 {
		t.Errorf("share %.3f, want 0", rep.Resolution.Share)
	}
}

// nodeLog is an entity log of the node fixtures' two pods
// (testdata/captures/src/make-nodes.sh).
const nodeLog = `{"ts": "2026-12-02T00:00:00Z", "op": "add", "kind": "pod", "name": "pod-a", "namespace": "default", "ip": "10.98.0.1", "owner": "a"}
{"ts": "2026-12-02T00:00:00Z", "op": "add", "kind": "pod", "name": "pod-b", "namespace": "default", "ip": "10.98.0.2", "owner": "b"}
`

// TestSeveralCaptures: two node captures are reported one by one (node,
// clock, copies) and together, read as the analysis reads them: the
// bridge's 90 frames (testdata/captures/src/gen/twonode.go spreads them
// over two nodes, node b's clock 3.75 ms ahead; capinfos: 168 and 165
// frames, the bridge's two ARP frames among them).
func TestSeveralCaptures(t *testing.T) {
	dir := "../../testdata/captures/"
	rep, err := Run(context.Background(), []capture.Input{{Path: dir + "twonode-a.pcap.gz", Node: "node-a"}, {Path: dir + "twonode-b.pcap.gz"}},
		strings.NewReader(nodeLog), "nodes.jsonl", Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, b, all := rep.Captures[0], rep.Captures[1], rep.Capture
	if a.Node != "node-a" || b.Node != "twonode-b" || a.Packets != 168 || b.Packets != 165 || a.Clock.Source != capture.ClockReference {
		t.Errorf("captures %+v, %+v", a, b)
	}
	if d := b.Clock.Offset - 3750*time.Microsecond; b.Clock.Source != capture.ClockEstimated || d < -20*time.Microsecond || d > 20*time.Microsecond {
		t.Errorf("node b's clock %+v, want 3.75 ms estimated", b.Clock)
	}
	if all.Packets != 333 || all.Duplicates != 243 || a.Duplicates+b.Duplicates != 243 || all.LinkTypes[0] != "Linux cooked-mode capture v2 (276)" || len(all.Encapsulations) != 1 || all.Encapsulations[0].What != "VXLAN" {
		t.Errorf("together %+v", all)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"capture    " + dir + "twonode-b.pcap.gz\n  node     twonode-b; clock: +3.76",
		"  node     node-a; clock: reference clock\n",
		"  copies   122 dropped",
		"captures   2 together: 333 packets (331 IP, 2 other), 243 dropped as copies",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
}

// TestCapturesWithoutPackets: captures with no packet are an error naming
// them all.
func TestCapturesWithoutPackets(t *testing.T) {
	empty := []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0}
	_, err := Run(context.Background(), []capture.Input{{Name: "a.pcap", R: bytes.NewReader(empty)}, {Name: "b.pcap", R: bytes.NewReader(empty)}},
		strings.NewReader(nodeLog), "nodes.jsonl", Options{})
	if err == nil || !strings.Contains(err.Error(), "capture a.pcap, b.pcap holds no packets") {
		t.Errorf("error %v", err)
	}
}
