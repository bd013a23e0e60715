package synth

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
)

// Burst is an exfiltration: Src sends BytesPerSec to Dst from From to To
// (offsets from the capture start).
type Burst struct {
	From, To    time.Duration
	Src, Dst    string
	DstIP       string
	BytesPerSec float64
}

// Scenario describes a synthetic run.
type Scenario struct {
	Name      string
	Start     time.Time
	Duration  time.Duration
	Sizes     []time.Duration
	Baseline  time.Duration
	Sensitive []string
	Bursts    []Burst
	Seed      uint64
	// Threshold is the "trained" threshold of every size.
	Threshold float64
	// Lean keeps only a few edges per window, to hold 100 000 windows in
	// memory cheaply.
	Lean bool
	// Pace is slept (respecting the context) after each analysed window of
	// the smallest size, so a UI can be watched filling in.
	Pace time.Duration
	// Warnings are emitted right after the inputs are described.
	Warnings []string
	// Err, when set, makes Run fail with it after opening the inputs, as
	// the engine does on a bad input.
	Err error
}

// ShopStart is the first packet of the real shop-demo capture
// (metadata.json: capture_start_rfc3339).
var ShopStart = time.Date(2026, 11, 24, 12, 25, 58, 522964954, time.UTC)

// Shop mirrors the shop-demo capture: 240.1 s of shop traffic with 10 s and
// 60 s windows, a 2-minute baseline, shop-db sensitive, and one direct
// exfiltration shop-db -> outside (203.0.113.10) at about 8 kB/s from
// 140.1 s to 200.9 s (ground_truth.json).
func Shop() Scenario {
	return Scenario{
		Name:      "shop",
		Start:     ShopStart,
		Duration:  240113 * time.Millisecond,
		Sizes:     []time.Duration{10 * time.Second, 60 * time.Second},
		Baseline:  2 * time.Minute,
		Sensitive: []string{"shop-db"},
		Bursts: []Burst{{
			From: 140107 * time.Millisecond, To: 200941 * time.Millisecond,
			Src: "shop-db", Dst: "outside", DstIP: "203.0.113.10", BytesPerSec: 8000,
		}},
		Seed:      77,
		Threshold: 1,
	}
}

// Stress is a run of n 10-second windows (and the matching 60-second
// windows) with a short exfiltration burst every 7 919 windows.
func Stress(n int) Scenario {
	s := Scenario{
		Name:      fmt.Sprintf("stress-%d", n),
		Start:     ShopStart,
		Duration:  time.Duration(n) * 10 * time.Second,
		Sizes:     []time.Duration{10 * time.Second, 60 * time.Second},
		Baseline:  2 * time.Minute,
		Sensitive: []string{"shop-db"},
		Seed:      1,
		Threshold: 1,
		Lean:      true,
	}
	for k := 5000; k < n; k += 7919 {
		from := time.Duration(k) * 10 * time.Second
		s.Bursts = append(s.Bursts, Burst{
			From: from, To: from + time.Duration(3+k%6)*10*time.Second,
			Src: "shop-db", Dst: "outside", DstIP: "203.0.113.10", BytesPerSec: 4000 + float64(k%5)*2000,
		})
	}
	return s
}

// edge is a service pair of the synthetic application with its usual rate.
type edge struct {
	src, dst string
	rate     float64 // bytes per second
}

var shopEdges = []edge{
	{"load-test", "front-end", 3000}, {"front-end", "load-test", 21000},
	{"front-end", "catalogue", 1800}, {"catalogue", "front-end", 9500},
	{"front-end", "user", 900}, {"user", "front-end", 2100},
	{"front-end", "carts", 1100}, {"carts", "front-end", 2600},
	{"front-end", "orders", 700}, {"orders", "front-end", 1500},
	{"catalogue", "shop-db", 1200}, {"shop-db", "catalogue", 7400},
	{"user", "shop-db", 500}, {"shop-db", "user", 1900},
	{"carts", "shop-db", 650}, {"shop-db", "carts", 1700},
	{"orders", "shop-db", 400}, {"shop-db", "orders", 900},
	{"orders", "outside", 600}, {"outside", "orders", 800},
	{"front-end", "kube-dns", 120}, {"kube-dns", "front-end", 210},
	{"orders", "kube-dns", 60}, {"kube-dns", "orders", 100},
	{"kube-dns", "outside", 40}, {"outside", "kube-dns", 70},
}

