package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/entities"
	"github.com/mimir-tui/mimir-tui/loaders/traffic"
)

// Result is everything a run computed.
type Result struct {
	Inputs   InputsReady
	Source   string   // "baseline 2m0s" or "model FILE"
	Series   []Series // one per window size, finest first
	Model    *Model   // the model trained (baseline mode) or used
	Warnings []string
}

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

// slot is one window on its way through featurisation.
type slot struct {
	size int
	f    *featurized
	done chan struct{}
}

// Run analyses in with opts. It calls emit (never concurrently) with
// progress, the inputs' description, the model, each analysed window and
// warnings, and returns the whole result. It stops early with ctx.Err()
// when ctx is cancelled. Errors say which input is at fault and what to do.
func Run(ctx context.Context, in Inputs, opts Options, emit func(Event)) (*Result, error) {
	res, _, err := run(ctx, in, opts, emit, false)
	return res, err
}

// run is Run; with keep it also returns the analysis and every featurised
// window (by size), for the evaluation experiment.
func run(ctx context.Context, in Inputs, opts Options, emit func(Event), keep bool) (*Result, *pipeline, error) {
	if err := opts.normalize(); err != nil {
		return nil, nil, err
	}
	em := &emitter{emit: emit}
	began := time.Now()
	em.send(&Progress{Phase: PhaseOpening, TotalBytes: in.Capture.Size})

	rd, first, closeCapture, err := openCapture(in.Capture)
	if err != nil {
		return nil, nil, err
	}
	defer closeCapture()
	t0 := first.Timestamp

	log, err := loadEntities(in.Entities)
	if err != nil {
		return nil, nil, err
	}
	tl, err := entities.Build(log, entities.Options{Start: t0, Offset: opts.EntitiesOffset, ClusterCIDRs: opts.ClusterCIDRs})
	if err != nil {
		return nil, nil, fmt.Errorf("entity log %s: %w", in.Entities.Name, err)
	}
	a, err := newAnalysis(tl, opts, t0)
	if err != nil {
		return nil, nil, err
	}
	res := &Result{Inputs: InputsReady{
		Capture:          captureSummary(in.Capture.Name, rd.Stats()),
		Entities:         entitiesSummary(in.Entities.Name, log, tl),
		Start:            time.Unix(0, t0).UTC(),
		Sizes:            a.sizes,
		Sensitive:        a.sensitive,
		SensitiveGuessed: a.guessed,
	}}
	inputs := res.Inputs
	em.send(&inputs)
	warn := func(msg string) {
		res.Warnings = append(res.Warnings, msg)
		em.send(&Warning{Message: msg})
	}
	for _, w := range a.warnings {
		warn(w)
	}
	if a.guessed {
		if len(a.sensitive) == 0 {
			warn("no service looks like a data store: name the sensitive services with --sensitive so exfiltration paths can be scored")
		} else {
			warn(fmt.Sprintf("sensitive services guessed from names and labels: %v (override with --sensitive)", a.sensitive))
		}
	}
	if opts.Model != nil {
		if err := a.useModel(opts.Model); err != nil {
			return nil, nil, err
		}
		res.Source = "model"
		em.send(a.modelReady(res.Source))
	}

	p := newPipeline(ctx, a, em, res)
	p.keep = keep
	agg := traffic.New(traffic.Config{Sizes: a.sizes, Tagger: tl, Details: true, ReorderSlack: opts.ReorderSlack})
	pkt := first
	var packets, bytes uint64
	var lastTS int64 = t0
	lastProgress := time.Now()
	progress := func(phase Phase) {
		em.send(&Progress{Phase: phase, Packets: packets, Bytes: bytes, ReadBytes: rd.Offset(), TotalBytes: in.Capture.Size,
			Windows: p.sealed(), Analysed: p.analysed(), Elapsed: time.Since(began)})
	}
	for {
		agg.Add(&pkt)
		packets++
		bytes += uint64(pkt.WireLen)
		lastTS = max(lastTS, pkt.Timestamp)
		if packets&1023 == 0 {
			// The pipeline's context also ends when training failed.
			if p.ctx.Err() != nil {
				err := p.abort()
				if ctx.Err() != nil {
					err = ctx.Err()
				}
				return nil, nil, err
			}
			agg.Drain(p.window)
			if now := time.Now(); now.Sub(lastProgress) >= progressEvery {
				lastProgress = now
				progress(PhaseIngesting)
			}
		}
		err := rd.Next(&pkt)
		if err == io.EOF {
			break
		}
		if err != nil {
			p.abort()
			return nil, nil, fmt.Errorf("read capture: %w", err)
		}
	}
	agg.Finish(p.window)
	progress(PhaseAnalysing)
	if err := p.finish(); err != nil {
		return nil, nil, err
	}

	st := rd.Stats()
	res.Inputs.Capture = captureSummary(in.Capture.Name, st)
	for _, w := range readerWarnings(st, agg.Stats()) {
		warn(w)
	}
	for _, w := range overlapWarnings(tl, t0, lastTS, p.unresolvedShare()) {
		warn(w)
	}
	progress(PhaseDone)
	return res, p, nil
}

