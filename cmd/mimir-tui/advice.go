package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/tui"
)

// settingFlags spells every engine setting as its command-line flag.
var settingFlags = map[engine.Setting]string{
	engine.SettingWindow:         "--window",
	engine.SettingBaseline:       "--baseline",
	engine.SettingModel:          "--model",
	engine.SettingSensitive:      "--sensitive",
	engine.SettingThreshold:      "--threshold",
	engine.SettingFalseAlarms:    "--false-alarms",
	engine.SettingEntitiesOffset: "--entities-offset",
	engine.SettingEntitiesLag:    "--entities-lag",
	engine.SettingClockOffset:    "--clock-offset",
	engine.SettingClusterCIDRs:   "--cluster-cidr",
	engine.SettingReorderSlack:   "--reorder-slack",
	engine.SettingIdeHistory:     "--ide-history",
	engine.SettingWorkers:        "--workers",
	engine.SettingRates:          "--rates",
	engine.SettingStrict:         "--strict",
	engine.SettingMemoryLimit:    "--memory-limit",
}

// flagAdvice names the flag that changes an engine setting, or "" when no
// flag does. It is the one place that knows how settings are spelled on
// the command line; the engine and the explorer never name flags.
func flagAdvice(s engine.Setting) string {
	return settingFlags[s]
}

// loaderFlags spells the flag that fixes a loader's error: the loaders
// name none.
var loaderFlags = []struct {
	err  error
	flag string
}{
	{capture.ErrFollowCompressed, "--follow"},
}

// adviseError turns an engine error that another value of a setting fixes,
// or a loader error a flag fixes, into a usage error naming the flag
// ("--window: …", exit status 2). Other errors are returned as they are.
func adviseError(err error) error {
	var se *engine.SettingError
	if errors.As(err, &se) {
		if f := flagAdvice(se.Setting); f != "" {
			return &adviceError{flag: f, err: err}
		}
		return err
	}
	for _, l := range loaderFlags {
		if errors.Is(err, l.err) {
			return &adviceError{flag: l.flag, err: err}
		}
	}
	return err
}

// adviceError is an engine error with the flag that fixes it.
type adviceError struct {
	flag string
	err  error
}

func (e *adviceError) Error() string        { return e.flag + ": " + e.err.Error() }
func (e *adviceError) Unwrap() error        { return e.err }
func (e *adviceError) Is(target error) bool { return target == errUsage }

// adviseWarning is a warning's text with the flag that addresses it:
// "<message> (set with --flag)".
func adviseWarning(w *engine.Warning) string {
	if f := flagAdvice(w.Setting); f != "" {
		return fmt.Sprintf("%s (set with %s)", w.Message, f)
	}
	return w.Message
}

// adviseRunner gives the explorer's run error the same flag advice as the
// headless commands'. (Its warnings get theirs through tui.Config.SettingHint.)
func adviseRunner(r tui.Runner) tui.Runner {
	return func(ctx context.Context, emit func(engine.Event)) (*engine.Result, error) {
		res, err := r(ctx, emit)
		return res, adviseError(err)
	}
}
