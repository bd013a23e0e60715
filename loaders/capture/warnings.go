package capture

import (
	"fmt"
	"strings"
)

// WarningKind says what a Warning is about, so that a front end can add
// its own advice (the flag or setting that changes it) without reading
// the message.
type WarningKind string

// The kinds of warning, in the order Warnings gives them.
const (
	// WarnTruncated: the capture was cut short; Count is the packets
	// read before the cut.
	WarnTruncated WarningKind = "truncated"
	// WarnConcatenated: several capture files joined end to end; Count is
	// the file headers found after the first.
	WarnConcatenated WarningKind = "concatenated"
	// WarnBadRecords: records whose fields cannot be right, skipped.
	WarnBadRecords WarningKind = "bad-records"
	// WarnSkipped: records stepped over for another reason.
	WarnSkipped WarningKind = "skipped"
	// WarnUndecoded: frames whose IP header stays hidden (one warning per
	// reason: a link type, encrypted MACsec, …).
	WarnUndecoded WarningKind = "undecoded"
	// WarnMalformed: frames with a header that cannot be decoded.
	WarnMalformed WarningKind = "malformed"
	// WarnUnknownBlocks: pcapng blocks of unknown types, skipped (a note:
	// they hold no packets this reader reads).
	WarnUnknownBlocks WarningKind = "unknown-blocks"
	// WarnClock: of several captures, one whose clock offset could not be
	// estimated; Count is the packets it has in common with the others.
	// (Merged.Warnings only; a note unless its clock is known to be off.)
	WarnClock WarningKind = "clock"
	// WarnDedupFull: deduplication forgot packets early for lack of room;
	// Count is how often. (Merged.Warnings only.)
	WarnDedupFull WarningKind = "dedup-full"
)

// Warning is something about a capture that the user should know: what
// was not read, or read but counted in no IP pair, and why. The message
// names no command-line flag.
type Warning struct {
	Kind    WarningKind `json:"kind"`
	Count   uint64      `json:"count"` // the packets, records, frames or blocks concerned
	Message string      `json:"message"`
}

func (w Warning) String() string { return w.Message }

// Warnings turns a reader's counts into what the user should be told, the
// most serious first. It is the one place these messages are written:
// every command that reads a capture prints these.
func (s *Stats) Warnings() []Warning {
	var out []Warning
	add := func(k WarningKind, n uint64, format string, args ...any) {
		out = append(out, Warning{Kind: k, Count: n, Message: fmt.Sprintf(format, args...)})
	}
	if t := s.Truncated; t != nil {
		add(WarnTruncated, t.Packets, "%s", t.Message)
	}
	if s.Concatenated > 0 {
		where := "offset"
		if s.Compressed {
			where = "decompressed offset"
		}
		add(WarnConcatenated, s.Concatenated, "the capture is %d capture files joined end to end (the next file's header is at %s %d, where a packet was expected): each part was read with its own header, but time order may break where they join; merge them in time order with mergecap -w merged.pcap a.pcap b.pcap",
			s.Concatenated+1, where, s.ConcatenatedAt)
	}
	if n, why := skipped(s.SkipReasons, true); n > 0 {
		add(WarnBadRecords, n, "%d records have fields that cannot be right (%s): they were skipped and count in no IP pair; the file is damaged, or its writer is broken", n, why)
	}
	if n, why := skipped(s.SkipReasons, false); n > 0 {
		add(WarnSkipped, n, "%d packets were skipped (%s)", n, why)
	}
	for _, u := range s.Undecoded {
		add(WarnUndecoded, u.Frames, "%d %s frames count in no IP pair: %s", u.Frames, u.What, u.Why)
	}
	if s.Malformed > 0 {
		add(WarnMalformed, s.Malformed, "%d frames have malformed headers: they count by what could be decoded (one without a readable IP header counts in no IP pair)", s.Malformed)
	}
	if s.UnknownBlocks > 0 {
		add(WarnUnknownBlocks, s.UnknownBlocks, "%d pcapng blocks of unknown types were skipped (they hold no packets this reader knows)", s.UnknownBlocks)
	}
	return out
}

// skipped sums the skip reasons that are bad records (or the others) and
// lists them.
func skipped(rs []SkipReason, bad bool) (uint64, string) {
	var n uint64
	var why []string
	for _, r := range rs {
		if r.BadRecord == bad {
			n += r.Count
			why = append(why, fmt.Sprintf("%d: %s", r.Count, r.Reason))
		}
	}
	return n, strings.Join(why, "; ")
}
