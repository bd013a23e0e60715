package tui

import (
	"context"
	"log/slog"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/themes"
)

// Model is the explorer's root model. It routes messages to its
// components — through the mode stack for keys — and lays them out; the
// components own their state.
type Model struct {
	cfg  Config
	ctx  context.Context
	log  *slog.Logger
	sh   *shared
	keys KeyMap

	lay layout

	header *headerPane
	chart  *chartPane
	detail *detailPane
	edges  *edgesPane
	graph  *graphPane
	prompt *promptPane
	footer help.Model

	// focus is the focused lower pane; overlays is the stack of what
	// covers the screen, the top last.
	focus    pane
	overlays []component
	status   string
	statusOK bool
	// lastStatus is the last message, after a key has cleared it (i).
	lastStatus string

	run      *run
	folded   []engine.Suppression // the false positives the run folds in
	quitting bool
	started  time.Time // when Init started the run; zero in tests that feed events
	spin     int
}

// tickMsg animates the header while the run works, so a long phase that
// sends no progress (training) does not look frozen.
type tickMsg struct{}

const tickEvery = 250 * time.Millisecond

func tick() tea.Cmd { return tea.Tick(tickEvery, func(time.Time) tea.Msg { return tickMsg{} }) }

// New returns the explorer for cfg. Its Init starts the runner.
func New(ctx context.Context, cfg Config) *Model {
	cfg = withDefaults(cfg)
	if ctx == nil {
		ctx = context.Background()
	}
	m := &Model{cfg: cfg, ctx: ctx, log: cfg.Logger, keys: DefaultKeyMap()}
	m.sh = &shared{data: &dataset{}, nav: NewNav(0), styles: NewStyles(cfg.Theme), keys: &m.keys,
		store: newDetailStore(cfg.TempDir), cache: newDetailCache(), index: newSearchIndex()}
	m.sh.tl = timeline{dataset: m.sh.data, page: m.page, mark: m.sh.nextMatch}
	m.sh.nav.Tail = cfg.Follow
	var verr error
	capture := ""
	if cfg.Source != nil {
		capture = cfg.Source.Capture.Name
		if len(cfg.Source.Captures) > 0 {
			capture = cfg.Source.Captures[0].Name
		}
	}
	m.sh.verdicts, verr = openVerdicts(cfg.VerdictsPath, capture)
	m.header = newHeaderPane(m.sh, cfg)
	m.chart = newChartPane(m.sh)
	m.detail = newDetailPane(m.sh)
	m.edges = newEdgesPane(m.sh)
	m.graph = newGraphPane(m.sh)
	m.prompt = newPromptPane(m.sh)
	m.footer = help.New()
	m.footer.Styles = m.sh.styles.Help
	m.lay.width, m.lay.height = 80, 24 // until the terminal says otherwise
	m.layout()
	m.setFocus(paneDetail)
	if verr != nil {
		m.setStatus(verr.Error(), false)
	}
	// The first run folds the verdicts already given (the caller reads the
	// same file): a new one rescores only when they change.
	m.folded = m.sh.verdicts.falsePositives()
	return m
}

// page is the page size for size s: ten chart columns.
func (m *Model) page(s int) int {
	if s < 0 || s >= len(m.sh.data.series) {
		return 10
	}
	return m.chart.page(m.sh.data.series[s])
}

