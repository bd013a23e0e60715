package tui

import (
	"fmt"
	"math"
	"strings"

	"github.com/mimir-tui/mimir-tui/loaders/units"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mimir-tui/mimir-tui/engine"
)

// maxDrivers is how many score contributions the detail lists.
const maxDrivers = 8

// detailKey is what a pane's content depends on.
type detailKey struct {
	w        *engine.WindowResult
	sd       *seriesData
	version  uint64
	th       float64
	width    int
	theme    int
	verdicts int
	mode     int
}

// detailPane shows the cursor window: its time range, packets, bytes,
// score against the threshold, the verdict on its interval, the changes
// of the application in it, and the features that drive the score. (Its
// graph is the graph pane.) Every line can be selected, opened in full and
// copied.
type detailPane struct {
	sh   *shared
	list listView
	key  detailKey
}

func newDetailPane(sh *shared) *detailPane { return &detailPane{sh: sh, list: newListView(sh)} }

func (p *detailPane) SetSize(w, h int) {
	// The rows depend on the width, which is in the key: an overlay
	// resizing every component leaves them (and the selection) as they are.
	p.list.SetSize(w, h-1)
}

func (p *detailPane) Keys() []key.Binding {
	k := p.sh.keys
	return []key.Binding{k.Up, k.Down, openLine(k)}
}

func (p *detailPane) Update(msg tea.Msg) tea.Cmd { return listUpdate(&p.list, msg, "window detail") }

// listUpdate is the keys of a pane that is a plain list: scroll, and open
// the selected line in full on space or enter.
func listUpdate(l *listView, msg tea.Msg, title string) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, l.sh.keys.Full, l.sh.keys.Enter) {
		if r, ok := l.selected(); ok {
			return l.sh.post(openFullMsg{title, r})
		}
		return nil
	}
	l.scroll(msg)
	return nil
}

func (p *detailPane) click(_, y int) tea.Cmd { p.list.click(y - 1); return nil }

func (p *detailPane) selection() selection {
	r, _ := p.list.selected()
	return selection{copies: r.copy}
}

// sync rebuilds the content when the window, threshold, width, theme or
// verdicts changed; a new window starts at the top.
func (p *detailPane) sync() {
	sd := p.sh.current()
	w := p.sh.window()
	k := detailKey{w: w, sd: sd, th: p.sh.threshold(), width: p.list.width, theme: p.sh.themeGen, verdicts: p.sh.verdicts.version}
	if sd != nil {
		k.version = sd.version
	}
	if k == p.key {
		return
	}
	keep := k.w == p.key.w
	p.key = k
	p.list.setRows(p.content(sd, w, k.th), keep)
}

func (p *detailPane) View() string {
	st := p.sh.styles
	title := "window"
	if w := p.sh.window(); w != nil {
		title = fmt.Sprintf("window %d", w.Index)
	}
	head := st.paneTitle(title, p.list.focused) + st.Muted.Render(" · detail")
	if !p.list.atTop() || !p.list.atEnd() {
		head += st.Muted.Render(" · ↑↓ more")
	}
	return truncateStyled(head, p.list.width) + "\n" + p.list.View()
}

func (p *detailPane) content(sd *seriesData, w *engine.WindowResult, th float64) []row {
	st := p.sh.styles
	if sd == nil || w == nil {
		return []row{{text: st.Muted.Render("no window analysed yet"), skip: true}}
	}
	t0 := w.Start
	if p.sh.data.inputs != nil {
		t0 = p.sh.data.inputs.Start
	}
	rows := []row{{
		text: st.Text.Render(fmt.Sprintf("%s–%s UTC", w.Start.UTC().Format("2006-01-02 15:04:05"), w.End.UTC().Format("15:04:05"))) +
			st.Muted.Render(fmt.Sprintf(" (%s, %s)", fmtRel(w.Start.Sub(t0)), fmtSize(sd.size))),
		copy: []copyable{{"time range", timeRange(w.Start, w.End)}},
	}}
	rows = append(rows, row{text: p.scoreLine(w, th)}, row{text: p.factsLine(w)})
	rows = append(rows, allowlistRows(w, st)...)
	rows = append(rows, p.verdictRows(w, th)...)
	rows = append(rows, churnRows(w.Churn, st)...)
	rows = append(rows, learnedRows(w.Learned, st)...)
	rows = append(rows, row{skip: true},
		row{text: st.PaneTitle.Render("drivers of the score") + st.Muted.Render(" · contribution = weight × z"), skip: true})
	switch {
	case p.sh.loading():
		return append(rows, row{text: st.Muted.Render("  reading the window's details…"), skip: true})
	case len(w.Contributions) == 0:
		return append(rows, row{text: st.Muted.Render("  no feature moves this score"), skip: true})
	}
	return append(rows, p.drivers(sd, w)...)
}

