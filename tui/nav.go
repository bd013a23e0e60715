package tui

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// Action is a navigation action.
type Action int

const (
	ActNone        Action = iota
	ActPrev               // one window back
	ActNext               // one window forward
	ActPagePrev           // Timeline.Page windows back
	ActPageNext           // Timeline.Page windows forward
	ActFirst              // the first window
	ActLast               // the last window
	ActNextAlert          // the first window of the next run of alerting windows
	ActPrevAlert          // the first window of this or the previous run
	ActDigit              // type digit Op.Arg of a window number
	ActJump               // go to the typed window number
	ActCancel             // forget the typed digits
	ActGoto               // go to window Op.Arg (mouse)
	ActSize               // the next window size, at the same time
	ActThreshUp           // raise the threshold by Timeline.Step
	ActThreshDown         // lower the threshold by Timeline.Step
	ActThreshSet          // set the threshold to Op.Value
	ActThreshReset        // use the model's threshold again
	ActNextMark           // the next marked window (a search match)
	ActPrevMark           // the previous marked window
	ActGrow               // windows arrived: a tailing cursor moves to the newest
)

// Op is one navigation operation.
type Op struct {
	Action Action
	Arg    int
	Value  float64
}

// Timeline is the read-only view of the data that navigation needs.
type Timeline interface {
	NumSizes() int
	Size(s int) time.Duration
	Len(s int) int                   // windows of size s analysed so far
	Alert(s, i int, th float64) bool // window i of size s alerts at th (engine.WindowResult.Alert)
	ModelThreshold(s int) float64    // the threshold in force from the model; NaN if not known yet
	Step(s int) float64              // threshold step for +/-
	Page(s int) int                  // windows per page
	// Mark is the next (dir 1) or previous (dir -1) marked window of size
	// s from window i — the matches of a search — ok false when none.
	Mark(s, i, dir int) (int, bool)
}

// Nav is the navigation state: which window size is shown, the cursor and
// threshold of every size, and a window number being typed.
type Nav struct {
	Size      int
	Cursor    []int     // per size
	Threshold []float64 // per size; NaN means the model's threshold
	Digits    string
	// Tail keeps the cursor on the newest window as windows arrive (a
	// followed capture, like tail -f): ActLast turns it on, and any move
	// that leaves the newest window turns it off.
	Tail bool
}

// NewNav returns the state at the first window of the first size, with the
// model's thresholds.
func NewNav(sizes int) Nav {
	n := Nav{Cursor: make([]int, sizes), Threshold: make([]float64, sizes)}
	for i := range n.Threshold {
		n.Threshold[i] = math.NaN()
	}
	return n
}

// Window is the cursor of the current size, within the analysed windows.
func (n Nav) Window(tl Timeline) int {
	if n.Size >= len(n.Cursor) {
		return 0
	}
	return clampIndex(n.Cursor[n.Size], tl.Len(n.Size))
}

// Th is the threshold in force for size s.
func (n Nav) Th(tl Timeline, s int) float64 {
	if s < len(n.Threshold) && !math.IsNaN(n.Threshold[s]) {
		return n.Threshold[s]
	}
	return tl.ModelThreshold(s)
}

func clampIndex(i, n int) int {
	if n <= 0 || i < 0 {
		return 0
	}
	return min(i, n-1)
}

// Apply returns the state after op. It does not modify n.
func (n Nav) Apply(op Op, tl Timeline) Nav {
	if tl.NumSizes() == 0 {
		return n
	}
	n.own(tl)
	if op.Action != ActDigit && op.Action != ActJump {
		n.Digits = ""
	}
	switch op.Action {
	case ActDigit:
		if len(n.Digits) < 9 && op.Arg >= 0 && op.Arg <= 9 {
			n.Digits += strconv.Itoa(op.Arg)
		}
	case ActJump:
		if v, err := strconv.Atoi(n.Digits); err == nil {
			n.set(tl, v)
			n.Tail = n.Tail && n.Cursor[n.Size] == tl.Len(n.Size)-1
		}
		n.Digits = ""
	case ActCancel:
		n.Digits = ""
	case ActSize:
		n.switchSize(tl)
	case ActThreshUp, ActThreshDown, ActThreshSet, ActThreshReset:
		n.threshold(op, tl)
	case ActGrow:
		if n.Tail {
			for s := range n.Cursor {
				n.Cursor[s] = clampIndex(tl.Len(s)-1, tl.Len(s))
			}
		}
	default:
		if i, ok := n.target(op, tl); ok {
			n.set(tl, i)
			n.Tail = op.Action == ActLast || n.Tail && n.Cursor[n.Size] == tl.Len(n.Size)-1
		}
	}
	return n
}

