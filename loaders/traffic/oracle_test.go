package traffic_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/traffic"
	"github.com/mimir-tui/mimir-tui/testdata/shared"
)

// skipOrFail skips a test whose tool or data is missing, or fails it
// when MIMIR_REQUIRE_ORACLES=1 (as CI sets).
func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	shared.Unavailable(t, fmt.Sprintf(format, args...))
}

// shopDemo is the original of the shop-demo capture, in ../shared.
var shopDemo = filepath.Join(shared.Dir(), "captures", "shop-demo", "capture.pcapng")

// oracleCaptures lists the fixtures and, when present, the shop-demo
// capture from ../shared.
func oracleCaptures(t *testing.T) []string {
	files, err := filepath.Glob("../../testdata/captures/*.pcap*")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no fixtures in testdata/captures")
	}
	files = append(files, "../../testdata/shop-demo/capture.pcapng.gz")
	if _, err := os.Stat(shopDemo); err == nil {
		files = append(files, shopDemo)
	} else if shared.Required() {
		t.Fatalf("%s is absent (MIMIR_REQUIRE_ORACLES=1)", shopDemo)
	} else {
		t.Logf("%s is absent: checking the fixtures and the repository's gzip copy only", shopDemo)
	}
	return files
}

// oracleSizes are the window sizes checked: the defaults, an odd size,
// and small ones so that the short fixtures span several windows.
var oracleSizes = []time.Duration{10 * time.Second, 60 * time.Second, 7 * time.Second, time.Second, 250 * time.Millisecond}

type pairID struct{ src, dst netip.Addr }

type counts struct{ frames, bytes uint64 }

type oracleWindow struct {
	total counts
	pairs map[pairID]counts
}

// tsharkFrame is one line of tshark's per-packet output.
type tsharkFrame struct {
	ts       int64
	src, dst netip.Addr // invalid for a frame without IP
	length   uint64
	// The analysed packet of capture.Options.Inner: the innermost IP
	// header before any ICMP error, and its length as an Ethernet frame.
	inSrc, inDst netip.Addr
	inLength     uint64
}

// runTshark returns tshark's view of every frame of a capture, and
// whether tshark found the capture cut short (it reads up to the last
// whole packet, then fails).
func runTshark(t *testing.T, path string) ([]tsharkFrame, bool) {
	t.Helper()
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		skipOrFail(t, "tshark is not installed: the ingestion oracle needs it (apt-get install tshark)")
	}
	// UDP port 8472 is VXLAN as Linux and flannel use it; tshark knows
	// only 4789 unless told.
	cmd := exec.Command(tshark, "-n", "-r", path, "-d", "udp.port==8472,vxlan", "-T", "fields", "-E", "separator=/t",
		"-e", "frame.time_epoch", "-e", "frame.protocols", "-e", "ip.src", "-e", "ip.dst",
		"-e", "ipv6.src", "-e", "ipv6.dst", "-e", "frame.len", "-e", "ip.len", "-e", "ipv6.plen", "-e", "sll.ifindex")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	cut := strings.Contains(stderr.String(), "appears to have been cut short in the middle of a packet")
	if err != nil && !cut {
		t.Fatalf("tshark -r %s: %v\n%s", path, err, stderr.String())
	}
	var frames []tsharkFrame
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 10 {
			t.Fatalf("tshark line %q: want 10 fields", sc.Text())
		}
		if f[0] == "" {
			// Wireshark shows a pcapng custom block as a record without
			// a time: it is no frame on the wire, and the reader skips it.
			continue
		}
		ts, err := parseEpoch(f[0])
		if err != nil {
			t.Fatalf("tshark frame.time_epoch %q: %v", f[0], err)
		}
		n, err := strconv.ParseUint(f[6], 10, 32)
		if err != nil {
			t.Fatalf("tshark frame.len %q: %v", f[6], err)
		}
		fr := tsharkFrame{ts: ts, length: n}
		// The outer IP header is the first ip or ipv6 in the protocol
		// chain; inner headers (ICMP errors, tunnels) come after it as
		// further comma-separated values.
		protos := strings.Split(f[1], ":")
		v4, v6 := slices.Index(protos, "ip"), slices.Index(protos, "ipv6")
		switch {
		case v4 >= 0 && (v6 < 0 || v4 < v6) && f[2] != "":
			fr.src, fr.dst = first(t, f[2]), first(t, f[3])
		case v6 >= 0 && f[4] != "":
			fr.src, fr.dst = first(t, f[4]), first(t, f[5])
		}
		fr.inSrc, fr.inDst, fr.inLength = innermost(t, protos, f, fr.length)
		frames = append(frames, fr)
	}
	return frames, cut
}

