package check

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/entities"
)

// Options configure a check.
type Options struct {
	Sizes          []time.Duration // window sizes to count (default 10 s and 60 s)
	EntitiesOffset time.Duration   // shift of a relative (pickle) log
	ClusterCIDRs   []netip.Prefix  // the cluster's ranges; empty = inferred
	Top            int             // how many talkers to list (default 5)
	// Strict makes a capture that was cut short an error, as
	// capture.Options.Strict does, rather than a finding.
	Strict bool
}

// Report is the outcome of a check. Times are UTC.
type Report struct {
	// Capture is all captures together, as the analysis reads them:
	// merged in time order, clocks corrected, tunnels opened, copies of
	// a packet counted once. Captures are each capture on its own.
	Capture    CaptureReport    `json:"capture"`
	Captures   []CaptureReport  `json:"captures"`
	Windows    []WindowCount    `json:"windows"`
	Entities   EntitiesReport   `json:"entities"`
	Resolution ResolutionReport `json:"resolution"`
	// Verdict sums the findings up: "ok" (notes at most), "warnings" or
	// "fail" (an Error finding: the inputs do not fit together).
	Verdict  string    `json:"verdict"`
	Findings []Finding `json:"findings"`
}

// Verdicts.
const (
	VerdictOK       = "ok"
	VerdictWarnings = "warnings"
	VerdictFail     = "fail"
)

// CaptureReport describes the capture.
type CaptureReport struct {
	Name           string              `json:"name"`
	Format         string              `json:"format"`
	Compressed     bool                `json:"compressed"`
	LinkTypes      []string            `json:"link_types"`
	Interfaces     int                 `json:"interfaces"`
	Packets        uint64              `json:"packets"`
	Bytes          uint64              `json:"bytes"`
	IPPackets      uint64              `json:"ip_packets"`
	NonIP          uint64              `json:"non_ip_packets"`
	First          time.Time           `json:"first"`
	Last           time.Time           `json:"last"`
	Duration       time.Duration       `json:"duration_ns"`
	OutOfOrder     uint64              `json:"out_of_order"`
	Malformed      uint64              `json:"malformed"`
	Skipped        uint64              `json:"skipped"`
	SkipReasons    []string            `json:"skip_reasons,omitempty"`
	Truncated      *capture.Truncation `json:"truncated,omitempty"`
	Concatenated   uint64              `json:"files_joined_after_the_first,omitempty"`
	Encapsulations []capture.Count     `json:"encapsulations,omitempty"`
	Undecoded      []capture.Undecoded `json:"undecoded,omitempty"`
	// Duplicates are the frames dropped as copies of a packet read before
	// them (on another interface, or in another capture).
	Duplicates uint64 `json:"duplicates_removed"`
	// Node and Clock, for each capture of Report.Captures: the node it
	// was taken on (given, or its file name) and its clock offset.
	Node  string         `json:"node,omitempty"`
	Clock *capture.Clock `json:"clock,omitempty"`
}

// WindowCount is how many windows of one size the capture spans.
type WindowCount struct {
	SizeSeconds float64 `json:"size_s"`
	Windows     int     `json:"windows"`
	LastPartial bool    `json:"last_partial"`
}

// EntitiesReport describes the entity log.
type EntitiesReport struct {
	Name        string    `json:"name"`
	Format      string    `json:"format"`
	Relative    bool      `json:"relative"`
	Events      int       `json:"events"`
	Pods        int       `json:"pods"`
	Services    int       `json:"services"`
	ServiceList []string  `json:"service_list"`
	Infra       []string  `json:"infrastructure"`
	DNS         []string  `json:"dns"`
	First       time.Time `json:"first"`
	Last        time.Time `json:"last"`
	Prefixes    []string  `json:"cluster_prefixes"`
	Inferred    bool      `json:"prefixes_inferred"`
}

