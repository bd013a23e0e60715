package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/mimir-tui/mimir-tui/engine/safefile"
	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/traffic"
)

// runConversations prints per-window, per-directed-IP-pair frames and bytes
// as JSON Lines: one object per window, in index order, empty windows
// included. It is the ingestion step alone, and what is compared with
// tshark's conversation statistics.
func runConversations(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("conversations", flag.ContinueOnError)
	fs.SetOutput(stderr)
	window := fs.Duration("window", 10*time.Second, "window size")
	out := fs.String("o", "", "write to `FILE` (atomically: a temporary file renamed at the end) instead of standard output")
	slack := fs.Duration("reorder-slack", 0, "how long after a window's end out-of-order packets may arrive (default 5s)")
	maxSpan := fs.Duration("max-span", traffic.DefaultMaxSpan, "drop packets further than this from the first packet (garbage timestamps)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: mimir-tui conversations [flags] CAPTURE\n\n"+
			"Per-window, per-directed-IP-pair frames and bytes (wire length) as JSON Lines, one\n"+
			"object per window. CAPTURE is pcap or pcapng, optionally gzip-compressed; - reads\n"+
			"standard input.\n\nflags:\n")
		fs.PrintDefaults()
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: conversations: %v", errUsage, err)
	}
	if err := wantArgs(fs, pos, 1, "CAPTURE"); err != nil {
		return err
	}
	if *window <= 0 {
		return fmt.Errorf("%w: conversations: --window %v: want a positive duration such as 10s", errUsage, *window)
	}
	if *maxSpan <= 0 {
		return fmt.Errorf("%w: conversations: --max-span %v: want a positive duration such as 720h", errUsage, *maxSpan)
	}
	if *slack < 0 {
		return fmt.Errorf("%w: conversations: --reorder-slack %v: want 0 (the default) or a positive duration", errUsage, *slack)
	}

	rd, err := capture.Open(pos[0])
	if err != nil {
		return err
	}
	defer rd.Close()

	dst := stdout
	var tmp *safefile.File
	if *out != "" && *out != "-" {
		if tmp, err = safefile.Create(*out, true); err != nil {
			return fmt.Errorf("conversations: -o: %w", err)
		}
		defer tmp.Abort() // not committed: an error or a cancel
		dst = tmp
	}
	bw := bufio.NewWriterSize(dst, 256<<10)

	cfg := traffic.Config{Sizes: []time.Duration{*window}, ReorderSlack: *slack, MaxSpan: *maxSpan}
	agg := traffic.New(cfg)
	var line []byte
	var werr error
	emit := func(_ int, w *traffic.Window) {
		if werr != nil {
			return
		}
		line = appendWindowJSON(line[:0], w)
		_, werr = bw.Write(line)
	}

	var p capture.Packet
	var truncated error
	for n := 0; ; n++ {
		if n&4095 == 0 {
			if err := ctx.Err(); err != nil {
				if tmp == nil {
					bw.Flush() // end standard output on a whole line
				}
				return fmt.Errorf("conversations: stopped after %d packets: %w", n, err)
			}
		}
		err := rd.Next(&p)
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, capture.ErrTruncated) {
				// Everything before the cut is good: report and finish.
				truncated = err
				break
			}
			if tmp == nil {
				bw.Flush()
			}
			return err
		}
		agg.Add(&p)
		agg.Drain(emit)
		if werr != nil {
			return fmt.Errorf("conversations: writing: %w", werr)
		}
	}
	agg.Finish(emit)
	if werr == nil {
		werr = bw.Flush()
	}
	if werr != nil {
		return fmt.Errorf("conversations: writing: %w", werr)
	}
	if tmp != nil {
		if err := tmp.Commit(); err != nil {
			return fmt.Errorf("conversations: -o: %w", err)
		}
	}
	writeWarnings(stderr, rd.Stats(), agg.Stats(), truncated)
	return nil
}

// writeWarnings tells the user about packets that are not in the output,
// or only partly.
func writeWarnings(w io.Writer, cs capture.Stats, as traffic.Stats, truncated error) {
	if truncated != nil {
		fmt.Fprintf(w, "warning: %v\n", truncated)
	}
	if cs.Skipped > 0 {
		var rs []string
		for _, r := range cs.SkipReasons {
			rs = append(rs, fmt.Sprintf("%d: %s", r.Count, r.Reason))
		}
		fmt.Fprintf(w, "warning: skipped %d packets (%s)\n", cs.Skipped, strings.Join(rs, "; "))
	}
	for _, l := range cs.LinkTypes {
		if !l.Supported() {
			fmt.Fprintf(w, "warning: frames of %v carry no IP addresses mimir-tui can decode: they count in no conversation\n", l)
		}
	}
	if cs.Malformed > 0 {
		fmt.Fprintf(w, "warning: %d frames had malformed headers: counted by what could be decoded (a frame without a readable IP header counts in no conversation)\n", cs.Malformed)
	}
	if cs.UnknownBlocks > 0 {
		fmt.Fprintf(w, "note: skipped %d pcapng blocks of unknown types\n", cs.UnknownBlocks)
	}
	if n := as.Late[0]; n > 0 {
		fmt.Fprintf(w, "warning: %d packets arrived after their window had been written and were dropped: the capture is out of time order by more than the reorder slack; raise --reorder-slack\n", n)
	}
	if as.OutOfSpan > 0 {
		fmt.Fprintf(w, "warning: %d packets lie further than --max-span from the first packet and were dropped (garbage timestamps?); raise --max-span if the capture really is that long\n", as.OutOfSpan)
	}
}

// appendWindowJSON appends one JSON line for w. It is written by hand: the
// output is a fixed shape of numbers, addresses and timestamps, none of
// which needs escaping, and encoding/json would cost most of the run.
func appendWindowJSON(b []byte, w *traffic.Window) []byte {
	b = append(b, `{"window":`...)
	b = strconv.AppendInt(b, int64(w.Index), 10)
	b = append(b, `,"start":"`...)
	b = w.StartTime().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","end":"`...)
	b = w.EndTime().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","partial":`...)
	b = strconv.AppendBool(b, w.Partial)
	b = append(b, `,"conversations":[`...)
	for i := range w.Pairs {
		pr := &w.Pairs[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"src":"`...)
		b = pr.Src.AppendTo(b)
		b = append(b, `","dst":"`...)
		b = pr.Dst.AppendTo(b)
		b = append(b, `","frames":`...)
		b = strconv.AppendUint(b, pr.Frames, 10)
		b = append(b, `,"bytes":`...)
		b = strconv.AppendUint(b, pr.Bytes, 10)
		b = append(b, '}')
	}
	return append(b, "]}\n"...)
}
