package tui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/export"
	"github.com/mimir-tui/mimir-tui/themes"
)

// Config configures the explorer.
type Config struct {
	// Runner produces the analysis; nil shows an empty explorer (tests).
	Runner Runner
	// Title says what is analysed, in the header.
	Title string
	// Demo marks the built-in demo in the header.
	Demo bool
	// Theme is the starting palette; ThemeSet says the user chose it (else
	// a light terminal background switches dark to light).
	Theme    themes.Theme
	ThemeSet bool
	// NoColor (NO_COLOR) forces the mono theme and disables cycling.
	NoColor bool
	// Dir is where exports go when given a relative name (default: the
	// working directory).
	Dir string
	// Now stamps default export names (default time.Now).
	Now func() time.Time
	// Logger receives diagnostics; never the screen (default: discard).
	Logger *slog.Logger
	// TempDir holds the file of the windows' details (default: the
	// system's temporary directory).
	TempDir string
	// SettingHint says how the user changes an analysis setting, e.g.
	// "--sensitive" (default: nothing is said).
	SettingHint func(engine.Setting) string
}

// shared is the state every pane reads.
type shared struct {
	data     *dataset
	nav      Nav
	tl       timeline
	styles   *Styles
	keys     *KeyMap
	themeGen int
	summary  alertSummary
	// store keeps every window's details on disk; cache holds those of
	// the windows shown lately.
	store *detailStore
	cache *detailCache
}

// alertSummary is the header's alert count, recomputed when the data, the
// size or the threshold change.
type alertSummary struct {
	version                    uint64
	size                       int
	th                         float64
	alerts, windows, intervals int
}

func (s *shared) current() *seriesData {
	if s.nav.Size < 0 || s.nav.Size >= len(s.data.series) {
		return nil
	}
	return s.data.series[s.nav.Size]
}

func (s *shared) cursor() int { return s.nav.Window(s.tl) }

func (s *shared) threshold() float64 { return s.nav.Th(s.tl, s.nav.Size) }

// window is the cursor window, with its details once they are loaded
// (see loading).
func (s *shared) window() *engine.WindowResult {
	sd := s.current()
	if sd == nil {
		return nil
	}
	w := sd.window(s.cursor())
	if w == nil {
		return nil
	}
	if full, ok := s.cache.loaded[windowKey{w.Size, w.Index}]; ok {
		return full
	}
	return w
}

// loading reports whether the cursor window's details are still being
// read from the detail store.
func (s *shared) loading() bool {
	sd := s.current()
	if sd == nil {
		return false
	}
	w := sd.window(s.cursor())
	if w == nil {
		return false
	}
	_, ok := s.cache.loaded[windowKey{w.Size, w.Index}]
	return !ok
}

// pane is which lower pane has the focus.
type pane int

const (
	paneDetail pane = iota
	paneEdges
	paneGraph
	numPanes
)

// overlay is what covers part of the screen.
type overlay int

const (
	overlayNone   overlay = iota
	overlayHelp           // covers chart and panes
	overlayDrill          // covers the lower panes
	overlayPicker         // covers the lower panes
)

