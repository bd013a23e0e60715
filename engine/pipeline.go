package engine

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/check"
	"github.com/mimir-tui/mimir-tui/loaders/entities"
	"github.com/mimir-tui/mimir-tui/loaders/traffic"
)

// slot is one window on its way through featurisation, with the entity
// timeline it was resolved with.
type slot struct {
	size int
	f    *featurized
	tl   *entities.Timeline
	done chan struct{}
}

// pipeline featurises sealed windows in parallel and scores them in order
// on one goroutine. In baseline mode it holds the windows back until the
// baseline is complete, trains on it, and then scores them with the model
// it trained, as it would with a loaded one.
type pipeline struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	s      *session
	em     *emitter
	res    *Result

	jobs  chan *slot
	order chan *slot
	wg    sync.WaitGroup
	done  chan error

	began   time.Time
	scorer  *Scorer
	stream  *Stream
	trained *trained // in baseline mode, once trained
	results [][]WindowResult

	// keep retains every featurised window in kept, for the analysis a
	// run returns (the evaluation scores copies of them).
	keep bool
	kept [][]*featurized

	// lastTS is the latest packet timestamp read (set by the reader
	// before it seals windows).
	lastTS int64
	// tl is the entity timeline windows are resolved with: the session's,
	// or a later one of a followed log (set by the reader). scoredWith is
	// the one the scorer last took its entities from (scoring goroutine).
	tl, scoredWith *entities.Timeline

	// evidence is counted over the finest windows on the reading
	// goroutine, and judged at the end.
	evidence check.Evidence

	mu                 sync.Mutex
	nSealed, nAnalysed int
}

// sink is what the reader of a capture needs of the pipeline: it takes
// the sealed windows and says how far the analysis got. The reader holds
// this, not the pipeline.
type sink interface {
	// window takes a window the aggregator sealed (traffic.Aggregator's
	// callback); readTo and resolveWith say, before, the latest packet
	// timestamp read and the entity timeline to resolve with.
	window(size int, w *traffic.Window)
	readTo(ts int64)
	resolveWith(tl *entities.Timeline)
	sealed() int
	analysed() int
	// stopped reports whether the analysis stopped (cancelled, or
	// training failed); fail stops it for err, abort stops it, finish
	// waits for the last window.
	stopped() bool
	fail(err error)
	abort() error
	finish() error
	// judge is whether the entity log fits the capture, as warnings.
	judge(st capture.Stats) []Warning
}

// analysis is what a run leaves beside its Result: the session (its
// inputs), what training produced (nil with a given model) and, when the
// run was asked to keep them, every featurised window per size in index
// order.
type analysis struct {
	s       *session
	trained *trained
	windows [][]*featurized
}

// analysis is what the run of p leaves beside its Result.
func (p *pipeline) analysis() *analysis {
	return &analysis{s: p.s, trained: p.trained, windows: p.kept}
}

func newPipeline(ctx context.Context, s *session, em *emitter, res *Result) *pipeline {
	ctx, cancel := context.WithCancelCause(ctx)
	p := &pipeline{
		ctx: ctx, cancel: cancel, s: s, em: em, res: res, began: time.Now(),
		jobs:    make(chan *slot, 4*s.opts.Workers),
		order:   make(chan *slot, 1<<16),
		done:    make(chan error, 1),
		results: make([][]WindowResult, len(s.sizes)),
		kept:    make([][]*featurized, len(s.sizes)),
		tl:      s.tl, scoredWith: s.tl,
	}
	for range s.opts.Workers {
		p.wg.Go(func() {
			for sl := range p.jobs {
				if p.ctx.Err() == nil {
					sl.f = s.fz.featurize(sl.f.win)
				}
				close(sl.done)
			}
		})
	}
	go func() { p.done <- p.score() }()
	return p
}

// useModel makes m the model the windows are scored with, seeing the
// entity timeline tl (the session's, or a later one of a followed log);
// fo holds the out-of-fold views of its baseline windows when it was
// trained here. A loaded model and one trained here take the same path.
func (p *pipeline) useModel(tl *entities.Timeline, m *Model, fo *folds, source string) error {
	sc, err := newScorer(m, p.s.tl, p.s.t0, p.s.opts, fo)
	if err != nil {
		return err
	}
	if tl != p.s.tl {
		sc = sc.withEntities(tl)
	}
	p.scorer, p.stream = sc, sc.NewStream()
	p.res.Model, p.res.Source = m, source
	p.em.send(&ModelReady{Series: sc.Series(), Source: source})
	return nil
}

