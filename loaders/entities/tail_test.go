package entities

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// names lists the events' entity names and lines, "name@line".
func names(evs []Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, fmt.Sprintf("%s@%d", e.Entity.Name, e.Line))
	}
	return out
}

// TestTailLines: a Tail returns the events of the lines completed since
// its previous read: a line cut at the current end waits for its newline,
// blank and comment lines are skipped but counted.
func TestTailLines(t *testing.T) {
	ev := func(name string) string {
		return fmt.Sprintf(`{"ts": "2026-11-24T12:00:00Z", "op": "add", "kind": "pod", "name": %q, "ip": "10.0.0.1"}`, name)
	}
	var log bytes.Buffer
	tail := NewTail(&log, "live.jsonl")
	for _, step := range []struct {
		write string
		want  string
	}{
		{"", ""},
		{ev("a") + "\n", "a@1"},
		{ev("b")[:20], ""},
		{ev("b")[20:], ""},
		{"\n\n# a comment\n" + ev("c") + "\n" + ev("d"), "b@2 c@5"},
		{"\n", "d@6"},
	} {
		log.WriteString(step.write)
		got, err := tail.Read()
		if err != nil {
			t.Fatalf("after writing %q: %v", step.write, err)
		}
		if s := strings.Join(names(got), " "); s != step.want {
			t.Errorf("after writing %q: read %q, want %q", step.write, s, step.want)
		}
	}
}

// TestTailMatchesParse: a real log appended in pieces cut anywhere reads
// as Parse reads it whole.
func TestTailMatchesParse(t *testing.T) {
	for _, path := range []string{shopDir + "/entities.jsonl", "../../testdata/scenarios/new-service/entities.jsonl"} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := names(mustLoad(t, path).Events)
		rng := rand.New(rand.NewPCG(7, uint64(len(data))))
		for round := 0; round < 20; round++ {
			var log bytes.Buffer
			tail := NewTail(&log, path)
			var got []Event
			for at := 0; at < len(data); {
				end := min(len(data), at+1+rng.IntN(300))
				log.Write(data[at:end])
				at = end
				evs, err := tail.Read()
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, evs...)
			}
			if g := names(got); strings.Join(g, " ") != strings.Join(want, " ") {
				t.Fatalf("%s in pieces: %v, want %v", path, g, want)
			}
		}
	}
}

// TestTailErrors: a line that is no event is an error with its file and
// line, and stays so; a line that never ends is refused at MaxLine.
func TestTailErrors(t *testing.T) {
	var log bytes.Buffer
	tail := NewTail(&log, "live.jsonl")
	log.WriteString(`{"ts": "2026-11-24T12:00:00Z", "op": "add", "kind": "pod", "name": "a", "ip": "10.0.0.1"}` + "\n" + `{"ts": "yesterday"}` + "\n")
	_, err := tail.Read()
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || pe.Field != "ts" {
		t.Fatalf("bad line 2: %v, want a ParseError at line 2, field ts", err)
	}
	if _, again := tail.Read(); again != err {
		t.Errorf("read after the error: %v, want the same error", again)
	}
	tail = NewTail(&log, "huge.jsonl")
	log.Reset()
	log.WriteString("{" + strings.Repeat(" ", MaxLine+1))
	if _, err := tail.Read(); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a line without end beyond MaxLine: %v, want ErrTooLarge", err)
	}
}

// idOf is an instance's identity across the timelines of a growing log.
func idOf(in *Instance) string {
	if in == nil {
		return "-"
	}
	return fmt.Sprintf("%s/%s@%d", in.Kind, in.Name, in.From)
}

// keyOf is its identity and the service it resolves to.
func keyOf(in *Instance) string {
	if in == nil {
		return "-"
	}
	return idOf(in) + "→" + in.Service
}

// churnLines is a random log in time order: pods that come and go and
// reuse addresses, pods that share one (host network, so an instance
// alone at first becomes a group), and a service added halfway.
func churnLines(rng *rand.Rand, n int) []string {
	lines := []string{"0 add service s1 10.96.0.1"}
	live := make(map[string][]string) // address → pods
	for i := 1; i < n; i++ {
		secs := float64(i)
		ip := fmt.Sprintf("10.1.0.%d", rng.IntN(12))
		svc := "s1"
		if i > n/2 {
			svc = "s2"
		}
		if i == n/2 {
			lines = append(lines, fmt.Sprintf("%g add service s2 10.96.0.2 name=s2", secs))
			continue
		}
		switch pods := live[ip]; {
		case len(pods) > 0 && rng.IntN(3) > 0:
			lines = append(lines, fmt.Sprintf("%g delete pod %s %s", secs, pods[0], ip))
			live[ip] = pods[1:]
		default: // a new pod, sharing the address when one holds it
			p := fmt.Sprintf("p%d", i)
			lines = append(lines, fmt.Sprintf("%g add pod %s %s name=%s", secs, p, ip, svc))
			live[ip] = append(pods, p)
		}
	}
	return lines
}

// TestBuildPrevious: a log rebuilt as it grows (Options.Previous) keeps
// every instance's ID — the tags already given stay valid, a replaced
// instance kept as Superseded — and its last timeline resolves every
// address at every instant as a whole build of the log does.
func TestBuildPrevious(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	lines := churnLines(rng, 400)
	whole := mustBuild(t, jsonlLog(t, lines...), Options{})
	var prev *Timeline
	for k := 1; k <= len(lines); k += 1 + rng.IntN(9) {
		if len(lines)-k < 9 {
			k = len(lines)
		}
		tl := mustBuild(t, jsonlLog(t, lines[:k]...), Options{Previous: prev})
		if prev != nil {
			for i := range prev.Instances() {
				was, now := &prev.Instances()[i], tl.Instance(int32(i))
				if was.ID != int32(i) || idOf(now) != idOf(was) {
					t.Fatalf("after %d events: ID %d was %s, is %s", k, i, keyOf(was), keyOf(now))
				}
				if was.Superseded && !now.Superseded {
					t.Fatalf("after %d events: ID %d came back", k, i)
				}
			}
		}
		prev = tl
	}
	live, gone := 0, 0
	for _, in := range prev.Instances() {
		if in.Superseded {
			gone++
		} else {
			live++
		}
	}
	if live != len(whole.Instances()) || gone == 0 {
		t.Fatalf("%d instances and %d superseded, want the whole build's %d and some superseded (a pod that became a group)", live, gone, len(whole.Instances()))
	}
	for range 20000 {
		ip := addr(fmt.Sprintf("10.1.0.%d", rng.IntN(13)))
		ts := at(rng.Float64()*420 - 10)
		if got, want := keyOf(prev.Lookup(ip, ts)), keyOf(whole.Lookup(ip, ts)); got != want {
			t.Fatalf("%s at %d: %s, want %s as in a whole build", ip, ts, got, want)
		}
	}
	if fmt.Sprint(prev.Services()) != fmt.Sprint(whole.Services()) {
		t.Errorf("services %v, want %v", prev.Services(), whole.Services())
	}
}