// Model is the explorer's root model. It routes messages to its panes and
// owns the navigation state.
type Model struct {
	cfg  Config
	ctx  context.Context
	log  *slog.Logger
	sh   *shared
	keys KeyMap

	width, height int
	wide          bool
	chartY        int // screen row of the chart's first line
	chartH        int
	lowerY        int // screen row of the lower panes
	detailW       int // width of the left column (wide layout)
	edgesH        int // height of the flagged edges (wide layout)
	layoutKey     [5]int

	header *headerPane
	chart  *chartPane
	detail *detailPane
	edges  *edgesPane
	graph  *graphPane
	drill  *drillPane
	picker *pickerPane
	helpP  *helpPane
	prompt *promptPane
	footer help.Model

	focus    pane
	overlay  overlay
	status   string
	statusOK bool

	run      *run
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
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SettingHint == nil {
		cfg.SettingHint = func(engine.Setting) string { return "" }
	}
	if cfg.Theme.Name == "" {
		cfg.Theme = themes.Dark()
	}
	if cfg.NoColor {
		cfg.Theme = themes.Mono()
	}
	if ctx == nil {
		ctx = context.Background()
	}
	m := &Model{cfg: cfg, ctx: ctx, log: cfg.Logger, keys: DefaultKeyMap()}
	m.sh = &shared{data: &dataset{}, nav: NewNav(0), styles: NewStyles(cfg.Theme), keys: &m.keys,
		store: newDetailStore(cfg.TempDir), cache: newDetailCache()}
	m.sh.tl = timeline{dataset: m.sh.data, page: m.page}
	m.header = newHeaderPane(m.sh, cfg.Title, cfg.Demo, cfg.SettingHint)
	m.chart = newChartPane(m.sh)
	m.detail = newDetailPane(m.sh)
	m.edges = newEdgesPane(m.sh)
	m.graph = newGraphPane(m.sh)
	m.drill = newDrillPane(m.sh)
	m.picker = newPickerPane(m.sh)
	m.helpP = newHelpPane(m.sh)
	m.prompt = newPromptPane(m.sh)
	m.footer = help.New()
	m.footer.Styles = m.sh.styles.Help
	m.width, m.height = 80, 24 // until the terminal says otherwise
	m.layout()
	m.setFocus(paneDetail)
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
	cmd := m.route(msg)
	m.layout()
	m.sync()
	var series tea.Cmd
	if m.overlay == overlayDrill {
		series = m.drill.seriesCmd()
	}
	return m, tea.Batch(cmd, m.loadCursor(), series)
}

// loadCursor reads the cursor window's details, when they are not in
// memory, off the update loop.
func (m *Model) loadCursor() tea.Cmd {
	sd := m.sh.current()
	if sd == nil || !m.sh.loading() {
		return nil
	}
	w := sd.window(m.sh.cursor())
	k := windowKey{w.Size, w.Index}
	if m.sh.cache.inFlight[k] {
		return nil
	}
	m.sh.cache.inFlight[k] = true
	return m.sh.store.loadDetails(w)
}

// route sends msg where it belongs.
func (m *Model) route(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return nil

	case tea.BackgroundColorMsg:
		if !m.cfg.ThemeSet && !m.cfg.NoColor && !msg.IsDark() && m.sh.styles.Theme.Name == "dark" {
			m.setTheme(themes.Light())
		}
		return nil

	case eventsMsg:
		m.feed(msg.events)
		if m.run != nil {
			return m.run.wait()
		}
		return nil

	case drillSeriesMsg:
		if msg.err != nil {
			m.setStatus(msg.err.Error(), false)
		}
		m.drill.setSeries(msg)
		return nil

	case detailsMsg:
		if msg.err != nil {
			delete(m.sh.cache.inFlight, msg.key)
			m.log.Error("window details", "err", msg.err)
			m.setStatus(msg.err.Error(), false)
			return nil
		}
		m.sh.cache.add(msg.key, msg.w)
		return nil

	case runDoneMsg:
		m.finish(msg.res, msg.err)
		return nil

	case tickMsg:
		if m.sh.data.done || m.quitting {
			return nil
		}
		m.spin++
		return tick()

	case openEdgeMsg:
		m.drill.open(msg.edge, m.sh.cursor())
		m.overlay = overlayDrill
		return nil

	case closeDrillMsg:
		m.overlay = overlayNone
		return nil

	case closeHelpMsg:
		m.overlay = overlayNone
		return nil

	case pickFeatureMsg:
		m.overlay = overlayNone
		if msg.feature >= 0 {
			m.chart.setFeature(msg.feature)
		}
		return nil

	case promptDoneMsg:
		return m.answered(msg)

	case exportDoneMsg:
		return m.exported(msg)

	case tea.KeyPressMsg:
		return m.key(msg)

	case tea.MouseClickMsg:
		return m.click(msg)

	case tea.MouseWheelMsg:
		return m.wheel(msg)
	}

	// Anything else (e.g. a text input's internal messages) goes to
	// whatever is taking text.
	switch {
	case m.prompt.active():
		var cmd tea.Cmd
		m.prompt, cmd = m.prompt.Update(msg)
		return cmd
	case m.overlay == overlayPicker:
		var cmd tea.Cmd
		m.picker, cmd = m.picker.Update(msg)
		return cmd
	case m.edges.capturing():
		var cmd tea.Cmd
		m.edges, cmd = m.edges.Update(msg)
		return cmd
	}
	return nil
}

