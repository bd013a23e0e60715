package tui

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/mimir-tui/mimir-tui/loaders/units"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/table"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/export"
)

// sortColumn is what the flagged edges are sorted by.
type sortColumn int

const (
	sortWeight   sortColumn = iota // score contribution, largest first
	sortBytes                      // bytes in the window, largest first
	sortBaseline                   // baseline median bytes, largest first
	sortEdge                       // "src -> dst", alphabetical
	numSortColumns
)

func (s sortColumn) String() string {
	return [...]string{"weight ↓", "bytes ↓", "baseline ↓", "edge a-z"}[s]
}

// sortEdges orders edges by col; ties keep the engine's order (strongest
// first).
func sortEdges(edges []engine.FlaggedEdge, col sortColumn) []engine.FlaggedEdge {
	out := slices.Clone(edges)
	slices.SortStableFunc(out, func(a, b engine.FlaggedEdge) int {
		switch col {
		case sortBytes:
			return cmp.Compare(b.Bytes, a.Bytes)
		case sortBaseline:
			return cmp.Compare(b.Baseline, a.Baseline)
		case sortEdge:
			return cmp.Compare(export.EdgeName(a.Src, a.Dst), export.EdgeName(b.Src, b.Dst))
		}
		return cmp.Compare(b.Weight, a.Weight)
	})
	return out
}

// matchEdge reports whether e matches the filter text (case-insensitive,
// on the edge, its reasons, pods and addresses).
func matchEdge(e engine.FlaggedEdge, filter string) bool {
	f := strings.ToLower(strings.TrimSpace(filter))
	if f == "" {
		return true
	}
	hay := []string{export.EdgeName(e.Src, e.Dst)}
	for _, r := range e.Reasons {
		hay = append(hay, r.Code, r.Text)
	}
	hay = append(hay, e.SrcPods...)
	hay = append(hay, e.DstPods...)
	hay = append(hay, e.SrcIPs...)
	hay = append(hay, e.DstIPs...)
	for _, h := range hay {
		if strings.Contains(strings.ToLower(h), f) {
			return true
		}
	}
	return false
}

// openEdgeMsg asks the root to drill into an edge.
type openEdgeMsg struct{ edge engine.FlaggedEdge }

// edgesKey is what the rows depend on.
type edgesKey struct {
	w      *engine.WindowResult
	alerts bool
	sort   sortColumn
	filter string
	width  int
	theme  int
}

// edgesPane lists the cursor window's flagged edges when it alerts, with
// their reasons and numbers; s cycles the sort column, / filters, enter
// opens an edge.
type edgesPane struct {
	sh            *shared
	width, height int
	focused       bool
	sortBy        sortColumn
	filter        textinput.Model
	filtering     bool
	tbl           table.Model
	shown         []engine.FlaggedEdge // rows, in order
	total         int                  // flagged edges before filtering
	key           edgesKey
	lastW         *engine.WindowResult
}

func newEdgesPane(sh *shared) *edgesPane {
	p := &edgesPane{sh: sh}
	p.filter = textinput.New()
	p.filter.Prompt = "/ "
	p.filter.Placeholder = "filter edges, reasons, pods, IPs"
	p.tbl = table.New(table.WithFocused(true))
	p.restyle()
	return p
}

func (p *edgesPane) restyle() {
	p.filter.SetStyles(p.sh.styles.Input)
	p.tbl.SetStyles(p.sh.styles.Table)
	p.key = edgesKey{}
}

// capturing reports whether the pane wants every key (typing a filter).
func (p *edgesPane) capturing() bool { return p.filtering }

func (p *edgesPane) SetSize(w, h int) {
	p.width, p.height = w, h
	p.filter.SetWidth(max(w-4, 1))
	p.key = edgesKey{}
	p.layout()
}

func (p *edgesPane) layout() {
	h := p.height - 1 // title
	if p.filtering || p.filter.Value() != "" {
		h--
	}
	p.tbl.SetWidth(p.width)
	p.tbl.SetHeight(max(h, 2))
}

func (p *edgesPane) Keys() []key.Binding {
	k := p.sh.keys
	if p.filtering {
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("⏎", "keep filter")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		}
	}
	return []key.Binding{k.Up, k.Down, k.Sort, k.Filter, k.Enter}
}

func (p *edgesPane) Update(msg tea.Msg) (*edgesPane, tea.Cmd) {
	k := p.sh.keys
	if p.filtering {
		if msg, ok := msg.(tea.KeyPressMsg); ok {
			switch msg.String() {
			case "enter":
				p.filtering = false
				p.filter.Blur()
				p.layout()
				return p, nil
			case "esc":
				p.filtering = false
				p.filter.Blur()
				p.filter.SetValue("")
				p.layout()
				p.sync()
				return p, nil
			}
		}
		var cmd tea.Cmd
		p.filter, cmd = p.filter.Update(msg)
		p.sync()
		return p, cmd
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Up):
			p.tbl.MoveUp(1)
			p.marks()
		case key.Matches(msg, k.Down):
			p.tbl.MoveDown(1)
			p.marks()
		case key.Matches(msg, k.Sort):
			p.sortBy = (p.sortBy + 1) % numSortColumns
			p.sync()
		case key.Matches(msg, k.Filter):
			p.filtering = true
			p.layout()
			return p, p.filter.Focus()
		case key.Matches(msg, k.Enter):
			if e, ok := p.selected(); ok {
				return p, func() tea.Msg { return openEdgeMsg{edge: e} }
			}
		case key.Matches(msg, k.Back):
			if p.filter.Value() != "" {
				p.filter.SetValue("")
				p.layout()
				p.sync()
			}
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			p.tbl.MoveUp(1)
		case tea.MouseWheelDown:
			p.tbl.MoveDown(1)
		}
		p.marks()
	}
	return p, nil
}

