package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mimir-tui/mimir-tui/engine"
)

// TestExploreNeedsTerminal: with standard output a file or a pipe, the
// explorer refuses (exit status 2) and points at analyze, instead of
// drawing escape sequences into it.
func TestExploreNeedsTerminal(t *testing.T) {
	f, err := os.Create(t.TempDir() + "/out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, args := range [][]string{nil, {benignCapture, benignEntities}, {"explore"}} {
		for _, stdout := range []io.Writer{&bytes.Buffer{}, f} {
			err := run(t.Context(), args, stdout, &bytes.Buffer{})
			if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "not a terminal") || !strings.Contains(err.Error(), "mimir-tui analyze") {
				t.Errorf("%q to %T: %v; want a usage error pointing at mimir-tui analyze", args, stdout, err)
			}
		}
	}
	if fi, _ := f.Stat(); fi.Size() > 0 {
		t.Errorf("the explorer wrote %d bytes to a file", fi.Size())
	}
}

// TestExploreNeedsTerminalBinary: the same for the real program with its
// output in a pipe.
func TestExploreNeedsTerminalBinary(t *testing.T) {
	bin := builtBinary(t)
	for _, args := range [][]string{nil, {benignCapture, benignEntities}} {
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || stdout.Len() > 0 || !strings.Contains(stderr.String(), "mimir-tui analyze") {
			t.Errorf("%q: %v, stdout %q, stderr %q; want exit status 2 and a hint", args, err, stdout.String(), stderr.String())
		}
	}
}

// A revision of the model goes beside the model file, else beside the
// verdicts (the capture's), else nowhere (the demo without a cache).
func TestRevisionPath(t *testing.T) {
	for _, c := range []struct {
		model, verdicts string
		r               int
		want            string
	}{
		{"m/model.json", "cap.pcap.verdicts.json", 1, "m/model.r1.json"},
		{"", "cap.pcap.verdicts.json", 2, "cap.pcap.model.r2.json"},
		{"", "", 1, ""},
	} {
		if got := revisionPath(c.model, c.verdicts, c.r); got != c.want {
			t.Errorf("revisionPath(%q, %q, %d) = %q, want %q", c.model, c.verdicts, c.r, got, c.want)
		}
	}
}

// TestKeepRevision: the explorer's Config.Revised saves the model's
// revision beside the model file and says where, as a success; a demo
// without a file is said, not failed; a file that cannot be written is
// the error.
func TestKeepRevision(t *testing.T) {
	dir := t.TempDir()
	rev := &engine.Model{Revision: 2}
	msg, err := keepRevision(filepath.Join(dir, "model.json"), "")(rev, 3)
	want := "✓ revision 2 of the model, with 3 false positives folded in, saved to " + filepath.Join(dir, "model.r2.json") + " (use it with --model)"
	if err != nil || msg != want {
		t.Errorf("saved: %q, %v; want %q", msg, err, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "model.r2.json")); err != nil {
		t.Errorf("the revision is not on disk: %v", err)
	}
	if msg, err := keepRevision("", "")(rev, 1); err != nil || !strings.Contains(msg, "the demo has no file to keep it beside") {
		t.Errorf("demo: %q, %v", msg, err)
	}
	if _, err := keepRevision(filepath.Join(dir, "missing", "model.json"), "")(rev, 1); err == nil || !strings.Contains(err.Error(), "could not be saved") {
		t.Errorf("unwritable: %v", err)
	}
}
