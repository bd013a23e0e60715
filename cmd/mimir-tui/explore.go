package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/export"
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
	fs.Usage = func() { exploreUsage(fs) }
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
	logger, closeLog, err := exploreLogger(*logPath)
	if err != nil {
		return err
	}
	defer closeLog()
	cfg.Logger = logger

	in, err := exploreInputs(&cfg, &ef, pos)
	if err != nil {
		return err
	}
	investigation(&cfg, in, pos, os.UserCacheDir)
	rescore := feedback(in, opts)
	cfg.Runner = rescore(readFalsePositives(cfg.VerdictsPath))
	cfg.Rescore = rescore
	cfg.Revised = keepRevision(ef.model, cfg.VerdictsPath)
	cfg.Follow = opts.Follow
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
// their details on disk), so the engine streams them; but the analyst
// moves the threshold, so every window is explained, not only those that
// alert at the model's.
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
	opts.ExplainAll = true
	return opts, nil
}

func exploreUsage(fs *flag.FlagSet) {
	fmt.Fprint(fs.Output(), "usage: mimir-tui [flags]                    the built-in demo\n"+
		"       mimir-tui [flags] CAPTURE ENTITIES   explore your capture and entity log\n"+
		"       mimir-tui explore [flags] [CAPTURE ENTITIES]\n"+
		"       mimir-tui --follow [flags] CAPTURE ENTITIES   follow them while they are written\n\nflags:\n")
	fs.PrintDefaults()
	fmt.Fprint(fs.Output(), "\nIn the explorer, ? lists every key.\n")
}

// exploreLogger writes diagnostics to path, or nowhere ("").
func exploreLogger(path string) (*slog.Logger, func(), error) {
	if path == "" {
		return slog.New(slog.DiscardHandler), func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("--log: %w", err)
	}
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug})), func() { f.Close() }, nil
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
	cfg.Paths = pos
	return ef.inputs(pos)
}

// investigation gives the explorer the captures to write packets from (x)
// and the file of the analyst's verdicts (v): beside the (first) capture;
// for the demo, which has no file, demo.verdicts.json in the user's cache
// directory (~/.cache/mimir-tui on Linux), so that they too outlive the
// session. A capture read from standard input offers neither.
func investigation(cfg *tui.Config, in engine.Inputs, pos []string, cacheDir func() (string, error)) {
	if slices.Contains(pos, "-") {
		return
	}
	cfg.Source = &in
	if len(pos) > 0 {
		cfg.VerdictsPath = export.VerdictsPath(pos[0])
		return
	}
	dir, err := cacheDir()
	if err != nil {
		return
	}
	dir = filepath.Join(dir, "mimir-tui")
	if os.MkdirAll(dir, 0o755) == nil {
		cfg.VerdictsPath = filepath.Join(dir, "demo.verdicts.json")
	}
}

// feedback makes the explorer's runners: the analysis with the intervals
// judged false positives folded into the baseline.
func feedback(in engine.Inputs, opts engine.Options) func([]engine.Suppression) tui.Runner {
	return func(fp []engine.Suppression) tui.Runner {
		o := opts
		o.Suppress = fp
		return adviseRunner(tui.EngineRunner(in, o))
	}
}

// keepRevision is the explorer's tui.Config.Revised: it saves the model's
// revision a run made by folding false positives in beside the model file,
// or beside the verdicts when the baseline is the capture's own, and says
// where — a status, not a warning; a failure to save is the error.
func keepRevision(modelPath, verdictsPath string) func(*engine.Model, int) (string, error) {
	return func(rev *engine.Model, folded int) (string, error) {
		path := revisionPath(modelPath, verdictsPath, rev.Revision)
		if path == "" {
			return "the model's revision is not saved: the demo has no file to keep it beside", nil
		}
		if err := engine.WriteModel(path, rev, true); err != nil {
			return "", fmt.Errorf("the model's revision could not be saved: %w; check that its directory is writable", err)
		}
		return fmt.Sprintf("✓ revision %d of the model, with %s folded in, saved to %s (use it with --model)",
			rev.Revision, countOf(folded, "false positive"), path), nil
	}
}

// revisionPath names revision r of the model: NAME.rR.json beside the
// model file, else beside the verdicts file; "" for neither.
func revisionPath(modelPath, verdictsPath string, r int) string {
	switch {
	case modelPath != "":
		return fmt.Sprintf("%s.r%d.json", strings.TrimSuffix(modelPath, ".json"), r)
	case verdictsPath != "":
		return fmt.Sprintf("%s.model.r%d.json", strings.TrimSuffix(verdictsPath, ".verdicts.json"), r)
	}
	return ""
}

// readFalsePositives are the intervals the verdicts file judges false
// positives; none when it is missing or unreadable (the explorer says so).
func readFalsePositives(path string) []engine.Suppression {
	if path == "" {
		return nil
	}
	v, err := export.ReadVerdicts(path)
	if err != nil {
		return nil
	}
	return v.FalsePositives()
}
