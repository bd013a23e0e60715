package tui

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/mimir-tui/mimir-tui/loaders/units"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/export"
)

// drillKey is what the edge's byte series depends on.
type drillKey struct {
	sd      *seriesData
	version uint64
	src     string
	dst     string
}

// drillPane shows one flagged edge: its reasons with numbers, its pods and
// addresses, its flows and the evidence behind each reason, the Wireshark
// filter of its packets, and its bytes in every window of the current size
// as a chart with the cursor marked. It follows the cursor. Every line can
// be selected, opened in full (space) and copied (y); x writes its packets.
type drillPane struct {
	sh      *shared
	edge    engine.FlaggedEdge // as flagged where it was opened
	from    int                // the window it was opened from
	list    listView
	rowsKey detailKey
	// seriesGen counts the byte series read, so that the rows are
	// redrawn (keeping the selection) when one arrives.
	seriesGen int
	key       drillKey
	pending   drillKey  // being read
	bytes     []float64 // per window (key's); NaN for windows not analysed
}

func newDrillPane(sh *shared, e engine.FlaggedEdge, from int) *drillPane {
	p := &drillPane{sh: sh, edge: e, from: from, list: newListView(sh)}
	p.list.focused = true
	return p
}

// current is the edge as flagged in the cursor window, if it is; the
// drill-down follows the cursor.
func (p *drillPane) current() (engine.FlaggedEdge, int, bool) {
	w := p.sh.window()
	if w == nil {
		return p.edge, p.from, false
	}
	for _, e := range w.Flagged {
		if e.Src == p.edge.Src && e.Dst == p.edge.Dst {
			return e, w.Index, true
		}
	}
	return p.edge, p.from, false
}

func (p *drillPane) SetSize(w, h int) { p.list.SetSize(w, h-1) }

func (p *drillPane) Keys() []key.Binding {
	k := p.sh.keys
	return []key.Binding{k.Up, k.Down, openLine(k), relabel(k.Back, "esc", "back to the edges")}
}

// hints are the application keys that act on the edge.
func (p *drillPane) hints() []key.Binding {
	k := p.sh.keys
	return []key.Binding{relabel(k.Packets, "x", "packets"), relabel(k.Copy, "y", "copy"), relabel(k.Verdict, "v", "verdict")}
}

func (p *drillPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case drillSeriesMsg:
		p.setSeries(msg)
		return nil
	case tea.KeyPressMsg:
		if key.Matches(msg, p.sh.keys.Back) {
			return p.sh.post(closeMsg{})
		}
	}
	return listUpdate(&p.list, msg, "edge "+export.EdgeName(p.edge.Src, p.edge.Dst))
}

func (p *drillPane) click(_, y int) tea.Cmd { p.list.click(y - 1); return nil }

// selection: the edge over the cursor window (the window its flows are
// of), and the values of the selected line.
func (p *drillPane) selection() selection {
	e, _, _ := p.current()
	s := windowSelection(p.sh.slimCursor(), &e)
	if r, ok := p.list.selected(); ok && len(r.copy) > 0 {
		s.copies = append(slices.Clone(r.copy), s.copies...)
	}
	return s
}

// drillSeriesMsg brings an edge's bytes per window, read off the update
// loop from the detail store.
type drillSeriesMsg struct {
	key   drillKey
	bytes []float64
	err   error
}

// background reads the edge's bytes in every window of the current size
// from the store, when they are not known for the data's version: a scan
// of the windows' service graphs, O(windows × edges), once per edge and
// version.
func (p *drillPane) background() tea.Cmd {
	sd := p.sh.current()
	if sd == nil {
		return nil
	}
	k := drillKey{sd: sd, version: sd.version, src: p.edge.Src, dst: p.edge.Dst}
	if k == p.key || k == p.pending {
		return nil
	}
	p.pending = k
	windows := slices.Clone(sd.windows)
	store := p.sh.store
	return func() tea.Msg {
		out := make([]float64, len(windows))
		for i, w := range windows {
			out[i] = math.NaN()
			if w == nil {
				continue
			}
			full, err := store.full(w)
			if err != nil {
				return drillSeriesMsg{key: k, err: err}
			}
			out[i] = 0
			for _, e := range full.Edges {
				if e.Src == k.src && e.Dst == k.dst {
					out[i] += float64(e.Bytes)
				}
			}
		}
		return drillSeriesMsg{key: k, bytes: out}
	}
}

// setSeries takes a series the store has read.
func (p *drillPane) setSeries(msg drillSeriesMsg) {
	if msg.key == p.pending {
		p.pending = drillKey{}
	}
	if msg.err == nil && msg.key.src == p.edge.Src && msg.key.dst == p.edge.Dst {
		p.key, p.bytes = msg.key, msg.bytes
		p.seriesGen++
	}
}

// sync rebuilds the rows when the window, the width, the theme or the
// byte series changed.
func (p *drillPane) sync() {
	w := p.sh.window()
	k := detailKey{w: w, width: p.list.width, theme: p.sh.themeGen, th: p.sh.threshold(), mode: p.seriesGen}
	if sd := p.sh.current(); sd != nil {
		k.version = sd.version
	}
	if k == p.rowsKey {
		return
	}
	keep := k.w == p.rowsKey.w
	p.rowsKey = k
	p.list.setRows(p.rows(), keep)
}

func (p *drillPane) View() string {
	st := p.sh.styles
	e, _, _ := p.current()
	tags := ""
	if e.Src == "outside" || e.Dst == "outside" {
		tags += " " + st.Alert.Render("[OUT]")
	}
	for _, r := range e.Reasons {
		if r.Code == "new-pair" {
			tags += " " + st.Warning.Render("[NEW]")
		}
	}
	head := st.Focused.Render("edge "+export.EdgeName(e.Src, e.Dst)) + tags + st.Muted.Render("  · esc: back · x: packets · y: copy")
	return truncateStyled(head, p.list.width) + "\n" + p.list.View()
}

