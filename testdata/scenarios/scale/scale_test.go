package main

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A 2× build holds every source frame twice, at the source's timestamp,
// and each copy's traffic per 10 s window and directed pair is exactly
// the source's.
func TestTwoCopiesRepeatTheSourcePerPair(t *testing.T) {
	out := buildOut(t, "-copies", "2", benignDir)
	srcPath := filepath.Join(benignDir, "capture.pcapng.gz")
	src, got := readPackets(t, srcPath), readPackets(t, filepath.Join(out, "capture.pcapng"))
	if len(src) != 14381 || len(got) != 2*len(src) {
		t.Fatalf("packets: source %d (README: 14 381), output %d, want twice the source", len(src), len(got))
	}
	for i, p := range got {
		s := src[i/2]
		if p.ts != s.ts || p.wire != s.wire {
			t.Fatalf("output packet %d: ts %d, %d bytes; source packet %d: ts %d, %d bytes", i+1, p.ts, p.wire, i/2+1, s.ts, s.wire)
		}
	}

	want := windowPairs(t, srcPath)
	perCopy := []map[pairKey]counts{{}, {}}
	for k, c := range windowPairs(t, filepath.Join(out, "capture.pcapng")) {
		ks, src := copyOf(k.src)
		kd, dst := copyOf(k.dst)
		if ks >= 0 && kd >= 0 && ks != kd {
			t.Fatalf("pair %v -> %v crosses copies %d and %d", k.src, k.dst, ks, kd)
		}
		perCopy[max(ks, kd)][pairKey{k.win, src, dst}] = c
	}
	for copy, m := range perCopy {
		if len(m) != len(want) {
			t.Errorf("copy %d: %d window pairs, source %d", copy, len(m), len(want))
		}
		for k, c := range want {
			if m[k] != c {
				t.Errorf("copy %d, window %d, %v -> %v: %+v, source %+v", copy, k.win, k.src, k.dst, m[k], c)
			}
		}
	}
}

// Every copy's pods resolve to the renamed pod at the moment it is on the
// wire; the names are cited from the benign entities.jsonl.
func TestTwoCopiesEntityLogResolvesRenamedPods(t *testing.T) {
	out := buildOut(t, "-copies", "2", benignDir)
	tl := timeline(t, filepath.Join(out, "entities.jsonl"))
	at := time.Date(2026, 11, 24, 14, 35, 0, 0, time.UTC).UnixNano() // 82 s in: after the front-end replacement
	for _, c := range []struct{ ip, name, service, namespace string }{
		{"10.244.0.13", "catalogue-k28qrjdrsm-jf29z", "catalogue", "default"},
		{"10.244.1.13", "catalogue-k1-k28qrjdrsm-jf29z", "catalogue-k1", "default-k1"},
		{"10.244.1.12", "shop-db-k1-0", "shop-db-k1", "default-k1"},
		{"10.244.1.9", "kube-dns-k1-zkmt58jnsd-ljhds", "kube-dns-k1", "kube-system"},
		{"10.244.1.30", "load-test-k1-4fgnfpbs4-j4449", "load-test-k1", "loadtest-k1"},
		{"10.244.1.31", "front-end-k1-dlglsjrfv8-krjsm", "front-end-k1", "default-k1"},
	} {
		in := tl.Lookup(netip.MustParseAddr(c.ip), at)
		if in == nil {
			t.Errorf("%s resolves to nobody", c.ip)
			continue
		}
		if in.Name != c.name || in.Service != c.service || in.Namespace != c.namespace {
			t.Errorf("%s: pod %s of %s in %s, want %s of %s in %s", c.ip, in.Name, in.Service, in.Namespace, c.name, c.service, c.namespace)
		}
	}
	if in := tl.Lookup(netip.MustParseAddr("10.244.1.9"), at); in == nil || !in.DNS {
		t.Errorf("copy 1's kube-dns pod is not cluster DNS: %+v", in)
	}
	checkEveryAddressResolves(t, benignDir, out, 0)
}

