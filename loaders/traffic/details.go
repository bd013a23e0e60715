package traffic

import (
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"math"
	"slices"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
)

// endpointKey identifies an Endpoint in a window's map.
type endpointKey struct {
	src, dst   [16]byte
	stag, dtag int32
	fam, proto uint8
	port       uint16
}

// dnsKey identifies a DNSGroup in a window's map.
type dnsKey struct {
	src, dst   [16]byte
	stag, dtag int32
	fam        uint8
	domain     string
}

// dnsExtra is the per-group state that does not go into the DNSGroup.
type dnsExtra struct {
	names map[uint64]struct{} // hashes of the distinct query names, up to NameCap
}

// details collects Endpoints and DNS groups (Config.Details).
type details struct {
	msg     capture.DNSMessage
	domains map[string]string // query name -> registered domain
	seed    maphash.Seed
}

// maxDomainCache bounds the name -> domain cache; a DNS tunnel asks for a
// new name every time, so the cache is dropped when it is full.
const maxDomainCache = 1 << 16

func (d *details) init() {
	d.domains = make(map[string]string)
	d.seed = maphash.MakeSeed()
}

// add counts p's details in w; flows only in the finest windows (the
// first size), where an analyst opens them.
func (d *details) add(w *acc, k pairKey, p *capture.Packet, flows bool) {
	if !p.HasTransport || p.Fragment == capture.LaterFragment {
		return
	}
	if flows {
		w.addFlow(p)
	}
	if port, ok := initiation(p); ok {
		if w.epIdx == nil {
			w.epIdx = make(map[endpointKey]int32)
		}
		ek := endpointKey{src: k.src, dst: k.dst, stag: k.stag, dtag: k.dtag, fam: k.fam, proto: p.Protocol, port: port}
		i, found := w.epIdx[ek]
		if !found {
			i = int32(len(w.eps))
			w.eps = append(w.eps, Endpoint{Src: p.Src, Dst: p.Dst, SrcTag: k.stag, DstTag: k.dtag, Protocol: p.Protocol, Port: port})
			w.epIdx[ek] = i
		}
		w.eps[i].Count++
	}
	if (p.Protocol == capture.ProtoUDP || p.Protocol == capture.ProtoTCP) && (p.SrcPort == 53 || p.DstPort == 53) {
		d.addDNS(w, k, p)
	}
}

// initiation reports whether p starts a conversation with a service
// endpoint, and the endpoint's port (see Endpoint).
func initiation(p *capture.Packet) (uint16, bool) {
	switch p.Protocol {
	case capture.ProtoTCP:
		return p.DstPort, p.TCPFlags&(capture.TCPSyn|capture.TCPAck) == capture.TCPSyn
	case capture.ProtoUDP:
		return p.DstPort, p.DstPort == 53 || p.DstPort < p.SrcPort
	case capture.ProtoICMP:
		return 0, p.SrcPort == 8 // echo request (SrcPort holds the type)
	case capture.ProtoICMPv6:
		return 0, p.SrcPort == 128
	}
	return 0, false
}

func (d *details) addDNS(w *acc, k pairKey, p *capture.Packet) {
	pl := p.Payload
	if p.Protocol == capture.ProtoTCP {
		// DNS over TCP: a 2-byte length, then the message. Only a segment
		// that starts a message is read.
		if len(pl) < 2 {
			return
		}
		n := int(binary.BigEndian.Uint16(pl))
		pl = pl[2:]
		if n < len(pl) {
			pl = pl[:n]
		}
	}
	m := &d.msg
	capture.ParseDNS(pl, m) // a message cut short may still have its question
	if len(m.Questions) == 0 || m.Opcode != 0 {
		return
	}
	q := &m.Questions[0]
	domain := d.domain(q.Name)
	if !m.Response {
		i := d.group(w, dnsKey{src: k.src, dst: k.dst, stag: k.stag, dtag: k.dtag, fam: k.fam, domain: domain}, p, false)
		g := &w.dns[i]
		g.Queries++
		g.Bytes += uint64(p.WireLen)
		n := len(q.Name)
		g.NameLenSum += uint64(n)
		g.MaxNameLen = max(g.MaxNameLen, uint16(n))
		e := labelEntropy(q.Name[:len(q.Name)-len(domain)])
		g.EntropySum += e
		g.MaxEntropy = max(g.MaxEntropy, e)
		if unusualType(q.Type) {
			g.UnusualTypes++
		}
		x := &w.dnsX[i]
		if x.names == nil {
			x.names = make(map[uint64]struct{})
		}
		if len(x.names) < NameCap {
			x.names[maphash.Bytes(d.seed, q.Name)] = struct{}{}
		}
		addExample(g, q.Name)
		return
	}
	// A response goes to the group of the query it answers.
	i := d.group(w, dnsKey{src: k.dst, dst: k.src, stag: k.dtag, dtag: k.stag, fam: k.fam, domain: domain}, p, true)
	g := &w.dns[i]
	g.Responses++
	g.Bytes += uint64(p.WireLen)
	if m.RCode == capture.DNSRCodeNXDomain {
		g.NXDomain++
	}
}