// innermost finds, in tshark's fields f of a frame of length n with
// protocol chain protos, the packet capture.Options.Inner analyses: the
// last IP header before any ICMP error (which quotes another), and its
// length with a 14-byte Ethernet header; without IP, the frame's length,
// a Linux cooked header counted as Ethernet's.
func innermost(t *testing.T, protos, f []string, n uint64) (src, dst netip.Addr, length uint64) {
	k, seen := -1, map[string]int{}
	var kind string
	for _, p := range protos {
		if p == "icmp" || p == "icmpv6" {
			break
		}
		if p == "ip" || p == "ipv6" {
			k, kind = seen[p], p
			seen[p]++
		}
	}
	field := map[string][3]int{"ip": {2, 3, 7}, "ipv6": {4, 5, 8}}[kind]
	if k < 0 || f[field[0]] == "" {
		// Without IP a Linux cooked header (v2 has an interface index)
		// counts as Ethernet's.
		switch {
		case protos[0] != "sll":
		case f[9] != "":
			n -= 20 - 14
		default:
			n -= 16 - 14
		}
		return netip.Addr{}, netip.Addr{}, n
	}
	nth := func(s string) string { return strings.Split(s, ",")[k] }
	l, err := strconv.ParseUint(nth(f[field[2]]), 10, 32)
	if err != nil {
		t.Fatalf("tshark length %q: %v", f[field[2]], err)
	}
	if kind == "ipv6" {
		l += 40
	}
	return first(t, nth(f[field[0]])), first(t, nth(f[field[1]])), l + 14
}

func first(t *testing.T, s string) netip.Addr {
	s, _, _ = strings.Cut(s, ",")
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatalf("tshark address %q: %v", s, err)
	}
	return a
}

// parseEpoch parses a decimal Unix time such as "1795523159.817115298"
// into nanoseconds, exactly: a float64 has too few digits for nanoseconds.
func parseEpoch(s string) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	secs, frac, _ := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return 0, err
	}
	if len(frac) > 9 {
		return 0, fmt.Errorf("more than 9 fractional digits")
	}
	frac += strings.Repeat("0", 9-len(frac))
	ns, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, err
	}
	v := sec*1e9 + ns
	if neg {
		v = -v
	}
	return v, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// bucket cuts tshark's frames into windows of size T anchored at the first
// frame in file order; inner takes the analysed packet of Options.Inner.
func bucket(frames []tsharkFrame, size time.Duration, inner bool) map[int64]*oracleWindow {
	ws := map[int64]*oracleWindow{}
	t0 := frames[0].ts
	for _, f := range frames {
		k := floorDiv(f.ts-t0, int64(size))
		w := ws[k]
		if w == nil {
			w = &oracleWindow{pairs: map[pairID]counts{}}
			ws[k] = w
		}
		src, dst, n := f.src, f.dst, f.length
		if inner {
			src, dst, n = f.inSrc, f.inDst, f.inLength
		}
		w.total.frames++
		w.total.bytes += n
		if src.IsValid() {
			c := w.pairs[pairID{src, dst}]
			c.frames++
			c.bytes += n
			w.pairs[pairID{src, dst}] = c
		}
	}
	return ws
}

// aggregate runs the reader and the aggregator over a capture.
func aggregate(t *testing.T, path string, cfg traffic.Config, opts capture.Options) ([][]*traffic.Window, capture.Stats, traffic.Stats) {
	t.Helper()
	r, err := capture.OpenWith(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	a := traffic.New(cfg)
	out := make([][]*traffic.Window, len(cfg.Sizes))
	emit := func(i int, w *traffic.Window) { out[i] = append(out[i], w) }
	var p capture.Packet
	for {
		err := r.Next(&p)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		a.Add(&p)
		a.Drain(emit)
	}
	a.Finish(emit)
	return out, r.Stats(), a.Stats()
}

// TestOracleTshark checks the per-window, per-directed-IP-pair frames and
// bytes of every fixture against tshark's per-packet output bucketed into
// the same windows, exactly, for several window sizes.
func TestOracleTshark(t *testing.T) {
	for _, path := range oracleCaptures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) { oracle(t, path, false, false) })
	}
}

// TestOracleTsharkInner: with capture.Options.Inner, every frame counts
// by the packet tshark finds innermost (inside VXLAN, Geneve, IP in IP;
// not inside an ICMP error), with that packet's IP length and a 14-byte
// Ethernet header, window by window and pair by pair.
func TestOracleTsharkInner(t *testing.T) {
	for _, path := range oracleCaptures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) { oracle(t, path, false, true) })
	}
}