// window receives a sealed window from the aggregator (on the reading
// goroutine): it is resolved here and featurised by the workers.
func (p *pipeline) window(size int, w *traffic.Window) {
	tl := p.tl
	res := p.s.res
	if tl != p.s.tl {
		res = &resolver{tl: tl, includeInfra: p.s.opts.IncludeInfra}
	}
	win := res.newWindow(w, p.lastTS)
	if size == 0 {
		// Every packet is in exactly one window of the finest size.
		for i := range w.Pairs {
			pr := &w.Pairs[i]
			sk, dk := pr.SrcTag != traffic.NoTag, pr.DstTag != traffic.NoTag
			p.evidence.Count(pr.Bytes, sk, sk || tl.InCluster(pr.Src), dk, dk || tl.InCluster(pr.Dst))
		}
	}
	sl := &slot{size: size, f: &featurized{win: win}, tl: tl, done: make(chan struct{})}
	p.mu.Lock()
	p.nSealed++
	p.mu.Unlock()
	p.order <- sl
	p.jobs <- sl
}

func (p *pipeline) sealed() int   { p.mu.Lock(); defer p.mu.Unlock(); return p.nSealed }
func (p *pipeline) analysed() int { p.mu.Lock(); defer p.mu.Unlock(); return p.nAnalysed }

// readTo and resolveWith run on the reading goroutine, like window.
func (p *pipeline) readTo(ts int64)                   { p.lastTS = ts }
func (p *pipeline) resolveWith(tl *entities.Timeline) { p.tl = tl }
func (p *pipeline) stopped() bool                     { return p.ctx.Err() != nil }

// judge is loaders/check's judgement of whether the entity log fits the
// capture, as warnings: an error-level finding is severe.
func (p *pipeline) judge(st capture.Stats) []Warning {
	ev := p.evidence
	ev.CaptureFirst, ev.CaptureLast = st.First, st.Last
	ev.LogFirst, ev.LogLast = p.tl.Span()
	ev.Services, ev.Prefixes = len(p.tl.Services()), p.tl.Prefixes()
	var out []Warning
	for _, f := range check.Judge(ev) {
		if f.Severity == check.Note {
			continue
		}
		out = append(out, Warning{Message: f.Message, Setting: Setting(f.Setting), Severe: f.Severity == check.Error})
	}
	return out
}

// abort stops the pipeline after an error or cancellation and returns
// the scoring goroutine's error, if it failed.
func (p *pipeline) abort() error {
	p.cancel(nil)
	close(p.jobs)
	close(p.order)
	p.wg.Wait()
	return <-p.done
}

// finish waits for every window to be scored.
func (p *pipeline) finish() error {
	close(p.jobs)
	close(p.order)
	p.wg.Wait()
	err := <-p.done
	if err == nil {
		err = p.ctx.Err()
	}
	p.cancel(nil)
	return err
}

// fail stops the analysis for err, which the run then returns (the
// memory guard, from its own goroutine, in any phase).
func (p *pipeline) fail(err error) { p.cancel(err) }

// score runs on its own goroutine: it scores (scoreAll) and returns what
// stopped it: the failure given to fail rather than the cancellation it
// caused in training or scoring.
func (p *pipeline) score() error {
	err := p.scoreAll()
	if cause := context.Cause(p.ctx); err != nil && cause != nil && cause != p.ctx.Err() {
		return cause
	}
	return err
}

// scoreAll takes windows in seal order, trains once the baseline is
// complete (baseline mode), and scores.
func (p *pipeline) scoreAll() error {
	var pending []*slot
	crossed := make([]bool, len(p.s.sizes))
	var failed error
	for sl := range p.order {
		<-sl.done
		if failed != nil || p.ctx.Err() != nil {
			continue // drain
		}
		if p.scorer != nil {
			p.scoreSlot(sl)
			continue
		}
		pending = append(pending, sl)
		if p.baselineComplete(sl, crossed) {
			if failed = p.train(pending); failed != nil {
				p.cancel(nil)
			}
			pending = nil
		}
	}
	switch {
	case failed != nil:
		return failed
	case p.ctx.Err() != nil:
		return p.ctx.Err()
	case p.scorer == nil && len(pending) == 0:
		return errNoWindows
	case p.scorer == nil:
		if err := p.train(pending); err != nil {
			return err
		}
	}
	for si, ss := range p.scorer.series {
		p.res.Series = append(p.res.Series, Series{Size: ss.size, Features: inputInfos(ss.ins), Windows: p.results[si],
			Threshold: p.scorer.Threshold(si), ThresholdTrained: ss.sm.Threshold})
	}
	if len(p.s.opts.Suppress) > 0 {
		var err error
		if p.res.Revised, err = p.stream.revised(p.res.Model); err != nil {
			return err
		}
	}
	return nil
}