// selected is the edge under the table cursor.
func (p *edgesPane) selected() (engine.FlaggedEdge, bool) {
	i := p.tbl.Cursor()
	if i < 0 || i >= len(p.shown) {
		return engine.FlaggedEdge{}, false
	}
	return p.shown[i], true
}

// alerting reports whether the cursor window alerts at the threshold.
func (p *edgesPane) alerting() bool {
	w := p.sh.window()
	return w != nil && w.Alert(p.sh.threshold())
}

// sync rebuilds the rows when the window, the alert state, the sort, the
// filter, the width or the theme changed.
func (p *edgesPane) sync() {
	w := p.sh.window()
	k := edgesKey{w: w, alerts: p.alerting(), sort: p.sortBy, filter: p.filter.Value(), width: p.width, theme: p.sh.themeGen}
	if k == p.key {
		return
	}
	newWindow := w != p.lastW
	p.lastW = w
	p.key = k
	p.shown = nil
	p.total = 0
	if w != nil && k.alerts {
		p.total = len(w.Flagged)
		for _, e := range sortEdges(w.Flagged, p.sortBy) {
			if matchEdge(e, k.filter) {
				p.shown = append(p.shown, e)
			}
		}
	}
	cur := p.tbl.Cursor()
	if newWindow {
		cur = 0
	}
	p.tbl.SetRows(nil)
	p.tbl.SetColumns(p.columns())
	p.tbl.SetRows(make([]table.Row, len(p.shown)))
	p.tbl.SetCursor(clampIndex(cur, len(p.shown)))
	p.marks()
}

// marks renders the rows with › on the selected one: the selection is
// shown by a glyph as well as by the selection colour.
func (p *edgesPane) marks() {
	cols := p.tbl.Columns()
	cur := p.tbl.Cursor()
	rows := make([]table.Row, len(p.shown))
	for i, e := range p.shown {
		mark := " "
		if i == cur {
			mark = "›"
		}
		rows[i] = p.row(mark, e, len(cols))
	}
	p.tbl.SetRows(rows)
}

// columns fit the pane: the baseline column is dropped below 70 cells.
func (p *edgesPane) columns() []table.Column {
	wide := p.width >= 70
	fixed := 1 + 9 + 6 // mark, bytes, weight
	n := 5
	if wide {
		fixed += 9
		n++
	}
	rest := max(p.width-fixed-2*n, 12)
	edgeW := min(max(rest/2, 10), 28)
	reasonW := max(rest-edgeW, 4)
	cols := []table.Column{{Title: " ", Width: 1}, {Title: "edge", Width: edgeW}, {Title: "bytes", Width: 9}}
	if wide {
		cols = append(cols, table.Column{Title: "baseline", Width: 9})
	}
	return append(cols, table.Column{Title: "weight", Width: 6}, table.Column{Title: "reasons", Width: reasonW})
}

func (p *edgesPane) row(mark string, e engine.FlaggedEdge, ncols int) table.Row {
	codes := make([]string, len(e.Reasons))
	for i, r := range e.Reasons {
		codes[i] = r.Code
	}
	r := table.Row{mark, export.EdgeName(e.Src, e.Dst), padLeft(units.Bytes(float64(e.Bytes)), 9)}
	if ncols == 6 {
		r = append(r, padLeft(units.Bytes(e.Baseline), 9))
	}
	return append(r, padLeft(compact(e.Weight), 6), strings.Join(codes, ","))
}

func (p *edgesPane) View() string {
	st := p.sh.styles
	w := p.sh.window()
	head := st.paneTitle("flagged edges", p.focused)
	var body string
	switch {
	case w == nil:
		body = st.Muted.Render("no window analysed yet")
	case p.key.alerts && p.sh.loading():
		body = st.Muted.Render("reading the window's details…")
	case !p.key.alerts && !w.Alertable() && !math.IsNaN(w.Score):
		body = st.Muted.Render(fmt.Sprintf("○ window %d: %s", w.Index, whyNoAlert(w))) +
			"\n" + st.Muted.Render("  n: next alert")
	case !p.key.alerts:
		body = st.OK.Render(fmt.Sprintf("○ window %d does not alert at threshold %s", w.Index, fmtScore(p.sh.threshold()))) +
			"\n" + st.Muted.Render(fmt.Sprintf("  score %s · n: next alert · -: lower the threshold", fmtScore(w.Score)))
	case p.total == 0:
		body = st.Muted.Render("the engine flagged no edge in this window")
	default:
		head += st.Muted.Render(fmt.Sprintf(" · window %d · %d of %d · sort %s", w.Index, len(p.shown), p.total, p.sortBy))
		body = p.tbl.View()
		if len(p.shown) == 0 {
			body = st.Muted.Render("no edge matches the filter · esc clears it")
		}
	}
	parts := []string{truncateStyled(head, p.width)}
	if p.filtering || p.filter.Value() != "" {
		if p.filtering {
			parts = append(parts, truncateStyled(p.filter.View(), p.width))
		} else {
			parts = append(parts, truncateStyled(st.Muted.Render("/ "+p.filter.Value()+"  (/ to edit, esc to clear)"), p.width))
		}
	}
	parts = append(parts, body)
	return strings.Join(parts, "\n")
}
