package follow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// ErrNoData is what a Reader's errors wrap when it has no data to give
// now but the input goes on: wait (Wait) and read again.
var ErrNoData = errors.New("no data yet: the input is still being written")

// DefaultPoll is how often a followed file is checked for growth.
const DefaultPoll = 200 * time.Millisecond

// Options say how to follow an input.
type Options struct {
	// Poll is how often a regular file is checked for growth, and the
	// longest Wait pauses; 0 means DefaultPoll.
	Poll time.Duration
	// Buffer bounds the bytes read ahead from a pipe and not yet
	// consumed; 0 means DefaultBuffer.
	Buffer int
}

// DefaultBuffer is how much of a pipe a Reader holds ahead of its
// consumer at most: a few seconds of a busy capture, so that a consumer
// that pauses briefly does not make the writer block.
const DefaultBuffer = 32 << 20

// Reader follows one input. It is not safe for concurrent use.
type Reader struct {
	ctx  context.Context
	poll time.Duration
	file *os.File // a regular file, polled for growth
	pipe *pump    // anything else, read by a goroutine
	off  int64    // bytes returned so far
	// noData is returned when there is nothing to read now.
	noData *noDataError
	closer io.Closer
}

// Open follows src until ctx ends: a regular *os.File is read to its
// current end and polled for growth; any other reader is read as a pipe,
// which ends at its end. Close releases src when it is an io.Closer.
func Open(ctx context.Context, src io.Reader, opts Options) *Reader {
	if opts.Poll <= 0 {
		opts.Poll = DefaultPoll
	}
	if opts.Buffer <= 0 {
		opts.Buffer = DefaultBuffer
	}
	r := &Reader{ctx: ctx, poll: opts.Poll}
	r.noData = &noDataError{wait: r.wait}
	if c, ok := src.(io.Closer); ok {
		r.closer = c
	}
	if f, ok := src.(*os.File); ok && regular(f) {
		r.file = f
		if off, err := f.Seek(0, io.SeekCurrent); err == nil {
			r.off = off
		}
		return r
	}
	r.pipe = newPump(src, opts.Buffer)
	return r
}

// regular reports whether f is a regular file, which can be polled.
func regular(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode().IsRegular()
}

// Read reads what is there. With nothing to read now it returns 0 and an
// error wrapping ErrNoData; after the context ends, the context's error
// (its cause, when it has one).
func (r *Reader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, context.Cause(r.ctx)
	}
	if len(p) == 0 {
		return 0, nil
	}
	var n int
	var err error
	if r.file != nil {
		n, err = r.readFile(p)
	} else {
		n, err = r.pipe.read(p)
	}
	r.off += int64(n)
	if err == ErrNoData {
		err = r.noData // with the way to wait
	}
	return n, err
}

// readFile reads the file; its current end is no end.
func (r *Reader) readFile(p []byte) (int, error) {
	n, err := r.file.Read(p)
	if err != io.EOF {
		return n, err
	}
	if n > 0 {
		return n, nil
	}
	if fi, serr := r.file.Stat(); serr == nil && fi.Size() < r.off {
		return 0, fmt.Errorf("%s shrank from %d to %d bytes while it was followed: was it truncated or replaced? Start again on the new file", r.file.Name(), r.off, fi.Size())
	}
	return 0, ErrNoData
}

// wait pauses until more data may be there: the pipe's next data, or one
// poll interval for a file; no longer than the poll interval, and not
// past the context.
func (r *Reader) wait() error {
	t := time.NewTimer(r.poll)
	defer t.Stop()
	var ready <-chan struct{}
	if r.pipe != nil {
		ready = r.pipe.ready
	}
	select {
	case <-r.ctx.Done():
		return context.Cause(r.ctx)
	case <-t.C:
	case <-ready:
	}
	return nil
}

// Offset is how many bytes Read has returned, from where the input was
// when it was opened.
func (r *Reader) Offset() int64 { return r.off }

// Following marks a followed input for readers that cannot take one
// (a gzip stream fails for good at its first ErrNoData).
func (r *Reader) Following() bool { return true }

// Close closes the input given to Open when it is an io.Closer. A pipe's
// goroutine may stay blocked in its read until the pipe ends.
func (r *Reader) Close() error {
	if r.pipe != nil {
		r.pipe.stop()
	}
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

// noDataError is ErrNoData with the way to wait for more.
type noDataError struct{ wait func() error }

func (e *noDataError) Error() string { return ErrNoData.Error() }
func (e *noDataError) Is(target error) bool {
	return target == ErrNoData
}

// Wait pauses after err, an error of a Reader that wraps ErrNoData, until
// more data may be there: at most the Reader's poll interval. It returns
// the context's error when the Reader's context ends first, and err
// itself when err does not wrap ErrNoData.
func Wait(err error) error {
	var nd *noDataError
	if !errors.As(err, &nd) {
		return err
	}
	return nd.wait()
}

// Following reports whether r is followed (a Reader, or a reader on top
// of one that says so).
func Following(r io.Reader) bool {
	f, ok := r.(interface{ Following() bool })
	return ok && f.Following()
}
