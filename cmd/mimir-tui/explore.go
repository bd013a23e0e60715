package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/testdata"
	"github.com/mimir-tui/mimir-tui/themes"
	"github.com/mimir-tui/mimir-tui/tui"
)

// demoSensitive is the shop demo's sensitive service (its ground truth).
const demoSensitive = "shop-db"

// runExplore opens the explorer: on the built-in demo with no positional
// argument, on CAPTURE ENTITIES otherwise. Its analysis flags are those of
// `analyze` (engineFlags), plus --theme and --log.
func runExplore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("explore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var ef engineFlags
	ef.register(fs, true)
	themeName := fs.String("theme", "", "colour theme: "+strings.Join(themes.Names(), ", ")+" (default dark; NO_COLOR turns colour off)")
	logPath := fs.String("log", "", "write diagnostics to this file (default: none; never to the screen)")
	var ff followFlags
	ff.register(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: mimir-tui [flags]                    the built-in demo\n"+
			"       mimir-tui [flags] CAPTURE ENTITIES   explore your capture and entity log\n"+
			"       mimir-tui explore [flags] [CAPTURE ENTITIES]\n"+
			"       mimir-tui --follow [flags] CAPTURE ENTITIES   follow them while they are written\n\nflags:\n")
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), "\nIn the explorer, ? lists every key.\n")
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	demo := len(pos) == 0
	if !demo {
		if len(pos) < 2 {
			return usagef("mimir-tui [flags] CAPTURE... ENTITIES (got %d argument, want a capture or several and the entity log; see 'mimir-tui -h')", len(pos))
		}
		if err := checkFileArgs(fs.Name(), captureSynopsis(len(pos)-1), pos); err != nil {
			return err
		}
	}

	// The demo's sensitive service is known; elsewhere the engine guesses
	// (and the header says so) unless --sensitive is given.
	if demo && ef.sensitive == "" {
		ef.sensitive = demoSensitive
	}
	opts, err := exploreOptions(&ef, &ff, demo)
	if err != nil {
		return err
	}
	cfg, err := themeConfig(*themeName)
	if err != nil {
		return err
	}
	if !isTerminal(stdout) {
		return usagef("standard output is not a terminal, and the explorer draws on one; to write the analysis to a file or a pipe, use mimir-tui analyze [flags] CAPTURE ENTITIES")
	}
	logger := slog.New(slog.DiscardHandler)
	if *logPath != "" {
		f, err := os.OpenFile(*logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("--log: %w", err)
		}
		defer f.Close()
		logger = slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	cfg.Logger = logger

	in, err := exploreInputs(&cfg, &ef, pos)
	if err != nil {
		return err
	}
	cfg.Runner = adviseRunner(tui.EngineRunner(in, opts))
	cfg.SettingHint = flagAdvice
	if wd, err := os.Getwd(); err == nil {
		cfg.Dir = wd
	}
	logger.Info("explore", "demo", demo, "capture", in.Capture.Name, "entities", in.Entities.Name,
		"sizes", opts.Sizes, "baseline", opts.Baseline, "sensitive", opts.Sensitive, "follow", opts.Follow)
	return tui.Run(ctx, cfg)
}

// exploreOptions are the explorer's engine options: the analysis flags
// and --follow (not on the built-in demo, which is no file being
// written). The explorer keeps its own compact copy of every window (and
// their details on disk): the engine streams them.
func exploreOptions(ef *engineFlags, ff *followFlags, demo bool) (engine.Options, error) {
	opts, err := ef.options()
	if err != nil {
		return opts, err
	}
	if err := ff.apply(&opts); err != nil {
		return opts, err
	}
	if demo && opts.Follow {
		return opts, usagef("--follow follows your capture and entity log while they are written: mimir-tui --follow CAPTURE ENTITIES")
	}
	opts.Streaming = true
	return opts, nil
}

// themeConfig is the explorer's colours: none under NO_COLOR, else the
// --theme named, else the explorer's default.
func themeConfig(name string) (tui.Config, error) {
	var cfg tui.Config
	switch {
	case os.Getenv("NO_COLOR") != "":
		cfg.NoColor = true
	case name != "":
		th, err := themes.ByName(name)
		if err != nil {
			return cfg, usagef("--theme: %v", err)
		}
		cfg.Theme, cfg.ThemeSet = th, true
	}
	return cfg, nil
}

// exploreInputs is the built-in demo without positional arguments, else
// CAPTURE... ENTITIES; it titles the explorer after them.
func exploreInputs(cfg *tui.Config, ef *engineFlags, pos []string) (engine.Inputs, error) {
	if len(pos) == 0 {
		cfg.Demo = true
		cfg.Title = "built-in shop capture (one exfiltration hidden in it)"
		return engine.Inputs{
			Capture:  engine.BytesSource(testdata.ShopCaptureName, testdata.ShopCapture),
			Entities: engine.BytesSource(testdata.ShopEntitiesName, testdata.ShopEntities),
		}, nil
	}
	var caps []string
	for _, p := range pos[:len(pos)-1] {
		caps = append(caps, filepath.Base(p))
	}
	cfg.Title = strings.Join(caps, ", ") + " + " + filepath.Base(pos[len(pos)-1])
	return ef.inputs(pos)
}
