package entities

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// kObject is the part of a Pod or Service that matters here, as kubectl
// prints it (the field names of the Kubernetes API, v1).
type kObject struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name              string            `json:"name"`
		Namespace         string            `json:"namespace"`
		Labels            map[string]string `json:"labels"`
		CreationTimestamp string            `json:"creationTimestamp"`
		DeletionTimestamp string            `json:"deletionTimestamp"`
		OwnerReferences   []OwnerRef        `json:"ownerReferences"`
	} `json:"metadata"`
	Spec struct {
		HostNetwork bool              `json:"hostNetwork"`        // Pod
		ClusterIP   string            `json:"clusterIP"`          // Service
		ClusterIPs  []string          `json:"clusterIPs"`         // Service
		Selector    map[string]string `json:"selector,omitempty"` // Service
	} `json:"spec"`
	Status struct {
		Phase  string `json:"phase"`
		PodIP  string `json:"podIP"`
		PodIPs []struct {
			IP string `json:"ip"`
		} `json:"podIPs"`
		StartTime  string `json:"startTime"`
		Conditions []struct {
			LastTransitionTime string `json:"lastTransitionTime"`
		} `json:"conditions"`
		ContainerStatuses []struct {
			State struct {
				Terminated *struct {
					FinishedAt string `json:"finishedAt"`
				} `json:"terminated"`
			} `json:"state"`
		} `json:"containerStatuses"`
	} `json:"status"`
}

// kRecord is one object with where it came from, for messages.
type kRecord struct {
	name   string
	record int // 1-based item or event number
	line   int
	raw    json.RawMessage
	obj    kObject
}

func (r *kRecord) err(field string, err error) error {
	return &ParseError{Name: r.name, Line: r.line, Where: fmt.Sprintf("record %d (%s %s/%s)", r.record, r.obj.Kind, r.obj.Metadata.Namespace, r.obj.Metadata.Name), Field: field, Err: err}
}

// time reads an RFC 3339 timestamp field; ok is false when it is empty.
func (r *kRecord) time(field, s string) (int64, bool, error) {
	if s == "" {
		return 0, false, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, false, r.err(field, fmt.Errorf("%q is not an RFC 3339 time", s))
	}
	return t.UnixNano(), true, nil
}

// entity converts the object; handled is false for kinds other than Pod
// and Service, which a List may also hold.
func (r *kRecord) entity() (e Entity, handled bool, err error) {
	o := &r.obj
	switch o.Kind {
	case "Pod":
		e.Kind = Pod
	case "Service":
		e.Kind = Service
	default:
		return e, false, nil
	}
	if o.Metadata.Name == "" {
		return e, true, r.err("metadata.name", errors.New("is missing"))
	}
	e.Name, e.Namespace, e.Status = o.Metadata.Name, o.Metadata.Namespace, o.Status.Phase
	var ips []string
	if e.Kind == Pod {
		e.Labels = o.Metadata.Labels
		e.HostNetwork = o.Spec.HostNetwork
		e.Controller = ControllerName(o.Metadata.OwnerReferences, o.Metadata.Labels)
		ips = append(ips, o.Status.PodIP)
		for _, p := range o.Status.PodIPs {
			ips = append(ips, p.IP)
		}
	} else {
		e.Labels = o.Spec.Selector
		e.Status = o.Spec.ClusterIP
		ips = append(ips, o.Spec.ClusterIP)
		ips = append(ips, o.Spec.ClusterIPs...)
	}
	for _, s := range ips {
		a, err := parseIP(s)
		if err != nil {
			f := "status.podIP"
			if e.Kind == Service {
				f = "spec.clusterIP"
			}
			return e, true, r.err(f, err)
		}
		switch {
		case !a.IsValid() || a == e.IP || slices.Contains(e.ExtraIPs, a):
		case !e.IP.IsValid():
			e.IP = a
		default:
			e.ExtraIPs = append(e.ExtraIPs, a)
		}
	}
	return e, true, nil
}

// OwnerRef is one of a pod's metadata.ownerReferences.
type OwnerRef struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Controller bool   `json:"controller"`
}

