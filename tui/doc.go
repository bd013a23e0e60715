// Package tui is mimir-tui's explorer: a Bubble Tea program that shows the
// analysis of a capture window by window while the engine computes it.
//
// The root model only routes messages. Each pane is its own sub-model with
// Update, View, SetSize and its own key help: the header with the progress
// bar, the chart and timeline, the window detail, the flagged edges, the
// edge drill-down, the feature picker, the help overlay and the prompts.
// Key bindings live in one KeyMap and are rendered by bubbles/help; styles
// are built in one place (NewStyles) from a semantic themes.Theme.
//
// The engine runs in a goroutine behind an injectable Runner; its events
// reach the program through a re-arming command that reads a channel, so
// Update never blocks. Quitting cancels the run's context and waits for the
// goroutine, so nothing keeps writing once the terminal is restored.
//
// Navigation (cursor moves, jumps, alerts, window-size switches, threshold
// steps) is a pure function Nav.Apply(Op, Timeline) Nav. Alerts are
// WindowResult.Alert(threshold): moving the threshold never recomputes a
// feature. Views are cached by what they depend on so that a key press costs
// little even with 100 000 windows.
package tui
