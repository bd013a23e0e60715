package engine

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/entities"
)

// TestCaptureClock: a followed capture's clock is its latest packet's
// time while packets come, and runs on with the wall clock when they stop.
func TestCaptureClock(t *testing.T) {
	read := time.Unix(1000, 0)
	for _, tt := range []struct {
		last  int64
		since time.Duration
		want  int64
	}{
		{last: 5e9, since: 0, want: 5e9},                         // just read: the packet's time
		{last: 5e9, since: 1500 * time.Millisecond, want: 6.5e9}, // quiet for 1.5 s
		{last: -2e9, since: time.Minute, want: 58e9},             // a capture's clock need not be the wall clock
	} {
		if got := captureClock(tt.last, read, read.Add(tt.since)); got != tt.want {
			t.Errorf("captureClock(%d, +%v) = %d, want %d", tt.last, tt.since, got, tt.want)
		}
	}
}

// TestSealClock: a followed run seals by the capture's clock, held back
// to the slack past the time the entity log is complete through: a
// window waits for both its end plus the slack on the capture's clock
// and its end in the log.
func TestSealClock(t *testing.T) {
	const slack = 5 * time.Second
	for _, tt := range []struct {
		capture, through, want int64
	}{
		{capture: 100e9, through: 98e9, want: 100e9},          // the log 2 s behind: within the slack
		{capture: 100e9, through: 90e9, want: 95e9},           // the log 10 s behind holds the windows back
		{capture: 100e9, through: math.MaxInt64, want: 100e9}, // a log read whole
	} {
		if got := sealClock(tt.capture, tt.through, slack); got != tt.want {
			t.Errorf("sealClock(%d, %d) = %d, want %d", tt.capture, tt.through, got, tt.want)
		}
	}
}

// TestEntitiesThrough: a followed log is complete through the time it was
// last read to its end, less the lag, in the capture's time; a log read
// whole, through any time.
func TestEntitiesThrough(t *testing.T) {
	read := time.Unix(100, 0)
	for _, tt := range []struct {
		lag, offset time.Duration
		want        int64
	}{
		{2 * time.Second, 0, 98e9},
		{0, 0, 100e9},
		{2 * time.Second, -3 * time.Second, 95e9}, // the log's clock 3 s ahead of the capture's
	} {
		l := &entityLog{tail: entities.NewTail(strings.NewReader(""), "log"), readAt: read, lag: tt.lag}
		l.bind.Offset = tt.offset
		if got := l.through(); got != tt.want {
			t.Errorf("lag %v offset %v: through %d, want %d", tt.lag, tt.offset, got, tt.want)
		}
	}
	if got := (&entityLog{}).through(); got != math.MaxInt64 {
		t.Errorf("a log read whole: through %d, want the end of time", got)
	}
}

// liveScenario replays a scenario as a cluster makes it: its packets
// appended to a capture file and its entity events to a log in capture
// time, with the run's wall clock (Options.clock) the capture's time:
// everything up to the clock is written before the clock moves.
type liveScenario struct {
	header  []byte
	records []timed // pcap records, in file order
	lines   []timed // log lines
	now     atomic.Int64
}

type timed struct {
	at   int64
	data []byte
}

