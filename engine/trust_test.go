package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/testdata"
)

// TestAlertRule is the one alert rule, case by case.
func TestAlertRule(t *testing.T) {
	cases := []struct {
		name string
		w    WindowResult
		th   float64
		want bool
	}{
		{"above", WindowResult{Score: 0.9, Coverage: 1}, 0.5, true},
		{"at the threshold", WindowResult{Score: 0.5, Coverage: 1}, 0.5, true},
		{"below", WindowResult{Score: 0.4, Coverage: 1}, 0.5, false},
		{"baseline window", WindowResult{Score: 0.9, Baseline: true, Coverage: 1}, 0.5, false},
		{"NaN score", WindowResult{Score: math.NaN(), Coverage: 1}, 0.5, false},
		{"partial, 96 % covered", WindowResult{Score: 0.9, Partial: true, Coverage: 0.96}, 0.5, true},
		{"partial, 79 % covered", WindowResult{Score: 0.9, Partial: true, Coverage: 0.79}, 0.5, false},
	}
	for _, c := range cases {
		if got := c.w.Alert(c.th); got != c.want {
			t.Errorf("%s: Alert(%g) = %v, want %v", c.name, c.th, got, c.want)
		}
	}
}

// TestPartialWindows: the demo capture spans 237.9 s (metadata.json): its
// last 10 s window covers 7.9 s of 10 and never alerts; its last 60 s
// window covers 57.9 s of 60 and can.
func TestPartialWindows(t *testing.T) {
	opts := DefaultOptions()
	opts.Sensitive = []string{"shop-db"}
	res := shopDemo(t, opts)
	for _, c := range []struct {
		size     time.Duration
		index    int
		coverage float64
		can      bool
	}{{10 * time.Second, 23, 0.79, false}, {time.Minute, 3, 0.965, true}} {
		for _, s := range res.Series {
			if s.Size != c.size {
				continue
			}
			w := s.Windows[len(s.Windows)-1]
			if w.Index != c.index || !w.Partial || math.Abs(w.Coverage-c.coverage) > 0.01 {
				t.Errorf("%v: last window %d partial=%v coverage %.3f, want %d partial, coverage %.3f", c.size, w.Index, w.Partial, w.Coverage, c.index, c.coverage)
			}
			if w.Alertable() != c.can {
				t.Errorf("%v window %d: alertable %v, want %v", c.size, w.Index, w.Alertable(), c.can)
			}
			for _, other := range s.Windows[:len(s.Windows)-1] {
				if other.Partial || other.Coverage != 1 {
					t.Errorf("%v window %d: partial=%v coverage %g, want a complete window", c.size, other.Index, other.Partial, other.Coverage)
				}
			}
		}
	}
}

// TestBaselineWindowsNoAllowlistBadge: a baseline window holds no pair the
// baseline never saw, so the allow-list never flags one and its graph has
// no [NEW] edge, although its score is computed out of fold.
func TestBaselineWindowsNoAllowlistBadge(t *testing.T) {
	opts := DefaultOptions()
	opts.Sensitive = []string{"shop-db"}
	res := shopDemo(t, opts)
	baseline := 0
	for _, s := range res.Series {
		for _, w := range s.Windows {
			if !w.Baseline {
				continue
			}
			baseline++
			if w.AllowlistAlert {
				t.Errorf("%v baseline window %d has the allow-list badge", s.Size, w.Index)
			}
			for _, e := range w.Edges {
				if e.New {
					t.Errorf("%v baseline window %d: edge %s -> %s marked new", s.Size, w.Index, e.Src, e.Dst)
				}
			}
		}
	}
	if baseline != 14 { // 12 of 10 s and 2 of 60 s in the first 2 minutes
		t.Errorf("%d baseline windows, want 14", baseline)
	}
}