// openCapture opens the capture and reads its first packet, whose
// timestamp anchors the windows and a relative entity log.
func openCapture(src Source) (*capture.Reader, capture.Packet, func(), error) {
	var first capture.Packet
	rc, err := src.Open()
	if err != nil {
		return nil, first, nil, fmt.Errorf("open capture: %w", err)
	}
	rd, err := capture.NewReader(rc, src.Name)
	if err != nil {
		rc.Close()
		return nil, first, nil, err
	}
	closeAll := func() { rd.Close(); rc.Close() }
	if err := rd.Next(&first); err != nil {
		closeAll()
		if err == io.EOF {
			return nil, first, nil, fmt.Errorf("capture %s holds no packets: capture some traffic first", src.Name)
		}
		return nil, first, nil, fmt.Errorf("read capture: %w", err)
	}
	// The first packet's payload aliases the reader's buffer; the
	// aggregator only needs it before the next read, which holds.
	return rd, first, closeAll, nil
}

func loadEntities(src Source) (*entities.Log, error) {
	rc, err := src.Open()
	if err != nil {
		return nil, fmt.Errorf("open entity log: %w", err)
	}
	defer rc.Close()
	log, err := entities.Parse(rc, src.Name)
	if err != nil {
		return nil, err
	}
	return log, nil
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

// modelReady describes the series for the UI.
func (a *analysis) modelReady(source string) *ModelReady {
	mr := &ModelReady{Source: source}
	for _, s := range a.series {
		si := SeriesInfo{
			Size:             s.size,
			Features:         s.layout.infos,
			Threshold:        s.threshold(),
			ThresholdTrained: s.sm.Threshold,
			BaselineWindows:  s.sm.BaselineWindows,
			Medians:          make([]float64, len(s.layout.infos)),
		}
		for j := range s.layout.fs.cols {
			si.Medians[j] = s.layout.fs.cols[j].untransform(s.sm.Scaler.Median[j])
		}
		mr.Series = append(mr.Series, si)
	}
	return mr
}

// threshold is the threshold in force: given, or trained.
func (s *seriesState) threshold() float64 {
	if t := s.a.opts.Threshold; t != nil {
		return *t
	}
	return s.sm.Threshold
}

// pipeline featurises sealed windows in parallel and scores them in
// order on one goroutine, training first when the baseline is complete.
type pipeline struct {
	ctx    context.Context
	cancel context.CancelFunc
	a      *analysis
	em     *emitter
	res    *Result

	jobs  chan *slot
	order chan *slot
	wg    sync.WaitGroup
	done  chan error

	// keep retains every featurised window (for evaluation) in kept.
	keep bool
	kept [][]*featurized

	mu                 sync.Mutex
	nSealed, nAnalysed int
	inClusterBytes     float64
	unresolvedBytes    float64
}

func newPipeline(ctx context.Context, a *analysis, em *emitter, res *Result) *pipeline {
	ctx, cancel := context.WithCancel(ctx)
	p := &pipeline{
		ctx: ctx, cancel: cancel, a: a, em: em, res: res,
		jobs:  make(chan *slot, 4*a.opts.Workers),
		order: make(chan *slot, 1<<16),
		done:  make(chan error, 1),
	}
	for w := 0; w < a.opts.Workers; w++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for sl := range p.jobs {
				win := sl.f.win
				if p.ctx.Err() == nil {
					sl.f = a.fs.featurize(win)
				}
				close(sl.done)
			}
		}()
	}
	go func() { p.done <- p.score() }()
	return p
}

