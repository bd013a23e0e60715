package tui

import (
	"sync"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mimir-tui/mimir-tui/engine"
)

var stress = struct {
	once   sync.Once
	events []engine.Event
	res    *engine.Result
}{}

// stressModel is a 200×50 explorer on a finished 100 000-window run, its
// cursor on an alert.
func stressModel(b *testing.B) *Model {
	stress.once.Do(func() { stress.events, stress.res = stretchEvents(100000) })
	m := newTestModel(b, 200, 50)
	feed(m, stress.events, stress.res, nil)
	keys(m, "n")
	m.View()
	return m
}

// BenchmarkView100k: a frame when nothing changed (the program renders
// after every message).
func BenchmarkView100k(b *testing.B) {
	m := stressModel(b)
	loop(b, func(int) { m.View() })
}

// BenchmarkCursor100k: a key press moving the cursor one window, then the
// frame.
func BenchmarkCursor100k(b *testing.B) {
	m := stressModel(b)
	l, h := press("l"), press("h")
	loop(b, func(i int) {
		k := l
		if i%2 == 1 {
			k = h
		}
		m.Update(k)
		m.View()
	})
}

// BenchmarkPage100k: a page move (ten chart columns, a new cursor bucket
// every time), then the frame.
func BenchmarkPage100k(b *testing.B) {
	m := stressModel(b)
	keys(m, "g")
	fwd, back := press("pgdown"), press("pgup")
	loop(b, func(i int) {
		k := fwd
		if (i/20)%2 == 1 {
			k = back
		}
		m.Update(k)
		m.View()
	})
}

// BenchmarkThreshold100k: + or -, which changes every alert, the counts,
// the intervals, the chart's threshold line and the strip, then the frame.
func BenchmarkThreshold100k(b *testing.B) {
	m := stressModel(b)
	up, down := press("+"), press("-")
	loop(b, func(i int) {
		k := up
		if i%2 == 1 {
			k = down
		}
		m.Update(k)
		m.View()
	})
}

// BenchmarkNextAlert100k: n/N across 100 000 windows, then the frame.
func BenchmarkNextAlert100k(b *testing.B) {
	m := stressModel(b)
	n, prev := press("n"), press("N")
	loop(b, func(i int) {
		k := n
		if (i/6)%2 == 1 {
			k = prev
		}
		m.Update(k)
		m.View()
	})
}

// BenchmarkResize100k: the worst case, a resize, which re-aggregates all
// 100 000 windows into the new chart width.
func BenchmarkResize100k(b *testing.B) {
	m := stressModel(b)
	loop(b, func(i int) {
		m.Update(tea.WindowSizeMsg{Width: 200 - i%2, Height: 50})
		m.View()
	})
}

// cpuTime is the process's user+system CPU time. The benchmarks report it
// per operation (cpu-ns/op) besides wall time: on a shared, loaded machine
// wall time also counts the time other processes hold the CPU.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs op b.N times, reporting cpu-ns/op.
func loop(b *testing.B, op func(i int)) {
	b.ReportAllocs()
	start := cpuTime()
	i := 0
	for b.Loop() {
		op(i)
		i++
	}
	if i > 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(i), "cpu-ns/op")
	}
}
