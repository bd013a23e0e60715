package engine

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// scenarioDir holds real captures of a shop application made for these
// tests (testdata/scenarios/README.md): a benign one, a benign release,
// and one per attack the tool must catch, each at a few KB/s.
const scenarioDir = "../testdata/scenarios"

func scenarioInputs(name string) Inputs {
	dir := filepath.Join(scenarioDir, name)
	return Inputs{
		Capture:  FileSource(filepath.Join(dir, "capture.pcapng.gz")),
		Entities: FileSource(filepath.Join(dir, "entities.jsonl")),
	}
}

// scenario is what TestScenarios expects of one capture.
type scenario struct {
	name string
	// everyWindow: every window that overlaps an attack for at least half
	// its length must alert (the loud attacks); otherwise at least one
	// window overlapping each attack must.
	everyWindow bool
	benign      bool   // no window may alert
	reason      string // a flagged edge of an alerting window shows it
}

var scenarios = []scenario{
	{name: "benign", benign: true},
	{name: "new-service", benign: true},
	{name: "direct-exfil", everyWindow: true, reason: ReasonSensitiveOutside},
	{name: "multi-hop", everyWindow: true, reason: ReasonNewInitiator},
	{name: "dns-tunnel", everyWindow: true, reason: ReasonDNSTunnel},
	{name: "port-scan", everyWindow: true, reason: ReasonFanOut},
	{name: "stealthy-exfil", reason: ReasonOutside},
	{name: "beacon", reason: ReasonBeacon},
	{name: "admin-probe", reason: ReasonNewPort},
}

// TestScenarios trains a model on the benign capture only, as an analyst
// would, and scores every other capture of the same application with it
// (issue 10): every attack is detected, the loud ones in every window they
// fill; the benign captures, the release of a new service included, raise
// no alert; the new service's pairs are reported once as learned.
func TestScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: scoring nine captures takes several seconds")
	}
	model := benignModel(t)
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			truth := readTruth(t, sc.name)
			mopts := DefaultOptions()
			mopts.Baseline = BaselineModel(model)
			res, err := Run(context.Background(), scenarioInputs(sc.name), mopts, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkScenario(t, sc, truth, res)
			if sc.name == "new-service" {
				checkLearnedOnce(t, res)
			}
		})
	}
	t.Run("two-node", func(t *testing.T) { checkTwoNodes(t, model) })
}