// window receives a sealed window from the aggregator (on the reading
// goroutine): it is resolved here and featurised by the workers.
func (p *pipeline) window(size int, w *traffic.Window) {
	win := p.a.res.newWindow(w)
	var inCluster, unresolved float64
	for k, e := range win.edges {
		for _, id := range []int32{k.u, k.v} {
			if n := &win.nodes[id]; n.kind != kindOutside {
				inCluster += e.bytes
				if n.kind == kindUnknown {
					unresolved += e.bytes
				}
			}
		}
	}
	sl := &slot{size: size, f: &featurized{win: win}, done: make(chan struct{})}
	p.mu.Lock()
	p.nSealed++
	if size == 0 {
		p.inClusterBytes += inCluster
		p.unresolvedBytes += unresolved
	}
	p.mu.Unlock()
	p.order <- sl
	p.jobs <- sl
}

func (p *pipeline) sealed() int   { p.mu.Lock(); defer p.mu.Unlock(); return p.nSealed }
func (p *pipeline) analysed() int { p.mu.Lock(); defer p.mu.Unlock(); return p.nAnalysed }

func (p *pipeline) unresolvedShare() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inClusterBytes == 0 {
		return 0
	}
	return p.unresolvedBytes / p.inClusterBytes
}

// abort stops the pipeline after an error or cancellation and returns
// the scoring goroutine's error, if it failed.
func (p *pipeline) abort() error {
	p.cancel()
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
	p.cancel()
	return err
}

// baselineEnd is where the benign baseline ends (Unix ns), or -1 when it
// is a fraction and so only known at the end.
func (p *pipeline) baselineEnd() int64 {
	if p.a.opts.BaselineFraction > 0 {
		return -1
	}
	if p.a.opts.Baseline >= WholeCapture {
		return math.MaxInt64
	}
	return p.a.t0 + int64(p.a.opts.Baseline)
}

