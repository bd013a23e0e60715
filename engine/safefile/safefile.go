// Package safefile writes files so that nobody ever sees half of one, and
// so that an existing file is never replaced by accident: the data goes to
// a temporary file in the same directory, which is renamed into place (or,
// when overwriting is not allowed, hard-linked, which fails atomically if
// the name is taken) only once it is complete.
package safefile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// File is a file being written in place of a path.
type File struct {
	*os.File
	path      string
	overwrite bool
	done      bool
}

// Create starts writing path. Unless overwrite is set, an existing path
// is an error wrapping os.ErrExist, both now and at Commit.
func Create(path string, overwrite bool) (*File, error) {
	if !overwrite {
		if _, err := os.Lstat(path); err == nil {
			return nil, existErr(path)
		}
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("cannot write in %s: %w (is the directory there and writable?)", dir, err)
	}
	return &File{File: f, path: path, overwrite: overwrite}, nil
}

// Commit makes the file appear at its path, complete. After an error the
// temporary file is gone and the path untouched.
func (f *File) Commit() (err error) {
	if f.done {
		return fmt.Errorf("write %s: already committed or aborted", f.path)
	}
	f.done = true
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	// CreateTemp makes the file private (0600); results are documents.
	if err := os.Chmod(tmp, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	if f.overwrite {
		if err := os.Rename(tmp, f.path); err != nil {
			return fmt.Errorf("write %s: %w", f.path, err)
		}
		return nil
	}
	// A hard link fails if the path exists: the check and the creation
	// are one step even when another process races us.
	if err := os.Link(tmp, f.path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return existErr(f.path)
		}
		// Some file systems have no hard links: rename after a check.
		if _, serr := os.Lstat(f.path); serr == nil {
			return existErr(f.path)
		}
		if rerr := os.Rename(tmp, f.path); rerr != nil {
			return fmt.Errorf("write %s: %w", f.path, rerr)
		}
		return nil
	}
	os.Remove(tmp)
	return nil
}

// Abort drops what was written; the path is untouched. It is a no-op
// after Commit, so it can be deferred.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.Close()
	os.Remove(f.Name())
}

// Write writes data to path in one go.
func Write(path string, data []byte, overwrite bool) error {
	f, err := Create(path, overwrite)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}

func existErr(path string) error {
	return fmt.Errorf("%s already exists; choose another name or remove it first: %w", path, os.ErrExist)
}
