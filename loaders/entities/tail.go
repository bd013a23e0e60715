package entities

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/mimir-tui/mimir-tui/loaders/follow"
)

// Tail reads a JSON Lines entity log that is still being written (by
// `mimir-tui record`, say): each Read returns the events of the lines
// completed since the previous one. The end of its reader (io.EOF, or
// follow.ErrNoData) is the end for now. A line cut at the current end of the
// input is kept until its newline is written, so a reader never sees half
// an event; lines are numbered from the start of the log for messages.
type Tail struct {
	name   string
	r      io.Reader
	buf    []byte // bytes read after the last whole line
	chunk  []byte
	line   int // lines read so far
	events int
	err    error // sticky: the log is damaged
}

// NewTail follows the JSON Lines log r, named name in messages, from its
// start.
func NewTail(r io.Reader, name string) *Tail {
	return &Tail{name: name, r: r, chunk: make([]byte, 64<<10)}
}

// Read returns the events of the whole lines there are now, in the order
// of the log, and an error (a *ParseError) when a line is not an event;
// a damaged log stays so. The end of the input is not the end of the log:
// what follows is read by the next call.
func (t *Tail) Read() ([]Event, error) {
	if t.err != nil {
		return nil, t.err
	}
	var out []Event
	for {
		n, err := t.r.Read(t.chunk)
		t.buf = append(t.buf, t.chunk[:n]...)
		var perr error
		out, perr = t.lines(out)
		if perr != nil {
			t.err = perr
			return nil, perr
		}
		if err == io.EOF || errors.Is(err, follow.ErrNoData) || (err == nil && n == 0) {
			return out, nil // the end for now
		}
		if err != nil {
			return out, fmt.Errorf("read %s: %w", t.name, err)
		}
	}
}

// lines takes the whole lines out of the buffer and appends their events.
func (t *Tail) lines(out []Event) ([]Event, error) {
	off := 0
	defer func() { t.buf = append(t.buf[:0], t.buf[off:]...) }()
	for {
		i := bytes.IndexByte(t.buf[off:], '\n')
		if i < 0 {
			if len(t.buf)-off > MaxLine {
				return nil, lineTooLong(t.name, t.line+1)
			}
			return out, nil
		}
		t.line++
		ev, ok, err := jsonlRecord(t.buf[off:off+i], t.line, t.name)
		off += i + 1
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if t.events >= MaxEvents {
			return nil, tooManyEvents(t.name, t.line)
		}
		t.events++
		out = append(out, ev)
	}
}
