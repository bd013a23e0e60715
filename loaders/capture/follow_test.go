package capture

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/follow"
)

// growing is a capture file that a test writes piece by piece while it is
// followed.
type growing struct {
	t    *testing.T
	path string
	f    *os.File
}

func newGrowing(t *testing.T) *growing {
	path := filepath.Join(t.TempDir(), "live.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return &growing{t: t, path: path, f: f}
}

func (g *growing) write(b []byte) {
	if _, err := g.f.Write(b); err != nil {
		g.t.Fatal(err)
	}
}

// follower opens the file to be followed until ctx ends.
func (g *growing) follower(ctx context.Context) *follow.Reader {
	f, err := os.Open(g.path)
	if err != nil {
		g.t.Fatal(err)
	}
	return follow.Open(ctx, f, follow.Options{Poll: time.Millisecond})
}

// TestFollowSplitRecord: a record cut at the current end of a followed
// file, in its header or in its data, is ErrNoData — never a truncation
// — and is read whole once the rest is written; the reader's header
// waits for the file header.
func TestFollowSplitRecord(t *testing.T) {
	f := newPcap(LinkEthernet, 65535)
	header := len(f.Bytes())
	frame := udpFrame([]byte("follow me"))
	f.record(100, 1, frame, uint32(len(frame)), uint32(len(frame)))
	f.record(101, 2, frame, uint32(len(frame)), uint32(len(frame)))
	all := f.Bytes()
	rec := 16 + len(frame)
	g := newGrowing(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := g.follower(ctx)
	g.write(all[:10]) // half the file header: NewReader waits for the rest
	go func() {
		time.Sleep(20 * time.Millisecond)
		g.write(all[10:header])
	}()
	r, err := NewReader(src, "live.pcap")
	if err != nil {
		t.Fatalf("NewReader on a header written in two parts: %v", err)
	}
	// Cuts: inside the first record's header, inside its data, at its
	// end, inside the second's data, at the end of the file.
	cuts := []int{header + 7, header + 16 + 5, header + rec, header + rec + 30, len(all)}
	at := header
	var got []Packet
	for _, cut := range cuts {
		var p Packet
		err := r.Next(&p)
		if !errors.Is(err, follow.ErrNoData) {
			t.Fatalf("Next at the current end %d: %v, want ErrNoData", at, err)
		}
		g.write(all[at:cut])
		at = cut
		for {
			if err := r.Next(&p); err != nil {
				if !errors.Is(err, follow.ErrNoData) {
					t.Fatalf("Next after writing to %d: %v", at, err)
				}
				break
			}
			got = append(got, p)
		}
	}
	if len(got) != 2 || got[0].Timestamp != 100e9+1e3 || got[1].Timestamp != 101e9+2e3 || got[1].DstPort != 53 {
		t.Fatalf("read %+v, want the two records", got)
	}
	if st := r.Stats(); st.Truncated != nil || st.Packets != 2 {
		t.Errorf("stats %+v: want 2 packets and no truncation", st)
	}
	cancel()
	var p Packet
	if err := r.Next(&p); err == nil || errors.Is(err, follow.ErrNoData) || !errors.Is(err, context.Canceled) {
		t.Errorf("Next after cancellation: %v, want the context's end", err)
	}
}

// TestFollowFixtures: every uncompressed fixture written in pieces of
// odd sizes while it is followed reads as the whole file does, blocks
// that are skipped included.
func TestFollowFixtures(t *testing.T) {
	for _, path := range allFixtures(t) {
		if strings.HasSuffix(path, ".gz") {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			whole, err := OpenWith(path, Options{Inner: true})
			if err != nil {
				t.Fatal(err)
			}
			want := readAll(t, whole)
			whole.Close()
			g := newGrowing(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				// Pieces of 1 to 397 bytes, a pause after every eighth, so
				// that records and blocks are cut everywhere.
				for at, n, i := 0, 1, 0; at < len(data); n, i = n*31%397+1, i+1 {
					end := min(len(data), at+n)
					g.write(data[at:end])
					at = end
					if i%8 == 0 {
						time.Sleep(time.Millisecond)
					}
				}
			}()
			r, err := NewReaderWith(g.follower(ctx), path, Options{Inner: true})
			if err != nil {
				t.Fatal(err)
			}
			var got []Packet
			deadline := time.Now().Add(30 * time.Second)
			for len(got) < len(want) && time.Now().Before(deadline) {
				var p Packet
				err := r.Next(&p)
				if errors.Is(err, follow.ErrNoData) {
					follow.Wait(err)
					continue
				}
				if err != nil {
					t.Fatalf("after %d packets: %v", len(got), err)
				}
				p.Payload, p.Frame = nil, nil
				got = append(got, p)
			}
			if len(got) != len(want) {
				t.Fatalf("read %d packets of %d", len(got), len(want))
			}
			for i := range want {
				want[i].Frame = nil
				if got[i].Timestamp != want[i].Timestamp || got[i].WireLen != want[i].WireLen || got[i].Src != want[i].Src || got[i].Dst != want[i].Dst {
					t.Fatalf("packet %d: %+v, want %+v", i, got[i], want[i])
				}
			}
			if st := r.Stats(); st.Truncated != nil {
				t.Errorf("a followed capture was reported truncated: %+v", st.Truncated)
			}
		})
	}
}

// TestFollowGzipRefused: a gzip stream cannot be followed (it fails for
// good at the first pause): refused with advice, not hung, as
// ErrFollowCompressed for a front end to add how to stop following; the
// loader names no flag (before, it said "without --follow").
func TestFollowGzipRefused(t *testing.T) {
	g := newGrowing(t)
	g.write(gz(newPcap(LinkEthernet, 65535).Bytes()))
	_, err := NewReader(g.follower(context.Background()), "live.pcap.gz")
	if err == nil || !errors.Is(err, ErrFollowCompressed) || !strings.Contains(err.Error(), "tcpdump -U -w") || strings.Contains(err.Error(), "--") {
		t.Fatalf("NewReader on a followed gzip: %v, want ErrFollowCompressed with advice and no flag", err)
	}
}

// TestFollowPipeEnds: a pipe (tcpdump -w -) ends at its end, and a record
// cut there is the usual truncation.
func TestFollowPipeEnds(t *testing.T) {
	f := newPcap(LinkEthernet, 65535)
	frame := udpFrame(nil)
	f.record(1, 0, frame, uint32(len(frame)), uint32(len(frame)))
	all := f.Bytes()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		pw.Write(all)
		pw.Write(all[24:40]) // a second record's header, then the end
		pw.Close()
	}()
	r, err := NewReader(follow.Open(context.Background(), pr, follow.Options{Poll: time.Millisecond}), "stdin")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		var p Packet
		err := r.Next(&p)
		if errors.Is(err, follow.ErrNoData) {
			follow.Wait(err)
			continue
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if st := r.Stats(); n != 1 || st.Truncated == nil {
		t.Errorf("%d packets, truncation %+v: want 1 and the cut record reported", n, st.Truncated)
	}
}

// TestFollowMergeStall: of two followed captures, one that has nothing
// new holds the merge back (the other's packets may be later than its
// next) for Options.Stall, then no more: a quiet node does not stop the
// analysis of a busy one. Its later packets come when they come.
func TestFollowMergeStall(t *testing.T) {
	frame := udpFrame(nil)
	rec := func(sec uint32) []byte {
		f := newPcap(LinkEthernet, 65535)
		f.record(sec, 0, frame, uint32(len(frame)), uint32(len(frame)))
		return f.Bytes()[24:]
	}
	header := newPcap(LinkEthernet, 65535).Bytes()
	a, b := newGrowing(t), newGrowing(t)
	a.write(header)
	b.write(header)
	a.write(rec(10))
	a.write(rec(20))
	b.write(rec(15))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const stall = 100 * time.Millisecond
	if _, err := OpenAll([]Input{{Name: "a", R: a.follower(ctx)}, {Name: "b", R: b.follower(ctx)}}, Options{Stall: stall}); err == nil {
		t.Fatal("OpenAll estimated clocks from followed captures; want an error asking for the offsets")
	}
	var zero time.Duration
	m, err := OpenAll([]Input{{Name: "a", R: a.follower(ctx), Offset: &zero}, {Name: "b", R: b.follower(ctx), Offset: &zero}}, Options{Stall: stall})
	if err != nil {
		t.Fatal(err)
	}
	next := func() (int64, error) {
		var p Packet
		err := m.Next(&p)
		return p.Timestamp / 1e9, err
	}
	for _, want := range []int64{10, 15} {
		if got, err := next(); err != nil || got != want {
			t.Fatalf("Next: %d, %v; want %d", got, err, want)
		}
	}
	began := time.Now()
	// b has nothing after 15 s: a's packet at 20 s waits for it ...
	_, err = next()
	if !errors.Is(err, follow.ErrNoData) {
		t.Fatalf("Next with b quiet: %v, want ErrNoData", err)
	}
	// ... until b has been quiet for the stall.
	var got int64
	for errors.Is(err, follow.ErrNoData) {
		follow.Wait(err)
		got, err = next()
	}
	if err != nil || got != 20 || time.Since(began) < stall {
		t.Fatalf("Next: %d, %v after %v; want 20 once b was quiet for %v", got, err, time.Since(began), stall)
	}
	// b speaks again, late: its packet comes (before or after a's next,
	// which no longer waited for it), and then it holds the merge again.
	b.write(rec(18))
	a.write(rec(30))
	seen := map[int64]bool{}
	for len(seen) < 2 {
		got, err := next()
		if errors.Is(err, follow.ErrNoData) {
			follow.Wait(err)
			continue
		}
		if err != nil || (got != 18 && got != 30) {
			t.Fatalf("Next after b's late packet: %d, %v; want 18 and 30", got, err)
		}
		seen[got] = true
	}
	a.write(rec(40))
	if got, err := next(); !errors.Is(err, follow.ErrNoData) {
		t.Fatalf("Next with b quiet again: %d, %v; want ErrNoData", got, err)
	}
}
