package main

import (
	"context"
	"encoding/json"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/entities"
	"github.com/mimir-tui/mimir-tui/loaders/traffic"
)

// The committed scenarios the tests build from.
const (
	benignDir = "../benign"
	exfilDir  = "../direct-exfil"
)

// buildOut runs the command with args into a fresh directory.
func buildOut(t *testing.T, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	if err := run(context.Background(), append([]string{"-o", dir}, args...), io.Discard, io.Discard); err != nil {
		t.Fatalf("scale %v: %v", args, err)
	}
	return dir
}

// pk is what the tests compare of a packet.
type pk struct {
	ts       int64
	wire     uint32
	src, dst netip.Addr
}

// readPackets reads a capture with loaders/capture.
func readPackets(t *testing.T, path string) []pk {
	t.Helper()
	r, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []pk
	var p capture.Packet
	for {
		err := r.Next(&p)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pk{p.Timestamp, p.WireLen, p.Src, p.Dst})
	}
}

// pairKey is a directed IP pair in a 10 s window.
type pairKey struct {
	win      int
	src, dst netip.Addr
}

type counts struct{ frames, bytes uint64 }

// windowPairs aggregates a capture per 10 s window and directed pair with
// loaders/traffic.
func windowPairs(t *testing.T, path string) map[pairKey]counts {
	t.Helper()
	r, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := map[pairKey]counts{}
	emit := func(_ int, w *traffic.Window) {
		for _, p := range w.Pairs {
			out[pairKey{w.Index, p.Src, p.Dst}] = counts{p.Frames, p.Bytes}
		}
	}
	a := traffic.New(traffic.Config{Sizes: []time.Duration{10 * time.Second}})
	var p capture.Packet
	for {
		if err := r.Next(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		a.Add(&p)
		a.Drain(emit)
	}
	a.Finish(emit)
	return out
}

// timeline loads an entity log with loaders/entities.
func timeline(t *testing.T, path string) *entities.Timeline {
	t.Helper()
	l, err := entities.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := entities.Build(l, entities.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

// copyOf says which copy a 10.244.k.x address belongs to (-1: outside),
// and the source address it came from.
func copyOf(a netip.Addr) (int, netip.Addr) {
	b := a.As4()
	if !a.Is4() || b[0] != 10 || b[1] != 244 {
		return -1, a
	}
	k := int(b[2])
	b[2] = 0
	return k, netip.AddrFrom4(b)
}

// groundTruth reads a ground_truth.json.
func groundTruth(t *testing.T, dir string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "ground_truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// span is the earliest and latest timestamp (captures are not strictly
// ordered).
func span(ps []pk) (first, last int64) {
	first, last = ps[0].ts, ps[0].ts
	for _, p := range ps {
		first, last = min(first, p.ts), max(last, p.ts)
	}
	return first, last
}
