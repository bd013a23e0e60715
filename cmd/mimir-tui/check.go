package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/check"
)

// errInputsDoNotFit is check's error when the inputs do not fit together;
// the report has already said why.
var errInputsDoNotFit = errors.New("check: the capture and the entity log do not fit together (see the errors in the report)")

const checkUsage = `usage: mimir-tui check [flags] CAPTURE ENTITIES

Checks that a capture and an entity log make sense together: formats, packets,
time spans and their overlap, and the share of in-cluster bytes that resolve
to known pods and services. Run it first.

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
	pos, err := parsePositionals(fs, args, "CAPTURE ENTITIES")
	if err != nil {
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
	in := inputs(pos[0], pos[1])
	capR, err := in.Capture.Open()
	if err != nil {
		return fmt.Errorf("open capture: %w", err)
	}
	defer capR.Close()
	entR, err := in.Entities.Open()
	if err != nil {
		return fmt.Errorf("open entity log: %w", err)
	}
	defer entR.Close()
	rep, err := check.Run(ctx, capR, in.Capture.Name, entR, in.Entities.Name, opts)
	if err != nil {
		return err
	}
	for i, f := range rep.Findings {
		rep.Findings[i].Message = findingAdvice(f)
	}
	if *format == "json" {
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
	if f.Code == "capture-"+string(capture.WarnTruncated) {
		return captureAdvice(capture.Warning{Kind: capture.WarnTruncated, Message: f.Message})
	}
	if f.Setting != "" {
		return fmt.Sprintf("%s (--%s)", f.Message, f.Setting)
	}
	return f.Message
}
