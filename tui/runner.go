package tui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	tea "charm.land/bubbletea/v2"

	"github.com/mimir-tui/mimir-tui/engine"
)

// Runner runs an analysis: it streams events to emit (never concurrently)
// and returns the result. It must return soon after ctx is cancelled.
type Runner func(ctx context.Context, emit func(engine.Event)) (*engine.Result, error)

// EngineRunner runs engine.Run on in with opts.
func EngineRunner(in engine.Inputs, opts engine.Options) Runner {
	return func(ctx context.Context, emit func(engine.Event)) (*engine.Result, error) {
		return engine.Run(ctx, in, opts, emit)
	}
}

// Messages from the run to the program.
type (
	// eventsMsg carries the events read from the channel in one go.
	eventsMsg struct{ events []engine.Event }
	// runDoneMsg carries the run's outcome.
	runDoneMsg struct {
		res *engine.Result
		err error
	}
)

// maxBatch bounds how many events one message carries: enough to keep a
// 100 000-window run from flooding the program with messages, small enough
// to keep the screen moving.
const maxBatch = 2048

// run is a Runner executing in its own goroutine.
type run struct {
	events chan engine.Event
	done   chan runDoneMsg
	cancel context.CancelFunc
	exited chan struct{}
}

// start runs r in a goroutine. Events go to a buffered channel; emit blocks
// when the program falls behind (back-pressure on the engine) but gives up
// as soon as ctx is cancelled, so a quitting program never deadlocks the
// engine.
func start(ctx context.Context, r Runner, log *slog.Logger) *run {
	ctx, cancel := context.WithCancel(ctx)
	rn := &run{
		events: make(chan engine.Event, 4096),
		done:   make(chan runDoneMsg, 1),
		cancel: cancel,
		exited: make(chan struct{}),
	}
	go func() {
		defer close(rn.exited)
		var res *engine.Result
		var err error
		func() {
			// A panic in the engine must not take the terminal down with
			// it: it becomes an error on the screen.
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("internal error in the analysis: %v (please report it)", p)
					log.Error("engine panic", "panic", p)
				}
			}()
			res, err = r(ctx, func(ev engine.Event) {
				select {
				case rn.events <- ev:
				case <-ctx.Done():
				}
			})
		}()
		if err != nil {
			log.Info("run ended", "err", err)
		} else {
			log.Info("run finished")
		}
		close(rn.events)
		rn.done <- runDoneMsg{res: res, err: err}
	}()
	return rn
}

// wait is the re-arming command: it blocks (in a command goroutine, not in
// Update) for the next events, drains whatever else is already queued, and
// returns them as one message. Update calls it again after each message;
// once the channel is closed it returns the run's outcome.
func (rn *run) wait() tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-rn.events
		if !ok {
			return <-rn.done
		}
		batch := []engine.Event{ev}
		for len(batch) < maxBatch {
			select {
			case ev, ok := <-rn.events:
				if !ok {
					return eventsMsg{batch}
				}
				batch = append(batch, ev)
			default:
				return eventsMsg{batch}
			}
		}
		return eventsMsg{batch}
	}
}

// stop cancels the run and waits for its goroutine to end.
func (rn *run) stop() {
	rn.cancel()
	// Drain so a blocked emit can see the cancellation; the goroutine
	// closes the channel when the runner returns.
	for range rn.events {
	}
	<-rn.exited
}

// canceled reports whether err only says the run was cancelled.
func canceled(err error) bool {
	return errors.Is(err, context.Canceled)
}