var leanEdges = []edge{
	{"front-end", "catalogue", 1800}, {"catalogue", "shop-db", 1200},
	{"shop-db", "catalogue", 7400}, {"orders", "outside", 600},
	{"kube-dns", "outside", 40},
}

// pods and IPs of each service (metadata.json of shop-demo).
var pods = map[string][]string{
	"front-end": {"front-end-9tp97rxbc-8tg79", "front-end-9tp97rxbc-b5bkd", "front-end-9tp97rxbc-56zrt"},
	"catalogue": {"catalogue-wtjkjddj5w-sz5wd", "catalogue-wtjkjddj5w-6j6nd"},
	"user":      {"user-88wfls27w-fpvc9", "user-88wfls27w-q7xzv"},
	"carts":     {"carts-q6g78qbcct-2c6p7", "carts-q6g78qbcct-z9ftz"},
	"orders":    {"orders-lvx5tc2t9-52fgm"},
	"shop-db":   {"shop-db-0"},
	"kube-dns":  {"kube-dns-njkj9fmtwz-kgw24"},
	"load-test": {"load-test-klj79dhhg-bck4v"},
}

var ips = map[string][]string{
	"front-end": {"10.244.0.24", "10.244.0.25", "10.244.0.28"},
	"catalogue": {"10.244.0.10", "10.244.0.14"},
	"user":      {"10.244.0.17", "10.244.0.18"},
	"carts":     {"10.244.0.22", "10.244.0.29"},
	"orders":    {"10.244.0.23"},
	"shop-db":   {"10.244.0.9"},
	"kube-dns":  {"10.244.0.8"},
	"load-test": {"10.244.0.27"},
	"outside":   {"198.51.100.20", "198.51.100.53"},
}

// feature is a column of the synthetic model.
type feature struct {
	info   engine.FeatureInfo
	weight float64
	value  func(g map[[2]string]*engine.Edge, secs float64) float64
}

func outsideBytes(svc string) feature {
	return feature{
		info: engine.FeatureInfo{
			Name: "outside_bytes[" + svc + "]", Family: "outside_bytes",
			Description: "log bytes per second from " + svc + " to outside",
		},
		weight: map[string]float64{"shop-db": 0.3, "orders": 0.05}[svc] + 0.01,
		value: func(g map[[2]string]*engine.Edge, secs float64) float64 {
			if e := g[[2]string{svc, "outside"}]; e != nil {
				return math.Log1p(float64(e.Bytes) / secs)
			}
			return 0
		},
	}
}

