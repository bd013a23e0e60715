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
// name none. Following is no engine setting, so the loader's sentinel
// says it.
var loaderFlags = []struct {
	err  error
	flag string
}{
	{capture.ErrFollowCompressed, "--follow"},
}

// adviseError gives an error the flag that governs it, the one rule of
// every command (analyze, train, evaluate, check, conversations, the
// explorer):
//   - an engine error that another value of a setting fixes, or a loader
//     error a flag fixes, is the command line's: a usage error led by the
//     flag ("--window: …", exit status 2);
//   - a capture cut short under --strict is the input's, by the policy the
//     user chose (exit status 1, README: "the run failed (an unreadable
//     input …)"), with the warning's advice: "… (set with --strict)".
//
// Other errors are returned as they are.
func adviseError(err error) error {
	var se *engine.SettingError
	isSetting := errors.As(err, &se)
	switch {
	case err == nil:
		return nil
	case (isSetting && se.Setting == engine.SettingStrict) || errors.Is(err, capture.ErrTruncated):
		return &inputError{setting: engine.SettingStrict, err: err}
	case isSetting:
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

// inputError is an input's failure under a policy setting, with the
// setting's flag as a warning gives it.
type inputError struct {
	setting engine.Setting
	err     error
}

func (e *inputError) Error() string { return settingAdvice(e.err.Error(), e.setting) }
func (e *inputError) Unwrap() error { return e.err }

// settingAdvice is a message with the flag that changes its setting:
// "<message> (set with --flag)", the one wording of every command's
// warnings (the explorer's header says "; set with --flag" through
// tui.Config.SettingHint).
func settingAdvice(msg string, s engine.Setting) string {
	if f := flagAdvice(s); f != "" {
		return fmt.Sprintf("%s (set with %s)", msg, f)
	}
	return msg
}

// adviseWarning is a warning's text with the flag that addresses it.
func adviseWarning(w *engine.Warning) string { return settingAdvice(w.Message, w.Setting) }

// adviseRunner gives the explorer's run error the same flag advice as the
// headless commands'. (Its warnings get theirs through tui.Config.SettingHint.)
func adviseRunner(r tui.Runner) tui.Runner {
	return func(ctx context.Context, emit func(engine.Event)) (*engine.Result, error) {
		res, err := r(ctx, emit)
		return res, adviseError(err)
	}
}
