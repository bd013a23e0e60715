package main

import (
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mimir-tui/mimir-tui/testdata/shared"
)

// tshark, validating every checksum, finds each checksum of a 2× build as
// right or wrong as in the source: twice as many of each. (Most TCP and
// UDP checksums in the scenarios are wrong from the start: checksum
// offload.)
func TestTsharkChecksumStatusesAsInSource(t *testing.T) {
	tshark := shared.Tool(t, "tshark")
	out := buildOut(t, "-copies", "2", benignDir)
	statuses := func(path string) map[string]int {
		cmd := exec.Command(tshark, "-n", "-r", path, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
			"-T", "fields", "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "udp.checksum.status", "-e", "icmp.checksum.status")
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %v", cmd, err)
		}
		m := map[string]int{}
		for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
			m[l]++
		}
		return m
	}
	src, got := statuses(filepath.Join(benignDir, "capture.pcapng.gz")), statuses(filepath.Join(out, "capture.pcapng"))
	var keys []string
	for k := range src {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if got[k] != 2*src[k] {
			t.Errorf("status %q (ip, tcp, udp, icmp; 1 right, 0 wrong): %d in the output, %d in the source", k, got[k], src[k])
		}
	}
	if len(got) != len(src) {
		t.Errorf("statuses %v, source %v", got, src)
	}
}
