package tui

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/export"
)

// alertSort is the order of the alerts list.
type alertSort int

const (
	alertsByTime     alertSort = iota // earliest first
	alertsByPeak                      // highest peak score first
	alertsByDuration                  // longest first
	alertsByVerdict                   // no verdict first, then unsure, false positive, confirmed
	numAlertSorts
)

func (s alertSort) String() string {
	return [...]string{"time ↑", "peak ↓", "duration ↓", "verdict"}[s]
}

// intervalsKey is what the list's intervals depend on.
type intervalsKey struct {
	sd      *seriesData
	version uint64
	th      float64
}

// intervalsMsg brings the intervals read off the update loop, and the
// new workloads learned.
type intervalsMsg struct {
	key  intervalsKey
	rows []alertRow
	err  error
}

// learnedEvent is a new workload's pairs a window was the first to show,
// learned into the baseline instead of alarmed: a row of the alerts list.
type learnedEvent struct {
	window   int
	start    time.Time
	workload string
	pairs    []engine.LearnedPair
}

// learnedEvents gathers the learned pairs of windows, a row per window and
// workload.
func learnedEvents(windows []*engine.WindowResult) []alertRow {
	var out []alertRow
	for _, w := range windows {
		if w == nil || len(w.Learned) == 0 {
			continue
		}
		at := map[string]*learnedEvent{}
		for _, l := range w.Learned {
			ev := at[l.Workload]
			if ev == nil {
				ev = &learnedEvent{window: w.Index, start: w.Start, workload: l.Workload}
				at[l.Workload] = ev
				out = append(out, alertRow{learned: ev})
			}
			ev.pairs = append(ev.pairs, l)
		}
	}
	return out
}

// alertsPane lists every flagged interval of the current window size at
// the current threshold: start, end, duration, windows, peak score,
// verdict, top edge, services — the intervals that carry a verdict but no
// longer alert (folded into the baseline, or under the threshold), marked,
// and the new workloads whose pairs were learned instead of alarmed. s sorts, enter goes to the interval's peak
// window (its flagged edges focused), space shows a row in full, v gives a
// verdict, x writes the packets of its top edge over the interval.
type alertsPane struct {
	sh      *shared
	list    listView
	rows    []alertRow // the flagged intervals and learned workloads read
	judged  []alertRow // the intervals with a verdict that do not alert
	key     intervalsKey
	pending intervalsKey
	rowsKey [4]int // sort, width, theme, verdicts of the drawn rows
	err     error
	sortBy  alertSort
	loaded  bool
}

func newAlertsPane(sh *shared) *alertsPane {
	p := &alertsPane{sh: sh, list: newListView(sh)}
	p.list.focused = true
	return p
}

// openAlerts opens the alerts list.
func (m *Model) openAlerts() tea.Cmd {
	if sd := m.sh.current(); sd == nil || !sd.hasInfo {
		m.setStatus("no alerts yet: the model is not ready", false)
		return nil
	}
	m.push(newAlertsPane(m.sh))
	return nil
}

func (p *alertsPane) SetSize(w, h int) { p.list.SetSize(w, h-1) }

func (p *alertsPane) Keys() []key.Binding {
	k := p.sh.keys
	return []key.Binding{k.Up, k.Down, relabel(k.Enter, "⏎", "go to its peak"), k.Full, k.Sort,
		relabel(key.NewBinding(key.WithKeys(append(k.Back.Keys(), k.Alerts.Keys()...)...)), "esc/a", "close")}
}

// hints are the application keys that act on the selected interval.
func (p *alertsPane) hints() []key.Binding {
	k := p.sh.keys
	return []key.Binding{relabel(k.Verdict, "v", "verdict"), relabel(k.Packets, "x", "packets"), relabel(k.Copy, "y", "copy")}
}

func (p *alertsPane) Update(msg tea.Msg) tea.Cmd {
	k := p.sh.keys
	switch msg := msg.(type) {
	case intervalsMsg:
		p.take(msg)
		return nil
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Alerts):
			return p.sh.post(closeMsg{})
		case key.Matches(msg, k.Sort):
			p.sortBy = (p.sortBy + 1) % numAlertSorts
			p.sync()
			return nil
		}
	}
	cmd, _ := p.list.overlayKeys(msg, "flagged interval", func(r row) tea.Msg {
		switch a := r.value.(alertRow); {
		case a.learned != nil:
			return gotoMsg{window: a.learned.window}
		case a.judged:
			return gotoMsg{window: a.iv.FirstWindow}
		}
		return gotoMsg{window: r.value.(alertRow).iv.PeakWindow, edges: true}
	})
	return cmd
}

func (p *alertsPane) click(_, y int) tea.Cmd { p.list.click(y - 1); return nil }

func (p *alertsPane) selection() selection {
	r, ok := p.list.selected()
	if !ok {
		return selection{}
	}
	a := r.value.(alertRow)
	if a.learned != nil {
		return selection{copies: r.copy}
	}
	iv := a.iv
	s := selection{interval: &iv, copies: r.copy}
	if a.top != nil {
		s.edge, s.from, s.to = a.top, iv.Start, iv.End
		s.scope = windowSpan(iv.FirstWindow, iv.LastWindow)
	}
	return s
}

