package tui

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/mimir-tui/mimir-tui/loaders/units"

	"charm.land/bubbles/v2/key"
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

// sortNames are the sort orders as the README's key table names them.
var sortNames = [...]string{"weight", "bytes", "baseline", "name"}

func (s sortColumn) String() string {
	return [...]string{"weight ↓", "bytes ↓", "baseline ↓", "name a-z"}[s]
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
// their reasons and numbers; s cycles the sort column, F filters, enter
// opens an edge, space shows a row in full.
type edgesPane struct {
	sh        *shared
	sortBy    sortColumn
	filter    textinput.Model
	filtering bool
	list      listView
	total     int // flagged edges before filtering
	key       edgesKey
	lastW     *engine.WindowResult
	width     int
	height    int
}

func newEdgesPane(sh *shared) *edgesPane {
	p := &edgesPane{sh: sh, list: newListView(sh)}
	p.filter = textinput.New()
	p.filter.Prompt = "F "
	p.filter.Placeholder = "filter edges, reasons, pods, IPs"
	p.restyle()
	return p
}

func (p *edgesPane) restyle() {
	p.filter.SetStyles(p.sh.styles.Input)
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
	p.list.SetSize(p.width, max(h, 2))
}

func (p *edgesPane) Keys() []key.Binding {
	k := p.sh.keys
	if p.filtering {
		return []key.Binding{bind([]string{"enter"}, "⏎", "keep filter"), bind([]string{"esc"}, "esc", "clear filter")}
	}
	// Only the keys that do something: no row, nothing to open or sort;
	// no flagged edge, nothing to filter.
	var keys []key.Binding
	if p.list.len() > 0 {
		keys = append(keys, k.Up, k.Down, relabel(k.Enter, "⏎", "open edge"), k.Full, k.Sort)
	}
	if p.total > 0 {
		keys = append(keys, k.Filter)
	}
	if p.filter.Value() != "" {
		keys = append(keys, relabel(k.Back, "esc", "clear filter"))
	}
	return keys
}

func (p *edgesPane) Update(msg tea.Msg) tea.Cmd {
	if p.filtering {
		return p.typeFilter(msg)
	}
	k := p.sh.keys
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(msg, k.Sort):
			p.sortBy = (p.sortBy + 1) % numSortColumns
			p.sync()
		case key.Matches(msg, k.Filter):
			p.filtering = true
			p.layout()
			return p.filter.Focus()
		case key.Matches(msg, k.Enter):
			if e, ok := p.selected(); ok {
				return p.sh.post(openEdgeMsg{edge: e})
			}
		case key.Matches(msg, k.Full):
			if r, ok := p.list.selected(); ok {
				return p.sh.post(openFullMsg{"flagged edge", r})
			}
		case key.Matches(msg, k.Back):
			p.setFilter("")
		default:
			p.list.scroll(msg)
		}
		return nil
	}
	p.list.scroll(msg)
	return nil
}

// typeFilter takes the keys while a filter is typed.
func (p *edgesPane) typeFilter(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		switch msg.String() {
		case "enter":
			p.filtering = false
			p.filter.Blur()
			p.layout()
			return nil
		case "esc":
			p.filtering = false
			p.filter.Blur()
			p.setFilter("")
			return nil
		}
	}
	var cmd tea.Cmd
	p.filter, cmd = p.filter.Update(msg)
	p.sync()
	return cmd
}

func (p *edgesPane) setFilter(v string) {
	p.filter.SetValue(v)
	p.layout()
	p.sync()
}

func (p *edgesPane) click(_, y int) tea.Cmd {
	y-- // title
	if p.filtering || p.filter.Value() != "" {
		y--
	}
	p.list.click(y)
	return nil
}

// selected is the edge under the cursor.
func (p *edgesPane) selected() (engine.FlaggedEdge, bool) {
	r, ok := p.list.selected()
	if !ok {
		return engine.FlaggedEdge{}, false
	}
	e, ok := r.value.(engine.FlaggedEdge)
	return e, ok
}

