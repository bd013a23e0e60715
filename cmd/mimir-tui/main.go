// Command mimir-tui finds data exfiltration in Kubernetes network traffic.
//
// With no arguments it opens the built-in demo; with a capture and an entity
// log it opens the explorer on them; subcommands run headless.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"conversations", "per-window, per-IP-pair frames and bytes as JSON Lines", runConversations},
		{"check", "check that a capture and an entity log make sense together", runCheck},
		{"train", "learn a model from a benign capture", runTrain},
		{"analyze", "score every window and list flagged edges (JSON Lines or CSV)", runAnalyze},
		{"evaluate", "measure detection on synthetically injected attacks", runEvaluate},
		{"explore", "open the explorer (the default with two file arguments)", runExplore},
		{"version", "print the version", runVersion},
	}
}

// errUsage marks an error whose message already says how to call the command.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "mimir-tui:", err)
		}
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		if errors.Is(err, errUsage) || errors.Is(err, context.Canceled) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return runExplore(ctx, nil, stdout, stderr)
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	// mimir-tui [flags] CAPTURE ENTITIES opens the explorer.
	return runExplore(ctx, args, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: mimir-tui [flags] [CAPTURE ENTITIES]\n       mimir-tui COMMAND [flags] ARGS\n\nWith no arguments, opens the built-in demo (a real shop capture with one exfiltration).\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'mimir-tui COMMAND -h' for a command's flags.")
}

// newFlags makes a command's flag set; usage (synopsis and description)
// is printed before the flags with -h.
func newFlags(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\nflags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parsePositionals parses args and checks that they hold one positional
// argument per name.
func parsePositionals(fs *flag.FlagSet, args []string, names string) ([]string, error) {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if err := wantArgs(fs, pos, len(strings.Fields(names)), names); err != nil {
		return nil, err
	}
	return pos, nil
}

// oneOf checks that a flag's value is one of its choices.
func oneOf(flagName, value string, choices ...string) error {
	if slices.Contains(choices, value) {
		return nil
	}
	return fmt.Errorf("%w: --%s %q: want %s", errUsage, flagName, value, strings.Join(choices, " or "))
}

// parseArgs parses flags that may come before, between or after the
// positional arguments, and returns the positionals.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// wantArgs checks the number of positional arguments.
func wantArgs(fs *flag.FlagSet, pos []string, n int, names string) error {
	if len(pos) != n {
		return fmt.Errorf("%w: mimir-tui %s [flags] %s (got %d arguments, want %d; see -h)", errUsage, fs.Name(), names, len(pos), n)
	}
	return nil
}

var version = "dev"

func runVersion(_ context.Context, _ []string, stdout, _ io.Writer) error {
	_, err := fmt.Fprintln(stdout, "mimir-tui", version)
	return err
}