// scoreLine is the window's alert state, score and threshold.
func (p *detailPane) scoreLine(w *engine.WindowResult, th float64) string {
	st := p.sh.styles
	verdict := st.OK.Render("○ no alert")
	cmp := "<"
	switch {
	case w.Alert(th):
		verdict, cmp = st.Alert.Render("▲ ALERT"), "≥"
	case math.IsNaN(w.Score):
		verdict, cmp = st.Muted.Render("not scored"), "vs"
	case !w.Alertable():
		verdict, cmp = st.Muted.Render("○ "+whyNoAlert(w)), "vs"
	}
	return verdict + "  " + st.Text.Render("score "+fmtScore(w.Score)) + st.Muted.Render(" "+cmp+" ") +
		st.Warning.Render("threshold "+fmtScore(th)) + st.Muted.Render("   Ide "+fmtScore(w.IdeScore))
}

// factsLine is the window's packets and bytes, with its tags.
func (p *detailPane) factsLine(w *engine.WindowResult) string {
	st := p.sh.styles
	facts := fmt.Sprintf("%s · %s", plural(int(w.Packets), "packet"), units.Bytes(float64(w.Bytes)))
	tags := ""
	if w.Baseline {
		tags += " " + st.Baseline.Render("[baseline ░]")
	}
	if w.Partial {
		tags += " " + st.Muted.Render(fmt.Sprintf("[partial %.0f%%]", 100*w.Coverage))
	}
	return st.Text.Render(facts) + tags
}

// allowlistRows say, in words, that the allow-list — the simplest method
// the model is compared with — would alert on the window.
func allowlistRows(w *engine.WindowResult, st *Styles) []row {
	if !w.AllowlistAlert || w.Baseline {
		return nil
	}
	return []row{{text: st.Warning.Render("new service pair") + st.Muted.Render(": never seen in the baseline (the allow-list method alerts)"),
		full: "A service pair the baseline never saw talks in this window: the allow-list method (alert on any pair " +
			"not seen in the baseline, the simplest method the model is compared with) alerts on it. The model's " +
			"score weighs new pairs with everything else: see the drivers below and the [NEW] edges."}}
}

// verdictRows say the analyst's verdict on the interval the window is in.
func (p *detailPane) verdictRows(w *engine.WindowResult, th float64) []row {
	iv := p.sh.cursorInterval()
	if iv == nil {
		return nil
	}
	st := p.sh.styles
	v, exact, ok := p.sh.verdicts.of(iv)
	if !ok {
		return []row{{text: st.Muted.Render(fmt.Sprintf("in %s · no verdict yet (v)", windowSpan(iv.FirstWindow, iv.LastWindow)))}}
	}
	text := verdictLabel(v.Verdict, exact)
	if v.Note != "" {
		text += ": " + v.Note
	}
	return []row{{text: st.Muted.Render(fmt.Sprintf("in %s · verdict ", windowSpan(iv.FirstWindow, iv.LastWindow))) + verdictStyle(st, v.Verdict).Render(text)}}
}

// churnRows list the changes of the application in a window.
func churnRows(churn []engine.Change, st *Styles) []row {
	if len(churn) == 0 {
		return nil
	}
	rows := []row{{skip: true}, {text: st.PaneTitle.Render(plural(len(churn), "change")) + st.Muted.Render(" of the application in this window"), skip: true}}
	for _, c := range churn {
		rows = append(rows, row{text: "  " + churnText(c, st), copy: churnCopies(c)})
	}
	return rows
}