// TestOracleTruncated: a capture cut short is read as far as tshark reads
// it (to the last whole packet), window by window, and the cut recorded.
// Fixtures cut inside a record, a pcapng block and a gzip stream.
func TestOracleTruncated(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		file string
		keep int // bytes kept
	}{
		{"eth-micro.pcap", 38200},
		{"ngopts.pcapng", 30000},
		{"multi.pcapng.gz", 5000},
		{"eth-micro.pcap.gz", 4000},
	} {
		t.Run(c.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("../../testdata/captures", c.file))
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "cut-"+c.file)
			if err := os.WriteFile(path, b[:c.keep], 0o644); err != nil {
				t.Fatal(err)
			}
			oracle(t, path, true, false)
		})
	}
}

// oracle compares a capture's windows with tshark's; cut says whether the
// capture is cut short (both tshark and the reader must find it so), inner
// whether tunnels are opened (capture.Options.Inner).
func oracle(t *testing.T, path string, cut, inner bool) {
	frames, tsharkCut := runTshark(t, path)
	if len(frames) == 0 {
		t.Fatal("tshark read no frame")
	}
	got, cs, as := aggregate(t, path, traffic.Config{Sizes: oracleSizes}, capture.Options{Inner: inner})
	if tsharkCut != cut || (cs.Truncated != nil) != cut {
		t.Errorf("tshark finds the capture cut short: %v; the reader: %+v; want %v", tsharkCut, cs.Truncated, cut)
	}
	if cs.Packets != uint64(len(frames)) {
		t.Errorf("read %d packets, tshark %d", cs.Packets, len(frames))
	}
	// Time order, from the same tshark output.
	first, last, maxTs, ooo := frames[0].ts, frames[0].ts, frames[0].ts, uint64(0)
	for _, f := range frames[1:] {
		if f.ts < maxTs {
			ooo++
		}
		first, last, maxTs = min(first, f.ts), max(last, f.ts), max(maxTs, f.ts)
	}
	if cs.FirstInFile != frames[0].ts || cs.First != first || cs.Last != last || cs.OutOfOrder != ooo {
		t.Errorf("first in file %d, first %d, last %d, out of order %d; tshark %d %d %d %d", cs.FirstInFile, cs.First, cs.Last, cs.OutOfOrder, frames[0].ts, first, last, ooo)
	}
	for i, size := range oracleSizes {
		if as.Late[i] != 0 || as.OutOfSpan != 0 {
			t.Errorf("size %v: %d late, %d out of span packets; the oracle counts them all", size, as.Late[i], as.OutOfSpan)
		}
		compareWindows(t, size, bucket(frames, size, inner), got[i])
	}
}

func compareWindows(t *testing.T, size time.Duration, want map[int64]*oracleWindow, got []*traffic.Window) {
	t.Helper()
	keys := slices.Sorted(func(yield func(int64) bool) {
		for k := range want {
			if !yield(k) {
				return
			}
		}
	})
	lo, hi := keys[0], keys[len(keys)-1]
	if len(got) != int(hi-lo+1) {
		t.Fatalf("size %v: %d windows, want %d (indexes %d..%d, empty ones included)", size, len(got), hi-lo+1, lo, hi)
	}
	for i, w := range got {
		idx := lo + int64(i)
		if int64(w.Index) != idx {
			t.Fatalf("size %v: window %d has index %d, want %d", size, i, w.Index, idx)
		}
		if w.Partial != (idx == hi) {
			t.Errorf("size %v window %d: Partial %v, want %v", size, idx, w.Partial, idx == hi)
		}
		ow := want[idx]
		if ow == nil {
			ow = &oracleWindow{}
		}
		if w.Packets != ow.total.frames || w.Bytes != ow.total.bytes {
			t.Errorf("size %v window %d: %d frames %d bytes, tshark %d frames %d bytes", size, idx, w.Packets, w.Bytes, ow.total.frames, ow.total.bytes)
		}
		if len(w.Pairs) != len(ow.pairs) {
			t.Errorf("size %v window %d: %d pairs, tshark %d", size, idx, len(w.Pairs), len(ow.pairs))
		}
		for j, p := range w.Pairs {
			if j > 0 {
				q := w.Pairs[j-1]
				if c := q.Src.Compare(p.Src); c > 0 || (c == 0 && q.Dst.Compare(p.Dst) >= 0) {
					t.Errorf("size %v window %d: pairs not sorted: %v>%v before %v>%v", size, idx, q.Src, q.Dst, p.Src, p.Dst)
				}
			}
			c, ok := ow.pairs[pairID{p.Src, p.Dst}]
			if !ok {
				t.Errorf("size %v window %d: pair %v -> %v (%d frames) not in tshark's output", size, idx, p.Src, p.Dst, p.Frames)
				continue
			}
			if p.Frames != c.frames || p.Bytes != c.bytes {
				t.Errorf("size %v window %d: %v -> %v: %d frames %d bytes, tshark %d frames %d bytes", size, idx, p.Src, p.Dst, p.Frames, p.Bytes, c.frames, c.bytes)
			}
		}
	}
}
