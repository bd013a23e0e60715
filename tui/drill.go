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

// closeDrillMsg asks the root to close the drill-down.
type closeDrillMsg struct{}

// drillKey is what the edge's byte series depends on.
type drillKey struct {
	sd      *seriesData
	version uint64
	src     string
	dst     string
}

// drillPane shows one flagged edge: its reasons with numbers, its pods and
// addresses, its baseline, and its bytes in every window of the current
// size (from WindowResult.Edges), as a chart with the cursor marked.
type drillPane struct {
	sh            *shared
	width, height int
	edge          engine.FlaggedEdge // as flagged where it was opened
	from          int                // the window it was opened from
	key           drillKey
	pending       drillKey  // being read
	bytes         []float64 // per window (key's); NaN for windows not analysed
}

func newDrillPane(sh *shared) *drillPane { return &drillPane{sh: sh} }

func (p *drillPane) open(e engine.FlaggedEdge, from int) {
	p.edge, p.from = e, from
	p.key, p.bytes = drillKey{}, nil
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

func (p *drillPane) SetSize(w, h int) { p.width, p.height = w, h }

func (p *drillPane) Keys() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the edges"))}
}

func (p *drillPane) Update(msg tea.Msg) (*drillPane, tea.Cmd) {
	if msg, ok := msg.(tea.KeyPressMsg); ok && (key.Matches(msg, p.sh.keys.Back) || key.Matches(msg, p.sh.keys.Enter)) {
		return p, func() tea.Msg { return closeDrillMsg{} }
	}
	return p, nil
}

// drillSeriesMsg brings an edge's bytes per window, read off the update
// loop from the detail store.
type drillSeriesMsg struct {
	key   drillKey
	bytes []float64
	err   error
}

// seriesCmd reads the edge's bytes in every window of the current size
// from the store, when they are not known for the data's version: a scan
// of the windows' service graphs, O(windows × edges), once per edge and
// version.
func (p *drillPane) seriesCmd() tea.Cmd {
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
	}
}

func (p *drillPane) View() string {
	st := p.sh.styles
	e, at, here := p.current()
	var lines []string
	add := func(s string) { lines = append(lines, truncateStyled(s, p.width)) }

	tags := ""
	if e.Src == "outside" || e.Dst == "outside" {
		tags += " " + st.Alert.Render("[OUT]")
	}
	for _, r := range e.Reasons {
		if r.Code == "new-pair" {
			tags += " " + st.Warning.Render("[NEW]")
		}
	}
	add(st.Focused.Render("edge "+export.EdgeName(e.Src, e.Dst)) + tags + st.Muted.Render("  · esc: back"))
	if w := p.sh.window(); !here && w != nil {
		var b uint64
		for _, x := range w.Edges {
			if x.Src == e.Src && x.Dst == e.Dst {
				b += x.Bytes
			}
		}
		add(st.OK.Render(fmt.Sprintf("window %d: %s on this edge, not flagged", w.Index, units.Bytes(float64(b)))) +
			st.Muted.Render(fmt.Sprintf(" · as flagged in window %d:", at)))
	}
	add(st.Text.Render(fmt.Sprintf("window %d: %s in %s packets", at, units.Bytes(float64(e.Bytes)), humanCount(e.Packets))) +
		st.Muted.Render(fmt.Sprintf(" · baseline median %s per window · weight %s", units.Bytes(e.Baseline), compact(e.Weight))))
	for _, r := range e.Reasons {
		z := ""
		if r.Z != 0 {
			z = fmt.Sprintf(" (z %s)", compact(r.Z))
		}
		add("  " + st.Alert.Render(padRight(r.Code, 20)) + " " + st.Text.Render(r.Text) + st.Muted.Render(z))
	}
	add(st.Muted.Render("from ") + st.Text.Render(orService(e.SrcPods, e.Src)) + st.Muted.Render(" ["+strings.Join(e.SrcIPs, ", ")+"]") +
		st.Muted.Render(" to ") + st.Text.Render(orService(e.DstPods, e.Dst)) + st.Muted.Render(" ["+strings.Join(e.DstIPs, ", ")+"]"))

	sd := p.sh.current()
	room := p.height - len(lines) - 2 // the chart's title and caret lines
	if sd != nil && len(sd.windows) > 0 && room >= 3 && p.bytes == nil {
		add(st.Muted.Render("bytes over time: reading the windows…"))
	} else if sd != nil && len(sd.windows) > 0 && room >= 3 {
		vals := p.bytes
		cols := max(p.width-plotLeft-1, 1)
		g := geometry(len(vals), cols)
		buckets, _ := bucketMax(g, func(i int) float64 { return vals[i] })
		add(st.PaneTitle.Render("bytes over time") + st.Muted.Render(fmt.Sprintf(" · %s windows · max per column", fmtSize(sd.size))))
		label := axisBytes
		if pr, ok := drawPlot(plotSpec{values: buckets, cpw: g.cpw, height: room, threshold: math.NaN(), label: label}); ok {
			cur := min(p.sh.cursor(), len(vals)-1)
			lines = append(lines, stylePlot(pr, g.colOf(g.bucketOf(cur)), st)...)
			caret := strings.Repeat(" ", plotLeft+g.colOf(g.bucketOf(cur))) + st.Cursor.Render("^") +
				st.Muted.Render(fmt.Sprintf(" window %d", cur))
			add(st.Muted.Render(padLeft("cursor", plotLeft-1)) + caret[plotLeft-1:])
		} else {
			add(st.Muted.Render("  no bytes on this edge in any window"))
		}
	}
	for len(lines) < p.height {
		lines = append(lines, "")
	}
	return strings.Join(lines[:max(p.height, 0)], "\n")
}

// orService lists xs, or names the service when there is nothing to list
// (outside has no pods).
func orService(xs []string, service string) string {
	if len(xs) == 0 {
		return "(" + service + ")"
	}
	return strings.Join(xs, ", ")
}
