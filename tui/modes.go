package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// component is what every pane and overlay of the explorer implements: it
// takes messages, draws itself in the size it is given, and lists the keys
// it handles (the footer shows them; dispatch gives it exactly those).
type component interface {
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
	Keys() []key.Binding
}

// Every pane and overlay is a component.
var (
	_ component = (*headerPane)(nil)
	_ component = (*chartPane)(nil)
	_ component = (*detailPane)(nil)
	_ component = (*edgesPane)(nil)
	_ component = (*graphPane)(nil)
	_ component = (*drillPane)(nil)
	_ component = (*alertsPane)(nil)
	_ component = (*searchPane)(nil)
	_ component = (*popupPane)(nil)
	_ component = (*copyMenu)(nil)
	_ component = (*pickerPane)(nil)
	_ component = (*helpPane)(nil)
	_ component = (*promptPane)(nil)
)

// layerKind orders the mode stack: a prompt over an overlay over a filter
// over the focused pane.
type layerKind int

const (
	layerPane    layerKind = iota // the focused pane (the bottom of the stack)
	layerFilter                   // the focused pane is taking typed text
	layerOverlay                  // covers part of the screen
	layerPrompt                   // the question above the footer
)

// layer is one entry of the mode stack, as dispatch sees it.
type layer struct {
	kind layerKind
	// text: the layer takes every key (typing).
	text bool
	// modal: keys the layer does not own go nowhere (help, a popup, a
	// menu), where a transparent overlay (the edge drill-down, a list)
	// lets the global and navigation keys through.
	modal bool
	keys  []key.Binding
}

// target is who gets a key.
type target int

const (
	toNone   target = iota // the key is dropped
	toQuit                 // leave the program
	toLayer                // the layer at the returned index
	toGlobal               // an application key (KeyMap.global)
	toNav                  // a navigation operation (KeyMap.NavOp, typed digits)
)

func (t target) String() string {
	return [...]string{"none", "quit", "layer", "global", "nav"}[t]
}

// dispatchState is what dispatch needs besides the stack.
type dispatchState struct {
	failed bool // the analysis failed: only quitting is left
	digits bool // a window number is being typed
}

// dispatch decides, in one place, who gets a key: ctrl+c always quits; a
// failed run only lets q and esc quit; then from the top of the stack
// down, a layer that takes text gets everything, a layer that owns the key
// gets it, a modal layer drops the rest; then typed digits take ⏎ and esc,
// then the application's keys, then navigation, and last the focused pane
// (stack[0]) with its own keys.
func dispatch(stack []layer, st dispatchState, msg tea.KeyPressMsg, km *KeyMap) (target, int) {
	if msg.String() == "ctrl+c" {
		return toQuit, -1
	}
	if st.failed {
		if key.Matches(msg, km.Quit) || key.Matches(msg, km.Back) {
			return toQuit, -1
		}
		return toNone, -1
	}
	for i := len(stack) - 1; i >= 1; i-- {
		l := stack[i]
		switch {
		case l.text || key.Matches(msg, l.keys...):
			return toLayer, i
		case l.modal && key.Matches(msg, km.Quit):
			return toQuit, -1
		case l.modal:
			return toNone, -1
		}
	}
	if st.digits && (key.Matches(msg, km.Enter) || key.Matches(msg, km.Back)) {
		return toNav, -1
	}
	if key.Matches(msg, km.Quit) {
		return toQuit, -1
	}
	if key.Matches(msg, km.global()...) {
		return toGlobal, -1
	}
	if _, ok := km.NavOp(msg); ok {
		return toNav, -1
	}
	if covered := len(stack) > 1; !covered && len(stack) > 0 && key.Matches(msg, stack[0].keys...) {
		return toLayer, 0
	}
	return toNone, -1
}
