package capture

import (
	"errors"
	"fmt"
	"io"

	"github.com/mimir-tui/mimir-tui/loaders/follow"
)

// input is a read buffer that hands out slices of itself, so a record can
// be framed and decoded where it lies without a copy. A slice returned by
// peek is valid until the next peek that has to refill the buffer.
type input struct {
	src  io.Reader
	buf  []byte
	r, w int   // unread bytes are buf[r:w]
	base int64 // stream offset of buf[0]
	err  error // sticky error from src (io.EOF at the end)
	// max bounds how large peek may grow the buffer: the largest record
	// the reader accepts, so a corrupt length cannot allocate much.
	max int
}

// initialBuffer is large enough that refills cost few system calls, and
// small next to the memory budget.
const initialBuffer = 256 << 10

func newInput(src io.Reader) *input {
	return &input{src: src, buf: make([]byte, initialBuffer), max: maxRecord}
}

// offset is the stream offset of the next unread byte.
func (in *input) offset() int64 { return in.base + int64(in.r) }

// peek returns the next n unread bytes without consuming them. At the end
// of the stream it returns io.EOF when no byte is left and
// io.ErrUnexpectedEOF when fewer than n are; a failing source returns its
// error (wrapped in a srcError).
func (in *input) peek(n int) ([]byte, error) {
	if in.w-in.r >= n {
		return in.buf[in.r : in.r+n], nil
	}
	return in.peekSlow(n)
}

func (in *input) peekSlow(n int) ([]byte, error) {
	if n > in.max {
		return nil, fmt.Errorf("record of %d bytes is larger than the %d bytes this reader accepts", n, in.max)
	}
	if n > len(in.buf) {
		// Double, so a run of large records does not reallocate each
		// time, but never beyond what is needed at the limit.
		size := min(max(n, 2*len(in.buf)), in.max)
		nb := make([]byte, size)
		copy(nb, in.buf[in.r:in.w])
		in.base += int64(in.r)
		in.w -= in.r
		in.r = 0
		in.buf = nb
	} else if len(in.buf)-in.r < n {
		// Slide the unread bytes to the front to make room.
		copy(in.buf, in.buf[in.r:in.w])
		in.base += int64(in.r)
		in.w -= in.r
		in.r = 0
	}
	for in.w-in.r < n && in.err == nil {
		m, err := in.src.Read(in.buf[in.w:])
		if m < 0 || m > len(in.buf)-in.w {
			err = errors.New("the input reader returned an invalid count")
			m = 0
		}
		in.w += m
		if err == nil && m == 0 {
			// A reader that returns 0, nil forever would hang us; io.Reader
			// allows it only occasionally, so a few retries are enough.
			err = in.retryEmpty()
		}
		if errors.Is(err, follow.ErrNoData) {
			// A followed input has nothing more yet: what was read stays
			// buffered and the caller asks again later.
			if in.w-in.r >= n {
				break
			}
			return nil, err
		}
		if err != nil {
			in.err = err
		}
	}
	if in.w-in.r >= n {
		return in.buf[in.r : in.r+n], nil
	}
	if in.err != io.EOF {
		return nil, srcError{in.err}
	}
	if in.w == in.r {
		return nil, io.EOF
	}
	return nil, io.ErrUnexpectedEOF
}

// peekWait is peek for the rest of a record already partly consumed: a
// followed input that has not written it yet is waited for.
func (in *input) peekWait(n int) ([]byte, error) {
	for {
		b, err := in.peek(n)
		if !errors.Is(err, follow.ErrNoData) {
			return b, err
		}
		if err := follow.Wait(err); err != nil {
			return nil, srcError{err}
		}
	}
}

// retryEmpty reads again after a Read that returned 0, nil.
func (in *input) retryEmpty() error {
	for range 100 {
		m, err := in.src.Read(in.buf[in.w:])
		if m < 0 || m > len(in.buf)-in.w {
			return errors.New("the input reader returned an invalid count")
		}
		in.w += m
		if m > 0 || err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}

// skip consumes n bytes, which may be more than are buffered: the rest is
// read and thrown away, so skipping a large block needs no memory.
func (in *input) skip(n int64) error {
	if avail := int64(in.w - in.r); n <= avail {
		in.r += int(n)
		return nil
	}
	n -= int64(in.w - in.r)
	in.base += int64(in.w)
	in.r, in.w = 0, 0
	for n > 0 {
		if in.err != nil {
			if in.err == io.EOF {
				return io.ErrUnexpectedEOF
			}
			return srcError{in.err}
		}
		m, err := in.src.Read(in.buf[:min(int64(len(in.buf)), n)])
		if m < 0 || int64(m) > n {
			in.err = errors.New("the input reader returned an invalid count")
			continue
		}
		n -= int64(m)
		in.base += int64(m)
		if err == nil && m == 0 {
			err = in.retryEmpty()
			// retryEmpty may have buffered bytes at buf[0:w].
			if in.w > 0 {
				take := min(int64(in.w), n)
				n -= take
				in.base += take
				copy(in.buf, in.buf[take:in.w])
				in.w -= int(take)
			}
		}
		if errors.Is(err, follow.ErrNoData) {
			// Inside a block being skipped: wait for its rest.
			err = follow.Wait(err)
		}
		if err != nil {
			in.err = err
		}
	}
	return nil
}

// srcError is an error of the underlying reader (an I/O error, a corrupt
// gzip stream), as opposed to the capture data ending early.
type srcError struct{ err error }

func (e srcError) Error() string { return e.err.Error() }
func (e srcError) Unwrap() error { return e.err }
