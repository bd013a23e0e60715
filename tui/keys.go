package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// KeyMap holds every key binding of the explorer. Help (the footer and the
// ? overlay) is generated from it, and the mode stack dispatches by it, so
// it is the one place keys are defined.
type KeyMap struct {
	// Timeline.
	Prev, Next           key.Binding
	PagePrev, PageNext   key.Binding
	First, Last          key.Binding
	NextAlert, PrevAlert key.Binding
	Digits               key.Binding
	Jump                 key.Binding
	NextMatch, PrevMatch key.Binding
	Size                 key.Binding
	Mouse                key.Binding // documentation only: wheel and clicks

	// Chart and threshold.
	Metric      key.Binding
	Feature     key.Binding
	ThreshUp    key.Binding
	ThreshDown  key.Binding
	ThreshSet   key.Binding
	ThreshReset key.Binding

	// Panes and lists.
	Focus  key.Binding
	Up     key.Binding
	Down   key.Binding
	Sort   key.Binding
	Filter key.Binding
	Enter  key.Binding
	Full   key.Binding
	Back   key.Binding

	// Investigation.
	Alerts  key.Binding
	Search  key.Binding
	Pods    key.Binding
	Packets key.Binding
	Verdict key.Binding
	Copy    key.Binding
	Export  key.Binding

	// Application.
	Info  key.Binding
	Theme key.Binding
	Help  key.Binding
	Quit  key.Binding
}

func bind(keys []string, label, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(label, desc))
}

// DefaultKeyMap returns the explorer's key bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Prev:      bind([]string{"left", "h"}, "←/h", "previous window"),
		Next:      bind([]string{"right", "l"}, "→/l", "next window"),
		PagePrev:  bind([]string{"shift+left", "pgup", "H"}, "⇧←/pgup/H", "back a page (10 chart columns)"),
		PageNext:  bind([]string{"shift+right", "pgdown", "L"}, "⇧→/pgdn/L", "forward a page (10 chart columns)"),
		First:     bind([]string{"home", "g"}, "g/home", "first window"),
		Last:      bind([]string{"end", "G"}, "G/end", "last window, and follow new ones"),
		NextAlert: bind([]string{"n"}, "n", "next alert"),
		PrevAlert: bind([]string{"N"}, "N", "previous alert"),
		Digits:    bind([]string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, "0-9 ⏎", "go to window number"),
		Jump:      bind([]string{":"}, ":", "go to a time (12:29:40, +3:10, RFC 3339) or window"),
		NextMatch: bind([]string{"]"}, "]", "next search match"),
		PrevMatch: bind([]string{"["}, "[", "previous search match"),
		Size:      bind([]string{"w"}, "w", "switch window size"),
		Mouse:     bind([]string{"wheel/click"}, "wheel/click", "move on the chart; select a row"),

		Metric:      bind([]string{"m"}, "m", "chart: score/Ide/bytes/packets"),
		Feature:     bind([]string{"f"}, "f", "chart a feature"),
		ThreshUp:    bind([]string{"+", "="}, "+/=", "raise threshold"),
		ThreshDown:  bind([]string{"-", "_"}, "-/_", "lower threshold"),
		ThreshSet:   bind([]string{"t"}, "t", "type a threshold"),
		ThreshReset: bind([]string{"r"}, "r", "reset threshold to the model's"),

		Focus:  bind([]string{"tab", "shift+tab"}, "tab/⇧tab", "next/previous pane"),
		Up:     bind([]string{"up", "k"}, "↑/k", "up"),
		Down:   bind([]string{"down", "j"}, "↓/j", "down"),
		Sort:   bind([]string{"s"}, "s", "sort by the next column"),
		Filter: bind([]string{"F"}, "F", "filter the table"),
		Enter:  bind([]string{"enter"}, "⏎", "open"),
		Full:   bind([]string{"space"}, "space", "show the line in full"),
		Back:   bind([]string{"esc"}, "esc", "back"),

		Alerts:  bind([]string{"a"}, "a", "list the flagged intervals"),
		Search:  bind([]string{"/"}, "/", "search: service, pod, IP, port, domain"),
		Pods:    bind([]string{"p"}, "p", "pod graph ↔ service graph"),
		Packets: bind([]string{"x"}, "x", "write the packets to a pcapng file"),
		Verdict: bind([]string{"v"}, "v", "verdict on the interval"),
		Copy:    bind([]string{"y"}, "y", "copy to the clipboard"),
		Export:  bind([]string{"e"}, "e", "export flagged intervals"),

		Info:  bind([]string{"i"}, "i", "header, message in full"),
		Theme: bind([]string{"c"}, "c", "next colour theme"),
		Help:  bind([]string{"?"}, "?", "help"),
		Quit:  bind([]string{"q", "ctrl+c"}, "q/ctrl+c", "quit"),
	}
}

