package tui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/mimir-tui/mimir-tui/engine/export"
)

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
	return m.prompt.ask(promptExport, "export flagged intervals to (.json or .csv): ", name, "", nil)
}

// exportTo checks the answer of the export prompt and writes.
func (m *Model) exportTo(name string) tea.Cmd {
	if name == "" {
		m.setStatus("export cancelled: no file name", false)
		return nil
	}
	path := m.outPath(name)
	if _, err := export.FormatOf(path); err != nil {
		m.setStatus(err.Error(), false)
		return nil
	}
	return m.exportCmd(path, false)
}

// outPath makes a typed file name a path: ~ is the home directory, a
// relative name is in Config.Dir (else the working directory).
func (m *Model) outPath(name string) string {
	name = expandHome(name, m.cfg.Env("HOME"))
	if filepath.IsAbs(name) {
		return name
	}
	dir := m.cfg.Dir
	if dir == "" {
		dir, _ = os.Getwd()
	}
	return filepath.Join(dir, name)
}

// expandHome replaces a leading ~ (alone or before a slash) by home.
func expandHome(path, home string) string {
	if home == "" || (path != "~" && !strings.HasPrefix(path, "~/")) {
		return path
	}
	return filepath.Join(home, strings.TrimPrefix(path, "~"))
}

// exportCmd writes the flagged intervals of the current size at the
// current threshold, with their verdicts, off the update loop.
func (m *Model) exportCmd(path string, overwrite bool) tea.Cmd {
	sd := m.sh.current()
	if sd == nil {
		return nil
	}
	windows := slices.Clone(sd.windows)
	size, th := sd.size, m.sh.threshold()
	store, log := m.sh.store, m.log
	verdicts := m.sh.verdicts.snapshot()
	return func() tea.Msg {
		rows, err := mergeIntervals(store, windows, size, th)
		ivs := make([]export.Interval, len(rows))
		n := 0
		for i, r := range rows {
			ivs[i] = r.iv
			if v, ok := verdicts.Of(&ivs[i]); ok {
				ivs[i].Verdict, ivs[i].Note = v.Verdict, v.Note
			}
			n += r.iv.Windows
		}
		if err == nil {
			err = export.Write(path, ivs, overwrite)
		}
		if err != nil {
			log.Error("export failed", "path", path, "err", err)
		} else {
			log.Info("exported", "path", path, "intervals", len(ivs))
		}
		return exportDoneMsg{path: path, intervals: len(ivs), windows: n, err: err}
	}
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