// ControllerName names the workload that owns a pod, from its
// ownerReferences and labels: a ReplicaSet's Deployment (the ReplicaSet
// name without its pod-template-hash), a Job's CronJob (without the
// scheduled-time suffix), or the StatefulSet, DaemonSet or other
// controller itself; "" when nothing owns it. Entity.Controller holds it.
func ControllerName(refs []OwnerRef, labels map[string]string) string {
	for _, ref := range refs {
		if !ref.Controller && len(refs) > 1 {
			continue
		}
		switch ref.Kind {
		case "ReplicaSet":
			if h := labels["pod-template-hash"]; h != "" {
				if base, ok := strings.CutSuffix(ref.Name, "-"+h); ok && base != "" {
					return base
				}
			}
			if i := strings.LastIndexByte(ref.Name, '-'); i > 0 && isReplicaSetHash(ref.Name[i+1:]) {
				return ref.Name[:i]
			}
		case "Job":
			if i := strings.LastIndexByte(ref.Name, '-'); i > 0 && isDigits(ref.Name[i+1:]) {
				return ref.Name[:i]
			}
		}
		return ref.Name
	}
	return ""
}

// addTime is when a pod got its address: status.startTime (the sandbox,
// and so the IP, exists from then), else metadata.creationTimestamp. For a
// service, its creationTimestamp.
func (r *kRecord) addTime() (int64, error) {
	if r.obj.Kind == "Pod" {
		if t, ok, err := r.time("status.startTime", r.obj.Status.StartTime); ok || err != nil {
			return t, err
		}
	}
	t, ok, err := r.time("metadata.creationTimestamp", r.obj.Metadata.CreationTimestamp)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, r.err("metadata.creationTimestamp", errors.New("is missing (kubectl always prints it: was the JSON edited?)"))
	}
	return t, nil
}

// conditionTime is the latest status.conditions[].lastTransitionTime: when
// a pod's address appears it has just become Ready or Initialized.
func (r *kRecord) conditionTime() (int64, bool, error) {
	var latest int64
	found := false
	for i, c := range r.obj.Status.Conditions {
		t, ok, err := r.time(fmt.Sprintf("status.conditions[%d].lastTransitionTime", i), c.LastTransitionTime)
		if err != nil {
			return 0, false, err
		}
		if ok && (!found || t > latest) {
			latest, found = t, true
		}
	}
	return latest, found, nil
}

// finished reports whether a pod has run to completion (phase Succeeded or
// Failed: its address is released) and when: the latest container
// finishedAt, else the latest condition change.
func (r *kRecord) finished() (int64, bool, error) {
	if r.obj.Kind != "Pod" || (r.obj.Status.Phase != "Succeeded" && r.obj.Status.Phase != "Failed") {
		return 0, false, nil
	}
	var latest int64
	found := false
	for i, cs := range r.obj.Status.ContainerStatuses {
		if cs.State.Terminated == nil {
			continue
		}
		t, ok, err := r.time(fmt.Sprintf("status.containerStatuses[%d].state.terminated.finishedAt", i), cs.State.Terminated.FinishedAt)
		if err != nil {
			return 0, false, err
		}
		if ok && (!found || t > latest) {
			latest, found = t, true
		}
	}
	if found {
		return latest, true, nil
	}
	if t, ok, err := r.conditionTime(); ok || err != nil {
		return t, ok, err
	}
	t, err := r.addTime()
	return t, err == nil, err
}

// deleteTime is when a deleted object went away: its deletionTimestamp,
// else the latest timestamp anywhere in the object.
func (r *kRecord) deleteTime() (int64, error) {
	if t, ok, err := r.time("metadata.deletionTimestamp", r.obj.Metadata.DeletionTimestamp); ok || err != nil {
		return t, err
	}
	var v any
	if err := json.Unmarshal(r.raw, &v); err != nil {
		return 0, r.err("", err)
	}
	latest, found := latestTime(v, "", 0)
	if !found {
		return 0, r.err("metadata.deletionTimestamp", errors.New("is missing and the object holds no other timestamp to date the deletion by"))
	}
	return latest, nil
}

// latestTime finds the latest RFC 3339 value of a *Time, *Timestamp, *At
// or "time" field in a decoded JSON value.
func latestTime(v any, key string, depth int) (int64, bool) {
	if depth > 64 {
		return 0, false
	}
	switch x := v.(type) {
	case map[string]any:
		var latest int64
		found := false
		for k, c := range x {
			if t, ok := latestTime(c, k, depth+1); ok && (!found || t > latest) {
				latest, found = t, true
			}
		}
		return latest, found
	case []any:
		var latest int64
		found := false
		for _, c := range x {
			if t, ok := latestTime(c, key, depth+1); ok && (!found || t > latest) {
				latest, found = t, true
			}
		}
		return latest, found
	case string:
		if key == "time" || strings.HasSuffix(key, "Time") || strings.HasSuffix(key, "Timestamp") || strings.HasSuffix(key, "At") {
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return t.UnixNano(), true
			}
		}
	}
	return 0, false
}

