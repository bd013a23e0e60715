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
	// Copy on write: the slices are shared with the caller's state.
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
	if op.Action != ActDigit && op.Action != ActJump {
		n.Digits = ""
	}
	s := n.Size
	count := tl.Len(s)
	cur := n.Window(tl)
	set := func(i int) { n.Cursor[s] = clampIndex(i, count) }
	th := n.Th(tl, s)

	switch op.Action {
	case ActPrev:
		set(cur - 1)
	case ActNext:
		set(cur + 1)
	case ActPagePrev:
		set(cur - max(1, tl.Page(s)))
	case ActPageNext:
		set(cur + max(1, tl.Page(s)))
	case ActFirst:
		set(0)
	case ActLast:
		set(count - 1)
	case ActGoto:
		set(op.Arg)
	case ActNextAlert:
		// Skip the rest of the run the cursor is in, then find the next
		// alerting window.
		i := cur
		for i < count && tl.Alert(s, i, th) {
			i++
		}
		for i < count && !tl.Alert(s, i, th) {
			i++
		}
		if i < count {
			set(i)
		}
	case ActPrevAlert:
		// Inside a run but past its start: go to its start. Otherwise go
		// to the start of the previous run.
		i := cur
		if i > 0 && tl.Alert(s, i, th) && tl.Alert(s, i-1, th) {
			for i > 0 && tl.Alert(s, i-1, th) {
				i--
			}
			set(i)
			break
		}
		i--
		for i >= 0 && !tl.Alert(s, i, th) {
			i--
		}
		if i < 0 {
			break
		}
		for i > 0 && tl.Alert(s, i-1, th) {
			i--
		}
		set(i)
	case ActNextMark, ActPrevMark:
		dir := 1
		if op.Action == ActPrevMark {
			dir = -1
		}
		if i, ok := tl.Mark(s, cur, dir); ok {
			set(i)
		}
	case ActDigit:
		if len(n.Digits) < 9 && op.Arg >= 0 && op.Arg <= 9 {
			n.Digits += strconv.Itoa(op.Arg)
		}
	case ActJump:
		if v, err := strconv.Atoi(n.Digits); err == nil {
			set(v)
		}
		n.Digits = ""
	case ActCancel:
		n.Digits = ""
	case ActSize:
		next := (s + 1) % tl.NumSizes()
		if next == s {
			break
		}
		// The window of the new size that holds the middle of the cursor
		// window (windows of every size start at the capture's start)...
		size, ns := tl.Size(s), tl.Size(next)
		from, to := time.Duration(cur)*size, time.Duration(cur+1)*size
		target := int((from + size/2) / ns)
		// ...unless the cursor that size had still overlaps the cursor
		// window: then w w comes back to the same window.
		if old := n.Cursor[next]; time.Duration(old)*ns < to && from < time.Duration(old+1)*ns {
			target = old
		}
		n.Size = next
		n.Cursor[next] = clampIndex(target, tl.Len(next))
	case ActThreshUp:
		if !math.IsNaN(th) && !math.IsInf(th, 0) {
			n.Threshold[s] = roundTo(th+tl.Step(s), tl.Step(s))
		}
	case ActThreshDown:
		if !math.IsNaN(th) && !math.IsInf(th, 0) {
			n.Threshold[s] = roundTo(th-tl.Step(s), tl.Step(s))
		}
	case ActThreshSet:
		if !math.IsNaN(op.Value) && !math.IsInf(op.Value, 0) {
			n.Threshold[s] = op.Value
		}
	case ActThreshReset:
		n.Threshold[s] = math.NaN()
	}
	return n
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
