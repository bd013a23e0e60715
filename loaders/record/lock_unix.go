//go:build unix

package record

import (
	"errors"
	"os"
	"syscall"
)

// lockLog takes an exclusive lock on the open log f without waiting:
// ErrBusy when another process (or another OpenLog) holds it. The lock
// goes with the file's closing. A file system without locks leaves the
// log unlocked, as before locks were taken.
func lockLog(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	switch {
	case errors.Is(err, syscall.EWOULDBLOCK):
		return ErrBusy
	case errors.Is(err, syscall.ENOTSUP), errors.Is(err, syscall.ENOLCK), errors.Is(err, syscall.EINVAL):
		return nil
	}
	return err
}
