package tui

import (
	"sync"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/tui/replay"
)

var stress = struct {
	once sync.Once
	rec  *replay.Recording
}{}

// stressModel is a 200×50 explorer on a finished 100 000-window run of the
// demo's real windows, its cursor on an alert.
func stressModel(b *testing.B) *Model {
	stress.once.Do(func() { stress.rec = demo().Stretch(100000) })
	return stretchedModel(b, stress.rec, true)
}

// stretchedModel is a 200×50 explorer on a stretched run, its cursor on
// an alert. The details of the alerting windows and of the first 20 000
// windows of each size go to the detail store; the other windows go in
// without theirs, which no benchmark shows: writing the details of a
// million repeated windows measures the disk, not the explorer. With
// index, every window's names go to the search index.
func stretchedModel(b *testing.B, rec *replay.Recording, index bool) *Model {
	m := newTestModel(b, 200, 50)
	for _, ev := range rec.Events {
		if wd, ok := ev.(*engine.WindowDone); ok && index {
			m.sh.index.add(wd.Window) // in order, as a run streams them
		}
	}
	var events []engine.Event
	for _, ev := range rec.Events {
		if wd, ok := ev.(*engine.WindowDone); ok {
			w := wd.Window
			th := rec.Result.Series[0].Threshold
			for _, s := range rec.Result.Series {
				if s.Size == w.Size {
					th = s.Threshold
				}
			}
			if w.Index >= 20000 && !w.Alert(th) {
				slim := *w
				slim.Edges, slim.Flagged, slim.Contributions = nil, nil, nil
				slim.PodEdges, slim.Domains, slim.Ports = nil, nil, nil
				m.sh.data.apply(&engine.WindowDone{Window: &slim})
				continue
			}
		}
		events = append(events, ev)
	}
	feed(m, events, rec.Result, nil)
	keys(m, "n")
	m.View()
	return m
}

var million = struct {
	once sync.Once
	rec  *replay.Recording
}{}

// BenchmarkView1M, BenchmarkThreshold1M, BenchmarkNextAlert1M: a week of
// 10 s windows is 60 480; a million is the limit a run may make.
func BenchmarkView1M(b *testing.B) {
	m := millionModel(b)
	loop(b, func(int) { m.View() })
}

func BenchmarkThreshold1M(b *testing.B) {
	m := millionModel(b)
	benchThreshold(b, m)
}

func BenchmarkNextAlert1M(b *testing.B) {
	m := millionModel(b)
	benchNextAlert(b, m)
}

func millionModel(b *testing.B) *Model {
	million.once.Do(func() { million.rec = demo().Stretch(1_000_000) })
	return stretchedModel(b, million.rec, false)
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
	benchThreshold(b, m)
}

// BenchmarkNextAlert100k: n/N across 100 000 windows, then the frame.
func BenchmarkNextAlert100k(b *testing.B) {
	m := stressModel(b)
	benchNextAlert(b, m)
}

// BenchmarkSearch100k: a new search over 100 000 windows — the names
// matched, the runs of windows merged, the marks under the chart, the
// list of matches — then the frame. The query alternates between one
// found in every window and one found in the alerts only.
func BenchmarkSearch100k(b *testing.B) {
	m := stressModel(b)
	queries := []string{"shop-db", "203.0.113.10"}
	loop(b, func(i int) {
		m.searchFor(queries[i%2])
		m.sync()
		m.View()
	})
}

// BenchmarkNextMatch100k: ] then the frame, with a search of the
// exfiltration's address (its windows every 7 919).
func BenchmarkNextMatch100k(b *testing.B) {
	m := stressModel(b)
	m.searchFor("203.0.113.10")
	keys(m, "esc", "g")
	next, prev := press("]"), press("[")
	loop(b, func(i int) {
		k := next
		if (i/6)%2 == 1 {
			k = prev
		}
		m.Update(k)
		m.View()
	})
}

// BenchmarkAlertsList100k: the alerts list over 100 000 windows at a
// threshold where about half of them alert (the median score): every
// interval merged with the flagged edges of its windows from the store,
// then the frame.
func BenchmarkAlertsList100k(b *testing.B) {
	m := stressModel(b)
	st := m.sh.current().scoreStats()
	m.navigate(Op{Action: ActThreshSet, Value: st.sorted[len(st.sorted)/2]})
	keys(m, "a")
	loop(b, func(int) {
		p := m.top().(*alertsPane)
		p.loaded, p.pending = false, intervalsKey{}
		runCmd(m, p.background())
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

// benchThreshold alternates + and -, each followed by the frame.
func benchThreshold(b *testing.B, m *Model) {
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

// benchNextAlert steps n six times, then N six times, each followed by
// the frame.
func benchNextAlert(b *testing.B, m *Model) {
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
