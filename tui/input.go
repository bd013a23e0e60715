package tui

import (
	"fmt"
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mimir-tui/mimir-tui/themes"
)

// pane is which lower pane has the focus.
type pane int

const (
	paneDetail pane = iota
	paneEdges
	paneGraph
	numPanes
)

// panes are the lower panes, in focus order.
func (m *Model) panes() []component { return []component{m.detail, m.edges, m.graph} }

func (m *Model) focused() component { return m.panes()[m.focus] }

func (m *Model) setFocus(p pane) {
	m.focus = p
	m.detail.list.focused = p == paneDetail
	m.edges.list.focused = p == paneEdges
	m.graph.list.focused = p == paneGraph
}

// push puts an overlay on top of the mode stack.
func (m *Model) push(c component) {
	m.overlays = append(m.overlays, c)
	m.lay.key = layoutKey{} // size it
}

// pop removes the overlay on top.
func (m *Model) pop() {
	if n := len(m.overlays); n > 0 {
		m.overlays = m.overlays[:n-1]
	}
}

// top is the overlay on top, or nil.
func (m *Model) top() component {
	if n := len(m.overlays); n > 0 {
		return m.overlays[n-1]
	}
	return nil
}

// modal overlays drop the keys they do not own; typing ones take all.
type (
	modal  interface{ modal() bool }
	typing interface{ typing() bool }
)

// layers is the mode stack as dispatch sees it: the focused pane, its
// filter while one is typed, the overlays, the prompt.
func (m *Model) layers() ([]layer, []component) {
	f := m.focused()
	ls := []layer{{kind: layerPane, keys: f.Keys()}}
	cs := []component{f}
	if m.edges.capturing() && m.focus == paneEdges {
		ls = append(ls, layer{kind: layerFilter, text: true})
		cs = append(cs, m.edges)
	}
	for _, o := range m.overlays {
		l := layer{kind: layerOverlay, keys: o.Keys()}
		if md, ok := o.(modal); ok {
			l.modal = md.modal()
		}
		if t, ok := o.(typing); ok {
			l.text = t.typing()
		}
		ls = append(ls, l)
		cs = append(cs, o)
	}
	if m.prompt.active() {
		ls = append(ls, layer{kind: layerPrompt, text: true})
		cs = append(cs, m.prompt)
	}
	return ls, cs
}

// key sends a key press where dispatch says.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	ls, cs := m.layers()
	t, i := dispatch(ls, dispatchState{failed: m.Err() != nil, digits: m.sh.nav.Digits != ""}, msg, &m.keys)
	if t != toLayer || ls[i].kind != layerPrompt {
		m.status = ""
	}
	switch t {
	case toQuit:
		return m.quit()
	case toLayer:
		return cs[i].Update(msg)
	case toGlobal:
		return m.global(msg)
	case toNav:
		op, ok := m.keys.NavOp(msg)
		switch {
		case key.Matches(msg, m.keys.Enter):
			op = Op{Action: ActJump}
		case key.Matches(msg, m.keys.Back):
			op = Op{Action: ActCancel}
		case !ok:
			return nil
		}
		m.navigate(op)
	}
	return nil
}

// global runs an application key.
func (m *Model) global(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Help):
		m.push(newHelpPane(m.sh))
	case key.Matches(msg, k.Info):
		m.openInfo()
	case key.Matches(msg, k.Theme):
		m.cycleTheme()
	case key.Matches(msg, k.Export):
		return m.askExport()
	case key.Matches(msg, k.ThreshSet):
		return m.prompt.ask(promptThreshold, "threshold: ", "", m.thresholdHint(), nil)
	case key.Matches(msg, k.Feature):
		return m.openPicker()
	case key.Matches(msg, k.Metric):
		m.chart.cycleMetric()
	case key.Matches(msg, k.Focus):
		m.overlays = nil
		step := pane(1)
		if msg.String() == "shift+tab" {
			step = numPanes - 1
		}
		m.setFocus((m.focus + step) % numPanes)
	case key.Matches(msg, k.Pods):
		m.overlays = nil
		m.graph.togglePods()
		m.setFocus(paneGraph)
	default:
		return m.investigate(msg)
	}
	return nil
}

// investigate runs the investigation keys: alerts, search, jump, packets,
// verdicts, copy.
func (m *Model) investigate(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Alerts):
		return m.openAlerts()
	case key.Matches(msg, k.Search):
		return m.askSearch()
	case key.Matches(msg, k.Jump):
		return m.prompt.ask(promptJump, "go to: ", "", "12:29:40 · +3:10 · 2026-11-24T12:29:40Z · a window number", nil)
	case key.Matches(msg, k.Packets):
		return m.askPackets(m.selection())
	case key.Matches(msg, k.Verdict):
		return m.askVerdict(m.selection())
	case key.Matches(msg, k.Copy):
		return m.copyChoices(m.selection().copies)
	}
	return nil
}

// thresholdHint is the threshold prompt's placeholder: the threshold in
// force and how the model chose its own.
func (m *Model) thresholdHint() string {
	th := m.sh.threshold()
	hint := "type a number · now " + fmtScore(th)
	switch sd := m.sh.current(); {
	case sd == nil || sd.info.ThresholdBasis == "":
	case sd.info.Threshold == th:
		hint += ", the model's, set for " + sd.info.ThresholdBasis
	default:
		hint += "; the model's " + fmtScore(sd.info.Threshold) + " is set for " + sd.info.ThresholdBasis
	}
	return hint
}

// openPicker opens the feature picker.
func (m *Model) openPicker() tea.Cmd {
	sd := m.sh.current()
	if sd == nil || len(sd.info.Features) == 0 {
		m.setStatus("no features yet: the model is not ready", false)
		return nil
	}
	p := newPickerPane(m.sh)
	m.push(p)
	return p.open(sd.info.Features, m.chart.feature)
}

