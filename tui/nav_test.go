package tui

import (
	"github.com/mimir-tui/mimir-tui/engine"
	"math"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// fakeTimeline is a Timeline over fixed scores.
type fakeTimeline struct {
	sizes  []time.Duration
	scores [][]float64
	model  []float64
	step   float64
	page   int
	marks  [][]int // per size, ascending: a search's matches
}

func (f *fakeTimeline) NumSizes() int            { return len(f.sizes) }
func (f *fakeTimeline) Size(s int) time.Duration { return f.sizes[s] }
func (f *fakeTimeline) Len(s int) int            { return len(f.scores[s]) }
func (f *fakeTimeline) Alert(s, i int, th float64) bool {
	return (&engine.WindowResult{Score: f.scores[s][i], Coverage: 1}).Alert(th)
}
func (f *fakeTimeline) ModelThreshold(s int) float64 { return f.model[s] }
func (f *fakeTimeline) Step(int) float64             { return f.step }
func (f *fakeTimeline) Page(int) int                 { return f.page }
func (f *fakeTimeline) Mark(s, i, dir int) (int, bool) {
	if s >= len(f.marks) {
		return i, false
	}
	ms := f.marks[s]
	if dir > 0 {
		for _, m := range ms {
			if m > i {
				return m, true
			}
		}
		return i, false
	}
	for j := len(ms) - 1; j >= 0; j-- {
		if ms[j] < i {
			return ms[j], true
		}
	}
	return i, false
}

// press turns a key name into the key press a terminal sends.
func press(name string) tea.KeyPressMsg {
	special := map[string]rune{
		"left": tea.KeyLeft, "right": tea.KeyRight, "up": tea.KeyUp, "down": tea.KeyDown,
		"home": tea.KeyHome, "end": tea.KeyEnd, "pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown,
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "space": tea.KeySpace,
		"backspace": tea.KeyBackspace,
	}
	var mod tea.KeyMod
	base := name
	if rest, ok := strings.CutPrefix(name, "shift+"); ok {
		mod, base = tea.ModShift, rest
	}
	if rest, ok := strings.CutPrefix(name, "ctrl+"); ok {
		mod, base = tea.ModCtrl, rest
	}
	if c, ok := special[base]; ok {
		return tea.KeyPressMsg{Code: c, Mod: mod}
	}
	r := []rune(base)[0]
	if mod != 0 {
		return tea.KeyPressMsg{Code: r, Mod: mod}
	}
	return tea.KeyPressMsg{Code: r, Text: base}
}

// shopLike: ten 10-second windows and two 60-second ones. At threshold 1
// the 10 s alert runs are windows 2-3, 7 and 9.
func shopLike() *fakeTimeline {
	return &fakeTimeline{
		sizes: []time.Duration{10 * time.Second, time.Minute},
		scores: [][]float64{
			{0, 0, 5, 5, 0, math.NaN(), 0, 6, 0, 7},
			{0, 8},
		},
		model: []float64{1, 1},
		step:  0.5,
		page:  3,
		marks: [][]int{{1, 4, 8}, {0}},
	}
}

func TestNavKeySequences(t *testing.T) {
	tests := []struct {
		name   string
		keys   string // space-separated key names
		cursor int    // of the current size
		size   int
		th     float64 // in force for the current size
		digits string
	}{
		{"start", "", 0, 0, 1, ""},
		{"right three times", "l l right", 3, 0, 1, ""},
		{"left at the start stays", "h left", 0, 0, 1, ""},
		{"last and first", "G", 9, 0, 1, ""},
		{"first", "end home", 0, 0, 1, ""},
		{"g after G", "G g", 0, 0, 1, ""},
		// n: the start of the next alert run (2), skipping the rest of
		// the run the cursor is in (2-3) to 7, then 9, then nothing more.
		{"next alert", "n", 2, 0, 1, ""},
		{"next alert skips its run", "n n", 7, 0, 1, ""},
		{"next alert again", "n n n", 9, 0, 1, ""},
		{"no alert after the last", "n n n n", 9, 0, 1, ""},
		// N from 9: 8 does not alert, so the previous run, which starts
		// at 7. From 3 (inside 2-3): the start of its own run, 2.
		{"previous alert", "G N", 7, 0, 1, ""},
		{"previous alert to run start", "l l l N", 2, 0, 1, ""},
		{"previous alert from a run start", "n N", 2, 0, 1, ""},
		{"previous alert twice", "G N N", 2, 0, 1, ""},
		// A page is Timeline.Page = 3 windows.
		{"page forward", "pgdown", 3, 0, 1, ""},
		{"page forward with shift", "shift+right shift+right", 6, 0, 1, ""},
		{"page forward clamps", "pgdown pgdown pgdown pgdown", 9, 0, 1, ""},
		{"page back", "G pgup", 6, 0, 1, ""},
		{"page back clamps", "l shift+left", 0, 0, 1, ""},
		// Typed window numbers.
		{"typing digits", "4", 0, 0, 1, "4"},
		{"jump", "4 enter", 4, 0, 1, ""},
		{"jump past the end clamps", "1 2 enter", 9, 0, 1, ""},
		{"jump to 0", "G 0 enter", 0, 0, 1, ""},
		{"esc forgets digits", "4 esc", 0, 0, 1, ""},
		{"another key forgets digits", "4 l", 1, 0, 1, ""},
		// Thresholds: step 0.5 from the model's 1.
		{"raise", "+ +", 0, 0, 2, ""},
		{"lower", "-", 0, 0, 0.5, ""},
		{"raise with =", "=", 0, 0, 1.5, ""},
		{"reset", "+ + r", 0, 0, 1, ""},
		// At 5.5 only windows 7 (6) and 9 (7) alert: n goes to 7.
		{"raised threshold changes n", "+ + + + + + + + + n", 7, 0, 5.5, ""},
		// At 0 every scored window alerts (score >= th), NaN (5) never:
		// one run 0-4, then 6-9.
		{"zero threshold", "- - n", 6, 0, 0, ""},
		// Window sizes: 10 s window 7 is 70-80 s; its middle, 75 s, is in
		// 60 s window 1. Back to 10 s: the remembered 7 overlaps window 1,
		// so it is kept.
		{"switch size", "7 enter w", 1, 1, 1, ""},
		{"switch size and back", "7 enter w w", 7, 0, 1, ""},
		// 10 s window 2 (20-30 s) is in 60 s window 0; moving to 60 s
		// window 1 (60-120 s) and back: the remembered 2 no longer
		// overlaps, so the middle of 60-120 s, 90 s, is 10 s window 9.
		{"switch size after moving", "l l w l w", 9, 0, 1, ""},
		// Thresholds are per size.
		{"threshold per size", "+ w", 0, 1, 1, ""},
		{"threshold kept per size", "+ w w", 0, 0, 1.5, ""},
		// Search matches at 1, 4 and 8: ] and [ step through them and
		// stop at the ends.
		{"next match", "]", 1, 0, 1, ""},
		{"next match twice", "] ]", 4, 0, 1, ""},
		{"next match from between", "l l ]", 4, 0, 1, ""},
		{"no match after the last", "G ]", 9, 0, 1, ""},
		{"previous match", "G [", 8, 0, 1, ""},
		{"previous match from a match", "] ] [", 1, 0, 1, ""},
		{"no match before the first", "] [", 1, 0, 1, ""},
	}
	km := DefaultKeyMap()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl := shopLike()
			n := NewNav(tl.NumSizes())
			for _, k := range strings.Fields(tc.keys) {
				msg := press(k)
				op, ok := km.NavOp(msg)
				switch {
				case ok:
				case k == "enter":
					op = Op{Action: ActJump}
				case k == "esc":
					op = Op{Action: ActCancel}
				default:
					t.Fatalf("key %q is not a navigation key", k)
				}
				n = n.Apply(op, tl)
			}
			if got := n.Window(tl); got != tc.cursor {
				t.Errorf("cursor = %d, want %d", got, tc.cursor)
			}
			if n.Size != tc.size {
				t.Errorf("size = %d, want %d", n.Size, tc.size)
			}
			if got := n.Th(tl, n.Size); got != tc.th {
				t.Errorf("threshold = %v, want %v", got, tc.th)
			}
			if n.Digits != tc.digits {
				t.Errorf("digits = %q, want %q", n.Digits, tc.digits)
			}
		})
	}
}

