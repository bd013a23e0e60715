package tui

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/units"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mimir-tui/mimir-tui/engine"
)

// searchState is the active search: its query, and for the window size
// shown the names that matched and the runs of windows they appear in.
// The chart strip marks the matches; ] and [ step through them.
type searchState struct {
	q        query
	size     time.Duration
	version  uint64 // of the index the matches are from
	terms    []*term
	runs     []winRun
	starts   []int // starts[i]: matches before runs[i]
	total    int
	full     time.Time // the index left names out from then on
	computed bool
}

// refresh recomputes the matches when the size or the index changed.
func (s *searchState) refresh(x *searchIndex, size time.Duration) {
	if s.computed && s.size == size && s.version == x.version {
		return
	}
	s.size, s.version, s.computed = size, x.version, true
	s.terms, s.runs, s.full = x.search(size, s.q)
	s.starts = make([]int, len(s.runs))
	s.total = 0
	for i, r := range s.runs {
		s.starts[i] = s.total
		s.total += int(r.hi-r.lo) + 1
	}
}

// window is the window of the n-th match.
func (s *searchState) window(n int) int {
	i := sort.Search(len(s.starts), func(i int) bool { return s.starts[i] > n }) - 1
	return int(s.runs[i].lo) + n - s.starts[i]
}

// rank is the number of matches before window w, and whether w matches.
func (s *searchState) rank(w int) (int, bool) {
	i := sort.Search(len(s.runs), func(i int) bool { return int(s.runs[i].hi) >= w })
	if i == len(s.runs) {
		return s.total, false
	}
	if w < int(s.runs[i].lo) {
		return s.starts[i], false
	}
	return s.starts[i] + w - int(s.runs[i].lo), true
}

// next is the first match after window cur (dir 1) or before it (-1).
func (s *searchState) next(cur, dir int) (int, bool) {
	r, hit := s.rank(cur)
	switch {
	case dir > 0 && hit && r+1 < s.total:
		return s.window(r + 1), true
	case dir > 0 && !hit && r < s.total:
		return s.window(r), true
	case dir < 0 && r > 0:
		return s.window(r - 1), true
	}
	return cur, false
}

// hits says, per chart bucket, whether a window of it matches.
func (s *searchState) hits(g bucketGeom) []bool {
	out := make([]bool, g.nb)
	for _, r := range s.runs {
		for b := g.bucketOf(int(r.lo)); b <= g.bucketOf(int(r.hi)) && b < g.nb; b++ {
			out[b] = true
		}
	}
	return out
}

// nextMatch is the timeline's mark: the next (dir 1) or previous (-1)
// window of size s the active search matches.
func (sh *shared) nextMatch(s, cur, dir int) (int, bool) {
	if sh.search == nil || s < 0 || s >= len(sh.data.series) {
		return cur, false
	}
	sh.search.refresh(sh.index, sh.data.series[s].size)
	return sh.search.next(cur, dir)
}

// askSearch opens the search prompt.
func (m *Model) askSearch() tea.Cmd {
	return m.prompt.ask(promptSearch, "search: ", "", "service, pod, IP, port or domain (pod:, ip:, port:, dns: to be exact); empty clears", nil)
}

// searchFor starts a search (an empty one clears it) and lists its
// matches.
func (m *Model) searchFor(text string) tea.Cmd {
	for i, o := range m.overlays {
		if _, ok := o.(*searchPane); ok {
			m.overlays = slices.Delete(m.overlays, i, i+1)
			break
		}
	}
	q := parseQuery(text)
	if q.text == "" {
		m.sh.search = nil
		m.setStatus("search cleared", true)
		return nil
	}
	m.sh.search = &searchState{q: q}
	m.push(newSearchPane(m.sh))
	return nil
}

// matchMoved says where ] or [ went, or why they did not move.
func (m *Model) matchMoved(stayed, forward bool) {
	s := m.sh.search
	switch {
	case s == nil:
		m.setStatus("no search: / searches the capture for a service, pod, IP, port or domain", false)
	case stayed && s.total == 0:
		m.setStatus(fmt.Sprintf("%q appears in no window", s.q.String()), false)
	case stayed:
		dir := "after"
		if !forward {
			dir = "before"
		}
		m.setStatus(fmt.Sprintf("no match of %q %s window %d", s.q.String(), dir, m.sh.cursor()), false)
	default:
		r, _ := s.rank(m.sh.cursor())
		m.setStatus(fmt.Sprintf("match %d of %d of %q", r+1, s.total, s.q.String()), true)
	}
}