// checkEveryAddressResolves checks that every in-cluster address on the
// output's wire resolves to the pod the source's address resolves to at
// the same instant of the source, renamed for its copy; repetition r of
// the source is shifted by r·period.
func checkEveryAddressResolves(t *testing.T, srcDir, out string, period time.Duration) {
	t.Helper()
	srcTl := timeline(t, filepath.Join(srcDir, "entities.jsonl"))
	tl := timeline(t, filepath.Join(out, "entities.jsonl"))
	capName := "capture.pcapng"
	src := readPackets(t, filepath.Join(srcDir, "capture.pcapng.gz"))
	bad := 0
	for _, p := range readPackets(t, filepath.Join(out, capName)) {
		srcTs := p.ts
		if period > 0 {
			first, _ := span(src)
			srcTs = first + (p.ts-first)%int64(period)
		}
		for _, a := range []netip.Addr{p.src, p.dst} {
			if !a.IsValid() || !tl.InCluster(a) {
				continue
			}
			k, orig := copyOf(a)
			want := srcTl.Lookup(orig, srcTs)
			in := tl.Lookup(a, p.ts)
			switch {
			case want == nil && in == nil:
			case want == nil || in == nil:
				bad++
			default:
				suffix := ""
				if k > 0 {
					suffix = fmt.Sprintf("-k%d", k)
				}
				if in.Service != want.Service+suffix || in.Name != strings.Replace(want.Name, want.Service, want.Service+suffix, 1) {
					bad++
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d addresses on the wire resolve differently from the source's", bad)
	}
}

// -attack puts the scenario into the named copy only, and the ground
// truth names that copy's renamed services, pods and addresses at the
// output's times.
func TestAttackGoesIntoTheNamedCopyOnly(t *testing.T) {
	out := buildOut(t, "-copies", "3", "-attack", "direct-exfil:2", benignDir)
	attacker := netip.MustParseAddr("203.0.113.10")
	gt := groundTruth(t, out)
	attacks := gt["attacks"].([]any)
	if len(attacks) != 1 {
		t.Fatalf("%d attacks in the ground truth, want 1", len(attacks))
	}
	a := attacks[0].(map[string]any)
	for k, want := range map[string]string{"id": "A1-k2", "src_ip": "10.244.2.9", "dst_ip": "203.0.113.10", "path": "[shop-db-k2 outside]", "pods": "[shop-db-k2-0]", "copy": "2", "windows_10s": "[9 15]"} {
		if got := fmt.Sprint(a[k]); got != want {
			t.Errorf("ground truth %s = %s, want %s", k, got, want)
		}
	}
	// direct-exfil's own ground truth: 1795530533.3420756 to
	// 1795530593.34327; its first packet moves onto benign's.
	shift := float64(readPackets(t, filepath.Join(benignDir, "capture.pcapng.gz"))[0].ts-readPackets(t, filepath.Join(exfilDir, "capture.pcapng.gz"))[0].ts) / 1e9
	start, end := a["start"].(float64), a["end"].(float64)
	if d := start - (1795530533.3420756 + shift); d > 1e-5 || d < -1e-5 {
		t.Errorf("start %.6f, want the source's moved by %.6f s", start, shift)
	}
	n := 0
	for _, p := range readPackets(t, filepath.Join(out, "capture.pcapng")) {
		if p.src != attacker && p.dst != attacker {
			continue
		}
		n++
		other := p.src
		if other == attacker {
			other = p.dst
		}
		if k, _ := copyOf(other); k != 2 {
			t.Fatalf("a packet of %v with the attacker is in copy %d", other, k)
		}
		if ts := float64(p.ts) / 1e9; ts < start-1e-5 || ts > end+1e-5 {
			t.Fatalf("attack packet at %.6f outside the ground truth [%.6f, %.6f]", ts, start, end)
		}
	}
	if n == 0 {
		t.Fatal("no packet with the attacker in the output")
	}
	if got := fmt.Sprint(gt["sensitive_services"]); got != "[shop-db shop-db-k1 shop-db-k2]" {
		t.Errorf("sensitive services %s", got)
	}
}

// -repeat K gives K× the packets, repetition r at the source's timestamps
// plus r·300 s (benign spans 296.412 s, rounded up to the minute), with an
// entity log that resolves every address on the wire in every repetition.
func TestRepeatShiftsWholeRepetitions(t *testing.T) {
	const period = 300 * time.Second
	out := buildOut(t, "-repeat", "3", benignDir)
	src := readPackets(t, filepath.Join(benignDir, "capture.pcapng.gz"))
	got := readPackets(t, filepath.Join(out, "capture.pcapng"))
	if len(got) != 3*len(src) {
		t.Fatalf("%d packets, want 3 × %d", len(got), len(src))
	}
	for i, p := range got {
		r, s := i/len(src), src[i%len(src)]
		if p.ts != s.ts+int64(r)*int64(period) || p.wire != s.wire || p.src != s.src {
			t.Fatalf("packet %d (repetition %d): ts %d, want %d", i+1, r, p.ts, s.ts+int64(r)*int64(period))
		}
	}
	checkEveryAddressResolves(t, benignDir, out, period)
	// 22 source events, then per later repetition the replaced
	// front-end pod's add and delete.
	b, err := os.ReadFile(filepath.Join(out, "entities.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n != 22+2*2 {
		t.Errorf("%d entity events, want 26", n)
	}
}

// -duration rounds up to whole repetitions; -trim cuts every copy at the
// shortest source (direct-exfil's 238 s).
func TestDurationAndTrim(t *testing.T) {
	b := func(args ...string) *build {
		o, err := parseArgs(append([]string{"-o", t.TempDir()}, args...), nil)
		if err != nil {
			t.Fatal(err)
		}
		bd, err := newBuild(o)
		if err != nil {
			t.Fatal(err)
		}
		return bd
	}
	if d := b("-duration", "24h", benignDir); d.reps != 288 || d.period != int64(300*time.Second) || d.packets != 288*14381 {
		t.Errorf("24 h: %d repetitions of %v, %d packets; want 288 of 5m0s, %d", d.reps, time.Duration(d.period), d.packets, 288*14381)
	}
	d := b("-copies", "2", "-attack", "direct-exfil:1", "-trim", benignDir)
	exfil := readPackets(t, filepath.Join(exfilDir, "capture.pcapng.gz"))
	if first, last := span(exfil); d.tl-d.t0 != last-first {
		t.Errorf("trimmed span %v, want direct-exfil's %v", time.Duration(d.tl-d.t0), time.Duration(last-first))
	}
	if d.packets >= int64(14381+len(exfil)) {
		t.Errorf("trim kept %d packets", d.packets)
	}
}
