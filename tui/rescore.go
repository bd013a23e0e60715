package tui

import (
	"slices"

	tea "charm.land/bubbletea/v2"

	"github.com/mimir-tui/mimir-tui/engine"
)

// falsePositives are the intervals the book judges false positives.
func (b *verdictBook) falsePositives() []engine.Suppression { return b.v.FalsePositives() }

// rescoreIfChanged makes the analysis again when the false positives
// differ from those the current run folded in.
func (m *Model) rescoreIfChanged() tea.Cmd {
	if m.cfg.Rescore == nil {
		return nil
	}
	fp := m.sh.verdicts.falsePositives()
	if slices.EqualFunc(fp, m.folded, func(a, b engine.Suppression) bool { return a.Start.Equal(b.Start) && a.End.Equal(b.End) }) {
		return nil
	}
	return m.restart(m.cfg.Rescore(fp), fp)
}

// restart replaces the analysis with r, which folds the false positives
// fp: the run in progress is stopped, the windows and their details are
// dropped, and the explorer starts afresh on r — keeping the analyst's
// place (size, cursor, thresholds moved), theme, layout and verdicts.
func (m *Model) restart(r Runner, fp []engine.Suppression) tea.Cmd {
	if m.run != nil {
		m.run.stop()
	}
	m.sh.store.close()
	cfg := m.cfg
	cfg.Runner = r
	fresh := New(m.ctx, cfg)
	fresh.sh.verdicts = m.sh.verdicts
	fresh.sh.nav = m.sh.nav
	fresh.lay = m.lay
	fresh.layout()
	fresh.folded = fp
	theme := m.sh.styles
	*m = *fresh
	if theme != nil && theme != m.sh.styles {
		m.sh.styles = theme
		m.footer.Styles = theme.Help
		m.header.restyle()
		m.edges.restyle()
		m.prompt.restyle()
	}
	msg := "rescoring with " + plural(len(fp), "interval") + " judged false positive folded into the baseline"
	if len(fp) == 0 {
		msg = "rescoring with no interval folded into the baseline: none is judged a false positive now"
	}
	m.setStatus(msg, true)
	return m.Init()
}