// ShortHelp is the footer's help: the keys that matter most, paired and
// tersely described so they fit in 80 columns.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{
		pair(k.NextAlert, k.PrevAlert, "n/N", "alert"),
		relabel(k.Alerts, "a", "alerts"),
		relabel(k.Search, "/", "search"),
		pair(k.ThreshUp, k.ThreshDown, "+/-", "threshold"),
		relabel(k.Focus, "tab", "pane"),
		relabel(k.Help, "?", "help"),
		relabel(k.Quit, "q", "quit"),
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

// FullHelp is the ? overlay: every binding, in columns (helpGroups names
// them).
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Prev, k.Next, k.PagePrev, k.PageNext, k.First, k.Last, k.NextAlert, k.PrevAlert, k.Digits, k.Jump,
			k.NextMatch, k.PrevMatch, k.Size, k.Mouse},
		{k.Metric, k.Feature, k.ThreshUp, k.ThreshDown, k.ThreshSet, k.ThreshReset},
		{k.Alerts, k.Search, k.Pods, k.Packets, k.Verdict, k.Copy, k.Export},
		{k.Focus, k.Up, k.Down, k.Sort, k.Filter, k.Enter, k.Full, k.Back},
		{k.Info, k.Theme, k.Help, k.Quit},
	}
}

// global are the bindings that act whatever has the focus (unless a layer
// above takes the key: see dispatch).
func (k KeyMap) global() []key.Binding {
	return []key.Binding{k.Quit, k.Help, k.Info, k.Theme, k.Export, k.ThreshSet, k.Feature, k.Metric, k.Focus,
		k.Alerts, k.Search, k.Jump, k.Pods, k.Packets, k.Verdict, k.Copy}
}

// NavOp maps a key press to a navigation operation, if it is one.
func (k KeyMap) NavOp(msg tea.KeyPressMsg) (Op, bool) {
	ops := []struct {
		b  key.Binding
		op Action
	}{
		{k.Prev, ActPrev}, {k.Next, ActNext}, {k.PagePrev, ActPagePrev}, {k.PageNext, ActPageNext},
		{k.First, ActFirst}, {k.Last, ActLast}, {k.NextAlert, ActNextAlert}, {k.PrevAlert, ActPrevAlert},
		{k.Size, ActSize}, {k.ThreshUp, ActThreshUp}, {k.ThreshDown, ActThreshDown},
		{k.ThreshReset, ActThreshReset}, {k.NextMatch, ActNextMark}, {k.PrevMatch, ActPrevMark},
	}
	for _, o := range ops {
		if key.Matches(msg, o.b) {
			return Op{Action: o.op}, true
		}
	}
	if key.Matches(msg, k.Digits) {
		return Op{Action: ActDigit, Arg: int(msg.String()[0] - '0')}, true
	}
	return Op{}, false
}

// openLine is space and ⏎ in a pane whose ⏎ opens nothing else: both show
// the selected line in full.
func openLine(k *KeyMap) key.Binding {
	return key.NewBinding(key.WithKeys(append(k.Full.Keys(), k.Enter.Keys()...)...), key.WithHelp("space/⏎", "line in full"))
}
