package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/entities"
	"github.com/mimir-tui/mimir-tui/loaders/traffic"
)

// Result is everything a run computed.
type Result struct {
	Inputs InputsReady
	Source string   // "baseline 2m0s" or "model"
	Series []Series // one per window size, finest first
	Model  *Model   // the model trained (baseline mode) or used
	// Revised is Model with the false-positive verdicts of
	// Options.Suppress folded in, its next revision; nil without them.
	Revised  *Model
	Warnings []Warning
}

// MaxWindows bounds the windows of the finest size a run may make: more
// take more time and memory than any analysis is worth.
const MaxWindows = 1_000_000

// progressEvery is how often Run reports progress.
const progressEvery = 50 * time.Millisecond

// emitter serialises calls to the user's callback.
type emitter struct {
	mu   sync.Mutex
	emit func(Event)
}

func (e *emitter) send(ev Event) {
	if e.emit == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.emit(ev)
}

// Run analyses in with opts. It calls emit (never concurrently) with
// progress, the inputs' description, the model, each analysed window and
// warnings, and returns the whole result. It stops early with ctx.Err()
// when ctx is cancelled. Errors say which input is at fault and what to
// do; those another setting would fix are *SettingError.
func Run(ctx context.Context, in Inputs, opts Options, emit func(Event)) (*Result, error) {
	res, _, err := run(ctx, in, opts, emit, false)
	return res, err
}

// run is Run, and also returns what the run leaves beside its Result;
// with keep, that holds every featurised window (for the evaluation).
func run(ctx context.Context, in Inputs, opts Options, emit func(Event), keep bool) (*Result, *analysis, error) {
	if err := opts.normalize(); err != nil {
		return nil, nil, err
	}
	em := &emitter{emit: emit}
	began := time.Now()
	srcs := in.captures()
	total := captureBytes(srcs)
	if opts.Follow {
		total = 0 // a followed capture has no size to reach
	}
	em.send(&Progress{Phase: PhaseOpening, TotalBytes: total})
	rd, first, closeCapture, err := openCaptures(ctx, srcs, opts)
	if err != nil {
		return nil, nil, err
	}
	defer closeCapture()
	copies := 0
	if keep { // an evaluation: up to this many synthetic copies
		copies = maxTemplates * len(opts.Rates)
	}
	if err := checkSpan(srcs, opts, first.Timestamp, copies); err != nil {
		return nil, nil, err
	}
	s, log, logWarnings, err := openSession(ctx, in.Entities, opts, first.Timestamp)
	if err != nil {
		return nil, nil, err
	}
	defer log.close()
	res := &Result{Inputs: InputsReady{
		Capture:  captureSummary(captureNames(srcs), rd.Stats()),
		Captures: captureSummaries(rd),
		Entities: entitiesSummary(in.Entities.Name, log.log, s.tl),
		Start:    time.Unix(0, s.t0).UTC(), Sizes: s.sizes,
		Sensitive: s.sensitive, SensitiveGuessed: s.guessed,
	}}
	inputs := res.Inputs
	em.send(&inputs)
	warn := func(w Warning) {
		res.Warnings = append(res.Warnings, w)
		em.send(&w)
	}
	for _, w := range append(logWarnings, s.warnings...) {
		warn(w)
	}
	if w, ok := s.sensitiveWarning(); ok {
		warn(w)
	}
	p := newPipeline(ctx, s, em, res)
	p.keep = keep
	if m := opts.Baseline.Model(); m != nil {
		if err := p.useModel(s.tl, m, nil, "model"); err != nil {
			p.abort()
			return nil, nil, err
		}
	}
	in2 := ingest{rd: rd, first: first, p: p, s: s, em: em, began: began, total: total, log: log, warn: warn}
	if opts.Follow {
		in2.fw = &followed{clock: opts.clock, poll: opts.followPoll, lastTS: first.Timestamp, readAt: opts.clock()}
	}
	if err := in2.run(ctx); err != nil {
		return nil, nil, err
	}
	for _, w := range in2.warnings() {
		warn(w)
	}
	in2.progress(PhaseDone)
	res.Inputs.Capture = captureSummary(captureNames(srcs), rd.Stats())
	res.Inputs.Captures = captureSummaries(rd)
	return res, p.analysis(), nil
}

// openSession reads the entity log and prepares the session.
func openSession(ctx context.Context, src Source, opts Options, t0 int64) (*session, *entityLog, []Warning, error) {
	log, warns, err := openEntityLog(ctx, src, opts, t0)
	if err != nil {
		return nil, nil, nil, ctxErr(ctx, err)
	}
	s, err := newSession(log.tl, opts, t0)
	if err != nil {
		log.close()
		return nil, nil, nil, err
	}
	return s, log, warns, nil
}

