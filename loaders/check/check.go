package check

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/units"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/entities"
)

// Options configure a check.
type Options struct {
	Sizes          []time.Duration // window sizes to count (default 10 s and 60 s)
	EntitiesOffset time.Duration   // shift of a relative (pickle) log
	ClusterCIDRs   []netip.Prefix  // the cluster's ranges; empty = inferred
	Top            int             // how many talkers to list (default 5)
}

// Report is the outcome of a check. Times are UTC.
type Report struct {
	Capture    CaptureReport    `json:"capture"`
	Windows    []WindowCount    `json:"windows"`
	Entities   EntitiesReport   `json:"entities"`
	Resolution ResolutionReport `json:"resolution"`
	Warnings   []string         `json:"warnings"`
}

// CaptureReport describes the capture.
type CaptureReport struct {
	Name        string        `json:"name"`
	Format      string        `json:"format"`
	Compressed  bool          `json:"compressed"`
	LinkTypes   []string      `json:"link_types"`
	Interfaces  int           `json:"interfaces"`
	Packets     uint64        `json:"packets"`
	Bytes       uint64        `json:"bytes"`
	IPPackets   uint64        `json:"ip_packets"`
	NonIP       uint64        `json:"non_ip_packets"`
	First       time.Time     `json:"first"`
	Last        time.Time     `json:"last"`
	Duration    time.Duration `json:"duration_ns"`
	OutOfOrder  uint64        `json:"out_of_order"`
	Malformed   uint64        `json:"malformed"`
	Skipped     uint64        `json:"skipped"`
	SkipReasons []string      `json:"skip_reasons,omitempty"`
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

// ResolutionReport says how much in-cluster traffic resolves to entities.
type ResolutionReport struct {
	InClusterBytes uint64  `json:"in_cluster_bytes"`
	ResolvedBytes  uint64  `json:"resolved_bytes"`
	Share          float64 `json:"resolved_share"`
	// KnownElsewhenBytes are unresolved bytes of addresses the log knows at
	// other times: a sign that the log is offset from the capture.
	KnownElsewhenBytes uint64   `json:"known_at_other_times_bytes"`
	OffsetHint         string   `json:"offset_hint,omitempty"`
	TopUnresolved      []Talker `json:"top_unresolved_in_cluster"`
	TopOutside         []Talker `json:"top_outside"`
}

// Talker is one address and its traffic.
type Talker struct {
	IP      string   `json:"ip"`
	Bytes   uint64   `json:"bytes"`
	Packets uint64   `json:"packets"`
	Peers   []string `json:"peers"` // the entities (or addresses) it talked with, busiest first
}

type talker struct {
	bytes, packets uint64
	peers          map[string]uint64
	// offsets to the nearest interval of the address in the log, for
	// addresses the log knows at other times.
	offsets []int64
}

// Run reads the capture and the entity log and reports. Progress is not
// reported: a check reads the capture once at full speed.
func Run(ctx context.Context, capR io.Reader, capName string, entR io.Reader, entName string, opts Options) (*Report, error) {
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
	rd, err := capture.NewReader(capR, capName)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	var p capture.Packet
	if err := rd.Next(&p); err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("capture %s holds no packets: capture some traffic first", capName)
		}
		return nil, err
	}
	t0 := p.Timestamp
	tl, err := entities.Build(log, entities.Options{Start: t0, Offset: opts.EntitiesOffset, ClusterCIDRs: opts.ClusterCIDRs})
	if err != nil {
		return nil, fmt.Errorf("entity log %s: %w", entName, err)
	}

	// Where the log knows each address, to tell an offset log from an
	// incomplete one.
	known := make(map[netip.Addr][][2]int64)
	for _, in := range tl.Instances() {
		if in.IP.IsValid() {
			known[in.IP] = append(known[in.IP], [2]int64{in.From, in.To})
		}
	}
	unresolved := make(map[netip.Addr]*talker)
	outside := make(map[netip.Addr]*talker)
	var rep Report
	res := &rep.Resolution
	name := func(ip netip.Addr, ts int64) string {
		if in := tl.Lookup(ip, ts); in != nil {
			return in.Name
		}
		return ip.String()
	}
	note := func(m map[netip.Addr]*talker, ip, peer netip.Addr, ts int64, n uint64) *talker {
		t := m[ip]
		if t == nil {
			t = &talker{peers: make(map[string]uint64)}
			m[ip] = t
		}
		t.bytes += n
		t.packets++
		t.peers[name(peer, ts)] += n
		return t
	}
	for n := 0; ; n++ {
		if n&4095 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if p.IPVersion != 0 {
			// A frame is in-cluster traffic when either end is ours; it is
			// resolved when every in-cluster end is a known entity.
			bytes := uint64(p.WireLen)
			ours, resolved := false, true
			for _, end := range [2][2]netip.Addr{{p.Src, p.Dst}, {p.Dst, p.Src}} {
				ip, peer := end[0], end[1]
				switch {
				case tl.Lookup(ip, p.Timestamp) != nil:
					ours = true
				case tl.InCluster(ip):
					ours, resolved = true, false
					t := note(unresolved, ip, peer, p.Timestamp, bytes)
					if off, ok := nearest(known[ip], p.Timestamp); ok {
						res.KnownElsewhenBytes += bytes
						if len(t.offsets) < 1000 {
							t.offsets = append(t.offsets, off)
						}
					}
				case tl.InCluster(peer) || tl.Lookup(peer, p.Timestamp) != nil:
					note(outside, ip, peer, p.Timestamp, bytes)
				}
			}
			if ours {
				res.InClusterBytes += bytes
				if resolved {
					res.ResolvedBytes += bytes
				}
			}
		}
		err := rd.Next(&p)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	st := rd.Stats()
	rep.Capture = captureReport(capName, st)
	for _, size := range opts.Sizes {
		first := floorDiv(st.First-t0, int64(size))
		last := floorDiv(st.Last-t0, int64(size))
		rep.Windows = append(rep.Windows, WindowCount{SizeSeconds: size.Seconds(), Windows: int(last - first + 1), LastPartial: true})
	}
	rep.Entities = entitiesReport(entName, log, tl, opts)
	if res.InClusterBytes > 0 {
		res.Share = float64(res.ResolvedBytes) / float64(res.InClusterBytes)
	}
	res.TopUnresolved = top(unresolved, opts.Top)
	res.TopOutside = top(outside, opts.Top)
	var offsets []int64
	for _, t := range unresolved {
		offsets = append(offsets, t.offsets...)
	}
	if len(offsets) > 0 {
		slices.Sort(offsets)
		med := time.Duration(offsets[len(offsets)/2]).Round(time.Second)
		when := fmt.Sprintf("%v later", med)
		if med < 0 {
			when = fmt.Sprintf("%v earlier", -med)
		}
		res.OffsetHint = fmt.Sprintf("the log knows these addresses at other times (typically %s than the traffic): it looks shifted; check the clocks, or --entities-offset for a pickle log", when)
	}
	rep.Warnings = warnings(&rep, tl)
	return &rep, nil
}

