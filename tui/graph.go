package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mimir-tui/mimir-tui/loaders/units"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/export"
)

// graphEdge is an edge of either graph as the adjacency list draws it.
type graphEdge struct {
	src, dst           string // service or pod
	srcNote, dstNote   string // the pod's address and service, the outside address
	bytes, packets     uint64
	isNew, out, infra  bool
	srcTags            string // churn of the source pod
	copySrc, copyDst   []copyable
	srcFull, edgeFull  string
	edgeName, groupKey string
}

// adjacency renders edges as an adjacency list: one group per source
// (busiest first), one line per destination (largest first) with its
// bytes. Edges to or from outside carry [OUT] and new pairs [NEW], in
// colour and in text. Short names (services) share the line: the source
// on its first destination's line; long ones (pods, with addresses) head
// their group on a line of their own. Every line is a row that opens in
// full and copies.
func adjacency(edges []graphEdge, width int, st *Styles, compact bool) []row {
	groups := groupEdges(edges)
	nameW := 4
	for _, e := range edges {
		nameW = max(nameW, len([]rune(e.src)), len([]rune(e.dst)))
	}
	// "src ─▶ dst  bytes [NEW] [OUT]": n + 4 + n + 1 + 9 + 12.
	nameW = min(nameW, max(6, (width-1-26)/2))
	var rows []row
	for _, g := range groups {
		if !compact {
			e0 := g[0]
			rows = append(rows, row{text: st.Text.Render(e0.src) + st.Muted.Render(e0.srcNote) + e0.srcTags, full: e0.srcFull, copy: e0.copySrc})
		}
		for i, e := range g {
			lead := st.Muted.Render("  ─▶ ")
			if compact {
				src := strings.Repeat(" ", nameW)
				if i == 0 {
					src = fit(e.src, nameW)
				}
				lead = st.Text.Render(src) + st.Muted.Render(" ─▶ ")
			}
			rows = append(rows, edgeRow(e, lead, width-1-ansiWidth(lead), st, compact, nameW))
		}
	}
	return rows
}

// groupEdges groups edges by source, the busiest source first and in each
// group the largest edge first.
func groupEdges(edges []graphEdge) [][]graphEdge {
	byKey := map[string]int{}
	var groups [][]graphEdge
	var totals []uint64
	for _, e := range edges {
		i, ok := byKey[e.groupKey]
		if !ok {
			i = len(groups)
			byKey[e.groupKey] = i
			groups = append(groups, nil)
			totals = append(totals, 0)
		}
		groups[i] = append(groups[i], e)
		totals[i] += e.bytes
	}
	order := make([]int, len(groups))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ga, gb := order[a], order[b]
		if totals[ga] != totals[gb] {
			return totals[ga] > totals[gb]
		}
		return groups[ga][0].groupKey < groups[gb][0].groupKey
	})
	out := make([][]graphEdge, len(order))
	for i, gi := range order {
		g := groups[gi]
		sort.SliceStable(g, func(a, b int) bool {
			if g[a].bytes != g[b].bytes {
				return g[a].bytes > g[b].bytes
			}
			return g[a].dst < g[b].dst
		})
		out[i] = g
	}
	return out
}

// edgeRow is one destination line: lead, then "dst note  bytes [NEW] [OUT]"
// in room cells.
func edgeRow(e graphEdge, lead string, room int, st *Styles, compact bool, nameW int) row {
	tags := ""
	if e.isNew {
		tags += " " + st.Warning.Render("[NEW]")
	}
	if e.out {
		tags += " " + st.Alert.Render("[OUT]")
	}
	if e.infra {
		tags += " " + st.Muted.Render("[infra: not scored]")
	}
	w := nameW
	if !compact {
		w = max(room-10-len([]rune(plainTags(e))), 8)
	}
	text := lead + st.Text.Render(fit(e.dst+e.dstNote, w)) + " " + st.Muted.Render(padLeft(units.Bytes(float64(e.bytes)), 9)) + tags
	return row{text: text, full: e.edgeFull, copy: append([]copyable{{"edge", e.edgeName}}, e.copyDst...)}
}

// plainTags are the tags' text, for measuring.
func plainTags(e graphEdge) string {
	s := ""
	if e.isNew {
		s += " [NEW]"
	}
	if e.out {
		s += " [OUT]"
	}
	if e.infra {
		s += " [infra: not scored]"
	}
	return s
}

// serviceEdges are the window's service graph as graph edges.
func serviceEdges(edges []engine.Edge) []graphEdge {
	out := make([]graphEdge, len(edges))
	for i, e := range edges {
		name := export.EdgeName(e.Src, e.Dst)
		out[i] = graphEdge{src: e.Src, dst: e.Dst, bytes: e.Bytes, packets: e.Packets, isNew: e.New, out: e.Outside,
			infra: e.Infra, groupKey: e.Src, edgeName: name, srcFull: "service " + e.Src,
			copySrc: []copyable{{"service", e.Src}}, copyDst: []copyable{{"service", e.Dst}},
			edgeFull: fmt.Sprintf("%s: %s in %s%s", name, units.Bytes(float64(e.Bytes)), plural(int(e.Packets), "packet"), plainTags(graphEdge{isNew: e.New, out: e.Outside, infra: e.Infra}))}
	}
	return out
}

