package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/check"
)

// errInputsDoNotFit is check's error when the inputs do not fit together;
// the report has already said why.
var errInputsDoNotFit = errors.New("check: the capture and the entity log do not fit together (see the errors in the report)")

const checkUsage = `usage: mimir-tui check [flags] CAPTURE... ENTITIES

Checks that captures and an entity log make sense together: formats, packets,
time spans and their overlap, and the share of in-cluster bytes that resolve
to known pods and services. Run it first.

Several captures (one per node, say) are read as the analysis reads them:
merged in time order, each one's clock offset estimated from the packets seen
in two of them and corrected, overlay tunnels (VXLAN, Geneve, IP in IP) opened,
and the copies of a packet seen on several interfaces or nodes counted once.
The report gives, per capture, its node, time span, packets, link types,
copies dropped and clock offset.

Exit status: 0 when the inputs fit together (warnings may be printed), 1 when
they do not (the log resolves none of the capture's traffic, or the two do not
overlap in time) or cannot be read (with --strict, a capture cut short), 2 for
a usage error.`

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", checkUsage, stderr)
	format := fs.String("format", "text", "output format: text or json")
	strict := fs.Bool("strict", false, "a capture cut short (a killed capture tool, a cut gzip stream) is an error, not a warning")
	windows := fs.String("window", "10s,60s", "window sizes to count, comma-separated")
	offset := fs.Duration("entities-offset", 0, "a relative (pickle) entity log's second 0 is the capture's first packet plus this")
	cidrs := fs.String("cluster-cidr", "", "the cluster's address ranges, comma-separated (default: inferred from the entity log)")
	top := fs.Int("top", 5, "how many unresolved and outside addresses to list")
	var cf captureFlags
	cf.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return usagef("mimir-tui check [flags] CAPTURE... ENTITIES (got %d arguments, want at least 2; see 'mimir-tui check -h')", len(pos))
	}
	caps, entPath := pos[:len(pos)-1], pos[len(pos)-1]
	if err := checkFileArgs("check", strings.Repeat("CAPTURE ", len(caps))+"ENTITIES", pos); err != nil {
		return err
	}
	if err := oneOf("format", *format, "text", "json"); err != nil {
		return err
	}
	opts := check.Options{EntitiesOffset: *offset, Top: *top, Strict: *strict}
	if opts.Sizes, err = parseDurations(*windows); err != nil {
		return fmt.Errorf("%w: --window: %w", errUsage, err)
	}
	for _, s := range splitList(*cidrs) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return fmt.Errorf("%w: --cluster-cidr %q: want a CIDR such as 10.244.0.0/16", errUsage, s)
		}
		opts.ClusterCIDRs = append(opts.ClusterCIDRs, p.Masked())
	}
	ins, err := cf.inputs(caps)
	if err != nil {
		return err
	}
	ent := engine.FileSource(entPath)
	entR, err := ent.Open()
	if err != nil {
		return fmt.Errorf("open entity log: %w", err)
	}
	defer entR.Close()
	rep, err := check.Run(ctx, ins, entR, ent.Name, opts)
	if err != nil {
		return adviseError(err)
	}
	return writeCheck(rep, *format, stdout)
}

// writeCheck writes the report, and returns errInputsDoNotFit when its
// verdict is a failure.
func writeCheck(rep *check.Report, format string, stdout io.Writer) error {
	for i, f := range rep.Findings {
		rep.Findings[i].Message = findingAdvice(f)
	}
	var err error
	if format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", " ")
		err = enc.Encode(rep)
	} else {
		err = rep.WriteText(stdout)
	}
	if err == nil && rep.Verdict == check.VerdictFail {
		err = errInputsDoNotFit
	}
	return err
}

// findingAdvice is a finding's message with the flag that addresses it.
func findingAdvice(f check.Finding) string {
	if kind, ok := strings.CutPrefix(f.Code, "capture-"); ok {
		return captureAdvice(capture.Warning{Kind: capture.WarningKind(kind), Message: f.Message})
	}
	return settingAdvice(f.Message, engine.Setting(f.Setting))
}

// captureFlags are the flags that say where several captures were taken
// and how their clocks differ: --node NAME=FILE and --clock-offset
// NAME=DURATION, each as often as needed. Every command that reads
// captures takes them (check and conversations here).
type captureFlags struct {
	nodes, offsets listFlag
}

// listFlag is a flag given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func (cf *captureFlags) register(fs *flag.FlagSet) {
	fs.Var(&cf.nodes, "node", "label a capture: `NAME=FILE` says FILE was taken on node NAME (default: its file name without extensions); repeat for each capture")
	fs.Var(&cf.offsets, "clock-offset", "set a capture's clock: `NAME=DURATION` says how far the clock of capture NAME (a node or a file) runs ahead of the first capture's, e.g. node-b=3.5ms (default: estimated from the packets seen in two captures)")
}

// inputs are the captures named by paths, with their nodes and clock
// offsets as the flags give them. Standard input is "-".
func (cf *captureFlags) inputs(paths []string) ([]capture.Input, error) {
	ins := make([]capture.Input, len(paths))
	for i, p := range paths {
		ins[i] = capture.Input{Path: p, Name: p}
		if p == "-" {
			ins[i].Name = "standard input"
		}
	}
	for _, kv := range cf.nodes {
		name, file, ok := strings.Cut(kv, "=")
		i := findCapture(paths, file)
		if !ok || name == "" || i < 0 {
			return nil, usagef("--node %q: want NAME=FILE, FILE one of the captures (%s)", kv, strings.Join(paths, ", "))
		}
		ins[i].Node = name
	}
	for _, kv := range cf.offsets {
		name, val, ok := strings.Cut(kv, "=")
		d, err := time.ParseDuration(val)
		i := findNode(ins, name)
		if !ok || err != nil || i < 0 {
			return nil, usagef("--clock-offset %q: want NAME=DURATION, NAME a node or a capture (%s), e.g. node-b=-2.5ms", kv, strings.Join(nodeNames(ins), ", "))
		}
		ins[i].Offset = &d
	}
	return ins, nil
}

// findCapture is the index of file among paths, or -1.
func findCapture(paths []string, file string) int {
	return slices.IndexFunc(paths, func(p string) bool { return p == file || filepath.Clean(p) == filepath.Clean(file) })
}

// findNode is the index of the input whose node (given, or from its file
// name) or path is name, or -1.
func findNode(ins []capture.Input, name string) int {
	if i := slices.IndexFunc(ins, func(in capture.Input) bool { return nodeOf(in) == name }); i >= 0 {
		return i
	}
	return findCapture(pathsOf(ins), name)
}

func nodeOf(in capture.Input) string {
	if in.Node != "" {
		return in.Node
	}
	return capture.NodeName(in.Name)
}

func nodeNames(ins []capture.Input) []string {
	var out []string
	for _, in := range ins {
		out = append(out, nodeOf(in))
	}
	return out
}

func pathsOf(ins []capture.Input) []string {
	var out []string
	for _, in := range ins {
		out = append(out, in.Path)
	}
	return out
}
