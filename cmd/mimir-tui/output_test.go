package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/export"
)

// TestOutputExists: -o (analyze, train, evaluate) and --export-intervals
// never replace an existing file without --force, and refuse before the
// analysis runs.
func TestOutputExists(t *testing.T) {
	dir := t.TempDir()
	old := []byte("precious\n")
	existing := filepath.Join(dir, "existing")
	if err := os.WriteFile(existing, old, 0o644); err != nil {
		t.Fatal(err)
	}
	restore := runEngine
	defer func() { runEngine = restore }()
	runEngine = func(context.Context, engine.Inputs, engine.Options, func(engine.Event)) (*engine.Result, error) {
		t.Error("the engine ran although the output exists")
		return nil, errors.New("not run")
	}
	for _, args := range [][]string{
		{"analyze", "-o", existing},
		{"analyze", "--export-intervals", existing},
		{"train", "-o", existing},
		{"evaluate", "-o", existing},
	} {
		args = append(args, benignCapture, benignEntities)
		err := run(t.Context(), args, &bytes.Buffer{}, &bytes.Buffer{})
		want := existing + " exists; remove it or pass --force"
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v; want a usage error saying %q", args, err, want)
		}
		if b, _ := os.ReadFile(existing); !bytes.Equal(b, old) {
			t.Fatalf("%q replaced the file", args)
		}
	}
}

// TestOutputForce: with --force the outputs are replaced.
func TestOutputForce(t *testing.T) {
	dir := t.TempDir()
	model := testModel(t)
	for _, c := range []struct {
		args []string
		out  string // a file whose new content must start with this
	}{
		{[]string{"analyze", "--window", "30s", "--model", model, "--force", "-o", filepath.Join(dir, "a"), "--export-intervals", filepath.Join(dir, "i.json")}, `{"window":0`},
		{[]string{"train", "--window", "30s", "--rates", "10", "--force", "-o", filepath.Join(dir, "t")}, `{`},
		{[]string{"evaluate", "--window", "30s", "--rates", "10", "--force", "-o", filepath.Join(dir, "e")}, "evaluation of"},
	} {
		for _, f := range []string{"a", "i.json", "t", "e"} {
			os.WriteFile(filepath.Join(dir, f), []byte("old"), 0o644)
		}
		args := append(c.args, benignCapture, benignEntities)
		if err := run(t.Context(), args, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		out := args[slices.Index(args, "-o")+1]
		if b, _ := os.ReadFile(out); !strings.HasPrefix(string(b), c.out) {
			t.Errorf("%q: %s holds %.40q, want it replaced (%q…)", args, out, b, c.out)
		}
		if i := slices.Index(args, "--export-intervals"); i >= 0 {
			if _, err := export.ReadJSON(args[i+1]); err != nil {
				t.Errorf("--export-intervals with --force: %v", err)
			}
		}
	}
}