// group returns the index of the DNSGroup of key k in w, adding it if new;
// reverse says the packet goes from the group's Dst to its Src.
func (d *details) group(w *acc, k dnsKey, p *capture.Packet, reverse bool) int32 {
	if w.dnIdx == nil {
		w.dnIdx = make(map[dnsKey]int32)
	}
	i, ok := w.dnIdx[k]
	if !ok {
		i = int32(len(w.dns))
		g := DNSGroup{Src: p.Src, Dst: p.Dst, SrcTag: k.stag, DstTag: k.dtag, Domain: k.domain}
		if reverse {
			g.Src, g.Dst = p.Dst, p.Src
		}
		w.dns = append(w.dns, g)
		w.dnsX = append(w.dnsX, dnsExtra{})
		w.dnIdx[k] = i
	}
	return i
}

// addExample keeps name among the group's MaxExamples longest distinct
// names, longest first.
func addExample(g *DNSGroup, name []byte) {
	for _, e := range g.Examples {
		if e == string(name) {
			return
		}
	}
	if len(g.Examples) == MaxExamples && len(name) <= len(g.Examples[MaxExamples-1]) {
		return
	}
	i := slices.IndexFunc(g.Examples, func(e string) bool { return len(name) > len(e) })
	if i < 0 {
		i = len(g.Examples)
	}
	g.Examples = slices.Insert(g.Examples, i, string(name))
	if len(g.Examples) > MaxExamples {
		g.Examples = g.Examples[:MaxExamples]
	}
}

// domain returns the registered domain of a query name, through a cache so
// that a name seen before costs no allocation.
func (d *details) domain(name []byte) string {
	if dom, ok := d.domains[string(name)]; ok {
		return dom
	}
	if len(d.domains) >= maxDomainCache {
		clear(d.domains)
	}
	s := string(name)
	dom := RegisteredDomain(s)
	d.domains[s] = dom
	return dom
}

// RegisteredDomain returns the registered domain of a DNS name: its
// public suffix plus one label (publicsuffix.EffectiveTLDPlusOne), or its
// last two labels when the public suffix list has no answer (a name that
// is itself a suffix, an empty label). The name must be lower case,
// without the trailing dot.
func RegisteredDomain(name string) string {
	if name == "" {
		return ""
	}
	if d, err := publicsuffix.EffectiveTLDPlusOne(name); err == nil {
		return d
	}
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return name
	}
	return name[strings.LastIndexByte(name[:i], '.')+1:]
}

// NameEntropy is the Shannon entropy, in bits per character, of the part
// of a query name left of its registered domain (as DNSGroup.EntropySum
// sums it).
func NameEntropy(name string) float64 {
	return labelEntropy([]byte(strings.TrimSuffix(name, RegisteredDomain(name))))
}

// labelEntropy is the Shannon entropy, in bits per character, of the
// characters of the labels in prefix (the part of a query name left of its
// registered domain); the dots between labels are not counted.
func labelEntropy(prefix []byte) float64 {
	var counts [256]uint16
	n := 0
	for _, c := range prefix {
		if c != '.' {
			counts[c]++
			n++
		}
	}
	if n == 0 {
		return 0
	}
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			f := float64(c) / float64(n)
			h -= f * math.Log2(f)
		}
	}
	return h
}

// unusualType reports whether a query type is one that DNS tunnels favour
// (TXT, NULL, ANY) or one outside the types ordinary clients ask for.
func unusualType(t uint16) bool {
	switch t {
	case 1, // A
		2,   // NS
		5,   // CNAME
		6,   // SOA
		12,  // PTR
		15,  // MX
		28,  // AAAA
		33,  // SRV
		35,  // NAPTR
		43,  // DS
		48,  // DNSKEY
		52,  // TLSA
		64,  // SVCB
		65,  // HTTPS
		257: // CAA
		return false
	}
	return true
}

// finish moves the details of accumulator ac into the emitted window w.
func (d *details) finish(ac *acc, w *Window) {
	ac.finishFlows(w)
	w.Endpoints = ac.eps
	slices.SortFunc(w.Endpoints, func(x, y Endpoint) int {
		if c := comparePairs(Pair{Src: x.Src, Dst: x.Dst, SrcTag: x.SrcTag, DstTag: x.DstTag}, Pair{Src: y.Src, Dst: y.Dst, SrcTag: y.SrcTag, DstTag: y.DstTag}); c != 0 {
			return c
		}
		if c := cmp.Compare(x.Protocol, y.Protocol); c != 0 {
			return c
		}
		return cmp.Compare(x.Port, y.Port)
	})
	for i := range ac.dns {
		ac.dns[i].Names = uint32(len(ac.dnsX[i].names))
	}
	w.DNS = ac.dns
	slices.SortFunc(w.DNS, func(x, y DNSGroup) int {
		if c := comparePairs(Pair{Src: x.Src, Dst: x.Dst, SrcTag: x.SrcTag, DstTag: x.DstTag}, Pair{Src: y.Src, Dst: y.Dst, SrcTag: y.SrcTag, DstTag: y.DstTag}); c != 0 {
			return c
		}
		return strings.Compare(x.Domain, y.Domain)
	})
}
