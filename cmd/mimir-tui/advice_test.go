package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/loaders/capture"
)

// allSettings lists engine/errors.go's settings.
var allSettings = []engine.Setting{
	engine.SettingWindow, engine.SettingBaseline, engine.SettingModel, engine.SettingSensitive,
	engine.SettingThreshold, engine.SettingEntitiesOffset, engine.SettingClusterCIDRs,
	engine.SettingReorderSlack, engine.SettingIdeHistory, engine.SettingWorkers,
	engine.SettingRates, engine.SettingStrict, engine.SettingMemoryLimit, engine.SettingFalseAlarms,
	engine.SettingEntitiesLag, engine.SettingClockOffset,
}

// TestFlagAdvice: every engine setting has a flag, and it is a flag the
// analysis commands define.
func TestFlagAdvice(t *testing.T) {
	var ef engineFlags
	var ff followFlags
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	ef.register(fs, true)
	ff.register(fs)
	for _, s := range allSettings {
		f := flagAdvice(s)
		if f == "" {
			t.Errorf("setting %q has no flag", s)
			continue
		}
		// --strict belongs to the input policy, not yet an engine option.
		if s != engine.SettingStrict && fs.Lookup(strings.TrimPrefix(f, "--")) == nil {
			t.Errorf("setting %q: %s is no flag of analyze", s, f)
		}
	}
	if f := flagAdvice(engine.SettingNone); f != "" {
		t.Errorf("no setting: %q", f)
	}
}

// TestAdviseError: an engine error about a setting becomes a usage error
// led by its flag; it stays an *engine.SettingError for errors.As, and
// other errors pass unchanged.
func TestAdviseError(t *testing.T) {
	se := &engine.SettingError{Setting: engine.SettingWindow, Err: errors.New("1ms makes 300 000 000 windows of this capture; 100ms is the smallest sensible size")}
	for _, err := range []error{se, fmt.Errorf("run: %w", se)} {
		got := adviseError(err)
		if want := "--window: " + err.Error(); got.Error() != want {
			t.Errorf("%v: %q, want %q", err, got, want)
		}
		var as *engine.SettingError
		if !errors.Is(got, errUsage) || !errors.As(got, &as) {
			t.Errorf("%v: not a usage error wrapping the engine's", err)
		}
		if code := exitStatus(got, nil, &bytes.Buffer{}); code != 2 {
			t.Errorf("exit status %d, want 2", code)
		}
	}
	plain := errors.New("read capture: corrupt")
	if got := adviseError(plain); got != plain {
		t.Errorf("plain error became %v", got)
	}
	if adviseError(nil) != nil {
		t.Error("nil became an error")
	}
	none := &engine.SettingError{Setting: engine.SettingNone, Err: errors.New("x")}
	if got := adviseError(none); errors.Is(got, errUsage) {
		t.Errorf("a setting without a flag became a usage error: %v", got)
	}
}

// TestAdviseWarning: the reporter (analyze, train, evaluate) and the
// explorer's runner give warnings their flag.
func TestAdviseWarning(t *testing.T) {
	with := &engine.Warning{Message: "sensitive services guessed from names and labels: [shop-db]", Setting: engine.SettingSensitive}
	without := &engine.Warning{Message: "the capture ends inside a record"}
	var out bytes.Buffer
	rep := newReporter(&out)
	rep.event(with)
	rep.event(without)
	want := "warning: sensitive services guessed from names and labels: [shop-db] (set with --sensitive)\n" +
		"warning: the capture ends inside a record\n"
	if out.String() != want {
		t.Errorf("reporter printed %q, want %q", out.String(), want)
	}

	// The explorer: warnings keep the engine's text (the header adds
	// the hint, tui.Config.SettingHint); the error gets its flag.
	se := &engine.SettingError{Setting: engine.SettingBaseline, Err: errors.New("2m is longer than the capture")}
	inner := func(_ context.Context, emit func(engine.Event)) (*engine.Result, error) {
		emit(with)
		return &engine.Result{Warnings: []engine.Warning{*with}}, se
	}
	var events []engine.Event
	res, err := adviseRunner(inner)(t.Context(), func(ev engine.Event) { events = append(events, ev) })
	if len(events) != 1 || events[0] != engine.Event(with) || res.Warnings[0].Message != with.Message {
		t.Errorf("explorer warnings changed: %v, %v", events, res.Warnings)
	}
	if err == nil || err.Error() != "--baseline: 2m is longer than the capture" || !errors.Is(err, errUsage) {
		t.Errorf("explorer error %v", err)
	}
}

