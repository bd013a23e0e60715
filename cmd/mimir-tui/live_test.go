package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
)

// The live test's settings: short windows, so that it takes well under a
// minute; the bound on alert latency is the issue's, one window plus the
// reorder slack, with grace for the poll interval (200 ms) and for
// scoring on a shared 2-core machine (measured: the lines come 0.14–0.34 s
// after their windows' ends plus the slack).
const (
	liveWindow = 2 * time.Second
	liveSlack  = time.Second
	liveLag    = 500 * time.Millisecond
	liveGrace  = 700 * time.Millisecond
	// liveLead is how long before the attack the writer starts writing in
	// real time; liveAttack how much of the attack it writes.
	liveLead   = 6 * time.Second
	liveAttack = 10 * time.Second
)

// newPod is the pod the entity log adds while the analysis runs: a second
// replica of shop-db, which the attack's packets are rewritten to come
// from.
const newPod = "shop-db-1"

var newPodIP = netip.MustParseAddr("10.244.0.99")

// liveRecord is a pcap record of the replayed capture at its new time.
type liveRecord struct {
	at     time.Time
	data   []byte
	attack bool
}

// TestFollowLive: the real binary follows a capture and an entity log
// that a writer appends to in real time — the direct-exfil scenario's
// packets, their timestamps moved to the wall clock, the attack's source
// rewritten to a pod that the entity log adds four seconds before it —
// and writes each window's line as it is scored. Every window of the
// attack (2 s and 10 s) alerts within its length plus the reorder slack
// (and a grace for polling and scoring) of the attack's first packet in
// it being written; the flagged edge is shop-db -> outside from the new
// pod, so it was resolved; Ctrl-C ends the run with status 130 and whole
// lines.
func TestFollowLive(t *testing.T) {
	bin := builtBinary(t)
	live := startLive(t, bin)
	cmd := exec.Command(bin, "analyze", "--follow", "--model", live.model, "--window", "2s,10s",
		"--reorder-slack", liveSlack.String(), "--entities-lag", liveLag.String(), live.capPath, live.logPath)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := readLines(stdout)

	written := live.write()

	// Every 2 s window the attack wrote to must come out; then Ctrl-C.
	var last time.Time
	for _, at := range written {
		last = at.packet
	}
	got := waitLines(t, lines, last, 30*time.Second)
	cmd.Process.Signal(syscall.SIGINT)
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("after Ctrl-C: %v, want exit status 130; stderr:\n%s", err, stderr.String())
	}
	checkLive(t, got, written)
}

// liveInputs are a live test's capture and entity log, what happened
// before the test began already in them, the rest to write in real time.
type liveInputs struct {
	model, capPath, logPath string
	cf, lf                  *os.File
	rest                    []liveRecord
	attackAt                time.Time
	addLine                 []byte
}

// startLive trains a model of the benign capture and starts the live
// inputs: the direct-exfil scenario moved so that its attack begins
// liveLead from now, from the new pod, which the log adds four seconds
// before.
func startLive(t *testing.T, bin string) *liveInputs {
	t.Helper()
	dir := t.TempDir()
	l := &liveInputs{model: filepath.Join(dir, "model.json"),
		capPath: filepath.Join(dir, "live.pcap"), logPath: filepath.Join(dir, "live.jsonl")}
	if out, err := exec.Command(bin, "train", "--window", "2s,10s", "--sensitive", "shop-db", "-o", l.model, benignCapture, benignEntities).CombinedOutput(); err != nil {
		t.Fatalf("train: %v\n%s", err, out)
	}
	scen := filepath.Join("..", "..", "testdata", "scenarios", "direct-exfil")
	start := time.Now()
	recs, attackAt := liveCapture(t, scen, start.Add(liveLead))
	past, addLine := liveLog(t, scen, recs[0].at, attackAt.Add(-4*time.Second))

	// What happened before the test began is written at once.
	first := slices.IndexFunc(recs, func(r liveRecord) bool { return r.at.After(start) })
	l.cf = create(t, l.capPath, pcapHeader(capture.LinkEthernet))
	for _, r := range recs[:first] {
		l.cf.Write(r.data)
	}
	l.lf = create(t, l.logPath, past)
	l.rest, l.attackAt, l.addLine = recs[first:], attackAt, addLine
	return l
}

// write writes the rest in real time, the new pod's add in its place,
// until liveAttack after the attack began, and closes the files.
func (l *liveInputs) write() []liveWrite {
	written := writeLive(l.cf, l.lf, l.rest, l.attackAt.Add(liveAttack), l.addLine)
	l.cf.Close()
	l.lf.Close()
	return written
}