// ingest reads the capture into the pipeline (its sink).
type ingest struct {
	rd             *capture.Merged
	first          capture.Packet
	p              sink
	s              *session
	em             *emitter
	agg            *traffic.Aggregator
	log            *entityLog
	fw             *followed // nil unless the inputs are followed
	warn           func(Warning)
	began          time.Time
	total          int64
	packets, bytes uint64
	lastTS         int64
	read           atomic.Int64 // capture bytes read, for the memory guard
}

func (g *ingest) progress(phase Phase) {
	g.em.send(&Progress{Phase: phase, Packets: g.packets, Bytes: g.bytes, ReadBytes: g.rd.Offset(), TotalBytes: g.total,
		Windows: g.p.sealed(), Analysed: g.p.analysed(), Elapsed: time.Since(g.began)})
}

// run reads every packet, seals windows into the pipeline and waits for
// the last one to be scored.
func (g *ingest) run(ctx context.Context) error {
	s := g.s
	g.agg = traffic.New(traffic.Config{Sizes: s.sizes, Tagger: g.log, Details: true, ReorderSlack: s.opts.ReorderSlack})
	pkt := g.first
	g.lastTS = s.t0
	lastProgress := time.Now()
	defer g.watchMemory(newMemoryGuard(s.opts.MemoryLimit, s.opts.heap))()
	for {
		if g.tooMany(pkt.Timestamp) {
			g.p.abort()
			return g.tooManyWindows(pkt.Timestamp)
		}
		if err := g.resolvable(ctx, pkt.Timestamp); err != nil {
			return g.stop(ctx, err)
		}
		g.agg.Add(&pkt)
		g.packets++
		g.bytes += uint64(pkt.WireLen)
		g.lastTS = max(g.lastTS, pkt.Timestamp)
		g.p.readTo(g.lastTS)
		if g.packets&1023 == 0 {
			if g.p.stopped() {
				return g.stop(ctx, errPipelineStopped)
			}
			g.agg.Drain(g.p.window)
			g.read.Store(g.rd.Offset())
			if now := time.Now(); now.Sub(lastProgress) >= progressEvery {
				lastProgress = now
				g.progress(PhaseIngesting)
			}
		}
		err := g.next(ctx, &pkt)
		if err == io.EOF {
			break
		}
		if err != nil {
			return g.stop(ctx, settingErrIf(err, capture.ErrTruncated, SettingStrict, "read capture"))
		}
	}
	g.agg.Finish(g.p.window)
	g.progress(PhaseAnalysing)
	return g.p.finish()
}

