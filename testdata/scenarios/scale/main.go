package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// maxCopies bounds -copies; the address plan refuses fewer when the
// ranges do not fit.
const maxCopies = 4096

const usage = `usage: go run ./testdata/scenarios/scale -copies N -o DIR [-attack SCENARIO:COPY]... [-repeat K | -duration D] [-trim] [-format pcapng|pcap] [-gzip] [-force] SRC_DIR

Builds, from the scenario directory SRC_DIR (capture + entities.jsonl, e.g.
testdata/scenarios/benign), a capture and an entity log holding N copies of
the application side by side in disjoint address ranges, each renamed, and
optionally repeated back to back in time. Writes DIR/capture.pcapng (or
.pcap, .gz with -gzip), DIR/entities.jsonl, DIR/ground_truth.json and
DIR/metadata.json.
`

// options are the command line.
type options struct {
	args     []string
	src, out string
	copies   int
	attacks  []attackSpec
	repeat   int
	duration time.Duration
	align    time.Duration
	format   string
	gzip     bool
	force    bool
	trim     bool
}

var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseArgs(args, stderr)
	if err != nil {
		return err
	}
	name := "capture." + o.format
	if o.gzip {
		name += ".gz"
	}
	if err := checkOut(o, name); err != nil {
		return err
	}
	b, err := newBuild(o)
	if err != nil {
		return err
	}
	b.describe(stdout, filepath.Join(o.out, name))
	if err := b.writeOutputs(ctx, name, stderr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "scale: wrote %s, entities.jsonl (%d events), ground_truth.json, metadata.json in %s\n", name, b.entityEvents, o.out)
	return nil
}

// parseArgs reads and checks the command line.
func parseArgs(args []string, stderr io.Writer) (options, error) {
	o := options{args: args}
	fs := flag.NewFlagSet("scale", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage, "\nflags:\n"); fs.PrintDefaults() }
	fs.IntVar(&o.copies, "copies", 1, "copies of the application, side by side")
	fs.StringVar(&o.out, "o", "", "output directory (required; created if missing)")
	fs.Func("attack", "SCENARIO:COPY: copy COPY replays scenario SCENARIO (a directory, or a sibling of SRC_DIR such as direct-exfil) instead of SRC_DIR; repeatable", func(s string) error {
		a, err := parseAttack(s)
		o.attacks = append(o.attacks, a)
		return err
	})
	fs.IntVar(&o.repeat, "repeat", 1, "repeat the source K times back to back")
	fs.DurationVar(&o.duration, "duration", 0, "repeat the source until at least this long (e.g. 24h, 168h); instead of -repeat")
	fs.DurationVar(&o.align, "align", time.Minute, "repetitions start a multiple of this apart, so each starts on a window boundary of the first (0: no rounding)")
	fs.StringVar(&o.format, "format", "pcapng", "capture format: pcapng or pcap (nanosecond)")
	fs.BoolVar(&o.gzip, "gzip", false, "compress the capture with gzip")
	fs.BoolVar(&o.trim, "trim", false, "cut every copy at the shortest source's last packet, so that no copy falls silent before the others (with -attack)")
	fs.BoolVar(&o.force, "force", false, "replace output files that exist")
	// Flags may follow SRC_DIR.
	var pos []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return o, fmt.Errorf("%w: %v", errUsage, err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos, rest = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	if len(pos) != 1 {
		return o, fmt.Errorf("%w: want one SRC_DIR, got %d arguments; see -h", errUsage, len(pos))
	}
	o.src = pos[0]
	return o, checkOptions(o)
}

// parseAttack reads SCENARIO:COPY.
func parseAttack(s string) (attackSpec, error) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 {
		return attackSpec{}, fmt.Errorf("%q: want SCENARIO:COPY, e.g. direct-exfil:3", s)
	}
	k, err := strconv.Atoi(s[i+1:])
	if err != nil || k < 0 {
		return attackSpec{}, fmt.Errorf("%q: the copy after ':' must be a number from 0, e.g. direct-exfil:3", s)
	}
	return attackSpec{scenario: s[:i], copy: k}, nil
}

// checkOptions refuses contradictory or out-of-range flags.
func checkOptions(o options) error {
	switch {
	case o.out == "":
		return fmt.Errorf("%w: -o DIR is required: where to write the capture and logs", errUsage)
	case o.copies < 1 || o.copies > maxCopies:
		return fmt.Errorf("%w: -copies %d: want 1 to %d", errUsage, o.copies, maxCopies)
	case o.repeat < 1:
		return fmt.Errorf("%w: -repeat %d: want at least 1", errUsage, o.repeat)
	case o.duration < 0 || o.align < 0:
		return fmt.Errorf("%w: -duration and -align cannot be negative", errUsage)
	case o.duration > 0 && o.repeat != 1:
		return fmt.Errorf("%w: give -repeat or -duration, not both", errUsage)
	case o.format != "pcapng" && o.format != "pcap":
		return fmt.Errorf("%w: -format %q: want pcapng or pcap", errUsage, o.format)
	}
	seen := map[int]bool{}
	for _, a := range o.attacks {
		if a.copy >= o.copies {
			return fmt.Errorf("%w: -attack %s:%d: there are only copies 0 to %d", errUsage, a.scenario, a.copy, o.copies-1)
		}
		if seen[a.copy] {
			return fmt.Errorf("%w: -attack names copy %d twice", errUsage, a.copy)
		}
		seen[a.copy] = true
	}
	return nil
}

// checkOut creates the output directory and, without -force, refuses to
// replace any output file that exists.
func checkOut(o options, captureName string) error {
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("creating the output directory: %w", err)
	}
	if o.force {
		return nil
	}
	for _, n := range []string{captureName, "entities.jsonl", "ground_truth.json", "metadata.json"} {
		if _, err := os.Lstat(filepath.Join(o.out, n)); err == nil {
			return fmt.Errorf("%s exists: remove it, choose another -o, or give -force to replace it", filepath.Join(o.out, n))
		}
	}
	return nil
}
