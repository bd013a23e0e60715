package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Inputs used by the command tests: a small real scenario (300 s, 14 381
// packets) and the embedded demo's files.
const (
	benignCapture  = "../../testdata/scenarios/benign/capture.pcapng.gz"
	benignEntities = "../../testdata/scenarios/benign/entities.jsonl"
	demoCapture    = "../../testdata/shop-demo/capture.pcapng.gz"
	demoEntities   = "../../testdata/shop-demo/entities.jsonl"
)

// sharedDir holds what several tests share (the built binary, a trained
// model); TestMain removes it.
var sharedDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mimir-tui-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sharedDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// goBuild builds the package in dir into out with extra go build flags.
func goBuild(dir, out string, extra ...string) error {
	// The go command that runs this test builds the binary.
	gobin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("the go command is not on PATH: %w", err)
	}
	args := append(append([]string{"build", "-o", out}, extra...), ".")
	cmd := exec.Command(gobin, args...)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %v in %s: %w\n%s", extra, dir, err, b)
	}
	return nil
}

var (
	binOnce sync.Once
	binErr  error
)

// builtBinary is this package, built once for the tests that run the program.
func builtBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(sharedDir, "mimir-tui")
	binOnce.Do(func() { binErr = goBuild(".", bin) })
	if binErr != nil {
		t.Fatal(binErr)
	}
	return bin
}

var (
	modelOnce sync.Once
	modelErr  error
)

// testModel is a model trained on the benign scenario with 30 s windows
// only (and one rate, to be quick), shared by the tests.
func testModel(t *testing.T) string {
	t.Helper()
	path := filepath.Join(sharedDir, "model-30s.json")
	modelOnce.Do(func() {
		modelErr = runTrain(context.Background(), []string{"--window", "30s", "--rates", "10", "-o", path, benignCapture, benignEntities}, io.Discard, io.Discard)
	})
	if modelErr != nil {
		t.Fatalf("training the test model: %v", modelErr)
	}
	return path
}