func features() []feature {
	fs := []feature{
		outsideBytes("shop-db"), outsideBytes("orders"), outsideBytes("kube-dns"),
		{
			info: engine.FeatureInfo{Name: "new_pairs", Family: "new_pairs",
				Description: "service pairs never seen in the baseline"},
			weight: 0.5,
			value: func(g map[[2]string]*engine.Edge, secs float64) float64 {
				n := 0
				for _, e := range g {
					if e.New {
						n++
					}
				}
				return float64(n)
			},
		},
		{
			info: engine.FeatureInfo{Name: "reciprocity[catalogue,shop-db]", Family: "reciprocity",
				Description: "weighted reciprocity of catalogue <-> shop-db traffic"},
			weight: -0.02,
			value: func(g map[[2]string]*engine.Edge, secs float64) float64 {
				a, b := g[[2]string{"catalogue", "shop-db"}], g[[2]string{"shop-db", "catalogue"}]
				if a == nil || b == nil {
					return 0
				}
				return float64(min(a.Bytes, b.Bytes)) / float64(a.Bytes+b.Bytes)
			},
		},
		{
			info: engine.FeatureInfo{Name: "fanout[shop-db]", Family: "fanout",
				Description: "distinct destinations of shop-db"},
			weight: 0.1,
			value: func(g map[[2]string]*engine.Edge, secs float64) float64 {
				n := 0
				for k := range g {
					if k[0] == "shop-db" {
						n++
					}
				}
				return float64(n)
			},
		},
		{
			info: engine.FeatureInfo{Name: "total_bytes", Family: "volume",
				Description: "log bytes per second of the whole window"},
			weight: 0.02,
			value: func(g map[[2]string]*engine.Edge, secs float64) float64 {
				var t uint64
				for _, e := range g {
					t += e.Bytes
				}
				return math.Log1p(float64(t) / secs)
			},
		},
		{
			info: engine.FeatureInfo{Name: "harmonic[shop-db]", Family: "harmonic",
				Description: "harmonic centrality of shop-db (incoming paths)"},
			weight: 0.01,
			value: func(g map[[2]string]*engine.Edge, secs float64) float64 {
				n := 0.0
				for k := range g {
					if k[1] == "shop-db" {
						n++
					}
				}
				return n / 2
			},
		},
	}
	return fs
}

// Events generates the whole run: the events in the order Run emits them,
// and the result Run returns. Windows in the events point into the result.
func (s Scenario) Events() ([]engine.Event, *engine.Result) {
	g := newGen(s)
	return g.events, g.res
}

// Result generates the run and returns only its result.
func (s Scenario) Result() *engine.Result {
	_, r := s.Events()
	return r
}

// Run streams the scenario's events to emit and returns its result, like
// engine.Run. It stops with ctx.Err() when ctx is cancelled.
func (s Scenario) Run(ctx context.Context, emit func(engine.Event)) (*engine.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	events, res := s.Events()
	smallest := slices.Min(s.Sizes)
	for _, ev := range events {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if s.Err != nil {
			if _, ok := ev.(*engine.InputsReady); ok {
				return nil, s.Err
			}
		}
		emit(ev)
		if wd, ok := ev.(*engine.WindowDone); ok && s.Pace > 0 && wd.Window.Size == smallest {
			t := time.NewTimer(s.Pace)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-t.C:
			}
		}
	}
	return res, nil
}

type gen struct {
	s      Scenario
	rng    *rand.Rand
	edges  []edge
	feats  []feature
	events []engine.Event
	res    *engine.Result
}

func newGen(s Scenario) *gen {
	g := &gen{s: s, rng: rand.New(rand.NewPCG(s.Seed, 0x5eed)), edges: shopEdges, feats: features()}
	if s.Lean {
		g.edges = leanEdges
	}
	g.run()
	return g
}

// windowCount is how many windows of size d cover the capture (the last
// one partial when the duration is not a multiple of d).
func (g *gen) windowCount(d time.Duration) int {
	return int((g.s.Duration + d - 1) / d)
}

func (g *gen) emit(ev engine.Event) { g.events = append(g.events, ev) }