// podEdges are the window's pod graph as graph edges: pods with their
// addresses and services, outside with the real outside address, and the
// pods added or deleted in the window marked.
func podEdges(edges []engine.PodEdge, churn []engine.Change, st *Styles) []graphEdge {
	changed := map[string]string{}
	for _, c := range churn {
		if c.Kind == "pod" {
			sign := "+ added"
			if c.Op == "delete" {
				sign = "− deleted"
			}
			changed[c.Name] = fmt.Sprintf(" [%s %s]", sign, c.Time.UTC().Format("15:04:05"))
		}
	}
	out := make([]graphEdge, len(edges))
	for i, e := range edges {
		srcIPs, dstIPs := strings.Join(e.SrcIPs, ","), strings.Join(e.DstIPs, ",")
		name := export.EdgeName(e.Src, e.Dst)
		g := graphEdge{src: e.Src, dst: e.Dst, bytes: e.Bytes, packets: e.Packets, infra: e.Infra,
			out: e.SrcService == "outside" || e.DstService == "outside", groupKey: e.Src, edgeName: name,
			srcNote: podNote(srcIPs, e.SrcService, e.Src), dstNote: podNote(dstIPs, e.DstService, e.Dst) + changed[e.Dst],
			srcFull: fmt.Sprintf("%s %s (service %s)%s", e.Src, srcIPs, e.SrcService, changed[e.Src]),
			edgeFull: fmt.Sprintf("%s %s%s → %s %s%s: %s in %s", e.Src, srcIPs, changed[e.Src], e.Dst, dstIPs, changed[e.Dst],
				units.Bytes(float64(e.Bytes)), plural(int(e.Packets), "packet")),
			copySrc: podCopies(e.Src, e.SrcIPs), copyDst: podCopies(e.Dst, e.DstIPs)}
		if tag := changed[e.Src]; tag != "" {
			g.srcTags = st.Warning.Render(tag)
		}
		out[i] = g
	}
	return out
}

// podNote is " 10.244.0.9 (shop-db)": the address, and the service when
// the name does not say it.
func podNote(ips, service, name string) string {
	s := " " + ips
	if service != "" && service != name && !strings.HasPrefix(name, service) {
		s += " (" + service + ")"
	}
	return s
}

func podCopies(pod string, ips []string) []copyable {
	out := []copyable{{"pod", pod}}
	for _, ip := range ips {
		out = append(out, copyable{"IP", ip})
	}
	return out
}

// graphPane shows the cursor window's service graph, or its pod graph (p).
type graphPane struct {
	sh   *shared
	pods bool
	list listView
	key  detailKey
}

func newGraphPane(sh *shared) *graphPane { return &graphPane{sh: sh, list: newListView(sh)} }

func (p *graphPane) SetSize(w, h int) { p.list.SetSize(w, h-1) }

func (p *graphPane) Keys() []key.Binding {
	k := p.sh.keys
	return []key.Binding{k.Up, k.Down, openLine(k), k.Pods}
}

func (p *graphPane) Update(msg tea.Msg) tea.Cmd { return listUpdate(&p.list, msg, p.name()) }

func (p *graphPane) click(_, y int) tea.Cmd { p.list.click(y - 1); return nil }

func (p *graphPane) togglePods() { p.pods = !p.pods; p.key = detailKey{} }

func (p *graphPane) name() string {
	if p.pods {
		return "pod graph"
	}
	return "service graph"
}

func (p *graphPane) selection() selection {
	r, _ := p.list.selected()
	return selection{copies: r.copy}
}

func (p *graphPane) sync() {
	w := p.sh.window()
	k := detailKey{w: w, width: p.list.width, theme: p.sh.themeGen, mode: map[bool]int{false: 0, true: 1}[p.pods]}
	if k == p.key {
		return
	}
	keep := k.w == p.key.w && k.mode == p.key.mode
	p.key = k
	st := p.sh.styles
	var rows []row
	switch {
	case w == nil:
		rows = []row{{text: st.Muted.Render("no window analysed yet"), skip: true}}
	case p.sh.loading():
		rows = []row{{text: st.Muted.Render("reading the window's details…"), skip: true}}
	case p.pods && len(w.PodEdges) > 0:
		rows = append(churnRows(w.Churn, st), adjacency(podEdges(w.PodEdges, w.Churn, st), p.list.width, st, false)...)
	case !p.pods && len(w.Edges) > 0:
		rows = adjacency(serviceEdges(w.Edges), p.list.width, st, true)
	default:
		rows = []row{{text: st.Muted.Render("  no traffic in this window"), skip: true}}
	}
	p.list.setRows(rows, keep)
}

func (p *graphPane) View() string {
	st := p.sh.styles
	head := st.paneTitle(p.name(), p.list.focused)
	if w := p.sh.window(); w != nil && !p.sh.loading() {
		n := len(w.Edges)
		other := "p: pods"
		if p.pods {
			n, other = len(w.PodEdges), "p: services"
		}
		head += st.Muted.Render(fmt.Sprintf(" · window %d · %s · %s · who sends whom how many bytes", w.Index, plural(n, "edge"), other))
	}
	return truncateStyled(head, p.list.width) + "\n" + p.list.View()
}