// Init starts the analysis in its goroutine and the command that reads
// its events.
func (m *Model) Init() tea.Cmd {
	var cmds []tea.Cmd
	if m.cfg.Runner != nil && m.run == nil {
		m.run = start(m.ctx, m.cfg.Runner, m.log)
		m.started = time.Now()
		m.header.clock = func() (time.Duration, int) {
			if m.started.IsZero() {
				return 0, -1
			}
			return time.Since(m.started), m.spin
		}
		cmds = append(cmds, m.run.wait(), tick())
	}
	if !m.cfg.ThemeSet && !m.cfg.NoColor {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

// Stop cancels the analysis and waits up to timeout for its goroutine to
// end. Run calls it after the program exits.
func (m *Model) Stop(timeout time.Duration) {
	defer m.sh.store.close()
	if m.run == nil {
		return
	}
	done := make(chan struct{})
	go func() { m.run.stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		m.log.Warn("the analysis did not stop in time; leaving it behind", "timeout", timeout)
	}
}

// Err is the analysis error, if the run failed (not if it was cancelled).
func (m *Model) Err() error {
	if err := m.sh.data.err; err != nil && !canceled(err) {
		return err
	}
	return nil
}

// Done reports whether the analysis has finished.
func (m *Model) Done() bool { return m.sh.data.done }

func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmds := []tea.Cmd{m.route(msg)}
	for len(m.sh.intents) > 0 {
		it := m.sh.intents[0]
		m.sh.intents = m.sh.intents[1:]
		cmds = append(cmds, m.route(it))
	}
	m.layout()
	m.sync()
	return m, tea.Batch(append(cmds, m.background())...)
}

// background starts the reads the screen waits for: the cursor window's
// details, and what the overlays show (an edge's bytes over time, the
// intervals, the bytes of search matches).
func (m *Model) background() tea.Cmd {
	cmds := []tea.Cmd{m.loadCursor()}
	for _, o := range m.overlays {
		if b, ok := o.(interface{ background() tea.Cmd }); ok {
			cmds = append(cmds, b.background())
		}
	}
	return tea.Batch(cmds...)
}

// loadCursor reads the cursor window's details, when they are not in
// memory, off the update loop.
func (m *Model) loadCursor() tea.Cmd {
	w := m.sh.slimCursor()
	if w == nil || !m.sh.loading() {
		return nil
	}
	k := windowKey{w.Size, w.Index}
	if m.sh.cache.inFlight[k] {
		return nil
	}
	m.sh.cache.inFlight[k] = true
	return m.sh.store.loadDetails(w)
}

// route sends msg where it belongs.
func (m *Model) route(msg tea.Msg) tea.Cmd {
	if cmd, ok := m.routeRun(msg); ok {
		return cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.lay.width, m.lay.height = msg.Width, msg.Height
	case tea.BackgroundColorMsg:
		if !m.cfg.ThemeSet && !m.cfg.NoColor && !msg.IsDark() && m.sh.styles.Theme.Name == "dark" {
			m.setTheme(themes.Light())
		}
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.MouseClickMsg:
		return m.click(msg)
	case tea.MouseWheelMsg:
		return m.wheel(msg)
	default:
		if cmd, ok := m.routeAction(msg); ok {
			return cmd
		}
		return m.toTyping(msg)
	}
	return nil
}

// routeRun handles the analysis' messages.
func (m *Model) routeRun(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case eventsMsg:
		m.feed(msg.events)
		if m.run != nil {
			return m.run.wait(), true
		}
		return nil, true
	case detailsMsg:
		if msg.err != nil {
			delete(m.sh.cache.inFlight, msg.key)
			m.log.Error("window details", "err", msg.err)
			m.setStatus(msg.err.Error(), false)
			return nil, true
		}
		m.sh.cache.add(msg.key, msg.w)
		return nil, true
	case runDoneMsg:
		return m.finish(msg.res, msg.err), true
	case revisedMsg:
		if msg.err != nil {
			m.setStatus(msg.err.Error(), false)
		} else {
			m.setStatus(msg.text, true)
		}
		return nil, true
	case tickMsg:
		if m.sh.data.done || m.quitting {
			return nil, true
		}
		m.spin++
		return tick(), true
	}
	return nil, false
}

// toTyping gives anything else (a text input's own messages, a read an
// overlay waits for) to the prompt, the overlays and the focused pane.
func (m *Model) toTyping(msg tea.Msg) tea.Cmd {
	cmds := []tea.Cmd{}
	if m.prompt.active() {
		cmds = append(cmds, m.prompt.Update(msg))
	}
	for _, o := range m.overlays {
		cmds = append(cmds, o.Update(msg))
	}
	if m.edges.capturing() {
		cmds = append(cmds, m.edges.Update(msg))
	}
	return tea.Batch(cmds...)
}

// feed records engine events.
func (m *Model) feed(events []engine.Event) {
	d := m.sh.data
	for _, ev := range events {
		if wd, ok := ev.(*engine.WindowDone); ok && wd.Window != nil {
			// The details go to the store (and their names to the search
			// index); memory keeps the rest.
			m.sh.index.add(wd.Window)
			ev = &engine.WindowDone{Window: m.sh.store.slim(wd.Window)}
		}
		d.apply(ev)
		if w, ok := ev.(*engine.Warning); ok {
			m.log.Warn("analysis warning", "message", w.Message, "setting", w.Setting, "severe", w.Severe)
		}
	}
	m.growNav()
}

// finish records the run's outcome, and has the model's revision kept
// (Config.Revised) when the run made one.
func (m *Model) finish(res *engine.Result, err error) tea.Cmd {
	m.sh.data.finish(res, err)
	m.growNav()
	if err != nil && !canceled(err) {
		m.log.Error("analysis failed", "err", err)
	}
	if err != nil || res == nil || res.Revised == nil || m.cfg.Revised == nil {
		return nil
	}
	keep, rev, n := m.cfg.Revised, res.Revised, len(m.folded)
	return func() tea.Msg {
		text, err := keep(rev, n)
		return revisedMsg{text: text, err: err}
	}
}

// revisedMsg says where the model's revision was kept.
type revisedMsg struct {
	text string
	err  error
}

// growNav gives every known size a cursor and a threshold slot, and
// moves a tailing cursor to the newest window.
func (m *Model) growNav() {
	if len(m.sh.nav.Cursor) < m.sh.data.NumSizes() || m.sh.nav.Tail {
		m.sh.nav = m.sh.nav.Apply(Op{Action: ActGrow}, m.sh.tl)
	}
}

// sync brings the alert summary and the panes up to date with the data,
// the cursor and the threshold. Each pane only rebuilds what changed.
func (m *Model) sync() {
	m.sh.updateSummary()
	m.detail.sync()
	m.edges.sync()
	m.graph.sync()
	for _, o := range m.overlays {
		if s, ok := o.(interface{ sync() }); ok {
			s.sync()
		}
	}
}