// Run reads the captures and the entity log and reports. The captures
// are read as the analysis reads them (capture.OpenAll with tunnels
// opened and copies dropped: capture.Options Inner and Dedup). Progress
// is not reported: a check reads the captures once at full speed. A
// capture cut short is a finding, unless opts.Strict makes it an error.
func Run(ctx context.Context, caps []capture.Input, entR io.Reader, entName string, opts Options) (*Report, error) {
	if len(opts.Sizes) == 0 {
		opts.Sizes = []time.Duration{10 * time.Second, time.Minute}
	}
	if opts.Top <= 0 {
		opts.Top = 5
	}
	log, err := entities.Parse(entR, entName)
	if err != nil {
		return nil, err
	}
	m, err := capture.OpenAll(caps, capture.Options{Strict: opts.Strict, Inner: true, Dedup: true})
	if err != nil {
		return nil, err
	}
	defer m.Close()
	var p capture.Packet
	if err := m.Next(&p); err != nil {
		if err == io.EOF {
			return nil, NoPackets(names(m), m.Stats())
		}
		return nil, err
	}
	t0 := p.Timestamp
	tl, err := entities.Build(log, entities.Options{Start: t0, Offset: opts.EntitiesOffset, ClusterCIDRs: opts.ClusterCIDRs})
	if err != nil {
		return nil, fmt.Errorf("entity log %s: %w", entName, err)
	}
	t := newTally(tl)
	for n := 1; ; n++ {
		t.add(&p)
		if n&4095 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err := m.Next(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
	}
	return report(m, t, t0, log, tl, entName, opts), nil
}

// report puts the report together once the captures are read.
func report(m *capture.Merged, t *tally, t0 int64, log *entities.Log, tl *entities.Timeline, entName string, opts Options) *Report {
	st := m.Stats()
	rep := &Report{
		Capture:    captureReport(names(m), st),
		Windows:    windowCounts(opts.Sizes, st, t0),
		Entities:   entitiesReport(entName, log, tl, opts),
		Resolution: t.report(opts.Top),
	}
	for _, in := range m.Inputs() {
		cr := captureReport(in.Name, in.Stats)
		cr.Node, cr.Duplicates, cr.Clock = in.Node, in.Duplicates, &in.Clock
		rep.Captures = append(rep.Captures, cr)
	}
	ev := t.ev
	ev.CaptureFirst, ev.CaptureLast = st.First, st.Last
	ev.LogFirst, ev.LogLast = tl.Span()
	ev.Services, ev.Prefixes = len(tl.Services()), tl.Prefixes()
	rep.Findings = append(Judge(ev), CaptureFindings(m.Warnings())...)
	sortFindings(rep.Findings)
	rep.Verdict = verdict(rep.Findings)
	return rep
}

// names joins the names of a read's captures.
func names(m *capture.Merged) string {
	var ns []string
	for _, in := range m.Inputs() {
		ns = append(ns, in.Name)
	}
	return strings.Join(ns, ", ")
}

// NoPackets is the error for captures without a whole packet: empty, or
// cut short before their first packet ended; name names them.
func NoPackets(name string, st capture.Stats) error {
	if t := st.Truncated; t != nil {
		return fmt.Errorf("capture %s holds no whole packet: %s", name, t.Message)
	}
	return fmt.Errorf("capture %s holds no packets: capture some traffic first", name)
}

func verdict(fs []Finding) string {
	switch {
	case len(fs) == 0 || Worst(fs) == Note:
		return VerdictOK
	case Worst(fs) == Warning:
		return VerdictWarnings
	}
	return VerdictFail
}

// windowCounts says how many windows of each size the capture spans.
func windowCounts(sizes []time.Duration, st capture.Stats, t0 int64) []WindowCount {
	var out []WindowCount
	for _, size := range sizes {
		first := floorDiv(st.First-t0, int64(size))
		last := floorDiv(st.Last-t0, int64(size))
		out = append(out, WindowCount{SizeSeconds: size.Seconds(), Windows: int(last - first + 1), LastPartial: true})
	}
	return out
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func captureReport(name string, st capture.Stats) CaptureReport {
	cr := CaptureReport{
		Name: name, Format: st.Format, Compressed: st.Compressed, Interfaces: st.Interfaces,
		Packets: st.Packets, Bytes: st.Bytes, IPPackets: st.IPPackets, NonIP: st.NonIP,
		First: time.Unix(0, st.First).UTC(), Last: time.Unix(0, st.Last).UTC(), Duration: time.Duration(st.Last - st.First),
		OutOfOrder: st.OutOfOrder, Malformed: st.Malformed, Skipped: st.Skipped,
		Truncated: st.Truncated, Concatenated: st.Concatenated, Encapsulations: st.Encapsulations, Undecoded: st.Undecoded,
		Duplicates: st.Duplicates,
	}
	for _, lt := range st.LinkTypes {
		cr.LinkTypes = append(cr.LinkTypes, lt.String())
	}
	for _, r := range st.SkipReasons {
		cr.SkipReasons = append(cr.SkipReasons, fmt.Sprintf("%d %s", r.Count, r.Reason))
	}
	return cr
}

func entitiesReport(name string, log *entities.Log, tl *entities.Timeline, opts Options) EntitiesReport {
	er := EntitiesReport{Name: name, Format: string(log.Format), Relative: log.Relative, Events: len(log.Events), Inferred: len(opts.ClusterCIDRs) == 0}
	pods := make(map[string]bool)
	for _, in := range tl.Instances() {
		if in.Kind == entities.Pod {
			pods[in.Namespace+"/"+in.Name] = true
		}
	}
	er.Pods = len(pods)
	for _, s := range tl.Services() {
		er.Services++
		er.ServiceList = append(er.ServiceList, s.Name)
		if s.Infra {
			er.Infra = append(er.Infra, s.Name)
		}
		if s.DNS {
			er.DNS = append(er.DNS, s.Name)
		}
	}
	first, last := tl.Span()
	er.First, er.Last = time.Unix(0, first).UTC(), time.Unix(0, last).UTC()
	for _, p := range tl.Prefixes() {
		er.Prefixes = append(er.Prefixes, p.String())
	}
	return er
}