// matchFacts are what a search shows of a matching window: the bytes of
// the traffic that involves a matched name, and the DNS queries of a
// matched domain.
type matchFacts struct {
	bytes, queries uint64
}

// factsOf measures a window's traffic that involves the terms: pod edges
// touching a matched service, pod or address; the bytes of a matched
// port; the queries of a matched domain.
func factsOf(w *engine.WindowResult, terms []*term) matchFacts {
	set := map[termKey]bool{}
	for _, t := range terms {
		set[t.termKey] = true
	}
	in := func(k termKind, names ...string) bool {
		for _, n := range names {
			if set[termKey{k, n}] {
				return true
			}
		}
		return false
	}
	var f matchFacts
	for _, e := range w.PodEdges {
		if in(kindService, e.SrcService, e.DstService) || in(kindPod, e.Src, e.Dst) || in(kindIP, e.SrcIPs...) || in(kindIP, e.DstIPs...) {
			f.bytes += e.Bytes
		}
	}
	for _, p := range w.Ports {
		if in(kindPort, fmt.Sprintf("%s/%d", p.Protocol, p.Port)) {
			f.bytes += p.Bytes
		}
	}
	for _, d := range w.Domains {
		if in(kindDomain, d.Domain) {
			f.queries += d.Queries
		}
	}
	return f
}

// factsMsg brings the facts of matching windows read from the store.
type factsMsg struct {
	q     query
	facts map[int]matchFacts
	err   error
}

// searchPane lists the windows the search matches, with the bytes of the
// matched traffic; enter goes to a window, space shows a row in full.
type searchPane struct {
	sh      *shared
	height  int
	list    listView
	facts   map[int]matchFacts // per window, once read
	reading map[int]bool
	key     [4]uint64 // index version, size, width, theme of the drawn list
	err     error
}

func newSearchPane(sh *shared) *searchPane {
	p := &searchPane{sh: sh, list: newListView(sh), facts: map[int]matchFacts{}, reading: map[int]bool{}}
	p.list.focused = true
	return p
}

func (p *searchPane) SetSize(w, h int) { p.height = h; p.list.SetSize(w, h-1) }

func (p *searchPane) Keys() []key.Binding {
	k := p.sh.keys
	return []key.Binding{k.Up, k.Down, relabel(k.Enter, "⏎", "go to the window"), k.Full, relabel(k.Back, "esc", "close (marks stay; / clears)")}
}

func (p *searchPane) hints() []key.Binding {
	k := p.sh.keys
	return []key.Binding{pair(k.NextMatch, k.PrevMatch, "]/[", "next/previous match")}
}

func (p *searchPane) Update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(factsMsg); ok {
		p.take(msg)
		return nil
	}
	cmd, _ := p.list.overlayKeys(msg, "search match", func(r row) tea.Msg { return gotoMsg{window: r.value.(int)} })
	return cmd
}

func (p *searchPane) click(_, y int) tea.Cmd { p.list.click(y - len(p.above())); return nil }

func (p *searchPane) selection() selection {
	r, _ := p.list.selected()
	return selection{copies: r.copy}
}

func (p *searchPane) take(msg factsMsg) {
	s := p.sh.search
	for w := range msg.facts {
		delete(p.reading, w)
	}
	if s == nil || msg.q != s.q {
		return
	}
	if msg.err != nil {
		p.err = msg.err
	}
	for w, f := range msg.facts {
		p.facts[w] = f
	}
}

