package tui

import (
	"fmt"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/export"
)

// selection is what the investigation keys act on: x writes the packets
// of its edge over its time range, v gives its interval a verdict, y
// copies one of its values. The layer on top says what is selected; the
// cursor window fills in the rest.
type selection struct {
	edge     *engine.FlaggedEdge
	from, to time.Time // the edge's time range
	scope    string    // says the range: "window 19", "windows 13–19"
	interval *export.Interval
	copies   []copyable
}

// selector is a component with a selection.
type selector interface{ selection() selection }

// openFullMsg asks the root to show a row in full.
type openFullMsg struct {
	title string
	r     row
}

// gotoMsg asks the root to close the overlay on top and move the cursor
// to a window (focusing the flagged edges when edges is set).
type gotoMsg struct {
	window int
	edges  bool
}

// selection is the selection of the layer on top, completed by the cursor
// window: its interval when it alerts, its time range to copy.
func (m *Model) selection() selection {
	var s selection
	var c component = m.focused()
	if t := m.top(); t != nil {
		c = t
	}
	if sel, ok := c.(selector); ok {
		s = sel.selection()
	}
	if _, isPopup := c.(*popupPane); isPopup {
		return s
	}
	if s.interval == nil {
		s.interval = m.sh.cursorInterval()
	}
	if w := m.sh.slimCursor(); w != nil {
		s.copies = append(s.copies, copyable{fmt.Sprintf("window %d", w.Index), timeRange(w.Start, w.End)})
	}
	if iv := s.interval; iv != nil {
		s.copies = append(s.copies, copyable{"interval " + windowSpan(iv.FirstWindow, iv.LastWindow), timeRange(iv.Start, iv.End)})
	}
	return s
}

// windowSelection is the selection of a window's edge over the window.
func windowSelection(w *engine.WindowResult, e *engine.FlaggedEdge) selection {
	s := selection{edge: e, copies: edgeCopies(e)}
	if w != nil {
		s.from, s.to, s.scope = w.Start, w.End, fmt.Sprintf("window %d", w.Index)
	}
	return s
}

// edgeCopies are the values of an edge y offers: its name, pods,
// addresses.
func edgeCopies(e *engine.FlaggedEdge) []copyable {
	if e == nil {
		return nil
	}
	out := []copyable{{"edge", export.EdgeName(e.Src, e.Dst)}}
	for _, p := range e.SrcPods {
		out = append(out, copyable{"source pod", p})
	}
	for _, ip := range e.SrcIPs {
		out = append(out, copyable{"source IP", ip})
	}
	for _, p := range e.DstPods {
		out = append(out, copyable{"destination pod", p})
	}
	for _, ip := range e.DstIPs {
		out = append(out, copyable{"destination IP", ip})
	}
	return out
}

// timeRange is "2026-11-24T12:28:09Z/2026-11-24T12:29:19Z" (ISO 8601).
func timeRange(from, to time.Time) string {
	return from.UTC().Format(time.RFC3339Nano) + "/" + to.UTC().Format(time.RFC3339Nano)
}

// windowSpan is "window 13" or "windows 13–19".
func windowSpan(lo, hi int) string {
	if lo == hi {
		return fmt.Sprintf("window %d", lo)
	}
	return fmt.Sprintf("windows %d–%d", lo, hi)
}
