package engine

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/entities"
	"github.com/mimir-tui/mimir-tui/loaders/follow"
)

// A followed run (Options.Follow) reads a capture and an entity log that
// are still being written. These rules make its windows those a run on
// the finished files would make, closed on time:
//
//   - the capture's clock runs on while the capture is quiet
//     (captureClock);
//   - a packet is resolved to entities only once the entity log is
//     complete through its time (entityLog.through);
//   - a window is sealed once the capture's clock passes its end plus the
//     reorder slack and the log is complete through its end (sealClock,
//     for traffic.Aggregator.Seal);
//   - a timeline rebuilt as the log grows keeps every tag it gave
//     (entities.Options.Previous), and scoring takes the workloads and
//     changes of the latest one (Scorer.withEntities).

// captureClock is the clock of a followed capture: the latest packet's
// timestamp, advanced by the wall-clock time since that packet was read.
// While packets come it is their time; when the capture goes quiet it
// runs on, so that windows close on time though no later packet comes.
func captureClock(lastTS int64, readAt, now time.Time) int64 {
	return lastTS + int64(now.Sub(readAt))
}

// sealClock is the clock a followed run seals windows by (Seal seals
// those whose end plus the slack is at or before it): the capture's
// clock, but no further than the slack past the time the entity log is
// complete through. So a window is sealed once the capture's clock has
// passed its end plus the slack and the log its end; with a lag no
// longer than the slack, the log never holds a window back.
func sealClock(capture, through int64, slack time.Duration) int64 {
	if through > math.MaxInt64-int64(slack) {
		return capture
	}
	return min(capture, through+int64(slack))
}

// entityLog is a run's entity log: read whole, or followed while it is
// written (a JSON Lines log with Options.Follow), its new events applied
// as they arrive.
type entityLog struct {
	name  string
	rc    io.Closer
	tail  *entities.Tail // nil when the log was read whole
	log   *entities.Log
	bind  entities.Options
	tl    *entities.Timeline
	lag   time.Duration
	clock func() time.Time
	// readAt is when the log was last read to its end; used is the latest
	// capture time it was used at; late counts the events that came after.
	readAt time.Time
	used   int64
	late   uint64
	warned bool
}

// through is the rule of how far a followed log is complete: every entity
// change up to this capture time (Unix ns) has been read. It is the
// wall-clock time the log was last read to its end less the time a
// change may take to be written (Options.EntitiesLag), moved into the
// capture's time by Options.EntitiesOffset. A packet is resolved, and a
// window sealed, only at or before it. A log read whole is complete.
func (l *entityLog) through() int64 {
	if l.tail == nil {
		return math.MaxInt64
	}
	return l.readAt.Add(-l.lag).UnixNano() + int64(l.bind.Offset)
}

// Tag tags with the latest timeline (the aggregator's Tagger).
func (l *entityLog) Tag(ip netip.Addr, ts int64) int32 { return l.tl.Tag(ip, ts) }

// openEntityLog reads the entity log and builds its timeline, binding a
// relative log to t0. With follow, a JSON Lines log is followed; a log in
// another format is read whole, with a warning.
func openEntityLog(ctx context.Context, src Source, opts Options, t0 int64) (*entityLog, []Warning, error) {
	l := &entityLog{name: src.Name, lag: opts.EntitiesLag, clock: opts.clock,
		bind: entities.Options{Start: t0, Offset: opts.EntitiesOffset, ClusterCIDRs: opts.ClusterCIDRs}}
	rc, err := src.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open entity log: %w", err)
	}
	var warns []Warning
	if !opts.Follow {
		defer rc.Close()
		l.log, err = entities.Parse(rc, src.Name)
	} else {
		l.rc = rc
		warns, err = l.start(ctx, rc, opts.followPoll)
	}
	if err == nil {
		err = l.build()
	}
	if err != nil {
		l.close()
		return nil, nil, err
	}
	return l, warns, nil
}

// start reads a followed log as far as it is written: a JSON Lines log is
// then followed, another read whole (its formats are snapshots or
// documents, not lines to follow).
func (l *entityLog) start(ctx context.Context, rc io.Reader, poll time.Duration) ([]Warning, error) {
	br := bufio.NewReaderSize(follow.Open(ctx, rc, follow.Options{Poll: poll}), 64<<10)
	head, err := l.head(br)
	if err != nil {
		return nil, err
	}
	if format, derr := entities.Detect(head); derr != nil || format != entities.FormatJSONL {
		l.log, err = entities.Parse(toNow{br}, l.name)
		if err != nil {
			return nil, err
		}
		return []Warning{{Message: fmt.Sprintf("entity log %s is a %s log, read as it was at the start and not followed: record a JSON Lines log (mimir-tui record) to follow a changing cluster", l.name, l.log.Format)}}, nil
	}
	l.tail = entities.NewTail(br, l.name)
	l.readAt = l.clock()
	events, err := l.tail.Read()
	l.log = &entities.Log{Name: l.name, Format: entities.FormatJSONL, Events: events}
	return nil, err
}

// head waits for the log to hold something (a recorder that has just
// started) and returns its start.
func (l *entityLog) head(br *bufio.Reader) ([]byte, error) {
	for {
		head, err := br.Peek(64 << 10)
		switch {
		case len(head) > 0:
			return head, nil
		case err == io.EOF: // a pipe that ended empty
			return nil, fmt.Errorf("entity log %s is empty: record it with mimir-tui record -o FILE", l.name)
		case !errors.Is(err, follow.ErrNoData):
			return nil, fmt.Errorf("read entity log %s: %w", l.name, err)
		}
		if err := follow.Wait(err); err != nil {
			return nil, err
		}
	}
}

