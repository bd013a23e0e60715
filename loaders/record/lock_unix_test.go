//go:build unix

package record

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenLogLocked: a log one record has open is refused to a second
// (before, both opened it and each appended the whole state: every
// entity added twice), and the file is left as it was; once the first
// closes it, it opens again.
func TestOpenLogLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "same.jsonl")
	if err := os.WriteFile(path, []byte(priorLog+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	first, _, err := OpenLog(path)
	if err != nil {
		t.Fatal(err)
	}
	second, _, err := OpenLog(path)
	if err == nil {
		second.Close()
	}
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "another record is writing "+path+": ") || strings.Contains(err.Error(), "-o") {
		t.Errorf("second OpenLog: %v, want ErrBusy saying another record is writing %s, naming no flag", err, path)
	}
	if got, _ := os.ReadFile(path); string(got) != priorLog+"\n" {
		t.Error("the refused open changed the log")
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, _, err := OpenLog(path)
	if err != nil {
		t.Fatalf("OpenLog after the first closed: %v", err)
	}
	again.Close()
}
