package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/check"
)

const (
	shopCapture  = "../../testdata/shop-demo/capture.pcapng.gz"
	shopEntities = "../../testdata/shop-demo/entities.jsonl"
)

// writeTemp writes b to a file named name in a temporary directory.
func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// otherCluster is the shop log with every address moved out of the
// capture's ranges: a log of another cluster, which resolves nothing.
func otherCluster(t *testing.T) string {
	b, err := os.ReadFile(shopEntities)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.ReplaceAll(bytes.ReplaceAll(b, []byte(`"10.244.`), []byte(`"10.99.`)), []byte(`"10.96.`), []byte(`"10.98.`))
	return writeTemp(t, "other-cluster.jsonl", b)
}

// TestCheckVerdict: the exit status follows the verdict. Inputs that fit
// pass; a log that resolves nothing, or does not overlap the capture,
// fails (exit status 1, errInputsDoNotFit) after the whole report is
// written, in text and JSON.
func TestCheckVerdict(t *testing.T) {
	b, err := os.ReadFile(shopEntities)
	if err != nil {
		t.Fatal(err)
	}
	later := writeTemp(t, "later.jsonl", bytes.ReplaceAll(b, []byte("2026-11-24T"), []byte("2026-11-25T")))
	tests := []struct {
		name     string
		entities string
		fail     bool
		text     string // in the text report
		code     string // a finding's code in the JSON report
	}{
		{"fits", shopEntities, false, "OK         the inputs look consistent", ""},
		{"resolves nothing", otherCluster(t), true, "error      the entity log resolves none of the capture's", check.CodeResolvesNothing},
		{"no overlap", later, true, "do not overlap; are they from the same run? (a relative log can be shifted by an offset) (set with --entities-offset)", check.CodeNoOverlap},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := runCheck(context.Background(), []string{shopCapture, tt.entities}, &stdout, &stderr)
			if (err != nil) != tt.fail || (tt.fail && !errors.Is(err, errInputsDoNotFit)) {
				t.Errorf("error %v, want failure %v", err, tt.fail)
			}
			if !strings.Contains(stdout.String(), tt.text) {
				t.Errorf("report %q: want %q", stdout.String(), tt.text)
			}
			stdout.Reset()
			err = runCheck(context.Background(), []string{"--format", "json", shopCapture, tt.entities}, &stdout, &stderr)
			var rep check.Report
			if jerr := json.Unmarshal(stdout.Bytes(), &rep); jerr != nil {
				t.Fatalf("JSON report: %v", jerr)
			}
			want := check.VerdictOK
			if tt.fail {
				want = check.VerdictFail
			}
			if (err != nil) != tt.fail || rep.Verdict != want || (tt.code != "" && (len(rep.Findings) == 0 || rep.Findings[0].Code != tt.code)) {
				t.Errorf("JSON: error %v, verdict %s, findings %+v; want %s, %s", err, rep.Verdict, rep.Findings, want, tt.code)
			}
		})
	}
}

// TestCheckTruncated: a capture cut short is reported, in text and in
// JSON, and the check goes on (exit status 0); --strict makes it the
// error. The shop capture's gzip stream cut in half.
func TestCheckTruncated(t *testing.T) {
	b, err := os.ReadFile(shopCapture)
	if err != nil {
		t.Fatal(err)
	}
	cut := writeTemp(t, "cut.pcapng.gz", b[:len(b)/2])
	var stdout, stderr bytes.Buffer
	if err := runCheck(context.Background(), []string{cut, shopEntities}, &stdout, &stderr); err != nil {
		t.Fatalf("check of a cut capture: %v", err)
	}
	for _, want := range []string{"  cut      short at decompressed offset ", "warning    " + cut + ": offset ", "gzip stream ends early", "(set with --strict)", "usable     with the warnings above"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("report %q: want %q", stdout.String(), want)
		}
	}
	stdout.Reset()
	if err := runCheck(context.Background(), []string{"--format", "json", cut, shopEntities}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	var rep check.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if tr := rep.Capture.Truncated; tr == nil || !tr.Decompressed || tr.Packets != rep.Capture.Packets || rep.Verdict != check.VerdictWarnings {
		t.Errorf("JSON: truncation %+v, verdict %s", tr, rep.Verdict)
	}
	err = runCheck(context.Background(), []string{"--strict", cut, shopEntities}, &stdout, &stderr)
	if !errors.Is(err, capture.ErrTruncated) {
		t.Errorf("--strict: %v, want ErrTruncated", err)
	}
}

// TestCheckHelp: the help documents the exit status.
func TestCheckHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	runCheck(context.Background(), []string{"-h"}, &stdout, &stderr)
	if !strings.Contains(stderr.String(), "Exit status: 0 when the inputs fit together") || !strings.Contains(stderr.String(), "-strict") {
		t.Errorf("help %q: want the exit status and --strict", stderr.String())
	}
}

// TestCheckSeveral: check takes several captures, labels them with
// --node, and reports each one's node, clock and copies, then all of them
// together (the two-node fixtures: testdata/captures/src/gen/twonode.go).
func TestCheckSeveral(t *testing.T) {
	log := writeTemp(t, "nodes.jsonl", []byte(`{"ts": "2026-12-02T00:00:00Z", "op": "add", "kind": "pod", "name": "pod-a", "namespace": "default", "ip": "10.98.0.1", "owner": "a"}
{"ts": "2026-12-02T00:00:00Z", "op": "add", "kind": "pod", "name": "pod-b", "namespace": "default", "ip": "10.98.0.2", "owner": "b"}
`))
	a, b := convFixtures+"twonode-a.pcap.gz", convFixtures+"twonode-b.pcap.gz"
	var stdout, stderr bytes.Buffer
	if err := runCheck(context.Background(), []string{"--node", "node-a=" + a, "--node", "node-b=" + b, a, b, log}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"capture    " + a + "\n  node     node-a; clock: reference clock\n",
		"capture    " + b + "\n  node     node-b; clock: +3.76",
		"captures   2 together: 333 packets",
		"OK ",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, stdout.String())
		}
	}
	stdout.Reset()
	if err := runCheck(context.Background(), []string{"--format", "json", "--clock-offset", "node-b=-1ms", "--node", "node-b=" + b, a, b, log}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	var rep check.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Captures) != 2 || rep.Captures[1].Clock.Source != capture.ClockGiven || rep.Captures[1].Clock.Offset != -1e6 || rep.Captures[0].Node != "twonode-a" {
		t.Errorf("captures %+v", rep.Captures)
	}
	for _, args := range [][]string{{a}, {"--node", "x=other.pcap", a, log}, {"--clock-offset", "node-c=1ms", a, b, log}} {
		if err := runCheck(context.Background(), args, &stdout, &stderr); !errors.Is(err, errUsage) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}