// liveCapture reads the scenario's capture and moves it in time so that
// its first attack packet is at attackAt; the attack's packets come from
// the new pod. The records are nanosecond pcap records.
func liveCapture(t *testing.T, dir string, attackAt time.Time) ([]liveRecord, time.Time) {
	t.Helper()
	var truth struct {
		Attacks []struct {
			SrcIP string `json:"src_ip"`
			DstIP string `json:"dst_ip"`
		} `json:"attacks"`
	}
	readJSON(t, filepath.Join(dir, "ground_truth.json"), &truth)
	src, dst := netip.MustParseAddr(truth.Attacks[0].SrcIP), netip.MustParseAddr(truth.Attacks[0].DstIP)
	rd, err := capture.Open(filepath.Join(dir, "capture.pcapng.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var recs []liveRecord
	var attack int64 = -1
	var p capture.Packet
	for rd.Next(&p) == nil {
		isAttack := (p.Src == src && p.Dst == dst) || (p.Src == dst && p.Dst == src)
		frame := slices.Clone(p.Frame)
		if isAttack {
			rewriteIPv4(t, frame, src, newPodIP)
			if attack < 0 {
				attack = p.Timestamp
			}
		}
		recs = append(recs, liveRecord{at: time.Unix(0, p.Timestamp), data: frame, attack: isAttack})
	}
	shift := attackAt.Sub(time.Unix(0, attack))
	for i := range recs {
		recs[i].at = recs[i].at.Add(shift)
		recs[i].data = pcapRecord(recs[i].at, recs[i].data)
	}
	return recs, attackAt
}

// rewriteIPv4 replaces the address from by to in an Ethernet/IPv4 frame's
// header and fixes its checksum.
func rewriteIPv4(t *testing.T, frame []byte, from, to netip.Addr) {
	if len(frame) < 34 || binary.BigEndian.Uint16(frame[12:14]) != 0x0800 {
		t.Fatalf("an attack frame that is not Ethernet/IPv4: % x", frame[:min(len(frame), 20)])
	}
	ip := frame[14 : 14+int(frame[14]&0x0f)*4]
	for _, off := range []int{12, 16} {
		if netip.AddrFrom4([4]byte(ip[off:off+4])) == from {
			b := to.As4()
			copy(ip[off:], b[:])
		}
	}
	ip[10], ip[11] = 0, 0
	var sum uint32
	for i := 0; i < len(ip); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
}

// pcapHeader is a nanosecond pcap file's header.
func pcapHeader(link capture.LinkType) []byte {
	var b bytes.Buffer
	pcapgo.NewWriterNanos(&b).WriteFileHeader(262144, layers.LinkType(link))
	return b.Bytes()
}

// pcapRecord is frame as a nanosecond pcap record at at.
func pcapRecord(at time.Time, frame []byte) []byte {
	var b bytes.Buffer
	pcapgo.NewWriterNanos(&b).WritePacket(gopacket.CaptureInfo{Timestamp: at, CaptureLength: len(frame), Length: len(frame)}, frame)
	return b.Bytes()
}

// liveLog is the scenario's entity log moved as the capture was (its
// first packet now at firstPacket), and the line that adds the new pod at
// addAt, a replica of shop-db-0.
func liveLog(t *testing.T, dir string, firstPacket, addAt time.Time) ([]byte, []byte) {
	t.Helper()
	var capStart struct {
		Start float64 `json:"capture_start_epoch"`
	}
	readJSON(t, filepath.Join(dir, "metadata.json"), &capStart)
	shift := firstPacket.Sub(time.Unix(0, int64(capStart.Start*1e9)))
	data, err := os.ReadFile(filepath.Join(dir, "entities.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	var replica map[string]any
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatal(err)
		}
		ts, err := time.Parse(time.RFC3339Nano, ev["ts"].(string))
		if err != nil {
			t.Fatal(err)
		}
		ev["ts"] = ts.Add(shift).UTC().Format(time.RFC3339Nano)
		if ev["name"] == "shop-db-0" {
			replica = ev
		}
		b, _ := json.Marshal(ev)
		out = append(append(out, b...), '\n')
	}
	if replica == nil {
		t.Fatal("no shop-db-0 in the scenario's entity log")
	}
	replica["name"], replica["ip"], replica["ts"] = newPod, newPodIP.String(), addAt.UTC().Format(time.RFC3339Nano)
	add, _ := json.Marshal(replica)
	return out, append(add, '\n')
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

func create(t *testing.T, path string, data []byte) *os.File {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	return f
}

// liveWrite is when an attack packet was written, and its time.
type liveWrite struct{ packet, written time.Time }

// writeLive writes each record when the wall clock reaches its time, as
// tcpdump -U does, until stop, and the add line at its time (the
// recorder); it returns when each attack packet was written.
func writeLive(cf, lf *os.File, recs []liveRecord, stop time.Time, addLine []byte) []liveWrite {
	var out []liveWrite
	var addAt struct{ TS time.Time }
	json.Unmarshal(addLine, &addAt)
	for _, r := range recs {
		if r.at.After(stop) {
			break
		}
		if addLine != nil && !addAt.TS.After(r.at) {
			time.Sleep(time.Until(addAt.TS))
			lf.Write(addLine)
			addLine = nil
		}
		time.Sleep(time.Until(r.at))
		cf.Write(r.data)
		if r.attack {
			out = append(out, liveWrite{packet: r.at, written: time.Now()})
		}
	}
	return out
}

// liveLine is a line of analyze's output and when it came.
type liveLine struct {
	came time.Time
	rec  windowRecord
	err  error
}

func readLines(r io.Reader) <-chan liveLine {
	ch := make(chan liveLine, 1024)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
		for sc.Scan() {
			l := liveLine{came: time.Now()}
			l.err = json.Unmarshal(sc.Bytes(), &l.rec)
			ch <- l
		}
	}()
	return ch
}

// waitLines collects lines until a 2 s window ending after last has come,
// or the timeout.
func waitLines(t *testing.T, lines <-chan liveLine, last time.Time, timeout time.Duration) []liveLine {
	t.Helper()
	var got []liveLine
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("analyze ended after %d lines", len(got))
			}
			if l.err != nil {
				t.Fatalf("line %d is not a whole record: %v", len(got)+1, l.err)
			}
			got = append(got, l)
			end, _ := time.Parse(time.RFC3339Nano, l.rec.End)
			if l.rec.SizeSeconds == liveWindow.Seconds() && end.After(last) {
				return got
			}
		case <-deadline:
			t.Fatalf("after %v, %d lines; the window of the last attack packet (%v) did not come", timeout, len(got), last)
		}
	}
}

