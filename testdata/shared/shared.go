// Package shared locates the data that lives beside the repository, in
// ../shared (the real shop-demo capture, the original MIMIR logs), and the
// external tools some tests use as oracles, for tests only.
//
// Tests that need them skip with a clear message when they are absent, and
// fail instead when MIMIR_REQUIRE_ORACLES=1, as CI sets, so that a test
// never stops running silently.
package shared

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Required reports whether CI asked for every oracle to be present.
func Required() bool { return os.Getenv("MIMIR_REQUIRE_ORACLES") == "1" }

// Unavailable skips t with msg, or fails it when oracles are required.
func Unavailable(t testing.TB, msg string) {
	t.Helper()
	if Required() {
		t.Fatalf("%s (MIMIR_REQUIRE_ORACLES=1 makes this a failure)", msg)
	}
	t.Skipf("skipping: %s (set MIMIR_REQUIRE_ORACLES=1 to make this a failure)", msg)
}

// Dir is the directory ../shared beside the repository: MIMIR_SHARED when
// set, else found from this file's location.
func Dir() string {
	if d := os.Getenv("MIMIR_SHARED"); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	// file is <repo>/testdata/shared/shared.go.
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "shared")
}

// Path returns the path of rel inside ../shared, or skips (or fails) t
// when it is not there.
func Path(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(Dir(), rel)
	if _, err := os.Stat(p); err != nil {
		Unavailable(t, "../shared/"+rel+" is not beside the repository ("+err.Error()+")")
	}
	return p
}

// Tool returns the path of an external program, or skips (or fails) t.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Unavailable(t, name+" is not installed")
	}
	return p
}
