package tui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// helpGroups names the columns of KeyMap.FullHelp.
var helpGroups = []string{"timeline", "chart and threshold", "investigation", "panes and lists", "application"}

// helpPane is the ? overlay: every key binding of the key map, rendered by
// bubbles/help in titled columns that wrap to the width, and notes on
// reading the screen. It scrolls.
type helpPane struct {
	sh            *shared
	width, height int
	help          help.Model
	vp            viewport.Model
	key           [3]int // width, height, theme of the content
}

func newHelpPane(sh *shared) *helpPane {
	h := help.New()
	h.ShowAll = true
	h.Styles = sh.styles.Help
	vp := viewport.New()
	vp.MouseWheelEnabled = false
	vp.FillHeight = true
	return &helpPane{sh: sh, help: h, vp: vp}
}

func (p *helpPane) restyle() { p.help.Styles = p.sh.styles.Help; p.key = [3]int{} }

// The help covers the whole screen below the header and takes no key but
// its own (and q).
func (p *helpPane) fullScreen() bool { return true }
func (p *helpPane) modal() bool      { return true }

func (p *helpPane) SetSize(w, h int) {
	p.width, p.height = w, h
	p.vp.SetWidth(w)
	p.vp.SetHeight(max(h-1, 1))
}

func (p *helpPane) Keys() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("?", "esc"), key.WithHelp("?/esc", "close help")),
		key.NewBinding(key.WithKeys("up", "k", "down", "j"), key.WithHelp("↑/↓", "scroll")),
	}
}

func (p *helpPane) Update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(tea.KeyPressMsg); ok && (key.Matches(msg, p.sh.keys.Help) || key.Matches(msg, p.sh.keys.Back)) {
		return p.sh.post(closeMsg{})
	}
	scroll(&p.vp, p.sh.keys, msg)
	return nil
}

// scroll moves a viewport with the key map's up/down and the mouse wheel.
func scroll(vp *viewport.Model, k *KeyMap, msg tea.Msg) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Up):
			vp.ScrollUp(1)
		case key.Matches(msg, k.Down):
			vp.ScrollDown(1)
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			vp.ScrollUp(3)
		case tea.MouseWheelDown:
			vp.ScrollDown(3)
		}
	}
}

// columns renders each group of the full help under its title and flows
// the columns into rows that fit the width.
func (p *helpPane) columns() string {
	st := p.sh.styles
	var cols []string
	for i, group := range p.sh.keys.FullHelp() {
		col := p.help.FullHelpView([][]key.Binding{group})
		cols = append(cols, st.PaneTitle.Render(helpGroups[i])+"\n"+col)
	}
	var rows []string
	var row []string
	w := 0
	for _, c := range cols {
		cw := lipgloss.Width(c) + 4
		if len(row) > 0 && w+cw > p.width {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, w = nil, 0
		}
		row = append(row, lipgloss.NewStyle().PaddingRight(4).Render(c))
		w += cw
	}
	if len(row) > 0 {
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	return strings.Join(rows, "\n\n")
}

func (p *helpPane) View() string {
	st := p.sh.styles
	if k := [3]int{p.width, p.height, p.sh.themeGen}; k != p.key {
		p.key = k
		notes := []string{
			"chart: the threshold is the dashed line ┄; rows above it are alerts. Long captures are downsampled " +
				"to the width: each column shows the maximum of its windows, so no peak hides.",
			"strips under the chart: alerts ▲ alerting · △ a partial window alerting · ░ baseline · ◌ a partial " +
				"window (the capture ends inside it; also in the alerts list) · · analysed; changes + pods or services added · " +
				"− deleted · ± both · ↻ an address reused; learned ◇ pairs of a new workload learned into the baseline " +
				"instead of alarmed; search ◆ a match; ^ the cursor.",
			"detail: [baseline ░] a window of the baseline (assumed benign, never alerts); [partial 40%] the capture " +
				"ends inside the window, which covers that much of it; \"new service pair\" a pair the baseline never " +
				"saw talks in the window — the allow-list method, the simplest the model is compared with, alerts on it.",
			"a lists the flagged intervals (runs of alerting windows at this threshold and window size): ⏎ goes to " +
				"an interval's peak window, v gives it a verdict (confirmed, false positive, unsure, with a note) kept " +
				"beside the capture, x writes the packets of its top edge over the interval.",
			"/ searches every window for a service, pod, IP, port or DNS domain (pod:, ip:, port:, svc:, dns: say " +
				"which); ] and [ step through the matches; / then ⏎ on nothing clears it.",
			"every line can be selected (↑/↓, a click): space opens it in full, y copies one of its values " +
				"(OSC 52). ⏎ on a flagged edge opens its flows, evidence and Wireshark filter. i shows the header " +
				"and the last message whole.",
			"edges: [NEW] a pair never seen in the baseline, [OUT] to or from outside. p shows the pods with their " +
				"addresses instead of the services.",
			"a page (⇧←/⇧→, pgup/pgdn) is ten chart columns. +/- step: a fiftieth of the score range, rounded to " +
				"1, 2 or 5 × 10ⁿ. n/N go to the start of the next/previous run of alerting windows. w keeps the moment.",
			"e writes the flagged intervals with their verdicts to .json or .csv, asking before it overwrites; x " +
				"writes pcapng and never overwrites.",
		}
		content := []string{p.columns(), "", st.PaneTitle.Render("reading the screen")}
		for _, n := range notes {
			content = append(content, st.Muted.Render(lipgloss.NewStyle().Width(max(p.width-2, 10)).Render(n)))
		}
		p.vp.SetContent(strings.Join(content, "\n"))
	}
	return st.Focused.Render("keys") + st.Muted.Render(" · ?/esc to close · ↑/↓ to scroll") + "\n" + p.vp.View()
}