// scoreSlot scores one window and sends it; the result keeps it unless
// the run streams.
func (p *pipeline) scoreSlot(sl *slot) {
	if sl.tl != p.scoredWith {
		// The followed entity log grew: score with what it says now.
		p.scoredWith = sl.tl
		p.scorer = p.scorer.withEntities(sl.tl)
		p.stream.retarget(p.scorer)
	}
	r := p.stream.score(sl.size, sl.f)
	if p.keep {
		p.kept[sl.size] = append(p.kept[sl.size], sl.f)
	}
	sent := &r
	if !p.s.opts.Streaming {
		rs := &p.results[sl.size]
		*rs = append(*rs, r)
		sent = &(*rs)[len(*rs)-1]
	}
	p.mu.Lock()
	p.nAnalysed++
	p.mu.Unlock()
	p.em.send(&WindowDone{Window: sent})
}

// baselineEnd is where a span baseline ends (Unix ns); math.MaxInt64 for
// the whole capture, and -1 for a share, only known at the end.
func (p *pipeline) baselineEnd() int64 {
	b := p.s.opts.Baseline
	switch b.kind {
	case baselineAll:
		return math.MaxInt64
	case baselineShare:
		return -1
	}
	return p.s.t0 + int64(b.span)
}

// baselineComplete reports whether, with window sl, every size's baseline
// is in: windows of a size arrive in order, so once the last one that
// fits in the baseline is here, that size's baseline is complete.
func (p *pipeline) baselineComplete(sl *slot, crossed []bool) bool {
	end := p.baselineEnd()
	if end < 0 || end == math.MaxInt64 {
		return false
	}
	size := int64(p.s.sizes[sl.size])
	if sl.f.win.end >= p.s.t0+floorDiv(end-p.s.t0, size)*size {
		crossed[sl.size] = true
	}
	for _, c := range crossed {
		if !c {
			return false
		}
	}
	return true
}

// train fits a model on the baseline windows among pending, then scores
// every pending window with it.
func (p *pipeline) train(pending []*slot) error {
	end := p.baselineEnd()
	switch end {
	case -1:
		end = fractionEnd(pending, p.s.opts.Baseline.share)
	case math.MaxInt64:
		end = fractionEnd(pending, 1)
	}
	base := make([][]*featurized, len(p.s.sizes))
	for _, sl := range pending {
		if w := sl.f.win; !w.partial && w.end <= end {
			base[sl.size] = append(base[sl.size], sl.f)
		}
	}
	var mu sync.Mutex
	var last time.Time
	var lastStep string
	say := func(step string, done, total int) {
		// From several workers; at most every progressEvery, but every
		// step's start and end.
		mu.Lock()
		now := time.Now()
		send := now.Sub(last) >= progressEvery || done == 0 || done == total || step != lastStep
		if send {
			last, lastStep = now, step
		}
		mu.Unlock()
		if send {
			p.em.send(&Progress{Phase: PhaseTraining, Step: step, Done: done, Total: total, Windows: p.sealed(), Elapsed: time.Since(p.began)})
		}
	}
	// A followed log has grown since the start: train with what it says
	// at the end of the baseline.
	s := p.s.at(pending[len(pending)-1].tl)
	p.scoredWith = s.tl
	tr, err := trainer{s: s}.train(p.ctx, base, say)
	if err != nil {
		return err
	}
	p.trained = tr
	source := fmt.Sprintf("baseline %v", time.Duration(end-p.s.t0))
	if b := p.s.opts.Baseline; b.kind == baselineShare {
		source = fmt.Sprintf("baseline %s (%v)", b, time.Duration(end-p.s.t0))
	}
	if err := p.useModel(s.tl, tr.model, tr.folds, source); err != nil {
		return err
	}
	for _, sl := range pending {
		p.scoreSlot(sl)
	}
	return nil
}

// fractionEnd is the end of the baseline that holds the first fraction of
// the finest complete windows.
func fractionEnd(slots []*slot, fraction float64) int64 {
	var fine []*window
	for _, sl := range slots {
		if sl.size == 0 && !sl.f.win.partial {
			fine = append(fine, sl.f.win)
		}
	}
	if len(fine) == 0 {
		return math.MinInt64
	}
	n := max(1, int(math.Floor(fraction*float64(len(fine)))))
	return fine[n-1].end
}
