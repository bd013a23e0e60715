package capture

import (
	"errors"
	"fmt"
)

// Sentinel errors, wrapped in an *Error with the file and offset. Test with
// errors.Is.
var (
	// ErrFormat: the input is not a capture this package reads.
	ErrFormat = errors.New("not a pcap or pcapng capture")
	// ErrTruncated: the input ends inside a record, or its gzip stream
	// ends early. Every packet before the offset was read; a capture tool
	// that was killed leaves this.
	ErrTruncated = errors.New("capture cut short")
	// ErrCorrupt: a record header makes no sense, so the records after it
	// cannot be found.
	ErrCorrupt = errors.New("corrupt capture")
	// ErrFollowCompressed: a gzip-compressed capture was to be followed
	// while it is written, which a gzip stream does not allow. (A front
	// end says how its user stops following; this package names no flag.)
	ErrFollowCompressed = errors.New("a gzip-compressed capture cannot be followed while it is written")
)

// Error is a read error at a position in a capture. Offset counts bytes
// from the start of the capture data: for a gzip-compressed input that is
// the position in the decompressed stream (Decompressed is then true), which
// is what `editcap` and a hex dump of the decompressed file show.
type Error struct {
	File         string
	Offset       int64
	Decompressed bool
	Err          error
}

func (e *Error) Error() string {
	if e.Decompressed {
		return fmt.Sprintf("%s: offset %d (decompressed): %v", e.File, e.Offset, e.Err)
	}
	return fmt.Sprintf("%s: offset %d: %v", e.File, e.Offset, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }
