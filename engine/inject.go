package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/entities"
	"github.com/mimir-tui/mimir-tui/loaders/traffic"
)

// Attack kinds that synthetic injection knows.
const (
	AttackExfil     = "exfil"      // data along a path from a sensitive pod to outside
	AttackDNSTunnel = "dns-tunnel" // data encoded in DNS query names through the cluster DNS
	AttackScan      = "scan"       // a compromised pod probing many address:port pairs
	AttackProbe     = "probe"      // a compromised pod trying a few admin ports of its known peers
	AttackBeacon    = "beacon"     // a pod checking in with an outside host at regular intervals
)

// Injection parameters from method.md §7.
const (
	// MB is the unit of injection rates (MB/min), in bytes.
	MB = 1e6
	// injectPacketSize is the size of one injected data frame.
	injectPacketSize = 1500
	// ackBytes is the size of one ACK frame on a reverse hop.
	ackBytes = 40
	// dnsChunk is the data one tunnelled DNS query carries (base32 in a
	// ~60-character name).
	dnsChunk = 36
	// probeBytes and resetBytes are one scan probe (SYN) and its answer.
	probeBytes = 60
	resetBytes = 54
)

// DefaultRates are the mean injection rates in MB/min (method.md §7).
var DefaultRates = []float64{10, 1, 0.1, 0.05, 0.01}

// syntheticOutside is where injected attacks send their data
// (TEST-NET-1, RFC 5737: never a real host).
var syntheticOutside = netip.MustParseAddr("192.0.2.66")

// syntheticDomain is the registered domain of injected DNS tunnels.
const syntheticDomain = "exfil-tunnel.example"

// Episode is one scheduled attack: Template at Rate MB/min over [Start, End)
// (Unix ns).
type Episode struct {
	Template Template
	Rate     float64
	Start    int64
	End      int64
	// Pods are the concrete pods chosen for each service of the path.
	Pods []string
}

// Schedule places episodes of length episode in [from, to) with a seeded
// RNG: alternating gaps (uniform in [episode/2, 2·episode], rounded to the
// grid) and episodes, so about half the span is attacked. Episodes start
// on the grid (the finest window size). The rate of each episode is drawn
// from N(rate, rate/10), clipped at 0.
func Schedule(t Template, rate float64, from, to int64, episode, grid int64, rng *rand.Rand) []Episode {
	if grid <= 0 || episode <= 0 || to <= from {
		return nil
	}
	snap := func(x int64) int64 { return from + (x-from)/grid*grid }
	var out []Episode
	at := snap(from + int64(rng.Float64()*float64(episode)))
	for at < to {
		end := min(at+episode, to)
		r := math.Max(0, rate+rng.NormFloat64()*rate/10)
		out = append(out, Episode{Template: t, Rate: r, Start: at, End: end})
		gap := episode/2 + int64(rng.Float64()*float64(episode*3/2))
		at = snap(end + gap + grid - 1)
		if at <= end {
			at = end + grid
		}
	}
	return out
}

// injector applies episodes to windows.
type injector struct {
	tl  *entities.Timeline
	dns map[string]bool
	// initiated are the service pairs the baseline saw a client call
	// (source → destination); set before any injection, read-only after.
	initiated map[servicePair]bool
}

// overlap returns how many nanoseconds of [s, e) fall in win.
func overlap(win *window, s, e int64) int64 {
	return max(0, min(e, win.end)-max(s, win.start))
}

// choosePods picks, once per episode, a live pod for every service of its
// path (deterministic given rng).
func (inj *injector) choosePods(ep *Episode, rng *rand.Rand) {
	ep.Pods = ep.Pods[:0]
	for _, svc := range ep.Template.Path {
		if svc == Outside {
			ep.Pods = append(ep.Pods, "")
			continue
		}
		var live []string
		for _, in := range inj.tl.Instances() {
			if in.Kind == entities.Pod && in.Service == svc && in.From <= ep.Start && ep.Start < in.To && in.IP.IsValid() {
				live = append(live, in.Namespace+"/"+in.Name)
			}
		}
		slices.Sort(live)
		live = slices.Compact(live)
		if len(live) == 0 {
			ep.Pods = append(ep.Pods, "")
			continue
		}
		ep.Pods = append(ep.Pods, live[rng.IntN(len(live))])
	}
}

// podNode returns the window node of a pod chosen for service svc, adding
// it (with its address) when the pod was quiet in this window.
func (inj *injector) podNode(win *window, svc, key string) int32 {
	if key == "" {
		// No live pod: a stand-in node keeps the injected traffic visible.
		return win.addNode(node{key: "pod:?/" + svc, name: svc + "-?", service: svc, kind: kindPod}, netip.Addr{})
	}
	if id, ok := win.nodeIdx["pod:"+key]; ok {
		return id
	}
	ns, name, _ := strings.Cut(key, "/")
	for _, in := range inj.tl.Instances() {
		if in.Kind == entities.Pod && in.Namespace == ns && in.Name == name {
			return win.addNode(node{key: "pod:" + key, name: name, service: svc, kind: kindPod, infra: in.Infra, dns: in.DNS}, in.IP)
		}
	}
	return win.addNode(node{key: "pod:" + key, name: name, service: svc, kind: kindPod}, netip.Addr{})
}

func (inj *injector) vipNode(win *window, svc string) int32 {
	for _, in := range inj.tl.Instances() {
		if in.Kind == entities.Service && in.Service == svc {
			return win.addNode(node{key: "svc:" + in.Namespace + "/" + in.Name, name: in.Name + "_VIP", service: svc, kind: kindVIP, dns: in.DNS}, in.IP)
		}
	}
	return win.addNode(node{key: "svc:?/" + svc, name: svc + "_VIP", service: svc, kind: kindVIP}, netip.Addr{})
}

func (inj *injector) outsideNode(win *window) int32 {
	return win.addNode(node{key: Outside, name: Outside, service: Outside, kind: kindOutside}, syntheticOutside)
}

// Injected is what one episode added to one window, for tests and reports.
type Injected struct {
	Bytes   float64 // forward bytes on each hop
	Frames  float64 // forward frames on each hop
	AckByte float64 // bytes on each reverse hop
}

// apply adds ep's traffic to win (a clone) and reports the amounts.
func (inj *injector) apply(win *window, ep *Episode) Injected {
	ov := overlap(win, ep.Start, ep.End)
	if ov <= 0 {
		return Injected{}
	}
	// bytes = rate × T / 60 with T the attacked seconds of this window,
	// whole bytes as on a wire: sums of whole numbers do not depend on the
	// order they are added in, so every run computes the same bits.
	data := math.Round(ep.Rate * MB * float64(ov) / 60e9)
	first := ep.Start >= win.start && ep.Start < win.end
	switch ep.Template.Kind {
	case AttackDNSTunnel:
		return inj.applyDNS(win, ep, data)
	case AttackScan:
		return inj.applyScan(win, ep, data)
	case AttackProbe:
		return inj.applyProbe(win, ep, data)
	case AttackBeacon:
		return inj.applyBeacon(win, ep)
	}
	frames := math.Ceil(data / injectPacketSize)
	path := ep.Template.Path
	prev := inj.podNode(win, path[0], ep.Pods[0])
	for i := 1; i < len(path); i++ {
		var next, dataNode int32
		switch {
		case path[i] == Outside:
			next = inj.outsideNode(win)
			dataNode = next
			inj.addOutsideAddr(win, prev, next)
		case i-1 < len(ep.Template.ViaVIP) && ep.Template.ViaVIP[i-1]:
			next = inj.vipNode(win, path[i])
			dataNode = inj.podNode(win, path[i], ep.Pods[i])
		default:
			next = inj.podNode(win, path[i], ep.Pods[i])
			dataNode = next
		}
		inj.addHop(win, prev, next, servicePair{path[i-1], path[i]}, data, frames, first)
		prev = dataNode
	}
	return Injected{Bytes: data, Frames: frames, AckByte: frames * ackBytes}
}

// addHop moves data from u to v the way a careful attacker would on that
// service pair. Where the baseline saw u call v, the data rides u's
// existing connections (no new one); where it saw v call u, v pulls it as
// a client would read a database (the data is u's answers, v's requests
// are the client traffic); only on a pair nobody called does u open a new
// connection, in the episode's first window. Injecting every hop as a new
// push from the sensitive pod taught the model to watch connection
// artefacts no real exfiltration shows.
func (inj *injector) addHop(win *window, u, v int32, p servicePair, data, frames float64, first bool) {
	acks := frames * ackBytes
	switch {
	case inj.initiated[p]:
		win.addEdge(u, v, data, frames, 0, data)
		win.addEdge(v, u, acks, frames, 0, 0)
	case inj.initiated[servicePair{p.dst, p.src}]:
		win.addEdge(u, v, data, frames, 0, 0)
		win.addEdge(v, u, acks, frames, 0, acks)
	default:
		var conns float64
		if first {
			conns = 1
		}
		win.addEdge(u, v, data, frames, conns, data)
		win.addEdge(v, u, acks, frames, 0, 0)
	}
}

// addOutsideAddr records the outside address of an injected hop to
// outside: one the pod already talks to in this window (an exfiltration
// hiding in a known destination), else the synthetic one.
func (inj *injector) addOutsideAddr(win *window, u, out int32) {
	if len(win.ext[edgeKey{u, out}]) > 0 {
		return
	}
	win.addExt(edgeKey{u, out}, syntheticOutside)
	win.addExt(edgeKey{out, u}, syntheticOutside)
}

// applyDNS encodes data in DNS queries from the source pod to the DNS pod,
// which forwards them to outside.
func (inj *injector) applyDNS(win *window, ep *Episode, data float64) Injected {
	path := ep.Template.Path
	src := inj.podNode(win, path[0], ep.Pods[0])
	dnsPod := inj.podNode(win, path[1], ep.Pods[1])
	out := inj.outsideNode(win)
	queries := math.Ceil(data / dnsChunk)
	// A base32 label of 2·dnsChunk·8/5/2 characters plus the domain.
	nameLen := float64(int(dnsChunk*8/5) + 1 + len(syntheticDomain))
	query := nameLen + 46  // IP + UDP + DNS header + question
	answer := nameLen + 62 // plus one TXT/A answer
	win.addEdge(src, dnsPod, queries*query, queries, 0, queries*query)
	win.addEdge(dnsPod, src, queries*answer, queries, 0, 0)
	win.addEdge(dnsPod, out, queries*query, queries, 0, queries*query)
	win.addEdge(out, dnsPod, queries*answer, queries, 0, 0)
	win.addExt(edgeKey{dnsPod, out}, syntheticOutside)
	win.addExt(edgeKey{out, dnsPod}, syntheticOutside)
	win.dnsOut += queries * (query + answer)
	win.dns = append(win.dns, dnsStat{
		src: src, dst: dnsPod, domain: syntheticDomain,
		queries: queries, names: queries,
		nameLenSum: queries * nameLen, maxNameLen: nameLen,
		// Base32 text is close to uniform over 32 symbols: ~4.8 bits/char
		// on long labels.
		entropySum: queries * 4.8,
		bytes:      queries * (query + answer),
		examples:   []string{fmt.Sprintf("%s.%s", strings.Repeat("m", int(dnsChunk*8/5)), syntheticDomain)},
	})
	return Injected{Bytes: queries * query, Frames: queries, AckByte: queries * answer}
}

// applyScan sends data/probeBytes probes from the source pod to distinct
// address:port pairs of the other services' pods.
func (inj *injector) applyScan(win *window, ep *Episode, data float64) Injected {
	src := inj.podNode(win, ep.Template.Path[0], ep.Pods[0])
	var targets []int32
	only := ep.Template.Targets
	for i := range win.nodes {
		n := &win.nodes[i]
		if int32(i) == src || (n.kind != kindPod && n.kind != kindVIP) || n.infra {
			continue
		}
		if len(only) > 0 && !slices.Contains(only, n.service) {
			continue
		}
		targets = append(targets, int32(i))
	}
	probes := math.Ceil(data / probeBytes)
	if len(targets) == 0 || probes == 0 {
		return Injected{}
	}
	f := win.fan[src]
	if f == nil {
		f = &fanStat{byService: make(map[string]float64)}
		win.fan[src] = f
	}
	// Whole probes per target: the first ones take one more. Each probe
	// tries a port of its own (1, 2, … on every target).
	base, extra := math.Floor(probes/float64(len(targets))), int(math.Mod(probes, float64(len(targets))))
	for i, t := range targets {
		per := base
		if i < extra {
			per++
		}
		win.addEdge(src, t, per*probeBytes, per, per, per*probeBytes)
		win.addEdge(t, src, per*resetBytes, per, 0, 0)
		f.byService[win.nodes[t].service] += per
		for port := 1; port <= int(min(per, maxInjectedPorts)); port++ {
			win.targets = append(win.targets, winTarget{u: src, v: t, ip: firstIP(&win.nodes[t]), proto: capture.ProtoTCP, port: uint16(port), count: 1})
		}
	}
	f.endpoints += probes
	return Injected{Bytes: probes * probeBytes, Frames: probes, AckByte: probes * resetBytes}
}

// maxInjectedPorts bounds the ports an injected scan records per target:
// the distinct ports a window can show are bounded the same way.
const maxInjectedPorts = 256

// probePorts are the admin, metrics and debug ports an injected probe
// tries, in order.
var probePorts = []uint16{9090, 8081, 6060, 9100, 8080, 2375, 10250, 5000}

// probeData is the data one injected probe's exchange stands for: at the
// lowest rate (10 kB/min) one probe a window, at 0.1 MB/min and above the
// eight of probePorts.
const probeData = 2000

// applyProbe opens a few connections from the source pod to admin ports of
// its known peers' pods (a compromised pod looking around, not a scan):
// about a 300-byte request and a 600-byte answer each.
func (inj *injector) applyProbe(win *window, ep *Episode, data float64) Injected {
	src := inj.podNode(win, ep.Template.Path[0], ep.Pods[0])
	var peers []int32
	for i := range win.nodes {
		if n := &win.nodes[i]; int32(i) != src && n.kind == kindPod && !n.infra && slices.Contains(ep.Template.Targets, n.service) {
			peers = append(peers, int32(i))
		}
	}
	probes := int(min(math.Ceil(data/probeData), float64(len(probePorts))))
	if len(peers) == 0 || probes == 0 {
		return Injected{}
	}
	for i := range probes {
		t := peers[i%len(peers)]
		win.addEdge(src, t, 300, 4, 1, 300)
		win.addEdge(t, src, 600, 3, 0, 0)
		win.targets = append(win.targets, winTarget{u: src, v: t, ip: firstIP(&win.nodes[t]), proto: capture.ProtoTCP, port: probePorts[i], count: 1})
	}
	return Injected{Bytes: float64(probes) * 300, Frames: float64(probes) * 4, AckByte: float64(probes) * 600}
}

// Injected beacons: one short connection per check-in, a request and its
// answer of fixed sizes, to a fixed outside port.
const (
	beaconRequest = 600
	beaconAnswer  = 400
	beaconPort    = 443
	beaconJitter  = 0.2 // ± share of the period
)

// beaconPeriod is an injected beacon's period at rate (MB/min, the
// template's rate axis): a slower check-in for a lower rate, between 10 s
// and 60 s.
func beaconPeriod(rate float64) time.Duration {
	p := 20 * time.Second
	if rate > 0 {
		p = time.Duration(float64(p) / math.Pow(rate, 0.25))
	}
	return min(max(p, 10*time.Second), time.Minute)
}

// episodeLength is how long one episode of tp at rate lasts: a beacon
// needs enough check-ins to be one, other attacks the episode option.
func episodeLength(tp Template, rate float64, episode time.Duration) int64 {
	if tp.Kind == AttackBeacon {
		return int64(max(episode, time.Duration(beaconMinConns+4)*beaconPeriod(rate)))
	}
	return int64(episode)
}

// applyBeacon adds the episode's check-ins that fall in win: one every
// period, each moved by a jitter drawn from a hash of the episode and the
// check-in's number (no shared random state: windows are injected in
// parallel).
func (inj *injector) applyBeacon(win *window, ep *Episode) Injected {
	period := int64(beaconPeriod(ep.Rate))
	src := inj.podNode(win, ep.Template.Path[0], ep.Pods[0])
	var n float64
	for k := int64(0); ep.Start+k*period < ep.End; k++ {
		u := float64(splitmix(uint64(ep.Start)^uint64(k)*0x9e3779b97f4a7c15)>>11) / (1 << 53)
		at := ep.Start + k*period + int64((2*u-1)*beaconJitter*float64(period))
		if at < win.start || at >= win.end || at < ep.Start || at >= ep.End {
			continue
		}
		out := inj.outsideNode(win)
		win.addExt(edgeKey{src, out}, syntheticOutside)
		win.addExt(edgeKey{out, src}, syntheticOutside)
		win.addEdge(src, out, beaconRequest, 5, 1, beaconRequest)
		win.addEdge(out, src, beaconAnswer, 4, 0, 0)
		port := uint16(32768 + k%28000)
		win.flows = append(win.flows,
			winFlow{u: src, v: out, f: traffic.Flow{Src: firstIP(&win.nodes[src]), Dst: syntheticOutside, Protocol: capture.ProtoTCP,
				SrcPort: port, DstPort: beaconPort, Frames: 5, Bytes: beaconRequest, First: at, Last: at + 2e8, Opened: true}},
			winFlow{u: out, v: src, f: traffic.Flow{Src: syntheticOutside, Dst: firstIP(&win.nodes[src]), Protocol: capture.ProtoTCP,
				SrcPort: beaconPort, DstPort: port, Frames: 4, Bytes: beaconAnswer, First: at + 1e7, Last: at + 2e8}})
		n++
	}
	return Injected{Bytes: n * beaconRequest, Frames: n * 5, AckByte: n * beaconAnswer}
}

// splitmix is SplitMix64's finaliser: a well-mixed hash of x.
func splitmix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

func firstIP(n *node) netip.Addr {
	if len(n.ips) > 0 {
		return n.ips[0]
	}
	return netip.Addr{}
}

// injectAll applies every episode of eps that overlaps win to a copy of
// win, and returns it; nil when no episode touches win.
func (inj *injector) injectAll(win *window, eps []Episode) *window {
	var out *window
	for i := range eps {
		if overlap(win, eps[i].Start, eps[i].End) <= 0 {
			continue
		}
		if out == nil {
			out = win.clone()
		}
		inj.apply(out, &eps[i])
	}
	return out
}
