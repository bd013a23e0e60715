package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/mimir-tui/mimir-tui/engine"
)

// pickFeatureMsg reports the chosen feature (-1: cancelled).
type pickFeatureMsg struct{ feature int }

// pickerPane chooses a feature to chart: typing filters the list by name,
// family and description; ↑/↓ move, enter picks, esc cancels.
type pickerPane struct {
	sh            *shared
	width, height int
	input         textinput.Model
	features      []engine.FeatureInfo
	matches       []int // indices into features
	sel           int
}

func newPickerPane(sh *shared) *pickerPane {
	in := textinput.New()
	in.Prompt = "feature: "
	in.Placeholder = "type to filter"
	in.SetStyles(sh.styles.Input)
	return &pickerPane{sh: sh, input: in}
}

func (p *pickerPane) restyle() { p.input.SetStyles(p.sh.styles.Input) }

// typing: the picker takes every key (its filter is typed).
func (p *pickerPane) typing() bool { return true }

// open starts picking among features, with the current one selected.
func (p *pickerPane) open(features []engine.FeatureInfo, current int) tea.Cmd {
	p.features = features
	p.input.SetValue("")
	p.filter()
	p.sel = 0
	for i, f := range p.matches {
		if f == current {
			p.sel = i
		}
	}
	return p.input.Focus()
}

func (p *pickerPane) SetSize(w, h int) {
	p.width, p.height = w, h
	p.input.SetWidth(max(w-12, 1))
}

func (p *pickerPane) Keys() []key.Binding {
	k := p.sh.keys
	return []key.Binding{
		key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "choose")),
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("⏎", "chart it")),
		k.Back,
	}
}

func (p *pickerPane) filter() {
	f := strings.ToLower(strings.TrimSpace(p.input.Value()))
	p.matches = p.matches[:0]
	for i, ft := range p.features {
		if f == "" || strings.Contains(strings.ToLower(ft.Name+" "+ft.Family+" "+ft.Description), f) {
			p.matches = append(p.matches, i)
		}
	}
	p.sel = clampIndex(p.sel, len(p.matches))
}

func (p *pickerPane) Update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		switch msg.String() {
		case "esc":
			p.input.Blur()
			return p.sh.post(pickFeatureMsg{feature: -1})
		case "enter":
			p.input.Blur()
			if len(p.matches) == 0 {
				return p.sh.post(pickFeatureMsg{feature: -1})
			}
			f := p.matches[p.sel]
			return p.sh.post(pickFeatureMsg{feature: f})
		case "up", "ctrl+p":
			p.sel = clampIndex(p.sel-1, len(p.matches))
			return nil
		case "down", "ctrl+n":
			p.sel = clampIndex(p.sel+1, len(p.matches))
			return nil
		}
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	p.filter()
	return cmd
}

func (p *pickerPane) View() string {
	st := p.sh.styles
	lines := []string{
		truncateStyled(st.Focused.Render("chart a feature")+st.Muted.Render(fmt.Sprintf(" · %d of %d", len(p.matches), len(p.features))), p.width),
		truncateStyled(p.input.View(), p.width),
	}
	rows := max(p.height-len(lines), 1)
	// Keep the selection in view.
	first := max(0, min(p.sel-rows/2, len(p.matches)-rows))
	for i := first; i < len(p.matches) && len(lines) < p.height; i++ {
		f := p.features[p.matches[i]]
		mark, name := "  ", st.Text
		if i == p.sel {
			mark, name = "› ", st.Selected
		}
		lines = append(lines, truncateStyled(mark+name.Render(f.Name)+st.Muted.Render("  "+f.Description), p.width))
	}
	if len(p.matches) == 0 {
		lines = append(lines, st.Muted.Render("  no feature matches"))
	}
	return strings.Join(lines, "\n")
}