// background reads the facts of the visible matches that are not known.
func (p *searchPane) background() tea.Cmd {
	s, sd := p.sh.search, p.sh.current()
	if s == nil || sd == nil {
		return nil
	}
	var todo []*engine.WindowResult
	for i := p.list.top; i < min(p.list.len(), p.list.top+p.list.room()); i++ {
		w := s.window(i)
		if _, ok := p.facts[w]; !ok && !p.reading[w] && sd.window(w) != nil {
			p.reading[w] = true
			todo = append(todo, sd.window(w))
		}
	}
	if len(todo) == 0 {
		return nil
	}
	store, q, terms := p.sh.store, s.q, slices.Clone(s.terms)
	return func() tea.Msg {
		out := factsMsg{q: q, facts: map[int]matchFacts{}}
		for _, w := range todo {
			full, err := store.full(w)
			if err != nil {
				out.err = err
				continue
			}
			out.facts[w.Index] = factsOf(full, terms)
		}
		return out
	}
}

// sync brings the list in line with the search's matches.
func (p *searchPane) sync() {
	s, sd := p.sh.search, p.sh.current()
	if s == nil || sd == nil {
		return
	}
	s.refresh(p.sh.index, sd.size)
	k := [4]uint64{s.version, uint64(sd.size), uint64(p.list.width), uint64(p.sh.themeGen)}
	if k[1] != p.key[1] {
		clear(p.facts)
	}
	keep := k[1] == p.key[1]
	p.key = k
	p.list.setSource(s.total, p.row, keep)
}

func (p *searchPane) row(n int) row {
	st := p.sh.styles
	s, sd := p.sh.search, p.sh.current()
	i := s.window(n)
	w := sd.window(i)
	text := fmt.Sprintf("%7d  ", i)
	full := fmt.Sprintf("window %d", i)
	if w != nil {
		rel := ""
		if in := p.sh.data.inputs; in != nil {
			rel = fmtRel(w.Start.Sub(in.Start))
		}
		text += fmt.Sprintf("%-8s %s  ", rel, w.Start.UTC().Format("2006-01-02 15:04:05"))
		full += fmt.Sprintf(" %s, %s UTC", rel, timeRange(w.Start, w.End))
	}
	if f, ok := p.facts[i]; ok {
		text += padLeft(units.Bytes(float64(f.bytes)), 9)
		if f.queries > 0 {
			text += "  " + plural(int(f.queries), "DNS query")
		}
		full += fmt.Sprintf("\n%s of the matched traffic", units.Bytes(float64(f.bytes)))
	} else {
		text += padLeft("…", 9)
	}
	if w != nil && w.Alert(p.sh.threshold()) {
		text += "  " + st.Alert.Render("▲ alert")
	}
	return row{text: st.Text.Render(text), full: full, value: i, copy: []copyable{{"window", fmt.Sprint(i)}}}
}

// above are the lines over the list: the title, and the warnings that
// take lines from the list (a click counts them).
func (p *searchPane) above() []string {
	st := p.sh.styles
	s := p.sh.search
	head := st.Focused.Render("search " + fmt.Sprintf("%q", s.q.String()))
	switch {
	case len(s.terms) == 0:
		head += st.Muted.Render(" · no service, pod, address, port or domain matches")
	default:
		head += st.Muted.Render(fmt.Sprintf(" · in %s · %s", plural(s.total, "window"), describeTerms(s.terms, 6)))
	}
	lines := []string{truncateStyled(head, p.list.width)}
	if !s.full.IsZero() {
		lines = append(lines, truncateStyled(st.Warning.Render(fmt.Sprintf("! more than %d names: those first seen after %s are not searched",
			maxTerms, s.full.UTC().Format("2006-01-02 15:04:05"))), p.list.width))
	}
	if p.err != nil {
		lines = append(lines, truncateStyled(st.Warning.Render("! "+p.err.Error()), p.list.width))
	}
	return lines
}

func (p *searchPane) View() string {
	st := p.sh.styles
	lines := p.above()
	p.list.header = []string{st.PaneTitle.Render(fmt.Sprintf("%7s  %-8s %-19s  %9s", "window", "offset", "start (UTC)", "bytes"))}
	if h := max(p.height-len(lines), 2); h != p.list.height {
		p.list.SetSize(p.list.width, h)
	}
	body := p.list.View()
	if p.sh.search.total == 0 {
		body = st.Muted.Render("  try a shorter name, or pod:, ip:, port:, dns: to say what it is")
	}
	return strings.Join(append(lines, body), "\n")
}
