package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// copyable is one thing y can put on the clipboard.
type copyable struct {
	what  string // "pod", "IP", "edge", "Wireshark filter", "time range"…
	value string
}

// row is one line of a list: what is drawn, what space shows in full,
// what y can copy, and the owner's payload.
type row struct {
	text  string // styled; cut to the width when drawn
	full  string // plain and whole, for the popup ("" = text without styles)
	copy  []copyable
	skip  bool // a heading or a blank line: the selection passes over it
	value any
}

// fullText is what space opens for the row.
func (r row) fullText() string {
	if r.full != "" {
		return r.full
	}
	return strings.TrimSpace(ansi.Strip(r.text))
}

// cut reports whether the row does not fit in width cells.
func (r row) cut(width int) bool { return ansi.StringWidth(r.text) > width }

// listView is a scrolling list of rows with a selection: every pane and
// list of the explorer draws its content with one, so every line can be
// selected (↑/↓, a click), opened in full (space) and copied (y). Only the
// visible rows are drawn, so a list of a million rows costs what a screen
// of them does.
type listView struct {
	sh            *shared
	rows          []row
	source        func(i int) row // instead of rows, for long lists (see setSource)
	count         int
	header        []string // fixed lines above the rows (column titles)
	sel, top      int
	width, height int
	focused       bool // draws the selection
}

func newListView(sh *shared) listView { return listView{sh: sh} }

func (l *listView) SetSize(w, h int) {
	l.width, l.height = w, h
	l.scrollTo()
}

// room is how many rows fit under the header.
func (l *listView) room() int { return max(l.height-len(l.header), 1) }

// setRows replaces the rows; the selection moves to the top unless keep.
// Kept, it stays on the same row — the nearest with the same text, as
// rows are redrawn for another width — on the same line of the screen.
func (l *listView) setRows(rows []row, keep bool) {
	was, ok := l.selected()
	sel := l.sel
	l.rows, l.source, l.count = rows, nil, len(rows)
	l.reset(keep)
	if keep && ok {
		if i, found := l.nearest(sel, was.fullText()); found {
			l.top = max(l.top+i-l.sel, 0)
			l.sel = i
			l.scrollTo()
		}
	}
}

// nearest is the selectable row showing text closest to row at.
func (l *listView) nearest(at int, text string) (int, bool) {
	for d := 0; d < l.count; d++ {
		for _, i := range []int{at - d, at + d} {
			if i >= 0 && i < l.count && !l.row(i).skip && l.row(i).fullText() == text {
				return i, true
			}
		}
	}
	return 0, false
}

// setSource makes the list n rows long, row i drawn by at(i) when it is
// in view: a list of a million matches builds only a screen of rows.
func (l *listView) setSource(n int, at func(i int) row, keep bool) {
	l.rows, l.source, l.count = nil, at, n
	l.reset(keep)
}

func (l *listView) reset(keep bool) {
	if !keep {
		l.sel, l.top = 0, 0
	}
	l.sel = clampIndex(l.sel, l.count)
	l.settle(1)
	l.scrollTo()
}

// row is row i.
func (l *listView) row(i int) row {
	if l.source != nil {
		return l.source(i)
	}
	return l.rows[i]
}

// len is the number of rows.
func (l *listView) len() int { return l.count }

// settle moves the selection off skipped rows, in direction dir first.
func (l *listView) settle(dir int) {
	for _, d := range []int{dir, -dir} {
		for i := l.sel; i >= 0 && i < l.count; i += d {
			if !l.row(i).skip {
				l.sel = i
				return
			}
		}
	}
}

// move moves the selection by d selectable rows.
func (l *listView) move(d int) {
	if l.count == 0 {
		return
	}
	step := 1
	if d < 0 {
		step, d = -1, -d
	}
	i := l.sel
	for ; d > 0; d-- {
		j := i + step
		for j >= 0 && j < l.count && l.row(j).skip {
			j += step
		}
		if j < 0 || j >= l.count {
			break
		}
		i = j
	}
	if i == l.sel {
		// Nothing selectable that way: scroll, so headings come in view.
		l.top = clampIndex(l.top+step, max(l.count-l.room()+1, 1))
		return
	}
	l.sel = i
	l.scrollTo()
}

// scrollTo keeps the selection in view.
func (l *listView) scrollTo() {
	room := l.room()
	switch {
	case l.sel < l.top:
		l.top = l.sel
	case l.sel >= l.top+room:
		l.top = l.sel - room + 1
	}
	l.top = max(min(l.top, l.count-room), 0)
}

// selected is the selected row.
func (l *listView) selected() (row, bool) {
	if l.sel < 0 || l.sel >= l.count || l.row(l.sel).skip {
		return row{}, false
	}
	return l.row(l.sel), true
}

// rowAt is the row drawn at line y of the list (header included).
func (l *listView) rowAt(y int) (int, bool) {
	i := l.top + y - len(l.header)
	if y < len(l.header) || i < 0 || i >= l.count || l.row(i).skip {
		return 0, false
	}
	return i, true
}

// click selects the row at line y.
func (l *listView) click(y int) bool {
	if i, ok := l.rowAt(y); ok {
		l.sel = i
		return true
	}
	return false
}

// scroll handles ↑/↓ and the wheel; it reports whether msg was one.
func (l *listView) scroll(msg tea.Msg) bool {
	k := l.sh.keys
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Up):
			l.move(-1)
		case key.Matches(msg, k.Down):
			l.move(1)
		default:
			return false
		}
		return true
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			l.move(-3)
		case tea.MouseWheelDown:
			l.move(3)
		default:
			return false
		}
		return true
	}
	return false
}

// atTop and atEnd say whether the list is scrolled to its ends.
func (l *listView) atTop() bool { return l.top == 0 }
func (l *listView) atEnd() bool { return l.top+l.room() >= l.count }

// View draws the header and the visible rows, each exactly one line cut
// to the width; the selected row is marked › (and styled) when focused.
func (l *listView) View() string {
	st := l.sh.styles
	lines := make([]string, 0, l.height)
	for _, h := range l.header {
		lines = append(lines, truncateStyled(" "+h, l.width))
	}
	for i := l.top; i < l.count && len(lines) < l.height; i++ {
		r := l.row(i)
		text := truncateStyled(r.text, l.width-1)
		if l.focused && i == l.sel && !r.skip {
			plainText := ansi.Strip(text)
			lines = append(lines, st.Accent.Render("›")+st.Selected.Render(padRight(plainText, l.width-1)))
			continue
		}
		lines = append(lines, " "+text)
	}
	return strings.Join(lines, "\n")
}

// overlayKeys handles the keys a list overlay shares: esc closes it, ⏎
// asks open for what to do with the selected row, space shows the row in
// full, ↑/↓ and the wheel move. It reports whether msg was one of them.
func (l *listView) overlayKeys(msg tea.Msg, title string, open func(row) tea.Msg) (tea.Cmd, bool) {
	k := l.sh.keys
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		r, sel := l.selected()
		switch {
		case key.Matches(msg, k.Back):
			return l.sh.post(closeMsg{}), true
		case key.Matches(msg, k.Enter) && sel:
			return l.sh.post(open(r)), true
		case key.Matches(msg, k.Full) && sel:
			return l.sh.post(openFullMsg{title, r}), true
		case key.Matches(msg, k.Enter, k.Full):
			return nil, true
		}
	}
	return nil, l.scroll(msg)
}
