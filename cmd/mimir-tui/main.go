// Command mimir-tui finds data exfiltration in Kubernetes network traffic.
//
// With no arguments it opens the built-in demo; with a capture and an entity
// log it opens the explorer on them; subcommands run headless.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
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
		{"record", "record the cluster's entity log (pods and services) as they change", runRecord},
		{"version", "print the version, commit and Go version (also --version)", runVersion},
	}
}

func main() {
	ctx, stop := signalContext(context.Background())
	stopProfile := startProfile(os.Stderr)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stopProfile()
	cause := context.Cause(ctx)
	stop()
	os.Exit(exitStatus(err, cause, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return runExplore(ctx, nil, stdout, stderr)
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return nil
	case "-version", "--version":
		return runVersion(ctx, args[1:], stdout, stderr)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	if err := unknownCommand(args[0]); err != nil {
		return err
	}
	// mimir-tui [flags] CAPTURE ENTITIES opens the explorer.
	return runExplore(ctx, args, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: mimir-tui [flags] [CAPTURE ENTITIES]\n       mimir-tui COMMAND [flags] ARGS\n\nWith no arguments, opens the built-in demo (a real shop capture with one exfiltration).\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'mimir-tui COMMAND -h' for a command's flags.\n\nexit status: 0 done, 1 failed, 2 called wrongly (a bad flag or argument, an\nexisting output file, the explorer without a terminal), 130 interrupted\n(Ctrl-C), 143 terminated (SIGTERM).")
}
