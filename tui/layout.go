package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// layout is where everything goes on the screen.
type layout struct {
	width, height int
	wide          bool
	chartY        int // screen row of the chart's first line
	chartH        int
	lowerY        int // screen row of the lower panes
	lowerH        int
	detailW       int // width of the left column (wide layout)
	edgesH        int // height of the flagged edges (wide layout)
	key           layoutKey
}

// layoutKey is what the sizes depend on.
type layoutKey struct{ w, h, header, status, footer, overlays int }

// Smallest usable terminal.
const (
	minWidth  = 40
	minHeight = 12
)

// fullScreen overlays cover the chart too (help).
type fullScreen interface{ fullScreen() bool }

// layout sizes the components from the terminal size and the measured
// heights of the header, the status line and the footer.
func (m *Model) layout() {
	l := &m.lay
	w, h := max(l.width, minWidth), max(l.height, minHeight)
	m.header.SetSize(w, 0)
	m.prompt.SetSize(w, 1)
	m.footer.SetWidth(w)
	hh := lipgloss.Height(m.header.View())
	hs := lipgloss.Height(m.statusView())
	hf := lipgloss.Height(m.footerView())
	// Components are resized only when a measure changed: resizing drops
	// their caches.
	k := layoutKey{w, h, hh, hs, hf, len(m.overlays)}
	if k == l.key {
		return
	}
	l.key = k
	body := max(h-hh-hs-hf, 2)
	// Half the body for the chart (7 to 24 lines), at least 6 lines for
	// the panes below when the terminal is small.
	chartH := min(max(body/2, 7), 24)
	if body-chartH < 6 {
		chartH = max(body-6, min(body, 5))
	}
	l.lowerH = max(body-chartH, 0)
	l.chartY, l.chartH, l.lowerY = hh, chartH, hh+chartH
	m.chart.SetSize(w, chartH)
	for _, o := range m.overlays {
		if f, ok := o.(fullScreen); ok && f.fullScreen() {
			o.SetSize(w, body)
		} else {
			o.SetSize(w, l.lowerH)
		}
	}
	// Wide: the detail on the left, the flagged edges over the graph on
	// the right. Narrow: one pane at a time, tab switches.
	l.wide = w >= 110
	if l.wide {
		l.detailW = w * 45 / 100
		l.edgesH = l.lowerH / 2
		m.detail.SetSize(l.detailW, l.lowerH)
		m.edges.SetSize(w-l.detailW-1, l.edgesH)
		m.graph.SetSize(w-l.detailW-1, l.lowerH-l.edgesH)
		return
	}
	l.detailW, l.edgesH = w, l.lowerH
	for _, p := range m.panes() {
		p.SetSize(w, l.lowerH)
	}
}

// statusLines is how many lines a message above the footer may take; i
// shows it whole.
const statusLines = 2

// statusView is the lines above the footer: a prompt, the window number
// being typed, or the last message, wrapped.
func (m *Model) statusView() string {
	st := m.sh.styles
	w := m.lay.width
	switch {
	case m.prompt.active():
		return m.prompt.View()
	case m.sh.nav.Digits != "":
		return truncateStyled(st.Accent.Render("go to window "+m.sh.nav.Digits+"▏")+st.Muted.Render("  ⏎ jump · esc cancel"), w)
	case m.status != "":
		style, text := st.OK, m.status
		if !m.statusOK {
			style, text = st.Warning, "! "+m.status
		}
		lines := wrapLines(text, w, statusLines)
		for i, l := range lines {
			lines[i] = style.Render(l)
		}
		return strings.Join(lines, "\n")
	}
	return ""
}

const nbHyphen = "\u2011"

// wrapLines word-wraps plain text to width in at most n lines, the last
// cut with … when more would follow.
func wrapLines(text string, width, n int) []string {
	width = max(width, 1)
	// ansi.Wrap also breaks after hyphens, which would split a flag
	// (--model) or a file name: they wrap as non-breaking ones.
	text = strings.ReplaceAll(text, "-", nbHyphen)
	lines := strings.Split(ansi.Wrap(text, width, " /"), "\n")
	for i, l := range lines {
		lines[i] = strings.ReplaceAll(strings.TrimRight(l, " "), nbHyphen, "-")
	}
	if len(lines) > n {
		rest := strings.Join(lines[n-1:], " ")
		lines = append(lines[:n-1], ansi.Truncate(rest, width, "…"))
	}
	return lines
}

