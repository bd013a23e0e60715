package tui

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/export"
	"github.com/mimir-tui/mimir-tui/themes"
)

// Config configures the explorer.
type Config struct {
	// Runner produces the analysis; nil shows an empty explorer (tests).
	Runner Runner
	// Title says what is analysed, in the header, when Paths are not
	// given (the demo).
	Title string
	// Paths are the paths of the captures and the entity log, shown in
	// the header shortened just enough to tell them apart.
	Paths []string
	// Demo marks the built-in demo in the header.
	Demo bool
	// Source is what the analysis reads: x writes an edge's or an
	// interval's packets from its captures to a pcapng file, read as the
	// analysis reads them; nil: not offered.
	Source *engine.Inputs
	// VerdictsPath is the sidecar file of the analyst's verdicts
	// (export.VerdictsPath of the capture; the demo's is in the user's
	// cache directory); "": verdicts are kept for the session only.
	VerdictsPath string
	// OnVerdict, when set, is called (off the update loop) after a
	// verdict is saved: the hook by which a false positive can be folded
	// into the baseline and the windows rescored. Its error is shown.
	OnVerdict func(ctx context.Context, v export.Verdict, iv export.Interval) error
	// Rescore, when set, makes the analysis again with the intervals
	// judged false positives folded into the baseline
	// (engine.Options.Suppress): the explorer runs it whenever a verdict
	// changes which intervals are false positives. nil: verdicts are
	// recorded only.
	Rescore func(suppress []engine.Suppression) Runner
	// Revised, when set, keeps the revision of the model a run made by
	// folding false positives in (engine.Result.Revised; folded is how
	// many): called off the update loop once the run has ended, its
	// message (where the revision went) is shown as the status, its error
	// as a warning.
	Revised func(rev *engine.Model, folded int) (string, error)
	// Follow says the runner follows inputs still being written: the
	// cursor starts on the newest window and stays there (Nav.Tail), and
	// the header tells the capture's newest time rather than an ETA.
	Follow bool
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
	// Env reads the environment (default os.Getenv): the clipboard's
	// support and the home directory of ~ in paths.
	Env func(string) string
}

func withDefaults(cfg Config) Config {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SettingHint == nil {
		cfg.SettingHint = func(engine.Setting) string { return "" }
	}
	if cfg.Env == nil {
		cfg.Env = os.Getenv
	}
	if cfg.Theme.Name == "" {
		cfg.Theme = themes.Dark()
	}
	if cfg.NoColor {
		cfg.Theme = themes.Mono()
	}
	return cfg
}