// background reads the intervals when the data or the threshold changed
// (while the run streams, again as soon as the last read is in).
func (p *alertsPane) background() tea.Cmd {
	sd := p.sh.current()
	if sd == nil {
		return nil
	}
	k := intervalsKey{sd: sd, version: sd.version, th: p.sh.threshold()}
	if sameIntervals(k, p.key) && p.loaded || p.pending.sd != nil {
		return nil
	}
	p.pending = k
	windows := slices.Clone(sd.windows)
	store := p.sh.store
	return func() tea.Msg {
		rows, err := mergeIntervals(store, windows, sd.size, k.th)
		return intervalsMsg{key: k, rows: append(rows, learnedEvents(windows)...), err: err}
	}
}

func sameIntervals(a, b intervalsKey) bool {
	return a.sd == b.sd && a.version == b.version && (a.th == b.th || math.IsNaN(a.th) && math.IsNaN(b.th))
}

func (p *alertsPane) take(msg intervalsMsg) {
	p.pending = intervalsKey{}
	p.key, p.rows, p.err, p.loaded = msg.key, msg.rows, msg.err, true
	p.rowsKey = [4]int{}
	p.sync()
}

// sync draws the rows when the intervals, the sort, the width, the theme
// or the verdicts changed; the selection stays on its interval.
func (p *alertsPane) sync() {
	k := [4]int{int(p.sortBy), p.list.width, p.sh.themeGen, p.sh.verdicts.version}
	if k == p.rowsKey || !p.loaded {
		return
	}
	p.rowsKey = k
	var was time.Time
	if r, ok := p.list.selected(); ok {
		was = r.value.(alertRow).start()
	}
	p.judged = judgedRows(p.key.sd, p.sh.verdicts, p.rows)
	rows := sortAlerts(append(slices.Clone(p.rows), p.judged...), p.sortBy, p.sh.verdicts)
	c := newAlertColumns(p.list.width - 1)
	p.list.header = []string{p.sh.styles.PaneTitle.Render(c.line("start", "end", "length", "win", "peak", "verdict", "top edge", "services"))}
	out := make([]row, len(rows))
	sel := -1
	for i, a := range rows {
		out[i] = p.row(a, c)
		if a.start().Equal(was) {
			sel = i
		}
	}
	p.list.setRows(out, true)
	if sel >= 0 {
		p.list.sel = sel
		p.list.scrollTo()
	}
}

// start is when the row's interval or learning starts.
func (a alertRow) start() time.Time {
	if a.learned != nil {
		return a.learned.start
	}
	return a.iv.Start
}

