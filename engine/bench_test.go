package engine

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/engine/lasso"
)

// benchWindow is a busy window: 100 pods in 15 services (the first is
// sensitive, one is the cluster DNS), their VIPs and outside, 1 000 edges.
func benchWindow() (*featurizer, *window) {
	rng := rand.New(rand.NewPCG(1, 2))
	var services []string
	for i := range 15 {
		services = append(services, fmt.Sprintf("svc%02d", i))
	}
	win := &window{
		nodeIdx: map[string]int32{}, edges: map[edgeKey]*edgeStat{}, infraEdges: map[edgeKey]*edgeStat{},
		fan: map[int32]*fanStat{}, ext: map[edgeKey][]netip.Addr{}, end: 10e9,
	}
	var pods []int32
	for i := range 100 {
		svc := services[i%15]
		id := win.addNode(node{key: fmt.Sprintf("pod:x/%s-%d", svc, i), name: fmt.Sprintf("%s-%d", svc, i), service: svc, kind: kindPod, dns: svc == "svc14"},
			netip.AddrFrom4([4]byte{10, 244, byte(i / 250), byte(i % 250)}))
		pods = append(pods, id)
	}
	var all []int32
	all = append(all, pods...)
	for i, svc := range services {
		all = append(all, win.addNode(node{key: "svc:x/" + svc, name: svc + "_VIP", service: svc, kind: kindVIP}, netip.AddrFrom4([4]byte{10, 96, 0, byte(i)})))
	}
	out := win.addNode(node{key: Outside, name: Outside, service: Outside, kind: kindOutside}, netip.MustParseAddr("192.0.2.1"))
	all = append(all, out)
	for len(win.edges) < 1000 {
		u, v := all[rng.IntN(len(all))], all[rng.IntN(len(all))]
		if u == v {
			continue
		}
		b := float64(rng.IntN(1e6))
		win.addEdge(u, v, b, b/500, float64(rng.IntN(3)), b/2)
	}
	for _, p := range pods {
		win.fan[p] = &fanStat{endpoints: float64(rng.IntN(20)), byService: map[string]float64{services[rng.IntN(15)]: 3}}
		win.dns = append(win.dns, dnsStat{src: p, dst: pods[14], domain: "cluster.local", queries: 10, names: 4, nameLenSum: 300, maxNameLen: 40, entropySum: 35})
	}
	return newFeaturizer(services, []string{"svc00"}, map[string]bool{"svc14": true}), win
}

// BenchmarkFeaturize measures the per-window work of the engine on a window
// of 100 pods and 1 000 edges: every feature, the service graph and the
// Ide activity vector (issue: at least 200 windows per second on one core).
func BenchmarkFeaturize(b *testing.B) {
	fs, win := benchWindow()
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		fs.featurize(win)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "windows/s")
}

// BenchmarkScore measures scoring one featurized window (z-scores,
// contributions, Ide, allow-list, flagged edges) with a fitted baseline.
func BenchmarkScore(b *testing.B) {
	fz, win := benchWindow()
	f := fz.featurize(win)
	// A benign window: the baseline saw all its service pairs.
	bv := newBaselineView()
	bv.learn(f)
	rows := []map[featureKey]float64{mergeValues(f.values, baselineValues(f, bv)), mergeValues(f.values, baselineValues(f, bv))}
	bv.scaler = fitScaler(rows, func(int) bool { return true }, knownServices(fz.ideOrder))
	ins := modelInputs(false)
	// A trained model has a handful of non-zero weights (the shop models
	// have 6 to 11); give it a dozen, spread over the inputs.
	coef := make([]float64, len(ins))
	for j := 0; j < len(coef); j += max(1, len(coef)/12) {
		coef[j] = 0.01
	}
	sm := &SizeModel{Lasso: &lasso.Model{Coef: coef}, Inputs: inputNames(ins), InputMedians: make([]float64, len(ins))}
	sc := &Scorer{series: []*seriesScorer{{size: 10 * time.Second, sm: sm, ins: ins, full: bv}},
		dns: fz.dns, sensitive: fz.sensitive, history: 10}
	st := sc.NewStream()
	b.ReportAllocs()
	for b.Loop() {
		st.score(0, f)
	}
}