// checkLive checks that every window of the attack that came out
// alerted in time, naming the new pod: within its length plus the
// reorder slack (and the grace) of its first attack packet being written.
func checkLive(t *testing.T, got []liveLine, written []liveWrite) {
	t.Helper()
	lat := make(map[float64][]time.Duration)
	var afterEnd []time.Duration
	for _, l := range got {
		size := time.Duration(l.rec.SizeSeconds * float64(time.Second))
		start, _ := time.Parse(time.RFC3339Nano, l.rec.Start)
		end, _ := time.Parse(time.RFC3339Nano, l.rec.End)
		i := slices.IndexFunc(written, func(w liveWrite) bool { return !w.packet.Before(start) && w.packet.Before(end) })
		if i < 0 {
			continue // no attack packet in this window
		}
		d, bound := l.came.Sub(written[i].written), size+liveSlack+liveGrace
		lat[l.rec.SizeSeconds] = append(lat[l.rec.SizeSeconds], d)
		afterEnd = append(afterEnd, l.came.Sub(end))
		if !l.rec.Alert || d > bound || !fromNewPod(l.rec) {
			t.Errorf("%v window %d (%s): alert %v after %v (bound %v), flagged %s", size, l.rec.Window, l.rec.Start, l.rec.Alert, d.Round(time.Millisecond), bound, flagged(l.rec))
		}
	}
	if len(lat[liveWindow.Seconds()]) < 3 || len(lat[10]) < 1 {
		t.Fatalf("attack windows out: %d of 2 s, %d of 10 s; want at least 3 and 1", len(lat[liveWindow.Seconds()]), len(lat[10]))
	}
	for _, size := range []float64{2, 10} {
		d := lat[size]
		slices.Sort(d)
		t.Logf("%gs windows: alert %v–%v (median %v) after the window's first attack packet was written (bound %v)",
			size, d[0].Round(time.Millisecond), d[len(d)-1].Round(time.Millisecond), d[len(d)/2].Round(time.Millisecond),
			time.Duration(size*float64(time.Second))+liveSlack+liveGrace)
	}
	slices.Sort(afterEnd)
	t.Logf("the lines came %v–%v after their windows' ends (reorder slack %v)", afterEnd[0].Round(time.Millisecond), afterEnd[len(afterEnd)-1].Round(time.Millisecond), liveSlack)
}

// fromNewPod reports whether shop-db -> outside is flagged from the pod
// the log added while the analysis ran.
func fromNewPod(r windowRecord) bool {
	for _, e := range r.FlaggedEdges {
		if e.Src == "shop-db" && e.Dst == "outside" && slices.Contains(e.SrcPods, newPod) {
			return true
		}
	}
	return false
}

func flagged(r windowRecord) string {
	var out []string
	for _, e := range r.FlaggedEdges {
		out = append(out, fmt.Sprintf("%s -> %s %v", e.Src, e.Dst, e.SrcPods))
	}
	return strings.Join(out, "; ")
}