// feed records engine events.
func (m *Model) feed(events []engine.Event) {
	d := m.sh.data
	for _, ev := range events {
		if wd, ok := ev.(*engine.WindowDone); ok && wd.Window != nil {
			// The details go to the store; memory keeps the rest.
			ev = &engine.WindowDone{Window: m.sh.store.slim(wd.Window)}
		}
		d.apply(ev)
		if w, ok := ev.(*engine.Warning); ok {
			m.log.Warn("analysis warning", "message", w.Message, "setting", w.Setting, "severe", w.Severe)
		}
	}
	m.growNav()
}

// finish records the run's outcome.
func (m *Model) finish(res *engine.Result, err error) {
	m.sh.data.finish(res, err)
	m.growNav()
	if err != nil && !canceled(err) {
		m.log.Error("analysis failed", "err", err)
	}
}

// growNav gives every known size a cursor and a threshold slot.
func (m *Model) growNav() {
	n := m.sh.data.NumSizes()
	if len(m.sh.nav.Cursor) < n {
		m.sh.nav = m.sh.nav.Apply(Op{Action: ActNone}, m.sh.tl)
	}
}

// key handles a key press: modal panes first, then global keys, then
// navigation, then the focused pane.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if msg.String() == "ctrl+c" {
		return m.quit()
	}
	if m.Err() != nil {
		if key.Matches(msg, k.Quit) || key.Matches(msg, k.Back) {
			return m.quit()
		}
		return nil
	}
	if m.prompt.active() {
		var cmd tea.Cmd
		m.prompt, cmd = m.prompt.Update(msg)
		return cmd
	}
	switch m.overlay {
	case overlayHelp:
		if key.Matches(msg, k.Quit) {
			return m.quit()
		}
		var cmd tea.Cmd
		m.helpP, cmd = m.helpP.Update(msg)
		return cmd
	case overlayPicker:
		var cmd tea.Cmd
		m.picker, cmd = m.picker.Update(msg)
		return cmd
	}
	if m.edges.capturing() {
		var cmd tea.Cmd
		m.edges, cmd = m.edges.Update(msg)
		return cmd
	}

	m.status = ""
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.overlay = overlayHelp
		return nil
	case key.Matches(msg, k.Theme):
		m.cycleTheme()
		return nil
	case key.Matches(msg, k.Export):
		return m.askExport()
	case key.Matches(msg, k.ThreshSet):
		return m.prompt.ask(promptThreshold, "threshold: ", strconv.FormatFloat(m.sh.threshold(), 'g', 6, 64))
	case key.Matches(msg, k.Feature):
		sd := m.sh.current()
		if sd == nil || len(sd.info.Features) == 0 {
			m.setStatus("no features yet: the model is not ready", false)
			return nil
		}
		m.overlay = overlayPicker
		return m.picker.open(sd.info.Features, m.chart.feature)
	case key.Matches(msg, k.Metric):
		m.chart, _ = m.chart.Update(msg)
		return nil
	case key.Matches(msg, k.Focus):
		if m.overlay == overlayDrill {
			m.overlay = overlayNone
		}
		step := pane(1)
		if msg.String() == "shift+tab" {
			step = numPanes - 1
		}
		m.setFocus((m.focus + step) % numPanes)
		return nil
	case key.Matches(msg, k.Enter) && m.sh.nav.Digits != "":
		m.navigate(Op{Action: ActJump})
		return nil
	case key.Matches(msg, k.Back) && m.sh.nav.Digits != "":
		m.navigate(Op{Action: ActCancel})
		return nil
	}
	if op, ok := k.NavOp(msg); ok {
		m.navigate(op)
		return nil
	}
	var cmd tea.Cmd
	if m.overlay == overlayDrill {
		m.drill, cmd = m.drill.Update(msg)
		return cmd
	}
	switch m.focus {
	case paneEdges:
		m.edges, cmd = m.edges.Update(msg)
	case paneGraph:
		m.graph, cmd = m.graph.Update(msg)
	default:
		m.detail, cmd = m.detail.Update(msg)
	}
	return cmd
}

