package entities

import (
	"bytes"
	"math"
	"testing"
)

// The fuzz targets call each format's parser directly, so mutated inputs
// keep exercising it even when they no longer look like that format, and
// then Parse, which detects. Seed corpora are in testdata/fuzz/, made from
// the repository's fixtures and the shop-demo logs (not the MIMIR
// wordpress logs, which carry no licence).

func FuzzParsePickle(f *testing.F) {
	f.Add(mimirPickle(pkey{"0", []pent{pod("a", "10.1.0.1", "+", "app=a", "Running"), svc("s", "None", "app=a")}}, pkey{"2.5", []pent{pod("a", "10.1.0.1", "-", "", "Terminating")}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := parsePickle(data, "fuzz.pickle")
		checkParsed(t, l, err)
		checkParse(t, data)
	})
}

func FuzzParseJSONL(f *testing.F) {
	f.Add([]byte(`{"ts": "2026-01-01T00:00:00Z", "op": "add", "kind": "pod", "name": "a", "ip": "10.0.0.1", "ips": ["fd00::1"], "labels": {"a": "b"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := parseJSONL(bytes.NewReader(data), "fuzz.jsonl")
		checkParsed(t, l, err)
		checkParse(t, data)
	})
}

func FuzzParseKubectlList(f *testing.F) {
	f.Add([]byte(`{"items": [{"kind": "Pod", "metadata": {"name": "p", "creationTimestamp": "2026-01-01T00:00:00Z"}, "status": {"podIP": "10.0.0.1", "phase": "Succeeded"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := parseKubectlList(data, "fuzz.json")
		checkParsed(t, l, err)
		checkParse(t, data)
	})
}

func FuzzParseKubectlWatch(f *testing.F) {
	f.Add([]byte(`{"type": "DELETED", "object": {"kind": "Pod", "metadata": {"name": "p", "creationTimestamp": "2026-01-01T00:00:00Z"}, "status": {"podIP": "10.0.0.1"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := parseKubectlWatch(data, "fuzz.json")
		checkParsed(t, l, err)
		checkParse(t, data)
	})
}

// checkParse runs the detecting entry point on the same input.
func checkParse(t *testing.T, data []byte) {
	l, err := Parse(bytes.NewReader(data), "fuzz")
	checkParsed(t, l, err)
}

// checkParsed checks a parse result and builds a Timeline from it.
func checkParsed(t *testing.T, l *Log, err error) {
	if err != nil {
		if l != nil {
			t.Fatal("a log and an error")
		}
		if _, ok := err.(*ParseError); !ok && err.Error() == "" {
			t.Fatal("empty error")
		}
		return
	}
	if len(l.Events) > MaxEvents {
		t.Fatalf("%d events", len(l.Events))
	}
	tl, err := Build(l, Options{Start: 1})
	if err != nil {
		t.Fatalf("Build of a parsed log: %v", err)
	}
	checkTimeline(t, tl)
}

// checkTimeline checks what must hold for any Timeline: IDs index the
// instances, intervals are non-empty, and whatever Lookup returns held the
// address at that time.
func checkTimeline(t *testing.T, tl *Timeline) {
	for i, in := range tl.Instances() {
		if in.ID != int32(i) {
			t.Fatalf("instance %d has ID %d", i, in.ID)
		}
		if in.From >= in.To {
			t.Fatalf("instance %d: empty interval [%d, %d)", i, in.From, in.To)
		}
		for _, a := range in.Addrs() {
			for _, ts := range []int64{in.From, in.To - 1, in.From/2 + in.To/2, math.MinInt64, math.MaxInt64} {
				got := tl.Lookup(a, ts)
				if got == nil {
					continue
				}
				if ts < got.From || ts >= got.To {
					t.Fatalf("Lookup(%s, %d) = instance %d over [%d, %d)", a, ts, got.ID, got.From, got.To)
				}
				found := false
				for _, b := range got.Addrs() {
					found = found || b == a
				}
				if !found {
					t.Fatalf("Lookup(%s, %d) = instance %d with addresses %v", a, ts, got.ID, got.Addrs())
				}
			}
		}
	}
	tl.Services()
	tl.Prefixes()
}

// FuzzTail writes a log in pieces (cut where cuts says) to a Tail, and
// rebuilds the timeline after each piece as a followed run does: the
// events and errors are those of parsing the whole log, the rebuilt
// timelines keep their IDs, and the last resolves as a whole build.
func FuzzTail(f *testing.F) {
	f.Add([]byte("{\"ts\": \"2026-01-01T00:00:00Z\", \"op\": \"add\", \"kind\": \"pod\", \"name\": \"a\", \"ip\": \"10.0.0.1\"}\n{\"ts\": \"2026-01-01T00:00:05Z\", \"op\": \"add\", \"kind\": \"pod\", \"name\": \"b\", \"ip\": \"10.0.0.1\"}\n"), uint64(0x1234567))
	f.Fuzz(func(t *testing.T, data []byte, cuts uint64) {
		data = append(data, '\n') // a last line without newline is still being written
		whole, werr := parseJSONL(bytes.NewReader(data), "fuzz.jsonl")
		var log bytes.Buffer
		tail := NewTail(&log, "fuzz.jsonl")
		var events []Event
		var prev *Timeline
		var terr error
		for at := 0; at < len(data) && terr == nil; {
			n := 1 + int(cuts%61)
			cuts = cuts/61 + uint64(n)*7919
			end := min(len(data), at+n)
			log.Write(data[at:end])
			at = end
			var evs []Event
			if evs, terr = tail.Read(); terr == nil && len(evs) > 0 {
				events = append(events, evs...)
				prev = checkGrown(t, events, prev)
			}
		}
		if (werr == nil) != (terr == nil) || (werr != nil && werr.Error() != terr.Error()) {
			t.Fatalf("whole: %v; in pieces: %v", werr, terr)
		}
		if werr != nil {
			return
		}
		if len(events) != len(whole.Events) {
			t.Fatalf("%d events in pieces, %d whole", len(events), len(whole.Events))
		}
		if prev != nil {
			checkSameResolution(t, prev, mustBuildFuzz(t, whole, nil))
		}
	})
}

// checkGrown rebuilds the timeline of events keeping prev's IDs.
func checkGrown(t *testing.T, events []Event, prev *Timeline) *Timeline {
	tl := mustBuildFuzz(t, &Log{Name: "fuzz", Events: events}, prev)
	if prev != nil {
		for i := range prev.Instances() {
			was, now := &prev.Instances()[i], tl.Instance(int32(i))
			if now == nil || now.Name != was.Name || now.From != was.From || now.Kind != was.Kind {
				t.Fatalf("ID %d was %s from %d, is %+v", i, was.Name, was.From, now)
			}
		}
	}
	return tl
}

func mustBuildFuzz(t *testing.T, l *Log, prev *Timeline) *Timeline {
	tl, err := Build(l, Options{Start: 1, Previous: prev})
	if err != nil {
		t.Fatalf("Build of a parsed log: %v", err)
	}
	return tl
}

// checkSameResolution checks that a rebuilt timeline resolves every
// address at every instance boundary as a whole build does.
func checkSameResolution(t *testing.T, grown, whole *Timeline) {
	for _, in := range whole.Instances() {
		for _, a := range in.Addrs() {
			for _, ts := range []int64{in.From, in.To - 1, in.From - 1} {
				g, w := grown.Lookup(a, ts), whole.Lookup(a, ts)
				if (g == nil) != (w == nil) || (g != nil && (g.Name != w.Name || g.From != w.From || g.Service != w.Service)) {
					t.Fatalf("Lookup(%s, %d): grown %+v, whole %+v", a, ts, g, w)
				}
			}
		}
	}
}
