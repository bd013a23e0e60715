package tui

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
)

// termKind is what a searchable name is.
type termKind uint8

const (
	kindAny termKind = iota
	kindService
	kindPod
	kindIP
	kindPort
	kindDomain
)

func (k termKind) String() string {
	return [...]string{"any", "service", "pod", "IP", "port", "domain"}[k]
}

// termKey names a term: "pod shop-db-0", "port tcp/80".
type termKey struct {
	kind termKind
	name string
}

// winRun is a run of consecutive windows [lo, hi].
type winRun struct{ lo, hi int32 }

// term is a name and the runs of windows it appears in.
type term struct {
	termKey
	runs []winRun
}

// add records window i. Windows arrive in order, nearly: a late one is
// put where it belongs, in O(log runs).
func (t *term) add(i int32) {
	n := len(t.runs)
	switch {
	case n == 0 || i > t.runs[n-1].hi+1:
		t.runs = append(t.runs, winRun{i, i})
		return
	case i == t.runs[n-1].hi+1:
		t.runs[n-1].hi = i
		return
	}
	// The first run that ends at or after i-1.
	j := sort.Search(n, func(j int) bool { return t.runs[j].hi >= i-1 })
	r := &t.runs[j]
	switch {
	case i >= r.lo && i <= r.hi:
		return
	case i == r.hi+1:
		r.hi = i
	case i == r.lo-1:
		r.lo = i
	default:
		t.runs = slices.Insert(t.runs, j, winRun{i, i})
	}
	if j+1 < len(t.runs) && t.runs[j].hi+1 >= t.runs[j+1].lo {
		t.runs[j].hi = max(t.runs[j].hi, t.runs[j+1].hi)
		t.runs = slices.Delete(t.runs, j+1, j+2)
	}
}

// maxTerms bounds the names indexed per window size: a capture with ever
// new outside addresses must not grow the index without end.
const maxTerms = 200_000

// sizeIndex is the index of the windows of one size.
type sizeIndex struct {
	terms map[termKey]*term
	full  time.Time // when the first name was left out (zero: none was)
}

// searchIndex finds the windows a service, pod, address, port or DNS
// domain appears in. It holds each name once with the runs of windows it
// appears in — a name seen in every window is one run — so a week of
// windows of a stable application costs a few kilobytes.
type searchIndex struct {
	sizes   map[time.Duration]*sizeIndex
	seen    map[termKey]bool // scratch: the names of one window
	version uint64
}

func newSearchIndex() *searchIndex {
	return &searchIndex{sizes: map[time.Duration]*sizeIndex{}, seen: map[termKey]bool{}}
}

// add indexes the names of a window (with its details).
func (x *searchIndex) add(w *engine.WindowResult) {
	if w == nil || w.Index < 0 {
		return
	}
	si := x.sizes[w.Size]
	if si == nil {
		si = &sizeIndex{terms: map[termKey]*term{}}
		x.sizes[w.Size] = si
	}
	clear(x.seen)
	windowTerms(w, x.seen)
	for k := range x.seen {
		t := si.terms[k]
		if t == nil {
			if len(si.terms) >= maxTerms {
				if si.full.IsZero() {
					si.full = w.Start
				}
				continue
			}
			t = &term{termKey: k}
			si.terms[k] = t
		}
		t.add(int32(w.Index))
	}
	x.version++
}

// windowTerms collects the names a window's details mention.
func windowTerms(w *engine.WindowResult, into map[termKey]bool) {
	put := func(k termKind, name string) {
		if name != "" {
			into[termKey{k, name}] = true
		}
	}
	for _, e := range w.Edges {
		put(kindService, e.Src)
		put(kindService, e.Dst)
	}
	for _, e := range w.PodEdges {
		for _, p := range [][3]string{{e.Src, e.SrcService}, {e.Dst, e.DstService}} {
			if p[0] != p[1] && !strings.HasPrefix(p[0], "?") && !strings.HasSuffix(p[0], "_VIP") {
				put(kindPod, p[0])
			}
			put(kindService, p[1])
		}
		for _, ip := range e.SrcIPs {
			put(kindIP, ip)
		}
		for _, ip := range e.DstIPs {
			put(kindIP, ip)
		}
	}
	for _, p := range w.Ports {
		put(kindPort, p.Protocol+"/"+strconv.Itoa(int(p.Port)))
	}
	for _, d := range w.Domains {
		put(kindDomain, d.Domain)
	}
	for _, c := range w.Churn {
		put(kindPod, c.Name)
		put(kindIP, c.IP)
	}
}

// query is what is searched: text, optionally of one kind ("pod:shop").
type query struct {
	kind termKind
	text string // lower case
}

// queryPrefixes are the kind prefixes a query may start with.
var queryPrefixes = map[string]termKind{
	"service": kindService, "svc": kindService, "pod": kindPod, "ip": kindIP,
	"port": kindPort, "domain": kindDomain, "dns": kindDomain,
}

// parseQuery reads "shop-db", "pod:shop", "ip:10.244.0.9", "port:80",
// "tcp/80", "dns:example.com".
func parseQuery(s string) query {
	s = strings.ToLower(strings.TrimSpace(s))
	if pre, rest, ok := strings.Cut(s, ":"); ok {
		if k, ok := queryPrefixes[pre]; ok {
			return query{k, strings.TrimSpace(rest)}
		}
	}
	return query{text: s}
}

func (q query) String() string {
	if q.kind == kindAny {
		return q.text
	}
	return q.kind.String() + ":" + q.text
}

// matches says whether a term answers q: names contain the text (any
// case); a port is named by its number ("80") or protocol and number
// ("tcp/80"), and matches only exactly.
func (q query) matches(k termKey) bool {
	if q.text == "" || (q.kind != kindAny && q.kind != k.kind) {
		return false
	}
	if k.kind == kindPort {
		_, num, _ := strings.Cut(k.name, "/")
		return q.text == num || q.text == k.name
	}
	return strings.Contains(strings.ToLower(k.name), q.text)
}

// search returns the terms of size that match q, sorted by kind and name,
// and the runs of windows where any of them appears.
func (x *searchIndex) search(size time.Duration, q query) ([]*term, []winRun, time.Time) {
	si := x.sizes[size]
	if si == nil {
		return nil, nil, time.Time{}
	}
	var terms []*term
	var runs []winRun
	for k, t := range si.terms {
		if q.matches(k) {
			terms = append(terms, t)
			runs = append(runs, t.runs...)
		}
	}
	slices.SortFunc(terms, func(a, b *term) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.name, b.name))
	})
	return terms, mergeSpans(runs), si.full
}

// mergeSpans sorts runs and merges those that overlap or touch.
func mergeSpans(runs []winRun) []winRun {
	slices.SortFunc(runs, func(a, b winRun) int { return cmp.Compare(a.lo, b.lo) })
	out := runs[:0]
	for _, r := range runs {
		if n := len(out); n > 0 && r.lo <= out[n-1].hi+1 {
			out[n-1].hi = max(out[n-1].hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	return out
}

// describeTerms says which names matched: "service shop-db, pod shop-db-0".
func describeTerms(terms []*term, limit int) string {
	var parts []string
	for i, t := range terms {
		if i == limit {
			parts = append(parts, fmt.Sprintf("%d more", len(terms)-limit))
			break
		}
		parts = append(parts, t.kind.String()+" "+t.name)
	}
	return strings.Join(parts, ", ")
}