// navigate applies a navigation operation and says what happened when it
// is not visible otherwise.
func (m *Model) navigate(op Op) {
	before := m.sh.nav
	beforeCur := m.sh.cursor()
	m.sh.nav = before.Apply(op, m.sh.tl)
	after := m.sh.cursor()
	th := m.sh.threshold()
	switch op.Action {
	case ActNextAlert, ActPrevAlert:
		if after == beforeCur {
			dir := "after"
			if op.Action == ActPrevAlert {
				dir = "before"
			}
			msg := fmt.Sprintf("no alert %s window %d at threshold %s", dir, beforeCur, fmtScore(th))
			if !m.sh.data.done && op.Action == ActNextAlert {
				msg += " yet: the analysis is still running"
			}
			m.setStatus(msg, false)
			return
		}
		// An alert is about its edges: show them.
		if m.overlay == overlayDrill {
			m.overlay = overlayNone
		}
		m.setFocus(paneEdges)
	case ActSize:
		if m.sh.nav.Size != before.Size {
			m.setStatus(fmt.Sprintf("%s windows (window %d covers the same moment)", fmtSize(m.sh.data.Size(m.sh.nav.Size)), after), true)
		}
	case ActJump:
		if n := m.sh.data.Len(m.sh.nav.Size); n > 0 {
			if v, err := strconv.Atoi(before.Digits); err == nil && v >= n {
				m.setStatus(fmt.Sprintf("there are %d windows: went to the last one, %d", n, n-1), false)
			}
		}
	}
}

func (m *Model) setFocus(p pane) {
	m.focus = p
	m.detail.focused = p == paneDetail
	m.edges.focused = p == paneEdges
	m.graph.focused = p == paneGraph
}

// paneAt is the lower pane at a screen position (wide layout).
func (m *Model) paneAt(x, y int) pane {
	switch {
	case !m.wide:
		return m.focus
	case x < m.detailW:
		return paneDetail
	case y < m.lowerY+m.edgesH:
		return paneEdges
	}
	return paneGraph
}

func (m *Model) setStatus(s string, ok bool) { m.status, m.statusOK = s, ok }

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
	m.picker.restyle()
	m.prompt.restyle()
	m.helpP.restyle()
}

// click moves the cursor to the clicked chart column, or focuses the
// clicked pane.
func (m *Model) click(msg tea.MouseClickMsg) tea.Cmd {
	if msg.Button != tea.MouseLeft || m.overlay == overlayHelp {
		return nil
	}
	mouse := msg.Mouse()
	if mouse.Y >= m.chartY && mouse.Y < m.chartY+m.chartH {
		if i, ok := m.chart.windowAt(mouse.X, mouse.Y-m.chartY); ok {
			m.navigate(Op{Action: ActGoto, Arg: i})
		}
		return nil
	}
	if m.wide && m.overlay == overlayNone && mouse.Y >= m.lowerY {
		m.setFocus(m.paneAt(mouse.X, mouse.Y))
	}
	return nil
}

// wheel scrolls the timeline over the chart, the pane under it elsewhere.
func (m *Model) wheel(msg tea.MouseWheelMsg) tea.Cmd {
	mouse := msg.Mouse()
	if mouse.Y >= m.chartY && mouse.Y < m.chartY+m.chartH {
		switch msg.Button {
		case tea.MouseWheelUp, tea.MouseWheelLeft:
			m.navigate(Op{Action: ActPrev})
		case tea.MouseWheelDown, tea.MouseWheelRight:
			m.navigate(Op{Action: ActNext})
		}
		return nil
	}
	if m.overlay != overlayNone || mouse.Y < m.lowerY {
		return nil
	}
	switch m.paneAt(mouse.X, mouse.Y) {
	case paneEdges:
		m.edges, _ = m.edges.Update(msg)
	case paneGraph:
		m.graph, _ = m.graph.Update(msg)
	default:
		m.detail, _ = m.detail.Update(msg)
	}
	return nil
}