// routeAction handles what the components ask of the root.
func (m *Model) routeAction(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case closeMsg:
		m.pop()
	case openEdgeMsg:
		m.push(newDrillPane(m.sh, msg.edge, m.sh.cursor()))
	case openFullMsg:
		m.push(newPopupPane(m.sh, msg.title, msg.r.fullText(), msg.r.copy))
	case gotoMsg:
		m.pop()
		m.navigate(Op{Action: ActGoto, Arg: msg.window})
		if msg.edges {
			m.setFocus(paneEdges)
		}
	case pickFeatureMsg:
		m.pop()
		if msg.feature >= 0 {
			m.chart.setFeature(msg.feature)
		}
	case copyRequestMsg:
		return m.copyChoices(msg.choices), true
	case copyChosenMsg:
		m.pop()
		return m.copyValue(msg.c), true
	case promptDoneMsg:
		return m.answered(msg), true
	default:
		return m.routeResult(msg)
	}
	return nil, true
}

// routeResult handles the results of commands: exports, packets, saved
// verdicts.
func (m *Model) routeResult(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case exportDoneMsg:
		return m.exported(msg), true
	case packetsDoneMsg:
		m.packetsWritten(msg)
	case verdictSavedMsg:
		return m.verdictSaved(msg), true
	default:
		return nil, false
	}
	return nil, true
}

// answered handles a prompt's answer.
func (m *Model) answered(msg promptDoneMsg) tea.Cmd {
	if msg.cancel {
		if msg.kind == promptOverwrite {
			m.setStatus("kept "+msg.ctx.(string)+"; nothing written", false)
		}
		return nil
	}
	switch msg.kind {
	case promptThreshold:
		m.setThreshold(msg.value)
	case promptExport:
		return m.exportTo(msg.value)
	case promptOverwrite:
		return m.exportCmd(msg.value, true)
	case promptJump:
		m.jumpTo(msg.value)
	case promptSearch:
		return m.searchFor(msg.value)
	case promptPackets:
		return m.writePackets(msg.value, msg.ctx.(packetJob))
	case promptVerdict:
		return m.askNote(msg.value, msg.ctx)
	case promptNote:
		return m.giveVerdict(msg.value, msg.ctx.(pendingVerdict))
	}
	return nil
}

// setThreshold applies a typed threshold.
func (m *Model) setThreshold(text string) {
	v, err := parseThreshold(text)
	if err != nil {
		m.setStatus(err.Error(), false)
		return
	}
	m.navigate(Op{Action: ActThreshSet, Value: v})
}

// navigate applies a navigation operation and says what happened when it
// is not visible otherwise.
func (m *Model) navigate(op Op) {
	before := m.sh.nav
	beforeCur := m.sh.cursor()
	m.sh.nav = before.Apply(op, m.sh.tl)
	after := m.sh.cursor()
	switch op.Action {
	case ActNextAlert, ActPrevAlert:
		if after == beforeCur {
			m.setStatus(m.noAlertMessage(op.Action, beforeCur), false)
			return
		}
		// An alert is about its edges: show them.
		m.overlays = nil
		m.setFocus(paneEdges)
	case ActNextMark, ActPrevMark:
		m.matchMoved(after == beforeCur, op.Action == ActNextMark)
	case ActSize:
		if m.sh.nav.Size != before.Size {
			m.setStatus(fmt.Sprintf("%s windows (window %d covers the same moment)", fmtSize(m.sh.data.Size(m.sh.nav.Size)), after), true)
		}
	case ActJump:
		if n := m.sh.data.Len(m.sh.nav.Size); n > 0 {
			if v, err := strconv.Atoi(before.Digits); err == nil && v >= n {
				m.setStatus(fmt.Sprintf("there are %s: went to the last one, %d", plural(n, "window"), n-1), false)
			}
		}
	}
}

// noAlertMessage says why n or N did not move, and that more may come
// while the analysis runs.
func (m *Model) noAlertMessage(a Action, cur int) string {
	d := m.sh.data
	if m.sh.current() == nil || d.Len(m.sh.nav.Size) == 0 {
		return "no window is scored yet: the analysis is still running (" + d.progress.Phase.String() + ")"
	}
	dir := "after"
	if a == ActPrevAlert {
		dir = "before"
	}
	msg := fmt.Sprintf("no alert %s window %d at threshold %s", dir, cur, fmtScore(m.sh.threshold()))
	if !d.done && a == ActNextAlert {
		msg += " yet: the analysis is still running"
	}
	return msg
}

func (m *Model) setStatus(s string, ok bool) {
	m.status, m.statusOK = s, ok
	if s != "" {
		m.lastStatus = s
	}
}

func (m *Model) quit() tea.Cmd {
	m.quitting = true
	if m.run != nil {
		m.run.cancel()
	}
	return tea.Quit
}

func (m *Model) cycleTheme() {
	if m.cfg.NoColor {
		m.setStatus("NO_COLOR is set: colours stay off", false)
		return
	}
	t := themes.Next(m.sh.styles.Theme.Name)
	m.setTheme(t)
	m.setStatus("theme "+t.Name+": "+t.Description, true)
}

// setTheme rebuilds every style from t.
func (m *Model) setTheme(t themes.Theme) {
	m.sh.styles = NewStyles(t)
	m.sh.themeGen++
	m.footer.Styles = m.sh.styles.Help
	m.header.restyle()
	m.edges.restyle()
	m.prompt.restyle()
	for _, o := range m.overlays {
		if r, ok := o.(interface{ restyle() }); ok {
			r.restyle()
		}
	}
}
