package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// interruptError is the cause of a run's context when a signal stopped it.
type interruptError struct{ sig os.Signal }

func (e *interruptError) Error() string { return "interrupted by " + e.sig.String() }

// status is the shell's convention for a program killed by the signal:
// 128 + its number (130 for SIGINT, 143 for SIGTERM).
func (e *interruptError) status() int {
	if s, ok := e.sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}

// signalContext is cancelled, with an *interruptError cause, on the first
// SIGINT or SIGTERM. Only the first is caught: a second Ctrl-C ends the
// program at once, as the user then expects. stop releases the signals.
func signalContext(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			signal.Stop(ch)
			cancel(&interruptError{sig: sig})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

// notWrittenError marks an error with the output files the failed run did
// not write, for the message after an interruption.
type notWrittenError struct {
	err   error
	files []string
}

func (e *notWrittenError) Error() string { return e.err.Error() }
func (e *notWrittenError) Unwrap() error { return e.err }

// notWritten wraps err (when there is one) with the files that were not
// written; empty names (standard output) are left out.
func notWritten(err error, files ...string) error {
	if err == nil {
		return nil
	}
	var named []string
	for _, f := range files {
		if f != "" {
			named = append(named, f)
		}
	}
	return &notWrittenError{err: err, files: named}
}

// exitStatus prints err as the user should see it and returns the exit
// status: 0 done (or -h), 1 failed, 2 called wrongly, 128+n stopped by
// signal n (130 for Ctrl-C). cause is the run context's cause: an
// interrupted run says so rather than "context canceled".
func exitStatus(err, cause error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ie *interruptError
	if errors.As(cause, &ie) {
		msg := "mimir-tui: interrupted"
		var nw *notWrittenError
		if errors.As(err, &nw) && len(nw.files) > 0 {
			msg += "; not written: " + strings.Join(nw.files, ", ")
		}
		fmt.Fprintln(stderr, msg)
		return ie.status()
	}
	fmt.Fprintln(stderr, "mimir-tui:", err)
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}
