package check

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/units"
)

// Severity ranks a finding.
type Severity int

const (
	// Note: worth knowing; nothing is wrong.
	Note Severity = iota
	// Warning: the results may be off in part.
	Warning
	// Error: the inputs do not fit together, and results computed from
	// them would mean nothing.
	Error
)

func (s Severity) String() string {
	switch s {
	case Note:
		return "note"
	case Warning:
		return "warning"
	}
	return "error"
}

// MarshalText writes the severity as its name in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	for _, v := range []Severity{Note, Warning, Error} {
		if string(b) == v.String() {
			*s = v
			return nil
		}
	}
	return fmt.Errorf("severity %q: want note, warning or error", b)
}

// Finding is one judgement about the inputs. Its message says what is
// wrong and what to check, naming no command-line flag.
type Finding struct {
	Code     string   `json:"code"` // one of the Code constants, stable
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	// Setting names the analysis setting that may fix it, as the engine
	// names its settings ("entities-offset", "cluster-cidr"), if one may.
	Setting string `json:"setting,omitempty"`
}

// Finding codes. Capture warnings become "capture-" and their
// capture.WarningKind.
const (
	CodeNoIP            = "no-ip-traffic"    // Error: no IP frame in the capture
	CodeNoOverlap       = "no-overlap"       // Error: log and capture do not overlap in time
	CodeResolvesNothing = "resolves-nothing" // Error: no frame has an end the log knows
	CodeLogStartsLate   = "log-starts-late"  // Warning: the capture's start is before the log's
	CodeLowResolution   = "low-resolution"   // Warning: under 95 % of in-cluster bytes resolve
	CodeNoServices      = "no-services"      // Note: the log names no services
)

// Evidence is what Judge weighs: counts over the whole capture, with the
// entity log bound to it. check.Run measures it, counting every frame with
// Count; any other reader of the capture and the log (the engine) can
// count its own way with the same Count.
type Evidence struct {
	CaptureFirst, CaptureLast int64 // earliest and latest packet, Unix ns
	LogFirst, LogLast         int64 // the log's first and last events, Unix ns (entities.Timeline.Span)

	IPBytes uint64 // wire bytes of the frames with an IP header
	// KnownBytes are those of the frames of which at least one end was an
	// entity of the log at the time.
	KnownBytes uint64
	// InClusterBytes are those of the frames with at least one end in the
	// cluster: an entity, or an address in the cluster's ranges.
	InClusterBytes uint64
	// ResolvedBytes are those of the in-cluster frames whose every
	// in-cluster end was an entity at the time.
	ResolvedBytes uint64
	// KnownElsewhenBytes are unresolved in-cluster bytes of addresses the
	// log holds at other times, and OffsetHint says how far the log looks
	// shifted; both are optional.
	KnownElsewhenBytes uint64
	OffsetHint         string

	Services int            // services the log names
	Prefixes []netip.Prefix // the cluster's ranges, given or inferred
}

// share is the resolved share of in-cluster bytes (0 without any).
func (e *Evidence) share() float64 {
	if e.InClusterBytes == 0 {
		return 0
	}
	return float64(e.ResolvedBytes) / float64(e.InClusterBytes)
}