func (p *edgesPane) selection() selection {
	e, ok := p.selected()
	if !ok {
		return selection{}
	}
	return windowSelection(p.sh.window(), &e)
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
	k := edgesKey{w: w, alerts: p.alerting(), sort: p.sortBy, filter: p.filter.Value(), width: p.list.width, theme: p.sh.themeGen}
	if k == p.key {
		return
	}
	newWindow := w != p.lastW
	p.lastW, p.key, p.total = w, k, 0
	var rows []row
	if w != nil && k.alerts {
		p.total = len(w.Flagged)
		for _, e := range sortEdges(w.Flagged, p.sortBy) {
			if matchEdge(e, k.filter) {
				rows = append(rows, p.row(e))
			}
		}
	}
	p.list.header = []string{p.sh.styles.PaneTitle.Render(p.columns().line("edge", "bytes", "baseline", "weight", "reasons"))}
	p.list.setRows(rows, !newWindow)
}

// edgeColumns are the widths of the table's columns; the baseline column
// is dropped below 70 cells.
type edgeColumns struct{ edge, bytes, baseline, weight, reasons int }

func (p *edgesPane) columns() edgeColumns {
	w := p.list.width - 1
	c := edgeColumns{bytes: 9, weight: 6}
	if w >= 70 {
		c.baseline = 9
	}
	rest := max(w-c.bytes-c.baseline-c.weight-4, 12)
	c.edge = min(max(rest/2, 10), 28)
	c.reasons = max(rest-c.edge, 4)
	return c
}

// line lays out the cells of a row.
func (c edgeColumns) line(edge, bytes, baseline, weight, reasons string) string {
	s := fit(edge, c.edge) + " " + padLeft(bytes, c.bytes)
	if c.baseline > 0 {
		s += " " + padLeft(baseline, c.baseline)
	}
	return s + " " + padLeft(weight, c.weight) + "  " + reasons
}

func (p *edgesPane) row(e engine.FlaggedEdge) row {
	codes := make([]string, len(e.Reasons))
	for i, r := range e.Reasons {
		codes[i] = r.Code
	}
	name := export.EdgeName(e.Src, e.Dst)
	text := p.columns().line(name, units.Bytes(float64(e.Bytes)), units.Bytes(e.Baseline), compact(e.Weight), strings.Join(codes, ","))
	full := fmt.Sprintf("%s\n%s in %s · baseline median %s per window · weight %s\n", name,
		units.Bytes(float64(e.Bytes)), plural(int(e.Packets), "packet"), units.Bytes(e.Baseline), compact(e.Weight))
	for _, r := range e.Reasons {
		full += "\n" + r.Code + ": " + r.Text
	}
	return row{text: p.sh.styles.Text.Render(text), full: full, copy: edgeCopies(&e), value: e}
}

func (p *edgesPane) View() string {
	st := p.sh.styles
	w := p.sh.window()
	head := st.paneTitle("flagged edges", p.list.focused)
	var body string
	switch {
	case w == nil:
		body = st.Muted.Render("no window analysed yet")
	case p.key.alerts && p.sh.loading():
		body = st.Muted.Render("reading the window's details…")
	case !p.key.alerts && !w.Alertable() && !math.IsNaN(w.Score):
		body = st.Muted.Render(fmt.Sprintf("○ window %d: %s", w.Index, whyNoAlert(w))) + "\n" + st.Muted.Render("  n: next alert")
	case !p.key.alerts:
		body = st.OK.Render(fmt.Sprintf("○ window %d does not alert at threshold %s", w.Index, fmtScore(p.sh.threshold()))) +
			"\n" + st.Muted.Render(fmt.Sprintf("  score %s · n: next alert · -: lower the threshold", fmtScore(w.Score)))
	case p.total == 0:
		body = st.Muted.Render("the engine flagged no edge in this window")
	default:
		head += st.Muted.Render(fmt.Sprintf(" · window %d · %d of %d · sort %s", w.Index, p.list.len(), p.total, p.sortBy))
		body = p.list.View()
		if p.list.len() == 0 {
			body = st.Muted.Render("no edge matches the filter · esc clears it")
		}
	}
	parts := []string{truncateStyled(head, p.list.width)}
	if p.filtering {
		parts = append(parts, truncateStyled(p.filter.View(), p.list.width))
	} else if p.filter.Value() != "" {
		parts = append(parts, truncateStyled(st.Muted.Render("F "+p.filter.Value()+"  (F to edit, esc to clear)"), p.list.width))
	}
	parts = append(parts, body)
	return strings.Join(parts, "\n")
}