// churnText is one change: "+ pod front-end-9tp97rxbc-56zrt (front-end) 10.244.0.28 12:26:58".
func churnText(c engine.Change, st *Styles) string {
	sign, style := "+", st.OK
	if c.Op == "delete" {
		sign, style = "−", st.Warning
	}
	s := style.Render(sign+" "+c.Kind+" "+c.Name) + st.Muted.Render(" ("+c.Service+")")
	if c.IP != "" {
		s += " " + st.Text.Render(c.IP)
	}
	if c.ReusedFrom != "" {
		s += st.Warning.Render(" ↻ address reused from " + c.ReusedFrom)
	}
	return s + st.Muted.Render(" "+c.Time.UTC().Format("15:04:05"))
}

// learnedRows list the pairs of new workloads the window was the first to
// show, learned into the baseline instead of flagged.
func learnedRows(learned []engine.LearnedPair, st *Styles) []row {
	if len(learned) == 0 {
		return nil
	}
	rows := []row{{skip: true}, {text: st.PaneTitle.Render(plural(len(learned), "pair")) + st.Muted.Render(" of new workloads learned, not alarmed"), skip: true}}
	for _, l := range learned {
		text := fmt.Sprintf("  ◇ %s %s", l.Pair, units.Bytes(l.Bytes))
		note := fmt.Sprintf(" · %s appeared %s, learned until %s", l.Workload, l.Appeared.UTC().Format("15:04:05"), l.Until.UTC().Format("15:04:05"))
		rows = append(rows, row{text: st.Baseline.Render(text) + st.Muted.Render(note), copy: []copyable{{"pair", l.Pair}, {"workload", l.Workload}}})
	}
	return rows
}

func churnCopies(c engine.Change) []copyable {
	out := []copyable{{c.Kind, c.Name}}
	if c.IP != "" {
		out = append(out, copyable{"IP", c.IP})
	}
	return out
}

// drivers are the window's largest score contributions: name, numbers and
// description, the description and numbers wrapped under the name.
func (p *detailPane) drivers(sd *seriesData, w *engine.WindowResult) []row {
	st := p.sh.styles
	descs := map[string]string{}
	for _, f := range sd.info.Features {
		descs[f.Name] = f.Description
	}
	var rows []row
	for i, c := range w.Contributions {
		if i == maxDrivers {
			rows = append(rows, row{text: st.Muted.Render(fmt.Sprintf("  … %d more", len(w.Contributions)-maxDrivers)), skip: true})
			break
		}
		sign := st.Alert
		if c.Contrib < 0 {
			sign = st.OK
		}
		name, desc := c.Name, descs[c.Name]
		if c.Key != "" {
			// An aggregate names the feature behind it.
			name, desc = c.Name+" ← "+c.Key, c.About
		}
		facts := fmt.Sprintf("z %s · value %s · baseline median %s", compact(c.Z), compact(c.Value), compact(c.Median))
		full := fmtContrib(c.Contrib) + "  " + name + "\n" + facts + "\n" + desc
		rows = append(rows, row{text: " " + sign.Render(padLeft(fmtContrib(c.Contrib), 6)) + "  " + st.Text.Render(name),
			full: full, copy: []copyable{{"feature", name}}})
		for _, l := range append(wrapIndent(facts, p.list.width-1, 10), wrapIndent(desc, p.list.width-1, 10)...) {
			rows = append(rows, row{text: st.Muted.Render(l), skip: true})
		}
	}
	return rows
}

// whyNoAlert says why a window cannot alert at any threshold.
func whyNoAlert(w *engine.WindowResult) string {
	switch {
	case w.Baseline:
		return "baseline window: assumed benign, never alerts"
	case w.Suppressed:
		return "judged a false positive: what drove it is folded into the baseline"
	case w.Partial && w.Coverage < engine.MinCoverage:
		return fmt.Sprintf("partial window (%.0f%% covered): too short to alert", 100*w.Coverage)
	}
	return "cannot alert"
}

// wrapIndent word-wraps plain text to width, every line indented.
func wrapIndent(text string, width, indent int) []string {
	if text == "" {
		return nil
	}
	pad := strings.Repeat(" ", indent)
	wrapped := ansi.Wordwrap(text, max(width-indent, 10), " ")
	lines := strings.Split(wrapped, "\n")
	for i, l := range lines {
		lines[i] = pad + l
	}
	return lines
}
