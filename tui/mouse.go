package tui

import (
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// clicker is a component that selects what is clicked; x and y are
// relative to its top-left corner.
type clicker interface{ click(x, y int) tea.Cmd }

// paneAt is the lower pane at a screen position and its top-left corner.
func (m *Model) paneAt(x, y int) (pane, int, int) {
	l := &m.lay
	switch {
	case !l.wide:
		return m.focus, 0, l.lowerY
	case x < l.detailW:
		return paneDetail, 0, l.lowerY
	case y < l.lowerY+l.edgesH:
		return paneEdges, l.detailW + 1, l.lowerY
	}
	return paneGraph, l.detailW + 1, l.lowerY + l.edgesH
}

// inChart reports whether a screen row is the chart's.
func (m *Model) inChart(y int) bool {
	f, ok := m.top().(fullScreen)
	full := ok && f.fullScreen()
	return !full && y >= m.lay.chartY && y < m.lay.chartY+m.lay.chartH
}

// click moves the cursor to the clicked chart column, or selects the
// clicked row of the overlay or pane (focusing that pane).
func (m *Model) click(msg tea.MouseClickMsg) tea.Cmd {
	mouse := msg.Mouse()
	if msg.Button != tea.MouseLeft || m.Err() != nil {
		return nil
	}
	if m.inChart(mouse.Y) {
		if i, ok := m.chart.windowAt(mouse.X, mouse.Y-m.lay.chartY); ok {
			m.navigate(Op{Action: ActGoto, Arg: i})
		}
		return nil
	}
	statusH := lipgloss.Height(m.statusView())
	statusY := m.lay.height - lipgloss.Height(m.footerView()) - statusH
	if !m.prompt.active() && (mouse.Y < m.lay.chartY || mouse.Y >= statusY && mouse.Y < statusY+statusH) {
		// The header or the message: in full.
		m.openInfo()
		return nil
	}
	if mouse.Y < m.lay.lowerY {
		return nil
	}
	if t := m.top(); t != nil {
		if c, ok := t.(clicker); ok {
			return c.click(mouse.X, mouse.Y-m.lay.lowerY)
		}
		return nil
	}
	p, x0, y0 := m.paneAt(mouse.X, mouse.Y)
	m.setFocus(p)
	if c, ok := m.focused().(clicker); ok {
		return c.click(mouse.X-x0, mouse.Y-y0)
	}
	return nil
}

// wheel scrolls the timeline over the chart, the overlay or the pane under
// it elsewhere.
func (m *Model) wheel(msg tea.MouseWheelMsg) tea.Cmd {
	mouse := msg.Mouse()
	if m.inChart(mouse.Y) {
		switch msg.Button {
		case tea.MouseWheelUp, tea.MouseWheelLeft:
			m.navigate(Op{Action: ActPrev})
		case tea.MouseWheelDown, tea.MouseWheelRight:
			m.navigate(Op{Action: ActNext})
		}
		return nil
	}
	if t := m.top(); t != nil {
		return t.Update(msg)
	}
	if mouse.Y < m.lay.lowerY {
		return nil
	}
	p, _, _ := m.paneAt(mouse.X, mouse.Y)
	return m.panes()[p].Update(msg)
}
