package entities

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"
)

// jsonlEvent is one line of mimir-tui's JSON Lines log. Pointers tell a
// missing required field from an empty one.
type jsonlEvent struct {
	TS          *string           `json:"ts"`
	Op          *string           `json:"op"`
	Kind        *string           `json:"kind"`
	Name        *string           `json:"name"`
	Namespace   string            `json:"namespace"`
	IP          string            `json:"ip"`
	IPs         []string          `json:"ips"` // optional: every address of a dual-stack entity
	Labels      map[string]string `json:"labels"`
	Owner       string            `json:"owner"`
	Controller  string            `json:"controller"` // optional
	HostNetwork bool              `json:"host_network"`
	Status      string            `json:"status"` // optional
	// Optional: the object's own timestamps, as mimir-tui record writes
	// them. They are checked but not used: "ts" is when the change was
	// observed, and the timeline runs on it alone.
	Created string `json:"created"`
	Started string `json:"started"`
	Deleted string `json:"deleted"`
}

func parseJSONL(r io.Reader, name string) (*Log, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLine)
	log := &Log{}
	line := 0
	for sc.Scan() {
		line++
		ev, ok, err := jsonlRecord(sc.Bytes(), line, name)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if len(log.Events) >= MaxEvents {
			return nil, tooManyEvents(name, line)
		}
		log.Events = append(log.Events, ev)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, lineTooLong(name, line+1)
		}
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return log, nil
}

// jsonlRecord reads line number line (1-based) of the JSON Lines log
// name: its event, or ok false for a blank or comment line. It is the one
// reading of a line, whether the log is read whole or followed (Tail).
func jsonlRecord(b []byte, line int, name string) (ev Event, ok bool, err error) {
	b = bytes.TrimSpace(b)
	if line == 1 {
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	}
	if len(b) == 0 || b[0] == '#' {
		return ev, false, nil
	}
	ev, err = jsonlLine(b)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			pe.Name, pe.Line = name, line
			return ev, false, pe
		}
		return ev, false, &ParseError{Name: name, Line: line, Err: err}
	}
	ev.Line = line
	return ev, true, nil
}

func tooManyEvents(name string, line int) error {
	return &ParseError{Name: name, Line: line, Err: fmt.Errorf("%w: more than %d events", ErrTooLarge, MaxEvents)}
}

func lineTooLong(name string, line int) error {
	return &ParseError{Name: name, Line: line, Err: fmt.Errorf("%w: line longer than %d KiB; each event must be on one line", ErrTooLarge, MaxLine>>10)}
}

func jsonlLine(b []byte) (Event, error) {
	var j jsonlEvent
	if err := json.Unmarshal(b, &j); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Event{}, &ParseError{Field: te.Field, Err: fmt.Errorf("is a JSON %s, want %s", te.Value, jsonTypeName(te.Type.Kind().String()))}
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return Event{}, fmt.Errorf("column %d: %w: each line must be one JSON object", se.Offset, err)
		}
		return Event{}, fmt.Errorf("%w: each line must be one JSON object", err)
	}
	missing := func(f string) error {
		return &ParseError{Field: f, Err: errors.New("is missing")}
	}
	var ev Event
	if j.TS == nil {
		return ev, missing("ts")
	}
	t, err := time.Parse(time.RFC3339Nano, *j.TS)
	if err != nil {
		return ev, &ParseError{Field: "ts", Err: fmt.Errorf("%q is not an RFC 3339 time (want e.g. 2026-11-24T12:25:55.002278566Z)", *j.TS)}
	}
	ev.At = t.UnixNano()
	if err := checkTimes(&j); err != nil {
		return ev, err
	}
	if j.Op == nil {
		return ev, missing("op")
	}
	switch *j.Op {
	case "add":
		ev.Op = Add
	case "delete":
		ev.Op = Delete
	default:
		return ev, &ParseError{Field: "op", Err: fmt.Errorf("is %q, want \"add\" or \"delete\"", *j.Op)}
	}
	if j.Kind == nil {
		return ev, missing("kind")
	}
	switch *j.Kind {
	case "pod":
		ev.Entity.Kind = Pod
	case "service", "svc":
		ev.Entity.Kind = Service
	default:
		return ev, &ParseError{Field: "kind", Err: fmt.Errorf("is %q, want \"pod\" or \"service\"", *j.Kind)}
	}
	if j.Name == nil || *j.Name == "" {
		return ev, missing("name")
	}
	ip, err := parseIP(j.IP)
	if err != nil {
		return ev, &ParseError{Field: "ip", Err: err}
	}
	var extra []netip.Addr
	for i, s := range j.IPs {
		a, err := parseIP(s)
		if err != nil {
			return ev, &ParseError{Field: fmt.Sprintf("ips[%d]", i), Err: err}
		}
		if !a.IsValid() || a == ip {
			continue
		}
		if !ip.IsValid() {
			ip = a
			continue
		}
		extra = append(extra, a)
	}
	ev.Entity.Name = *j.Name
	ev.Entity.Namespace = j.Namespace
	ev.Entity.IP = ip
	ev.Entity.ExtraIPs = extra
	ev.Entity.Labels = j.Labels
	ev.Entity.Owner = j.Owner
	ev.Entity.Controller = j.Controller
	ev.Entity.HostNetwork = j.HostNetwork
	ev.Entity.Status = j.Status
	return ev, nil
}

// checkTimes checks the optional object timestamps, so a log whose writer
// got them wrong is noticed even though the timeline does not use them.
func checkTimes(j *jsonlEvent) error {
	for _, f := range []struct{ name, v string }{{"created", j.Created}, {"started", j.Started}, {"deleted", j.Deleted}} {
		if f.v == "" {
			continue
		}
		if _, err := time.Parse(time.RFC3339Nano, f.v); err != nil {
			return &ParseError{Field: f.name, Err: fmt.Errorf("%q is not an RFC 3339 time (want e.g. 2026-11-24T12:25:55Z)", f.v)}
		}
	}
	return nil
}

// jsonTypeName says which JSON value a Go kind wants.
func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "map":
		return "an object"
	case "slice":
		return "an array"
	case "struct":
		return "an object"
	}
	return kind
}
