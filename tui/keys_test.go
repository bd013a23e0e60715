package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// keyLabels is how the help writes each key name.
var keyLabels = map[string]string{
	"left": "←", "right": "→", "up": "↑", "down": "↓", "shift+left": "⇧←", "shift+right": "⇧→",
	"pgup": "pgup", "pgdown": "pgdn", "enter": "⏎", "shift+tab": "⇧tab",
}

// TestHelpShowsEveryKey: every key of every binding is written in its
// help label (issue 7: H/L and ⇧tab were missing), and the help screen
// shows every label.
func TestHelpShowsEveryKey(t *testing.T) {
	km := DefaultKeyMap()
	m := newTestModel(t, 200, 80)
	feedRec(m, demo())
	keys(m, "?")
	screen := ansi.Strip(m.render())
	for _, group := range km.FullHelp() {
		for _, b := range group {
			label := b.Help().Key
			for _, k := range b.Keys() {
				want := k
				if l, ok := keyLabels[k]; ok {
					want = l
				}
				if len(k) == 1 && k >= "0" && k <= "9" {
					want = "0-9"
				}
				if !strings.Contains(label, want) {
					t.Errorf("binding %q (%s): its key %q is not in the label", label, b.Help().Desc, k)
				}
			}
			if !strings.Contains(screen, label) || !strings.Contains(screen, b.Help().Desc) {
				t.Errorf("the help screen lacks %q %q", label, b.Help().Desc)
			}
		}
	}
}

// TestKeysAreUnique: no key is bound twice among the application,
// navigation and list keys (one key map, one meaning).
func TestKeysAreUnique(t *testing.T) {
	km := DefaultKeyMap()
	seen := map[string]string{}
	for _, group := range km.FullHelp() {
		for _, b := range group {
			for _, k := range b.Keys() {
				if other, ok := seen[k]; ok && other != b.Help().Desc {
					t.Errorf("key %q is bound to %q and %q", k, other, b.Help().Desc)
				}
				seen[k] = b.Help().Desc
			}
		}
	}
}
