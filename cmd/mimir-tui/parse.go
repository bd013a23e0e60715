package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// errUsage marks an error in how the command was called (exit status 2).
// Its message already says how to call the command.
var errUsage = errors.New("usage")

// usageError is a usage error whose message carries no "usage:" prefix.
type usageError struct{ msg string }

func (e *usageError) Error() string        { return e.msg }
func (e *usageError) Is(target error) bool { return target == errUsage }

// usagef makes a usage error (exit status 2) from a formatted message.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
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

// parsePositionals parses args, checks that they hold one positional
// argument per name, and that the files named CAPTURE and ENTITIES are
// what their names say (checkFileArgs).
func parsePositionals(fs *flag.FlagSet, args []string, names string) ([]string, error) {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if err := wantArgs(fs, pos, len(strings.Fields(names)), names); err != nil {
		return nil, err
	}
	if err := checkFileArgs(fs.Name(), names, pos); err != nil {
		return nil, err
	}
	return pos, nil
}

// parseCaptureArgs parses the arguments of a command that reads
// CAPTURE... ENTITIES: one capture or several (one per node), then the
// entity log, each checked to be what its place says (checkFileArgs).
func parseCaptureArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) < 2 {
		return nil, usagef("mimir-tui %s [flags] CAPTURE... ENTITIES (got %d arguments, want a capture or several and the entity log; see 'mimir-tui %s -h')",
			fs.Name(), len(pos), fs.Name())
	}
	if err := checkFileArgs(fs.Name(), captureSynopsis(len(pos)-1), pos); err != nil {
		return nil, err
	}
	return pos, nil
}

// captureSynopsis names n captures and the entity log: "CAPTURE ENTITIES",
// "CAPTURE CAPTURE ENTITIES", ….
func captureSynopsis(n int) string {
	return strings.Repeat("CAPTURE ", n) + "ENTITIES"
}

// oneOf checks that a flag's value is one of its choices.
func oneOf(flagName, value string, choices ...string) error {
	if slices.Contains(choices, value) {
		return nil
	}
	return usagef("--%s %q: want %s", flagName, value, strings.Join(choices, " or "))
}

// parseArgs parses flags that may come before, between or after the
// positional arguments, and returns the positionals. A parse error is a
// usage error that names the bad flag and points at -h, without the whole
// flag list; -h prints that list and returns flag.ErrHelp.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseQuietly(fs, args); err != nil {
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

// parseQuietly is fs.Parse without the flag package's habit of printing
// the whole usage after every error.
func parseQuietly(fs *flag.FlagSet, args []string) error {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return err
	case err != nil:
		return usagef("%v; see 'mimir-tui %s -h'", err, fs.Name())
	}
	return nil
}

// wantArgs checks the number of positional arguments.
func wantArgs(fs *flag.FlagSet, pos []string, n int, names string) error {
	if len(pos) != n {
		return usagef("mimir-tui %s [flags] %s (got %d arguments, want %d; see 'mimir-tui %s -h')", fs.Name(), names, len(pos), n, fs.Name())
	}
	return nil
}
