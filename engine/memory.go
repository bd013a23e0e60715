package engine

import (
	"fmt"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/units"
)

// memoryGuard keeps a run within its memory budget (Options.MemoryLimit):
// it tells the Go runtime the limit, so the collector works harder near
// it, and stops the run with a clear error, before the process runs out
// of memory, when the live heap passes the budget or a projection from
// the share of the capture read says it will.
type memoryGuard struct {
	limit   uint64
	sample  []metrics.Sample
	heap    func() uint64 // the live heap; nil: the runtime's metrics
	restore int64
}

// memoryCheckEvery is how often the guard looks at the heap.
const memoryCheckEvery = 100 * time.Millisecond

// minProjection is the share of a capture that must be read before the
// heap is projected to its end: the first windows and the baseline's
// model are a large fixed part of the memory a run needs.
const minProjection = 0.25

func newMemoryGuard(limit uint64, heap func() uint64) *memoryGuard {
	g := &memoryGuard{limit: limit, heap: heap, restore: -1}
	if limit > 0 {
		g.sample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		g.restore = debug.SetMemoryLimit(int64(limit))
	}
	return g
}

// release gives the runtime back the limit it had.
func (g *memoryGuard) release() {
	if g.restore >= 0 {
		debug.SetMemoryLimit(g.restore)
	}
}

// check returns an error when the heap is over the budget, or projected
// to be by the end of the capture (read of total bytes).
func (g *memoryGuard) check(read, total int64) error {
	if g.limit == 0 {
		return nil
	}
	heap := g.liveHeap()
	if heap > g.limit {
		return settingErr(SettingMemoryLimit, "the analysis needs more memory than its budget of %s: it holds %s after %s of the capture; "+
			"use fewer or larger window sizes, a shorter baseline, or a larger budget", units.Bytes(float64(g.limit)), units.Bytes(float64(heap)), readShare(read, total))
	}
	if total > 0 && float64(read) >= minProjection*float64(total) {
		if need := float64(heap) * float64(total) / float64(read); need > 1.5*float64(g.limit) {
			return settingErr(SettingMemoryLimit, "the analysis would need about %s, more than its budget of %s (it holds %s after %s of the capture); "+
				"use fewer or larger window sizes, a shorter baseline, or a larger budget", units.Bytes(need), units.Bytes(float64(g.limit)), units.Bytes(float64(heap)), readShare(read, total))
		}
	}
	return nil
}

func (g *memoryGuard) liveHeap() uint64 {
	if g.heap != nil {
		return g.heap()
	}
	metrics.Read(g.sample)
	return g.sample[0].Value.Uint64()
}

func readShare(read, total int64) string {
	if total <= 0 {
		return units.Bytes(float64(read))
	}
	return fmt.Sprintf("%.0f%%", 100*float64(read)/float64(total))
}
