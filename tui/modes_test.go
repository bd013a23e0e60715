package tui

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"

	"github.com/mimir-tui/mimir-tui/engine/export"
)

// TestDispatch pins who gets a key, for stacks of layers: ctrl+c always
// quits; a text layer takes everything; an owning layer its keys; a modal
// layer drops the rest; a transparent overlay lets the application and
// navigation keys through but not the covered pane's; typed digits take
// ⏎ and esc below the overlays.
func TestDispatch(t *testing.T) {
	km := DefaultKeyMap()
	paneKeys := []key.Binding{km.Up, km.Down, km.Enter, km.Sort, km.Filter}
	pane := layer{kind: layerPane, keys: paneKeys}
	filter := layer{kind: layerFilter, text: true}
	drill := layer{kind: layerOverlay, keys: []key.Binding{km.Up, km.Down, openLine(&km), km.Back}}
	help := layer{kind: layerOverlay, modal: true, keys: []key.Binding{km.Help, km.Back}}
	popup := layer{kind: layerOverlay, modal: true, keys: []key.Binding{km.Up, km.Down, km.Copy, km.Back}}
	prompt := layer{kind: layerPrompt, text: true}
	type want struct {
		t target
		i int
	}
	tests := []struct {
		name   string
		stack  []layer
		st     dispatchState
		keys   string
		expect []want // one per key
	}{
		{"pane: its keys, then global, nav, quit", []layer{pane}, dispatchState{},
			"s enter n a / q x ctrl+c",
			[]want{{toLayer, 0}, {toLayer, 0}, {toNav, -1}, {toGlobal, -1}, {toGlobal, -1}, {toQuit, -1}, {toGlobal, -1}, {toQuit, -1}}},
		{"unbound key goes nowhere", []layer{pane}, dispatchState{}, "z Z", []want{{toNone, -1}, {toNone, -1}}},
		{"failed run: only q and esc", []layer{pane}, dispatchState{failed: true}, "n a enter q esc",
			[]want{{toNone, -1}, {toNone, -1}, {toNone, -1}, {toQuit, -1}, {toQuit, -1}}},
		{"filter takes q and n", []layer{pane, filter}, dispatchState{}, "q n enter ctrl+c",
			[]want{{toLayer, 1}, {toLayer, 1}, {toLayer, 1}, {toQuit, -1}}},
		{"drill: its keys, nav and global through, not the pane's", []layer{pane, drill}, dispatchState{}, "esc down l n s a q",
			[]want{{toLayer, 1}, {toLayer, 1}, {toNav, -1}, {toNav, -1}, {toNone, -1}, {toGlobal, -1}, {toQuit, -1}}},
		{"help is modal: q quits, n is dropped", []layer{pane, help}, dispatchState{}, "n l a ? esc q",
			[]want{{toNone, -1}, {toNone, -1}, {toNone, -1}, {toLayer, 1}, {toLayer, 1}, {toQuit, -1}}},
		{"popup over drill: modal", []layer{pane, drill, popup}, dispatchState{}, "l y esc",
			[]want{{toNone, -1}, {toLayer, 2}, {toLayer, 2}}},
		{"prompt over everything", []layer{pane, drill, prompt}, dispatchState{}, "q esc l",
			[]want{{toLayer, 2}, {toLayer, 2}, {toLayer, 2}}},
		{"typed digits take enter and esc", []layer{pane}, dispatchState{digits: true}, "enter esc 5",
			[]want{{toNav, -1}, {toNav, -1}, {toNav, -1}}},
		{"an overlay that owns enter takes it before digits", []layer{pane, drill}, dispatchState{digits: true}, "enter esc",
			[]want{{toLayer, 1}, {toLayer, 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i, k := range strings.Fields(tc.keys) {
				got, at := dispatch(tc.stack, tc.st, press(k), &km)
				if w := tc.expect[i]; got != w.t || (got == toLayer && at != w.i) {
					t.Errorf("key %q: %v %d, want %v %d", k, got, at, w.t, w.i)
				}
			}
		})
	}
}

// stackOf names the mode stack of m: the focused pane, then a filter, the
// overlays and the prompt.
func stackOf(m *Model) string {
	ls, cs := m.layers()
	var parts []string
	for i, l := range ls {
		name := strings.TrimPrefix(fmt.Sprintf("%T", cs[i]), "*tui.")
		switch l.kind {
		case layerFilter:
			name = "filter"
		case layerPrompt:
			name = fmt.Sprintf("prompt%d", m.prompt.kind)
		}
		parts = append(parts, name)
	}
	return strings.Join(parts, " > ")
}

// TestModeSequences drives the explorer on the demo run with key
// sequences and checks, after the last key, the mode stack, the cursor
// window and the threshold: what each layer of the stack lets through.
func TestModeSequences(t *testing.T) {
	rs := demo().Result.Series[0]
	peak := export.Intervals(&rs, rs.Threshold)[0].PeakWindow // the demo's one interval
	tests := []struct {
		keys   string
		stack  string
		cursor int
		th     string // the threshold in force: "" the model's, "+" a step above, else typed
	}{
		{"", "detailPane", 0, ""},
		{"n", "edgesPane", 13, ""},
		// The prompt takes every key: n is typed, not a jump.
		{"t n", "detailPane > prompt1", 0, ""},
		{"t text:5 enter", "detailPane", 0, "5"},
		{"t text:5 esc", "detailPane", 0, ""},
		// The filter takes every key, ⏎ keeps it and gives the keys back.
		{"n F n l", "edgesPane > filter", 13, ""},
		{"n F text:db enter l", "edgesPane", 14, ""},
		// Help is modal: l is dropped until esc.
		{"? l", "detailPane > helpPane", 0, ""},
		{"? l esc l", "detailPane", 1, ""},
		// The drill-down is transparent: l moves the cursor under it,
		// esc closes it.
		{"n enter l", "edgesPane > drillPane", 14, ""},
		{"n enter l esc", "edgesPane", 14, ""},
		// A popup over the drill-down is modal.
		{"n enter space l", "edgesPane > drillPane > popupPane", 13, ""},
		{"n enter space l esc l", "edgesPane > drillPane", 14, ""},
		// The alerts list: ⏎ goes to the interval's peak and closes it.
		{"a", "detailPane > alertsPane", 0, ""},
		{"a enter", "edgesPane", peak, ""},
		{"a + l", "detailPane > alertsPane", 1, "+"},
		// Digits under an overlay are navigation; ⏎ is the overlay's.
		{"1 7 enter", "detailPane", 17, ""},
		{"n enter 1 7", "edgesPane > drillPane", 13, ""},
		// A search lists its matches; esc closes the list, ] steps.
		{"/ text:shop-db-0 enter", "detailPane > searchPane", 0, ""},
		{"/ text:shop-db-0 enter esc ] ]", "detailPane", 2, ""},
		// The go-to prompt.
		{": text:+2:10 enter", "detailPane", 13, ""},
		{": text:12:29:20 enter", "detailPane", 20, ""},
		// The verdict question takes one key, then the note is typed.
		{"n v", "edgesPane > prompt7", 13, ""},
		{"n v c", "edgesPane > prompt8", 13, ""},
		{"n v c text:q enter", "edgesPane", 13, ""},
		// y with several values opens the copy menu, which is modal.
		{"n y", "edgesPane > copyMenu", 13, ""},
		{"n y l", "edgesPane > copyMenu", 13, ""},
		{"n y 1", "edgesPane", 13, ""},
		// tab closes overlays and moves the focus.
		{"n enter tab", "graphPane", 13, ""},
		{"p", "graphPane", 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.keys, func(t *testing.T) {
			m := newTestModel(t, 120, 40)
			feedRec(m, demo())
			keys(m, strings.Fields(tc.keys)...)
			if got := stackOf(m); got != tc.stack {
				t.Errorf("stack %q, want %q", got, tc.stack)
			}
			if got := m.sh.cursor(); got != tc.cursor {
				t.Errorf("cursor %d, want %d", got, tc.cursor)
			}
			want := m.sh.data.ModelThreshold(0)
			switch tc.th {
			case "":
			case "+":
				want = roundTo(want+m.sh.data.Step(0), m.sh.data.Step(0))
			default:
				want, _ = strconv.ParseFloat(tc.th, 64)
			}
			if got := m.sh.threshold(); got != want {
				t.Errorf("threshold %v, want %v", got, want)
			}
		})
	}
}

// TestDrillKeepsSelection: the edge's bytes over time arriving (read off
// the update loop) redraws the drill-down without moving the selection.
func TestDrillKeepsSelection(t *testing.T) {
	m := newTestModel(t, 120, 40)
	feedRec(m, demo())
	keys(m, "n", "enter", "down", "down", "down")
	d := m.top().(*drillPane)
	sel := d.list.sel
	d.key, d.pending = drillKey{}, drillKey{}
	runCmd(m, d.background())
	if d.list.sel != sel {
		t.Errorf("the series moved the selection from row %d to %d", sel, d.list.sel)
	}
}
