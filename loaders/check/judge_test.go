package check

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/testdata"
	"github.com/mimir-tui/mimir-tui/testdata/shared"
)

// TestJudge: each rule of Judge on evidence built by hand. The capture
// spans 100 s to 400 s; 1000 bytes of IP traffic.
func TestJudge(t *testing.T) {
	const s = int64(time.Second)
	base := Evidence{CaptureFirst: 100 * s, CaptureLast: 400 * s, LogFirst: 90 * s, LogLast: 200 * s,
		IPBytes: 1000, KnownBytes: 1000, InClusterBytes: 800, ResolvedBytes: 800, Services: 3}
	with := func(f func(*Evidence)) Evidence { e := base; f(&e); return e }
	tests := []struct {
		name  string
		e     Evidence
		codes []string
		worst Severity
	}{
		{"all fine", base, nil, Note},
		{"no IP", with(func(e *Evidence) { e.IPBytes, e.KnownBytes, e.InClusterBytes, e.ResolvedBytes = 0, 0, 0, 0 }), []string{CodeNoIP}, Error},
		{"resolves nothing", with(func(e *Evidence) { e.KnownBytes, e.InClusterBytes, e.ResolvedBytes = 0, 0, 0 }), []string{CodeResolvesNothing}, Error},
		// Unknown in-cluster addresses only: nothing known, all unresolved.
		{"in cluster, resolves nothing", with(func(e *Evidence) { e.KnownBytes, e.ResolvedBytes = 0, 0 }), []string{CodeResolvesNothing}, Error},
		{"log after the capture", with(func(e *Evidence) { e.LogFirst, e.LogLast, e.KnownBytes, e.ResolvedBytes = 500*s, 600*s, 0, 0 }), []string{CodeNoOverlap}, Error},
		{"log before the capture, unresolved", with(func(e *Evidence) { e.LogFirst, e.LogLast, e.KnownBytes, e.ResolvedBytes = 10*s, 20*s, 0, 0 }), []string{CodeNoOverlap}, Error},
		// A snapshot before the capture whose pods live on: fine.
		{"log before the capture, resolved", with(func(e *Evidence) { e.LogFirst, e.LogLast = 10*s, 20*s }), nil, Note},
		{"log starts late", with(func(e *Evidence) { e.LogFirst = 161 * s }), []string{CodeLogStartsLate}, Warning},
		// 760 of 800 = 95 %: fine; 759 is not.
		{"95 % resolved", with(func(e *Evidence) { e.ResolvedBytes = 760 }), nil, Note},
		{"94.9 % resolved", with(func(e *Evidence) { e.ResolvedBytes = 759 }), []string{CodeLowResolution}, Warning},
		{"no services", with(func(e *Evidence) { e.Services = 0 }), []string{CodeNoServices}, Note},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := Judge(tt.e)
			var codes []string
			for _, f := range fs {
				codes = append(codes, f.Code)
				if f.Message == "" || strings.Contains(f.Message, "--") {
					t.Errorf("finding %+v: want a message that names no flag", f)
				}
			}
			if fmt.Sprint(codes) != fmt.Sprint(tt.codes) || Worst(fs) != tt.worst {
				t.Errorf("findings %+v (worst %v), want codes %v, worst %v", fs, Worst(fs), tt.codes, tt.worst)
			}
		})
	}
}

// TestEvidenceCount: the rule that sorts traffic, by the ends' kinds: a
// known entity (in the cluster), an unknown in-cluster address, an
// outside address. 100 bytes each.
func TestEvidenceCount(t *testing.T) {
	type end struct{ known, in bool }
	entity, unknown, outside := end{true, true}, end{false, true}, end{false, false}
	tests := []struct {
		src, dst                       end
		ip, known, inCluster, resolved uint64
	}{
		{entity, entity, 100, 100, 100, 100},
		{entity, outside, 100, 100, 100, 100},
		{outside, entity, 100, 100, 100, 100},
		{entity, unknown, 100, 100, 100, 0},
		{unknown, outside, 100, 0, 100, 0},
		{unknown, unknown, 100, 0, 100, 0},
		{outside, outside, 100, 0, 0, 0},
	}
	for _, tt := range tests {
		var e Evidence
		e.Count(100, tt.src.known, tt.src.in, tt.dst.known, tt.dst.in)
		if e.IPBytes != tt.ip || e.KnownBytes != tt.known || e.InClusterBytes != tt.inCluster || e.ResolvedBytes != tt.resolved {
			t.Errorf("%+v -> %+v: %+v; want IP %d, known %d, in cluster %d, resolved %d", tt.src, tt.dst, e, tt.ip, tt.known, tt.inCluster, tt.resolved)
		}
	}
}