// TestOptionErrors: every bad setting is a *SettingError naming it, and
// no message names a command-line flag.
func TestOptionErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name string
		set  func(*Options)
		want Setting
	}{
		{"NaN threshold", func(o *Options) { o.Threshold = &nan }, SettingThreshold},
		{"infinite threshold", func(o *Options) { o.Threshold = &inf }, SettingThreshold},
		{"negative workers", func(o *Options) { o.Workers = -1 }, SettingWorkers},
		{"Ide history 1", func(o *Options) { o.IdeHistory = 1 }, SettingIdeHistory},
		{"negative reorder slack", func(o *Options) { o.ReorderSlack = -time.Second }, SettingReorderSlack},
		{"zero window", func(o *Options) { o.Sizes = []time.Duration{0} }, SettingWindow},
		{"fraction 1.5", func(o *Options) { o.Baseline = BaselineShare(1.5) }, SettingBaseline},
		{"negative baseline", func(o *Options) { o.Baseline = BaselineSpan(-time.Minute) }, SettingBaseline},
		{"rate 0", func(o *Options) { o.Rates = []float64{1, 0} }, SettingRates},
		{"no such sensitive service", func(o *Options) { o.Sensitive = []string{"vault"} }, SettingSensitive},
		{"windows of 100 µs", func(o *Options) { o.Sizes = []time.Duration{100 * time.Microsecond} }, SettingWindow},
	}
	in := Inputs{Capture: BytesSource(testdata.ShopCaptureName, testdata.ShopCapture), Entities: BytesSource(testdata.ShopEntitiesName, testdata.ShopEntities)}
	for _, c := range cases {
		opts := DefaultOptions()
		c.set(&opts)
		_, err := Run(context.Background(), in, opts, nil)
		var se *SettingError
		if !errors.As(err, &se) || se.Setting != c.want {
			t.Errorf("%s: error %v, want a SettingError for %q", c.name, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "--") {
			t.Errorf("%s: %q names a flag", c.name, err)
		}
	}
}

// TestTooManyWindows: 100 µs windows would cut the demo's 237.9 s into
// 2.38 million windows (237.949 s / 100 µs + 1); the run refuses before analysing and says which
// size would do (237.9 s / 10⁶ = 238 µs, rounded up to 500 µs).
func TestTooManyWindows(t *testing.T) {
	opts := DefaultOptions()
	opts.Sizes = []time.Duration{100 * time.Microsecond}
	in := Inputs{Capture: BytesSource(testdata.ShopCaptureName, testdata.ShopCapture), Entities: BytesSource(testdata.ShopEntitiesName, testdata.ShopEntities)}
	_, err := Run(context.Background(), in, opts, nil)
	if err == nil || !strings.Contains(err.Error(), "about 2379494 windows") || !strings.Contains(err.Error(), "at least 500µs") {
		t.Fatalf("error %v, want the estimate (about 2379494 windows) and the smallest sensible size 500µs", err)
	}
}

