package tui

import (
	"fmt"
	"math"
	"strings"

	"github.com/mimir-tui/mimir-tui/loaders/units"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mimir-tui/mimir-tui/engine"
)

// maxDrivers is how many score contributions the detail lists.
const maxDrivers = 8

// detailKey is what the detail's content depends on.
type detailKey struct {
	w       *engine.WindowResult
	sd      *seriesData
	version uint64
	th      float64
	width   int
	theme   int
}

// detailPane shows the cursor window: its time range, packets, bytes,
// score against the threshold, and the features that drive the score. (Its
// service graph is the graph pane.) It scrolls.
type detailPane struct{ scrollPane }

func newDetailPane(sh *shared) *detailPane {
	return &detailPane{newScrollPane(sh)}
}

func (p *detailPane) Update(msg tea.Msg) (*detailPane, tea.Cmd) {
	scroll(&p.vp, p.sh.keys, msg)
	return p, nil
}

// scrollPane is what the detail and graph panes share: a title line over
// a scrolling viewport of content rebuilt when its key changes.
type scrollPane struct {
	sh            *shared
	width, height int
	focused       bool
	vp            viewport.Model
	key           detailKey
}

func newScrollPane(sh *shared) scrollPane {
	vp := viewport.New()
	vp.MouseWheelEnabled = false
	vp.FillHeight = true
	return scrollPane{sh: sh, vp: vp}
}

func (p *scrollPane) SetSize(w, h int) {
	p.width, p.height = w, h
	p.vp.SetWidth(w)
	p.vp.SetHeight(max(h-1, 1))
}

func (p *scrollPane) Keys() []key.Binding {
	return []key.Binding{p.sh.keys.Up, p.sh.keys.Down}
}

// sync rebuilds the content when the window, threshold, width or theme
// changed; a new window scrolls back to the top.
func (p *detailPane) sync() {
	sd := p.sh.current()
	w := p.sh.window()
	k := detailKey{w: w, sd: sd, th: p.sh.threshold(), width: p.width, theme: p.sh.themeGen}
	if sd != nil {
		k.version = sd.version
	}
	if k == p.key {
		return
	}
	if k.w != p.key.w {
		p.vp.GotoTop()
	}
	p.key = k
	p.vp.SetContent(strings.Join(p.content(sd, w, k.th), "\n"))
}

func (p *detailPane) View() string {
	st := p.sh.styles
	title := "window"
	if w := p.sh.window(); w != nil {
		title = fmt.Sprintf("window %d", w.Index)
	}
	head := st.paneTitle(title, p.focused) + st.Muted.Render(" · detail")
	if !p.vp.AtTop() || !p.vp.AtBottom() {
		head += st.Muted.Render(fmt.Sprintf(" · %3.0f%%", p.vp.ScrollPercent()*100))
	}
	return truncateStyled(head, p.width) + "\n" + p.vp.View()
}

func (p *detailPane) content(sd *seriesData, w *engine.WindowResult, th float64) []string {
	st := p.sh.styles
	if sd == nil || w == nil {
		return []string{st.Muted.Render("no window analysed yet")}
	}
	var lines []string
	add := func(s string) { lines = append(lines, truncateStyled(s, p.width)) }

	t0 := w.Start
	if p.sh.data.inputs != nil {
		t0 = p.sh.data.inputs.Start
	}
	add(st.Text.Render(fmt.Sprintf("%s–%s UTC", w.Start.UTC().Format("2006-01-02 15:04:05"), w.End.UTC().Format("15:04:05"))) +
		st.Muted.Render(fmt.Sprintf(" (%s, %s)", fmtRel(w.Start.Sub(t0)), fmtSize(sd.size))))

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
	add(verdict + "  " + st.Text.Render("score "+fmtScore(w.Score)) + st.Muted.Render(" "+cmp+" ") +
		st.Warning.Render("threshold "+fmtScore(th)) + st.Muted.Render("   Ide "+fmtScore(w.IdeScore)))

	facts := fmt.Sprintf("%s packets · %s", humanCount(w.Packets), units.Bytes(float64(w.Bytes)))
	tags := ""
	if w.Baseline {
		tags += " " + st.Baseline.Render("[baseline ░]")
	}
	if w.Partial {
		tags += " " + st.Muted.Render(fmt.Sprintf("[partial %.0f%%]", 100*w.Coverage))
	}
	if w.AllowlistAlert {
		tags += " " + st.Warning.Render("[allow-list: new pair]")
	}
	add(st.Text.Render(facts) + tags)

	lines = append(lines, "")
	add(st.PaneTitle.Render("drivers of the score") + st.Muted.Render(" · contribution = weight × z"))
	if p.sh.loading() {
		add(st.Muted.Render("  reading the window's details…"))
		return lines
	}
	if len(w.Contributions) == 0 {
		add(st.Muted.Render("  no feature moves this score"))
		return lines
	}
	descs := map[string]string{}
	for _, f := range sd.info.Features {
		descs[f.Name] = f.Description
	}
	for i, c := range w.Contributions {
		if i == maxDrivers {
			add(st.Muted.Render(fmt.Sprintf("  … %d more", len(w.Contributions)-maxDrivers)))
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
		add("  " + sign.Render(padLeft(fmtContrib(c.Contrib), 6)) + "  " + st.Text.Render(name))
		facts := fmt.Sprintf("z %s · value %s · baseline median %s", compact(c.Z), compact(c.Value), compact(c.Median))
		for _, l := range wrapIndent(facts, p.width, 10) {
			add(st.Muted.Render(l))
		}
		for _, l := range wrapIndent(desc, p.width, 10) {
			add(st.Muted.Render(l))
		}
	}
	return lines
}

// whyNoAlert says why a window cannot alert at any threshold.
func whyNoAlert(w *engine.WindowResult) string {
	switch {
	case w.Baseline:
		return "baseline window: assumed benign, never alerts"
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

// fmtContrib shows a contribution with its sign; tiny ones in exponent
// form rather than as a misleading "-0.00".
func fmtContrib(c float64) string {
	if c != 0 && math.Abs(c) < 0.005 {
		return fmt.Sprintf("%+.0e", c)
	}
	return fmt.Sprintf("%+.2f", c)
}