// TestNavTail: a followed run's cursor stays on the newest window as
// windows arrive ("+" below: one more window of each size, ActGrow) until
// the analyst moves off it, and G brings it back. shopLike has ten 10 s
// windows (0-9) and two 60 s ones.
func TestNavTail(t *testing.T) {
	tests := []struct {
		name   string
		tail   bool   // the state starts tailing (Config.Follow)
		steps  string // key names, and "+" for a window arriving
		cursor int
		size   int
		want   bool // still tailing
	}{
		{"not tailing stays put", false, "l + +", 1, 0, false},
		{"tailing moves to the newest", true, "+", 10, 0, true},
		{"and keeps moving", true, "+ + +", 12, 0, true},
		{"a step back holds it", true, "+ h + +", 9, 0, false},
		{"a step forward at the newest keeps tailing", true, "+ l +", 11, 0, true},
		{"G follows again", true, "+ h + G +", 12, 0, true},
		{"G turns tailing on", false, "G + +", 11, 0, true},
		{"g holds", true, "g +", 0, 0, false},
		{"a jump to the newest keeps tailing", true, "+ 1 0 enter +", 11, 0, true},
		{"a jump elsewhere holds", true, "5 enter +", 5, 0, false},
		{"previous alert holds", true, "+ N +", 9, 0, false},
		// Windows of every size arrive: the 60 s cursor is on its newest
		// too, and a switch of size while tailing lands on the newest.
		{"every size tails", true, "+ w", 2, 1, true},
		{"size switch while tailing", true, "w + w", 10, 0, true},
		{"thresholds do not hold it", true, "+ - +", 11, 0, true},
	}
	km := DefaultKeyMap()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl := shopLike()
			n := NewNav(tl.NumSizes())
			n.Tail = tc.tail
			for _, k := range strings.Fields(tc.steps) {
				var op Op
				switch k {
				case "+":
					for s := range tl.scores {
						tl.scores[s] = append(tl.scores[s], 0)
					}
					op = Op{Action: ActGrow}
				case "enter":
					op = Op{Action: ActJump}
				default:
					var ok bool
					if op, ok = km.NavOp(press(k)); !ok {
						t.Fatalf("key %q is not a navigation key", k)
					}
				}
				n = n.Apply(op, tl)
			}
			if got := n.Window(tl); got != tc.cursor || n.Size != tc.size {
				t.Errorf("cursor = %d of size %d, want %d of size %d", got, n.Size, tc.cursor, tc.size)
			}
			if n.Tail != tc.want {
				t.Errorf("tail = %v, want %v", n.Tail, tc.want)
			}
		})
	}
}