// sortAlerts orders the rows — the learned workloads after the intervals
// but by time; ties keep time order.
func sortAlerts(rows []alertRow, by alertSort, vb *verdictBook) []alertRow {
	out := slices.Clone(rows)
	rank := func(a alertRow) int {
		if a.learned != nil {
			return 4
		}
		v, _, ok := vb.of(&a.iv)
		if !ok {
			return 0
		}
		return map[string]int{export.Unsure: 1, export.FalsePositive: 2, export.Confirmed: 3}[v.Verdict]
	}
	slices.SortStableFunc(out, func(a, b alertRow) int {
		learned := cmp.Compare(boolInt(a.learned != nil), boolInt(b.learned != nil))
		switch by {
		case alertsByTime:
			return a.start().Compare(b.start())
		case alertsByPeak:
			return cmp.Or(learned, cmp.Compare(b.iv.PeakScore, a.iv.PeakScore))
		case alertsByDuration:
			return cmp.Or(learned, cmp.Compare(b.iv.End.Sub(b.iv.Start), a.iv.End.Sub(a.iv.Start)))
		}
		return cmp.Compare(rank(a), rank(b))
	})
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// alertColumns fit the list's columns to a width.
type alertColumns struct{ edge, services int }

func newAlertColumns(w int) alertColumns {
	rest := max(w-(8+1+8+1+6+1+4+1+6+1+15+1), 20)
	edge := min(max(rest/2, 12), 30)
	return alertColumns{edge: edge, services: max(rest-edge-1, 4)}
}

func (c alertColumns) line(start, end, length, win, peak, verdict, edge, services string) string {
	return fit(start, 8) + " " + fit(end, 8) + " " + padLeft(length, 6) + " " + padLeft(win, 4) + " " + padLeft(peak, 6) + " " +
		fit(verdict, 15) + " " + fit(edge, c.edge) + " " + services
}

func (p *alertsPane) row(a alertRow, c alertColumns) row {
	if a.learned != nil {
		return p.learnedRow(a, c)
	}
	st := p.sh.styles
	iv := a.iv
	top := "—"
	var copies []copyable
	if a.top != nil {
		top = export.EdgeName(a.top.Src, a.top.Dst)
		copies = append(copies, copyable{"top edge", top})
	}
	topCol := top
	if a.judged {
		topCol = judgedNote(a)
	}
	verdict, vtext := "—", "no verdict yet (v)"
	if v, exact, ok := p.sh.verdicts.of(&iv); ok {
		verdict = verdictLabel(v.Verdict, exact)
		vtext = verdict
		if v.Note != "" {
			vtext += ": " + v.Note
		}
	}
	length := fmtDuration(iv.End.Sub(iv.Start))
	services := strings.Join(iv.Services, ", ")
	win := fmt.Sprint(iv.Windows)
	if iv.Partial {
		win += "◌"
	}
	text := c.line(iv.Start.UTC().Format("15:04:05"), iv.End.UTC().Format("15:04:05"), length, win,
		fmtScore(iv.PeakScore), verdict, topCol, services)
	full := fmt.Sprintf("%s–%s UTC (%s, %s of %s)\npeak score %s in window %d\nverdict: %s\ntop edge: %s\nedges: %s\nservices: %s",
		iv.Start.UTC().Format("2006-01-02 15:04:05"), iv.End.UTC().Format("15:04:05"), length, windowSpan(iv.FirstWindow, iv.LastWindow),
		fmtSize(time.Duration(iv.SizeSeconds*float64(time.Second))), fmtScore(iv.PeakScore), iv.PeakWindow, vtext, top,
		strings.Join(iv.Edges, ", "), services)
	if iv.Partial {
		full += "\n◌ partial: the capture ends inside its last window, which covers less time"
	}
	copies = append(copies, copyable{"services", services}, copyable{"time range", timeRange(iv.Start, iv.End)})
	style := st.Text
	if v, _, ok := p.sh.verdicts.of(&iv); ok {
		style = verdictStyle(st, v.Verdict)
	}
	if a.judged {
		// Listed for its verdict, dimmed: it does not alert.
		full += "\n" + judgedWhy(a)
		style = st.Muted
	}
	return row{text: style.Render(text), full: full, copy: copies, value: a}
}

// learnedRow is a new workload learned: when, its pairs, and until when.
func (p *alertsPane) learnedRow(a alertRow, c alertColumns) row {
	ev := a.learned
	names := make([]string, len(ev.pairs))
	for i, l := range ev.pairs {
		names[i] = l.Pair
	}
	until := ev.pairs[0].Until
	text := c.line(ev.start.UTC().Format("15:04:05"), until.UTC().Format("15:04:05"), "", "1", "—", "◇ learned",
		strings.Join(names, ", "), ev.workload)
	full := fmt.Sprintf("new workload %s, appeared %s: learned, not alarmed, until %s UTC\nfirst seen in window %d: %s",
		ev.workload, ev.pairs[0].Appeared.UTC().Format("2006-01-02 15:04:05"), until.UTC().Format("15:04:05"), ev.window,
		strings.Join(names, ", "))
	copies := []copyable{{"workload", ev.workload}}
	for _, n := range names {
		copies = append(copies, copyable{"pair", n})
	}
	return row{text: p.sh.styles.Baseline.Render(text), full: full, copy: copies, value: a}
}

func (p *alertsPane) View() string {
	st := p.sh.styles
	head := st.Focused.Render("flagged intervals")
	sd := p.sh.current()
	switch {
	case p.err != nil:
		return truncateStyled(head, p.list.width) + "\n" + st.Warning.Render("! "+p.err.Error())
	case !p.loaded || sd == nil:
		return truncateStyled(head, p.list.width) + "\n" + st.Muted.Render("reading the flagged windows…")
	}
	learned, partial := 0, false
	for _, r := range append(slices.Clone(p.rows), p.judged...) {
		if r.learned != nil {
			learned++
		}
		partial = partial || r.learned == nil && r.iv.Partial
	}
	head += st.Muted.Render(fmt.Sprintf(" · %s at threshold %s", plural(len(p.rows)-learned, "interval"), fmtScore(p.key.th)))
	if len(p.judged) > 0 {
		head += st.Muted.Render(" · " + plural(len(p.judged), "judged interval") + " not alerting")
	}
	if learned > 0 {
		head += st.Muted.Render(" · " + plural(learned, "new workload") + " learned")
	}
	head += st.Muted.Render(fmt.Sprintf(" · %s windows · sort %s · ⏎ go to its peak", fmtSize(sd.size), p.sortBy))
	if partial {
		head += st.Muted.Render(" · ◌ holds a partial window")
	}
	if p.list.len() == 0 {
		return truncateStyled(head, p.list.width) + "\n" + st.OK.Render("○ no window alerts at this threshold") +
			"\n" + st.Muted.Render("  -: lower the threshold")
	}
	return truncateStyled(head, p.list.width) + "\n" + p.list.View()
}

// judgedNote is what the top-edge column of a judged interval says.
func judgedNote(a alertRow) string {
	if a.folded {
		return "folded: no alert"
	}
	return "no alert now"
}

// judgedWhy says why a judged interval does not alert, and what v does.
func judgedWhy(a alertRow) string {
	if a.folded {
		return "folded: judged a false positive, what drove it is folded into the baseline and its windows no longer alert; " +
			"v changes the verdict (another one rescores without the fold)"
	}
	return "no alert now: its windows do not alert at this threshold; v changes the verdict"
}
