package engine

import (
	"math"
	"time"
)

// FeatureInfo names and explains one feature column.
type FeatureInfo struct {
	Name        string `json:"name"`        // stable, e.g. "outside_bytes[shop-db]"
	Family      string `json:"family"`      // e.g. "outside_bytes"
	Description string `json:"description"` // one line, for the UI
}

// Contribution is one model input's share of a window's score: Weight·Z.
// An input that aggregates a family (max_z[bytes], say) names the feature
// behind it in Key, e.g. "bytes[shop-db->outside]"; Value and Median are
// then that feature's raw value and baseline median.
type Contribution struct {
	Feature int     `json:"-"`       // column in Series.Features
	Name    string  `json:"feature"` // Series.Features[Feature].Name
	Key     string  `json:"key,omitempty"`
	About   string  `json:"about,omitempty"` // Key's description
	Value   float64 `json:"value"`           // raw value
	Z       float64 `json:"z"`               // robust z against the baseline
	Weight  float64 `json:"weight"`          // model coefficient
	Median  float64 `json:"median"`          // baseline median of the raw value
	Contrib float64 `json:"contribution"`
}

// Edge is one edge of a window's service graph.
type Edge struct {
	Src     string `json:"src"`
	Dst     string `json:"dst"`
	Bytes   uint64 `json:"bytes"`
	Packets uint64 `json:"packets"`
	New     bool   `json:"new"`             // service pair never seen in the baseline
	Outside bool   `json:"outside"`         // one end is outside the cluster
	Infra   bool   `json:"infra,omitempty"` // infrastructure: shown, not scored
}

// Reason explains, in words and numbers, why an edge is flagged.
type Reason struct {
	Code string  `json:"code"` // stable: ReasonCodes
	Text string  `json:"text"` // e.g. "81.2 kB, 14.3 IQR above its baseline median 0 B"
	Z    float64 `json:"z,omitempty"`
}

// FlaggedEdge is a service-level edge that drives a window's score, with the
// real pods and addresses behind it.
type FlaggedEdge struct {
	Src     string   `json:"src"`
	Dst     string   `json:"dst"`
	SrcPods []string `json:"src_pods"` // empty for outside
	DstPods []string `json:"dst_pods"`
	SrcIPs  []string `json:"src_ips"`
	DstIPs  []string `json:"dst_ips"`
	Bytes   uint64   `json:"bytes"`
	Packets uint64   `json:"packets"`
	// Baseline is the edge's median bytes per window over the baseline.
	Baseline float64  `json:"baseline_bytes"`
	Reasons  []Reason `json:"reasons"`
	// Weight ranks edges: the score contribution attributed to this edge.
	Weight float64 `json:"weight"`
	// Evidence is what the reasons rest on, for the analyst to read.
	Evidence *Evidence `json:"evidence,omitempty"`
}

// Evidence is the concrete traffic behind a flagged edge, within a bounded
// budget per window: its flows, the DNS names of a suspected tunnel, the
// address:port targets of a fan-out.
type Evidence struct {
	// Flows are the edge's flows in both directions, largest first.
	Flows     []FlowInfo `json:"flows,omitempty"`
	MoreFlows int        `json:"more_flows,omitempty"` // flows left out
	// Opened are the connections the source opened along the edge,
	// largest first; MoreOpened those left out.
	Opened     []FlowInfo `json:"opened,omitempty"`
	MoreOpened int        `json:"more_opened,omitempty"`
	// DNSNames are the source's longest query names to the cluster DNS.
	DNSNames []DNSName `json:"dns_names,omitempty"`
	// Targets are the endpoints the source opened connections to along
	// the edge, most used first; MoreTargets those left out.
	Targets     []Target `json:"targets,omitempty"`
	MoreTargets int      `json:"more_targets,omitempty"`
	// Beacon is the periodic connections of a beacon reason.
	Beacon *BeaconEvidence `json:"beacon,omitempty"`
}

// FlowInfo is one transport flow: a direction of a conversation.
type FlowInfo struct {
	Protocol  string    `json:"protocol"` // "tcp", "udp", "icmp", or the number
	Src       string    `json:"src"`      // pod, or "outside"
	Dst       string    `json:"dst"`
	SrcIP     string    `json:"src_ip"`
	DstIP     string    `json:"dst_ip"`
	SrcPort   uint16    `json:"src_port"`
	DstPort   uint16    `json:"dst_port"`
	Bytes     uint64    `json:"bytes"`
	Packets   uint32    `json:"packets"`
	First     time.Time `json:"first"`
	Last      time.Time `json:"last"`
	Initiator string    `json:"initiator"` // "src", "dst", or "" when the window does not show the connection opened
}

// DNSName is one query name with its length and the entropy of its
// subdomain part.
type DNSName struct {
	Name    string  `json:"name"`
	Length  int     `json:"length"`
	Entropy float64 `json:"entropy"`
}

// Target is an endpoint a source opened connections to.
type Target struct {
	Address  string `json:"address"` // ip:port
	Protocol string `json:"protocol"`
	Pod      string `json:"pod"` // or service VIP, or "outside"
	Count    int    `json:"count"`
}

