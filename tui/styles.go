package tui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/table"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"

	"github.com/mimir-tui/mimir-tui/themes"
)

// Styles are every lipgloss style the explorer uses. They are built in one
// place, NewStyles, from a semantic theme; panes never pick colours.
type Styles struct {
	Theme themes.Theme

	Text      lipgloss.Style
	Muted     lipgloss.Style
	Accent    lipgloss.Style
	Alert     lipgloss.Style // alerting windows, [OUT], error messages
	OK        lipgloss.Style
	Warning   lipgloss.Style // warnings, [NEW], the threshold line
	Baseline  lipgloss.Style
	Border    lipgloss.Style
	Selected  lipgloss.Style
	Title     lipgloss.Style // the application name in the header
	Demo      lipgloss.Style // the DEMO badge
	PaneTitle lipgloss.Style // an unfocused pane's title
	Focused   lipgloss.Style // the focused pane's title
	Cursor    lipgloss.Style // the cursor marks on the chart

	Help  help.Styles
	Table table.Styles
	Input textinput.Styles

	// Progress bar colours (nil in mono).
	BarFull, BarEmpty color.Color
}

// NewStyles builds the styles of theme t. With t.NoColor it uses text
// attributes only.
func NewStyles(t themes.Theme) *Styles {
	fg := func(c color.Color) lipgloss.Style {
		s := lipgloss.NewStyle()
		if !t.NoColor && c != nil {
			s = s.Foreground(c)
		}
		return s
	}
	s := &Styles{Theme: t}
	s.Text = fg(t.Fg)
	s.Muted = fg(t.Muted)
	s.Accent = fg(t.Accent).Bold(true)
	s.Alert = fg(t.Alert).Bold(true)
	s.OK = fg(t.OK)
	s.Warning = fg(t.Warning)
	s.Baseline = fg(t.Baseline)
	s.Border = fg(t.Border)
	s.Title = fg(t.Accent).Bold(true)
	s.PaneTitle = fg(t.Muted).Bold(true)
	s.Focused = fg(t.Accent).Bold(true).Underline(true)
	s.Cursor = fg(t.Accent).Bold(true)
	if t.NoColor {
		s.Muted = s.Muted.Faint(true)
		s.Selected = lipgloss.NewStyle().Reverse(true)
		s.Demo = lipgloss.NewStyle().Reverse(true).Bold(true)
		s.Alert = s.Alert.Underline(true)
	} else {
		s.Selected = lipgloss.NewStyle().Background(t.Selection).Foreground(t.SelectionFg)
		s.Demo = lipgloss.NewStyle().Background(t.Warning).Foreground(t.Background).Bold(true)
		s.BarFull, s.BarEmpty = t.Accent, t.Border
	}

	s.Help = help.Styles{
		Ellipsis:       s.Muted,
		ShortKey:       s.Accent.UnsetUnderline(),
		ShortDesc:      s.Muted,
		ShortSeparator: s.Border,
		FullKey:        s.Accent.UnsetUnderline(),
		FullDesc:       s.Text,
		FullSeparator:  s.Border,
	}
	s.Table = table.Styles{
		Header:   s.PaneTitle.Padding(0, 1),
		Cell:     lipgloss.NewStyle().Padding(0, 1),
		Selected: s.Selected,
	}
	in := textinput.DefaultStyles(true)
	in.Focused.Prompt = s.Accent
	in.Focused.Text = s.Text
	in.Focused.Placeholder = s.Muted
	in.Blurred = in.Focused
	in.Cursor.Blink = false // a blinking cursor would redraw the screen twice a second
	if !t.NoColor {
		in.Cursor.Color = t.Accent
	} else {
		in.Cursor.Color = nil
	}
	s.Input = in
	return s
}

// paneTitle renders a pane's title; the focused pane's is marked with ▸
// as well as styled, so the focus shows without colour or underline.
func (s *Styles) paneTitle(title string, focused bool) string {
	if focused {
		return s.Focused.Render("▸ " + title)
	}
	return s.PaneTitle.Render(title)
}