// TestResolvesNothing: an entity log that resolves none of the capture is
// a failed check, not "resolution 0.0 % … OK". The shop log with its
// addresses moved to 10.99.x (a log of another cluster) knows none of the
// capture's 10.244.x and 10.96.x addresses, and its inferred ranges hold
// none of them either.
func TestResolvesNothing(t *testing.T) {
	other := bytes.ReplaceAll(bytes.ReplaceAll(testdata.ShopEntities, []byte(`"10.244.`), []byte(`"10.99.`)), []byte(`"10.96.`), []byte(`"10.98.`))
	rep := shopCheck(t, other, "other-cluster.jsonl", Options{})
	if rep.Verdict != VerdictFail || len(rep.Findings) == 0 || rep.Findings[0].Code != CodeResolvesNothing || rep.Resolution.KnownBytes != 0 {
		t.Errorf("verdict %s, findings %+v, known bytes %d; want a failure: resolves nothing", rep.Verdict, rep.Findings, rep.Resolution.KnownBytes)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil || !strings.Contains(text.String(), "NOT OK") || strings.Contains(text.String(), "\nOK ") {
		t.Errorf("text %q (%v): want NOT OK", text.String(), err)
	}
}

// TestOriginalMimirLogs: the issue's case, the original prototype's
// WordPress logs (../shared/original-mimir) with the shop capture.
func TestOriginalMimirLogs(t *testing.T) {
	dir := shared.Path(t, "original-mimir")
	for _, name := range []string{"wordpress_example_final_cluster_creation_log.txt", "wordpress_auto_v3_mk5_cluster_creation_log.txt"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		rep := shopCheck(t, b, name, Options{})
		if rep.Verdict != VerdictFail || rep.Findings[0].Code != CodeResolvesNothing || !strings.Contains(rep.Findings[0].Message, "10.96.0.0/12") {
			t.Errorf("%s: verdict %s, findings %+v; want resolves-nothing naming the log's ranges", name, rep.Verdict, rep.Findings)
		}
	}
}

// TestCheckTruncated: a cut capture is reported (how far it was read, in
// text and JSON), not a failure; Strict makes it the error. The shop
// capture's gzip stream cut in half.
func TestCheckTruncated(t *testing.T) {
	cut := testdata.ShopCapture[:len(testdata.ShopCapture)/2]
	rep, err := Run(context.Background(), []capture.Input{{Name: "cut.pcapng.gz", R: bytes.NewReader(cut)}}, bytes.NewReader(testdata.ShopEntities), "entities.jsonl", Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr := rep.Capture.Truncated
	if tr == nil || !tr.Decompressed || tr.Packets != rep.Capture.Packets || tr.Packets == 0 || tr.Packets >= 17454 {
		t.Fatalf("truncation %+v after %d packets: want a cut in the decompressed stream, some packets read", tr, rep.Capture.Packets)
	}
	if rep.Verdict != VerdictWarnings || rep.Findings[0].Code != "capture-truncated" {
		t.Errorf("verdict %s, findings %+v; want warnings, the cut first", rep.Verdict, rep.Findings)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil || !strings.Contains(text.String(), fmt.Sprintf("cut      short at decompressed offset %d: the %d whole packets", tr.Offset, tr.Packets)) {
		t.Errorf("text %q (%v): want the cut", text.String(), err)
	}
	_, err = Run(context.Background(), []capture.Input{{Name: "cut.pcapng.gz", R: bytes.NewReader(cut)}}, bytes.NewReader(testdata.ShopEntities), "entities.jsonl", Options{Strict: true})
	if !errors.Is(err, capture.ErrTruncated) {
		t.Errorf("strict: %v, want ErrTruncated", err)
	}
	// Cut inside the first packet (after the 24-byte pcap header and 26
	// bytes of the first record): no whole packet, said so.
	pcap, err := os.ReadFile("../../testdata/captures/eth-micro.pcap")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), []capture.Input{{Name: "cut.pcap", R: bytes.NewReader(pcap[:50])}}, bytes.NewReader(testdata.ShopEntities), "entities.jsonl", Options{})
	if err == nil || !strings.Contains(err.Error(), "holds no whole packet: cut.pcap: offset 24") {
		t.Errorf("a capture cut before its first packet: %v", err)
	}
}

func ExampleJudge() {
	const s = int64(time.Second)
	fs := Judge(Evidence{
		CaptureFirst: 100 * s, CaptureLast: 400 * s, LogFirst: 100 * s, LogLast: 100 * s,
		IPBytes: 3_778_399, Services: 12,
	})
	for _, f := range fs {
		fmt.Println(f.Severity, f.Code)
	}
	// Output:
	// error resolves-nothing
}