// TestEvaluateUndefinedIsNull: with a 2-minute baseline, no 60 s window of
// the demo is a clean test window (the attack runs in both after the
// baseline): the 60 s injection figures are undefined, null in JSON with
// the reason, and the JSON encodes (it failed on NaN before).
func TestEvaluateUndefinedIsNull(t *testing.T) {
	opts := DefaultOptions()
	opts.Sensitive = []string{"shop-db"}
	in := Inputs{Capture: BytesSource(testdata.ShopCaptureName, testdata.ShopCapture), Entities: BytesSource(testdata.ShopEntitiesName, testdata.ShopEntities)}
	ev, _, err := Evaluate(context.Background(), in, opts, shopTruth(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatalf("evaluation does not encode as JSON: %v", err)
	}
	var doc struct {
		Sizes []struct {
			SizeS       float64 `json:"size_s"`
			TestWindows []int   `json:"test_windows"`
			Methods     []struct {
				Overall struct {
					AUC       *float64 `json:"auc"`
					Undefined string   `json:"undefined"`
				} `json:"overall"`
			} `json:"methods"`
		} `json:"sizes"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, se := range doc.Sizes {
		if se.SizeS != 60 {
			// 10 s: windows 12 and 20–22 are clean (ground truth 138.8–199.6 s).
			if !slices.Equal(se.TestWindows, []int{12, 20, 21, 22}) {
				t.Errorf("10s test windows %v, want [12 20 21 22]", se.TestWindows)
			}
			continue
		}
		if len(se.TestWindows) != 0 {
			t.Errorf("60s test windows %v, want none", se.TestWindows)
		}
		m := se.Methods[0].Overall
		if m.AUC != nil || m.Undefined != "no test window" {
			t.Errorf("60s model AUC %v (%q), want null with reason \"no test window\"", m.AUC, m.Undefined)
		}
	}
	if len(ev.Caveats) != 0 {
		t.Errorf("caveats %q with a ground truth", ev.Caveats)
	}
}

// TestEvaluateWithoutTruthSaysSo: without a ground truth the windows of
// the real exfiltration are used as clean test windows; the evaluation
// says so and lists them (10 s windows 12–22 after the 2-minute baseline,
// the partial window 23 left out).
func TestEvaluateWithoutTruthSaysSo(t *testing.T) {
	ev := shopEvaluation(t, nil, 1)
	if !slices.Contains(ev.Caveats, NoGroundTruthCaveat) {
		t.Errorf("caveats %q, want the no-ground-truth caveat", ev.Caveats)
	}
	want := []int{12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22}
	if got := ev.Sizes[0].TestWindows; !slices.Equal(got, want) {
		t.Errorf("10s test windows %v, want %v", got, want)
	}
}

var benign struct {
	once  sync.Once
	model *Model
	err   error
}

// benignModel is the model trained on the benign scenario capture.
func benignModel(t *testing.T) *Model {
	t.Helper()
	benign.once.Do(func() {
		opts := DefaultOptions()
		opts.Baseline = BaselineAll()
		opts.Sensitive = []string{"shop-db"}
		res, err := Run(context.Background(), scenarioInputs("benign"), opts, nil)
		if err == nil {
			benign.model = res.Model
		}
		benign.err = err
	})
	if benign.err != nil {
		t.Fatal(benign.err)
	}
	return benign.model
}

// TestExplanationsShowEvidence: on the port scan every flagged edge has a
// reason, edges are ranked by the score they carry, and the top edge of
// every alerting window during the scan is one the scan went along (a
// front-end edge with the fan-out reason); before, the top edge was an
// ordinary busy edge (front-end -> load-test) and edges without reasons
// were listed.
func TestExplanationsShowEvidence(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: trains on the benign scenario")
	}
	opts := DefaultOptions()
	opts.Baseline = BaselineModel(benignModel(t))
	res, err := Run(context.Background(), scenarioInputs("port-scan"), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Series[0]
	alerts := 0
	for _, w := range s.Windows {
		for i, fe := range w.Flagged {
			if len(fe.Reasons) == 0 {
				t.Errorf("window %d: %s -> %s flagged without a reason", w.Index, fe.Src, fe.Dst)
			}
			if i > 0 && fe.Weight > w.Flagged[i-1].Weight {
				t.Errorf("window %d: edge %d carries %g, more than the one above it", w.Index, i, fe.Weight)
			}
		}
		// The scan: 98.9–158.9 s after the capture start (ground truth).
		if !w.Alert(s.Threshold) || w.Index < 10 || w.Index > 14 {
			continue
		}
		alerts++
		top := w.Flagged[0]
		codes := make([]string, len(top.Reasons))
		for i, r := range top.Reasons {
			codes[i] = r.Code
		}
		if top.Src != "front-end" || !slices.Contains(codes, ReasonFanOut) || top.Weight <= 0 {
			t.Errorf("window %d: top edge %s -> %s %v weight %g, want a front-end edge with fan-out carrying the score", w.Index, top.Src, top.Dst, codes, top.Weight)
		}
	}
	if alerts != 5 {
		t.Errorf("%d of windows 10–14 alert, want 5", alerts)
	}
}

// TestTruncatedCapture: a capture cut inside a record (a killed tcpdump)
// is analysed up to its last whole packet with a warning that points at
// the strict setting; with Strict it is a SettingError for it.
func TestTruncatedCapture(t *testing.T) {
	raw := testdata.ShopCapture
	cut := raw[:len(raw)-len(raw)/3-7] // the gzip stream ends mid-record
	in := Inputs{Capture: BytesSource("cut.pcapng.gz", cut), Entities: BytesSource(testdata.ShopEntitiesName, testdata.ShopEntities)}
	opts := DefaultOptions()
	opts.Sensitive = []string{"shop-db"}
	res, err := Run(context.Background(), in, opts, nil)
	if err != nil {
		t.Fatalf("a cut capture must be analysed: %v", err)
	}
	found := false
	for _, w := range res.Warnings {
		found = found || (w.Setting == SettingStrict && strings.Contains(w.Message, "cut short"))
	}
	if !found {
		t.Errorf("warnings %+v lack the truncation", res.Warnings)
	}
	opts.Strict = true
	_, err = Run(context.Background(), in, opts, nil)
	var se *SettingError
	if !errors.As(err, &se) || se.Setting != SettingStrict {
		t.Errorf("strict: error %v, want a SettingError for strict", err)
	}
}

// TestLogResolvesNothing: an entity log whose addresses the capture never
// uses makes the results meaningless; the run says so with a severe
// warning (the explorer's banner, analyze's stderr).
func TestLogResolvesNothing(t *testing.T) {
	log := `{"ts":"2026-11-24T12:26:00Z","op":"add","kind":"pod","name":"db-0","namespace":"x","ip":"172.17.0.5","labels":{"app":"db"}}
{"ts":"2026-11-24T12:26:00Z","op":"add","kind":"service","name":"db","namespace":"x","ip":"10.96.7.7","labels":{"app":"db"}}
`
	in := Inputs{Capture: BytesSource(testdata.ShopCaptureName, testdata.ShopCapture), Entities: BytesSource("other.jsonl", []byte(log))}
	res, err := Run(context.Background(), in, DefaultOptions(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range res.Warnings {
		if w.Severe && strings.Contains(w.Message, "resolves none") {
			return
		}
	}
	t.Errorf("warnings %+v lack a severe 'resolves none'", res.Warnings)
}

// TestMemoryBudget: a run that needs more than its memory budget stops
// with an error saying so and naming the setting, instead of running the
// process out of memory.
func TestMemoryBudget(t *testing.T) {
	opts := DefaultOptions()
	opts.MemoryLimit = 1 << 20
	in := Inputs{Capture: BytesSource(testdata.ShopCaptureName, testdata.ShopCapture), Entities: BytesSource(testdata.ShopEntitiesName, testdata.ShopEntities)}
	_, err := Run(context.Background(), in, opts, nil)
	var se *SettingError
	if !errors.As(err, &se) || se.Setting != SettingMemoryLimit || !strings.Contains(err.Error(), "budget of 1.0 MB") {
		t.Fatalf("error %v, want a SettingError for the memory limit naming the budget", err)
	}
}

// TestMemoryBudgetWhileTraining: the budget holds in every phase, not
// only while packets are read: a heap over the budget once training has
// begun (training and scoring run on other goroutines than the reading,
// which waits for them) stops the run with the same error.
func TestMemoryBudgetWhileTraining(t *testing.T) {
	var training atomic.Bool
	opts := DefaultOptions()
	opts.MemoryLimit = 1e9
	opts.heap = func() uint64 {
		if training.Load() {
			return 2e9
		}
		return 0
	}
	in := Inputs{Capture: BytesSource(testdata.ShopCaptureName, testdata.ShopCapture), Entities: BytesSource(testdata.ShopEntitiesName, testdata.ShopEntities)}
	var phases []Phase
	_, err := Run(context.Background(), in, opts, func(ev Event) {
		if p, ok := ev.(*Progress); ok {
			phases = append(phases, p.Phase)
			if p.Phase == PhaseTraining {
				training.Store(true)
			}
		}
	})
	var se *SettingError
	if !errors.As(err, &se) || se.Setting != SettingMemoryLimit || !strings.Contains(err.Error(), "budget of 1.0 GB") {
		t.Fatalf("error %v, want a SettingError for the memory limit naming the budget", err)
	}
	if slices.Contains(phases, PhaseDone) {
		t.Errorf("the run went on to its end (phases %v)", phases)
	}
}

// TestEvidenceAndChurn: the demo's exfiltration edge carries its flows
// (the TCP connection shop-db-0 opened to 203.0.113.10:80, metadata.json)
// and the window of the front-end pod's replacement lists it.
func TestEvidenceAndChurn(t *testing.T) {
	opts := DefaultOptions()
	opts.Sensitive = []string{"shop-db"}
	res := shopDemo(t, opts)
	s := res.Series[0]
	w := s.Windows[13]
	fe := w.Flagged[0]
	if fe.Src != "shop-db" || fe.Dst != "outside" || fe.Evidence == nil || len(fe.Evidence.Opened) == 0 {
		t.Fatalf("window 13's top edge %s -> %s, evidence %+v: want shop-db -> outside with the connection it opened", fe.Src, fe.Dst, fe.Evidence)
	}
	o := fe.Evidence.Opened[0]
	if o.Protocol != "tcp" || o.Src != "shop-db-0" || o.SrcIP != "10.244.0.9" || o.DstIP != "203.0.113.10" || o.DstPort != 80 || o.Initiator != "src" {
		t.Errorf("opened flow %+v, want tcp shop-db-0 10.244.0.9 -> 203.0.113.10:80 opened by its source", o)
	}
	var adds, deletes int
	for _, win := range s.Windows {
		for _, c := range win.Churn {
			if c.Kind == "pod" && c.Service == "front-end" {
				if c.Op == "add" {
					adds++
				} else {
					deletes++
				}
			}
		}
	}
	// One front-end pod replaced (metadata.json: added 12:26:58, the old
	// one deleted 12:27:05).
	if adds != 1 || deletes != 1 {
		t.Errorf("front-end pod churn: %d adds, %d deletes; want 1 and 1", adds, deletes)
	}
}

// TestExportPackets: the exfiltration edge's packets of window 13, written
// as pcapng and read back, are exactly those between shop-db-0 and
// 203.0.113.10 in the window (counted from the capture independently);
// the Wireshark filter names both addresses and the times.
func TestExportPackets(t *testing.T) {
	opts := DefaultOptions()
	opts.Sensitive = []string{"shop-db"}
	res := shopDemo(t, opts)
	w := res.Series[0].Windows[13]
	sel := EdgeSelection(&w.Flagged[0], w.Start, w.End)
	path := filepath.Join(t.TempDir(), "edge.pcapng")
	src := BytesSource(testdata.ShopCaptureName, testdata.ShopCapture)
	n, err := ExportPackets(context.Background(), src, sel, path)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	rd, _ := capture.NewReader(bytes.NewReader(testdata.ShopCapture), "demo")
	var p capture.Packet
	for rd.Next(&p) == nil {
		a, b := p.Src.String(), p.Dst.String()
		if p.Timestamp >= w.Start.UnixNano() && p.Timestamp < w.End.UnixNano() &&
			((a == "10.244.0.9" && b == "203.0.113.10") || (a == "203.0.113.10" && b == "10.244.0.9")) {
			want++
		}
	}
	back, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	for back.Next(&p) == nil {
		got++
	}
	back.Close()
	if n != want || got != want || want == 0 {
		t.Errorf("wrote %d, read back %d, want %d packets", n, got, want)
	}
	if _, err := ExportPackets(context.Background(), src, sel, path); !errors.Is(err, os.ErrExist) {
		t.Errorf("a second export over the file: %v, want os.ErrExist", err)
	}
	f := sel.WiresharkFilter()
	if !strings.Contains(f, "ip.addr==10.244.0.9") || !strings.Contains(f, "ip.addr==203.0.113.10") || !strings.Contains(f, "frame.time_epoch >= ") {
		t.Errorf("filter %q", f)
	}
}
