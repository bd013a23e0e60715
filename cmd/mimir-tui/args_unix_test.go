//go:build unix

package main

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestPipeArgNotRead: a named pipe (bash's <(zcat capture.gz)) is not
// sniffed: what is read from a pipe is gone for the loader, and opening
// one blocks until a writer comes.
func TestPipeArgNotRead(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "capture")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a named pipe: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- checkFileArgs("analyze", "CAPTURE ENTITIES", []string{fifo, benignEntities}) }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("named pipe: %v, want no error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("checkFileArgs opened the named pipe")
	}
}