// nearest returns the signed distance from ts to the nearest of the
// intervals in which the log knows an address (positive: the log has it
// later), if any.
func nearest(spans [][2]int64, ts int64) (int64, bool) {
	best, found := int64(math.MaxInt64), false
	for _, sp := range spans {
		var d int64
		switch {
		case ts < sp[0]:
			d = sp[0] - ts
		case ts >= sp[1]:
			d = -(ts - sp[1] + 1)
		default:
			return 0, true
		}
		if abs(d) < abs(best) {
			best, found = d, true
		}
	}
	return best, found
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func top(m map[netip.Addr]*talker, n int) []Talker {
	out := make([]Talker, 0, len(m))
	for ip, t := range m {
		tk := Talker{IP: ip.String(), Bytes: t.bytes, Packets: t.packets}
		type peer struct {
			name  string
			bytes uint64
		}
		var ps []peer
		for p, b := range t.peers {
			ps = append(ps, peer{p, b})
		}
		slices.SortFunc(ps, func(a, b peer) int {
			return cmp.Or(cmp.Compare(b.bytes, a.bytes), cmp.Compare(a.name, b.name))
		})
		for i, p := range ps {
			if i == 3 {
				tk.Peers = append(tk.Peers, fmt.Sprintf("+%d more", len(ps)-3))
				break
			}
			tk.Peers = append(tk.Peers, p.name)
		}
		out = append(out, tk)
	}
	slices.SortFunc(out, func(a, b Talker) int { return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(a.IP, b.IP)) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func captureReport(name string, st capture.Stats) CaptureReport {
	cr := CaptureReport{
		Name: name, Format: st.Format, Compressed: st.Compressed, Interfaces: st.Interfaces,
		Packets: st.Packets, Bytes: st.Bytes, IPPackets: st.IPPackets, NonIP: st.NonIP,
		First: time.Unix(0, st.First).UTC(), Last: time.Unix(0, st.Last).UTC(), Duration: time.Duration(st.Last - st.First),
		OutOfOrder: st.OutOfOrder, Malformed: st.Malformed, Skipped: st.Skipped,
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

// warnings says what looks wrong, and what to do about it.
func warnings(rep *Report, tl *entities.Timeline) []string {
	var out []string
	c, e, r := &rep.Capture, &rep.Entities, &rep.Resolution
	switch {
	case e.First.After(c.Last):
		out = append(out, fmt.Sprintf("the entity log starts %v after the capture ends: they do not overlap; are they from the same run? (a pickle log can be shifted with --entities-offset)", e.First.Sub(c.Last).Round(time.Second)))
	case e.Last.Before(c.First) && r.Share < 0.5:
		out = append(out, fmt.Sprintf("the entity log's last event is %v before the capture starts and most in-cluster bytes are unresolved: are they from the same run?", c.First.Sub(e.Last).Round(time.Second)))
	case e.First.After(c.First.Add(time.Minute)):
		out = append(out, fmt.Sprintf("the entity log starts %v after the capture: the capture's first minutes cannot be resolved; check the log or --entities-offset", e.First.Sub(c.First).Round(time.Second)))
	}
	if r.InClusterBytes > 0 && r.Share < 0.95 {
		msg := fmt.Sprintf("only %.1f%% of in-cluster bytes resolve to known entities", r.Share*100)
		if r.KnownElsewhenBytes*2 > r.InClusterBytes-r.ResolvedBytes && r.OffsetHint != "" {
			msg += ": " + r.OffsetHint
		} else {
			msg += ": is the entity log complete (all namespaces, services and pods)?"
		}
		out = append(out, msg)
	}
	if c.Skipped > 0 {
		out = append(out, fmt.Sprintf("%d packets were skipped while reading (%s)", c.Skipped, strings.Join(c.SkipReasons, "; ")))
	}
	if c.Malformed > 0 {
		out = append(out, fmt.Sprintf("%d packets have malformed headers; they count as frames but are not analysed", c.Malformed))
	}
	if len(tl.Services()) == 0 {
		out = append(out, "the entity log names no services: pods are grouped by their names with generated suffixes removed")
	}
	return out
}

// WriteText writes the report for a person.
func (rep *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	c, e, r := &rep.Capture, &rep.Entities, &rep.Resolution
	format := c.Format
	if c.Compressed {
		format += ", gzip-compressed"
	}
	fmt.Fprintf(&b, "capture    %s\n", c.Name)
	fmt.Fprintf(&b, "  format   %s; link types %s; %d interface(s)\n", format, strings.Join(c.LinkTypes, ", "), c.Interfaces)
	fmt.Fprintf(&b, "  packets  %d (%d IP, %d other), %s on the wire\n", c.Packets, c.IPPackets, c.NonIP, units.Bytes(float64(c.Bytes)))
	fmt.Fprintf(&b, "  time     %s → %s (%v)\n", c.First.Format(time.RFC3339Nano), c.Last.Format(time.RFC3339Nano), c.Duration.Round(time.Millisecond))
	fmt.Fprintf(&b, "  quality  %d out of order, %d malformed, %d skipped\n", c.OutOfOrder, c.Malformed, c.Skipped)
	var ws []string
	for _, wc := range rep.Windows {
		ws = append(ws, fmt.Sprintf("%d × %gs (last partial)", wc.Windows, wc.SizeSeconds))
	}
	fmt.Fprintf(&b, "windows    %s\n", strings.Join(ws, ", "))
	fmt.Fprintf(&b, "entities   %s\n", e.Name)
	rel := ""
	if e.Relative {
		rel = " (relative times: second 0 = the capture's first packet)"
	}
	fmt.Fprintf(&b, "  format   %s%s; %d events\n", e.Format, rel, e.Events)
	fmt.Fprintf(&b, "  pods     %d; services %d: %s\n", e.Pods, e.Services, strings.Join(e.ServiceList, ", "))
	if len(e.DNS) > 0 || len(e.Infra) > 0 {
		fmt.Fprintf(&b, "  roles    DNS: %s; infrastructure (not scored): %s\n", orNone(e.DNS), orNone(e.Infra))
	}
	fmt.Fprintf(&b, "  time     %s → %s\n", e.First.Format(time.RFC3339Nano), e.Last.Format(time.RFC3339Nano))
	how := "given"
	if e.Inferred {
		how = "inferred from the log"
	}
	fmt.Fprintf(&b, "  ranges   %s (%s)\n", strings.Join(e.Prefixes, ", "), how)
	fmt.Fprintf(&b, "resolution %.1f%% of in-cluster bytes resolve to known entities (%s of %s)\n", r.Share*100, units.Bytes(float64(r.ResolvedBytes)), units.Bytes(float64(r.InClusterBytes)))
	talkers := func(title string, ts []Talker) {
		if len(ts) == 0 {
			fmt.Fprintf(&b, "  %s: none\n", title)
			return
		}
		fmt.Fprintf(&b, "  %s:\n", title)
		for _, t := range ts {
			fmt.Fprintf(&b, "    %-40s %10s %7d pkts  with %s\n", t.IP, units.Bytes(float64(t.Bytes)), t.Packets, strings.Join(t.Peers, ", "))
		}
	}
	talkers("top unresolved in-cluster addresses", r.TopUnresolved)
	talkers("top outside talkers", r.TopOutside)
	if len(rep.Warnings) == 0 {
		fmt.Fprintln(&b, "OK         the inputs look consistent")
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(&b, "warning    %s\n", w)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
