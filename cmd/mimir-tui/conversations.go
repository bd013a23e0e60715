package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/safefile"
	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/traffic"
)

// convFlags are the flags of conversations.
type convFlags struct {
	window, slack, maxSpan time.Duration
	out                    string
	strict, force          bool
	inner, dedup           bool
	captures               captureFlags
}

const convUsage = `usage: mimir-tui conversations [flags] CAPTURE...

Per-window, per-directed-IP-pair frames and bytes (wire length) as JSON Lines, one
object per window. CAPTURE is pcap or pcapng, optionally gzip-compressed; - reads
standard input. A capture cut short (a killed capture tool, a cut gzip stream) is
read up to its last whole packet, with a warning; --strict makes it an error.

By default every frame counts by its outermost IP header and its length on the
wire, as tshark counts it (tshark -z conv,ip, bucketed into the same windows).
Several captures are merged in time order, each one's clock corrected by its
offset to the first (estimated from the packets seen in two of them, or given
with --clock-offset). --inner opens overlay tunnels (VXLAN, Geneve, IP in IP) and
counts each frame by the packet inside, its length as an Ethernet frame (what the
analysis counts); --dedup counts once the copies of a packet seen on several
interfaces (tcpdump -i any) or in several captures. Both are off by default so
that the output stays comparable with tshark's.`

// parseConvFlags parses conversations' command line: its flags and the
// captures' paths.
func parseConvFlags(args []string, stderr io.Writer) (convFlags, []string, error) {
	var f convFlags
	fs := newFlags("conversations", convUsage, stderr)
	fs.DurationVar(&f.window, "window", 10*time.Second, "window size")
	fs.StringVar(&f.out, "o", "", "write to `FILE` (atomically: a temporary file renamed at the end) instead of standard output")
	fs.DurationVar(&f.slack, "reorder-slack", 0, "how long after a window's end out-of-order packets may arrive (default 5s)")
	fs.DurationVar(&f.maxSpan, "max-span", traffic.DefaultMaxSpan, "drop packets further than this from the first packet (garbage timestamps)")
	fs.BoolVar(&f.strict, "strict", false, "a capture cut short (a killed capture tool, a cut gzip stream) is an error, not a warning")
	fs.BoolVar(&f.force, "force", false, "replace an existing -o file")
	fs.BoolVar(&f.inner, "inner", false, "count tunnelled packets (VXLAN, Geneve, IP in IP) by the packet inside, lengths as on Ethernet")
	fs.BoolVar(&f.dedup, "dedup", false, "count once a packet seen on several interfaces or in several captures")
	f.captures.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return f, nil, err
	}
	if len(pos) == 0 {
		return f, nil, usagef("mimir-tui conversations [flags] CAPTURE... (got no capture; see 'mimir-tui conversations -h')")
	}
	if err := checkFileArgs("conversations", strings.TrimSpace(strings.Repeat("CAPTURE ", len(pos))), pos); err != nil {
		return f, nil, err
	}
	switch {
	case f.window <= 0:
		return f, nil, usagef("--window %v: want a positive duration such as 10s", f.window)
	case f.maxSpan <= 0:
		return f, nil, usagef("--max-span %v: want a positive duration such as 720h", f.maxSpan)
	case f.slack < 0:
		return f, nil, usagef("--reorder-slack %v: want 0 (the default) or a positive duration", f.slack)
	}
	if f.out != "-" {
		if err := checkOutput(f.out, f.force); err != nil {
			return f, nil, err
		}
	}
	return f, pos, nil
}

// runConversations prints per-window, per-directed-IP-pair frames and bytes
// as JSON Lines: one object per window, in index order, empty windows
// included. It is the ingestion step alone, and what is compared with
// tshark's conversation statistics.
func runConversations(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, paths, err := parseConvFlags(args, stderr)
	if err != nil {
		return err
	}
	ins, err := f.captures.inputs(paths)
	if err != nil {
		return err
	}
	rd, err := capture.OpenAll(ins, capture.Options{Strict: f.strict, Inner: f.inner, Dedup: f.dedup})
	if err != nil {
		return adviseError(err)
	}
	defer rd.Close()
	out, err := newConvOutput(stdout, f.out, f.force)
	if err != nil {
		return err
	}
	defer out.abort()
	agg := traffic.New(traffic.Config{Sizes: []time.Duration{f.window}, ReorderSlack: f.slack, MaxSpan: f.maxSpan})
	var p capture.Packet
	for n := 0; ; n++ {
		if n&4095 == 0 && ctx.Err() != nil {
			out.flushStdout() // end standard output on a whole line
			return notWritten(fmt.Errorf("conversations: stopped after %d packets: %w", n, ctx.Err()), f.out)
		}
		err := rd.Next(&p)
		if err == io.EOF {
			break
		}
		if err != nil {
			out.flushStdout()
			return adviseError(err)
		}
		agg.Add(&p)
		agg.Drain(out.emit)
		if out.err != nil {
			return fmt.Errorf("conversations: writing: %w", out.err)
		}
	}
	agg.Finish(out.emit)
	if err := out.commit(); err != nil {
		return err
	}
	writeWarnings(stderr, rd, agg.Stats())
	return nil
}