func (g *gen) run() {
	s := g.s
	totalBytes := int64(s.Duration.Seconds() * 48000)
	g.emit(&engine.Progress{Phase: engine.PhaseOpening, TotalBytes: totalBytes})
	inputs := engine.InputsReady{
		Capture: engine.CaptureSummary{Name: "synthetic:" + s.Name + ".pcapng.gz", Format: "pcapng+gzip",
			LinkTypes: []string{"Ethernet"}, Compressed: true},
		Entities:  engine.EntitiesSummary{Name: "synthetic:" + s.Name + ".jsonl", Format: "jsonl", Pods: 14, Services: 7},
		Start:     s.Start,
		Sizes:     slices.Clone(s.Sizes),
		Sensitive: slices.Clone(s.Sensitive),
	}
	g.emit(&inputs)
	for _, w := range s.Warnings {
		g.emit(&engine.Warning{Message: w})
	}

	// Build every window first: baselines need the baseline windows.
	series := make([]engine.Series, len(s.Sizes))
	infos := make([]engine.SeriesInfo, len(s.Sizes))
	for i, size := range s.Sizes {
		series[i], infos[i] = g.series(size)
	}
	g.res = &engine.Result{
		Inputs:   inputs,
		Source:   "baseline " + s.Baseline.String(),
		Series:   series,
	}
	for _, w := range s.Warnings {
		g.res.Warnings = append(g.res.Warnings, engine.Warning{Message: w})
	}

	// Stream in capture time: progress every smallest-size step, the model
	// once the baseline is read, then each window once it has ended and
	// the model exists.
	smallest := slices.Min(s.Sizes)
	steps := g.windowCount(smallest)
	next := make([]int, len(s.Sizes))
	var packets, bytes uint64
	analysed, sealed := 0, 0
	modelSent := false
	for step := 1; step <= steps; step++ {
		t := time.Duration(step) * smallest
		if t > s.Duration {
			t = s.Duration
		}
		sw := &series[slices.Index(s.Sizes, smallest)].Windows[step-1]
		packets += sw.Packets
		bytes += sw.Bytes
		phase := engine.PhaseIngesting
		if modelSent {
			phase = engine.PhaseAnalysing
		}
		sealed = 0
		for i, size := range s.Sizes {
			sealed += min(int(t/size), len(series[i].Windows))
		}
		if !modelSent && t >= s.Baseline {
			g.emit(&engine.Progress{Phase: engine.PhaseTraining, Packets: packets, Bytes: bytes,
				ReadBytes: int64(float64(totalBytes) * t.Seconds() / s.Duration.Seconds()), TotalBytes: totalBytes,
				Windows: sealed, Analysed: analysed, Elapsed: time.Duration(step) * 40 * time.Millisecond})
			g.emit(&engine.ModelReady{Series: infos, Source: "baseline " + s.Baseline.String()})
			modelSent = true
			phase = engine.PhaseAnalysing
		}
		if modelSent {
			for i, size := range s.Sizes {
				for next[i] < len(series[i].Windows) &&
					(time.Duration(next[i]+1)*size <= t || t == s.Duration) {
					g.emit(&engine.WindowDone{Window: &series[i].Windows[next[i]]})
					next[i]++
					analysed++
				}
			}
		}
		g.emit(&engine.Progress{Phase: phase, Packets: packets, Bytes: bytes,
			ReadBytes: int64(float64(totalBytes) * t.Seconds() / s.Duration.Seconds()), TotalBytes: totalBytes,
			Windows: sealed, Analysed: analysed, Elapsed: time.Duration(step) * 40 * time.Millisecond})
	}
	g.emit(&engine.Progress{Phase: engine.PhaseDone, Packets: packets, Bytes: bytes,
		ReadBytes: totalBytes, TotalBytes: totalBytes, Windows: analysed, Analysed: analysed,
		Elapsed: time.Duration(steps+1) * 40 * time.Millisecond})
}