// footerView is the short help of what has the keyboard: the top of the
// mode stack.
func (m *Model) footerView() string {
	var bindings []key.Binding
	ls, cs := m.layers()
	top := len(ls) - 1
	switch {
	case ls[top].kind == layerPrompt || ls[top].kind == layerFilter || ls[top].modal:
		bindings = cs[top].Keys()
	case ls[top].kind == layerOverlay:
		bindings = cs[top].Keys()
		if h, ok := cs[top].(interface{ hints() []key.Binding }); ok {
			bindings = withGlobal(bindings, h.hints())
		}
		bindings = withGlobal(bindings, []key.Binding{m.keys.Prev, m.keys.Next, m.keys.Help, m.keys.Quit})
	default:
		bindings = withGlobal(m.keys.ShortHelp(), cs[top].Keys())
	}
	// bubbles/help does not cut the line when even its ellipsis would
	// overflow: cut it here.
	return truncateStyled(m.footer.ShortHelpView(bindings), m.lay.width)
}

// withGlobal appends the bindings of more whose keys are not shown yet.
func withGlobal(first, more []key.Binding) []key.Binding {
	seen := map[string]bool{}
	for _, b := range first {
		seen[b.Help().Key] = true
	}
	out := first
	for _, b := range more {
		if !seen[b.Help().Key] {
			out = append(out, b)
		}
	}
	return out
}

// block fits s into exactly w×h cells.
func block(s string, w, h int) string {
	if h <= 0 {
		return ""
	}
	w = max(w, 0)
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = padRight(truncateStyled(l, w), w)
	}
	return strings.Join(lines, "\n")
}

func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "mimir-tui"
	return v
}

// render draws the whole screen.
func (m *Model) render() string {
	l := &m.lay
	if m.Err() != nil {
		return block(m.errorView(), l.width, l.height)
	}
	if l.width < minWidth || l.height < minHeight {
		msg := fmt.Sprintf("mimir-tui needs %d×%d; this terminal is %d×%d. Enlarge it, or q to quit.",
			minWidth, minHeight, l.width, l.height)
		return block(lipgloss.NewStyle().Width(max(l.width, 1)).Render(msg), l.width, l.height)
	}
	w := l.width
	lowerH := l.height - l.lowerY - lipgloss.Height(m.statusView()) - lipgloss.Height(m.footerView())
	parts := []string{m.header.View()}
	top := m.top()
	if f, ok := top.(fullScreen); ok && f.fullScreen() {
		parts = append(parts, block(top.View(), w, l.chartH+lowerH))
	} else {
		parts = append(parts, block(m.chart.View(), w, l.chartH))
		if lowerH > 0 {
			parts = append(parts, m.lowerView(w, lowerH))
		}
	}
	status := m.statusView()
	parts = append(parts, block(status, w, lipgloss.Height(status)), m.footerView())
	return strings.Join(parts, "\n")
}

// lowerView draws the lower area: the overlay on top, or the panes.
func (m *Model) lowerView(w, h int) string {
	l := &m.lay
	switch {
	case m.top() != nil:
		return block(m.top().View(), w, h)
	case l.wide:
		sep := strings.TrimSuffix(strings.Repeat(m.sh.styles.Border.Render("│")+"\n", h), "\n")
		rw := w - l.detailW - 1
		right := block(m.edges.View(), rw, l.edgesH) + "\n" + block(m.graph.View(), rw, h-l.edgesH)
		return lipgloss.JoinHorizontal(lipgloss.Top, block(m.detail.View(), l.detailW, h), sep, right)
	}
	return block(m.focused().View(), w, h)
}

// errorView replaces the screen when the analysis failed: the error, what
// to do, and how to leave.
func (m *Model) errorView() string {
	st := m.sh.styles
	w := max(m.lay.width-4, 20)
	msg := lipgloss.NewStyle().Width(w).Render(m.Err().Error())
	lines := []string{
		st.Title.Render("mimir-tui") + " " + st.Muted.Render(m.header.title),
		"",
		st.Alert.Render("The analysis could not run:"),
		"",
		st.Text.Render(msg),
		"",
		st.Muted.Render(lipgloss.NewStyle().Width(w).Render(
			"The message above names the input at fault and what to change. Fix it and start mimir-tui again; " +
				"`mimir-tui check CAPTURE ENTITIES` reports on the inputs without the explorer.")),
		"",
		st.Accent.Render("q to quit"),
	}
	return lipgloss.NewStyle().Padding(1, 2).Render(strings.Join(lines, "\n"))
}