// exportDoneMsg reports an export.
type exportDoneMsg struct {
	path      string
	intervals int
	windows   int
	err       error
}

// askExport opens the export prompt with a default name.
func (m *Model) askExport() tea.Cmd {
	if m.sh.current() == nil || !m.sh.current().hasInfo {
		m.setStatus("nothing to export yet: wait for the model", false)
		return nil
	}
	name := "mimir-intervals-" + m.cfg.Now().Format("20060102-150405") + ".json"
	return m.prompt.ask(promptExport, "export flagged intervals to (.json or .csv): ", name)
}

// exportCmd writes the flagged intervals of the current size at the
// current threshold, off the update loop.
func (m *Model) exportCmd(path string, overwrite bool) tea.Cmd {
	s := m.sh.data.engineSeries(m.sh.nav.Size)
	th := m.sh.threshold()
	log := m.log
	store := m.sh.store
	return func() tea.Msg {
		var ivs []export.Interval
		err := withDetails(store, s, th)
		if err == nil {
			ivs = export.Intervals(s, th)
			err = export.Write(path, ivs, overwrite)
		}
		windows := 0
		for _, iv := range ivs {
			windows += iv.Windows
		}
		if err != nil {
			log.Error("export failed", "path", path, "err", err)
		} else {
			log.Info("exported", "path", path, "intervals", len(ivs))
		}
		return exportDoneMsg{path: path, intervals: len(ivs), windows: windows, err: err}
	}
}

// withDetails gives the windows of s that alert at th their details (the
// flagged edges an interval names), from the store.
func withDetails(store *detailStore, s *engine.Series, th float64) error {
	for i := range s.Windows {
		if w := &s.Windows[i]; w.Alert(th) {
			full, err := store.full(w)
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			*w = *full
		}
	}
	return nil
}

func (m *Model) exported(msg exportDoneMsg) tea.Cmd {
	switch {
	case errors.Is(msg.err, os.ErrExist):
		m.prompt.confirm(promptOverwrite, msg.path+" exists. Overwrite it?", msg.path)
	case msg.err != nil:
		m.setStatus(msg.err.Error(), false)
	default:
		m.setStatus(fmt.Sprintf("✓ wrote %s (%s, threshold %s) to %s",
			plural(msg.intervals, "interval"), plural(msg.windows, "window"), fmtScore(m.sh.threshold()), msg.path), true)
	}
	return nil
}

// answered handles a prompt's answer.
func (m *Model) answered(msg promptDoneMsg) tea.Cmd {
	if msg.cancel {
		if msg.kind == promptOverwrite {
			m.setStatus("kept "+msg.value+"; nothing written", false)
		}
		return nil
	}
	switch msg.kind {
	case promptThreshold:
		v, err := strconv.ParseFloat(strings.TrimSpace(msg.value), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			m.setStatus(fmt.Sprintf("threshold: %q is not a number; type e.g. 1.5", msg.value), false)
			return nil
		}
		m.navigate(Op{Action: ActThreshSet, Value: v})
	case promptExport:
		if msg.value == "" {
			m.setStatus("export cancelled: no file name", false)
			return nil
		}
		path := msg.value
		if !filepath.IsAbs(path) {
			dir := m.cfg.Dir
			if dir == "" {
				dir, _ = os.Getwd()
			}
			path = filepath.Join(dir, path)
		}
		if _, err := export.FormatOf(path); err != nil {
			m.setStatus(err.Error(), false)
			return nil
		}
		return m.exportCmd(path, false)
	case promptOverwrite:
		return m.exportCmd(msg.value, true)
	}
	return nil
}