// PodEdge is one edge of a window's pod graph.
type PodEdge struct {
	Src, Dst               string // pod, service VIP ("name_VIP"), "outside" or "?ip"
	SrcService, DstService string
	SrcIPs, DstIPs         []string // the real outside addresses for outside
	Bytes, Packets         uint64
	Infra                  bool // infrastructure: shown, not scored
}

// DomainUse is a registered DNS domain asked in a window.
type DomainUse struct {
	Domain   string
	Queries  uint64
	Names    uint64   // distinct names (the most under one source)
	Services []string // who asked, sorted
}

// PortUse is a service port used in a window: the destination port of
// the connections opened to it, or the lower port of a conversation.
type PortUse struct {
	Protocol string
	Port     uint16
	Bytes    uint64
	Flows    int
}

// Change is a change of the application seen in a window: a pod or
// service added or deleted, an address reused.
type Change struct {
	Time      time.Time `json:"time"`
	Op        string    `json:"op"`   // "add" or "delete"
	Kind      string    `json:"kind"` // "pod" or "service"
	Name      string    `json:"name"`
	Namespace string    `json:"namespace"`
	Service   string    `json:"service"`
	IP        string    `json:"ip,omitempty"`
	// ReusedFrom names the entity that held IP before, on an add.
	ReusedFrom string `json:"reused_from,omitempty"`
}

// WindowResult is the analysis of one window of one window size.
type WindowResult struct {
	Size    time.Duration `json:"-"`
	Index   int           `json:"window"`
	Start   time.Time     `json:"start"`
	End     time.Time     `json:"end"`
	Partial bool          `json:"partial"`
	// Coverage is the share of the window the capture covers: 1 but for
	// the last, partial window.
	Coverage float64 `json:"coverage"`
	Baseline bool    `json:"baseline"` // used to fit the baseline statistics
	Packets  uint64  `json:"packets"`
	Bytes    uint64  `json:"bytes"`

	// Score is b0 + Σ Weight·Z; Contributions holds the non-zero terms,
	// largest absolute contribution first.
	Score         float64        `json:"score"`
	Contributions []Contribution `json:"contributions"`

	// IdeScore is the Ide & Kashima eigenspace score, NaN until enough
	// earlier windows exist.
	IdeScore float64 `json:"ide_score"`
	// AllowlistAlert is set when a service pair never seen in the baseline
	// talks in this window.
	AllowlistAlert bool `json:"allowlist_alert"`

	// Values holds the model's inputs (robust z), indexed like
	// Series.Features.
	Values []float64 `json:"-"`
	// Edges is the window's service graph.
	Edges []Edge `json:"-"`
	// Churn lists the changes of the application in the window.
	Churn []Change `json:"churn,omitempty"`
	// Learned lists the new workloads' service pairs this window was the
	// first to show, taken into the baseline instead of flagged
	// (learning.go): each pair is reported once in a run.
	Learned []LearnedPair `json:"learned,omitempty"`
	// Suppressed marks a window of an interval judged a false positive:
	// what drove it was folded into the baseline, and it does not alert.
	Suppressed bool `json:"suppressed,omitempty"`
	// PodEdges is the window's pod graph (pods, VIPs, outside, unknown
	// addresses), busiest first; Domains the registered DNS domains
	// asked, and Ports the busiest service ports (finest windows only):
	// what a user interface searches and pivots on.
	PodEdges []PodEdge   `json:"-"`
	Domains  []DomainUse `json:"-"`
	Ports    []PortUse   `json:"-"`
	// Flagged lists the edges that show evidence, those that carry the
	// score first. They are computed for every window; a UI shows them
	// when the window alerts.
	Flagged []FlaggedEdge `json:"flagged_edges"`
}

// Alert is the alert rule: does the window alert at threshold th? Every
// count, mark, export and jump of every front end asks it (or a fast form
// property-tested against it).
func (w *WindowResult) Alert(th float64) bool {
	return w.Alertable() && w.Score >= th
}

// Alertable reports whether the window can alert at any threshold. Baseline
// windows cannot: they are assumed benign (their score, computed against
// the rest of the baseline, still shows how much they vary); nor can
// windows an analyst judged false positives (Options.Suppress). The last,
// partial window can only when the capture covers at least MinCoverage of
// it: with less, its volumes and ratios are not comparable with a full
// window's, and a score on them is not evidence.
func (w *WindowResult) Alertable() bool {
	return !w.Baseline && !w.Suppressed && !math.IsNaN(w.Score) && (!w.Partial || w.Coverage >= MinCoverage)
}

// MinCoverage is the share of a partial window the capture must cover for
// the window to alert.
const MinCoverage = 0.9

// Series is the analysis of one window size.
type Series struct {
	Size     time.Duration  `json:"size"`
	Features []FeatureInfo  `json:"features"`
	Windows  []WindowResult `json:"windows"`
	// Threshold is the alert threshold chosen on training data (or given).
	Threshold        float64 `json:"threshold"`
	ThresholdTrained float64 `json:"threshold_trained"`
}
