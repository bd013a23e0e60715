package record

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/mimir-tui/mimir-tui/loaders/entities"
)

// ErrBusy is OpenLog's error when another record is writing the log: two
// would each append the whole state, every entity added twice.
var ErrBusy = errors.New("the log is locked")

// OpenLog opens path for appending, creating it if needed, and parses
// what it already holds: the log to pass as Options.Prior (nil for a new
// or empty file). It holds an exclusive lock on the file until it is
// closed, and refuses a log another record holds (ErrBusy). It never
// truncates: a file that is not a JSON Lines entity log, or is
// gzip-compressed, is refused and left as it was. A last line without its
// newline gets one, so appended lines stay whole.
func OpenLog(path string) (*os.File, *entities.Log, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("open the entity log: %w", err)
	}
	if err := lockLog(f); err != nil {
		f.Close()
		if errors.Is(err, ErrBusy) {
			return nil, nil, fmt.Errorf("another record is writing %s: %w; stop it first, or record to another file", path, err)
		}
		return nil, nil, fmt.Errorf("lock %s: %w", path, err)
	}
	prior, err := readPrior(f, path)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, prior, nil
}

// readPrior parses the log f already holds and ends it with a newline.
func readPrior(f *os.File, path string) (*entities.Log, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open the entity log: %w", err)
	}
	if info.Size() == 0 {
		return nil, nil
	}
	refuse := func(why error) error {
		return fmt.Errorf("%s: %w; record only appends to a JSON Lines entity log and never overwrites a file: choose another -o", path, why)
	}
	head := make([]byte, 2)
	if _, err := f.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if head[0] == 0x1f && head[1] == 0x8b {
		return nil, refuse(errors.New("is gzip-compressed"))
	}
	prior, err := entities.Parse(io.NewSectionReader(f, 0, info.Size()), path)
	if err != nil {
		return nil, refuse(fmt.Errorf("cannot be read: %w", err))
	}
	if prior.Format != entities.FormatJSONL {
		return nil, refuse(fmt.Errorf("is a %s log", prior.Format))
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, info.Size()-1); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if last[0] != '\n' {
		if _, err := f.Write([]byte{'\n'}); err != nil {
			return nil, fmt.Errorf("append to %s: %w", path, err)
		}
	}
	return prior, nil
}