// toNow reads a followed input to its current end, which it takes for
// the end: for a log that is read once.
type toNow struct{ r io.Reader }

func (t toNow) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if errors.Is(err, follow.ErrNoData) {
		err = io.EOF
	}
	return n, err
}

// build makes the timeline of the events so far, keeping the IDs of the
// previous one.
func (l *entityLog) build() error {
	opts := l.bind
	opts.Previous = l.tl
	tl, err := entities.Build(l.log, opts)
	if err != nil {
		return fmt.Errorf("entity log %s: %w", l.name, err)
	}
	l.tl = tl
	return nil
}

// poll reads what was written to a followed log since the last poll and,
// when it holds events, rebuilds the timeline; changed says it did.
func (l *entityLog) poll() (changed bool, err error) {
	if l.tail == nil {
		return false, nil
	}
	// The time first: every change written before it is read below.
	now := l.clock()
	events, err := l.tail.Read()
	if err != nil {
		return false, err
	}
	l.readAt = now
	if len(events) == 0 {
		return false, nil
	}
	for i := range events {
		if events[i].At+int64(l.bind.Offset) < l.used {
			l.late++
		}
	}
	l.log.Events = append(l.log.Events, events...)
	return true, l.build()
}

// use notes that the timeline was used at capture time ts.
func (l *entityLog) use(ts int64) { l.used = max(l.used, ts) }

// lateWarning is, once, the warning that entity changes reached the log
// after packets of their time were resolved without them.
func (l *entityLog) lateWarning() (Warning, bool) {
	if l.late == 0 || l.warned {
		return Warning{}, false
	}
	l.warned = true
	return Warning{Setting: SettingEntitiesLag, Message: fmt.Sprintf("entity changes reached the log %s more than the lag of %v after they happened, and packets of their time were resolved without them: raise the entities lag",
		l.name, l.lag)}, true
}

func (l *entityLog) close() {
	if l.rc != nil {
		l.rc.Close()
	}
}

// followed is what the reading goroutine of a followed run keeps: its
// wall clock, its poll interval, and the latest timestamp read and when
// (a packet read may still wait for the entity log: it counts).
type followed struct {
	clock  func() time.Time
	poll   time.Duration
	lastTS int64
	readAt time.Time
}

// next reads the next packet into pkt. A followed capture with nothing new
// is waited for: meanwhile the entity log is read and the windows the
// capture's clock has passed are sealed.
func (g *ingest) next(ctx context.Context, pkt *capture.Packet) error {
	err := g.rd.Next(pkt)
	for g.fw != nil && errors.Is(err, follow.ErrNoData) {
		// The time first, then one more read: what was written before
		// that time is read before the clock seals anything.
		now := g.fw.clock()
		if err = g.rd.Next(pkt); !errors.Is(err, follow.ErrNoData) {
			break
		}
		if err = g.idle(ctx, now); err != nil {
			return err
		}
		if err = follow.Wait(err); err != nil {
			return ctxErr(ctx, err)
		}
		err = g.rd.Next(pkt)
	}
	if g.fw != nil && err == nil {
		g.fw.lastTS, g.fw.readAt = max(g.fw.lastTS, pkt.Timestamp), g.fw.clock()
	}
	return err
}

// idle is the work of a followed run while the capture is quiet: read
// the entity log, seal by the clock at now, report progress.
func (g *ingest) idle(ctx context.Context, now time.Time) error {
	if err := g.pollLog(); err != nil {
		return err
	}
	g.sealBy(now)
	g.progress(PhaseIngesting)
	if g.p.stopped() {
		// The pipeline's context also ends when training failed.
		return errPipelineStopped
	}
	return ctx.Err()
}

// errPipelineStopped says that the pipeline stopped (its own error is
// what the run returns).
var errPipelineStopped = errors.New("the analysis stopped")

// stop ends the run after err: the pipeline is stopped; a cancelled
// context is said as ctx.Err(), a pipeline that stopped (training
// failed) by its own error.
func (g *ingest) stop(ctx context.Context, err error) error {
	perr := g.p.abort()
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, errPipelineStopped) && perr != nil:
		return perr
	}
	return err
}

// sealBy seals the windows that the capture's clock at now has passed,
// as far as the entity log is complete.
func (g *ingest) sealBy(now time.Time) {
	clock := sealClock(captureClock(g.fw.lastTS, g.fw.readAt, now), g.log.through(), g.s.opts.reorderSlack())
	g.agg.Seal(clock, g.p.window)
}

// resolvable waits until the entity log is complete through ts, so that
// the packet at ts is resolved with the entities of its time; meanwhile
// the log is read and windows are sealed by the clock.
func (g *ingest) resolvable(ctx context.Context, ts int64) error {
	if g.fw == nil {
		return nil
	}
	for ts > g.log.through() {
		if err := g.pollLog(); err != nil {
			return err
		}
		if ts <= g.log.through() {
			break
		}
		g.sealBy(g.fw.clock())
		wait := min(g.fw.poll, time.Duration(ts-g.log.through()))
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
	g.log.use(ts)
	return nil
}

// pollLog applies what was written to the entity log since the last time.
func (g *ingest) pollLog() error {
	changed, err := g.log.poll()
	if err != nil {
		return err
	}
	if changed {
		g.p.resolveWith(g.log.tl)
	}
	if w, ok := g.log.lateWarning(); ok {
		g.warn(w)
	}
	return nil
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ctxErr is ctx's error when it has ended (a followed input's wait
// returns the context's cause), else err.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
