package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// promptKind says what a prompt asks for.
type promptKind int

const (
	promptThreshold promptKind = iota + 1 // t: a threshold value
	promptExport                          // e: the export path
	promptOverwrite                       // the export path exists: overwrite?
	promptJump                            // :: a time or window number
	promptSearch                          // /: what to search the capture for
	promptPackets                         // x: the pcapng path
	promptVerdict                         // v: confirmed, false positive or unsure
	promptNote                            // v: the verdict's note
)

// promptDoneMsg carries a prompt's answer and the context it was asked
// with.
type promptDoneMsg struct {
	kind   promptKind
	value  string
	cancel bool
	ctx    any
}

// choice is one answer of a single-key question.
type choice struct {
	key, label, value string
}

// promptPane is a one-line question above the footer: a text input, or a
// question answered by one key (y/n; c/f/u).
type promptPane struct {
	sh       *shared
	width    int
	kind     promptKind
	question string   // for single-key questions
	choices  []choice // for single-key questions
	input    textinput.Model
	// hint says what is expected: the input's placeholder as far as it
	// fits, the rest (hintRest) on a second line while nothing is typed.
	hint, hintRest string
	ctx            any
}

func newPromptPane(sh *shared) *promptPane {
	in := textinput.New()
	in.SetStyles(sh.styles.Input)
	return &promptPane{sh: sh, input: in}
}

func (p *promptPane) restyle() { p.input.SetStyles(p.sh.styles.Input) }

func (p *promptPane) active() bool { return p.kind != 0 }

// ask opens a text prompt with a starting value (usually empty, so that
// typing replaces it) and a placeholder saying what is expected.
func (p *promptPane) ask(kind promptKind, prompt, value, placeholder string, ctx any) tea.Cmd {
	p.kind, p.ctx, p.choices = kind, ctx, nil
	p.input.Prompt = prompt
	p.hint = placeholder
	p.input.SetValue(value)
	p.input.CursorEnd()
	p.SetSize(p.width, 1)
	return p.input.Focus()
}

// choose opens a question answered by one of choices' keys; esc cancels.
func (p *promptPane) choose(kind promptKind, question string, choices []choice, ctx any) {
	p.kind, p.ctx = kind, ctx
	p.question, p.choices = question, choices
	p.input.Blur()
}

// confirm asks a yes/no question; any key but y means no.
func (p *promptPane) confirm(kind promptKind, question, value string) {
	p.choose(kind, question+" [y/N]", []choice{{"y", "yes", value}}, value)
}

func (p *promptPane) SetSize(w, _ int) {
	p.width = w
	p.input.SetWidth(max(w-lenRunes(p.input.Prompt)-2, 1))
	// The hint wraps onto a second line rather than being cut.
	first := strings.Split(ansi.Wrap(p.hint, p.input.Width(), " ,;/"), "\n")[0]
	p.input.Placeholder = strings.TrimRight(first, " ")
	p.hintRest = strings.TrimSpace(strings.TrimPrefix(p.hint, first))
}

func lenRunes(s string) int { return len([]rune(s)) }

func (p *promptPane) Keys() []key.Binding {
	if p.choices != nil {
		var out []key.Binding
		for _, c := range p.choices {
			out = append(out, bind([]string{c.key}, c.key, c.label))
		}
		return append(out, bind([]string{"esc"}, "esc", "cancel"))
	}
	return []key.Binding{bind([]string{"enter"}, "⏎", "ok"), bind([]string{"esc"}, "esc", "cancel")}
}

func (p *promptPane) close() { p.kind, p.ctx, p.choices = 0, nil, nil; p.input.Blur() }

func (p *promptPane) Update(msg tea.Msg) tea.Cmd {
	kind, ctx := p.kind, p.ctx
	done := func(value string, cancel bool) tea.Cmd {
		p.close()
		return p.sh.post(promptDoneMsg{kind: kind, value: value, cancel: cancel, ctx: ctx})
	}
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		if p.choices != nil {
			for _, c := range p.choices {
				if strings.EqualFold(msg.String(), c.key) {
					return done(c.value, false)
				}
			}
			if kind == promptOverwrite || msg.String() == "esc" {
				return done("", true)
			}
			return nil
		}
		switch msg.String() {
		case "enter":
			return done(strings.TrimSpace(p.input.Value()), false)
		case "esc":
			return done("", true)
		}
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return cmd
}

func (p *promptPane) View() string {
	st := p.sh.styles
	if p.choices != nil {
		var opts []string
		for _, c := range p.choices {
			opts = append(opts, st.Accent.Render(c.key)+" "+st.Text.Render(c.label))
		}
		line := st.Warning.Render(p.question)
		if p.kind != promptOverwrite {
			line += "  " + strings.Join(opts, st.Muted.Render(" · ")) + st.Muted.Render(" · esc cancel")
		}
		return truncateStyled(line, p.width)
	}
	line := truncateStyled(p.input.View(), p.width)
	if p.hintRest != "" && p.input.Value() == "" {
		line += "\n" + truncateStyled(st.Muted.Render(p.hintRest), p.width)
	}
	return line
}
