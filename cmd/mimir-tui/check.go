package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"

	"github.com/mimir-tui/mimir-tui/loaders/check"
)

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", "usage: mimir-tui check [flags] CAPTURE ENTITIES\n\nChecks that a capture and an entity log make sense together: formats, packets,\ntime spans and their overlap, and the share of in-cluster bytes that resolve\nto known pods and services. Run it first.", stderr)
	format := fs.String("format", "text", "output format: text or json")
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
	opts := check.Options{EntitiesOffset: *offset, Top: *top}
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
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", " ")
		return enc.Encode(rep)
	}
	return rep.WriteText(stdout)
}
