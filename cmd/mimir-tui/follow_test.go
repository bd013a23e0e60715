package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
)

// TestFollowFlags: --follow and --entities-lag reach the engine from
// analyze and from the explorer (both forms); what cannot be followed is
// refused before any work with the flag to change.
func TestFollowFlags(t *testing.T) {
	model := testModel(t)
	var got engine.Options
	restore := runEngine
	defer func() { runEngine = restore }()
	runEngine = func(_ context.Context, _ engine.Inputs, opts engine.Options, _ func(engine.Event)) (*engine.Result, error) {
		got = opts
		return nil, errors.New("stopped by the test")
	}
	for _, c := range []struct {
		args   []string
		follow bool
		lag    time.Duration
	}{
		{nil, false, engine.DefaultEntitiesLag},
		{[]string{"--follow"}, true, engine.DefaultEntitiesLag},
		{[]string{"--follow", "--entities-lag", "500ms"}, true, 500 * time.Millisecond},
	} {
		got = engine.Options{}
		runAnalyze(t.Context(), append(c.args, benignCapture, benignEntities), &bytes.Buffer{}, &bytes.Buffer{})
		if got.Follow != c.follow || got.EntitiesLag != c.lag || !got.Streaming {
			t.Errorf("analyze %q: follow %v, lag %v; want %v, %v", c.args, got.Follow, got.EntitiesLag, c.follow, c.lag)
		}
		var ef engineFlags
		var ff followFlags
		fs := flag.NewFlagSet("explore", flag.ContinueOnError)
		ef.register(fs, true)
		ff.register(fs)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		opts, err := exploreOptions(&ef, &ff, false)
		if err != nil || opts.Follow != c.follow || opts.EntitiesLag != c.lag {
			t.Errorf("explore %q: follow %v, lag %v (%v); want %v, %v", c.args, opts.Follow, opts.EntitiesLag, err, c.follow, c.lag)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"analyze", "--entities-lag", "1s", benignCapture, benignEntities}, "add --follow"},
		{[]string{"analyze", "--follow", "--entities-lag", "0s", benignCapture, benignEntities}, "positive duration"},
		{[]string{"analyze", "--follow", "--model", model, "--save-model", "r.json", benignCapture, benignEntities}, "--save-model"},
		{[]string{"--follow"}, "mimir-tui --follow CAPTURE ENTITIES"},
		{[]string{"explore", "--follow"}, "mimir-tui --follow CAPTURE ENTITIES"},
	} {
		err := run(t.Context(), c.args, &bytes.Buffer{}, &bytes.Buffer{})
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v; want a usage error saying %q", c.args, err, c.want)
		}
	}
}

// TestFollowSeveralCaptures: several followed captures need their clock
// offsets (none can be estimated from captures still being written): a
// usage error naming the captures and --clock-offset; given, the run
// goes ahead.
func TestFollowSeveralCaptures(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "scenarios", "two-node")
	a, b := filepath.Join(t.TempDir(), "node-a.pcap"), filepath.Join(t.TempDir(), "node-b.pcap")
	for _, p := range [][2]string{{filepath.Join(dir, "node-a.pcap.gz"), a}, {filepath.Join(dir, "node-b.pcap.gz"), b}} {
		gunzip(t, p[0], p[1])
	}
	ents := filepath.Join(dir, "entities.jsonl")
	err := run(t.Context(), []string{"analyze", "--follow", a, b, ents}, &bytes.Buffer{}, &bytes.Buffer{})
	if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "--clock-offset") || !strings.Contains(err.Error(), b) {
		t.Fatalf("two followed captures without offsets: %v; want a usage error naming %s and --clock-offset", err, b)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	defer interruptAfter(1, cancel)() // a window was scored: the merge went on
	var stdout lockedBuffer
	err = run(ctx, []string{"analyze", "--follow", "--clock-offset", "node-b=37.5ms", a, b, ents}, &stdout, &bytes.Buffer{})
	if !errors.Is(err, context.Canceled) || !strings.Contains(stdout.String(), `"window":0`) {
		t.Fatalf("with the offset: %v and %q; want window 0 scored before the interruption", err, stdout.String())
	}
}

// TestFollowInterrupted: a followed analyze ends with Ctrl-C: the lines it
// wrote to -o stay, each whole, the flagged intervals of the windows
// scored are written, and the status is the interruption's (130).
func TestFollowInterrupted(t *testing.T) {
	dir := t.TempDir()
	out, ivs := filepath.Join(dir, "out.jsonl"), filepath.Join(dir, "intervals.json")
	capture := filepath.Join(dir, "capture.pcapng")
	gunzip(t, demoCapture, capture)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	defer interruptAfter(20, cancel)()
	var stderr bytes.Buffer
	err := run(ctx, []string{"analyze", "--follow", "--sensitive", "shop-db", "-o", out, "--export-intervals", ivs, capture, demoEntities}, &bytes.Buffer{}, &stderr)
	var msg bytes.Buffer
	if code := exitStatus(err, &interruptError{sig: syscall.SIGINT}, &msg); code != 130 || strings.Contains(msg.String(), "not written") {
		t.Errorf("status %d, message %q; want 130 and nothing unwritten", code, msg.String())
	}
	data, rerr := os.ReadFile(out)
	if rerr != nil {
		t.Fatalf("-o after the interruption: %v", rerr)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) < 20 || !strings.HasSuffix(string(data), "\n") {
		t.Fatalf("%d lines, want the 20 windows scored, each ending with a newline", len(lines))
	}
	for i, l := range lines {
		var rec windowRecord
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("line %d is not a whole record: %v", i+1, err)
		}
	}
	if _, err := os.Stat(ivs); err != nil || !strings.Contains(stderr.String(), "flagged intervals") {
		t.Errorf("intervals: %v, stderr %q; want them written", err, stderr.String())
	}
}

// interruptAfter makes the engine run for real and cancel once n windows
// are scored (Ctrl-C, for a followed run); it returns the undo.
func interruptAfter(n int, cancel context.CancelFunc) func() {
	restore := runEngine
	runEngine = func(ctx context.Context, in engine.Inputs, opts engine.Options, emit func(engine.Event)) (*engine.Result, error) {
		windows := 0
		return engine.Run(ctx, in, opts, func(ev engine.Event) {
			emit(ev)
			if _, ok := ev.(*engine.WindowDone); ok {
				if windows++; windows == n {
					cancel()
				}
			}
		})
	}
	return func() { runEngine = restore }
}

// lockedBuffer is a bytes.Buffer safe for the engine's writer and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// gunzip writes the decompressed src to dst: a followed capture is
// written uncompressed.
func gunzip(t *testing.T, src, dst string) {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