// convOutput writes windows as JSON lines to standard output or, with -o,
// to a file that appears only when it is complete.
type convOutput struct {
	bw   *bufio.Writer
	tmp  *safefile.File // nil for standard output
	line []byte
	err  error // the first write error
}

func newConvOutput(stdout io.Writer, path string, force bool) (*convOutput, error) {
	o := &convOutput{}
	dst := stdout
	if path != "" && path != "-" {
		tmp, err := safefile.Create(path, force)
		if err != nil {
			return nil, fmt.Errorf("conversations: -o: %w", err)
		}
		o.tmp, dst = tmp, tmp
	}
	o.bw = bufio.NewWriterSize(dst, 256<<10)
	return o, nil
}

// emit writes one window (an aggregator callback).
func (o *convOutput) emit(_ int, w *traffic.Window) {
	if o.err != nil {
		return
	}
	o.line = appendWindowJSON(o.line[:0], w)
	_, o.err = o.bw.Write(o.line)
}

// flushStdout writes what is buffered when the output is standard output,
// which always ends on a whole line.
func (o *convOutput) flushStdout() {
	if o.tmp == nil {
		o.bw.Flush()
	}
}

// commit flushes the output and, with -o, puts the file in place.
func (o *convOutput) commit() error {
	if o.err == nil {
		o.err = o.bw.Flush()
	}
	if o.err != nil {
		return fmt.Errorf("conversations: writing: %w", o.err)
	}
	if o.tmp != nil {
		if err := o.tmp.Commit(); err != nil {
			return fmt.Errorf("conversations: -o: %w", err)
		}
	}
	return nil
}

// abort removes an output file that was not committed (an error or a
// cancel); after commit it does nothing.
func (o *convOutput) abort() {
	if o.tmp != nil {
		o.tmp.Abort()
	}
}

// writeWarnings tells the user about packets that are not in the output,
// or only partly: the captures' warnings, then the aggregator's; and, of
// several captures, how each one's clock was set and the copies dropped.
func writeWarnings(w io.Writer, rd *capture.Merged, as traffic.Stats) {
	for _, cw := range rd.Warnings() {
		level := "warning"
		if cw.Kind == capture.WarnUnknownBlocks || cw.Kind == capture.WarnClock {
			level = "note"
		}
		fmt.Fprintf(w, "%s: %s\n", level, captureAdvice(cw))
	}
	if ins := rd.Inputs(); len(ins) > 1 {
		for _, in := range ins {
			if in.Clock.Source != capture.ClockUnknown {
				fmt.Fprintf(w, "note: %s (node %s): clock %s\n", in.Name, in.Node, in.Clock)
			}
		}
	}
	if st := rd.Stats(); st.Duplicates > 0 {
		fmt.Fprintf(w, "note: %d of %d frames were copies of a packet seen before (on another interface or in another capture) and were counted once\n", st.Duplicates, st.Packets)
	}
	if n := as.Late[0]; n > 0 {
		fmt.Fprintf(w, "warning: %d packets arrived after their window had been written and were dropped: the capture is out of time order by more than the reorder slack; raise --reorder-slack\n", n)
	}
	if as.OutOfSpan > 0 {
		fmt.Fprintf(w, "warning: %d packets lie further than --max-span from the first packet and were dropped (garbage timestamps?); raise --max-span if the capture really is that long\n", as.OutOfSpan)
	}
}

// captureAdvice is a capture warning's message with the flag that
// changes how it is treated, if one does.
func captureAdvice(w capture.Warning) string {
	return settingAdvice(w.Message, engine.CaptureWarningSetting(w.Kind))
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
