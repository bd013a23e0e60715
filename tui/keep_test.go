package tui

import (
	"errors"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// downs is n presses of ↓.
func downs(n int) []string { return slices.Repeat([]string{"down"}, n) }

// TestSelectionSurvivesOverlays: a popup, the copy menu and a resize keep
// the selected row (and the scroll) of every list pane and of the
// drill-down; only a new window starts the list at the top.
func TestSelectionSurvivesOverlays(t *testing.T) {
	panes := []struct {
		name  string
		setup []string
		list  func(m *Model) *listView
	}{
		{"drill", append([]string{"n", "enter"}, downs(16)...), func(m *Model) *listView { return &m.top().(*drillPane).list }},
		{"detail", append([]string{"n", "tab", "tab"}, downs(6)...), func(m *Model) *listView { return &m.detail.list }},
		{"graph", append([]string{"n", "tab"}, downs(3)...), func(m *Model) *listView { return &m.graph.list }},
		{"pods", append([]string{"n", "p"}, downs(5)...), func(m *Model) *listView { return &m.graph.list }},
		{"edges", []string{"n", "down"}, func(m *Model) *listView { return &m.edges.list }},
		{"search", []string{"/", "text:10.244", "enter", "down", "down", "down"}, func(m *Model) *listView { return &m.top().(*searchPane).list }},
	}
	// moved: the rows are redrawn for another width, so the selected row
	// may be another line (the same text).
	interruptions := []struct {
		name  string
		do    func(m *Model)
		moved bool
	}{
		{"popup", func(m *Model) { keys(m, "space", "esc") }, false},
		{"copy menu", func(m *Model) { keys(m, "y", "esc") }, false},
		{"copy", func(m *Model) { keys(m, "y", "1") }, false},
		{"resize and back", func(m *Model) { send(m, sizeMsg(130, 40)); send(m, sizeMsg(120, 40)) }, false},
		{"narrower", func(m *Model) { send(m, sizeMsg(100, 40)) }, true},
	}
	for _, p := range panes {
		for _, in := range interruptions {
			t.Run(p.name+"/"+in.name, func(t *testing.T) {
				m := newTestModel(t, 120, 40)
				feedRec(m, demo())
				keys(m, p.setup...)
				l := p.list(m)
				sel, top := l.sel, l.top
				r, ok := l.selected()
				if !ok || sel == 0 {
					t.Fatalf("the setup selected row %d (%v): nothing to keep", sel, ok)
				}
				in.do(m)
				l = p.list(m)
				after, _ := l.selected()
				if after.fullText() != r.fullText() || !in.moved && (l.sel != sel || l.top != top) {
					t.Errorf("selection %d (top %d) %q became %d (top %d) %q", sel, top, r.fullText(), l.sel, l.top, after.fullText())
				}
			})
		}
	}
}

// TestSelectionNewWindowStartsAtTop: moving to another window starts the
// detail's list at its top.
func TestSelectionNewWindowStartsAtTop(t *testing.T) {
	m := newTestModel(t, 120, 40)
	feedRec(m, demo())
	keys(m, "n", "tab", "tab", "down", "down", "right")
	if m.detail.list.sel != 0 {
		t.Errorf("window %d opened on row %d", m.sh.cursor(), m.detail.list.sel)
	}
}

// TestSearchClickUnderWarnings: with warnings over the search results (an
// index that stopped taking names, a read that failed), a click on a row
// selects that row, not one two lines further.
func TestSearchClickUnderWarnings(t *testing.T) {
	m := newTestModel(t, 120, 40)
	feedRec(m, demo())
	keys(m, "/", "text:10.244", "enter")
	p := m.top().(*searchPane)
	m.sh.search.full = m.sh.data.inputs.Start
	p.err = errors.New("reading the windows' details: disk full")
	plain(m) // draws the warnings
	// The title, two warnings, the column titles, then the rows: the
	// third row is 1 + 2 + 1 + 2 lines down.
	send(m, tea.MouseClickMsg{X: 10, Y: m.lay.lowerY + 6, Button: tea.MouseLeft})
	if p.list.sel != 2 {
		t.Errorf("the click on the third row selected row %d", p.list.sel)
	}
	if line := strings.Split(plain(m), "\n")[m.lay.lowerY+6]; !strings.HasPrefix(line, "›") {
		t.Errorf("the clicked line is not the selected one: %q", line)
	}
}
