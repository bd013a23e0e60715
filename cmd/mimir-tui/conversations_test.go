package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
)

const convFixtures = "../../testdata/captures/"

type convLine struct {
	Window        int       `json:"window"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	Partial       bool      `json:"partial"`
	Conversations []struct {
		Src    string `json:"src"`
		Dst    string `json:"dst"`
		Frames uint64 `json:"frames"`
		Bytes  uint64 `json:"bytes"`
	} `json:"conversations"`
}

func parseLines(t *testing.T, out []byte) []convLine {
	t.Helper()
	var ls []convLine
	for i, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		var c convLine
		if err := json.Unmarshal([]byte(l), &c); err != nil {
			t.Fatalf("line %d %q: %v", i, l, err)
		}
		ls = append(ls, c)
	}
	return ls
}

// TestConversations runs the command on a fixture with 1 s windows.
// Expected totals: `tshark -r testdata/captures/eth-micro.pcap -q -z
// conv,ip` gives 10.99.0.1 -> 10.99.0.2 31 frames, 8421 bytes; the capture
// spans 6.80 s (capinfos: 13:58:29.132568 to 13:58:35.930738), so 7
// windows, the last partial.
func TestConversations(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := runConversations(context.Background(), []string{"--window", "1s", convFixtures + "eth-micro.pcap"}, &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	ls := parseLines(t, stdout.Bytes())
	if len(ls) != 7 {
		t.Fatalf("%d windows, want 7", len(ls))
	}
	var frames, bytes uint64
	for i, l := range ls {
		if l.Window != i || l.Partial != (i == 6) || l.End.Sub(l.Start) != time.Second {
			t.Errorf("line %d: window %d partial %v %v..%v", i, l.Window, l.Partial, l.Start, l.End)
		}
		for j, c := range l.Conversations {
			if j > 0 && c.Src == l.Conversations[j-1].Src && c.Dst == l.Conversations[j-1].Dst {
				t.Errorf("window %d: pair %s -> %s twice", i, c.Src, c.Dst)
			}
			if c.Src == "10.99.0.1" && c.Dst == "10.99.0.2" {
				frames += c.Frames
				bytes += c.Bytes
			}
		}
	}
	if frames != 31 || bytes != 8421 {
		t.Errorf("10.99.0.1 -> 10.99.0.2: %d frames %d bytes, tshark 31 frames 8421 bytes", frames, bytes)
	}
	if !ls[0].Start.Equal(time.Unix(1795528709, 132568000)) {
		t.Errorf("first window starts %v, want the first packet's time 1795528709.132568", ls[0].Start)
	}
	if stderr.Len() != 0 {
		t.Errorf("warnings on a clean capture: %s", stderr.String())
	}
}

// TestConversationsFormat checks one line byte for byte: headers.pcap in
// one 10 s window (its 22 frames are 137 ms apart: 2.9 s). The window
// starts at the first frame, 1795528700.123456789 = 13:58:20.123456789 UTC
// (1795521600 is 12:00:00). Frame lengths from writeHeaders in
// testdata/captures/src/gen/main.go, by hand (Ethernet 14, IPv4 20, IPv6
// 40, UDP 8, TCP 20, option headers 8, AH 24, DNS queries 31):
//
//	10.99.0.1 -> 10.99.0.2: options+DNS 77, AH+TCP 78, ICMP error 70,
//	  first fragment 66, later fragment 50, snapped TCP 54 (on the wire),
//	  LLC/SNAP 50: 7 frames, 445 bytes
//	10.99.0.2 -> 10.99.0.1: IPv6 in IPv4, 14+20+40+16 = 90
//	fd99::1 -> fd99::2: 101, 106, 98, 118, 86, 86, 54, 190, 74: 9 frames, 913
//	fd99::2 -> fd99::1: IPv4 in IPv6, 14+40+28 = 82
//
// The IHL-3 and short-total-length frames, the IPv6 header cut at 20
// bytes and the runt have no addresses (as in tshark).
func TestConversationsFormat(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := runConversations(context.Background(), []string{convFixtures + "headers.pcap"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	want := `{"window":0,"start":"2026-11-24T13:58:20.123456789Z","end":"2026-11-24T13:58:30.123456789Z","partial":true,"conversations":[` +
		`{"src":"10.99.0.1","dst":"10.99.0.2","frames":7,"bytes":445},` +
		`{"src":"10.99.0.2","dst":"10.99.0.1","frames":1,"bytes":90},` +
		`{"src":"fd99::1","dst":"fd99::2","frames":9,"bytes":913},` +
		`{"src":"fd99::2","dst":"fd99::1","frames":1,"bytes":82}]}` + "\n"
	if stdout.String() != want {
		t.Errorf("got\n%s\nwant\n%s", stdout.String(), want)
	}
	if !strings.Contains(stderr.String(), "5 frames have malformed headers") {
		t.Errorf("stderr %q: want the malformed-frame warning", stderr.String())
	}
}

// TestConversationsOutputFile: -o writes the file atomically, and nothing
// to standard output; standard input is read with "-".
func TestConversationsOutputFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "conv.jsonl")
	f, err := os.Open(convFixtures + "multi.pcapng.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	old := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = old }()
	var stdout, stderr bytes.Buffer
	if err := runConversations(context.Background(), []string{"-", "-o", out, "--window", "2s"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if stdout.Len() != 0 {
		t.Errorf("standard output: %q", stdout.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// multi.pcapng.gz spans the same 6.8 s as eth-micro.pcap: 4 windows.
	if ls := parseLines(t, b); len(ls) != 4 {
		t.Errorf("%d windows, want 4", len(ls))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the output directory, want only the output", len(entries))
	}
}

// TestConversationsNeverOverwrites: -o refuses an existing file before
// reading anything, as every other output does, unless --force.
func TestConversationsNeverOverwrites(t *testing.T) {
	out := filepath.Join(t.TempDir(), "conv.jsonl")
	if err := os.WriteFile(out, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err := runConversations(context.Background(), []string{"-o", out, convFixtures + "eth-micro.pcap"}, &stdout, &stderr)
	if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "exists; remove it or pass --force") {
		t.Fatalf("error %v, want a usage error saying the file exists", err)
	}
	if b, _ := os.ReadFile(out); string(b) != "keep me\n" {
		t.Fatalf("the file was changed: %q", b)
	}
	if err := runConversations(context.Background(), []string{"--force", "-o", out, convFixtures + "eth-micro.pcap"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); len(parseLines(t, b)) == 0 {
		t.Error("--force did not write the windows")
	}
}

// TestConversationsCancel: a cancelled context stops the command with
// context.Canceled and leaves no output file.
func TestConversationsCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	out := filepath.Join(dir, "conv.jsonl")
	var stdout, stderr bytes.Buffer
	err := runConversations(ctx, []string{"-o", out, convFixtures + "eth-micro.pcap"}, &stdout, &stderr)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files left after a cancel: %v", entries)
	}
}

// TestConversationsTruncated: a capture cut inside its last record gives
// every window before the cut and a warning naming the offset.
func TestConversationsTruncated(t *testing.T) {
	b, err := os.ReadFile(convFixtures + "eth-micro.pcap")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cut.pcap")
	if err := os.WriteFile(path, b[:len(b)-20], 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := runConversations(context.Background(), []string{path}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if ls := parseLines(t, stdout.Bytes()); len(ls) != 1 || !ls[0].Partial {
		t.Errorf("%d windows, want 1 partial", len(ls))
	}
	if !strings.Contains(stderr.String(), "cut.pcap: offset ") || !strings.Contains(stderr.String(), "the 101 packets before it were read") {
		t.Errorf("stderr %q: want the file, the offset and the count", stderr.String())
	}
}

// TestConversationsLate: with a reorder slack of 1 ns, a packet 2 s out of
// order after its window was written is dropped and reported.
func TestConversationsLate(t *testing.T) {
	le := binary.LittleEndian
	b := le.AppendUint32(nil, 0xa1b2c3d4)
	b = le.AppendUint16(b, 2)
	b = le.AppendUint16(b, 4)
	b = append(b, make([]byte, 8)...)
	b = le.AppendUint32(b, 65535)
	b = le.AppendUint32(b, 101) // raw IP
	// IPv4 10.0.0.1 -> 10.0.0.2, protocol 17, 20 bytes.
	ip := []byte{0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2}
	for _, sec := range []uint32{100, 111, 109} {
		b = le.AppendUint32(b, sec)
		b = le.AppendUint32(b, 0)
		b = le.AppendUint32(b, 20)
		b = le.AppendUint32(b, 20)
		b = append(b, ip...)
	}
	path := filepath.Join(t.TempDir(), "late.pcap")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := runConversations(context.Background(), []string{"--reorder-slack", "1ns", path}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	ls := parseLines(t, stdout.Bytes())
	if len(ls) != 2 || ls[0].Conversations[0].Frames != 1 || ls[1].Conversations[0].Frames != 1 {
		t.Errorf("windows %+v: want two windows of one frame each", ls)
	}
	if !strings.Contains(stderr.String(), "1 packets arrived after their window had been written") {
		t.Errorf("stderr %q: want the late-packet warning", stderr.String())
	}
}

func TestConversationsUsage(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--window", "0s", "a.pcap"},
		{"--node", "a", "a.pcap"},
		{"--node", "a=b.pcap", "a.pcap"},
		{"--clock-offset", "a=ten", "a.pcap"},
		{"--clock-offset", "nosuchnode=1ms", "a.pcap", "b.pcap"},
		{"--window", "ten", "a.pcap"},
		{"--reorder-slack", "-1s", "a.pcap"},
	} {
		var stdout, stderr bytes.Buffer
		if err := runConversations(context.Background(), args, &stdout, &stderr); !errors.Is(err, errUsage) {
			t.Errorf("%q: error %v, want a usage error", args, err)
		}
	}
	var stdout, stderr bytes.Buffer
	err := runConversations(context.Background(), []string{"/nonexistent/x.pcap"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/x.pcap") {
		t.Errorf("missing file: %v", err)
	}
}

// TestConversationsGzipCut: a gzip stream cut short is a capture cut
// short, not an I/O failure: the windows before the cut are written and
// the cut is a warning with its offset in the decompressed stream.
// eth-micro.pcap.gz (7093 bytes) cut to 5000 bytes.
func TestConversationsGzipCut(t *testing.T) {
	b, err := os.ReadFile(convFixtures + "eth-micro.pcap.gz")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cut.pcap.gz")
	if err := os.WriteFile(path, b[:5000], 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := runConversations(context.Background(), []string{"--window", "1s", path}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if ls := parseLines(t, stdout.Bytes()); len(ls) == 0 {
		t.Error("no window written before the cut")
	}
	if !strings.Contains(stderr.String(), "cut.pcap.gz: offset ") || !strings.Contains(stderr.String(), "(decompressed)") || !strings.Contains(stderr.String(), "gzip stream ends early") {
		t.Errorf("stderr %q: want the cut, its decompressed offset and the gzip stream", stderr.String())
	}
}

// TestConversationsStrict: with --strict a capture cut short is an error
// and -o leaves no file.
func TestConversationsStrict(t *testing.T) {
	b, err := os.ReadFile(convFixtures + "eth-micro.pcap")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "cut.pcap")
	if err := os.WriteFile(path, b[:len(b)-20], 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "conv.jsonl")
	var stdout, stderr bytes.Buffer
	err = runConversations(context.Background(), []string{"--strict", "-o", out, path}, &stdout, &stderr)
	if !errors.Is(err, capture.ErrTruncated) || !strings.Contains(err.Error(), "the 101 packets before it were read") {
		t.Errorf("error %v, want the cut as an error", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("the output file was written")
	}
}

// TestConversationsUndecoded: frames whose IP stays hidden (encrypted
// MACsec: 4 of macsec.pcap's frames) are warned about with their count.
func TestConversationsUndecoded(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := runConversations(context.Background(), []string{convFixtures + "macsec.pcap"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "warning: 4 encrypted MACsec frames count in no IP pair") {
		t.Errorf("stderr %q: want the encrypted MACsec frames counted", stderr.String())
	}
}

// TestConversationsSeveral: two node captures, with tunnels opened and
// copies counted once, give byte for byte what the bridge between their
// pods gives (testdata/captures/src/gen/twonode.go spreads the bridge's
// frames over two nodes joined by VXLAN; node b's clock 3.75 ms ahead,
// estimated and said); by default, as tshark counts them, every copy
// counts and the tunnel is node-to-node traffic.
func TestConversationsSeveral(t *testing.T) {
	run := func(args ...string) (string, string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if err := runConversations(context.Background(), args, &stdout, &stderr); err != nil {
			t.Fatal(err)
		}
		return stdout.String(), stderr.String()
	}
	a, b := convFixtures+"twonode-a.pcap.gz", convFixtures+"twonode-b.pcap.gz"
	bridge, _ := run("--window", "1s", convFixtures+"node-bridge.pcap.gz")
	got, notes := run("--window", "1s", "--inner", "--dedup", "--node", "node-a="+a, a, b)
	if got != bridge {
		t.Errorf("two nodes, --inner --dedup:\n%s\nthe bridge:\n%s", got, bridge)
	}
	for _, want := range []string{
		"note: " + a + " (node node-a): clock reference clock\n",
		"note: " + b + " (node twonode-b): clock +3.76",
		"note: 243 of 333 frames were copies of a packet seen before",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("stderr %q: want %q", notes, want)
		}
	}
	outer, notes := run("--window", "1s", a, b)
	var frames, tunnel uint64
	for _, l := range parseLines(t, []byte(outer)) {
		for _, c := range l.Conversations {
			frames += c.Frames
			if c.Src == "192.168.50.1" && c.Dst == "192.168.50.2" {
				tunnel += c.Frames
			}
		}
	}
	// 331 IP frames in both (capinfos 333, 2 ARP); pod A's 40 packets to
	// pod B on both uplinks.
	if frames != 331 || tunnel != 80 || strings.Contains(notes, "copies") {
		t.Errorf("by default: %d IP frames, %d node-to-node; want 331 and 80, and no copy dropped (%q)", frames, tunnel, notes)
	}
	// A clock offset given is used, and said.
	_, notes = run("--clock-offset", "twonode-b=3ms", a, b)
	if !strings.Contains(notes, "clock +3ms (given)") {
		t.Errorf("stderr %q: want the given offset", notes)
	}
}

// TestConversationsMisplacedLog: an entity log among the captures is
// named, before anything is read.
func TestConversationsMisplacedLog(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := runConversations(context.Background(), []string{convFixtures + "eth-micro.pcap", "../../testdata/shop-demo/entities.jsonl"}, &stdout, &stderr)
	if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "entities.jsonl is an entity log, not a capture") {
		t.Errorf("error %v", err)
	}
}
