package follow

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fastPoll keeps the tests quick; the rules do not depend on it.
var fastPoll = Options{Poll: 5 * time.Millisecond}

// readNow reads what r has now: the bytes, and the error that ended it.
func readNow(t *testing.T, r *Reader) (string, error) {
	t.Helper()
	var out []byte
	buf := make([]byte, 3) // small, so reads are split
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			return string(out), err
		}
	}
}

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// TestFileGrowth: a growing file is read to its current end, which is
// ErrNoData and never io.EOF, then what is appended later.
func TestFileGrowth(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cap")
	appendTo(t, path, "abcde")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	r := Open(context.Background(), f, fastPoll)
	defer r.Close()
	for _, step := range []struct{ write, want string }{
		{"", "abcde"},
		{"", ""},
		{"fg", "fg"},
		{"hijklmn", "hijklmn"},
	} {
		appendTo(t, path, step.write)
		got, err := readNow(t, r)
		if got != step.want || !errors.Is(err, ErrNoData) {
			t.Fatalf("after writing %q: read %q, %v; want %q and ErrNoData", step.write, got, err, step.want)
		}
	}
	if r.Offset() != 14 {
		t.Errorf("offset %d, want 14", r.Offset())
	}
}

// TestFileShrinks: a followed file that gets shorter was replaced or
// truncated: an error saying so, not a silent wait.
func TestFileShrinks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cap")
	appendTo(t, path, "abcdef")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	r := Open(context.Background(), f, fastPoll)
	defer r.Close()
	readNow(t, r)
	if err := os.Truncate(path, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := readNow(t, r); err == nil || errors.Is(err, ErrNoData) {
		t.Fatalf("read after truncation: %v, want an error", err)
	} else if want := "shrank from 6 to 2 bytes"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
}

// TestPipe: a pipe is read as its data comes, without blocking the
// consumer, and ends at its end.
func TestPipe(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r := Open(context.Background(), pr, fastPoll)
	defer r.Close()
	if got, err := readNow(t, r); got != "" || !errors.Is(err, ErrNoData) {
		t.Fatalf("empty pipe: %q, %v; want ErrNoData", got, err)
	}
	pw.WriteString("hello")
	var got string
	for got != "hello" {
		s, err := readNow(t, r)
		got += s
		if !errors.Is(err, ErrNoData) {
			t.Fatalf("read %q, %v", got, err)
		}
		if got != "hello" {
			if err := Wait(err); err != nil {
				t.Fatal(err)
			}
		}
	}
	pw.WriteString(" world")
	pw.Close()
	got = ""
	for {
		s, err := readNow(t, r)
		got += s
		if err == io.EOF {
			break
		}
		if !errors.Is(err, ErrNoData) {
			t.Fatalf("read %q, %v", got, err)
		}
		Wait(err)
	}
	if got != " world" {
		t.Errorf("read %q before the end, want %q", got, " world")
	}
}

// TestPipeBounded: a consumer that does not read leaves at most the
// buffer (rounded to chunks) read ahead; the writer waits.
func TestPipeBounded(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r := Open(context.Background(), pr, Options{Poll: fastPoll.Poll, Buffer: 2 * chunk})
	defer r.Close()
	written := make(chan int, 1)
	go func() {
		n := 0
		buf := make([]byte, chunk)
		for n < 64*chunk {
			m, err := pw.Write(buf)
			n += m
			if err != nil {
				break
			}
		}
		written <- n
		pw.Close()
	}()
	time.Sleep(50 * time.Millisecond)
	r.pipe.mu.Lock()
	held := 0
	for _, c := range r.pipe.queue {
		held += len(c)
	}
	r.pipe.mu.Unlock()
	if held > 2*chunk {
		t.Errorf("the pump holds %d bytes, more than its buffer of %d", held, 2*chunk)
	}
	total := 0
	buf := make([]byte, 1<<20)
	for {
		n, err := r.Read(buf)
		total += n
		if err == io.EOF {
			break
		}
		if errors.Is(err, ErrNoData) {
			Wait(err)
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if w := <-written; total != w {
		t.Errorf("read %d bytes of the %d written", total, w)
	}
}

// TestCancel: Wait and Read end with the context, with its cause.
func TestCancel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cap")
	appendTo(t, path, "x")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	stop := errors.New("stopped by the test")
	r := Open(ctx, f, Options{Poll: time.Hour})
	defer r.Close()
	_, err = readNow(t, r)
	if !errors.Is(err, ErrNoData) {
		t.Fatalf("read: %v, want ErrNoData", err)
	}
	done := make(chan error)
	go func() { done <- Wait(err) }()
	cancel(stop)
	select {
	case werr := <-done:
		if werr != stop {
			t.Errorf("Wait: %v, want the context's cause", werr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Wait did not end with its context")
	}
	if _, err := r.Read(make([]byte, 4)); err != stop {
		t.Errorf("Read after cancellation: %v, want the cause", err)
	}
}

// TestWaitPolls: Wait on a file returns after about one poll interval,
// and passes other errors through.
func TestWaitPolls(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cap")
	appendTo(t, path, "")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	r := Open(context.Background(), f, fastPoll)
	defer r.Close()
	_, err = r.Read(make([]byte, 1))
	if werr := Wait(err); werr != nil {
		t.Errorf("Wait: %v", werr)
	}
	other := errors.New("disk on fire")
	if werr := Wait(other); werr != other {
		t.Errorf("Wait(%v) = %v, want it back", other, werr)
	}
	if !Following(r) || Following(f) {
		t.Error("Following: want true for a Reader only")
	}
}