// series generates the windows of one size with their scores.
func (g *gen) series(size time.Duration) (engine.Series, engine.SeriesInfo) {
	s := g.s
	n := g.windowCount(size)
	baseN := int(s.Baseline / size)
	infos := make([]engine.FeatureInfo, len(g.feats))
	for i, f := range g.feats {
		infos[i] = f.info
	}
	ser := engine.Series{Size: size, Features: infos, Threshold: s.Threshold, ThresholdTrained: s.Threshold}
	ser.Windows = make([]engine.WindowResult, n)
	baselinePairs := map[[2]string]bool{}
	for _, e := range g.edges {
		baselinePairs[[2]string{e.src, e.dst}] = true
	}
	graphs := make([]map[[2]string]*engine.Edge, n)
	for k := range n {
		from := time.Duration(k) * size
		to := min(from+size, s.Duration)
		secs := (to - from).Seconds()
		gr := map[[2]string]*engine.Edge{}
		for _, e := range g.edges {
			b := e.rate * secs * (0.85 + 0.3*g.rng.Float64())
			gr[[2]string{e.src, e.dst}] = &engine.Edge{Src: e.src, Dst: e.dst,
				Bytes: uint64(b), Packets: uint64(b/700) + 1}
		}
		for _, b := range s.Bursts {
			lo, hi := max(from, b.From), min(to, b.To)
			if hi <= lo {
				continue
			}
			bytes := b.BytesPerSec * (hi - lo).Seconds()
			pk := uint64(bytes/1400) + 1
			add := func(src, dst string, by, pk uint64) {
				k := [2]string{src, dst}
				if e := gr[k]; e != nil {
					e.Bytes += by
					e.Packets += pk
					return
				}
				gr[k] = &engine.Edge{Src: src, Dst: dst, Bytes: by, Packets: pk}
			}
			add(b.Src, b.Dst, uint64(bytes), pk)
			add(b.Dst, b.Src, pk*40, pk) // ACKs
		}
		w := &ser.Windows[k]
		w.Size, w.Index = size, k
		w.Start, w.End = s.Start.Add(from), s.Start.Add(from+size)
		w.Partial = to-from < size
		w.Baseline = k < baseN && !w.Partial
		for key, e := range gr {
			e.New = !baselinePairs[key]
			e.Outside = e.Src == "outside" || e.Dst == "outside"
			w.Packets += e.Packets
			w.Bytes += e.Bytes
		}
		w.Edges = make([]engine.Edge, 0, len(gr))
		for _, e := range gr {
			w.Edges = append(w.Edges, *e)
		}
		sort.Slice(w.Edges, func(i, j int) bool {
			a, b := w.Edges[i], w.Edges[j]
			if a.Bytes != b.Bytes {
				return a.Bytes > b.Bytes
			}
			return a.Src+a.Dst < b.Src+b.Dst
		})
		w.Values = make([]float64, len(g.feats))
		for i, f := range g.feats {
			w.Values[i] = f.value(gr, secs)
		}
		for _, e := range w.Edges {
			if e.New {
				w.AllowlistAlert = true
			}
		}
		graphs[k] = gr
	}

	// Baseline statistics: per-feature median and IQR, per-edge median
	// bytes, over the complete baseline windows.
	var base []int
	for k := range ser.Windows {
		if ser.Windows[k].Baseline {
			base = append(base, k)
		}
	}
	medians := make([]float64, len(g.feats))
	iqrs := make([]float64, len(g.feats))
	for i := range g.feats {
		col := make([]float64, len(base))
		for j, k := range base {
			col[j] = ser.Windows[k].Values[i]
		}
		medians[i], iqrs[i] = medianIQR(col)
	}
	edgeMedian := map[[2]string]float64{}
	edgeIQR := map[[2]string]float64{}
	for _, e := range g.edges {
		key := [2]string{e.src, e.dst}
		col := make([]float64, len(base))
		for j, k := range base {
			if x := graphs[k][key]; x != nil {
				col[j] = float64(x.Bytes)
			}
		}
		edgeMedian[key], edgeIQR[key] = medianIQR(col)
	}

	for k := range ser.Windows {
		w := &ser.Windows[k]
		for i, f := range g.feats {
			z := (w.Values[i] - medians[i]) / iqrs[i]
			z = math.Max(-100, math.Min(100, z))
			c := f.weight * z
			w.Score += c
			if c != 0 {
				w.Contributions = append(w.Contributions, engine.Contribution{
					Feature: i, Name: f.info.Name, Value: w.Values[i], Z: z,
					Weight: f.weight, Median: medians[i], Contrib: c,
				})
			}
		}
		sort.SliceStable(w.Contributions, func(i, j int) bool {
			return math.Abs(w.Contributions[i].Contrib) > math.Abs(w.Contributions[j].Contrib)
		})
		w.IdeScore = math.NaN()
		if k >= 10 {
			w.IdeScore = 0.02 + 0.03*g.rng.Float64()
			for _, e := range w.Edges {
				if e.New {
					w.IdeScore += 0.25
					break
				}
			}
		}
		w.Flagged = g.flag(w, edgeMedian, edgeIQR)
	}

	info := engine.SeriesInfo{
		Size: size, Features: infos, Threshold: s.Threshold, ThresholdTrained: s.Threshold,
		BaselineWindows: len(base), Medians: medians,
	}
	return ser, info
}

