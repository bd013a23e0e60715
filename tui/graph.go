package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mimir-tui/mimir-tui/loaders/units"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/mimir-tui/mimir-tui/engine"
)

// serviceGraph renders a window's service graph as an adjacency list: one
// group per source (busiest first), one line per destination (largest
// first) with its bytes. Edges to or from outside carry [OUT] and new
// pairs [NEW], in colour and in text. It stays readable at 80 columns:
// names are truncated to fit.
func serviceGraph(edges []engine.Edge, width int, st *Styles) []string {
	if len(edges) == 0 {
		return []string{st.Muted.Render("  no traffic in this window")}
	}
	type group struct {
		src   string
		total uint64
		out   []engine.Edge
	}
	bySrc := map[string]*group{}
	var groups []*group
	for _, e := range edges {
		g := bySrc[e.Src]
		if g == nil {
			g = &group{src: e.Src}
			bySrc[e.Src] = g
			groups = append(groups, g)
		}
		g.total += e.Bytes
		g.out = append(g.out, e)
	}
	sort.SliceStable(groups, func(i, j int) bool {
		if groups[i].total != groups[j].total {
			return groups[i].total > groups[j].total
		}
		return groups[i].src < groups[j].src
	})
	nameW := 4
	for _, e := range edges {
		nameW = max(nameW, len([]rune(e.Src)), len([]rune(e.Dst)))
	}
	// "  src ─▶ dst  bytes [NEW] [OUT]": 2 + n + 4 + n + 1 + 9 + 12.
	nameW = min(nameW, max(6, (width-28)/2))
	var lines []string
	for _, g := range groups {
		sort.SliceStable(g.out, func(i, j int) bool {
			if g.out[i].Bytes != g.out[j].Bytes {
				return g.out[i].Bytes > g.out[j].Bytes
			}
			return g.out[i].Dst < g.out[j].Dst
		})
		for i, e := range g.out {
			src := strings.Repeat(" ", nameW)
			if i == 0 {
				src = fit(e.Src, nameW)
			}
			line := "  " + st.Text.Render(src) + st.Muted.Render(" ─▶ ") +
				st.Text.Render(fit(e.Dst, nameW)) + " " + st.Muted.Render(padLeft(units.Bytes(float64(e.Bytes)), 9))
			if e.New {
				line += " " + st.Warning.Render("[NEW]")
			}
			if e.Outside {
				line += " " + st.Alert.Render("[OUT]")
			}
			if e.Infra {
				line += " " + st.Muted.Render("[infra: not scored]")
			}
			lines = append(lines, truncateStyled(line, width))
		}
	}
	return lines
}

// graphPane shows the cursor window's service graph; it scrolls.
type graphPane struct{ scrollPane }

func newGraphPane(sh *shared) *graphPane {
	return &graphPane{newScrollPane(sh)}
}

func (p *graphPane) Update(msg tea.Msg) (*graphPane, tea.Cmd) {
	scroll(&p.vp, p.sh.keys, msg)
	return p, nil
}

func (p *graphPane) sync() {
	w := p.sh.window()
	k := detailKey{w: w, width: p.width, theme: p.sh.themeGen}
	if k == p.key {
		return
	}
	if k.w != p.key.w {
		p.vp.GotoTop()
	}
	p.key = k
	var lines []string
	switch {
	case w == nil:
		lines = []string{p.sh.styles.Muted.Render("no window analysed yet")}
	case p.sh.loading():
		lines = []string{p.sh.styles.Muted.Render("reading the window's details…")}
	default:
		lines = serviceGraph(w.Edges, p.width, p.sh.styles)
	}
	p.vp.SetContent(strings.Join(lines, "\n"))
}

func (p *graphPane) View() string {
	st := p.sh.styles
	head := st.paneTitle("service graph", p.focused)
	if w := p.sh.window(); w != nil && !p.sh.loading() {
		head += st.Muted.Render(fmt.Sprintf(" · window %d · %d edges · who sends whom how many bytes", w.Index, len(w.Edges)))
	}
	return truncateStyled(head, p.width) + "\n" + p.vp.View()
}

// scroll moves a viewport with the key map's up/down and the mouse wheel.
func scroll(vp *viewport.Model, k *KeyMap, msg tea.Msg) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Up):
			vp.ScrollUp(1)
		case key.Matches(msg, k.Down):
			vp.ScrollDown(1)
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			vp.ScrollUp(3)
		case tea.MouseWheelDown:
			vp.ScrollDown(3)
		}
	}
}