// Judge says whether a capture and an entity log fit together: whether
// they overlap in time and how much of the traffic the log resolves. It
// is the one place this is decided; `check`, `analyze` and the explorer
// all show its findings. The most severe come first.
func Judge(e Evidence) []Finding {
	if e.IPBytes == 0 {
		return []Finding{{Code: CodeNoIP, Severity: Error, Message: "the capture holds no IP traffic that can be read: there is nothing to resolve or analyse (the capture's warnings say why)"}}
	}
	out := overlap(&e)
	disjoint := len(out) > 0 && out[0].Severity == Error
	switch {
	case e.KnownBytes == 0 && !disjoint:
		msg := fmt.Sprintf("the entity log resolves none of the capture's %s of IP traffic: no address in the capture belonged to a pod, service or node of the log at the time; are they from the same cluster and run?", units.Bytes(float64(e.IPBytes)))
		if e.InClusterBytes == 0 {
			msg += fmt.Sprintf(" (nor does any address lie in the cluster's ranges, %s)", prefixes(e.Prefixes))
		}
		out = append(out, Finding{Code: CodeResolvesNothing, Severity: Error, Message: msg})
	case e.InClusterBytes > 0 && e.share() < 0.95 && !disjoint:
		msg := fmt.Sprintf("only %.1f%% of in-cluster bytes resolve to known entities", e.share()*100)
		setting := ""
		if e.KnownElsewhenBytes*2 > e.InClusterBytes-e.ResolvedBytes && e.OffsetHint != "" {
			msg += ": " + e.OffsetHint
			setting = "entities-offset"
		} else {
			msg += ": is the entity log complete (all namespaces, services and pods)?"
		}
		out = append(out, Finding{Code: CodeLowResolution, Severity: Warning, Message: msg, Setting: setting})
	}
	if e.Services == 0 {
		out = append(out, Finding{Code: CodeNoServices, Severity: Note, Message: "the entity log names no services: pods are grouped by their names with generated suffixes removed"})
	}
	return out
}

// overlap judges the time spans. A log that ends before the capture starts
// is fine when it resolves the traffic (a snapshot taken before the
// capture: its pods live on); a log that starts after the capture ends
// cannot be.
func overlap(e *Evidence) []Finding {
	d := func(ns int64) time.Duration { return time.Duration(ns).Round(time.Second) }
	switch {
	case e.LogFirst > e.CaptureLast:
		return []Finding{{Code: CodeNoOverlap, Severity: Error, Setting: "entities-offset",
			Message: fmt.Sprintf("the entity log starts %v after the capture ends: they do not overlap; are they from the same run? (a relative log can be shifted by an offset)", d(e.LogFirst-e.CaptureLast))}}
	case e.LogLast < e.CaptureFirst && e.share() < 0.5:
		return []Finding{{Code: CodeNoOverlap, Severity: Error, Setting: "entities-offset",
			Message: fmt.Sprintf("the entity log's last event is %v before the capture starts and most in-cluster bytes are unresolved: they do not overlap; are they from the same run?", d(e.CaptureFirst-e.LogLast))}}
	case e.LogFirst > e.CaptureFirst+int64(time.Minute):
		return []Finding{{Code: CodeLogStartsLate, Severity: Warning, Setting: "entities-offset",
			Message: fmt.Sprintf("the entity log starts %v after the capture: the pods of the capture's first minutes are unknown; check the log, or its offset", d(e.LogFirst-e.CaptureFirst))}}
	}
	return nil
}

func prefixes(ps []netip.Prefix) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.String())
	}
	return orNone(s)
}

// CaptureFindings turns a capture's warnings (capture.Stats.Warnings,
// capture.Merged.Warnings) into findings: warnings, but notes for unknown
// pcapng blocks and for a capture whose clock offset could not be
// estimated (it has no packets in common with the others, so no copies
// to find either; its clock may well be right).
func CaptureFindings(ws []capture.Warning) []Finding {
	out := make([]Finding, 0, len(ws))
	for _, w := range ws {
		sev := Warning
		if w.Kind == capture.WarnUnknownBlocks || w.Kind == capture.WarnClock {
			sev = Note
		}
		f := Finding{Code: "capture-" + string(w.Kind), Severity: sev, Message: w.Message}
		if w.Kind == capture.WarnClock {
			f.Setting = "clock-offset"
		}
		out = append(out, f)
	}
	return out
}

// Worst returns the highest severity among findings, Note for none.
func Worst(fs []Finding) Severity {
	w := Note
	for _, f := range fs {
		w = max(w, f.Severity)
	}
	return w
}

// sortFindings orders findings by severity, most severe first, keeping
// the order of equals.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int { return int(b.Severity - a.Severity) })
}