// own copies the slices (shared with the caller's state: copy on write)
// and gives every size of tl a cursor and a threshold.
func (n *Nav) own(tl Timeline) {
	n.Cursor = slices.Clone(n.Cursor)
	n.Threshold = slices.Clone(n.Threshold)
	for len(n.Cursor) < tl.NumSizes() {
		n.Cursor = append(n.Cursor, 0)
	}
	for len(n.Threshold) < tl.NumSizes() {
		n.Threshold = append(n.Threshold, math.NaN())
	}
	if n.Size >= tl.NumSizes() {
		n.Size = 0
	}
}

// set moves the cursor of the current size to window i, within the
// analysed windows.
func (n *Nav) set(tl Timeline, i int) { n.Cursor[n.Size] = clampIndex(i, tl.Len(n.Size)) }

// target is where a move takes the cursor; ok is false when it stays.
func (n Nav) target(op Op, tl Timeline) (int, bool) {
	s, cur := n.Size, n.Window(tl)
	switch op.Action {
	case ActPrev:
		return cur - 1, true
	case ActNext:
		return cur + 1, true
	case ActPagePrev:
		return cur - max(1, tl.Page(s)), true
	case ActPageNext:
		return cur + max(1, tl.Page(s)), true
	case ActFirst:
		return 0, true
	case ActLast:
		return tl.Len(s) - 1, true
	case ActGoto:
		return op.Arg, true
	case ActNextAlert:
		return nextAlert(tl, s, cur, n.Th(tl, s))
	case ActPrevAlert:
		return prevAlert(tl, s, cur, n.Th(tl, s))
	case ActNextMark:
		return tl.Mark(s, cur, 1)
	case ActPrevMark:
		return tl.Mark(s, cur, -1)
	}
	return cur, false
}

// nextAlert skips the rest of the run the cursor is in, then finds the
// next alerting window.
func nextAlert(tl Timeline, s, cur int, th float64) (int, bool) {
	count := tl.Len(s)
	i := cur
	for i < count && tl.Alert(s, i, th) {
		i++
	}
	for i < count && !tl.Alert(s, i, th) {
		i++
	}
	return i, i < count
}

// prevAlert goes to the start of the run the cursor is in when past its
// start, else to the start of the previous run.
func prevAlert(tl Timeline, s, cur int, th float64) (int, bool) {
	i := cur
	if !(i > 0 && tl.Alert(s, i, th) && tl.Alert(s, i-1, th)) {
		i--
		for i >= 0 && !tl.Alert(s, i, th) {
			i--
		}
		if i < 0 {
			return cur, false
		}
	}
	for i > 0 && tl.Alert(s, i-1, th) {
		i--
	}
	return i, true
}

// switchSize goes to the next window size, at the window of the new size
// that holds the middle of the cursor window (windows of every size start
// at the capture's start) — unless the cursor that size had still overlaps
// the cursor window: then w w comes back to the same window.
func (n *Nav) switchSize(tl Timeline) {
	s, cur := n.Size, n.Window(tl)
	next := (s + 1) % tl.NumSizes()
	if next == s {
		return
	}
	size, ns := tl.Size(s), tl.Size(next)
	from, to := time.Duration(cur)*size, time.Duration(cur+1)*size
	target := int((from + size/2) / ns)
	if old := n.Cursor[next]; time.Duration(old)*ns < to && from < time.Duration(old+1)*ns {
		target = old
	}
	if n.Tail {
		target = tl.Len(next) - 1
	}
	n.Size = next
	n.Cursor[next] = clampIndex(target, tl.Len(next))
}

// threshold applies a threshold operation to the current size.
func (n *Nav) threshold(op Op, tl Timeline) {
	s := n.Size
	th, step := n.Th(tl, s), tl.Step(s)
	finite := !math.IsNaN(th) && !math.IsInf(th, 0)
	switch {
	case op.Action == ActThreshUp && finite:
		n.Threshold[s] = roundTo(th+step, step)
	case op.Action == ActThreshDown && finite:
		n.Threshold[s] = roundTo(th-step, step)
	case op.Action == ActThreshSet && !math.IsNaN(op.Value) && !math.IsInf(op.Value, 0):
		n.Threshold[s] = op.Value
	case op.Action == ActThreshReset:
		n.Threshold[s] = math.NaN()
	}
}

// roundTo removes floating-point dust from repeated steps (0.1+0.2), so
// that a threshold typed as 1.3 and one reached by steps compare equal.
func roundTo(v, step float64) float64 {
	if !(step > 0) || math.IsInf(step, 0) {
		return v
	}
	// Keep two decimals more than the step has.
	d := max(0, int(-math.Floor(math.Log10(step)))+2)
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'f', d, 64), 64)
	if err != nil {
		return v
	}
	return r
}
