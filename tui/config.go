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
	// Title says what is analysed, in the header, when Inputs are not
	// given (the demo).
	Title string
	// Inputs are the paths of the capture and the entity log, shown in
	// the header shortened just enough to tell them apart.
	Inputs []string
	// Demo marks the built-in demo in the header.
	Demo bool
	// Capture is the capture the analysis reads, for writing an edge's
	// or an interval's packets to a pcapng file (x); nil: not offered.
	Capture *engine.Source
	// VerdictsPath is the sidecar file of the analyst's verdicts
	// (export.VerdictsPath of the capture; the demo's is in the user's
	// cache directory); "": verdicts are kept for the session only.
	VerdictsPath string
	// OnVerdict, when set, is called (off the update loop) after a
	// verdict is saved: the hook by which a false positive can be folded
	// into the baseline and the windows rescored. Its error is shown.
	OnVerdict func(ctx context.Context, v export.Verdict, iv export.Interval) error
	// FalseAlarmsPerDay, when set, is the expected number of false alarms
	// per day at threshold th for a window size (its model description),
	// shown in the header as the analyst moves the threshold; ok false
	// when it cannot be told.
	FalseAlarmsPerDay func(info engine.SeriesInfo, th float64) (perDay float64, ok bool)
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