// TestAnalyzeAdvice: analyze and train turn the engine's setting errors
// into usage errors naming the flag.
func TestAnalyzeAdvice(t *testing.T) {
	restore := runEngine
	defer func() { runEngine = restore }()
	runEngine = func(_ context.Context, _ engine.Inputs, _ engine.Options, emit func(engine.Event)) (*engine.Result, error) {
		emit(&engine.Warning{Message: "no service looks like a data store", Setting: engine.SettingSensitive})
		return nil, &engine.SettingError{Setting: engine.SettingWindow, Err: errors.New("1ms is too small")}
	}
	for _, cmd := range [][]string{{"analyze"}, {"train", "-o", t.TempDir() + "/m.json"}} {
		var stderr bytes.Buffer
		err := run(t.Context(), append(cmd, benignCapture, benignEntities), &bytes.Buffer{}, &stderr)
		if !errors.Is(err, errUsage) || !strings.HasPrefix(err.Error(), "--window: 1ms is too small") {
			t.Errorf("%s: error %v", cmd[0], err)
		}
		if !strings.Contains(stderr.String(), "warning: no service looks like a data store (set with --sensitive)") {
			t.Errorf("%s: stderr %q", cmd[0], stderr.String())
		}
	}
}

// TestAdviseLoaderError: following a gzip-compressed capture is refused by
// the loader without naming a flag (capture.ErrFollowCompressed); the
// command names it, as for the engine's settings, and exits 2. Before,
// the loader itself said "without --follow" and the exit status was 1.
func TestAdviseLoaderError(t *testing.T) {
	var stderr bytes.Buffer
	err := run(t.Context(), []string{"analyze", "--follow", benignCapture, benignEntities}, &bytes.Buffer{}, &stderr)
	if !errors.Is(err, capture.ErrFollowCompressed) || !errors.Is(err, errUsage) || !strings.HasPrefix(err.Error(), "--follow: ") ||
		strings.Count(err.Error(), "--") != 1 || !strings.Contains(err.Error(), "tcpdump -U -w FILE") {
		t.Fatalf("analyze --follow on a gzip capture: %v, want a usage error led by --follow, naming no other flag", err)
	}
	if code := exitStatus(err, nil, &bytes.Buffer{}); code != 2 {
		t.Errorf("exit status %d, want 2", code)
	}
}

// TestTruncatedOneWording: a capture cut short is the same warning in
// every command, "(set with --strict)" as the explorer's header and every
// other warning say it (before, check and conversations said "(--strict
// makes this an error)"); with --strict it is the same error, exit status
// 1 (an unreadable input, README), in every command (before, analyze,
// train and evaluate exited 2 as if the command line were wrong).
func TestTruncatedOneWording(t *testing.T) {
	b, err := os.ReadFile(shopCapture)
	if err != nil {
		t.Fatal(err)
	}
	cut := writeTemp(t, "cut.pcapng.gz", b[:len(b)/2])
	dir := t.TempDir()
	commands := [][]string{
		{"analyze", cut, shopEntities},
		{"check", cut, shopEntities},
		{"conversations", cut},
		{"train", "-o", filepath.Join(dir, "m.json"), cut, shopEntities},
		{"evaluate", "-o", filepath.Join(dir, "e.txt"), cut, shopEntities},
	}
	for _, c := range commands[:3] {
		var stdout, stderr bytes.Buffer
		if err := run(t.Context(), c, &stdout, &stderr); err != nil {
			t.Fatalf("%s: %v", c[0], err)
		}
		all := stdout.String() + stderr.String()
		if !strings.Contains(all, "gzip stream ends early") || !strings.Contains(all, "(set with --strict)") || strings.Contains(all, "makes this an error") {
			t.Errorf("%s: the cut's warning is not 'set with --strict':\n%s", c[0], all)
		}
	}
	for _, c := range commands {
		strict := append([]string{c[0], "--strict"}, c[1:]...)
		err := run(t.Context(), strict, &bytes.Buffer{}, &bytes.Buffer{})
		if !errors.Is(err, capture.ErrTruncated) || errors.Is(err, errUsage) || !strings.HasSuffix(err.Error(), "were read (set with --strict)") {
			t.Errorf("%s --strict: %v, want the cut as an input error ending '(set with --strict)'", c[0], err)
		}
		if code := exitStatus(err, nil, &bytes.Buffer{}); code != 1 {
			t.Errorf("%s --strict: exit status %d, want 1", c[0], code)
		}
	}
}
