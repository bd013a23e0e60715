package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.json")
	if err := Write(p, []byte("one"), false); err != nil {
		t.Fatal(err)
	}
	// No overwrite: refused, the file keeps its content.
	err := Write(p, []byte("two"), false)
	if !errors.Is(err, os.ErrExist) {
		t.Fatalf("second write without overwrite: %v, want os.ErrExist", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "one" {
		t.Fatalf("file holds %q after a refused write, want %q", b, "one")
	}
	if err := Write(p, []byte("three"), true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "three" {
		t.Fatalf("file holds %q after overwriting, want %q", b, "three")
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	// Nothing temporary is left behind.
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d entries in the directory, want 1", len(ents))
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.csv")
	f, err := Create(p, false)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("half")
	f.Abort()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("abort left %d entries", len(ents))
	}
	if err := f.Commit(); err == nil {
		t.Error("commit after abort succeeded")
	}
}

func TestCommitLosesRace(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.json")
	f, err := Create(p, false)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("mine")
	// Someone else creates the file meanwhile.
	os.WriteFile(p, []byte("theirs"), 0o644)
	if err := f.Commit(); !errors.Is(err, os.ErrExist) {
		t.Fatalf("commit over a file created meanwhile: %v, want os.ErrExist", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "theirs" {
		t.Errorf("their file was replaced: %q", b)
	}
}

func TestMissingDirectory(t *testing.T) {
	err := Write(filepath.Join(t.TempDir(), "no", "such", "x.json"), nil, false)
	if err == nil {
		t.Fatal("write into a missing directory succeeded")
	}
}
