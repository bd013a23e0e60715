package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// closeMsg asks the root to pop the overlay on top of the mode stack.
type closeMsg struct{}

// popupPane shows one line, cell or value in full, word-wrapped to the
// width, so nothing cut off on screen is out of reach; it scrolls, and y
// copies what it shows.
type popupPane struct {
	sh    *shared
	title string
	text  string
	copy  []copyable
	list  listView
	whole bool // covers the chart too
}

func (p *popupPane) fullScreen() bool { return p.whole }

func newPopupPane(sh *shared, title, text string, copies []copyable) *popupPane {
	p := &popupPane{sh: sh, title: title, text: text, copy: copies, list: newListView(sh)}
	p.list.focused = true
	return p
}

func (p *popupPane) SetSize(w, h int) {
	p.list.SetSize(w, h-1)
	var rows []row
	for _, para := range strings.Split(p.text, "\n") {
		wrapped := ansi.Wrap(para, max(w-2, 10), " ,;/")
		for _, l := range strings.Split(wrapped, "\n") {
			rows = append(rows, row{text: p.sh.styles.Text.Render(l), full: p.text, copy: p.copy})
		}
	}
	p.list.setRows(rows, true)
}

func (p *popupPane) Keys() []key.Binding {
	k := p.sh.keys
	return []key.Binding{k.Up, k.Down, k.Copy, relabel(closeKeys(k), "esc/space", "close")}
}

// closeKeys are the keys that close a popup or a menu.
func closeKeys(k *KeyMap) key.Binding {
	return key.NewBinding(key.WithKeys(append(append(k.Back.Keys(), k.Full.Keys()...), k.Enter.Keys()...)...))
}

func (p *popupPane) Update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(msg, closeKeys(p.sh.keys)):
			return p.sh.post(closeMsg{})
		case key.Matches(msg, p.sh.keys.Copy):
			return p.sh.post(copyRequestMsg{p.copy})
		}
	}
	p.list.scroll(msg)
	return nil
}

func (p *popupPane) View() string {
	st := p.sh.styles
	head := st.Focused.Render(p.title) + st.Muted.Render(" · in full · esc closes · y copies")
	return truncateStyled(head, p.list.width) + "\n" + p.list.View()
}

// copyMenu asks which of several values y copies: the pod, its address,
// the edge, the time range…
type copyMenu struct {
	sh      *shared
	choices []copyable
	list    listView
}

func newCopyMenu(sh *shared, choices []copyable) *copyMenu {
	c := &copyMenu{sh: sh, choices: choices, list: newListView(sh)}
	c.list.focused = true
	rows := make([]row, len(choices))
	labelW := 0
	for _, ch := range choices {
		labelW = max(labelW, ansiWidth(ch.what)+2)
	}
	for i, ch := range choices {
		rows[i] = row{text: sh.styles.Accent.Render(fmt.Sprintf("%d ", i+1)) + sh.styles.Muted.Render(padRight(ch.what, labelW)) +
			sh.styles.Text.Render(ch.value), full: ch.value, value: i}
	}
	c.list.setRows(rows, false)
	return c
}

func (c *copyMenu) SetSize(w, h int) { c.list.SetSize(w, h-1) }

func (c *copyMenu) Keys() []key.Binding {
	k := c.sh.keys
	return []key.Binding{k.Up, k.Down, relabel(k.Digits, "1-9/⏎", "copy it"), relabel(k.Back, "esc", "cancel")}
}

// copyChosenMsg carries the value chosen in the copy menu, which it
// closes.
type copyChosenMsg struct{ c copyable }

func (c *copyMenu) Update(msg tea.Msg) tea.Cmd {
	k := c.sh.keys
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(msg, k.Back):
			return c.sh.post(closeMsg{})
		case key.Matches(msg, k.Enter):
			if r, ok := c.list.selected(); ok {
				return c.chosen(r.value.(int))
			}
			return nil
		case key.Matches(msg, k.Digits):
			if i := int(msg.String()[0]-'0') - 1; i >= 0 && i < len(c.choices) {
				return c.chosen(i)
			}
			return nil
		}
	}
	c.list.scroll(msg)
	return nil
}

func (c *copyMenu) chosen(i int) tea.Cmd {
	return c.sh.post(copyChosenMsg{c.choices[i]})
}

func (c *copyMenu) View() string {
	st := c.sh.styles
	return truncateStyled(st.Focused.Render("copy")+st.Muted.Render(" · which one? 1-9 or ⏎ · esc cancels"), c.list.width) +
		"\n" + c.list.View()
}

// The popup and the copy menu are modal: they take no key but their own.
func (p *popupPane) modal() bool { return true }
func (c *copyMenu) modal() bool  { return true }