// rows are the drill-down's lines: the edge in the cursor window, its
// reasons, endpoints, evidence, filter and bytes over time.
func (p *drillPane) rows() []row {
	st := p.sh.styles
	e, at, here := p.current()
	var rows []row
	if w := p.sh.window(); !here && w != nil {
		var b uint64
		for _, x := range w.Edges {
			if x.Src == e.Src && x.Dst == e.Dst {
				b += x.Bytes
			}
		}
		rows = append(rows, row{text: st.OK.Render(fmt.Sprintf("window %d: %s on this edge, not flagged", w.Index, units.Bytes(float64(b)))) +
			st.Muted.Render(fmt.Sprintf(" · as flagged in window %d:", at))})
	}
	rows = append(rows, row{text: st.Text.Render(fmt.Sprintf("window %d: %s in %s", at, units.Bytes(float64(e.Bytes)), plural(int(e.Packets), "packet"))) +
		st.Muted.Render(fmt.Sprintf(" · baseline median %s per window · weight %s", units.Bytes(e.Baseline), compact(e.Weight)))})
	rows = append(rows, reasonRows(e, st)...)
	rows = append(rows, endpointRows(e, st)...)
	if here {
		rows = append(rows, evidenceRows(e.Evidence, p.list.width-1, st)...)
		if w := p.sh.slimCursor(); w != nil {
			rows = append(rows, filterRows(engine.EdgeSelection(&e, w.Start, w.End), w.Index, st)...)
		}
	}
	return append(rows, p.chartRows()...)
}

func reasonRows(e engine.FlaggedEdge, st *Styles) []row {
	rows := []row{{skip: true}, {text: st.PaneTitle.Render("reasons"), skip: true}}
	for _, r := range e.Reasons {
		z := ""
		if r.Z != 0 {
			z = fmt.Sprintf(" (z %s)", compact(r.Z))
		}
		rows = append(rows, row{text: "  " + st.Alert.Render(padRight(r.Code, 20)) + " " + st.Text.Render(r.Text) + st.Muted.Render(z),
			full: r.Code + ": " + r.Text + z, copy: []copyable{{"reason", r.Code + ": " + r.Text}}})
	}
	return rows
}

// endpointRows name the pods and addresses at each end.
func endpointRows(e engine.FlaggedEdge, st *Styles) []row {
	end := func(label, service string, pods, ips []string) row {
		text := "  " + st.Muted.Render(padRight(label, 5)) + st.Text.Render(orService(pods, service)) + " " + st.Text.Render(strings.Join(ips, ", "))
		return row{text: text, copy: podCopies(orService(pods, service), ips)}
	}
	return []row{{skip: true}, {text: st.PaneTitle.Render("endpoints"), skip: true},
		end("from", e.Src, e.SrcPods, e.SrcIPs), end("to", e.Dst, e.DstPods, e.DstIPs)}
}

// filterRows show the Wireshark display filter of the edge's packets in
// the window.
func filterRows(sel engine.PacketSelection, window int, st *Styles) []row {
	if len(sel.A) == 0 || len(sel.B) == 0 {
		return nil
	}
	f := sel.WiresharkFilter()
	return []row{{skip: true},
		{text: st.PaneTitle.Render("Wireshark filter") + st.Muted.Render(fmt.Sprintf(" · window %d · x writes these packets to a pcapng file", window)), skip: true},
		{text: "  " + st.Accent.Render(f), full: f, copy: []copyable{{"Wireshark filter", f}}}}
}

// chartRows are the edge's bytes over every window, the cursor marked.
func (p *drillPane) chartRows() []row {
	st := p.sh.styles
	sd := p.sh.current()
	if sd == nil || len(sd.windows) == 0 {
		return nil
	}
	title := row{text: st.PaneTitle.Render("bytes over time") + st.Muted.Render(fmt.Sprintf(" · %s windows · max per column", fmtSize(sd.size))), skip: true}
	if p.bytes == nil {
		return []row{{skip: true}, title, {text: st.Muted.Render("  reading the windows…"), skip: true}}
	}
	vals := p.bytes
	g := geometry(len(vals), max(p.list.width-1-plotLeft-1, 1))
	buckets, _ := bucketMax(g, func(i int) float64 { return vals[i] })
	pr, ok := drawPlot(plotSpec{values: buckets, cols: g.columns(), height: 6, threshold: math.NaN(), label: axisBytes})
	if !ok {
		return []row{{skip: true}, title, {text: st.Muted.Render("  no bytes on this edge in any window"), skip: true}}
	}
	rows := []row{{skip: true}, title}
	cur := min(p.sh.cursor(), len(vals)-1)
	for _, l := range stylePlot(pr, g.colOf(g.bucketOf(cur)), st) {
		rows = append(rows, row{text: l, skip: true})
	}
	caret := strings.Repeat(" ", plotLeft+g.colOf(g.bucketOf(cur))) + st.Cursor.Render("^") + st.Muted.Render(fmt.Sprintf(" window %d", cur))
	return append(rows, row{text: st.Muted.Render(padLeft("cursor", plotLeft-1)) + caret[plotLeft-1:], skip: true})
}

// orService lists xs, or names the service when there is nothing to list
// (outside has no pods).
func orService(xs []string, service string) string {
	if len(xs) == 0 {
		return service
	}
	return strings.Join(xs, ", ")
}
