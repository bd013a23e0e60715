package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// promptKind says what a prompt asks for.
type promptKind int

const (
	promptThreshold promptKind = iota + 1 // t: a threshold value
	promptExport                          // e: the export path
	promptOverwrite                       // the export path exists: overwrite?
)

// promptDoneMsg carries a prompt's answer.
type promptDoneMsg struct {
	kind   promptKind
	value  string
	cancel bool
}

// promptPane is a one-line question above the footer: a text input, or a
// yes/no confirmation.
type promptPane struct {
	sh       *shared
	width    int
	kind     promptKind
	question string // for confirmations
	input    textinput.Model
}

func newPromptPane(sh *shared) *promptPane {
	in := textinput.New()
	in.SetStyles(sh.styles.Input)
	return &promptPane{sh: sh, input: in}
}

func (p *promptPane) restyle() { p.input.SetStyles(p.sh.styles.Input) }

func (p *promptPane) active() bool { return p.kind != 0 }

// ask opens a text prompt with a default value.
func (p *promptPane) ask(kind promptKind, prompt, value string) tea.Cmd {
	p.kind = kind
	p.input.Prompt = prompt
	p.input.SetValue(value)
	p.input.CursorEnd()
	return p.input.Focus()
}

// confirm opens a yes/no question.
func (p *promptPane) confirm(kind promptKind, question, value string) {
	p.kind = kind
	p.question = question
	p.input.SetValue(value)
	p.input.Blur()
}

func (p *promptPane) SetSize(w, _ int) {
	p.width = w
	p.input.SetWidth(max(w-lenRunes(p.input.Prompt)-2, 1))
}

func lenRunes(s string) int { return len([]rune(s)) }

func (p *promptPane) Keys() []key.Binding {
	if p.kind == promptOverwrite {
		return []key.Binding{
			key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "overwrite")),
			key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "keep the file")),
		}
	}
	return []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("⏎", "ok")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

func (p *promptPane) close() { p.kind = 0; p.input.Blur() }

func (p *promptPane) Update(msg tea.Msg) (*promptPane, tea.Cmd) {
	kind := p.kind
	done := func(value string, cancel bool) tea.Cmd {
		p.close()
		return func() tea.Msg { return promptDoneMsg{kind: kind, value: value, cancel: cancel} }
	}
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		if kind == promptOverwrite {
			switch strings.ToLower(msg.String()) {
			case "y":
				return p, done(p.input.Value(), false)
			case "n", "esc", "q", "enter":
				return p, done(p.input.Value(), true)
			}
			return p, nil
		}
		switch msg.String() {
		case "enter":
			return p, done(strings.TrimSpace(p.input.Value()), false)
		case "esc":
			return p, done("", true)
		}
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return p, cmd
}

func (p *promptPane) View() string {
	if p.kind == promptOverwrite {
		st := p.sh.styles
		return truncateStyled(st.Warning.Render(p.question)+st.Accent.Render(" [y/N]"), p.width)
	}
	return truncateStyled(p.input.View(), p.width)
}
