// Package tui is mimir-tui's explorer: a Bubble Tea program that shows the
// analysis of a capture window by window while the engine computes it, and
// where an alert is investigated end to end — the flagged intervals, their
// edges, pods and addresses, the flows and the evidence behind every
// reason, the packets (written to pcapng, with the equivalent Wireshark
// filter), a search across the capture, and the analyst's verdicts, kept
// beside the capture.
//
// Every pane and overlay implements one small interface, component (Update,
// View, SetSize, Keys). The root model (model.go) only routes messages and
// lays the components out (layout.go). Who gets a key is decided in one
// place, dispatch, over an explicit mode stack — the prompt over the
// overlays over a filter being typed over the focused pane — built from the
// components' own key lists; what a component asks of the root (close an
// overlay, go to a window, open an edge) is posted and handled before the
// next message. Key bindings live in one KeyMap, rendered by bubbles/help;
// styles are built in one place (NewStyles) from a semantic themes.Theme.
// Every pane draws its content as a listView, so every line can be
// selected, opened in full and copied.
//
// The engine runs in a goroutine behind an injectable Runner; its events
// reach the program through a re-arming command that reads a channel, so
// Update never blocks. Quitting cancels the run's context and waits for the
// goroutine, so nothing keeps writing once the terminal is restored.
//
// Memory stays bounded over a week of windows: each window's details
// (graphs, flagged edges, contributions, pods, domains, ports) go to a
// temporary file (detailStore) and are read back, off the update loop, for
// the windows shown; the search index keeps each name once with the runs of
// windows it appears in.
//
// Navigation (cursor moves, jumps, alerts, search matches, window-size
// switches, threshold steps) is a pure function Nav.Apply(Op, Timeline) Nav.
// Alerts are WindowResult.Alert(threshold), or fast forms property-tested
// against it: moving the threshold never recomputes a feature. Views are
// cached by what they depend on, so that a key press costs little even with
// 100 000 windows.
package tui
