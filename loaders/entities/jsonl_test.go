package entities

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestJSONLEvents(t *testing.T) {
	// Lines out of time order, a comment, a blank line, an unknown field,
	// "svc" for service, a headless service ("ip": "None") and a
	// dual-stack pod ("ips").
	const log = `# written by hand
{"ts": "2026-01-01T00:00:05Z", "op": "delete", "kind": "pod", "name": "a", "namespace": "ns", "ip": "10.0.0.1", "extra": [1, 2]}

{"ts": "2026-01-01T00:00:01.5Z", "op": "add", "kind": "pod", "name": "a", "namespace": "ns", "ip": "10.0.0.1", "labels": {"app": "a"}, "owner": "alpha", "host_network": false, "status": "Running"}
{"ts": "2026-01-01T00:00:01.5Z", "op": "add", "kind": "svc", "name": "h", "namespace": "ns", "ip": "None", "labels": {"app": "a"}}
{"ts": "2026-01-01T00:00:00Z", "op": "add", "kind": "pod", "name": "d", "namespace": "ns", "ip": "10.0.0.2", "ips": ["10.0.0.2", "fd00::2"], "host_network": true, "controller": "dd"}
`
	l := mustParse(t, log, "hand.jsonl")
	if l.Format != FormatJSONL || l.Relative || l.Name != "hand.jsonl" {
		t.Fatalf("format %s relative %v name %q", l.Format, l.Relative, l.Name)
	}
	// Sorted by time, equal times in source order (lines 4 and 5).
	want := []string{"0 add d 10.0.0.2", "1.5 add a 10.0.0.1", "1.5 add h -", "5 delete a 10.0.0.1"}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	for i := range l.Events {
		l.Events[i].At -= base
	}
	if got := evs(l); !slices.Equal(got, want) {
		t.Fatalf("events:\n got %q\nwant %q", got, want)
	}
	if lines := []int{l.Events[0].Line, l.Events[1].Line, l.Events[2].Line, l.Events[3].Line}; !slices.Equal(lines, []int{6, 4, 5, 2}) {
		t.Errorf("lines %v, want [6 4 5 2]", lines)
	}
	a, h, d := l.Events[1].Entity, l.Events[2].Entity, l.Events[0].Entity
	if a.Owner != "alpha" || a.Labels["app"] != "a" || a.Status != "Running" || a.Namespace != "ns" {
		t.Errorf("a = %+v", a)
	}
	if h.Kind != Service || h.IP.IsValid() {
		t.Errorf("h = %+v, want a headless service", h)
	}
	if !d.HostNetwork || d.Controller != "dd" || !slices.Equal(d.ExtraIPs, []netip.Addr{addr("fd00::2")}) || d.IP != addr("10.0.0.2") {
		t.Errorf("d = %+v, want host network, controller dd, 10.0.0.2 and fd00::2", d)
	}
}

func TestJSONLErrors(t *testing.T) {
	const ok = `{"ts": "2026-01-01T00:00:00Z", "op": "add", "kind": "pod", "name": "a", "ip": "10.0.0.1"}`
	tests := []struct {
		name, line, want string
	}{
		{"bad ts", `{"ts": "yesterday", "op": "add", "kind": "pod", "name": "a"}`, `x.jsonl:2: field "ts": "yesterday" is not an RFC 3339 time`},
		{"ts number", `{"ts": 12, "op": "add", "kind": "pod", "name": "a"}`, `x.jsonl:2: field "ts": is a JSON number, want a string`},
		{"missing ts", `{"op": "add", "kind": "pod", "name": "a"}`, `x.jsonl:2: field "ts": is missing`},
		{"bad op", `{"ts": "2026-01-01T00:00:00Z", "op": "upsert", "kind": "pod", "name": "a"}`, `x.jsonl:2: field "op": is "upsert", want "add" or "delete"`},
		{"missing op", `{"ts": "2026-01-01T00:00:00Z", "kind": "pod", "name": "a"}`, `field "op": is missing`},
		{"bad kind", `{"ts": "2026-01-01T00:00:00Z", "op": "add", "kind": "node", "name": "a"}`, `field "kind": is "node"`},
		{"missing name", `{"ts": "2026-01-01T00:00:00Z", "op": "add", "kind": "pod", "name": ""}`, `field "name": is missing`},
		{"bad ip", `{"ts": "2026-01-01T00:00:00Z", "op": "add", "kind": "pod", "name": "a", "ip": "10.0.0"}`, `field "ip": "10.0.0" is not an IP address`},
		{"bad ips", `{"ts": "2026-01-01T00:00:00Z", "op": "add", "kind": "pod", "name": "a", "ips": ["x"]}`, `field "ips[0]"`},
		{"label not string", `{"ts": "2026-01-01T00:00:00Z", "op": "add", "kind": "pod", "name": "a", "labels": {"n": 1}}`, `field "labels": is a JSON number, want a string`},
		{"bad created", `{"ts": "2026-01-01T00:00:00Z", "op": "add", "kind": "pod", "name": "a", "created": "today"}`, `x.jsonl:2: field "created": "today" is not an RFC 3339 time`},
		{"bad started", `{"ts": "2026-01-01T00:00:00Z", "op": "add", "kind": "pod", "name": "a", "started": "2026-01-01"}`, `field "started": "2026-01-01" is not an RFC 3339 time`},
		{"bad deleted", `{"ts": "2026-01-01T00:00:00Z", "op": "delete", "kind": "pod", "name": "a", "deleted": "x"}`, `field "deleted": "x" is not an RFC 3339 time`},
		{"created number", `{"ts": "2026-01-01T00:00:00Z", "op": "add", "kind": "pod", "name": "a", "created": 5}`, `field "created": is a JSON number, want a string`},
		{"not json", `ts=2026 op=add`, `x.jsonl:2: column 2: invalid character`},
		{"two objects", ok + ok, `x.jsonl:2: column`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(ok+"\n"+tc.line+"\n"), "x.jsonl")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != 2 {
				t.Errorf("want a *ParseError at line 2, got %#v", err)
			}
		})
	}
}

func TestJSONLLongLine(t *testing.T) {
	long := `{"ts": "2026-01-01T00:00:00Z", "op": "add", "kind": "pod", "name": "` + strings.Repeat("a", MaxLine) + `"}`
	_, err := Parse(strings.NewReader(long), "long.jsonl")
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "long.jsonl:1:") {
		t.Fatalf("error %v, want ErrTooLarge at long.jsonl:1", err)
	}
}

// TestJSONLObjectTimes: the object timestamps mimir-tui record writes are
// read but do not move the event; "ts" alone times it.
func TestJSONLObjectTimes(t *testing.T) {
	const log = `{"ts":"2026-01-01T00:00:03.000000250Z","op":"add","kind":"pod","name":"a","namespace":"ns","ip":"10.0.0.1","created":"2025-12-31T23:00:00Z","started":"2025-12-31T23:00:01Z"}
{"ts":"2026-01-01T00:00:09.5Z","op":"delete","kind":"pod","name":"a","namespace":"ns","ip":"10.0.0.1","deleted":"2026-01-01T00:00:05Z"}
`
	l := mustParse(t, log, "times.jsonl")
	want := []int64{
		time.Date(2026, 1, 1, 0, 0, 3, 250, time.UTC).UnixNano(),
		time.Date(2026, 1, 1, 0, 0, 9, 5e8, time.UTC).UnixNano(),
	}
	if got := []int64{l.Events[0].At, l.Events[1].At}; !slices.Equal(got, want) {
		t.Fatalf("event times %v, want the ts values %v", got, want)
	}
}