// checkTwoNodes: the two-node cluster (issue 9) captured with tcpdump -i
// any on each node, every cross-node packet seen on both and wrapped in
// VXLAN, node b's clock 37.5 ms ahead, is detected like the single-bridge
// scenarios, and scores exactly as the pods' own captures merged do.
func checkTwoNodes(t *testing.T, m *Model) {
	dir := filepath.Join(scenarioDir, "two-node")
	opts := DefaultOptions()
	opts.Baseline = BaselineModel(m)
	run := func(captures []string) *Result {
		in := Inputs{Entities: FileSource(filepath.Join(dir, "entities.jsonl"))}
		for _, c := range captures {
			in.Captures = append(in.Captures, FileSource(c))
		}
		res, err := Run(context.Background(), in, opts, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	nodes := run([]string{filepath.Join(dir, "node-a.pcap.gz"), filepath.Join(dir, "node-b.pcap.gz")})
	checkScenario(t, scenario{name: "two-node", everyWindow: true, reason: ReasonSensitiveOutside}, readTruth(t, "two-node"), nodes)
	if c := nodes.Inputs.Captures; len(c) != 2 || c[1].ClockSource != "estimated" || (c[1].ClockOffset-37500*time.Microsecond).Abs() > 100*time.Microsecond {
		t.Errorf("captures: %+v, want node-b's clock estimated at +37.5 ms", c)
	}
	pods, err := filepath.Glob(filepath.Join(dir, "pods", "*.pcap.gz"))
	if err != nil || len(pods) == 0 {
		t.Fatalf("pod captures: %v %v", pods, err)
	}
	truth := run(pods)
	for si := range nodes.Series {
		a, b := nodes.Series[si].Windows, truth.Series[si].Windows
		if len(a) != len(b) {
			t.Fatalf("%v: %d windows from the nodes, %d from the pods", nodes.Series[si].Size, len(a), len(b))
		}
		for i := range a {
			if a[i].Score != b[i].Score {
				t.Errorf("%v window %d: score %v from the nodes, %v from the pods", nodes.Series[si].Size, i, a[i].Score, b[i].Score)
			}
		}
	}
}

func readTruth(t *testing.T, name string) []Attack {
	t.Helper()
	f, err := os.Open(filepath.Join(scenarioDir, name, "ground_truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	truth, err := ReadGroundTruth(f, name)
	if err != nil {
		t.Fatal(err)
	}
	return truth
}

// checkScenario checks the alerts of every series against the truth.
func checkScenario(t *testing.T, sc scenario, truth []Attack, res *Result) {
	t.Helper()
	detected := make([]bool, len(truth))
	reasons := make(map[string]bool)
	for _, s := range res.Series {
		var missed, falseAlarms []int
		for i := range s.Windows {
			w := &s.Windows[i]
			alert := w.Alert(s.Threshold)
			var overlap int64
			for a, at := range truth {
				ov := max(0, min(at.End.UnixNano(), w.End.UnixNano())-max(at.Start.UnixNano(), w.Start.UnixNano()))
				overlap += ov
				detected[a] = detected[a] || (alert && ov > 0)
			}
			switch {
			case sc.everyWindow && overlap*2 >= int64(s.Size) && !alert:
				missed = append(missed, w.Index)
			case overlap == 0 && alert:
				falseAlarms = append(falseAlarms, w.Index)
			}
			for _, fe := range w.Flagged {
				for _, r := range fe.Reasons {
					reasons[r.Code] = reasons[r.Code] || (alert && overlap > 0)
				}
			}
		}
		if len(missed) > 0 {
			t.Errorf("%v: attacked windows %v do not alert", s.Size, missed)
		}
		if len(falseAlarms) > 0 {
			t.Errorf("%v: windows without attack alert: %v", s.Size, falseAlarms)
		}
	}
	for a, ok := range detected {
		if !ok {
			t.Errorf("attack %s (%s) is never detected", truth[a].ID, truth[a].Type)
		}
	}
	if sc.benign != (len(truth) == 0) {
		t.Fatalf("ground truth lists %d attacks for a capture the test calls benign=%v", len(truth), sc.benign)
	}
	if sc.reason != "" && !reasons[sc.reason] {
		t.Errorf("no alerting attacked window flags an edge for %q", sc.reason)
	}
	if sc.reason == ReasonBeacon {
		checkBeaconEvidence(t, res)
	}
}

// checkLearnedOnce: the new service's pairs with the services it calls
// and that call it are each reported once, in the finest series.
func checkLearnedOnce(t *testing.T, res *Result) {
	t.Helper()
	count := make(map[string]int)
	for _, s := range res.Series {
		for i := range s.Windows {
			for _, lp := range s.Windows[i].Learned {
				if lp.Workload != "recommender" {
					t.Errorf("learned %s for workload %q", lp.Pair, lp.Workload)
				}
				count[lp.Pair]++
			}
		}
	}
	for _, p := range []string{"front-end -> recommender", "recommender -> catalogue", "recommender -> user"} {
		if count[p] != 1 {
			t.Errorf("%s reported %d times as learned, want once (all: %v)", p, count[p], count)
		}
	}
	for p, n := range count {
		if n != 1 {
			t.Errorf("%s reported %d times", p, n)
		}
	}
}

// checkBeaconEvidence: the beacon's edge carries its check-ins, about
// 20 s apart (ground_truth.json: mean_interval_s 20, jitter 0.25).
func checkBeaconEvidence(t *testing.T, res *Result) {
	t.Helper()
	for _, s := range res.Series {
		for i := range s.Windows {
			for _, fe := range s.Windows[i].Flagged {
				if ev := fe.Evidence; ev != nil && ev.Beacon != nil {
					b := ev.Beacon
					if fe.Src != "orders" || fe.Dst != Outside || b.Count < beaconMinConns || math.Abs(b.Interval-20) > 3 ||
						!slices.Contains([]string{"198.51.100.20 tcp/80"}, b.Destination) {
						t.Errorf("beacon evidence %s -> %s: %+v", fe.Src, fe.Dst, b)
					}
					return
				}
			}
		}
	}
	t.Error("no flagged edge carries beacon evidence")
}