// kEvents collects a kubectl log's events under MaxEvents.
type kEvents struct {
	name   string
	events []Event
}

func (k *kEvents) add(r *kRecord, at int64, op Op, e Entity) error {
	if len(k.events) >= MaxEvents {
		return &ParseError{Name: k.name, Line: r.line, Err: fmt.Errorf("%w: more than %d events", ErrTooLarge, MaxEvents)}
	}
	k.events = append(k.events, Event{At: at, Op: op, Entity: e, Line: r.line})
	return nil
}

// snapshot adds the events of one object seen in a List (or a bare object
// in a stream): live from its add time, gone at its deletionTimestamp or
// when it ran to completion.
func (k *kEvents) snapshot(r *kRecord, e Entity) error {
	if e.Kind == Pod && !e.IP.IsValid() {
		return nil // pending: no address yet
	}
	at, err := r.addTime()
	if err != nil {
		return err
	}
	end, ended, err := r.finished()
	if err != nil {
		return err
	}
	if del, ok, err := r.time("metadata.deletionTimestamp", r.obj.Metadata.DeletionTimestamp); err != nil {
		return err
	} else if ok && (!ended || del < end) {
		end, ended = del, true
	}
	if ended && end < at {
		at = end // clocks disagree: keep the order, drop the interval
	}
	if err := k.add(r, at, Add, e); err != nil {
		return err
	}
	if ended {
		return k.add(r, end, Delete, e)
	}
	return nil
}

// lineAt returns the 1-based line of byte offset off in data, counting
// from a known (offset, line) pair to stay linear over a whole document.
type lineCounter struct {
	data []byte
	off  int
	line int
}

func (c *lineCounter) at(off int) int {
	if off < c.off {
		c.off, c.line = 0, 1
	}
	c.line += bytes.Count(c.data[c.off:off], []byte{'\n'})
	c.off = off
	return c.line
}

// skipSpaceAt returns the offset of the first byte from off that is
// neither white space nor a comma (between array items).
func skipSpaceAt(data []byte, off int) int {
	for off < len(data) && (data[off] == ' ' || data[off] == '\t' || data[off] == '\n' || data[off] == '\r' || data[off] == ',') {
		off++
	}
	return off
}

func parseKubectlList(data []byte, name string) (*Log, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	lines := &lineCounter{data: data, line: 1}
	dec := json.NewDecoder(bytes.NewReader(data))
	fail := func(err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return &ParseError{Name: name, Line: lines.at(int(se.Offset)), Err: fmt.Errorf("%w: is this the output of kubectl get -o json?", err)}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return &ParseError{Name: name, Line: lines.at(len(data)), Err: errors.New("the JSON ends early: the file is truncated")}
		}
		return &ParseError{Name: name, Line: lines.at(int(dec.InputOffset())), Err: err}
	}
	if t, err := dec.Token(); err != nil {
		return nil, fail(err)
	} else if t != json.Delim('{') {
		return nil, &ParseError{Name: name, Line: 1, Err: errors.New("want a JSON object (a kubectl List)")}
	}
	k := &kEvents{name: name}
	sawItems := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, fail(err)
		}
		if t != "items" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, fail(err)
			}
			continue
		}
		sawItems = true
		if t, err := dec.Token(); err != nil {
			return nil, fail(err)
		} else if t == nil {
			continue // "items": null
		} else if t != json.Delim('[') {
			return nil, &ParseError{Name: name, Line: lines.at(int(dec.InputOffset())), Field: "items", Err: errors.New("is not an array")}
		}
		for n := 1; dec.More(); n++ {
			r := &kRecord{name: name, record: n, line: lines.at(skipSpaceAt(data, int(dec.InputOffset())))}
			if err := dec.Decode(&r.raw); err != nil {
				return nil, fail(err)
			}
			if err := r.decode(); err != nil {
				return nil, err
			}
			e, ok, err := r.entity()
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if err := k.snapshot(r, e); err != nil {
				return nil, err
			}
		}
		if _, err := dec.Token(); err != nil {
			return nil, fail(err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, fail(err)
	}
	if !sawItems {
		return nil, &ParseError{Name: name, Field: "items", Err: errors.New("is missing: want the output of kubectl get pods,svc -A -o json")}
	}
	return &Log{Events: k.events}, nil
}

// decode fills obj from raw, naming the field of a type mismatch.
func (r *kRecord) decode() error {
	if err := json.Unmarshal(r.raw, &r.obj); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return r.err(te.Field, fmt.Errorf("is a JSON %s, want %s", te.Value, jsonTypeName(te.Type.Kind().String())))
		}
		return r.err("", err)
	}
	return nil
}