func TestNavApplyIsPure(t *testing.T) {
	tl := shopLike()
	n := NewNav(2)
	n2 := n.Apply(Op{Action: ActNext}, tl)
	n3 := n2.Apply(Op{Action: ActThreshUp}, tl)
	if n.Cursor[0] != 0 || !math.IsNaN(n.Threshold[0]) {
		t.Errorf("Apply modified its receiver: %+v", n)
	}
	if n2.Cursor[0] != 1 || !math.IsNaN(n2.Threshold[0]) {
		t.Errorf("second Apply modified the first result: %+v", n2)
	}
	if n3.Threshold[0] != 1.5 {
		t.Errorf("threshold after + = %v, want 1.5", n3.Threshold[0])
	}
}

func TestNavGotoAndGrowth(t *testing.T) {
	tl := shopLike()
	n := NewNav(0) // sizes not known yet
	n = n.Apply(Op{Action: ActGoto, Arg: 8}, tl)
	if got := n.Window(tl); got != 8 {
		t.Errorf("goto 8 = %d", got)
	}
	n = n.Apply(Op{Action: ActGoto, Arg: 99}, tl)
	if got := n.Window(tl); got != 9 {
		t.Errorf("goto 99 = %d, want the last window 9", got)
	}
	if len(n.Cursor) != 2 || len(n.Threshold) != 2 {
		t.Errorf("nav did not grow to the timeline's sizes: %+v", n)
	}
	// An empty timeline leaves the state alone.
	empty := &fakeTimeline{}
	if got := NewNav(0).Apply(Op{Action: ActNext}, empty); got.Window(empty) != 0 {
		t.Errorf("empty timeline: cursor %d", got.Window(empty))
	}
}

func TestNavThresholdUnknownModel(t *testing.T) {
	// Before the model is ready the threshold is NaN: +/- do nothing, a
	// typed value is kept, NaN and ±Inf are refused.
	tl := shopLike()
	tl.model = []float64{math.NaN(), math.NaN()}
	n := NewNav(2).Apply(Op{Action: ActThreshUp}, tl)
	if !math.IsNaN(n.Th(tl, 0)) {
		t.Errorf("+ without a model: %v", n.Th(tl, 0))
	}
	n = n.Apply(Op{Action: ActThreshSet, Value: 2.25}, tl)
	n = n.Apply(Op{Action: ActThreshSet, Value: math.Inf(1)}, tl)
	n = n.Apply(Op{Action: ActThreshSet, Value: math.NaN()}, tl)
	if got := n.Th(tl, 0); got != 2.25 {
		t.Errorf("typed threshold = %v, want 2.25", got)
	}
}

func TestRoundTo(t *testing.T) {
	// 0.1 + 0.2 = 0.30000000000000004 in binary floating point; a step of
	// 0.1 keeps 3 decimals, so it becomes 0.3.
	for _, tc := range []struct{ v, step, want float64 }{
		{0.1 + 0.2, 0.1, 0.3},
		{1.2345678, 0.5, 1.235}, // 0.5 has one decimal: keep three
		{123.456, 20, 123.5},
		{7, 0, 7},
	} {
		if got := roundTo(tc.v, tc.step); got != tc.want {
			t.Errorf("roundTo(%v, %v) = %v, want %v", tc.v, tc.step, got, tc.want)
		}
	}
}