// watchMemory checks the memory budget every 100 ms until the run ends,
// in every phase: training and scoring run on other goroutines than the
// reading, which waits for them without checking anything. Over the
// budget, the run stops with the guard's error. It returns the function
// that stops the watch and gives the runtime its limit back.
func (g *ingest) watchMemory(guard *memoryGuard) func() {
	if guard.limit == 0 {
		return guard.release
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(memoryCheckEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if err := guard.check(g.read.Load(), g.total); err != nil {
					g.p.fail(err)
					return
				}
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
		guard.release()
	}
}

// tooMany reports whether the windows of every size reach past
// MaxWindows at timestamp ts.
func (g *ingest) tooMany(ts int64) bool {
	return windowCount(g.s.sizes, time.Duration(ts-g.s.t0)) > MaxWindows
}

// prescanBelow is the window size under which a capture that can be read
// twice has its time span measured before the run: with windows of a
// second or more, a million of them span more than eleven days.
const prescanBelow = time.Second

// maxScorings bounds the window scorings of an evaluation, which scores
// every synthetic copy over every window after the baseline: about 30 µs
// each on two cores (the demo at 100 ms, 190 copies × 1 180 windows, took
// 7.5 s), so ten million take about five minutes.
const maxScorings = 10_000_000

// checkSpan refuses, before any analysis, a capture whose span would make
// more windows (of every size) than MaxWindows, or, for an evaluation of
// up to copies synthetic copies (0 for a run), more scorings than
// maxScorings, when that is likely and the capture can be read twice.
func checkSpan(srcs []Source, opts Options, t0 int64, copies int) error {
	sizes := opts.Sizes
	if (sizes[0] >= prescanBelow && copies == 0) || captureBytes(srcs) <= 0 || opts.Follow {
		return nil
	}
	rd, first, closeCapture, err := openCaptures(context.Background(), srcs, opts)
	if err != nil {
		return err
	}
	defer closeCapture()
	last := first.Timestamp
	var pkt capture.Packet
	for rd.Next(&pkt) == nil {
		last = max(last, pkt.Timestamp)
	}
	return spanError(sizes, time.Duration(last-t0), copies)
}

// spanError is the refusal of window sizes that would cut span into more
// windows than MaxWindows or, evaluating copies synthetic copies, into
// more scorings than maxScorings, or nil. It gives the estimate and the
// smallest window size that would do.
func spanError(sizes []time.Duration, span time.Duration, copies int) error {
	passes, limit := int64(1), int64(MaxWindows)
	if copies > 0 {
		passes, limit = int64(1+copies), maxScorings
	}
	n := windowCount(sizes, span)
	if n*passes <= limit {
		return nil
	}
	least := leastSize(sizes, span, limit/passes)
	list := sizeList(sizes)
	if copies == 0 {
		return settingErr(SettingWindow, "%s windows would cut the capture's %v into about %d windows, more than the %d a run may make: use windows of at least %v",
			list, span.Round(time.Millisecond), n, MaxWindows, least)
	}
	return settingErr(SettingWindow, "%s windows would cut the capture's %v into about %d windows, and the evaluation scores each once more per synthetic copy (up to %d): "+
		"about %d scorings, more than the %d it may make: use windows of at least %v",
		list, span.Round(time.Millisecond), n, copies, n*passes, maxScorings, least)
}

// windowCount is how many windows of every size cut span.
func windowCount(sizes []time.Duration, span time.Duration) int64 {
	var n int64
	for _, size := range sizes {
		n += int64(span/size) + 1
	}
	return n
}

// leastSize is the smallest of 1, 2 or 5 times a power of ten that, with
// every smaller size raised to it, cuts span into at most limit windows.
func leastSize(sizes []time.Duration, span time.Duration, limit int64) time.Duration {
	for d := niceDuration(span / time.Duration(max(limit, 1))); ; d = niceDuration(d + 1) {
		raised := make([]time.Duration, len(sizes))
		for i, size := range sizes {
			raised[i] = max(size, d)
		}
		if windowCount(slices.Compact(raised), span) <= limit {
			return d
		}
	}
}

// sizeList names window sizes: "1ms", "1ms and 10s", "1ms, 10s and 1m0s".
func sizeList(sizes []time.Duration) string {
	names := make([]string, len(sizes))
	for i, size := range sizes {
		names[i] = size.String()
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// tooManyWindows reads the rest of the capture's timestamps to say how
// many windows it would take and which window size would do.
func (g *ingest) tooManyWindows(ts int64) error {
	last := ts
	var pkt capture.Packet
	for g.rd.Next(&pkt) == nil {
		last = max(last, pkt.Timestamp)
	}
	return spanError(g.s.sizes, time.Duration(last-g.s.t0), 0)
}

// niceDuration rounds d up to 1, 2 or 5 times a power of ten.
func niceDuration(d time.Duration) time.Duration {
	step := time.Duration(1)
	for {
		for _, m := range []time.Duration{1, 2, 5} {
			if step*m >= d {
				return step * m
			}
		}
		step *= 10
	}
}

// warnings are what the reader and the aggregator counted, and whether
// the entity log fits the capture (loaders/check's one judgement).
func (g *ingest) warnings() []Warning {
	st := g.rd.Stats()
	out := captureWarnings(g.rd)
	ag := g.agg.Stats()
	var late uint64
	for _, n := range ag.Late {
		late = max(late, n)
	}
	if late > 0 {
		out = append(out, Warning{Setting: SettingReorderSlack, Message: fmt.Sprintf("%d packets arrived more than the reorder slack after their window was sealed and were dropped: raise the reorder slack", late)})
	}
	if ag.OutOfSpan > 0 {
		out = append(out, Warning{Message: fmt.Sprintf("%d packets lie implausibly far in time from the first one and were dropped (a broken timestamp?)", ag.OutOfSpan)})
	}
	return append(out, g.p.judge(st)...)
}

func captureSummary(name string, st capture.Stats) CaptureSummary {
	cs := CaptureSummary{Name: name, Format: st.Format, Compressed: st.Compressed}
	if st.Compressed {
		cs.Format += "+gzip"
	}
	for _, lt := range st.LinkTypes {
		cs.LinkTypes = append(cs.LinkTypes, lt.String())
	}
	return cs
}

func entitiesSummary(name string, log *entities.Log, tl *entities.Timeline) EntitiesSummary {
	es := EntitiesSummary{Name: name, Format: string(log.Format)}
	seen := make(map[string]bool)
	for _, in := range tl.Instances() {
		if in.Kind == entities.Pod && !seen[in.Namespace+"/"+in.Name] {
			seen[in.Namespace+"/"+in.Name] = true
			es.Pods++
		}
	}
	es.Services = len(tl.Services())
	return es
}

// parallel runs fn(i) for i in [0, n) on up to workers goroutines and
// stops early when ctx is cancelled.
func parallel(ctx context.Context, n, workers int, fn func(i int)) error {
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < min(max(workers, 1), n); w++ {
		wg.Go(func() {
			for ctx.Err() == nil {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				fn(i)
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}

// settingErrIf wraps err as a *SettingError for set when it is a target
// error, else as a plain error; what says what failed.
func settingErrIf(err, target error, set Setting, what string) error {
	if errors.Is(err, target) {
		return &SettingError{Setting: set, Err: fmt.Errorf("%s: %w", what, err)}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// errNoWindows is returned when the capture holds no window at all.
var errNoWindows = fmt.Errorf("%w: capture some traffic first", ErrNoWindows)
