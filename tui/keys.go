package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// KeyMap holds every key binding of the explorer. Help (the footer and the
// ? overlay) is generated from it, so it is the one place keys are defined.
type KeyMap struct {
	// Timeline.
	Prev, Next         key.Binding
	PagePrev, PageNext key.Binding
	First, Last        key.Binding
	NextAlert          key.Binding
	PrevAlert          key.Binding
	Digits             key.Binding
	Size               key.Binding
	Mouse              key.Binding // documentation only: wheel and clicks

	// Chart and threshold.
	Metric      key.Binding
	Feature     key.Binding
	ThreshUp    key.Binding
	ThreshDown  key.Binding
	ThreshSet   key.Binding
	ThreshReset key.Binding

	// Panes.
	Focus  key.Binding
	Up     key.Binding
	Down   key.Binding
	Sort   key.Binding
	Filter key.Binding
	Enter  key.Binding
	Back   key.Binding

	// Application.
	Export key.Binding
	Theme  key.Binding
	Help   key.Binding
	Quit   key.Binding
}

// DefaultKeyMap returns the explorer's key bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Prev:      key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "previous window")),
		Next:      key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "next window")),
		PagePrev:  key.NewBinding(key.WithKeys("shift+left", "pgup", "H"), key.WithHelp("⇧←/pgup", "back a page (10 chart columns)")),
		PageNext:  key.NewBinding(key.WithKeys("shift+right", "pgdown", "L"), key.WithHelp("⇧→/pgdn", "forward a page (10 chart columns)")),
		First:     key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first window")),
		Last:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last window")),
		NextAlert: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next alert")),
		PrevAlert: key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous alert")),
		Digits: key.NewBinding(key.WithKeys("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
			key.WithHelp("0-9 ⏎", "go to window number")),
		Size:  key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "switch window size")),
		Mouse: key.NewBinding(key.WithKeys("wheel/click"), key.WithHelp("wheel/click", "move on the chart")),

		Metric:      key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "chart: score/Ide/bytes/packets")),
		Feature:     key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "chart a feature")),
		ThreshUp:    key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "raise threshold")),
		ThreshDown:  key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", "lower threshold")),
		ThreshSet:   key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "type a threshold")),
		ThreshReset: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reset threshold to the model's")),

		Focus:  key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "switch pane")),
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Sort:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort edges by next column")),
		Filter: key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter edges")),
		Enter:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("⏎", "open edge")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),

		Export: key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export flagged intervals")),
		Theme:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "next colour theme")),
		Help:   key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:   key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// ShortHelp is the footer's help: the keys that matter most, paired and
// tersely described so they fit in 80 columns.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{
		pair(k.Prev, k.Next, "←/→", "move"),
		pair(k.NextAlert, k.PrevAlert, "n/N", "alert"),
		pair(k.ThreshUp, k.ThreshDown, "+/-", "threshold"),
		relabel(k.Focus, "tab", "pane"),
		relabel(k.Export, "e", "export"),
		relabel(k.Help, "?", "help"),
		k.Quit,
	}
}

// pair shows two bindings as one help entry.
func pair(a, b key.Binding, keys, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(append(a.Keys(), b.Keys()...)...), key.WithHelp(keys, desc))
}

// relabel is b with a shorter help text.
func relabel(b key.Binding, keys, desc string) key.Binding {
	b.SetHelp(keys, desc)
	return b
}

// FullHelp is the ? overlay: every binding, in columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Prev, k.Next, k.PagePrev, k.PageNext, k.First, k.Last, k.NextAlert, k.PrevAlert, k.Digits, k.Size, k.Mouse},
		{k.Metric, k.Feature, k.ThreshUp, k.ThreshDown, k.ThreshSet, k.ThreshReset},
		{k.Focus, k.Up, k.Down, k.Sort, k.Filter, k.Enter, k.Back},
		{k.Export, k.Theme, k.Help, k.Quit},
	}
}

// NavOp maps a key press to a navigation operation, if it is one.
func (k KeyMap) NavOp(msg tea.KeyPressMsg) (Op, bool) {
	switch {
	case key.Matches(msg, k.Prev):
		return Op{Action: ActPrev}, true
	case key.Matches(msg, k.Next):
		return Op{Action: ActNext}, true
	case key.Matches(msg, k.PagePrev):
		return Op{Action: ActPagePrev}, true
	case key.Matches(msg, k.PageNext):
		return Op{Action: ActPageNext}, true
	case key.Matches(msg, k.First):
		return Op{Action: ActFirst}, true
	case key.Matches(msg, k.Last):
		return Op{Action: ActLast}, true
	case key.Matches(msg, k.NextAlert):
		return Op{Action: ActNextAlert}, true
	case key.Matches(msg, k.PrevAlert):
		return Op{Action: ActPrevAlert}, true
	case key.Matches(msg, k.Digits):
		return Op{Action: ActDigit, Arg: int(msg.String()[0] - '0')}, true
	case key.Matches(msg, k.Size):
		return Op{Action: ActSize}, true
	case key.Matches(msg, k.ThreshUp):
		return Op{Action: ActThreshUp}, true
	case key.Matches(msg, k.ThreshDown):
		return Op{Action: ActThreshDown}, true
	case key.Matches(msg, k.ThreshReset):
		return Op{Action: ActThreshReset}, true
	}
	return Op{}, false
}