// flag lists the edges that drive the window's score, strongest first.
func (g *gen) flag(w *engine.WindowResult, med, iqr map[[2]string]float64) []engine.FlaggedEdge {
	sensitive := map[string]bool{}
	for _, s := range g.s.Sensitive {
		sensitive[s] = true
	}
	contrib := func(name string) float64 {
		for _, c := range w.Contributions {
			if c.Name == name {
				return c.Contrib
			}
		}
		return 0
	}
	var out []engine.FlaggedEdge
	for _, e := range w.Edges {
		key := [2]string{e.Src, e.Dst}
		var reasons []engine.Reason
		weight := 0.0
		if e.New {
			reasons = append(reasons, engine.Reason{Code: "new-pair",
				Text: fmt.Sprintf("%s -> %s never seen in the baseline", e.Src, e.Dst)})
			weight += contrib("new_pairs")
		}
		if sensitive[e.Src] && e.Dst == "outside" {
			reasons = append(reasons, engine.Reason{Code: "sensitive-outside",
				Text: fmt.Sprintf("sensitive service %s sends %s outside", e.Src, humanBytes(float64(e.Bytes)))})
			weight += contrib("outside_bytes[" + e.Src + "]")
		}
		m, q := med[key], iqr[key]
		if q > 0 {
			z := (float64(e.Bytes) - m) / q
			if z > 3 {
				reasons = append(reasons, engine.Reason{Code: "bytes-above-baseline", Z: z,
					Text: fmt.Sprintf("%s, %.1f IQR above its baseline median %s",
						humanBytes(float64(e.Bytes)), z, humanBytes(m))})
				weight += 0.01 * z
			}
		}
		if len(reasons) == 0 {
			continue
		}
		dstIPs := ips[e.Dst]
		if e.Dst == "outside" {
			dstIPs = g.outsideIPs(e.Src)
		}
		srcIPs := ips[e.Src]
		if e.Src == "outside" {
			srcIPs = g.outsideIPs(e.Dst)
		}
		out = append(out, engine.FlaggedEdge{
			Src: e.Src, Dst: e.Dst, SrcPods: pods[e.Src], DstPods: pods[e.Dst],
			SrcIPs: srcIPs, DstIPs: dstIPs, Bytes: e.Bytes, Packets: e.Packets,
			Baseline: m, Reasons: reasons, Weight: weight,
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Weight > out[j].Weight })
	return out
}

func (g *gen) outsideIPs(peer string) []string {
	for _, b := range g.s.Bursts {
		if b.Src == peer || b.Dst == peer {
			return []string{b.DstIP}
		}
	}
	return []string{"198.51.100.20"}
}

// medianIQR returns the median and interquartile range of xs (linear
// interpolation between order statistics); an IQR of 0 becomes 1, as the
// method's robust scaler does.
func medianIQR(xs []float64) (float64, float64) {
	if len(xs) == 0 {
		return 0, 1
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	q := func(p float64) float64 {
		h := p * float64(len(s)-1)
		lo := int(math.Floor(h))
		hi := min(lo+1, len(s)-1)
		return s[lo] + (h-float64(lo))*(s[hi]-s[lo])
	}
	iqr := q(0.75) - q(0.25)
	if iqr == 0 {
		iqr = 1
	}
	return q(0.5), iqr
}

func humanBytes(b float64) string {
	units := []string{"B", "kB", "MB", "GB", "TB"}
	i := 0
	for math.Abs(b) >= 1000 && i < len(units)-1 {
		b /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f B", b)
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", b), ".0") + " " + units[i]
}