// loadLive reads the scenario's capture (rewritten as a nanosecond pcap,
// so that the whole run and the followed one read the same bytes) and its
// entity log.
func loadLive(t *testing.T, name string) *liveScenario {
	t.Helper()
	dir := filepath.Join(scenarioDir, name)
	rd, err := capture.Open(filepath.Join(dir, "capture.pcapng.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	ls := &liveScenario{}
	var p capture.Packet
	for {
		err := rd.Next(&p)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if ls.header == nil {
			ls.header = pcapHeader(p.LinkType)
		}
		ls.records = append(ls.records, timed{p.Timestamp, pcapRecord(&p)})
	}
	f, err := os.Open(filepath.Join(dir, "entities.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ev struct{ TS time.Time }
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatal(err)
		}
		ls.lines = append(ls.lines, timed{ev.TS.UnixNano(), append(bytes.Clone(sc.Bytes()), '\n')})
	}
	return ls
}

// pcapRecord is p as a nanosecond pcap record.
func pcapRecord(p *capture.Packet) []byte {
	var b bytes.Buffer
	pcapgo.NewWriterNanos(&b).WritePacket(gopacket.CaptureInfo{Timestamp: time.Unix(0, p.Timestamp), CaptureLength: len(p.Frame), Length: int(p.WireLen)}, p.Frame)
	return b.Bytes()
}

// pcapHeader is a nanosecond pcap file's header.
func pcapHeader(link capture.LinkType) []byte {
	var b bytes.Buffer
	pcapgo.NewWriterNanos(&b).WriteFileHeader(262144, layers.LinkType(link))
	return b.Bytes()
}

// writeAll writes the whole capture and log to dir, as a finished run
// reads them.
func (ls *liveScenario) writeAll(t *testing.T, dir string) Inputs {
	t.Helper()
	capPath, logPath := filepath.Join(dir, "capture.pcap"), filepath.Join(dir, "entities.jsonl")
	var c, l bytes.Buffer
	c.Write(ls.header)
	for _, r := range ls.records {
		c.Write(r.data)
	}
	for _, x := range ls.lines {
		l.Write(x.data)
	}
	if err := os.WriteFile(capPath, c.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(logPath, l.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return Inputs{Capture: FileSource(capPath), Entities: FileSource(logPath)}
}

// play writes the capture and the log in steps of step capture time,
// about a hundred times faster than real time: packets at once, entity
// events delay late (the recorder's delay, within the run's lag); the
// clock moves once what is due is written. Past the last packet the
// clock runs on for tail with nothing more written (the capture is
// quiet). It returns the inputs to follow.
func (ls *liveScenario) play(t *testing.T, ctx context.Context, dir string, step, delay, tail time.Duration, wg *sync.WaitGroup) Inputs {
	t.Helper()
	capPath, logPath := filepath.Join(dir, "live.pcap"), filepath.Join(dir, "live.jsonl")
	cf, err := os.Create(capPath)
	if err != nil {
		t.Fatal(err)
	}
	lf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	start := min(ls.records[0].at, ls.lines[0].at+int64(delay))
	end := ls.records[len(ls.records)-1].at + int64(tail)
	ls.now.Store(start)
	wg.Go(func() {
		defer cf.Close()
		defer lf.Close()
		cf.Write(ls.header)
		r, l := 0, 0
		for now := start; now <= end && ctx.Err() == nil; now += int64(step) {
			for ; l < len(ls.lines) && ls.lines[l].at <= now-int64(delay); l++ {
				lf.Write(ls.lines[l].data)
			}
			for ; r < len(ls.records) && ls.records[r].at <= now; r++ {
				cf.Write(ls.records[r].data)
			}
			ls.now.Store(now)
			time.Sleep(step / 100)
		}
	})
	return Inputs{Capture: FileSource(capPath), Entities: FileSource(logPath)}
}

func (ls *liveScenario) clock() time.Time { return time.Unix(0, ls.now.Load()) }

// TestFollowMatchesWholeRun: the new-service scenario played as it
// happened — packets appended to the capture, entity events to the log
// seconds late, the recommender service and its pods added two minutes
// in — and
// followed, scores every window as the run on the finished files does:
// the same tags (the pods added mid-run resolved, not unknown), the same
// new workload learned once, the same scores; and the windows at the end,
// which no later packet seals, are sealed by the capture's clock.
func TestFollowMatchesWholeRun(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: replays a 5-minute scenario")
	}
	ls := loadLive(t, "new-service")
	t.Run("model", func(t *testing.T) {
		opts := DefaultOptions()
		opts.Baseline = BaselineModel(benignModel(t))
		checkFollowed(t, ls, opts, false)
	})
	// With a baseline the model is trained on the services of the log as
	// it is at the baseline's end, where a run on the finished log also
	// injects attacks through the recommender, which comes later: the
	// models differ, but not what the windows hold, what is learned, and
	// that no window alerts.
	t.Run("baseline", func(t *testing.T) {
		opts := DefaultOptions()
		opts.Sensitive = []string{"shop-db"}
		checkFollowed(t, ls, opts, true)
	})
}

// checkFollowed runs the scenario whole and followed with opts and
// compares their windows.
func checkFollowed(t *testing.T, ls *liveScenario, opts Options, trained bool) {
	// Both runs stream (a streamed run explains the alerting windows only).
	opts.Streaming = true
	whole := scored(context.Background(), -1, func(ctx context.Context, emit func(Event)) error {
		_, err := Run(ctx, ls.writeAll(t, t.TempDir()), opts, emit)
		return err
	})
	if whole.err != nil {
		t.Fatal(whole.err)
	}
	var wg sync.WaitGroup
	defer wg.Wait() // after the cancel below: the writer stops with ctx
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The recommender's first packets follow its add by 5 s: its events
	// come 6 s late, within a lag of 8 s.
	in := ls.play(t, ctx, t.TempDir(), 250*time.Millisecond, 6*time.Second, 2*time.Minute, &wg)
	fopts := opts
	fopts.Follow, fopts.EntitiesLag = true, 8*time.Second
	fopts.followPoll, fopts.clock = time.Millisecond, ls.clock
	followed := scored(ctx, len(whole.windows), func(ctx context.Context, emit func(Event)) error {
		stop := time.AfterFunc(time.Minute, cancel)
		defer stop.Stop()
		_, err := Run(ctx, in, fopts, emit)
		return err
	})
	if len(followed.windows) < len(whole.windows) {
		t.Fatalf("the followed run scored %d windows of %d in a minute", len(followed.windows), len(whole.windows))
	}
	if !errors.Is(followed.err, context.Canceled) {
		t.Fatalf("followed run: %v, want it to end with its context", followed.err)
	}
	want, got := whole.windows, followed.windows
	if trained {
		// Only what the windows hold and what the runs learn and alert on
		// is compared: the models differ.
		for k := range got {
			got[k], want[k] = unscored(got[k], followed.threshold[got[k].Size]), unscored(want[k], whole.threshold[want[k].Size])
		}
	}
	checkSameWindows(t, want, got)
}

// runScores is what a run scored: its windows by size and index, its
// thresholds, and its error.
type runScores struct {
	windows   map[string]WindowResult
	threshold map[time.Duration]float64
	err       error
}

// scored runs run, collecting what it scores; once it has scored n
// windows (n ≥ 0) it cancels ctx, as Ctrl-C would.
func scored(ctx context.Context, n int, run func(context.Context, func(Event)) error) runScores {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := runScores{windows: make(map[string]WindowResult), threshold: make(map[time.Duration]float64)}
	r.err = run(ctx, func(ev Event) {
		switch ev := ev.(type) {
		case *ModelReady:
			for _, si := range ev.Series {
				r.threshold[si.Size] = si.Threshold
			}
		case *WindowDone:
			r.windows[fmt.Sprintf("%v#%d", ev.Window.Size, ev.Window.Index)] = *ev.Window
			if len(r.windows) == n {
				cancel()
			}
		}
	})
	return r
}

// unscored is w without its score and what explains it, with whether it
// alerts at threshold th.
func unscored(w WindowResult, th float64) WindowResult {
	alert := w.Alert(th)
	w.Score, w.IdeScore, w.Contributions, w.Values, w.Flagged = 0, 0, nil, nil, nil
	if alert {
		w.Score = 1
	}
	return w
}

// checkSameWindows compares the followed run's windows with the whole
// run's. The whole run's last windows are partial (its capture ends in
// them); followed, no capture ends, and they are complete when sealed.
func checkSameWindows(t *testing.T, want, got map[string]WindowResult) {
	t.Helper()
	learned := 0
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("window %s missing from the followed run", k)
			continue
		}
		learned += len(g.Learned)
		if w.Partial {
			if g.Partial || g.Packets != w.Packets || g.Bytes != w.Bytes {
				t.Errorf("window %s: followed %d packets, partial %v; want %d packets, complete", k, g.Packets, g.Partial, w.Packets)
			}
			continue
		}
		if d := differences(g, w); d != "" {
			t.Errorf("window %s: the followed run differs from the whole run in %s", k, d)
		}
	}
	if learned == 0 {
		t.Error("no pair of the new service was learned")
	}
}

// differences names the fields in which two windows differ, with the
// values of the short ones.
func differences(a, b WindowResult) string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	var out []string
	for i := range va.NumField() {
		x, y := va.Field(i).Interface(), vb.Field(i).Interface()
		if fx, ok := x.(float64); ok && math.IsNaN(fx) && math.IsNaN(y.(float64)) {
			continue
		}
		if reflect.DeepEqual(x, y) {
			continue
		}
		name := va.Type().Field(i).Name
		if s := fmt.Sprintf("%v / %v", x, y); len(s) < 200 {
			name += " (" + s + ")"
		}
		out = append(out, name)
	}
	return strings.Join(out, ", ")
}
