package engine

import (
	"errors"
	"fmt"
)

// Setting names one of the analysis settings (a field of Options) in errors
// and warnings, so that a front end can say how its user changes it (a
// command-line flag, a key in a form) without the engine knowing how.
type Setting string

// The settings errors and warnings refer to.
const (
	SettingNone           Setting = ""
	SettingWindow         Setting = "window"          // Options.Sizes
	SettingBaseline       Setting = "baseline"        // Options.Baseline
	SettingModel          Setting = "model"           // Options.Model
	SettingSensitive      Setting = "sensitive"       // Options.Sensitive
	SettingThreshold      Setting = "threshold"       // Options.Threshold
	SettingFalseAlarms    Setting = "false-alarms"    // Options.FalseAlarms
	SettingClockOffset    Setting = "clock-offset"    // Source.ClockOffset of a capture
	SettingEntitiesOffset Setting = "entities-offset" // Options.EntitiesOffset
	SettingEntitiesLag    Setting = "entities-lag"    // Options.EntitiesLag
	SettingClusterCIDRs   Setting = "cluster-cidr"    // Options.ClusterCIDRs
	SettingReorderSlack   Setting = "reorder-slack"   // Options.ReorderSlack
	SettingIdeHistory     Setting = "ide-history"     // Options.IdeHistory
	SettingWorkers        Setting = "workers"         // Options.Workers
	SettingRates          Setting = "rates"           // Options.Rates
	SettingStrict         Setting = "strict"          // Options.Strict
	SettingMemoryLimit    Setting = "memory-limit"    // Options.MemoryLimit
)

// SettingError is an error that another value of one setting fixes. Its
// message says what is wrong and which value would do, without naming how
// the setting is changed.
type SettingError struct {
	Setting Setting
	Err     error
}

func (e *SettingError) Error() string { return e.Err.Error() }
func (e *SettingError) Unwrap() error { return e.Err }

// settingErr returns a *SettingError for s with a formatted message.
func settingErr(s Setting, format string, args ...any) error {
	return &SettingError{Setting: s, Err: fmt.Errorf(format, args...)}
}

// ErrNoWindows is returned when the capture holds no window to analyse.
var ErrNoWindows = errors.New("the capture holds no windows")