// kWatchEvent is one event of kubectl's --output-watch-events stream.
type kWatchEvent struct {
	Type   string          `json:"type"`
	Object json.RawMessage `json:"object"`
	// Kind is set when the stream holds bare objects (kubectl get -w
	// without --output-watch-events).
	Kind string `json:"kind"`
}

func parseKubectlWatch(data []byte, name string) (*Log, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	lines := &lineCounter{data: data, line: 1}
	dec := json.NewDecoder(bytes.NewReader(data))
	k := &kEvents{name: name}
	type state struct {
		e    Entity
		live bool
	}
	type key struct {
		kind    Kind
		ns, obj string
	}
	states := make(map[key]*state)
	for n := 1; ; n++ {
		start := skipSpaceAt(data, int(dec.InputOffset()))
		if start == len(data) {
			break
		}
		line := lines.at(start)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				return nil, &ParseError{Name: name, Line: lines.at(int(se.Offset)), Where: fmt.Sprintf("record %d", n), Err: fmt.Errorf("%w: want a stream of kubectl watch events", err)}
			}
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, &ParseError{Name: name, Line: line, Where: fmt.Sprintf("record %d", n), Err: errors.New("the JSON ends early: the file is truncated")}
			}
			return nil, &ParseError{Name: name, Line: line, Where: fmt.Sprintf("record %d", n), Err: err}
		}
		var we kWatchEvent
		if err := json.Unmarshal(raw, &we); err != nil {
			return nil, &ParseError{Name: name, Line: line, Where: fmt.Sprintf("record %d", n), Err: fmt.Errorf("want a watch event {\"type\": ..., \"object\": {...}}: %w", err)}
		}
		r := &kRecord{name: name, record: n, line: line, raw: we.Object}
		bare := len(we.Object) == 0 && we.Type == ""
		if bare {
			r.raw = raw
		}
		switch we.Type {
		case "ADDED", "MODIFIED", "DELETED", "":
		case "BOOKMARK", "ERROR":
			continue // no entity change (ERROR is e.g. an expired resourceVersion)
		default:
			return nil, &ParseError{Name: name, Line: line, Where: fmt.Sprintf("record %d", n), Field: "type", Err: fmt.Errorf("is %q, want ADDED, MODIFIED or DELETED", we.Type)}
		}
		if len(r.raw) == 0 || bytes.Equal(r.raw, []byte("null")) {
			return nil, &ParseError{Name: name, Line: line, Where: fmt.Sprintf("record %d", n), Field: "object", Err: errors.New("is missing")}
		}
		if err := r.decode(); err != nil {
			return nil, err
		}
		e, ok, err := r.entity()
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if bare {
			if err := k.snapshot(r, e); err != nil {
				return nil, err
			}
			continue
		}
		kk := key{e.Kind, e.Namespace, e.Name}
		st := states[kk]
		if st == nil {
			st = &state{}
			states[kk] = st
		}
		if we.Type == "DELETED" {
			if st.live {
				at, err := r.deleteTime()
				if err != nil {
					return nil, err
				}
				if err := k.add(r, at, Delete, st.e); err != nil {
					return nil, err
				}
			}
			delete(states, kk)
			continue
		}
		if end, done, err := r.finished(); err != nil {
			return nil, err
		} else if done {
			if st.live {
				if err := k.add(r, end, Delete, st.e); err != nil {
					return nil, err
				}
				st.live = false
			}
			continue
		}
		hasAddr := e.IP.IsValid() || e.Kind == Service
		if st.live && sameAddrs(&st.e, &e) {
			continue // labels or status changed: the address did not
		}
		// When did the address appear (or change)? An ADDED object that
		// already has it: when it started; a MODIFIED one: its latest
		// condition change.
		var at int64
		if we.Type == "ADDED" && !st.live {
			at, err = r.addTime()
		} else {
			var ok bool
			at, ok, err = r.conditionTime()
			if err == nil && !ok {
				at, err = r.addTime()
			}
		}
		if err != nil {
			return nil, err
		}
		if st.live {
			if err := k.add(r, at, Delete, st.e); err != nil {
				return nil, err
			}
			st.live = false
		}
		if hasAddr {
			if err := k.add(r, at, Add, e); err != nil {
				return nil, err
			}
			st.e, st.live = e, true
		}
	}
	return &Log{Events: k.events}, nil
}

func sameAddrs(a, b *Entity) bool {
	return a.IP == b.IP && slices.Equal(a.ExtraIPs, b.ExtraIPs)
}

// isDigits reports a non-empty all-digit string.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
