package follow_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/follow"
)

// A capture tool appends to a file while it is read: the reader takes
// what is there, does other work when there is nothing new, and waits
// between polls.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "follow")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "capture.pcap")
	os.WriteFile(path, []byte("first "), 0o644)

	f, _ := os.Open(path)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := follow.Open(ctx, f, follow.Options{Poll: 10 * time.Millisecond})
	defer r.Close()

	buf := make([]byte, 64)
	for round := 0; ; round++ {
		n, err := r.Read(buf)
		fmt.Printf("%q", buf[:n])
		switch {
		case errors.Is(err, follow.ErrNoData):
			fmt.Println(" (nothing new)")
			if round == 1 {
				w, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
				w.WriteString("second")
				w.Close()
			}
			if round == 3 {
				cancel() // Ctrl-C
			}
			if err := follow.Wait(err); err != nil {
				fmt.Println("stopped:", err)
				return
			}
		case err == io.EOF:
			return
		case err != nil:
			fmt.Println(err)
			return
		default:
			fmt.Println()
		}
	}
	// Output:
	// "first "
	// "" (nothing new)
	// "second"
	// "" (nothing new)
	// stopped: context canceled
}
