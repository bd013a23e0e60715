package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Bad command lines and inputs get a message that says what to do.
func TestErrorsSayWhatToDo(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{benignDir}, "-o DIR is required"},
		{[]string{"-o", dir}, "want one SRC_DIR"},
		{[]string{"-o", dir, "-copies", "0", benignDir}, "-copies 0: want 1 to 4096"},
		{[]string{"-o", dir, "-copies", "2", "-attack", "direct-exfil:2", benignDir}, "only copies 0 to 1"},
		{[]string{"-o", dir, "-copies", "2", "-attack", "direct-exfil", benignDir}, "want SCENARIO:COPY"},
		{[]string{"-o", dir, "-copies", "3", "-attack", "direct-exfil:1", "-attack", "port-scan:1", benignDir}, "names copy 1 twice"},
		{[]string{"-o", dir, "-repeat", "2", "-duration", "1h", benignDir}, "not both"},
		{[]string{"-o", dir, "-format", "erf", benignDir}, "want pcapng or pcap"},
		{[]string{"-o", dir, "../no-such-scenario"}, "give a scenario directory"},
		{[]string{"-o", dir, "-copies", "2", "-attack", "no-such:1", benignDir}, "give a scenario directory"},
	} {
		err := run(context.Background(), tc.args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("scale %v: %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}

// Existing outputs are kept unless -force is given.
func TestExistingOutputsNeedForce(t *testing.T) {
	dir := buildOut(t, benignDir)
	before, _ := os.ReadFile(filepath.Join(dir, "entities.jsonl"))
	err := run(context.Background(), []string{"-o", dir, "-copies", "2", benignDir}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "give -force") {
		t.Fatalf("second build into %s: %v, want a refusal", dir, err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "entities.jsonl")); !bytes.Equal(before, after) {
		t.Fatal("the refused build changed entities.jsonl")
	}
	if err := run(context.Background(), []string{"-o", dir, "-force", "-copies", "2", benignDir}, io.Discard, io.Discard); err != nil {
		t.Fatalf("-force: %v", err)
	}
}

// An interrupted build leaves nothing behind.
func TestInterruptLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := run(ctx, []string{"-o", dir, "-copies", "4", benignDir}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("cancelled build: %v, want an interruption", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

// The size printed before writing is the size written; pcap and gzip
// outputs read back with the source's packets.
func TestFormatsAndPrintedSize(t *testing.T) {
	for _, tc := range []struct {
		args []string
		file string
	}{
		{[]string{"-copies", "2"}, "capture.pcapng"},
		{[]string{"-format", "pcap"}, "capture.pcap"},
		{[]string{"-format", "pcap", "-gzip"}, "capture.pcap.gz"},
	} {
		dir := t.TempDir()
		var stdout bytes.Buffer
		if err := run(context.Background(), append(append([]string{"-o", dir}, tc.args...), benignDir), &stdout, io.Discard); err != nil {
			t.Fatal(err)
		}
		o, _ := parseArgs(append(append([]string{"-o", dir}, tc.args...), benignDir), io.Discard)
		b, err := newBuild(o)
		if err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(filepath.Join(dir, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		if !o.gzip && st.Size() != b.outputSize() {
			t.Errorf("%v: %d bytes written, %d printed", tc.args, st.Size(), b.outputSize())
		}
		if !strings.Contains(stdout.String(), mib(b.outputSize())+" uncompressed") {
			t.Errorf("%v: the size is not printed: %s", tc.args, stdout.String())
		}
		src, got := readPackets(t, filepath.Join(benignDir, "capture.pcapng.gz")), readPackets(t, filepath.Join(dir, tc.file))
		g, s := got[len(got)-1], src[len(src)-1]
		if len(got) != len(src)*o.copies || g.ts != s.ts || g.wire != s.wire {
			t.Errorf("%v: %d packets, last %+v; want %d, last %+v", tc.args, len(got), g, len(src)*o.copies, s)
		}
	}
}