// score runs on its own goroutine: it takes windows in seal order, trains
// once the baseline is complete, and scores.
func (p *pipeline) score() error {
	a := p.a
	trained := a.series != nil
	var pending []*slot
	crossed := make([]bool, len(a.sizes))
	results := make([][]WindowResult, len(a.sizes))
	p.kept = make([][]*featurized, len(a.sizes))

	scoreSlot := func(sl *slot) {
		s := a.series[sl.size]
		r := s.score(sl.f)
		if p.keep {
			p.kept[sl.size] = append(p.kept[sl.size], sl.f)
		} else if !sl.f.win.baseline {
			sl.f.win = nil // only baseline windows are kept (for training)
		}
		results[sl.size] = append(results[sl.size], r)
		p.mu.Lock()
		p.nAnalysed++
		p.mu.Unlock()
		p.em.send(&WindowDone{Window: &results[sl.size][len(results[sl.size])-1]})
	}
	train := func() error {
		end := p.baselineEnd()
		if end < 0 {
			end = fractionEnd(pending, a.opts.BaselineFraction)
		}
		base := make([][]*featurized, len(a.sizes))
		for _, sl := range pending {
			w := sl.f.win
			if !w.partial && w.end <= end {
				w.baseline = true
				base[sl.size] = append(base[sl.size], sl.f)
			}
		}
		p.em.send(&Progress{Phase: PhaseTraining, Windows: p.sealed()})
		if _, err := a.train(p.ctx, base); err != nil {
			return err
		}
		if end == math.MaxInt64 {
			end = fractionEnd(pending, 1)
		}
		source := fmt.Sprintf("baseline %v", time.Duration(end-a.t0))
		if a.opts.BaselineFraction > 0 {
			source = fmt.Sprintf("baseline %.0f%% (%v)", a.opts.BaselineFraction*100, time.Duration(end-a.t0))
		}
		p.res.Source = source
		p.em.send(a.modelReady(source))
		trained = true
		for _, sl := range pending {
			scoreSlot(sl)
		}
		pending = nil
		return nil
	}
	var failed error
	for sl := range p.order {
		<-sl.done
		if failed != nil || p.ctx.Err() != nil {
			continue // drain
		}
		if trained {
			scoreSlot(sl)
			continue
		}
		pending = append(pending, sl)
		// Windows of a size arrive in order: once the last one that fits in
		// the baseline is here, that size's baseline is complete.
		if end := p.baselineEnd(); end >= 0 && end < math.MaxInt64 {
			size := int64(a.sizes[sl.size])
			if sl.f.win.end >= a.t0+floorDiv(end-a.t0, size)*size {
				crossed[sl.size] = true
			}
		}
		if all(crossed) {
			if err := train(); err != nil {
				failed = err
				p.cancel()
			}
		}
	}
	if failed != nil {
		return failed
	}
	if p.ctx.Err() != nil {
		return p.ctx.Err()
	}
	if !trained {
		if len(pending) == 0 {
			return errors.New("the capture holds no windows")
		}
		if err := train(); err != nil {
			return err
		}
	}
	for si, s := range a.series {
		p.res.Series = append(p.res.Series, Series{
			Size:             s.size,
			Features:         s.layout.infos,
			Windows:          results[si],
			Threshold:        s.threshold(),
			ThresholdTrained: s.sm.Threshold,
		})
	}
	p.res.Model = a.model
	return nil
}

func all(bs []bool) bool {
	for _, b := range bs {
		if !b {
			return false
		}
	}
	return true
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

// readerWarnings turns the reader's and aggregator's counts into warnings.
func readerWarnings(st capture.Stats, ag traffic.Stats) []string {
	var out []string
	if st.Skipped > 0 {
		var why []string
		for _, r := range st.SkipReasons {
			why = append(why, fmt.Sprintf("%d %s", r.Count, r.Reason))
		}
		out = append(out, fmt.Sprintf("%d packets skipped while reading the capture (%s)", st.Skipped, strings.Join(why, "; ")))
	}
	if st.Malformed > 0 {
		out = append(out, fmt.Sprintf("%d packets had malformed headers; counted as frames, not analysed", st.Malformed))
	}
	var late uint64
	for _, n := range ag.Late {
		late = max(late, n)
	}
	if late > 0 {
		out = append(out, fmt.Sprintf("%d packets arrived more than the reorder slack after their window was sealed and were dropped: raise --reorder-slack", late))
	}
	if ag.OutOfSpan > 0 {
		out = append(out, fmt.Sprintf("%d packets lie implausibly far in time from the first one and were dropped (a broken timestamp?)", ag.OutOfSpan))
	}
	return out
}

// overlapWarnings checks that entity log and capture line up in time.
func overlapWarnings(tl *entities.Timeline, start, end int64, unresolved float64) []string {
	var out []string
	first, last := tl.Span()
	switch {
	case first > end:
		out = append(out, fmt.Sprintf("the entity log starts %v after the capture ends: they do not overlap; check the files or --entities-offset", time.Duration(first-end)))
	case last < start && first < start && unresolved > 0.5:
		out = append(out, fmt.Sprintf("the entity log's last event is %v before the capture starts and most in-cluster bytes are unresolved: is the log from another run?", time.Duration(start-last)))
	case first > start+int64(time.Minute):
		out = append(out, fmt.Sprintf("the entity log starts %v after the capture: pods of the capture's first minutes are unknown; check --entities-offset", time.Duration(first-start)))
	}
	if unresolved > 0.05 {
		out = append(out, fmt.Sprintf("%.0f%% of in-cluster bytes come from addresses no entity held: is the entity log complete and aligned (--entities-offset)?", unresolved*100))
	}
	return out
}
