package tui

import (
	"fmt"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/mimir-tui/mimir-tui/engine/export"
)

// verdictBook holds the analyst's verdicts on flagged intervals, read from
// and saved to the sidecar file (atomically, by export.Verdicts.Write).
type verdictBook struct {
	path    string // "": this session only
	v       *export.Verdicts
	version int // bumped on every change, for the views
}

// openVerdicts reads the verdicts of path ("" or missing: none yet). A
// file that cannot be read is never written over: the verdicts are then
// kept for the session only, and the error says so.
func openVerdicts(path, capture string) (*verdictBook, error) {
	v, err := export.ReadVerdicts(path)
	if err == nil {
		if v.Capture == "" {
			v.Capture = capture
		}
		return &verdictBook{path: path, v: v}, nil
	}
	fresh, _ := export.ReadVerdicts("")
	fresh.Capture = capture
	return &verdictBook{v: fresh}, fmt.Errorf("%w; verdicts given now are kept for this session only", err)
}

// of is the verdict on iv: given on exactly that interval (exact), or else
// on one of the same window size that overlaps it (the threshold has moved
// since).
func (b *verdictBook) of(iv *export.Interval) (v export.Verdict, exact, ok bool) {
	if v, ok := b.v.Of(iv); ok {
		return v, true, true
	}
	for _, x := range b.v.Verdicts {
		if x.SizeSeconds == iv.SizeSeconds && x.Start.Before(iv.End) && iv.Start.Before(x.End) {
			return x, false, true
		}
	}
	return export.Verdict{}, false, false
}

// snapshot is a copy to be written or read off the update loop.
func (b *verdictBook) snapshot() *export.Verdicts {
	c := *b.v
	c.Verdicts = slices.Clone(b.v.Verdicts)
	return &c
}

// verdictChoices are the answers of the verdict question.
var verdictChoices = []choice{
	{"c", "confirmed", export.Confirmed},
	{"f", "false positive", export.FalsePositive},
	{"u", "unsure", export.Unsure},
}

// verdictLabel is how a verdict reads; ≈ marks one given on an overlapping
// interval.
func verdictLabel(v string, exact bool) string {
	label := v
	for _, c := range verdictChoices {
		if c.value == v {
			label = c.label
		}
	}
	if !exact {
		label = "≈" + label
	}
	return label
}

func verdictStyle(st *Styles, v string) lipgloss.Style {
	switch v {
	case export.Confirmed:
		return st.Alert
	case export.FalsePositive:
		return st.OK
	}
	return st.Warning
}

// pendingVerdict is a verdict waiting for its note.
type pendingVerdict struct {
	iv      export.Interval
	verdict string
}

// askVerdict asks for the verdict on the selection's interval.
func (m *Model) askVerdict(sel selection) tea.Cmd {
	iv := sel.interval
	if iv == nil {
		m.setStatus("v gives a flagged interval a verdict: put the cursor on an alert (n), or choose one in the alerts list (a)", false)
		return nil
	}
	q := fmt.Sprintf("verdict on %s (%s–%s UTC):", windowSpan(iv.FirstWindow, iv.LastWindow),
		iv.Start.UTC().Format("15:04:05"), iv.End.UTC().Format("15:04:05"))
	m.prompt.choose(promptVerdict, q, verdictChoices, *iv)
	return nil
}

// askNote asks for the verdict's note, starting from the one given before.
func (m *Model) askNote(verdict string, ctx any) tea.Cmd {
	iv := ctx.(export.Interval)
	note := ""
	if v, exact, ok := m.sh.verdicts.of(&iv); ok && exact {
		note = v.Note
	}
	return m.prompt.ask(promptNote, verdictLabel(verdict, true)+" · note: ", note, "optional: what you found; ⏎ to save",
		pendingVerdict{iv: iv, verdict: verdict})
}

// verdictSavedMsg reports the saving of a verdict.
type verdictSavedMsg struct {
	v       export.Verdict
	iv      export.Interval
	path    string
	err     error
	hookErr error
}

// giveVerdict records a verdict and saves the sidecar off the update
// loop; then it calls the OnVerdict hook.
func (m *Model) giveVerdict(note string, pv pendingVerdict) tea.Cmd {
	iv := pv.iv
	v := export.Verdict{SizeSeconds: iv.SizeSeconds, Start: iv.Start, End: iv.End, Verdict: pv.verdict, Note: note, At: m.cfg.Now().UTC()}
	b := m.sh.verdicts
	b.v.Set(v)
	b.version++
	snap, path, hook, ctx := b.snapshot(), b.path, m.cfg.OnVerdict, m.ctx
	return func() tea.Msg {
		msg := verdictSavedMsg{v: v, iv: iv, path: path}
		if path != "" {
			msg.err = snap.Write(path)
		}
		if hook != nil && msg.err == nil {
			msg.hookErr = hook(ctx, v, iv)
		}
		return msg
	}
}

func (m *Model) verdictSaved(msg verdictSavedMsg) tea.Cmd {
	what := windowSpan(msg.iv.FirstWindow, msg.iv.LastWindow) + ": " + verdictLabel(msg.v.Verdict, true)
	switch {
	case msg.err != nil:
		m.log.Error("verdicts", "path", msg.path, "err", msg.err)
		m.setStatus(what+", but not saved: "+msg.err.Error(), false)
	case msg.hookErr != nil:
		m.setStatus(what+" saved; "+msg.hookErr.Error(), false)
	case msg.path == "":
		m.setStatus("✓ "+what+" (kept for this session: no verdicts file)", true)
	default:
		m.setStatus("✓ "+what+", saved to "+msg.path, true)
	}
	if msg.err != nil {
		return nil
	}
	return m.rescoreIfChanged()
}

// verdictAge is how long ago a verdict was given, for the list.
func verdictAge(at, now time.Time) string {
	if at.IsZero() {
		return ""
	}
	return fmtDuration(now.Sub(at).Truncate(time.Second)) + " ago"
}
