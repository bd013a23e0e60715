package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSniff classifies the repository's fixtures by their first bytes.
func TestSniff(t *testing.T) {
	dir := t.TempDir()
	plain, err := os.ReadFile(benignEntities)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		path string
		want fileKind
	}{
		{"../../testdata/captures/eth-micro.pcap", kindCapture},
		{"../../testdata/captures/eth-micro.pcap.gz", kindCapture},
		{"../../testdata/captures/be-micro.pcap", kindCapture},
		{"../../testdata/captures/ngopts.pcapng", kindCapture},
		{"../../testdata/captures/multi.pcapng.gz", kindCapture},
		{benignCapture, kindCapture},
		{benignEntities, kindEntities},
		{"../../testdata/entities/shop-py3-p0.pickle", kindEntities},
		{"../../testdata/entities/shop-py2-p2.pickle", kindEntities},
		{"../../testdata/entities/shop-list.json", kindEntities},
		{"../../testdata/entities/shop-watch.json", kindEntities},
		{write("entities.jsonl.gz", gz.Bytes()), kindEntities},
		{"../../testdata/scenarios/benign/ground_truth.json", kindUnknown},
		{"../../testdata/scenarios/benign/conv_ip.txt", kindUnknown},
		{"../../README.md", kindUnknown},
		{write("empty", nil), kindUnknown},
		{write("cut.gz", gz.Bytes()[:5]), kindUnknown},
		{filepath.Join(dir, "missing"), kindUnknown},
	} {
		if got := sniffFile(c.path); got != c.want {
			t.Errorf("%s: %s, want %s", c.path, got.role(), c.want.role())
		}
	}
}

// TestSwappedArgs: an entity log first and a capture second is said
// plainly by every command that takes CAPTURE ENTITIES.
func TestSwappedArgs(t *testing.T) {
	model := filepath.Join(t.TempDir(), "m.json")
	for _, cmd := range [][]string{{"analyze"}, {"train", "-o", model}, {"evaluate"}, {"check"}, {"explore"}} {
		args := append(append([]string{}, cmd...), benignEntities, benignCapture)
		err := run(t.Context(), args, &bytes.Buffer{}, &bytes.Buffer{})
		want := "the arguments look swapped: the capture comes first: mimir-tui " + cmd[0] + " CAPTURE ENTITIES"
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v; want a usage error saying %q", args, err, want)
		}
	}
}

// TestWrongKind: a capture given for ENTITIES or an entity log for CAPTURE
// (not swapped with the other argument) is named.
func TestWrongKind(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{benignCapture, benignCapture}, "ENTITIES " + benignCapture + " is a capture, not an entity log"},
		{[]string{benignEntities, benignEntities}, "CAPTURE " + benignEntities + " is an entity log, not a capture"},
	} {
		err := checkFileArgs("analyze", "CAPTURE ENTITIES", c.args)
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.args, err, c.want)
		}
	}
	// conversations takes only CAPTURE.
	err := checkFileArgs("conversations", "CAPTURE", []string{benignEntities})
	if err == nil || !strings.Contains(err.Error(), "is an entity log, not a capture: mimir-tui conversations CAPTURE") {
		t.Errorf("conversations ENTITIES: %v", err)
	}
	// What the loaders judge better is left to them: missing files,
	// standard input, files of neither kind.
	for _, args := range [][]string{
		{"/nonexistent/c.pcap", benignEntities},
		{"-", benignEntities},
		{benignCapture, "-"},
		{"../../README.md", benignEntities},
		{benignCapture, benignEntities},
	} {
		if err := checkFileArgs("analyze", "CAPTURE ENTITIES", args); err != nil {
			t.Errorf("%q: %v, want no error", args, err)
		}
	}
}

// TestDirectoryArg: a directory gets its own message, listing the inputs
// found in it and, when it holds both kinds, a command that would work.
func TestDirectoryArg(t *testing.T) {
	dir := "../../testdata/scenarios/benign"
	err := runAnalyze(t.Context(), []string{dir, benignEntities}, &bytes.Buffer{}, &bytes.Buffer{})
	for _, want := range []string{
		"CAPTURE " + dir + " is a directory; give a file: mimir-tui analyze CAPTURE ENTITIES",
		filepath.Join(dir, "capture.pcapng.gz") + " (capture)",
		filepath.Join(dir, "entities.jsonl") + " (entity log)",
		"e.g. mimir-tui analyze " + filepath.Join(dir, "capture.pcapng.gz") + " ",
	} {
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want a usage error saying %q", err, want)
		}
	}
	// Beside the demo's capture a JSON Lines log and a pickle: the example
	// takes the log with its own times (before, the pickle, which sorts
	// first by name).
	demo := "../../testdata/shop-demo"
	err = checkFileArgs("analyze", "CAPTURE ENTITIES", []string{demo, shopEntities})
	if want := "; e.g. mimir-tui analyze " + filepath.Join(demo, "capture.pcapng.gz") + " " + filepath.Join(demo, "entities.jsonl"); err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("the demo's directory: %v, want it to end %q", err, want)
	}
	err = checkFileArgs("check", "CAPTURE ENTITIES", []string{benignCapture, t.TempDir()})
	if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "is a directory") || !strings.Contains(err.Error(), "no capture or entity log") {
		t.Errorf("empty directory: %v", err)
	}
	// Many inputs: a few are listed.
	many := t.TempDir()
	capture, _ := os.ReadFile("../../testdata/captures/eth-micro.pcap")
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		os.WriteFile(filepath.Join(many, n+".pcap"), capture, 0o644)
	}
	err = checkFileArgs("check", "CAPTURE ENTITIES", []string{many, benignEntities})
	if err == nil || strings.Count(err.Error(), "(capture)") != maxDirSuggest {
		t.Errorf("directory of 6 captures: %v, want %d listed", err, maxDirSuggest)
	}
}