// sync brings the panes and the alert summary up to date with the data,
// the cursor and the threshold. Each pane only rebuilds what changed.
func (m *Model) sync() {
	sd := m.sh.current()
	th := m.sh.threshold()
	if sd != nil {
		s := &m.sh.summary
		if s.version != sd.version || s.size != m.sh.nav.Size || !(s.th == th || (math.IsNaN(s.th) && math.IsNaN(th))) {
			*s = alertSummary{version: sd.version, size: m.sh.nav.Size, th: th,
				alerts: sd.alertCount(th), windows: len(sd.windows), intervals: sd.runs(th)}
		}
	}
	m.detail.sync()
	m.edges.sync()
	m.graph.sync()
}

// layout sizes the panes from the terminal size and the measured heights
// of the header and footer.
func (m *Model) layout() {
	w, h := max(m.width, minWidth), max(m.height, minHeight)
	m.header.SetSize(w, 0)
	m.prompt.SetSize(w, 1)
	m.footer.SetWidth(w)
	hh := lipgloss.Height(m.header.View())
	hs := lipgloss.Height(m.statusView())
	hf := lipgloss.Height(m.footerView())
	// Panes are resized only when a measure changed: resizing drops their
	// caches.
	k := [5]int{w, h, hh, hs, hf}
	if k == m.layoutKey {
		return
	}
	m.layoutKey = k
	body := max(h-hh-hs-hf, 2)
	// Half the body for the chart (7 to 24 lines), at least 6 lines for
	// the panes below when the terminal is small.
	chartH := min(max(body/2, 7), 24)
	if body-chartH < 6 {
		chartH = max(body-6, min(body, 5))
	}
	lowerH := max(body-chartH, 0)
	m.chartY, m.chartH, m.lowerY = hh, chartH, hh+chartH
	m.chart.SetSize(w, chartH)
	m.helpP.SetSize(w, body)
	m.drill.SetSize(w, lowerH)
	m.picker.SetSize(w, lowerH)
	// Wide: the detail on the left, the flagged edges over the service
	// graph on the right. Narrow: one pane at a time, tab switches.
	m.wide = w >= 110
	if m.wide {
		m.detailW = w * 45 / 100
		m.edgesH = lowerH / 2
		m.detail.SetSize(m.detailW, lowerH)
		m.edges.SetSize(w-m.detailW-1, m.edgesH)
		m.graph.SetSize(w-m.detailW-1, lowerH-m.edgesH)
	} else {
		m.detailW, m.edgesH = w, lowerH
		m.detail.SetSize(w, lowerH)
		m.edges.SetSize(w, lowerH)
		m.graph.SetSize(w, lowerH)
	}
}

// statusView is the line above the footer: a prompt, the window number
// being typed, or the last message.
func (m *Model) statusView() string {
	st := m.sh.styles
	switch {
	case m.prompt.active():
		return m.prompt.View()
	case m.sh.nav.Digits != "":
		return truncateStyled(st.Accent.Render("go to window "+m.sh.nav.Digits+"▏")+st.Muted.Render("  ⏎ jump · esc cancel"), m.width)
	case m.status != "":
		if m.statusOK {
			return truncateStyled(st.OK.Render(m.status), m.width)
		}
		return truncateStyled(st.Warning.Render("! "+m.status), m.width)
	}
	return ""
}

// footerView is the short help of what has the keyboard.
func (m *Model) footerView() string {
	var bindings []key.Binding
	switch {
	case m.prompt.active():
		bindings = m.prompt.Keys()
	case m.overlay == overlayHelp:
		bindings = append(m.helpP.Keys(), m.keys.Quit)
	case m.overlay == overlayPicker:
		bindings = m.picker.Keys()
	case m.overlay == overlayDrill:
		bindings = append(m.drill.Keys(), m.keys.Prev, m.keys.Next, m.keys.Help, m.keys.Quit)
	case m.edges.capturing():
		bindings = m.edges.Keys()
	default:
		bindings = m.keys.ShortHelp()
		var pk []key.Binding
		switch m.focus {
		case paneEdges:
			pk = m.edges.Keys()
		case paneGraph:
			pk = m.graph.Keys()
		default:
			pk = m.detail.Keys()
		}
		// The focused pane's own keys, after the global ones.
		seen := map[string]bool{}
		for _, b := range bindings {
			seen[b.Help().Key] = true
		}
		for _, b := range pk {
			if !seen[b.Help().Key] {
				bindings = append(bindings, b)
			}
		}
	}
	// bubbles/help does not cut the line when even its ellipsis would
	// overflow: cut it here.
	return truncateStyled(m.footer.ShortHelpView(bindings), m.width)
}

