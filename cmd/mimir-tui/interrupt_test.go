package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
)

// TestExitStatus: what the user sees, and the exit status, for each kind
// of ending.
func TestExitStatus(t *testing.T) {
	sigint := &interruptError{sig: syscall.SIGINT}
	sigterm := &interruptError{sig: syscall.SIGTERM}
	canceled := fmt.Errorf("ingest: %w", context.Canceled)
	for _, c := range []struct {
		name       string
		err, cause error
		code       int
		msg        string
	}{
		{"done", nil, nil, 0, ""},
		{"help", flag.ErrHelp, nil, 0, ""},
		{"usage", usagef("--format %q: want jsonl or csv", "x"), nil, 2, "mimir-tui: --format \"x\": want jsonl or csv\n"},
		{"failure", errors.New("open capture: no such file"), nil, 1, "mimir-tui: open capture: no such file\n"},
		{"ctrl-c", notWritten(canceled, "out.jsonl", "", "iv.json"), sigint, 130, "mimir-tui: interrupted; not written: out.jsonl, iv.json\n"},
		{"ctrl-c to stdout", notWritten(canceled, ""), sigint, 130, "mimir-tui: interrupted\n"},
		{"ctrl-c, other error", errors.New("read: bad file descriptor"), sigint, 130, "mimir-tui: interrupted\n"},
		{"sigterm", canceled, sigterm, 143, "mimir-tui: interrupted\n"},
		{"signal after the work", nil, sigint, 0, ""},
	} {
		var out bytes.Buffer
		if code := exitStatus(c.err, c.cause, &out); code != c.code || out.String() != c.msg {
			t.Errorf("%s: exit status %d, printed %q; want %d, %q", c.name, code, out.String(), c.code, c.msg)
		}
	}
}

// TestSignalContext: a signal cancels the context with the signal as cause.
func TestSignalContext(t *testing.T) {
	ctx, stop := signalContext(context.Background())
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM did not cancel the context")
	}
	var ie *interruptError
	if !errors.As(context.Cause(ctx), &ie) || ie.status() != 143 {
		t.Errorf("cause %v", context.Cause(ctx))
	}
}

// cancelOnWrite cancels a run at its first line on standard error (the
// engine's first warning, which comes while the run is under way).
type cancelOnWrite struct{ cancel context.CancelFunc }

func (c cancelOnWrite) Write(p []byte) (int, error) {
	c.cancel()
	return len(p), nil
}

// TestCancelLeavesNothing: a run cancelled mid-way stops with
// context.Canceled, names the outputs it did not write, and leaves no file
// behind, not even a temporary one. analyze and train are cancelled while
// they read the capture, evaluate at its first warning.
func TestCancelLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	o := func(name string) string { return filepath.Join(dir, name) }
	var cancelRun context.CancelFunc
	restore := runEngine
	defer func() { runEngine = restore }()
	runEngine = func(ctx context.Context, in engine.Inputs, opts engine.Options, emit func(engine.Event)) (*engine.Result, error) {
		return engine.Run(ctx, in, opts, func(ev engine.Event) {
			emit(ev)
			if p, ok := ev.(*engine.Progress); ok && p.Packets > 0 {
				cancelRun()
			}
		})
	}
	for _, args := range [][]string{
		{"analyze", "-o", o("a.jsonl"), "--export-intervals", o("a.json")},
		{"train", "-o", o("model.json")},
		{"evaluate", "-o", o("eval.txt"), "--plot-dir", o("plots")},
	} {
		ctx, cancel := context.WithCancel(t.Context())
		cancelRun = cancel
		var stderr io.Writer = io.Discard
		if args[0] == "evaluate" {
			stderr = cancelOnWrite{cancel}
		}
		err := run(ctx, append(args, benignCapture, benignEntities), io.Discard, stderr)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("%q: error %v, want context.Canceled (the run was not cut?)", args, err)
		}
		var msg bytes.Buffer
		exitStatus(err, &interruptError{sig: syscall.SIGINT}, &msg)
		for _, a := range args[1:] {
			if strings.HasPrefix(a, dir) && !strings.Contains(msg.String(), a) {
				t.Errorf("%q: message %q does not name %s", args, msg.String(), a)
			}
		}
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Fatalf("%q left %v", args, entries)
		}
	}
}

// TestInterruptBinary: Ctrl-C (SIGINT) and SIGTERM during a headless run
// of the real program say "interrupted", exit with 130 and 143, and leave
// no output file.
func TestInterruptBinary(t *testing.T) {
	bin := builtBinary(t)
	for _, c := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		dir := t.TempDir()
		out := filepath.Join(dir, "out.jsonl")
		cmd := exec.Command(bin, "analyze", "-o", out, demoCapture, demoEntities)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The first warning comes once the inputs are read, seconds
		// before the analysis ends.
		rd := bufio.NewReader(stderr)
		first, _ := rd.ReadString('\n')
		cmd.Process.Signal(c.sig)
		var rest bytes.Buffer
		rest.ReadFrom(rd)
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != c.code {
			t.Errorf("%v: %v, want exit status %d; stderr %q%q", c.sig, err, c.code, first, rest.String())
		}
		want := "mimir-tui: interrupted; not written: " + out + "\n"
		if !strings.HasSuffix(rest.String(), want) || strings.Contains(rest.String(), "context canceled") {
			t.Errorf("%v: stderr %q, want it to end with %q", c.sig, rest.String(), want)
		}
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Errorf("%v left %v", c.sig, entries)
		}
	}
}