// block fits s into exactly w×h cells.
func block(s string, w, h int) string {
	if h <= 0 {
		return ""
	}
	w = max(w, 0)
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = padRight(truncateStyled(l, w), w)
	}
	return strings.Join(lines, "\n")
}

func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "mimir-tui"
	return v
}

// Smallest usable terminal.
const (
	minWidth  = 40
	minHeight = 12
)

// render draws the whole screen.
func (m *Model) render() string {
	if m.Err() != nil {
		return block(m.errorView(), m.width, m.height)
	}
	if m.width < minWidth || m.height < minHeight {
		msg := fmt.Sprintf("mimir-tui needs %d×%d; this terminal is %d×%d. Enlarge it, or q to quit.",
			minWidth, minHeight, m.width, m.height)
		return block(lipgloss.NewStyle().Width(max(m.width, 1)).Render(msg), m.width, m.height)
	}
	w := m.width
	lowerH := m.height - m.lowerY - lipgloss.Height(m.statusView()) - lipgloss.Height(m.footerView())
	parts := []string{m.header.View()}
	switch m.overlay {
	case overlayHelp:
		parts = append(parts, block(m.helpP.View(), w, m.chartH+lowerH))
	default:
		parts = append(parts, block(m.chart.View(), w, m.chartH))
		var lower string
		switch {
		case m.overlay == overlayDrill:
			lower = block(m.drill.View(), w, lowerH)
		case m.overlay == overlayPicker:
			lower = block(m.picker.View(), w, lowerH)
		case m.wide:
			sep := strings.TrimSuffix(strings.Repeat(m.sh.styles.Border.Render("│")+"\n", lowerH), "\n")
			rw := w - m.detailW - 1
			right := block(m.edges.View(), rw, m.edgesH) + "\n" + block(m.graph.View(), rw, lowerH-m.edgesH)
			lower = lipgloss.JoinHorizontal(lipgloss.Top, block(m.detail.View(), m.detailW, lowerH), sep, right)
		case m.focus == paneEdges:
			lower = block(m.edges.View(), w, lowerH)
		case m.focus == paneGraph:
			lower = block(m.graph.View(), w, lowerH)
		default:
			lower = block(m.detail.View(), w, lowerH)
		}
		if lowerH > 0 {
			parts = append(parts, lower)
		}
	}
	parts = append(parts, block(m.statusView(), w, 1), m.footerView())
	return strings.Join(parts, "\n")
}

// errorView replaces the screen when the analysis failed: the error, what
// to do, and how to leave.
func (m *Model) errorView() string {
	st := m.sh.styles
	w := max(m.width-4, 20)
	msg := lipgloss.NewStyle().Width(w).Render(m.Err().Error())
	lines := []string{
		st.Title.Render("mimir-tui") + " " + st.Muted.Render(m.cfg.Title),
		"",
		st.Alert.Render("The analysis could not run:"),
		"",
		st.Text.Render(msg),
		"",
		st.Muted.Render(lipgloss.NewStyle().Width(w).Render(
			"The message above names the input at fault and what to change. Fix it and start mimir-tui again; " +
				"`mimir-tui check CAPTURE ENTITIES` reports on the inputs without the explorer.")),
		"",
		st.Accent.Render("q to quit"),
	}
	return lipgloss.NewStyle().Padding(1, 2).Render(strings.Join(lines, "\n"))
}
